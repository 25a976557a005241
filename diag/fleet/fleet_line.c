/* fleet_line.c - our Intune line read back (docs/reports.md, "Intune"):
 * "SEVERITY id[/variant]: title | key=value | ...", fields split on " | ",
 * which a value never contains. Also the detection script's own lines
 * (ERROR mdediag.missing: ..., packaging/intune): a device where no
 * diagnosis ran, counted apart.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int num(const char **p, int digits, int *out)
{
	int v = 0;
	for (int i = 0; i < digits; i++, (*p)++) {
		if (!isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
	}
	*out = v;
	return 0;
}

int64_t fl_parse_time_any(const char *s)
{
	int y, mo, d, h, mi, se, oh = 0, om = 0, sign = 0;
	const char *p = s;
	while (*p == ' ')
		p++;
	if (num(&p, 4, &y) || *p++ != '-' || num(&p, 2, &mo) || *p++ != '-' || num(&p, 2, &d) ||
	    (*p != 'T' && *p != ' ') || !*p++ || num(&p, 2, &h) || *p++ != ':' || num(&p, 2, &mi) ||
	    *p++ != ':' || num(&p, 2, &se))
		return -1;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p++ == '-' ? -1 : 1;
		if (num(&p, 2, &oh) || (*p == ':' && !*p++) || num(&p, 2, &om))
			return -1;
	}
	while (*p == ' ')
		p++;
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se -
	       sign * (oh * 3600 + om * 60);
}

/* Copies the id list "a,b(2),c" without the counts and without `skip`. */
static void ids(char *dst, size_t sz, size_t *len, const char *list, const char *skip)
{
	char one[256];
	const char *p = list;
	while (*p) {
		size_t n = strcspn(p, ",");
		size_t m = n < sizeof one - 1 ? n : sizeof one - 1;
		memcpy(one, p, m);
		one[m] = '\0';
		char *paren = strchr(one, '(');
		if (paren)
			*paren = '\0';
		if (one[0] && strcmp(one, skip) && *len + strlen(one) + 2 < sz) {
			if (*len)
				dst[(*len)++] = ',';
			memcpy(dst + *len, one, strlen(one) + 1);
			*len += strlen(one);
		}
		p += n;
		if (*p == ',')
			p++;
	}
}

int fl_parse_intune_line(const char *line, char **bufp, struct fl_summary *s, char *err,
			 size_t errsz)
{
	size_t n = strlen(line);
	/* the line, then room for the findings list and the route */
	char *buf = malloc(2 * n + 1200);
	*bufp = buf;
	memset(s, 0, sizeof *s);
	if (!buf) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	memcpy(buf, line, n + 1);
	char *extra = buf + n + 1;
	/* 1. "SEVERITY id[/variant]: title" */
	char *sp = strchr(buf, ' ');
	if (!sp) {
		snprintf(err, errsz, "not an mdediag line: no verdict");
		return -1;
	}
	*sp = '\0';
	s->severity = strcmp(buf, "ERROR") == 0     ? "error"
		      : strcmp(buf, "WARNING") == 0 ? "warning"
		      : strcmp(buf, "OK") == 0      ? "info"
						    : NULL;
	char *id = sp + 1, *colon = strstr(id, ": "), *fields = strstr(id, " | ");
	if (!s->severity || !colon || (fields && fields < colon)) {
		snprintf(err, errsz,
			 "not an mdediag line: it starts neither with "
			 "\"ERROR id: \", \"WARNING id: \" nor \"OK id: \"");
		return -1;
	}
	*colon = '\0';
	if (!islower((unsigned char)id[0])) {
		snprintf(err, errsz, "not an mdediag line: \"%.60s\" is not a check ID", id);
		return -1;
	}
	for (const char *q = id; *q; q++)
		if (!(islower((unsigned char)*q) || isdigit((unsigned char)*q) ||
		      strchr(".-_/", *q))) {
			snprintf(err, errsz, "not an mdediag line: \"%.60s\" is not a check ID",
				 id);
			return -1;
		}
	char *slash = strchr(id, '/');
	if (slash)
		*slash = '\0';
	s->cause = id;
	s->variant = slash ? slash + 1 : "";
	s->title = colon + 2;
	if (fields)
		*fields = '\0';
	/* 2. the fields */
	const char *errors = "", *warnings = "", *nd = "", *sproxy = "", *wproxy = "";
	s->next = s->command = s->host = s->device_id = s->rule = s->incomplete = "";
	for (int i = 0; i < FL_NFACTS; i++)
		s->facts[i] = "";
	for (char *f = fields ? fields + 3 : NULL; f;) {
		char *nx = strstr(f, " | ");
		if (nx)
			*nx = '\0';
		char *eq = strchr(f, '=');
		if (eq) {
			*eq = '\0';
			const char *k = f, *v = eq + 1;
			if (!strcmp(k, "errors"))
				errors = v;
			else if (!strcmp(k, "warnings"))
				warnings = v;
			else if (!strcmp(k, "not_determined"))
				nd = v;
			else if (!strcmp(k, "next"))
				s->next = v;
			else if (!strcmp(k, "host"))
				s->host = v;
			else if (!strcmp(k, "os")) {
				char *sp2 = strchr(eq + 1, ' ');
				if (sp2)
					*sp2 = '\0'; /* "22631.4460 Enterprise": the build */
				s->facts[FL_OS_BUILD] = v;
			} else if (!strcmp(k, "sense_ver"))
				s->facts[FL_SENSE_VERSION] = v;
			else if (!strcmp(k, "mdav_platform"))
				s->facts[FL_PLATFORM_VERSION] = v;
			else if (!strcmp(k, "onboarding"))
				s->facts[FL_ONBOARDING] = v;
			else if (!strcmp(k, "streamlined"))
				s->facts[FL_STREAMLINED] = strcmp(v, "unknown") ? v : "";
			else if (!strcmp(k, "static_proxy"))
				sproxy = v;
			else if (!strcmp(k, "winhttp_proxy"))
				wproxy = v;
		}
		f = nx ? nx + 3 : NULL;
	}
	/* 3. what the line does not say directly */
	char vid[300];
	snprintf(vid, sizeof vid, "%.150s%s%.140s", s->cause, s->variant[0] ? "/" : "", s->variant);
	size_t len = 0;
	char *fl = extra;
	fl[0] = '\0';
	ids(fl, n + 1, &len, errors, vid);
	ids(fl, n + 1, &len, warnings, vid);
	s->findings = fl;
	char *route = fl + n + 1;
	if (sproxy[0])
		snprintf(route, 1100, "static: PROXY %.1000s", sproxy);
	else if (wproxy[0])
		snprintf(route, 1100, "winhttp: PROXY %.1000s", wproxy);
	else
		route[0] = '\0';
	s->facts[FL_PROXY] = route;
	if (strncmp(s->cause, "mdediag.", 8) == 0) {
		/* the detection script could not diagnose (exe missing, bad
		 * usage, internal failure) */
		s->incomplete = "no-diagnosis";
		s->rule = "not-determined";
	} else {
		/* rule 3 when the verdict is one of what was not determined */
		size_t cl = strlen(s->cause);
		for (const char *p = nd; (p = strstr(p, s->cause)); p += cl) { /* cl > 0 */
			if ((p == nd || p[-1] == ',') && p[cl] == '(') {
				/* "id(reason)": the reason, kept in buf after the route */
				const char *e = strchr(p + cl, ')');
				char *rs = route + strlen(route) + 1;
				snprintf(rs, 40, "%.*s", (int)(e ? (size_t)(e - p - cl - 1) : 0),
					 p + cl + 1);
				s->incomplete = rs;
				s->rule = "not-determined";
				break;
			}
		}
		if (!s->rule[0])
			s->rule = strcmp(s->cause, "reonboard.plan") == 0  ? "nothing-found"
				  : strcmp(s->cause, "sense.pending") == 0 ? "sense-not-running"
									   : "cause-found";
	}
	return 0;
}
