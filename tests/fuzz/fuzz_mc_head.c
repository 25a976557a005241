/* fuzz_mc_head.c - the mock cloud's request-head reader (mc_http.c): where
 * a head ends, and what is parsed from it. */
#include <ctype.h>
#include "fuzz.h"
#include "mc_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	size_t n = size < MC_HEAD_MAX ? size : MC_HEAD_MAX;
	size_t hl = mc_http_head_len(in, n);
	FUZZ_ASSERT(hl <= n, "head length %zu of %zu", hl, n);
	if (!hl)
		return 0;
	FUZZ_ASSERT(in[hl - 1] == '\n' && hl >= 2, "head does not end in a line feed");
	struct mc_req r;
	int rc = mc_http_parse_head(in, hl, &r);
	FUZZ_ASSERT(rc == 1 || rc == 400 || rc == 414, "rc %d", rc);
	FUZZ_ASSERT(r.head_len == hl, "head_len");
	FUZZ_ASSERT(fuzz_terminated(r.line, sizeof r.line), "line");
	for (const char *q = r.line; *q; q++)
		FUZZ_ASSERT((unsigned char)*q >= 0x20 && *q != 0x7f,
			    "control byte in the logged line");
	if (rc != 1)
		return 0;
	FUZZ_ASSERT(r.method[0] && fuzz_terminated(r.method, sizeof r.method), "method");
	for (const char *q = r.method; *q; q++)
		FUZZ_ASSERT(isupper((unsigned char)*q), "method %s", r.method);
	for (const char *q = r.target; *q; q++)
		FUZZ_ASSERT((unsigned char)*q > 0x20 && *q != 0x7f, "target byte");
	for (const char *q = r.host; *q; q++)
		FUZZ_ASSERT(!isupper((unsigned char)*q), "host not lower case");
	FUZZ_ASSERT(r.content_length >= -1, "content length %lld", r.content_length);
	FUZZ_ASSERT(!(r.close && r.keep_alive), "close and keep-alive");
	return 0;
}
