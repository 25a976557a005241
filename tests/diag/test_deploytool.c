/* test_deploytool.c - the Defender deployment tool's log
 * (onboarding.deployment-tool): the edges the scenarios do not reach: no
 * folder, a folder without this computer's log, the last exit code of
 * several, the host name's first label, a UTF-16 log, codes not in the
 * table, a log with none, a restart pending, a failure while Sense runs, a
 * read that fails. */
#include <criterion/criterion.h>
#include <string.h>
#include "helpers.h"

#define DIR "C:|ProgramData|Microsoft|DefenderDeploymentTool"
/* Windows 11, Sense `sense`, host `host`, more files. */
#define DEVICE(sense, host, files, rest)                                                           \
	"{'hostname': '" host "',"                                                                 \
	" 'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': "     \
	"'22631', 'EditionID': 'Enterprise'}},"                                                    \
	" 'services': {'WinDefend': {'state': 4}, 'DiagTrack': {'state': 4, 'start_type': "        \
	"2}" sense "},"                                                                            \
	" 'files': {'C:|Windows|x.dll': {}" files "}" rest "}"
#define STOPPED ", 'Sense': {'state': 1, 'start_type': 2}"
#define RUNNING ", 'Sense': {'state': 4, 'start_type': 2}"
#define LOG(host, text) ", '" DIR "|DefenderDeploymentTool-" host ".log': {'content': '" text "'}"

Test(deploytool, no_folder_no_finding)
{
	struct run r;
	run_short(&r, DEVICE(STOPPED, "PC1", "", ""));
	cr_expect_eq(count_id(&r, "onboarding.deployment-tool"), 0);
	run_free(&r);
}

Test(deploytool, a_folder_without_this_computers_log_is_clear)
{
	struct run r;
	run_short(&r, DEVICE(STOPPED, "PC1",
			     LOG("OTHER", "exit code: 500") LOG("THIRD", "exit code: 500"), ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "no-log");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_eq(ev_num(f, "logs_seen"), 2);
	run_free(&r);
}

Test(deploytool, the_last_exit_code_decides_and_the_host_names_first_label_picks_the_log)
{
	struct run r;
	run_short(&r,
		  DEVICE(STOPPED, "pc1.contoso.local",
			 LOG("PC1", "exit code: 0 [Success]\\nexit code = 400 DownloadFailed\\n")
				 LOG("OTHER", "exit code: 0"),
			 ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "failed");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "exit_code"), 400);
	cr_expect_str_eq(ev_str(f, "log_text"), "DownloadFailed");
	cr_expect(strstr(ev_str(f, "log"), "DefenderDeploymentTool-PC1.log") != NULL);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.deployment-tool");
	run_free(&r);
}

Test(deploytool, a_failure_while_sense_runs_is_a_warning)
{
	struct run r;
	run_short(&r, DEVICE(RUNNING, "PC1", LOG("PC1", "exit code: 200"), ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "failed");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "sense"), "RUNNING");
	run_free(&r);
}

Test(deploytool, a_restart_pending_is_the_cause_while_sense_does_not_run)
{
	struct run r;
	run_short(&r,
		  DEVICE(STOPPED, "PC1",
			 LOG("PC1", "Microsoft Defender deployment tool completed, exit code: 10"),
			 ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "reboot-pending");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.deployment-tool");
	run_free(&r);
}

Test(deploytool, codes_about_the_tool_itself_are_warnings_and_unknown_codes_undetermined)
{
	struct run r;
	run_short(&r, DEVICE(STOPPED, "PC1", LOG("PC1", "exit code: 6"), ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "other");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_eq(dx_outcome(f), DX_FOUND);
	run_free(&r);
	run_short(&r, DEVICE(STOPPED, "PC1", LOG("PC1", "exit code: 4242"), ""));
	f = finding(&r, "onboarding.deployment-tool", "unknown-code");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "meaning"), "not in Microsoft's table");
	run_free(&r);
}

Test(deploytool, a_log_without_an_exit_code_is_not_determined_and_shows_its_last_line)
{
	struct run r;
	run_short(&r, DEVICE(STOPPED, "PC1",
			     LOG("PC1",
				 "Checking prerequisites\\r\\nDownloading components\\r\\n\\r\\n"),
			     ""));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "no-exit-code");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "last_line"), "Downloading components");
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(deploytool, a_denied_read_is_not_determined)
{
	struct run r;
	run_short(&r, DEVICE(STOPPED, "PC1", LOG("PC1", "exit code: 0"),
			     ", 'faults': [{'primitive': 'file_tail', 'target': '*', 'error': "
			     "'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "onboarding.deployment-tool", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_neq(strlen(ev_str(f, "read")), 0);
	run_free(&r);
}
