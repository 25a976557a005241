/* test_onboarding.c - article section 2: onboarding.* */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

static const unsigned ids[] = {5, 10, 15, 30, 35, 40, 65, 70};

Test(onboarding, each_wdatponboarding_error_is_its_own_finding)
{
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
		char name[64], variant[8];
		struct run r;
		snprintf(name, sizeof name, "sense-stopped-event%u", ids[i]);
		snprintf(variant, sizeof variant, "%u", ids[i]);
		run_device(&r, name);
		const struct dx_finding *f = finding(&r, "onboarding.event", variant);
		cr_assert_not_null(f, "%s: no onboarding.event/%s", name, variant);
		cr_expect_eq(f->severity, DX_SEV_ERROR);
		cr_expect_eq(ev_num(f, "event_id"), ids[i]);
		cr_expect_str_eq(ev_str(f, "source"), "WDATPOnboarding");
		cr_expect_str_eq(ev_str(f, "log"), "Application");
		cr_expect_str_eq(ev_str(f, "last_seen"), "2026-11-19T14:02:11Z");
		cr_expect_str_eq(verdict_cause(&r), "onboarding.event", "%s", name);
		cr_expect_eq(count_id(&r, "onboarding.event"), 1,
			     "the information event 20 is not an error");
		run_free(&r);
	}
}

Test(onboarding, event15_message_and_sense_log_are_evidence)
{
	struct run r;
	run_device(&r, "sense-stopped-event15");
	const struct dx_finding *f = finding(&r, "onboarding.event", "15");
	cr_assert_not_null(f);
	cr_expect(strstr(ev_str(f, "message"), "577") != NULL);
	/* Sense's own event 3 is its own finding now (check_senselog.c),
	 * ranked after the onboarding script's event that explains it */
	const struct dx_finding *s = finding(&r, "sense.log.service", "3");
	cr_assert_not_null(s);
	cr_expect_eq(s->severity, DX_SEV_ERROR);
	cr_expect(strstr(ev_str(s, "message"), "0x80070005") != NULL, "%s", ev_str(s, "message"));
	cr_expect_str_eq(verdict_cause(&r), "onboarding.event");
	run_free(&r);
}

/* Level 0 is win:LogAlways, not a severity: such an event is no
 * onboarding error (it was counted as one, being below "warning"). */
Test(onboarding, level_zero_events_are_not_errors)
{
	struct run r;
	run_short(
		&r,
		"{'clock': '2026-11-20T00:00:00Z', 'services': {'Sense': {'state': 1}}, 'events': ["
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 40, 'level': "
		"'log-always', 'time': '2026-11-18T00:00:00Z', 'message': 'always'},"
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 5, 'level': 0, "
		"'time': '2026-11-18T00:00:00Z', 'message': 'zero'},"
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 15, 'level': 'error', "
		"'time': '2026-11-18T00:00:00Z', 'message': 'real'}]}");
	cr_expect_null(finding(&r, "onboarding.event", "40"));
	cr_expect_null(finding(&r, "onboarding.event", "5"));
	cr_expect_not_null(finding(&r, "onboarding.event", "15"));
	cr_expect_eq(count_id(&r, "onboarding.event"), 1);
	run_free(&r);
}

Test(onboarding, repeated_events_are_counted_newest_kept)
{
	struct run r;
	run_short(
		&r,
		"{'clock': '2026-11-20T00:00:00Z', 'services': {'Sense': {'state': 1}}, 'events': ["
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 40, 'level': 'error', "
		"'time': '2026-11-01T00:00:00Z', 'message': 'old'},"
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 40, 'level': 'error', "
		"'time': '2026-11-18T00:00:00Z', 'message': 'new'},"
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 99, 'level': 'error', "
		"'time': '2026-11-18T00:00:00Z', 'message': 'odd'},"
		"{'log': 'Application', 'provider': 'WDATPOnboarding', 'id': 15, 'level': 'error', "
		"'time': '2026-09-01T00:00:00Z', 'message': 'too old'}]}");
	const struct dx_finding *f = finding(&r, "onboarding.event", "40");
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "count"), 2);
	cr_expect_str_eq(ev_str(f, "message"), "new");
	cr_expect_not_null(finding(&r, "onboarding.event", "other"));
	cr_expect_null(finding(&r, "onboarding.event", "15"), "outside the 30-day window");
	run_free(&r);
}

Test(onboarding, unreadable_event_log_is_a_warning)
{
	struct run r;
	run_short(&r, "{'services': {'Sense': {'state': 1}}, 'faults': [{'primitive': "
		      "'events_query', 'target': 'Application', 'error': 'access-denied'}]}");
	const struct dx_finding *f = finding(&r, "onboarding.event", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect(strstr(ev_str(f, "query"), "access-denied") != NULL);
	run_free(&r);
}

Test(onboarding, state_variants)
{
	struct run r;
	run_device(&r, "healthy-win11");
	const struct dx_finding *f = finding(&r, "onboarding.state", "onboarded");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_eq(ev_num(f, "OnboardingState"), 1);
	run_free(&r);

	run_device(&r, "sense-stopped-state0");
	f = finding(&r, "onboarding.state", "not-onboarded");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "OnboardingState"), 0);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.state");
	run_free(&r);

	run_short(&r, "{'services': {'Sense': {'state': 1}}}");
	f = finding(&r, "onboarding.state", "missing");
	cr_assert_not_null(f);
	cr_expect(strstr(ev_str(f, "OnboardingState"), "does not exist") != NULL, "%s",
		  ev_str(f, "OnboardingState"));
	run_free(&r);
}

Test(onboarding, denied_status_key_is_undetermined_not_a_wrong_verdict)
{
	struct run r;
	run_device(&r, "fault-status-denied");
	const struct dx_finding *f = finding(&r, "onboarding.state", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(f->reason, "access-denied");
	cr_expect(strstr(ev_str(f, "OnboardingState"), "access-denied (Win32 error 5)") != NULL,
		  "%s", ev_str(f, "OnboardingState"));
	/* the verdict names what could not be read, and never offers the plan */
	cr_expect_str_eq(verdict_cause(&r), "onboarding.state");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.state");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(onboarding, method_local_script_gpo_and_intune)
{
	struct run r;
	run_device(&r, "sense-stopped-event10");
	const struct dx_finding *f = finding(&r, "onboarding.method", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "method"), "local-script");
	run_free(&r);

	run_device(&r, "intune-1819");
	f = finding(&r, "onboarding.method", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "method"), "intune");
	cr_expect_str_eq(ev_str(f, "mdm_enrollment"), "6A1F2B3C-4D5E-4F60-8172-93A4B5C6D7E8");
	run_free(&r);

	run_short(&r, "{'services': {'Sense': {'state': 1}}, 'registry': "
		      "{'HKLM|SOFTWARE|Policies|Microsoft|Windows Advanced Threat Protection': "
		      "{'OnboardingInfo': '{}'}}}");
	f = finding(&r, "onboarding.method", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "method"), "script-gpo-mecm");
	run_free(&r);
}

Test(onboarding, intune_1819_and_csp_error)
{
	struct run r;
	run_device(&r, "intune-1819");
	const struct dx_finding *f = finding(&r, "onboarding.intune", "1819");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "event_id"), 1819);
	cr_expect_str_eq(verdict_cause(&r), "onboarding.intune");
	run_free(&r);

	run_short(&r,
		  "{'services': {'Sense': {'state': 1}}, 'registry': "
		  "{'HKLM|SOFTWARE|Microsoft|Enrollments|X': {'ProviderID': 'MS DM Server'}},"
		  " 'events': [{'log': "
		  "'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin', "
		  "'provider': 'p', 'id': 404, 'level': 'error',"
		  " 'time': '2025-12-31T00:00:00Z', 'message': 'Remediation failed 0x87d1fde8'}]}");
	f = finding(&r, "onboarding.intune", "csp-error");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "error_code"), "0x87D1FDE8");
	run_free(&r);
}

/* Windows could not render the message (no publisher metadata, or none in
 * the display language: EvtFormatMessage 15033): the error code is found in
 * the insertion strings, and they stand in the evidence for the message. */
Test(onboarding, intune_csp_error_in_insertion_strings)
{
	struct run r;
	run_short(&r, "{'services': {'Sense': {'state': 1}}, 'registry': "
		      "{'HKLM|SOFTWARE|Microsoft|Enrollments|X': {'ProviderID': 'MS DM Server'}},"
		      " 'events': [{'log': "
		      "'Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin', "
		      "'provider': 'p', 'id': 404, 'level': 'error',"
		      " 'time': '2025-12-31T00:00:00Z', 'strings': "
		      "['./Device/Vendor/MSFT/WindowsAdvancedThreatProtection/Onboarding', "
		      "'0x87D1FDE8']}]}");
	const struct dx_finding *f = finding(&r, "onboarding.intune", "csp-error");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "error_code"), "0x87D1FDE8");
	cr_expect(strstr(ev_str(f, "message"), "0x87D1FDE8") != NULL, "%s", ev_str(f, "message"));
	run_free(&r);
}

/* A SENSE event without a message shows its insertion strings, and its
 * code is read from them. */
Test(onboarding, sense_log_line_without_message)
{
	struct run r;
	run_short(&r, "{'services': {'Sense': {'state': 1}},"
		      " 'events': [{'log': 'Microsoft-Windows-SENSE/Operational', 'provider': "
		      "'SENSE', 'id': 5, 'level': 'error',"
		      " 'time': '2025-12-31T00:00:00Z', 'strings': "
		      "['https://winatp-gw-cus.microsoft.com/', '12029']}]}");
	const struct dx_finding *f = finding(&r, "sense.log.connectivity", "connect");
	cr_assert_not_null(f);
	const char *line = ev_str(f, "message");
	cr_expect(strstr(line, "winatp-gw-cus.microsoft.com") && strstr(line, "12029"), "%s", line);
	cr_expect_str_eq(ev_str(f, "url"), "https://winatp-gw-cus.microsoft.com/");
	cr_expect_str_eq(ev_str(f, "error_code"), "12029");
	cr_expect_str_eq(ev_str(f, "error_name"), "ERROR_WINHTTP_CANNOT_CONNECT");
	run_free(&r);
}

Test(onboarding, azure_vm_without_mde_extension)
{
	struct run r;
	run_device(&r, "mdfc-extension-missing");
	const struct dx_finding *f = finding(&r, "onboarding.mdfc-extension", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(
		ev_str(f, "path"),
		"C:\\Packages\\Plugins\\Microsoft.Azure.AzureDefenderForServers.MDE.Windows");
	cr_expect_str_eq(ev_str(f, "seen"), "absent");
	cr_expect_str_eq(verdict_cause(&r), "onboarding.mdfc-extension");
	run_free(&r);
}

Test(onboarding, azure_vm_with_extension_is_mdfc_method)
{
	struct run r;
	run_short(&r,
		  "{'services': {'Sense': {'state': 1}, 'WindowsAzureGuestAgent': {'state': 4}},"
		  " 'files': "
		  "{'C:|Packages|Plugins|Microsoft.Azure.AzureDefenderForServers.MDE.Windows|1.0.0."
		  "5|HandlerEnvironment.json': {}}}");
	const struct dx_finding *f = finding(&r, "onboarding.method", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "method"), "defender-for-cloud");
	cr_expect_null(finding(&r, "onboarding.mdfc-extension", NULL));
	run_free(&r);
}
