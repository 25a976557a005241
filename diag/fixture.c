/* fixture.c - loads and validates a device fixture (docs/fixture.md).
 *
 * Everything a fixture says is checked here, once, with the JSON path of
 * the first problem; the fake platform can then trust the model. Hostile
 * input is expected: sizes and counts are bounded, numbers range-checked,
 * duplicate names (which Windows would treat as one, ignoring case) are
 * errors, and unknown members are errors so a typo does not pass silently.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "win32_args.h"
#include "fixture.h"
#include "pac.h" /* dx_pac_parse: wpad.os_answers */
#include "netrec.h"
#include "readfile.h"
#include "jpath.h"
#include "jsontext.h"
#include "utf8.h"

struct ld {
	const char *file;
	char *err;
	size_t errsz;
	struct cm_jpath path; /* where the loader is, for fail() */
	struct dx_fixture *fx;
};

static int fail(struct ld *ld, const char *fmt, ...) DX_PRINTF(2, 3);
static int fail(struct ld *ld, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* values quoted from the fixture keep the error on one line */
	dx_one_line(msg, '?');
	snprintf(ld->err, ld->errsz, "%s: %s: %s", ld->file, ld->path.s[0] ? ld->path.s : "$", msg);
	return -1;
}

/* Appends ".member" or ["member"] to the path (cm_jpath_member; a name
 * that is not UTF-8 is shown with '?' for its bytes above 0x7F); returns
 * the old length for cm_jpath_pop. */
static size_t push(struct ld *ld, const char *member, int bracket)
{
	char shown[200];
	if (!dx_utf8_bad(member))
		return cm_jpath_member(&ld->path, member, bracket);
	snprintf(shown, sizeof shown, "%s", member);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c >= 0x80)
			*c = '?';
	return cm_jpath_member(&ld->path, shown, bracket);
}

static int want(struct ld *ld, const cJSON *j, int ok, const char *what)
{
	if (!ok)
		return fail(ld, "expected %s, found %s", what, cm_jpath_type_name(j));
	return 0;
}

static int count_children(const cJSON *j)
{
	int n = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		n++;
	return n;
}

static int schema_like(const char *s) /* "image_path": shown as .member */
{
	if (!(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

/* 1 when every member name and string under j is UTF-8: the quick pass,
 * with no path built (most documents are valid; `mdediag fleet` loads
 * thousands). */
static int all_utf8(const cJSON *j)
{
	for (const cJSON *c = j->child; c; c = c->next) {
		if ((cJSON_IsObject(j) && dx_utf8_bad(c->string)) ||
		    (cJSON_IsString(c) && dx_utf8_bad(c->valuestring)) || !all_utf8(c))
			return 0;
	}
	return 1;
}

/* Every member name and string in the document is UTF-8: the reports
 * (JSON, HTML) carry device strings and must stay well-formed. cJSON's
 * nesting limit bounds the recursion. The path of the first bad one is
 * built only when there is one. */
static int check_utf8(struct ld *ld, const cJSON *j)
{
	size_t i = 0;
	if (ld->path.s[0] == '$' && !ld->path.s[1] && all_utf8(j))
		return 0;
	for (const cJSON *c = j->child; c; c = c->next, i++) {
		size_t n = cJSON_IsObject(j) ? push(ld, c->string, !schema_like(c->string))
					     : cm_jpath_index(&ld->path, i);
		size_t at;
		if (cJSON_IsObject(j) && (at = dx_utf8_bad(c->string)) != 0)
			return fail(ld, "member name is not valid UTF-8 (byte %zu)", at);
		if (cJSON_IsString(c) && (at = dx_utf8_bad(c->valuestring)) != 0)
			return fail(ld, "string is not valid UTF-8 (byte %zu)", at);
		if (check_utf8(ld, c))
			return -1;
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int cmp_ci(const void *a, const void *b)
{
	return strcasecmp(*(const char *const *)a, *(const char *const *)b);
}

/* Members of an object: bounded in number, no two equal ignoring case. */
static int check_object(struct ld *ld, const cJSON *j, const char *what)
{
	if (want(ld, j, cJSON_IsObject(j), what))
		return -1;
	int n = count_children(j);
	if ((unsigned)n > DX_FIXTURE_MAX_ITEMS)
		return fail(ld, "%d members, more than the %u allowed", n, DX_FIXTURE_MAX_ITEMS);
	if (n < 2)
		return 0;
	const char **names = malloc((size_t)n * sizeof *names);
	if (!names)
		return fail(ld, "out of memory");
	int i = 0, rc = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		names[i++] = c->string;
	qsort(names, (size_t)n, sizeof *names, cmp_ci);
	for (i = 1; i < n; i++)
		if (strcasecmp(names[i - 1], names[i]) == 0) {
			rc = fail(ld,
				  "\"%s\" and \"%s\" name the same thing "
				  "(names are compared ignoring case)",
				  names[i - 1], names[i]);
			break;
		}
	free(names);
	return rc;
}

static int only_members(struct ld *ld, const cJSON *j, const char *const *allowed)
{
	const cJSON *c = cm_jpath_unknown(j, allowed);
	char list[256] = "";
	if (!c)
		return 0;
	for (const char *const *a = allowed; *a; a++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
			 a == allowed ? "" : ", ", *a);
	size_t n = push(ld, c->string, 0);
	fail(ld, "unknown member (allowed here: %s)", list);
	cm_jpath_pop(&ld->path, n);
	return -1;
}

static int get_string(struct ld *ld, const cJSON *j, size_t maxlen, const char **out)
{
	if (want(ld, j, cJSON_IsString(j), "a string"))
		return -1;
	size_t len = strlen(j->valuestring);
	if (len > maxlen)
		return fail(ld, "string of %zu bytes, more than the %zu allowed", len, maxlen);
	*out = j->valuestring;
	return 0;
}

/* A whole number, for any double: beyond 2^53 every double is one, and
 * converting a value outside long long's range is undefined behaviour. */
static int is_whole(double d)
{
	if (d != d)
		return 0;
	if (d >= 0x1p53 || d <= -0x1p53)
		return 1;
	return d == (double)(long long)d;
}

static int get_uint(struct ld *ld, const cJSON *j, double max, uint64_t *out)
{
	if (want(ld, j, cJSON_IsNumber(j), "a number"))
		return -1;
	double d = j->valuedouble;
	if (d < 0 || d > max || !is_whole(d))
		return fail(ld, "%.*f is not a whole number from 0 to %.0f", is_whole(d) ? 0 : 3, d,
			    max);
	*out = (uint64_t)d;
	return 0;
}

int64_t dx_parse_time(const char *s)
{
	int y, mo, d, h, mi, se;
	char z = 0, end = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c%c", &y, &mo, &d, &h, &mi, &se, &z, &end) != 7 ||
	    z != 'Z')
		return -1;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 60 || h < 0 || mi < 0 || se < 0)
		return -1;
	/* days from civil (Howard Hinnant), no time zone involved */
	int yy = y - (mo <= 2);
	int era = yy / 400;
	int yoe = yy - era * 400;
	int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = (int64_t)era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + se;
}

static int get_time(struct ld *ld, const cJSON *j, int64_t *out)
{
	const char *s;
	if (get_string(ld, j, 64, &s))
		return -1;
	*out = dx_parse_time(s);
	if (*out < 0)
		return fail(ld, "\"%s\" is not a UTC time like 2026-11-20T08:00:00Z", s);
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits, optionally separated by spaces, commas or colons. */
static int parse_hex(struct ld *ld, const char *s, struct dx_regval *v)
{
	size_t n = strlen(s);
	v->data = malloc(n / 2 + 1);
	if (!v->data)
		return fail(ld, "out of memory");
	v->len = 0;
	int hi = -1;
	for (const char *c = s; *c; c++) {
		if (*c == ' ' || *c == ',' || *c == ':')
			continue;
		int x = hexval((unsigned char)*c);
		if (x < 0)
			return fail(ld, "'%c' is not a hex digit",
				    isprint((unsigned char)*c) ? *c : '?');
		if (hi < 0) {
			hi = x;
		} else {
			v->data[v->len++] = (unsigned char)(hi << 4 | x);
			hi = -1;
		}
	}
	if (hi >= 0)
		return fail(ld, "odd number of hex digits");
	return 0;
}

static int set_string_value(struct ld *ld, const cJSON *j, struct dx_regval *v)
{
	const char *s;
	if (get_string(ld, j, DX_FIXTURE_MAX_STRING, &s))
		return -1;
	v->len = strlen(s);
	v->data = (unsigned char *)strdup(s);
	return v->data ? 0 : fail(ld, "out of memory");
}

static int load_value(struct ld *ld, const cJSON *j, struct dx_regval *v)
{
	static const char *const allowed[] = {"type", "data", "hex", NULL};
	if (cJSON_IsString(j)) {
		v->type = DX_REG_SZ;
		return set_string_value(ld, j, v);
	}
	if (cJSON_IsNumber(j)) {
		v->type = DX_REG_DWORD;
		return get_uint(ld, j, 4294967295.0, &v->num);
	}
	if (!cJSON_IsObject(j))
		return fail(ld,
			    "expected a string (REG_SZ), a number (REG_DWORD) "
			    "or an object with \"type\", found %s",
			    cm_jpath_type_name(j));
	if (only_members(ld, j, allowed))
		return -1;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	const cJSON *data = cJSON_GetObjectItemCaseSensitive(j, "data");
	const cJSON *hex = cJSON_GetObjectItemCaseSensitive(j, "hex");
	size_t n = push(ld, "type", 0);
	if (!t) {
		cm_jpath_pop(&ld->path, n);
		return fail(ld, "missing \"type\" (REG_SZ, REG_EXPAND_SZ, "
				"REG_MULTI_SZ, REG_DWORD, REG_QWORD, REG_BINARY)");
	}
	const char *tn;
	if (get_string(ld, t, 32, &tn))
		return -1;
	int type = dx_regtype_parse(tn);
	if (type < 0)
		return fail(ld, "unknown registry type \"%s\"", tn);
	cm_jpath_pop(&ld->path, n);
	v->type = (enum dx_regtype)type;
	if (hex && type != DX_REG_BINARY && type != DX_REG_NONE) {
		push(ld, "hex", 0);
		return fail(ld, "\"hex\" is only for REG_BINARY and REG_NONE");
	}
	if (type == DX_REG_BINARY || type == DX_REG_NONE) {
		const cJSON *h = hex ? hex : data;
		if (!h) {
			if (type == DX_REG_NONE)
				return 0;
			return fail(ld, "REG_BINARY needs \"hex\"");
		}
		const char *s;
		push(ld, hex ? "hex" : "data", 0);
		if (get_string(ld, h, 2 * (size_t)DX_FIXTURE_MAX_STRING, &s))
			return -1;
		if (parse_hex(ld, s, v))
			return -1;
		cm_jpath_pop(&ld->path, n);
		return 0;
	}
	if (!data)
		return fail(ld, "%s needs \"data\"", tn);
	push(ld, "data", 0);
	switch (type) {
	case DX_REG_SZ:
	case DX_REG_EXPAND_SZ:
		if (set_string_value(ld, data, v))
			return -1;
		break;
	case DX_REG_DWORD:
		if (get_uint(ld, data, 4294967295.0, &v->num))
			return -1;
		break;
	case DX_REG_QWORD:
		if (cJSON_IsString(data)) {
			char *end;
			errno = 0;
			unsigned long long q = strtoull(data->valuestring, &end, 0);
			if (errno || *end || !data->valuestring[0] || data->valuestring[0] == '-')
				return fail(ld, "\"%.40s\" is not a 64-bit number",
					    data->valuestring);
			v->num = q;
		} else if (get_uint(ld, data, 9007199254740991.0, &v->num)) {
			return -1;
		}
		break;
	case DX_REG_MULTI_SZ: {
		if (want(ld, data, cJSON_IsArray(data), "an array of strings"))
			return -1;
		size_t total = 0, count = 0;
		for (const cJSON *s = data->child; s; s = s->next, count++) {
			size_t m = cm_jpath_index(&ld->path, count);
			if (want(ld, s, cJSON_IsString(s), "a string"))
				return -1;
			total += strlen(s->valuestring) + 1;
			if (total > DX_FIXTURE_MAX_STRING)
				return fail(ld, "REG_MULTI_SZ longer than %u bytes",
					    DX_FIXTURE_MAX_STRING);
			cm_jpath_pop(&ld->path, m);
		}
		v->data = malloc(total + 1);
		if (!v->data)
			return fail(ld, "out of memory");
		for (const cJSON *s = data->child; s; s = s->next) {
			size_t l = strlen(s->valuestring) + 1;
			memcpy(v->data + v->len, s->valuestring, l);
			v->len += l;
		}
		break;
	}
	}
	cm_jpath_pop(&ld->path, n);
	return 0;
}

/* "HKLM\A\B" (or HKEY_LOCAL_MACHINE\...) → normalised copy, or NULL. */
static char *normalise_key(struct ld *ld, const char *k)
{
	static const struct {
		const char *lng, *shrt;
	} hives[] = {
		{"HKEY_LOCAL_MACHINE", "HKLM"},
		{"HKEY_CURRENT_USER", "HKCU"},
		{"HKEY_USERS", "HKU"},
		{"HKEY_CLASSES_ROOT", "HKCR"},
		{"HKLM", "HKLM"},
		{"HKCU", "HKCU"},
		{"HKU", "HKU"},
		{"HKCR", "HKCR"},
	};
	const char *rest = NULL, *hive = NULL;
	for (size_t i = 0; i < sizeof hives / sizeof hives[0]; i++) {
		size_t l = strlen(hives[i].lng);
		if (strncasecmp(k, hives[i].lng, l) == 0 && (k[l] == '\\' || k[l] == '\0')) {
			hive = hives[i].shrt;
			rest = k + l;
			break;
		}
	}
	if (!hive) {
		fail(ld, "a registry key must start with HKLM\\ (or HKEY_LOCAL_MACHINE\\, HKCU\\, "
			 "HKU\\, HKCR\\)");
		return NULL;
	}
	if (strlen(k) > 512) {
		fail(ld, "key path longer than 512 characters");
		return NULL;
	}
	if (strstr(rest, "\\\\") || (rest[0] && rest[strlen(rest) - 1] == '\\')) {
		fail(ld, "empty component in key path");
		return NULL;
	}
	char *out = malloc(strlen(hive) + strlen(rest) + 1);
	if (!out) {
		fail(ld, "out of memory");
		return NULL;
	}
	strcpy(out, hive);
	strcat(out, rest);
	return out;
}

static int load_registry(struct ld *ld, const cJSON *reg)
{
	struct dx_fixture *fx = ld->fx;
	if (check_object(ld, reg, "an object of key paths"))
		return -1;
	fx->keys = calloc((size_t)count_children(reg) + 1, sizeof *fx->keys);
	if (!fx->keys)
		return fail(ld, "out of memory");
	for (const cJSON *k = reg->child; k; k = k->next) {
		size_t n = push(ld, k->string, 1);
		struct dx_fx_key *key = &fx->keys[fx->nkeys];
		key->path = normalise_key(ld, k->string);
		if (!key->path)
			return -1;
		fx->nkeys++;
		for (size_t i = 0; i + 1 < fx->nkeys; i++)
			if (dx_strieq(fx->keys[i].path, key->path))
				return fail(ld, "the same key as \"%s\"", fx->keys[i].path);
		if (check_object(ld, k, "an object of value names"))
			return -1;
		key->values = calloc((size_t)count_children(k) + 1, sizeof *key->values);
		if (!key->values)
			return fail(ld, "out of memory");
		for (const cJSON *v = k->child; v; v = v->next) {
			size_t m = push(ld, v->string, 1);
			if (strlen(v->string) > 16383)
				return fail(ld, "value name too long");
			struct dx_fx_value *val = &key->values[key->nvalues++];
			val->name = strdup(v->string);
			if (!val->name)
				return fail(ld, "out of memory");
			if (load_value(ld, v, &val->v))
				return -1;
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int load_services(struct ld *ld, const cJSON *svcs)
{
	static const char *const allowed[] = {"state", "start_type", "image_path", NULL};
	struct dx_fixture *fx = ld->fx;
	if (check_object(ld, svcs, "an object of service names"))
		return -1;
	fx->services = calloc((size_t)count_children(svcs) + 1, sizeof *fx->services);
	if (!fx->services)
		return fail(ld, "out of memory");
	for (const cJSON *s = svcs->child; s; s = s->next) {
		size_t n = push(ld, s->string, 1);
		struct dx_fx_service *svc = &fx->services[fx->nservices++];
		if (!s->string[0] || strlen(s->string) > 256 || strchr(s->string, '\\'))
			return fail(ld, "not a service name");
		svc->name = strdup(s->string);
		if (!svc->name)
			return fail(ld, "out of memory");
		if (check_object(ld, s, "an object") || only_members(ld, s, allowed))
			return -1;
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "state");
		const cJSON *ty = cJSON_GetObjectItemCaseSensitive(s, "start_type");
		const cJSON *ip = cJSON_GetObjectItemCaseSensitive(s, "image_path");
		uint64_t u;
		if (!st)
			return fail(ld, "missing \"state\" (1 STOPPED .. 4 RUNNING .. 7 PAUSED)");
		size_t m = push(ld, "state", 0);
		if (get_uint(ld, st, 7, &u))
			return -1;
		if (u < 1)
			return fail(ld, "service state must be 1 to 7");
		svc->svc.state = (int)u;
		cm_jpath_pop(&ld->path, m);
		svc->svc.start_type = 2;
		if (ty) {
			push(ld, "start_type", 0);
			if (get_uint(ld, ty, 4, &u))
				return -1;
			svc->svc.start_type = (int)u;
			cm_jpath_pop(&ld->path, m);
		}
		if (ip) {
			const char *p;
			push(ld, "image_path", 0);
			if (get_string(ld, ip, sizeof svc->svc.image_path - 1, &p))
				return -1;
			strcpy(svc->svc.image_path, p);
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int valid_version(const char *s)
{
	int parts = 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return 0;
		unsigned long x = strtoul(s, &end, 10);
		if (x > 65535 || end - s > 5)
			return 0;
		parts++;
		s = end;
		if (*s == '.')
			s++;
		else if (*s)
			return 0;
	}
	return parts >= 1 && parts <= 4;
}

/* A file's "content": its text, what file_tail reads (a tool's log). A
 * string of at most DX_FX_MAX_CONTENT bytes, for a file, not a directory. */
#define DX_FX_MAX_CONTENT (1024 * 1024)
static int load_file_content(struct ld *ld, const cJSON *f, struct dx_fx_file *file)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(f, "content");
	if (!c)
		return 0;
	size_t m = push(ld, "content", 0);
	if (file->is_dir)
		return fail(ld, "a directory has no content");
	if (!cJSON_IsString(c))
		return fail(ld, "not a string (the file's text)");
	size_t len = strlen(c->valuestring);
	if (len > DX_FX_MAX_CONTENT)
		return fail(ld, "%zu bytes: more than %d", len, DX_FX_MAX_CONTENT);
	file->content = strdup(c->valuestring);
	if (!file->content)
		return fail(ld, "out of memory");
	file->content_len = len;
	cm_jpath_pop(&ld->path, m);
	return 0;
}

static int load_files(struct ld *ld, const cJSON *files)
{
	static const char *const allowed[] = {"type", "version", "content", NULL};
	struct dx_fixture *fx = ld->fx;
	if (check_object(ld, files, "an object of paths"))
		return -1;
	fx->files = calloc((size_t)count_children(files) + 1, sizeof *fx->files);
	if (!fx->files)
		return fail(ld, "out of memory");
	for (const cJSON *f = files->child; f; f = f->next) {
		size_t n = push(ld, f->string, 1);
		struct dx_fx_file *file = &fx->files[fx->nfiles++];
		size_t len = strlen(f->string);
		if (len < 3 || len > 1024 || !isalpha((unsigned char)f->string[0]) ||
		    f->string[1] != ':' || f->string[2] != '\\')
			return fail(ld, "not an absolute Windows path like C:\\dir\\file");
		file->path = strdup(f->string);
		if (!file->path)
			return fail(ld, "out of memory");
		if (len > 3 && file->path[len - 1] == '\\')
			file->path[len - 1] = '\0';
		if (check_object(ld, f, "an object") || only_members(ld, f, allowed))
			return -1;
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "type");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(f, "version");
		size_t m = push(ld, "type", 0);
		if (t) {
			const char *tn;
			if (get_string(ld, t, 16, &tn))
				return -1;
			if (strcmp(tn, "dir") == 0)
				file->is_dir = 1;
			else if (strcmp(tn, "file") != 0)
				return fail(ld, "\"%s\" is neither \"file\" nor \"dir\"", tn);
		}
		cm_jpath_pop(&ld->path, m);
		if (v) {
			const char *vs;
			push(ld, "version", 0);
			if (file->is_dir)
				return fail(ld, "a directory has no version");
			if (get_string(ld, v, 63, &vs))
				return -1;
			if (!valid_version(vs))
				return fail(ld,
					    "\"%s\" is not a file version a.b.c.d (each 0-65535)",
					    vs);
			file->version = strdup(vs);
			if (!file->version)
				return fail(ld, "out of memory");
			cm_jpath_pop(&ld->path, m);
		}
		if (load_file_content(ld, f, file))
			return -1;
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int parse_level(const cJSON *j)
{
	static const char *names[] = {"log-always", "critical",    "error",
				      "warning",    "information", "verbose"};
	if (cJSON_IsNumber(j) && j->valuedouble >= 0 && j->valuedouble <= 5 &&
	    j->valuedouble == (int)j->valuedouble)
		return (int)j->valuedouble;
	if (cJSON_IsString(j))
		for (int i = 0; i <= 5; i++)
			if (strcmp(j->valuestring, names[i]) == 0)
				return i;
	return -1;
}

static char *dup_member(struct ld *ld, const cJSON *obj, const char *name, int required,
			size_t maxlen, const char *dflt)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(obj, name);
	const char *s = dflt;
	size_t n = push(ld, name, 0);
	if (!j && required) {
		fail(ld, "missing");
		return NULL;
	}
	if (j && get_string(ld, j, maxlen, &s))
		return NULL;
	cm_jpath_pop(&ld->path, n);
	char *out = strdup(s ? s : "");
	if (!out)
		fail(ld, "out of memory");
	return out;
}

static int load_events(struct ld *ld, const cJSON *evs)
{
	static const char *const allowed[] = {"log",  "provider", "id",      "level",
					      "time", "message",  "strings", NULL};
	struct dx_fixture *fx = ld->fx;
	if (want(ld, evs, cJSON_IsArray(evs), "an array of events"))
		return -1;
	size_t total = (size_t)count_children(evs);
	if (total > DX_FIXTURE_MAX_ITEMS)
		return fail(ld, "%zu events, more than the %u allowed", total,
			    DX_FIXTURE_MAX_ITEMS);
	fx->events.items = calloc(total + 1, sizeof *fx->events.items);
	if (!fx->events.items)
		return fail(ld, "out of memory");
	size_t i = 0;
	for (const cJSON *e = evs->child; e; e = e->next, i++) {
		size_t n = cm_jpath_index(&ld->path, i);
		struct dx_event *ev = &fx->events.items[fx->events.count++];
		if (want(ld, e, cJSON_IsObject(e), "an event object") ||
		    only_members(ld, e, allowed))
			return -1;
		if (!(ev->log = dup_member(ld, e, "log", 1, 256, NULL)) ||
		    !(ev->provider = dup_member(ld, e, "provider", 1, 256, NULL)) ||
		    !(ev->message = dup_member(ld, e, "message", 0, DX_FIXTURE_MAX_STRING, "")))
			return -1;
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
		const cJSON *lv = cJSON_GetObjectItemCaseSensitive(e, "level");
		const cJSON *tm = cJSON_GetObjectItemCaseSensitive(e, "time");
		size_t m = push(ld, "id", 0);
		uint64_t u;
		if (!id)
			return fail(ld, "missing");
		if (get_uint(ld, id, 65535, &u))
			return -1;
		ev->id = (uint32_t)u;
		cm_jpath_pop(&ld->path, m);
		push(ld, "level", 0);
		ev->level = lv ? parse_level(lv) : DX_EV_INFO;
		if (ev->level < 0)
			return fail(
				ld,
				"expected critical, error, warning, information, verbose or 1-5");
		cm_jpath_pop(&ld->path, m);
		push(ld, "time", 0);
		if (!tm)
			return fail(ld, "missing");
		if (get_time(ld, tm, &ev->time))
			return -1;
		cm_jpath_pop(&ld->path, m);
		/* the insertion strings, what EvtRender gives as EventData */
		const cJSON *st = cJSON_GetObjectItemCaseSensitive(e, "strings");
		if (st) {
			push(ld, "strings", 0);
			if (want(ld, st, cJSON_IsArray(st), "an array of strings"))
				return -1;
			if (count_children(st) > 256)
				return fail(ld, "more than 256 insertion strings");
			size_t k = 0;
			for (const cJSON *a = st->child; a; a = a->next, k++) {
				size_t q = cm_jpath_index(&ld->path, k);
				const char *s;
				if (get_string(ld, a, DX_FIXTURE_MAX_STRING, &s))
					return -1;
				if (dx_strlist_push(&ev->strings, s))
					return fail(ld, "out of memory");
				cm_jpath_pop(&ld->path, q);
			}
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int valid_address(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 45)
		return 0;
	if (strchr(s, ':')) {
		for (const char *c = s; *c; c++)
			if (!isxdigit((unsigned char)*c) && *c != ':' && *c != '.')
				return 0;
		return 1;
	}
	int parts = 0;
	while (*s) {
		char *end;
		if (!isdigit((unsigned char)*s))
			return 0;
		unsigned long x = strtoul(s, &end, 10);
		if (x > 255 || end - s > 3)
			return 0;
		parts++;
		s = end;
		if (*s == '.' && s[1])
			s++;
		else if (*s)
			return 0;
	}
	return parts == 4;
}

static int load_dns(struct ld *ld, const cJSON *dns)
{
	struct dx_fixture *fx = ld->fx;
	if (check_object(ld, dns, "an object of host names"))
		return -1;
	fx->dns = calloc((size_t)count_children(dns) + 1, sizeof *fx->dns);
	if (!fx->dns)
		return fail(ld, "out of memory");
	for (const cJSON *h = dns->child; h; h = h->next) {
		size_t n = push(ld, h->string, 1);
		struct dx_fx_dns *d = &fx->dns[fx->ndns++];
		if (!h->string[0] || strlen(h->string) > 253)
			return fail(ld, "not a host name");
		d->pattern = strdup(h->string);
		if (!d->pattern)
			return fail(ld, "out of memory");
		if (cJSON_IsArray(h)) {
			size_t i = 0;
			if (count_children(h) > 64)
				return fail(ld, "more than 64 addresses");
			for (const cJSON *a = h->child; a; a = a->next, i++) {
				size_t m = cm_jpath_index(&ld->path, i);
				if (want(ld, a, cJSON_IsString(a), "an address string"))
					return -1;
				if (!valid_address(a->valuestring))
					return fail(ld, "\"%.60s\" is not an IPv4 or IPv6 address",
						    a->valuestring);
				if (dx_strlist_push(&d->addresses, a->valuestring))
					return fail(ld, "out of memory");
				cm_jpath_pop(&ld->path, m);
			}
			d->status = DX_OK;
		} else if (cJSON_IsObject(h)) {
			static const char *const allowed[] = {"error", "delay_ms", NULL};
			const cJSON *dl = cJSON_GetObjectItemCaseSensitive(h, "delay_ms");
			if (only_members(ld, h, allowed))
				return -1;
			if (dl) {
				size_t m = push(ld, "delay_ms", 0);
				if (want(ld, dl,
					 cJSON_IsNumber(dl) && dl->valuedouble >= 0 &&
						 dl->valuedouble <= 600000 &&
						 dl->valuedouble == (double)(int)dl->valuedouble,
					 "a whole number of milliseconds from 0 to 600000"))
					return -1;
				d->delay_ms = dl->valueint;
				cm_jpath_pop(&ld->path, m);
			}
			const cJSON *e = cJSON_GetObjectItemCaseSensitive(h, "error");
			push(ld, "error", 0);
			const char *es;
			if (!e)
				return fail(ld, "missing (nxdomain, servfail or timeout)");
			if (get_string(ld, e, 32, &es))
				return -1;
			if (strcmp(es, "nxdomain") == 0)
				d->status = DX_NOT_FOUND;
			else if (strcmp(es, "servfail") == 0)
				d->status = DX_TRANSIENT;
			else if (strcmp(es, "timeout") == 0)
				d->status = DX_TIMEOUT;
			else
				return fail(ld, "\"%s\" is not nxdomain, servfail or timeout", es);
		} else {
			return fail(ld,
				    "expected an array of addresses or {\"error\": ...}, found %s",
				    cm_jpath_type_name(h));
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

/* "wpad": {"detect": "dhcp" | "dns" | "not-found" | "timeout",
 *          "url": "http://...", "script": "function FindProxyForURL..."} */
static int load_wpad(struct ld *ld, const cJSON *w)
{
	static const char *const allowed[] = {"detect", "url", "script", "os_answers", NULL};
	struct dx_fx_wpad *fw = &ld->fx->wpad;
	const cJSON *d, *u, *sc, *oa;
	const char *s;
	size_t n;
	if (check_object(ld, w, "an object") || only_members(ld, w, allowed))
		return -1;
	fw->present = 1;
	d = cJSON_GetObjectItemCaseSensitive(w, "detect");
	u = cJSON_GetObjectItemCaseSensitive(w, "url");
	sc = cJSON_GetObjectItemCaseSensitive(w, "script");
	n = push(ld, "detect", 0);
	if (!d)
		return fail(ld, "missing (dhcp, dns, not-found or timeout)");
	if (get_string(ld, d, 15, &s))
		return -1;
	if (strcmp(s, "dhcp") == 0 || strcmp(s, "dns") == 0) {
		fw->status = DX_OK;
		strcpy(fw->method, s);
	} else if (strcmp(s, "not-found") == 0) {
		fw->status = DX_NOT_FOUND;
	} else if (strcmp(s, "timeout") == 0) {
		fw->status = DX_TIMEOUT;
	} else {
		return fail(ld, "\"%s\" is not dhcp, dns, not-found or timeout", s);
	}
	cm_jpath_pop(&ld->path, n);
	if (fw->status != DX_OK) {
		const cJSON *os = cJSON_GetObjectItemCaseSensitive(w, "os_answers");
		if (u || sc || os) {
			push(ld, u ? "url" : sc ? "script" : "os_answers", 0);
			return fail(ld, "only meaningful when \"detect\" is dhcp or dns");
		}
		return 0;
	}
	push(ld, "url", 0);
	if (!u)
		return fail(ld, "missing (the PAC URL WPAD found)");
	if (get_string(ld, u, 1023, &s))
		return -1;
	if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0)
		return fail(ld, "\"%.60s\" is not an http:// or https:// URL", s);
	for (const char *q = s; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
			return fail(ld, "the URL has a space or a control character");
	if (!(fw->url = strdup(s)))
		return fail(ld, "out of memory");
	cm_jpath_pop(&ld->path, n);
	if (sc) {
		push(ld, "script", 0);
		if (get_string(ld, sc, DX_FIXTURE_MAX_STRING, &s))
			return -1;
		if (!(fw->script = strdup(s)))
			return fail(ld, "out of memory");
		cm_jpath_pop(&ld->path, n);
	}
	if ((oa = cJSON_GetObjectItemCaseSensitive(w, "os_answers"))) {
		const cJSON *a;
		push(ld, "os_answers", 0);
		if (check_object(ld, oa, "an object (destination host -> the OS's answer)"))
			return -1;
		cJSON_ArrayForEach(a, oa)
		{
			struct dx_pac_entry e[1];
			char why[160];
			size_t m = push(ld, a->string, 0);
			if (get_string(ld, a, 1023, &s))
				return -1;
			if (dx_pac_parse(s, e, 1, why, sizeof why) < 0)
				return fail(ld, "\"%.60s\" is not a proxy list: %s", s, why);
			if (dx_strlist_push(&fw->os_hosts, a->string) ||
			    dx_strlist_push(&fw->os_answers, s))
				return fail(ld, "out of memory");
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static const char *const primitives[] = {"reg_read",     "reg_subkeys",  "reg_values", "svc_query",
					 "file_exists",  "file_version", "dir_list",   "file_tail",
					 "events_query", "resolve",      "hostname",   "elevated",
					 "wpad_detect",  "autoproxy",    "time_zone",  NULL};

static int load_faults(struct ld *ld, const cJSON *faults)
{
	static const char *const allowed[] = {"primitive", "target", "error",
					      "after",     "count",  NULL};
	static const struct {
		const char *name;
		enum dx_status s;
		uint32_t code;
	} errs[] = {
		{"access-denied", DX_ACCESS_DENIED, DX_ERROR_ACCESS_DENIED},
		{"not-found", DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND},
		{"transient", DX_TRANSIENT, DX_ERROR_RETRY},
		{"timeout", DX_TIMEOUT, DX_WSAETIMEDOUT},
		{"bad-data", DX_BAD_DATA, DX_ERROR_INVALID_DATA},
		{"marked-for-delete", DX_NOT_FOUND, DX_ERROR_SERVICE_MARKED_FOR_DELETE},
		/* win32 branch: what the real platform answers where an API is
		 * missing (events under Wine), so conformance can model it. */
		{"unsupported", DX_UNSUPPORTED, 120 /* ERROR_CALL_NOT_IMPLEMENTED */},
	};
	struct dx_fixture *fx = ld->fx;
	if (want(ld, faults, cJSON_IsArray(faults), "an array of fault rules"))
		return -1;
	size_t total = (size_t)count_children(faults);
	if (total > 1000)
		return fail(ld, "more than 1000 fault rules");
	fx->faults = calloc(total + 1, sizeof *fx->faults);
	if (!fx->faults)
		return fail(ld, "out of memory");
	size_t i = 0;
	for (const cJSON *f = faults->child; f; f = f->next, i++) {
		size_t n = cm_jpath_index(&ld->path, i);
		struct dx_fault_rule *r = &fx->faults[fx->nfaults++];
		if (want(ld, f, cJSON_IsObject(f), "a fault rule object") ||
		    only_members(ld, f, allowed))
			return -1;
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(f, "primitive");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(f, "target");
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(f, "error");
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(f, "after");
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(f, "count");
		const char *s;
		size_t m = push(ld, "primitive", 0);
		if (!p)
			return fail(ld, "missing");
		if (get_string(ld, p, 31, &s))
			return -1;
		int ok = 0;
		for (const char *const *q = primitives; *q; q++)
			ok |= strcmp(*q, s) == 0;
		if (!ok)
			return fail(ld,
				    "unknown primitive \"%s\" (reg_read, svc_query, events_query, "
				    "resolve, ...)",
				    s);
		strcpy(r->primitive, s);
		cm_jpath_pop(&ld->path, m);
		push(ld, "target", 0);
		if (t) {
			if (get_string(ld, t, sizeof r->target - 1, &s))
				return -1;
			strcpy(r->target, s);
		} else {
			strcpy(r->target, "*");
		}
		cm_jpath_pop(&ld->path, m);
		push(ld, "error", 0);
		if (!e)
			return fail(ld, "missing (access-denied, not-found, transient, timeout, "
					"bad-data, unsupported)");
		if (get_string(ld, e, 31, &s))
			return -1;
		ok = 0;
		for (size_t k = 0; k < sizeof errs / sizeof errs[0]; k++)
			if (strcmp(errs[k].name, s) == 0) {
				r->status = errs[k].s;
				r->code = errs[k].code;
				ok = 1;
			}
		if (!ok)
			return fail(ld,
				    "unknown error \"%s\" (access-denied, not-found, transient, "
				    "timeout, bad-data, unsupported)",
				    s);
		cm_jpath_pop(&ld->path, m);
		uint64_t u;
		if (a) {
			push(ld, "after", 0);
			if (get_uint(ld, a, 1000000, &u))
				return -1;
			r->after = (unsigned)u;
			cm_jpath_pop(&ld->path, m);
		}
		if (c) {
			push(ld, "count", 0);
			if (get_uint(ld, c, 1000000, &u))
				return -1;
			r->count = (unsigned)u;
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	return 0;
}

static int load_root(struct ld *ld, const cJSON *root)
{
	static const char *const allowed[] = {"$schema", "schema",   "description", "hostname",
					      "clock",   "registry", "services",    "files",
					      "events",  "dns",      "wpad",        "faults",
					      "process", "network",  "time_zone",   NULL};
	struct dx_fixture *fx = ld->fx;
	if (want(ld, root, cJSON_IsObject(root), "a JSON object (a device fixture)") ||
	    check_object(ld, root, "an object") || only_members(ld, root, allowed))
		return -1;
	const cJSON *j;
	size_t n;
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "schema"))) {
		const char *s;
		n = push(ld, "schema", 0);
		if (get_string(ld, j, 64, &s))
			return -1;
		if (strncmp(s, "mdediag-fixture/", 16) == 0 && atoi(s + 16) > 1)
			return fail(ld,
				    "\"%s\": written by a newer mdediag; this one reads "
				    "mdediag-fixture/1 (update mdediag to replay it)",
				    s);
		if (strcmp(s, "mdediag-fixture/1") != 0)
			return fail(ld,
				    "\"%s\" is not a schema this version reads (mdediag-fixture/1)",
				    s);
		cm_jpath_pop(&ld->path, n);
	}
	if (!(fx->description = dup_member(ld, root, "description", 0, 4096, "")))
		return -1;
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "hostname"))) {
		const char *s;
		n = push(ld, "hostname", 0);
		if (get_string(ld, j, 255, &s))
			return -1;
		strcpy(fx->hostname, s);
		cm_jpath_pop(&ld->path, n);
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "clock"))) {
		n = push(ld, "clock", 0);
		if (get_time(ld, j, &fx->clock))
			return -1;
		cm_jpath_pop(&ld->path, n);
	}
	fx->elevated = 1; /* mdediag is meant to run from an elevated prompt */
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "process"))) {
		static const char *const pallowed[] = {"elevated", NULL};
		n = push(ld, "process", 0);
		if (want(ld, j, cJSON_IsObject(j), "an object") || only_members(ld, j, pallowed))
			return -1;
		const cJSON *el = cJSON_GetObjectItemCaseSensitive(j, "elevated");
		if (el) {
			size_t m = push(ld, "elevated", 0);
			if (want(ld, el, cJSON_IsBool(el), "true or false"))
				return -1;
			fx->elevated = cJSON_IsTrue(el);
			cm_jpath_pop(&ld->path, m);
		}
		cm_jpath_pop(&ld->path, n);
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "time_zone"))) {
		/* {"utc_offset_minutes": 540, "name": "Tokyo Standard Time"}:
		 * the offset in effect at the fixture's clock */
		static const char *const tallowed[] = {"utc_offset_minutes", "name", NULL};
		const cJSON *m;
		const char *s;
		n = push(ld, "time_zone", 0);
		if (want(ld, j, cJSON_IsObject(j), "an object") || only_members(ld, j, tallowed))
			return -1;
		m = cJSON_GetObjectItemCaseSensitive(j, "utc_offset_minutes");
		size_t k = push(ld, "utc_offset_minutes", 0);
		/* Windows biases run from UTC-12:00 to UTC+14:00 */
		if (want(ld, m,
			 cJSON_IsNumber(m) && m->valuedouble == (double)(int)m->valuedouble &&
				 m->valuedouble >= -720 && m->valuedouble <= 840,
			 "a whole number of minutes from -720 to 840"))
			return -1;
		fx->tz.offset_s = (int32_t)m->valueint * 60;
		cm_jpath_pop(&ld->path, k);
		if ((m = cJSON_GetObjectItemCaseSensitive(j, "name"))) {
			k = push(ld, "name", 0);
			if (get_string(ld, m, sizeof fx->tz.name - 1, &s))
				return -1;
			snprintf(fx->tz.name, sizeof fx->tz.name, "%s", s);
			cm_jpath_pop(&ld->path, k);
		}
		fx->tz_given = 1;
		cm_jpath_pop(&ld->path, n);
	}
	static const struct {
		const char *name;
		int (*load)(struct ld *, const cJSON *);
	} sections[] = {
		{"registry", load_registry}, {"services", load_services}, {"files", load_files},
		{"events", load_events},     {"dns", load_dns},           {"wpad", load_wpad},
		{"faults", load_faults},
	};
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (!(j = cJSON_GetObjectItemCaseSensitive(root, sections[i].name)))
			continue;
		n = push(ld, sections[i].name, 0);
		if (sections[i].load(ld, j))
			return -1;
		cm_jpath_pop(&ld->path, n);
	}
	if ((j = cJSON_GetObjectItemCaseSensitive(root, "network"))) {
		/* what the device saw on the network (collect), netrec.h */
		char why[600];
		if (!(fx->network = calloc(1, sizeof *fx->network)))
			return fail(ld, "out of memory");
		if (dx_netlog_parse(j, fx->network, why, sizeof why)) {
			snprintf(ld->err, ld->errsz, "%s: %s", ld->file, why);
			return -1;
		}
	}
	return 0;
}

void dx_fixture_free(struct dx_fixture *fx)
{
	if (!fx)
		return;
	for (size_t i = 0; i < fx->nkeys; i++) {
		for (size_t k = 0; k < fx->keys[i].nvalues; k++) {
			free(fx->keys[i].values[k].name);
			dx_regval_free(&fx->keys[i].values[k].v);
		}
		free(fx->keys[i].values);
		free(fx->keys[i].path);
	}
	free(fx->keys);
	for (size_t i = 0; i < fx->nservices; i++)
		free(fx->services[i].name);
	free(fx->services);
	for (size_t i = 0; i < fx->nfiles; i++) {
		free(fx->files[i].path);
		free(fx->files[i].version);
		free(fx->files[i].content);
	}
	free(fx->files);
	dx_eventlist_free(&fx->events);
	for (size_t i = 0; i < fx->ndns; i++) {
		free(fx->dns[i].pattern);
		dx_strlist_free(&fx->dns[i].addresses);
	}
	free(fx->dns);
	free(fx->wpad.url);
	free(fx->wpad.script);
	dx_strlist_free(&fx->wpad.os_hosts);
	dx_strlist_free(&fx->wpad.os_answers);
	free(fx->faults);
	if (fx->network)
		dx_netlog_free(fx->network);
	free(fx->network);
	free(fx->description);
	free(fx->source);
	free(fx);
}

struct dx_fixture *dx_fixture_parse(const char *text, size_t len, const char *name, char *err,
				    size_t errsz)
{
	struct ld ld = {.file = name, .err = err, .errsz = errsz, .path = {.s = "$"}};
	struct dx_fixture *fx = calloc(1, sizeof *fx);
	cJSON *root = NULL;
	if (!fx || !(fx->source = strdup(name))) {
		fail(&ld, "out of memory");
		goto bad;
	}
	ld.fx = fx;
	if (len > DX_FIXTURE_MAX_BYTES) {
		fail(&ld, "%zu bytes, more than the %u allowed", len, DX_FIXTURE_MAX_BYTES);
		goto bad;
	}
	if (memchr(text, '\0', len)) {
		fail(&ld, "contains a NUL byte: not a JSON text");
		goto bad;
	}
	char why[160];
	int utf8 = 0;
	if (dx_json_text_scan(text, len, &utf8, why, sizeof why)) {
		ld.path.s[0] = '\0';
		fail(&ld, "%s", why);
		goto bad;
	}
	const char *end = NULL;
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (root) {
		while (end < text + len &&
		       (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
			end++;
		if (end < text + len) {
			cJSON_Delete(root);
			root = NULL; /* trailing garbage after the JSON value */
		}
	}
	if (!root) {
		size_t off = end ? (size_t)(end - text) : 0;
		const char *ep = cJSON_GetErrorPtr();
		if (!end && ep && ep >= text && ep <= text + len)
			off = (size_t)(ep - text);
		size_t line, col;
		dx_text_line_col(text, len, off, &line, &col);
		ld.path.s[0] = '\0';
		fail(&ld, "not valid JSON (or nested too deeply) near line %zu, column %zu", line,
		     col);
		goto bad;
	}
	/* cJSON copies a string's bytes as they are and writes its escapes as
	 * well-formed UTF-8 (a lone surrogate is a parse error): a text that is
	 * UTF-8 throughout holds no bad string, and the walk is not needed */
	if ((!utf8 && check_utf8(&ld, root)) || load_root(&ld, root))
		goto bad;
	cJSON_Delete(root);
	return fx;
bad:
	cJSON_Delete(root);
	dx_fixture_free(fx);
	return NULL;
}

struct dx_fixture *dx_fixture_load(const char *file, char *err, size_t errsz)
{
	size_t len;
	char *buf = dx_read_file(file, DX_FIXTURE_MAX_BYTES, &len, err, errsz);
	struct dx_fixture *fx;
	if (!buf)
		return NULL;
	fx = dx_fixture_parse(buf, len, file, err, errsz);
	free(buf);
	return fx;
}
