/* test_fixture.c - every bundled fixture loads and gives its expected
 * verdict; every malformed fixture is rejected with the file and a JSON
 * path, never a crash. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include "helpers.h"

Test(fixture, every_device_fixture_gives_its_expected_verdict)
{
	char path[512];
	snprintf(path, sizeof path, "%s/fixtures/devices/expected-verdicts.json", SOURCE_ROOT);
	char *text = slurp(path, NULL);
	cr_assert_not_null(text);
	cJSON *exp = cJSON_Parse(text);
	cr_assert(cJSON_IsObject(exp));
	int n = 0;
	const cJSON *e;
	cJSON_ArrayForEach(e, exp)
	{
		struct run r;
		run_device(&r, e->string);
		cr_expect_str_eq(verdict_cause(&r), e->valuestring, "%s", e->string);
		run_free(&r);
		n++;
	}
	cr_expect_geq(n, 25);
	cJSON_Delete(exp);
	free(text);
}

Test(fixture, malformed_corpus_is_rejected_with_a_json_path)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/fixtures/malformed", SOURCE_ROOT);
	DIR *d = opendir(dir);
	cr_assert_not_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".json"))
			continue;
		char path[1024], err[1024] = "";
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		struct dx_fixture *fx = dx_fixture_load(path, err, sizeof err);
		cr_expect_null(fx, "%s was accepted", de->d_name);
		dx_fixture_free(fx);
		cr_expect(strncmp(err, path, strlen(path)) == 0,
			  "%s: error does not name the file: %s", de->d_name, err);
		cr_expect(strstr(err, ": $") != NULL, "%s: error has no JSON path: %s", de->d_name,
			  err);
		n++;
	}
	closedir(d);
	cr_expect_geq(n, 30, "the corpus has %d files", n);
}

static void rejects(const char *text, const char *path_part, const char *reason_part)
{
	char err[1024];
	struct dx_fixture *fx = parse_short(text, err, sizeof err);
	cr_expect_null(fx, "accepted: %s", text);
	dx_fixture_free(fx);
	cr_expect(strstr(err, path_part) != NULL, "path %s not in: %s", path_part, err);
	cr_expect(strstr(err, reason_part) != NULL, "reason %s not in: %s", reason_part, err);
}

Test(fixture, errors_name_the_exact_member)
{
	rejects("{'services': {'Sense': {'state': 9}}}", "$.services[\"Sense\"].state", "0 to 7");
	rejects("{'registry': {'HKLM|A': {'v': {'type': 'REG_DWORD', 'data': 'x'}}}}",
		"$.registry[\"HKLM\\A\"][\"v\"].data", "expected a number");
	rejects("{'events': [{}, {'log': 1}]}", "$.events[0].log", "missing");
	rejects("{'registry': {'HKLM|A': {'v': {'type': 'REG_BINARY'}}}}", "[\"v\"]",
		"needs \"hex\"");
	rejects("{'dns': {'h': ['1.2.3']}}", "$.dns[\"h\"][0]", "not an IPv4");
	rejects("{'dns': {'h': {'error': 'timeout', 'delay_ms': -1}}}", "$.dns[\"h\"].delay_ms",
		"whole number");
	rejects("{'dns': {'h': {'error': 'timeout', 'delay_ms': 600001}}}", "$.dns[\"h\"].delay_ms",
		"0 to 600000");
	rejects("{'dns': {'h': {'error': 'timeout', 'delay_ms': '5'}}}", "$.dns[\"h\"].delay_ms",
		"whole number");
	rejects("{'files': {'C:|L|a.log': {'content': 5}}}", "$.files[\"C:\\L\\a.log\"].content",
		"not a string");
	rejects("{'files': {'C:|L': {'type': 'dir', 'content': 'x'}}}",
		"$.files[\"C:\\L\"].content", "a directory has no content");
}

/* Numbers far outside any range are reported, not converted: casting
 * 4.4e85 to an integer is undefined behaviour (the sanitizer tree checks). */
Test(fixture, huge_numbers_are_rejected_without_undefined_behaviour)
{
	rejects("{'services': {'S': {'state': 4.4e85}}}", "$.services[\"S\"].state",
		"is not a whole number from 0 to 7");
	rejects("{'registry': {'HKLM|A': {'v': -1e300}}}", "[\"v\"]", "from 0 to 4294967295");
	rejects("{'events': [{'log': 'L', 'provider': 'P', 'id': 1e19, 'level': 1, 'time': "
		"'2026-01-01T00:00:00Z'}]}",
		"$.events[0].id", "from 0 to 65535");
	rejects("{'services': {'S': {'state': 2.5}}}", "$.services[\"S\"].state", "2.500 is not");
}

/* Names and strings must be UTF-8 (the reports carry them); the error
 * names the member, with the bad bytes shown as '?'. */
Test(fixture, invalid_utf8_is_rejected_with_the_path)
{
	rejects("{'services': {'\xff\xfe': {'state': 4}}}", "$.services[\"??\"]",
		"member name is not valid UTF-8 (byte 1)");
	rejects("{'hostname': 'PC-\xc0\xaf'}", "$.hostname", "string is not valid UTF-8 (byte 4)");
	rejects("{'hostname': '\xed\xa0\x80'}", "$.hostname", "not valid UTF-8"); /* surrogate */
	rejects("{'hostname': '\xf4\x90\x80\x80'}", "$.hostname",
		"not valid UTF-8"); /* > U+10FFFF */
	rejects("{'hostname': 'a\xe2\x82'}", "$.hostname", "not valid UTF-8 (byte 2)"); /* cut */
	rejects("{'events': [{'log': ['\x80']}]}", "$.events[0].log[0]", "not valid UTF-8");
	char err[256];
	struct dx_fixture *fx = parse_short(
		"{'hostname': 'PC-\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80'}", err, sizeof err);
	cr_expect_not_null(fx, "valid UTF-8 rejected: %s", err);
	dx_fixture_free(fx);
}

Test(fixture, accepts_every_documented_form)
{
	char err[1024];
	struct dx_fixture *fx = parse_short(
		"{'$schema': 'x', 'schema': 'mdediag-fixture/1', 'description': 'd', 'hostname': "
		"'H', 'clock': '2026-01-01T00:00:00Z',"
		" 'registry': {'HKLM|A': {'sz': 's', 'dw': 4294967295, 'e': {'type': "
		"'REG_EXPAND_SZ', 'data': '%x%'},"
		"  'm': {'type': 'REG_MULTI_SZ', 'data': []}, 'b': {'type': 'REG_BINARY', 'hex': "
		"'AB:cd'}, 'n': {'type': 'REG_NONE'},"
		"  'q': {'type': 'REG_QWORD', 'data': 9007199254740991}}},"
		" 'services': {'S': {'state': 4, 'start_type': 0, 'image_path': 'p'}},"
		" 'files': {'C:|d': {'type': 'dir'}, 'C:|f.exe': {'type': 'file', 'version': '1'}},"
		" 'events': [{'log': 'L', 'provider': 'P', 'id': 0, 'level': 5, 'time': "
		"'2026-01-01T00:00:00Z'}],"
		" 'dns': {'h': ['::1', '10.0.0.1'], 'x': {'error': 'nxdomain'}},"
		" 'faults': [{'primitive': 'hostname', 'error': 'bad-data', 'after': 0, 'count': "
		"1}]}",
		err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	cr_expect_eq(fx->nkeys, 1);
	cr_expect_eq(fx->keys[0].nvalues, 7);
	cr_expect_str_eq(fx->hostname, "H");
	dx_fixture_free(fx);
}

/* Mutations of a real fixture (flipped bytes, cuts, inserted structure)
 * either load or are rejected with a path; none crash (the suite also runs
 * under AddressSanitizer). */
Test(fixture, mutated_fixtures_never_crash, .timeout = 60)
{
	char path[512];
	size_t len;
	snprintf(path, sizeof path, "%s/fixtures/devices/sense-stopped-event15.json", SOURCE_ROOT);
	char *orig = slurp(path, &len);
	cr_assert_not_null(orig);
	char *buf = malloc(len + 16);
	unsigned seed = 12345;
	int rejected = 0;
	static const char inserts[] = "{}[]\",:\\0-e.9 \x01\xff";
	for (int i = 0; i < 3000; i++) {
		memcpy(buf, orig, len);
		size_t n = len;
		int edits = 1 + (int)((seed = seed * 1103515245 + 12345) >> 16) % 4;
		for (int k = 0; k < edits; k++) {
			seed = seed * 1103515245 + 12345;
			size_t at = (seed >> 8) % n;
			switch ((seed >> 4) % 3) {
			case 0: buf[at] = inserts[(seed >> 20) % (sizeof inserts - 1)]; break;
			case 1: n = at + 1; break;
			default: buf[at] ^= (char)(1u << ((seed >> 12) % 8)); break;
			}
		}
		char err[1024] = "";
		struct dx_fixture *fx = dx_fixture_parse(buf, n, "m", err, sizeof err);
		if (!fx) {
			rejected++;
			cr_assert(strncmp(err, "m: $", 4) == 0, "no path in: %s", err);
		} else {
			/* accepted: it must also diagnose without trouble */
			struct dx_platform p;
			struct dx_data data;
			struct dx_options opt = {.no_network = 1};
			cr_assert_eq(dx_data_load(&data, NULL, err, sizeof err), 0);
			cr_assert_eq(dx_platform_fixture_open(&p, fx), 0);
			struct dx_ctx c = {.p = &p, .opt = &opt, .data = &data};
			dx_run_checks(&c);
			cr_assert_not_null(dx_find(&c.findings, "verdict"));
			dx_findings_free(&c.findings);
			dx_platform_close(&p);
			dx_data_free(&data);
		}
	}
	cr_expect_gt(rejected, 1000);
	free(buf);
	free(orig);
}

/* The wpad section: what WPAD found, checked member by member, and what the
 * fake platform answers from it. */
Test(fixture, wpad_section)
{
	char err[1024];
	struct dx_platform p;
	struct dx_wpad w;
	struct dx_err e;
	struct dx_fixture *fx;

	rejects("{'wpad': {}}", "$.wpad.detect", "missing");
	rejects("{'wpad': {'detect': 'wins'}}", "$.wpad.detect", "not dhcp, dns");
	rejects("{'wpad': {'detect': 'dhcp'}}", "$.wpad.url", "missing");
	rejects("{'wpad': {'detect': 'dns', 'url': 'ftp://x/wpad.dat'}}", "$.wpad.url",
		"not an http");
	rejects("{'wpad': {'detect': 'dns', 'url': 'http://x/a b'}}", "$.wpad.url", "space");
	rejects("{'wpad': {'detect': 'not-found', 'url': 'http://x/'}}", "$.wpad.url",
		"only meaningful");
	rejects("{'wpad': {'detect': 'timeout', 'script': 'x'}}", "$.wpad.script",
		"only meaningful");
	rejects("{'wpad': {'detect': 'dns', 'url': 'http://x/', 'scirpt': 'x'}}", "$.wpad",
		"unknown member");
	rejects("{'faults': [{'primitive': 'wpad', 'error': 'timeout'}]}", "$.faults[0].primitive",
		"unknown primitive");

	fx = parse_short("{'wpad': {'detect': 'dhcp', 'url': 'http://wpad.contoso.local/wpad.dat',"
			 " 'script': 'function FindProxyForURL(u, h) { return 1; }'}}",
			 err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	dx_platform_fake_open(&p, fx);
	cr_assert_eq(dx_wpad_detect(&p, 1000, &w, &e), DX_OK, "%s", e.text);
	cr_expect_str_eq(w.url, "http://wpad.contoso.local/wpad.dat");
	cr_expect_str_eq(w.method, "dhcp");
	cr_assert_not_null(w.script);
	cr_expect_eq(w.script_len, strlen(w.script));
	cr_expect_eq(dx_autoproxy(&p, "https://a/", w.url, 1000, (char[1024]){0}, &e),
		     DX_UNSUPPORTED);
	dx_wpad_free(&w);
	dx_platform_close(&p);

	fx = parse_short("{'wpad': {'detect': 'timeout'}}", err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	dx_platform_fake_open(&p, fx);
	cr_expect_eq(dx_wpad_detect(&p, 1000, &w, &e), DX_TIMEOUT);
	cr_expect_eq(e.code, 12002);
	dx_platform_close(&p);

	/* no section: not found, 12180; a fault rule can break discovery */
	fx = parse_short("{'faults': [{'primitive': 'wpad_detect', 'error': 'access-denied'}]}",
			 err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	dx_platform_fake_open(&p, fx);
	cr_expect_eq(dx_wpad_detect(&p, 1000, &w, &e), DX_NOT_FOUND);
	cr_expect_eq(e.code, 12180);
	dx_platform_close(&p);
	fx = parse_short("{'faults': [{'primitive': 'wpad_detect', 'error': 'access-denied'}]}",
			 err, sizeof err);
	cr_assert_eq(dx_platform_fixture_open(&p, fx), 0);
	cr_expect_eq(dx_wpad_detect(&p, 1000, &w, &e), DX_ACCESS_DENIED);
	dx_platform_close(&p);
}

/* Values quoted in an error keep it on one line (found by fuzz_fixture). */
Test(fixture, quoted_values_keep_the_error_on_one_line)
{
	rejects("{'schema': 'mdediag-fixtu3,\\n re/99'}", "$.schema",
		"\"mdediag-fixtu3,? re/99\" is not a schema");
	rejects("{'schema': 'a\\u001b[31mb'}", "$.schema", "\"a?[31mb\"");
}
