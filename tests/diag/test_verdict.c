/* test_verdict.c - asr.psexec-block, reonboard.plan and the verdict. */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

Test(asr, block_mode_is_a_warning_sz_or_dword)
{
	const char *forms[] = {"'1'", "1"};
	for (int i = 0; i < 2; i++) {
		char fx[512];
		struct run r;
		snprintf(fx, sizeof fx, "{'registry': {'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender|Windows Defender Exploit Guard|ASR|Rules':"
			 " {'d1e49aac-8f56-4280-b9ba-993a6d77406c': %s}}}", forms[i]);
		run_short(&r, fx);
		const struct dx_finding *f = finding(&r, "asr.psexec-block", NULL);
		cr_assert_not_null(f);
		cr_expect_eq(f->severity, DX_SEV_WARNING);
		cr_expect_eq(ev_num(f, "action"), 1);
		cr_expect_str_eq(ev_str(f, "rule"), "d1e49aac-8f56-4280-b9ba-993a6d77406c");
		run_free(&r);
	}
}

Test(asr, audit_mode_is_fine)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender|Windows Defender Exploit Guard|ASR|Rules':"
		      " {'D1E49AAC-8F56-4280-B9BA-993A6D77406C': '2'}}}");
	cr_expect_null(finding(&r, "asr.psexec-block", NULL));
	run_free(&r);
}

Test(reonboard, plan_only_when_nothing_is_wrong_with_real_paths)
{
	struct run r;
	run_device(&r, "asr-psexec-block");
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_str_eq(ev_str(f, "cyber_folder"), "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "senseGuid"), "present");
	cr_expect_str_eq(ev_str(f, "identity_key"), "absent");
	cr_expect_str_eq(ev_str(f, "onboarding_method"), "script-gpo-mecm");
	cr_expect_str_eq(ev_str(f, "cmd_delete_files"),
			 "del /q \"C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber\\*.*\"");
	cr_expect_str_eq(ev_str(f, "cmd_delete_key"),
			 "reg delete \"HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\48A68F11-7A16-4180-B32C-7F974C7BD783\" /f");
	cr_expect(strstr(ev_str(f, "cmd_delete_values"), "/v senseGuid /f") != NULL);
	cr_expect(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(f->evidence, "executed")));
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	run_free(&r);

	run_device(&r, "sense-stopped-event30");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(reonboard, program_data_is_read_from_the_device)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': {'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': 'D:|PD'}}}}");
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	if (f) /* this device has errors (no Sense): no plan, nothing to check */
		cr_expect_str_eq(ev_str(f, "cyber_folder"), "D:\\PD\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	run_free(&r);
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': '22631', 'EditionID': 'Enterprise'},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': {'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': 'D:|PD'}},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': {'OnboardingState': 1}},"
		      " 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}},"
		      " 'files': {'C:|Program Files|Windows Defender Advanced Threat Protection|MsSense.exe': {'version': '10.8760.1.1'}}}");
	f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "cyber_folder"), "D:\\PD\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	run_free(&r);
}

/* A healthy device whose ProfileList and CurrentVersion are given by `extra`. */
#define HEALTHY_WITH(extra) \
	"{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': '22631', 'EditionID': 'Enterprise'" extra "}," \
	" 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': {'OnboardingState': 1}," \
	" 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': {'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': '%SystemDrive%|ProgramData'}}}," \
	" 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}}," \
	" 'files': {'C:|Program Files|Windows Defender Advanced Threat Protection|MsSense.exe': {'version': '10.8760.1.1'}," \
	"           'E:|ProgramData|Microsoft|Windows Defender Advanced Threat Protection|Cyber|a.bin': {}," \
	"           'C:|ProgramData|Microsoft|Windows Defender Advanced Threat Protection|Cyber': {'type': 'dir'}}}"

/* Windows stores ProfileList\ProgramData as REG_EXPAND_SZ
 * "%SystemDrive%\ProgramData" (RegQueryValueEx does not expand it): the
 * plan must name the real folder and find it, never print %SystemDrive%. */
Test(reonboard, program_data_expand_sz_with_system_drive)
{
	struct run r;
	run_short(&r, HEALTHY_WITH(", 'SystemRoot': 'E:|WINDOWS'"));
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "cyber_folder"), "E:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, not empty");
	cr_expect(strchr(ev_str(f, "cmd_delete_files"), '%') == NULL, "%s", ev_str(f, "cmd_delete_files"));
	run_free(&r);
	/* no SystemRoot value: Windows' default drive C: */
	run_short(&r, HEALTHY_WITH(""));
	f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "cyber_folder"), "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, empty");
	run_free(&r);
}

/* healthy-win11 has ProfileList and SystemRoot as Windows stores them. */
Test(reonboard, healthy_device_with_windows_profile_list)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "cyber_folder"), "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, empty");
	run_free(&r);
}

/* Substituted values are expanded again, a bounded number of times: a
 * value that names itself ends, and an unknown variable stays as it is. */
Test(reonboard, expansion_is_recursive_and_bounded)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'SystemRoot': '%SystemDrive%|W'},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': {'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': '%SystemRoot%|PD|%ProgramData%|%NoSuchVar%'}}}}");
	char out[600];
	dx_expand_path(&r.c, "%ProgramData%\\x", out, sizeof out);
	cr_expect(strlen(out) < sizeof out - 1);
	cr_expect(strncmp(out, "C:\\W\\PD\\", 8) == 0, "%s", out);
	cr_expect(strstr(out, "%NoSuchVar%") != NULL, "%s", out);
	cr_expect(strstr(out, "\\x") != NULL, "%s", out); /* it ended */
	run_free(&r);
}

Test(verdict, first_error_in_article_order)
{
	/* Home edition + Sense stopped + MDAV disabled: the edition comes first */
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': '22631', 'EditionID': 'Core'},"
		      " 'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender': {'DisableAntiVirus': 1}},"
		      " 'services': {'Sense': {'state': 1}, 'WinDefend': {'state': 1}}}");
	cr_expect_str_eq(verdict_cause(&r), "os.home-edition");
	const struct dx_finding *v = finding(&r, "verdict", NULL);
	cr_expect_eq(v->severity, DX_SEV_ERROR);
	cr_expect_geq(ev_num(v, "errors"), 3);
	/* the findings are sorted in article order, verdict last */
	cr_expect_str_eq(r.c.findings.items[r.c.findings.count - 1].id, "verdict");
	for (size_t i = 1; i < r.c.findings.count; i++)
		cr_expect_leq(r.c.findings.items[i - 1].order, r.c.findings.items[i].order);
	run_free(&r);
}

Test(verdict, the_check_table_names_every_spec_id_once)
{
	for (size_t i = 0; i < dx_check_table_len; i++)
		for (size_t k = i + 1; k < dx_check_table_len; k++)
			cr_expect_str_neq(dx_check_table[i].id, dx_check_table[k].id);
	cr_expect_lt(dx_check_order("os.home-edition"), dx_check_order("sense.stopped"));
	cr_expect_lt(dx_check_order("onboarding.event"), dx_check_order("sense.stopped"));
	cr_expect_lt(dx_check_order("sense.missing.win11-capability"), dx_check_order("sense.missing"));
	cr_expect_lt(dx_check_order("sense.stopped"), dx_check_order("mdav.disabled-by-policy"));
	cr_expect_lt(dx_check_order("mdav.disabled-by-policy"), dx_check_order("agent.sense-version"));
	cr_expect_eq(dx_check_order("verdict"), (int)dx_check_table_len - 1);
}
