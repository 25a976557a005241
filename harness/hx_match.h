/* hx_match.h - the subset matcher: does mdediag's JSON report (and exit
 * status) satisfy a scenario's "expect" object?
 *
 * expect = {"verdict": ID, "verdict_variant": V, "exit": N,
 *           "findings": [{"id", "severity", "variant", "evidence": {...}}],
 *           "absent": [ID, ...]}, every member optional.
 * Each expected finding must match at least one actual finding: same id,
 * and severity / variant / every given evidence member equal when given
 * (strings exactly, numbers numerically, objects as subsets, arrays
 * exactly). Extra actual findings and evidence are fine. An "absent" ID
 * must not appear among the actual findings. */
#ifndef HX_MATCH_H
#define HX_MATCH_H

#include <stddef.h>
#include <cjson/cJSON.h>

enum { HX_MATCH_OK = 0, HX_MATCH_FAIL = 1, HX_MATCH_BAD_EXPECT = -1 };

/* Returns HX_MATCH_OK; HX_MATCH_FAIL with the first mismatch, precise and
 * on one line, in why; HX_MATCH_BAD_EXPECT with what is wrong with the
 * expectation itself (unknown member, wrong type) in why. */
int hx_match(const cJSON *expect, const cJSON *report, int exit_code, char *why, size_t whysz);

/* Subset comparison of one evidence value: 1 when `want` is satisfied by
 * `have` (see above). */
int hx_value_matches(const cJSON *want, const cJSON *have);

/* Does one actual finding satisfy one expected finding (id, severity,
 * variant, evidence as above)? */
int hx_finding_matches(const cJSON *want, const cJSON *have);

/* How many of want's criteria (severity, variant, evidence members) the
 * actual finding meets; -1 when the ids differ. */
int hx_finding_score(const cJSON *want, const cJSON *have);

/* Does the report hold a finding with this id? */
int hx_report_has(const cJSON *report, const char *id);

#endif
