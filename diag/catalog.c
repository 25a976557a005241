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
	cat->phrases = cJSON_GetObjectItemCaseSensitive(cat->root, "phrases");
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

const char *dx_catalog_template(const struct dx_catalog *cat, const char *id, const char *variant,
				const char *field)
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

/* A finding may name, in its evidence member "advice", a catalog entry
 * ("net.advice/dns") whose guidance and command fit what it saw (the kind
 * of failure, where its proxy came from) better than its own text, which
 * is shared by every way it can fail: those two fields come from there
 * when it has them, everything else from the finding's own entry. */
static const char *template_for(const struct dx_catalog *cat, const char *id, const char *variant,
				const char *field, const cJSON *evidence)
{
	const cJSON *adv = cJSON_GetObjectItemCaseSensitive(evidence, "advice");
	if (cJSON_IsString(adv) &&
	    (strcmp(field, "guidance") == 0 || strcmp(field, "command") == 0)) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(cat->messages, adv->valuestring);
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(m, field);
		if (cJSON_IsString(s))
			return s->valuestring;
	}
	return dx_catalog_template(cat, id, variant, field);
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

static void put_word_depth(struct buf *b, const struct dx_catalog *cat, const char *raw, int depth);

/* Matches s against an English phrase pattern ("{phase}: connection
 * refused"): literal text, and {name} placeholders that take at least one
 * character, the shortest that lets the rest match. The captures (at most
 * 4) are s's spans, in order. 1 on a match. */
struct span {
	const char *p;
	size_t n;
};

static int phrase_match(const char *pat, const char *s, struct span *caps, int ncap, int depth)
{
	if (depth > 8)
		return 0;
	while (*pat && *pat != '{') {
		if (*pat != *s)
			return 0;
		pat++, s++;
	}
	if (!*pat)
		return !*s;
	const char *close = strchr(pat, '}');
	if (!close || ncap >= 4)
		return 0;
	for (size_t n = 1; n <= strlen(s); n++)
		if (phrase_match(close + 1, s + n, caps, ncap + 1, depth + 1)) {
			caps[ncap].p = s;
			caps[ncap].n = n;
			return 1;
		}
	return 0;
}

/* The catalog's "phrases" ([english pattern, translation] pairs): the
 * sentences mdediag's probe and PAC evaluator write in English (their
 * reasons), said in the catalog's language at render time. The
 * translation names the pattern's placeholders; each capture is itself
 * said in the catalog's words (a phase, a nested reason). 1 when one
 * matched and was written. */
static int put_phrase(struct buf *b, const struct dx_catalog *cat, const char *raw, int depth)
{
	const cJSON *pair;
	if (!cat || depth > 2)
		return 0;
	cJSON_ArrayForEach(pair, cat->phrases)
	{
		const cJSON *en = cJSON_GetArrayItem(pair, 0), *tr = cJSON_GetArrayItem(pair, 1);
		struct span caps[4];
		if (!cJSON_IsString(en) || !cJSON_IsString(tr) ||
		    !phrase_match(en->valuestring, raw, caps, 0, 0))
			continue;
		/* the placeholder names of the pattern, in order */
		char names[4][32];
		int n = 0;
		for (const char *p = en->valuestring; (p = strchr(p, '{')) && n < 4; n++) {
			const char *c = strchr(p, '}');
			size_t len = c ? (size_t)(c - p - 1) : 0;
			if (!c || len >= sizeof names[0])
				return 0;
			memcpy(names[n], p + 1, len);
			names[n][len] = '\0';
			p = c + 1;
		}
		for (const char *p = tr->valuestring; *p;) {
			const char *o = strchr(p, '{'), *c = o ? strchr(o, '}') : NULL;
			if (!o || !c) {
				put(b, p, strlen(p));
				break;
			}
			put(b, p, (size_t)(o - p));
			int k = 0;
			while (k < n && (strlen(names[k]) != (size_t)(c - o - 1) ||
					 strncmp(names[k], o + 1, (size_t)(c - o - 1))))
				k++;
			if (k < n) {
				char cap[1024];
				size_t len =
					caps[k].n < sizeof cap - 1 ? caps[k].n : sizeof cap - 1;
				memcpy(cap, caps[k].p, len);
				cap[len] = '\0';
				put_word_depth(b, cat, cap, depth + 1);
			} else {
				put(b, o, (size_t)(c - o + 1));
			}
			p = c + 1;
		}
		return 1;
	}
	return 0;
}

/* A string value in the catalog's words: the whole value, or, for a list
 * such as "present, empty", each part when every part has a word, or a
 * phrase of the catalog's "phrases". */
static void put_word_depth(struct buf *b, const struct dx_catalog *cat, const char *raw, int depth)
{
	const char *w = dx_catalog_value(cat, raw);
	if (w == raw && cat && put_phrase(b, cat, raw, depth))
		return;
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

static void put_word(struct buf *b, const struct dx_catalog *cat, const char *raw)
{
	put_word_depth(b, cat, raw, 0);
}

char *dx_catalog_command(const struct dx_catalog *cat, const cJSON *f)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(f, "outcome");
	const cJSON *r = cJSON_GetObjectItemCaseSensitive(f, "reason");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
	const cJSON *var = cJSON_GetObjectItemCaseSensitive(f, "variant");
	if (cJSON_IsString(o) && strcmp(o->valuestring, "undetermined") == 0 && cJSON_IsString(r)) {
		char key[96];
		snprintf(key, sizeof key, "command.%s", r->valuestring);
		const char *c = dx_catalog_ui(cat, key);
		if (c != key)
			return strdup(c);
	}
	return dx_catalog_render_ev(cat, cJSON_IsString(id) ? id->valuestring : "",
				    cJSON_IsString(var) ? var->valuestring : "", "command",
				    cJSON_GetObjectItemCaseSensitive(f, "evidence"));
}

char *dx_catalog_phrase(const struct dx_catalog *cat, const char *raw)
{
	struct buf b = {0};
	put(&b, "", 0);
	if (!raw || !put_phrase(&b, cat, raw, 0)) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *dx_catalog_words(const struct dx_catalog *cat, const char *raw)
{
	struct buf b = {0};
	put(&b, "", 0);
	put_word(&b, cat, raw ? raw : "");
	return b.p;
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
		cJSON_ArrayForEach(x, v)
		{
			if (!first)
				put(b, "; ", 2);
			put_value(b, cat, x);
			first = 0;
		}
	} else {
		put(b, "?", 1);
	}
}

static char *render(const struct dx_catalog *cat, const char *tmpl, const cJSON *evidence);

/* "[[ ... ]]" in a template: a part said only when every placeholder in
 * it has a value that is not empty ("{status_line}[[, block page
 * \"{block_title}\"]]"), so no separator is left dangling. */
static int optional_part(struct buf *b, const struct dx_catalog *cat, const char *from, size_t n,
			 const cJSON *evidence)
{
	char inner[1024];
	if (n >= sizeof inner)
		return -1;
	memcpy(inner, from, n);
	inner[n] = '\0';
	for (const char *p = inner; (p = strchr(p, '{'));) {
		const char *c = strchr(p, '}');
		char key[72];
		if (!c || c - p - 1 >= (long)sizeof key)
			break;
		memcpy(key, p + 1, (size_t)(c - p - 1));
		key[c - p - 1] = '\0';
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(evidence, key);
		if (!v || cJSON_IsNull(v) || (cJSON_IsString(v) && !v->valuestring[0]) ||
		    (cJSON_IsArray(v) && !cJSON_GetArraySize(v)))
			return 0;
		p = c + 1;
	}
	char *r = render(cat, inner, evidence);
	if (r)
		put(b, r, strlen(r));
	free(r);
	return 0;
}

static char *render(const struct dx_catalog *cat, const char *tmpl, const cJSON *evidence)
{
	struct buf b = {0};
	put(&b, "", 0);
	for (const char *p = tmpl; p && *p;) {
		const char *opt = strstr(p, "[["), *end = opt ? strstr(opt, "]]") : NULL;
		const char *open = strchr(p, '{');
		if (opt && end && (!open || opt < open)) {
			put(&b, p, (size_t)(opt - p));
			optional_part(&b, cat, opt + 2, (size_t)(end - opt - 2), evidence);
			p = end + 2;
			continue;
		}
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

char *dx_catalog_render(const struct dx_catalog *cat, const struct dx_finding *f, const char *field)
{
	const char *t = template_for(cat, f->id, f->variant, field, f->evidence);
	return render(cat, t ? t : "", f->evidence);
}

char *dx_catalog_render_ev(const struct dx_catalog *cat, const char *id, const char *variant,
			   const char *field, const cJSON *evidence)
{
	const char *t = template_for(cat, id, variant, field, evidence);
	return render(cat, t ? t : "", evidence);
}

void dx_catalog_render_steps(const struct dx_catalog *cat, const char *id, const char *variant,
			     cJSON *evidence)
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
	cJSON_ArrayForEach(t, steps)
	{
		/* a step whose placeholder holds an array is said once per
		 * element (one command each), and not at all for an empty
		 * one (nothing to do: a value already absent) */
		const cJSON *list = NULL;
		if (!cJSON_IsString(t))
			continue;
		for (const char *p = t->valuestring; (p = strchr(p, '{')) && !list; p++) {
			const char *c = strchr(p, '}');
			char key[72];
			if (!c || c - p - 1 >= (long)sizeof key)
				break;
			memcpy(key, p + 1, (size_t)(c - p - 1));
			key[c - p - 1] = '\0';
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(evidence, key);
			if (cJSON_IsArray(v))
				list = v;
		}
		if (!list) {
			char *line = render(cat, t->valuestring, evidence);
			if (line)
				cJSON_AddItemToArray(out, cJSON_CreateString(line));
			free(line);
			continue;
		}
		const cJSON *x;
		cJSON_ArrayForEach(x, list)
		{
			cJSON *one = cJSON_Duplicate(evidence, 1);
			if (!one)
				break;
			cJSON_ReplaceItemInObjectCaseSensitive(one, list->string,
							       cJSON_Duplicate(x, 1));
			char *line = render(cat, t->valuestring, one);
			if (line)
				cJSON_AddItemToArray(out, cJSON_CreateString(line));
			free(line);
			cJSON_Delete(one);
		}
	}
	cJSON_DeleteItemFromObjectCaseSensitive(evidence, "steps");
	cJSON_AddItemToObject(evidence, "steps", out);
}

const char *dx_catalog_ui(const struct dx_catalog *cat, const char *key)
{
	const cJSON *s = cat ? cJSON_GetObjectItemCaseSensitive(cat->ui, key) : NULL;
	return cJSON_IsString(s) ? s->valuestring : key;
}
