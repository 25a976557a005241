/* test_platform.c - the fake platform models Windows, and the fault
 * injector fails what it is told to. */
#include <criterion/criterion.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"
#include "platform_record.h"
#include "sock.h" /* dx_clock_ms */

static struct dx_platform open_short(const char *text)
{
	char err[512];
	struct dx_platform p;
	struct dx_fixture *fx = parse_short(text, err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	cr_assert_eq(dx_platform_fixture_open(&p, fx), 0);
	return p;
}

Test(fake, registry_is_case_insensitive_and_typed)
{
	struct dx_platform p = open_short(
		"{'registry': {'HKEY_LOCAL_MACHINE|SOFTWARE|Test': {'Str': 'abc', 'Num': 7,"
		" 'Bin': {'type': 'REG_BINARY', 'hex': '01 02 ff'}, 'Multi': {'type': "
		"'REG_MULTI_SZ', 'data': ['a', 'bc']},"
		" 'Q': {'type': 'REG_QWORD', 'data': '0x100000000'}, 'E': {'type': "
		"'REG_EXPAND_SZ', 'data': '%SystemRoot%'}}}}");
	struct dx_regval v;
	struct dx_err err;
	cr_assert_eq(dx_reg_read(&p, "hklm\\software\\TEST", "str", &v, &err), DX_OK, "%s",
		     err.text);
	cr_expect_eq(v.type, DX_REG_SZ);
	cr_expect_str_eq((char *)v.data, "abc");
	dx_regval_free(&v);
	uint32_t n;
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SOFTWARE\\Test", "NUM", &n, &err), DX_OK);
	cr_expect_eq(n, 7);
	cr_assert_eq(dx_reg_read(&p, "HKLM\\SOFTWARE\\Test", "Bin", &v, &err), DX_OK);
	cr_expect_eq(v.len, 3);
	cr_expect_eq(v.data[2], 0xff);
	dx_regval_free(&v);
	cr_assert_eq(dx_reg_read(&p, "HKLM\\SOFTWARE\\Test", "Multi", &v, &err), DX_OK);
	cr_expect_eq(v.len, 5);
	cr_expect_eq(memcmp(v.data, "a\0bc\0", 5), 0);
	dx_regval_free(&v);
	cr_assert_eq(dx_reg_read(&p, "HKLM\\SOFTWARE\\Test", "Q", &v, &err), DX_OK);
	cr_expect_eq(v.num, 0x100000000ull);
	dx_regval_free(&v);
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SOFTWARE\\Test", "Str", &n, &err), DX_BAD_DATA);
	cr_expect(strstr(err.text, "REG_SZ") != NULL);
	dx_platform_close(&p);
}

Test(fake, missing_key_and_value_are_not_found_with_reason)
{
	struct dx_platform p = open_short("{'registry': {'HKLM|SOFTWARE|A|B': {'x': 1}}}");
	struct dx_regval v;
	struct dx_err err;
	cr_expect_eq(dx_reg_read(&p, "HKLM\\SOFTWARE\\A\\C", "x", &v, &err), DX_NOT_FOUND);
	cr_expect_eq(err.code, 2);
	cr_expect(strstr(err.text, "does not exist") != NULL);
	cr_expect_eq(dx_reg_read(&p, "HKLM\\SOFTWARE\\A", "y", &v, &err), DX_NOT_FOUND);
	cr_expect(strstr(err.text, "value \"y\"") != NULL, "%s", err.text);
	struct dx_strlist l;
	cr_assert_eq(dx_reg_subkeys(&p, "HKLM\\SOFTWARE", &l, &err), DX_OK, "parent keys exist");
	cr_expect_eq(l.count, 1);
	cr_expect_str_eq(l.items[0], "A");
	dx_strlist_free(&l);
	dx_platform_close(&p);
}

Test(fake, services_appear_in_the_registry_and_missing_is_1060)
{
	struct dx_platform p = open_short("{'services': {'WinDefend': {'state': 1, 'start_type': "
					  "3, 'image_path': 'C:|x.exe'}}}");
	struct dx_svc s;
	struct dx_err err;
	cr_assert_eq(dx_svc_query(&p, "windefend", &s, &err), DX_OK);
	cr_expect_eq(s.state, 1);
	cr_expect_eq(s.start_type, 3);
	char path[64];
	cr_expect_eq(dx_reg_string(&p, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend",
				   "ImagePath", path, sizeof path, &err),
		     DX_OK);
	cr_expect_str_eq(path, "C:\\x.exe");
	uint32_t start;
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinDefend",
				  "Start", &start, &err),
		     DX_OK);
	cr_expect_eq(start, 3);
	cr_expect_eq(dx_svc_query(&p, "Sense", &s, &err), DX_NOT_FOUND);
	cr_expect_eq(err.code, 1060);
	dx_platform_close(&p);
}

Test(fake, files_versions_and_implied_directories)
{
	struct dx_platform p = open_short(
		"{'files': {'C:|A|B|f.exe': {'version': '1.2.3.4'}, 'C:|A|noversion.dll': {}}}");
	int is_dir;
	char ver[64];
	struct dx_err err;
	cr_expect_eq(dx_file_exists(&p, "c:\\a\\b", &is_dir, &err), DX_OK);
	cr_expect_eq(is_dir, 1);
	cr_expect_eq(dx_file_version(&p, "C:\\A\\B\\F.EXE", ver, &err), DX_OK);
	cr_expect_str_eq(ver, "1.2.3.4");
	cr_expect_eq(dx_file_version(&p, "C:\\A\\noversion.dll", ver, &err), DX_NOT_FOUND);
	cr_expect_eq(err.code, 1813);
	struct dx_strlist l;
	cr_assert_eq(dx_dir_list(&p, "C:\\A\\", &l, &err), DX_OK);
	cr_expect_eq(l.count, 2);
	dx_strlist_free(&l);
	cr_expect_eq(dx_file_exists(&p, "C:\\Z", &is_dir, &err), DX_NOT_FOUND);
	dx_platform_close(&p);
}

/* file_tail: the end of a file's content, bounded; an empty file; a
 * directory and a missing file refused; a fault injected by path. */
Test(fake, file_tail_reads_the_end_of_the_content)
{
	struct dx_platform p =
		open_short("{'files': {'C:|L|a.log': {'content': 'one\\ntwo\\nthree'},"
			   " 'C:|L|empty.log': {}}}");
	char *out;
	size_t len;
	uint64_t size;
	struct dx_err err;
	cr_assert_eq(dx_file_tail(&p, "c:\\l\\A.LOG", 5, &out, &len, &size, &err), DX_OK);
	cr_expect_eq(len, 5);
	cr_expect_eq(size, 13);
	cr_expect_str_eq(out, "three");
	free(out);
	cr_assert_eq(dx_file_tail(&p, "C:\\L\\a.log", 1000, &out, &len, &size, &err), DX_OK);
	cr_expect_str_eq(out, "one\ntwo\nthree");
	free(out);
	cr_assert_eq(dx_file_tail(&p, "C:\\L\\empty.log", 10, &out, &len, &size, &err), DX_OK);
	cr_expect_eq(len, 0);
	free(out);
	cr_expect_eq(dx_file_tail(&p, "C:\\L", 10, &out, &len, &size, &err), DX_BAD_DATA);
	cr_expect_null(out);
	cr_expect_eq(dx_file_tail(&p, "C:\\L\\none.log", 10, &out, &len, &size, &err),
		     DX_NOT_FOUND);
	cr_expect_null(out);
	dx_platform_close(&p);
}

/* dx_text_ascii: UTF-16LE with or without a BOM, on either parity, and
 * UTF-8 kept as ASCII with '?' for what is not. */
Test(fake, text_ascii_narrows_utf16_and_marks_non_ascii)
{
	char out[64];
	static const char bom[] = "\xff\xfe"
				  "e\0x\0i\0t\0 \0c\0o\0d\0e\0:\0 \0"
				  "7\0\n\0";
	cr_expect_eq(dx_text_ascii(bom, sizeof bom - 1, out), 13);
	cr_expect_str_eq(out, "exit code: 7\n");
	static const char odd[] = "\0x\0i\0t\0 \0"
				  "2\0";
	dx_text_ascii(odd, sizeof odd - 1, out);
	cr_expect_str_eq(out, "xit 2");
	dx_text_ascii("caf\xc3\xa9 ok\t\x01", 10, out);
	cr_expect_str_eq(out, "caf?? ok\t?");
}

/* A slow DNS server (delay_ms) really blocks, up to the caller's bound. */
Test(fake, dns_delay_blocks_until_the_callers_bound)
{
	struct dx_platform p =
		open_short("{'dns': {'dead.test': {'error': 'timeout', 'delay_ms': 60000},"
			   " 'slow.test': {'error': 'nxdomain', 'delay_ms': 50}}}");
	struct dx_strlist l;
	struct dx_err err;
	double t0 = dx_clock_ms();
	cr_expect_eq(dx_resolve_within(&p, "dead.test", 200, &l, &err), DX_TIMEOUT);
	cr_expect(dx_clock_ms() - t0 >= 190 && dx_clock_ms() - t0 < 5000, "%.0f ms",
		  dx_clock_ms() - t0);
	cr_expect(strstr(err.text, "no answer within the time left"), "%s", err.text);
	t0 = dx_clock_ms();
	cr_expect_eq(dx_resolve_within(&p, "slow.test", 5000, &l, &err), DX_NOT_FOUND);
	cr_expect(dx_clock_ms() - t0 >= 45, "%.0f ms", dx_clock_ms() - t0);
	dx_platform_close(&p);
}

Test(fake, dns_exact_then_longest_suffix_then_star)
{
	struct dx_platform p = open_short(
		"{'dns': {'a.example.com': ['192.0.2.1'], '*.example.com': ['192.0.2.2'],"
		" '*.deep.example.com': {'error': 'servfail'}, 'slow.test': {'error': 'timeout'}, "
		"'*': ['127.0.0.1']}}");
	struct dx_strlist l;
	struct dx_err err;
	cr_assert_eq(dx_resolve(&p, "a.example.com", &l, &err), DX_OK);
	cr_expect_str_eq(l.items[0], "192.0.2.1");
	dx_strlist_free(&l);
	cr_assert_eq(dx_resolve(&p, "b.example.com", &l, &err), DX_OK);
	cr_expect_str_eq(l.items[0], "192.0.2.2");
	dx_strlist_free(&l);
	cr_expect_eq(dx_resolve(&p, "x.deep.example.com", &l, &err), DX_TRANSIENT);
	cr_expect_eq(err.code, 11002);
	cr_expect_eq(dx_resolve(&p, "slow.test", &l, &err), DX_TIMEOUT);
	cr_assert_eq(dx_resolve(&p, "other.org", &l, &err), DX_OK);
	cr_expect_str_eq(l.items[0], "127.0.0.1");
	dx_strlist_free(&l);
	dx_platform_close(&p);
	p = open_short("{}");
	cr_expect_eq(dx_resolve(&p, "winatp-gw-cus.microsoft.com", &l, &err), DX_NOT_FOUND);
	cr_expect_eq(err.code, 11001);
	dx_platform_close(&p);
}

Test(fake, events_filtered_and_newest_first)
{
	struct dx_platform p = open_short(
		"{'events': ["
		"{'log': 'Application', 'provider': 'A', 'id': 1, 'time': '2026-01-01T00:00:00Z'},"
		"{'log': 'Application', 'provider': 'A', 'id': 2, 'time': '2026-01-03T00:00:00Z'},"
		"{'log': 'Application', 'provider': 'B', 'id': 3, 'time': '2026-01-02T00:00:00Z'},"
		"{'log': 'System', 'provider': 'A', 'id': 4, 'time': '2026-01-02T00:00:00Z'}]}");
	struct dx_eventlist l;
	struct dx_err err;
	cr_assert_eq(dx_events_query(&p, "application", NULL, 0, 0, 10, &l, &err), DX_OK);
	cr_assert_eq(l.count, 3);
	cr_expect_eq(l.items[0].id, 2);
	cr_expect_eq(l.items[1].id, 3);
	cr_expect_eq(l.items[2].id, 1);
	dx_eventlist_free(&l);
	cr_assert_eq(dx_events_query(&p, "Application", "a", 0,
				     dx_parse_time("2026-01-02T00:00:00Z"), 10, &l, &err),
		     DX_OK);
	cr_expect_eq(l.count, 1);
	dx_eventlist_free(&l);
	cr_assert_eq(dx_events_query(&p, "Application", NULL, 0, 0, 1, &l, &err), DX_OK);
	cr_expect_eq(l.count, 1);
	dx_eventlist_free(&l);
	dx_platform_close(&p);
}

Test(faults, after_and_count_select_which_calls_fail)
{
	struct dx_platform p =
		open_short("{'services': {'Sense': {'state': 4}},"
			   " 'faults': [{'primitive': 'svc_query', 'target': 'sense', 'error': "
			   "'transient', 'after': 1, 'count': 2}]}");
	struct dx_svc s;
	struct dx_err err;
	cr_expect_eq(dx_svc_query(&p, "Sense", &s, &err), DX_OK);
	cr_expect_eq(dx_svc_query(&p, "Sense", &s, &err), DX_TRANSIENT);
	cr_expect_eq(err.code, 1237);
	cr_expect(strstr(err.text, "injected") != NULL);
	cr_expect_eq(dx_svc_query(&p, "Sense", &s, &err), DX_TRANSIENT);
	cr_expect_eq(dx_svc_query(&p, "Sense", &s, &err), DX_OK);
	cr_expect_eq(dx_svc_query(&p, "WinDefend", &s, &err), DX_NOT_FOUND,
		     "other targets pass through");
	dx_platform_close(&p);
}

Test(faults, registry_value_and_prefix_targets)
{
	struct dx_platform p = open_short(
		"{'registry': {'HKLM|SOFTWARE|A': {'x': 1, 'y': 2}, 'HKLM|SOFTWARE|B': {'z': 3}},"
		" 'faults': [{'primitive': 'reg_read', 'target': 'HKLM|SOFTWARE|A|y', 'error': "
		"'access-denied'},"
		"            {'primitive': 'reg_read', 'target': 'HKLM|SOFTWARE|B*', 'error': "
		"'not-found'}]}");
	uint32_t n;
	struct dx_err err;
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SOFTWARE\\A", "x", &n, &err), DX_OK);
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SOFTWARE\\A", "y", &n, &err), DX_ACCESS_DENIED);
	cr_expect_eq(err.code, 5);
	cr_expect_eq(dx_reg_dword(&p, "HKLM\\SOFTWARE\\B", "z", &n, &err), DX_NOT_FOUND);
	dx_platform_close(&p);
}

/* The process token: elevated unless the fixture says otherwise; a
 * failure to tell is -1 (unknown), never "elevated". */
Test(fake, process_elevation)
{
	struct dx_platform p = open_short("{}");
	struct dx_err err;
	int el = 7;
	cr_expect_eq(dx_elevated(&p, &el, &err), DX_OK);
	cr_expect_eq(el, 1);
	dx_platform_close(&p);
	p = open_short("{'process': {'elevated': false}}");
	cr_expect_eq(dx_elevated(&p, &el, &err), DX_OK);
	cr_expect_eq(el, 0);
	dx_platform_close(&p);
	p = open_short("{'faults': [{'primitive': 'elevated', 'error': 'access-denied'}]}");
	cr_expect_eq(dx_elevated(&p, &el, &err), DX_ACCESS_DENIED);
	cr_expect_eq(el, -1);
	cr_expect(err.text[0]);
	dx_platform_close(&p);
	char msg[512];
	cr_expect_null(parse_short("{'process': {'elevated': 0}}", msg, sizeof msg));
	cr_expect(strstr(msg, "$.process.elevated: expected true or false") != NULL, "%s", msg);
	cr_expect_null(parse_short("{'process': {'admin': true}}", msg, sizeof msg));
}

/* The device's time zone: UTC unless the fixture gives one; a failure
 * leaves UTC with the reason. Bad members are rejected with their path. */
Test(fake, time_zone)
{
	struct dx_platform p = open_short("{}");
	struct dx_time_zone tz;
	struct dx_err err;
	cr_expect_eq(dx_time_zone(&p, &tz, &err), DX_OK);
	cr_expect_eq(tz.offset_s, 0);
	cr_expect_str_eq(tz.name, "UTC");
	dx_platform_close(&p);
	p = open_short("{'time_zone': {'utc_offset_minutes': 540, 'name': 'Tokyo Standard Time'}}");
	cr_expect_eq(dx_time_zone(&p, &tz, &err), DX_OK);
	cr_expect_eq(tz.offset_s, 32400);
	cr_expect_str_eq(tz.name, "Tokyo Standard Time");
	dx_platform_close(&p);
	p = open_short("{'time_zone': {'utc_offset_minutes': -300},"
		       " 'faults': [{'primitive': 'time_zone', 'error': 'access-denied'}]}");
	cr_expect_eq(dx_time_zone(&p, &tz, &err), DX_ACCESS_DENIED);
	cr_expect_eq(tz.offset_s, 0);
	cr_expect(err.text[0]);
	dx_platform_close(&p);
	char msg[512];
	cr_expect_null(parse_short("{'time_zone': {'utc_offset_minutes': 9.5}}", msg, sizeof msg));
	cr_expect(
		strstr(msg, "$.time_zone.utc_offset_minutes: expected a whole number of minutes") !=
			NULL,
		"%s", msg);
	cr_expect_null(parse_short("{'time_zone': {'utc_offset_minutes': 900}}", msg, sizeof msg));
	cr_expect(strstr(msg, "$.time_zone.utc_offset_minutes") != NULL, "%s", msg);
	cr_expect_null(parse_short("{'time_zone': {'name': 'UTC'}}", msg, sizeof msg));
	cr_expect(strstr(msg, "$.time_zone.utc_offset_minutes") != NULL, "%s", msg);
	cr_expect_null(parse_short("{'time_zone': {'utc_offset_minutes': 0, 'bias': 0}}", msg,
				   sizeof msg));
	cr_expect(strstr(msg, "$.time_zone") != NULL, "%s", msg);
}

/* Windows' own auto-proxy answers, as a fixture holds them: by host, then
 * "*"; none at all is "unsupported" (the fake runs no PAC). */
Test(fake, autoproxy_answers_from_the_fixture)
{
	struct dx_platform p =
		open_short("{'wpad': {'detect': 'dns', 'url': 'http://w/wpad.dat',"
			   " 'os_answers': {'a.example': 'DIRECT', '*': 'PROXY p.example:8080'}}}");
	struct dx_err err;
	char out[1024];
	cr_expect_eq(dx_autoproxy(&p, "https://A.example/x", "http://w/wpad.dat", 1000, out, &err),
		     DX_OK);
	cr_expect_str_eq(out, "DIRECT");
	cr_expect_eq(dx_autoproxy(&p, "https://b.example:443/", NULL, 1000, out, &err), DX_OK);
	cr_expect_str_eq(out, "PROXY p.example:8080");
	dx_platform_close(&p);
	p = open_short("{'wpad': {'detect': 'dns', 'url': 'http://w/wpad.dat'}}");
	cr_expect_eq(dx_autoproxy(&p, "https://a.example/", NULL, 1000, out, &err), DX_UNSUPPORTED);
	dx_platform_close(&p);
	char msg[512];
	cr_expect_null(parse_short("{'wpad': {'detect': 'dns', 'url': 'http://w/',"
				   " 'os_answers': {'a': 'FETCH x:1'}}}",
				   msg, sizeof msg));
	cr_expect(strstr(msg, "$.wpad.os_answers.a: \"FETCH x:1\" is not a proxy list") != NULL,
		  "%s", msg);
	cr_expect_null(parse_short("{'wpad': {'detect': 'not-found', 'os_answers': {}}}", msg,
				   sizeof msg));
	cr_expect(strstr(msg, "$.wpad.os_answers") != NULL, "%s", msg);
}

/* Events keep their insertion strings, and may have no message (what
 * EvtFormatMessage leaves without publisher metadata). */
Test(fake, events_keep_insertion_strings)
{
	struct dx_platform p =
		open_short("{'events': ["
			   "{'log': 'Application', 'provider': 'A', 'id': 1, 'time': "
			   "'2026-01-01T00:00:00Z', 'strings': ['x', '0x87D1FDE8', '']},"
			   "{'log': 'Application', 'provider': 'A', 'id': 2, 'time': "
			   "'2026-01-02T00:00:00Z', 'message': 'm'}]}");
	struct dx_eventlist l;
	struct dx_err err;
	cr_assert_eq(dx_events_query(&p, "Application", NULL, 0, 0, 10, &l, &err), DX_OK);
	cr_assert_eq(l.count, 2);
	cr_expect_eq(l.items[0].strings.count, 0);
	cr_expect_str_eq(l.items[0].message, "m");
	cr_assert_eq(l.items[1].strings.count, 3);
	cr_expect_str_eq(l.items[1].message, "");
	cr_expect_str_eq(l.items[1].strings.items[1], "0x87D1FDE8");
	cr_expect_str_eq(l.items[1].strings.items[2], "");
	dx_eventlist_free(&l);
	dx_platform_close(&p);
	char msg[512];
	cr_expect_null(parse_short("{'events': [{'log': 'A', 'provider': 'B', 'id': 1, 'time': "
				   "'2026-01-01T00:00:00Z', 'strings': [1]}]}",
				   msg, sizeof msg));
	cr_expect(strstr(msg, "$.events[0].strings[0]") != NULL, "%s", msg);
}

/* collect records what the platform said of both, and the replay agrees. */
Test(record, elevation_types_and_insertion_strings)
{
	struct dx_platform inner = open_short(
		"{'process': {'elevated': false},"
		" 'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion|ProfileList': "
		"{'ProgramData': {'type': 'REG_EXPAND_SZ', 'data': '%SystemDrive%|ProgramData'}}},"
		" 'events': [{'log': 'L', 'provider': 'P', 'id': 5, 'time': "
		"'2026-01-01T00:00:00Z', 'strings': ['a', 'b']}]}");
	struct dx_platform rec;
	cr_assert_eq(dx_record_open(&rec, inner), 0);
	struct dx_err err;
	struct dx_eventlist l;
	struct dx_regval v;
	int el = -1;
	cr_expect_eq(dx_elevated(&rec, &el, &err), DX_OK);
	cr_expect_eq(dx_events_query(&rec, "L", NULL, 0, 0, 10, &l, &err), DX_OK);
	dx_eventlist_free(&l);
	cr_expect_eq(
		dx_reg_read(&rec,
			    "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
			    "ProgramData", &v, &err),
		DX_OK);
	dx_regval_free(&v);
	cJSON *fx = dx_record_fixture(&rec, "t");
	cr_assert_not_null(fx);
	char *text = cJSON_PrintUnformatted(fx);
	cJSON_Delete(fx);
	dx_platform_close(&rec);
	char msg[512];
	struct dx_fixture *back = dx_fixture_parse(text, strlen(text), "rec", msg, sizeof msg);
	cr_assert_not_null(back, "%s: %s", msg, text);
	free(text);
	cr_expect_eq(back->elevated, 0);
	cr_assert_eq(back->events.count, 1);
	cr_assert_eq(back->events.items[0].strings.count, 2);
	cr_expect_str_eq(back->events.items[0].strings.items[1], "b");
	cr_assert_eq(back->nkeys, 1);
	cr_expect_eq(back->keys[0].values[0].v.type, DX_REG_EXPAND_SZ);
	cr_expect_str_eq((const char *)back->keys[0].values[0].v.data,
			 "%SystemDrive%\\ProgramData");
	dx_fixture_free(back);
}

/* collect records the time zone it was told, and the replay reads it back. */
Test(record, time_zone)
{
	struct dx_platform inner = open_short("{'time_zone': {'utc_offset_minutes': -210,"
					      " 'name': 'Newfoundland Standard Time'}}");
	struct dx_platform rec;
	struct dx_time_zone tz;
	struct dx_err err;
	char msg[512];
	cr_assert_eq(dx_record_open(&rec, inner), 0);
	cr_expect_eq(dx_time_zone(&rec, &tz, &err), DX_OK);
	cJSON *fx = dx_record_fixture(&rec, "t");
	cr_assert_not_null(fx);
	char *text = cJSON_PrintUnformatted(fx);
	cJSON_Delete(fx);
	dx_platform_close(&rec);
	struct dx_fixture *back = dx_fixture_parse(text, strlen(text), "rec", msg, sizeof msg);
	cr_assert_not_null(back, "%s: %s", msg, text);
	free(text);
	cr_expect_eq(back->tz_given, 1);
	cr_expect_eq(back->tz.offset_s, -210 * 60);
	cr_expect_str_eq(back->tz.name, "Newfoundland Standard Time");
	dx_fixture_free(back);
}

/* dx_run_checks learns the token before the sections run. */
Test(checks, elevation_is_a_fact)
{
	struct run r;
	run_short(&r, "{'process': {'elevated': false}}");
	cr_expect_eq(r.c.facts.elevated, 0);
	run_free(&r);
	run_short(&r, "{}");
	cr_expect_eq(r.c.facts.elevated, 1);
	run_free(&r);
	run_short(&r, "{'faults': [{'primitive': 'elevated', 'error': 'transient'}]}");
	cr_expect_eq(r.c.facts.elevated, -1);
	run_free(&r);
}

Test(time, parse_and_format_round_trip)
{
	char out[32];
	int64_t t = dx_parse_time("2026-11-20T09:00:00Z");
	cr_expect_eq(t, 1795165200);
	dx_format_time(t, out);
	cr_expect_str_eq(out, "2026-11-20T09:00:00Z");
	cr_expect_eq(dx_parse_time("2024-02-29T23:59:59Z"), 1709251199);
	cr_expect_eq(dx_parse_time("2026-13-01T00:00:00Z"), -1);
	cr_expect_eq(dx_parse_time("2026-11-20T09:00:00+09:00"), -1);
}
