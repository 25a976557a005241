/* test_mdav_agent.c - article section 4: mdav.*, agent.* */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

Test(mdav, running_is_info)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "mdav.running", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "state_name"), "RUNNING");
	run_free(&r);
}

Test(mdav, disabled_by_each_policy_value_names_the_gpo)
{
	const char *names[] = {"mdav-disableantispyware", "mdav-disableantivirus"};
	const char *values[] = {"DisableAntiSpyware", "DisableAntiVirus"};
	for (int i = 0; i < 2; i++) {
		struct run r;
		run_device(&r, names[i]);
		const struct dx_finding *f = finding(&r, "mdav.disabled-by-policy", NULL);
		cr_assert_not_null(f, "%s", names[i]);
		cr_expect_eq(f->severity, DX_SEV_ERROR);
		cr_expect_eq(ev_num(f, values[i]), 1);
		cr_expect_str_eq(ev_str(f, "registry"),
				 "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender");
		cr_expect(strstr(ev_str(f, "gpo"), "Turn off Microsoft Defender Antivirus") !=
			  NULL);
		cr_expect_str_eq(ev_str(f, "state_name"), "STOPPED");
		cr_expect_null(finding(&r, "mdav.stopped", NULL), "the policy explains the stop");
		cr_expect_str_eq(verdict_cause(&r), "mdav.disabled-by-policy");
		run_free(&r);
	}
}

Test(mdav, policy_value_zero_is_not_disabling)
{
	struct run r;
	run_short(&r, "{'services': {'WinDefend': {'state': 4}}, 'registry': "
		      "{'HKLM|SOFTWARE|Policies|Microsoft|Windows Defender': "
		      "{'DisableAntiSpyware': 0}}}");
	cr_expect_null(finding(&r, "mdav.disabled-by-policy", NULL));
	cr_expect_not_null(finding(&r, "mdav.running", NULL));
	run_free(&r);
}

Test(mdav, stopped_without_policy_and_missing_service)
{
	struct run r;
	run_device(&r, "mdav-stopped");
	cr_assert_not_null(finding(&r, "mdav.stopped", NULL));
	cr_expect_str_eq(verdict_cause(&r), "mdav.stopped");
	run_free(&r);

	run_short(&r, "{'services': {'Sense': {'state': 4}}}");
	const struct dx_finding *f = finding(&r, "mdav.stopped", "missing");
	cr_assert_not_null(f);
	cr_expect(strstr(ev_str(f, "query"), "1060") != NULL, "%s", ev_str(f, "query"));
	run_free(&r);
}

Test(agent, sense_10_8400_is_too_old)
{
	struct run r;
	run_device(&r, "sense-10.8400");
	const struct dx_finding *f = finding(&r, "agent.sense-version", "old");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "version"), "10.8400.19041.1949");
	cr_expect_str_eq(ev_str(f, "minimum"), "10.8500");
	cr_expect_str_eq(
		ev_str(f, "file"),
		"C:\\Program Files\\Windows Defender Advanced Threat Protection\\MsSense.exe");
	cr_expect_str_eq(verdict_cause(&r), "agent.sense-version");
	run_free(&r);
}

Test(agent, current_versions_are_info)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "agent.sense-version", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	f = finding(&r, "agent.mdav-platform", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_str_eq(ev_str(f, "version"), "4.18.25100.9002");
	f = finding(&r, "agent.signatures", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_null(finding(&r, "agent.kb5005292", NULL));
	run_free(&r);
}

Test(agent, outdated_platform_and_signatures_are_warnings)
{
	struct run r;
	run_device(&r, "mdav-outdated");
	const struct dx_finding *f = finding(&r, "agent.mdav-platform", "old");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "version"), "4.18.23110.3");
	cr_expect_str_eq(ev_str(f, "kb"), "KB4052623");
	f = finding(&r, "agent.signatures", "old");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "AVSignatureVersion"), "1.401.1166.0");
	cr_expect_str_eq(ev_str(f, "kb"), "KB2267602");
	run_free(&r);
}

Test(agent, inbox_platform_version_comes_from_msmpeng)
{
	struct run r;
	run_short(&r, "{'services': {'WinDefend': {'state': 4, 'image_path': '\\'C:|Program "
		      "Files|Windows Defender|MsMpEng.exe\\''}},"
		      " 'files': {'C:|Program Files|Windows Defender|MsMpEng.exe': {'version': "
		      "'4.18.1909.6'}}}");
	const struct dx_finding *f = finding(&r, "agent.mdav-platform", "old");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "version"), "4.18.1909.6");
	run_free(&r);
}

Test(agent, unified_agent_on_2016_uses_install_location_and_needs_kb5005292)
{
	struct run r;
	run_device(&r, "server2016-unified-agent");
	const struct dx_finding *f = finding(&r, "agent.sense-version", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "version"), "10.8760.25090.1000");
	/* the sensor update's version folder is there: installed */
	f = finding(&r, "agent.kb5005292", "installed");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_eq(ev_num(f, "build"), 14393);
	cr_expect_str_eq(ev_str(f, "sensor_version"), "10.8760.25090.1000");
	run_free(&r);
}

Test(agent, kb5005292_warns_only_when_the_sensor_update_is_missing)
{
	struct run r;
	run_device(&r, "server2016-no-kb5005292");
	const struct dx_finding *f = finding(&r, "agent.kb5005292", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->variant, "");
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "seen"), "folder absent");
	cr_expect_str_eq(ev_str(f, "platform_folder"),
			 "C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat "
			 "Protection\\Platform");
	run_free(&r);
	/* a denied listing is not a missing update */
	run_short(
		&r,
		"{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		"{'CurrentBuild': '14393', 'InstallationType': 'Server'}},"
		" 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}},"
		" 'faults': [{'primitive': 'dir_list', 'target': 'C:|ProgramData|Microsoft|Windows "
		"Defender Advanced Threat Protection|Platform', 'error': 'access-denied'}]}");
	f = finding(&r, "agent.kb5005292", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(f->reason, "access-denied");
	run_free(&r);
	/* not on Server 2019 */
	run_short(&r, "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'CurrentBuild': '17763', 'InstallationType': 'Server'}},"
		      " 'services': {'Sense': {'state': 4}, 'WinDefend': {'state': 4}}}");
	cr_expect_null(finding(&r, "agent.kb5005292", NULL));
	run_free(&r);
}

Test(agent, unreadable_sense_version_is_a_warning)
{
	struct run r;
	run_short(&r, "{'services': {'Sense': {'state': 4}}}");
	const struct dx_finding *f = finding(&r, "agent.sense-version", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "found_by"), "default location");
	run_free(&r);
}

Test(agent, version_compare)
{
	cr_expect_lt(dx_vercmp("10.8400.19041.1949", "10.8500"), 0);
	cr_expect_eq(dx_vercmp("10.8500", "10.8500.0.0"), 0);
	cr_expect_gt(dx_vercmp("10.8760.1.2", "10.8500"), 0);
	cr_expect_gt(dx_vercmp("4.18.25100.9002", "4.18.25090.3009"), 0);
	cr_expect_lt(dx_vercmp("1.9", "1.10"), 0);
}

Test(mdav, passive_mode_and_tamper_protection_are_facts_with_evidence)
{
	struct run r;
	run_short(&r,
		  "{'services': {'WinDefend': {'state': 4}}, 'registry': {"
		  "'HKLM|SOFTWARE|Policies|Microsoft|Windows Advanced Threat Protection': "
		  "{'ForceDefenderPassiveMode': 1},"
		  "'HKLM|SOFTWARE|Microsoft|Windows Defender': {'PassiveMode': 1},"
		  "'HKLM|SOFTWARE|Microsoft|Windows Defender|Features': {'TamperProtection': 4}}}");
	cr_expect_str_eq(r.c.facts.mdav_mode, "passive (forced)");
	cr_expect_str_eq(r.c.facts.tamper_protection, "off");
	const struct dx_finding *f = finding(&r, "mdav.running", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "ForceDefenderPassiveMode"), 1);
	cr_expect_eq(ev_num(f, "TamperProtection"), 4);
	run_free(&r);
}

/* ---- streamlined connectivity prerequisites ------------------------------ */

/* A streamlined device (partnerGeoLocation GW_US) on build `build`.`ubr`
 * whose engine is `engine` (NULL: no value). */
static void run_streamlined(struct run *r, const char *build, const char *ubr, const char *engine)
{
	char text[4096];
	snprintf(text, sizeof text,
		 "{'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		 "{'CurrentBuild': '%s', 'UBR': %s, 'EditionID': 'Enterprise'},"
		 " 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection': {'OnboardedInfo': "
		 "'{\\'body\\':\\'{\\\\\\'partnerGeoLocation\\\\\\':\\\\\\'GW_US\\\\\\',\\\\\\'"
		 "vortexGeoLocation\\\\\\':\\\\\\'US\\\\\\'}\\'}'},"
		 " 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "
		 "{'OnboardingState': 1},"
		 " 'HKLM|SOFTWARE|Microsoft|Windows Defender|Signature Updates': "
		 "{'AVSignatureVersion': '1.443.1.0'%s%s%s}},"
		 " 'services': {'Sense': {'state': 4}, 'DiagTrack': {'state': 4, 'start_type': 2},"
		 "  'WinDefend': {'state': 4, 'image_path': 'C:|ProgramData|Microsoft|Windows "
		 "Defender|Platform|4.18.25100.9002-0|MsMpEng.exe'}},"
		 " 'files': {'C:|Program Files|Windows Defender Advanced Threat "
		 "Protection|MsSense.exe': {'version': '10.8760.1.1'}}}",
		 build, ubr, engine ? ", 'EngineVersion': '" : "", engine ? engine : "",
		 engine ? "'" : "");
	run_short(r, text);
}

Test(streamlined, prerequisites_met_on_a_current_device)
{
	struct run r;
	run_streamlined(&r, "22631", "4460", "1.1.25100.2");
	const struct dx_finding *f = finding(&r, "agent.streamlined-prerequisites", NULL);
	cr_assert_not_null(f, "not a streamlined device? net.mode: %s",
			   finding(&r, "net.mode", NULL) ? finding(&r, "net.mode", NULL)->variant
							 : "none");
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_str_eq(ev_str(f, "os"), "met");
	run_free(&r);
}

Test(streamlined, os_below_the_march_2022_kb)
{
	struct run r;
	run_streamlined(&r, "17763", "2685", "1.1.25100.2");
	const struct dx_finding *f = finding(&r, "agent.streamlined-prerequisites", "below");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "os_kb"), "KB5011503");
	cr_expect_str_eq(ev_str(f, "os_minimum"), "17763.2686");
	cr_expect_str_eq(ev_str(f, "below_minimum"), "os");
	run_free(&r);
	run_streamlined(&r, "17763", "2686", "1.1.25100.2");
	cr_expect_not_null(finding(&r, "agent.streamlined-prerequisites", NULL));
	cr_expect_null(finding(&r, "agent.streamlined-prerequisites", "below"),
		       "the KB's own build meets it");
	run_free(&r);
}

Test(streamlined, kb_without_a_build_is_shown_not_compared)
{
	struct run r;
	run_streamlined(&r, "19045", "1000", "1.1.25100.2");
	const struct dx_finding *f = finding(&r, "agent.streamlined-prerequisites", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_str_eq(ev_str(f, "os"), "not-compared");
	cr_expect_str_eq(ev_str(f, "os_kb"), "KB5020953");
	run_free(&r);
}

Test(streamlined, engine_unreadable_is_undetermined)
{
	struct run r;
	run_streamlined(&r, "22631", "4460", NULL);
	const struct dx_finding *f = finding(&r, "agent.streamlined-prerequisites", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "unknown"), "engine");
	run_free(&r);
	/* a standard device is not asked */
	run_short(&r, "{'services': {'Sense': {'state': 4}}}");
	cr_expect_null(finding(&r, "agent.streamlined-prerequisites", NULL));
	run_free(&r);
}
