/* helpers.h - runs the diagnosis on a fixture inside a test, and reads the
 * findings back. */
#ifndef TEST_HELPERS_H
#define TEST_HELPERS_H

#include "checks.h"
#include "data.h"
#include "fixture.h"

struct run {
	struct dx_platform p;
	struct dx_data data;
	struct dx_options opt;
	struct dx_ctx c;
};

/* Runs every section on fixtures/devices/NAME.json (no network). */
void run_device(struct run *r, const char *name);
/* Runs every section on a fixture given as JSON text. */
void run_text(struct run *r, const char *json);
/* Same, with ' for " and | for a registry backslash (readable in C). */
void run_short(struct run *r, const char *text);
struct dx_fixture *parse_short(const char *text, char *err, size_t errsz);
void run_free(struct run *r);
/* After a run without network: decides again as if connectivity had been
 * probed and found nothing wrong (drops net.not-tested and the verdict,
 * runs the last-resort section and the verdict again). For tests of what
 * the rules and the plan do once everything ran. */
void rerun_as_if_network_ok(struct run *r);

/* The first finding with this ID (and variant, when not NULL), or NULL. */
const struct dx_finding *finding(const struct run *r, const char *id, const char *variant);
/* Evidence members ("" / -1 when absent). */
const char *ev_str(const struct dx_finding *f, const char *key);
double ev_num(const struct dx_finding *f, const char *key);
/* The verdict's cause. */
const char *verdict_cause(const struct run *r);
int count_id(const struct run *r, const char *id);

/* Reads a whole file (the caller frees); NULL when it cannot. */
char *slurp(const char *path, size_t *len);

#endif
