/* test_mma.c - the previous, MMA-based sensor (onboarding.mma): the edges
 * the scenarios do not reach: other Windows versions not looked at, a
 * workspace without the sensor, the sensor directly in the temporary-file
 * folder, reads that fail (service, workspaces, sensor folder, the
 * onboarding state), the agent's folder taken from its image path. */
#include <criterion/criterion.h>
#include <string.h>
#include "helpers.h"

#define WS "6f1c2b3a-9d8e-4c7b-a6f5-0e1d2c3b4a59"
#define WS_KEY                                                                                     \
	"'HKLM|SYSTEM|CurrentControlSet|Services|HealthService|Parameters|Service Connector "      \
	"Services|Log Analytics - " WS "': {}"
#define AGENT "D:|MMA|Agent"
#define STATE_DIR "C:|Program Files|Microsoft Monitoring Agent|Agent|Health Service State"
#define SENSOR STATE_DIR "|Monitoring Host Temporary Files 12|2437|MsSenseS.exe"
#define HEALTH "'HealthService': {'state': 4}"

/* A server of `build` with Sense (`sense`: a service entry, or "" for
 * none), OnboardingState `state` ("" for none), and more registry keys,
 * services and files. */
#define SERVER(build, sense, status, reg, svcs, files, rest)                                       \
	"{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': "     \
	"'" build "',"                                                                             \
	" 'EditionID': 'ServerStandard', 'InstallationType': 'Server'}" status reg "},"            \
	" 'services': {'WinDefend': {'state': 4}, 'DiagTrack': {'state': 4, 'start_type': "        \
	"2}" sense svcs "},"                                                                       \
	" 'files': {'C:|Windows|x.dll': {}" files "}" rest "}"
#define ONBOARDED                                                                                  \
	", 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "                  \
	"{'OnboardingState': 1}"
#define SENSE ", 'Sense': {'state': 4, 'start_type': 2}"

Test(mma, other_windows_versions_are_not_looked_at)
{
	struct run r;
	run_short(&r, SERVER("17763", SENSE, ONBOARDED, ", " WS_KEY, ", " HEALTH,
			     ", '" SENSOR "': {}", ""));
	cr_expect_eq(count_id(&r, "onboarding.mma"), 0);
	run_free(&r);
}

Test(mma, server2012r2_without_the_agent_is_clear_and_the_verdict_stays_out_of_scope)
{
	struct run r;
	run_short(&r, SERVER("9600", "", "", "", "", "", ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "absent");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_str_eq(verdict_cause(&r), "os.out-of-scope");
	run_free(&r);
}

Test(mma, a_workspace_without_msenses_is_not_an_mde_onboarding)
{
	struct run r;
	run_short(&r, SERVER("14393", SENSE, ONBOARDED, ", " WS_KEY, ", " HEALTH, "", ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "no-mde-sensor");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_eq(ev_num(f, "workspace_count"), 1);
	cr_expect_str_eq(ev_str(f, "workspace_list"), WS);
	cr_expect_str_eq(ev_str(f, "mma_sensor"), "not found");
	run_free(&r);
}

Test(mma, the_sensor_directly_in_the_temporary_folder_counts)
{
	struct run r;
	run_short(&r, SERVER("14393", "", "", "", ", " HEALTH,
			     ", '" STATE_DIR "|Monitoring Host Temporary Files 3|mssenses.exe': "
			     "{'version': '10.8049.1.2'}",
			     ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "mma-only");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "mma_sensor_version"), "10.8049.1.2");
	cr_expect_str_eq(ev_str(f, "workspace_list"), "none");
	cr_expect_str_eq(verdict_cause(&r), "onboarding.mma");
	run_free(&r);
}

Test(mma, the_agent_folder_is_the_services_image_path)
{
	struct run r;
	run_short(&r, SERVER("14393", "", "", "",
			     ", 'HealthService': {'state': 1, 'image_path': '\\\"" AGENT
			     "|HealthService.exe\\\"'}",
			     ", '" AGENT "|Health Service State|Monitoring Host Temporary Files "
			     "1|7|MsSenseS.exe': {}",
			     ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "mma-only");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "sensor_folder"), "D:\\MMA\\Agent\\Health Service State");
	cr_expect_str_eq(ev_str(f, "mma_sensor_version"), "unknown");
	cr_expect_str_eq(ev_str(f, "state_name"), "STOPPED");
	run_free(&r);
}

Test(mma, an_onboarding_state_that_is_not_one_beside_the_sensor_is_a_half_done_migration)
{
	struct run r;
	run_short(&r, SERVER("14393", ", 'Sense': {'state': 1, 'start_type': 3}",
			     ", 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat "
			     "Protection|Status': {'OnboardingState': 0}",
			     ", " WS_KEY, ", " HEALTH, ", '" SENSOR "': {}", ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "unified-not-onboarded");
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "onboarding_state"), 0);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.mma");
	run_free(&r);
}

Test(mma, an_unreadable_onboarding_state_beside_the_sensor_is_not_determined)
{
	struct run r;
	run_short(&r, SERVER("14393", SENSE,
			     ", 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat "
			     "Protection|Status': {'OnboardingState': 'one'}",
			     "", ", " HEALTH, ", '" SENSOR "': {}", ""));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "state-unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(mma, a_denied_sensor_folder_is_not_determined_and_withholds_the_plan)
{
	struct run r;
	run_short(&r,
		  SERVER("14393", SENSE, ONBOARDED, ", " WS_KEY, ", " HEALTH, ", '" SENSOR "': {}",
			 ", 'faults': [{'primitive': 'dir_list', 'target': '" STATE_DIR
			 "', 'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "folder-unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "workspace_list"), WS);
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(mma, a_denied_service_query_is_not_determined)
{
	struct run r;
	run_short(&r, SERVER("14393", "", "", "", ", " HEALTH, "",
			     ", 'faults': [{'primitive': 'svc_query', 'target': 'HealthService', "
			     "'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	run_free(&r);
}

Test(mma, unreadable_workspaces_still_let_the_sensor_decide)
{
	struct run r;
	run_short(&r, SERVER("14393", "", "", ", " WS_KEY, ", " HEALTH, ", '" SENSOR "': {}",
			     ", 'faults': [{'primitive': 'reg_subkeys', 'target': "
			     "'HKLM|SYSTEM|CurrentControlSet|Services|HealthService|Parameters|"
			     "Service Connector Services', 'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "mma-only");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "workspace_list"), "unreadable");
	cr_expect_neq(strlen(ev_str(f, "workspaces_read")), 0);
	run_free(&r);
}

Test(mma, the_sensor_with_sense_unqueryable_is_not_determined)
{
	struct run r;
	run_short(&r,
		  SERVER("14393", SENSE, ONBOARDED, ", " WS_KEY, ", " HEALTH, ", '" SENSOR "': {}",
			 ", 'faults': [{'primitive': 'svc_query', 'target': 'Sense', 'error': "
			 "'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "onboarding.mma", "sense-unknown");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "sense"), "unknown");
	run_free(&r);
}
