/* fleet_text.c - the fleet result for a terminal: the causes that block
 * the most devices first, each with its next step, then what was not
 * diagnosed completely, the other findings, duplicates and unreadable
 * inputs. Lines fit `width` display columns (CJK counts 2) except a
 * command, which stands alone and whole; text from the inputs never
 * carries a control character.
 */
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "report.h"
#include "utf8.h"

struct tw {
	FILE *out;
	int width;
};

/* Writes `text` after `lead` (its first line) with `indent` columns on
 * the next lines, breaking at spaces, or anywhere in a word too long or in
 * CJK text. Unsafe characters print as '?'. */
static void wrap(struct tw *t, int indent, const char *lead, const char *text)
{
	int col = 0;
	char line[4096];
	size_t len = 0;
	fputs(lead, t->out);
	col = dx_display_width(lead);
	const char *p = text;
	while (*p) {
		/* the next word: up to a space (CJK: one character) */
		const char *q = p;
		int w = 0;
		len = 0;
		while (*q && *q != ' ') {
			unsigned cp;
			size_t n = dx_utf8_decode(q, &cp);
			int cw = dx_cp_width(cp);
			if (dx_cp_unsafe(cp) || cp == '\n' || cp == '\t' || cp == 0xFFFD) {
				cp = '?';
				cw = 1;
				if (len + 1 < sizeof line)
					line[len++] = '?';
			} else if (len + n < sizeof line) {
				memcpy(line + len, q, n);
				len += n;
			}
			w += cw;
			q += n;
			if (cw == 2)
				break; /* a wide character is a word */
		}
		line[len] = '\0';
		if (col > indent && col + 1 + w > t->width && w <= t->width - indent) {
			fprintf(t->out, "\n%*s", indent, "");
			col = indent;
		} else if (col > indent && p > text && p[-1] == ' ') {
			fputc(' ', t->out);
			col++;
		}
		fputs(line, t->out);
		col += w;
		p = q;
		while (*p == ' ')
			p++;
		if (p > q && *p && col + 1 > t->width) {
			fprintf(t->out, "\n%*s", indent, "");
			col = indent;
		}
	}
	fputc('\n', t->out);
}

static const char *pct(size_t n, size_t of, char buf[16])
{
	snprintf(buf, 16, "%.1f%%", of ? 100.0 * (double)n / (double)of : 0.0);
	return buf;
}

/* The facts where this cause differs from the fleet, first: where to look. */
static void patterns(struct tw *t, const struct fl_run *r, const struct fl_result *res,
		     const struct fl_cause *c)
{
	for (int f = 0; f < FL_NFACTS; f++) {
		char key[48], lead[200], text[1200], nums[200];
		if (!c->pattern[f])
			continue;
		snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[f]);
		snprintf(lead, sizeof lead, "     %s ", fl_ui(r, "fleet_pattern_label"));
		fl_say(r, "fleet_pattern_text", nums, sizeof nums, "here",
		       (size_t)(100.0 * (double)c->split[f][0].n / (double)c->n + 0.5), "fleet",
		       (size_t)(100.0 * (double)fl_fleet_count(res, f, c->split[f][0].value) /
					(double)res->devices +
				0.5),
		       NULL);
		snprintf(text, sizeof text, "%s = %.600s (%s)", fl_ui(r, key),
			 dx_catalog_value(r->cat, c->split[f][0].value), nums);
		wrap(t, 7, lead, text);
	}
}

/* "fact: value (n), value (n), +k more" for each fact with more than one
 * value among these devices, or a pattern; the HTML shows every fact. */
static void splits(struct tw *t, const struct fl_run *r, const struct fl_cause *c)
{
	int heading = 0;
	for (int f = 0; f < FL_NFACTS; f++) {
		char key[48], text[1600];
		size_t len = 0;
		if (c->nsplit[f] == 1 && !c->pattern[f])
			continue; /* one value, as in the rest of the fleet (or unknown) */
		for (size_t i = 0; i < c->nsplit[f] && i < 3; i++)
			len += (size_t)snprintf(
				text + len, sizeof text - len, "%s%.200s (%zu)", i ? ", " : "",
				c->split[f][i].value[0]
					? dx_catalog_value(r->cat, c->split[f][i].value)
					: fl_ui(r, "fleet_unknown"),
				c->split[f][i].n);
		if (c->nsplit[f] > 3 && len < sizeof text) {
			char more[64];
			snprintf(text + len, sizeof text - len, "%s",
				 fl_say(r, "fleet_more", more, sizeof more, "count",
					c->nsplit[f] - 3, NULL));
		}
		if (!heading++) {
			char h[120];
			snprintf(h, sizeof h, "     %s", fl_ui(r, "fleet_html_split"));
			wrap(t, 7, h, "");
		}
		snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[f]);
		char lead[160];
		snprintf(lead, sizeof lead, "       %s: ", fl_ui(r, key));
		wrap(t, 9, lead, text);
	}
}

static void members(struct tw *t, const struct fl_run *r, const struct fl_result *res,
		    const struct fl_cause *c)
{
	char text[2048], lead[120];
	size_t len = 0, i;
	for (i = 0; i < c->nmembers && len < 200; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%s%.200s", i ? ", " : "",
					res->name[c->members[i]]);
	if (i < c->nmembers) {
		char more[64];
		snprintf(
			text + len, sizeof text - len, "%s",
			fl_say(r, "fleet_more", more, sizeof more, "count", c->nmembers - i, NULL));
	}
	snprintf(lead, sizeof lead, "     %s ", fl_ui(r, "fleet_devices_label"));
	wrap(t, 7, lead, text);
}

int fl_write_text(FILE *out, const struct fl_run *r, const struct fl_result *res, int width)
{
	struct tw t = {out, width < 40 ? 40 : width};
	char line[1024], a[16], lead[64];
	fl_say(r, "fleet_summary", line, sizeof line, "devices", res->devices, "results",
	       r->results, "files", r->files, "duplicates", r->ndups, "unreadable", r->nbad, NULL);
	wrap(&t, 0, "", line);
	fputc('\n', out);
	if (res->ncauses) {
		wrap(&t, 0, "", fl_ui(r, "fleet_causes_heading"));
	} else if (!res->devices) {
		wrap(&t, 0, "", fl_ui(r, "fleet_no_devices"));
	}
	for (size_t i = 0; i < res->ncauses; i++) {
		const struct fl_cause *c = &res->causes[i];
		char head[1200];
		snprintf(lead, sizeof lead, "%3zu. ", i + 1);
		snprintf(head, sizeof head, "%zu %s (%s)  %s%s%s  %s", c->n,
			 fl_ui(r, c->n == 1 ? "fleet_device" : "fleet_devices_word"),
			 pct(c->n, res->devices, a), c->id, c->variant[0] ? "/" : "", c->variant,
			 c->title);
		wrap(&t, 5, lead, head);
		for (size_t g = 0; g < r->n_group_by; g++) {
			char key[48], gl[128];
			snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[r->group_by[g]]);
			snprintf(gl, sizeof gl, "     %s = ", fl_ui(r, key));
			wrap(&t, 7, gl,
			     c->group[r->group_by[g]][0] ? c->group[r->group_by[g]] : "?");
		}
		snprintf(lead, sizeof lead, "     %s ", fl_ui(r, "fleet_next"));
		wrap(&t, 7, lead, c->next[0] ? c->next : "-");
		if (c->command[0]) {
			/* whole, alone on its line: pasted, it runs */
			fprintf(out, "       ");
			for (const char *p = c->command; *p; p++)
				fputc((unsigned char)*p < 0x20 ? '?' : *p, out);
			fputc('\n', out);
		}
		patterns(&t, r, res, c);
		members(&t, r, res, c);
		splits(&t, r, c);
		fputc('\n', out);
	}
	if (res->nincomplete) {
		fl_say(r, "fleet_incomplete_heading", line, sizeof line, "count", res->incomplete_n,
		       NULL);
		wrap(&t, 0, "", line);
		for (size_t i = 0; i < res->nincomplete; i++) {
			const struct fl_cause *c = &res->incomplete[i];
			char key[64], head[600];
			snprintf(key, sizeof key, "fleet_reason_%s", c->id);
			const char *label = fl_ui(r, key);
			snprintf(lead, sizeof lead, "%3zu. ", i + 1);
			snprintf(head, sizeof head, "%zu %s (%s)  %s", c->n,
				 fl_ui(r, c->n == 1 ? "fleet_device" : "fleet_devices_word"),
				 pct(c->n, res->devices, a), strcmp(label, key) ? label : c->id);
			wrap(&t, 5, lead, head);
			patterns(&t, r, res, c);
			snprintf(lead, sizeof lead, "     %s ", fl_ui(r, "fleet_next"));
			wrap(&t, 7, lead, c->next[0] ? c->next : "-");
			members(&t, r, res, c);
		}
		fputc('\n', out);
	}
	size_t shown = 0;
	for (size_t i = 0; i < res->nfindings && shown < 10; i++)
		if (res->findings[i].n >= 2 || res->devices < 2)
			shown++;
	if (shown) {
		wrap(&t, 0, "", fl_ui(r, "fleet_findings_heading"));
		for (size_t i = 0, k = 0; i < res->nfindings && k < shown; i++) {
			if (res->findings[i].n < 2 && res->devices >= 2)
				continue;
			snprintf(lead, sizeof lead, "%6zu %7s  ", res->findings[i].n,
				 pct(res->findings[i].n, res->devices, a));
			wrap(&t, 17, lead, res->findings[i].value);
			k++;
		}
		fputc('\n', out);
	}
	if (r->ndups) {
		fl_say(r, "fleet_dups_line", line, sizeof line, "count", r->ndups, NULL);
		wrap(&t, 0, "", line);
	}
	if (r->nbad) {
		char buf[4200];
		fl_say(r, "fleet_bad_heading", line, sizeof line, "count", r->nbad, NULL);
		wrap(&t, 0, "", line);
		for (size_t i = 0; i < r->nbad && i < 20; i++) {
			char both[4800];
			snprintf(both, sizeof both, "%s: %s",
				 fl_shown_source(r, r->bad[i].source, buf, sizeof buf),
				 r->bad[i].reason);
			wrap(&t, 4, "  ", both);
		}
		if (r->nbad > 20)
			wrap(&t, 2, " ",
			     fl_say(r, "fleet_more", line, sizeof line, "count", r->nbad - 20,
				    NULL));
	}
	return ferror(out) ? -1 : 0;
}
