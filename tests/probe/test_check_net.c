/* test_check_net.c - dx_check_net end to end: a test platform (registry,
 * DNS), loopback servers, --connect-to rules; asserts finding IDs,
 * severities and evidence. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "checks.h"
#include "data.h"
#include "sock.h"
#include "srv.h"
#include "testplat.h"

#define ATP DX_KEY_ATP
#define OB_STD_US                                                                                  \
	"{\"body\":\"{\\\"vortexGeoLocation\\\":\\\"US\\\",\\\"datacenter\\\":\\\"CentralUs\\\"}"  \
	"\"}"
#define OB_GW_EU                                                                                   \
	"{\"body\":\"{\\\"partnerGeoLocation\\\":\\\"GW_EU\\\",\\\"datacenter\\\":"                \
	"\\\"WestEurope\\\"}\"}"

static struct srv S;
static struct dx_data D;
static struct dx_options O;
static struct dx_ctx C;
static struct tp_state T;
static struct dx_platform P;
static char rules[8][128];
static const char *rulep[8];

/* Default DNS: every name resolves to a public address (never contacted
 * in fixture mode); proxies resolve too. */
static const struct tp_dns dns_default[] = {
	{"proxy.contoso.local", DX_OK, "10.0.0.6"},
	{"*", DX_OK, "20.1.2.3"},
};

static void setup(const char *config, const struct tp_reg *reg, size_t nreg,
		  const struct tp_dns *dns, size_t ndns)
{
	char err[200];
	cr_assert_eq(srv_start(&S, config), 0);
	cr_assert_eq(dx_data_load(&D, NULL, err, sizeof err), 0, "%s", err);
	memset(&T, 0, sizeof T);
	T.reg = reg, T.nreg = nreg;
	T.dns = dns ? dns : dns_default;
	T.ndns = dns ? ndns : 2;
	tp_open(&P, &T);
	memset(&O, 0, sizeof O);
	O.anchors_path = S.root_pem;
	O.timeout_ms = 50000; /* functional: a deadline no run reaches */
	O.fixture_mode = 1;
	O.connect_to = rulep;
	memset(&C, 0, sizeof C);
	C.p = &P;
	C.opt = &O;
	C.data = &D;
	C.facts.sense_state = 4;
}

/* curl-style rule; host "" = any. */
static void rule(const char *host, int port, int to)
{
	size_t i = O.n_connect_to++;
	snprintf(rules[i], sizeof rules[i], "%s:%d:127.0.0.1:%d", host, port, to);
	rulep[i] = rules[i];
}

static void catch_all(void)
{
	rule("", 443, S.https);
	rule("", 80, S.http);
}

static void teardown(void)
{
	dx_findings_free(&C.findings);
	dx_data_free(&D);
	srv_stop(&S);
}

static size_t count(const char *id, int sev)
{
	size_t n = 0;
	for (size_t i = 0; i < C.findings.count; i++)
		n += strcmp(C.findings.items[i].id, id) == 0 &&
		     (sev < 0 || (int)C.findings.items[i].severity == sev);
	return n;
}

static const struct dx_finding *endpoint(const char *host)
{
	for (size_t i = 0; i < C.findings.count; i++) {
		const struct dx_finding *f = &C.findings.items[i];
		const cJSON *h = cJSON_GetObjectItem(f->evidence, "host");
		if (strcmp(f->id, "net.endpoint") == 0 && cJSON_IsString(h) &&
		    strcmp(h->valuestring, host) == 0)
			return f;
	}
	return NULL;
}

static const char *ev(const struct dx_finding *f, const char *key)
{
	const cJSON *v = f ? cJSON_GetObjectItem(f->evidence, key) : NULL;
	return cJSON_IsString(v) ? v->valuestring : "";
}

static double evn(const struct dx_finding *f, const char *key)
{
	const cJSON *v = f ? cJSON_GetObjectItem(f->evidence, key) : NULL;
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

static const struct dx_finding *must(const char *id)
{
	const struct dx_finding *f = dx_find(&C.findings, id);
	cr_assert(f, "no %s finding", id);
	return f;
}

TestSuite(check_net, .timeout = 60);

Test(check_net, standard_us_healthy_all_info)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	const struct dx_finding *f;
	setup("{}", reg, 1, NULL, 0);
	catch_all();
	dx_check_net(&C);
	f = must("net.mode");
	cr_expect_str_eq(f->variant, "standard");
	cr_expect_str_eq(ev(f, "geo"), "US");
	cr_expect_str_eq(ev(f, "dc"), "cus");
	cr_expect_str_eq(C.facts.geo, "US");
	cr_expect_eq(C.facts.streamlined, 0);
	cr_expect_eq(must("net.proxy.winhttp")->severity, DX_SEV_INFO);
	cr_expect_null(dx_find(&C.findings, "net.proxy.static"));
	cr_expect_eq(count("net.endpoint", DX_SEV_INFO), count("net.endpoint", -1));
	cr_expect_gt(count("net.endpoint", -1), 20);
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_assert(f);
	cr_expect_str_eq(ev(f, "result"), "ok");
	cr_expect_str_eq(ev(f, "category"), "cnc");
	cr_expect_str_eq(ev(f, "proxy"), "direct");
	cr_expect_eq(evn(f, "port"), 443);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(f->evidence, "required")));
	cr_expect_geq(evn(f, "tls_ms"), 0);
	cr_expect_eq(strncmp(ev(f, "address"), "127.0.0.1:", 10), 0, "%s", ev(f, "address"));
	cr_expect_str_eq(ev(f, "resolved") /* an array, not a string */, "");
	cr_expect_str_eq(
		cJSON_GetArrayItem(cJSON_GetObjectItem(f->evidence, "resolved"), 0)->valuestring,
		"20.1.2.3");
	teardown();
}

Test(check_net, streamlined_eu_core_refused_is_a_cnc_error)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_GW_EU, 0}};
	const struct dx_finding *f;
	setup("{}", reg, 1, NULL, 0);
	rule("edr-weu.eu.endpoint.security.microsoft.com", 443, S.refuse);
	catch_all();
	dx_check_net(&C);
	cr_expect_str_eq(must("net.mode")->variant, "streamlined");
	f = endpoint("edr-weu.eu.endpoint.security.microsoft.com");
	cr_assert(f);
	cr_expect_str_eq(f->variant, "refused");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev(f, "result"), "refused");
	f = must("net.edr-cnc");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(evn(f, "failed"), 1);
	/* the core host also carries cyber, MAPS, samples and AutoIR: 1 failed
	 * each, and it is Required, so each summary is an error like the
	 * endpoint (the Client Analyzer's count rule would say warning) */
	cr_expect_eq(must("net.cyber")->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev(must("net.cyber"), "client_analyzer_severity"), "warning");
	cr_expect_eq(must("net.autoir")->severity, DX_SEV_ERROR);
	cr_expect_eq(must("net.smartscreen")->severity, DX_SEV_INFO);
	/* an EU device probes the EU SmartScreen host, not the US one */
	cr_expect_not_null(endpoint("europe.smartscreen-prod.microsoft.com"));
	cr_expect_null(endpoint("unitedstates.smartscreen-prod.microsoft.com"));
	cr_expect_null(endpoint("winatp-gw-weu.microsoft.com"));
	teardown();
}

Test(check_net, dns_failures_from_the_platform)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	static const struct tp_dns dns[] = {
		{"winatp-gw-cus.microsoft.com", DX_NOT_FOUND, NULL},
		{"winatp-gw-eus.microsoft.com", DX_TRANSIENT, NULL},
		{"winatp-gw-cus3.microsoft.com", DX_TIMEOUT, NULL},
		{"*", DX_OK, "20.1.2.3"},
	};
	const struct dx_finding *f;
	setup("{}", reg, 1, dns, 4);
	catch_all();
	dx_check_net(&C);
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_expect_str_eq(f->variant, "dns");
	cr_expect(strstr(ev(f, "reason"), "NXDOMAIN"), "%s", ev(f, "reason"));
	cr_expect(strstr(ev(endpoint("winatp-gw-eus.microsoft.com"), "reason"), "SERVFAIL"));
	cr_expect(strstr(ev(endpoint("winatp-gw-cus3.microsoft.com"), "reason"), "timeout"));
	cr_expect_str_eq(endpoint("winatp-gw-eus3.microsoft.com")->variant, "ok");
	f = must("net.edr-cnc");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(evn(f, "failed"), 3);
	teardown();
}

Test(check_net, static_proxy_denies)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0},
		{DX_KEY_DATACOLLECTION, "TelemetryProxyServer", DX_REG_SZ,
		 (const unsigned char *)"proxy.contoso.local:8080", 0},
	};
	const struct dx_finding *f;
	setup("{\"proxies\":[{\"name\":\"deny\",\"mode\":\"deny\","
	      "\"deny\":[\"winatp-gw-cus.microsoft.com\"]},{\"name\":\"x\",\"mode\":\"allow\"}]}",
	      reg, 2, NULL, 0);
	rule("proxy.contoso.local", 8080, srv_proxy(&S, "deny"));
	catch_all();
	dx_check_net(&C);
	f = must("net.proxy.static");
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_str_eq(ev(f, "host"), "proxy.contoso.local");
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_expect_str_eq(f->variant, "proxy-denied");
	cr_expect_str_eq(ev(f, "proxy"), "proxy.contoso.local:8080");
	cr_expect_str_eq(ev(f, "proxy_source"), "static");
	cr_expect_str_eq(ev(f, "block_title"), "Access Denied - Contoso Web Gateway");
	cr_expect_str_eq(endpoint("winatp-gw-eus.microsoft.com")->variant, "ok");
	f = must("net.proxy.denied");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect(strstr(ev(f, "status_line"), "403"), "%s", ev(f, "status_line"));
	cr_expect_str_eq(ev(f, "via"), "1.1 contoso-gw");
	cr_expect_eq(must("net.edr-cnc")->severity, DX_SEV_ERROR);
	teardown();
}

/* CRL downloads are the OS's (CryptoAPI through WinHTTP's settings), not
 * Sense's: the static proxy carries them only with
 * PreferStaticProxyForHttpRequest = 1. */
Test(check_net, static_proxy_carries_crl_only_when_preferred)
{
	for (int prefer = 0; prefer < 2; prefer++) {
		static const char *const crl = "crl.microsoft.com";
		uint32_t one = 1;
		struct tp_reg reg[3] = {
			{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0},
			{DX_KEY_DATACOLLECTION, "TelemetryProxyServer", DX_REG_SZ,
			 (const unsigned char *)"proxy.contoso.local:8080", 0},
			{DX_KEY_ATP_POLICY, "PreferStaticProxyForHttpRequest", DX_REG_DWORD,
			 (const unsigned char *)&one, 4},
		};
		const struct dx_finding *f;
		setup("{\"proxies\":[{\"name\":\"x\",\"mode\":\"allow\"}]}", reg, prefer ? 3 : 2,
		      NULL, 0);
		rule("proxy.contoso.local", 8080, srv_proxy(&S, "x"));
		catch_all();
		dx_check_net(&C);
		f = endpoint(crl);
		cr_assert(f, "no %s endpoint", crl);
		cr_expect_str_eq(ev(f, "proxy"), prefer ? "proxy.contoso.local:8080" : "direct");
		cr_expect_str_eq(ev(f, "proxy_source"), prefer ? "static" : "none");
		/* Sense's own traffic takes the static proxy either way */
		cr_expect_str_eq(ev(endpoint("winatp-gw-cus.microsoft.com"), "proxy_source"),
				 "static");
		teardown();
	}
}

static unsigned char wh_blob[256];
static size_t wh_len;
static void make_winhttp(const char *proxy, const char *bypass)
{
	size_t off = 12, pl = strlen(proxy), bl = strlen(bypass);
	memset(wh_blob, 0, sizeof wh_blob);
	wh_blob[0] = 0x18, wh_blob[8] = 3;
	wh_blob[off] = (unsigned char)pl;
	memcpy(wh_blob + off + 4, proxy, pl);
	off += 4 + pl;
	wh_blob[off] = (unsigned char)bl;
	memcpy(wh_blob + off + 4, bypass, bl);
	wh_len = off + 4 + bl;
}

Test(check_net, winhttp_proxy_auth_and_bypass)
{
	struct tp_reg reg[2] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0},
		{DX_KEY_WINHTTP, "WinHttpSettings", DX_REG_BINARY, wh_blob, 0},
	};
	const struct dx_finding *f;
	make_winhttp("proxy.contoso.local:8080", "*.windowsupdate.com;<local>");
	reg[1].len = wh_len;
	setup("{\"proxies\":[{\"name\":\"ntlm\",\"mode\":\"auth-ntlm\"}]}", reg, 2, NULL, 0);
	rule("proxy.contoso.local", 8080, srv_proxy(&S, "ntlm"));
	catch_all();
	dx_check_net(&C);
	f = must("net.proxy.winhttp");
	cr_expect_str_eq(f->variant, "proxy");
	cr_expect_str_eq(ev(f, "proxy"), "proxy.contoso.local:8080");
	cr_expect_str_eq(C.facts.winhttp_proxy, "proxy.contoso.local:8080");
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_expect_str_eq(f->variant, "proxy-auth");
	cr_expect_str_eq(ev(f, "proxy_source"), "winhttp");
	cr_expect_str_eq(ev(f, "proxy_authenticate"), "NTLM, Negotiate");
	f = endpoint("ctldl.windowsupdate.com");
	cr_expect_str_eq(ev(f, "proxy_source"), "winhttp-bypass");
	cr_expect_str_eq(f->variant, "ok");
	f = must("net.proxy.auth-required");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev(f, "proxy"), "proxy.contoso.local:8080");
	teardown();
}

Test(check_net, intercepting_proxy_names_the_inspection_ca)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_GW_EU, 0},
		{DX_KEY_DATACOLLECTION, "TelemetryProxyServer", DX_REG_SZ,
		 (const unsigned char *)"proxy.contoso.local:8080", 0},
	};
	const struct dx_finding *f;
	setup("{\"proxies\":[{\"name\":\"insp\",\"mode\":\"intercept\"}]}", reg, 2, NULL, 0);
	rule("proxy.contoso.local", 8080, srv_proxy(&S, "insp"));
	catch_all();
	dx_check_net(&C);
	f = endpoint("edr-weu.eu.endpoint.security.microsoft.com");
	cr_expect_str_eq(f->variant, "tls-intercepted");
	cr_expect(strstr(ev(f, "issuer"), "Contoso TLS Inspection CA"), "%s", ev(f, "issuer"));
	f = must("net.tls-inspection");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect(strstr(ev(f, "issuer"), "Contoso TLS Inspection CA"));
	/* plain-HTTP CRL rows pass an intercepting proxy untouched */
	cr_expect_str_eq(endpoint("crl.microsoft.com")->variant, "ok");
	teardown();
}

Test(check_net, unreachable_proxy)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0},
		{DX_KEY_DATACOLLECTION, "TelemetryProxyServer", DX_REG_SZ,
		 (const unsigned char *)"proxy.contoso.local:8080", 0},
	};
	const struct dx_finding *f;
	setup("{}", reg, 2, NULL, 0);
	rule("proxy.contoso.local", 8080, S.refuse);
	catch_all();
	dx_check_net(&C);
	/* Sense falls back to direct from a static proxy it cannot access
	 * (docs/connectivity.md), and the direct path works here */
	f = must("net.proxy.unreachable");
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(f->variant, "fallback");
	cr_expect(strstr(ev(f, "reason"), "refused"), "%s", ev(f, "reason"));
	cr_expect_str_eq(ev(f, "proxy"), "proxy.contoso.local:8080");
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_expect_str_eq(f->variant, "ok");
	cr_expect_str_eq(ev(f, "route_source"), "static-fallback");
	cr_expect(strstr(ev(f, "static_proxy_reason"), "refused"), "%s",
		  ev(f, "static_proxy_reason"));
	teardown();
}

Test(check_net, fixture_mode_never_leaves_loopback)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	const struct dx_finding *f;
	setup("{}", reg, 1, NULL, 0);
	dx_check_net(&C); /* no --connect-to: names resolve to 20.1.2.3 */
	f = endpoint("winatp-gw-cus.microsoft.com");
	cr_expect_str_eq(f->variant, "not-probed");
	cr_expect(strstr(ev(f, "reason"), "non-loopback"), "%s", ev(f, "reason"));
	cr_expect_eq(count("net.endpoint", -1), count("net.endpoint", DX_SEV_WARNING));
	cr_expect_eq(must("net.edr-cnc")->severity, DX_SEV_INFO);
	teardown();
}

Test(check_net, sense_not_running_gives_local_facts_only)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)"{not json", 0},
		{DX_KEY_DATACOLLECTION, "TelemetryProxyServer", DX_REG_SZ,
		 (const unsigned char *)"proxy :8080", 0},
	};
	const struct dx_finding *f;
	setup("{}", reg, 2, NULL, 0);
	C.facts.sense_state = 1;
	dx_check_net(&C);
	cr_expect_eq(C.findings.count, 3);
	f = must("net.mode");
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(f->variant, "malformed");
	f = must("net.proxy.static");
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect(strstr(ev(f, "error"), "space"), "%s", ev(f, "error"));
	cr_expect_eq(T.resolves, 0);
	teardown();
}

Test(check_net, malformed_winhttp_is_a_warning_and_direct)
{
	static const unsigned char bad[] = {0x18, 0, 0, 0, 1, 0, 0, 0, 3, 0, 0, 0, 0xff, 0xff};
	static const struct tp_reg reg[] = {
		{DX_KEY_WINHTTP, "WinHttpSettings", DX_REG_BINARY, bad, sizeof bad},
	};
	const struct dx_finding *f;
	setup("{}", reg, 1, NULL, 0);
	O.no_network = 1;
	dx_check_net(&C);
	f = must("net.proxy.winhttp");
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(f->variant, "malformed");
	cr_expect_str_eq(ev(f, "proxy"), "direct");
	cr_expect_str_eq(must("net.mode")->variant, "unknown");
	cr_expect_null(dx_find(&C.findings, "net.endpoint"));
	teardown();
}

Test(check_net, blackholed_network_costs_one_timeout)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	double t0;
	setup("{\"hosts\":{\"*\":{\"fault\":\"silent\"}}}", reg, 1, NULL, 0);
	catch_all();
	/* the deadline is the subject: ~30 silent destinations cost one
	 * deadline of 0.8 s, not 24 s; the bound leaves room for a sanitized
	 * build on a loaded machine */
	O.timeout_ms = 800;
	t0 = dx_clock_ms();
	dx_check_net(&C);
	cr_expect_lt(dx_clock_ms() - t0, 8 * 800, "%.0f ms", dx_clock_ms() - t0);
	cr_expect_eq(count("net.endpoint", DX_SEV_INFO), 0);
	cr_expect_str_eq(endpoint("winatp-gw-cus.microsoft.com")->variant, "timeout");
	cr_expect_eq(must("net.edr-cnc")->severity, DX_SEV_ERROR);
	teardown();
}

Test(check_net, service_tags_inside_and_outside)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	static const struct tp_dns dns[] = {
		{"winatp-gw-cus.microsoft.com", DX_OK, "52.9.9.9"},
		{"*", DX_OK, "20.1.2.3"},
	};
	char path[300];
	FILE *fp;
	const struct dx_finding *f;
	setup("{}", reg, 1, dns, 2);
	snprintf(path, sizeof path, "%s/tags.json", S.dir);
	fp = fopen(path, "w");
	fputs("{\"values\":[{\"name\":\"MicrosoftDefenderForEndpoint\",\"properties\":"
	      "{\"addressPrefixes\":[\"20.1.0.0/16\",\"2603:1000::/25\"]}},"
	      "{\"name\":\"Other\",\"properties\":{\"addressPrefixes\":[\"52.0.0.0/8\"]}}]}",
	      fp);
	fclose(fp);
	O.service_tags_path = path;
	catch_all();
	dx_check_net(&C);
	f = must("net.static-ip");
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(f->variant, "outside");
	cr_expect_eq(evn(f, "addresses_outside"), 1);
	cr_expect(strstr(ev(f, "reminder"), "SmartScreen"));
	cr_expect_str_eq(
		cJSON_GetArrayItem(cJSON_GetObjectItem(f->evidence, "outside"), 0)->valuestring,
		"winatp-gw-cus.microsoft.com 52.9.9.9");
	teardown();
}

static const struct dx_finding *static_ip_for(const char *tags_text)
{
	static char path[300];
	FILE *fp;
	snprintf(path, sizeof path, "%s/tags.json", S.dir);
	fp = fopen(path, "w");
	fputs(tags_text, fp);
	fclose(fp);
	O.service_tags_path = path;
	dx_findings_free(&C.findings);
	dx_check_net(&C);
	return must("net.static-ip");
}

Test(check_net, service_tags_scanner_reads_top_level_values_only)
{
	static const struct tp_reg reg[] = {
		{ATP, "OnboardedInfo", DX_REG_SZ, (const unsigned char *)OB_STD_US, 0}};
	static const char *bad[] = {
		"",
		"not json",
		"[]",
		"{\"values\":",
		"{\"values\":[{\"name\":",
		"{\"x\":{\"values\":[{\"name\":\"MicrosoftDefenderForEndpoint\","
		"\"properties\":{\"addressPrefixes\":[\"0.0.0.0/0\"]}}]}}",
		"{\"values\":[{\"name\":\"Other\",\"properties\":{\"addressPrefixes\":[\"0.0.0.0/"
		"0\"]}}]}",
	};
	const struct dx_finding *f;
	setup("{}", reg, 1, NULL, 0);
	O.no_network = 0;
	O.timeout_ms = 500; /* nothing to connect to: no --connect-to in this test */
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		f = static_ip_for(bad[i]);
		cr_expect_eq(f->severity, DX_SEV_WARNING, "case %zu", i);
		cr_expect_str_eq(f->variant, "bad-file", "case %zu", i);
	}
	/* a decoy "values" inside another member and escaped quotes are skipped */
	f = static_ip_for("{\"changeNumber\":1,\"x\":{\"values\":[]},\"s\":\"a\\\"values\\\"\","
			  "\"values\":[{\"name\":\"Other\",\"properties\":{}},"
			  "{\"name\":\"OneDsCollector\",\"properties\":"
			  "{\"addressPrefixes\":[\"20.0.0.0/8\",\"bogus\",\"1.2.3.4/99\"]}}]}");
	cr_expect_eq(f->severity, DX_SEV_INFO);
	cr_expect_eq(evn(f, "prefixes"), 1);
	cr_expect_gt(evn(f, "addresses_checked"), 0);
	teardown();
}
