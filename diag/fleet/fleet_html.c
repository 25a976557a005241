/* fleet_html.c - the fleet result as one self-contained page for a person:
 * a bar chart of the causes (each bar links to its cause), per cause its
 * next step and command, how its devices split by the facts that usually
 * explain a fleet pattern, and every device; then what was not diagnosed
 * completely, the other findings, duplicates, unreadable inputs, and a
 * table of all devices (the browser's find reaches any of them).
 *
 * Inline CSS, no script, nothing fetched (a Content-Security-Policy says
 * so too). Everything from the inputs is escaped, with invalid UTF-8,
 * controls and bidi overrides made U+FFFD; attributes carry only fixed
 * class names, numeric anchors and numeric widths.
 */
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "platform.h"
#include "report.h"
#include "utf8.h"

static const char css[] =
	":root{--err:#b42318;--err-bg:#fef3f2;--warn:#93370d;--warn-bg:#fffaeb;--ok:#067647;"
	"--line:#d0d5dd;--muted:#475467;--head:#f2f4f7;--blue:#1f4e79}"
	"*{box-sizing:border-box}"
	"body{margin:0;padding:24px 32px;font:14px/1.5 'Segoe UI','Yu Gothic UI',Meiryo,"
	"'Noto Sans CJK JP','Noto Sans JP',system-ui,sans-serif;color:#101828;background:#fff}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:30px 0 10px;"
	"padding-bottom:4px;border-bottom:2px solid var(--blue);color:var(--blue)}"
	"h3{font-size:14px;margin:14px 0 6px;color:#344054}"
	".meta{color:var(--muted);margin:0}"
	"code,pre{font-family:Consolas,'Cascadia Mono','DejaVu Sans "
	"Mono',monospace;font-size:12.5px}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;"
	"overflow-wrap:anywhere}th{background:var(--head);font-weight:600}"
	"td.n{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
	".cards{display:flex;flex-wrap:wrap;gap:12px;margin:14px 0}"
	".card{border:1px solid var(--line);border-radius:6px;padding:8px 16px;min-width:130px}"
	".card b{display:block;font-size:24px}.card span{color:var(--muted)}"
	"table.chart td{border:0;border-bottom:1px solid #eaecf0;padding:6px "
	"8px;vertical-align:middle}"
	"table.chart td.rank{width:2.5em;color:var(--muted);text-align:right}"
	"table.chart td.lab{width:44%}table.chart td.lab "
	"a{color:#101828;text-decoration:none;font-weight:600}"
	"table.chart td.lab a:hover{text-decoration:underline}"
	"table.chart code{color:var(--muted);font-size:12px}"
	".bar{height:18px;border-radius:3px;background:var(--err);min-width:2px}"
	".bar.warning{background:#f79009}.bar.info{background:#12b76a}.bar.inc{background:#98a2b3}"
	".mini{height:8px;border-radius:2px;background:var(--blue);min-width:2px}"
	".cause{border:1px solid var(--line);border-left:8px solid var(--err);border-radius:6px;"
	"padding:12px 18px;margin:18px 0}"
	".cause.warning{border-left-color:#f79009}.cause.info{border-left-color:#12b76a}"
	".cause.inc{border-left-color:#98a2b3}"
	".cause h2{border:0;margin:0 0 2px;padding:0;color:#101828}"
	".next{background:#f9fafb;border-radius:6px;padding:8px 12px;margin:10px 0}"
	".next p{margin:0 0 6px}"
	"pre.cmd{margin:0;padding:8px 10px;background:#101828;color:#f2f4f7;border-radius:4px;"
	"white-space:pre-wrap;overflow-wrap:anywhere}"
	".splits{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:10px}"
	".splits table caption{text-align:left;font-weight:600;color:#344054;padding:2px 0}"
	".splits td{font-size:12.5px}.splits td.w{width:22%}.splits "
	"th{white-space:nowrap;font-size:12px;font-weight:500}"
	".devs{columns:14em;column-gap:18px;font-size:12.5px;margin:4px 0}"
	".devs span{display:block;break-inside:avoid}"
	".badge{display:inline-block;padding:0 8px;border-radius:10px;font-size:12px;"
	"font-weight:600;background:var(--err);color:#fff}"
	".badge.warning{background:#f79009;color:#000}.badge.info{background:#d1fadf;color:var(--"
	"ok)}"
	".badge.inc{background:#eaecf0;color:#344054}"
	".hint{color:var(--muted);font-size:13px}"
	".pattern{margin:6px 0;padding:6px 12px;background:#fffaeb;border:1px solid #fec84b;"
	"border-radius:6px}tr.pat td{background:#fffaeb;font-weight:600}"
	"table.chart td.bc{width:40%}table.chart td.n{width:8em}"
	"table.chart tr.sep td{border:0;padding-top:14px;color:var(--muted);font-weight:600}"
	"footer{margin-top:30px;color:var(--muted);font-size:12px}"
	"@media print{body{padding:0}.cause{break-inside:avoid-page}}";

#define FL_HTML_NAMES 1000 /* device names listed under a cause */

struct h {
	FILE *out;
	const struct fl_run *r;
};

/* Text, escaped; invalid UTF-8, controls and bidi overrides as U+FFFD. */
static void text(struct h *h, const char *s)
{
	unsigned cp;
	for (const char *p = s ? s : ""; *p;) {
		size_t n = dx_utf8_decode(p, &cp);
		switch (cp) {
		case '&': fputs("&amp;", h->out); break;
		case '<': fputs("&lt;", h->out); break;
		case '>': fputs("&gt;", h->out); break;
		case '"': fputs("&quot;", h->out); break;
		case '\'': fputs("&#39;", h->out); break;
		default:
			if (cp == 0xFFFD || (dx_cp_unsafe(cp) && cp != '\t') || cp == '\n')
				fputs(cp == '\n' ? " " : "\xEF\xBF\xBD", h->out);
			else
				fwrite(p, 1, n, h->out);
		}
		p += n;
	}
}

static void raw(struct h *h, const char *s)
{
	fputs(s, h->out);
}

static void ui(struct h *h, const char *key)
{
	text(h, fl_ui(h->r, key));
}

static double pct(size_t n, size_t of)
{
	return of ? 100.0 * (double)n / (double)of : 0;
}

static const char *sev_class(const struct fl_cause *c, int inc)
{
	if (inc)
		return "inc";
	return strcmp(c->severity, "warning") == 0 ? "warning"
	       : strcmp(c->severity, "error") == 0 ? ""
						   : "info";
}

static void cause_label(struct h *h, const struct fl_cause *c, int inc)
{
	if (inc) {
		char key[80];
		snprintf(key, sizeof key, "fleet_reason_%s", c->id);
		text(h, strcmp(fl_ui(h->r, key), key) ? fl_ui(h->r, key) : c->id);
	} else {
		text(h, c->title[0] ? c->title : c->id);
	}
}

static void cause_id(struct h *h, const struct fl_cause *c)
{
	raw(h, "<code>");
	text(h, c->id);
	if (c->variant[0]) {
		raw(h, "/");
		text(h, c->variant);
	}
	raw(h, "</code>");
}

static void chart_row(struct h *h, const struct fl_result *res, const struct fl_cause *c,
		      size_t rank, const char *anchor, int inc)
{
	fprintf(h->out, "<tr><td class=\"rank\">%zu</td><td class=\"lab\"><a href=\"#%s%zu\">",
		rank, anchor, rank);
	cause_label(h, c, inc);
	raw(h, "</a><br>");
	if (inc) {
		raw(h, "<code>");
		text(h, c->id);
		raw(h, "</code>");
	} else {
		cause_id(h, c);
	}
	for (size_t g = 0; !inc && g < h->r->n_group_by; g++) {
		raw(h, " &middot; ");
		text(h, c->group[h->r->group_by[g]][0] ? c->group[h->r->group_by[g]] : "?");
	}
	/* the bar's width is relative to the largest cause, so small
	 * causes stay visible; the share of the fleet is in the number */
	size_t top = res->ncauses ? res->causes[0].n : 1;
	if (res->nincomplete && res->incomplete[0].n > top)
		top = res->incomplete[0].n;
	fprintf(h->out,
		"</td><td class=\"bc\"><div class=\"bar %s\" style=\"width:%.1f%%\"></div></td>"
		"<td class=\"n\"><b>%zu</b> (%.1f%%)</td></tr>\n",
		sev_class(c, inc), pct(c->n, top), c->n, pct(c->n, res->devices));
}

static void split_tables(struct h *h, const struct fl_result *res, const struct fl_cause *c)
{
	raw(h, "<h3>");
	ui(h, "fleet_html_split");
	raw(h, "</h3><div class=\"splits\">");
	for (int f = 0; f < FL_NFACTS; f++) {
		char key[48];
		if (c->nsplit[f] == 1 && !c->split[f][0].value[0])
			continue;
		snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[f]);
		raw(h, "<table><caption>");
		ui(h, key);
		raw(h, "</caption>\n<tr><th></th><th class=\"n\">");
		ui(h, "fleet_col_devices");
		raw(h, "</th><th>");
		ui(h, "fleet_col_here");
		raw(h, "</th><th class=\"n\">");
		ui(h, "fleet_col_fleet");
		raw(h, "</th></tr>\n");
		for (size_t i = 0; i < c->nsplit[f] && i < 8; i++) {
			const char *v = c->split[f][i].value;
			raw(h, i == 0 && c->pattern[f] ? "<tr class=\"pat\"><td>" : "<tr><td>");
			text(h,
			     v[0] ? dx_catalog_value(h->r->cat, v) : fl_ui(h->r, "fleet_unknown"));
			fprintf(h->out,
				"</td><td class=\"n\">%zu</td><td class=\"w\"><div class=\"mini\" "
				"style=\"width:%.1f%%\"></div></td><td "
				"class=\"n\">%.0f%%</td></tr>\n",
				c->split[f][i].n, pct(c->split[f][i].n, c->n),
				pct(fl_fleet_count(res, f, v), res->devices));
		}
		if (c->nsplit[f] > 8) {
			char more[64];
			raw(h, "<tr><td colspan=\"3\">");
			text(h, fl_say(h->r, "fleet_more", more, sizeof more, "count",
				       c->nsplit[f] - 8, NULL));
			raw(h, "</td></tr>\n");
		}
		raw(h, "</table>\n");
	}
	raw(h, "</div>\n");
}

static void cause_block(struct h *h, const struct fl_result *res, const struct fl_cause *c,
			size_t rank, const char *anchor, int inc)
{
	fprintf(h->out, "<section class=\"cause %s\" id=\"%s%zu\"><h2>%zu. ", sev_class(c, inc),
		anchor, rank, rank);
	cause_label(h, c, inc);
	raw(h, "</h2>\n<p class=\"meta\">");
	if (!inc) {
		fprintf(h->out, "<span class=\"badge %s\">", sev_class(c, 0));
		text(h, fl_ui(h->r, strcmp(c->severity, "error") == 0     ? "error"
				    : strcmp(c->severity, "warning") == 0 ? "warning"
									  : "info"));
		raw(h, "</span> ");
		cause_id(h, c);
		raw(h, " &middot; ");
	}
	fprintf(h->out, "<b>%zu</b> ", c->n);
	ui(h, c->n == 1 ? "fleet_device" : "fleet_devices_word");
	fprintf(h->out, " (%.1f%%)", pct(c->n, res->devices));
	for (size_t g = 0; !inc && g < h->r->n_group_by; g++) {
		char key[48];
		snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[h->r->group_by[g]]);
		raw(h, " &middot; ");
		ui(h, key);
		raw(h, ": ");
		text(h, c->group[h->r->group_by[g]]);
	}
	raw(h, "</p>\n<div class=\"next\"><p><b>");
	ui(h, "fleet_next");
	raw(h, "</b> ");
	text(h, c->next);
	raw(h, "</p>");
	if (c->command[0]) {
		raw(h, "<pre class=\"cmd\">");
		text(h, c->command);
		raw(h, "</pre>");
	}
	raw(h, "</div>\n");
	for (int f = 0; f < FL_NFACTS; f++) {
		char key[48], nums[200];
		if (!c->pattern[f])
			continue;
		snprintf(key, sizeof key, "fleet_fact_%s", fl_fact_names[f]);
		raw(h, "<p class=\"pattern\"><b>");
		ui(h, "fleet_pattern_label");
		raw(h, "</b> ");
		ui(h, key);
		raw(h, " = <b>");
		text(h, dx_catalog_value(h->r->cat, c->split[f][0].value));
		raw(h, "</b> (");
		text(h, fl_say(h->r, "fleet_pattern_text", nums, sizeof nums, "here",
			       (size_t)(pct(c->split[f][0].n, c->n) + 0.5), "fleet",
			       (size_t)(pct(fl_fleet_count(res, f, c->split[f][0].value),
					    res->devices) +
					0.5),
			       NULL));
		raw(h, ")</p>\n");
	}
	split_tables(h, res, c);
	fprintf(h->out, "<h3>");
	ui(h, "fleet_devices_label");
	fprintf(h->out, " %zu</h3>\n<div class=\"devs\">", c->nmembers);
	/* a page a browser still opens at 100,000 devices: 1,000 names per
	 * cause here, every device in the table at the end */
	for (size_t i = 0; i < c->nmembers && i < FL_HTML_NAMES; i++) {
		raw(h, "<span>");
		text(h, res->name[c->members[i]]);
		raw(h, "</span>");
	}
	raw(h, "</div>\n");
	if (c->nmembers > FL_HTML_NAMES) {
		char more[64];
		raw(h, "<p class=\"hint\">");
		text(h, fl_say(h->r, "fleet_more", more, sizeof more, "count",
			       c->nmembers - FL_HTML_NAMES, NULL));
		raw(h, " &mdash; ");
		ui(h, "fleet_html_find_hint");
		raw(h, "</p>\n");
	}
	raw(h, "</section>\n");
}

static void th(struct h *h, const char *key)
{
	raw(h, "<th>");
	ui(h, key);
	raw(h, "</th>");
}

int fl_write_html(FILE *out, const struct fl_run *r, const struct fl_result *res)
{
	struct h h = {out, r};
	char line[1024], buf[4200], when[32];
	fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		strcmp(r->cat->lang, "ja") == 0 ? "ja" : "en");
	raw(&h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"mdediag " DX_VERSION "\">\n<title>");
	ui(&h, "fleet_title");
	raw(&h, "</title>\n<style>");
	raw(&h, css);
	raw(&h, "</style>\n</head>\n<body>\n<header><h1>");
	ui(&h, "fleet_title");
	raw(&h, "</h1>\n<p class=\"meta\">");
	text(&h, fl_say(r, "fleet_summary", line, sizeof line, "devices", res->devices, "results",
			r->results, "files", r->files, "duplicates", r->ndups, "unreadable",
			r->nbad, NULL));
	raw(&h, "</p>\n");
	if (r->redact) {
		raw(&h, "<p class=\"meta\">");
		ui(&h, "fleet_redacted_note");
		raw(&h, "</p>\n");
	}
	/* the numbers that matter, as cards */
	raw(&h, "<div class=\"cards\">");
	fprintf(out, "<div class=\"card\"><b>%zu</b><span>", res->devices);
	ui(&h, "fleet_col_devices");
	fprintf(out, "</span></div><div class=\"card\"><b>%zu</b><span>",
		res->devices - res->incomplete_n);
	ui(&h, "fleet_causes_card");
	fprintf(out, "</span></div><div class=\"card\"><b>%zu</b><span>", res->incomplete_n);
	ui(&h, "fleet_html_incomplete");
	fprintf(out, "</span></div><div class=\"card\"><b>%zu</b><span>", r->ndups);
	ui(&h, "fleet_html_dups");
	fprintf(out, "</span></div><div class=\"card\"><b>%zu</b><span>", r->nbad);
	ui(&h, "fleet_html_bad");
	raw(&h, "</span></div></div>\n</header>\n");

	/* 1. the chart */
	raw(&h, "<h2>");
	ui(&h, "fleet_html_chart");
	raw(&h, "</h2>\n<table class=\"chart\">\n");
	for (size_t i = 0; i < res->ncauses; i++)
		chart_row(&h, res, &res->causes[i], i + 1, "c", 0);
	if (res->nincomplete) {
		raw(&h, "<tr class=\"sep\"><td></td><td colspan=\"3\">");
		text(&h, fl_say(r, "fleet_incomplete_heading", line, sizeof line, "count",
				res->incomplete_n, NULL));
		raw(&h, "</td></tr>\n");
	}
	for (size_t i = 0; i < res->nincomplete; i++)
		chart_row(&h, res, &res->incomplete[i], i + 1, "i", 1);
	raw(&h, "</table>\n<p class=\"hint\">");
	ui(&h, "fleet_html_find_hint");
	raw(&h, "</p>\n");
	if (!res->devices) {
		raw(&h, "<p>");
		ui(&h, "fleet_no_devices");
		raw(&h, "</p>\n");
	}
	/* 2. each cause */
	for (size_t i = 0; i < res->ncauses; i++)
		cause_block(&h, res, &res->causes[i], i + 1, "c", 0);
	if (res->nincomplete) {
		raw(&h, "<h2>");
		text(&h, fl_say(r, "fleet_incomplete_heading", line, sizeof line, "count",
				res->incomplete_n, NULL));
		raw(&h, "</h2>\n");
		for (size_t i = 0; i < res->nincomplete; i++)
			cause_block(&h, res, &res->incomplete[i], i + 1, "i", 1);
	}
	/* 3. the other findings */
	if (res->nfindings) {
		raw(&h, "<h2>");
		ui(&h, "fleet_html_findings");
		raw(&h, "</h2>\n<table><tr>");
		th(&h, "fleet_col_finding");
		th(&h, "fleet_col_devices");
		th(&h, "fleet_col_share");
		raw(&h, "</tr>\n");
		for (size_t i = 0; i < res->nfindings && i < 50; i++) {
			raw(&h, "<tr><td><code>");
			text(&h, res->findings[i].value);
			fprintf(out,
				"</code></td><td class=\"n\">%zu</td><td "
				"class=\"n\">%.1f%%</td></tr>\n",
				res->findings[i].n, pct(res->findings[i].n, res->devices));
		}
		raw(&h, "</table>\n");
	}
	/* 4. duplicates and unreadable inputs */
	if (r->ndups) {
		raw(&h, "<h2>");
		ui(&h, "fleet_html_dups");
		raw(&h, "</h2>\n<p class=\"hint\">");
		text(&h, fl_say(r, "fleet_dups_line", line, sizeof line, "count", r->ndups, NULL));
		raw(&h, "</p>\n<table><tr>");
		if (!r->redact)
			th(&h, "fleet_col_device");
		th(&h, "fleet_col_kept");
		th(&h, "fleet_col_dropped");
		raw(&h, "</tr>\n");
		for (size_t i = 0; i < r->ndups; i++) {
			raw(&h, "<tr>");
			if (!r->redact) {
				raw(&h, "<td>");
				text(&h, r->dups[i].identity);
				raw(&h, "</td>");
			}
			raw(&h, "<td>");
			text(&h, fl_shown_source(r, r->dups[i].kept, buf, sizeof buf));
			raw(&h, "</td><td>");
			text(&h, fl_shown_source(r, r->dups[i].dropped, buf, sizeof buf));
			raw(&h, "</td></tr>\n");
		}
		raw(&h, "</table>\n");
	}
	if (r->nbad) {
		raw(&h, "<h2>");
		ui(&h, "fleet_html_bad");
		raw(&h, "</h2>\n<table><tr>");
		th(&h, "fleet_col_source");
		th(&h, "fleet_col_reason");
		raw(&h, "</tr>\n");
		for (size_t i = 0; i < r->nbad; i++) {
			raw(&h, "<tr><td>");
			text(&h, fl_shown_source(r, r->bad[i].source, buf, sizeof buf));
			raw(&h, "</td><td>");
			text(&h, r->bad[i].reason);
			raw(&h, "</td></tr>\n");
		}
		raw(&h, "</table>\n");
	}
	/* 5. every device */
	raw(&h, "<h2>");
	ui(&h, "fleet_html_all_devices");
	raw(&h, "</h2>\n<table><tr>");
	th(&h, "fleet_col_device");
	th(&h, "fleet_col_cause");
	th(&h, "fleet_fact_site");
	th(&h, "fleet_fact_os_build");
	th(&h, "fleet_col_time");
	if (!r->redact)
		th(&h, "fleet_col_source");
	raw(&h, "</tr>\n");
	for (size_t k = 0; k < res->devices; k++) {
		const struct fl_device *d = &r->dev[res->order[k]];
		raw(&h, "<tr><td>");
		text(&h, res->name[res->order[k]]);
		raw(&h, "</td><td><code>");
		text(&h, d->incomplete[0] ? d->incomplete : d->cause);
		if (!d->incomplete[0] && d->variant[0]) {
			raw(&h, "/");
			text(&h, d->variant);
		}
		raw(&h, "</code></td><td>");
		text(&h, d->facts[FL_SITE]);
		raw(&h, "</td><td>");
		text(&h, d->facts[FL_OS_BUILD]);
		raw(&h, "</td><td>");
		if (d->when > 0) {
			dx_format_time(d->when, when);
			text(&h, when);
		}
		raw(&h, "</td>");
		if (!r->redact) {
			raw(&h, "<td>");
			text(&h, d->source);
			raw(&h, "</td>");
		}
		raw(&h, "</tr>\n");
	}
	raw(&h, "</table>\n<footer>");
	ui(&h, "footer");
	raw(&h, "</footer>\n</body>\n</html>\n");
	return ferror(out) ? -1 : 0;
}
