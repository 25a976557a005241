/* test_checks.c - the check IDs come from `mdediag --list-checks`. */
#include <criterion/criterion.h>
#include <string.h>
#include "hx_checks.h"
#include "hx_proc.h"

static struct hx_idlist ids;

Test(checks, one_id_per_line_section_ignored_crlf_tolerated)
{
	const char *text = "os.supported\tprerequisites\n"
			   "net.cyber\tconnectivity\r\n"
			   "\n"
			   "verdict\n";
	char err[256];
	cr_assert_eq(hx_checks_parse(text, &ids, err, sizeof err), 0, "%s", err);
	const char *want[] = {"os.supported", "net.cyber", "verdict"};
	cr_assert_eq(ids.n, 3);
	for (size_t i = 0; i < ids.n; i++)
		cr_assert_str_eq(ids.id[i], want[i]);
	cr_assert_eq(hx_idlist_find(&ids, "net.cyber"), 1);
	cr_assert_eq(hx_idlist_find(&ids, "prerequisites"), -1);
}

Test(checks, bad_lists_are_errors_naming_the_line)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{"", "no check IDs"},
		{"\n\n", "no check IDs"},
		{"os.supported\nusage: mdediag [--fixture FILE]\n", "line 2"},
		{"Os.Supported\n", "not a check ID"},
		{"--list-checks\n", "not a check ID"},
		{"\tprerequisites\n", "line 1"},
		{"a.b\nc\na.b\n", "line 3: a.b listed twice"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char err[256] = "";
		cr_expect_eq(hx_checks_parse(bad[i].text, &ids, err, sizeof err), -1, "case %zu",
			     i);
		cr_expect(strstr(err, bad[i].why), "case %zu: %s", i, err);
	}
	char longid[100];
	memset(longid, 'a', 80);
	strcpy(longid + 80, "\n");
	char err[256];
	cr_expect_eq(hx_checks_parse(longid, &ids, err, sizeof err), -1);
	cr_expect(strstr(err, "longer than"), "%s", err);
}

Test(checks, the_ids_of_the_real_mdediag)
{
	char err[512];
	cr_assert_eq(hx_checks_from_diag(HX_DIAG, 0, hx_now_ms() + 20000, &ids, err, sizeof err), 0,
		     "%s", err);
	const char *some[] = {"os.supported",
			      "sense.missing.win11-capability",
			      "net.proxy.auth-required",
			      "net.sample-upload",
			      "asr.psexec-block",
			      "agent.kb5005292",
			      "reonboard.plan"};
	for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
		cr_assert_geq(hx_idlist_find(&ids, some[i]), 0, "%s missing", some[i]);
	cr_assert_str_eq(ids.id[ids.n - 1], "verdict");
}

Test(checks, a_program_that_fails_or_prints_usage_is_an_error)
{
	char err[512];
	/* /bin/false exits 1; /bin/echo prints "--list-checks", not an ID */
	cr_expect_eq(
		hx_checks_from_diag("/bin/false", 0, hx_now_ms() + 5000, &ids, err, sizeof err),
		-1);
	cr_expect(strstr(err, "exit 1"), "%s", err);
	cr_expect_eq(hx_checks_from_diag("/bin/echo", 0, hx_now_ms() + 5000, &ids, err, sizeof err),
		     -1);
	cr_expect(strstr(err, "not a check ID"), "%s", err);
	cr_expect_eq(hx_checks_from_diag("/nonexistent/mdediag", 0, hx_now_ms() + 5000, &ids, err,
					 sizeof err),
		     -1);
}
