/* check_senselog.c - Sense's own word: the Microsoft-Windows-SENSE/Operational
 * log of the last 30 days, read whether or not Sense runs, as Microsoft's
 * "Review events and errors using Event Viewer" and the Client Analyzer do.
 *
 * Which events signal a failure, the check each feeds, its severity and the
 * events that show it was overcome are data (data/sense-events.json), not
 * code. One finding per failing event ID, newest first, with its count and
 * first and last times; a failure followed by one of its resolved_by events
 * (event 5 by a later event 4, "contacted the server") is history, listed
 * on sense.log, not a finding. The connection events carry a WinHTTP or
 * HTTP code, classified by the same file.
 *
 * Runs after the connectivity section: when Sense's record says it cannot
 * connect while mdediag's own probe reached the service, Sense's record
 * decides (it is an error whatever the probe saw), and the finding names
 * what differs between the two paths. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

#define DAY 86400
#define MAX_EVENTS 2000 /* newest first: what is cut off is older */
#define MAX_RESOLVED 20

/* One row of data/sense-events.json "events". */
struct row {
	uint32_t id;
	const char *check, *variant, *requires_text;
	enum dx_severity sev;
	int classify, resolved_when_running;
	const cJSON *resolved_by;
};

static int row_get(const cJSON *j, struct row *r)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
	const cJSON *check = cJSON_GetObjectItemCaseSensitive(j, "check");
	const cJSON *variant = cJSON_GetObjectItemCaseSensitive(j, "variant");
	const cJSON *sev = cJSON_GetObjectItemCaseSensitive(j, "severity");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "requires_text");
	if (!cJSON_IsNumber(id) || !cJSON_IsString(check) || !cJSON_IsString(variant) ||
	    !cJSON_IsString(sev))
		return -1;
	r->id = (uint32_t)id->valuedouble;
	r->check = check->valuestring;
	r->variant = variant->valuestring;
	r->sev = strcmp(sev->valuestring, "error") == 0     ? DX_SEV_ERROR
		 : strcmp(sev->valuestring, "warning") == 0 ? DX_SEV_WARNING
							    : DX_SEV_INFO;
	r->requires_text = cJSON_IsString(req) ? req->valuestring : NULL;
	r->classify = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "classify"));
	r->resolved_when_running =
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "resolved_when_running"));
	r->resolved_by = cJSON_GetObjectItemCaseSensitive(j, "resolved_by");
	return 0;
}

/* The row for an event, or -1 when the table does not list it (or lists
 * it only for text this event does not carry). */
static int row_for(const cJSON *table, const struct dx_event *e, struct row *r)
{
	const cJSON *j;
	cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(table, "events"))
	{
		if (row_get(j, r) || r->id != e->id)
			continue;
		if (r->requires_text && !dx_event_has(e, r->requires_text))
			return -1;
		return 0;
	}
	return -1;
}

/* The error code an event carries: the first token of its insertion strings
 * (then its message) that is a number of 3 or more digits or a hex number
 * (an HRESULT such as 0x80072F8F wraps WinHTTP's 12175 in its low 16
 * bits). *code_out is the value the table is searched for; text_out the
 * token as written. 0 when the event carries none. */
static int token_code(const char *tok, size_t n, uint32_t *code, int *is_hresult)
{
	char buf[24];
	if (n >= sizeof buf || n < 3)
		return 0;
	memcpy(buf, tok, n);
	buf[n] = '\0';
	char *end;
	if (buf[0] == '0' && (buf[1] == 'x' || buf[1] == 'X')) {
		unsigned long v = strtoul(buf + 2, &end, 16);
		if (*end || end == buf + 2)
			return 0;
		*code = (uint32_t)v;
		*is_hresult = 1;
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)buf[i]))
			return 0;
	*code = (uint32_t)strtoul(buf, NULL, 10);
	*is_hresult = 0;
	return 1;
}

static int find_code(const char *s, uint32_t *code, int *is_hresult, char *text, size_t sz)
{
	while (s && *s) {
		/* a token: letters, digits; a URL's parts are tokens too, but
		 * host names carry no bare 3-digit numbers in practice and a
		 * port (":443") would be one, so URLs are skipped whole */
		if (strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0) {
			while (*s && !isspace((unsigned char)*s))
				s++;
			continue;
		}
		if (!isalnum((unsigned char)*s)) {
			s++;
			continue;
		}
		const char *t = s;
		while (isalnum((unsigned char)*s))
			s++;
		if (token_code(t, (size_t)(s - t), code, is_hresult)) {
			snprintf(text, sz, "%.*s", (int)(s - t), t);
			return 1;
		}
	}
	return 0;
}

static int event_code(const struct dx_event *e, uint32_t *code, int *is_hresult, char *text,
		      size_t sz)
{
	for (size_t i = 0; i < e->strings.count; i++)
		if (find_code(e->strings.items[i], code, is_hresult, text, sz))
			return 1;
	return find_code(e->message, code, is_hresult, text, sz);
}

/* The first URL of the event (the server it could not reach), or "". */
static void event_url(const struct dx_event *e, char *out, size_t sz)
{
	out[0] = '\0';
	for (size_t i = 0; i <= e->strings.count && !out[0]; i++) {
		const char *s = i < e->strings.count ? e->strings.items[i] : e->message;
		const char *u = s ? dx_strcasestr(s, "https://") : NULL;
		if (!u && s)
			u = dx_strcasestr(s, "http://");
		if (!u)
			continue;
		size_t n = 0;
		while (u[n] && !isspace((unsigned char)u[n]) && u[n] != ',' && u[n] != ')' &&
		       u[n] != '"')
			n++;
		while (n && u[n - 1] == '.')
			n--; /* the sentence's full stop */
		snprintf(out, sz, "%.*s", (int)n, u);
	}
}

/* The row of error_codes for a code, or NULL. An HRESULT matches a WinHTTP
 * code in its low 16 bits when its facility is Win32 (0x8007xxxx); HTTP
 * status codes match only as written. */
static const cJSON *code_row(const cJSON *table, uint32_t code, int is_hresult)
{
	const cJSON *j;
	cJSON_ArrayForEach(j, cJSON_GetObjectItemCaseSensitive(table, "error_codes"))
	{
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "code");
		int http = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "http"));
		if (!cJSON_IsNumber(c))
			continue;
		uint32_t want = (uint32_t)c->valuedouble;
		if (!is_hresult && code == want)
			return j;
		if (is_hresult && !http && (code & 0xFFFF0000u) == 0x80070000u &&
		    (code & 0xFFFFu) == want)
			return j;
	}
	return NULL;
}

static const char *jstr(const cJSON *j, const char *k)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, k);
	return cJSON_IsString(s) ? s->valuestring : "";
}

/* The newest event of `evs` whose ID is in `ids`, written after `after`
 * (the list is newest first), or NULL. */
static const struct dx_event *newer_of(const struct dx_eventlist *evs, const cJSON *ids,
				       int64_t after)
{
	for (size_t i = 0; i < evs->count && evs->items[i].time > after; i++) {
		const cJSON *id;
		cJSON_ArrayForEach(id, ids) if (cJSON_IsNumber(id) &&
						(uint32_t)id->valuedouble ==
							evs->items[i].id) return &evs->items[i];
	}
	return NULL;
}

/* What mdediag's probe saw of the host Sense could not reach: "connected"
 * (that host, or failing that the CnC group, reached), "failed",
 * "not-tested" (no probe), "not-probed" (the probe ran, not this host). */
static const char *probe_verdict(const struct dx_ctx *c, const char *host,
				 const struct dx_finding **ep)
{
	*ep = NULL;
	for (size_t i = 0; i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (strcmp(f->id, "net.endpoint") || !host[0])
			continue;
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(f->evidence, "host");
		if (cJSON_IsString(h) && dx_strieq(h->valuestring, host)) {
			*ep = f;
			return strcmp(f->variant, "ok") == 0 ? "connected" : "failed";
		}
	}
	const struct dx_finding *cnc = dx_find(&c->findings, "net.edr-cnc");
	if (!cnc || dx_outcome(cnc) == DX_UNDETERMINED)
		return "not-tested";
	return dx_outcome(cnc) == DX_CLEAR ? "connected" : "failed";
}

/* The host of a URL, lowercase not needed (compared without case). */
static void url_host(const char *url, char *out, size_t sz)
{
	const char *p = strstr(url, "://");
	p = p ? p + 3 : url;
	size_t n = strcspn(p, ":/?#");
	snprintf(out, sz, "%.*s", (int)n, p);
}

/* Sense's record and mdediag's probe disagree: say what differs between
 * the two paths to the same server. */
static void add_path_differences(struct dx_ctx *c, struct dx_finding *f,
				 const struct dx_finding *ep)
{
	const struct dx_facts *d = &c->facts;
	dx_ev_str(f, "sense_account", "LocalSystem");
	dx_ev_str(f, "mdediag_account",
		  d->elevated == 1   ? "administrator (elevated)"
		  : d->elevated == 0 ? "standard user (not elevated)"
				     : "unknown");
	if (d->static_proxy[0])
		dx_ev_fmt(f, "sense_proxy", "TelemetryProxyServer %s", d->static_proxy);
	else if (d->winhttp_proxy[0])
		dx_ev_fmt(f, "sense_proxy", "WinHTTP proxy %s", d->winhttp_proxy);
	else
		dx_ev_str(f, "sense_proxy", "WinHTTP: direct, or what WPAD finds for SYSTEM");
	const cJSON *route = ep ? cJSON_GetObjectItemCaseSensitive(ep->evidence, "route") : NULL;
	const cJSON *src =
		ep ? cJSON_GetObjectItemCaseSensitive(ep->evidence, "route_source") : NULL;
	if (cJSON_IsString(route))
		dx_ev_fmt(f, "mdediag_route", "%s (%s)", route->valuestring,
			  cJSON_IsString(src) ? src->valuestring : "?");
	dx_ev_str(f, "sense_tls",
		  "Schannel, the machine's Root/AuthRoot stores and "
		  "SCHANNEL protocol and cipher policy");
	/* the same text live and replayed: a collected file does not say
	 * which roots the live run was given */
	dx_ev_str(f, "mdediag_tls",
		  "mdediag's own TLS client (mbed TLS) with the Microsoft "
		  "roots it bundles (or --anchors)");
}

/* One failing event ID: its newest occurrence, how many, the oldest. */
struct group {
	const struct dx_event *newest;
	struct row row;
	size_t count;
	int64_t first;
};

static void emit(struct dx_ctx *c, const struct group *g)
{
	const struct dx_event *e = g->newest;
	char variant[48], when[32], first[32], msg[512];
	snprintf(variant, sizeof variant, "%s", g->row.variant);
	uint32_t code = 0;
	int is_hresult = 0;
	char code_text[24] = "";
	const cJSON *crow = NULL;
	int has_code =
		g->row.classify && event_code(e, &code, &is_hresult, code_text, sizeof code_text);
	if (has_code) {
		crow = code_row(c->data->sense_events, code, is_hresult);
		snprintf(variant, sizeof variant, "%s",
			 crow ? jstr(crow, "class") : "unknown-code");
	}
	struct dx_finding *f = dx_add(&c->findings, g->row.check, g->row.sev, variant);
	if (!f)
		return;
	dx_format_time(e->time, when);
	dx_format_time(g->first, first);
	dx_ev_str(f, "log", DX_LOG_SENSE);
	dx_ev_num(f, "event_id", e->id);
	dx_ev_str(f, "level", dx_evlevel_name(e->level));
	dx_ev_num(f, "count", (double)g->count);
	dx_ev_str(f, "last_seen", when);
	dx_ev_str(f, "first_seen", first);
	dx_event_text(e, msg, sizeof msg);
	dx_ev_str(f, "message", msg);
	/* the events themselves, newest first (cmd and Windows PowerShell) */
	dx_ev_fmt(f, "cmd_events",
		  "wevtutil.exe qe %s /q:\"*[System[(EventID=%u)]]\" "
		  "/c:20 /rd:true /f:text",
		  DX_LOG_SENSE, (unsigned)e->id);
	if (strcmp(g->row.check, "sense.log.diagtrack") == 0) {
		/* the service's finding names Sense's events about it too */
		struct dx_finding *svc = dx_find(&c->findings, "diagtrack.service");
		cJSON *arr = svc ? cJSON_GetObjectItemCaseSensitive(svc->evidence, "sense_events")
				 : NULL;
		if (svc && !arr)
			arr = cJSON_AddArrayToObject(svc->evidence, "sense_events");
		char line[96];
		snprintf(line, sizeof line, "event %u (%zu times, last %s)", (unsigned)e->id,
			 g->count, when);
		if (arr)
			cJSON_AddItemToArray(arr, cJSON_CreateString(line));
	}
	if (!g->row.classify)
		return;
	char url[300], host[256];
	event_url(e, url, sizeof url);
	dx_ev_str(f, "url", url[0] ? url : "(not in the event)");
	if (has_code) {
		dx_ev_str(f, "error_code", code_text);
		if (crow)
			dx_ev_str(f, "error_name", jstr(crow, "name"));
	}
	url_host(url, host, sizeof host);
	const struct dx_finding *ep = NULL;
	const char *probe = probe_verdict(c, host, &ep);
	dx_ev_str(f, "mdediag_probe", probe);
	if (strcmp(probe, "connected") == 0 && g->row.sev == DX_SEV_ERROR)
		add_path_differences(c, f, ep);
}

/* The log could be read: sense.log says how much, and which failures are
 * behind the device (resolved) rather than in front of it. */
static void summary(struct dx_ctx *c, const struct dx_eventlist *evs, int days, size_t failing,
		    cJSON *resolved, int truncated)
{
	struct dx_finding *f =
		dx_add(&c->findings, "sense.log", DX_SEV_INFO, failing ? "failures" : NULL);
	if (!f) {
		cJSON_Delete(resolved);
		return;
	}
	dx_ev_str(f, "log", DX_LOG_SENSE);
	dx_ev_num(f, "days", days);
	dx_ev_num(f, "events_read", (double)evs->count);
	dx_ev_num(f, "failing_event_ids", (double)failing);
	dx_ev_bool(f, "truncated", truncated);
	if (evs->count) {
		char when[32];
		dx_format_time(evs->items[0].time, when);
		dx_ev_str(f, "newest", when);
	}
	cJSON_AddItemToObject(f->evidence, "resolved", resolved);
	dx_ev_str(f, "source", jstr(c->data->sense_events, "source"));
}

void dx_check_senselog(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 0)
		return; /* no Sense, no log of its own */
	const cJSON *table = c->data->sense_events;
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(table, "window_days");
	int days = cJSON_IsNumber(w) && w->valueint > 0 ? w->valueint : 30;
	int64_t since = dx_now(c->p) - (int64_t)days * DAY;
	struct dx_eventlist evs;
	struct dx_err err;
	enum dx_status s =
		dx_events_query(c->p, DX_LOG_SENSE, NULL, 0, since, MAX_EVENTS, &evs, &err);
	if (s != DX_OK) {
		struct dx_finding *f =
			dx_add(&c->findings, "sense.log", DX_SEV_WARNING, "unreadable");
		dx_ev_str(f, "log", DX_LOG_SENSE);
		dx_ev_num(f, "days", days);
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}
	struct group *groups = calloc(evs.count ? evs.count : 1, sizeof *groups);
	cJSON *resolved = cJSON_CreateArray();
	size_t n = 0, failing = 0;
	int running = c->facts.sense_state == DX_SVC_RUNNING;
	for (size_t i = 0; groups && i < evs.count; i++) {
		const struct dx_event *e = &evs.items[i];
		struct row r;
		if (e->time < since || row_for(table, e, &r))
			continue; /* out of the window (whatever the platform
				     returned), or not a failure */
		size_t k = 0;
		while (k < n && groups[k].row.id != e->id)
			k++;
		if (k == n) {
			groups[n].newest = e;
			groups[n].row = r;
			n++;
		}
		groups[k].count++;
		groups[k].first = e->time; /* newest first: the last seen is oldest */
	}
	for (size_t k = 0; k < n; k++) {
		const struct group *g = &groups[k];
		const struct dx_event *later = newer_of(&evs, g->row.resolved_by, g->newest->time);
		if (later || (g->row.resolved_when_running && running)) {
			if (cJSON_GetArraySize(resolved) < MAX_RESOLVED) {
				char when[32], line[160];
				dx_format_time(g->newest->time, when);
				if (later) {
					char t2[32];
					dx_format_time(later->time, t2);
					snprintf(line, sizeof line,
						 "event %u (%zu times, last %s): "
						 "followed by event %u at %s",
						 (unsigned)g->row.id, g->count, when,
						 (unsigned)later->id, t2);
				} else {
					snprintf(line, sizeof line,
						 "event %u (%zu times, last %s): "
						 "the service runs now",
						 (unsigned)g->row.id, g->count, when);
				}
				cJSON_AddItemToArray(resolved, cJSON_CreateString(line));
			}
			continue;
		}
		emit(c, g);
		failing++;
	}
	summary(c, &evs, days, failing, resolved, evs.count >= MAX_EVENTS);
	free(groups);
	dx_eventlist_free(&evs);
}
