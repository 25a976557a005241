/* netrun.c - the connectivity probe's run: where each destination's record
 * comes from (see netrun.h). A live run decides each destination's route
 * (static proxy, netsh WinHTTP, WPAD/PAC, direct), resolves and probes them
 * all under one deadline, with the static proxy's fallback to direct; a
 * replay takes the records of a collected file. check_net.c judges them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "netrun.h"
#include "probe.h"
#include "readfile.h"
#include "roots.h"
#include "sock.h"

/* Evidence strings are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_DEST 128
#define DEFAULT_TIMEOUT_MS 10000

/* Names resolve through the platform, once per run (dnscache.c): cache
 * entries stay where they are while the cache grows. */
static struct dx_dns_entry *resolve(struct dx_ctx *c, struct dx_dns_cache *dc, const char *host)
{
	return dx_dns_resolve(c->p, dc, host);
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
static struct dx_route route_for(const struct dx_netplan *np, const struct dx_dest *d,
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
	snprintf(r.reason, sizeof r.reason,
		 "no proxy configured (TelemetryProxyServer "
		 "and the WinHTTP proxy are unset)");
	if (np->sp_ok && os_fetched(d) && !np->prefer_static)
		snprintf(
			r.reason, sizeof r.reason,
			"the OS fetches CRLs through WinHTTP: "
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
		} else if (dx_winhttp_proxy_for(np->wh.proxy, d->tls ? "https" : "http", &r.hp) ==
			   0) {
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

/* ---- the static proxy's fallback to direct -------------------------------- */

/* Microsoft: "When the TelemetryProxyServer is set, in Registry or via Group
 * Policy, Defender for Endpoint will fall back to direct if it can't access
 * the defined proxy" (Configure device proxy and Internet connectivity
 * settings, "Verify client connectivity to Microsoft Defender for Endpoint
 * service URLs"). Documented for the static proxy only: a netsh or PAC
 * proxy that cannot be reached is not followed by a direct try here. "Can't
 * access" is read as: the proxy's name does not resolve or no TCP
 * connection to it opens; a proxy that answers (403, 407, a dropped
 * CONNECT) was accessed, and Microsoft does not say Sense then goes direct. */
static int static_routed(const struct dx_netrec *t)
{
	return t->r.use && strcmp(t->r.source, "static") == 0;
}

static struct dx_route direct_fallback_route(const struct dx_route *via)
{
	struct dx_route r = *via;
	r.use = 0;
	memset(&r.hp, 0, sizeof r.hp);
	snprintf(r.method, sizeof r.method, "direct");
	snprintf(r.source, sizeof r.source, "static-fallback");
	snprintf(r.route_source, sizeof r.route_source, "static-fallback");
	snprintf(r.reason, sizeof r.reason,
		 "TelemetryProxyServer %s:%d cannot be reached: "
		 "Sense falls back to direct",
		 via->hp.host, via->hp.port);
	return r;
}

/* The record becomes the direct try's, keeping what the proxy try saw. */
static void take_fallback(struct dx_netrec *t, const struct dx_netrec *direct)
{
	struct dx_netrec via = *t;
	*t = *direct;
	t->p.host = t->d.host;
	t->p.path = t->d.path;
	t->fallback = 1;
	snprintf(t->fb_proxy, sizeof t->fb_proxy, "%s:%d", via.r.hp.host, via.r.hp.port);
	snprintf(t->fb_address, sizeof t->fb_address, "%s", via.address);
	snprintf(t->fb_reason, sizeof t->fb_reason, "%s", via.p.reason);
}

/* ---- the probe ------------------------------------------------------------ */

/* Decides where to connect; sets the result when nothing can be sent. */
static void plan_target(struct dx_ctx *c, struct dx_dns_cache *dc,
			const struct dx_connect_to *rules, size_t nrules, struct dx_netrec *t)
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
		snprintf(t->connect_to, sizeof t->connect_to, "%s", c->opt->connect_to[rule]);
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
	{
		/* The addresses to try, in the resolver's order: the name's own,
		 * or those of a --connect-to rule that gives an address (a rule
		 * may name a host: it is resolved too). */
		const struct dx_strlist *list = e->st == DX_OK ? &e->addrs : NULL;
		const char *skipped = NULL;
		if (rule >= 0 && rules[rule].addr[0]) {
			struct dx_dns_entry *e2 = resolve(c, dc, addr);
			if (!e2 || e2->st != DX_OK) {
				p->result = DX_PR_NOT_PROBED;
				snprintf(p->reason, sizeof p->reason,
					 "--connect-to address %s does not resolve", addr);
				return;
			}
			list = &e2->addrs;
		}
		p->n_addrs = 0;
		for (size_t i = 0; list && i < list->count && p->n_addrs < DX_PROBE_MAX_TRIES;
		     i++) {
			const char *a = list->items[i];
			if (c->opt->fixture_mode && !dx_addr_is_loopback(a)) {
				/* Safety net: a fixture describes another machine;
				 * never send its traffic anywhere but this host's
				 * loopback. */
				if (!skipped)
					skipped = a;
				continue;
			}
			snprintf(p->addrs[p->n_addrs++], sizeof p->addrs[0], "%s", a);
		}
		if (p->n_addrs == 0) {
			p->result = DX_PR_NOT_PROBED;
			snprintf(p->reason, sizeof p->reason,
				 "fixture mode: will not connect to non-loopback address %s "
				 "(map it with --connect-to)",
				 skipped ? skipped : addr);
			return;
		}
		snprintf(addr, sizeof addr, "%s", p->addrs[0]);
	}
	snprintf(t->address, sizeof t->address, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr,
		 aport);
	snprintf(p->addr, sizeof p->addr, "%s", addr);
	p->addr_port = aport;
	p->via_proxy = t->r.use;
}

/* After the probe: where it connected (the address that answered, else
 * the last one tried). */
static void settle_address(struct dx_netrec *t)
{
	const struct dx_probe *p = &t->p;
	if (p->result == DX_PR_NOT_PROBED || !p->addr[0])
		return;
	snprintf(t->address, sizeof t->address, strchr(p->addr, ':') ? "[%s]:%d" : "%s:%d", p->addr,
		 p->addr_port);
}

/* What is left of the run's deadline, in whole ms (0 when it has passed). */
static int time_left(const struct dx_dns_cache *dc)
{
	double left = dc->deadline - dx_clock_ms();
	return left > 0 ? (int)left : 0;
}

struct net_resolver {
	struct dx_ctx *c;
	struct dx_dns_cache *dc;
	double waited_ms; /* time spent in platform lookups through it */
};

/* The probe's cached platform resolver, for the PAC download and script. */
static enum dx_status net_resolve(void *ud, const char *host, struct dx_strlist *out,
				  struct dx_err *err)
{
	struct net_resolver *nr = ud;
	size_t known = nr->dc->n;
	struct dx_dns_entry *e = resolve(nr->c, nr->dc, host);
	if (e && nr->dc->n > known)
		nr->waited_ms += e->ms; /* a lookup, not a cached answer */
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
static void wpad_begin(struct dx_ctx *c, struct net_resolver *nr, const struct dx_connect_to *rules,
		       size_t nrules, int timeout_ms, const struct dx_probe_config *cfg,
		       struct dx_wpad_state *wp)
{
	/* the download: half the time left, at most 5 s, at least 1 ms (0
	 * would mean wpad.c's default) */
	int fetch_ms = timeout_ms / 2 < 5000 ? (timeout_ms / 2 > 0 ? timeout_ms / 2 : 1) : 5000;
	/* an https:// PAC URL is checked with the probe's trust anchors */
	struct dx_wpad_net net = {.resolve = net_resolve,
				  .ud = nr,
				  .rules = rules,
				  .nrules = nrules,
				  .rule_text = c->opt->connect_to,
				  .loopback_only = c->opt->fixture_mode,
				  .timeout_ms = fetch_ms,
				  /* discovery (DHCP, then DNS; no bound of its own on Windows) may
		 * take what is left of the run */
				  .detect_ms = timeout_ms > 0 ? timeout_ms : 1,
				  .anchors_pem = cfg->anchors_pem,
				  .anchors_len = cfg->anchors_len};
	char ips[512] = "";
	size_t o = 0;
	struct dx_dns_entry *me =
		c->facts.hostname[0] ? resolve(c, nr->dc, c->facts.hostname) : NULL;
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
		snprintf(r->reason, sizeof r->reason,
			 "the OS's auto-proxy (WinHttpGetProxyForUrl with "
			 "the PAC file WPAD found) answered %.180s",
			 r->os_answer);
		snprintf(r->method, sizeof r->method, "%s", r->use ? "proxy" : "direct");
		return;
	}
}

/* Where the platform can run PAC itself (Windows: WinHttpGetProxyForUrl
 * with the PAC URL WPAD found), its answer is kept as evidence beside
 * ours. Stops asking after the first failure (each may cost a download
 * timeout); the fake platform says unsupported at once. */
static void wpad_ask_os(struct dx_ctx *c, struct dx_wpad_state *wp, const struct dx_dest *d,
			struct dx_route *r, int timeout_ms)
{
	struct dx_err e = {0};
	char url[600];
	enum dx_status st;
	if (wp->stage == DX_WPAD_SKIPPED || wp->stage == DX_WPAD_NOT_FOUND ||
	    wp->stage == DX_WPAD_DISABLED || wp->os_error[0])
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
	/* the OS's download and evaluation may take what is left of the run */
	st = dx_autoproxy(c->p, url, wp->w.url, timeout_ms > 0 ? timeout_ms : 1, r->os_answer, &e);
	if (st != DX_OK) {
		r->os_answer[0] = 0;
		snprintf(wp->os_error, sizeof wp->os_error, "%s",
			 st == DX_UNSUPPORTED ? "-" : e.text);
		return;
	}
	route_by_os(r);
}

/* ---- the run ---------------------------------------------------------------- */

/* Replaying a collected file: the device's records, no traffic. */
static int replay_run(struct dx_ctx *c, struct dx_netrun *run)
{
	const struct dx_netlog *log = c->opt->replay_net;
	int n = (int)log->n;

	if (n <= 0)
		return -1;
	/* the records as read (dx_netlog_parse points each probe's host and
	 * path at its own destination's): borrowed, not copied, 13 kB each */
	run->t = log->recs;
	run->t_borrowed = 1;
	snprintf(run->err, sizeof run->err, "%s", log->probe_error);
	if (log->wpad.present) {
		const struct dx_netlog_wpad *w = &log->wpad;
		run->wp.stage = (enum dx_wpad_stage)w->stage;
		run->wp.detect_st = (enum dx_status)w->detect_st;
		run->wp.detect_err.code = w->detect_code;
		snprintf(run->wp.detect_err.text, sizeof run->wp.detect_err.text, "%s",
			 w->detect_text);
		snprintf(run->wp.w.url, sizeof run->wp.w.url, "%s", w->url);
		snprintf(run->wp.w.method, sizeof run->wp.w.method, "%s", w->method);
		run->wp.inline_script = w->inline_script;
		snprintf(run->wp.fetch_address, sizeof run->wp.fetch_address, "%s",
			 w->fetch_address);
		snprintf(run->wp.fetch_connect_to, sizeof run->wp.fetch_connect_to, "%s",
			 w->fetch_connect_to);
		run->wp.http_status = w->http_status;
		run->wp.script_bytes = (size_t)w->script_bytes;
		snprintf(run->wp.error, sizeof run->wp.error, "%s", w->error);
		run->wp.pac_rc = (enum dx_pac_rc)w->pac_rc;
		run->wp.load_ms = w->load_ms;
		snprintf(run->wp.rec_entry_point, sizeof run->wp.rec_entry_point, "%s",
			 w->entry_point);
		snprintf(run->wp.rec_alerts, sizeof run->wp.rec_alerts, "%s", w->alerts);
		run->wp.rec_latin1 = w->script_latin1;
		snprintf(run->wp.os_error, sizeof run->wp.os_error, "%s", w->os_error);
		snprintf(run->wp.redirects, sizeof run->wp.redirects, "%s", w->redirects);
		snprintf(run->wp.www_authenticate, sizeof run->wp.www_authenticate, "%s",
			 w->www_authenticate);
		run->wp.auth_required = w->auth_required;
		/* the switches' evidence, from the collected reads */
		dx_wpad_read_switches(&run->wp, c->p);
		run->wpad_ran = 1;
	}
	run->n = (size_t)n;
	return 0;
}

/* Probing: every destination of the mode and region, one deadline. */
static int live_run(struct dx_ctx *c, const struct dx_netplan *np, struct dx_netrun *run)
{
	struct dx_dest *dests = calloc(MAX_DEST, sizeof *dests);
	struct dx_netrec *t = NULL;
	struct dx_connect_to *rules = NULL;
	struct dx_probe_config cfg = {0};
	struct net_resolver nres = {c, &run->dc, 0};
	struct dx_netrec *fb = NULL;
	size_t nfb = 0;
	char *anchors = NULL;
	const char *anchors_err = NULL;
	size_t nr = 0, alen = 0;
	int n, rc = -1;

	if (!dests)
		return -1;
	n = dx_dest_select(c->data->destinations, np->ob.streamlined, np->ob.geo, np->ob.dc, dests,
			   MAX_DEST);
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
	/* One deadline for the whole run (docs/connectivity.md "One
	 * deadline"): name resolution, the PAC download and the probe all
	 * take from the same --timeout. */
	run->dc.deadline = dx_clock_ms() + cfg.timeout_ms;
	wpad_begin(c, &nres, rules, nr, time_left(&run->dc), &cfg, &run->wp);
	run->wpad_ran = 1;
	/* The PAC script's own run (its load here, its calls in route_for) is
	 * not waiting on the network: it has its own budget (pac.h, 3 s for
	 * load and calls together), and the clock of the deadline stops while
	 * it runs, so that a runaway script does not leave the probe no time. */
	if (run->wp.load_ms > nres.waited_ms) /* its lookups were waits: they count */
		run->dc.deadline += run->wp.load_ms - nres.waited_ms;

	for (int i = 0; i < n; i++) {
		t[i].d = dests[i];
		double t_pac = dx_clock_ms(), waited = nres.waited_ms, ran;
		t[i].r = route_for(np, &t[i].d, &run->wp);
		ran = dx_clock_ms() - t_pac - (nres.waited_ms - waited);
		if (ran > 0)
			run->dc.deadline += ran; /* the script's own time (above) */
		wpad_ask_os(c, &run->wp, &t[i].d, &t[i].r, time_left(&run->dc));
		dx_probe_init(&t[i].p);
		t[i].p.host = t[i].d.host;
		t[i].p.port = t[i].d.port;
		t[i].p.tls = t[i].d.tls;
		t[i].p.path = t[i].d.path;
		plan_target(c, &run->dc, rules, nr, &t[i]);
		if (anchors_err && t[i].p.result == DX_PR_PENDING && t[i].d.tls) {
			t[i].p.result = DX_PR_NOT_PROBED;
			snprintf(t[i].p.reason, sizeof t[i].p.reason, "%s: %s", anchors_err,
				 c->opt->anchors_path);
		}
	}
	/* The direct path of every destination that goes through the static
	 * proxy, probed in the same run (a blackholed proxy would otherwise use
	 * up the deadline before the direct try); used only when the proxy
	 * cannot be reached. */
	if (!(fb = calloc((size_t)n, sizeof *fb)))
		goto out;
	for (int i = 0; i < n; i++) {
		if (!static_routed(&t[i]))
			continue;
		fb[i].d = t[i].d;
		fb[i].r = direct_fallback_route(&t[i].r);
		dx_probe_init(&fb[i].p);
		fb[i].p.host = fb[i].d.host;
		fb[i].p.port = fb[i].d.port;
		fb[i].p.tls = fb[i].d.tls;
		fb[i].p.path = fb[i].d.path;
		plan_target(c, &run->dc, rules, nr, &fb[i]);
		if (anchors_err && fb[i].p.result == DX_PR_PENDING && fb[i].d.tls) {
			fb[i].p.result = DX_PR_NOT_PROBED;
			snprintf(fb[i].p.reason, sizeof fb[i].p.reason, "%s: %s", anchors_err,
				 c->opt->anchors_path);
		}
		nfb++;
	}
	{
		/* Plain-HTTP targets still run when the anchors are unusable. */
		size_t np = (size_t)n + nfb, k = (size_t)n;
		struct dx_probe *probes = calloc(np, sizeof *probes);
		if (!probes)
			goto out;
		for (int i = 0; i < n; i++) {
			probes[i] = t[i].p;
			if (static_routed(&t[i]))
				probes[k++] = fb[i].p;
		}
		if (anchors_err) {
			static const char none[] = "";
			cfg.anchors_pem = dx_roots_pem[0] ? dx_roots_pem : none;
			cfg.anchors_len = dx_roots_pem[0] ? dx_roots_pem_len : 1;
		}
		if (!cfg.serial) { /* the benchmark's serial mode gives each the whole */
			cfg.report_ms = cfg.timeout_ms; /* reasons name --timeout */
			cfg.timeout_ms = time_left(&run->dc);
		}
		dx_probe_run(probes, np, &cfg, run->err, sizeof run->err);
		k = (size_t)n;
		for (int i = 0; i < n; i++) {
			t[i].p = probes[i];
			settle_address(&t[i]);
			if (static_routed(&t[i])) {
				fb[i].p = probes[k++];
				settle_address(&fb[i]);
			}
		}
		free(probes);
		for (int i = 0; i < n; i++)
			if (static_routed(&t[i]) && t[i].p.proxy_connect_failed)
				take_fallback(&t[i], &fb[i]);
	}
	run->t = t;
	run->n = (size_t)n;
	t = NULL;
	rc = 0;
out:
	free(anchors);
	free(rules);
	free(fb);
	free(t);
	free(dests);
	return rc;
}

/* collect: the records as they are, for the collected file. */
static void keep_for_collect(struct dx_ctx *c, const struct dx_netrun *run)
{
	c->netlog->recs = malloc(run->n * sizeof *run->t);
	if (c->netlog->recs) {
		memcpy(c->netlog->recs, run->t, run->n * sizeof *run->t);
		c->netlog->n = run->n;
	}
	snprintf(c->netlog->probe_error, sizeof c->netlog->probe_error, "%s", run->err);
	if (c->opt->replay_net) {
		/* collecting a collected file: its discovery record as it was */
		c->netlog->wpad = c->opt->replay_net->wpad;
	} else if (run->wpad_ran) {
		struct dx_netlog_wpad *w = &c->netlog->wpad;
		w->present = 1;
		w->stage = run->wp.stage;
		w->detect_st = run->wp.detect_st;
		w->detect_code = run->wp.detect_err.code;
		snprintf(w->detect_text, sizeof w->detect_text, "%s", run->wp.detect_err.text);
		snprintf(w->url, sizeof w->url, "%s", run->wp.w.url);
		snprintf(w->method, sizeof w->method, "%s", run->wp.w.method);
		w->inline_script = run->wp.inline_script;
		snprintf(w->fetch_address, sizeof w->fetch_address, "%s", run->wp.fetch_address);
		snprintf(w->fetch_connect_to, sizeof w->fetch_connect_to, "%s",
			 run->wp.fetch_connect_to);
		w->http_status = run->wp.http_status;
		w->script_bytes = (double)run->wp.script_bytes;
		snprintf(w->error, sizeof w->error, "%s", run->wp.error);
		w->pac_rc = run->wp.pac_rc;
		w->load_ms = run->wp.load_ms;
		snprintf(w->entry_point, sizeof w->entry_point, "%s",
			 run->wp.pac ? dx_pac_entry_point(run->wp.pac) : "");
		snprintf(w->alerts, sizeof w->alerts, "%s",
			 run->wp.pac ? dx_pac_alerts(run->wp.pac) : "");
		w->script_latin1 = run->wp.pac && dx_pac_read_as_latin1(run->wp.pac);
		snprintf(w->os_error, sizeof w->os_error, "%s", run->wp.os_error);
		snprintf(w->redirects, sizeof w->redirects, "%s", run->wp.redirects);
		snprintf(w->www_authenticate, sizeof w->www_authenticate, "%s",
			 run->wp.www_authenticate);
		w->auth_required = run->wp.auth_required;
	}
}

int dx_net_run(struct dx_ctx *c, const struct dx_netplan *np, struct dx_netrun *run)
{
	int rc = c->opt->replay_net ? replay_run(c, run) : live_run(c, np, run);
	if (rc == 0 && c->netlog)
		keep_for_collect(c, run);
	return rc;
}

void dx_netrun_free(struct dx_netrun *run)
{
	dx_wpad_state_free(&run->wp);
	dx_dns_cache_free(&run->dc);
	if (!run->t_borrowed)
		free(run->t);
	run->t = NULL;
	run->t_borrowed = 0;
	run->n = 0;
}
