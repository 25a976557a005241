/* main.c - the mdediag command line (contract: README.md, docs/man/mdediag.1).
 *
 * Exit status: 0 no error found, 1 at least one error finding, 2 bad usage
 * or bad input (a bad fixture among them), 3 internal failure.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "win32_args.h"
#include "catalog.h"
#include "checks.h"
#include "cliopt.h"
#include "console.h"
#include "data.h"
#include "fixture.h"
#include "fleet/fleet.h"
#include "lang.h"
#include "netrec.h"
#include "redact.h"
#include "replay.h"
#include "netconf.h"
#include "platform_record.h"
#include "report.h"
#include "selftest.h"
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
	"               [--baselines FILE] [--no-network] [--reprobe] [--verbose]\n"
	"               [--encoding auto|utf-8|utf-8-bom|utf-16le|cpN] [--list-checks]\n"
	"               [--version]\n"
	"       mdediag fleet [--format text|json|html|jsonl] [--output FILE]\n"
	"               [--lang en|ja] [--group-by FIELD]... [--redact] PATH...\n"
	"\n"
	"Diagnoses why a device onboarded to Microsoft Defender for Endpoint does\n"
	"not appear in the Defender portal. Without --fixture it diagnoses the\n"
	"Windows machine it runs on; --fixture FILE diagnoses a device described\n"
	"by a JSON fixture (docs/fixture.md). Exit status: 0 no error found,\n"
	"1 an error was found, 2 bad usage or input, 3 internal failure.\n"
	"--timeout bounds the whole connectivity probe: more than 0 and at most\n"
	"600 seconds, fractions allowed (default 10). --connect-to sends a\n"
	"connection for HOST:PORT (a destination's or the proxy's) to ADDR:PORT,\n"
	"as curl's option does; an empty field matches any. --lang defaults to\n"
	"the locale (LC_ALL, LC_MESSAGES, LANG; the UI language on Windows).\n"
	"--format intune prints one line for Intune remediations. --list-checks\n"
	"prints every check ID and its article section, TAB-separated, in verdict\n"
	"order. Options take values as --opt VALUE or --opt=VALUE. The text\n"
	"report is a summary; --verbose adds every finding with its evidence.\n"
	"On a Windows console the report is shown as Unicode text; the text and\n"
	"intune formats written anywhere else (a pipe, a file, --output) are in\n"
	"the console's code page (--encoding auto: what more, type and Windows\n"
	"PowerShell read), or UTF-8 without a console; --encoding chooses another.\n"
	"JSON and HTML are always UTF-8.\n"
	"A collected file given to --fixture is replayed with no network traffic:\n"
	"the connectivity findings come from what the device saw; --reprobe probes\n"
	"again from this machine instead.\n"
	"\n"
	"       mdediag collect [--fixture FILE] [--output FILE] [--redact]\n"
	"               [--anchors PEM] [--connect-to HOST:PORT:ADDR:PORT]...\n"
	"               [--timeout SECONDS] [--no-network]\n"
	"\n"
	"Records everything the checks read from this device (or a fixture), and\n"
	"what it saw on the network, as one file (docs/collect.md) to replay the\n"
	"diagnosis anywhere with --fixture. Reads only. --redact replaces the host\n"
	"name, user names, internal addresses and proxy names with tokens.\n"
	"\n"
	"       mdediag selftest [--output FILE]\n"
	"\n"
	"Windows only: compares what mdediag reads with what Windows' own tools\n"
	"report, one line each, and writes them to FILE to send to us (0 all agree,\n"
	"1 one differs; docs/windows.md).\n";

struct args {
	const char *fixture, *format, *output, *lang, *baselines;
	const char *encoding_arg;
	struct dx_encoding encoding;
	const char *connect_to[MAX_CONNECT_TO];
	struct dx_options opt;
	int list_checks;
	int collect;
	int verbose;
	int reprobe, redact;
};

/* A message on stderr. It quotes file names, fixture paths and device
 * text (UTF-8): on a Windows console it goes through WriteConsoleW as the
 * report does (console.h), not as bytes the console would read in its
 * code page. */
static void eprintf(const char *fmt, ...) DX_PRINTF(1, 2);
static void eprintf(const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	dx_console_put(stderr, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
	fflush(stderr);
}

/* A usage error: one line and the hint on stderr; returns EXIT_USAGE. */
static int usage_error(const char *fmt, ...) DX_PRINTF(1, 2);
static int usage_error(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	eprintf("mdediag: %s\nTry 'mdediag --help'.\n", msg);
	return EXIT_USAGE;
}

/* An input file named on the command line must be readable now, not
 * discovered missing halfway through the diagnosis. */
static int readable(const char *opt, const char *path)
{
	FILE *f = dx_fopen(path, "rb");
	if (!f)
		return usage_error("%s %s: %s", opt, path, strerror(errno));
	fclose(f);
	return 0;
}

enum {
	O_FIXTURE = 256,
	O_FORMAT,
	O_OUTPUT,
	O_LANG,
	O_ANCHORS,
	O_SERVICE_TAGS,
	O_BASELINES,
	O_TIMEOUT,
	O_CONNECT_TO,
	O_NO_NETWORK,
	O_LIST_CHECKS,
	O_VERSION,
	O_VERBOSE,
	O_REPROBE,
	O_REDACT,
	O_ENCODING,
};

/* The whole command line, in one place (argv as UTF-8 strings). Returns 0
 * to run, -1 when --help or --version was printed (exit 0), or EXIT_USAGE
 * after printing one line and the hint. */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"fixture", required_argument, NULL, O_FIXTURE},
		{"format", required_argument, NULL, O_FORMAT},
		{"output", required_argument, NULL, O_OUTPUT},
		{"lang", required_argument, NULL, O_LANG},
		{"anchors", required_argument, NULL, O_ANCHORS},
		{"service-tags", required_argument, NULL, O_SERVICE_TAGS},
		{"baselines", required_argument, NULL, O_BASELINES},
		{"timeout", required_argument, NULL, O_TIMEOUT},
		{"connect-to", required_argument, NULL, O_CONNECT_TO},
		{"no-network", no_argument, NULL, O_NO_NETWORK},
		{"verbose", no_argument, NULL, O_VERBOSE},
		{"reprobe", no_argument, NULL, O_REPROBE},
		{"redact", no_argument, NULL, O_REDACT},
		{"encoding", required_argument, NULL, O_ENCODING},
		{"list-checks", no_argument, NULL, O_LIST_CHECKS},
		{"version", no_argument, NULL, O_VERSION},
		{NULL, 0, NULL, 0},
	};
	memset(a, 0, sizeof *a);
	a->format = "text";
	a->lang = dx_lang_default();
	a->opt.timeout_ms = 10000;
	a->opt.connect_to = a->connect_to;
	int skip = 0; /* "collect" acts as the program name for getopt */
	if (argc > 1 && strcmp(argv[1], "collect") == 0) {
		a->collect = 1;
		skip = 1;
	}
	argc -= skip;
	argv += skip;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		const char *bad = argv[optind - 1];
		switch (c) {
		case 'h': fputs(usage, stdout); return -1;
		case O_VERSION: printf("mdediag %s\n", DX_VERSION); return -1;
		case O_NO_NETWORK: a->opt.no_network = 1; break;
		case O_VERBOSE: a->verbose = 1; break;
		case O_REPROBE:
			if (a->collect)
				return usage_error("--reprobe: collect always probes; --reprobe is "
						   "for a replay");
			a->reprobe = 1;
			break;
		case O_REDACT:
			if (!a->collect)
				return usage_error("--redact: only with 'mdediag collect'");
			a->redact = 1;
			break;
		case O_LIST_CHECKS: a->list_checks = 1; break;
		case O_FIXTURE: a->fixture = optarg; break;
		case O_FORMAT: a->format = optarg; break;
		case O_OUTPUT: a->output = optarg; break;
		case O_LANG: a->lang = optarg; break;
		case O_ENCODING: {
			char why[200];
			if (dx_encoding_parse(optarg, &a->encoding, why, sizeof why))
				return usage_error("%s", why);
			a->encoding_arg = optarg;
			break;
		}
		case O_ANCHORS: a->opt.anchors_path = optarg; break;
		case O_SERVICE_TAGS: a->opt.service_tags_path = optarg; break;
		case O_BASELINES: a->baselines = optarg; break;
		case O_TIMEOUT: {
			char *end;
			errno = 0;
			double t = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(t > 0 && t <= 600))
				return usage_error("--timeout %s: expected seconds, more than 0 "
						   "and at most 600",
						   optarg);
			a->opt.timeout_ms = (int)(t * 1000 + 0.999); /* at least 1 ms */
			break;
		}
		case O_CONNECT_TO: {
			struct dx_connect_to rule;
			if (dx_connect_to_parse(optarg, &rule))
				return usage_error("--connect-to %s: expected HOST:PORT:ADDR:PORT "
						   "(ports 1-65535 or empty, [v6] addresses)",
						   optarg);
			if (a->opt.n_connect_to == MAX_CONNECT_TO)
				return usage_error("more than %d --connect-to rules",
						   MAX_CONNECT_TO);
			a->connect_to[a->opt.n_connect_to++] = optarg;
			break;
		}
		case ':':
		default: {
			char msg[4096];
			return usage_error("%s", cm_getopt_error(c, bad, optopt, msg, sizeof msg));
		}
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (strcmp(a->format, "text") && strcmp(a->format, "json") && strcmp(a->format, "html") &&
	    strcmp(a->format, "intune"))
		return usage_error("--format %s: expected text, json, html or intune", a->format);
	if ((a->collect || !strcmp(a->format, "json") || !strcmp(a->format, "html")) &&
	    a->encoding.kind != DX_ENC_AUTO && a->encoding.kind != DX_ENC_UTF8)
		return usage_error("--encoding %s: JSON and HTML are always UTF-8; "
				   "--encoding is for --format text and intune",
				   a->encoding_arg);
	if (!dx_lang_supported(a->lang))
		return usage_error("--lang %s: expected en or ja", a->lang);
	if ((a->opt.anchors_path && readable("--anchors", a->opt.anchors_path)) ||
	    (a->opt.service_tags_path && readable("--service-tags", a->opt.service_tags_path)))
		return EXIT_USAGE;
	a->opt.fixture_mode = a->fixture != NULL;
	return 0;
}

static int open_platform(const struct args *a, struct dx_options *opt, struct dx_platform *p,
			 const char **name)
{
	char err[1024];
	if (a->fixture) {
		struct dx_fixture *fx = dx_fixture_load(a->fixture, err, sizeof err);
		if (!fx) {
			eprintf("mdediag: bad fixture: %s\n", err);
			return EXIT_USAGE;
		}
		/* the one replay, shared with `fleet` (replay.h) */
		if (dx_replay_open(p, fx, opt,
				   a->reprobe ? DX_REPLAY_REPROBE : DX_REPLAY_RECORDS)) {
			eprintf("mdediag: out of memory\n");
			return EXIT_INTERNAL;
		}
		*name = "fake";
		return 0;
	}
#ifdef _WIN32
	struct dx_err e;
	if (dx_platform_win32_open(p, &e) != DX_OK) {
		eprintf("mdediag: cannot read this device: %s\n", e.text);
		return EXIT_INTERNAL;
	}
	*name = "win32";
	return 0;
#else
	eprintf("mdediag: diagnosing this machine needs Windows; "
		"use --fixture FILE to diagnose a device described by a fixture\n");
	return EXIT_USAGE;
#endif
}

/* What `collect` records about the run itself, next to the records. */
static int fill_netlog(struct dx_netlog *log, const struct args *a)
{
	time_t now = time(NULL);
	struct tm tm;
#ifdef _WIN32
	gmtime_s(&tm, &now);
#else
	gmtime_r(&now, &tm);
#endif
	snprintf(log->tool, sizeof log->tool, "mdediag %s", DX_VERSION);
	strftime(log->collected_at, sizeof log->collected_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
	log->no_network = a->opt.no_network;
	log->timeout_ms = a->opt.timeout_ms;
	if (a->opt.replay_net) /* collecting a collected file keeps its options */
		snprintf(log->anchors, sizeof log->anchors, "%s", a->opt.replay_net->anchors);
	else if (a->opt.anchors_path)
		snprintf(log->anchors, sizeof log->anchors, "%s", a->opt.anchors_path);
	for (size_t i = 0; i < a->opt.n_connect_to && i < DX_NETLOG_MAX_RULES; i++)
		snprintf(log->connect_to[log->n_connect_to++], sizeof log->connect_to[0], "%s",
			 a->opt.connect_to[i]);
	return 0;
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
	struct dx_netlog netlog;
	cJSON *model = NULL;
	FILE *out = stdout;
	const char *pname = "";
	char err[1024];
#ifdef SIGPIPE
	/* A closed pipe is a write error (EPIPE, exit 3), not a silent death. */
	signal(SIGPIPE, SIG_IGN);
#endif
	dx_utf8_args(&argc, &argv); /* Windows: UTF-8 argv on every version */
	if (argc > 1 && strcmp(argv[1], "fleet") == 0)
		return dx_fleet_main(argc - 1, argv + 1); /* docs/fleet.md */
	if (argc > 1 && strcmp(argv[1], "selftest") == 0)
		return dx_selftest_main(argc - 1, argv + 1); /* selftest.c */
	int rc = parse_args(argc, argv, &a);
	if (rc)
		return rc < 0 ? EXIT_CLEAN : rc;
	if (a.list_checks) {
		for (size_t i = 0; i < dx_check_table_len; i++)
			printf("%s\t%s\t%s\n", dx_check_table[i].id, dx_check_table[i].section,
			       dx_check_table[i].explains ? "can-explain" : "context");
		return EXIT_CLEAN;
	}
	if (dx_data_load(&data, a.baselines, err, sizeof err)) {
		eprintf("mdediag: %s\n", err);
		return a.baselines ? EXIT_USAGE : EXIT_INTERNAL;
	}
	if (dx_catalog_load(&cat, a.lang, err, sizeof err)) {
		eprintf("mdediag: %s\n", err);
		rc = EXIT_USAGE;
		goto out;
	}
	memset(&netlog, 0, sizeof netlog);
	if ((rc = open_platform(&a, &a.opt, &p, &pname)))
		goto out;
	struct dx_redact_names names;
	if (a.collect && a.redact) /* read here, not recorded: only to hide them */
		dx_redact_read_names(&p, &names);
	if (a.collect) {
		struct dx_platform rec;
		if (dx_record_open(&rec, p)) {
			eprintf("mdediag: cannot record this platform\n");
			rc = EXIT_INTERNAL;
			goto out;
		}
		p = rec;
	}

	memset(&c, 0, sizeof c);
	c.p = &p;
	c.opt = &a.opt;
	c.data = &data;
	c.netlog = a.collect ? &netlog : NULL;
	a.opt.progress = probe_progress;
	dx_progress_enable(dx_is_terminal(stderr));
	dx_run_checks(&c);
	dx_progress_done();

	struct dx_report_meta meta = {pname, a.fixture ? a.fixture : "", 0};
	if (a.collect) {
		char desc[600];
		snprintf(desc, sizeof desc, "Collected by mdediag %s from %s%s (%s platform).",
			 DX_VERSION, c.facts.hostname, a.fixture ? ", replaying a fixture" : "",
			 pname);
		model = dx_record_fixture(&p, desc);
		if (model && fill_netlog(&netlog, &a) == 0) {
			cJSON *net = dx_netlog_json(&netlog);
			if (!net) {
				cJSON_Delete(model);
				model = NULL;
			} else {
				cJSON_AddItemToObject(model, "network", net);
			}
		}
		if (model && a.redact && dx_redact(model, &names, err, sizeof err)) {
			eprintf("mdediag: --redact: %s\n", err);
			rc = EXIT_INTERNAL;
			goto free_ctx;
		}
	} else {
		model = dx_report_model(&c, &cat, &meta);
	}
	if (!model) {
		eprintf("mdediag: out of memory\n");
		rc = EXIT_INTERNAL;
		goto free_ctx;
	}
	if (a.output && !(out = dx_fopen(a.output, "w"))) {
		eprintf("mdediag: cannot write %s: %s\n", a.output, strerror(errno));
		rc = EXIT_USAGE;
		goto free_ctx;
	}
	int wrc;
	errno = 0;
	/* A Windows console gets UTF-16 through WriteConsoleW (console.h);
	 * a text report going anywhere else gets --encoding, by default the
	 * console's code page (docs/windows.md): either way it is rendered
	 * into a buffer first. JSON and HTML are UTF-8 everywhere. */
	int is_text = !a.collect && (!strcmp(a.format, "text") || !strcmp(a.format, "intune"));
	struct dx_encoding enc = dx_encoding_resolve(a.encoding);
	FILE *dest = out, *cbuf = out == stdout ? dx_console_buffer(stdout) : NULL, *ebuf = NULL;
	if (cbuf) {
		out = cbuf;
	} else if (is_text && enc.kind != DX_ENC_UTF8) {
		if (!(ebuf = dx_text_buffer())) {
			fprintf(stderr,
				"mdediag: cannot make a temporary file to convert the report to "
				"%s\n",
				dx_encoding_name(&enc, err, sizeof err));
			rc = EXIT_INTERNAL;
			if (out != stdout)
				fclose(out);
			goto free_ctx;
		}
		out = ebuf;
	}
	if (strcmp(a.format, "json") == 0 || a.collect)
		wrc = dx_report_json(out, model);
	else if (strcmp(a.format, "html") == 0)
		wrc = dx_report_html(out, model, &cat);
	else if (strcmp(a.format, "intune") == 0)
		wrc = dx_report_intune(out, model, &cat);
	else {
		struct dx_text_opts to = {80, dest == stdout && dx_color_wanted(stdout), a.verbose};
		wrc = dx_report_text_opts(out, model, &cat, &to);
	}
	if (cbuf) {
		if (dx_console_flush(cbuf, stdout))
			wrc = -1;
		out = stdout;
	}
	if (ebuf) {
		if (dx_encoded_flush(ebuf, dest, &enc))
			wrc = -1;
		out = dest;
	}
	/* A report that did not reach its reader must not look like a clean
	 * result (Intune reads a lost line as "no issue"): every byte is
	 * flushed and checked, for stdout as for a file. */
	if (fflush(out) || ferror(out))
		wrc = -1;
	if (out != stdout && fclose(out))
		wrc = -1;
	if (wrc) {
		eprintf("mdediag: writing the report failed%s%s\n", errno ? ": " : "",
			errno ? strerror(errno) : "");
		rc = EXIT_INTERNAL;
		goto free_ctx;
	}
	rc = EXIT_CLEAN;
	for (size_t i = 0; !a.collect && i < c.findings.count; i++)
		if (c.findings.items[i].severity == DX_SEV_ERROR)
			rc = EXIT_FOUND;
free_ctx:
	dx_findings_free(&c.findings);
	dx_netlog_free(&netlog);
out:
	cJSON_Delete(model);
	dx_platform_close(&p);
	dx_catalog_free(&cat);
	dx_data_free(&data);
	return rc;
}
