/* catalog.c - message catalogs and their templates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "data.h"

int dx_catalog_load(struct dx_catalog *cat, const char *lang, char *err, size_t errsz)
{
	char name[64];
	snprintf(name, sizeof name, "messages-%s.json", lang);
	memset(cat, 0, sizeof *cat);
	const struct dx_embedded *e = dx_embedded_find(name);
	if (!e) {
		snprintf(err, errsz, "no message catalog for language \"%s\"", lang);
		return -1;
	}
	cat->root = cJSON_ParseWithLength(e->data, e->len);
	cat->messages = cJSON_GetObjectItemCaseSensitive(cat->root, "messages");
	cat->ui = cJSON_GetObjectItemCaseSensitive(cat->root, "ui");
	cat->values = cJSON_GetObjectItemCaseSensitive(cat->root, "values");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(cat->root, "lang");
	cat->lang = cJSON_IsString(l) ? l->valuestring : lang;
	if (!cJSON_IsObject(cat->messages)) {
		snprintf(err, errsz, "%s: not a message catalog", name);
		dx_catalog_free(cat);
		return -1;
	}
	return 0;
}

void dx_catalog_free(struct dx_catalog *cat)
{
	cJSON_Delete(cat->root);
	memset(cat, 0, sizeof *cat);
}

const char *dx_catalog_template(const struct dx_catalog *cat, const char *id,
				const char *variant, const char *field)
{
	char key[128];
	const cJSON *m = NULL;
	if (variant && variant[0]) {
		snprintf(key, sizeof key, "%s/%s", id, variant);
		m = cJSON_GetObjectItemCaseSensitive(cat->messages, key);
	}
	if (!m || !cJSON_GetObjectItemCaseSensitive(m, field))
		m = cJSON_GetObjectItemCaseSensitive(cat->messages, id);
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(m, field);
	return cJSON_IsString(s) ? s->valuestring : NULL;
}

/* A growable string bounded at 64 KiB: templates cannot blow up. */
struct buf {
	char *p;
	size_t len, cap;
};
#define BUF_MAX 65536

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > BUF_MAX)
		n = BUF_MAX - 1 - b->len;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *g = realloc(b->p, cap);
		if (!g)
			return;
		b->p = g;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

const char *dx_catalog_value(const struct dx_catalog *cat, const char *raw)
{
	const cJSON *s = cat && raw ? cJSON_GetObjectItemCaseSensitive(cat->values, raw) : NULL;
	return cJSON_IsString(s) ? s->valuestring : raw;
}

/* A string value in the catalog's words: the whole value, or, for a list
 * such as "present, empty", each part when every part has a word. */
static void put_word(struct buf *b, const struct dx_catalog *cat, const char *raw)
{
	const char *w = dx_catalog_value(cat, raw);
	if (w != raw || !cat || !strstr(raw, ", ")) {
		put(b, w, strlen(w));
		return;
	}
	char part[128];
	for (const char *p = raw; *p;) {
		const char *e = strstr(p, ", ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n >= sizeof part)
			goto whole;
		memcpy(part, p, n);
		part[n] = '\0';
		if (dx_catalog_value(cat, part) == part)
			goto whole;
		p += n + (e ? 2 : 0);
	}
	for (const char *p = raw; *p;) {
		const char *e = strstr(p, ", ");
		size_t n = e ? (size_t)(e - p) : strlen(p);
		memcpy(part, p, n);
		part[n] = '\0';
		w = dx_catalog_value(cat, part);
		if (p != raw)
			put(b, dx_catalog_value(cat, ", "), strlen(dx_catalog_value(cat, ", ")));
		put(b, w, strlen(w));
		p += n + (e ? 2 : 0);
	}
	return;
whole:
	put(b, raw, strlen(raw));
}

static void put_value(struct buf *b, const struct dx_catalog *cat, const cJSON *v)
{
	char num[64];
	if (cJSON_IsString(v)) {
		put_word(b, cat, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(num, sizeof num, "%lld", (long long)v->valuedouble);
		else
			snprintf(num, sizeof num, "%g", v->valuedouble);
		put(b, num, strlen(num));
	} else if (cJSON_IsBool(v)) {
		put_word(b, cat, cJSON_IsTrue(v) ? "yes" : "no");
	} else if (cJSON_IsArray(v)) {
		int first = 1;
		const cJSON *x;
		cJSON_ArrayForEach(x, v) {
			if (!first)
				put(b, "; ", 2);
			put_value(b, cat, x);
			first = 0;
		}
	} else {
		put(b, "?", 1);
	}
}

static char *render(const struct dx_catalog *cat, const char *tmpl, const cJSON *evidence)
{
	struct buf b = {0};
	put(&b, "", 0);
	for (const char *p = tmpl; p && *p;) {
		const char *open = strchr(p, '{');
		const char *close = open ? strchr(open, '}') : NULL;
		if (!open || !close || close - open > 64) {
			put(&b, p, strlen(p));
			break;
		}
		put(&b, p, (size_t)(open - p));
		char key[72];
		memcpy(key, open + 1, (size_t)(close - open - 1));
		key[close - open - 1] = '\0';
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(evidence, key);
		if (v)
			put_value(&b, cat, v);
		else
			put(&b, "?", 1);
		p = close + 1;
	}
	return b.p;
}

char *dx_render_template(const char *tmpl, const cJSON *evidence)
{
	return render(NULL, tmpl, evidence);
}

char *dx_catalog_render_template(const struct dx_catalog *cat, const char *tmpl,
				 const cJSON *evidence)
{
	return render(cat, tmpl, evidence);
}

char *dx_catalog_render(const struct dx_catalog *cat, const struct dx_finding *f,
			const char *field)
{
	const char *t = dx_catalog_template(cat, f->id, f->variant, field);
	return render(cat, t ? t : "", f->evidence);
}

char *dx_catalog_render_ev(const struct dx_catalog *cat, const char *id,
			   const char *variant, const char *field,
			   const cJSON *evidence)
{
	const char *t = dx_catalog_template(cat, id, variant, field);
	return render(cat, t ? t : "", evidence);
}

void dx_catalog_render_steps(const struct dx_catalog *cat, const char *id,
			     const char *variant, cJSON *evidence)
{
	char key[128];
	const cJSON *m = NULL, *steps, *t;
	if (variant && variant[0]) {
		snprintf(key, sizeof key, "%s/%s", id, variant);
		m = cJSON_GetObjectItemCaseSensitive(cat->messages, key);
	}
	if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(m, "steps")))
		m = cJSON_GetObjectItemCaseSensitive(cat->messages, id);
	steps = cJSON_GetObjectItemCaseSensitive(m, "steps");
	if (!cJSON_IsArray(steps) || !cJSON_IsObject(evidence))
		return;
	cJSON *out = cJSON_CreateArray();
	if (!out)
		return;
	cJSON_ArrayForEach(t, steps) {
		char *line = cJSON_IsString(t) ? render(cat, t->valuestring, evidence) : NULL;
		if (line)
			cJSON_AddItemToArray(out, cJSON_CreateString(line));
		free(line);
	}
	cJSON_DeleteItemFromObjectCaseSensitive(evidence, "steps");
	cJSON_AddItemToObject(evidence, "steps", out);
}

const char *dx_catalog_ui(const struct dx_catalog *cat, const char *key)
{
	const cJSON *s = cat ? cJSON_GetObjectItemCaseSensitive(cat->ui, key) : NULL;
	return cJSON_IsString(s) ? s->valuestring : key;
}
