/* main.c - the scenario harness: runs every scenario of
 * fixtures/scenarios/ against a mock cloud and the real mdediag, prints one
 * line per scenario and the coverage table of the spec's check IDs.
 *
 * Exit status: 0 every scenario passed and (for a full run) every spec ID
 * has a passing scenario; 1 a scenario failed or an ID is uncovered;
 * 2 bad usage or a scenario directory that cannot be loaded. */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "hx_coverage.h"
#include "hx_json.h"
#include "hx_junit.h"
#include "hx_proc.h"
#include "hx_scenario.h"
#include "hx_spec.h"
#include "hx_update.h"

#ifndef HX_SOURCE_ROOT
#define HX_SOURCE_ROOT "."
#endif
#ifndef HX_BUILD_ROOT
#define HX_BUILD_ROOT "build"
#endif

#define HX_MAX_SCENARIOS 1024
#define HX_MAX_NAMES 256
#define HX_MAX_JOBS 64

static const char usage[] =
	"usage: harness [--filter SUBSTR] [-j N] [--timeout S] [--net-timeout S]\n"
	"               [--update] [--junit FILE] [--coverage-json FILE]\n"
	"               [--diag PATH] [--mockcloud PATH] [--wine] [--spec FILE]\n"
	"               [--scenarios DIR] [--report-dir DIR] [--keep] [--verbose]\n"
	"               [--list] [--collect-replay [--replay-diag PATH]] [NAME...]\n"
	"\n"
	"Runs the scenarios of DIR (default: fixtures/scenarios of the source tree)\n"
	"against a mock cloud and the real mdediag, prints one line per scenario,\n"
	"then every check ID of the spec with the passing scenarios producing it.\n"
	"NAMEs select scenarios by exact name, --filter by substring; --list prints\n"
	"the selected names and their article branch without running. A full run\n"
	"fails when a spec ID has no passing scenario. Exit: 0 all passed and\n"
	"covered, 1 a failure or an uncovered ID, 2 bad usage or scenario files.\n"
	"--report-dir DIR writes each scenario's JSON report to DIR/NAME.json.\n"
	"--collect-replay also runs `mdediag collect` with the same options, stops\n"
	"the mock cloud, replays the collected file with no network options (with\n"
	"--replay-diag PATH, e.g. the native build under --wine) and fails unless\n"
	"the findings (id, severity, evidence but timings) and verdict match.\n";

struct cli {
	struct hx_opts o;
	const char *filter, *junit, *coverage_json, *spec, *dir;
	const char *names[HX_MAX_NAMES];
	int nnames, jobs, update, list;
};

struct pool {
	struct hx_scenario **sc;
	size_t n;
	atomic_size_t next;
	const struct hx_opts *o;
	pthread_mutex_t print;
};

static int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

static int parse_cli(int argc, char **argv, struct cli *c)
{
	static char spec[PATH_MAX], dir[PATH_MAX], diag[PATH_MAX], mc[PATH_MAX];
	memset(c, 0, sizeof *c);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->jobs = cpus > 0 ? (int)(cpus < HX_MAX_JOBS ? cpus : HX_MAX_JOBS) : 1;
	c->o.timeout_s = 30;
	c->o.net_timeout_s = 5;
	snprintf(spec, sizeof spec, "%s/../shared/spec/diagnosis.md", HX_SOURCE_ROOT);
	snprintf(dir, sizeof dir, "%s/fixtures/scenarios", HX_SOURCE_ROOT);
	snprintf(diag, sizeof diag, "%s/diag/mdediag", HX_BUILD_ROOT);
	snprintf(mc, sizeof mc, "%s/mockcloud/mockcloud", HX_BUILD_ROOT);
	c->spec = spec;
	c->dir = dir;
	c->o.diag = diag;
	c->o.mockcloud = mc;
	const char *tmp = getenv("TMPDIR");
	c->o.tmp_root = tmp && *tmp ? tmp : "/tmp";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		double d;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(a, "--update")) {
			c->update = 1;
		} else if (!strcmp(a, "--list")) {
			c->list = 1;
		} else if (!strcmp(a, "--wine")) {
			c->o.wine = 1;
		} else if (!strcmp(a, "--collect-replay")) {
			c->o.collect_replay = 1;
		} else if (!strcmp(a, "--keep")) {
			c->o.keep = 1;
		} else if (!strcmp(a, "--verbose") || !strcmp(a, "-v")) {
			c->o.verbose = 1;
		} else if (a[0] == '-' && !v) {
			fprintf(stderr, "harness: %s needs a value (or is unknown)\n%s", a, usage);
			return -1;
		} else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
			if (parse_double(v, 1, HX_MAX_JOBS, &d) || d != (int)d) {
				fprintf(stderr, "harness: -j %s: expected 1 to %d\n", v, HX_MAX_JOBS);
				return -1;
			}
			c->jobs = (int)d;
			i++;
		} else if (!strcmp(a, "--timeout") || !strcmp(a, "--net-timeout")) {
			if (parse_double(v, 0.1, 600, &d)) {
				fprintf(stderr, "harness: %s %s: expected seconds from 0.1 to 600\n", a, v);
				return -1;
			}
			*(a[2] == 't' ? &c->o.timeout_s : &c->o.net_timeout_s) = d;
			i++;
		} else if (!strcmp(a, "--filter")) {
			c->filter = v, i++;
		} else if (!strcmp(a, "--junit")) {
			c->junit = v, i++;
		} else if (!strcmp(a, "--coverage-json")) {
			c->coverage_json = v, i++;
		} else if (!strcmp(a, "--diag")) {
			c->o.diag = v, i++;
		} else if (!strcmp(a, "--mockcloud")) {
			c->o.mockcloud = v, i++;
		} else if (!strcmp(a, "--spec")) {
			c->spec = v, i++;
		} else if (!strcmp(a, "--scenarios")) {
			c->dir = v, i++;
		} else if (!strcmp(a, "--replay-diag")) {
			c->o.replay_diag = v, i++;
		} else if (!strcmp(a, "--report-dir")) {
			c->o.report_dir = v, i++;
		} else if (a[0] == '-') {
			fprintf(stderr, "harness: unknown option %s\n%s", a, usage);
			return -1;
		} else if (c->nnames == HX_MAX_NAMES) {
			fprintf(stderr, "harness: more than %d names\n", HX_MAX_NAMES);
			return -1;
		} else {
			c->names[c->nnames++] = a;
		}
	}
	if (c->o.net_timeout_s >= c->o.timeout_s) {
		fprintf(stderr, "harness: --net-timeout must be below --timeout\n");
		return -1;
	}
	return 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int selected(const struct cli *c, const char *name, int *used)
{
	if (c->filter && !strstr(name, c->filter))
		return 0;
	if (c->nnames == 0)
		return 1;
	for (int i = 0; i < c->nnames; i++)
		if (!strcmp(c->names[i], name)) {
			used[i] = 1;
			return 1;
		}
	return 0;
}

/* Loads the selected scenarios, sorted by name. Returns the count, or -1
 * after printing why. */
static long discover(const struct cli *c, struct hx_scenario ***out)
{
	DIR *d = opendir(c->dir);
	char *names[HX_MAX_SCENARIOS];
	size_t n = 0;
	int used[HX_MAX_NAMES] = {0};
	long rc = -1;
	if (!d) {
		fprintf(stderr, "harness: %s: %s\n", c->dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		char p[PATH_MAX];
		struct stat st;
		if (e->d_name[0] == '.' || strlen(e->d_name) >= HX_NAME_MAX)
			continue;
		snprintf(p, sizeof p, "%s/%s/scenario.json", c->dir, e->d_name);
		if (stat(p, &st) || !S_ISREG(st.st_mode) || !selected(c, e->d_name, used))
			continue;
		if (n == HX_MAX_SCENARIOS) {
			fprintf(stderr, "harness: more than %d scenarios\n", HX_MAX_SCENARIOS);
			goto out;
		}
		names[n++] = strdup(e->d_name);
	}
	for (int i = 0; i < c->nnames; i++)
		if (!used[i]) {
			fprintf(stderr, "harness: no scenario named %s in %s\n", c->names[i], c->dir);
			goto out;
		}
	qsort(names, n, sizeof names[0], by_name);
	struct hx_scenario **sc = calloc(n ? n : 1, sizeof *sc);
	if (!sc)
		goto out;
	int bad = 0;
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], err[1024];
		sc[i] = calloc(1, sizeof **sc);
		snprintf(dir, sizeof dir, "%s/%s", c->dir, names[i]);
		if (!sc[i] || hx_scenario_load(sc[i], dir, names[i], err, sizeof err)) {
			fprintf(stderr, "harness: %s\n", sc[i] ? err : "out of memory");
			bad = 1;
		}
	}
	if (bad) {
		for (size_t i = 0; i < n; i++)
			if (sc[i])
				hx_scenario_free(sc[i]), free(sc[i]);
		free(sc);
		goto out;
	}
	*out = sc;
	rc = (long)n;
out:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return rc;
}

/* 2: a host is blackholed or delayed (costs up to the probe's timeout),
 * 1: network, 0: local. */
static int expected_cost(const struct hx_scenario *s)
{
	const cJSON *cloud = cJSON_GetObjectItemCaseSensitive(s->json, "cloud");
	if (!cloud)
		return 0;
	char *text = cJSON_PrintUnformatted(cloud);
	int slow = text && (strstr(text, "\"silent\"") || strstr(text, "\"delay\""));
	cJSON_free(text);
	return slow ? 2 : 1;
}

static void print_result(const struct hx_scenario *s)
{
	if (s->outcome == HX_PASS)
		if (s->collected_bytes)
			printf("PASS %s (%.1f s, collected %ld bytes)\n", s->name, s->seconds,
			       s->collected_bytes);
		else
			printf("PASS %s (%.1f s)\n", s->name, s->seconds);
	else
		printf("FAIL %s: %s (%.1f s)\n", s->name, s->why, s->seconds);
	if (s->tmpdir[0])
		printf("     kept %s\n", s->tmpdir);
	fflush(stdout);
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&p->next, 1);
		if (i >= p->n)
			return NULL;
		hx_scenario_run(p->sc[i], p->o);
		pthread_mutex_lock(&p->print);
		print_result(p->sc[i]);
		pthread_mutex_unlock(&p->print);
	}
}

static int write_junit(const char *path, struct hx_scenario **sc, size_t n, double wall)
{
	struct hx_case *cases = calloc(n ? n : 1, sizeof *cases);
	FILE *f = fopen(path, "w");
	int rc = -1;
	if (!cases || !f)
		goto out;
	for (size_t i = 0; i < n; i++) {
		cases[i].name = sc[i]->name;
		cases[i].seconds = sc[i]->seconds;
		cases[i].failure = sc[i]->outcome == HX_PASS ? NULL : sc[i]->why;
		cases[i].stderr_text = sc[i]->outcome == HX_PASS ? NULL : sc[i]->stderr_text;
	}
	rc = hx_junit_write(f, "scenarios", cases, n, wall);
out:
	if (f && fclose(f))
		rc = -1;
	if (rc)
		fprintf(stderr, "harness: cannot write %s: %s\n", path, strerror(errno));
	free(cases);
	return rc;
}

/* --update: rewrites each scenario's expect from its actual report. */
static int update_all(struct hx_scenario **sc, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX + 32], err[512];
		if (!sc[i]->report) {
			printf("update: %s skipped (no report: %s)\n", sc[i]->name, sc[i]->why);
			continue;
		}
		cJSON *x = hx_update_expect(cJSON_GetObjectItemCaseSensitive(sc[i]->json, "expect"),
					    sc[i]->report, sc[i]->exit_code);
		if (!x) {
			rc = -1;
			continue;
		}
		cJSON_ReplaceItemInObjectCaseSensitive(sc[i]->json, "expect", x);
		snprintf(path, sizeof path, "%s/scenario.json", sc[i]->dir);
		if (hx_json_write(path, sc[i]->json, err, sizeof err)) {
			fprintf(stderr, "harness: %s\n", err);
			rc = -1;
		} else if (sc[i]->outcome != HX_PASS) {
			printf("update: %s rewritten (review the diff)\n", sc[i]->name);
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct hx_idlist *spec = calloc(1, sizeof *spec);
	struct hx_scenario **sc = NULL;
	char err[1024];
	int rc = 2;
	long n = 0;
	if (!spec || parse_cli(argc, argv, &c))
		goto out;
	signal(SIGPIPE, SIG_IGN);
	if (c.o.wine)
		setenv("WINEDEBUG", "-all", 1);
	if (hx_spec_load(c.spec, spec, err, sizeof err)) {
		fprintf(stderr, "harness: spec: %s (use --spec FILE)\n", err);
		goto out;
	}
	n = discover(&c, &sc);
	if (n <= 0) {
		if (n == 0)
			fprintf(stderr, "harness: no scenario selected in %s\n", c.dir);
		n = 0;
		goto out;
	}
	if (c.list) {
		for (long i = 0; i < n; i++)
			printf("%s\t%s\n", sc[i]->name,
			       cJSON_GetObjectItemCaseSensitive(sc[i]->json, "branch")->valuestring);
		rc = 0;
		goto out;
	}
	/* Longest first, so the slow ones do not form the tail: scenarios whose
	 * cloud blackholes a host cost a whole probe timeout, other network
	 * scenarios a few hundred TLS milliseconds, local ones almost nothing.
	 * The run order is a copy; sc stays sorted by name for the reports. */
	struct hx_scenario **order = calloc((size_t)n, sizeof *order);
	if (!order) {
		rc = 3;
		goto out;
	}
	size_t k = 0;
	for (int cost = 2; cost >= 0; cost--)
		for (long i = 0; i < n; i++)
			if (expected_cost(sc[i]) == cost)
				order[k++] = sc[i];
	struct pool p = {.sc = order, .n = (size_t)n, .o = &c.o};
	atomic_init(&p.next, 0);
	pthread_mutex_init(&p.print, NULL);
	int jobs = c.jobs < n ? c.jobs : (int)n;
	pthread_t th[HX_MAX_JOBS];
	long long t0 = hx_now_ms();
	int started = 0;
	for (; started < jobs; started++)
		if (pthread_create(&th[started], NULL, worker, &p))
			break;
	if (started == 0)
		worker(&p);
	for (int i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	double wall = (double)(hx_now_ms() - t0) / 1000.0;
	free(order);

	size_t failed = 0;
	for (long i = 0; i < n; i++)
		failed += sc[i]->outcome != HX_PASS;
	int full = !c.filter && c.nnames == 0;
	size_t uncovered = hx_coverage_print(stdout, spec, sc, (size_t)n);
	printf("\n%ld scenarios: %ld passed, %zu failed; %zu of %zu spec IDs covered%s; "
	       "%.1f s wall, -j %d\n", n, n - (long)failed, failed, spec->n - uncovered,
	       spec->n, full ? "" : " (subset run: coverage not enforced)", wall, jobs);
	rc = failed || (full && uncovered) ? 1 : 0;
	if (c.junit && write_junit(c.junit, sc, (size_t)n, wall))
		rc = 2;
	if (c.coverage_json &&
	    hx_coverage_json(c.coverage_json, spec, sc, (size_t)n, err, sizeof err)) {
		fprintf(stderr, "harness: %s\n", err);
		rc = 2;
	}
	if (c.update && update_all(sc, (size_t)n))
		rc = 2;
out:
	for (long i = 0; i < n; i++) {
		hx_scenario_free(sc[i]);
		free(sc[i]);
	}
	free(sc);
	free(spec);
	return rc;
}
