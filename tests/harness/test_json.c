/* test_json.c - overrides deep-merge into fixtures the way the docs say,
 * and --update writes reviewable expectations. */
#include <criterion/criterion.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "hx_json.h"
#include "hx_match.h"
#include "hx_update.h"

static cJSON *merged(const char *dst, const char *src)
{
	cJSON *d = cJSON_Parse(dst), *s = cJSON_Parse(src);
	cr_assert(d && s);
	cr_assert_eq(hx_json_merge(d, s), 0);
	cJSON_Delete(s);
	return d;
}

static int equal_text(const cJSON *j, const char *text)
{
	cJSON *want = cJSON_Parse(text);
	int eq = hx_json_equal(j, want);
	cJSON_Delete(want);
	return eq;
}

Test(merge, objects_merge_recursively_and_scalars_replace)
{
	cJSON *m = merged("{\"registry\": {\"K\": {\"a\": 1, \"b\": 2}}, \"events\": [1, 2]}",
			  "{\"registry\": {\"K\": {\"b\": 3, \"c\": 4}}, \"events\": [9]}");
	cr_assert(equal_text(m, "{\"registry\": {\"K\": {\"a\": 1, \"b\": 3, \"c\": 4}}, \"events\": [9]}"));
	cJSON_Delete(m);
}

Test(merge, null_deletes_a_member)
{
	cJSON *m = merged("{\"services\": {\"Sense\": {\"state\": 4}, \"WinDefend\": {\"state\": 4}}}",
			  "{\"services\": {\"Sense\": null}}");
	cr_assert(equal_text(m, "{\"services\": {\"WinDefend\": {\"state\": 4}}}"));
	cJSON_Delete(m);
}

Test(merge, registry_names_match_case_insensitively_without_duplicates)
{
	cJSON *m = merged("{\"registry\": {\"HKLM\\\\SOFTWARE\\\\X\": {\"OnboardingState\": 1}}}",
			  "{\"registry\": {\"hklm\\\\software\\\\x\": {\"onboardingstate\": 0}}}");
	const cJSON *reg = cJSON_GetObjectItem(m, "registry");
	cr_assert_eq(cJSON_GetArraySize(reg), 1);
	cr_assert_eq(cJSON_GetArraySize(reg->child), 1);
	cr_assert_eq(reg->child->child->valueint, 0);
	cJSON_Delete(m);
}

Test(update, expectation_from_report_keeps_old_evidence_keys_and_skips_noise)
{
	cJSON *report = cJSON_Parse(
		"{\"findings\": ["
		" {\"id\": \"net.endpoint\", \"severity\": \"info\", \"evidence\": {\"host\": \"ok.example\", \"result\": \"ok\"}},"
		" {\"id\": \"net.endpoint\", \"severity\": \"error\", \"evidence\": {\"host\": \"b.example\", \"port\": 443, \"result\": \"dns\", \"dns_ms\": 3}},"
		" {\"id\": \"sense.stopped\", \"severity\": \"error\", \"evidence\": {\"state\": 1, \"state_name\": \"STOPPED\", \"image_path\": \"x\"}},"
		" {\"id\": \"verdict\", \"severity\": \"error\", \"evidence\": {\"cause\": \"net.endpoint\"}}],"
		" \"verdict\": {\"id\": \"net.endpoint\"}}");
	cJSON *old = cJSON_Parse("{\"findings\": [{\"id\": \"sense.stopped\", \"evidence\": {\"state\": 4}}],"
				 " \"absent\": [\"net.tls-inspection\", \"sense.stopped\"]}");
	cJSON *x = hx_update_expect(old, report, 1);
	cr_assert(equal_text(x,
		"{\"verdict\": \"net.endpoint\", \"exit\": 1, \"findings\": ["
		" {\"id\": \"net.endpoint\", \"severity\": \"error\", \"evidence\": {\"host\": \"b.example\", \"result\": \"dns\"}},"
		" {\"id\": \"sense.stopped\", \"severity\": \"error\", \"evidence\": {\"state\": 1}}],"
		" \"absent\": [\"net.tls-inspection\"]}"), "%s", cJSON_Print(x));
	char why[256];
	cr_assert_eq(hx_match(x, report, 1, why, sizeof why), HX_MATCH_OK, "%s", why);
	cJSON_Delete(x);
	cJSON_Delete(old);
	cJSON_Delete(report);
}
