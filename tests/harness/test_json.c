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
	cr_assert(equal_text(
		m, "{\"registry\": {\"K\": {\"a\": 1, \"b\": 3, \"c\": 4}}, \"events\": [9]}"));
	cJSON_Delete(m);
}

Test(merge, null_deletes_a_member)
{
	cJSON *m =
		merged("{\"services\": {\"Sense\": {\"state\": 4}, \"WinDefend\": {\"state\": 4}}}",
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
		" {\"id\": \"net.endpoint\", \"severity\": \"info\", \"evidence\": {\"host\": "
		"\"ok.example\", \"result\": \"ok\"}},"
		" {\"id\": \"net.endpoint\", \"severity\": \"error\", \"evidence\": {\"host\": "
		"\"b.example\", \"port\": 443, \"result\": \"dns\", \"dns_ms\": 3}},"
		" {\"id\": \"sense.stopped\", \"severity\": \"error\", \"evidence\": {\"state\": "
		"1, \"state_name\": \"STOPPED\", \"image_path\": \"x\"}},"
		" {\"id\": \"verdict\", \"severity\": \"error\", \"evidence\": {\"cause\": "
		"\"net.endpoint\"}}],"
		" \"verdict\": {\"id\": \"net.endpoint\"}}");
	cJSON *old = cJSON_Parse(
		"{\"findings\": [{\"id\": \"sense.stopped\", \"evidence\": {\"state\": 4}}],"
		" \"absent\": [\"net.tls-inspection\", \"sense.stopped\"]}");
	cJSON *x = hx_update_expect(old, report, 1);
	cr_assert(equal_text(x, "{\"verdict\": \"net.endpoint\", \"exit\": 1, \"findings\": ["
				" {\"id\": \"sense.stopped\", \"evidence\": {\"state\": 1}},"
				" {\"id\": \"net.endpoint\", \"severity\": \"error\", "
				"\"evidence\": {\"host\": \"b.example\", \"result\": \"dns\"}}],"
				" \"absent\": [\"net.tls-inspection\"]}"),
		  "%s", cJSON_Print(x));
	/* the author's member order stays: findings and absent first */
	cr_assert_str_eq(x->child->string, "findings");
	cr_assert_str_eq(x->child->next->string, "absent");
	char why[256];
	cr_assert_eq(hx_match(x, report, 1, why, sizeof why), HX_MATCH_OK, "%s", why);
	cJSON_Delete(x);
	cJSON_Delete(old);
	cJSON_Delete(report);
}

/* hx_json_rewrite: unchanged values keep their text, changed ones are laid
 * out one member per line with the file's indentation unit. */
static char *rewrite(const char *text, void (*edit)(cJSON *))
{
	cJSON *old = cJSON_Parse(text);
	cr_assert(old);
	cJSON *nw = cJSON_Duplicate(old, 1);
	edit(nw);
	char *out = hx_json_rewrite(text, old, nw);
	cJSON_Delete(old);
	cJSON_Delete(nw);
	cr_assert(out);
	return out;
}

static void set_exit_2(cJSON *o)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(o, "expect");
	cJSON_ReplaceItemInObjectCaseSensitive(x, "exit", cJSON_CreateNumber(2));
	cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(x, "findings"),
			     cJSON_CreateString("new"));
}

Test(json, rewrite_keeps_unchanged_text)
{
	const char *text =
		"{\n"
		"  \"cloud\": {\"hosts\": {},\n"
		"             \"proxies\": [1.0, 2]},\n"
		"  \"expect\": {\"exit\": 1, \"findings\": [{\"id\": \"a\"}, {\"id\":\"b\"}]}\n"
		"}\n";
	char *out = rewrite(text, set_exit_2);
	cr_assert_str_eq(out, "{\n"
			      "  \"cloud\": {\"hosts\": {},\n"
			      "             \"proxies\": [1.0, 2]},\n"
			      "  \"expect\": {\n"
			      "    \"exit\": 2,\n"
			      "    \"findings\": [\n"
			      "      {\"id\": \"a\"},\n"
			      "      {\"id\":\"b\"},\n"
			      "      \"new\"\n"
			      "    ]\n"
			      "  }\n"
			      "}\n");
	free(out);
}

static void no_edit(cJSON *o)
{
	(void)o;
}

Test(json, rewrite_of_an_unchanged_document_is_its_text)
{
	const char *text = "{\"a\": [1, {\"b\": \"x\\\"y\"}],\n \"c\": null}";
	char *out = rewrite(text, no_edit);
	cr_assert_str_eq(out, "{\"a\": [1, {\"b\": \"x\\\"y\"}],\n \"c\": null}\n");
	free(out);
}
