/* hx_coverage.h - which passing scenarios produce each check ID.
 * A scenario produces an ID when a finding with that ID is in its actual
 * report; "verdict" is produced by every passing scenario. */
#ifndef HX_COVERAGE_H
#define HX_COVERAGE_H

#include <stddef.h>
#include <stdio.h>
#include "hx_checks.h"
#include "hx_scenario.h"

/* Prints the table (one line per check ID). Returns the number of IDs
 * without a passing scenario. */
size_t hx_coverage_print(FILE *f, const struct hx_idlist *ids, struct hx_scenario *const *sc,
			 size_t n);

/* Writes {"check.id": ["scenario", ...]} for every check ID. 0 or -1. */
int hx_coverage_json(const char *path, const struct hx_idlist *ids, struct hx_scenario *const *sc,
		     size_t n, char *err, size_t errsz);

#endif
