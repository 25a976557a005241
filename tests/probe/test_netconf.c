/* test_netconf.c - decoders, proxy choice, destination selection, --connect-to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include "netconf.h"

static cJSON *load_destinations(void)
{
	const char *path = getenv("MDEDIAG_DESTINATIONS");
	FILE *f = fopen(path, "rb");
	static char buf[1 << 18];
	size_t n;
	cr_assert(f, "cannot open %s", path);
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return cJSON_Parse(buf);
}

/* ---- OnboardedInfo ---- */

static int parse_ob(const char *body, struct dx_onboarded *ob)
{
	char outer[2048];
	cJSON *o = cJSON_CreateObject();
	char *s;
	cJSON_AddStringToObject(o, "body", body);
	cJSON_AddStringToObject(o, "sig", "x");
	s = cJSON_PrintUnformatted(o);
	snprintf(outer, sizeof outer, "%s", s);
	free(s);
	cJSON_Delete(o);
	return dx_onboarded_parse(outer, strlen(outer), NULL, ob);
}

Test(onboarded, gw_partner_geo_means_streamlined_eu)
{
	struct dx_onboarded ob;
	cr_assert_eq(parse_ob("{\"partnerGeoLocation\":\"GW_EU\",\"vortexGeoLocation\":\"EU\","
			      "\"datacenter\":\"WestEurope\",\"orgId\":\"o1\"}",
			      &ob),
		     0);
	cr_assert_eq(ob.streamlined, 1);
	cr_assert_str_eq(ob.geo, "EU");
	cr_assert_str_eq(ob.dc, "weu");
	cr_assert_str_eq(ob.org_id, "o1");
}

Test(onboarded, standard_region_from_vortex_and_datacenter)
{
	static const struct {
		const char *dcname, *geo, *dc;
	} rows[] = {
		{"NorthEurope3", "EU", "neu3"}, {"CentralUs", "US", "cus"},
		{"EastUs3", "US", "eus3"},      {"UkSouth", "UK", "uks"},
		{"AustraliaEast", "AU", "aue"}, {"West Europe", "EU", "weu"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		char body[256];
		struct dx_onboarded ob;
		snprintf(body, sizeof body, "{\"vortexGeoLocation\":\"%s\",\"datacenter\":\"%s\"}",
			 rows[i].geo, rows[i].dcname);
		cr_assert_eq(parse_ob(body, &ob), 0);
		cr_assert_eq(ob.streamlined, 0);
		cr_assert_str_eq(ob.geo, rows[i].geo);
		cr_assert_str_eq(ob.dc, rows[i].dc, "%s -> %s", rows[i].dcname, ob.dc);
	}
}

Test(onboarded, datacenter_of_another_geo_is_not_used)
{
	struct dx_onboarded ob;
	cr_assert_eq(parse_ob("{\"vortexGeoLocation\":\"US\",\"datacenter\":\"UkSouth\"}", &ob), 0);
	cr_assert_str_eq(ob.geo, "US");
	cr_assert_str_eq(ob.dc, "");
}

Test(onboarded, unknown_geo_falls_back_to_default_regions)
{
	struct dx_onboarded ob;
	cJSON *d = load_destinations();
	char text[] = "{\"body\":\"{\\\"vortexGeoLocation\\\":\\\"CH\\\"}\"}";
	cr_assert_eq(dx_onboarded_parse(text, strlen(text), cJSON_GetObjectItem(d, "geos"), &ob),
		     0);
	cr_assert_str_eq(ob.geo, "");
	cr_assert_str_eq(ob.vortex_geo, "CH");
	cJSON_Delete(d);
}

Test(onboarded, malformed_inputs_are_rejected_with_a_reason)
{
	static const char *bad[] = {
		"",
		"{",
		"[]",
		"{\"body\":5}",
		"{\"nobody\":\"x\"}",
		"{\"body\":\"not json\"}",
		"{\"body\":\"[1,2]\"}",
		"null",
		"\"str\"",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct dx_onboarded ob;
		cr_assert_eq(dx_onboarded_parse(bad[i], strlen(bad[i]), NULL, &ob), -1, "%s",
			     bad[i]);
		cr_assert_neq(ob.error[0], 0, "no reason for %s", bad[i]);
		cr_assert_eq(ob.streamlined, -1);
	}
}

Test(onboarded, fuzz_truncations_and_random_bytes_never_crash)
{
	const char *good = "{\"body\":\"{\\\"partnerGeoLocation\\\":\\\"GW_US\\\","
			   "\\\"datacenter\\\":\\\"EastUs\\\"}\",\"sig\":\"abc\"}";
	size_t len = strlen(good), accepted = 0;
	unsigned seed = 42;
	char buf[512];
	for (size_t cut = 0; cut <= len; cut++) {
		struct dx_onboarded ob;
		accepted += dx_onboarded_parse(good, cut, NULL, &ob) == 0;
	}
	cr_assert_eq(accepted, 1, "only the whole value decodes (%zu did)", accepted);
	for (int round = 0; round < 2000; round++) {
		struct dx_onboarded ob;
		size_t n = (size_t)(rand_r(&seed) % sizeof buf);
		memcpy(buf, good, len);
		for (int k = 0; k < 4; k++)
			buf[rand_r(&seed) % len] = (char)(rand_r(&seed) & 0xff);
		if (dx_onboarded_parse(buf, n < len ? n : len, NULL, &ob) != 0)
			cr_assert_neq(ob.error[0], 0);
	}
}

/* ---- WinHttpSettings ---- */

static size_t winhttp_blob(unsigned char *b, uint32_t flags, const char *proxy, const char *bypass)
{
	size_t off = 0, pl = strlen(proxy), bl = strlen(bypass);
	uint32_t v[3] = {0x18, 7, flags};
	for (int i = 0; i < 3; i++, off += 4)
		b[off] = v[i] & 0xff, b[off + 1] = v[i] >> 8, b[off + 2] = 0, b[off + 3] = 0;
	b[off] = (unsigned char)pl, b[off + 1] = b[off + 2] = b[off + 3] = 0;
	memcpy(b + off + 4, proxy, pl);
	off += 4 + pl;
	b[off] = (unsigned char)bl, b[off + 1] = b[off + 2] = b[off + 3] = 0;
	memcpy(b + off + 4, bypass, bl);
	return off + 4 + bl;
}

Test(winhttp, direct_value_from_kb4494447)
{
	static const unsigned char direct[] = {0x18, 0, 0, 0, 0, 0, 0, 0, 1, 0,
					       0,    0, 0, 0, 0, 0, 0, 0, 0, 0};
	struct dx_winhttp w;
	cr_assert_eq(dx_winhttp_decode(direct, sizeof direct, &w), 0);
	cr_assert_eq(w.flags, 1);
	cr_assert_eq(w.has_proxy, 0);
	cr_assert_str_eq(w.proxy, "");
}

Test(winhttp, proxy_and_bypass)
{
	unsigned char b[256];
	size_t n = winhttp_blob(b, 3, "proxy.contoso.local:8080", "<local>;*.contoso.com");
	struct dx_winhttp w;
	cr_assert_eq(dx_winhttp_decode(b, n, &w), 0);
	cr_assert_eq(w.has_proxy, 1);
	cr_assert_str_eq(w.proxy, "proxy.contoso.local:8080");
	cr_assert_str_eq(w.bypass, "<local>;*.contoso.com");
}

Test(winhttp, every_truncation_is_rejected_and_decodes_as_direct)
{
	unsigned char b[256];
	size_t n = winhttp_blob(b, 3, "proxy.contoso.local:8080", "<local>");
	for (size_t cut = 0; cut < n; cut++) {
		struct dx_winhttp w;
		cr_assert_eq(dx_winhttp_decode(b, cut, &w), -1, "cut at %zu", cut);
		cr_assert_eq(w.has_proxy, 0);
		cr_assert_neq(w.error[0], 0);
	}
}

Test(winhttp, hostile_lengths_and_bytes)
{
	unsigned char b[256];
	struct dx_winhttp w;
	size_t n = winhttp_blob(b, 3, "p:1", "");
	b[12] = 0xff, b[13] = 0xff, b[14] = 0xff, b[15] = 0x7f; /* 2 GiB proxy */
	cr_assert_eq(dx_winhttp_decode(b, n, &w), -1);
	n = winhttp_blob(b, 3, "p\x01:1", "");
	cr_assert_eq(dx_winhttp_decode(b, n, &w), -1);
	n = winhttp_blob(b, 3, "", "");
	cr_assert_eq(dx_winhttp_decode(b, n, &w), -1, "proxy flag without a proxy");
	b[0] = 0x99;
	cr_assert_eq(dx_winhttp_decode(b, n, &w), -1);
	{
		unsigned char *big = calloc(1, 100000);
		cr_assert_eq(dx_winhttp_decode(big, 100000, &w), -1);
		free(big);
	}
	cr_assert_eq(dx_winhttp_decode(NULL, 0, &w), -1);
}

Test(winhttp, random_bytes_never_crash)
{
	unsigned seed = 7;
	unsigned char b[300];
	for (int round = 0; round < 5000; round++) {
		struct dx_winhttp w;
		size_t n = (size_t)(rand_r(&seed) % sizeof b);
		for (size_t i = 0; i < n; i++)
			b[i] = (unsigned char)rand_r(&seed);
		if (round & 1) { /* a plausible header makes the lengths matter */
			b[0] = 0x18, b[1] = b[2] = b[3] = 0;
		}
		if (dx_winhttp_decode(b, n, &w) == 0)
			cr_assert(strlen(w.proxy) < sizeof w.proxy);
		else
			cr_assert_neq(w.error[0], 0);
	}
}

/* ---- proxies ---- */

Test(proxy, static_proxy_values)
{
	static const struct {
		const char *in;
		int ok;
		const char *host;
		int port;
	} rows[] = {
		{"10.0.0.6:8080", 1, "10.0.0.6", 8080},
		{"proxy.contoso.local:3128", 1, "proxy.contoso.local", 3128},
		{"http://proxy:80/", 1, "proxy", 80},
		{"proxy", 1, "proxy", 80},
		{"[fd00::1]:8080", 1, "fd00::1", 8080},
		{"proxy :8080", 0, "", 0},
		{"proxy:80 80", 0, "", 0},
		{"proxy:99999", 0, "", 0},
		{"proxy:", 0, "", 0},
		{":8080", 0, "", 0},
		{"a:b:c", 0, "", 0},
		{"", 0, "", 0},
		{"pro\txy:1", 0, "", 0},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct dx_hostport hp;
		char err[100];
		int rc = dx_static_proxy_parse(rows[i].in, &hp, err, sizeof err);
		cr_assert_eq(rc == 0, rows[i].ok, "'%s': %s", rows[i].in, err);
		if (rows[i].ok) {
			cr_assert_str_eq(hp.host, rows[i].host);
			cr_assert_eq(hp.port, rows[i].port);
		} else {
			cr_assert_neq(err[0], 0);
		}
	}
}

Test(proxy, space_is_named_in_the_reason)
{
	struct dx_hostport hp;
	char err[100];
	cr_assert_eq(dx_static_proxy_parse("proxy :8080", &hp, err, sizeof err), -1);
	cr_assert(strstr(err, "space"), "%s", err);
}

Test(proxy, per_scheme_winhttp_entries)
{
	struct dx_hostport hp;
	cr_assert_eq(dx_winhttp_proxy_for("http=h1:80;https=h2:8443", "https", &hp), 0);
	cr_assert_str_eq(hp.host, "h2");
	cr_assert_eq(hp.port, 8443);
	cr_assert_eq(dx_winhttp_proxy_for("http=h1:80;https=h2:8443", "http", &hp), 0);
	cr_assert_str_eq(hp.host, "h1");
	cr_assert_eq(dx_winhttp_proxy_for("bare:3128", "https", &hp), 0);
	cr_assert_str_eq(hp.host, "bare");
	cr_assert_eq(dx_winhttp_proxy_for("ftp=x:21", "https", &hp), -1);
}

Test(proxy, bypass_list)
{
	const char *bl = "<local>;*.contoso.com; 10.* ,winatp-gw-*.microsoft.com";
	cr_assert(dx_bypass_match(bl, "intranet"));
	cr_assert(dx_bypass_match(bl, "a.contoso.com"));
	cr_assert(dx_bypass_match(bl, "WINATP-GW-CUS.microsoft.com"));
	cr_assert(dx_bypass_match(bl, "10.1.2.3"));
	cr_assert_not(dx_bypass_match(bl, "events.data.microsoft.com"));
	cr_assert_not(dx_bypass_match(bl, "contoso.com.evil"));
	cr_assert_not(dx_bypass_match("", "x"));
}

Test(proxy, hostile_bypass_pattern_is_fast)
{
	char pat[600], host[300];
	memset(pat, 0, sizeof pat);
	for (int i = 0; i < 290; i += 2)
		pat[i] = '*', pat[i + 1] = 'a';
	memset(host, 'a', 299);
	host[299] = 0;
	host[298] = 'b';
	cr_assert_not(dx_bypass_match(pat, host));
}

/* ---- destinations ---- */

static int count_cat(const struct dx_dest *d, int n, const char *cat)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		k += strcmp(d[i].category, cat) == 0;
	return k;
}

static const struct dx_dest *by_host(const struct dx_dest *d, int n, const char *host)
{
	for (int i = 0; i < n; i++)
		if (strcmp(d[i].host, host) == 0)
			return &d[i];
	return NULL;
}

Test(destinations, streamlined_eu_uses_the_device_dc)
{
	cJSON *j = load_destinations();
	struct dx_dest d[128];
	int n = dx_dest_select(j, 1, "EU", "weu", d, 128);
	const struct dx_dest *core = by_host(d, n, "edr-weu.eu.endpoint.security.microsoft.com");
	cr_assert_gt(n, 0);
	cr_assert(core, "no core host");
	cr_assert_eq(core->ncats, 5);
	cr_assert_eq(core->required, 1);
	cr_assert_null(by_host(d, n, "winatp-gw-weu.microsoft.com"));
	cr_assert_eq(count_cat(d, n, "cnc"), 1);
	cr_assert_gt(count_cat(d, n, "crl"), 0);
	cr_assert_eq(by_host(d, n, "crl.microsoft.com")->tls, 0);
	cr_assert_eq(by_host(d, n, "crl.microsoft.com")->port, 80);
	cJSON_Delete(j);
}

Test(destinations, streamlined_default_dc_per_geo)
{
	cJSON *j = load_destinations();
	struct dx_dest d[128];
	int n = dx_dest_select(j, 1, "UK", "", d, 128);
	cr_assert(by_host(d, n, "edr-uks.uk.endpoint.security.microsoft.com"));
	n = dx_dest_select(j, 1, "AU", "", d, 128);
	cr_assert(by_host(d, n, "edr-aue.au.endpoint.security.microsoft.com"));
	cJSON_Delete(j);
}

Test(destinations, standard_us_has_the_us_rows_only)
{
	cJSON *j = load_destinations();
	struct dx_dest d[128];
	int n = dx_dest_select(j, 0, "US", "", d, 128);
	cr_assert_eq(count_cat(d, n, "cnc"), 4);
	cr_assert(by_host(d, n, "winatp-gw-cus3.microsoft.com"));
	cr_assert_null(by_host(d, n, "winatp-gw-neu.microsoft.com"));
	cr_assert(by_host(d, n, "us-v20.events.data.microsoft.com"));
	cr_assert(by_host(d, n, "events.data.microsoft.com"));
	cr_assert_eq(count_cat(d, n, "autoir"), 4);
	cr_assert_null(by_host(d, n, "edr-cus.us.endpoint.security.microsoft.com"));
	cJSON_Delete(j);
}

Test(destinations, each_standard_region_gets_its_cnc)
{
	static const struct {
		const char *geo;
		int cnc;
		const char *host;
	} rows[] = {
		{"EU", 4, "winatp-gw-weu3.microsoft.com"},
		{"UK", 2, "winatp-gw-ukw.microsoft.com"},
		{"AU", 2, "winatp-gw-aus.microsoft.com"},
	};
	cJSON *j = load_destinations();
	for (size_t i = 0; i < 3; i++) {
		struct dx_dest d[128];
		int n = dx_dest_select(j, 0, rows[i].geo, "", d, 128);
		cr_assert_eq(count_cat(d, n, "cnc"), rows[i].cnc, "%s", rows[i].geo);
		cr_assert(by_host(d, n, rows[i].host), "%s", rows[i].host);
	}
	cJSON_Delete(j);
}

Test(destinations, unknown_mode_and_region_probe_both_lists_us_eu_uk)
{
	cJSON *j = load_destinations();
	struct dx_dest d[128];
	int n = dx_dest_select(j, -1, "", "", d, 128);
	cr_assert(by_host(d, n, "winatp-gw-cus.microsoft.com"));
	cr_assert(by_host(d, n, "winatp-gw-neu.microsoft.com"));
	cr_assert(by_host(d, n, "winatp-gw-uks.microsoft.com"));
	cr_assert_null(by_host(d, n, "winatp-gw-aue.microsoft.com"));
	cr_assert(by_host(d, n, "edr-cus.us.endpoint.security.microsoft.com"));
	cr_assert(by_host(d, n, "edr-neu.eu.endpoint.security.microsoft.com"));
	cr_assert(by_host(d, n, "edr-uks.uk.endpoint.security.microsoft.com"));
	/* WW rows appear once although both lists carry them */
	cr_assert_eq(count_cat(d, n, "smartscreen"), 4);
	cJSON_Delete(j);
}

Test(destinations, malformed_data_is_an_error)
{
	cJSON *j = cJSON_Parse("{\"geos\":{},\"destinations\":[{\"id\":\"x\"}]}");
	struct dx_dest d[4];
	cr_assert_eq(dx_dest_select(j, 0, "", "", d, 4), 0 - 0); /* no geo rows: nothing */
	cJSON_Delete(j);
	j = cJSON_Parse("{\"geos\":{},\"destinations\":[{\"id\":\"x\",\"geo\":\"WW\","
			"\"modes\":[\"standard\"]}]}");
	cr_assert_eq(dx_dest_select(j, 0, "", "", d, 4), -1);
	cJSON_Delete(j);
	cr_assert_eq(dx_dest_select(NULL, 0, "", "", d, 4), -1);
}

/* ---- --connect-to ---- */

Test(connect_to, parse_and_first_match_wins)
{
	struct dx_connect_to r[4];
	char addr[64] = "20.1.2.3";
	int port = 0;
	cr_assert_eq(dx_connect_to_parse("winatp-gw-cus.microsoft.com:443:127.0.0.1:9001", &r[0]),
		     0);
	cr_assert_eq(dx_connect_to_parse(":443:127.0.0.1:9002", &r[1]), 0);
	cr_assert_eq(dx_connect_to_parse("::[::1]:9003", &r[2]), 0);
	cr_assert_str_eq(r[2].addr, "::1");
	cr_assert_eq(r[1].port, 443);
	cr_assert_str_eq(r[1].host, "");
	cr_assert_eq(dx_connect_to_apply(r, 3, "WINATP-GW-CUS.microsoft.com", 443, addr,
					 sizeof addr, &port),
		     0);
	cr_assert_str_eq(addr, "127.0.0.1");
	cr_assert_eq(port, 9001);
	cr_assert_eq(dx_connect_to_apply(r, 3, "other", 443, addr, sizeof addr, &port), 1);
	cr_assert_eq(port, 9002);
	cr_assert_eq(dx_connect_to_apply(r, 3, "other", 80, addr, sizeof addr, &port), 2);
	cr_assert_eq(port, 9003);
	cr_assert_eq(dx_connect_to_apply(r, 2, "other", 80, addr, sizeof addr, &port), -1);
}

Test(connect_to, empty_target_keeps_address_or_port)
{
	struct dx_connect_to r;
	char addr[64] = "10.9.9.9";
	int port = 0;
	cr_assert_eq(dx_connect_to_parse("h:80::8080", &r), 0);
	cr_assert_eq(dx_connect_to_apply(&r, 1, "h", 80, addr, sizeof addr, &port), 0);
	cr_assert_str_eq(addr, "10.9.9.9");
	cr_assert_eq(port, 8080);
}

Test(connect_to, malformed_rules)
{
	static const char *bad[] = {
		"", "a", "a:1", "a:1:b", "a:x:b:1", "a:1:b:70000", "a:1:[::1:2", "a:1:b:2:c", NULL};
	for (int i = 0; bad[i]; i++) {
		struct dx_connect_to r;
		cr_assert_eq(dx_connect_to_parse(bad[i], &r), -1, "%s", bad[i]);
	}
}
