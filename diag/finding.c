/* finding.c - the findings list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "finding.h"
#include "utf8.h"

const char *dx_severity_name(enum dx_severity s)
{
	switch (s) {
	case DX_SEV_INFO: return "info";
	case DX_SEV_WARNING: return "warning";
	case DX_SEV_ERROR: return "error";
	}
	return "info";
}

const char *dx_outcome_name(enum dx_outcome o)
{
	switch (o) {
	case DX_FOUND: return "found";
	case DX_CLEAR: return "clear";
	case DX_UNDETERMINED: return "undetermined";
	}
	return "found";
}

enum dx_outcome dx_outcome(const struct dx_finding *f)
{
	if (f->reason[0])
		return DX_UNDETERMINED;
	return f->severity == DX_SEV_INFO ? DX_CLEAR : DX_FOUND;
}

void dx_undetermined(struct dx_finding *f, const char *reason)
{
	snprintf(f->reason, sizeof f->reason, "%s", reason[0] ? reason : DX_REASON_FACTS_MISSING);
}

/* A sink for evidence when memory ran out: callers need not check. */
static struct dx_finding oom_sink;

struct dx_finding *dx_add(struct dx_findings *f, const char *id, enum dx_severity sev,
			  const char *variant)
{
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 32;
		struct dx_finding *grown = realloc(f->items, cap * sizeof *grown);
		if (!grown)
			return &oom_sink;
		f->items = grown;
		f->cap = cap;
	}
	struct dx_finding *x = &f->items[f->count];
	memset(x, 0, sizeof *x);
	x->evidence = cJSON_CreateObject();
	if (!x->evidence)
		return &oom_sink;
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->variant, sizeof x->variant, "%s", variant ? variant : "");
	x->severity = sev;
	x->seq = f->count;
	f->count++;
	return x;
}

struct dx_finding *dx_find(const struct dx_findings *f, const char *id)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].id, id) == 0)
			return &f->items[i];
	return NULL;
}

static int by_order(const void *a, const void *b)
{
	const struct dx_finding *x = a, *y = b;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void dx_findings_sort(struct dx_findings *f, int (*order)(const char *id))
{
	for (size_t i = 0; i < f->count; i++)
		if (f->items[i].ranked_by != order) {
			f->items[i].order = order(f->items[i].id);
			f->items[i].ranked_by = order;
		}
	size_t k = 1; /* the first out of order */
	while (k < f->count && by_order(&f->items[k - 1], &f->items[k]) < 0)
		k++;
	if (k < f->count) /* a run sorts 13 times, most often what is sorted */
		qsort(f->items, f->count, sizeof *f->items, by_order);
}

void dx_findings_free(struct dx_findings *f)
{
	for (size_t i = 0; i < f->count; i++)
		cJSON_Delete(f->items[i].evidence);
	free(f->items);
	memset(f, 0, sizeof *f);
}

/* Sets evidence member `key` to val (owned): a member already there is
 * dropped and the new one goes last, as if it had never been. */
static void put(struct dx_finding *f, const char *key, cJSON *val)
{
	if (!f->evidence || !val) {
		cJSON_Delete(val);
		return;
	}
	/* a finding gathers tens of members, each set once as a rule: the
	 * first byte rules most out before a strcmp */
	for (cJSON *c = f->evidence->child; c; c = c->next)
		if (c->string && c->string[0] == key[0] && strcmp(c->string, key) == 0) {
			cJSON_Delete(cJSON_DetachItemViaPointer(f->evidence, c));
			break;
		}
	cJSON_AddItemToObject(f->evidence, key, val);
}

void dx_ev_str(struct dx_finding *f, const char *key, const char *val)
{
	if (!val)
		val = "";
	if (dx_utf8_valid(val)) { /* the usual case: no copy to clean */
		put(f, key, cJSON_CreateString(val));
		return;
	}
	char *clean = dx_utf8_clean(val);
	put(f, key, clean ? cJSON_CreateString(clean) : NULL);
	free(clean);
}

void dx_ev_num(struct dx_finding *f, const char *key, double val)
{
	put(f, key, cJSON_CreateNumber(val));
}

void dx_ev_bool(struct dx_finding *f, const char *key, int val)
{
	put(f, key, cJSON_CreateBool(val));
}

void dx_ev_fmt(struct dx_finding *f, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	dx_ev_str(f, key, buf);
}
