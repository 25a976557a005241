/* netrec.c - the "network" section of a collected file: written from the
 * per-destination records, and read back into the same records. See
 * netrec.h; the format is docs/collect.md and docs/fixture.schema.json.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "netrec.h"
#include "version.h"

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

void dx_netlog_free(struct dx_netlog *log)
{
	free(log->recs);
	log->recs = NULL;
	log->n = 0;
}

/* ---- writing --------------------------------------------------------------- */

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
}

static void add_ms(cJSON *o, const char *k, double ms)
{
	if (ms >= 0)
		cJSON_AddNumberToObject(o, k, ms);
}

static cJSON *rec_json(const struct dx_netrec *r)
{
	const struct dx_probe *p = &r->p;
	cJSON *o = cJSON_CreateObject(), *a, *x;
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "id", r->d.id);
	cJSON_AddStringToObject(o, "host", r->d.host);
	cJSON_AddNumberToObject(o, "port", r->d.port);
	cJSON_AddStringToObject(o, "scheme", r->d.tls ? "https" : "http");
	cJSON_AddStringToObject(o, "path", r->d.path);
	cJSON_AddNumberToObject(o, "expect", r->d.expect);
	cJSON_AddStringToObject(o, "category", r->d.category);
	a = cJSON_AddArrayToObject(o, "categories");
	for (int i = 0; a && i < r->d.ncats; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(r->d.cats[i]));
	cJSON_AddBoolToObject(o, "required", r->d.required);
	add_str(o, "geo", r->d.geo);

	x = cJSON_AddObjectToObject(o, "route");
	if (x) {
		cJSON_AddStringToObject(x, "method", r->r.use ? "proxy" : "direct");
		if (r->r.use) {
			cJSON_AddStringToObject(x, "proxy_host", r->r.hp.host);
			cJSON_AddNumberToObject(x, "proxy_port", r->r.hp.port);
		}
		cJSON_AddStringToObject(x, "source", r->r.source);
		add_str(x, "reason", r->r.reason);
		add_str(x, "route_source", r->r.route_source);
		add_str(x, "pac_answer", r->r.pac_answer);
		if (r->r.pac_rc)
			cJSON_AddNumberToObject(x, "pac_rc", r->r.pac_rc);
		add_str(x, "pac_error", r->r.pac_error);
		add_str(x, "os_answer", r->r.os_answer);
	}
	if (r->dns_name[0] && (x = cJSON_AddObjectToObject(o, "dns"))) {
		cJSON_AddStringToObject(x, "name", r->dns_name);
		cJSON_AddStringToObject(x, "status", dx_status_name(r->dns_status));
		add_str(x, "error", r->dns_error);
		a = cJSON_AddArrayToObject(x, "addresses");
		for (int i = 0; a && i < r->n_addrs; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(r->addrs[i]));
	}
	add_str(o, "address", r->address);
	add_str(o, "connect_to", r->connect_to);
	if (r->fallback && (x = cJSON_AddObjectToObject(o, "static_fallback"))) {
		cJSON_AddStringToObject(x, "proxy", r->fb_proxy);
		add_str(x, "address", r->fb_address);
		cJSON_AddStringToObject(x, "reason", r->fb_reason);
	}
	if (p->n_tries > 0 && (a = cJSON_AddArrayToObject(o, "tries"))) {
		for (int i = 0; i < p->n_tries; i++) {
			cJSON *t = cJSON_CreateObject();
			if (!t)
				break;
			cJSON_AddStringToObject(t, "address", p->tries[i].addr);
			cJSON_AddStringToObject(t, "outcome", p->tries[i].outcome);
			cJSON_AddNumberToObject(t, "ms", p->tries[i].ms);
			cJSON_AddItemToArray(a, t);
		}
	}
	cJSON_AddStringToObject(o, "result", dx_probe_class_name(p->result));
	add_str(o, "phase", p->phase);
	add_str(o, "reason", p->reason);
	if (p->proxy_status || p->proxy_status_line[0] || p->proxy_connect_failed ||
	    p->proxy_via[0] || p->proxy_agent[0]) {
		if ((x = cJSON_AddObjectToObject(o, "proxy_reply"))) {
			if (p->proxy_status)
				cJSON_AddNumberToObject(x, "status", p->proxy_status);
			add_str(x, "status_line", p->proxy_status_line);
			add_str(x, "proxy_agent", p->proxy_agent);
			add_str(x, "via", p->proxy_via);
			add_str(x, "proxy_authenticate", p->proxy_authenticate);
			add_str(x, "block_title", p->proxy_title);
			if (p->proxy_connect_failed)
				cJSON_AddBoolToObject(x, "unreachable", 1);
		}
	}
	if ((p->http_status || p->status_line[0]) && (x = cJSON_AddObjectToObject(o, "http"))) {
		cJSON_AddNumberToObject(x, "status", p->http_status);
		add_str(x, "status_line", p->status_line);
		if (p->date[0])
			add_str(x, "date", p->date);
	}
	if ((p->issuer[0] || p->tls_detail[0] || p->expected_root >= 0) &&
	    (x = cJSON_AddObjectToObject(o, "tls"))) {
		add_str(x, "subject", p->subject);
		add_str(x, "issuer", p->issuer);
		add_str(x, "root", p->root);
		add_str(x, "detail", p->tls_detail);
		if (p->expected_root >= 0)
			cJSON_AddBoolToObject(x, "expected_root", p->expected_root);
		cJSON_AddNumberToObject(x, "presented", p->chain_total);
		a = cJSON_AddArrayToObject(x, "chain");
		for (int i = 0; a && i < p->chain_len; i++) {
			const struct dx_cert_info *ci = &p->chain[i];
			cJSON *c = cJSON_CreateObject();
			if (!c)
				break;
			add_str(c, "subject", ci->subject);
			add_str(c, "issuer", ci->issuer);
			add_str(c, "not_before", ci->not_before);
			add_str(c, "not_after", ci->not_after);
			add_str(c, "ski", ci->ski);
			add_str(c, "aki", ci->aki);
			cJSON_AddItemToArray(a, c);
		}
	}
	if ((x = cJSON_AddObjectToObject(o, "timings_ms"))) {
		add_ms(x, "dns", p->dns_ms);
		add_ms(x, "connect", p->connect_ms);
		add_ms(x, "proxy", p->proxy_ms);
		add_ms(x, "tls", p->tls_ms);
		add_ms(x, "http", p->http_ms);
	}
	return o;
}

cJSON *dx_netlog_json(const struct dx_netlog *log)
{
	cJSON *o = cJSON_CreateObject(), *a, *opt;
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "format", DX_NETLOG_FORMAT);
	cJSON_AddStringToObject(o, "tool", log->tool);
	cJSON_AddStringToObject(o, "collected_at", log->collected_at);
	if (log->not_tested[0])
		cJSON_AddStringToObject(o, "not_tested", log->not_tested);
	if ((opt = cJSON_AddObjectToObject(o, "options"))) {
		cJSON_AddBoolToObject(opt, "no_network", log->no_network);
		cJSON_AddNumberToObject(opt, "timeout_ms", log->timeout_ms);
		add_str(opt, "anchors", log->anchors);
		a = cJSON_AddArrayToObject(opt, "connect_to");
		for (int i = 0; a && i < log->n_connect_to; i++)
			cJSON_AddItemToArray(a, cJSON_CreateString(log->connect_to[i]));
	}
	add_str(o, "probe_error", log->probe_error);
	if (log->wpad.present && (opt = cJSON_AddObjectToObject(o, "wpad"))) {
		const struct dx_netlog_wpad *w = &log->wpad;
		cJSON_AddNumberToObject(opt, "stage", w->stage);
		cJSON_AddNumberToObject(opt, "detect_status", w->detect_st);
		cJSON_AddNumberToObject(opt, "detect_code", w->detect_code);
		add_str(opt, "detect_error", w->detect_text);
		add_str(opt, "url", w->url);
		add_str(opt, "method", w->method);
		cJSON_AddBoolToObject(opt, "inline_script", w->inline_script);
		add_str(opt, "fetch_address", w->fetch_address);
		add_str(opt, "fetch_connect_to", w->fetch_connect_to);
		cJSON_AddNumberToObject(opt, "http_status", w->http_status);
		cJSON_AddNumberToObject(opt, "script_bytes", w->script_bytes);
		add_str(opt, "error", w->error);
		cJSON_AddNumberToObject(opt, "pac_rc", w->pac_rc);
		cJSON_AddNumberToObject(opt, "load_ms", w->load_ms);
		add_str(opt, "entry_point", w->entry_point);
		add_str(opt, "alerts", w->alerts);
		if (w->script_latin1)
			cJSON_AddBoolToObject(opt, "script_latin1", 1);
		add_str(opt, "os_error", w->os_error);
		add_str(opt, "redirects", w->redirects);
		add_str(opt, "www_authenticate", w->www_authenticate);
		if (w->auth_required)
			cJSON_AddBoolToObject(opt, "auth_required", 1);
	}
	a = cJSON_AddArrayToObject(o, "destinations");
	for (size_t i = 0; a && i < log->n; i++) {
		cJSON *r = rec_json(&log->recs[i]);
		if (!r) {
			cJSON_Delete(o);
			return NULL;
		}
		cJSON_AddItemToArray(a, r);
	}
	return o;
}

/* ---- reading --------------------------------------------------------------- */

struct pc {
	char *err;
	size_t errsz;
	char path[160];
};

static int failf(struct pc *c, const char *key, const char *fmt, ...) DX_PRINTF(3, 4);
static int failf(struct pc *c, const char *key, const char *fmt, ...)
{
	char why[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	/* values quoted from the file keep the error on one line (as fixture.c) */
	dx_one_line(why, '?');
	snprintf(c->err, c->errsz, "%s%s%s: %s", c->path, key ? "." : "", key ? key : "", why);
	return -1;
}

/* A string member into buf; "" when absent and not required. */
static int get_s(struct pc *c, const cJSON *o, const char *key, char *buf, size_t size,
		 int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	buf[0] = 0;
	if (!j)
		return required ? failf(c, key, "missing") : 0;
	if (!cJSON_IsString(j))
		return failf(c, key, "expected a string");
	if (strlen(j->valuestring) >= size)
		return failf(c, key, "longer than the %zu characters allowed", size - 1);
	memcpy(buf, j->valuestring, strlen(j->valuestring) + 1);
	return 0;
}

static int get_n(struct pc *c, const cJSON *o, const char *key, double lo, double hi, double *out,
		 int required)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!j)
		return required ? failf(c, key, "missing") : 0;
	if (!cJSON_IsNumber(j) || !(j->valuedouble >= lo && j->valuedouble <= hi))
		return failf(c, key, "expected a number from %g to %g", lo, hi);
	*out = j->valuedouble;
	return 0;
}

static int get_b(struct pc *c, const cJSON *o, const char *key, int *out)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!j)
		return 0;
	if (!cJSON_IsBool(j))
		return failf(c, key, "expected true or false");
	*out = cJSON_IsTrue(j);
	return 0;
}

/* An optional object member: NULL when absent, -1 (via *bad) when not an object. */
static const cJSON *get_o(struct pc *c, const cJSON *o, const char *key, int *bad)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, key);
	if (j && !cJSON_IsObject(j)) {
		*bad = failf(c, key, "expected an object");
		return NULL;
	}
	return j;
}

static int class_of(const char *name, enum dx_probe_class *out)
{
	for (int k = DX_PR_OK; k <= DX_PR_NOT_PROBED; k++)
		if (strcmp(dx_probe_class_name((enum dx_probe_class)k), name) == 0) {
			*out = (enum dx_probe_class)k;
			return 0;
		}
	return -1;
}

static int status_of(const char *name, enum dx_status *out)
{
	for (int k = DX_OK; k <= DX_UNSUPPORTED; k++)
		if (strcmp(dx_status_name((enum dx_status)k), name) == 0) {
			*out = (enum dx_status)k;
			return 0;
		}
	return -1;
}

static int str_array(struct pc *c, const cJSON *o, const char *key, int max, char *base,
		     size_t stride, int *n)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;
	*n = 0;
	if (!a)
		return 0;
	if (!cJSON_IsArray(a))
		return failf(c, key, "expected an array of strings");
	if (cJSON_GetArraySize(a) > max)
		return failf(c, key, "%d items, more than the %d allowed", cJSON_GetArraySize(a),
			     max);
	cJSON_ArrayForEach(e, a)
	{
		if (!cJSON_IsString(e) || strlen(e->valuestring) >= stride)
			return failf(c, key,
				     "item %d: expected a string shorter than %zu characters", *n,
				     stride);
		memcpy(base + (size_t)*n * stride, e->valuestring, strlen(e->valuestring) + 1);
		(*n)++;
	}
	return 0;
}

static int rec_parse(struct pc *c, const cJSON *o, struct dx_netrec *r)
{
	struct dx_probe *p = &r->p;
	const cJSON *x;
	char scheme[8], result[24], method[16], st[24];
	double v = 0;
	int bad = 0, b;
	size_t plen = strlen(c->path);

	if (!cJSON_IsObject(o))
		return failf(c, NULL, "expected an object");
	dx_probe_init(p);
	p->host = r->d.host;
	p->path = r->d.path;
	if (get_s(c, o, "id", r->d.id, sizeof r->d.id, 1) ||
	    get_s(c, o, "host", r->d.host, sizeof r->d.host, 1) ||
	    get_n(c, o, "port", 1, 65535, &v, 1))
		return -1;
	r->d.port = (int)v;
	if (get_s(c, o, "scheme", scheme, sizeof scheme, 1))
		return -1;
	if (strcmp(scheme, "https") && strcmp(scheme, "http"))
		return failf(c, "scheme", "expected \"https\" or \"http\"");
	r->d.tls = scheme[4] == 's';
	v = 0;
	if (get_s(c, o, "path", r->d.path, sizeof r->d.path, 1) ||
	    get_n(c, o, "expect", 0, 999, &v, 0) ||
	    get_s(c, o, "category", r->d.category, sizeof r->d.category, 1) ||
	    str_array(c, o, "categories", DX_MAX_CATS, &r->d.cats[0][0], sizeof r->d.cats[0],
		      &r->d.ncats) ||
	    get_b(c, o, "required", &r->d.required) ||
	    get_s(c, o, "geo", r->d.geo, sizeof r->d.geo, 0))
		return -1;
	r->d.expect = (int)v;

	if (!(x = get_o(c, o, "route", &bad)))
		return bad ? -1 : failf(c, "route", "missing");
	snprintf(c->path + plen, sizeof c->path - plen, ".route");
	if (get_s(c, x, "method", method, sizeof method, 1) ||
	    get_s(c, x, "source", r->r.source, sizeof r->r.source, 1) ||
	    get_s(c, x, "reason", r->r.reason, sizeof r->r.reason, 0) ||
	    get_s(c, x, "route_source", r->r.route_source, sizeof r->r.route_source, 0) ||
	    get_s(c, x, "pac_answer", r->r.pac_answer, sizeof r->r.pac_answer, 0) ||
	    get_s(c, x, "pac_error", r->r.pac_error, sizeof r->r.pac_error, 0) ||
	    get_s(c, x, "os_answer", r->r.os_answer, sizeof r->r.os_answer, 0))
		return -1;
	v = 0;
	if (get_n(c, x, "pac_rc", 0, 64, &v, 0))
		return -1;
	r->r.pac_rc = (int)v;
	if (!r->r.route_source[0]) /* files from before route_source */
		snprintf(r->r.route_source, sizeof r->r.route_source, "%s",
			 strcmp(r->r.source, "static") == 0           ? "static"
			 : strcmp(r->r.source, "winhttp") == 0        ? "netsh"
			 : strcmp(r->r.source, "winhttp-bypass") == 0 ? "netsh-bypass"
								      : "direct");
	if (strcmp(method, "proxy") == 0) {
		r->r.use = 1;
		v = 0;
		if (get_s(c, x, "proxy_host", r->r.hp.host, sizeof r->r.hp.host, 1) ||
		    get_n(c, x, "proxy_port", 1, 65535, &v, 1))
			return -1;
		r->r.hp.port = (int)v;
	} else if (strcmp(method, "direct") != 0) {
		return failf(c, "method", "expected \"direct\" or \"proxy\"");
	}
	snprintf(r->r.method, sizeof r->r.method, "%s", method);
	c->path[plen] = 0;

	if ((x = get_o(c, o, "dns", &bad))) {
		snprintf(c->path + plen, sizeof c->path - plen, ".dns");
		if (get_s(c, x, "name", r->dns_name, sizeof r->dns_name, 1) ||
		    get_s(c, x, "status", st, sizeof st, 1) ||
		    get_s(c, x, "error", r->dns_error, sizeof r->dns_error, 0) ||
		    str_array(c, x, "addresses", DX_NETREC_MAX_ADDRS, &r->addrs[0][0],
			      sizeof r->addrs[0], &r->n_addrs))
			return -1;
		if (status_of(st, &r->dns_status))
			return failf(c, "status", "\"%s\" is not a status (ok, not-found, ...)",
				     st);
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	if ((x = get_o(c, o, "static_fallback", &bad))) {
		snprintf(c->path + plen, sizeof c->path - plen, ".static_fallback");
		if (get_s(c, x, "proxy", r->fb_proxy, sizeof r->fb_proxy, 1) ||
		    get_s(c, x, "address", r->fb_address, sizeof r->fb_address, 0) ||
		    get_s(c, x, "reason", r->fb_reason, sizeof r->fb_reason, 1))
			return -1;
		r->fallback = 1;
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	if ((x = cJSON_GetObjectItemCaseSensitive(o, "tries"))) {
		const cJSON *it;
		if (!cJSON_IsArray(x))
			return failf(c, "tries", "expected an array");
		if (cJSON_GetArraySize(x) > DX_PROBE_MAX_TRIES)
			return failf(c, "tries", "%d items, more than the %d allowed",
				     cJSON_GetArraySize(x), DX_PROBE_MAX_TRIES);
		cJSON_ArrayForEach(it, x)
		{
			struct dx_probe_try *t = &p->tries[p->n_tries];
			snprintf(c->path + plen, sizeof c->path - plen, ".tries[%d]", p->n_tries);
			if (!cJSON_IsObject(it))
				return failf(c, NULL, "expected an object");
			v = 0;
			if (get_s(c, it, "address", t->addr, sizeof t->addr, 1) ||
			    get_s(c, it, "outcome", t->outcome, sizeof t->outcome, 1) ||
			    get_n(c, it, "ms", 0, 1e9, &v, 0))
				return -1;
			t->ms = v;
			p->n_tries++;
			c->path[plen] = 0;
		}
	}
	if (get_s(c, o, "address", r->address, sizeof r->address, 0) ||
	    get_s(c, o, "connect_to", r->connect_to, sizeof r->connect_to, 0) ||
	    get_s(c, o, "result", result, sizeof result, 1) ||
	    get_s(c, o, "phase", p->phase, sizeof p->phase, 0) ||
	    get_s(c, o, "reason", p->reason, sizeof p->reason, 0))
		return -1;
	if (class_of(result, &p->result))
		return failf(c, "result", "\"%s\" is not a result class (ok, dns, refused, ...)",
			     result);

	if ((x = get_o(c, o, "proxy_reply", &bad))) {
		snprintf(c->path + plen, sizeof c->path - plen, ".proxy_reply");
		v = 0;
		b = 0;
		if (get_n(c, x, "status", 0, 999, &v, 0) ||
		    get_s(c, x, "status_line", p->proxy_status_line, sizeof p->proxy_status_line,
			  0) ||
		    get_s(c, x, "proxy_agent", p->proxy_agent, sizeof p->proxy_agent, 0) ||
		    get_s(c, x, "via", p->proxy_via, sizeof p->proxy_via, 0) ||
		    get_s(c, x, "proxy_authenticate", p->proxy_authenticate,
			  sizeof p->proxy_authenticate, 0) ||
		    get_s(c, x, "block_title", p->proxy_title, sizeof p->proxy_title, 0) ||
		    get_b(c, x, "unreachable", &b))
			return -1;
		p->proxy_status = (int)v;
		p->proxy_connect_failed = b;
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	if ((x = get_o(c, o, "http", &bad))) {
		snprintf(c->path + plen, sizeof c->path - plen, ".http");
		v = 0;
		if (get_n(c, x, "status", 0, 999, &v, 1) ||
		    get_s(c, x, "status_line", p->status_line, sizeof p->status_line, 0) ||
		    get_s(c, x, "date", p->date, sizeof p->date, 0))
			return -1;
		p->http_status = (int)v;
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	if ((x = get_o(c, o, "tls", &bad))) {
		const cJSON *ch = cJSON_GetObjectItemCaseSensitive(x, "chain"), *e;
		snprintf(c->path + plen, sizeof c->path - plen, ".tls");
		b = -1;
		v = 0;
		if (get_s(c, x, "subject", p->subject, sizeof p->subject, 0) ||
		    get_s(c, x, "issuer", p->issuer, sizeof p->issuer, 0) ||
		    get_s(c, x, "root", p->root, sizeof p->root, 0) ||
		    get_s(c, x, "detail", p->tls_detail, sizeof p->tls_detail, 0) ||
		    get_b(c, x, "expected_root", &b) || get_n(c, x, "presented", 0, 1000, &v, 0))
			return -1;
		p->expected_root = b;
		p->chain_total = (int)v;
		if (ch && (!cJSON_IsArray(ch) || cJSON_GetArraySize(ch) > DX_PROBE_MAX_CHAIN))
			return failf(c, "chain", "expected an array of at most %d certificates",
				     DX_PROBE_MAX_CHAIN);
		cJSON_ArrayForEach(e, ch)
		{
			struct dx_cert_info *ci = &p->chain[p->chain_len];
			size_t l2 = strlen(c->path);
			snprintf(c->path + l2, sizeof c->path - l2, ".chain[%d]", p->chain_len);
			if (!cJSON_IsObject(e))
				return failf(c, NULL, "expected an object");
			if (get_s(c, e, "subject", ci->subject, sizeof ci->subject, 0) ||
			    get_s(c, e, "issuer", ci->issuer, sizeof ci->issuer, 0) ||
			    get_s(c, e, "not_before", ci->not_before, sizeof ci->not_before, 0) ||
			    get_s(c, e, "not_after", ci->not_after, sizeof ci->not_after, 0) ||
			    get_s(c, e, "ski", ci->ski, sizeof ci->ski, 0) ||
			    get_s(c, e, "aki", ci->aki, sizeof ci->aki, 0))
				return -1;
			c->path[l2] = 0;
			p->chain_len++;
		}
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	if ((x = get_o(c, o, "timings_ms", &bad))) {
		static const char *const k[] = {"dns", "connect", "proxy", "tls", "http"};
		double *dst[] = {&p->dns_ms, &p->connect_ms, &p->proxy_ms, &p->tls_ms, &p->http_ms};
		snprintf(c->path + plen, sizeof c->path - plen, ".timings_ms");
		for (int i = 0; i < 5; i++)
			if (get_n(c, x, k[i], 0, 3600e3, dst[i], 0))
				return -1;
		c->path[plen] = 0;
	} else if (bad) {
		return -1;
	}
	return 0;
}

int dx_netlog_parse(const cJSON *j, struct dx_netlog *log, char *err, size_t errsz)
{
	struct pc c = {err, errsz, "$.network"};
	const cJSON *opt, *dests, *e;
	double v = 0;
	int bad = 0, n;

	memset(log, 0, sizeof *log);
	if (!cJSON_IsObject(j))
		return failf(&c, NULL, "expected an object");
	if (get_n(&c, j, "format", 1, 1e9, &v, 1))
		return -1;
	if (v != (int)v)
		return failf(&c, "format", "expected a whole number");
	if (v > DX_NETLOG_FORMAT)
		return failf(&c, "format",
			     "%d: written by a newer mdediag; this one (%s) reads "
			     "format %d (update mdediag to replay it)",
			     (int)v, "mdediag " DX_VERSION, DX_NETLOG_FORMAT);
	if (get_s(&c, j, "tool", log->tool, sizeof log->tool, 1) ||
	    get_s(&c, j, "collected_at", log->collected_at, sizeof log->collected_at, 1) ||
	    get_s(&c, j, "not_tested", log->not_tested, sizeof log->not_tested, 0) ||
	    get_s(&c, j, "probe_error", log->probe_error, sizeof log->probe_error, 0))
		return -1;
	if ((opt = get_o(&c, j, "options", &bad))) {
		snprintf(c.path, sizeof c.path, "$.network.options");
		v = 0;
		if (get_b(&c, opt, "no_network", &log->no_network) ||
		    get_n(&c, opt, "timeout_ms", 0, 600e3, &v, 0) ||
		    get_s(&c, opt, "anchors", log->anchors, sizeof log->anchors, 0) ||
		    str_array(&c, opt, "connect_to", DX_NETLOG_MAX_RULES, &log->connect_to[0][0],
			      sizeof log->connect_to[0], &log->n_connect_to))
			return -1;
		log->timeout_ms = (int)v;
		snprintf(c.path, sizeof c.path, "$.network");
	} else if (bad) {
		return -1;
	}
	if ((opt = get_o(&c, j, "wpad", &bad))) {
		struct dx_netlog_wpad *w = &log->wpad;
		double st = 0, ds = 0, dc = 0, hs = 0, rc = 0;
		snprintf(c.path, sizeof c.path, "$.network.wpad");
		if (get_n(&c, opt, "stage", 0, 5, &st, 1) ||
		    get_n(&c, opt, "detect_status", 0, 16, &ds, 0) ||
		    get_n(&c, opt, "detect_code", 0, 4294967295.0, &dc, 0) ||
		    get_s(&c, opt, "detect_error", w->detect_text, sizeof w->detect_text, 0) ||
		    get_s(&c, opt, "url", w->url, sizeof w->url, 0) ||
		    get_s(&c, opt, "method", w->method, sizeof w->method, 0) ||
		    get_b(&c, opt, "inline_script", &w->inline_script) ||
		    get_s(&c, opt, "fetch_address", w->fetch_address, sizeof w->fetch_address, 0) ||
		    get_s(&c, opt, "fetch_connect_to", w->fetch_connect_to,
			  sizeof w->fetch_connect_to, 0) ||
		    get_n(&c, opt, "http_status", 0, 999, &hs, 0) ||
		    get_n(&c, opt, "script_bytes", 0, 1e9, &w->script_bytes, 0) ||
		    get_s(&c, opt, "error", w->error, sizeof w->error, 0) ||
		    get_n(&c, opt, "pac_rc", 0, 64, &rc, 0) ||
		    get_n(&c, opt, "load_ms", 0, 1e9, &w->load_ms, 0) ||
		    get_s(&c, opt, "entry_point", w->entry_point, sizeof w->entry_point, 0) ||
		    get_s(&c, opt, "alerts", w->alerts, sizeof w->alerts, 0) ||
		    get_b(&c, opt, "script_latin1", &w->script_latin1) ||
		    get_s(&c, opt, "os_error", w->os_error, sizeof w->os_error, 0) ||
		    get_s(&c, opt, "redirects", w->redirects, sizeof w->redirects, 0) ||
		    get_s(&c, opt, "www_authenticate", w->www_authenticate,
			  sizeof w->www_authenticate, 0) ||
		    get_b(&c, opt, "auth_required", &w->auth_required))
			return -1;
		w->present = 1;
		w->stage = (int)st;
		w->detect_st = (int)ds;
		w->detect_code = (unsigned)dc;
		w->http_status = (int)hs;
		w->pac_rc = (int)rc;
		snprintf(c.path, sizeof c.path, "$.network");
	} else if (bad) {
		return -1;
	}
	dests = cJSON_GetObjectItemCaseSensitive(j, "destinations");
	if (!cJSON_IsArray(dests))
		return failf(&c, "destinations", "expected an array");
	n = cJSON_GetArraySize(dests);
	if (n > DX_NETLOG_MAX)
		return failf(&c, "destinations", "%d destinations, more than the %d allowed", n,
			     DX_NETLOG_MAX);
	if (n && !(log->recs = calloc((size_t)n, sizeof *log->recs)))
		return failf(&c, NULL, "out of memory");
	cJSON_ArrayForEach(e, dests)
	{
		snprintf(c.path, sizeof c.path, "$.network.destinations[%zu]", log->n);
		if (rec_parse(&c, e, &log->recs[log->n])) {
			dx_netlog_free(log);
			return -1;
		}
		log->n++;
	}
	return 0;
}
