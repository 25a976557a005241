/* hx_junit.h - JUnit XML for CI systems: one <testsuite>, one <testcase>
 * per scenario, a <failure> for each failing one, the mdediag stderr tail
 * in <system-err>. Text is escaped for XML 1.0: the five special characters
 * become entities and control characters that XML 1.0 forbids become '?'. */
#ifndef HX_JUNIT_H
#define HX_JUNIT_H

#include <stddef.h>
#include <stdio.h>

struct hx_case {
	const char *name;
	double seconds;
	const char *failure;     /* NULL when the case passed */
	const char *stderr_text; /* may be NULL */
};

/* Writes s escaped for use in XML text or a double-quoted attribute. */
void hx_xml_escape(FILE *f, const char *s);

/* Writes a complete document to f. Returns 0, -1 on a write error. */
int hx_junit_write(FILE *f, const char *suite, const struct hx_case *cases, size_t n,
		   double total_seconds);

#endif
