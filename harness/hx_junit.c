/* hx_junit.c - JUnit XML writer (see hx_junit.h). */
#include <stdio.h>
#include "hx_junit.h"

void hx_xml_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		case '\t':
		case '\n':
		case '\r': fputc(*p, f); break;
		default: fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		}
	}
}

int hx_junit_write(FILE *f, const char *suite, const struct hx_case *cases, size_t n,
		   double total_seconds)
{
	size_t failures = 0;
	for (size_t i = 0; i < n; i++)
		failures += cases[i].failure != NULL;
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n"
	      "  <testsuite name=\"",
	      f);
	hx_xml_escape(f, suite);
	fprintf(f,
		"\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\" "
		"time=\"%.3f\">\n",
		n, failures, total_seconds);
	for (size_t i = 0; i < n; i++) {
		const struct hx_case *c = &cases[i];
		fputs("    <testcase classname=\"", f);
		hx_xml_escape(f, suite);
		fputs("\" name=\"", f);
		hx_xml_escape(f, c->name);
		fprintf(f, "\" time=\"%.3f\"", c->seconds);
		if (!c->failure && !(c->stderr_text && *c->stderr_text)) {
			fputs("/>\n", f);
			continue;
		}
		fputs(">\n", f);
		if (c->failure) {
			fputs("      <failure message=\"", f);
			hx_xml_escape(f, c->failure);
			fputs("\" type=\"mismatch\">", f);
			hx_xml_escape(f, c->failure);
			fputs("</failure>\n", f);
		}
		if (c->stderr_text && *c->stderr_text) {
			fputs("      <system-err>", f);
			hx_xml_escape(f, c->stderr_text);
			fputs("</system-err>\n", f);
		}
		fputs("    </testcase>\n", f);
	}
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
