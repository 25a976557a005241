/* hx_update.h - `--update`: a new "expect" object written from an actual
 * report, for a human to review in the diff before committing.
 *
 * Kept reviewable: verdict (and its variant), exit status, and one entry per
 * distinct finding with id, severity, variant and a few key evidence
 * members. Evidence keys come from the old expectation when it had the same
 * finding (id and variant), else from a short preferred list. Every error
 * and warning is listed; informational findings only when an old expected
 * finding matched them (so what the scenario cared about stays, and the
 * dozens of "reachable" endpoints do not flood the file); the "verdict"
 * finding is left out (expect.verdict says it); "absent" is kept, minus
 * IDs that now appear. */
#ifndef HX_UPDATE_H
#define HX_UPDATE_H

#include <cjson/cJSON.h>

/* Returns the new expect object (caller frees), NULL when out of memory. */
cJSON *hx_update_expect(const cJSON *old_expect, const cJSON *report, int exit_code);

#endif
