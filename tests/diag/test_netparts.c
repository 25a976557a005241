/* test_netparts.c - the pieces carved out of check_net.c: the DNS cache
 * (diag/net/dnscache.c) and the ServiceTags scanner (diag/net/servicetags.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include "check_clock.h"
#include "dnscache.h"
#include "fixture.h"
#include "helpers.h"
#include "servicetags.h"
#include "sock.h"

/* ---- DNS cache ------------------------------------------------------------ */

/* A fixture platform where a.test resolves once and fails from then on:
 * a second question to the platform would show as a failure. */
static void open_dns(struct dx_platform *p)
{
	char err[512];
	struct dx_fixture *fx = parse_short(
		"{'dns': {'a.test': ['127.0.0.2', '::1'], 'gone.test': {'error': 'servfail'},"
		" 'empty.test': [], '*.many.test': ['127.0.0.9']},"
		" 'faults': [{'primitive': 'resolve', 'target': 'a.test', 'error': 'timeout',"
		" 'after': 1}]}",
		err, sizeof err);
	cr_assert_not_null(fx, "%s", err);
	cr_assert_eq(dx_platform_fixture_open(p, fx), 0);
}

Test(dnscache, a_name_is_asked_once_whatever_its_case)
{
	struct dx_platform p;
	struct dx_dns_cache dc = {0};
	open_dns(&p);
	struct dx_dns_entry *e = dx_dns_resolve(&p, &dc, "a.test");
	cr_assert_not_null(e);
	cr_expect_eq(e->st, DX_OK, "%s", e->err.text);
	cr_assert_eq(e->addrs.count, 2);
	cr_expect_str_eq(e->addrs.items[0], "127.0.0.2");
	cr_expect_geq(e->ms, 0);
	/* the fault would fail a second question: the cache answers */
	cr_expect_eq(dx_dns_resolve(&p, &dc, "A.TEST"), e);
	cr_expect_eq(e->st, DX_OK);
	cr_expect_eq(dc.n, 1);
	dx_dns_cache_free(&dc);
	cr_expect_eq(dc.n, 0);
	dx_platform_close(&p);
}

Test(dnscache, failures_and_empty_answers_keep_the_reason)
{
	struct dx_platform p;
	struct dx_dns_cache dc = {0};
	open_dns(&p);
	struct dx_dns_entry *g = dx_dns_resolve(&p, &dc, "gone.test");
	cr_expect_eq(g->st, DX_TRANSIENT);
	cr_expect_str_eq(dx_dns_reason(g->st), "SERVFAIL");
	struct dx_dns_entry *u = dx_dns_resolve(&p, &dc, "unlisted.test");
	cr_expect_eq(u->st, DX_NOT_FOUND);
	cr_expect_str_eq(dx_dns_reason(u->st), "NXDOMAIN");
	struct dx_dns_entry *z = dx_dns_resolve(&p, &dc, "empty.test");
	cr_expect_eq(z->st, DX_NOT_FOUND);
	cr_expect(strstr(z->err.text, "no addresses"), "%s", z->err.text);
	cr_expect_str_eq(dx_dns_reason(DX_TIMEOUT), "timeout");
	dx_dns_cache_free(&dc);
	dx_platform_close(&p);
}

Test(dnscache, numeric_addresses_answer_themselves)
{
	struct dx_platform p;
	struct dx_dns_cache dc = {0};
	open_dns(&p);
	struct dx_dns_entry *e = dx_dns_resolve(&p, &dc, "::1");
	cr_expect_eq(e->st, DX_OK);
	cr_assert_eq(e->addrs.count, 1);
	cr_expect_str_eq(e->addrs.items[0], "::1");
	dx_dns_cache_free(&dc);
	dx_platform_close(&p);
}

Test(dnscache, entries_stay_put_as_the_cache_grows)
{
	/* the probe keeps a pointer per destination while more names (proxies,
	 * --connect-to hosts) are added: entries must not move */
	struct dx_platform p;
	struct dx_dns_cache dc = {0};
	struct dx_dns_entry *first[3];
	char name[64];
	open_dns(&p);
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof name, "h%d.many.test", i);
		struct dx_dns_entry *e = dx_dns_resolve(&p, &dc, name);
		cr_assert_not_null(e);
		if (i < 3)
			first[i] = e;
	}
	cr_expect_eq(dc.n, 200);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof name, "h%d.many.test", i);
		cr_expect_str_eq(first[i]->host, name);
		cr_expect_eq(dx_dns_resolve(&p, &dc, name), first[i]);
		cr_expect_str_eq(first[i]->addrs.items[0], "127.0.0.9");
	}
	dx_dns_cache_free(&dc);
	dx_platform_close(&p);
}

/* ---- ServiceTags ---------------------------------------------------------- */

static int scan(const char *text, struct dx_prefixes *px)
{
	memset(px, 0, sizeof *px);
	return dx_service_tags_scan(text, strlen(text), px);
}

static int contains(const struct dx_prefixes *px, const char *addr)
{
	unsigned char b[16];
	int bits;
	cr_assert_eq(dx_addr_bytes(addr, b, &bits), 0, "%s", addr);
	return dx_prefixes_contain(px, b, bits);
}

Test(servicetags, only_the_two_defender_tags_count)
{
	struct dx_prefixes px;
	cr_assert_eq(
		scan("{\"changeNumber\": 1, \"cloud\": \"Public\", \"values\": ["
		     "{\"name\": \"AzureCloud\", \"properties\": {\"addressPrefixes\": "
		     "[\"10.0.0.0/8\"]}},"
		     "{\"name\": \"MicrosoftDefenderForEndpoint\", \"id\": \"x\", \"properties\":"
		     " {\"addressPrefixes\": [\"20.1.2.0/24\", \"2603:1000::/40\", \"bad\", "
		     "\"1.2.3.4/33\"]}},"
		     "{\"name\": \"OneDsCollector\", \"properties\": {\"addressPrefixes\": "
		     "[\"52.1.1.1\"]}}"
		     "]}",
		     &px),
		0);
	cr_expect_eq(px.count, 3); /* "bad" and /33 skipped */
	cr_expect(contains(&px, "20.1.2.77"));
	cr_expect_not(contains(&px, "20.1.3.1"));
	cr_expect(contains(&px, "2603:1000:ab::1"));
	cr_expect_not(contains(&px, "2603:1000:100::1"));
	cr_expect(contains(&px, "52.1.1.1"));
	cr_expect_not(contains(&px, "52.1.1.2"));
	cr_expect_not(contains(&px, "10.1.1.1")); /* AzureCloud does not count */
	dx_prefixes_free(&px);
}

Test(servicetags, a_prefix_not_on_a_byte_boundary)
{
	struct dx_prefixes px;
	cr_assert_eq(scan("{\"values\": [{\"name\": \"OneDsCollector\", \"properties\":"
			  " {\"addressPrefixes\": [\"13.64.0.0/11\"]}}]}",
			  &px),
		     0);
	cr_expect(contains(&px, "13.95.255.255"));
	cr_expect_not(contains(&px, "13.96.0.0"));
	cr_expect_not(contains(&px, "13.63.255.255"));
	dx_prefixes_free(&px);
}

Test(servicetags, what_is_not_a_service_tags_document_is_refused)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{}",
		"{\"values\": {}}",
		"{\"values\": [{\"name\": ",
		"{\"values\": [{\"name\" \"x\"}]}",
		"{\"a\" 1}",
		"\"values\"",
		"{\"values\": [{\"name\": \"OneDsCollector\", \"properties\": "
		"{\"addressPrefixes\": [\"1.2.3.0/24\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct dx_prefixes px;
		cr_expect_eq(scan(bad[i], &px), -1, "accepted: %s", bad[i]);
		dx_prefixes_free(&px);
	}
	/* a document with no Defender tag is a document, with no prefixes */
	struct dx_prefixes px;
	cr_expect_eq(scan("{\"values\": [], \"other\": [1, {\"x\": \"]}\"}]}", &px), 0);
	cr_expect_eq(px.count, 0);
	dx_prefixes_free(&px);
}

/* net.clock reads a destination's Date header (RFC 9110 5.6.7 IMF-fixdate);
 * anything else is not a time, so it never makes a skew. */
Test(clock, http_dates_parse_only_as_imf_fixdate)
{
	int64_t t = 0;
	cr_assert_eq(dx_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMT", &t), 0);
	cr_assert_eq(t, 784111777);
	cr_assert_eq(dx_http_date_parse("Fri, 20 Nov 2026 09:00:00 GMT", &t), 0);
	cr_assert_eq(t, 1795165200);
	cr_assert_eq(dx_http_date_parse("Thu, 01 Jan 1970 00:00:00 GMT", &t), 0);
	cr_assert_eq(t, 0);
	cr_assert_eq(dx_http_date_parse("Tue, 29 Feb 2028 23:59:59 GMT", &t), 0);
	/* the weekday must be the date's, the zone GMT, the form exact */
	cr_assert_eq(dx_http_date_parse("Mon, 06 Nov 1994 08:49:37 GMT", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sun, 06 Nov 1994 08:49:37 UTC", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sunday, 06-Nov-94 08:49:37 GMT", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sun Nov  6 08:49:37 1994", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sun, 31 Nov 1994 08:49:37 GMT", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sun, 06 Nov 1994 24:49:37 GMT", &t), -1);
	cr_assert_eq(dx_http_date_parse("Sun, 06 Nov 1994 08:49:37 GMTX", &t), -1);
	cr_assert_eq(dx_http_date_parse("", &t), -1);
	cr_assert_eq(dx_http_date_parse(NULL, &t), -1);
}
