/* platform_record.c - see platform_record.h.
 *
 * Every call is forwarded to the inner platform and its answer merged into
 * a fixture tree: registry values under their key, services, files (with
 * versions), events (deduplicated), DNS answers, the clock and the host
 * name. Enumerations are recorded so that the replay enumerates the same
 * names: subkeys become (empty) keys, value names are read and stored,
 * directory entries are looked up as files or directories. Failures other
 * than "not found" become fault rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "platform_record.h"

#ifdef _WIN32
/* win32 branch: MinGW's C runtime (msvcrt) has no strndup. */
static char *strndup(const char *s, size_t n)
{
	size_t len = strnlen(s, n);
	char *d = malloc(len + 1);

	if (d) {
		memcpy(d, s, len);
		d[len] = '\0';
	}
	return d;
}
#endif

#define MAX_ENUM 2000 /* entries recorded per enumeration */

struct rec {
	struct dx_platform inner;
	cJSON *registry, *services, *files, *events, *dns, *faults;
	cJSON *wpad; /* NULL until WPAD was asked */
	int64_t clock;
	char hostname[256];
	int elevated; /* -1 not asked or not known */
	int tz_known; /* time_zone answered */
	struct dx_time_zone tz;
};

/* The member of `obj` named `name` ignoring case, created when absent. */
static cJSON *child(cJSON *obj, const char *name, int array)
{
	cJSON *c;
	cJSON_ArrayForEach(c, obj) if (dx_strieq(c->string, name)) return c;
	c = array ? cJSON_CreateArray() : cJSON_CreateObject();
	if (c)
		cJSON_AddItemToObject(obj, name, c);
	return c;
}

static void set(cJSON *obj, const char *name, cJSON *val)
{
	cJSON *c;
	if (!obj || !val) {
		cJSON_Delete(val);
		return;
	}
	cJSON_ArrayForEach(c, obj) if (dx_strieq(c->string, name))
	{
		cJSON_ReplaceItemInObjectCaseSensitive(obj, c->string, val);
		return;
	}
	cJSON_AddItemToObject(obj, name, val);
}

static const char *error_name(enum dx_status s)
{
	switch (s) {
	case DX_ACCESS_DENIED: return "access-denied";
	case DX_TRANSIENT: return "transient";
	case DX_TIMEOUT: return "timeout";
	case DX_BAD_DATA: return "bad-data";
	case DX_UNSUPPORTED: return "unsupported"; /* win32 branch: events under Wine */
	default: return NULL;
	}
}

/* A failure the fixture cannot express as data becomes a fault rule. */
static void record_fault_named(struct rec *r, const char *primitive, const char *target,
			       const char *e);

static void record_fault(struct rec *r, const char *primitive, const char *target, enum dx_status s)
{
	record_fault_named(r, primitive, target, error_name(s));
}

static void record_fault_named(struct rec *r, const char *primitive, const char *target,
			       const char *e)
{
	if (!e || !r->faults)
		return;
	cJSON *f;
	cJSON_ArrayForEach(f, r->faults)
	{
		const cJSON *p = cJSON_GetObjectItem(f, "primitive");
		const cJSON *t = cJSON_GetObjectItem(f, "target");
		if (strcmp(p->valuestring, primitive) == 0 && dx_strieq(t->valuestring, target))
			return;
	}
	f = cJSON_CreateObject();
	if (!f)
		return;
	cJSON_AddStringToObject(f, "primitive", primitive);
	cJSON_AddStringToObject(f, "target", target);
	cJSON_AddStringToObject(f, "error", e);
	cJSON_AddItemToArray(r->faults, f);
}

static cJSON *value_json(const struct dx_regval *v)
{
	cJSON *o;
	switch (v->type) {
	case DX_REG_SZ: return cJSON_CreateString(v->data ? (const char *)v->data : "");
	case DX_REG_DWORD: return cJSON_CreateNumber((double)v->num);
	case DX_REG_EXPAND_SZ:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "REG_EXPAND_SZ");
		cJSON_AddStringToObject(o, "data", v->data ? (const char *)v->data : "");
		return o;
	case DX_REG_QWORD: {
		char num[32];
		snprintf(num, sizeof num, "%llu", (unsigned long long)v->num);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "REG_QWORD");
		cJSON_AddStringToObject(o, "data", num);
		return o;
	}
	case DX_REG_MULTI_SZ: {
		o = cJSON_CreateObject();
		cJSON *arr = cJSON_CreateArray();
		cJSON_AddStringToObject(o, "type", "REG_MULTI_SZ");
		for (size_t i = 0; v->data && i < v->len;) {
			const char *s = (const char *)v->data + i;
			size_t n = strnlen(s, v->len - i);
			if (n == 0)
				break;
			char *copy = strndup(s, n);
			cJSON_AddItemToArray(arr, cJSON_CreateString(copy ? copy : ""));
			free(copy);
			i += n + 1;
		}
		cJSON_AddItemToObject(o, "data", arr);
		return o;
	}
	default: {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type",
					v->type == DX_REG_NONE ? "REG_NONE" : "REG_BINARY");
		char *hex = malloc(v->len * 2 + 1);
		if (hex) {
			for (size_t i = 0; i < v->len; i++)
				snprintf(hex + 2 * i, 3, "%02x", v->data[i]);
			hex[v->len * 2] = '\0';
			cJSON_AddStringToObject(o, "hex", hex);
			free(hex);
		}
		return o;
	}
	}
}

#define INNER(op, ...) r->inner.ops->op(r->inner.ctx, __VA_ARGS__)

static enum dx_status rc_reg_read(void *ctx, const char *key, const char *value,
				  struct dx_regval *out, struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(reg_read, key, value, out, err);
	if (s == DX_OK) {
		set(child(r->registry, key, 0), value, value_json(out));
	} else {
		char target[1100];
		snprintf(target, sizeof target, "%s\\%s", key, value);
		record_fault(r, "reg_read", target, s);
	}
	return s;
}

static enum dx_status rc_reg_subkeys(void *ctx, const char *key, struct dx_strlist *out,
				     struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(reg_subkeys, key, out, err);
	if (s == DX_OK) {
		for (size_t i = 0; i < out->count && i < MAX_ENUM; i++) {
			char sub[1100];
			snprintf(sub, sizeof sub, "%s\\%s", key, out->items[i]);
			child(r->registry, sub, 0);
		}
	} else {
		record_fault(r, "reg_subkeys", key, s);
	}
	return s;
}

static enum dx_status rc_reg_values(void *ctx, const char *key, struct dx_strlist *out,
				    struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(reg_values, key, out, err);
	if (s != DX_OK) {
		record_fault(r, "reg_values", key, s);
		return s;
	}
	cJSON *k = child(r->registry, key, 0);
	for (size_t i = 0; i < out->count && i < MAX_ENUM; i++) {
		struct dx_regval v;
		struct dx_err e;
		memset(&v, 0, sizeof v);
		if (INNER(reg_read, key, out->items[i], &v, &e) == DX_OK)
			set(k, out->items[i], value_json(&v));
		dx_regval_free(&v);
	}
	return s;
}

static enum dx_status rc_svc_query(void *ctx, const char *name, struct dx_svc *out,
				   struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(svc_query, name, out, err);
	if (s == DX_OK) {
		cJSON *o = cJSON_CreateObject();
		if (o) {
			cJSON_AddNumberToObject(o, "state", out->state);
			if (out->start_type >= 0)
				cJSON_AddNumberToObject(o, "start_type", out->start_type);
			if (out->image_path[0])
				cJSON_AddStringToObject(o, "image_path", out->image_path);
		}
		set(r->services, name, o);
	} else if (s == DX_NOT_FOUND && err->code == DX_ERROR_SERVICE_MARKED_FOR_DELETE) {
		record_fault_named(r, "svc_query", name, "marked-for-delete");
	} else if (s != DX_NOT_FOUND) {
		record_fault(r, "svc_query", name, s);
	}
	return s;
}

static void note_file(struct rec *r, const char *path, int is_dir)
{
	cJSON *f = child(r->files, path, 0);
	if (is_dir && f && !cJSON_GetObjectItem(f, "type"))
		cJSON_AddStringToObject(f, "type", "dir");
}

static enum dx_status rc_file_exists(void *ctx, const char *path, int *is_dir, struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(file_exists, path, is_dir, err);
	if (s == DX_OK)
		note_file(r, path, *is_dir);
	else
		record_fault(r, "file_exists", path, s);
	return s;
}

static enum dx_status rc_file_version(void *ctx, const char *path, char out[64], struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(file_version, path, out, err);
	if (s == DX_OK)
		set(child(r->files, path, 0), "version", cJSON_CreateString(out));
	else if (s == DX_NOT_FOUND && err->code == 1813)
		child(r->files, path, 0); /* exists, without a version */
	else
		record_fault(r, "file_version", path, s);
	return s;
}

static enum dx_status rc_dir_list(void *ctx, const char *path, struct dx_strlist *out,
				  struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(dir_list, path, out, err);
	if (s != DX_OK) {
		record_fault(r, "dir_list", path, s);
		return s;
	}
	note_file(r, path, 1);
	for (size_t i = 0; i < out->count && i < MAX_ENUM; i++) {
		char p[1100];
		int is_dir = 0;
		struct dx_err e;
		snprintf(p, sizeof p, "%s%s%s", path,
			 path[0] && path[strlen(path) - 1] == '\\' ? "" : "\\", out->items[i]);
		if (INNER(file_exists, p, &is_dir, &e) == DX_OK)
			note_file(r, p, is_dir);
	}
	return s;
}

static const char *level_name(int level)
{
	return dx_evlevel_name(level >= 0 && level <= 5 ? level : 4);
}

static enum dx_status rc_events_query(void *ctx, const char *log, const char *provider, uint32_t id,
				      int64_t since, size_t max, struct dx_eventlist *out,
				      struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(events_query, log, provider, id, since, max, out, err);
	if (s != DX_OK) {
		record_fault(r, "events_query", log, s);
		return s;
	}
	for (size_t i = 0; i < out->count; i++) {
		const struct dx_event *e = &out->items[i];
		char when[32];
		dx_format_time(e->time, when);
		int dup = 0;
		cJSON *x;
		cJSON_ArrayForEach(x, r->events)
		{
			dup |= cJSON_GetObjectItem(x, "id")->valuedouble == e->id &&
			       strcmp(cJSON_GetObjectItem(x, "time")->valuestring, when) == 0 &&
			       dx_strieq(cJSON_GetObjectItem(x, "log")->valuestring, e->log) &&
			       strcmp(cJSON_GetObjectItem(x, "provider")->valuestring,
				      e->provider) == 0 &&
			       strcmp(cJSON_GetObjectItem(x, "message")->valuestring, e->message) ==
				       0;
		}
		if (dup)
			continue;
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		cJSON_AddStringToObject(o, "log", e->log);
		cJSON_AddStringToObject(o, "provider", e->provider);
		cJSON_AddNumberToObject(o, "id", e->id);
		cJSON_AddStringToObject(o, "level", level_name(e->level));
		cJSON_AddStringToObject(o, "time", when);
		cJSON_AddStringToObject(o, "message", e->message);
		if (e->strings.count) {
			cJSON *st = cJSON_CreateArray();
			for (size_t k = 0; st && k < e->strings.count; k++)
				cJSON_AddItemToArray(st, cJSON_CreateString(e->strings.items[k]));
			cJSON_AddItemToObject(o, "strings", st);
		}
		cJSON_AddItemToArray(r->events, o);
	}
	return s;
}

static enum dx_status rc_resolve(void *ctx, const char *host, int timeout_ms,
				 struct dx_strlist *out, struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(resolve, host, timeout_ms, out, err);
	cJSON *v = NULL;
	if (s == DX_OK) {
		v = cJSON_CreateArray();
		for (size_t i = 0; v && i < out->count && i < 64; i++)
			cJSON_AddItemToArray(v, cJSON_CreateString(out->items[i]));
	} else if (s == DX_NOT_FOUND || s == DX_TRANSIENT || s == DX_TIMEOUT) {
		v = cJSON_CreateObject();
		if (v)
			cJSON_AddStringToObject(v, "error",
						s == DX_NOT_FOUND   ? "nxdomain"
						: s == DX_TRANSIENT ? "servfail"
								    : "timeout");
	} else {
		record_fault(r, "resolve", host, s);
	}
	if (v)
		set(r->dns, host, v);
	return s;
}

static int64_t rc_now(void *ctx)
{
	struct rec *r = ctx;
	r->clock = r->inner.ops->now ? r->inner.ops->now(r->inner.ctx) : 0;
	return r->clock;
}

static enum dx_status rc_hostname(void *ctx, char out[256], struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = INNER(hostname, out, err);
	if (s == DX_OK)
		snprintf(r->hostname, sizeof r->hostname, "%s", out);
	return s;
}

/* What was read of the file, as the check reads it (dx_text_ascii): the
 * collected file stays valid UTF-8 and the replay reads the same text. */
static enum dx_status rc_file_tail(void *ctx, const char *path, size_t max, char **out, size_t *len,
				   uint64_t *size, struct dx_err *err)
{
	struct rec *r = ctx;
	if (!r->inner.ops->file_tail)
		return dx_fail(err, DX_UNSUPPORTED, 0, "file_tail: not supported");
	enum dx_status s = INNER(file_tail, path, max, out, len, size, err);
	if (s != DX_OK) {
		if (s != DX_NOT_FOUND)
			record_fault(r, "file_tail", path, s);
		return s;
	}
	char *text = malloc(*len + 1);
	if (text) {
		dx_text_ascii(*out, *len, text);
		set(child(r->files, path, 0), "content", cJSON_CreateString(text));
		free(text);
	}
	return s;
}

static enum dx_status rc_wpad_detect(void *ctx, int timeout_ms, struct dx_wpad *out,
				     struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s;
	cJSON *w;
	if (!r->inner.ops->wpad_detect)
		return dx_fail(err, DX_UNSUPPORTED, 0, "WPAD: not supported");
	s = INNER(wpad_detect, timeout_ms, out, err);
	if (s != DX_OK && s != DX_NOT_FOUND && s != DX_TIMEOUT) {
		record_fault(r, "wpad_detect", "", s);
		return s;
	}
	w = cJSON_CreateObject();
	if (!w)
		return s;
	/* a platform that cannot say how is recorded as DNS, the usual way */
	cJSON_AddStringToObject(w, "detect",
				s == DX_NOT_FOUND ? "not-found"
				: s == DX_TIMEOUT ? "timeout"
				: out->method[0]  ? out->method
						  : "dns");
	if (s == DX_OK) {
		cJSON_AddStringToObject(w, "url", out->url);
		if (out->script)
			cJSON_AddStringToObject(w, "script", out->script);
	}
	cJSON_Delete(r->wpad);
	r->wpad = w;
	return s;
}

/* The OS's answers are kept per destination host (wpad.os_answers), so a
 * replay routes as the device's own auto-proxy did. */
static enum dx_status rc_autoproxy(void *ctx, const char *url, const char *pac_url, int timeout_ms,
				   char out[1024], struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s;
	if (!r->inner.ops->autoproxy)
		return dx_fail(err, DX_UNSUPPORTED, 0, "auto-proxy: not supported");
	s = INNER(autoproxy, url, pac_url, timeout_ms, out, err);
	if (s == DX_OK && r->wpad) {
		const char *h = strstr(url, "://");
		char host[256];
		cJSON *oa = cJSON_GetObjectItemCaseSensitive(r->wpad, "os_answers");
		h = h ? h + 3 : url;
		snprintf(host, sizeof host, "%.*s", (int)strcspn(h, ":/?#"), h);
		if (!oa)
			oa = cJSON_AddObjectToObject(r->wpad, "os_answers");
		if (oa && host[0] && !cJSON_GetObjectItemCaseSensitive(oa, host))
			cJSON_AddStringToObject(oa, host, out);
	}
	return s;
}

static enum dx_status rc_elevated(void *ctx, int *out, struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = r->inner.ops->elevated
				   ? INNER(elevated, out, err)
				   : dx_fail(err, DX_UNSUPPORTED, 0, "elevation: not supported");
	if (s == DX_OK)
		r->elevated = *out != 0;
	else
		record_fault(r, "elevated", "", s);
	return s;
}

static enum dx_status rc_time_zone(void *ctx, struct dx_time_zone *out, struct dx_err *err)
{
	struct rec *r = ctx;
	enum dx_status s = r->inner.ops->time_zone
				   ? INNER(time_zone, out, err)
				   : dx_fail(err, DX_UNSUPPORTED, 0, "time zone: not supported");
	if (s == DX_OK) {
		r->tz = *out;
		r->tz_known = 1;
	} else {
		record_fault(r, "time_zone", "", s);
	}
	return s;
}

static void rc_close(void *ctx)
{
	struct rec *r = ctx;
	cJSON_Delete(r->wpad);
	dx_platform_close(&r->inner);
	cJSON_Delete(r->registry);
	cJSON_Delete(r->services);
	cJSON_Delete(r->files);
	cJSON_Delete(r->events);
	cJSON_Delete(r->dns);
	cJSON_Delete(r->faults);
	free(r);
}

static const struct dx_platform_ops dx_record_ops = {
	.name = "record",
	.reg_read = rc_reg_read,
	.reg_subkeys = rc_reg_subkeys,
	.reg_values = rc_reg_values,
	.svc_query = rc_svc_query,
	.file_exists = rc_file_exists,
	.file_version = rc_file_version,
	.dir_list = rc_dir_list,
	.events_query = rc_events_query,
	.resolve = rc_resolve,
	.now = rc_now,
	.hostname = rc_hostname,
	.elevated = rc_elevated,
	.close = rc_close,
	.file_tail = rc_file_tail,
	.wpad_detect = rc_wpad_detect,
	.autoproxy = rc_autoproxy,
	.time_zone = rc_time_zone,
};

int dx_record_open(struct dx_platform *out, struct dx_platform inner)
{
	const struct dx_platform_ops *o = inner.ops;
	if (!o->reg_read || !o->reg_subkeys || !o->reg_values || !o->svc_query || !o->file_exists ||
	    !o->file_version || !o->dir_list || !o->events_query || !o->resolve || !o->hostname)
		return -1; /* the recorder forwards every primitive */
	struct rec *r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->inner = inner;
	r->elevated = -1;
	r->registry = cJSON_CreateObject();
	r->services = cJSON_CreateObject();
	r->files = cJSON_CreateObject();
	r->events = cJSON_CreateArray();
	r->dns = cJSON_CreateObject();
	r->faults = cJSON_CreateArray();
	if (!r->registry || !r->services || !r->files || !r->events || !r->dns || !r->faults) {
		r->inner.ops = NULL;
		rc_close(r);
		return -1;
	}
	out->ops = &dx_record_ops;
	out->ctx = r;
	return 0;
}

cJSON *dx_record_fixture(const struct dx_platform *rec, const char *description)
{
	const struct rec *r = rec->ctx;
	char when[32];
	if (rec->ops != &dx_record_ops)
		return NULL;
	cJSON *fx = cJSON_CreateObject();
	if (!fx)
		return NULL;
	cJSON_AddStringToObject(fx, "schema", "mdediag-fixture/1");
	cJSON_AddStringToObject(fx, "description", description ? description : "");
	if (r->hostname[0])
		cJSON_AddStringToObject(fx, "hostname", r->hostname);
	if (r->clock > 0) {
		dx_format_time(r->clock, when);
		cJSON_AddStringToObject(fx, "clock", when);
	}
	cJSON_AddItemToObject(fx, "registry", cJSON_Duplicate(r->registry, 1));
	cJSON_AddItemToObject(fx, "services", cJSON_Duplicate(r->services, 1));
	cJSON_AddItemToObject(fx, "files", cJSON_Duplicate(r->files, 1));
	cJSON_AddItemToObject(fx, "events", cJSON_Duplicate(r->events, 1));
	cJSON_AddItemToObject(fx, "dns", cJSON_Duplicate(r->dns, 1));
	if (r->wpad)
		cJSON_AddItemToObject(fx, "wpad", cJSON_Duplicate(r->wpad, 1));
	if (r->elevated >= 0) {
		cJSON *pr = cJSON_CreateObject();
		cJSON_AddBoolToObject(pr, "elevated", r->elevated);
		cJSON_AddItemToObject(fx, "process", pr);
	}
	if (r->tz_known) {
		cJSON *tz = cJSON_CreateObject();
		cJSON_AddNumberToObject(tz, "utc_offset_minutes", r->tz.offset_s / 60);
		if (r->tz.name[0])
			cJSON_AddStringToObject(tz, "name", r->tz.name);
		cJSON_AddItemToObject(fx, "time_zone", tz);
	}
	if (cJSON_GetArraySize(r->faults))
		cJSON_AddItemToObject(fx, "faults", cJSON_Duplicate(r->faults, 1));
	return fx;
}
