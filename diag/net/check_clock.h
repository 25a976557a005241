/* check_clock.h - net.clock: the device's clock against the Date headers
 * of the MDE destinations that answered (docs/checks.md). */
#ifndef DX_CHECK_CLOCK_H
#define DX_CHECK_CLOCK_H

#include <stddef.h>
#include <stdint.h>
#include "checks.h"
#include "netrec.h"

/* Parses an HTTP date in IMF-fixdate form ("Sun, 06 Nov 1994 08:49:37
 * GMT", RFC 9110 5.6.7) to seconds since the epoch. 0, or -1 when it is
 * not one. */
int dx_http_date_parse(const char *s, int64_t *out);

/* Adds net.clock from the records t[0..n) of a probe or replay: found
 * (error) when the device's clock differs from the destinations' by more
 * than the baseline's clock_max_skew_s, clear when not, undetermined when
 * no destination answered with a Date. */
void dx_check_clock(struct dx_ctx *c, const struct dx_netrec *t, size_t n);

#endif
