/* check_net.c - article section 3: can this device reach the MDE cloud?
 *
 * Local facts first (net.mode, net.proxy.winhttp, net.proxy.static), always;
 * then, only when Sense runs and the network may be used, the probe of
 * every destination Sense would contact, through the proxy Sense would use,
 * and the findings that explain the result (net.endpoint per destination,
 * per-category summaries, proxy and TLS-inspection findings, static IPs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32_args.h"
#include "check_pac.h"
#include "checks.h"
#include "netconf.h"
#include "netrec.h"
#include "probe.h"
#include "dnscache.h"
#include "readfile.h"
#include "servicetags.h"
#include "roots.h"
#include "sock.h"
#include "wpad.h"

/* Evidence strings are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_DEST 128
#define DEFAULT_TIMEOUT_MS 10000

struct netplan {
	struct dx_onboarded ob;
	int ob_ok;               /* OnboardedInfo decoded */
	struct dx_winhttp wh;
	int wh_ok;               /* WinHttpSettings present and decoded */
	struct dx_hostport sp;
	int sp_ok;               /* TelemetryProxyServer set and valid */
	int prefer_static;       /* PreferStaticProxyForHttpRequest = 1 */
};

/* Names resolve through the platform, once per run (dnscache.c): cache
 * entries stay where they are while the cache grows. */
static struct dx_dns_entry *resolve(struct dx_ctx *c, struct dx_dns_cache *dc,
				    const char *host)
{
	return dx_dns_resolve(c->p, dc, host);
}

/* ---- local facts --------------------------------------------------------- */

static void hex_evidence(struct dx_finding *f, const char *key,
			 const unsigned char *b, size_t n)
{
	char buf[2 * 128 + 4];
	size_t m = n > 128 ? 128 : n, j = 0;
	for (size_t i = 0; i < m; i++)
		j += (size_t)snprintf(buf + j, sizeof buf - j, "%02x", b[i]);
	if (n > m)
		snprintf(buf + j, sizeof buf - j, "...");
	dx_ev_str(f, key, buf);
}

/* A value that could not be read: "absent" when it does not exist (whether
 * its key exists or not is noise here), else the platform's reason. */
static void ev_absent(struct dx_finding *f, const char *what, enum dx_status st,
		      const struct dx_err *err)
{
	if (st == DX_NOT_FOUND)
		dx_ev_str(f, what, "absent");
	else
		dx_ev_err(f, what, st, err);
}

static void check_mode(struct dx_ctx *c, struct netplan *np)
{
	struct dx_regval v = {0};
	struct dx_err err = {0};
	struct dx_finding *f;
	enum dx_status st = dx_reg_read(c->p, DX_KEY_ATP, "OnboardedInfo", &v, &err);

	memset(&np->ob, 0, sizeof np->ob);
	np->ob.streamlined = -1;
	if (st == DX_OK && (v.type == DX_REG_SZ || v.type == DX_REG_EXPAND_SZ) && v.data) {
		np->ob_ok = dx_onboarded_parse((const char *)v.data, v.len,
					       cJSON_GetObjectItemCaseSensitive(
						       c->data->destinations, "geos"),
					       &np->ob) == 0;
		if (np->ob_ok)
			f = dx_add(&c->findings, "net.mode", DX_SEV_INFO,
				   np->ob.streamlined ? "streamlined" : "standard");
		else
			f = dx_add(&c->findings, "net.mode", DX_SEV_WARNING, "malformed");
		if (f && !np->ob_ok)
			dx_ev_str(f, "error", np->ob.error);
	} else if (st == DX_OK) {
		f = dx_add(&c->findings, "net.mode", DX_SEV_WARNING, "malformed");
		if (f)
			dx_ev_fmt(f, "error", "OnboardedInfo is %s, not REG_SZ",
				  dx_regtype_name(v.type));
	} else {
		f = dx_add(&c->findings, "net.mode", DX_SEV_INFO, "unknown");
		if (f)
			ev_absent(f, "OnboardedInfo", st, &err);
	}
	dx_regval_free(&v);
	if (!f)
		return;
	dx_ev_str(f, "mode", np->ob.streamlined == 1 ? "streamlined"
			     : np->ob.streamlined == 0 ? "standard" : "unknown");
	dx_ev_str(f, "geo", np->ob.geo[0] ? np->ob.geo : "unknown");
	dx_ev_str(f, "dc", np->ob.dc);
	dx_ev_str(f, "datacenter", np->ob.datacenter);
	dx_ev_str(f, "partnerGeoLocation", np->ob.partner_geo);
	dx_ev_str(f, "vortexGeoLocation", np->ob.vortex_geo);
	dx_ev_str(f, "regions_probed", np->ob.geo[0] ? np->ob.geo : "US, EU, UK");
	dx_ev_str(f, "lists_probed", np->ob.streamlined == 1 ? "streamlined"
				     : np->ob.streamlined == 0 ? "standard"
							       : "streamlined and standard");
	c->facts.streamlined = np->ob.streamlined;
	snprintf(c->facts.geo, sizeof c->facts.geo, "%s", np->ob.geo);
	snprintf(c->facts.datacenter, sizeof c->facts.datacenter, "%s", np->ob.datacenter);
	if (!c->facts.org_id[0])
		snprintf(c->facts.org_id, sizeof c->facts.org_id, "%s", np->ob.org_id);
}

static void check_winhttp(struct dx_ctx *c, struct netplan *np)
{
	struct dx_regval v = {0};
	struct dx_err err = {0};
	struct dx_finding *f;
	enum dx_status st = dx_reg_read(c->p, DX_KEY_WINHTTP, "WinHttpSettings", &v, &err);

	if (st == DX_OK && v.type == DX_REG_BINARY) {
		int ok = dx_winhttp_decode(v.data, v.len, &np->wh) == 0;
		np->wh_ok = ok;
		f = dx_add(&c->findings, "net.proxy.winhttp",
			   ok ? DX_SEV_INFO : DX_SEV_WARNING,
			   !ok ? "malformed" : np->wh.has_proxy ? "proxy" : "direct");
		if (f) {
			hex_evidence(f, "value", v.data, v.len);
			dx_ev_num(f, "length", (double)v.len);
			if (!ok)
				dx_ev_str(f, "error", np->wh.error);
			else
				dx_ev_num(f, "flags", np->wh.flags);
		}
	} else if (st == DX_OK) {
		f = dx_add(&c->findings, "net.proxy.winhttp", DX_SEV_WARNING, "malformed");
		if (f)
			dx_ev_fmt(f, "error", "WinHttpSettings is %s, not REG_BINARY",
				  dx_regtype_name(v.type));
	} else {
		f = dx_add(&c->findings, "net.proxy.winhttp", DX_SEV_INFO, "direct");
		if (f)
			ev_absent(f, "WinHttpSettings", st, &err);
	}
	dx_regval_free(&v);
	if (!np->wh_ok)
		memset(&np->wh, 0, sizeof np->wh);
	if (f) {
		dx_ev_str(f, "proxy", np->wh.has_proxy ? np->wh.proxy : "direct");
		dx_ev_str(f, "bypass", np->wh.bypass);
	}
	snprintf(c->facts.winhttp_proxy, sizeof c->facts.winhttp_proxy, "%s",
		 np->wh.has_proxy ? np->wh.proxy : "");
}

static void check_static(struct dx_ctx *c, struct netplan *np)
{
	char val[512], perr[128];
	struct dx_err err = {0};
	struct dx_finding *f;
	uint32_t prefer = 0;
	np->prefer_static = dx_reg_dword(c->p, DX_KEY_ATP_POLICY, "PreferStaticProxyForHttpRequest",
					 &prefer, &err) == DX_OK && prefer == 1;
	enum dx_status st = dx_reg_string(c->p, DX_KEY_DATACOLLECTION,
					  "TelemetryProxyServer", val, sizeof val, &err);
	if (st == DX_NOT_FOUND)
		return; /* not set: the spec emits nothing */
	if (st != DX_OK) {
		/* unreadable (wrong type, too long, denied): Sense cannot use
		 * it either, so it is malformed for our purpose */
		f = dx_add(&c->findings, "net.proxy.static", DX_SEV_WARNING, "malformed");
		if (f) {
			dx_ev_str(f, "value", "");
			dx_ev_err(f, "error", st, &err);
			dx_ev_str(f, "effect", "Sense cannot use this value; it falls back to WinHTTP");
		}
		return;
	}
	snprintf(c->facts.static_proxy, sizeof c->facts.static_proxy, "%s", val);
	if (!val[0])
		return; /* set but empty: same as unset */
	np->sp_ok = dx_static_proxy_parse(val, &np->sp, perr, sizeof perr) == 0;
	f = dx_add(&c->findings, "net.proxy.static", np->sp_ok ? DX_SEV_INFO : DX_SEV_WARNING,
		   np->sp_ok ? "" : "malformed");
	if (!f)
		return;
	dx_ev_str(f, "value", val);
	if (np->sp_ok) {
		dx_ev_str(f, "host", np->sp.host);
		dx_ev_num(f, "port", np->sp.port);
		dx_ev_str(f, "applies_to", np->prefer_static
			  ? "Sense's traffic, and its CRL and Windows Update requests (PreferStaticProxyForHttpRequest = 1)"
			  : "Sense's traffic; CRL downloads go through WinHTTP's settings");
	} else {
		dx_ev_str(f, "error", perr);
		dx_ev_str(f, "effect", "Sense cannot use this value; it falls back to WinHTTP");
	}
}

/* Who fetches this destination: certificate revocation lists and trust
 * lists (category "crl", plain HTTP on port 80) are downloaded by the OS's
 * CryptoAPI through WinHTTP's own settings, not by the Sense service, so
 * the static TelemetryProxyServer does not apply to them unless the
 * PreferStaticProxyForHttpRequest policy tells Sense to use it for its
 * HTTP requests (CRL and Windows Update on devices that are offline
 * without the proxy). Source: Microsoft Learn, "Configure device proxy and
 * Internet connectivity settings" (defender-endpoint/configure-proxy-internet),
 * registry-based static proxy section; docs/connectivity.md. */
static int os_fetched(const struct dx_dest *d)
{
	for (int k = 0; k < d->ncats; k++)
		if (strcmp(d->cats[k], "crl") == 0)
			return 1;
	return 0;
}

/* The proxy this destination's traffic takes: Sense's own traffic uses the
 * static proxy when set; the OS's CRL downloads use it only with
 * PreferStaticProxyForHttpRequest; else WinHTTP (unless the host is in its
 * bypass list), else direct. The reason says which in words. */
static struct dx_route route_for(const struct netplan *np, const struct dx_dest *d,
				  struct dx_wpad_state *wp)
{
	struct dx_route r;
	struct dx_pac_entry pe;
	char url[600];
	int pac_ok = 0;
	memset(&r, 0, sizeof r);
	snprintf(r.source, sizeof r.source, "none");
	snprintf(r.route_source, sizeof r.route_source, "direct");
	/* the PAC script is asked for every destination when it loaded, so its
	 * answer is evidence even where a manual proxy wins */
	if (wp && wp->stage == DX_WPAD_READY) {
		enum dx_pac_rc rc = DX_PAC_OK;
		snprintf(url, sizeof url, "%s://%s%s", d->tls ? "https" : "http", d->host, d->path);
		pac_ok = dx_wpad_answer(wp, url, d->host, r.pac_answer, sizeof r.pac_answer, &pe,
					&rc, r.pac_error, sizeof r.pac_error) == 0;
		r.pac_rc = rc;
	}
	snprintf(r.reason, sizeof r.reason, "no proxy configured (TelemetryProxyServer "
		 "and the WinHTTP proxy are unset)");
	if (np->sp_ok && os_fetched(d) && !np->prefer_static)
		snprintf(r.reason, sizeof r.reason, "the OS fetches CRLs through WinHTTP: "
			 "TelemetryProxyServer does not apply (no PreferStaticProxyForHttpRequest)");
	if (np->sp_ok && (!os_fetched(d) || np->prefer_static)) {
		r.use = 1;
		r.hp = np->sp;
		snprintf(r.source, sizeof r.source, "static");
		snprintf(r.route_source, sizeof r.route_source, "static");
		snprintf(r.reason, sizeof r.reason, "TelemetryProxyServer is set");
	} else if (np->wh_ok && np->wh.has_proxy) {
		if (dx_bypass_match(np->wh.bypass, d->host)) {
			snprintf(r.source, sizeof r.source, "winhttp-bypass");
			snprintf(r.route_source, sizeof r.route_source, "netsh-bypass");
			snprintf(r.reason, sizeof r.reason, "%s matches the WinHTTP bypass list",
				 d->host);
		} else if (dx_winhttp_proxy_for(np->wh.proxy, d->tls ? "https" : "http",
						&r.hp) == 0) {
			r.use = 1;
			snprintf(r.source, sizeof r.source, "winhttp");
			snprintf(r.route_source, sizeof r.route_source, "netsh");
			snprintf(r.reason, sizeof r.reason, "WinHTTP proxy (netsh winhttp)");
		} else {
			snprintf(r.reason, sizeof r.reason, "the WinHTTP proxy has no entry for %s",
				 d->tls ? "https" : "http");
		}
	} else if (pac_ok) {
		snprintf(r.source, sizeof r.source, "pac");
		snprintf(r.route_source, sizeof r.route_source, "wpad");
		snprintf(r.reason, sizeof r.reason, "the PAC script found by WPAD answered %s",
			 r.pac_answer);
		if (pe.kind == DX_PAC_PROXY) {
			r.use = 1;
			snprintf(r.hp.host, sizeof r.hp.host, "%s", pe.host);
			r.hp.port = pe.port;
		}
	}
	snprintf(r.method, sizeof r.method, "%s", r.use ? "proxy" : "direct");
	return r;
}

/* ---- the probe ------------------------------------------------------------ */

/* Decides where to connect; sets the result when nothing can be sent. */
static void plan_target(struct dx_ctx *c, struct dx_dns_cache *dc,
			const struct dx_connect_to *rules, size_t nrules,
			struct dx_netrec *t)
{
	struct dx_probe *p = &t->p;
	const char *name = t->r.use ? t->r.hp.host : t->d.host;
	int port = t->r.use ? t->r.hp.port : t->d.port;
	struct dx_dns_entry *e = resolve(c, dc, name);
	char addr[256] = "";
	int aport = port, rule;

	if (!e) {
		p->result = DX_PR_NOT_PROBED;
		snprintf(p->reason, sizeof p->reason, "out of memory");
		return;
	}
	p->dns_ms = e->ms;
	snprintf(t->dns_name, sizeof t->dns_name, "%s", name);
	t->dns_status = e->st;
	if (e->st != DX_OK)
		snprintf(t->dns_error, sizeof t->dns_error, "%s", e->err.text);
	for (size_t i = 0; e->st == DX_OK && i < e->addrs.count && i < DX_NETREC_MAX_ADDRS; i++)
		snprintf(t->addrs[t->n_addrs++], sizeof t->addrs[0], "%s", e->addrs.items[i]);
	if (e->st == DX_OK)
		snprintf(addr, sizeof addr, "%s", e->addrs.items[0]);
	rule = dx_connect_to_apply(rules, nrules, name, port, addr, sizeof addr, &aport);
	if (rule >= 0)
		snprintf(t->connect_to, sizeof t->connect_to, "%s",
			 c->opt->connect_to[rule]);
	/* As curl's --connect-to: a rule that gives the proxy's address replaces
	 * its name lookup (destinations keep theirs: their DNS is evidence). */
	if (e->st != DX_OK && !(t->r.use && rule >= 0 && rules[rule].addr[0])) {
		if (t->r.use) {
			p->result = DX_PR_PROXY_FAILED;
			p->proxy_connect_failed = 1;
			snprintf(p->phase, sizeof p->phase, "dns");
			snprintf(p->reason, sizeof p->reason,
				 "proxy name %s does not resolve (%s): %s", name,
				 dx_dns_reason(e->st), e->err.text);
		} else {
			p->result = DX_PR_DNS;
			snprintf(p->phase, sizeof p->phase, "dns");
			snprintf(p->reason, sizeof p->reason, "%s: %s", dx_dns_reason(e->st),
				 e->err.text);
		}
		return;
	}
	if (!dx_addr_is_numeric(addr)) {
		/* A --connect-to rule may name a host: resolve it too. */
		struct dx_dns_entry *e2 = resolve(c, dc, addr);
		if (!e2 || e2->st != DX_OK) {
			p->result = DX_PR_NOT_PROBED;
			snprintf(p->reason, sizeof p->reason,
				 "--connect-to address %s does not resolve", addr);
			return;
		}
		snprintf(addr, sizeof addr, "%s", e2->addrs.items[0]);
	}
	snprintf(t->address, sizeof t->address, strchr(addr, ':') ? "[%s]:%d" : "%s:%d",
		 addr, aport);
	if (c->opt->fixture_mode && !dx_addr_is_loopback(addr)) {
		/* Safety net: a fixture describes another machine; never send
		 * its traffic anywhere but this host's loopback. */
		p->result = DX_PR_NOT_PROBED;
		snprintf(p->reason, sizeof p->reason,
			 "fixture mode: will not connect to non-loopback address %s "
			 "(map it with --connect-to)", addr);
		return;
	}
	snprintf(p->addr, sizeof p->addr, "%s", addr);
	p->addr_port = aport;
	p->via_proxy = t->r.use;
}

static void add_timing(struct dx_finding *f, const char *key, double ms)
{
	if (ms >= 0)
		dx_ev_num(f, key, ms);
}

static int failed(const struct dx_netrec *t)
{
	return t->p.result != DX_PR_OK && t->p.result != DX_PR_NOT_PROBED;
}

static void endpoint_finding(struct dx_ctx *c, const struct dx_netrec *t)
{
	const struct dx_probe *p = &t->p;
	enum dx_severity sev = p->result == DX_PR_OK ? DX_SEV_INFO
			       : p->result == DX_PR_NOT_PROBED ? DX_SEV_WARNING
			       : t->d.required ? DX_SEV_ERROR : DX_SEV_WARNING;
	struct dx_finding *f = dx_add(&c->findings, "net.endpoint", sev,
				      dx_probe_class_name(p->result));
	cJSON *cats;
	if (!f)
		return;
	dx_ev_str(f, "host", t->d.host);
	dx_ev_num(f, "port", t->d.port);
	dx_ev_str(f, "category", t->d.category);
	cats = cJSON_AddArrayToObject(f->evidence, "categories");
	for (int i = 0; cats && i < t->d.ncats; i++)
		cJSON_AddItemToArray(cats, cJSON_CreateString(t->d.cats[i]));
	dx_ev_bool(f, "required", t->d.required);
	dx_ev_str(f, "result", dx_probe_class_name(p->result));
	dx_ev_str(f, "id", t->d.id);
	if (t->d.port == (t->d.tls ? 443 : 80))
		dx_ev_fmt(f, "url", "%s://%s%s", t->d.tls ? "https" : "http", t->d.host,
			  t->d.path);
	else
		dx_ev_fmt(f, "url", "%s://%s:%d%s", t->d.tls ? "https" : "http", t->d.host,
			  t->d.port, t->d.path);
	if (t->address[0])
		dx_ev_str(f, "address", t->address);
	if (t->connect_to[0])
		dx_ev_str(f, "connect_to", t->connect_to);
	if (t->r.use)
		dx_ev_fmt(f, "proxy", "%s:%d", t->r.hp.host, t->r.hp.port);
	else
		dx_ev_str(f, "proxy", "direct");
	dx_ev_str(f, "proxy_source", t->r.source);
	if (t->r.use)
		dx_ev_fmt(f, "route", "PROXY %s:%d", t->r.hp.host, t->r.hp.port);
	else
		dx_ev_str(f, "route", "DIRECT");
	dx_ev_str(f, "route_source", t->r.route_source);
	if (t->r.pac_answer[0])
		dx_ev_str(f, "pac_answer", t->r.pac_answer);
	if (t->r.pac_rc != DX_PAC_OK)
		dx_ev_str(f, "pac_error", t->r.pac_error);
	if (t->r.os_answer[0])
		dx_ev_str(f, "route_os", t->r.os_answer);
	if (!t->r.use && t->dns_name[0] && t->dns_status == DX_OK) {
		cJSON *a = cJSON_AddArrayToObject(f->evidence, "resolved");
		for (int i = 0; a && i < t->n_addrs; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(t->addrs[i]));
	}
	add_timing(f, "dns_ms", p->dns_ms);
	add_timing(f, "connect_ms", p->connect_ms);
	add_timing(f, "proxy_ms", p->proxy_ms);
	add_timing(f, "tls_ms", p->tls_ms);
	add_timing(f, "http_ms", p->http_ms);
	if (p->phase[0] && p->result != DX_PR_OK)
		dx_ev_str(f, "phase", p->phase);
	if (p->reason[0])
		dx_ev_str(f, "reason", p->reason);
	if (p->http_status) {
		dx_ev_num(f, "http_status", p->http_status);
		dx_ev_num(f, "expected_status", t->d.expect);
		dx_ev_str(f, "status_line", p->status_line);
	}
	if (p->proxy_status_line[0])
		dx_ev_str(f, "proxy_status_line", p->proxy_status_line);
	if (p->proxy_authenticate[0])
		dx_ev_str(f, "proxy_authenticate", p->proxy_authenticate);
	if (p->proxy_via[0])
		dx_ev_str(f, "via", p->proxy_via);
	if (p->proxy_title[0])
		dx_ev_str(f, "block_title", p->proxy_title);
	if (p->issuer[0]) {
		dx_ev_str(f, "issuer", p->issuer);
		dx_ev_str(f, "root", p->root);
		dx_ev_str(f, "subject", p->subject);
	}
	if (p->tls_detail[0])
		dx_ev_str(f, "tls_detail", p->tls_detail);
}

static void category_findings(struct dx_ctx *c, const struct dx_netrec *t, size_t n)
{
	static const struct { const char *cat, *id; } map[] = {
		{"cnc", "net.edr-cnc"},       {"cyber", "net.cyber"},
		{"av-cloud", "net.av-cloud"}, {"sample-upload", "net.sample-upload"},
		{"autoir", "net.autoir"},     {"smartscreen", "net.smartscreen"},
		{"crl", "net.crl"},           {"updates", "net.updates"},
	};
	for (size_t m = 0; m < sizeof map / sizeof map[0]; m++) {
		size_t total = 0, nfail = 0, nskip = 0, req_fail = 0;
		enum dx_severity sev;
		struct dx_finding *f;
		cJSON *arr, *classes;
		for (size_t i = 0; i < n; i++) {
			int in = 0;
			for (int k = 0; k < t[i].d.ncats; k++)
				in |= strcmp(t[i].d.cats[k], map[m].cat) == 0;
			if (!in)
				continue;
			total++;
			nskip += t[i].p.result == DX_PR_NOT_PROBED;
			if (failed(&t[i])) {
				nfail++;
				req_fail += t[i].d.required;
			}
		}
		if (!total)
			continue;
		/* The summary agrees with its destinations: a Required one that
		 * failed is an error (as its net.endpoint finding is), Optional
		 * ones only a warning. The Client Analyzer's count rule (0 info,
		 * 1 warning, more error) is kept as evidence for comparison. */
		sev = nfail == 0 ? DX_SEV_INFO : req_fail ? DX_SEV_ERROR : DX_SEV_WARNING;
		f = dx_add(&c->findings, map[m].id, sev, nfail ? "failed" : "ok");
		if (!f)
			continue;
		if (nfail == 0 && nskip)
			dx_undetermined(f, DX_REASON_FACTS_MISSING); /* could not probe them all */
		dx_ev_str(f, "client_analyzer_severity", dx_severity_name(
				  nfail == 0 ? DX_SEV_INFO : nfail == 1 ? DX_SEV_WARNING : DX_SEV_ERROR));
		dx_ev_num(f, "required_failed", (double)req_fail);
		dx_ev_num(f, "destinations", (double)total);
		dx_ev_num(f, "failed", (double)nfail);
		dx_ev_num(f, "not_probed", (double)nskip);
		arr = cJSON_AddArrayToObject(f->evidence, "failed_hosts");
		classes = cJSON_AddArrayToObject(f->evidence, "classes");
		for (size_t i = 0; i < n; i++) {
			int in = 0;
			for (int k = 0; k < t[i].d.ncats; k++)
				in |= strcmp(t[i].d.cats[k], map[m].cat) == 0;
			if (!in || !failed(&t[i]))
				continue;
			if (arr) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "host", t[i].d.host);
				cJSON_AddStringToObject(o, "result",
							dx_probe_class_name(t[i].p.result));
				cJSON_AddBoolToObject(o, "required", t[i].d.required);
				cJSON_AddItemToArray(arr, o);
			}
			dx_json_add_unique(classes, dx_probe_class_name(t[i].p.result));
		}
	}
}

/* Which roots counted as expected: the --anchors file, or the built-in list. */
static void expected_roots(struct dx_ctx *c, struct dx_finding *f)
{
	cJSON *arr;
	const char *anchors = c->opt->replay_net ? c->opt->replay_net->anchors
						 : c->opt->anchors_path;
	if (anchors && *anchors) {
		dx_ev_fmt(f, "expected_roots", "--anchors %s", anchors);
		return;
	}
	arr = cJSON_AddArrayToObject(f->evidence, "expected_roots");
	for (int i = 0; arr && dx_roots[i].name; i++)
		if (dx_roots[i].embedded)
			cJSON_AddItemToArray(arr, cJSON_CreateString(dx_roots[i].name));
}

/* net.tls-inspection and the three proxy findings: one each, naming what
 * was seen and which destinations it hit. */
static void cause_findings(struct dx_ctx *c, const struct dx_netrec *t, size_t n)
{
	static const struct { enum dx_probe_class cls; const char *id; int conn; } map[] = {
		{DX_PR_TLS_INTERCEPTED, "net.tls-inspection", 0},
		{DX_PR_PROXY_FAILED, "net.proxy.unreachable", 1},
		{DX_PR_PROXY_AUTH, "net.proxy.auth-required", 0},
		{DX_PR_PROXY_DENIED, "net.proxy.denied", 0},
	};
	for (size_t m = 0; m < sizeof map / sizeof map[0]; m++) {
		struct dx_finding *f = NULL;
		cJSON *hosts = NULL, *issuers = NULL, *roots = NULL, *proxies = NULL;
		for (size_t i = 0; i < n; i++) {
			const struct dx_probe *p = &t[i].p;
			char px[300];
			if (p->result != map[m].cls)
				continue;
			if (map[m].conn && !p->proxy_connect_failed)
				continue; /* a proxy error reply is not "unreachable" */
			if (!f) {
				f = dx_add(&c->findings, map[m].id, DX_SEV_ERROR, "");
				if (!f)
					return;
				hosts = cJSON_AddArrayToObject(f->evidence, "hosts");
				if (map[m].cls == DX_PR_TLS_INTERCEPTED) {
					issuers = cJSON_AddArrayToObject(f->evidence, "issuers");
					roots = cJSON_AddArrayToObject(f->evidence, "roots");
					dx_ev_str(f, "issuer", p->issuer);
					dx_ev_str(f, "root", p->root);
					expected_roots(c, f);
				} else {
					proxies = cJSON_AddArrayToObject(f->evidence, "proxies");
					dx_ev_fmt(f, "proxy", "%s:%d", t[i].r.hp.host, t[i].r.hp.port);
					dx_ev_str(f, "proxy_source", t[i].r.source);
					if (t[i].address[0])
						dx_ev_str(f, "address", t[i].address);
					dx_ev_str(f, "reason", p->reason);
					if (p->proxy_status_line[0])
						dx_ev_str(f, "status_line", p->proxy_status_line);
					if (p->proxy_authenticate[0])
						dx_ev_str(f, "proxy_authenticate", p->proxy_authenticate);
					if (p->proxy_via[0])
						dx_ev_str(f, "via", p->proxy_via);
					if (p->proxy_title[0])
						dx_ev_str(f, "block_title", p->proxy_title);
				}
			}
			dx_json_add_unique(hosts, t[i].d.host);
			dx_json_add_unique(issuers, p->issuer);
			dx_json_add_unique(roots, p->root);
			if (proxies) {
				snprintf(px, sizeof px, "%s:%d", t[i].r.hp.host, t[i].r.hp.port);
				dx_json_add_unique(proxies, px);
			}
		}
		if (f)
			dx_ev_hosts_summary(f, hosts);
	}
}

/* ---- static IPs (service tags) --------------------------------------------- */

static void check_static_ip(struct dx_ctx *c, struct dx_dns_cache *dc,
			    const struct dx_netrec *t, size_t n)
{
	static const char reminder[] =
		"SmartScreen, Windows Update and CRL destinations are not covered by "
		"the MicrosoftDefenderForEndpoint/OneDsCollector service tags: allow them "
		"by name";
	size_t len = 0, checked = 0, outside = 0;
	char *text = dx_read_file(c->opt->service_tags_path, DX_SERVICE_TAGS_MAX, &len, NULL, 0);
	struct dx_prefixes px = {0};
	int ok = text && dx_service_tags_scan(text, len, &px) == 0;
	size_t np = px.count;
	cJSON *out_arr;
	struct dx_finding *f;

	free(text);
	if (!ok || np == 0) {
		f = dx_add(&c->findings, "net.static-ip", DX_SEV_WARNING, "bad-file");
		if (f) {
			dx_ev_str(f, "file", c->opt->service_tags_path);
			dx_ev_str(f, "error", !ok ? "not readable as a ServiceTags JSON file"
						    : "no MicrosoftDefenderForEndpoint or "
						      "OneDsCollector prefixes");
		}
		goto out;
	}
	f = dx_add(&c->findings, "net.static-ip", DX_SEV_INFO, "inside");
	if (!f)
		goto out;
	out_arr = cJSON_AddArrayToObject(f->evidence, "outside");
	for (size_t i = 0; i < n; i++) {
		const char *cat = t[i].d.category;
		struct dx_dns_entry *e;
		if (!strcmp(cat, "smartscreen") || !strcmp(cat, "updates") || !strcmp(cat, "crl"))
			continue;
		e = resolve(c, dc, t[i].d.host);
		if (!e || e->st != DX_OK)
			continue;
		for (size_t k = 0; k < e->addrs.count; k++) {
			unsigned char b[16];
			int bits, hit = 0;
			if (dx_addr_bytes(e->addrs.items[k], b, &bits))
				continue;
			checked++;
			hit = dx_prefixes_contain(&px, b, bits);
			if (!hit) {
				char s[320];
				outside++;
				snprintf(s, sizeof s, "%s %s", t[i].d.host, e->addrs.items[k]);
				dx_json_add_unique(out_arr, s);
			}
		}
	}
	if (outside) {
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "outside");
	}
	dx_ev_str(f, "file", c->opt->service_tags_path);
	dx_ev_num(f, "prefixes", (double)np);
	dx_ev_num(f, "addresses_checked", (double)checked);
	dx_ev_num(f, "addresses_outside", (double)outside);
	dx_ev_str(f, "reminder", reminder);
out:
	dx_prefixes_free(&px);
}

struct net_resolver {
	struct dx_ctx *c;
	struct dx_dns_cache *dc;
};

/* The probe's cached platform resolver, for the PAC download and script. */
static enum dx_status net_resolve(void *ud, const char *host, struct dx_strlist *out,
				  struct dx_err *err)
{
	struct net_resolver *nr = ud;
	struct dx_dns_entry *e = resolve(nr->c, nr->dc, host);
	if (!e)
		return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	if (e->st != DX_OK) {
		*err = e->err;
		return e->st;
	}
	for (size_t i = 0; i < e->addrs.count; i++)
		if (dx_strlist_push(out, e->addrs.items[i]))
			return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	return DX_OK;
}

/* WPAD discovery, PAC download and load, once per run. */
static void wpad_begin(struct dx_ctx *c, struct net_resolver *nr,
		       const struct dx_connect_to *rules, size_t nrules,
		       const struct dx_probe_config *cfg, struct dx_wpad_state *wp)
{
	int timeout_ms = cfg->timeout_ms;
	/* an https:// PAC URL is checked with the probe's trust anchors */
	struct dx_wpad_net net = {net_resolve, nr, rules, nrules, c->opt->connect_to,
				  c->opt->fixture_mode, timeout_ms / 2 < 5000 ? timeout_ms / 2 : 5000,
				  cfg->anchors_pem, cfg->anchors_len};
	char ips[512] = "";
	size_t o = 0;
	struct dx_dns_entry *me = c->facts.hostname[0] ? resolve(c, nr->dc, c->facts.hostname) : NULL;
	/* myIpAddress(): the device's own name resolved, as WinHTTP's helper does */
	for (size_t i = 0; me && me->st == DX_OK && i < me->addrs.count && o < sizeof ips; i++)
		o += (size_t)snprintf(ips + o, sizeof ips - o, "%s%s", i ? ";" : "",
				      me->addrs.items[i]);
	dx_wpad_run(wp, c->p, &net, ips, dx_now(c->p), NULL);
}

/* Where WPAD would decide the route (no static or netsh proxy won) and the
 * OS answered, the OS's answer decides it, as it does for Sense; ours stays
 * pac_answer, and a disagreement is net.pac.os-disagrees (check_pac.c). */
static void route_by_os(struct dx_route *r)
{
	struct dx_pac_entry e[16];
	char why[160];
	int n;
	if (strcmp(r->source, "pac") != 0 && strcmp(r->source, "none") != 0)
		return;
	n = dx_pac_parse(r->os_answer, e, sizeof e / sizeof e[0], why, sizeof why);
	for (int i = 0; i < n; i++) {
		if (e[i].kind == DX_PAC_SOCKS)
			continue;
		r->use = e[i].kind == DX_PAC_PROXY;
		memset(&r->hp, 0, sizeof r->hp);
		if (r->use) {
			snprintf(r->hp.host, sizeof r->hp.host, "%s", e[i].host);
			r->hp.port = e[i].port;
		}
		snprintf(r->source, sizeof r->source, "os-pac");
		snprintf(r->route_source, sizeof r->route_source, "wpad");
		snprintf(r->reason, sizeof r->reason, "the OS's auto-proxy (WinHttpGetProxyForUrl with "
			 "the PAC file WPAD found) answered %.180s", r->os_answer);
		snprintf(r->method, sizeof r->method, "%s", r->use ? "proxy" : "direct");
		return;
	}
}

/* Where the platform can run PAC itself (Windows: WinHttpGetProxyForUrl
 * with the PAC URL WPAD found), its answer is kept as evidence beside
 * ours. Stops asking after the first failure (each may cost a download
 * timeout); the fake platform says unsupported at once. */
static void wpad_ask_os(struct dx_ctx *c, struct dx_wpad_state *wp, const struct dx_dest *d,
			struct dx_route *r)
{
	struct dx_err e = {0};
	char url[600];
	enum dx_status st;
	if (wp->stage == DX_WPAD_SKIPPED ||
	    wp->stage == DX_WPAD_NOT_FOUND || wp->stage == DX_WPAD_DISABLED || wp->os_error[0])
		return; /* the fake platform answers only from wpad.os_answers */
	if ((wp->stage == DX_WPAD_BAD_SCRIPT &&
	     (wp->pac_rc == DX_PAC_TIMEOUT || wp->pac_rc == DX_PAC_MEMORY)) ||
	    r->pac_rc == DX_PAC_TIMEOUT || r->pac_rc == DX_PAC_MEMORY) {
		/* a script that ran away here may hang the OS's evaluator
		 * (Wine's WinHttpGetProxyForUrl never returns from a loop) */
		snprintf(wp->os_error, sizeof wp->os_error,
			 "not asked: the script ran out of time or memory in mdediag's evaluator");
		return;
	}
	snprintf(url, sizeof url, "%s://%s%s", d->tls ? "https" : "http", d->host, d->path);
	st = dx_autoproxy(c->p, url, wp->w.url, r->os_answer, &e);
	if (st != DX_OK) {
		r->os_answer[0] = 0;
		snprintf(wp->os_error, sizeof wp->os_error, "%s",
			 st == DX_UNSUPPORTED ? "-" : e.text);
		return;
	}
	route_by_os(r);
}

static void wpad_findings(struct dx_ctx *c, const struct dx_wpad_state *wp,
			  const struct dx_netrec *t, size_t n)
{
	struct dx_pac_obs *o = calloc(n + 1, sizeof *o);
	char (*px)[300] = calloc(n + 1, sizeof *px);
	if (!o || !px)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int cnc = 0;
		for (int k = 0; k < t[i].d.ncats; k++)
			cnc |= strcmp(t[i].d.cats[k], "cnc") == 0;
		if (t[i].r.use)
			snprintf(px[i], sizeof px[i], "%s:%d", t[i].r.hp.host, t[i].r.hp.port);
		o[i] = (struct dx_pac_obs){t[i].d.host, t[i].d.required, cnc, t[i].r.route_source,
					   t[i].r.use, px[i], t[i].p.result, t[i].r.pac_answer,
					   t[i].r.pac_rc, t[i].r.pac_error,
					   t[i].p.proxy_status_line, t[i].r.os_answer};
	}
	dx_check_pac(c, wp, o, n);
out:
	free(o);
	free(px);
}

/* ---- the section ------------------------------------------------------------ */

static void probe_all(struct dx_ctx *c, struct netplan *np)
{
	struct dx_dest *dests = calloc(MAX_DEST, sizeof *dests);
	struct dx_netrec *t = NULL;
	struct dx_connect_to *rules = NULL;
	struct dx_dns_cache dc = {0};
	struct dx_probe_config cfg = {0};
	struct dx_wpad_state wp;
	struct net_resolver nres = {c, &dc};
	int wpad_ran = 0;
	char *anchors = NULL, err[200] = "";
	const char *anchors_err = NULL;
	size_t nr = 0, alen = 0;
	int n;

	memset(&wp, 0, sizeof wp);
	if (!dests)
		return;
	if (c->opt->replay_net) {
		/* Replaying a collected file: the device's records, no traffic. */
		const struct dx_netlog *log = c->opt->replay_net;
		n = (int)log->n;
		if (n <= 0 || !(t = calloc((size_t)n, sizeof *t)))
			goto out;
		memcpy(t, log->recs, (size_t)n * sizeof *t);
		for (int i = 0; i < n; i++) {
			t[i].p.host = t[i].d.host;
			t[i].p.path = t[i].d.path;
		}
		snprintf(err, sizeof err, "%s", log->probe_error);
		if (log->wpad.present) {
			const struct dx_netlog_wpad *w = &log->wpad;
			wp.stage = (enum dx_wpad_stage)w->stage;
			wp.detect_st = (enum dx_status)w->detect_st;
			wp.detect_err.code = w->detect_code;
			snprintf(wp.detect_err.text, sizeof wp.detect_err.text, "%s", w->detect_text);
			snprintf(wp.w.url, sizeof wp.w.url, "%s", w->url);
			snprintf(wp.w.method, sizeof wp.w.method, "%s", w->method);
			wp.inline_script = w->inline_script;
			snprintf(wp.fetch_address, sizeof wp.fetch_address, "%s", w->fetch_address);
			snprintf(wp.fetch_connect_to, sizeof wp.fetch_connect_to, "%s", w->fetch_connect_to);
			wp.http_status = w->http_status;
			wp.script_bytes = (size_t)w->script_bytes;
			snprintf(wp.error, sizeof wp.error, "%s", w->error);
			wp.pac_rc = (enum dx_pac_rc)w->pac_rc;
			wp.load_ms = w->load_ms;
			snprintf(wp.rec_entry_point, sizeof wp.rec_entry_point, "%s", w->entry_point);
			snprintf(wp.rec_alerts, sizeof wp.rec_alerts, "%s", w->alerts);
			wp.rec_latin1 = w->script_latin1;
			snprintf(wp.os_error, sizeof wp.os_error, "%s", w->os_error);
			snprintf(wp.redirects, sizeof wp.redirects, "%s", w->redirects);
			snprintf(wp.www_authenticate, sizeof wp.www_authenticate, "%s",
				 w->www_authenticate);
			wp.auth_required = w->auth_required;
			/* the switches' evidence, from the collected reads */
			dx_wpad_read_switches(&wp, c->p);
			wpad_ran = 1;
		}
		goto findings;
	}
	n = dx_dest_select(c->data->destinations, np->ob.streamlined, np->ob.geo,
			   np->ob.dc, dests, MAX_DEST);
	if (n <= 0)
		goto out;
	t = calloc((size_t)n, sizeof *t);
	rules = calloc(c->opt->n_connect_to + 1, sizeof *rules);
	if (!t || !rules)
		goto out;
	for (size_t i = 0; i < c->opt->n_connect_to; i++)
		if (dx_connect_to_parse(c->opt->connect_to[i], &rules[nr]) == 0)
			nr++; /* main validates the syntax; skip what it let through */

	if (c->opt->anchors_path) {
		anchors = dx_read_file(c->opt->anchors_path, 1u << 20, &alen, NULL, 0);
		if (!anchors)
			anchors_err = "the --anchors file cannot be read";
		cfg.anchors_pem = anchors;
		cfg.anchors_len = alen + 1;
	} else {
		cfg.anchors_pem = dx_roots_pem;
		cfg.anchors_len = dx_roots_pem_len;
	}
	cfg.timeout_ms = c->opt->timeout_ms > 0 ? c->opt->timeout_ms : DEFAULT_TIMEOUT_MS;
	cfg.serial = getenv("MDEDIAG_PROBE_SERIAL") && *getenv("MDEDIAG_PROBE_SERIAL") == '1';
	wpad_begin(c, &nres, rules, nr, &cfg, &wp);
	wpad_ran = 1;

	for (int i = 0; i < n; i++) {
		t[i].d = dests[i];
		t[i].r = route_for(np, &t[i].d, &wp);
		wpad_ask_os(c, &wp, &t[i].d, &t[i].r);
		dx_probe_init(&t[i].p);
		t[i].p.host = t[i].d.host;
		t[i].p.port = t[i].d.port;
		t[i].p.tls = t[i].d.tls;
		t[i].p.path = t[i].d.path;
		plan_target(c, &dc, rules, nr, &t[i]);
		if (anchors_err && t[i].p.result == DX_PR_PENDING && t[i].d.tls) {
			t[i].p.result = DX_PR_NOT_PROBED;
			snprintf(t[i].p.reason, sizeof t[i].p.reason, "%s: %s", anchors_err,
				 c->opt->anchors_path);
		}
	}
	{
		/* Plain-HTTP targets still run when the anchors are unusable. */
		struct dx_netrec *tt = t;
		struct dx_probe *probes = calloc((size_t)n, sizeof *probes);
		if (!probes)
			goto out;
		for (int i = 0; i < n; i++)
			probes[i] = tt[i].p;
		if (anchors_err) {
			static const char none[] = "";
			cfg.anchors_pem = dx_roots_pem[0] ? dx_roots_pem : none;
			cfg.anchors_len = dx_roots_pem[0] ? dx_roots_pem_len : 1;
		}
		dx_probe_run(probes, (size_t)n, &cfg, err, sizeof err);
		for (int i = 0; i < n; i++)
			tt[i].p = probes[i];
		free(probes);
	}
findings:
	if (c->netlog) {
		/* collect: the records as they are, for the collected file */
		c->netlog->recs = malloc((size_t)n * sizeof *t);
		if (c->netlog->recs) {
			memcpy(c->netlog->recs, t, (size_t)n * sizeof *t);
			c->netlog->n = (size_t)n;
		}
		snprintf(c->netlog->probe_error, sizeof c->netlog->probe_error, "%s", err);
		if (wpad_ran && !c->opt->replay_net) {
			struct dx_netlog_wpad *w = &c->netlog->wpad;
			w->present = 1;
			w->stage = wp.stage;
			w->detect_st = wp.detect_st;
			w->detect_code = wp.detect_err.code;
			snprintf(w->detect_text, sizeof w->detect_text, "%s", wp.detect_err.text);
			snprintf(w->url, sizeof w->url, "%s", wp.w.url);
			snprintf(w->method, sizeof w->method, "%s", wp.w.method);
			w->inline_script = wp.inline_script;
			snprintf(w->fetch_address, sizeof w->fetch_address, "%s", wp.fetch_address);
			snprintf(w->fetch_connect_to, sizeof w->fetch_connect_to, "%s", wp.fetch_connect_to);
			w->http_status = wp.http_status;
			w->script_bytes = (double)wp.script_bytes;
			snprintf(w->error, sizeof w->error, "%s", wp.error);
			w->pac_rc = wp.pac_rc;
			w->load_ms = wp.load_ms;
			snprintf(w->entry_point, sizeof w->entry_point, "%s",
				 wp.pac ? dx_pac_entry_point(wp.pac) : "");
			snprintf(w->alerts, sizeof w->alerts, "%s", wp.pac ? dx_pac_alerts(wp.pac) : "");
			w->script_latin1 = wp.pac && dx_pac_read_as_latin1(wp.pac);
			snprintf(w->os_error, sizeof w->os_error, "%s", wp.os_error);
			snprintf(w->redirects, sizeof w->redirects, "%s", wp.redirects);
			snprintf(w->www_authenticate, sizeof w->www_authenticate, "%s",
				 wp.www_authenticate);
			w->auth_required = wp.auth_required;
		}
	}
	for (int i = 0; i < n; i++)
		endpoint_finding(c, &t[i]);
	category_findings(c, t, (size_t)n);
	cause_findings(c, t, (size_t)n);
	if (wpad_ran) /* a replay has the routes, not the WPAD run (docs/collect.md) */
		wpad_findings(c, &wp, t, (size_t)n);
	if (c->opt->service_tags_path)
		check_static_ip(c, &dc, t, (size_t)n);
out:
	dx_wpad_state_free(&wp);
	dx_dns_cache_free(&dc);
	free(anchors);
	free(rules);
	free(t);
	free(dests);
}

void dx_check_net(struct dx_ctx *c)
{
	struct netplan np;
	memset(&np, 0, sizeof np);
	check_mode(c, &np);
	check_winhttp(c, &np);
	check_static(c, &np);
	/* Connectivity matters while Sense runs, and is worth knowing when its
	 * state could not be read; a stopped or missing Sense is the cause. */
	if (c->facts.sense_state != DX_SVC_RUNNING && c->facts.sense_exists != -1) {
		if (c->netlog)
			snprintf(c->netlog->not_tested, sizeof c->netlog->not_tested, "%s",
				 "Sense is not running: the network was not tested (Sense "
				 "would not contact the cloud)");
		return;
	}
	if (c->opt->no_network) {
		/* net.mode must not claim lists were probed */
		struct dx_finding *mode = dx_find(&c->findings, "net.mode");
		if (mode) {
			cJSON_ReplaceItemInObjectCaseSensitive(mode->evidence, "lists_probed",
							      cJSON_CreateString("none"));
			cJSON_ReplaceItemInObjectCaseSensitive(mode->evidence, "regions_probed",
							      cJSON_CreateString("none"));
		}
		struct dx_finding *f = dx_add(&c->findings, "net.not-tested", DX_SEV_WARNING, NULL);
		dx_ev_str(f, "option", "--no-network");
		dx_ev_str(f, "effect", "no destination was probed: whether this device reaches the MDE cloud is unknown");
		dx_undetermined(f, DX_REASON_NETWORK_NOT_TESTED);
		if (c->netlog)
			snprintf(c->netlog->not_tested, sizeof c->netlog->not_tested, "%s",
				 "--no-network: the network was not tested");
		return;
	}
	probe_all(c, &np);
}
