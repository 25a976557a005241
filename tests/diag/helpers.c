/* helpers.c - see helpers.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "helpers.h"

char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		if (len)
			*len = (size_t)n;
	}
	return buf;
}

static void run_fixture(struct run *r, struct dx_fixture *fx)
{
	char err[512];
	memset(r, 0, sizeof *r);
	cr_assert_eq(dx_data_load(&r->data, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(dx_platform_fixture_open(&r->p, fx), 0);
	r->opt.no_network = 1;
	r->opt.fixture_mode = 1;
	r->opt.timeout_ms = 1000;
	r->c.p = &r->p;
	r->c.opt = &r->opt;
	r->c.data = &r->data;
	dx_run_checks(&r->c);
}

void run_device(struct run *r, const char *name)
{
	char path[512], err[1024];
	snprintf(path, sizeof path, "%s/fixtures/devices/%s.json", SOURCE_ROOT, name);
	struct dx_fixture *fx = dx_fixture_load(path, err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	run_fixture(r, fx);
}

void run_text(struct run *r, const char *json)
{
	char err[1024];
	struct dx_fixture *fx = dx_fixture_parse(json, strlen(json), "test", err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	run_fixture(r, fx);
}

static void drop(struct dx_findings *l, const char *id)
{
	size_t k = 0;
	for (size_t i = 0; i < l->count; i++) {
		if (strcmp(l->items[i].id, id) == 0)
			cJSON_Delete(l->items[i].evidence);
		else
			l->items[k++] = l->items[i];
	}
	l->count = k;
}

void rerun_as_if_network_ok(struct run *r)
{
	drop(&r->c.findings, "net.not-tested");
	drop(&r->c.findings, "verdict");
	drop(&r->c.findings, "reonboard.plan");
	dx_findings_sort(&r->c.findings, dx_check_order); /* both compare orders */
	dx_check_reonboard(&r->c);
	dx_findings_sort(&r->c.findings, dx_check_order);
	dx_check_verdict(&r->c);
	dx_findings_sort(&r->c.findings, dx_check_order);
}

void run_free(struct run *r)
{
	dx_findings_free(&r->c.findings);
	dx_platform_close(&r->p);
	dx_data_free(&r->data);
}

const struct dx_finding *finding(const struct run *r, const char *id, const char *variant)
{
	for (size_t i = 0; i < r->c.findings.count; i++) {
		const struct dx_finding *f = &r->c.findings.items[i];
		if (strcmp(f->id, id) == 0 && (!variant || strcmp(f->variant, variant) == 0))
			return f;
	}
	return NULL;
}

const char *ev_str(const struct dx_finding *f, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(f->evidence, key);
	return cJSON_IsString(j) ? j->valuestring : "";
}

double ev_num(const struct dx_finding *f, const char *key)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(f->evidence, key);
	return cJSON_IsNumber(j) ? j->valuedouble : -1;
}

const char *verdict_cause(const struct run *r)
{
	const struct dx_finding *v = finding(r, "verdict", NULL);
	cr_assert_not_null(v, "no verdict finding");
	return ev_str(v, "cause");
}

int count_id(const struct run *r, const char *id)
{
	int n = 0;
	for (size_t i = 0; i < r->c.findings.count; i++)
		n += strcmp(r->c.findings.items[i].id, id) == 0;
	return n;
}

/* Test fixtures are easier to read with ' for " and | for a registry
 * backslash: this turns such text into JSON. */
static char *unshorten(const char *t)
{
	char *out = malloc(strlen(t) * 2 + 1), *o = out;
	cr_assert_not_null(out);
	for (; *t; t++) {
		if (*t == '|') {
			*o++ = '\\';
			*o++ = '\\';
		} else {
			*o++ = *t == '\'' ? '"' : *t;
		}
	}
	*o = '\0';
	return out;
}

void run_short(struct run *r, const char *text)
{
	char *json = unshorten(text);
	run_text(r, json);
	free(json);
}

struct dx_fixture *parse_short(const char *text, char *err, size_t errsz)
{
	char *json = unshorten(text);
	struct dx_fixture *fx = dx_fixture_parse(json, strlen(json), "test", err, errsz);
	free(json);
	return fx;
}
