/* platform.c - the wrappers every caller goes through, and the small value
 * types of platform.h. The wrappers guarantee the error contract: whatever
 * a backend does, a failure comes back with a reason in err->text. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "platform.h"

const char *dx_status_name(enum dx_status s)
{
	switch (s) {
	case DX_OK: return "ok";
	case DX_NOT_FOUND: return "not-found";
	case DX_ACCESS_DENIED: return "access-denied";
	case DX_TRANSIENT: return "transient";
	case DX_TIMEOUT: return "timeout";
	case DX_BAD_DATA: return "bad-data";
	case DX_UNSUPPORTED: return "unsupported";
	}
	return "unknown";
}

enum dx_status dx_fail(struct dx_err *err, enum dx_status s, uint32_t code, const char *fmt, ...)
{
	va_list ap;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
	return s;
}

static const struct {
	enum dx_regtype t;
	const char *name;
} regtypes[] = {
	{DX_REG_NONE, "REG_NONE"},           {DX_REG_SZ, "REG_SZ"},
	{DX_REG_EXPAND_SZ, "REG_EXPAND_SZ"}, {DX_REG_BINARY, "REG_BINARY"},
	{DX_REG_DWORD, "REG_DWORD"},         {DX_REG_MULTI_SZ, "REG_MULTI_SZ"},
	{DX_REG_QWORD, "REG_QWORD"},
};

const char *dx_regtype_name(enum dx_regtype t)
{
	for (size_t i = 0; i < sizeof regtypes / sizeof regtypes[0]; i++)
		if (regtypes[i].t == t)
			return regtypes[i].name;
	return "REG_UNKNOWN";
}

int dx_regtype_parse(const char *name)
{
	for (size_t i = 0; i < sizeof regtypes / sizeof regtypes[0]; i++)
		if (strcmp(regtypes[i].name, name) == 0)
			return (int)regtypes[i].t;
	return -1;
}

void dx_regval_free(struct dx_regval *v)
{
	free(v->data);
	memset(v, 0, sizeof *v);
}

void dx_strlist_free(struct dx_strlist *l)
{
	for (size_t i = 0; i < l->count; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

int dx_strlist_push(struct dx_strlist *l, const char *s)
{
	char *copy = strdup(s);
	char **grown = realloc(l->items, (l->count + 1) * sizeof *grown);
	if (!copy || !grown) {
		free(copy);
		if (grown)
			l->items = grown;
		return -1;
	}
	l->items = grown;
	l->items[l->count++] = copy;
	return 0;
}

const char *dx_svc_state_name(int state)
{
	static const char *names[] = {"UNKNOWN",       "STOPPED", "START_PENDING",
				      "STOP_PENDING",  "RUNNING", "CONTINUE_PENDING",
				      "PAUSE_PENDING", "PAUSED"};
	return state >= 1 && state <= 7 ? names[state] : names[0];
}

const char *dx_svc_start_name(int start_type)
{
	static const char *names[] = {"BOOT_START", "SYSTEM_START", "AUTO_START", "DEMAND_START",
				      "DISABLED"};
	return start_type >= 0 && start_type <= 4 ? names[start_type] : "UNKNOWN";
}

const char *dx_evlevel_name(int level)
{
	static const char *names[] = {"log-always", "critical",    "error",
				      "warning",    "information", "verbose"};
	return level >= 0 && level <= 5 ? names[level] : "unknown";
}

int dx_evlevel_is_error(int level)
{
	return level == DX_EV_CRITICAL || level == DX_EV_ERROR;
}

void dx_eventlist_free(struct dx_eventlist *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].log);
		free(l->items[i].provider);
		free(l->items[i].message);
		dx_strlist_free(&l->items[i].strings);
	}
	free(l->items);
	l->items = NULL;
	l->count = 0;
}

void dx_one_line(char *s, char with)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = with;
}

int dx_strieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* Makes sure a failure carries a reason, whatever the backend did. */
static enum dx_status checked(enum dx_status s, struct dx_err *err, const char *what,
			      const char *arg)
{
	if (s != DX_OK && err->text[0] == '\0')
		snprintf(err->text, sizeof err->text, "%s %s: %s", what, arg, dx_status_name(s));
	return s;
}

#define CALL(p, op, err, what, arg, ...)                                                           \
	do {                                                                                       \
		(err)->code = 0;                                                                   \
		(err)->text[0] = '\0';                                                             \
		if (!(p)->ops->op)                                                                 \
			return dx_fail(err, DX_UNSUPPORTED, 0,                                     \
				       "%s: not supported by the %s platform", what,               \
				       (p)->ops->name);                                            \
		return checked((p)->ops->op((p)->ctx, __VA_ARGS__), err, what, arg);               \
	} while (0)

enum dx_status dx_reg_read(const struct dx_platform *p, const char *key, const char *value,
			   struct dx_regval *out, struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, reg_read, err, "registry read", key, key, value, out, err);
}

/* Ignoring ASCII case, then byte order: how the registry keeps a key's
 * subkeys (regedit and RegEnumKeyEx show them so on Windows and Wine). */
static int by_name_ci(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int d = strcasecmp(x, y);
	return d ? d : strcmp(x, y);
}

static enum dx_status reg_subkeys_any_order(const struct dx_platform *p, const char *key,
					    struct dx_strlist *out, struct dx_err *err)
{
	CALL(p, reg_subkeys, err, "registry subkeys", key, key, out, err);
}

/* Microsoft's RegEnumKeyEx page: "subkeys are not ordered". Every backend's
 * list (a fixture's in its JSON order) is returned sorted, so that
 * evidence listing subkeys reads the same on every platform. */
enum dx_status dx_reg_subkeys(const struct dx_platform *p, const char *key, struct dx_strlist *out,
			      struct dx_err *err)
{
	enum dx_status st;

	memset(out, 0, sizeof *out);
	st = reg_subkeys_any_order(p, key, out, err);
	if (st == DX_OK && out->count > 1)
		qsort(out->items, out->count, sizeof out->items[0], by_name_ci);
	return st;
}

enum dx_status dx_reg_values(const struct dx_platform *p, const char *key, struct dx_strlist *out,
			     struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, reg_values, err, "registry values", key, key, out, err);
}

enum dx_status dx_svc_query(const struct dx_platform *p, const char *name, struct dx_svc *out,
			    struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	out->start_type = -1;
	CALL(p, svc_query, err, "service query", name, name, out, err);
}

enum dx_status dx_file_exists(const struct dx_platform *p, const char *path, int *is_dir,
			      struct dx_err *err)
{
	*is_dir = 0;
	CALL(p, file_exists, err, "file", path, path, is_dir, err);
}

enum dx_status dx_file_version(const struct dx_platform *p, const char *path, char out[64],
			       struct dx_err *err)
{
	out[0] = '\0';
	CALL(p, file_version, err, "file version", path, path, out, err);
}

enum dx_status dx_dir_list(const struct dx_platform *p, const char *path, struct dx_strlist *out,
			   struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, dir_list, err, "directory", path, path, out, err);
}

size_t dx_text_ascii(const char *in, size_t len, char *out)
{
	const unsigned char *b = (const unsigned char *)in;
	size_t zero[2] = {0, 0}, n = 0, i = 0, step = 1;
	for (size_t k = 0; k < len; k++)
		zero[k & 1] += b[k] == 0;
	if (len >= 2 && ((b[0] == 0xFF && b[1] == 0xFE) || zero[0] + zero[1] > len / 4)) {
		/* UTF-16LE: the high bytes are the NULs; a tail may begin on
		 * either parity */
		step = 2;
		i = zero[1] >= zero[0] ? 0 : 1;
		if (b[0] == 0xFF && b[1] == 0xFE)
			i = 2;
	}
	for (; i < len; i += step) {
		unsigned c = b[i];
		int wide_high = step == 2 && i + 1 < len && b[i + 1] != 0;
		if (step == 2 && c == 0 && !wide_high)
			continue;
		if (wide_high || c >= 0x7F || (c < 0x20 && c != '\t' && c != '\r' && c != '\n'))
			c = '?';
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return n;
}

enum dx_status dx_file_tail(const struct dx_platform *p, const char *path, size_t max, char **out,
			    size_t *len, uint64_t *size, struct dx_err *err)
{
	enum dx_status s;
	*out = NULL;
	*len = 0;
	*size = 0;
	err->code = 0;
	err->text[0] = '\0';
	if (!p->ops->file_tail)
		return dx_fail(err, DX_UNSUPPORTED, 0, "file: not supported by the %s platform",
			       p->ops->name);
	s = checked(p->ops->file_tail(p->ctx, path, max, out, len, size, err), err, "file", path);
	if (s != DX_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return s;
}

enum dx_status dx_events_query(const struct dx_platform *p, const char *log, const char *provider,
			       uint32_t id, int64_t since, size_t max, struct dx_eventlist *out,
			       struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, events_query, err, "event log", log, log, provider, id, since, max, out, err);
}

enum dx_status dx_resolve_within(const struct dx_platform *p, const char *host, int timeout_ms,
				 struct dx_strlist *out, struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, resolve, err, "resolve", host, host, timeout_ms, out, err);
}

enum dx_status dx_resolve(const struct dx_platform *p, const char *host, struct dx_strlist *out,
			  struct dx_err *err)
{
	return dx_resolve_within(p, host, 0, out, err);
}

void dx_wpad_free(struct dx_wpad *w)
{
	free(w->script);
	memset(w, 0, sizeof *w);
}

enum dx_status dx_wpad_detect(const struct dx_platform *p, int timeout_ms, struct dx_wpad *out,
			      struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	CALL(p, wpad_detect, err, "WPAD", "", timeout_ms, out, err);
}

enum dx_status dx_autoproxy(const struct dx_platform *p, const char *url, const char *pac_url,
			    int timeout_ms, char out[1024], struct dx_err *err)
{
	out[0] = '\0';
	CALL(p, autoproxy, err, "auto-proxy", url, url, pac_url, timeout_ms, out, err);
}

int64_t dx_now(const struct dx_platform *p)
{
	return p->ops->now ? p->ops->now(p->ctx) : 0;
}

enum dx_status dx_hostname(const struct dx_platform *p, char out[256], struct dx_err *err)
{
	out[0] = '\0';
	CALL(p, hostname, err, "host name", "", out, err);
}

enum dx_status dx_time_zone(const struct dx_platform *p, struct dx_time_zone *out,
			    struct dx_err *err)
{
	enum dx_status s;
	memset(out, 0, sizeof *out);
	err->code = 0;
	err->text[0] = '\0';
	if (!p->ops->time_zone)
		return dx_fail(err, DX_UNSUPPORTED, 0,
			       "time zone: not supported by the %s platform", p->ops->name);
	s = checked(p->ops->time_zone(p->ctx, out, err), err, "time zone", "");
	if (s != DX_OK)
		memset(out, 0, sizeof *out);
	return s;
}

enum dx_status dx_elevated(const struct dx_platform *p, int *out, struct dx_err *err)
{
	enum dx_status s;
	int v = -1;
	err->code = 0;
	err->text[0] = '\0';
	if (!p->ops->elevated)
		s = dx_fail(err, DX_UNSUPPORTED, 0,
			    "process elevation: not supported by the %s platform", p->ops->name);
	else
		s = checked(p->ops->elevated(p->ctx, &v, err), err, "process elevation", "");
	*out = s == DX_OK ? (v != 0) : -1;
	return s;
}

void dx_platform_close(struct dx_platform *p)
{
	if (p->ops && p->ops->close)
		p->ops->close(p->ctx);
	p->ops = NULL;
	p->ctx = NULL;
}

enum dx_status dx_reg_dword(const struct dx_platform *p, const char *key, const char *value,
			    uint32_t *out, struct dx_err *err)
{
	struct dx_regval v;
	enum dx_status s = dx_reg_read(p, key, value, &v, err);
	if (s == DX_OK) {
		if (v.type == DX_REG_DWORD)
			*out = (uint32_t)v.num;
		else
			s = dx_fail(err, DX_BAD_DATA, DX_ERROR_INVALID_DATA,
				    "%s\\%s is %s, expected REG_DWORD", key, value,
				    dx_regtype_name(v.type));
	}
	dx_regval_free(&v);
	return s;
}

enum dx_status dx_reg_string(const struct dx_platform *p, const char *key, const char *value,
			     char *out, size_t outsz, struct dx_err *err)
{
	struct dx_regval v;
	enum dx_status s = dx_reg_read(p, key, value, &v, err);
	out[0] = '\0';
	if (s != DX_OK)
		goto out;
	if (v.type != DX_REG_SZ && v.type != DX_REG_EXPAND_SZ) {
		s = dx_fail(err, DX_BAD_DATA, DX_ERROR_INVALID_DATA,
			    "%s\\%s is %s, expected REG_SZ", key, value, dx_regtype_name(v.type));
		goto out;
	}
	if (v.len >= outsz) {
		s = dx_fail(err, DX_BAD_DATA, DX_ERROR_INVALID_DATA,
			    "%s\\%s is %zu bytes long, more than the %zu expected", key, value,
			    v.len, outsz - 1);
		goto out;
	}
	memcpy(out, v.data, v.len);
	out[v.len] = '\0';
out:
	dx_regval_free(&v);
	return s;
}

void dx_format_time(int64_t t, char out[32])
{
	int64_t days = t / 86400, secs = t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	/* civil from days (Howard Hinnant) */
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = yoe + era * 400;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
