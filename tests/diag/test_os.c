/* test_os.c - article section 1: os.* */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

#define CV "'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion'"

static void os_case(const char *values, const char *id, enum dx_severity sev)
{
	char fx[1024];
	struct run r;
	snprintf(fx, sizeof fx, "{'registry': {" CV ": {%s}}}", values);
	run_short(&r, fx);
	const struct dx_finding *f = finding(&r, id, NULL);
	cr_assert_not_null(f, "no %s for %s", id, values);
	cr_expect_eq(f->severity, sev, "%s severity", id);
	cr_expect_eq(count_id(&r, "os.supported") + count_id(&r, "os.home-edition") +
			     count_id(&r, "os.out-of-scope") + count_id(&r, "os.unsupported") +
			     count_id(&r, "os.unknown"),
		     1, "exactly one os.* finding");
	cr_expect_str_eq(ev_str(f, "registry"),
			 "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion");
	run_free(&r);
}

Test(os, windows11_enterprise_is_supported_with_build_ubr)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "os.supported", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_str_eq(ev_str(f, "product"), "Windows 11");
	cr_expect_str_eq(ev_str(f, "build_ubr"), "22631.4460");
	cr_expect_str_eq(ev_str(f, "edition"), "Enterprise");
	cr_expect_str_eq(ev_str(f, "ProductName"), "Windows 10 Enterprise");
	run_free(&r);
}

Test(os, home_edition_is_an_error)
{
	os_case("'CurrentBuild': '22631', 'EditionID': 'Core', 'InstallationType': 'Client'",
		"os.home-edition", DX_SEV_ERROR);
	os_case("'CurrentBuild': '19045', 'EditionID': 'CoreSingleLanguage'", "os.home-edition",
		DX_SEV_ERROR);
}

Test(os, windows10_1511_is_unsupported)
{
	struct run r;
	run_device(&r, "win10-1511");
	const struct dx_finding *f = finding(&r, "os.unsupported", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "build"), 10586);
	cr_expect_str_eq(verdict_cause(&r), "os.unsupported");
	run_free(&r);
}

Test(os, server2012_is_unsupported_and_2012r2_out_of_scope)
{
	os_case("'CurrentBuild': '9200', 'InstallationType': 'Server', 'EditionID': "
		"'ServerStandard'",
		"os.unsupported", DX_SEV_ERROR);
	os_case("'CurrentBuild': '9600', 'InstallationType': 'Server', 'EditionID': "
		"'ServerStandard'",
		"os.out-of-scope", DX_SEV_WARNING);
	os_case("'CurrentBuild': '7601', 'EditionID': 'Enterprise'", "os.out-of-scope",
		DX_SEV_WARNING);
}

Test(os, supported_servers_and_ltsc)
{
	os_case("'CurrentBuild': '14393', 'InstallationType': 'Server', 'EditionID': "
		"'ServerDatacenter'",
		"os.supported", DX_SEV_INFO);
	os_case("'CurrentBuild': '20348', 'InstallationType': 'Server Core', 'EditionID': "
		"'ServerStandard'",
		"os.supported", DX_SEV_INFO);
	os_case("'CurrentBuild': '26100', 'InstallationType': 'Server', 'EditionID': "
		"'ServerDatacenter'",
		"os.supported", DX_SEV_INFO);
	os_case("'CurrentBuild': '17763', 'EditionID': 'EnterpriseS'", "os.supported", DX_SEV_INFO);
}

Test(os, unknown_edition_is_a_warning_not_an_error)
{
	struct run r;
	run_short(&r,
		  "{'registry': {" CV ": {'CurrentBuild': '22631', 'EditionID': 'Holographic'}}}");
	const struct dx_finding *f = finding(&r, "os.supported", "unknown-edition");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	run_free(&r);
}

Test(os, unreadable_current_version_says_so)
{
	struct run r;
	run_device(&r, "fault-os-unreadable");
	const struct dx_finding *f = finding(&r, "os.unknown", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect(strstr(ev_str(f, "CurrentBuild"), "transient") != NULL, "%s",
		  ev_str(f, "CurrentBuild"));
	cr_expect(strstr(ev_str(f, "CurrentBuild"), "1237") != NULL);
	cr_expect_null(finding(&r, "os.supported", NULL));
	run_free(&r);
}

Test(os, garbage_build_number_is_unknown)
{
	os_case("'CurrentBuild': 'abc'", "os.unknown", DX_SEV_WARNING);
	os_case("'CurrentBuild': 22631", "os.unknown", DX_SEV_WARNING); /* DWORD, not REG_SZ */
}

/* Server 2016/2019 and Windows 10 before 20H2 have no DisplayVersion: the
 * release is ReleaseId; where both exist DisplayVersion wins (ReleaseId
 * stays "2009" from 20H2 on). */
Test(os, display_version_falls_back_to_release_id)
{
	struct run r;
	run_short(&r,
		  "{'registry': {" CV ": {'CurrentBuild': '17763', 'EditionID': 'ServerStandard',"
		  " 'InstallationType': 'Server', 'ReleaseId': '1809'}}}");
	cr_expect_str_eq(r.c.facts.display_version, "1809");
	const struct dx_finding *f = finding(&r, "os.supported", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "display_version"), "1809");
	run_free(&r);
	run_short(
		&r,
		"{'registry': {" CV ": {'CurrentBuild': '22631', 'EditionID': 'Enterprise',"
		" 'InstallationType': 'Client', 'ReleaseId': '2009', 'DisplayVersion': '23H2'}}}");
	cr_expect_str_eq(r.c.facts.display_version, "23H2");
	run_free(&r);
}
