/* dnscache.c - names resolved once per run (see dnscache.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dnscache.h"
#include "sock.h"

struct dx_dns_entry *dx_dns_resolve(const struct dx_platform *p, struct dx_dns_cache *dc,
				    const char *host)
{
	struct dx_dns_entry *e;
	double t0;
	for (size_t i = 0; i < dc->n; i++)
		if (dx_strieq(dc->e[i]->host, host))
			return dc->e[i];
	if (dc->n == dc->cap) {
		/* the array of pointers moves; the entries never do */
		size_t cap = dc->cap ? dc->cap * 2 : 32;
		struct dx_dns_entry **ne = realloc(dc->e, cap * sizeof *ne);
		if (!ne)
			return NULL;
		dc->e = ne;
		dc->cap = cap;
	}
	e = calloc(1, sizeof *e);
	if (!e)
		return NULL;
	dc->e[dc->n++] = e;
	snprintf(e->host, sizeof e->host, "%s", host);
	t0 = dx_clock_ms();
	if (dx_addr_is_numeric(host)) {
		e->st = dx_strlist_push(&e->addrs, host) ? DX_BAD_DATA : DX_OK;
	} else if (dc->deadline > 0 && t0 >= dc->deadline - 1) {
		e->st = dx_fail(&e->err, DX_TIMEOUT, 10060,
				"%s: not resolved: the run's deadline (--timeout) had passed",
				host);
	} else {
		int left = dc->deadline > 0 ? (int)(dc->deadline - t0) : 0;
		if (dc->deadline > 0 && left < 1)
			left = 1;
		e->st = dx_resolve_within(p, host, left, &e->addrs, &e->err);
		if (e->st == DX_OK && e->addrs.count == 0) {
			e->st = DX_NOT_FOUND;
			snprintf(e->err.text, sizeof e->err.text, "%s: no addresses", host);
		}
	}
	e->ms = (double)(long)((dx_clock_ms() - t0) * 10 + 0.5) / 10;
	return e;
}

void dx_dns_cache_free(struct dx_dns_cache *dc)
{
	for (size_t i = 0; i < dc->n; i++) {
		dx_strlist_free(&dc->e[i]->addrs);
		free(dc->e[i]);
	}
	free(dc->e);
	dc->e = NULL;
	dc->n = dc->cap = 0;
}

const char *dx_dns_reason(enum dx_status st)
{
	switch (st) {
	case DX_NOT_FOUND: return "NXDOMAIN";
	case DX_TRANSIENT: return "SERVFAIL";
	case DX_TIMEOUT: return "timeout";
	default: return dx_status_name(st);
	}
}
