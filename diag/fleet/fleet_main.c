/* fleet_main.c - `mdediag fleet`: the command line (docs/fleet.md).
 *
 * Exit status: 0 no device has an error verdict, 1 at least one has, 2 bad
 * usage or a PATH that cannot be read, 3 internal failure (out of memory,
 * the output could not be written). Unreadable inputs under a PATH are
 * counted and listed, and change nothing else.
 */
#include <errno.h>
#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "cliopt.h"
#include "console.h"
#include "fleet.h"
#include "lang.h"
#include "report.h"
#include "win32_args.h"

static const char usage[] =
	"usage: mdediag fleet [--format text|json|html|jsonl] [--output FILE]\n"
	"               [--lang en|ja] [--group-by FIELD]... [--redact] [--jobs N]\n"
	"               PATH...\n"
	"\n"
	"Reads the results of many devices and ranks the causes by the devices\n"
	"they block. Each PATH is a file or a directory (read recursively) of\n"
	"collected files (replayed offline, as --fixture does), JSON reports\n"
	"(--format json) and Intune remediation exports (CSV). A device is\n"
	"counted once (SenseId, else host name; the newest result wins).\n"
	"--group-by splits the causes by os_build, sense_version,\n"
	"platform_version, onboarding, streamlined, region, proxy or site (the\n"
	"folder). --format jsonl writes one device a line. --redact names\n"
	"devices by tokens and withholds device IDs and file names. --jobs\n"
	"diagnoses N files at once (default: one per CPU); the report is the same.\n"
	"Exit status:\n"
	"0 no device has an error verdict, 1 some device has, 2 bad usage or a\n"
	"PATH that cannot be read, 3 internal failure.\n";

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mdediag fleet: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'mdediag fleet --help'.\n", stderr);
	va_end(ap);
	return 2;
}

const char *fl_ui(const struct fl_run *r, const char *key)
{
	return dx_catalog_ui(r->cat, key);
}

const char *fl_say(const struct fl_run *r, const char *key, char *out, size_t sz, ...)
{
	va_list ap;
	const char *k;
	cJSON *ev = cJSON_CreateObject();
	va_start(ap, sz);
	while (ev && (k = va_arg(ap, const char *)))
		cJSON_AddNumberToObject(ev, k, (double)va_arg(ap, size_t));
	va_end(ap);
	char *s = ev ? dx_render_template(fl_ui(r, key), ev) : NULL;
	snprintf(out, sz, "%s", s ? s : fl_ui(r, key));
	free(s);
	cJSON_Delete(ev);
	return out;
}

enum { O_FORMAT = 256, O_OUTPUT, O_LANG, O_GROUP_BY, O_REDACT, O_JOBS };

/* Most worker threads --jobs may ask for. */
#define FL_MAX_JOBS 64

int dx_fleet_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, O_OUTPUT},
		{"lang", required_argument, NULL, O_LANG},
		{"group-by", required_argument, NULL, O_GROUP_BY},
		{"redact", no_argument, NULL, O_REDACT},
		{"jobs", required_argument, NULL, O_JOBS},
		{NULL, 0, NULL, 0},
	};
	const char *format = "text", *output = NULL, *lang = dx_lang_default();
	struct fl_run r;
	struct fl_result res;
	struct dx_data data = {0};
	struct dx_catalog cat = {0};
	char err[1024];
	int c, rc = 3;
	unsigned jobs = fl_cpu_count();
	FILE *out = stdout;

	memset(&r, 0, sizeof r);
	memset(&res, 0, sizeof res);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		const char *bad = argv[optind - 1];
		switch (c) {
		case 'h': fputs(usage, stdout); return 0;
		case O_FORMAT: format = optarg; break;
		case O_OUTPUT: output = optarg; break;
		case O_LANG: lang = optarg; break;
		case O_REDACT: r.redact = 1; break;
		case O_JOBS: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || optarg[0] == '-' || n < 1 ||
			    n > FL_MAX_JOBS)
				return usage_error("--jobs %s: expected a number from 1 to %d",
						   optarg, FL_MAX_JOBS);
			jobs = (unsigned)n;
			break;
		}
		case O_GROUP_BY: {
			int f = fl_fact_by_name(optarg);
			if (f < 0)
				return usage_error(
					"--group-by %s: expected os_build, sense_version, "
					"platform_version, onboarding, streamlined, region, "
					"proxy or site",
					optarg);
			int seen = 0;
			for (size_t i = 0; i < r.n_group_by; i++)
				seen |= r.group_by[i] == f;
			if (!seen)
				r.group_by[r.n_group_by++] = f;
			break;
		}
		case ':':
		default: {
			char msg[4096];
			return usage_error("%s", cm_getopt_error(c, bad, optopt, msg, sizeof msg));
		}
		}
	}
	if (strcmp(format, "text") && strcmp(format, "json") && strcmp(format, "html") &&
	    strcmp(format, "jsonl"))
		return usage_error("--format %s: expected text, json, html or jsonl", format);
	if (!dx_lang_supported(lang))
		return usage_error("--lang %s: expected en or ja", lang);
	if (optind >= argc)
		return usage_error("no PATH: name the files or directories to read");

#ifdef __GLIBC__
	/* Each collected file's parse and replay take and give back the same
	 * few hundred kB (its records, 13 kB a destination), file after file:
	 * kept in the heap rather than mapped and unmapped, or trimmed and
	 * faulted in again, every time (12% of a run's time). What the heap
	 * may keep free is bounded by the trim threshold. */
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	mallopt(M_TRIM_THRESHOLD, 16 << 20);
#endif
	fl_arena_install(); /* before any thread: cJSON's hooks are global */
	if (dx_data_load(&data, NULL, err, sizeof err)) {
		fprintf(stderr, "mdediag fleet: %s\n", err);
		return 3;
	}
	if (dx_catalog_load(&cat, lang, err, sizeof err)) {
		fprintf(stderr, "mdediag fleet: %s\n", err);
		dx_data_free(&data);
		return 3;
	}
	r.data = &data;
	r.cat = &cat;
	if (fl_run_init(&r)) {
		fprintf(stderr, "mdediag fleet: out of memory\n");
		goto out;
	}
	r.arena = fl_arena_new(); /* or none: malloc */
	if (jobs > FL_MAX_JOBS)
		jobs = FL_MAX_JOBS;
	if (jobs > 1)
		fl_workers_start(&r, jobs); /* else, or failing that, one thread */
	for (int i = optind; i < argc; i++)
		if (fl_read_path(&r, argv[i], err, sizeof err)) {
			fprintf(stderr, "mdediag fleet: %s\n", err);
			rc = 2;
			goto out;
		}
	fl_workers_stop(&r);
	if (r.fail_nomem || fl_aggregate(&r, &res)) {
		fprintf(stderr, "mdediag fleet: out of memory\n");
		goto out;
	}
	if (output && !(out = dx_fopen(output, "w"))) {
		fprintf(stderr, "mdediag fleet: cannot write %s: %s\n", output, strerror(errno));
		rc = 2;
		goto out;
	}
	int wrc;
	errno = 0;
	/* a Windows console gets UTF-16 through WriteConsoleW (console.h) */
	FILE *cbuf = out == stdout ? dx_console_buffer(stdout) : NULL;
	if (cbuf)
		out = cbuf;
	if (strcmp(format, "json") == 0)
		wrc = fl_write_json(out, &r, &res);
	else if (strcmp(format, "jsonl") == 0)
		wrc = fl_write_jsonl(out, &r, &res);
	else if (strcmp(format, "html") == 0)
		wrc = fl_write_html(out, &r, &res);
	else
		wrc = fl_write_text(out, &r, &res, 80);
	if (cbuf) {
		if (dx_console_flush(cbuf, stdout))
			wrc = -1;
		out = stdout;
	}
	if (fflush(out) || ferror(out))
		wrc = -1;
	if (out != stdout && fclose(out))
		wrc = -1;
	if (wrc) {
		fprintf(stderr, "mdediag fleet: writing the report failed%s%s\n", errno ? ": " : "",
			errno ? strerror(errno) : "");
		goto out;
	}
	rc = 0;
	for (size_t i = 0; i < r.ndev; i++)
		if (strcmp(r.dev[i].severity, "error") == 0)
			rc = 1;
out:
	fl_workers_stop(&r);
	fl_result_free(&res);
	fl_run_free(&r);
	dx_catalog_free(&cat);
	dx_data_free(&data);
	return rc;
}
