/* hx_update.c - expectations from actual output (see hx_update.h). */
#include <string.h>
#include "hx_json.h"
#include "hx_match.h"
#include "hx_update.h"
#include "jpath.h"

#define HX_UPDATE_MAX_KEYS 3

/* Evidence members that say the most about a finding, in preference order. */
static const char *const preferred[] = {"host",   "result",  "issuer", "event_id",   "category",
					"failed", "proxy",   "status", "state_name", "edition",
					"build",  "version", "action", "cause",      NULL};

static int is_scalar(const cJSON *j)
{
	return cJSON_IsString(j) || cJSON_IsNumber(j) || cJSON_IsBool(j);
}

/* The actual finding (not "verdict") closest to an expected one that no
 * longer matches: same id, most criteria met, first on a tie. */
static const cJSON *closest(const cJSON *want, const cJSON *findings)
{
	const cJSON *f, *best = NULL;
	int best_score = -1;
	cJSON_ArrayForEach(f, findings)
	{
		int s = hx_finding_score(want, f);
		if (s > best_score)
			best = f, best_score = s;
	}
	return best;
}

/* An entry for actual finding f. With `like` (the author's entry it
 * replaces): the same keys, values from f. Without: id, severity, variant
 * and up to HX_UPDATE_MAX_KEYS preferred evidence members. */
static cJSON *entry_for(const cJSON *f, const cJSON *like)
{
	const char *id = cm_jpath_string(f, "id"), *variant = cm_jpath_string(f, "variant");
	const char *sev = cm_jpath_string(f, "severity");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
	cJSON *e = cJSON_CreateObject(), *want = NULL;
	if (!e)
		return NULL;
	cJSON_AddStringToObject(e, "id", id);
	if (!like) {
		if (sev)
			cJSON_AddStringToObject(e, "severity", sev);
		if (variant)
			cJSON_AddStringToObject(e, "variant", variant);
		int n = 0;
		for (const char *const *k = preferred; *k && n < HX_UPDATE_MAX_KEYS; k++) {
			const cJSON *have = cJSON_GetObjectItemCaseSensitive(ev, *k);
			if (!is_scalar(have))
				continue;
			if (!want)
				want = cJSON_AddObjectToObject(e, "evidence");
			cJSON_AddItemToObject(want, *k, cJSON_Duplicate(have, 1));
			n++;
		}
		return e;
	}
	const cJSON *m;
	cJSON_ArrayForEach(m, like)
	{
		if (strcmp(m->string, "severity") == 0 && sev) {
			cJSON_AddStringToObject(e, "severity", sev);
		} else if (strcmp(m->string, "variant") == 0 && variant) {
			cJSON_AddStringToObject(e, "variant", variant);
		} else if (strcmp(m->string, "evidence") == 0) {
			const cJSON *k;
			cJSON_ArrayForEach(k, m)
			{
				const cJSON *have = cJSON_GetObjectItemCaseSensitive(ev, k->string);
				if (!have)
					continue;
				if (!want)
					want = cJSON_AddObjectToObject(e, "evidence");
				cJSON_AddItemToObject(want, k->string, cJSON_Duplicate(have, 1));
			}
		}
	}
	return e;
}

/* Adds e to list unless an equal entry is there; takes ownership. */
static void add_unique(cJSON *list, cJSON *e)
{
	const cJSON *have;
	cJSON_ArrayForEach(have, list) if (hx_json_equal(have, e))
	{
		cJSON_Delete(e);
		return;
	}
	cJSON_AddItemToArray(list, e);
}

static int covered(const cJSON *list, const cJSON *f)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, list) if (hx_finding_matches(e, f)) return 1;
	return 0;
}

static cJSON *new_findings(const cJSON *old_expect, const cJSON *report)
{
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(report, "findings");
	cJSON *list = cJSON_CreateArray();
	const cJSON *w, *f;
	if (!list)
		return NULL;
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(old_expect, "findings"))
	{
		int still = 0;
		cJSON_ArrayForEach(f, findings) still = still || hx_finding_matches(w, f);
		if (still) {
			add_unique(list, cJSON_Duplicate(w, 1));
		} else if ((f = closest(w, findings))) {
			cJSON *e = entry_for(f, w);
			if (e)
				add_unique(list, e);
		}
	}
	cJSON_ArrayForEach(f, findings)
	{
		const char *id = cm_jpath_string(f, "id"), *sev = cm_jpath_string(f, "severity");
		if (!id || strcmp(id, "verdict") == 0 || !sev || strcmp(sev, "info") == 0 ||
		    covered(list, f))
			continue;
		cJSON *e = entry_for(f, NULL);
		if (e)
			add_unique(list, e);
	}
	return list;
}

/* Sets member name of o to v (taking it), in place when it exists. */
static void set_member(cJSON *o, const char *name, cJSON *v)
{
	if (!v)
		return;
	if (cJSON_GetObjectItemCaseSensitive(o, name))
		cJSON_ReplaceItemInObjectCaseSensitive(o, name, v);
	else
		cJSON_AddItemToObject(o, name, v);
}

cJSON *hx_update_expect(const cJSON *old_expect, const cJSON *report, int exit_code)
{
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(report, "verdict");
	cJSON *x =
		cJSON_IsObject(old_expect) ? cJSON_Duplicate(old_expect, 1) : cJSON_CreateObject();
	cJSON *list = new_findings(old_expect, report);
	if (!x || !list) {
		cJSON_Delete(x);
		cJSON_Delete(list);
		return NULL;
	}
	const char *vid = cm_jpath_string(verdict, "id"),
		   *vvar = cm_jpath_string(verdict, "variant");
	if (vid)
		set_member(x, "verdict", cJSON_CreateString(vid));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(x, "verdict");
	if (vvar)
		set_member(x, "verdict_variant", cJSON_CreateString(vvar));
	else
		cJSON_DeleteItemFromObjectCaseSensitive(x, "verdict_variant");
	set_member(x, "exit", cJSON_CreateNumber(exit_code));
	if (cJSON_GetArraySize(list) || cJSON_GetObjectItemCaseSensitive(x, "findings"))
		set_member(x, "findings", list);
	else
		cJSON_Delete(list);
	const cJSON *absent = cJSON_GetObjectItemCaseSensitive(old_expect, "absent");
	if (cJSON_IsArray(absent)) {
		/* Keep only what is still absent, so the update passes. */
		cJSON *keep = cJSON_CreateArray();
		const cJSON *a;
		cJSON_ArrayForEach(a, absent) if (cJSON_IsString(a) &&
						  !hx_report_has(report, a->valuestring))
			cJSON_AddItemToArray(keep, cJSON_CreateString(a->valuestring));
		set_member(x, "absent", keep);
	}
	return x;
}
