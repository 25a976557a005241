/* test_sense.c - article section 2: sense.* and sense.missing.* */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

Test(sense, running_is_info_with_state_evidence)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "sense.running", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_eq(ev_num(f, "state"), 4);
	cr_expect_str_eq(ev_str(f, "state_name"), "RUNNING");
	cr_expect_str_eq(ev_str(f, "start_type_name"), "AUTO_START");
	cr_expect_null(finding(&r, "onboarding.method", NULL),
		       "method only when Sense is not running");
	run_free(&r);
}

/* 1072: the service is marked for deletion. It was reported as missing
 * (1060), with reinstall advice, where a restart is the fix. */
Test(sense, marked_for_delete_is_not_missing)
{
	struct run r;
	run_device(&r, "sense-pending-delete");
	const struct dx_finding *f = finding(&r, "sense.pending-delete", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "win32_error"), 1072);
	cr_expect_null(finding(&r, "sense.missing", NULL));
	cr_expect_null(finding(&r, "sense.missing.other", NULL));
	cr_expect_str_eq(verdict_cause(&r), "sense.pending-delete");
	run_free(&r);
}

Test(sense, stopped_is_an_error)
{
	struct run r;
	run_device(&r, "sense-stopped-state0");
	const struct dx_finding *f = finding(&r, "sense.stopped", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "state_name"), "STOPPED");
	run_free(&r);
}

Test(sense, paused_counts_as_stopped)
{
	struct run r;
	run_short(&r, "{'services': {'Sense': {'state': 7}}}");
	cr_expect_not_null(finding(&r, "sense.stopped", NULL));
	run_free(&r);
}

Test(sense, start_pending_on_1607_points_to_kb4015217)
{
	struct run r;
	run_device(&r, "sense-start-pending-1607");
	const struct dx_finding *f = finding(&r, "sense.pending", "1607");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "state_name"), "START_PENDING");
	run_free(&r);
}

Test(sense, stop_pending_elsewhere_is_plain_pending)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'CurrentBuild': '19045'}},"
		      " 'services': {'Sense': {'state': 3}}}");
	const struct dx_finding *f = finding(&r, "sense.pending", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->variant, "");
	run_free(&r);
}

Test(sense, missing_on_server2016_suggests_unified_agent)
{
	struct run r;
	run_device(&r, "sense-missing-server2016");
	const struct dx_finding *p = finding(&r, "sense.missing", NULL);
	const struct dx_finding *f = finding(&r, "sense.missing.server2016-agent", NULL);
	cr_assert_not_null(p);
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(p, "win32_error"), 1060);
	cr_expect(strstr(ev_str(p, "reply"), "1060") != NULL);
	cr_expect_str_eq(ev_str(f, "installer"), "md4ws.msi");
	cr_expect_str_eq(ev_str(f, "product"), "Windows Server 2016");
	cr_expect_str_eq(verdict_cause(&r), "sense.missing.server2016-agent");
	cr_expect_null(finding(&r, "onboarding.state", NULL));
	run_free(&r);
}

Test(sense, missing_on_24h2_suggests_dism)
{
	struct run r;
	run_device(&r, "sense-missing-win11-24h2");
	const struct dx_finding *f = finding(&r, "sense.missing.win11-capability", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(
		ev_str(f, "command"),
		"DISM /online /Add-Capability /CapabilityName:Microsoft.Windows.Sense.Client~~~~");
	cr_expect_str_eq(ev_str(f, "capability_installed"), "no");
	cr_expect_str_eq(ev_str(f, "kb"), "KB5043950");
	cr_expect_str_eq(verdict_cause(&r), "sense.missing.win11-capability");
	run_free(&r);
}

Test(sense, missing_on_24h2_with_capability_installed_is_other)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'CurrentBuild': '26100', 'EditionID': 'Enterprise'},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows|CurrentVersion|Component Based "
		      "Servicing|Packages|"
		      "Microsoft-Windows-Sense-Client-FoD-Package~31bf3856ad364e35~amd64~~10.0."
		      "26100.1': {'CurrentState': 112}}}");
	cr_expect_null(finding(&r, "sense.missing.win11-capability", NULL));
	const struct dx_finding *f = finding(&r, "sense.missing.other", "capability-installed");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "capability_installed"), "yes");
	cr_expect_str_eq(ev_str(f, "capability_package_state"), "0x70");
	cr_expect_str_eq(ev_str(f, "capability"), "Microsoft.Windows.Sense.Client~~~~");
	/* decided before it was added: it sorts by its own ID and carries
	 * none of the capability branch's advice */
	cr_expect_eq(f->order, dx_check_order("sense.missing.other"));
	cr_expect_str_eq(ev_str(f, "command"), "");
	cr_expect_str_eq(verdict_cause(&r), "sense.missing.other");
	run_free(&r);
}

Test(sense, missing_on_server2022_is_other)
{
	struct run r;
	run_device(&r, "sense-missing-server2022");
	cr_assert_not_null(finding(&r, "sense.missing.other", NULL));
	cr_expect_null(finding(&r, "sense.missing.server2016-agent", NULL));
	cr_expect_str_eq(verdict_cause(&r), "sense.missing.other");
	run_free(&r);
}

Test(sense, denied_query_is_reported_not_guessed)
{
	struct run r;
	run_device(&r, "fault-sense-query-denied");
	const struct dx_finding *f = finding(&r, "sense.unknown", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect(strstr(ev_str(f, "query"), "access-denied (Win32 error 5)") != NULL, "%s",
		  ev_str(f, "query"));
	cr_expect_null(finding(&r, "sense.missing", NULL));
	cr_expect_null(finding(&r, "sense.stopped", NULL));
	run_free(&r);
}
