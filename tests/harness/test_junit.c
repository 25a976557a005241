/* test_junit.c - the JUnit writer escapes what scenarios and mdediag's
 * stderr can contain, and counts failures. (tests/harness/junit_valid.py
 * checks a real run's file with an XML parser.) */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hx_junit.h"

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	hx_xml_escape(f, s);
	fclose(f);
	return buf;
}

Test(junit, escapes_the_five_special_characters)
{
	char *e = escaped("a<b>&\"c\"'d'");
	cr_assert_str_eq(e, "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
	free(e);
}

Test(junit, control_characters_xml_forbids_become_question_marks)
{
	char *e = escaped("bell\a esc\x1b del\x7f tab\tnl\ncr\r");
	cr_assert_str_eq(e, "bell? esc? del? tab\tnl\ncr\r");
	free(e);
}

Test(junit, utf8_passes_through)
{
	char *e = escaped("通信テスト ü");
	cr_assert_str_eq(e, "通信テスト ü");
	free(e);
}

Test(junit, document_counts_failures_and_escapes_attributes)
{
	struct hx_case cases[] = {
		{"ok-scenario", 0.25, NULL, NULL},
		{"bad<&>", 1.5, "verdict is \"a\", expected <b>", "stderr & more\x01"},
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	cr_assert_eq(hx_junit_write(f, "scenarios", cases, 2, 1.75), 0);
	fclose(f);
	cr_assert(strstr(buf, "<testsuite name=\"scenarios\" tests=\"2\" failures=\"1\""), "%s",
		  buf);
	cr_assert(strstr(buf,
			 "<testcase classname=\"scenarios\" name=\"ok-scenario\" time=\"0.250\"/>"),
		  "%s", buf);
	cr_assert(strstr(buf, "name=\"bad&lt;&amp;&gt;\""), "%s", buf);
	cr_assert(strstr(buf, "<failure message=\"verdict is &quot;a&quot;, expected &lt;b&gt;\""),
		  "%s", buf);
	cr_assert(strstr(buf, "<system-err>stderr &amp; more?</system-err>"), "%s", buf);
	cr_assert(strstr(buf, "</testsuites>\n"), "%s", buf);
	free(buf);
}
