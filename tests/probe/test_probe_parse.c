/* test_probe_parse.c - the probe's reply readers (probe_parse.h) on their
 * own: strict status lines, header values, block-page titles. */
#include <criterion/criterion.h>
#include <string.h>

#include "probe_parse.h"

static int status(const char *s)
{
	char line[128];
	return dx_http_status(s, strlen(s), line, sizeof line);
}

Test(probe_parse, status_line_is_parsed_strictly)
{
	cr_expect_eq(status("HTTP/1.1 200 OK\r\n"), 200);
	cr_expect_eq(status("HTTP/1.0 403 Forbidden\r\n\r\n"), 403);
	cr_expect_eq(status("HTTP/1.1 204\r\n"), 204); /* empty reason */
	cr_expect_eq(status("HTTP/1.1 407"), 407);     /* end of the data */
	cr_expect_eq(status("HTTP/1.1 2001\r\n"), 0);  /* four digits */
	cr_expect_eq(status("HTTP/1.1 2001 OK\r\n"), 0);
	cr_expect_eq(status("HTTP/1.1 200x\r\n"), 0);
	cr_expect_eq(status("HTTP/1.x 200 OK\r\n"), 0);
	cr_expect_eq(status("HTTP/1.1  200 OK\r\n"), 0);
	cr_expect_eq(status("HTTP/1.1 20\r\n"), 0);
	cr_expect_eq(status("HTTP/2 200\r\n"), 0);
	cr_expect_eq(status("HTTP/1.1 047 x\r\n"), 0); /* outside 100..599 */
	cr_expect_eq(status("HTTP/1.1 600\r\n"), 0);
	cr_expect_eq(status(""), 0);
}

Test(probe_parse, status_line_is_shown_printable)
{
	char line[16];
	const char s[] = "HTTP/1.1 200 \x01\x7f OK and more\r\n";
	cr_expect_eq(dx_http_status(s, sizeof s - 1, line, sizeof line), 200);
	cr_expect_str_eq(line, "HTTP/1.1 200 ??");
}

Test(probe_parse, header_values_are_joined_and_bounded)
{
	const char h[] = "HTTP/1.1 407 x\r\nProxy-Authenticate: NTLM\r\n"
			 "proxy-authenticate:  Basic realm=\"c\"\r\nVia: 1.1 p\r\n\r\n";
	char dst[64] = "";
	dx_http_header_values(h, sizeof h - 1, "Proxy-Authenticate", dst, sizeof dst);
	cr_expect_str_eq(dst, "NTLM, Basic realm=\"c\"");
	char small[6] = "";
	dx_http_header_values(h, sizeof h - 1, "Proxy-Authenticate", small, sizeof small);
	cr_expect_str_eq(small, "NTLM"); /* not "NTLMB" */
	cr_expect_eq(dx_http_content_length(h, sizeof h - 1), -1);
	const char c[] = "HTTP/1.1 200 x\r\nContent-Length: 12\r\n\r\n";
	cr_expect_eq(dx_http_content_length(c, sizeof c - 1), 12);
}

Test(probe_parse, title_of_a_block_page)
{
	char t[32] = "";
	const char b[] = "<html><head><TITLE>\n  Access   Denied\t</title>";
	dx_html_title(b, sizeof b - 1, t, sizeof t);
	cr_expect_str_eq(t, "Access Denied");
	char u[32] = "";
	dx_html_title("<title>unterminated", 19, u, sizeof u);
	cr_expect_str_eq(u, "unterminated");
}
