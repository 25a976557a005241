/* redact.h - `mdediag collect --redact`: the collected file without the
 * names of the organisation and its people.
 *
 * First finds the names: the device's host name, DNS domain and NetBIOS
 * domain, the domains of every host name the file holds that is not
 * Microsoft's (proxies, the WPAD URL, the PAC script, DNS answers, event
 * text), the words of a certificate name or a proxy banner that say whose
 * it is, and user names (DOMAIN\user, user@domain, \Users\name). Then
 * replaces them, as whole words and ignoring case, in every string and
 * member name (the WinHttpSettings bytes included) with tokens: the same
 * name always gets the same token, a domain stays a domain
 * (proxy.contoso.local -> proxy.org-1.invalid, and '.contoso.local' in a
 * PAC script -> '.org-1.invalid'), an internal address stays an address,
 * so a replay routes and judges the same. The signed onboarding blobs are
 * cut to the members the checks read. docs/collect.md lists what stays.
 */
#ifndef DX_REDACT_H
#define DX_REDACT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "platform.h"

/* Names the device knows itself by, read from its registry (not recorded
 * in the file): DNS domain and search suffixes, NetBIOS domain, the last
 * user who logged on. Empty strings for what it does not have. */
struct dx_redact_names {
	char dns[6][256];
	char netbios[64];
	char user[2][128];
};

/* Reads `names` through `p`; never fails (what cannot be read stays ""). */
void dx_redact_read_names(const struct dx_platform *p, struct dx_redact_names *names);

/* Redacts `fixture` (a collected file) in place; `names` may be NULL.
 * 0, or -1 with the reason. */
int dx_redact(cJSON *fixture, const struct dx_redact_names *names, char *err, size_t errsz);

#endif
