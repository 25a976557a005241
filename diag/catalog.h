/* catalog.h - titles, details and guidance for check IDs, from a message
 * catalog (data/messages-<lang>.json, embedded).
 *
 * A catalog entry is looked up as "id/variant" first, then "id". Its
 * strings are templates: "{key}" is replaced by the finding's evidence
 * member `key` (numbers as written, arrays joined with "; "), so the prose
 * lives in data and the checks stay prose-free. A string value (or yes/no
 * for a boolean) that the catalog's "values" object names is said in the
 * catalog's words ("not set" -> "未設定", "script-gpo-mecm" -> "script, Group
 * Policy or Configuration Manager"), the empty string included, so no word
 * of the tool's own reaches a sentence raw; anything else (paths, hosts,
 * versions: what the device said) is written as it is.
 */
#ifndef DX_CATALOG_H
#define DX_CATALOG_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "finding.h"

struct dx_catalog {
	cJSON *root;
	const cJSON *messages;
	const cJSON *ui;      /* labels of the reports ("ui" object), may be NULL */
	const cJSON *values;  /* words for enumerated values ("values"), may be NULL */
	const cJSON *phrases; /* [english pattern, translation] pairs ("phrases"), may be NULL */
	const char *lang;     /* "en", "ja" */
};

/* Loads the embedded catalog of `lang` ("en", "ja"); 0 or -1 with err. */
int dx_catalog_load(struct dx_catalog *cat, const char *lang, char *err, size_t errsz);
void dx_catalog_free(struct dx_catalog *cat);

/* The template `field` ("title", "detail", "guidance") for a finding
 * (id + variant), or NULL. */
const char *dx_catalog_template(const struct dx_catalog *cat, const char *id, const char *variant,
				const char *field);
/* Renders `field` for `f` with its evidence; the caller frees. Never NULL
 * unless out of memory: a missing entry renders as "". */
char *dx_catalog_render(const struct dx_catalog *cat, const struct dx_finding *f,
			const char *field);
/* Renders `field` of the entry id(/variant) against `evidence`: for
 * renderers that start from the report model rather than a finding. "" when
 * there is no such template; the caller frees. Optional fields besides the
 * three above: "command" (the exact command of the next step). */
char *dx_catalog_render_ev(const struct dx_catalog *cat, const char *id, const char *variant,
			   const char *field, const cJSON *evidence);
/* Writes the entry's "steps" (an array of templates: the numbered steps of
 * a plan, e.g. reonboard.plan) rendered against `evidence` into
 * evidence["steps"], replacing what was there. Nothing happens when the
 * entry has no steps. Checks emit the paths and commands; the catalog says
 * them in the report's language. */
void dx_catalog_render_steps(const struct dx_catalog *cat, const char *id, const char *variant,
			     cJSON *evidence);
/* A label of the reports ("ui" object of the catalog, e.g. "verdict"), or
 * `key` itself when the catalog has none. Never NULL. */
const char *dx_catalog_ui(const struct dx_catalog *cat, const char *key);
/* Renders a template against an evidence object; the caller frees.
 * Values as they are (no catalog words). */
char *dx_render_template(const char *tmpl, const cJSON *evidence);
/* The same, values in the catalog's words. */
char *dx_catalog_render_template(const struct dx_catalog *cat, const char *tmpl,
				 const cJSON *evidence);
/* The catalog's word for an enumerated value ("RUNNING", "cnc",
 * "tls-intercepted", "not set", ""), or `raw` itself (the same pointer)
 * when it has none. */
const char *dx_catalog_value(const struct dx_catalog *cat, const char *raw);

/* raw in the catalog's words: an enumerated value, a list of them, or a
 * sentence of the tool's own (a probe or PAC reason) matched by the
 * catalog's "phrases"; else raw as it is. The caller frees; NULL only
 * when out of memory. */
char *dx_catalog_words(const struct dx_catalog *cat, const char *raw);

/* The command of a finding or verdict object of the model (id, variant,
 * outcome, reason, evidence): for a check that could not look, the
 * catalog's "command.<reason>" (ui) when it has one (not elevated: how to
 * start an elevated prompt), else the entry's "command". The caller frees;
 * "" when there is none. */
char *dx_catalog_command(const struct dx_catalog *cat, const cJSON *f);

/* raw said through the catalog's "phrases" only (a tool's sentence in an
 * evidence table), or NULL when no phrase matches (the value is data and
 * stays as it is). The caller frees. */
char *dx_catalog_phrase(const struct dx_catalog *cat, const char *raw);

#endif
