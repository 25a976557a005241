/* test_pac.c - the PAC evaluator: standard functions, Microsoft's IPv6
 * extensions, the answer parser, and hostile scripts (each must end with a
 * clear class within bounded time and memory). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pac.h"
#include "sock.h"

/* A tiny DNS: fixed answers, everything else NXDOMAIN. */
static enum dx_status fake_resolve(void *ud, const char *host, struct dx_strlist *out)
{
	int *calls = ud;
	if (calls)
		(*calls)++;
	if (strcmp(host, "intranet.contoso.local") == 0)
		return dx_strlist_push(out, "10.1.2.3") ? DX_BAD_DATA : DX_OK;
	if (strcmp(host, "v6.contoso.local") == 0) {
		dx_strlist_push(out, "2001:db8::5");
		dx_strlist_push(out, "192.0.2.7");
		return DX_OK;
	}
	return DX_NOT_FOUND;
}

/* 2026-11-20 09:30:15 UTC, a Friday */
#define NOW 1795167015

/* The device's UTC offset the next evaluations see (0: a device on UTC). */
static int32_t utc_offset;

static struct dx_pac_env env(void *ud)
{
	struct dx_pac_env e = {fake_resolve, ud, "10.9.8.7;fe80::1", NOW, utc_offset};
	return e;
}

/* Loads `script` and asks for url/host; returns the class, answer in out. */
static enum dx_pac_rc eval(const char *script, const char *url, const char *host, char *out,
			   size_t outsz, char *err, size_t errsz, const struct dx_pac_limits *lim)
{
	struct dx_pac *p;
	struct dx_pac_env e = env(NULL);
	enum dx_pac_rc rc = dx_pac_load(&p, script, strlen(script), &e, lim, err, errsz);
	if (rc != DX_PAC_OK)
		return rc;
	rc = dx_pac_find(p, url, host, out, outsz, err, errsz);
	dx_pac_free(p);
	return rc;
}

/* Evaluates a JS expression through a one-line FindProxyForURL. */
static const char *expr(const char *js)
{
	static char out[4096];
	char script[2048], err[256];
	snprintf(script, sizeof script,
		 "function FindProxyForURL(u, h) { return (%s) ? 'DIRECT' : 'PROXY no:1'; }", js);
	if (eval(script, "https://x/", "x", out, sizeof out, err, sizeof err, NULL) != DX_PAC_OK)
		snprintf(out, sizeof out, "error: %s", err);
	return out;
}

#define TRUE_(js) cr_expect_str_eq(expr(js), "DIRECT", "%s", js)
#define FALSE_(js) cr_expect_str_eq(expr(js), "PROXY no:1", "%s", js)

Test(pac, standard_functions)
{
	TRUE_("isPlainHostName('www')");
	FALSE_("isPlainHostName('www.contoso.com')");
	TRUE_("dnsDomainIs('www.contoso.com', '.contoso.com')");
	FALSE_("dnsDomainIs('www', '.contoso.com')");
	TRUE_("localHostOrDomainIs('www.contoso.com', 'www.contoso.com')");
	TRUE_("localHostOrDomainIs('www', 'www.contoso.com')");
	FALSE_("localHostOrDomainIs('www.other.com', 'www.contoso.com')");
	TRUE_("isResolvable('intranet.contoso.local')");
	FALSE_("isResolvable('nowhere.invalid')");
	TRUE_("dnsResolve('intranet.contoso.local') === '10.1.2.3'");
	TRUE_("dnsResolve('nowhere.invalid') === null");
	TRUE_("dnsResolve('v6.contoso.local') === '192.0.2.7'");
	TRUE_("myIpAddress() === '10.9.8.7'");
	TRUE_("dnsDomainLevels('www.contoso.com') === 2");
	TRUE_("dnsDomainLevels('www') === 0");
	TRUE_("shExpMatch('http://home.netscape.com/people/ari/index.html', '*/ari/*')");
	FALSE_("shExpMatch('http://home.netscape.com/people/montulli/index.html', '*/ari/*')");
	TRUE_("shExpMatch('a.b', 'a?b')");
	FALSE_("shExpMatch('axxb', 'a.b')");
	TRUE_("shExpMatch('winatp-gw-cus.microsoft.com', '*.microsoft.com')");
	TRUE_("isInNet('intranet.contoso.local', '10.0.0.0', '255.0.0.0')");
	TRUE_("isInNet('198.95.249.79', '198.95.249.79', '255.255.255.255')");
	FALSE_("isInNet('198.95.249.78', '198.95.249.79', '255.255.255.255')");
	TRUE_("isInNet('198.95.1.1', '198.95.0.0', '255.255.0.0')");
	FALSE_("isInNet('nowhere.invalid', '10.0.0.0', '255.0.0.0')");
	TRUE_("convert_addr('104.16.41.2') === 1745889538");
	TRUE_("typeof alert === 'function'");
}

Test(pac, microsoft_ipv6_extensions)
{
	TRUE_("dnsResolveEx('v6.contoso.local') === '2001:db8::5;192.0.2.7'");
	TRUE_("dnsResolveEx('nowhere.invalid') === ''");
	TRUE_("myIpAddressEx() === '10.9.8.7;fe80::1'");
	TRUE_("isResolvableEx('v6.contoso.local')");
	FALSE_("isResolvableEx('nowhere.invalid')");
	TRUE_("isInNetEx('2001:db8::5', '2001:db8::/32')");
	FALSE_("isInNetEx('2001:db9::5', '2001:db8::/32')");
	TRUE_("isInNetEx('10.1.2.3', '10.0.0.0/8')");
	FALSE_("isInNetEx('11.1.2.3', '10.0.0.0/8')");
	/* an IPv4-mapped IPv6 address against an IPv4 prefix: the families
	 * differ, so no match (Chromium's IsInNetEx compares the address sizes
	 * first) */
	FALSE_("isInNetEx('::ffff:10.1.2.3', '10.0.0.0/8')");
	TRUE_("isInNetEx('fe80::1%3', 'fe80::/10')");
	FALSE_("isInNetEx('garbage', '10.0.0.0/8')");
	TRUE_("sortIpAddressList('10.2.3.9;2001:4898:28:3:201:2ff:feea:fc14;::1;10.2.3.1') === "
	      "'::1;2001:4898:28:3:201:2ff:feea:fc14;10.2.3.1;10.2.3.9'");
	TRUE_("sortIpAddressList('1.2.3;x') === ''");
	TRUE_("getClientVersion() === '1.0'");
}

Test(pac, time_functions_use_the_device_clock)
{
	/* 2026-11-20 09:30:15 UTC, Friday */
	TRUE_("weekdayRange('MON', 'FRI')");
	TRUE_("weekdayRange('FRI')");
	FALSE_("weekdayRange('SAT', 'SUN')");
	TRUE_("weekdayRange('THU', 'MON', 'GMT')");
	TRUE_("timeRange(9)");
	FALSE_("timeRange(10)");
	TRUE_("timeRange(8, 17)");
	FALSE_("timeRange(17, 8)");
	TRUE_("timeRange(9, 30, 9, 31)");
	TRUE_("timeRange(9, 30, 0, 9, 30, 20, 'GMT')");
	TRUE_("dateRange(20)");
	TRUE_("dateRange('NOV')");
	TRUE_("dateRange(2026)");
	FALSE_("dateRange(2025)");
	TRUE_("dateRange(1, 'NOV', 2026, 31, 'DEC', 2026)");
	FALSE_("dateRange('JAN', 'MAR')");
	TRUE_("dateRange('OCT', 'FEB')");
}

/* The time functions run in the device's local time (its time zone at the
 * device clock); a last argument "GMT" asks for UTC (Netscape's spec). */
Test(pac, time_functions_run_in_the_device_time_zone)
{
	/* Tokyo, UTC+9: 18:30:15 on Friday 20 November */
	utc_offset = 9 * 3600;
	TRUE_("timeRange(18)");
	FALSE_("timeRange(9)");
	TRUE_("timeRange(9, 'GMT')");
	TRUE_("timeRange(18, 30, 18, 31)");
	TRUE_("weekdayRange('FRI')");
	/* Hawaii, UTC-10: 23:30:15 on Thursday 19 November */
	utc_offset = -10 * 3600;
	TRUE_("timeRange(23)");
	TRUE_("weekdayRange('THU')");
	FALSE_("weekdayRange('FRI')");
	TRUE_("weekdayRange('FRI', 'GMT')");
	TRUE_("dateRange(19)");
	FALSE_("dateRange(20)");
	TRUE_("dateRange(20, 'GMT')");
	utc_offset = 0;
}

/* Netscape's spec lists the names in upper case and Mozilla, Chromium and
 * pacparser look them up exactly: a lower-case name matches no day. */
Test(pac, day_and_month_names_are_compared_exactly)
{
	/* 2026-11-20, a Friday in November */
	TRUE_("weekdayRange('FRI')");
	FALSE_("weekdayRange('fri')");
	FALSE_("weekdayRange('Mon', 'Fri')");
	TRUE_("dateRange('NOV')");
	FALSE_("dateRange('nov')");
	FALSE_("dateRange('Oct', 'Dec')");
}

/* convert_addr as Mozilla, Chromium and pacparser define it: a signed
 * 32-bit number, so the common hand-written mask test compares equal. */
Test(pac, convert_addr_is_a_signed_32_bit_number)
{
	TRUE_("convert_addr('192.168.1.1') === -1062731519");
	TRUE_("convert_addr('255.255.255.255') === -1");
	TRUE_("convert_addr('10.0.0.1') === 167772161");
	TRUE_("convert_addr('1.2.3') === 16909056");
	TRUE_("(convert_addr('192.168.1.77') & convert_addr('255.255.255.0')) === "
	      "convert_addr('192.168.1.0')");
}

/* "If the string is null, no proxies should be used" (Netscape's spec):
 * a null answer routes direct, it is not a failed script. */
Test(pac, null_answer_means_direct)
{
	char out[64], err[256];
	cr_assert_eq(eval("function FindProxyForURL(u, h) { return null; }", "https://x/", "x", out,
			  sizeof out, err, sizeof err, NULL),
		     DX_PAC_OK, "%s", err);
	cr_expect_str_eq(out, "DIRECT");
}

Test(pac, ex_entry_point_wins_and_alerts_are_kept)
{
	const char *s = "function FindProxyForURL(u, h) { return 'PROXY a:1'; }\n"
			"function FindProxyForURLEx(u, h) { alert('ex for ' + h); return 'PROXY "
			"b:2; DIRECT'; }";
	struct dx_pac *p;
	struct dx_pac_env e = env(NULL);
	char out[256], err[256];
	cr_assert_eq(dx_pac_load(&p, s, strlen(s), &e, NULL, err, sizeof err), DX_PAC_OK, "%s",
		     err);
	cr_assert_eq(
		dx_pac_find(p, "https://h.example/", "h.example", out, sizeof out, err, sizeof err),
		DX_PAC_OK, "%s", err);
	cr_expect_str_eq(out, "PROXY b:2; DIRECT");
	cr_expect_str_eq(dx_pac_entry_point(p), "FindProxyForURLEx");
	cr_expect_str_eq(dx_pac_alerts(p), "ex for h.example");
	dx_pac_free(p);
}

/* A PAC file in the admin's own code page: Duktape refuses a source that
 * is not UTF-8 ("source decode failed", a syntax error mdediag would have
 * blamed on the script), where WinHTTP runs it. Read as Latin-1 instead. */
Test(pac, script_not_utf8_is_read_as_latin1)
{
	/* a Latin-1 comment and string; a Shift_JIS comment whose second byte
	 * is a backslash (0x95 0x5C); Latin-1 after a UTF-8 byte order mark
	 * (the mark dropped); then a UTF-8 script, left as it is */
	static const char *const scripts[] = {
		"// Proxy f\xfcr das B\xfcro\n"
		"function FindProxyForURL(u, h) { return 'B\xfcro' === 'B\\u00fcro' ? 'DIRECT' : "
		"'PROXY no:1'; }",
		"// \x95\x5c\x8e\xa6 \x83\x76\x83\x8d\x83\x4c\x83\x56\n"
		"function FindProxyForURL(u, h) { return 'DIRECT'; }",
		"\xef\xbb\xbf// B\xfcro, after a UTF-8 byte order mark\n"
		"function FindProxyForURL(u, h) { return 'DIRECT'; }",
		"// B\xc3\xbcro\nfunction FindProxyForURL(u, h) { return 'B\xc3\xbcro' === "
		"'B\\u00fcro' ? 'DIRECT' : 'PROXY no:1'; }",
	};
	for (size_t i = 0; i < 4; i++) {
		struct dx_pac *p;
		struct dx_pac_env e = env(NULL);
		char out[64], err[256];
		cr_assert_eq(
			dx_pac_load(&p, scripts[i], strlen(scripts[i]), &e, NULL, err, sizeof err),
			DX_PAC_OK, "script %zu: %s", i, err);
		cr_expect_eq(dx_pac_read_as_latin1(p), i < 3, "script %zu", i);
		cr_expect_eq(dx_pac_find(p, "https://x/", "x", out, sizeof out, err, sizeof err),
			     DX_PAC_OK);
		cr_expect_str_eq(out, "DIRECT", "script %zu", i);
		dx_pac_free(p);
	}
	/* a script that fails on its own says how it was read */
	char out[64], err[256];
	cr_expect_eq(eval("function FindProxyForURL(u, h) { return '\xfc; }", "https://x/", "x",
			  out, sizeof out, err, sizeof err, NULL),
		     DX_PAC_SYNTAX);
	cr_expect(strstr(err, "(the script is not UTF-8: read as Latin-1)") != NULL, "%s", err);
}

Test(pac, dns_goes_through_the_environment)
{
	const char *s =
		"function FindProxyForURL(u, h) {"
		" return isResolvable('intranet.contoso.local') ? 'DIRECT' : 'PROXY p:1'; }";
	struct dx_pac *p;
	int calls = 0;
	struct dx_pac_env e = env(&calls);
	char out[64], err[256];
	cr_assert_eq(dx_pac_load(&p, s, strlen(s), &e, NULL, err, sizeof err), DX_PAC_OK);
	cr_assert_eq(dx_pac_find(p, "https://x/", "x", out, sizeof out, err, sizeof err),
		     DX_PAC_OK);
	cr_expect_str_eq(out, "DIRECT");
	cr_expect_eq(calls, 1);
	dx_pac_free(p);
}

Test(pac, parse_answers)
{
	struct dx_pac_entry e[4];
	char err[160];
	cr_assert_eq(dx_pac_parse("PROXY proxy.contoso.local:8080; DIRECT", e, 4, err, sizeof err),
		     2);
	cr_expect_eq(e[0].kind, DX_PAC_PROXY);
	cr_expect_str_eq(e[0].host, "proxy.contoso.local");
	cr_expect_eq(e[0].port, 8080);
	cr_expect_eq(e[1].kind, DX_PAC_DIRECT);
	cr_assert_eq(dx_pac_parse("  direct  ", e, 4, err, sizeof err), 1);
	cr_assert_eq(dx_pac_parse("HTTPS [2001:db8::1]:3128;;SOCKS5 s", e, 4, err, sizeof err), 2);
	cr_expect_str_eq(e[0].host, "2001:db8::1");
	cr_expect_eq(e[0].port, 3128);
	cr_expect_eq(e[1].kind, DX_PAC_SOCKS);
	cr_expect_eq(e[1].port, 80);
	cr_expect_eq(dx_pac_parse("", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse(" ; ", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("PROXY", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("PROXY a:0", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("PROXY a:99999", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("DIRECT x", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("GOPHER a:1", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("PROXYa:1", e, 4, err, sizeof err), -1);
	cr_expect_eq(dx_pac_parse("PROXY a:1; \x01", e, 4, err, sizeof err), -1);
}

/* ---- hostile scripts ------------------------------------------------------- */

static double t0;
/* 8 MiB and 3 s (slow sanitizer builds on a loaded machine must not turn
 * a runtime error into a timeout); the endless loops get 300 ms so they end
 * quickly, the memory cases 20 s so the heap cap is what stops them. */
static struct dx_pac_limits lim = {0, 8u << 20, 3000, 0};
static enum dx_pac_rc hostile(const char *script, size_t len, char *err, size_t errsz, double *ms)
{
	struct dx_pac *p;
	struct dx_pac_env e = env(NULL);
	char out[4096];
	enum dx_pac_rc rc;
	t0 = dx_clock_ms();
	rc = dx_pac_load(&p, script, len, &e, &lim, err, errsz);
	if (rc == DX_PAC_OK) {
		rc = dx_pac_find(p, "https://winatp-gw-cus.microsoft.com/test",
				 "winatp-gw-cus.microsoft.com", out, sizeof out, err, errsz);
		/* a second call is refused at once after a timeout */
		if (rc == DX_PAC_TIMEOUT) {
			double t1 = dx_clock_ms();
			cr_expect_eq(dx_pac_find(p, "https://a/", "a", out, sizeof out, err, errsz),
				     DX_PAC_TIMEOUT);
			cr_expect_lt(dx_clock_ms() - t1, 50);
		}
		dx_pac_free(p);
	}
	*ms = dx_clock_ms() - t0;
	return rc;
}

#define HOSTILE(script, want)                                                                      \
	do {                                                                                       \
		char err_[256] = "";                                                               \
		double ms_;                                                                        \
		enum dx_pac_rc rc_ = hostile(script, strlen(script), err_, sizeof err_, &ms_);     \
		cr_expect_eq(rc_, want, "%s: got %s (%s)", #want, dx_pac_rc_name(rc_), err_);      \
		cr_expect_neq(err_[0], 0);                                                         \
		cr_expect_lt(ms_, 5000, "took %.0f ms", ms_);                                      \
	} while (0)

Test(pac_hostile, endless_loop_in_the_call)
{
	lim.budget_ms = 300;
	HOSTILE("function FindProxyForURL(u, h) { for (;;) {} }", DX_PAC_TIMEOUT);
}

Test(pac_hostile, endless_loop_at_top_level)
{
	lim.budget_ms = 300;
	HOSTILE("while (true) {} function FindProxyForURL(u, h) { return 'DIRECT'; }",
		DX_PAC_TIMEOUT);
}

Test(pac_hostile, loop_that_catches_the_timeout)
{
	lim.budget_ms = 300;
	HOSTILE("function FindProxyForURL(u, h) {"
		" for (;;) { try { for (;;) {} } catch (e) {} finally { continue; } } }",
		DX_PAC_TIMEOUT);
}

/* The regexp engine runs no bytecode, so the executor's timeout check
 * never ran inside it: a backtracking pattern ran to Duktape's own limit
 * of 10^9 steps, 5 to 6 s natively (minutes under the sanitizers) past a
 * budget of 300 ms. The regexp executor now asks the same check. */
Test(pac_hostile, backtracking_regexp_stops_at_the_budget)
{
	static const char *const scripts[] = {
		"function FindProxyForURL(u, h) { return /^(?:a|a)*$/.test("
		"'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab') ? 'DIRECT' : 'DIRECT'; }",
		"var hit = shExpMatch('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', "
		"'*a*a*a*a*a*a*a*a*a*a*b'); function FindProxyForURL(u, h) { return 'DIRECT'; }",
	};
	lim.budget_ms = 300;
	for (size_t i = 0; i < sizeof scripts / sizeof scripts[0]; i++) {
		char err[256] = "";
		double ms;
		enum dx_pac_rc rc = hostile(scripts[i], strlen(scripts[i]), err, sizeof err, &ms);
		cr_expect_eq(rc, DX_PAC_TIMEOUT, "script %zu: got %s (%s)", i, dx_pac_rc_name(rc),
			     err);
		cr_expect(strstr(err, "300 ms") != NULL, "script %zu: %s", i, err);
		cr_expect_lt(ms, 2000, "script %zu took %.0f ms for a budget of 300", i, ms);
	}
}

Test(pac_hostile, syntax_error)
{
	HOSTILE("function FindProxyForURL(u, h) { return 'DIRECT' ", DX_PAC_SYNTAX);
}

Test(pac_hostile, binary_garbage)
{
	HOSTILE("\x7f"
		"ELF\x01\x01\x01 garbage \xff\xfe",
		DX_PAC_SYNTAX);
}

Test(pac_hostile, html_error_page)
{
	HOSTILE("<html><body>404 Not Found</body></html>", DX_PAC_SYNTAX);
}

Test(pac_hostile, no_function)
{
	HOSTILE("var x = 1;", DX_PAC_NO_FUNCTION);
}

Test(pac_hostile, deep_recursion)
{
	HOSTILE("function f(n) { return f(n + 1) + 1; }"
		"function FindProxyForURL(u, h) { return f(0); }",
		DX_PAC_RUNTIME);
}

Test(pac_hostile, deeply_nested_source)
{
	size_t n = 200000;
	char *s = malloc(2 * n + 100), *q = s;
	q += sprintf(q, "function FindProxyForURL(u, h) { return ");
	memset(q, '(', n), q += n;
	*q++ = '1';
	memset(q, ')', n), q += n;
	strcpy(q, "; }");
	HOSTILE(s, DX_PAC_SYNTAX);
	free(s);
}

Test(pac_hostile, memory_hog)
{
	lim.budget_ms = 20000;
	HOSTILE("function FindProxyForURL(u, h) {"
		" var s = 'x', a = []; for (var i = 0; i < 20; i++) s = s + s;"
		" for (;;) a.push(s + a.length); }",
		DX_PAC_MEMORY);
}

/* Loads a script that must load, under a heap cap of its own. */
static struct dx_pac *load_capped(const char *script, size_t max_heap)
{
	struct dx_pac_limits l = {0, max_heap, 20000, 0};
	struct dx_pac_env e = env(NULL);
	struct dx_pac *p = NULL;
	char err[256] = "";
	enum dx_pac_rc rc = dx_pac_load(&p, script, strlen(script), &e, &l, err, sizeof err);
	cr_assert_eq(rc, DX_PAC_OK, "%s (%s)", dx_pac_rc_name(rc), err);
	return p;
}

/* The evaluator's own steps allocate too (pushing the URL it asks about):
 * a refusal there is a status with a reason, not Duktape's fatal handler
 * (abort). Found by fuzz_pac under load, where the time budget ran out
 * between two of dx_pac_load's steps; here a URL larger than the cap. */
Test(pac_hostile, heap_full_when_the_evaluator_allocates)
{
	struct dx_pac *p =
		load_capped("function FindProxyForURL(u, h) { return 'DIRECT'; }", 1u << 20);
	char err[256] = "", out[64];
	size_t n = 2u << 20; /* more than the cap */
	char *url = malloc(n + 1);
	memcpy(url, "https://", 8);
	memset(url + 8, 'a', n - 8);
	url[n] = 0;
	enum dx_pac_rc rc = dx_pac_find(p, url, url + 8, out, sizeof out, err, sizeof err);
	cr_expect_eq(rc, DX_PAC_MEMORY, "%s (%s)", dx_pac_rc_name(rc), err);
	cr_expect(strstr(err, "needed more than 1 MiB"), "%s", err);
	free(url);
	dx_pac_free(p);
}

/* Stopped by the heap cap with the heap full of small objects, deep in
 * closures: Duktape allocates while it unwinds (each closed scope becomes
 * an object). A refusal there used to escape every catch point and abort
 * or overflow the stack (found by fuzz_pac under load, with the time
 * budget in place of the cap). The unwind slack lets it finish. */
Test(pac_hostile, unwinding_from_a_full_heap)
{
	lim.budget_ms = 20000;
	HOSTILE("function FindProxyForURL(u, h) { var keep = [];"
		" function deep(n) { var a = n, f = function () { return a; };"
		"  if (n > 0) return deep(n - 1) + f(); for (;;) keep.push({}); }"
		" return deep(60); }",
		DX_PAC_MEMORY);
}

/* The same with the time budget: once it is spent, Duktape still has to
 * close sixty scopes on its way out. Before the slack, every allocation
 * after the timeout was refused, the error escaped, and Duktape recursed
 * until the stack overflowed (fuzz_pac, an input that timed out). */
Test(pac_hostile, unwinding_after_the_timeout)
{
	lim.budget_ms = 300;
	HOSTILE("function FindProxyForURL(u, h) {"
		" function deep(n) { var a = n, f = function () { return a; };"
		"  if (n > 0) return deep(n - 1) + f(); for (;;) {} }"
		" return deep(60); }",
		DX_PAC_TIMEOUT);
}

/* A built-in that allocates without returning to the executor (JSON.parse
 * of 200,000 arrays, about 16 MB from a 0.6 MB string) outgrows the cap
 * and then the unwind slack: the heap is abandoned, freed without Duktape
 * (LeakSanitizer checks that in build-asan), and the status is the cap's;
 * a second call gives the same without running. */
Test(pac_hostile, heap_abandoned_past_the_unwind_slack)
{
	struct dx_pac *p = load_capped(
		"var big = '[' + new Array(200001).join('[],') + '[]]';"
		"function FindProxyForURL(u, h) { return JSON.parse(big).length + ''; }",
		4u << 20);
	char err[256] = "", out[64];
	enum dx_pac_rc rc = dx_pac_find(p, "https://a/", "a", out, sizeof out, err, sizeof err);
	cr_expect_eq(rc, DX_PAC_MEMORY, "%s (%s)", dx_pac_rc_name(rc), err);
	cr_expect_str_eq(err, "needed more than 4 MiB of memory (stopped)");
	cr_expect_leq(dx_pac_heap_peak(p), (4u << 20) + DX_PAC_UNWIND_SLACK);
	err[0] = 0;
	cr_expect_eq(dx_pac_find(p, "https://b/", "b", out, sizeof out, err, sizeof err),
		     DX_PAC_MEMORY);
	cr_expect_str_eq(err, "needed more than 4 MiB of memory (stopped)");
	dx_pac_free(p);
}

Test(pac_hostile, string_doubling)
{
	lim.budget_ms = 20000;
	HOSTILE("function FindProxyForURL(u, h) { var s = 'x'; for (;;) s = s + s; }",
		DX_PAC_MEMORY);
}

Test(pac_hostile, garbage_return_values)
{
	HOSTILE("function FindProxyForURL(u, h) { return 42; }", DX_PAC_BAD_RESULT);
	HOSTILE("function FindProxyForURL(u, h) { }", DX_PAC_BAD_RESULT);
	HOSTILE("function FindProxyForURL(u, h) { return {toString: function () { for(;;){} }}; }",
		DX_PAC_BAD_RESULT);
	HOSTILE("function FindProxyForURL(u, h) { return 'FETCH me:1'; }", DX_PAC_BAD_RESULT);
	HOSTILE("function FindProxyForURL(u, h) { return ''; }", DX_PAC_BAD_RESULT);
}

Test(pac_hostile, huge_return_string)
{
	HOSTILE("function FindProxyForURL(u, h) {"
		" var s = 'PROXY a:1'; for (var i = 0; i < 16; i++) s = s + '; ' + s;"
		" return s; }",
		DX_PAC_BAD_RESULT);
}

Test(pac_hostile, throws)
{
	HOSTILE("function FindProxyForURL(u, h) { throw new Error('nope'); }", DX_PAC_RUNTIME);
	HOSTILE("function FindProxyForURL(u, h) { return undefinedFunction(h); }", DX_PAC_RUNTIME);
}

/* What the script throws, returns or alerts is its own text: a reason or an
 * alert built from it is still one line (found by tests/fuzz/fuzz_pac.c). */
Test(pac_hostile, reasons_stay_one_line)
{
	char out[256], err[256];
	struct dx_pac *p;
	struct dx_pac_env e = env(NULL);
	cr_assert_eq(eval("function FindProxyForURL(u, h) { throw 'line one\\nline two'; }",
			  "https://x/", "x", out, sizeof out, err, sizeof err, NULL),
		     DX_PAC_RUNTIME);
	cr_assert_str_eq(err, "line one line two");
	cr_assert_eq(eval("function FindProxyForURL(u, h) { return 'x\\r\\ny'; }", "https://x/",
			  "x", out, sizeof out, err, sizeof err, NULL),
		     DX_PAC_BAD_RESULT);
	cr_assert_null(strpbrk(err, "\r\n"), "%s", err);
	cr_assert(strstr(err, "returned \"x  y\""), "%s", err);
	const char *script =
		"function FindProxyForURL(u, h) { alert('a\\tb\\nc'); return 'DIRECT'; }";
	cr_assert_eq(dx_pac_load(&p, script, strlen(script), &e, NULL, err, sizeof err), DX_PAC_OK);
	cr_assert_eq(dx_pac_find(p, "https://x/", "x", out, sizeof out, err, sizeof err),
		     DX_PAC_OK);
	cr_assert_str_eq(dx_pac_alerts(p), "a b c");
	dx_pac_free(p);
}

Test(pac_hostile, ten_megabytes)
{
	size_t n = 10u << 20;
	char *s = malloc(n + 1);
	const char *fn = "function FindProxyForURL(u, h) { return 'DIRECT'; }\n";
	memset(s, ' ', n);
	memcpy(s, fn, strlen(fn));
	memcpy(s + strlen(fn), "//", 2);
	s[n] = 0;
	HOSTILE(s, DX_PAC_TOO_LARGE);
	free(s);
}

Test(pac_hostile, large_but_accepted_script_stays_in_budget)
{
	/* 1 MiB (real PAC files are a few KB to a few hundred KB): accepted
	 * and answered within the default limits */
	size_t n = 1u << 20, o = 0;
	char *s = malloc(n + 200);
	char err[256], out[64];
	double ms;
	struct dx_pac *p;
	struct dx_pac_env e = env(NULL);
	/* a host table in one string, split at load time, and comments */
	o += (size_t)sprintf(s, "var table = '");
	for (int i = 0; o + 200 < n / 2; i++)
		o += (size_t)sprintf(s + o, "host%d.contoso.com=p%d ", i, i);
	o += (size_t)sprintf(s + o, "'.split(' ');\nvar map = {};\n"
				    "for (var i = 0; i < table.length; i++) {"
				    " var kv = table[i].split('='); map[kv[0]] = kv[1]; }\n");
	while (o + 100 < n)
		o += (size_t)sprintf(
			s + o, "// a comment line that makes the file large, as real ones do\n");
	strcpy(s + o, "function FindProxyForURL(u, h) {"
		      " return map[h] ? 'PROXY ' + map[h] + ':80' : 'DIRECT'; }");
	/* the default heap cap; time generous for sanitizer builds (logged) */
	struct dx_pac_limits big = {0, 0, 20000, 0};
	t0 = dx_clock_ms();
	cr_assert_eq(dx_pac_load(&p, s, strlen(s), &e, &big, err, sizeof err), DX_PAC_OK, "%s",
		     err);
	cr_expect_eq(
		dx_pac_find(p, "https://x/", "host7.contoso.com", out, sizeof out, err, sizeof err),
		DX_PAC_OK, "%s", err);
	cr_expect_str_eq(out, "PROXY p7:80");
	ms = dx_clock_ms() - t0;
	cr_log_info("1 MiB PAC: %.0f ms, heap peak %zu KiB", ms, dx_pac_heap_peak(p) >> 10);
	dx_pac_free(p);
	free(s);
}
