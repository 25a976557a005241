/* report.h - renders the findings of a run. Reports only read: they never
 * decide anything, and they are deterministic (the clock is the platform's)
 * so tests can compare them byte for byte. */
#ifndef DX_REPORT_H
#define DX_REPORT_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "catalog.h"
#include "checks.h"

#define DX_VERSION "0.1.0"

/* What the report says about where the answers came from. */
struct dx_report_meta {
	const char *platform;  /* "fake", "win32" */
	const char *source;    /* the fixture's path, or "" for this device */
};

/* The JSON report (design.md contract): tool, device, findings with
 * rendered title/detail/guidance and evidence, summary, verdict. The
 * caller frees it. */
cJSON *dx_report_model(const struct dx_ctx *c, const struct dx_catalog *cat,
		       const struct dx_report_meta *meta);

/* Writers; 0 or -1 on an I/O error. */
int dx_report_json(FILE *out, const cJSON *model);
/* Text for people, at most `width` columns (80 on a terminal). */
int dx_report_text(FILE *out, const cJSON *model, int width);

#endif
