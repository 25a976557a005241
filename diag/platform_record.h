/* platform_record.h - records what a platform answered, as a fixture.
 *
 * `mdediag collect` wraps the real platform with a recorder, runs the
 * checks, and writes every answer they were given as a fixture
 * (docs/fixture.md): a support engineer collects on the customer's device
 * and replays the same diagnosis anywhere with --fixture. Answers the
 * fixture format cannot hold as data (access denied, transient errors)
 * become fault rules, so the replay fails the same way.
 */
#ifndef DX_PLATFORM_RECORD_H
#define DX_PLATFORM_RECORD_H

#include <cjson/cJSON.h>
#include "platform.h"

/* Wraps `inner` (taken over: closing `out` closes it). 0, or -1 (OOM). */
int dx_record_open(struct dx_platform *out, struct dx_platform inner);
/* The fixture recorded so far (the caller frees it), or NULL. `rec` must
 * come from dx_record_open. */
cJSON *dx_record_fixture(const struct dx_platform *rec, const char *description);

#endif
