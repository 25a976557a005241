/* fuzz_pac.c - the PAC evaluator (diag/net/pac.c) on hostile scripts: the input
 * is a wpad.dat. Whatever it does (loops, recursion, huge strings, throwing
 * odd values, returning garbage), loading and calling it end in a status
 * with a one-line reason within the limits given, and an answer accepted as
 * OK is a proxy list the route code can use. The same bytes are also read
 * as a PAC answer by dx_pac_parse. Limits are small so a hostile input costs
 * at most about 50 ms and 4 MiB. */
#include "fuzz.h"
#include "pac.h"
#include "fuzz_pac_dns.h"

/* A failure's reason: present, and one line. */
static void check_reason(enum dx_pac_rc rc, const char *err, const char *what)
{
	FUZZ_ASSERT(rc >= DX_PAC_OK && rc <= DX_PAC_BAD_RESULT, "%s: status %d", what, (int)rc);
	if (rc == DX_PAC_OK)
		return;
	FUZZ_ASSERT(err[0] != 0, "%s: %s without a reason", what, dx_pac_rc_name(rc));
	FUZZ_ASSERT(fuzz_one_line(err), "%s: reason of more than one line: %s", what, err);
}

/* A parsed list: each entry a known kind; proxies with a host of printable
 * characters and a port 1..65535. */
static void check_entries(const struct dx_pac_entry *e, int n, size_t max)
{
	FUZZ_ASSERT(n >= 1 && (size_t)n <= max, "%d entries for room for %zu", n, max);
	for (int i = 0; i < n; i++) {
		FUZZ_ASSERT(e[i].kind == DX_PAC_DIRECT || e[i].kind == DX_PAC_PROXY ||
				    e[i].kind == DX_PAC_SOCKS,
			    "entry %d: kind %d", i, (int)e[i].kind);
		if (e[i].kind == DX_PAC_DIRECT)
			continue;
		FUZZ_ASSERT(fuzz_terminated(e[i].host, sizeof e[i].host) && e[i].host[0] &&
				    fuzz_printable(e[i].host) && !strchr(e[i].host, ' '),
			    "entry %d: host not a printable name", i);
		FUZZ_ASSERT(e[i].port >= 1 && e[i].port <= 65535, "entry %d: port %d", i,
			    e[i].port);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dx_pac_limits lim = {
		.max_script = 64 << 10,
		.max_heap = 4u << 20,
		.budget_ms = 50,
		.max_result = 1024,
	};
	static const char *const urls[][2] = {
		{"https://winatp-gw-eus.microsoft.com/test", "winatp-gw-eus.microsoft.com"},
		{"http://crl.microsoft.com/pki/crl/products/x.crl", "crl.microsoft.com"},
	};
	const struct dx_pac_env env = {fuzz_pac_resolve, NULL, "10.0.0.10;fd00::10", 1795000000, 0};
	struct dx_pac *p = NULL;
	struct dx_pac_entry e[8];
	char err[400] = "", out[2048];
	enum dx_pac_rc rc = dx_pac_load(&p, (const char *)data, size, &env, &lim, err, sizeof err);

	check_reason(rc, err, "load");
	FUZZ_ASSERT((rc == DX_PAC_OK) == (p != NULL), "load %s but script %s", dx_pac_rc_name(rc),
		    p ? "kept" : "dropped");
	for (size_t u = 0; p && u < sizeof urls / sizeof urls[0]; u++) {
		err[0] = 0;
		rc = dx_pac_find(p, urls[u][0], urls[u][1], out, sizeof out, err, sizeof err);
		check_reason(rc, err, "find");
		FUZZ_ASSERT(fuzz_terminated(out, sizeof out), "answer not terminated");
		if (rc == DX_PAC_OK) {
			char perr[200] = "";
			FUZZ_ASSERT(strlen(out) <= lim.max_result, "answer of %zu bytes",
				    strlen(out));
			check_entries(e, dx_pac_parse(out, e, 8, perr, sizeof perr), 8);
		}
		FUZZ_ASSERT(!strcmp(dx_pac_entry_point(p), "FindProxyForURL") ||
				    !strcmp(dx_pac_entry_point(p), "FindProxyForURLEx"),
			    "entry point %s", dx_pac_entry_point(p));
		FUZZ_ASSERT(fuzz_terminated(dx_pac_alerts(p), 512) &&
				    fuzz_one_line(dx_pac_alerts(p)),
			    "alerts not one terminated line");
	}
	if (p)
		FUZZ_ASSERT(dx_pac_heap_peak(p) <= lim.max_heap + DX_PAC_UNWIND_SLACK,
			    "heap peak %zu over the cap and the unwind slack", dx_pac_heap_peak(p));
	dx_pac_free(p);

	/* the same bytes as an answer */
	{
		char *s = fuzz_cstr(data, size), perr[200] = "";
		int n = dx_pac_parse(s, e, 8, perr, sizeof perr);
		if (n < 0)
			FUZZ_ASSERT(perr[0] && fuzz_one_line(perr),
				    "answer rejected without a one-line reason");
		else
			check_entries(e, n, 8);
		free(s);
	}
	return 0;
}
