/* test_report.c - the JSON model, the catalog and the text report. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include <stdio.h>
#include "helpers.h"
#include "report.h"
#include "utf8.h"

static char *render(const char *device, int json)
{
	struct run r;
	struct dx_catalog cat;
	char err[256], *buf = NULL;
	size_t len = 0;
	run_device(&r, device);
	cr_assert_eq(dx_catalog_load(&cat, "en", err, sizeof err), 0, "%s", err);
	struct dx_report_meta meta = {"fake", device, 0};
	cJSON *m = dx_report_model(&r.c, &cat, &meta);
	cr_assert_not_null(m);
	FILE *f = open_memstream(&buf, &len);
	/* the text writer as main() calls it: 80 columns, no colour, summary */
	struct dx_text_opts o = {80, 0, 0};
	cr_assert_eq(json ? dx_report_json(f, m) : dx_report_text_opts(f, m, &cat, &o), 0);
	fclose(f);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
	run_free(&r);
	return buf;
}

Test(report, json_is_deterministic_and_has_the_contract_fields)
{
	char *a = render("sense-stopped-event15", 1), *b = render("sense-stopped-event15", 1);
	cr_expect_str_eq(a, b);
	cJSON *j = cJSON_Parse(a);
	cr_assert_not_null(j);
	const cJSON *v = cJSON_GetObjectItem(j, "verdict");
	cr_expect_str_eq(cJSON_GetObjectItem(v, "id")->valuestring, "onboarding.event");
	cr_expect_str_eq(cJSON_GetObjectItem(v, "variant")->valuestring, "15");
	cr_expect(strstr(cJSON_GetObjectItem(v, "next_step")->valuestring, "ELAM") != NULL);
	const cJSON *fs = cJSON_GetObjectItem(j, "findings");
	cr_assert(cJSON_IsArray(fs));
	const cJSON *f;
	cJSON_ArrayForEach(f, fs)
	{
		cr_expect(cJSON_IsString(cJSON_GetObjectItem(f, "id")));
		cr_expect(cJSON_IsString(cJSON_GetObjectItem(f, "severity")));
		cr_expect(cJSON_IsObject(cJSON_GetObjectItem(f, "evidence")));
		cr_expect(strlen(cJSON_GetObjectItem(f, "title")->valuestring) > 0,
			  "%s has no title", cJSON_GetObjectItem(f, "id")->valuestring);
		cr_expect(strchr(cJSON_GetObjectItem(f, "detail")->valuestring, '{') == NULL,
			  "unfilled template");
	}
	const cJSON *dev = cJSON_GetObjectItem(j, "device");
	cr_expect_str_eq(cJSON_GetObjectItem(dev, "hostname")->valuestring, "PC-EV15-01");
	cr_expect_str_eq(cJSON_GetObjectItem(j, "generated_at")->valuestring,
			 "2026-11-20T09:00:00Z");
	cJSON_Delete(j);
	free(a);
	free(b);
}

Test(report, text_fits_80_columns_and_leads_with_the_verdict)
{
	char *t = render("sense-missing-win11-24h2", 0);
	cr_expect(strstr(t, "VERDICT [error] sense.missing.win11-capability") != NULL);
	cr_expect(strstr(t, "NEXT STEP") != NULL);
	/* the command stands alone, unwrapped, and is the last line */
	static const char cmd[] = "    DISM /online /Add-Capability "
				  "/CapabilityName:Microsoft.Windows.Sense.Client~~~~\n";
	cr_expect(strlen(t) > sizeof cmd && strcmp(t + strlen(t) - (sizeof cmd - 1), cmd) == 0,
		  "the command is not the last line");
	for (char *line = t; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);
		if (strncmp(line, cmd, sizeof cmd - 1))
			cr_expect_leq(n, 80, "line too long: %.*s", (int)n, line);
		line = nl ? nl + 1 : NULL;
	}
	free(t);
}

Test(report, every_check_id_has_an_english_title)
{
	struct dx_catalog cat;
	char err[256];
	cr_assert_eq(dx_catalog_load(&cat, "en", err, sizeof err), 0);
	for (size_t i = 0; i < dx_check_table_len; i++) {
		const char *id = dx_check_table[i].id;
		if (strncmp(id, "net.", 4) == 0)
			continue; /* the connectivity catalog comes with the probe */
		cr_expect_not_null(dx_catalog_template(&cat, id, NULL, "title"), "%s has no title",
				   id);
	}
	dx_catalog_free(&cat);
}

Test(report, templates_fill_from_evidence_and_bound_output)
{
	cJSON *ev = cJSON_Parse("{\"a\": \"x\", \"n\": 5, \"b\": true, \"l\": [\"p\", 2]}");
	char *s = dx_render_template("{a}-{n}-{b}-{l}-{missing}-{", ev);
	cr_expect_str_eq(s, "x-5-yes-p; 2-?-{");
	free(s);
	cJSON_Delete(ev);
}

Test(report, invalid_utf8_in_evidence_becomes_replacement_chars)
{
	char *c = dx_utf8_clean("ok\xff\xc3(\xe2\x82\xac");
	cr_expect_str_eq(c, "ok\xEF\xBF\xBD\xEF\xBF\xBD(\xe2\x82\xac");
	free(c);
}

Test(report, reonboard_steps_come_from_the_catalog_in_each_language)
{
	struct run r;
	struct dx_catalog en, ja;
	char err[256];
	run_device(&r, "healthy-win11");
	rerun_as_if_network_ok(&r); /* the plan needs every check to have run */
	cr_assert_eq(dx_catalog_load(&en, "en", err, sizeof err), 0);
	cr_assert_eq(dx_catalog_load(&ja, "ja", err, sizeof err), 0);
	struct dx_report_meta meta = {"fake", "healthy-win11", 0};
	cJSON *m[2] = {dx_report_model(&r.c, &en, &meta), dx_report_model(&r.c, &ja, &meta)};
	for (int i = 0; i < 2; i++) {
		const cJSON *steps = cJSON_GetObjectItem(
			cJSON_GetObjectItem(cJSON_GetObjectItem(m[i], "verdict"), "evidence"),
			"steps");
		/* healthy-win11: the Cyber folder is empty, the identity key and
		 * the anti-spoofing value are absent: of the 8 steps, those
		 * deleting the files and the key are left out, and the values'
		 * step deletes senseGuid only (issue 21) */
		cr_assert(cJSON_IsArray(steps) && cJSON_GetArraySize(steps) == 6, "%d steps",
			  cJSON_GetArraySize(steps));
		const char *s5 = cJSON_GetArrayItem(steps, 4)->valuestring;
		cr_expect(strstr(s5, "reg.exe delete \"HKLM\\SOFTWARE\\Microsoft\\Windows Advanced "
				     "Threat Protection\" /v senseGuid /f") != NULL,
			  "%s", s5);
		for (int k = 0; k < cJSON_GetArraySize(steps); k++) {
			const char *sk = cJSON_GetArrayItem(steps, k)->valuestring;
			cr_expect(strchr(sk, '{') == NULL, "unfilled template: %s", sk);
			cr_expect(strstr(sk, "del /q") == NULL && strstr(sk, "48A68F11") == NULL &&
					  strstr(sk, "7DC0B629") == NULL,
				  "deletes what is absent: %s", sk);
		}
	}
	cr_expect(strstr(cJSON_GetArrayItem(
				 cJSON_GetObjectItem(
					 cJSON_GetObjectItem(cJSON_GetObjectItem(m[1], "verdict"),
							     "evidence"),
					 "steps"),
				 4)
				 ->valuestring,
			 "レジストリ値を削除します") != NULL);
	cJSON_Delete(m[0]);
	cJSON_Delete(m[1]);
	dx_catalog_free(&en);
	dx_catalog_free(&ja);
	run_free(&r);
}

Test(report, device_block_has_the_client_analyzer_identity_fields)
{
	char *a = render("healthy-win11", 1);
	cJSON *j = cJSON_Parse(a);
	const cJSON *dev = cJSON_GetObjectItem(j, "device");
	const cJSON *av = cJSON_GetObjectItem(dev, "defender_av");
	cr_expect_str_eq(cJSON_GetObjectItem(dev, "architecture")->valuestring, "AMD64");
	cr_expect_str_eq(cJSON_GetObjectItem(dev, "device_id")->valuestring,
			 "8f2c1e0d9b7a6c5e4d3f2a1b0c9e8d7f6a5b4c3d");
	cr_expect_str_eq(cJSON_GetObjectItem(av, "mode")->valuestring, "active");
	cr_expect_str_eq(cJSON_GetObjectItem(av, "tamper_protection")->valuestring, "on");
	cJSON_Delete(j);
	free(a);
}

Test(report, every_finding_carries_its_article_section)
{
	char *a = render("sense-stopped-event15", 1);
	cJSON *j = cJSON_Parse(a);
	cr_assert_not_null(j);
	const cJSON *f;
	int n = 0;
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(j, "findings"))
	{
		const char *id = cJSON_GetObjectItem(f, "id")->valuestring;
		const cJSON *s = cJSON_GetObjectItem(f, "section");
		cr_assert(cJSON_IsString(s), "%s has no section", id);
		cr_expect_str_eq(s->valuestring, dx_check_section(id), "%s", id);
		n++;
	}
	cr_expect_gt(n, 3);
	/* the verdict names its cause's section */
	const cJSON *v = cJSON_GetObjectItem(j, "verdict");
	cr_expect_str_eq(cJSON_GetObjectItem(v, "section")->valuestring, "sense");
	cJSON_Delete(j);
	free(a);
}

/* A finding that names an advice entry (net.advice/KIND) takes its
 * guidance and command from there, in each language, and keeps its own
 * title; without the member, or when the entry lacks a field, its own. */
Test(report, advice_gives_the_next_step_of_the_failure_kind)
{
	struct dx_catalog en, ja;
	char err[256];
	cr_assert_eq(dx_catalog_load(&en, "en", err, sizeof err), 0);
	cr_assert_eq(dx_catalog_load(&ja, "ja", err, sizeof err), 0);
	cJSON *dns = cJSON_Parse(
		"{\"advice\": \"net.advice/dns\", \"failed_host\": \"winatp-gw-cus.microsoft.com\","
		" \"failed_result\": \"dns\"}");
	cJSON *proxy =
		cJSON_Parse("{\"advice\": \"net.advice/proxy-static\", \"proxy\": \"p:8080\"}");
	char *c = dx_catalog_render_ev(&en, "net.edr-cnc", "failed", "command", dns);
	cr_expect_str_eq(c, "powershell.exe -NoProfile -Command \"Resolve-DnsName -Name "
			    "winatp-gw-cus.microsoft.com\"");
	free(c);
	c = dx_catalog_render_ev(&ja, "net.edr-cnc", "failed", "guidance", dns);
	cr_expect(strstr(c, "winatp-gw-cus.microsoft.com をこのデバイスで名前解決できません") !=
			  NULL,
		  "%s", c);
	free(c);
	cJSON *noadv = cJSON_Duplicate(dns, 1);
	cJSON_DeleteItemFromObject(noadv, "advice");
	c = dx_catalog_render_ev(&en, "net.edr-cnc", "failed", "title", dns);
	char *own = dx_catalog_render_ev(&en, "net.edr-cnc", "failed", "title", noadv);
	cr_expect_str_eq(c, own);
	free(c);
	c = dx_catalog_render_ev(&en, "net.edr-cnc", "failed", "command", noadv);
	cr_expect(strstr(c, "Resolve-DnsName") == NULL, "%s", c);
	free(c);
	free(own);
	cJSON_Delete(noadv);
	/* the proxy kinds change the command only */
	c = dx_catalog_render_ev(&en, "net.proxy.auth-required", "", "command", proxy);
	cr_expect(strstr(c, "/v TelemetryProxyServer") != NULL, "%s", c);
	free(c);
	char *g = dx_catalog_render_ev(&en, "net.proxy.auth-required", "", "guidance", proxy);
	char *g0 = dx_catalog_render_ev(&en, "net.proxy.auth-required", "", "guidance", NULL);
	cr_expect_str_eq(g, g0);
	free(g);
	free(g0);
	cJSON_Delete(dns);
	cJSON_Delete(proxy);
	dx_catalog_free(&en);
	dx_catalog_free(&ja);
}
