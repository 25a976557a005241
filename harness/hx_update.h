/* hx_update.h - `--update`: a new "expect" object written from an actual
 * report, for a human to review in the diff before committing, and the
 * rewrite of scenario.json that keeps everything else as the author wrote it.
 *
 * What the author wrote stays: every member of the old expect is kept in
 * its order (verdict, verdict_variant and exit get the actual values,
 * members the updater does not know are kept as they are); an expected
 * finding that still matches is kept exactly as written; one that no longer
 * matches is rewritten from the closest actual finding with the same id,
 * with the same keys the author used (severity and variant only when
 * written, the same evidence members, minus those the finding no longer
 * has); an expected finding whose id is gone is dropped. Then every error
 * and warning no kept entry covers is added with id, severity, variant and
 * a few key evidence members; informational findings are not added (the
 * dozens of "reachable" endpoints would flood the file). The "verdict"
 * finding is never listed (expect.verdict says it); "absent" loses the IDs
 * that now appear. */
#ifndef HX_UPDATE_H
#define HX_UPDATE_H

#include <cjson/cJSON.h>

/* Returns the new expect object (caller frees), NULL when out of memory. */
cJSON *hx_update_expect(const cJSON *old_expect, const cJSON *report, int exit_code);

#endif
