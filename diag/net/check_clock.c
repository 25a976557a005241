/* check_clock.c - the device's clock against the MDE cloud's (see
 * check_clock.h). A clock off by more than a few minutes makes certificates
 * look not yet valid or expired to Schannel and makes tokens look expired
 * to the service: the device fails to connect for a reason no proxy or
 * firewall rule explains. Every destination that answered over HTTP sent
 * its own clock in its Date header (RFC 9110 6.6.1: an origin server with
 * a clock must); the device's clock is the platform's (the fixture's, or
 * Windows' own) at the time of the run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check_clock.h"

#define DEFAULT_MAX_SKEW_S 300 /* when a --baselines file has none */

static int64_t days_from_civil(int y, int m, int d)
{
	/* days since 1970-01-01 of a proleptic Gregorian date (Howard
	 * Hinnant's algorithm): no timegm, no time zone, on every platform */
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const int64_t yoe = y - era * 400;
	const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int dx_http_date_parse(const char *s, int64_t *out)
{
	static const char *const wdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
	static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
					     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	char wd[4], mon[4], gmt[4], tail;
	int d, y, hh, mm, ss, m = -1, w = -1;
	if (!s || strlen(s) != 29 ||
	    sscanf(s, "%3[A-Za-z], %2d %3[A-Za-z] %4d %2d:%2d:%2d %3[A-Z]%c", wd, &d, mon, &y, &hh,
		   &mm, &ss, gmt, &tail) != 8 ||
	    strcmp(gmt, "GMT") != 0)
		return -1;
	for (int i = 0; i < 12; i++)
		if (strcmp(mon, months[i]) == 0)
			m = i;
	for (int i = 0; i < 7; i++)
		if (strcmp(wd, wdays[i]) == 0)
			w = i;
	if (m < 0 || w < 0 || y < 1970 || y > 9999 || d < 1 || d > mdays[m] || hh > 23 || mm > 59 ||
	    ss > 60)
		return -1;
	int64_t days = days_from_civil(y, m + 1, d);
	/* the weekday must be that date's (1970-01-01 was a Thursday) */
	if ((int)(((days % 7) + 7 + 4) % 7) != w)
		return -1;
	*out = days * 86400 + hh * 3600 + mm * 60 + ss;
	return 0;
}

static int by_skew(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

void dx_check_clock(struct dx_ctx *c, const struct dx_netrec *t, size_t n)
{
	const cJSON *bl =
		c->data ? cJSON_GetObjectItemCaseSensitive(c->data->baselines, "clock_max_skew_s")
			: NULL;
	const int64_t max_skew = cJSON_IsNumber(bl) && bl->valuedouble > 0
					 ? (int64_t)bl->valuedouble
					 : DEFAULT_MAX_SKEW_S;
	const int64_t device = dx_now(c->p);
	int64_t *skews = calloc(n + 1, sizeof *skews);
	size_t *who = calloc(n + 1, sizeof *who);
	size_t k = 0, answered = 0, bad_dates = 0;
	char when[32];
	struct dx_finding *f;

	if (!skews || !who)
		goto out;
	for (size_t i = 0; i < n; i++) {
		int64_t server;
		if (!t[i].p.http_status)
			continue; /* no HTTP reply from the destination itself */
		answered++;
		if (!t[i].p.date[0])
			continue;
		if (dx_http_date_parse(t[i].p.date, &server)) {
			bad_dates++;
			continue;
		}
		skews[k] = device - server;
		who[k++] = i;
	}
	if (k == 0) {
		f = dx_add(&c->findings, "net.clock", DX_SEV_WARNING, "not-compared");
		dx_ev_num(f, "answered", (double)answered);
		dx_ev_num(f, "unreadable_dates", (double)bad_dates);
		dx_ev_str(f, "effect",
			  answered ? "no destination that answered sent a readable Date header"
				   : "no destination answered over HTTP, so none told its time");
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
		goto out;
	}
	/* the median skew: one server with a wrong clock does not decide */
	int64_t *sorted = malloc(k * sizeof *sorted);
	if (!sorted)
		goto out;
	memcpy(sorted, skews, k * sizeof *skews);
	qsort(sorted, k, sizeof *sorted, by_skew);
	const int64_t skew = sorted[k / 2];
	free(sorted);
	size_t at = 0;
	for (size_t i = 0; i < k; i++)
		if (skews[i] == skew)
			at = who[i];
	const int64_t mag = skew < 0 ? -skew : skew;
	f = dx_add(&c->findings, "net.clock", mag > max_skew ? DX_SEV_ERROR : DX_SEV_INFO,
		   mag <= max_skew ? "ok"
		   : skew > 0      ? "ahead"
				   : "behind");
	dx_format_time(device, when);
	dx_ev_str(f, "device_time", when);
	dx_ev_str(f, "server_date", t[at].p.date);
	dx_ev_str(f, "host", t[at].d.host);
	dx_ev_num(f, "skew_s", (double)skew);
	dx_ev_num(f, "skew_minutes", (double)(mag / 60));
	dx_ev_num(f, "max_skew_s", (double)max_skew);
	dx_ev_num(f, "destinations_compared", (double)k);
out:
	free(skews);
	free(who);
}
