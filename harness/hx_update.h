/* hx_update.h - `--update`: a new "expect" object written from an actual
 * report, for a human to review in the diff before committing.
 *
 * Kept reviewable: verdict (and its variant), exit status, and one entry per
 * distinct finding with id, severity, variant and a few key evidence
 * members. Evidence keys come from the old expectation when it had the same
 * finding (id and variant), else from a short preferred list. Informational
 * net.endpoint findings (one per reachable destination) and the "verdict"
 * finding itself are left out; the old "absent" list is kept. */
#ifndef HX_UPDATE_H
#define HX_UPDATE_H

#include <cjson/cJSON.h>

/* Returns the new expect object (caller frees), NULL when out of memory. */
cJSON *hx_update_expect(const cJSON *old_expect, const cJSON *report, int exit_code);

#endif
