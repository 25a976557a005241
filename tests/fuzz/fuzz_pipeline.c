/* fuzz_pipeline.c - the whole run on a fixture: load, every check (no
 * network), the report model, and every report format, with each format's
 * output contract asserted:
 *   JSON    parses, all of it, and is UTF-8;
 *   HTML    is UTF-8 and has no live markup from device strings: every tag
 *           and attribute is one the renderer writes, links are in-page;
 *   Intune  is one line of at most DX_INTUNE_MAX bytes, newline included;
 *   text    has no control character other than newline (colour off), in
 *           the summary and with --verbose (every finding's evidence).
 * The input's length picks the language (en, ja) so both catalogs run. */
#include "fuzz.h"
#include "catalog.h"
#include "checks.h"
#include "data.h"
#include "fixture.h"
#include "platform.h"
#include "report.h"
#include "html_tags.h" /* generated: the renderer's own tags and attributes */

static struct dx_data data;
static struct dx_catalog cats[2];
static int ready;

static size_t utf8_bad(const char *s, size_t n) /* 0, or 1 + offset */
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i], k, min, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			k = 1;
			min = 0x80;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			k = 2;
			min = 0x800;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			k = 3;
			min = 0x10000;
			cp = c & 0x07;
		} else
			return i + 1;
		for (unsigned j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xc0) != 0x80)
				return i + 1;
			cp = cp << 6 | (p[i + j] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i + 1;
		i += k + 1;
	}
	return 0;
}

static int in_list(const char *name, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && strncmp(*list, name, len) == 0)
			return 1;
	return 0;
}

/* 0, or 1 + the offset of a C0 control other than newline, DEL or a C1
 * control (U+0080..U+009F, bytes C2 80..C2 9F) in valid UTF-8. */
static size_t control_at(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\n') || c == 0x7f ||
		    (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] <= 0x9f))
			return i + 1;
	}
	return 0;
}

/* Every '<' opens a tag the renderer writes, with attributes it writes
 * (both read from diag/report_html.c at build time). */
static void html_check(const char *h, size_t n)
{
	static const char doctype[] = "<!DOCTYPE html>";
	FUZZ_ASSERT(n >= sizeof doctype - 1 && memcmp(h, doctype, sizeof doctype - 1) == 0,
		    "no doctype");
	for (size_t i = sizeof doctype - 1; i < n; i++) {
		if (h[i] != '<')
			continue;
		size_t j = i + 1;
		if (j < n && h[j] == '/')
			j++;
		size_t t0 = j;
		while (j < n && ((h[j] >= 'a' && h[j] <= 'z') || (h[j] >= '0' && h[j] <= '9')))
			j++;
		FUZZ_ASSERT(in_list(h + t0, j - t0, html_tags), "live markup at byte %zu: %.40s", i,
			    h + i);
		for (;;) { /* attributes: ' name="value"' */
			FUZZ_ASSERT(j < n, "tag not closed at byte %zu", i);
			if (h[j] == '>')
				break;
			if (h[j] == '/' && j + 1 < n && h[j + 1] == '>') {
				j++;
				break;
			}
			FUZZ_ASSERT(h[j] == ' ', "odd tag at byte %zu: %.40s", i, h + i);
			size_t a0 = ++j;
			while (j < n && ((h[j] >= 'a' && h[j] <= 'z') || h[j] == '-'))
				j++;
			FUZZ_ASSERT(in_list(h + a0, j - a0, html_attrs),
				    "attribute at byte %zu: %.40s", a0, h + a0);
			FUZZ_ASSERT(j + 1 < n && h[j] == '=' && h[j + 1] == '"',
				    "attribute form at %zu", j);
			size_t v0 = j + 2;
			const char *q = memchr(h + v0, '"', n - v0);
			FUZZ_ASSERT(q, "attribute value not closed at %zu", v0);
			FUZZ_ASSERT(!memchr(h + v0, '<', (size_t)(q - h) - v0),
				    "'<' in an attribute");
			if (j - a0 == 4 && strncmp(h + a0, "href", 4) == 0)
				FUZZ_ASSERT(h[v0] == '#', "link out of the page: %.40s", h + v0);
			j = (size_t)(q - h) + 1;
		}
		i = j;
	}
}

typedef int (*writer)(FILE *out, const cJSON *model, const struct dx_catalog *cat);

static char *render(const cJSON *model, const struct dx_catalog *cat, int fmt, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f)
		abort();
	int rc;
	switch (fmt) {
	case 0: rc = dx_report_json(f, model); break;
	case 1: rc = dx_report_html(f, model, cat); break;
	case 2: rc = dx_report_intune(f, model, cat); break;
	default: {
		struct dx_text_opts o = {80, 0, fmt == 4}; /* 3: summary, 4: --verbose */
		rc = dx_report_text_opts(f, model, cat, &o);
	}
	}
	FUZZ_ASSERT(fclose(f) == 0 && rc == 0, "format %d: writer failed", fmt);
	return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t size)
{
	char err[1024];
	if (!ready) {
		if (dx_data_load(&data, NULL, err, sizeof err) ||
		    dx_catalog_load(&cats[0], "en", err, sizeof err) ||
		    dx_catalog_load(&cats[1], "ja", err, sizeof err)) {
			fprintf(stderr, "%s\n", err);
			abort();
		}
		ready = 1;
	}
	struct dx_fixture *fx = dx_fixture_parse((const char *)d, size, "f", err, sizeof err);
	if (!fx)
		return 0;
	struct dx_platform p;
	if (dx_platform_fixture_open(&p, fx)) {
		dx_fixture_free(fx);
		return 0;
	}
	struct dx_options opt = {.no_network = 1, .fixture_mode = 1};
	struct dx_ctx c;
	memset(&c, 0, sizeof c);
	c.p = &p;
	c.opt = &opt;
	c.data = &data;
	dx_run_checks(&c);
	const struct dx_catalog *cat = &cats[size & 1];
	struct dx_report_meta meta = {"fake", "f", 0};
	cJSON *model = dx_report_model(&c, cat, &meta);
	FUZZ_ASSERT(model, "no model");

	size_t len, bad;
	char *out = render(model, cat, 0, &len);
	const char *end = NULL;
	cJSON *back = cJSON_ParseWithLengthOpts(out, len, &end, 0);
	FUZZ_ASSERT(back, "JSON report does not parse (near byte %zu)",
		    end ? (size_t)(end - out) : 0);
	while (end < out + len && (*end == '\n' || *end == ' '))
		end++;
	FUZZ_ASSERT(end == out + len, "JSON report has trailing bytes");
	FUZZ_ASSERT(!(bad = utf8_bad(out, len)), "JSON report: invalid UTF-8 at byte %zu", bad - 1);
	cJSON_Delete(back);
	free(out);

	out = render(model, cat, 1, &len);
	FUZZ_ASSERT(!(bad = utf8_bad(out, len)), "HTML: invalid UTF-8 at byte %zu", bad - 1);
	html_check(out, len);
	free(out);

	out = render(model, cat, 2, &len);
	FUZZ_ASSERT(len >= 1 && len <= DX_INTUNE_MAX && out[len - 1] == '\n',
		    "Intune output of %zu bytes, not one line within %d", len, DX_INTUNE_MAX);
	FUZZ_ASSERT(!(bad = control_at(out, len - 1)) && !memchr(out, '\n', len - 1),
		    "Intune: control character at byte %zu", bad - 1);
	FUZZ_ASSERT(!(bad = utf8_bad(out, len)), "Intune: invalid UTF-8 at byte %zu", bad - 1);
	free(out);

	for (int fmt = 3; fmt <= 4; fmt++) {
		out = render(model, cat, fmt, &len);
		FUZZ_ASSERT(!(bad = control_at(out, len)),
			    "text%s: control character at byte %zu: %.60s",
			    fmt == 4 ? " --verbose" : "", bad - 1, out + (bad > 30 ? bad - 30 : 0));
		free(out);
	}

	cJSON_Delete(model);
	dx_findings_free(&c.findings);
	dx_platform_close(&p);
	return 0;
}
