/* fuzz_netstr.c - the proxy and routing strings (netconf.c): the static
 * TelemetryProxyServer value, a WinHTTP proxy list, a bypass list matched
 * against a host (input "LIST\nHOST"), and --connect-to rules. */
#include "fuzz.h"
#include "netconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = fuzz_cstr(data, size);
	struct dx_hostport hp;
	char err[256] = "";

	if (dx_static_proxy_parse(s, &hp, err, sizeof err) == 0) {
		FUZZ_ASSERT(hp.host[0] && fuzz_terminated(hp.host, sizeof hp.host), "empty host");
		FUZZ_ASSERT(hp.port > 0 && hp.port < 65536, "port %d", hp.port);
		for (const char *c = hp.host; *c; c++)
			FUZZ_ASSERT((unsigned char)*c > 0x20 && *c != 0x7f,
				    "control or space in host");
	} else {
		FUZZ_ASSERT(err[0] && fuzz_terminated(err, sizeof err),
			    "rejected without a reason");
	}
	for (int i = 0; i < 2; i++)
		if (dx_winhttp_proxy_for(s, i ? "http" : "https", &hp) == 0)
			FUZZ_ASSERT(hp.port > 0 && hp.port < 65536, "proxy_for port %d", hp.port);

	char *nl = strchr(s, '\n');
	if (nl) {
		*nl = 0;
		int m = dx_bypass_match(s, nl + 1);
		FUZZ_ASSERT(m == 0 || m == 1, "bypass match %d", m);
		*nl = '\n';
	}

	struct dx_connect_to rule;
	if (dx_connect_to_parse(s, &rule) == 0) {
		FUZZ_ASSERT(rule.port >= 0 && rule.port < 65536, "rule port %d", rule.port);
		FUZZ_ASSERT(rule.addr_port >= 0 && rule.addr_port < 65536, "addr port %d",
			    rule.addr_port);
		char addr[256] = "127.0.0.1";
		int port = 443;
		int r = dx_connect_to_apply(&rule, 1, "winatp-gw-eus.microsoft.com", 443, addr,
					    sizeof addr, &port);
		FUZZ_ASSERT(r == -1 || r == 0, "apply %d", r);
		FUZZ_ASSERT(fuzz_terminated(addr, sizeof addr) && port > 0 && port < 65536,
			    "applied port %d", port);
	}
	free(s);
	return 0;
}
