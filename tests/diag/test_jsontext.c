/* test_jsontext.c - the JSON text check cJSON leaves out (diag/jsontext.c):
 * a raw control character inside a string is refused with its place, an
 * escaped one and whitespace between tokens are not. */
#include <criterion/criterion.h>
#include <string.h>
#include "jsontext.h"

static int check(const char *text, char *err, size_t errsz)
{
	err[0] = '\0';
	return dx_json_text_check(text, strlen(text), err, errsz);
}

Test(jsontext, escaped_controls_and_whitespace_between_tokens_pass)
{
	char err[200];
	cr_expect_eq(check("{\n\t\"a\" :\r\n \"x\\n\\t\\u0001\\\"\\\\\"\n}\n", err, sizeof err), 0,
		     "%s", err);
	cr_expect_eq(check("[\"\\\\\",\n\"\"]", err, sizeof err), 0, "%s", err);
	cr_expect_str_empty(err);
}

Test(jsontext, raw_line_break_in_a_value_is_refused_with_its_place)
{
	char err[200];
	cr_assert_eq(check("{\"a\": 1,\n \"b\": \"one\ntwo\"}", err, sizeof err), -1);
	cr_expect_str_eq(err, "raw control character U+000A inside a string at line 2, "
			      "column 11: JSON needs it escaped (\\n)");
}

Test(jsontext, raw_tab_in_a_member_name_is_refused)
{
	char err[200];
	cr_assert_eq(check("{\"a\tb\": 1}", err, sizeof err), -1);
	cr_expect(strstr(err, "U+0009") && strstr(err, "line 1, column 4") && strstr(err, "(\\t)"),
		  "%s", err);
}

Test(jsontext, control_without_a_short_escape_is_shown_as_u_escape)
{
	char err[200];
	cr_assert_eq(check("[\"\x1b[31m\"]", err, sizeof err), -1);
	cr_expect(strstr(err, "U+001B") && strstr(err, "(\\u001B)"), "%s", err);
}

/* The quote after an escaped backslash ends the string; an escaped quote
 * does not. */
Test(jsontext, escapes_decide_where_a_string_ends)
{
	char err[200];
	cr_expect_eq(check("[\"\\\\\"\n]", err, sizeof err), 0, "%s", err);
	cr_expect_eq(check("[\"\\\"\n\"]", err, sizeof err), -1);
	cr_expect(strstr(err, "line 1, column 5"), "%s", err);
}

/* Only `len` bytes are read: a NUL inside is a byte like another. */
Test(jsontext, reads_len_bytes_and_no_more)
{
	char err[200];
	static const char text[] = "[\"ab\"]\0[\"\n\"]";
	cr_expect_eq(dx_json_text_check(text, 6, err, sizeof err), 0);
	cr_expect_eq(dx_json_text_check(text, sizeof text - 1, err, sizeof err), -1);
	cr_expect_eq(dx_json_text_check("\"\0\"", 3, err, sizeof err), -1,
		     "a NUL inside a string is a control character");
}

Test(jsontext, line_and_column)
{
	size_t line, col;
	dx_text_line_col("ab\ncd\n", 6, 4, &line, &col);
	cr_expect(line == 2 && col == 2, "%zu:%zu", line, col);
	dx_text_line_col("ab", 2, 99, &line, &col);
	cr_expect(line == 1 && col == 3, "%zu:%zu", line, col);
}
