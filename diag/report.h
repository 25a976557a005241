/* report.h - renders the findings of a run. Reports only read: they never
 * decide anything, and they are deterministic (the clock is the platform's)
 * so tests can compare them byte for byte. */
#ifndef DX_REPORT_H
#define DX_REPORT_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "catalog.h"
#include "checks.h"

#include "version.h" /* DX_VERSION, generated from meson.build's project version */

/* What the report says about where the answers came from. */
struct dx_report_meta {
	const char *platform; /* "fake", "win32" */
	const char *source;   /* the fixture's path, or "" for this device */
	/* 1: the model `mdediag fleet` summarises (fleet.h): the device, the
	 * verdict, summary and not_determined as always, but the findings
	 * other than the verdict's cause carry only id, variant, severity,
	 * section and outcome, with evidence for net.endpoint alone (its
	 * route: a reference to the finding's own, so the model must be freed
	 * before c's findings); no prose is rendered for them. 0: the full
	 * report. */
	int lean;
};

/* The JSON report (docs/report.schema.json): tool, device, findings with
 * rendered title/detail/guidance and evidence, summary, verdict. The
 * caller frees it. */
cJSON *dx_report_model(const struct dx_ctx *c, const struct dx_catalog *cat,
		       const struct dx_report_meta *meta);

/* Writers; 0 or -1 on an I/O error. They read only the model (and the
 * catalog for labels and commands), so a synthetic model renders as well as
 * a real run's. Everything from the model is treated as hostile: invalid
 * UTF-8, control characters and bidi overrides are neutralised, and the HTML
 * escapes all of it. */
int dx_report_json(FILE *out, const cJSON *model);

/* Options of the text report. */
struct dx_text_opts {
	int width;   /* display columns (CJK counts 2); below 40 means 40 */
	int color;   /* ANSI colours: the caller decides (dx_color_wanted) */
	int verbose; /* 0: the summary (verdict, errors and warnings one line
		      * each, what was not tested, next step); 1: also every
		      * finding with its evidence */
};
/* Text for people, summary first, the next step and its command last. No
 * line wider than o->width display columns, except a command, which stands
 * alone on its line and is never wrapped (pasted, it runs whole). Text from
 * the model never starts a line: newlines and controls print as '?'. */
int dx_report_text_opts(FILE *out, const cJSON *model, const struct dx_catalog *cat,
			const struct dx_text_opts *o);

/* One self-contained HTML page (inline CSS, no scripts, no external
 * resources), printable: verdict, device information, summary, detailed
 * results, connectivity table, evidence. */
int dx_report_html(FILE *out, const cJSON *model, const struct dx_catalog *cat);

/* The Intune remediation output: one line of at most DX_INTUNE_MAX bytes
 * (newline included) with the verdict and the key evidence. */
#define DX_INTUNE_MAX 2048
int dx_report_intune(FILE *out, const cJSON *model, const struct dx_catalog *cat);

/* 1 when colour should be used on `f`: it is a terminal, NO_COLOR is not
 * set (any value, https://no-color.org) and TERM is not "dumb". */
int dx_color_wanted(FILE *f);
/* 1 when `f` is a terminal that understands "\r" and erase-line (TERM is
 * not "dumb"): the condition of the progress line. */
int dx_is_terminal(FILE *f);

/* Progress while the network probe runs: one line on stderr, rewritten in
 * place ("\r", erase line), only when enabled. main() enables it when
 * stderr is a terminal; everything else (tests, pipes, CI logs, --format
 * json > file) sees nothing. dx_progress() formats like printf, cuts the
 * line to 79 columns and neutralises control characters; it is cheap
 * enough to call on every state change of the probe but should be called
 * at most a few times a second. dx_progress_done() erases the line; call
 * it before anything else is printed on stderr. Not thread-safe: call from
 * one thread (the probe's poll loop). */
void dx_progress_enable(int on);
void dx_progress(const char *fmt, ...) DX_PRINTF(1, 2);
void dx_progress_done(void);

/* Helpers shared by the writers. */
/* What the run could not determine, as a new array of {"check", "reason"}
 * (reason: not-elevated, access-denied, network-not-tested, facts-missing,
 * transient; said through the catalog's "reason.CODE" label): the model's
 * "not_determined" list when it has one; for a model without it, the
 * network part when no destination was probed. The caller frees; NULL
 * only when out of memory. */
cJSON *dx_report_not_determined(const cJSON *model);

#endif
