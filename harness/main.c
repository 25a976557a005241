/* main.c - the scenario harness: runs every scenario of
 * fixtures/scenarios/ against a mock cloud and the real mdediag, prints one
 * line per scenario and the coverage table of the check IDs that
 * `mdediag --list-checks` prints (docs/checks.md).
 *
 * Exit status: 0 every scenario passed and (when coverage is judged: a full
 * run of the bundled suite, or --coverage) every check ID has a passing
 * scenario; 1 a scenario failed or an ID is uncovered; 2 bad usage, a
 * scenario directory that cannot be loaded, an unusable --report-dir. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cliopt.h"
#include "hx_checks.h"
#include "hx_coverage.h"
#include "hx_json.h"
#include "hx_junit.h"
#include "hx_proc.h"
#include "hx_scenario.h"
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
	"usage: harness [--filter SUBSTR] [-j N] [--timeout S] [--net-timeout S] [--slow F]\n"
	"               [--update] [--junit FILE] [--coverage-json FILE]\n"
	"               [--coverage | --no-coverage] [--diag PATH] [--mockcloud PATH]\n"
	"               [--wine] [--scenarios DIR] [--report-dir DIR] [--keep]\n"
	"               [--verbose] [--list] [--collect-replay [--replay-diag PATH]]\n"
	"               [NAME...]\n"
	"\n"
	"Runs the scenarios of DIR (default: fixtures/scenarios of the source tree)\n"
	"against a mock cloud and the real mdediag and prints one line per scenario.\n"
	"NAMEs select scenarios by exact name, --filter by substring; --list prints\n"
	"the selected names and their article branch without running.\n"
	"A full run of the bundled suite (or --coverage) also judges coverage:\n"
	"it prints every check ID of `mdediag --list-checks` with the passing\n"
	"scenarios producing it and fails when an ID has none. --no-coverage never\n"
	"judges it. --report-dir DIR (created if missing) writes each scenario's\n"
	"JSON report to DIR/NAME.json, and DIR/summary.json after the run (how many\n"
	"scenarios passed and failed, whether collect/replay ran), so later tests\n"
	"can read the reports instead of running the suite again.\n"
	"--net-timeout S is mdediag's --timeout (default 5); a scenario whose\n"
	"subject is the deadline sets its own \"net_timeout\", multiplied by\n"
	"--slow F (default 1) for slower builds (sanitizers, Wine).\n"
	"Options take values as --opt V or --opt=V.\n"
	"Exit: 0 all passed (and covered, when judged), 1 a failure or an\n"
	"uncovered ID, 2 bad usage, unusable files or directories.\n"
	"--collect-replay also runs `mdediag collect` with the same options (and\n"
	"with --redact), stops the mock cloud, replays the collected files with no\n"
	"network options (with --replay-diag PATH, e.g. the native build under\n"
	"--wine) and fails unless findings (id, severity, title, evidence but\n"
	"timings) and verdict match the live run (docs/collect.md).\n";

struct cli {
	struct hx_opts o;
	const char *filter, *junit, *coverage_json, *dir;
	const char *names[HX_MAX_NAMES];
	int nnames, jobs, update, list;
	int coverage; /* 1 --coverage, -1 --no-coverage, 0 decide */
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

/* Prints a usage error, one line and the hint; returns -1. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("harness: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'harness --help'.\n", stderr);
	va_end(ap);
	return -1;
}

enum {
	O_FILTER = 256,
	O_TIMEOUT,
	O_NET_TIMEOUT,
	O_UPDATE,
	O_JUNIT,
	O_COVERAGE_JSON,
	O_COVERAGE,
	O_NO_COVERAGE,
	O_DIAG,
	O_MOCKCLOUD,
	O_WINE,
	O_SCENARIOS,
	O_REPORT_DIR,
	O_KEEP,
	O_LIST,
	O_COLLECT_REPLAY,
	O_REPLAY_DIAG,
	O_SLOW,
};

/* Fills c from the command line. Returns 0 to run, 1 when --help was
 * printed (exit 0), -1 after printing a usage error (exit 2). */
static int parse_cli(int argc, char **argv, struct cli *c)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"jobs", required_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},
		{"filter", required_argument, NULL, O_FILTER},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"net-timeout", required_argument, NULL, O_NET_TIMEOUT},
		{"slow", required_argument, NULL, O_SLOW},
		{"update", no_argument, NULL, O_UPDATE},
		{"junit", required_argument, NULL, O_JUNIT},
		{"coverage-json", required_argument, NULL, O_COVERAGE_JSON},
		{"coverage", no_argument, NULL, O_COVERAGE},
		{"no-coverage", no_argument, NULL, O_NO_COVERAGE},
		{"diag", required_argument, NULL, O_DIAG},
		{"mockcloud", required_argument, NULL, O_MOCKCLOUD},
		{"wine", no_argument, NULL, O_WINE},
		{"scenarios", required_argument, NULL, O_SCENARIOS},
		{"report-dir", required_argument, NULL, O_REPORT_DIR},
		{"keep", no_argument, NULL, O_KEEP},
		{"collect-replay", no_argument, NULL, O_COLLECT_REPLAY},
		{"replay-diag", required_argument, NULL, O_REPLAY_DIAG},
		{"list", no_argument, NULL, O_LIST},
		{NULL, 0, NULL, 0},
	};
	static char dir[PATH_MAX], diag[PATH_MAX], mc[PATH_MAX];
	memset(c, 0, sizeof *c);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	c->jobs = cpus > 0 ? (int)(cpus < HX_MAX_JOBS ? cpus : HX_MAX_JOBS) : 1;
	c->o.timeout_s = 30;
	c->o.net_timeout_s = 5;
	c->o.slow = 1;
	snprintf(dir, sizeof dir, "%s/fixtures/scenarios", HX_SOURCE_ROOT);
	snprintf(diag, sizeof diag, "%s/diag/mdediag", HX_BUILD_ROOT);
	snprintf(mc, sizeof mc, "%s/mockcloud/mockcloud", HX_BUILD_ROOT);
	c->dir = dir;
	c->o.diag = diag;
	c->o.mockcloud = mc;
	const char *tmp = getenv("TMPDIR");
	c->o.tmp_root = tmp && *tmp ? tmp : "/tmp";
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":hj:v", lo, NULL)) != -1) {
		double d;
		const char *bad = argv[optind - 1];
		switch (opt) {
		case 'h': fputs(usage, stdout); return 1;
		case 'j':
			if (parse_double(optarg, 1, HX_MAX_JOBS, &d) || d != (int)d)
				return usage_error("-j %s: expected a whole number from 1 to %d",
						   optarg, HX_MAX_JOBS);
			c->jobs = (int)d;
			break;
		case 'v': c->o.verbose = 1; break;
		case O_TIMEOUT:
		case O_NET_TIMEOUT:
			if (parse_double(optarg, 0.1, 600, &d))
				return usage_error("%s %s: expected seconds from 0.1 to 600",
						   opt == O_TIMEOUT ? "--timeout" : "--net-timeout",
						   optarg);
			*(opt == O_TIMEOUT ? &c->o.timeout_s : &c->o.net_timeout_s) = d;
			break;
		case O_SLOW:
			if (parse_double(optarg, 1, 20, &d))
				return usage_error("--slow %s: expected a factor from 1 to 20",
						   optarg);
			c->o.slow = d;
			break;
		case O_FILTER: c->filter = optarg; break;
		case O_UPDATE: c->update = 1; break;
		case O_JUNIT: c->junit = optarg; break;
		case O_COVERAGE_JSON: c->coverage_json = optarg; break;
		case O_COVERAGE: c->coverage = 1; break;
		case O_NO_COVERAGE: c->coverage = -1; break;
		case O_DIAG: c->o.diag = optarg; break;
		case O_MOCKCLOUD: c->o.mockcloud = optarg; break;
		case O_WINE: c->o.wine = 1; break;
		case O_SCENARIOS: c->dir = optarg; break;
		case O_REPORT_DIR: c->o.report_dir = optarg; break;
		case O_KEEP: c->o.keep = 1; break;
		case O_COLLECT_REPLAY: c->o.collect_replay = 1; break;
		case O_REPLAY_DIAG: c->o.replay_diag = optarg; break;
		case O_LIST: c->list = 1; break;
		case ':':
		default: {
			char msg[4096];
			return usage_error("%s",
					   cm_getopt_error(opt, bad, optopt, msg, sizeof msg));
		}
		}
	}
	for (int i = optind; i < argc; i++) {
		if (c->nnames == HX_MAX_NAMES)
			return usage_error("more than %d names", HX_MAX_NAMES);
		c->names[c->nnames++] = argv[i];
	}
	if (c->o.net_timeout_s >= c->o.timeout_s)
		return usage_error("--net-timeout must be below --timeout");
	return 0;
}

/* Whether dir is the bundled suite (fixtures/scenarios of the source tree):
 * only a full run of it judges coverage unless --coverage says so. */
static int is_bundled_suite(const char *dir)
{
	char a[PATH_MAX], b[PATH_MAX], bundled[PATH_MAX];
	snprintf(bundled, sizeof bundled, "%s/fixtures/scenarios", HX_SOURCE_ROOT);
	return realpath(dir, a) && realpath(bundled, b) && strcmp(a, b) == 0;
}

/* Creates the --report-dir (and its parents) and proves it writable, so a
 * run never ends having silently written nothing. 0, or -1 after saying why. */
static int prepare_report_dir(const char *dir)
{
	char p[PATH_MAX];
	int n = snprintf(p, sizeof p, "%s", dir);
	if (n <= 0 || (size_t)n >= sizeof p - 32) {
		fprintf(stderr, "harness: --report-dir: path too long\n");
		return -1;
	}
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char keep = *s;
		*s = '\0';
		if (mkdir(p, 0777) && errno != EEXIST) {
			fprintf(stderr, "harness: --report-dir %s: cannot create %s: %s\n", dir, p,
				strerror(errno));
			return -1;
		}
		*s = keep;
		if (!keep)
			break;
	}
	snprintf(p + n, sizeof p - (size_t)n, "/.hx-write-test-XXXXXX");
	int fd = mkstemp(p);
	if (fd < 0) {
		fprintf(stderr, "harness: --report-dir %s: cannot write there: %s\n", dir,
			strerror(errno));
		return -1;
	}
	close(fd);
	unlink(p);
	/* a summary says the reports beside it are this run's: not yet */
	snprintf(p + n, sizeof p - (size_t)n, "/summary.json");
	if (unlink(p) && errno != ENOENT) {
		fprintf(stderr, "harness: --report-dir %s: cannot remove %s: %s\n", dir, p,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* DIR/summary.json after a run: the counts, written last, so its presence
 * says every report beside it is this run's. 0 or -1 after saying why. */
static int write_summary(const char *dir, long n, size_t failed, size_t uncovered, int judged,
			 int collect_replay)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof p, "%s/summary.json", dir);
	FILE *f = fopen(p, "w");
	int bad = !f ||
		  fprintf(f,
			  "{\"scenarios\": %ld, \"passed\": %ld, \"failed\": %zu, "
			  "\"coverage_judged\": %s, \"uncovered\": %zu, \"collect_replay\": %s}\n",
			  n, n - (long)failed, failed, judged ? "true" : "false", uncovered,
			  collect_replay ? "true" : "false") < 0;
	if (f && fclose(f))
		bad = 1;
	if (bad)
		fprintf(stderr, "harness: cannot write %s: %s\n", p, strerror(errno));
	return bad ? -1 : 0;
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
			fprintf(stderr, "harness: no scenario named %s in %s\n", c->names[i],
				c->dir);
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

/* --update for one scenario: its expect rewritten from the actual report,
 * the rest of scenario.json left as the author wrote it. 0 (also when
 * nothing changed) or -1 after printing why. */
static int update_one(struct hx_scenario *s)
{
	char path[PATH_MAX + 32], err[1024];
	snprintf(path, sizeof path, "%s/scenario.json", s->dir);
	char *text = dx_read_file(path, HX_JSON_MAX, NULL, err, sizeof err);
	cJSON *old = text ? cJSON_Parse(text) : NULL, *nw = NULL;
	char *out = NULL;
	int rc = -1;
	if (!old) {
		fprintf(stderr, "harness: update %s: %s\n", s->name,
			text ? "no longer valid JSON" : err);
		goto done;
	}
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(old, "expect");
	cJSON *x = hx_update_expect(expect, s->report, s->exit_code);
	if (!x || !(nw = cJSON_Duplicate(old, 1))) {
		cJSON_Delete(x);
		fprintf(stderr, "harness: update %s: out of memory\n", s->name);
		goto done;
	}
	cJSON_ReplaceItemInObjectCaseSensitive(nw, "expect", x);
	if (hx_json_equal(expect, x)) {
		rc = 0; /* nothing to change: the file stays byte for byte */
		goto done;
	}
	out = hx_json_rewrite(text, old, nw);
	FILE *f = out ? fopen(path, "w") : NULL;
	int bad = !f || fputs(out, f) < 0;
	if (f && fclose(f))
		bad = 1;
	if (bad) {
		fprintf(stderr, "harness: update %s: cannot write %s: %s\n", s->name, path,
			out ? strerror(errno) : "out of memory");
		goto done;
	}
	printf("update: %s rewritten (review the diff)\n", s->name);
	rc = 0;
done:
	free(out);
	free(text);
	cJSON_Delete(old);
	cJSON_Delete(nw);
	return rc;
}

/* --update: rewrites each scenario's expect from its actual report. */
static int update_all(struct hx_scenario **sc, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (sc[i]->outcome == HX_PASS)
			continue; /* its expectation holds: the author's file stays */
		if (!sc[i]->report) {
			printf("update: %s skipped (no report: %s)\n", sc[i]->name, sc[i]->why);
			continue;
		}
		if (update_one(sc[i]))
			rc = -1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct cli c;
	struct hx_idlist *ids = calloc(1, sizeof *ids);
	struct hx_scenario **sc = NULL;
	char err[1024];
	int rc = 2;
	long n = 0;
	int judge, p_rc = ids ? parse_cli(argc, argv, &c) : -1;
	if (p_rc) {
		rc = p_rc > 0 ? 0 : 2;
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);
	if (c.o.wine)
		setenv("WINEDEBUG", "-all", 1);
	judge = c.coverage > 0 ||
		(c.coverage == 0 && !c.filter && c.nnames == 0 && is_bundled_suite(c.dir));
	if (!c.list && (judge || c.coverage_json) &&
	    hx_checks_from_diag(c.o.diag, c.o.wine, hx_now_ms() + (long long)(c.o.timeout_s * 1000),
				ids, err, sizeof err)) {
		fprintf(stderr, "harness: check IDs: %s\n", err);
		goto out;
	}
	if (!c.list && c.o.report_dir && prepare_report_dir(c.o.report_dir))
		goto out;
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
			       cJSON_GetObjectItemCaseSensitive(sc[i]->json, "branch")
				       ->valuestring);
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
	size_t uncovered = judge ? hx_coverage_print(stdout, ids, sc, (size_t)n) : 0;
	printf("\n%ld scenarios: %ld passed, %zu failed; ", n, n - (long)failed, failed);
	if (judge)
		printf("%zu of %zu check IDs covered; ", ids->n - uncovered, ids->n);
	else
		printf("coverage not judged (%s); ",
		       c.coverage < 0         ? "--no-coverage"
		       : c.filter || c.nnames ? "a subset"
					      : "not the bundled suite: --coverage judges it");
	printf("%.1f s wall, -j %d\n", wall, jobs);
	rc = failed || uncovered ? 1 : 0;
	if (c.o.report_dir &&
	    write_summary(c.o.report_dir, n, failed, uncovered, judge, c.o.collect_replay))
		rc = 2;
	if (c.junit && write_junit(c.junit, sc, (size_t)n, wall))
		rc = 2;
	if (c.coverage_json &&
	    hx_coverage_json(c.coverage_json, ids, sc, (size_t)n, err, sizeof err)) {
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
	free(ids);
	return rc;
}
