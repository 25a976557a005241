/* fuzz_probe_reply.c - what a proxy or server sends the probe
 * (probe_parse.h): the CONNECT reply (status, Proxy-Authenticate, Via, the
 * block page's <title>) and the destination's status line, read from a
 * buffer of the probe's size the way probe.c reads it. */
#include <ctype.h>
#include "fuzz.h"
#include "probe_parse.h"

#define IN_CAP 8192 /* probe.c */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[IN_CAP + 1];
	size_t n = size < IN_CAP ? size : IN_CAP;
	memcpy(in, data, n);
	in[n] = 0;

	size_t hdr_end = 0;
	char *e = dx_http_head_end(in, n);
	if (e) {
		FUZZ_ASSERT(e >= in && e + 4 <= in + n && memcmp(e, "\r\n\r\n", 4) == 0,
			    "head end");
		hdr_end = (size_t)(e - in) + 4;
	}
	size_t hdr = hdr_end ? hdr_end : n;
	(void)dx_http_content_length(in, hdr);

	char line[128], auth[192] = "", via[128] = "", title[128] = "";
	int code = dx_http_status(in, n, line, sizeof line);
	FUZZ_ASSERT(code == 0 || (code >= 100 && code <= 599), "status %d", code);
	FUZZ_ASSERT(fuzz_terminated(line, sizeof line) && fuzz_printable(line), "line");
	if (code) {
		FUZZ_ASSERT(strncmp(in, "HTTP/1.", 7) == 0 && isdigit((unsigned char)in[9]) &&
				    (n == 12 || in[12] == ' ' || in[12] == '\r' || in[12] == '\n'),
			    "status %d from \"%s\"", code, line);
	}
	dx_http_header_values(in, hdr, "Proxy-Authenticate", auth, sizeof auth);
	dx_http_header_values(in, hdr, "Via", via, sizeof via);
	FUZZ_ASSERT(fuzz_terminated(auth, sizeof auth) && fuzz_printable(auth), "auth");
	FUZZ_ASSERT(fuzz_terminated(via, sizeof via) && fuzz_printable(via), "via");
	if (hdr_end) {
		dx_html_title(in + hdr_end, n - hdr_end, title, sizeof title);
		FUZZ_ASSERT(fuzz_terminated(title, sizeof title) && fuzz_printable(title), "title");
		FUZZ_ASSERT(!title[0] || (title[0] != ' ' && title[strlen(title) - 1] != ' '),
			    "title not trimmed: \"%s\"", title);
	}
	return 0;
}
