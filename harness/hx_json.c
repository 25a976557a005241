/* hx_json.c - JSON plumbing (see hx_json.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hx_json.h"

cJSON *hx_json_load(const char *path, char *err, size_t errsz)
{
	size_t n;
	char *text = dx_read_file(path, HX_JSON_MAX, &n, err, errsz);
	if (!text)
		return NULL;
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, n, &end, 0);
	if (!j)
		snprintf(err, errsz, "%s: invalid JSON near byte %ld", path,
			 end ? (long)(end - text) : 0L);
	free(text);
	return j;
}

int hx_json_merge(cJSON *dst, const cJSON *src)
{
	for (const cJSON *s = src->child; s; s = s->next) {
		cJSON *d = cJSON_GetObjectItem(dst, s->string); /* case-insensitive */
		if (cJSON_IsNull(s)) {
			if (d)
				cJSON_DeleteItemFromObject(dst, s->string);
			continue;
		}
		if (d && cJSON_IsObject(d) && cJSON_IsObject(s)) {
			if (hx_json_merge(d, s))
				return -1;
			continue;
		}
		cJSON *copy = cJSON_Duplicate(s, 1);
		if (!copy)
			return -1;
		if (d) {
			cJSON_ReplaceItemViaPointer(dst, d, copy);
		} else {
			cJSON_AddItemToObject(dst, s->string, copy);
		}
	}
	return 0;
}

/* Re-indents compact JSON the way the scenario files are written (one
 * space per level, "key": value, empty containers as {} and []), so that
 * --update gives a diff of what changed, not of the formatting. */
static char *pretty(const char *c)
{
	size_t depth = 0, n = 0, cap = strlen(c) * 2 + 64;
	char *out = malloc(cap);
	int in_str = 0;
	for (const char *p = c; out && *p; p++) {
		if (n + depth + 4 > cap) {
			char *o = realloc(out, cap *= 2);
			if (!o) {
				free(out);
				return NULL;
			}
			out = o;
		}
		char ch = *p;
		if (in_str) {
			out[n++] = ch;
			if (ch == '\\' && p[1])
				out[n++] = *++p;
			else if (ch == '"')
				in_str = 0;
			continue;
		}
		if (ch == '"') {
			in_str = 1;
			out[n++] = ch;
		} else if ((ch == '{' || ch == '[') && (p[1] == '}' || p[1] == ']')) {
			out[n++] = ch;
			out[n++] = *++p;
		} else if (ch == '{' || ch == '[') {
			out[n++] = ch;
			out[n++] = '\n';
			depth++;
			for (size_t i = 0; i < depth; i++)
				out[n++] = ' ';
		} else if (ch == '}' || ch == ']') {
			out[n++] = '\n';
			depth--;
			for (size_t i = 0; i < depth; i++)
				out[n++] = ' ';
			out[n++] = ch;
		} else if (ch == ',') {
			out[n++] = ',';
			out[n++] = '\n';
			for (size_t i = 0; i < depth; i++)
				out[n++] = ' ';
		} else if (ch == ':') {
			out[n++] = ':';
			out[n++] = ' ';
		} else {
			out[n++] = ch;
		}
	}
	if (out)
		out[n] = '\0';
	return out;
}

int hx_json_write(const char *path, const cJSON *json, char *err, size_t errsz)
{
	char *compact = cJSON_PrintUnformatted(json);
	char *text = compact ? pretty(compact) : NULL;
	cJSON_free(compact);
	if (!text) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -1;
	}
	FILE *f = fopen(path, "w");
	int bad = !f || fputs(text, f) < 0 || fputc('\n', f) < 0;
	if (f && fclose(f))
		bad = 1;
	if (bad)
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
	free(text);
	return bad ? -1 : 0;
}

int hx_json_equal(const cJSON *a, const cJSON *b)
{
	if (cJSON_IsNumber(a) && cJSON_IsNumber(b))
		return a->valuedouble == b->valuedouble;
	if (cJSON_IsString(a) && cJSON_IsString(b))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsBool(a) && cJSON_IsBool(b))
		return cJSON_IsTrue(a) == cJSON_IsTrue(b);
	if (cJSON_IsNull(a) && cJSON_IsNull(b))
		return 1;
	if (cJSON_IsArray(a) && cJSON_IsArray(b)) {
		const cJSON *x = a->child, *y = b->child;
		for (; x && y; x = x->next, y = y->next)
			if (!hx_json_equal(x, y))
				return 0;
		return !x && !y;
	}
	if (cJSON_IsObject(a) && cJSON_IsObject(b)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (const cJSON *x = a->child; x; x = x->next) {
			const cJSON *y = cJSON_GetObjectItemCaseSensitive(b, x->string);
			if (!y || !hx_json_equal(x, y))
				return 0;
		}
		return 1;
	}
	return 0;
}
