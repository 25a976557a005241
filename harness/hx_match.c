/* hx_match.c - the subset matcher (see hx_match.h). */
#include <stdio.h>
#include <string.h>
#include "hx_json.h"
#include "hx_match.h"
#include "jpath.h"

/* A JSON value shown compactly in a message, truncated to fit. */
static void show(const cJSON *j, char *buf, size_t sz)
{
	if (!j) {
		snprintf(buf, sz, "absent");
		return;
	}
	char *t = cJSON_PrintUnformatted(j);
	snprintf(buf, sz, "%s", t ? t : "?");
	if (t && strlen(t) >= sz && sz > 4)
		strcpy(buf + sz - 4, "...");
	cJSON_free(t);
}

int hx_value_matches(const cJSON *want, const cJSON *have)
{
	if (!have)
		return 0;
	if (cJSON_IsObject(want)) {
		if (!cJSON_IsObject(have))
			return 0;
		for (const cJSON *w = want->child; w; w = w->next)
			if (!hx_value_matches(w, cJSON_GetObjectItemCaseSensitive(have, w->string)))
				return 0;
		return 1;
	}
	return hx_json_equal(want, have);
}

int hx_report_has(const cJSON *report, const char *id)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(report, "findings"))
	{
		const char *fid = cm_jpath_string(f, "id");
		if (fid && strcmp(fid, id) == 0)
			return 1;
	}
	return 0;
}

static int only(const cJSON *o, const char *const allowed[], const char *where, char *why,
		size_t whysz)
{
	const cJSON *m = cm_jpath_unknown(o, allowed);
	if (!m)
		return 0;
	snprintf(why, whysz, "bad expectation: %s: unknown member \"%s\"", where, m->string);
	return -1;
}

/* A short label for an expected finding: id{variant,key=value...}. */
static void label(const cJSON *want, char *buf, size_t sz)
{
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(want, "evidence");
	const char *variant = cm_jpath_string(want, "variant");
	const char *id = cm_jpath_string(want, "id");
	size_t n = (size_t)snprintf(buf, sz, "%s", id ? id : "?");
	if (variant && n < sz)
		n += (size_t)snprintf(buf + n, sz - n, "/%s", variant);
	const cJSON *e;
	int first = 1;
	cJSON_ArrayForEach(e, ev)
	{
		char v[80];
		if (n >= sz)
			break;
		show(e, v, sizeof v);
		n += (size_t)snprintf(buf + n, sz - n, "%s%s=%s", first ? " (" : ", ", e->string,
				      v);
		first = 0;
	}
	if (!first && n < sz)
		snprintf(buf + n, sz - n, ")");
}

/* How well `have` satisfies `want`: the number of criteria met; *first_miss
 * gets the first one not met (as text) unless all are. */
static int score(const cJSON *want, const cJSON *have, char *miss, size_t misssz)
{
	int s = 0;
	miss[0] = '\0';
	static const char *const fields[] = {"severity", "variant", "outcome", "reason"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *w = cm_jpath_string(want, fields[i]);
		if (!w)
			continue;
		const char *h = cm_jpath_string(have, fields[i]);
		if (h && strcmp(w, h) == 0) {
			s++;
		} else if (!miss[0]) {
			snprintf(miss, misssz, "%s is %s%s%s, expected \"%s\"", fields[i],
				 h ? "\"" : "", h ? h : "absent", h ? "\"" : "", w);
		}
	}
	const cJSON *wev = cJSON_GetObjectItemCaseSensitive(want, "evidence");
	const cJSON *hev = cJSON_GetObjectItemCaseSensitive(have, "evidence");
	const cJSON *w;
	cJSON_ArrayForEach(w, wev)
	{
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(hev, w->string);
		if (hx_value_matches(w, h)) {
			s++;
		} else if (!miss[0]) {
			char hv[160], wv[160];
			show(h, hv, sizeof hv);
			show(w, wv, sizeof wv);
			snprintf(miss, misssz, "evidence.%s is %s, expected %s", w->string, hv, wv);
		}
	}
	return s;
}

int hx_finding_matches(const cJSON *want, const cJSON *have)
{
	char miss[400];
	const char *w = cm_jpath_string(want, "id"), *h = cm_jpath_string(have, "id");
	if (!w || !h || strcmp(w, h) != 0)
		return 0;
	score(want, have, miss, sizeof miss);
	return miss[0] == '\0';
}

int hx_finding_score(const cJSON *want, const cJSON *have)
{
	char miss[400];
	const char *w = cm_jpath_string(want, "id"), *h = cm_jpath_string(have, "id");
	if (!w || !h || strcmp(w, h) != 0)
		return -1;
	return score(want, have, miss, sizeof miss);
}

static int check_finding(const cJSON *want, const cJSON *findings, size_t idx, char *why,
			 size_t whysz)
{
	static const char *const allowed[] = {"id",     "severity", "variant", "outcome",
					      "reason", "evidence", NULL};
	char where[64];
	snprintf(where, sizeof where, "expect.findings[%zu]", idx);
	if (!cJSON_IsObject(want)) {
		snprintf(why, whysz, "bad expectation: %s: expected an object", where);
		return HX_MATCH_BAD_EXPECT;
	}
	if (only(want, allowed, where, why, whysz))
		return HX_MATCH_BAD_EXPECT;
	const char *id = cm_jpath_string(want, "id");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(want, "evidence");
	if (!id || (ev && !cJSON_IsObject(ev)) ||
	    (cJSON_GetObjectItemCaseSensitive(want, "severity") &&
	     !cm_jpath_string(want, "severity")) ||
	    (cJSON_GetObjectItemCaseSensitive(want, "variant") &&
	     !cm_jpath_string(want, "variant")) ||
	    (cJSON_GetObjectItemCaseSensitive(want, "outcome") &&
	     !cm_jpath_string(want, "outcome")) ||
	    (cJSON_GetObjectItemCaseSensitive(want, "reason") &&
	     !cm_jpath_string(want, "reason"))) {
		snprintf(why, whysz,
			 "bad expectation: %s: needs \"id\" (string); "
			 "severity, variant, outcome, reason strings; evidence an object",
			 where);
		return HX_MATCH_BAD_EXPECT;
	}
	int best = -1, candidates = 0;
	char best_miss[400] = "", miss[400];
	const cJSON *f;
	cJSON_ArrayForEach(f, findings)
	{
		const char *fid = cm_jpath_string(f, "id");
		if (!fid || strcmp(fid, id) != 0)
			continue;
		candidates++;
		int s = score(want, f, miss, sizeof miss);
		if (!miss[0])
			return HX_MATCH_OK;
		if (s > best) {
			best = s;
			strcpy(best_miss, miss);
		}
	}
	char lb[300];
	label(want, lb, sizeof lb);
	if (candidates == 0)
		snprintf(why, whysz, "finding %s: no %s finding in the report", lb, id);
	else if (candidates == 1)
		snprintf(why, whysz, "finding %s: %s", lb, best_miss);
	else
		snprintf(why, whysz, "finding %s: none of %d %s findings matches; closest: %s", lb,
			 candidates, id, best_miss);
	return HX_MATCH_FAIL;
}

int hx_match(const cJSON *expect, const cJSON *report, int exit_code, char *why, size_t whysz)
{
	static const char *const allowed[] = {
		"verdict", "verdict_variant", "verdict_rule", "exit", "findings", "absent", NULL};
	if (!cJSON_IsObject(expect)) {
		snprintf(why, whysz, "bad expectation: expect: expected an object");
		return HX_MATCH_BAD_EXPECT;
	}
	if (only(expect, allowed, "expect", why, whysz))
		return HX_MATCH_BAD_EXPECT;
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(report, "findings");
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(report, "verdict");
	if (!cJSON_IsArray(findings) || !cJSON_IsObject(verdict)) {
		snprintf(why, whysz, "report has no findings array or no verdict object");
		return HX_MATCH_FAIL;
	}

	const cJSON *w = cJSON_GetObjectItemCaseSensitive(expect, "verdict");
	if (w) {
		const char *have = cm_jpath_string(verdict, "id");
		if (!cJSON_IsString(w)) {
			snprintf(why, whysz, "bad expectation: expect.verdict: expected a string");
			return HX_MATCH_BAD_EXPECT;
		}
		if (!have || strcmp(have, w->valuestring)) {
			snprintf(why, whysz, "verdict is %s, expected %s", have ? have : "absent",
				 w->valuestring);
			return HX_MATCH_FAIL;
		}
	}
	/* the verdict's variant and rule (docs/verdict.md), when expected */
	static const struct {
		const char *key, *member;
	} vfields[] = {
		{"verdict_variant", "variant"},
		{"verdict_rule", "rule"},
	};
	for (size_t k = 0; k < sizeof vfields / sizeof vfields[0]; k++) {
		w = cJSON_GetObjectItemCaseSensitive(expect, vfields[k].key);
		if (!w)
			continue;
		const char *have = cm_jpath_string(verdict, vfields[k].member);
		if (!cJSON_IsString(w)) {
			snprintf(why, whysz, "bad expectation: expect.%s: expected a string",
				 vfields[k].key);
			return HX_MATCH_BAD_EXPECT;
		}
		if (!have || strcmp(have, w->valuestring)) {
			snprintf(why, whysz, "verdict %s is %s, expected %s", vfields[k].member,
				 have ? have : "absent", w->valuestring);
			return HX_MATCH_FAIL;
		}
	}
	w = cJSON_GetObjectItemCaseSensitive(expect, "findings");
	if (w && !cJSON_IsArray(w)) {
		snprintf(why, whysz, "bad expectation: expect.findings: expected an array");
		return HX_MATCH_BAD_EXPECT;
	}
	size_t i = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, w)
	{
		int rc = check_finding(e, findings, i++, why, whysz);
		if (rc)
			return rc;
	}
	w = cJSON_GetObjectItemCaseSensitive(expect, "absent");
	if (w && !cJSON_IsArray(w)) {
		snprintf(why, whysz, "bad expectation: expect.absent: expected an array");
		return HX_MATCH_BAD_EXPECT;
	}
	cJSON_ArrayForEach(e, w)
	{
		if (!cJSON_IsString(e)) {
			snprintf(why, whysz, "bad expectation: expect.absent: expected strings");
			return HX_MATCH_BAD_EXPECT;
		}
		if (hx_report_has(report, e->valuestring)) {
			snprintf(why, whysz, "finding %s present, expected absent", e->valuestring);
			return HX_MATCH_FAIL;
		}
	}
	w = cJSON_GetObjectItemCaseSensitive(expect, "exit");
	if (w) {
		if (!cJSON_IsNumber(w)) {
			snprintf(why, whysz, "bad expectation: expect.exit: expected a number");
			return HX_MATCH_BAD_EXPECT;
		}
		if (w->valuedouble != exit_code) {
			snprintf(why, whysz, "exit status %d, expected %d", exit_code,
				 (int)w->valuedouble);
			return HX_MATCH_FAIL;
		}
	}
	return HX_MATCH_OK;
}
