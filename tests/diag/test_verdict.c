/* test_verdict.c - asr.psexec-block, reonboard.plan and the verdict. */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "catalog.h"
#include "report.h"
#include "helpers.h"

Test(asr, block_mode_is_a_warning_sz_or_dword)
{
	const char *forms[] = {"'1'", "1"};
	for (int i = 0; i < 2; i++) {
		char fx[512];
		struct run r;
		snprintf(fx, sizeof fx,
			 "{'registry': {'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender|Windows "
			 "Defender Exploit Guard|ASR|Rules':"
			 " {'d1e49aac-8f56-4280-b9ba-993a6d77406c': %s}}}",
			 forms[i]);
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
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender|Windows "
		      "Defender Exploit Guard|ASR|Rules':"
		      " {'D1E49AAC-8F56-4280-B9BA-993A6D77406C': '2'}}}");
	cr_expect_null(finding(&r, "asr.psexec-block", NULL));
	run_free(&r);
}

Test(reonboard, plan_only_when_nothing_is_wrong_with_real_paths)
{
	struct run r;
	run_device(&r, "asr-psexec-block");
	cr_expect_null(finding(&r, "reonboard.plan", NULL)); /* network not tested */
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_str_eq(
		ev_str(f, "cyber_folder"),
		"C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "senseGuid"), "present");
	cr_expect_str_eq(ev_str(f, "identity_key"), "absent");
	cr_expect_str_eq(ev_str(f, "onboarding_method"), "script-gpo-mecm");
	/* one command a step, the same in cmd and PowerShell 5.1, and only
	 * for what exists: the identity key and the anti-spoofing value are
	 * absent here, so nothing deletes them (issue 21) */
	const cJSON *files = cJSON_GetObjectItemCaseSensitive(f->evidence, "cmd_delete_files");
	const cJSON *values = cJSON_GetObjectItemCaseSensitive(f->evidence, "cmd_delete_values");
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(f->evidence, "cmd_delete_key");
	cr_assert(cJSON_IsArray(files) && cJSON_IsArray(values) && cJSON_IsArray(key));
	cr_expect_str_eq(ev_str(f, "anti_spoofing_value"), "absent");
	cr_expect_eq(cJSON_GetArraySize(key), 0, "deletes the absent identity key");
	cr_assert_eq(cJSON_GetArraySize(values), 1, "deletes the absent anti-spoofing value");
	cr_expect_str_eq(cJSON_GetArrayItem(values, 0)->valuestring,
			 "reg.exe delete \"HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat "
			 "Protection\" /v senseGuid /f");
	if (strcmp(ev_str(f, "cyber_folder_state"), "present, not empty") == 0) {
		cr_assert_eq(cJSON_GetArraySize(files), 1);
		cr_expect_str_eq(cJSON_GetArrayItem(files, 0)->valuestring,
				 "cmd.exe /c del /q \"C:\\ProgramData\\Microsoft\\Windows Defender "
				 "Advanced Threat Protection\\Cyber\\*.*\"");
	} else {
		cr_expect_eq(cJSON_GetArraySize(files), 0, "%s", ev_str(f, "cyber_folder_state"));
	}
	for (const cJSON *m = f->evidence->child; m; m = m->next)
		if (strncmp(m->string, "cmd_", 4) == 0)
			for (const cJSON *x = cJSON_IsArray(m) ? m->child : m; x;
			     x = cJSON_IsArray(m) ? x->next : NULL)
				cr_expect(!strchr(x->valuestring, '&'), "%s chains commands: %s",
					  m->string, x->valuestring);
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
	run_short(&r,
		  "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': "
		  "{'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': 'D:|PD'}}}}");
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	if (f) /* this device has errors (no Sense): no plan, nothing to check */
		cr_expect_str_eq(
			ev_str(f, "cyber_folder"),
			"D:\\PD\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	run_free(&r);
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'CurrentBuild': '22631', 'EditionID': 'Enterprise'},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': "
		      "{'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': 'D:|PD'}},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "
		      "{'OnboardingState': 1}},"
		      " 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}, "
		      "'DiagTrack': {'state': 4, 'start_type': 2}},"
		      " 'files': {'C:|Program Files|Windows Defender Advanced Threat "
		      "Protection|MsSense.exe': {'version': '10.8760.1.1'}}}");
	rerun_as_if_network_ok(&r);
	f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "cyber_folder"),
			 "D:\\PD\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	run_free(&r);
}

/* A healthy device whose ProfileList and CurrentVersion are given by `extra`. */
#define HEALTHY_WITH(extra)                                                                        \
	"{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': "     \
	"'22631', 'EditionID': 'Enterprise'" extra "},"                                            \
	" 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "                   \
	"{'OnboardingState': 1},"                                                                  \
	" 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': {'ProgramData': "       \
	"{'type': 'REG_EXPAND_SZ', 'data': '%SystemDrive%|ProgramData'}}},"                        \
	" 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}, 'DiagTrack': {'state': "  \
	"4, 'start_type': 2}},"                                                                    \
	" 'files': {'C:|Program Files|Windows Defender Advanced Threat Protection|MsSense.exe': "  \
	"{'version': '10.8760.1.1'},"                                                              \
	"           'E:|ProgramData|Microsoft|Windows Defender Advanced Threat "                   \
	"Protection|Cyber|a.bin': {},"                                                             \
	"           'C:|ProgramData|Microsoft|Windows Defender Advanced Threat "                   \
	"Protection|Cyber': {'type': 'dir'}}}"

/* Windows stores ProfileList\ProgramData as REG_EXPAND_SZ
 * "%SystemDrive%\ProgramData" (RegQueryValueEx does not expand it): the
 * plan must name the real folder and find it, never print %SystemDrive%. */
Test(reonboard, program_data_expand_sz_with_system_drive)
{
	struct run r;
	run_short(&r, HEALTHY_WITH(", 'SystemRoot': 'E:|WINDOWS'"));
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(
		ev_str(f, "cyber_folder"),
		"E:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, not empty");
	cr_expect(strchr(ev_str(f, "cmd_delete_files"), '%') == NULL, "%s",
		  ev_str(f, "cmd_delete_files"));
	run_free(&r);
	/* no SystemRoot value: Windows' default drive C: */
	run_short(&r, HEALTHY_WITH(""));
	rerun_as_if_network_ok(&r);
	f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(
		ev_str(f, "cyber_folder"),
		"C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, empty");
	run_free(&r);
}

/* healthy-win11 has ProfileList and SystemRoot as Windows stores them. */
Test(reonboard, healthy_device_with_windows_profile_list)
{
	struct run r;
	run_device(&r, "healthy-win11");
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "reonboard.plan", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(
		ev_str(f, "cyber_folder"),
		"C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber");
	cr_expect_str_eq(ev_str(f, "cyber_folder_state"), "present, empty");
	run_free(&r);
}

/* Substituted values are expanded again, a bounded number of times: a
 * value that names itself ends, and an unknown variable stays as it is. */
Test(reonboard, expansion_is_recursive_and_bounded)
{
	struct run r;
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'SystemRoot': '%SystemDrive%|W'},"
		      " 'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': "
		      "{'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': "
		      "'%SystemRoot%|PD|%ProgramData%|%NoSuchVar%'}}}}");
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
	run_short(&r,
		  "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		  "{'CurrentBuild': '22631', 'EditionID': 'Core'},"
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
	cr_expect_lt(dx_check_order("sense.missing.win11-capability"),
		     dx_check_order("sense.missing"));
	cr_expect_lt(dx_check_order("sense.stopped"), dx_check_order("mdav.disabled-by-policy"));
	cr_expect_lt(dx_check_order("mdav.disabled-by-policy"),
		     dx_check_order("agent.sense-version"));
	cr_expect_eq(dx_check_order("verdict"), (int)dx_check_table_len - 1);
}

/* ---- the verdict rules (docs/verdict.md), one by one ---------------------- */

static const char *rule_of(const struct run *r)
{
	return ev_str(finding(r, "verdict", NULL), "rule");
}

Test(verdict, rule1_out_of_scope_os_gets_the_other_procedure_not_sense_repair)
{
	const char *devices[] = {"win7-sp1", "win81", "server2008r2", "server2012r2"};
	for (size_t i = 0; i < sizeof devices / sizeof devices[0]; i++) {
		struct run r;
		run_device(&r, devices[i]);
		cr_expect_str_eq(verdict_cause(&r), "os.out-of-scope", "%s", devices[i]);
		cr_expect_str_eq(rule_of(&r), "cause-found", "%s", devices[i]);
		const struct dx_finding *m = finding(&r, "sense.missing", NULL);
		cr_assert_not_null(m, "%s", devices[i]);
		cr_expect_str_eq(m->variant, "out-of-scope", "%s", devices[i]);
		cr_expect_eq(m->severity, DX_SEV_INFO, "%s", devices[i]);
		cr_expect_null(finding(&r, "sense.missing.other", NULL), "%s", devices[i]);
		cr_expect_null(finding(&r, "sense.missing.server2016-agent", NULL), "%s",
			       devices[i]);
		cr_expect_null(finding(&r, "sense.missing.win11-capability", NULL), "%s",
			       devices[i]);
		cr_expect_null(finding(&r, "reonboard.plan", NULL), "%s", devices[i]);
		run_free(&r);
	}
}

Test(verdict, rule2_sense_pending_is_the_cause_not_the_plan)
{
	struct run r;
	run_device(&r, "sense-start-pending-1607");
	cr_expect_str_eq(verdict_cause(&r), "sense.pending");
	cr_expect_str_eq(rule_of(&r), "sense-not-running");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "sense.pending");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(verdict, rule3_unreadable_sense_names_it_and_withholds_the_plan)
{
	struct run r;
	run_device(&r, "fault-sense-query-denied");
	cr_expect_str_eq(verdict_cause(&r), "sense.unknown");
	cr_expect_str_eq(rule_of(&r), "not-determined");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	/* every undetermined check is listed with its reason */
	const cJSON *nd =
		cJSON_GetObjectItem(finding(&r, "verdict", NULL)->evidence, "not_determined");
	cr_assert_eq(cJSON_GetArraySize(nd), 2);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(nd, 0), "id")->valuestring,
			 "sense.unknown");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(nd, 0), "reason")->valuestring,
			 "access-denied");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(nd, 1), "id")->valuestring,
			 "net.not-tested");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(nd, 1), "reason")->valuestring,
			 "network-not-tested");
	/* even with connectivity tested, the unread Sense state blocks the plan */
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "sense.unknown");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(verdict, rule3_no_network_says_connectivity_was_not_tested)
{
	struct run r;
	run_device(&r, "healthy-win11");
	cr_expect_str_eq(verdict_cause(&r), "net.not-tested");
	cr_expect_str_eq(rule_of(&r), "not-determined");
	const struct dx_finding *f = finding(&r, "net.not-tested", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->reason, "network-not-tested");
	cr_expect_str_eq(ev_str(f, "option"), "--no-network");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	/* net.mode must not claim lists were probed */
	cr_expect_null(finding(&r, "net.edr-cnc", NULL));
	run_free(&r);
}

Test(verdict, rule3_unknown_os_gives_no_sense_missing_advice)
{
	struct run r;
	run_device(&r, "os-facts-missing-sense-missing");
	cr_expect_str_eq(verdict_cause(&r), "os.unknown");
	cr_expect_str_eq(rule_of(&r), "not-determined");
	const struct dx_finding *m = finding(&r, "sense.missing", "os-unknown");
	cr_assert_not_null(m);
	cr_expect_eq(dx_outcome(m), DX_UNDETERMINED);
	cr_expect_neq(m->severity, DX_SEV_ERROR);
	cr_expect_null(finding(&r, "sense.missing.other", NULL));
	cr_expect_null(finding(&r, "sense.missing.server2016-agent", NULL));
	cr_expect_null(finding(&r, "sense.missing.win11-capability", NULL));
	run_free(&r);
	/* an empty fixture: the same, and no header-only build */
	run_text(&r, "{}");
	cr_expect_null(finding(&r, "sense.missing.other", NULL));
	cr_expect_not_null(finding(&r, "sense.missing", "os-unknown"));
	cr_expect_not_null(finding(&r, "os.unknown", NULL));
	run_free(&r);
}

Test(verdict, rule3_not_elevated_is_the_reason_for_denied_reads)
{
	struct run r;
	run_device(&r, "fault-sense-query-denied");
	r.c.facts.elevated = 0;
	cr_expect_str_eq(dx_reason_of(&r.c, DX_ACCESS_DENIED), "not-elevated");
	r.c.facts.elevated = 1;
	cr_expect_str_eq(dx_reason_of(&r.c, DX_ACCESS_DENIED), "access-denied");
	cr_expect_str_eq(dx_reason_of(&r.c, DX_TRANSIENT), "transient");
	cr_expect_str_eq(dx_reason_of(&r.c, DX_TIMEOUT), "transient");
	cr_expect_str_eq(dx_reason_of(&r.c, DX_NOT_FOUND), "facts-missing");
	run_free(&r);
}

Test(verdict, rule4_plan_only_when_everything_ran_and_nothing_explains)
{
	struct run r;
	run_device(&r, "healthy-win11");
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	cr_expect_str_eq(rule_of(&r), "nothing-found");
	cr_expect_not_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
	/* a warning-level check left undetermined (signatures unreadable)
	 * cannot explain the missing device: the plan still stands */
	run_short(
		&r,
		"{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		"{'CurrentBuild': '22631', 'EditionID': 'Enterprise'},"
		" 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "
		"{'OnboardingState': 1}},"
		" 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}, 'DiagTrack': "
		"{'state': 4, 'start_type': 2}},"
		" 'files': {'C:|Program Files|Windows Defender Advanced Threat "
		"Protection|MsSense.exe': {'version': '10.8760.1.1'}},"
		" 'faults': [{'primitive': 'reg_read', 'target': 'HKLM|SOFTWARE|Microsoft|Windows "
		"Defender|Signature Updates|AVSignatureVersion', 'error': 'access-denied'}]}");
	rerun_as_if_network_ok(&r);
	const struct dx_finding *s = finding(&r, "agent.signatures", "unreadable");
	cr_assert_not_null(s);
	cr_expect_eq(dx_outcome(s), DX_UNDETERMINED);
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	run_free(&r);
}

Test(verdict, outcome_follows_severity_unless_undetermined)
{
	struct dx_findings l = {0};
	struct dx_finding *f = dx_add(&l, "sense.running", DX_SEV_INFO, NULL);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	f->severity = DX_SEV_ERROR; /* a check may raise it after adding */
	cr_expect_eq(dx_outcome(f), DX_FOUND);
	dx_undetermined(f, DX_REASON_TRANSIENT);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(dx_outcome_name(dx_outcome(f)), "undetermined");
	dx_findings_free(&l);
}

/* The process token comes from the platform: a fixture run without
 * elevation names that as the reason of every denied read, and the
 * verdict says so once. */
Test(verdict, not_elevated_fixture_end_to_end)
{
	struct run r;
	const char *fx =
		"{%s 'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		"{'CurrentBuild': '22631', 'EditionID': 'Enterprise'}},"
		" 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}, 'DiagTrack': "
		"{'state': 4, 'start_type': 2}},"
		" 'faults': [{'primitive': 'reg_read', 'target': 'HKLM|SOFTWARE|Microsoft|Windows "
		"Advanced Threat Protection|Status', 'error': 'access-denied'}]}";
	char text[1024];
	snprintf(text, sizeof text, fx, "'process': {'elevated': false},");
	run_short(&r, text);
	cr_expect_eq(r.c.facts.elevated, 0);
	const struct dx_finding *f = finding(&r, "onboarding.state", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->reason, "not-elevated");
	run_free(&r);
	snprintf(text, sizeof text, fx, "");
	run_short(&r, text);
	f = finding(&r, "onboarding.state", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->reason, "access-denied");
	run_free(&r);
}

Test(verdict, not_elevated_is_said_once_as_the_next_step)
{
	struct run r;
	struct dx_catalog en;
	char err[256];
	run_device(&r, "not-elevated-denied");
	cr_expect_eq(r.c.facts.elevated, 0);
	cr_expect_str_eq(finding(&r, "sense.unknown", NULL)->reason, "not-elevated");
	cr_expect_str_eq(finding(&r, "onboarding.state", "unreadable")->reason, "not-elevated");
	cr_assert_eq(dx_catalog_load(&en, "en", err, sizeof err), 0);
	struct dx_report_meta meta = {"fake", "not-elevated-denied", 0};
	cJSON *m = dx_report_model(&r.c, &en, &meta);
	const cJSON *v = cJSON_GetObjectItem(m, "verdict");
	const cJSON *groups = cJSON_GetObjectItem(v, "to_check");
	cr_assert_eq(cJSON_GetArraySize(groups), 2);
	const cJSON *g0 = cJSON_GetArrayItem(groups, 0);
	cr_expect_str_eq(cJSON_GetObjectItem(g0, "reason")->valuestring, "not-elevated");
	cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(g0, "ids")), 2);
	cr_expect_str_eq(cJSON_GetObjectItem(v, "next_step")->valuestring,
			 cJSON_GetObjectItem(g0, "how")->valuestring);
	cr_expect(strstr(cJSON_GetObjectItem(v, "next_step")->valuestring, "elevated") != NULL);
	cJSON_Delete(m);
	dx_catalog_free(&en);
	run_free(&r);
}
