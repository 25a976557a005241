/* test_check_pac.c - net.pac.os-disagrees: when Windows' own auto-proxy and
 * mdediag's evaluator choose different first routes for the same PAC file,
 * and only then (check_pac.c, from hand-made observations). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "check_pac.h"

static struct dx_ctx C;
static struct dx_wpad_state W;

static void setup(void)
{
	memset(&C, 0, sizeof C);
	memset(&W, 0, sizeof W);
	W.stage = DX_WPAD_READY;
	snprintf(W.w.url, sizeof W.w.url, "http://wpad.contoso.local/wpad.dat");
	snprintf(W.w.method, sizeof W.w.method, "dns");
}

static void teardown(void)
{
	dx_findings_free(&C.findings);
}

TestSuite(check_pac, .init = setup, .fini = teardown);

/* One destination routed by WPAD: ours answered `pac`, the OS `os`. */
static struct dx_pac_obs obs(const char *host, const char *pac, const char *os)
{
	struct dx_pac_obs o = {host, 1, 1, "wpad", 0, "", DX_PR_OK, pac, DX_PAC_OK, "", "", os};
	return o;
}

static const char *ev(const struct dx_finding *f, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(f->evidence, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

Test(check_pac, the_same_first_route_is_no_disagreement)
{
	struct dx_pac_obs o[] = {
		/* host case, a later entry, the default port, a SOCKS entry
		 * WinHTTP skips: the same route */
		obs("a.example", "PROXY Proxy.Contoso.local:8080; DIRECT",
		    "PROXY proxy.contoso.local:8080"),
		obs("b.example", "SOCKS s:1080; PROXY p.example", "PROXY p.example:80"),
		obs("c.example", "DIRECT", "DIRECT"),
		obs("d.example", "PROXY x:1", ""), /* the OS was not asked */
	};
	dx_check_pac(&C, &W, o, 4);
	cr_expect_null(dx_find(&C.findings, "net.pac.os-disagrees"));
}

Test(check_pac, a_different_first_route_names_the_hosts)
{
	struct dx_pac_obs o[] = {
		obs("a.example", "PROXY legacy:3128", "PROXY corp:8080"),
		obs("b.example", "DIRECT", "DIRECT"),
		obs("c.example", "DIRECT", "PROXY corp:8080"),
	};
	dx_check_pac(&C, &W, o, 3);
	const struct dx_finding *f = dx_find(&C.findings, "net.pac.os-disagrees");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev(f, "host"), "a.example");
	cr_expect_str_eq(ev(f, "os_answer"), "PROXY corp:8080");
	cr_expect_str_eq(ev(f, "pac_answer"), "PROXY legacy:3128");
	const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(f->evidence, "hosts");
	cr_assert(cJSON_IsArray(hosts));
	cr_expect_eq(cJSON_GetArraySize(hosts), 2);
	cr_expect_str_eq(cJSON_GetArrayItem(hosts, 1)->valuestring, "c.example");
}

/* Our evaluator failed where the OS answered: a disagreement, saying so. */
Test(check_pac, our_failure_against_an_os_answer)
{
	struct dx_pac_obs o[] = {obs("a.example", "", "PROXY corp:8080")};
	o[0].pac_rc = DX_PAC_RUNTIME;
	dx_check_pac(&C, &W, o, 1);
	const struct dx_finding *f = dx_find(&C.findings, "net.pac.os-disagrees");
	cr_assert_not_null(f);
	cr_expect_str_eq(ev(f, "pac_answer"), "(failed: runtime)");
}

/* The file could not be downloaded here but the OS ran it. */
Test(check_pac, a_script_mdediag_could_not_fetch)
{
	struct dx_pac_obs o[] = {obs("a.example", "", "PROXY corp:8080")};
	o[0].route_source = "direct";
	W.stage = DX_WPAD_UNREACHABLE;
	snprintf(W.error, sizeof W.error, "cannot connect");
	dx_check_pac(&C, &W, o, 1);
	const struct dx_finding *f = dx_find(&C.findings, "net.pac.os-disagrees");
	cr_assert_not_null(f);
	cr_expect(strstr(ev(f, "pac_answer"), "could not run the script: cannot connect") != NULL,
		  "%s", ev(f, "pac_answer"));
}
