/* main.c - the mdediag command line (contract: shared/design.md).
 *
 * Exit status: 0 no error found, 1 at least one error finding, 2 bad usage
 * or bad input (a bad fixture among them), 3 internal failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "checks.h"
#include "data.h"
#include "fixture.h"
#include "lang.h"
#include "platform_record.h"
#include "report.h"
#ifdef _WIN32
#include "platform_win32.h"
#endif

#define MAX_CONNECT_TO 64

enum { EXIT_CLEAN = 0, EXIT_FOUND = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

static const char usage[] =
	"usage: mdediag [--fixture FILE] [--format text|json|html|intune]\n"
	"               [--output FILE] [--anchors PEM]\n"
	"               [--connect-to HOST:PORT:ADDR:PORT]...\n"
	"               [--timeout SECONDS] [--lang en|ja] [--service-tags FILE]\n"
	"               [--baselines FILE] [--no-network] [--list-checks] [--version]\n"
	"\n"
	"Diagnoses why a device onboarded to Microsoft Defender for Endpoint does\n"
	"not appear in the Defender portal. Without --fixture it diagnoses the\n"
	"Windows machine it runs on; --fixture FILE diagnoses a device described\n"
	"by a JSON fixture (docs/fixture.md). Exit status: 0 no error found,\n"
	"1 an error was found, 2 bad usage or input, 3 internal failure.\n"
	"--lang defaults to the locale (LC_ALL, LC_MESSAGES, LANG; the UI language\n"
	"on Windows). --format intune prints one line for Intune remediations.\n"
	"\n"
	"       mdediag collect [--fixture FILE] [--output FILE]\n"
	"\n"
	"Records everything the checks read from this device (or a fixture) as a\n"
	"fixture, to replay the diagnosis anywhere with --fixture. Reads only.\n";

struct args {
	const char *fixture, *format, *output, *lang, *baselines;
	const char *connect_to[MAX_CONNECT_TO];
	struct dx_options opt;
	int list_checks;
	int collect;
};

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "mdediag: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof *a);
	a->format = "text";
	a->lang = dx_lang_default();
	a->opt.timeout_ms = 10000;
	a->opt.connect_to = a->connect_to;
	int first = 1;
	if (argc > 1 && strcmp(argv[1], "collect") == 0) {
		a->collect = 1;
		a->opt.no_network = 1; /* the network part is not replayable */
		first = 2;
	}
	for (int i = first; i < argc; i++) {
		const char *o = argv[i];
		const char **slot = NULL;
		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			fputs(usage, stdout);
			return -1;
		} else if (strcmp(o, "--version") == 0) {
			printf("mdediag %s\n", DX_VERSION);
			return -1;
		} else if (strcmp(o, "--no-network") == 0) {
			a->opt.no_network = 1;
			continue;
		} else if (strcmp(o, "--list-checks") == 0) {
			a->list_checks = 1;
			continue;
		} else if (strcmp(o, "--fixture") == 0) slot = &a->fixture;
		else if (strcmp(o, "--format") == 0) slot = &a->format;
		else if (strcmp(o, "--output") == 0) slot = &a->output;
		else if (strcmp(o, "--lang") == 0) slot = &a->lang;
		else if (strcmp(o, "--anchors") == 0) slot = &a->opt.anchors_path;
		else if (strcmp(o, "--service-tags") == 0) slot = &a->opt.service_tags_path;
		else if (strcmp(o, "--baselines") == 0) slot = &a->baselines;
		else if (strcmp(o, "--timeout") == 0 || strcmp(o, "--connect-to") == 0) {
			if (i + 1 >= argc)
				return bad_usage("%s needs a value", o), 2;
			const char *v = argv[++i];
			if (o[2] == 't') {
				char *end;
				errno = 0;
				double t = strtod(v, &end);
				if (errno || *end || !(t > 0 && t <= 600))
					return bad_usage("--timeout %s: expected seconds from 0 to 600", v), 2;
				a->opt.timeout_ms = (int)(t * 1000);
			} else {
				if (a->opt.n_connect_to == MAX_CONNECT_TO)
					return bad_usage("more than %s --connect-to rules", "64"), 2;
				a->connect_to[a->opt.n_connect_to++] = v;
			}
			continue;
		} else {
			return bad_usage("unknown option %s", o), 2;
		}
		if (i + 1 >= argc)
			return bad_usage("%s needs a value", o), 2;
		*slot = argv[++i];
	}
	if (strcmp(a->format, "text") && strcmp(a->format, "json") &&
	    strcmp(a->format, "html") && strcmp(a->format, "intune"))
		return bad_usage("--format %s: expected text, json, html or intune", a->format), 2;
	if (!dx_lang_supported(a->lang))
		return bad_usage("--lang %s: expected en or ja", a->lang), 2;
	a->opt.fixture_mode = a->fixture != NULL;
	return 0;
}

static int open_platform(const struct args *a, struct dx_platform *p, const char **name)
{
	char err[1024];
	if (a->fixture) {
		struct dx_fixture *fx = dx_fixture_load(a->fixture, err, sizeof err);
		if (!fx) {
			fprintf(stderr, "mdediag: bad fixture: %s\n", err);
			return EXIT_USAGE;
		}
		if (dx_platform_fixture_open(p, fx)) {
			dx_fixture_free(fx);
			fprintf(stderr, "mdediag: out of memory\n");
			return EXIT_INTERNAL;
		}
		*name = "fake";
		return 0;
	}
#ifdef _WIN32
	struct dx_err e;
	if (dx_platform_win32_open(p, &e) != DX_OK) {
		fprintf(stderr, "mdediag: cannot read this device: %s\n", e.text);
		return EXIT_INTERNAL;
	}
	*name = "win32";
	return 0;
#else
	fprintf(stderr, "mdediag: diagnosing this machine needs Windows; "
		"use --fixture FILE to diagnose a device described by a fixture\n");
	return EXIT_USAGE;
#endif
}

/* The probe's progress, shown on the progress line (dx_progress). */
static void probe_progress(void *user, size_t done, size_t total, double ms_left)
{
	(void)user;
	dx_progress("probing %zu destinations: %zu done, %.0f s left", total, done,
		    ms_left / 1000.0);
}

int main(int argc, char **argv)
{
	struct args a;
	struct dx_platform p = {0};
	struct dx_data data = {0};
	struct dx_catalog cat = {0};
	struct dx_ctx c;
	cJSON *model = NULL;
	FILE *out = stdout;
	const char *pname = "";
	char err[1024];
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if (a.list_checks) {
		for (size_t i = 0; i < dx_check_table_len; i++)
			printf("%s\t%s\n", dx_check_table[i].id, dx_check_table[i].section);
		return EXIT_CLEAN;
	}
	if (dx_data_load(&data, a.baselines, err, sizeof err)) {
		fprintf(stderr, "mdediag: %s\n", err);
		return a.baselines ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (dx_catalog_load(&cat, a.lang, err, sizeof err)) {
		fprintf(stderr, "mdediag: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	if ((rc = open_platform(&a, &p, &pname)))
		goto out;
	if (a.collect) {
		struct dx_platform rec;
		if (dx_record_open(&rec, p)) {
			fprintf(stderr, "mdediag: cannot record this platform\n");
			rc = EXIT_INTERNAL;
			goto out;
		}
		p = rec;
	}

	memset(&c, 0, sizeof c);
	c.p = &p;
	c.opt = &a.opt;
	c.data = &data;
	a.opt.progress = probe_progress;
	dx_progress_enable(dx_is_terminal(stderr));
	dx_run_checks(&c);
	dx_progress_done();

	struct dx_report_meta meta = {pname, a.fixture ? a.fixture : ""};
	if (a.collect) {
		char desc[600];
		snprintf(desc, sizeof desc, "Collected by mdediag %s from %s%s (%s platform).",
			 DX_VERSION, c.facts.hostname, a.fixture ? ", replaying a fixture" : "", pname);
		model = dx_record_fixture(&p, desc);
	} else {
		model = dx_report_model(&c, &cat, &meta);
	}
	if (!model) {
		fprintf(stderr, "mdediag: out of memory\n");
		rc = EXIT_INTERNAL;
		goto free_ctx;
	}
	if (a.output && !(out = fopen(a.output, "w"))) {
		fprintf(stderr, "mdediag: cannot write %s: %s\n", a.output, strerror(errno));
		rc = EXIT_USAGE;
		goto free_ctx;
	}
	int wrc;
	if (strcmp(a.format, "json") == 0 || a.collect)
		wrc = dx_report_json(out, model);
	else if (strcmp(a.format, "html") == 0)
		wrc = dx_report_html(out, model, &cat);
	else if (strcmp(a.format, "intune") == 0)
		wrc = dx_report_intune(out, model, &cat);
	else {
		struct dx_text_opts to = {80, out == stdout && dx_color_wanted(stdout)};
		wrc = dx_report_text_opts(out, model, &cat, &to);
	}
	if (out != stdout && fclose(out))
		wrc = -1;
	if (wrc) {
		fprintf(stderr, "mdediag: writing the report failed\n");
		rc = EXIT_INTERNAL;
		goto free_ctx;
	}
	rc = EXIT_CLEAN;
	for (size_t i = 0; !a.collect && i < c.findings.count; i++)
		if (c.findings.items[i].severity == DX_SEV_ERROR)
			rc = EXIT_FOUND;
free_ctx:
	dx_findings_free(&c.findings);
out:
	cJSON_Delete(model);
	dx_platform_close(&p);
	dx_catalog_free(&cat);
	dx_data_free(&data);
	return rc;
}
