/* check_net.c - article section 3: can this device reach the MDE cloud?
 *
 * Local facts first (net.mode, net.proxy.winhttp, net.proxy.static), always;
 * then, only when Sense runs and the network may be used, the run of the
 * probe (netrun.c: live, or replayed from a collected file) and the
 * findings that explain its records (net.endpoint per destination,
 * per-category summaries, proxy and TLS-inspection findings, the static
 * proxy's fallback, WPAD/PAC, static IPs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "win32_args.h"
#include "check_clock.h"
#include "check_pac.h"
#include "checks.h"
#include "netconf.h"
#include "netrec.h"
#include "netrun.h"
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

/* ---- local facts --------------------------------------------------------- */

static void hex_evidence(struct dx_finding *f, const char *key, const unsigned char *b, size_t n)
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

static void check_mode(struct dx_ctx *c, struct dx_netplan *np)
{
	struct dx_regval v = {0};
	struct dx_err err = {0};
	struct dx_finding *f;
	enum dx_status st = dx_reg_read(c->p, DX_KEY_ATP, "OnboardedInfo", &v, &err);

	memset(&np->ob, 0, sizeof np->ob);
	np->ob.streamlined = -1;
	if (st == DX_OK && (v.type == DX_REG_SZ || v.type == DX_REG_EXPAND_SZ) && v.data) {
		np->ob_ok = dx_onboarded_parse(
				    (const char *)v.data, v.len,
				    cJSON_GetObjectItemCaseSensitive(c->data->destinations, "geos"),
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
	dx_ev_str(f, "mode",
		  np->ob.streamlined == 1   ? "streamlined"
		  : np->ob.streamlined == 0 ? "standard"
					    : "unknown");
	dx_ev_str(f, "geo", np->ob.geo[0] ? np->ob.geo : "unknown");
	dx_ev_str(f, "dc", np->ob.dc);
	dx_ev_str(f, "datacenter", np->ob.datacenter);
	dx_ev_str(f, "partnerGeoLocation", np->ob.partner_geo);
	dx_ev_str(f, "vortexGeoLocation", np->ob.vortex_geo);
	dx_ev_str(f, "regions_probed", np->ob.geo[0] ? np->ob.geo : "US, EU, UK");
	dx_ev_str(f, "lists_probed",
		  np->ob.streamlined == 1   ? "streamlined"
		  : np->ob.streamlined == 0 ? "standard"
					    : "streamlined and standard");
	c->facts.streamlined = np->ob.streamlined;
	snprintf(c->facts.geo, sizeof c->facts.geo, "%s", np->ob.geo);
	snprintf(c->facts.datacenter, sizeof c->facts.datacenter, "%s", np->ob.datacenter);
	if (!c->facts.org_id[0])
		snprintf(c->facts.org_id, sizeof c->facts.org_id, "%s", np->ob.org_id);
}

static void check_winhttp(struct dx_ctx *c, struct dx_netplan *np)
{
	struct dx_regval v = {0};
	struct dx_err err = {0};
	struct dx_finding *f;
	enum dx_status st = dx_reg_read(c->p, DX_KEY_WINHTTP, "WinHttpSettings", &v, &err);

	if (st == DX_OK && v.type == DX_REG_BINARY) {
		int ok = dx_winhttp_decode(v.data, v.len, &np->wh) == 0;
		np->wh_ok = ok;
		f = dx_add(&c->findings, "net.proxy.winhttp", ok ? DX_SEV_INFO : DX_SEV_WARNING,
			   !ok                ? "malformed"
			   : np->wh.has_proxy ? "proxy"
					      : "direct");
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

static void check_static(struct dx_ctx *c, struct dx_netplan *np)
{
	char val[512], perr[128];
	struct dx_err err = {0};
	struct dx_finding *f;
	uint32_t prefer = 0;
	np->prefer_static = dx_reg_dword(c->p, DX_KEY_ATP_POLICY, "PreferStaticProxyForHttpRequest",
					 &prefer, &err) == DX_OK &&
			    prefer == 1;
	enum dx_status st = dx_reg_string(c->p, DX_KEY_DATACOLLECTION, "TelemetryProxyServer", val,
					  sizeof val, &err);
	if (st == DX_NOT_FOUND)
		return; /* not set: the spec emits nothing */
	if (st != DX_OK) {
		/* unreadable (wrong type, too long, denied): Sense cannot use
		 * it either, so it is malformed for our purpose */
		f = dx_add(&c->findings, "net.proxy.static", DX_SEV_WARNING, "malformed");
		if (f) {
			dx_ev_str(f, "value", "");
			dx_ev_err(f, "error", st, &err);
			dx_ev_str(f, "effect",
				  "Sense cannot use this value; it falls back to WinHTTP");
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
		dx_ev_str(f, "applies_to",
			  np->prefer_static
				  ? "Sense's traffic, and its CRL and Windows Update requests "
				    "(PreferStaticProxyForHttpRequest = 1)"
				  : "Sense's traffic; CRL downloads go through WinHTTP's settings");
	} else {
		dx_ev_str(f, "error", perr);
		dx_ev_str(f, "effect", "Sense cannot use this value; it falls back to WinHTTP");
	}
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
	enum dx_severity sev = p->result == DX_PR_OK           ? DX_SEV_INFO
			       : p->result == DX_PR_NOT_PROBED ? DX_SEV_WARNING
			       : t->d.required                 ? DX_SEV_ERROR
							       : DX_SEV_WARNING;
	struct dx_finding *f =
		dx_add(&c->findings, "net.endpoint", sev, dx_probe_class_name(p->result));
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
		dx_ev_fmt(f, "url", "%s://%s%s", t->d.tls ? "https" : "http", t->d.host, t->d.path);
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
	if (t->fallback) {
		dx_ev_str(f, "static_proxy", t->fb_proxy);
		if (t->fb_address[0])
			dx_ev_str(f, "static_proxy_address", t->fb_address);
		dx_ev_str(f, "static_proxy_reason", t->fb_reason);
	}
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
	if (p->n_tries > 1) {
		/* several addresses were tried, in order (docs/connectivity.md
		 * "Every address") */
		cJSON *a = cJSON_AddArrayToObject(f->evidence, "tries");
		for (int i = 0; a && i < p->n_tries; i++) {
			cJSON *x = cJSON_CreateObject();
			if (!x)
				break;
			cJSON_AddStringToObject(x, "address", p->tries[i].addr);
			cJSON_AddStringToObject(x, "outcome", p->tries[i].outcome);
			cJSON_AddItemToArray(a, x);
		}
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

/* The next step that fits how a destination failed (issue 21): the
 * catalog entry net.advice/KIND named in the finding's "advice" member
 * (catalog.c) gives its guidance and command, with what they name: the
 * host, port and result of t, the proxy it went through and where that
 * proxy came from (the policy value, netsh, the PAC file at pac_url). */
static void add_advice(struct dx_finding *f, const struct dx_netrec *t, const char *pac_url)
{
	const char *kind = NULL, *src = t->r.route_source;
	switch (t->p.result) {
	case DX_PR_DNS: kind = "dns"; break;
	case DX_PR_REFUSED:
	case DX_PR_RESET:
	case DX_PR_TIMEOUT: kind = t->r.use ? "connect-proxy" : "connect-direct"; break;
	case DX_PR_TLS_FAILED: kind = "certificate"; break;
	case DX_PR_TLS_INTERCEPTED: kind = "inspection"; break;
	case DX_PR_HTTP_STATUS: kind = "http-status"; break;
	case DX_PR_PROXY_DENIED:
	case DX_PR_PROXY_AUTH:
	case DX_PR_PROXY_FAILED:
		kind = strncmp(src, "static", 6) == 0                      ? "proxy-static"
		       : strncmp(src, "netsh", 5) == 0                     ? "proxy-netsh"
		       : strcmp(src, "wpad") == 0 && pac_url && pac_url[0] ? "proxy-wpad"
									   : NULL;
		break;
	default: break;
	}
	if (!kind)
		return;
	dx_ev_fmt(f, "advice", "net.advice/%s", kind);
	dx_ev_str(f, "failed_host", t->d.host);
	dx_ev_num(f, "failed_port", t->d.port);
	dx_ev_str(f, "failed_result", dx_probe_class_name(t->p.result));
	dx_ev_str(f, "failed_route_source", src);
	if (t->r.use)
		dx_ev_fmt(f, "failed_proxy", "%s:%d", t->r.hp.host, t->r.hp.port);
	if (t->p.tls_detail[0])
		dx_ev_str(f, "failed_tls_detail", t->p.tls_detail);
	if (t->p.status_line[0])
		dx_ev_str(f, "failed_status_line", t->p.status_line);
	if (strcmp(src, "wpad") == 0 && pac_url && pac_url[0])
		dx_ev_str(f, "pac_url", pac_url);
}

static void category_findings(struct dx_ctx *c, const struct dx_netrec *t, size_t n,
			      const char *pac_url)
{
	static const struct {
		const char *cat, *id;
	} map[] = {
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
		dx_ev_str(f, "client_analyzer_severity",
			  dx_severity_name(nfail == 0   ? DX_SEV_INFO
					   : nfail == 1 ? DX_SEV_WARNING
							: DX_SEV_ERROR));
		dx_ev_num(f, "required_failed", (double)req_fail);
		dx_ev_num(f, "destinations", (double)total);
		dx_ev_num(f, "failed", (double)nfail);
		dx_ev_num(f, "not_probed", (double)nskip);
		arr = cJSON_AddArrayToObject(f->evidence, "failed_hosts");
		classes = cJSON_AddArrayToObject(f->evidence, "classes");
		const struct dx_netrec *first = NULL; /* a required one first */
		for (size_t i = 0; i < n; i++) {
			int in = 0;
			for (int k = 0; k < t[i].d.ncats; k++)
				in |= strcmp(t[i].d.cats[k], map[m].cat) == 0;
			if (!in || !failed(&t[i]))
				continue;
			if (!first || (t[i].d.required && !first->d.required))
				first = &t[i];
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
		if (first)
			add_advice(f, first, pac_url);
	}
}

/* Which roots counted as expected: the --anchors file, or the built-in list. */
static void expected_roots(struct dx_ctx *c, struct dx_finding *f)
{
	cJSON *arr;
	const char *anchors =
		c->opt->replay_net ? c->opt->replay_net->anchors : c->opt->anchors_path;
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
static void cause_findings(struct dx_ctx *c, const struct dx_netrec *t, size_t n,
			   const char *pac_url)
{
	static const struct {
		enum dx_probe_class cls;
		const char *id;
		int conn;
	} map[] = {
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
					add_advice(f, &t[i], pac_url);
				} else {
					add_advice(f, &t[i], pac_url);
					proxies = cJSON_AddArrayToObject(f->evidence, "proxies");
					dx_ev_fmt(f, "proxy", "%s:%d", t[i].r.hp.host,
						  t[i].r.hp.port);
					dx_ev_str(f, "proxy_source", t[i].r.source);
					if (t[i].address[0])
						dx_ev_str(f, "address", t[i].address);
					dx_ev_str(f, "reason", p->reason);
					if (p->proxy_status_line[0])
						dx_ev_str(f, "status_line", p->proxy_status_line);
					if (p->proxy_authenticate[0])
						dx_ev_str(f, "proxy_authenticate",
							  p->proxy_authenticate);
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

/* net.proxy.unreachable for a static proxy Sense falls back from: a
 * warning while the direct path answers, an error when a required
 * destination fails on it too; the evidence names both tries. */
static void fallback_finding(struct dx_ctx *c, const struct dx_netrec *t, size_t n)
{
	struct dx_finding *f = dx_find(&c->findings, "net.proxy.unreachable");
	const struct dx_netrec *first = NULL, *first_failed = NULL;
	cJSON *hosts, *dfailed;
	size_t nfb = 0, nok = 0, req_failed = 0;
	char buf[400] = "";
	size_t o = 0;
	int shown = 0, nfail = 0;

	for (size_t i = 0; i < n; i++) {
		if (!t[i].fallback)
			continue;
		nfb++;
		if (!first)
			first = &t[i];
		if (t[i].p.result == DX_PR_OK) {
			nok++;
		} else if (failed(&t[i])) {
			if (!first_failed || (t[i].d.required && !first_failed->d.required))
				first_failed = &t[i];
			req_failed += t[i].d.required;
		}
	}
	if (!first)
		return;
	if (f) {
		/* another proxy (WinHTTP's, for the CRL downloads) is unreachable
		 * too: that error stands, with the static proxy's story beside it */
		dx_ev_str(f, "static_proxy", first->fb_proxy);
		dx_ev_str(f, "static_proxy_reason", first->fb_reason);
		dx_ev_num(f, "static_fallback_direct_ok", (double)nok);
		return;
	}
	f = dx_add(&c->findings, "net.proxy.unreachable",
		   req_failed ? DX_SEV_ERROR : DX_SEV_WARNING,
		   req_failed ? "fallback-failed" : "fallback");
	if (!f)
		return;
	dx_ev_str(f, "proxy", first->fb_proxy);
	dx_ev_str(f, "proxy_source", "static");
	if (first->fb_address[0])
		dx_ev_str(f, "address", first->fb_address);
	dx_ev_str(f, "reason", first->fb_reason);
	dx_ev_str(f, "fallback", "direct");
	dx_ev_num(f, "direct_ok", (double)nok);
	dx_ev_num(f, "direct_tried", (double)nfb);
	dx_ev_num(f, "required_failed", (double)req_failed);
	hosts = cJSON_AddArrayToObject(f->evidence, "hosts");
	dfailed = cJSON_AddArrayToObject(f->evidence, "direct_failed");
	for (size_t i = 0; i < n; i++) {
		if (!t[i].fallback)
			continue;
		dx_json_add_unique(hosts, t[i].d.host);
		if (!failed(&t[i]))
			continue;
		if (dfailed) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "host", t[i].d.host);
			cJSON_AddStringToObject(x, "result", dx_probe_class_name(t[i].p.result));
			cJSON_AddBoolToObject(x, "required", t[i].d.required);
			cJSON_AddItemToArray(dfailed, x);
		}
		if (shown < 3)
			o += (size_t)snprintf(buf + o, o < sizeof buf ? sizeof buf - o : 0,
					      "%s%s (%s)", shown ? ", " : "", t[i].d.host,
					      dx_probe_class_name(t[i].p.result));
		shown++;
		nfail++;
	}
	if (nfail > 3 && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, " (+%d)", nfail - 3);
	dx_ev_str(f, "direct_failed_summary", nfail ? buf : "none");
	dx_ev_str(f, "direct_reason", first_failed ? first_failed->p.reason : "");
	dx_ev_hosts_summary(f, hosts);
}

/* ---- static IPs (service tags) --------------------------------------------- */

static void check_static_ip(struct dx_ctx *c, struct dx_dns_cache *dc, const struct dx_netrec *t,
			    size_t n)
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
			dx_ev_str(f, "error",
				  !ok ? "not readable as a ServiceTags JSON file"
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
		e = dx_dns_resolve(c->p, dc, t[i].d.host);
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

static void wpad_findings(struct dx_ctx *c, const struct dx_wpad_state *wp,
			  const struct dx_netrec *t, size_t n)
{
	struct dx_pac_obs *o = calloc(n + 1, sizeof *o);
	char(*px)[300] = calloc(n + 1, sizeof *px);
	if (!o || !px)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int cnc = 0;
		for (int k = 0; k < t[i].d.ncats; k++)
			cnc |= strcmp(t[i].d.cats[k], "cnc") == 0;
		if (t[i].r.use)
			snprintf(px[i], sizeof px[i], "%s:%d", t[i].r.hp.host, t[i].r.hp.port);
		o[i] = (struct dx_pac_obs){t[i].d.host,
					   t[i].d.required,
					   cnc,
					   t[i].r.route_source,
					   t[i].r.use,
					   px[i],
					   t[i].p.result,
					   t[i].r.pac_answer,
					   t[i].r.pac_rc,
					   t[i].r.pac_error,
					   t[i].p.proxy_status_line,
					   t[i].r.os_answer};
	}
	dx_check_pac(c, wp, o, n);
out:
	free(o);
	free(px);
}

/* ---- the section ------------------------------------------------------------ */

static void probe_all(struct dx_ctx *c, struct dx_netplan *np)
{
	struct dx_netrun run;
	memset(&run, 0, sizeof run);
	if (dx_net_run(c, np, &run) == 0) {
		for (size_t i = 0; i < run.n; i++)
			endpoint_finding(c, &run.t[i]);
		const char *pac_url = run.wpad_ran ? run.wp.w.url : "";
		category_findings(c, run.t, run.n, pac_url);
		cause_findings(c, run.t, run.n, pac_url);
		fallback_finding(c, run.t, run.n);
		dx_check_clock(c, run.t, run.n);
		if (run.wpad_ran) /* a replay has the routes, not the WPAD run (docs/collect.md) */
			wpad_findings(c, &run.wp, run.t, run.n);
		if (c->opt->service_tags_path)
			check_static_ip(c, &run.dc, run.t, run.n);
	}
	dx_netrun_free(&run);
}

void dx_check_net(struct dx_ctx *c)
{
	struct dx_netplan np;
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
		dx_ev_str(f, "effect",
			  "no destination was probed: whether this device reaches the MDE cloud is "
			  "unknown");
		dx_undetermined(f, DX_REASON_NETWORK_NOT_TESTED);
		if (c->netlog)
			snprintf(c->netlog->not_tested, sizeof c->netlog->not_tested, "%s",
				 "--no-network: the network was not tested");
		return;
	}
	probe_all(c, &np);
}
