/* fleet_csv.c - the Intune export, read as RFC 4180 CSV, row by row.
 *
 * RFC 4180: fields separated by a delimiter, rows by CRLF (LF accepted);
 * a field in double quotes may hold the delimiter, line breaks and ""
 * (one quote). Every field is bounded (FL_MAX_CSV_FIELD) and so is the
 * number of fields (FL_MAX_CSV_FIELDS); the file is read once, so its size
 * only costs time. The export's columns are Intune's (docs/fleet.md, "The
 * Intune export"); fleet_line.c reads our line out of the detection output.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"

static int put(struct fl_csv *c, int ch)
{
	if (c->len + 1 >= c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 4096;
		char *b = realloc(c->buf, cap);
		if (!b)
			return -1;
		c->buf = b;
		c->cap = cap;
	}
	c->buf[c->len++] = (char)ch;
	return 0;
}

/* Ends the current field: a NUL in the buffer, its start recorded later. */
static int end_field(struct fl_csv *c, size_t *nf, size_t *starts, size_t start)
{
	if (*nf >= FL_MAX_CSV_FIELDS)
		return -1;
	starts[(*nf)++] = start;
	return put(c, '\0');
}

int fl_csv_next(struct fl_csv *c, char *err, size_t errsz)
{
	size_t starts[FL_MAX_CSV_FIELDS], nf = 0, start = 0, flen = 0;
	int ch, quoted = 0, in_quotes = 0, after_quote = 0, any = 0, too_long = 0;
	c->len = 0;
	c->nfield = 0;
	c->row++;
	c->line++;
	size_t first_line = c->line;
	for (;;) {
		ch = getc(c->f);
		if (ch == EOF) {
			if (ferror(c->f)) {
				snprintf(err, errsz, "row %zu: read error", c->row);
				return -1;
			}
			if (in_quotes) {
				snprintf(err, errsz,
					 "row %zu (line %zu): a quoted field never ends", c->row,
					 first_line);
				return -1;
			}
			if (!any)
				return 0;
			break;
		}
		any = 1;
		if (in_quotes) {
			if (ch == '"') {
				int nx = getc(c->f);
				if (nx == '"') {
					ch = '"';
				} else {
					if (nx != EOF)
						ungetc(nx, c->f);
					in_quotes = 0;
					after_quote = 1;
					continue;
				}
			} else if (ch == '\n') {
				c->line++;
			}
		} else if (ch == c->delim) {
			if (end_field(c, &nf, starts, start)) {
				snprintf(err, errsz, "row %zu: more than %u fields", c->row,
					 FL_MAX_CSV_FIELDS);
				while ((ch = getc(c->f)) != EOF && ch != '\n')
					;
				return -1;
			}
			start = c->len;
			flen = 0;
			quoted = after_quote = 0;
			continue;
		} else if (ch == '\n' || ch == '\r') {
			if (ch == '\r') {
				int nx = getc(c->f);
				if (nx != '\n' && nx != EOF)
					ungetc(nx, c->f);
			}
			break;
		} else if (ch == '"' && flen == 0 && !quoted) {
			quoted = in_quotes = 1;
			continue;
		} else if (after_quote) {
			/* "abc"x: RFC 4180 forbids it; keep the text, as spreadsheets do */
		}
		if (++flen > FL_MAX_CSV_FIELD) {
			too_long = 1;
			continue;
		}
		if (put(c, ch)) {
			snprintf(err, errsz, "row %zu: out of memory", c->row);
			return -1;
		}
	}
	if (end_field(c, &nf, starts, start)) {
		snprintf(err, errsz, "row %zu: more than %u fields", c->row, FL_MAX_CSV_FIELDS);
		return -1;
	}
	if (too_long) {
		snprintf(err, errsz, "row %zu: a field longer than %u bytes", c->row,
			 FL_MAX_CSV_FIELD);
		return -1;
	}
	char **fields = realloc(c->field, nf * sizeof *fields);
	if (!fields) {
		snprintf(err, errsz, "row %zu: out of memory", c->row);
		return -1;
	}
	c->field = fields;
	for (size_t i = 0; i < nf; i++)
		c->field[i] = c->buf + starts[i];
	c->nfield = nf;
	return 1;
}

void fl_csv_free(struct fl_csv *c)
{
	free(c->field);
	free(c->buf);
	c->field = NULL;
	c->buf = NULL;
}

/* Header names, compared ignoring case, spaces and '-': the admin
 * center's export and Microsoft Graph's property names. */
static int same_name(const char *h, const char *want)
{
	for (;;) {
		while (*h == ' ' || *h == '-' || *h == '_' || *h == '"')
			h++;
		while (*want == ' ' || *want == '-')
			want++;
		if (!*h || !*want)
			return !*h && !*want;
		if (tolower((unsigned char)*h) != tolower((unsigned char)*want))
			return 0;
		h++;
		want++;
	}
}

static int column(const struct fl_csv *c, const char *const names[])
{
	for (const char *const *n = names; *n; n++)
		for (size_t i = 0; i < c->nfield; i++)
			if (same_name(c->field[i], *n))
				return (int)i;
	return -1;
}

static const char *col(const struct fl_csv *c, int i)
{
	return i >= 0 && (size_t)i < c->nfield ? c->field[i] : "";
}

/* The last line of the output that starts like ours: the detection script
 * prints one, but a script may print more before it. */
static const char *our_line(const char *out, char *buf, size_t sz)
{
	const char *best = NULL, *p = out;
	size_t blen = 0;
	while (*p) {
		size_t n = strcspn(p, "\r\n");
		if (strncmp(p, "OK ", 3) == 0 || strncmp(p, "WARNING ", 8) == 0 ||
		    strncmp(p, "ERROR ", 6) == 0) {
			best = p;
			blen = n;
		}
		p += n;
		while (*p == '\r' || *p == '\n')
			p++;
	}
	if (!best)
		return NULL;
	if (blen >= sz)
		blen = sz - 1;
	memcpy(buf, best, blen);
	buf[blen] = '\0';
	return buf;
}

void fl_read_intune_csv(struct fl_run *r, const char *name, const char *site, FILE *f)
{
	/* Intune's columns (docs/fleet.md): the admin center's export names,
	 * then Graph's deviceHealthScriptDeviceState property names */
	static const char *const c_out[] = {"Pre-remediation detection output",
					    "preRemediationDetectionScriptOutput", NULL};
	static const char *const c_name[] = {"Device name", "deviceName", NULL};
	static const char *const c_time[] = {"Last update time", "lastStateUpdateDateTime",
					     "Last sync time", "lastSyncDateTime", NULL};
	static const char *const c_state[] = {"Detection status", "detectionState", NULL};
	struct fl_csv c = {0};
	char err[300], src[4200], line[4096];
	int rc, i_out, i_name, i_time, i_state;

	/* the delimiter: the first of , ; TAB in the header (Excel in many
	 * locales writes ';') */
	int ch, delim = ',';
	long pos = ftell(f);
	while ((ch = getc(f)) != EOF && ch != '\n')
		if (ch == ',' || ch == ';' || ch == '\t') {
			delim = ch;
			break;
		}
	fseek(f, pos, SEEK_SET);
	c.f = f;
	c.delim = (char)delim;
	/* the header, after a byte order mark */
	int b0 = getc(f), b1 = getc(f), b2 = getc(f);
	if (!(b0 == 0xEF && b1 == 0xBB && b2 == 0xBF))
		fseek(f, pos, SEEK_SET);
	if ((rc = fl_csv_next(&c, err, sizeof err)) <= 0) {
		fl_bad(r, name, "an Intune export without a header: %s", rc ? err : "empty");
		goto out;
	}
	i_out = column(&c, c_out);
	i_name = column(&c, c_name);
	i_time = column(&c, c_time);
	i_state = column(&c, c_state);
	if (i_out < 0) {
		fl_bad(r, name,
		       "CSV without a \"Pre-remediation detection output\" column "
		       "(the Intune export of a remediation's device status)");
		goto out;
	}
	while ((rc = fl_csv_next(&c, err, sizeof err)) != 0) {
		snprintf(src, sizeof src, "%.4000s:row %zu", name, c.row);
		if (rc < 0) {
			fl_bad(r, src, "%s", err);
			if (strstr(err, "never ends") || strstr(err, "read error") ||
			    strstr(err, "memory"))
				break;
			continue;
		}
		if (c.nfield == 1 && !c.field[0][0])
			continue; /* an empty line */
		const char *out = col(&c, i_out), *l = our_line(out, line, sizeof line);
		if (!l) {
			if (out[0])
				fl_bad(r, src, "the detection output is not an mdediag line");
			else
				fl_bad(r, src, "no detection output (detection status: %.40s)",
				       col(&c, i_state)[0] ? col(&c, i_state) : "unknown");
			continue;
		}
		struct fl_summary s;
		char *buf = NULL, why[200];
		if (fl_parse_intune_line(l, &buf, &s, why, sizeof why)) {
			fl_bad(r, src, "%s", why);
		} else {
			if (!s.host[0])
				s.host = col(&c, i_name);
			s.source = src;
			s.kind = "intune";
			s.facts[FL_SITE] = site;
			int64_t t = fl_parse_time_any(col(&c, i_time));
			s.when = t > 0 ? t : 0;
			fl_add(r, &s);
		}
		free(buf);
	}
out:
	fl_csv_free(&c);
}
