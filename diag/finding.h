/* finding.h - what a check concludes: plain data, no I/O, no formatting.
 *
 * A finding is a check ID of docs/checks.md, a severity, an
 * optional variant (which message of the catalog applies, e.g. the event ID
 * of onboarding.event or the failure class of net.endpoint) and evidence:
 * a JSON object of what was looked at and what came back. Titles, details
 * and guidance are rendered from the message catalog by the reports, so a
 * check never writes prose.
 *
 * Ownership: a dx_findings list owns its findings and their evidence.
 */
#ifndef DX_FINDING_H
#define DX_FINDING_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "platform.h" /* DX_PRINTF */

enum dx_severity { DX_SEV_INFO = 0, DX_SEV_WARNING = 1, DX_SEV_ERROR = 2 };
const char *dx_severity_name(enum dx_severity s); /* "info", ... */

/* How a check ended. Every finding is one of these:
 * - found: the check looked and saw a problem (a warning or an error);
 * - clear: the check looked and saw nothing wrong (info);
 * - undetermined: the check could not look, and `reason` says why:
 *   "not-elevated", "access-denied", "network-not-tested", "facts-missing"
 *   or "transient" (DX_REASON_* below). dx_undetermined marks that case;
 *   otherwise the severity decides (info is clear), so a check may still
 *   raise a finding's severity after adding it. */
enum dx_outcome { DX_FOUND = 0, DX_CLEAR = 1, DX_UNDETERMINED = 2 };
const char *dx_outcome_name(enum dx_outcome o); /* "found", ... */
struct dx_finding;
enum dx_outcome dx_outcome(const struct dx_finding *f);
#define DX_REASON_NOT_ELEVATED "not-elevated"
#define DX_REASON_ACCESS_DENIED "access-denied"
#define DX_REASON_NETWORK_NOT_TESTED "network-not-tested"
#define DX_REASON_FACTS_MISSING "facts-missing"
#define DX_REASON_TRANSIENT "transient"

struct dx_finding {
	char id[64];      /* check ID, e.g. "sense.stopped" */
	char variant[48]; /* message variant, "" for the default */
	enum dx_severity severity;
	char reason[24];                  /* "" or, when the check could not look, why
				   (DX_REASON_*): the outcome is undetermined */
	cJSON *evidence;                  /* JSON object, owned */
	int order;                        /* article order, set by dx_findings_sort */
	int (*ranked_by)(const char *id); /* the ranking `order` came from: a
				   finding's ID does not change, so each is
				   ranked once per ranking, not at every sort */
	size_t seq;                       /* emission order, breaks ties */
};

struct dx_findings {
	struct dx_finding *items;
	size_t count, cap;
};

/* Appends a finding and returns it (its evidence is an empty object the
 * caller fills), or NULL when out of memory. Its `order` is 0 until
 * dx_findings_sort assigns it. */
struct dx_finding *dx_add(struct dx_findings *f, const char *id, enum dx_severity sev,
			  const char *variant);
/* Marks a finding undetermined: the check could not look, for `reason`
 * (a DX_REASON_* string). */
void dx_undetermined(struct dx_finding *f, const char *reason);
/* First finding with this ID, or NULL. Like strchr, it returns a
 * modifiable finding (to add evidence to) from a list the caller may hold
 * as const; modify only a list you own. */
struct dx_finding *dx_find(const struct dx_findings *f, const char *id);
/* Sets each finding's `order` to order(id) (the caller's ranking, e.g. the
 * check table's dx_check_order; called once per finding and ranking, as an
 * ID never changes), then sorts by order, then emission order (stable,
 * deterministic). */
void dx_findings_sort(struct dx_findings *f, int (*order)(const char *id));
void dx_findings_free(struct dx_findings *f);

/* Evidence helpers: each adds one member to the finding's evidence. */
void dx_ev_str(struct dx_finding *f, const char *key, const char *val);
void dx_ev_num(struct dx_finding *f, const char *key, double val);
void dx_ev_bool(struct dx_finding *f, const char *key, int val);
/* printf-style string member. */
void dx_ev_fmt(struct dx_finding *f, const char *key, const char *fmt, ...) DX_PRINTF(3, 4);

#endif
