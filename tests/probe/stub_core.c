/* stub_core.c - minimal stand-ins for the diagnostic core (finding.c,
 * platform.c) so the probe's tests build before the lead's core lands in
 * this branch. Only the behaviour the probe relies on; meson uses the real
 * files instead as soon as diag/finding.c exists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "checks.h"

struct dx_finding *dx_add(struct dx_findings *f, const char *id,
			  enum dx_severity sev, const char *variant)
{
	struct dx_finding *x;
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		void *n = realloc(f->items, cap * sizeof *f->items);
		if (!n)
			return NULL;
		f->items = n;
		f->cap = cap;
	}
	x = &f->items[f->count];
	memset(x, 0, sizeof *x);
	snprintf(x->id, sizeof x->id, "%s", id);
	snprintf(x->variant, sizeof x->variant, "%s", variant ? variant : "");
	x->severity = sev;
	x->evidence = cJSON_CreateObject();
	x->seq = f->count++;
	return x;
}

const struct dx_finding *dx_find(const struct dx_findings *f, const char *id)
{
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].id, id) == 0)
			return &f->items[i];
	return NULL;
}

void dx_findings_free(struct dx_findings *f)
{
	for (size_t i = 0; i < f->count; i++)
		cJSON_Delete(f->items[i].evidence);
	free(f->items);
	memset(f, 0, sizeof *f);
}

const char *dx_severity_name(enum dx_severity s)
{
	return s == DX_SEV_ERROR ? "error" : s == DX_SEV_WARNING ? "warning" : "info";
}

void dx_ev_str(struct dx_finding *f, const char *key, const char *val)
{
	cJSON_AddStringToObject(f->evidence, key, val ? val : "");
}
void dx_ev_num(struct dx_finding *f, const char *key, double val)
{
	cJSON_AddNumberToObject(f->evidence, key, val);
}
void dx_ev_bool(struct dx_finding *f, const char *key, int val)
{
	cJSON_AddBoolToObject(f->evidence, key, val);
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
void dx_ev_err(struct dx_finding *f, const char *what, enum dx_status s,
	       const struct dx_err *err)
{
	dx_ev_fmt(f, what, "%s (%u): %s", dx_status_name(s), err->code, err->text);
}

const char *dx_status_name(enum dx_status s)
{
	static const char *n[] = {"ok", "not-found", "access-denied", "transient",
				  "timeout", "bad-data", "unsupported"};
	return (unsigned)s < 7 ? n[s] : "?";
}
const char *dx_regtype_name(enum dx_regtype t)
{
	switch (t) {
	case DX_REG_SZ: return "REG_SZ";
	case DX_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case DX_REG_BINARY: return "REG_BINARY";
	case DX_REG_DWORD: return "REG_DWORD";
	case DX_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case DX_REG_QWORD: return "REG_QWORD";
	default: return "REG_NONE";
	}
}
int dx_strieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
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
	memset(l, 0, sizeof *l);
}
int dx_strlist_push(struct dx_strlist *l, const char *s)
{
	char **n = realloc(l->items, (l->count + 1) * sizeof *n);
	if (!n)
		return -1;
	l->items = n;
	if (!(n[l->count] = strdup(s)))
		return -1;
	l->count++;
	return 0;
}
enum dx_status dx_reg_read(const struct dx_platform *p, const char *key,
			   const char *value, struct dx_regval *out, struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	return p->ops->reg_read(p->ctx, key, value, out, err);
}
enum dx_status dx_reg_string(const struct dx_platform *p, const char *key,
			     const char *value, char *out, size_t outsz, struct dx_err *err)
{
	struct dx_regval v;
	enum dx_status s = dx_reg_read(p, key, value, &v, err);
	if (s != DX_OK)
		return s;
	if (v.type != DX_REG_SZ && v.type != DX_REG_EXPAND_SZ) {
		dx_regval_free(&v);
		snprintf(err->text, sizeof err->text, "wrong type");
		return DX_BAD_DATA;
	}
	snprintf(out, outsz, "%s", (char *)v.data);
	dx_regval_free(&v);
	return DX_OK;
}
enum dx_status dx_resolve(const struct dx_platform *p, const char *host,
			  struct dx_strlist *out, struct dx_err *err)
{
	memset(out, 0, sizeof *out);
	return p->ops->resolve(p->ctx, host, out, err);
}
