/* check_pac.c - proxy-discovery findings; see check_pac.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "check_pac.h"

/* Evidence strings are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static int failed(enum dx_probe_class r)
{
	return r != DX_PR_OK && r != DX_PR_NOT_PROBED;
}

/* The route of this destination fell through WPAD to direct. */
static int fell_back(const struct dx_pac_obs *o)
{
	return strcmp(o->route_source, "direct") == 0;
}

/* A direct connection that did not get through: what "direct is blocked"
 * looks like from the device. */
static int blocked(enum dx_probe_class r)
{
	return r == DX_PR_DNS || r == DX_PR_REFUSED || r == DX_PR_RESET || r == DX_PR_TIMEOUT;
}

/* Where the destinations went once discovery had failed, and whether a
 * Required one failed there (then the discovery failure is the likely
 * cause, an error; else a warning). */
static enum dx_severity fallback_effect(struct dx_finding *f, int consulted,
					const struct dx_pac_obs *o, size_t n)
{
	int req_fail = 0;
	cJSON *hosts;
	if (!consulted) {
		dx_ev_str(f, "effect",
			  "a static or WinHTTP proxy decides the route; WPAD is not used");
		return DX_SEV_INFO;
	}
	dx_ev_str(f, "effect", "Sense falls back to a direct connection");
	hosts = cJSON_AddArrayToObject(f->evidence, "failed_hosts");
	for (size_t i = 0; i < n; i++) {
		if (!fell_back(&o[i]) || !failed(o[i].result))
			continue;
		dx_json_add_unique(hosts, o[i].host);
		req_fail |= o[i].required;
	}
	return req_fail ? DX_SEV_ERROR : DX_SEV_WARNING;
}

/* What turns WPAD on or off on the device, on every net.proxy.wpad (a
 * replay has not kept them: left out there). */
static void switches(struct dx_finding *f, const struct dx_wpad_state *st)
{
	if (st->disable_wpad[0])
		dx_ev_str(f, "disable_wpad", st->disable_wpad);
	if (st->service[0])
		dx_ev_str(f, "autoproxy_service", st->service);
}

static void discovery(struct dx_ctx *c, const struct dx_wpad_state *st, int consulted,
		      const struct dx_pac_obs *o, size_t n)
{
	struct dx_finding *f;
	enum dx_severity sev;
	if (st->stage == DX_WPAD_SKIPPED)
		return;
	if (st->stage == DX_WPAD_NOT_FOUND || st->stage == DX_WPAD_DISABLED) {
		int req_fail = 0;
		for (size_t i = 0; i < n; i++)
			req_fail |= fell_back(&o[i]) && o[i].required && failed(o[i].result);
		/* No WPAD is the normal case; it matters when the direct
		 * fallback then fails for a Required destination. */
		f = dx_add(&c->findings, "net.proxy.wpad", req_fail ? DX_SEV_WARNING : DX_SEV_INFO,
			   st->stage == DX_WPAD_DISABLED ? "disabled"
			   : st->detect_st == DX_TIMEOUT ? "timeout"
							 : "not-found");
		if (!f)
			return;
		dx_ev_str(f, "error", st->detect_err.text);
		if (st->stage == DX_WPAD_DISABLED)
			dx_ev_str(f, "key", DX_WPAD_DISABLE_KEY "\\" DX_WPAD_DISABLE_VALUE);
		else
			dx_ev_num(f, "code", st->detect_err.code);
		switches(f, st);
		dx_ev_bool(f, "consulted", consulted);
		dx_ev_str(
			f, "effect",
			consulted
				? "Sense connects directly"
				: "a static or WinHTTP proxy decides the route; WPAD is not used");
		return;
	}
	f = dx_add(&c->findings, "net.proxy.wpad", DX_SEV_INFO, "found");
	if (!f)
		return;
	dx_ev_str(f, "url", st->w.url);
	dx_ev_str(f, "method", st->w.method[0] ? st->w.method : "unknown");
	dx_ev_bool(f, "consulted", consulted);
	dx_ev_str(f, "script_source", st->inline_script ? "platform" : "download");
	switches(f, st);
	if (st->os_error[0] && strcmp(st->os_error, "-") != 0)
		dx_ev_str(f, "os_error", st->os_error);
	if (st->redirects[0])
		dx_ev_str(f, "redirects", st->redirects);
	if (st->stage == DX_WPAD_UNREACHABLE) {
		f = dx_add(&c->findings, "net.pac.unreachable", DX_SEV_WARNING,
			   st->auth_required ? "auth-required" : "");
		if (!f)
			return;
		sev = fallback_effect(f, consulted, o, n);
		f->severity = sev == DX_SEV_INFO ? DX_SEV_WARNING : sev;
		if (st->auth_required) {
			/* WinHTTP answers the challenge with the device's own
			 * credentials when the caller allows it (Microsoft's
			 * sample retries with fAutoLogonIfChallenged after
			 * ERROR_WINHTTP_LOGIN_FAILURE); whether Sense does is not
			 * documented, and mdediag cannot log on as the device:
			 * never more than a warning. */
			f->severity = DX_SEV_WARNING;
			dx_ev_str(f, "www_authenticate",
				  st->www_authenticate[0] ? st->www_authenticate : "(none)");
		}
		if (st->redirects[0])
			dx_ev_str(f, "redirects", st->redirects);
		dx_ev_str(f, "url", st->w.url);
		dx_ev_str(f, "reason", st->error);
		if (st->fetch_address[0])
			dx_ev_str(f, "address", st->fetch_address);
		if (st->fetch_connect_to[0])
			dx_ev_str(f, "connect_to", st->fetch_connect_to);
		if (st->http_status)
			dx_ev_num(f, "http_status", st->http_status);
		return;
	}
	if (st->stage == DX_WPAD_BAD_SCRIPT) {
		f = dx_add(&c->findings, "net.pac.error", DX_SEV_WARNING,
			   dx_pac_rc_name(st->pac_rc));
		if (!f)
			return;
		sev = fallback_effect(f, consulted, o, n);
		f->severity = sev == DX_SEV_INFO ? DX_SEV_WARNING : sev;
		dx_ev_str(f, "url", st->w.url);
		dx_ev_str(f, "error", st->error);
		dx_ev_str(f, "stage", "load");
		dx_ev_num(f, "script_bytes", (double)st->script_bytes);
		return;
	}
	dx_ev_num(f, "script_bytes", (double)st->script_bytes);
	dx_ev_num(f, "load_ms", (double)(long)(st->load_ms * 10 + 0.5) / 10);
	if (st->stage == DX_WPAD_READY) {
		/* the local time the script's time functions saw */
		char tz[200];
		int32_t m = st->tz.offset_s / 60, a = m < 0 ? -m : m;
		if (st->tz_error[0])
			snprintf(tz, sizeof tz, "UTC (the time zone could not be read: %s)",
				 st->tz_error);
		else
			snprintf(tz, sizeof tz, "UTC%c%02d:%02d%s%s", m < 0 ? '-' : '+',
				 (int)(a / 60), (int)(a % 60), st->tz.name[0] ? " " : "",
				 st->tz.name);
		dx_ev_str(f, "time_zone", tz);
	}
	if (st->pac ? dx_pac_read_as_latin1(st->pac) : st->rec_latin1)
		dx_ev_str(f, "script_encoding",
			  "not UTF-8: read as Latin-1 (WinHTTP uses the "
			  "device's code page; the two agree on ASCII, so on the syntax)");
	if (st->pac)
		dx_ev_str(f, "entry_point", dx_pac_entry_point(st->pac));
	else if (st->rec_entry_point[0])
		dx_ev_str(f, "entry_point", st->rec_entry_point);
	if (st->pac && dx_pac_alerts(st->pac)[0])
		dx_ev_str(f, "alerts", dx_pac_alerts(st->pac));
	else if (!st->pac && st->rec_alerts[0])
		dx_ev_str(f, "alerts", st->rec_alerts);
}

/* The script loaded but failed for some destinations (it threw, ran out of
 * time or memory, or answered garbage): one net.pac.error for the first
 * class seen, naming every host it failed for. */
static void call_errors(struct dx_ctx *c, const struct dx_wpad_state *st, int consulted,
			const struct dx_pac_obs *o, size_t n)
{
	struct dx_finding *f = NULL;
	cJSON *hosts = NULL;
	int req = 0;
	for (size_t i = 0; i < n; i++) {
		if (o[i].pac_rc == DX_PAC_OK)
			continue;
		if (!f) {
			f = dx_add(&c->findings, "net.pac.error", DX_SEV_WARNING,
				   dx_pac_rc_name(o[i].pac_rc));
			if (!f)
				return;
			dx_ev_str(f, "url", st->w.url);
			dx_ev_str(f, "error", o[i].pac_error);
			dx_ev_str(f, "stage", "call");
			dx_ev_str(f, "effect",
				  consulted ? "Sense falls back to a direct connection"
					    : "a static or WinHTTP proxy decides the route; WPAD "
					      "is not used");
			hosts = cJSON_AddArrayToObject(f->evidence, "hosts");
		}
		dx_json_add_unique(hosts, o[i].host);
		req |= fell_back(&o[i]) && o[i].required && failed(o[i].result);
	}
	if (!f)
		return;
	if (req)
		f->severity = DX_SEV_ERROR;
	dx_ev_hosts_summary(f, hosts);
}

/* What the script decided, measured: a proxy that refuses (403), or DIRECT
 * where the direct connection does not get through. */
static void decided(struct dx_ctx *c, const struct dx_wpad_state *st, const struct dx_pac_obs *o,
		    size_t n, int want_proxy)
{
	struct dx_finding *f = NULL;
	cJSON *hosts = NULL, *proxies = NULL, *classes = NULL;
	int req = 0, cnc = 0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(o[i].route_source, "wpad") != 0)
			continue;
		if (want_proxy ? !(o[i].via_proxy && o[i].result == DX_PR_PROXY_DENIED)
			       : (o[i].via_proxy || !blocked(o[i].result)))
			continue;
		if (!f) {
			f = dx_add(&c->findings,
				   want_proxy ? "net.pac.proxy-denied" : "net.pac.direct-blocked",
				   DX_SEV_WARNING, "");
			if (!f)
				return;
			dx_ev_str(f, "url", st->w.url);
			dx_ev_str(f, "pac_answer", o[i].pac_answer);
			if (want_proxy) {
				dx_ev_str(f, "proxy", o[i].proxy);
				if (o[i].status_line && o[i].status_line[0])
					dx_ev_str(f, "status_line", o[i].status_line);
				proxies = cJSON_AddArrayToObject(f->evidence, "proxies");
			} else {
				classes = cJSON_AddArrayToObject(f->evidence, "classes");
			}
			hosts = cJSON_AddArrayToObject(f->evidence, "hosts");
		}
		dx_json_add_unique(hosts, o[i].host);
		dx_json_add_unique(proxies, o[i].proxy);
		dx_json_add_unique(classes, dx_probe_class_name(o[i].result));
		req |= o[i].required;
		cnc |= o[i].cnc;
	}
	if (!f)
		return;
	if (req)
		f->severity = DX_SEV_ERROR;
	dx_ev_bool(f, "cnc", cnc);
	dx_ev_hosts_summary(f, hosts);
}

/* The first entry WinHTTP would use (SOCKS skipped) of a PAC-form answer,
 * as "DIRECT" or "PROXY host:port" (host in lower case); "" when none. */
static void first_use(const char *answer, char *out, size_t outsz)
{
	struct dx_pac_entry e[16];
	char why[160];
	int k = answer && answer[0] ? dx_pac_parse(answer, e, 16, why, sizeof why) : -1;
	out[0] = 0;
	for (int i = 0; i < k; i++) {
		if (e[i].kind == DX_PAC_SOCKS)
			continue;
		if (e[i].kind == DX_PAC_DIRECT) {
			snprintf(out, outsz, "DIRECT");
		} else {
			for (char *h = e[i].host; *h; h++)
				*h = (char)tolower((unsigned char)*h);
			snprintf(out, outsz, "PROXY %s:%d", e[i].host, e[i].port);
		}
		return;
	}
}

/* Windows' own auto-proxy and mdediag's evaluator, given the same PAC
 * file, chose different routes: the OS's decided (it is what Sense gets),
 * and ours may be wrong; one finding naming every such host. */
static void os_disagrees(struct dx_ctx *c, const struct dx_wpad_state *st,
			 const struct dx_pac_obs *o, size_t n)
{
	struct dx_finding *f = NULL;
	cJSON *hosts = NULL;
	for (size_t i = 0; i < n; i++) {
		char ours[300], os[300];
		if (!o[i].os_answer || !o[i].os_answer[0])
			continue;
		first_use(o[i].os_answer, os, sizeof os);
		if (st->stage != DX_WPAD_READY)
			snprintf(ours, sizeof ours, "(mdediag could not run the script: %.200s)",
				 st->error);
		else if (o[i].pac_rc != DX_PAC_OK)
			snprintf(ours, sizeof ours, "(failed: %s)", dx_pac_rc_name(o[i].pac_rc));
		else
			first_use(o[i].pac_answer, ours, sizeof ours);
		if (!os[0] || strcmp(ours, os) == 0)
			continue;
		if (!f) {
			f = dx_add(&c->findings, "net.pac.os-disagrees", DX_SEV_WARNING, "");
			if (!f)
				return;
			dx_ev_str(f, "url", st->w.url);
			dx_ev_str(f, "host", o[i].host);
			dx_ev_str(f, "os_answer", o[i].os_answer);
			dx_ev_str(f, "pac_answer",
				  st->stage == DX_WPAD_READY && o[i].pac_rc == DX_PAC_OK
					  ? o[i].pac_answer
					  : ours);
			dx_ev_str(f, "effect",
				  "the OS's answer decides the route, as it does for Sense");
			hosts = cJSON_AddArrayToObject(f->evidence, "hosts");
		}
		dx_json_add_unique(hosts, o[i].host);
	}
	if (f)
		dx_ev_hosts_summary(f, hosts);
}

void dx_check_pac(struct dx_ctx *c, const struct dx_wpad_state *st, const struct dx_pac_obs *o,
		  size_t n)
{
	int consulted = 0;
	for (size_t i = 0; i < n; i++)
		consulted |= fell_back(&o[i]) || strcmp(o[i].route_source, "wpad") == 0;
	discovery(c, st, consulted, o, n);
	if (st->stage == DX_WPAD_READY || st->stage == DX_WPAD_BAD_SCRIPT ||
	    st->stage == DX_WPAD_UNREACHABLE)
		os_disagrees(c, st, o, n);
	if (st->stage != DX_WPAD_READY)
		return;
	call_errors(c, st, consulted, o, n);
	if (!consulted)
		return;
	decided(c, st, o, n, 1);
	decided(c, st, o, n, 0);
}
