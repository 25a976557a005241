/* hx_json.c - JSON plumbing (see hx_json.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hx_json.h"
#include "jsontext.h"

cJSON *hx_json_load(const char *path, char *err, size_t errsz)
{
	size_t n;
	char *text = dx_read_file(path, HX_JSON_MAX, &n, err, errsz);
	if (!text)
		return NULL;
	const char *end = NULL;
	char why[160];
	if (dx_json_text_check(text, n, why, sizeof why)) {
		snprintf(err, errsz, "%s: %s", path, why);
		free(text);
		return NULL;
	}
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

/* ---- hx_json_rewrite ------------------------------------------------------ */

struct span {
	const cJSON *node;
	size_t b, e;
};

struct spans {
	struct span *v;
	size_t n, cap;
	const char *text;
	int bad;
};

static size_t skip_ws(const char *t, size_t i)
{
	while (t[i] == ' ' || t[i] == '\t' || t[i] == '\n' || t[i] == '\r')
		i++;
	return i;
}

static size_t skip_string(const char *t, size_t i)
{
	for (i++; t[i] && t[i] != '"'; i++)
		if (t[i] == '\\' && t[i + 1])
			i++;
	return t[i] ? i + 1 : i;
}

/* Walks the text of node starting at i (cJSON keeps members and elements
 * in text order) and records each node's span. Returns the end. */
static size_t walk(struct spans *s, const cJSON *node, size_t i)
{
	const char *t = s->text;
	i = skip_ws(t, i);
	size_t b = i;
	if (t[i] == '{' || t[i] == '[') {
		int obj = t[i] == '{';
		i++;
		const cJSON *c;
		cJSON_ArrayForEach(c, node)
		{
			i = skip_ws(t, i);
			if (obj) {
				if (t[i] != '"') {
					s->bad = 1;
					return i;
				}
				i = skip_ws(t, skip_string(t, i));
				if (t[i] != ':') {
					s->bad = 1;
					return i;
				}
				i++;
			}
			i = skip_ws(t, walk(s, c, i));
			if (s->bad)
				return i;
			if (t[i] == ',')
				i++;
		}
		i = skip_ws(t, i);
		if (t[i] != (obj ? '}' : ']')) {
			s->bad = 1;
			return i;
		}
		i++;
	} else if (t[i] == '"') {
		i = skip_string(t, i);
	} else {
		while (t[i] && !strchr(",]} \t\r\n", t[i]))
			i++;
	}
	if (i == b) {
		s->bad = 1;
		return i;
	}
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct span *v = realloc(s->v, cap * sizeof *v);
		if (!v) {
			s->bad = 1;
			return i;
		}
		s->v = v, s->cap = cap;
	}
	s->v[s->n++] = (struct span){node, b, i};
	return i;
}

static const struct span *span_of(const struct spans *s, const cJSON *node)
{
	for (size_t i = 0; node && i < s->n; i++)
		if (s->v[i].node == node)
			return &s->v[i];
	return NULL;
}

struct out {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct out *o, const char *p, size_t n)
{
	if (o->oom)
		return;
	if (o->n + n + 1 > o->cap) {
		size_t cap = (o->n + n + 1) * 2;
		char *q = realloc(o->p, cap);
		if (!q) {
			o->oom = 1;
			return;
		}
		o->p = q, o->cap = cap;
	}
	memcpy(o->p + o->n, p, n);
	o->n += n;
	o->p[o->n] = '\0';
}

static void put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void indent(struct out *o, int depth, int unit)
{
	for (int i = 0; i < depth * unit; i++)
		put(o, " ", 1);
}

static void render(struct out *o, const struct spans *s, const cJSON *nw, const cJSON *old,
		   int depth, int unit)
{
	const struct span *sp = span_of(s, old);
	if (sp && hx_json_equal(nw, old)) {
		put(o, s->text + sp->b, sp->e - sp->b);
		return;
	}
	int obj = cJSON_IsObject(nw);
	if ((obj || cJSON_IsArray(nw)) && nw->child) {
		char used[1024] = {0}; /* old elements already reused */
		put_str(o, obj ? "{\n" : "[\n");
		const cJSON *c;
		cJSON_ArrayForEach(c, nw)
		{
			const cJSON *match = NULL;
			indent(o, depth + 1, unit);
			if (obj) {
				cJSON *key = cJSON_CreateString(c->string);
				char *k = key ? cJSON_PrintUnformatted(key) : NULL;
				if (!k)
					o->oom = 1;
				else
					put_str(o, k), put_str(o, ": ");
				cJSON_free(k);
				cJSON_Delete(key);
				match = cJSON_GetObjectItemCaseSensitive(old, c->string);
			} else if (cJSON_IsArray(old)) {
				size_t k = 0;
				const cJSON *e;
				cJSON_ArrayForEach(e, old)
				{
					if (k < sizeof used && !used[k] && hx_json_equal(e, c)) {
						used[k] = 1;
						match = e;
						break;
					}
					k++;
				}
			}
			render(o, s, c, match, depth + 1, unit);
			put_str(o, c->next ? ",\n" : "\n");
		}
		indent(o, depth, unit);
		put_str(o, obj ? "}" : "]");
		return;
	}
	char *text = cJSON_PrintUnformatted(nw);
	if (!text)
		o->oom = 1;
	else
		put_str(o, text);
	cJSON_free(text);
}

char *hx_json_rewrite(const char *old_text, const cJSON *old, const cJSON *new)
{
	struct spans s = {.text = old_text};
	struct out o = {0};
	walk(&s, old, 0);
	if (s.bad) {
		free(s.v);
		return NULL;
	}
	/* The indentation unit: the first member's indentation in the file. */
	int unit = 1;
	if (old->child) {
		const struct span *first = span_of(&s, old->child);
		size_t i = first ? first->b : 0;
		while (i > 0 && old_text[i - 1] != '\n')
			i--; /* back to the start of the line of the first value */
		size_t w = 0;
		while (old_text[i + w] == ' ')
			w++;
		if (old_text[i + w] == '"' && w > 0 && w <= 8)
			unit = (int)w;
	}
	render(&o, &s, new, old, 0, unit);
	put_str(&o, "\n");
	free(s.v);
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	return o.p;
}
