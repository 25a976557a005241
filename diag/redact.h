/* redact.h - `mdediag collect --redact`: the collected file without the
 * customer's names.
 *
 * Replaces, everywhere in a collected file (strings and member names, the
 * WinHttpSettings bytes included), the device's host name (HOST-n), user
 * names found in paths under \Users\ (USER-n), proxy host names
 * (proxy-n.invalid) and internal addresses (loopback, private, link-local,
 * shared; IPv4 198.18.x.y, IPv6 2001:db8::n) with tokens. The same value
 * always gets the same token, and tokens keep the syntax of what they
 * replace (an address stays an address), so the replay reaches the same
 * verdict. Public addresses (the MDE cloud's) are kept: the static-IP
 * check needs them.
 */
#ifndef DX_REDACT_H
#define DX_REDACT_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* Redacts `fixture` (a collected file) in place. 0, or -1 with the reason. */
int dx_redact(cJSON *fixture, char *err, size_t errsz);

#endif
