/* fuzz_winhttp.c - WinHttpSettings decoding (netconf.c), then the proxy
 * choice and bypass match on what it decoded, as check_net.c does. */
#include "fuzz.h"
#include "netconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dx_winhttp w;
	memset(&w, 0xa5, sizeof w); /* the decoder must set every output */
	int rc = dx_winhttp_decode(data, size, &w);
	FUZZ_ASSERT(rc == 0 || rc == -1, "rc %d", rc);
	FUZZ_ASSERT(fuzz_terminated(w.proxy, sizeof w.proxy), "proxy not terminated");
	FUZZ_ASSERT(fuzz_terminated(w.bypass, sizeof w.bypass), "bypass not terminated");
	FUZZ_ASSERT(fuzz_terminated(w.error, sizeof w.error), "error not terminated");
	if (rc) {
		FUZZ_ASSERT(w.error[0] && !w.has_proxy,
			    "rejected without a reason, or with a proxy");
		return 0;
	}
	FUZZ_ASSERT(!w.has_proxy || w.proxy[0], "has_proxy with an empty proxy");
	static const char *const schemes[] = {"https", "http"};
	for (int i = 0; i < 2; i++) {
		struct dx_hostport hp;
		if (dx_winhttp_proxy_for(w.proxy, schemes[i], &hp) == 0) {
			FUZZ_ASSERT(fuzz_terminated(hp.host, sizeof hp.host),
				    "host not terminated");
			FUZZ_ASSERT(hp.port > 0 && hp.port < 65536, "port %d", hp.port);
		}
	}
	dx_bypass_match(w.bypass, "winatp-gw-eus.microsoft.com");
	dx_bypass_match(w.bypass, "localhost");
	return 0;
}
