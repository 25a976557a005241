/* test_reads.c - docs/fixture.md's "What the checks read" stays true.
 *
 * Every bundled device fixture is diagnosed section by section through a
 * platform that logs each primitive call (section, primitive, target). Each
 * logged read must match a row of the reference table for its section, and
 * each row must be read by at least one fixture, so the reference can
 * neither miss a read nor list one the code no longer makes. With
 * MDEDIAG_DUMP_READS=1 the test prints the reads it saw (to write rows). */
#include <criterion/criterion.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "helpers.h"

#define MAX_ROWS 256
#define MAX_SEEN 4096

struct row {
	char section[24], primitive[24], target[400];
	int hit;
};

static struct row rows[MAX_ROWS];
static size_t nrows;
static struct row seen[MAX_SEEN];
static size_t nseen;
static const char *current = "";

/* ---- the logging platform ------------------------------------------------ */

static struct dx_platform inner;

static void log_call(const char *primitive, const char *target)
{
	for (size_t i = 0; i < nseen; i++)
		if (!strcmp(seen[i].section, current) && !strcmp(seen[i].primitive, primitive) &&
		    !strcasecmp(seen[i].target, target))
			return;
	cr_assert_lt(nseen, MAX_SEEN);
	struct row *r = &seen[nseen++];
	snprintf(r->section, sizeof r->section, "%s", current);
	snprintf(r->primitive, sizeof r->primitive, "%s", primitive);
	snprintf(r->target, sizeof r->target, "%s", target);
}

static enum dx_status lg_reg_read(void *ctx, const char *key, const char *value,
				  struct dx_regval *out, struct dx_err *err)
{
	char t[400];
	snprintf(t, sizeof t, "%s\\%s", key, value);
	log_call("reg_read", t);
	return dx_reg_read(&inner, key, value, out, err);
}

static enum dx_status lg_reg_subkeys(void *ctx, const char *key, struct dx_strlist *out,
				     struct dx_err *err)
{
	log_call("reg_subkeys", key);
	return dx_reg_subkeys(&inner, key, out, err);
}

static enum dx_status lg_reg_values(void *ctx, const char *key, struct dx_strlist *out,
				    struct dx_err *err)
{
	log_call("reg_values", key);
	return dx_reg_values(&inner, key, out, err);
}

static enum dx_status lg_svc_query(void *ctx, const char *name, struct dx_svc *out,
				   struct dx_err *err)
{
	log_call("svc_query", name);
	return dx_svc_query(&inner, name, out, err);
}

static enum dx_status lg_file_exists(void *ctx, const char *path, int *is_dir, struct dx_err *err)
{
	log_call("file_exists", path);
	return dx_file_exists(&inner, path, is_dir, err);
}

static enum dx_status lg_file_version(void *ctx, const char *path, char out[64], struct dx_err *err)
{
	log_call("file_version", path);
	return dx_file_version(&inner, path, out, err);
}

static enum dx_status lg_dir_list(void *ctx, const char *path, struct dx_strlist *out,
				  struct dx_err *err)
{
	log_call("dir_list", path);
	return dx_dir_list(&inner, path, out, err);
}

static enum dx_status lg_file_tail(void *ctx, const char *path, size_t max, char **out, size_t *len,
				   uint64_t *size, struct dx_err *err)
{
	log_call("file_tail", path);
	return dx_file_tail(&inner, path, max, out, len, size, err);
}

static enum dx_status lg_events_query(void *ctx, const char *log, const char *provider, uint32_t id,
				      int64_t since, size_t max, struct dx_eventlist *out,
				      struct dx_err *err)
{
	char t[400];
	snprintf(t, sizeof t, "%s (%s)", log, provider ? provider : "any provider");
	log_call("events_query", t);
	return dx_events_query(&inner, log, provider, id, since, max, out, err);
}

static enum dx_status lg_resolve(void *ctx, const char *host, int timeout_ms,
				 struct dx_strlist *out, struct dx_err *err)
{
	log_call("resolve", host);
	return dx_resolve_within(&inner, host, timeout_ms, out, err);
}

static int64_t lg_now(void *ctx)
{
	return dx_now(&inner);
}

static enum dx_status lg_hostname(void *ctx, char out[256], struct dx_err *err)
{
	return dx_hostname(&inner, out, err);
}

static enum dx_status lg_elevated(void *ctx, int *out, struct dx_err *err)
{
	return dx_elevated(&inner, out, err);
}

static enum dx_status lg_wpad_detect(void *ctx, int timeout_ms, struct dx_wpad *out,
				     struct dx_err *err)
{
	log_call("wpad_detect", "");
	return dx_wpad_detect(&inner, timeout_ms, out, err);
}

static enum dx_status lg_autoproxy(void *ctx, const char *url, const char *pac_url, int timeout_ms,
				   char out[1024], struct dx_err *err)
{
	log_call("autoproxy", url);
	return dx_autoproxy(&inner, url, pac_url, timeout_ms, out, err);
}

/* Every primitive forwarded, so the run sees the device the fixture
 * describes (its process token included); the ones the checks read are
 * logged. */
static const struct dx_platform_ops logging_ops = {
	.name = "logging",
	.reg_read = lg_reg_read,
	.reg_subkeys = lg_reg_subkeys,
	.reg_values = lg_reg_values,
	.svc_query = lg_svc_query,
	.file_exists = lg_file_exists,
	.file_version = lg_file_version,
	.dir_list = lg_dir_list,
	.file_tail = lg_file_tail,
	.events_query = lg_events_query,
	.resolve = lg_resolve,
	.now = lg_now,
	.hostname = lg_hostname,
	.elevated = lg_elevated,
	.wpad_detect = lg_wpad_detect,
	.autoproxy = lg_autoproxy,
};

/* ---- the reference table ---------------------------------------------------- */

/* "| section | primitive | `target` |" rows under the heading. */
static void load_reference(void)
{
	char path[512];
	size_t len;
	snprintf(path, sizeof path, "%s/docs/fixture.md", SOURCE_ROOT);
	char *doc = slurp(path, &len);
	cr_assert_not_null(doc, "cannot read %s", path);
	char *p = strstr(doc, "\n## What the checks read");
	cr_assert_not_null(p, "docs/fixture.md has no \"What the checks read\" section");
	for (char *line = strtok(p + 1, "\n"); line && nrows < MAX_ROWS;
	     line = strtok(NULL, "\n")) {
		if (line[0] == '#' && line != p + 1)
			break; /* the next section */
		char sec[24], prim[24], tgt[400];
		if (sscanf(line, "| %23[a-z] | %23[a-z_] | `%399[^`]` |", sec, prim, tgt) != 3)
			continue;
		struct row *r = &rows[nrows++];
		snprintf(r->section, sizeof r->section, "%s", sec);
		snprintf(r->primitive, sizeof r->primitive, "%s", prim);
		snprintf(r->target, sizeof r->target, "%s", tgt);
	}
	free(doc);
	cr_assert_gt(nrows, 20, "the reference table has only %zu rows", nrows);
}

/* `*` in a reference target matches any run of characters (case ignored). */
static int glob_match(const char *pat, const char *s)
{
	if (!*pat)
		return !*s;
	if (*pat == '*')
		return glob_match(pat + 1, s) || (*s && glob_match(pat, s + 1));
	return *s && tolower((unsigned char)*pat) == tolower((unsigned char)*s) &&
	       glob_match(pat + 1, s + 1);
}

/* ---- the run ----------------------------------------------------------------- */

static void diagnose_logged(const char *name)
{
	char path[512], err[1024];
	snprintf(path, sizeof path, "%s/fixtures/devices/%s", SOURCE_ROOT, name);
	struct dx_fixture *fx = dx_fixture_load(path, err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	struct run r;
	memset(&r, 0, sizeof r);
	cr_assert_eq(dx_data_load(&r.data, NULL, err, sizeof err), 0, "%s", err);
	cr_assert_eq(dx_platform_fixture_open(&inner, fx), 0);
	r.p.ops = &logging_ops;
	r.opt.no_network = 1;
	r.opt.fixture_mode = 1;
	r.c.p = &r.p;
	r.c.opt = &r.opt;
	r.c.data = &r.data;
	/* read before the sections, as dx_run_checks does */
	struct dx_err eerr;
	dx_elevated(&r.p, &r.c.facts.elevated, &eerr);
	for (size_t i = 0; i < dx_sections_len; i++) {
		current = dx_sections[i].name;
		dx_sections[i].run(&r.c);
	}
	/* the last resort's reads happen only once connectivity was tested */
	current = "reonboard";
	rerun_as_if_network_ok(&r);
	current = "";
	dx_findings_free(&r.c.findings);
	dx_platform_close(&inner);
	dx_data_free(&r.data);
}

Test(reference, every_read_of_every_fixture_is_documented_and_every_row_is_read, .timeout = 60)
{
	load_reference();
	char dir[512];
	snprintf(dir, sizeof dir, "%s/fixtures/devices", SOURCE_ROOT);
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct dirent *e;
	size_t fixtures = 0;
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") ||
		    !strcmp(e->d_name, "expected-verdicts.json"))
			continue;
		diagnose_logged(e->d_name);
		fixtures++;
	}
	closedir(d);
	cr_assert_gt(fixtures, 20);
	int dump = getenv("MDEDIAG_DUMP_READS") != NULL;
	for (size_t i = 0; i < nseen; i++) {
		const struct row *s = &seen[i];
		int ok = 0;
		for (size_t k = 0; k < nrows; k++) {
			if (strcmp(rows[k].section, s->section) ||
			    strcmp(rows[k].primitive, s->primitive) ||
			    !glob_match(rows[k].target, s->target))
				continue;
			rows[k].hit = 1;
			ok = 1;
		}
		if (dump)
			printf("| %s | %s | `%s` |\n", s->section, s->primitive, s->target);
		cr_expect(ok,
			  "undocumented read: section %s, %s `%s` (add a row to docs/fixture.md)",
			  s->section, s->primitive, s->target);
	}
	for (size_t k = 0; k < nrows; k++)
		cr_expect(rows[k].hit || !strcmp(rows[k].primitive, "resolve"),
			  "docs/fixture.md lists a read no fixture makes: section %s, %s `%s`",
			  rows[k].section, rows[k].primitive, rows[k].target);
}
