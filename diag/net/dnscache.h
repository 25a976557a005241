/* dnscache.h - names resolved once per run, through the platform.
 *
 * The probe's destinations share names (a proxy serves them all, a
 * --connect-to rule may name a host), and the static-IP check needs the
 * addresses again: each name is asked once, and its outcome (status, the
 * platform's reason, the addresses, the time it took) is kept as evidence.
 *
 * Contract: an entry stays at the same address, unchanged, until
 * dx_dns_cache_free, however many names are added after it, so callers may
 * keep pointers to entries. Names compare case-insensitively. A numeric
 * address is its own single answer and is never sent to the platform.
 */
#ifndef DX_DNSCACHE_H
#define DX_DNSCACHE_H

#include <stddef.h>
#include "platform.h"

/* One name and what resolving it gave. */
struct dx_dns_entry {
	char host[256];
	enum dx_status st; /* DX_OK with at least one address, else why not
				    (an answer without addresses is DX_NOT_FOUND) */
	struct dx_err err; /* the platform's reason when st != DX_OK */
	struct dx_strlist addrs;
	double ms; /* time taken, 0.1 ms resolution */
};

/* Zero-initialise; owns its entries. `deadline` (dx_clock_ms(), 0 none)
 * is the run's: each lookup gets the time left before it, and once it has
 * passed names fail at once with DX_TIMEOUT. */
struct dx_dns_cache {
	struct dx_dns_entry **e;
	size_t n, cap;
	double deadline;
};

/* The entry for `host`, resolving it through `p` the first time; NULL only
 * when out of memory. */
struct dx_dns_entry *dx_dns_resolve(const struct dx_platform *p, struct dx_dns_cache *dc,
				    const char *host);
/* Frees every entry; the cache is empty (and reusable) afterwards, its
 * deadline kept. */
void dx_dns_cache_free(struct dx_dns_cache *dc);
/* A failed status in DNS words: "NXDOMAIN", "SERVFAIL", "timeout", else
 * the status name. */
const char *dx_dns_reason(enum dx_status st);

#endif
