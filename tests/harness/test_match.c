/* test_match.c - the subset matcher: what an expectation accepts and the
 * one-line reason it gives when it does not. */
#include <criterion/criterion.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "hx_match.h"

static const char report_text[] =
	"{\"findings\": ["
	" {\"id\": \"net.endpoint\", \"severity\": \"info\", \"evidence\": "
	"   {\"host\": \"a.example\", \"port\": 443, \"result\": \"ok\", \"required\": true}},"
	" {\"id\": \"net.endpoint\", \"severity\": \"error\", \"evidence\": "
	"   {\"host\": \"b.example\", \"port\": 443, \"result\": \"timeout\", \"required\": true,"
	"    \"extra\": {\"x\": 1, \"y\": 2}}},"
	" {\"id\": \"onboarding.event\", \"variant\": \"15\", \"severity\": \"error\","
	"   \"evidence\": {\"event_id\": 15}},"
	" {\"id\": \"verdict\", \"severity\": \"error\", \"evidence\": {}}],"
	" \"verdict\": {\"id\": \"onboarding.event\", \"variant\": \"15\"}}";

static cJSON *report;

static void setup(void)
{
	report = cJSON_Parse(report_text);
	cr_assert_not_null(report);
}
static void teardown(void)
{
	cJSON_Delete(report);
}

static int match(const char *expect, char *why, size_t whysz, int exit_code)
{
	cJSON *e = cJSON_Parse(expect);
	cr_assert_not_null(e, "test expectation is not JSON: %s", expect);
	why[0] = '\0';
	int rc = hx_match(e, report, exit_code, why, whysz);
	cJSON_Delete(e);
	return rc;
}

TestSuite(match, .init = setup, .fini = teardown);

Test(match, subset_of_findings_and_evidence_matches)
{
	char why[512];
	cr_assert_eq(match("{\"verdict\": \"onboarding.event\", \"verdict_variant\": \"15\", "
			   "\"exit\": 1,"
			   " \"findings\": [{\"id\": \"net.endpoint\", \"severity\": \"error\","
			   "   \"evidence\": {\"host\": \"b.example\", \"result\": \"timeout\"}},"
			   "  {\"id\": \"onboarding.event\", \"variant\": \"15\"}],"
			   " \"absent\": [\"sense.missing\"]}",
			   why, sizeof why, 1),
		     HX_MATCH_OK, "%s", why);
}

Test(match, numbers_compare_numerically_and_strings_exactly)
{
	char why[512];
	cr_assert_eq(match("{\"findings\": [{\"id\": \"net.endpoint\", \"evidence\": {\"port\": "
			   "443.0}}]}",
			   why, sizeof why, 0),
		     HX_MATCH_OK, "%s", why);
	cr_assert_eq(match("{\"findings\": [{\"id\": \"net.endpoint\", \"evidence\": {\"port\": "
			   "\"443\"}}]}",
			   why, sizeof why, 0),
		     HX_MATCH_FAIL);
	cr_assert_eq(match("{\"findings\": [{\"id\": \"net.endpoint\", \"evidence\": {\"host\": "
			   "\"A.example\"}}]}",
			   why, sizeof why, 0),
		     HX_MATCH_FAIL);
}

Test(match, nested_evidence_objects_match_as_subsets)
{
	char why[512];
	cr_assert_eq(match("{\"findings\": [{\"id\": \"net.endpoint\", \"evidence\": {\"extra\": "
			   "{\"y\": 2}}}]}",
			   why, sizeof why, 0),
		     HX_MATCH_OK, "%s", why);
}

Test(match, one_finding_must_satisfy_every_criterion)
{
	/* host of one finding, result of the other: no single finding matches. */
	char why[512];
	cr_assert_eq(match("{\"findings\": [{\"id\": \"net.endpoint\","
			   " \"evidence\": {\"host\": \"a.example\", \"result\": \"timeout\"}}]}",
			   why, sizeof why, 0),
		     HX_MATCH_FAIL);
	cr_assert(strstr(why, "none of 2 net.endpoint findings matches"), "%s", why);
	cr_assert(strstr(why, "evidence.result is \"ok\", expected \"timeout\""), "%s", why);
}

Test(match, missing_finding_is_named)
{
	char why[512];
	cr_assert_eq(
		match("{\"findings\": [{\"id\": \"net.tls-inspection\", \"severity\": \"error\"}]}",
		      why, sizeof why, 1),
		HX_MATCH_FAIL);
	cr_assert_str_eq(why,
			 "finding net.tls-inspection: no net.tls-inspection finding in the report");
}

Test(match, wrong_severity_is_reported_precisely)
{
	char why[512];
	cr_assert_eq(
		match("{\"findings\": [{\"id\": \"onboarding.event\", \"severity\": \"warning\"}]}",
		      why, sizeof why, 1),
		HX_MATCH_FAIL);
	cr_assert_str_eq(why,
			 "finding onboarding.event: severity is \"error\", expected \"warning\"");
}

Test(match, verdict_exit_and_absent_mismatches)
{
	char why[512];
	cr_assert_eq(match("{\"verdict\": \"reonboard.plan\"}", why, sizeof why, 1), HX_MATCH_FAIL);
	cr_assert_str_eq(why, "verdict is onboarding.event, expected reonboard.plan");
	cr_assert_eq(match("{\"verdict_variant\": \"10\"}", why, sizeof why, 1), HX_MATCH_FAIL);
	cr_assert_str_eq(why, "verdict variant is 15, expected 10");
	cr_assert_eq(match("{\"exit\": 0}", why, sizeof why, 1), HX_MATCH_FAIL);
	cr_assert_str_eq(why, "exit status 1, expected 0");
	cr_assert_eq(match("{\"absent\": [\"onboarding.event\"]}", why, sizeof why, 1),
		     HX_MATCH_FAIL);
	cr_assert_str_eq(why, "finding onboarding.event present, expected absent");
}

Test(match, typos_in_expectations_are_errors_not_passes)
{
	char why[512];
	cr_assert_eq(match("{\"verdikt\": \"x\"}", why, sizeof why, 0), HX_MATCH_BAD_EXPECT);
	cr_assert(strstr(why, "unknown member \"verdikt\""), "%s", why);
	cr_assert_eq(match("{\"findings\": [{\"id\": \"verdict\", \"sevrity\": \"error\"}]}", why,
			   sizeof why, 0),
		     HX_MATCH_BAD_EXPECT);
	cr_assert_eq(match("{\"findings\": [{\"severity\": \"error\"}]}", why, sizeof why, 0),
		     HX_MATCH_BAD_EXPECT);
}

Test(match, empty_expectation_matches_any_report)
{
	char why[512];
	cr_assert_eq(match("{}", why, sizeof why, 3), HX_MATCH_OK);
}
