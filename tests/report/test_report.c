/* test_report.c - unit tests of the report writers, the catalogs and the
 * language choice, on synthetic models (no fixture, no network). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "catalog.h"
#include "checks.h"
#include "lang.h"
#include "report.h"
#include "utf8.h"

/* ---- helpers ------------------------------------------------------------ */

static struct dx_catalog load(const char *lang)
{
	struct dx_catalog cat;
	char err[256];
	cr_assert_eq(dx_catalog_load(&cat, lang, err, sizeof err), 0, "%s", err);
	return cat;
}

/* Renders with `fn` into a string the caller frees. */
static char *render(int (*fn)(FILE *, const cJSON *, const struct dx_catalog *), const cJSON *model,
		    const struct dx_catalog *cat)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert(f);
	cr_assert_eq(fn(f, model, cat), 0);
	fclose(f);
	return buf;
}

static cJSON *finding(cJSON *findings, const char *id, const char *variant, const char *sev)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "id", id);
	if (variant)
		cJSON_AddStringToObject(f, "variant", variant);
	cJSON_AddStringToObject(f, "severity", sev);
	cJSON_AddStringToObject(f, "title", "");
	cJSON_AddStringToObject(f, "detail", "");
	cJSON_AddStringToObject(f, "guidance", "");
	cJSON_AddItemToArray(findings, f);
	return cJSON_AddObjectToObject(f, "evidence");
}

/* A model of a device behind a TLS-inspecting proxy whose certificate
 * issuer and device strings are hostile. */
static cJSON *net_model(const char *issuer, const char *hostname)
{
	cJSON *m = cJSON_CreateObject(), *dev, *fs, *ev, *sum, *v;
	cJSON_AddStringToObject(m, "platform", "fake");
	cJSON_AddStringToObject(m, "source", "synthetic");
	cJSON_AddStringToObject(m, "generated_at", "2026-11-28T00:00:00Z");
	dev = cJSON_AddObjectToObject(m, "device");
	cJSON_AddStringToObject(dev, "hostname", hostname);
	cJSON_AddStringToObject(dev, "winhttp_proxy", "proxy.contoso.local:8080");
	cJSON_AddStringToObject(dev, "streamlined", "no");
	fs = cJSON_AddArrayToObject(m, "findings");
	ev = finding(fs, "net.tls-inspection", NULL, "error");
	cJSON_AddStringToObject(ev, "issuer", issuer);
	ev = finding(fs, "net.endpoint", "tls-intercepted", "error");
	cJSON_AddStringToObject(ev, "host", "winatp-gw-cus.microsoft.com");
	cJSON_AddNumberToObject(ev, "port", 443);
	cJSON_AddStringToObject(ev, "category", "cnc");
	cJSON_AddBoolToObject(ev, "required", 1);
	cJSON_AddStringToObject(ev, "result", "tls-intercepted");
	cJSON_AddStringToObject(ev, "issuer", issuer);
	cJSON_AddNumberToObject(ev, "dns_ms", 3);
	cJSON_AddNumberToObject(ev, "connect_ms", 1);
	cJSON_AddNumberToObject(ev, "tls_ms", 17);
	ev = finding(fs, "net.endpoint", "ok", "info");
	cJSON_AddStringToObject(ev, "host", "events.data.microsoft.com");
	cJSON_AddNumberToObject(ev, "port", 443);
	cJSON_AddStringToObject(ev, "category", "cyber");
	cJSON_AddBoolToObject(ev, "required", 1);
	cJSON_AddStringToObject(ev, "result", "ok");
	cJSON_AddNumberToObject(ev, "http_ms", 9);
	sum = cJSON_AddObjectToObject(m, "summary");
	cJSON_AddNumberToObject(sum, "error", 2);
	cJSON_AddNumberToObject(sum, "warning", 0);
	cJSON_AddNumberToObject(sum, "info", 1);
	v = cJSON_AddObjectToObject(m, "verdict");
	cJSON_AddStringToObject(v, "id", "net.tls-inspection");
	cJSON_AddStringToObject(v, "severity", "error");
	cJSON_AddStringToObject(v, "title",
				"TLS inspection intercepts Defender for Endpoint traffic");
	cJSON_AddStringToObject(v, "detail", issuer);
	cJSON_AddStringToObject(v, "next_step", "Exclude the destinations from decryption.");
	return m;
}

/* ---- catalogs ----------------------------------------------------------- */

Test(catalog, every_check_id_has_a_message_in_every_language)
{
	for (size_t l = 0; dx_langs[l]; l++) {
		struct dx_catalog cat = load(dx_langs[l]);
		for (size_t i = 0; i < dx_check_table_len; i++) {
			const char *t =
				dx_catalog_template(&cat, dx_check_table[i].id, "", "title");
			cr_expect(t && t[0], "%s: no title for %s", dx_langs[l],
				  dx_check_table[i].id);
			cr_expect(dx_catalog_template(&cat, dx_check_table[i].id, "", "detail") !=
					  NULL,
				  "%s: no detail for %s", dx_langs[l], dx_check_table[i].id);
			cr_expect(dx_catalog_template(&cat, dx_check_table[i].id, "", "guidance") !=
					  NULL,
				  "%s: no guidance for %s", dx_langs[l], dx_check_table[i].id);
		}
		dx_catalog_free(&cat);
	}
}

Test(catalog, every_english_message_exists_in_japanese)
{
	struct dx_catalog en = load("en"), ja = load("ja");
	const cJSON *m;
	int n = 0;
	cJSON_ArrayForEach(m, en.messages)
	{
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(ja.messages, m->string), *fld;
		cr_expect(j, "ja lacks %s", m->string);
		cJSON_ArrayForEach(fld, m)
		{
			const cJSON *jf = cJSON_GetObjectItemCaseSensitive(j, fld->string);
			if (cJSON_IsArray(fld)) /* "steps": one template per step */
				cr_expect(cJSON_IsArray(jf) &&
						  cJSON_GetArraySize(jf) == cJSON_GetArraySize(fld),
					  "ja %s.%s has not the same steps", m->string,
					  fld->string);
			else
				cr_expect(cJSON_IsString(jf), "ja %s lacks %s", m->string,
					  fld->string);
		}
		n++;
	}
	cr_assert_gt(n, 50);
	dx_catalog_free(&en);
	dx_catalog_free(&ja);
}

Test(catalog, ui_labels_fall_back_to_the_key)
{
	struct dx_catalog ja = load("ja");
	cr_expect_str_eq(dx_catalog_ui(&ja, "verdict_cause"), "最も可能性の高い原因");
	cr_expect_str_eq(dx_catalog_ui(&ja, "no-such-label"), "no-such-label");
	cr_expect_str_eq(dx_catalog_ui(NULL, "x"), "x");
	dx_catalog_free(&ja);
}

Test(catalog, unknown_language_is_an_error)
{
	struct dx_catalog cat;
	char err[128];
	cr_expect_neq(dx_catalog_load(&cat, "../messages-en", err, sizeof err), 0);
	cr_expect_neq(dx_catalog_load(&cat, "xx", err, sizeof err), 0);
}

/* ---- language choice ----------------------------------------------------- */

Test(lang, locale_names_map_to_catalogs)
{
	cr_expect_str_eq(dx_lang_from_locale("ja_JP.UTF-8"), "ja");
	cr_expect_str_eq(dx_lang_from_locale("ja"), "ja");
	cr_expect_str_eq(dx_lang_from_locale("ja-JP"), "ja");
	cr_expect_str_eq(dx_lang_from_locale("en_GB.UTF-8"), "en");
	cr_expect_str_eq(dx_lang_from_locale("C"), "en");
	cr_expect_str_eq(dx_lang_from_locale("POSIX"), "en");
	cr_expect_str_eq(dx_lang_from_locale("jam"), "en");
	cr_expect_str_eq(dx_lang_from_locale(""), "en");
	cr_expect_str_eq(dx_lang_from_locale(NULL), "en");
	cr_expect(dx_lang_supported("ja") && dx_lang_supported("en") && !dx_lang_supported("de"));
}

Test(lang, lc_all_wins_over_lang)
{
	setenv("LANG", "ja_JP.UTF-8", 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	cr_expect_str_eq(dx_lang_default(), "ja");
	setenv("LC_ALL", "C", 1);
	cr_expect_str_eq(dx_lang_default(), "en");
	setenv("LC_ALL", "", 1);
	setenv("LC_MESSAGES", "en_US.UTF-8", 1);
	cr_expect_str_eq(dx_lang_default(), "en");
}

/* ---- shared helpers ------------------------------------------------------ */

Test(utf8, invalid_bytes_decode_as_replacement)
{
	unsigned cp;
	cr_expect_eq(dx_utf8_decode("\xff", &cp), 1);
	cr_expect_eq(cp, 0xFFFD);
	cr_expect_eq(dx_utf8_decode("\xc0\xaf", &cp), 1); /* overlong '/' */
	cr_expect_eq(cp, 0xFFFD);
	cr_expect_eq(dx_utf8_decode("\xed\xa0\x80", &cp), 1); /* surrogate */
	cr_expect_eq(cp, 0xFFFD);
	cr_expect_eq(dx_utf8_decode("\xe3\x81\x82", &cp), 3);
	cr_expect_eq(cp, 0x3042);
	cr_expect_eq(dx_display_width("あいa"), 5);
	cr_expect(dx_cp_unsafe(0x1b) && dx_cp_unsafe(0x9b) && dx_cp_unsafe(0x202e));
	cr_expect(!dx_cp_unsafe('\n') && !dx_cp_unsafe(0x3042));
}

Test(section, check_ids_map_to_the_article_sections)
{
	cr_expect_str_eq(dx_check_section("sense.stopped"), "sense");
	cr_expect_str_eq(dx_check_section("net.endpoint"), "connectivity");
	cr_expect_str_eq(dx_check_section("agent.signatures"), "agents");
	cr_expect_str_eq(dx_check_section("no.such-id"), "other");
}

/* ---- HTML ----------------------------------------------------------------- */

Test(html, connectivity_table_shows_escaped_issuer_and_timings)
{
	struct dx_catalog cat = load("en");
	cJSON *m = net_model("CN=Evil <script>alert(1)</script> \"CA\" & Co", "PC-01");
	char *html = render(dx_report_html, m, &cat);
	cr_expect(strstr(html, "id=\"connectivity-table\""));
	cr_expect(strstr(html,
			 "CN=Evil &lt;script&gt;alert(1)&lt;/script&gt; &quot;CA&quot; &amp; Co"));
	cr_expect_null(strstr(html, "<script"));
	cr_expect(strstr(html, "<td class=\"num\">17</td>"), "TLS timing missing");
	/* a host name wraps only after a dot, never inside a label */
	cr_expect(strstr(html, "winatp-gw-cus.<wbr>microsoft.<wbr>com:443"));
	/* the timing headers on one line, not one character a line */
	cr_expect(strstr(html, "#connectivity-table th.num{white-space:nowrap}") ||
		  strstr(html, ",#connectivity-table th.num{white-space:nowrap}"));
	/* errors first: the intercepted destination precedes the ok one */
	cr_expect_lt(strstr(html, "winatp-gw-cus") - html, strstr(html, "events.data") - html);
	free(html);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

Test(html, category_is_the_section_the_model_names)
{
	struct dx_catalog cat = load("en");
	cJSON *m = net_model("x", "PC-01");
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(m, "findings");
	/* the writer trusts the model, not the check table: a section unlike
	 * the ID's shows as given; none, or one the catalog does not know,
	 * shows as Other */
	cJSON_AddStringToObject(cJSON_GetArrayItem(fs, 0), "section", "antivirus");
	cJSON_AddStringToObject(cJSON_GetArrayItem(fs, 1), "section", "<b>bogus</b>");
	char *html = render(dx_report_html, m, &cat);
	const char *results = strstr(html, "id=\"detailed-results\"");
	cr_assert(results);
	cr_expect(strstr(results, "<td>Defender Antivirus</td>"), "%s", results);
	cr_expect_null(strstr(results, "<td>Connectivity</td>"));
	cr_expect_null(strstr(results, "bogus"));
	cr_expect(strstr(results, "<td>Other</td>"));
	free(html);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

Test(html, no_connectivity_table_without_endpoint_findings)
{
	struct dx_catalog cat = load("en");
	cJSON *m = net_model("x", "PC-01");
	cJSON *fs = cJSON_GetObjectItemCaseSensitive(m, "findings");
	cJSON_DeleteItemFromArray(fs, 2);
	cJSON_DeleteItemFromArray(fs, 1);
	char *html = render(dx_report_html, m, &cat);
	cr_expect_null(strstr(html, "id=\"connectivity-table\""));
	free(html);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

Test(html, controls_bidi_and_invalid_bytes_are_neutralised)
{
	struct dx_catalog cat = load("ja");
	cJSON *m = net_model("ok", "PC\x1b[31m\x07\xe2\x80\xae\xff<b>");
	char *html = render(dx_report_html, m, &cat);
	cr_expect_null(strstr(html, "\x1b"));
	cr_expect_null(strstr(html, "\x07"));
	cr_expect_null(strstr(html, "\xe2\x80\xae"));
	cr_expect_null(strstr(html, "\xff"));
	cr_expect(strstr(html, "PC&#xFFFD;[31m&#xFFFD;&#xFFFD;&#xFFFD;&lt;b&gt;"));
	cr_expect(strstr(html, "<html lang=\"ja\">"));
	free(html);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

/* ---- Intune ---------------------------------------------------------------- */

Test(intune, one_line_within_the_limit_even_with_huge_values)
{
	struct dx_catalog cat = load("ja");
	char *big = malloc(20001);
	for (int i = 0; i < 20000; i += 4)
		memcpy(big + i,
		       i % 8 ? "|\n\x1b"
			       "a"
			     : "\xe3\x81\x82|",
		       4);
	big[20000] = '\0';
	cJSON *m = net_model(big, big);
	char *line = render(dx_report_intune, m, &cat);
	size_t n = strlen(line);
	cr_expect_leq(n, DX_INTUNE_MAX);
	cr_expect_eq(line[n - 1], '\n');
	cr_expect_null(strchr(line, '\x1b'));
	cr_expect_eq(strchr(line, '\n'), line + n - 1);
	/* cut on a character boundary: the byte before "\n" ends a sequence */
	unsigned cp;
	const char *p = line;
	while (*p && *p != '\n') {
		p += dx_utf8_decode(p, &cp);
		cr_expect_neq(cp, 0xFFFD, "invalid UTF-8 at %ld", (long)(p - line));
		if (cp == 0xFFFD)
			break;
	}
	cr_expect(strncmp(line, "ERROR net.tls-inspection: ", 26) == 0);
	free(line);
	free(big);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

/* ---- text ------------------------------------------------------------------ */

static int text_writer_ja(FILE *f, const cJSON *m, const struct dx_catalog *cat)
{
	struct dx_text_opts o = {80, 0, 1};
	return dx_report_text_opts(f, m, cat, &o);
}

Test(text, japanese_wraps_within_80_columns)
{
	struct dx_catalog cat = load("ja");
	cJSON *m = net_model("発行者"
			     "がとても長い名前を持つ証明書で、"
			     "途中に空白がありません。"
			     "発行者がとても長い名前を持つ証明書で、途中に空白がありません。"
			     "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQ"
			     "RSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ",
			     "ホスト");
	char *text = render(text_writer_ja, m, &cat);
	int lines = 0;
	for (char *save, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		cr_expect_leq(dx_display_width(l), 80, "too wide: %s", l);
		lines++;
	}
	cr_expect_gt(lines, 5);
	free(text);
	cJSON_Delete(m);
	dx_catalog_free(&cat);
}

/* ---- progress ---------------------------------------------------------------- */

Test(progress, silent_unless_enabled, .init = cr_redirect_stderr)
{
	dx_progress_enable(0);
	dx_progress("probing %d destinations", 12);
	dx_progress_done();
	fflush(stderr);
	cr_expect_stderr_eq_str("");
}

Test(progress, one_line_rewritten_in_place_and_erased, .init = cr_redirect_stderr)
{
	dx_progress_enable(1);
	dx_progress("probing %s", "a\x1b[2Jb");
	dx_progress_done();
	fflush(stderr);
	cr_expect_stderr_eq_str("\r\033[Kprobing a?[2Jb\r\033[K");
}

/* ---- value words ------------------------------------------------------------- */

Test(values, enumerated_words_are_said_in_the_catalog_language)
{
	struct dx_catalog cat = load("ja");
	cJSON *ev = cJSON_Parse(
		"{\"s\":\"STOPPED\",\"m\":\"script-gpo-mecm\",\"c\":\"present, empty\","
		"\"x\":\"present, C:\\\\path\",\"e\":\"\",\"b\":true,\"p\":\"C:\\\\Windows\"}");
	char *r = dx_catalog_render_template(&cat, "{s}|{m}|{c}|{x}|{e}|{b}|{p}", ev);
	cr_expect_str_eq(r,
			 "停止|スクリプト、グループ ポリシーまたは Configuration Manager|あり、空|"
			 "present, C:\\path|(空)|はい|C:\\Windows");
	free(r);
	/* without a catalog, values stay as they are */
	r = dx_render_template("{s}|{e}|{b}", ev);
	cr_expect_str_eq(r, "STOPPED||yes");
	free(r);
	cr_expect_str_eq(dx_catalog_value(&cat, "tls-intercepted"), "TLS(SSL) インスペクション");
	const char *raw = "C:\\nothing";
	cr_expect(dx_catalog_value(&cat, raw) == raw);
	cJSON_Delete(ev);
	dx_catalog_free(&cat);
}

/* ---- console writer (the seam of the Windows console) ------------------------ */

#include "console.h"

struct fake_console {
	unsigned short units[3 * DX_CONSOLE_CHUNK];
	size_t n, calls, max_call;
	int fail_at; /* the call that fails, 1-based; 0 never */
};

static int fake_write(void *ctx, const unsigned short *w, size_t n)
{
	struct fake_console *c = ctx;
	c->calls++;
	if (c->fail_at && (int)c->calls == c->fail_at)
		return -1;
	cr_assert_leq(c->n + n, sizeof c->units / sizeof c->units[0]);
	memcpy(c->units + c->n, w, n * sizeof *w);
	c->n += n;
	if (n > c->max_call)
		c->max_call = n;
	return 0;
}

Test(console, utf8_becomes_utf16_with_pairs_and_replacement)
{
	static struct fake_console c;
	struct dx_console_writer w = {fake_write, &c};
	/* 診断 (BMP), U+1F600 (a pair), an invalid byte, a NUL kept, "\n" */
	static const char s[] = "A\xe8\xa8\xba\xe6\x96\xad\xf0\x9f\x98\x80\xff"
				"\0"
				"\n";
	memset(&c, 0, sizeof c);
	cr_assert_eq(dx_console_write_utf8(&w, s, sizeof s - 1), 0);
	static const unsigned short want[] = {'A', 0x8A3A, 0x65AD, 0xD83D, 0xDE00, 0xFFFD, 0, '\n'};
	cr_assert_eq(c.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < c.n; i++)
		cr_expect_eq(c.units[i], want[i], "unit %zu: %04x, want %04x", i, c.units[i],
			     want[i]);
}

Test(console, a_truncated_sequence_at_the_end_is_one_replacement)
{
	static struct fake_console c;
	struct dx_console_writer w = {fake_write, &c};
	memset(&c, 0, sizeof c);
	cr_assert_eq(dx_console_write_utf8(&w, "x\xe8\xa8", 3), 0);
	cr_assert_geq(c.n, 2);
	cr_expect_eq(c.units[0], 'x');
	cr_expect_eq(c.units[1], 0xFFFD);
}

Test(console, long_text_is_chunked_without_splitting_a_pair)
{
	static struct fake_console c;
	static char s[4 * (DX_CONSOLE_CHUNK + 3)];
	struct dx_console_writer w = {fake_write, &c};
	size_t n = 0;
	memset(&c, 0, sizeof c);
	s[n++] = 'a'; /* shifts the pairs so one straddles the chunk boundary */
	while (n + 4 <= sizeof s)
		memcpy(s + n, "\xf0\x9f\x98\x80", 4), n += 4;
	cr_assert_eq(dx_console_write_utf8(&w, s, n), 0);
	cr_expect_gt(c.calls, 1);
	cr_expect_leq(c.max_call, DX_CONSOLE_CHUNK);
	cr_expect_eq(c.n, 1 + 2 * ((n - 1) / 4));
	for (size_t i = 1; i < c.n; i += 2)
		cr_assert(c.units[i] == 0xD83D && c.units[i + 1] == 0xDE00, "pair split at %zu", i);
}

Test(console, a_failed_write_is_reported)
{
	static struct fake_console c;
	static char s[3 * DX_CONSOLE_CHUNK];
	struct dx_console_writer w = {fake_write, &c};
	memset(&c, 0, sizeof c);
	memset(s, 'x', sizeof s);
	c.fail_at = 2;
	cr_expect_eq(dx_console_write_utf8(&w, s, sizeof s), -1);
}

Test(console, not_a_console_on_this_system)
{
	/* pipes, files and Unix terminals get bytes: no console, no buffer */
	FILE *f = tmpfile();
	cr_assert_not_null(f);
	cr_expect_eq(dx_console_is(f), 0);
	cr_expect_null(dx_console_buffer(f));
	cr_expect_eq(dx_console_vt(f), 0); /* a file interprets nothing */
	cr_expect_eq(dx_console_put(f, "日本", strlen("日本")), 0);
	fflush(f);
	cr_expect_eq(ftell(f), (long)strlen("日本"));
	fclose(f);
}
