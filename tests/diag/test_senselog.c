/* test_senselog.c - Sense's own log (sense.log, sense.log.*) and the
 * diagnostic data service (diagtrack.service): the edges the scenarios do
 * not reach. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

/* A healthy Windows 11 whose Sense runs, with `svc` more services and
 * `rest` more top-level members (events, faults). */
#define DEVICE(svc, rest)                                                                          \
	"{'clock': '2026-11-20T09:00:00Z',"                                                        \
	" 'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': "     \
	"'22631', 'EditionID': 'Enterprise'},"                                                     \
	" 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "                   \
	"{'OnboardingState': 1}},"                                                                 \
	" 'services': {'Sense': {'state': 4, 'start_type': 2}, 'WinDefend': {'state': 4}" svc "}," \
	" 'files': {'C:|Program Files|Windows Defender Advanced Threat Protection|MsSense.exe': "  \
	"{'version': '10.8760.1.1'}}" rest "}"
#define DT_OK ", 'DiagTrack': {'state': 4, 'start_type': 2}"
#define SENSE_EV(id, level, time, msg)                                                             \
	"{'log': 'Microsoft-Windows-SENSE/Operational', 'provider': 'Microsoft-Windows-SENSE', "   \
	"'id': " #id ", 'level': '" level "', 'time': '" time "', 'message': '" msg "'}"
#define EV5(time, code)                                                                            \
	SENSE_EV(5, "error", time,                                                                 \
		 "Microsoft Defender for Endpoint service failed to connect to the server at "     \
		 "https://winatp-gw-cus.microsoft.com/. Failure code: " code)

Test(senselog, clean_log_is_clear_and_the_plan_stands)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK,
			     ", 'events': [" SENSE_EV(4, "information", "2026-11-20T08:00:00Z",
						      "contacted the server at "
						      "https://winatp-gw-cus.microsoft.com/") "]"));
	const struct dx_finding *f = finding(&r, "sense.log", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_eq(ev_num(f, "events_read"), 1);
	cr_expect_eq(ev_num(f, "failing_event_ids"), 0);
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	run_free(&r);
}

/* The case: Sense runs and says every hour that TLS fails. */
Test(senselog, hourly_event5_12175_is_a_tls_cause_while_sense_runs)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK, ", 'events': [" EV5("2026-11-20T08:00:00Z", "12175") "," EV5(
					    "2026-11-20T07:00:00Z",
					    "12175") "," EV5("2026-11-20T06:00:00Z", "12175") "]"));
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "sense.log.connectivity", "tls");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "event_id"), 5);
	cr_expect_eq(ev_num(f, "count"), 3);
	cr_expect_str_eq(ev_str(f, "last_seen"), "2026-11-20T08:00:00Z");
	cr_expect_str_eq(ev_str(f, "first_seen"), "2026-11-20T06:00:00Z");
	cr_expect_str_eq(ev_str(f, "error_code"), "12175");
	cr_expect_str_eq(ev_str(f, "error_name"), "ERROR_WINHTTP_SECURE_FAILURE");
	cr_expect_str_eq(ev_str(f, "url"), "https://winatp-gw-cus.microsoft.com/");
	cr_expect_str_eq(verdict_cause(&r), "sense.log.connectivity");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

/* A later event 4 ("contacted the server") overcomes an event 5: history,
 * listed on sense.log, not a cause. */
Test(senselog, event5_followed_by_event4_is_resolved)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK, ", 'events': [" SENSE_EV(
					    4, "information", "2026-11-20T08:30:00Z",
					    "contacted the server") "," EV5("2026-11-20T08:00:00Z",
									    "12007") "]"));
	cr_expect_null(finding(&r, "sense.log.connectivity", NULL));
	const struct dx_finding *f = finding(&r, "sense.log", NULL);
	cr_assert_not_null(f);
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(f->evidence, "resolved");
	cr_assert(cJSON_IsArray(res) && cJSON_GetArraySize(res) == 1);
	cr_expect(strstr(cJSON_GetArrayItem(res, 0)->valuestring, "followed by event 4") != NULL);
	run_free(&r);
}

Test(senselog, error_codes_are_classified_from_the_table)
{
	static const struct {
		const char *code, *variant;
	} cases[] = {
		{"12175", "tls"},     {"0x80072F8F", "tls"}, {"12007", "dns"},
		{"12029", "connect"}, {"12030", "connect"},  {"12002", "timeout"},
		{"400", "tenant"},    {"401", "tenant"},     {"403", "tenant"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		static const char tmpl[] =
			DEVICE(DT_OK, ", 'events': [" EV5("2026-11-20T08:00:00Z", "CODE") "]");
		char text[2048];
		const char *at = strstr(tmpl, "CODE");
		snprintf(text, sizeof text, "%.*s%s%s", (int)(at - tmpl), tmpl, cases[i].code,
			 at + 4);
		struct run r;
		run_short(&r, text);
		const struct dx_finding *f =
			finding(&r, "sense.log.connectivity", cases[i].variant);
		cr_expect_not_null(f, "%s: no sense.log.connectivity/%s", cases[i].code,
				   cases[i].variant);
		if (f)
			cr_expect_str_eq(ev_str(f, "error_code"), cases[i].code);
		run_free(&r);
	}
}

Test(senselog, unknown_error_code_is_kept_and_still_a_cause)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK, ", 'events': [" EV5("2026-11-20T08:00:00Z", "12345") "]"));
	const struct dx_finding *f = finding(&r, "sense.log.connectivity", "unknown-code");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "error_code"), "12345");
	cr_expect_str_eq(ev_str(f, "error_name"), "");
	/* an HRESULT that is not Win32's facility is not a WinHTTP code */
	run_free(&r);
	run_short(&r, DEVICE(DT_OK, ", 'events': [" EV5("2026-11-20T08:00:00Z", "0x80092F8F") "]"));
	cr_expect_not_null(finding(&r, "sense.log.connectivity", "unknown-code"));
	run_free(&r);
	/* no code at all: the event's own variant (not the class "connect",
	 * whose text names a code) */
	run_short(&r, DEVICE(DT_OK,
			     ", 'events': [" SENSE_EV(5, "error", "2026-11-20T08:00:00Z",
						      "failed to connect to the server at "
						      "https://winatp-gw-cus.microsoft.com/") "]"));
	f = finding(&r, "sense.log.connectivity", "5");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev_str(f, "error_code"), "");
	cr_expect_str_eq(ev_str(f, "url"), "https://winatp-gw-cus.microsoft.com/");
	run_free(&r);
}

Test(senselog, events_older_than_30_days_are_ignored)
{
	struct run r;
	run_short(&r,
		  DEVICE(DT_OK, ", 'events': [" EV5("2026-10-21T08:59:59Z", "12175") "," SENSE_EV(
					6, "error", "2026-10-01T00:00:00Z", "not onboarded") "]"));
	cr_expect_null(finding(&r, "sense.log.connectivity", NULL));
	cr_expect_null(finding(&r, "sense.log.onboarding", NULL));
	const struct dx_finding *f = finding(&r, "sense.log", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "failing_event_ids"), 0);
	run_free(&r);
	/* one second inside the window counts */
	run_short(&r, DEVICE(DT_OK, ", 'events': [" EV5("2026-10-21T09:00:01Z", "12175") "]"));
	cr_expect_not_null(finding(&r, "sense.log.connectivity", "tls"));
	run_free(&r);
}

Test(senselog, unreadable_log_is_undetermined_and_withholds_the_plan)
{
	struct run r;
	run_short(&r,
		  DEVICE(DT_OK, ", 'faults': [{'primitive': 'events_query', 'target': "
				"'Microsoft-Windows-SENSE/Operational', 'error': 'bad-data'}]"));
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "sense.log", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(f->reason, DX_REASON_FACTS_MISSING);
	cr_expect(strstr(ev_str(f, "query"), "BAD_DATA") || strstr(ev_str(f, "query"), "bad"), "%s",
		  ev_str(f, "query"));
	cr_expect_str_eq(verdict_cause(&r), "sense.log");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(senselog, access_denied_says_why)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK,
			     ", 'faults': [{'primitive': 'events_query', 'target': "
			     "'Microsoft-Windows-SENSE/Operational', 'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "sense.log", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect(strcmp(f->reason, DX_REASON_ACCESS_DENIED) == 0 ||
			  strcmp(f->reason, DX_REASON_NOT_ELEVATED) == 0,
		  "%s", f->reason);
	run_free(&r);
}

/* A start failure is history once Sense runs; while it is stopped it is
 * a cause, ranked before sense.stopped. */
Test(senselog, event3_counts_only_while_sense_is_not_running)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK, ", 'events': [" SENSE_EV(
					    3, "error", "2026-11-20T08:00:00Z",
					    "failed to start. Failure code: 0x80070005") "]"));
	cr_expect_null(finding(&r, "sense.log.service", NULL));
	run_free(&r);
	run_short(&r, "{'clock': '2026-11-20T09:00:00Z', 'services': {'Sense': {'state': 1, "
		      "'start_type': 2}" DT_OK "},"
		      " 'registry': {'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat "
		      "Protection|Status': {'OnboardingState': 1}},"
		      " 'events': [" SENSE_EV(3, "error", "2026-11-20T08:00:00Z",
					      "failed to start. Failure code: 0x80070005") "]}");
	const struct dx_finding *f = finding(&r, "sense.log.service", "3");
	cr_assert_not_null(f);
	cr_expect_str_eq(verdict_cause(&r), "sense.log.service");
	run_free(&r);
}

Test(senselog, diagtrack_events_need_their_service_named)
{
	struct run r;
	run_short(
		&r,
		DEVICE(DT_OK,
		       ", 'events': [" SENSE_EV(69, "warning", "2026-11-20T08:00:00Z", "The service is stopped. Service name: WSearch") "," SENSE_EV(
			       68, "warning", "2026-11-20T07:00:00Z",
			       "The start type of the service is unexpected. Service "
			       "name: diagtrack, actual start type: 4, expected start "
			       "type: 2") "," SENSE_EV(34, "error", "2026-11-19T07:00:00Z",
						       "failed to add itself as a "
						       "dependency on the Connected User "
						       "Experiences and Telemetry "
						       "service. Failure code: "
						       "0x80070422") "]"));
	cr_expect_null(finding(&r, "sense.log.diagtrack", "stopped"),
		       "69 names WSearch, not DiagTrack");
	const struct dx_finding *f = finding(&r, "sense.log.diagtrack", "start-type");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	f = finding(&r, "sense.log.diagtrack", "registration");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "event_id"), 34);
	run_free(&r);
}

/* ---- the diagnostic data service ---------------------------------------- */

Test(diagtrack, disabled_and_stopped_gives_both_commands)
{
	struct run r;
	run_short(&r, DEVICE(", 'DiagTrack': {'state': 1, 'start_type': 4}", ""));
	rerun_as_if_network_ok(&r);
	const struct dx_finding *f = finding(&r, "diagtrack.service", "disabled");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "start_type"), 4);
	cr_expect_str_eq(ev_str(f, "state_name"), "STOPPED");
	cr_expect_str_eq(ev_str(f, "command_start_type"), "sc.exe config DiagTrack start= auto");
	cr_expect_str_eq(ev_str(f, "command_start"), "sc.exe start DiagTrack");
	cr_expect_str_eq(verdict_cause(&r), "diagtrack.service");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(diagtrack, running_on_demand_is_a_warning_without_start)
{
	struct run r;
	run_short(&r, DEVICE(", 'DiagTrack': {'state': 4, 'start_type': 3}", ""));
	const struct dx_finding *f = finding(&r, "diagtrack.service", "not-automatic");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "command_start_type"), "sc.exe config DiagTrack start= auto");
	cr_expect_str_eq(ev_str(f, "command_start"), "");
	run_free(&r);
}

Test(diagtrack, missing_service_and_denied_query)
{
	struct run r;
	run_short(&r, DEVICE("", ""));
	const struct dx_finding *f = finding(&r, "diagtrack.service", "missing");
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "win32_error"), 1060);
	run_free(&r);
	run_short(&r, DEVICE(DT_OK, ", 'faults': [{'primitive': 'svc_query', 'target': "
				    "'DiagTrack', 'error': 'access-denied'}]"));
	rerun_as_if_network_ok(&r);
	f = finding(&r, "diagtrack.service", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(verdict_cause(&r), "diagtrack.service");
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(diagtrack, running_automatic_is_clear)
{
	struct run r;
	run_short(&r, DEVICE(DT_OK, ""));
	const struct dx_finding *f = finding(&r, "diagtrack.service", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	run_free(&r);
}

/* ---- the verdict rule ---------------------------------------------------- */

/* On every bundled device whose Sense exists, both new checks end found,
 * clear or undetermined (never silent), and the re-onboarding plan, when
 * offered, stands on a clear DiagTrack and a log without any failing event
 * (stricter than rule 4, which lets warning-level events such as 33 stand
 * beside the plan: no bundled device has one, and one that gained an
 * error-level event downgraded to a warning would show here). */
Test(senselog, plan_only_when_log_and_diagtrack_ran_clear, .timeout = 60)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/fixtures/devices", SOURCE_ROOT);
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	struct dirent *e;
	int sense_devices = 0, plans = 0;
	while ((e = readdir(d))) {
		char name[256];
		size_t n = strlen(e->d_name);
		if (n < 6 || strcmp(e->d_name + n - 5, ".json") ||
		    !strcmp(e->d_name, "expected-verdicts.json"))
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(n - 5), e->d_name);
		struct run r;
		run_device(&r, name);
		rerun_as_if_network_ok(&r);
		if (r.c.facts.sense_exists == 1) {
			sense_devices++;
			const struct dx_finding *log = finding(&r, "sense.log", NULL);
			const struct dx_finding *dt = finding(&r, "diagtrack.service", NULL);
			cr_expect_not_null(log, "%s: no sense.log", name);
			cr_expect_not_null(dt, "%s: no diagtrack.service", name);
			if (finding(&r, "reonboard.plan", NULL)) {
				plans++;
				cr_expect(log && dx_outcome(log) == DX_CLEAR &&
						  !strcmp(log->variant, ""),
					  "%s: plan offered beside sense.log/%s", name,
					  log ? log->variant : "-");
				cr_expect(dt && dx_outcome(dt) == DX_CLEAR,
					  "%s: plan offered beside diagtrack.service/%s", name,
					  dt ? dt->variant : "-");
			}
		}
		run_free(&r);
	}
	closedir(d);
	cr_expect_gt(sense_devices, 20);
	cr_expect_gt(plans, 0, "no bundled device gets the plan: the test checks nothing");
}
