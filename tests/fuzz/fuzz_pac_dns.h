/* fuzz_pac_dns.h - the device's DNS as the PAC fuzz targets' scripts see it
 * (fuzz_pac.c, fuzz_pac_helpers.c): a few names, one of them IPv6-only,
 * one with both families; anything else is not resolvable. */
#ifndef DX_FUZZ_PAC_DNS_H
#define DX_FUZZ_PAC_DNS_H

#include <string.h>
#include "pac.h"

static enum dx_status fuzz_pac_resolve(void *ud, const char *host, struct dx_strlist *out)
{
	static const struct {
		const char *name, *addrs[2];
	} dns[] = {
		{"proxy.contoso.com", {"10.0.0.5", NULL}},
		{"winatp-gw-eus.microsoft.com", {"20.42.73.1", NULL}},
		{"v6.contoso.com", {"fd00::5", NULL}},
		{"dual.contoso.com", {"fd00::6", "10.0.0.6"}},
	};
	(void)ud;
	for (size_t i = 0; i < sizeof dns / sizeof dns[0]; i++) {
		if (strcmp(host, dns[i].name) != 0)
			continue;
		for (int k = 0; k < 2 && dns[i].addrs[k]; k++)
			if (dx_strlist_push(out, dns[i].addrs[k]))
				return DX_TRANSIENT;
		return DX_OK;
	}
	return DX_NOT_FOUND;
}

#endif
