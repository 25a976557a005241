/* testplat.h - a tiny platform for the probe's tests: a registry of a few
 * values and a DNS table, nothing else. */
#ifndef TESTPLAT_H
#define TESTPLAT_H
#include "checks.h"

struct tp_reg {
	const char *key, *value;
	enum dx_regtype type;
	const unsigned char *data; /* NUL-terminated text for SZ */
	size_t len;                /* BINARY length (SZ: 0 = strlen) */
};
struct tp_dns {
	const char *pattern;   /* exact, "*.suffix" or "*" */
	enum dx_status status; /* DX_OK, DX_NOT_FOUND, DX_TRANSIENT, DX_TIMEOUT */
	const char *addr;
};
struct tp_state {
	const struct tp_reg *reg;
	size_t nreg;
	const struct tp_dns *dns;
	size_t ndns;
	int resolves; /* calls to resolve, for assertions */
};
void tp_open(struct dx_platform *p, struct tp_state *st);
#endif
