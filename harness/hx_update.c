/* hx_update.c - expectations from actual output (see hx_update.h). */
#include <string.h>
#include "hx_json.h"
#include "hx_match.h"
#include "hx_update.h"

#define HX_UPDATE_MAX_KEYS 3

/* Evidence members that say the most about a finding, in preference order. */
static const char *const preferred[] = {
	"host", "result", "issuer", "event_id", "category", "failed", "proxy",
	"status", "state_name", "edition", "build", "version", "action", "cause",
	NULL
};

static const char *str_member(const cJSON *o, const char *name)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(j) ? j->valuestring : NULL;
}

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The old expected finding with this id and variant, if any. */
static const cJSON *old_entry(const cJSON *old_expect, const char *id, const char *variant)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(old_expect, "findings")) {
		if (same_str(str_member(e, "id"), id) && same_str(str_member(e, "variant"), variant))
			return e;
	}
	return NULL;
}

/* Did the old expectation ask for this very finding? */
static int old_wanted(const cJSON *old_expect, const cJSON *f)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(old_expect, "findings"))
		if (hx_finding_matches(e, f))
			return 1;
	return 0;
}

static int is_scalar(const cJSON *j)
{
	return cJSON_IsString(j) || cJSON_IsNumber(j) || cJSON_IsBool(j);
}

static cJSON *entry_for(const cJSON *f, const cJSON *old_expect)
{
	const char *id = str_member(f, "id"), *variant = str_member(f, "variant");
	const char *sev = str_member(f, "severity");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
	cJSON *e = cJSON_CreateObject();
	if (!e || !cJSON_AddStringToObject(e, "id", id) ||
	    (sev && !cJSON_AddStringToObject(e, "severity", sev)) ||
	    (variant && !cJSON_AddStringToObject(e, "variant", variant)))
		goto oom;
	cJSON *want = cJSON_CreateObject();
	if (!want)
		goto oom;
	cJSON_AddItemToObject(e, "evidence", want);
	const cJSON *old = old_entry(old_expect, id, variant);
	const cJSON *oldev = cJSON_GetObjectItemCaseSensitive(old, "evidence");
	if (old) {
		const cJSON *k;
		cJSON_ArrayForEach(k, oldev) {
			const cJSON *have = cJSON_GetObjectItemCaseSensitive(ev, k->string);
			if (have)
				cJSON_AddItemToObject(want, k->string, cJSON_Duplicate(have, 1));
		}
	} else {
		int n = 0;
		for (const char *const *k = preferred; *k && n < HX_UPDATE_MAX_KEYS; k++) {
			const cJSON *have = cJSON_GetObjectItemCaseSensitive(ev, *k);
			if (is_scalar(have)) {
				cJSON_AddItemToObject(want, *k, cJSON_Duplicate(have, 1));
				n++;
			}
		}
	}
	if (!want->child)
		cJSON_DeleteItemFromObjectCaseSensitive(e, "evidence");
	return e;
oom:
	cJSON_Delete(e);
	return NULL;
}

cJSON *hx_update_expect(const cJSON *old_expect, const cJSON *report, int exit_code)
{
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(report, "verdict");
	cJSON *x = cJSON_CreateObject();
	cJSON *list = cJSON_CreateArray();
	if (!x || !list)
		goto oom;
	const char *vid = str_member(verdict, "id"), *vvar = str_member(verdict, "variant");
	if (vid)
		cJSON_AddStringToObject(x, "verdict", vid);
	if (vvar)
		cJSON_AddStringToObject(x, "verdict_variant", vvar);
	cJSON_AddNumberToObject(x, "exit", exit_code);
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings")) {
		const char *id = str_member(f, "id"), *sev = str_member(f, "severity");
		if (!id || strcmp(id, "verdict") == 0 ||
		    (same_str(sev, "info") && !old_wanted(old_expect, f)))
			continue;
		cJSON *e = entry_for(f, old_expect);
		if (!e)
			goto oom;
		int dup = 0;
		const cJSON *have;
		cJSON_ArrayForEach(have, list)
			dup = dup || hx_json_equal(have, e);
		if (dup)
			cJSON_Delete(e);
		else
			cJSON_AddItemToArray(list, e);
	}
	cJSON_AddItemToObject(x, "findings", list);
	list = NULL;
	const cJSON *absent = cJSON_GetObjectItemCaseSensitive(old_expect, "absent");
	if (absent) {
		/* Keep only what is still absent, so the update passes. */
		cJSON *keep = cJSON_CreateArray();
		const cJSON *a;
		cJSON_ArrayForEach(a, absent)
			if (cJSON_IsString(a) && !hx_report_has(report, a->valuestring))
				cJSON_AddItemToArray(keep, cJSON_CreateString(a->valuestring));
		cJSON_AddItemToObject(x, "absent", keep);
	}
	return x;
oom:
	cJSON_Delete(list);
	cJSON_Delete(x);
	return NULL;
}
