/* report_text.c - the report for people in a terminal: the verdict and the
 * next step on top, then every finding with its evidence, wrapped to a
 * width in display columns (CJK counts 2, so Japanese fits too). Also the
 * helpers every writer shares (what was not determined, colour, progress
 * line); the UTF-8 rules are in utf8.c. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "console.h"
#include "report.h"
#include "utf8.h"
#ifdef _WIN32
#include <io.h>
#define dx_isatty(f) _isatty(_fileno(f))
#else
#include <unistd.h>
#define dx_isatty(f) isatty(fileno(f))
#endif

/* ---- shared helpers ----------------------------------------------------- */

cJSON *dx_report_not_determined(const cJSON *model)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *nd = cJSON_GetObjectItemCaseSensitive(v, "not_determined"), *f;
	if (cJSON_IsArray(nd))
		return cJSON_Duplicate(nd, 1);
	/* a model from before verdict.not_determined: the network part */
	cJSON *out = cJSON_CreateArray();
	int probed = 0;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(model, "findings"))
	{
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(f, "id");
		probed |= cJSON_IsString(id) && strncmp(id->valuestring, "net.", 4) == 0 &&
			  strcmp(id->valuestring, "net.mode") &&
			  strncmp(id->valuestring, "net.proxy", 9);
	}
	if (out && !probed) {
		cJSON *x = cJSON_CreateObject();
		cJSON_AddStringToObject(x, "id", "net.*");
		cJSON_AddStringToObject(x, "reason", "network-not-tested");
		cJSON_AddItemToArray(out, x);
	}
	return out;
}

int dx_color_wanted(FILE *f)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	if (nc && nc[0])
		return 0;
	if (!dx_isatty(f))
		return 0;
#ifdef _WIN32
	/* The classic console shows escape codes raw unless virtual terminal
	 * processing is on: switch it on, or write none (console.h). */
	if (!dx_console_vt(f))
		return 0;
#endif
	return !(term && strcmp(term, "dumb") == 0);
}

int dx_is_terminal(FILE *f)
{
	const char *term = getenv("TERM");
	if (!dx_isatty(f) || (term && strcmp(term, "dumb") == 0))
		return 0;
#ifdef _WIN32
	/* "\r\033[K" needs virtual terminal processing (issue 16) */
	return dx_console_vt(f);
#else
	return 1;
#endif
}

/* ---- progress line ------------------------------------------------------ */

static int progress_on, progress_shown;

void dx_progress_enable(int on)
{
	progress_on = on;
}

void dx_progress(const char *fmt, ...)
{
	char raw[512], line[512];
	size_t o = 0;
	int w = 0;
	unsigned cp;
	va_list ap;
	if (!progress_on)
		return;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof raw, fmt, ap);
	va_end(ap);
	for (const char *p = raw; *p;) {
		size_t n = dx_utf8_decode(p, &cp);
		int cw = dx_cp_unsafe(cp) || cp == '\n' || cp == '\t' ? 1 : dx_cp_width(cp);
		if (w + cw > 79 || o + n >= sizeof line)
			break;
		if (dx_cp_unsafe(cp) || cp == '\n' || cp == '\t' || cp == 0xFFFD)
			line[o++] = cp == '\t' || cp == '\n' ? ' ' : '?';
		else
			memcpy(line + o, p, n), o += n;
		w += cw;
		p += n;
	}
	line[o] = '\0';
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
	progress_shown = 1;
}

void dx_progress_done(void)
{
	if (progress_on && progress_shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	progress_shown = 0;
}

/* ---- the text report ---------------------------------------------------- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_DIM "\033[2m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[33m"
#define C_GREEN "\033[32m"

/* At most this many lines per check ID in the summary (net.endpoint can
 * have dozens); the rest is counted, and --verbose shows every one. */
#define SUMMARY_PER_ID 4

struct tw {
	FILE *out;
	int width, color;
	const struct dx_catalog *cat;
};

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

static const char *sev_color(const char *sev)
{
	return strcmp(sev, "error") == 0 ? C_RED : strcmp(sev, "warning") == 0 ? C_YELLOW : C_GREEN;
}

/* Closing punctuation that must not start a line (a small kinsoku rule):
 * it stays with the character before it. */
static int is_closer(unsigned cp)
{
	return cp == 0x3001 || cp == 0x3002 || cp == 0xFF0C || cp == 0xFF0E || cp == 0x300D ||
	       cp == 0x300F || cp == 0xFF09 || cp == 0x3011 || cp == 0x30FC || cp == 0xFF1A ||
	       cp == 0xFF01 || cp == 0xFF1F;
}

/* Writes one code point safely: unsafe ones, newlines (text from the model
 * never breaks a line: a crafted value cannot forge a report line) and
 * U+FFFD from invalid bytes as '?', tabs as a space. */
static void put_cp(FILE *out, const char *p, size_t n, unsigned cp)
{
	if (cp == '\t')
		fputc(' ', out);
	else if (dx_cp_unsafe(cp) || cp == '\n' || cp == 0xFFFD)
		fputc('?', out);
	else
		fwrite(p, 1, n, out);
}

static int cp_cols(unsigned cp)
{
	return dx_cp_unsafe(cp) || cp == '\t' || cp == '\n' ? 1 : dx_cp_width(cp);
}

/* The next unit of text at p: a run of narrow non-space characters (a
 * word), or one wide character with the closers after it. Returns its
 * length in bytes and its width in *w. */
static size_t next_unit(const char *p, int *w)
{
	unsigned cp;
	size_t n = dx_utf8_decode(p, &cp), len = n;
	*w = cp_cols(cp);
	if (dx_cp_width(cp) == 2 && !dx_cp_unsafe(cp)) {
		for (;;) {
			unsigned c2;
			size_t m;
			if (!p[len])
				break;
			m = dx_utf8_decode(p + len, &c2);
			if (!is_closer(c2))
				break;
			len += m;
			*w += 2;
		}
		return len;
	}
	while (p[len] && p[len] != ' ') {
		unsigned c2;
		size_t m = dx_utf8_decode(p + len, &c2);
		if (dx_cp_width(c2) == 2 && !dx_cp_unsafe(c2)) {
			/* a word followed by "、" or "。" keeps them */
			while (p[len] && (m = dx_utf8_decode(p + len, &c2), is_closer(c2)))
				len += m, *w += 2;
			break;
		}
		len += m;
		*w += cp_cols(c2);
	}
	return len;
}

static void pad(FILE *out, int n)
{
	while (n-- > 0)
		fputc(' ', out);
}

static void put_text(FILE *out, const char *s)
{
	for (const char *p = s; *p;) {
		unsigned cp;
		size_t n = dx_utf8_decode(p, &cp);
		put_cp(out, p, n, cp);
		p += n;
	}
}

/* Prints `text` wrapped at the width, every line indented by `indent`
 * columns, the first line prefixed by `lead` (coloured with `lead_color`
 * when colour is on). A word longer than the line is cut; wide characters
 * break anywhere (but closers stay with the character before them). */
static void wrap_c(struct tw *t, const char *lead, const char *lead_color, const char *text,
		   int indent)
{
	FILE *out = t->out;
	int col = 0, avail = t->width - indent, lw = dx_display_width(lead);
	if (avail < 20)
		avail = 20, indent = t->width - 20;
	if (t->color && lead_color && lead[0])
		fputs(lead_color, out);
	put_text(out, lead);
	if (t->color && lead_color && lead[0])
		fputs(C_RESET, out);
	if (lw >= indent && lw > 0) {
		/* a lead wider than the indent gets its own line */
		fputc('\n', out);
		lw = 0;
	}
	pad(out, indent - lw);
	int space = 0;
	for (const char *p = text; *p;) {
		if (*p == ' ') {
			space = col > 0;
			p++;
			continue;
		}
		int w;
		size_t n = next_unit(p, &w);
		int need = w + (space ? 1 : 0);
		if (col && col + need > avail) {
			fputc('\n', out);
			pad(out, indent);
			col = space = 0;
		} else if (space) {
			fputc(' ', out);
			col++;
		}
		space = 0;
		/* emit the unit, cutting it where it does not fit */
		for (size_t i = 0; i < n;) {
			unsigned cp;
			size_t m = dx_utf8_decode(p + i, &cp);
			int cw = cp_cols(cp);
			if (col + cw > avail) {
				fputc('\n', out);
				pad(out, indent);
				col = 0;
			}
			put_cp(out, p + i, m, cp);
			col += cw;
			i += m;
		}
		p += n;
	}
	fputc('\n', out);
}

static void wrap(struct tw *t, const char *lead, const char *text, int indent)
{
	wrap_c(t, lead, NULL, text, indent);
}

/* One line, never more: `lead` then `text`, cut with "..." at the width. */
static void one_line(struct tw *t, const char *lead, const char *lead_color, int indent,
		     const char *text)
{
	FILE *out = t->out;
	int col = dx_display_width(lead), avail = t->width;
	if (t->color && lead_color)
		fputs(lead_color, out);
	put_text(out, lead);
	if (t->color && lead_color)
		fputs(C_RESET, out);
	if (col < indent)
		pad(out, indent - col), col = indent;
	else
		fputc(' ', out), col++;
	int total = col + dx_display_width(text);
	for (const char *p = text; *p;) {
		unsigned cp;
		size_t n = dx_utf8_decode(p, &cp);
		int cw = cp_cols(cp);
		if (total > avail && col + cw > avail - 3) {
			fputs("...", out);
			break;
		}
		put_cp(out, p, n, cp);
		col += cw;
		p += n;
	}
	fputc('\n', out);
}

/* A command on a line of its own, indented, never wrapped or cut: pasted
 * into a console it runs whole. Sanitised like everything else. */
static void command_line(struct tw *t, const char *cmd, int indent)
{
	pad(t->out, indent);
	if (t->color)
		fputs(C_BOLD, t->out);
	put_text(t->out, cmd);
	if (t->color)
		fputs(C_RESET, t->out);
	fputc('\n', t->out);
}

static void scalar_text(char *val, size_t sz, const cJSON *m, const struct dx_catalog *cat)
{
	if (cJSON_IsString(m)) {
		/* a sentence of the tool's own (a probe or PAC reason) in the
		 * report's language; the device's data as it is */
		char *said = dx_catalog_phrase(cat, m->valuestring);
		snprintf(val, sz, "%s", said ? said : m->valuestring);
		free(said);
		return;
	}
	if (cJSON_IsBool(m))
		snprintf(val, sz, "%s", dx_catalog_ui(cat, cJSON_IsTrue(m) ? "yes" : "no"));
	else if (cJSON_IsNumber(m))
		snprintf(val, sz, "%g", m->valuedouble);
	else
		snprintf(val, sz, "null");
}

/* Scalars of an evidence object as "k=v; k=v", bounded; arrays of scalars
 * keep their label ("categories=cnc, edr"). */
static void evidence_line(char *buf, size_t sz, const cJSON *ev, const struct dx_catalog *cat)
{
	size_t o = 0;
	const cJSON *m;
	buf[0] = '\0';
	cJSON_ArrayForEach(m, ev)
	{
		char val[300];
		if (cJSON_IsObject(m))
			continue; /* shown on their own lines */
		if (cJSON_IsArray(m)) {
			const cJSON *x;
			size_t vo = 0;
			int scalars = 1;
			val[0] = '\0';
			cJSON_ArrayForEach(x, m)
			{
				char one[200];
				if (cJSON_IsArray(x) || cJSON_IsObject(x)) {
					scalars = 0;
					break;
				}
				if (vo >= sizeof val)
					continue; /* full (cut); still looking for objects */
				scalar_text(one, sizeof one, x, cat);
				vo += (size_t)snprintf(val + vo, sizeof val - vo, "%s%s",
						       vo ? ", " : "", one);
			}
			if (!scalars || strcmp(m->string, "steps") == 0)
				continue; /* lists of objects: their own lines */
		} else {
			scalar_text(val, sizeof val, m, cat);
		}
		o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0, "%s%s=%s", o ? "; " : "",
				      m->string, val);
		if (o >= sz)
			break;
	}
}

/* An array of objects: one line per item, labelled "key[n]:". */
static void evidence_list(struct tw *t, const char *key, const cJSON *arr)
{
	const cJSON *x;
	int n = 1;
	char lead[96], line[1024];
	cJSON_ArrayForEach(x, arr)
	{
		if (!cJSON_IsObject(x))
			continue;
		snprintf(lead, sizeof lead, "%12s%.60s[%d]:", "", key, n++);
		evidence_line(line, sizeof line, x, t->cat);
		wrap(t, lead, line, 16);
		if (n > 50) {
			wrap(t, "", "...", 16);
			break;
		}
	}
}

/* A plan's steps, numbered; a step that ends with one of the evidence's
 * commands (cmd_* members) prints the command on its own line. */
static void steps_list(struct tw *t, const cJSON *ev)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(ev, "steps"), *s;
	int n = 1;
	if (!cJSON_IsArray(steps))
		return;
	cJSON_ArrayForEach(s, steps)
	{
		char lead[16], *text;
		const char *cmd = NULL;
		const cJSON *m;
		if (!cJSON_IsString(s))
			continue;
		cJSON_ArrayForEach(m, ev)
		{
			/* a string, or an element of an array (one step each) */
			size_t sl = strlen(s->valuestring), cl;
			if (!m->string || strncmp(m->string, "cmd_", 4))
				continue;
			for (const cJSON *x = cJSON_IsArray(m) ? m->child : m; x;
			     x = cJSON_IsArray(m) ? x->next : NULL)
				if (cJSON_IsString(x) && (cl = strlen(x->valuestring)) &&
				    cl <= sl &&
				    strcmp(s->valuestring + sl - cl, x->valuestring) == 0)
					cmd = x->valuestring;
		}
		snprintf(lead, sizeof lead, "  %d.", n++);
		text = strdup(s->valuestring);
		if (!text)
			continue;
		if (cmd)
			text[strlen(text) - strlen(cmd)] = '\0';
		wrap(t, lead, text, 6);
		if (cmd)
			command_line(t, cmd, 6);
		free(text);
	}
}

static void heading(struct tw *t, const char *label)
{
	if (t->color)
		fputs(C_BOLD, t->out);
	put_text(t->out, label);
	if (t->color)
		fputs(C_RESET, t->out);
	fputc('\n', t->out);
}

/* Every finding with its evidence (--verbose). */
static void details(struct tw *t, const cJSON *findings)
{
	const cJSON *f;
	char tagkey[32], sev[64], line[1024];
	cJSON_ArrayForEach(f, findings)
	{
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		const char *sv = str(f, "severity");
		if (strcmp(str(f, "id"), "verdict") == 0)
			continue; /* shown on top */
		snprintf(tagkey, sizeof tagkey, "tag.%s", sv);
		snprintf(sev, sizeof sev, "[%s]", dx_catalog_ui(t->cat, tagkey));
		snprintf(line, sizeof line, "%s  %s", str(f, "id"), str(f, "title"));
		wrap_c(t, sev, sev_color(sv), line, 10);
		if (str(f, "detail")[0])
			wrap(t, "", str(f, "detail"), 10);
		if (strcmp(sv, "info") && str(f, "guidance")[0])
			wrap(t, "", str(f, "guidance"), 10);
		char evl[2048];
		evidence_line(evl, sizeof evl, ev, t->cat);
		if (evl[0])
			wrap(t, "", evl, 12);
		const cJSON *m;
		cJSON_ArrayForEach(m, ev)
		{
			if (cJSON_IsArray(m) && strcmp(m->string, "steps"))
				evidence_list(t, m->string, m);
			else if (cJSON_IsObject(m)) {
				char lead[96];
				snprintf(lead, sizeof lead, "%12s%.60s:", "", m->string);
				evidence_line(evl, sizeof evl, m, t->cat);
				wrap(t, lead, evl, 16);
			}
		}
		if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(ev, "steps")))
			steps_list(t, ev);
	}
}

/* The errors and warnings, one line each, errors first; at most
 * SUMMARY_PER_ID lines per check ID, the rest counted. Returns the number
 * of findings listed. */
static int problems(struct tw *t, const cJSON *findings)
{
	static const char *const sevs[] = {"error", "warning"};
	int listed = 0;
	for (int s = 0; s < 2; s++) {
		const cJSON *f;
		char tagkey[32], sev[64], line[1024];
		snprintf(tagkey, sizeof tagkey, "tag.%s", sevs[s]);
		snprintf(sev, sizeof sev, "  [%s]", dx_catalog_ui(t->cat, tagkey));
		cJSON_ArrayForEach(f, findings)
		{
			const cJSON *g;
			int before = 0, after = 0, seen = 0;
			if (strcmp(str(f, "severity"), sevs[s]) ||
			    strcmp(str(f, "id"), "verdict") == 0)
				continue;
			/* how many of the same ID and severity came before, and after */
			cJSON_ArrayForEach(g, findings)
			{
				if (g == f) {
					seen = 1;
					continue;
				}
				if (strcmp(str(g, "id"), str(f, "id")) ||
				    strcmp(str(g, "severity"), sevs[s]))
					continue;
				if (seen)
					after++;
				else
					before++;
			}
			if (before >= SUMMARY_PER_ID)
				continue;
			snprintf(line, sizeof line, "%s  %s", str(f, "id"), str(f, "title"));
			one_line(t, sev, sev_color(sevs[s]), 12, line);
			listed++;
			if (before == SUMMARY_PER_ID - 1 && after > 0) {
				char *more = NULL;
				cJSON *ev = cJSON_CreateObject();
				if (ev) {
					cJSON_AddNumberToObject(ev, "count", after);
					cJSON_AddStringToObject(ev, "id", str(f, "id"));
					more = dx_render_template(
						dx_catalog_ui(t->cat, "more_findings"), ev);
				}
				one_line(t, "", NULL, 12, more ? more : "...");
				free(more);
				cJSON_Delete(ev);
			}
		}
	}
	return listed;
}

/* What could not be determined: the model's "not_determined" list (check
 * and reason code), each reason said through the catalog (reason.CODE). */
static void not_tested(struct tw *t, const cJSON *model)
{
	cJSON *nd = dx_report_not_determined(model);
	const cJSON *x;
	if (!nd || !cJSON_GetArraySize(nd)) {
		cJSON_Delete(nd);
		return;
	}
	fputc('\n', t->out);
	heading(t, dx_catalog_ui(t->cat, "not_tested_label"));
	/* grouped by reason (verdict.to_check): each remedy said once */
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(model, "verdict"), "to_check");
	if (cJSON_GetArraySize(groups) > 0) {
		cJSON_ArrayForEach(x, groups)
		{
			char line[1024] = "";
			size_t n = 0;
			const cJSON *id;
			cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(
						       x, "ids")) if (cJSON_IsString(id) &&
								      n < sizeof line) n +=
				(size_t)snprintf(line + n, sizeof line - n, "%s%s", n ? ", " : "",
						 id->valuestring);
			if (n < sizeof line)
				snprintf(line + n, sizeof line - n, ": %s", str(x, "how"));
			wrap(t, "  -", line, 4);
		}
		cJSON_Delete(nd);
		return;
	}
	cJSON_ArrayForEach(x, nd)
	{
		char key[96], line[1024];
		const char *how = str(x, "how");
		snprintf(key, sizeof key, "reason.%s", str(x, "reason"));
		if (!how[0])
			how = dx_catalog_ui(t->cat, key);
		snprintf(line, sizeof line, "%s%s%s%s: %s", str(x, "id"),
			 str(x, "title")[0] ? " (" : "", str(x, "title"),
			 str(x, "title")[0] ? ")" : "", how);
		wrap(t, "  -", line, 4);
	}
	cJSON_Delete(nd);
}

int dx_report_text_opts(FILE *out, const cJSON *model, const struct dx_catalog *cat,
			const struct dx_text_opts *o)
{
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(model, "summary");
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	const cJSON *vev = cJSON_GetObjectItemCaseSensitive(verdict, "evidence");
	struct tw t = {out, o && o->width >= 40 ? o->width : 40, o && o->color, cat};
	char line[1024];

	snprintf(line, sizeof line, "mdediag %s - %s%s%s", DX_VERSION, str(dev, "hostname"),
		 str(model, "source")[0] ? " - fixture " : "", str(model, "source"));
	wrap(&t, "", line, 0);
	{
		/* "Windows 11 Enterprise, build 22631.4460 (Client)": the
		 * parts the device did not give are left out, with their
		 * separators */
		char *product = dx_catalog_words(cat, str(dev, "product"));
		size_t o = (size_t)snprintf(line, sizeof line, "%s%s%s",
					    product ? product : str(dev, "product"),
					    str(dev, "edition")[0] ? " " : "", str(dev, "edition"));
		free(product);
		if (str(dev, "build_ubr")[0] && o < sizeof line)
			o += (size_t)snprintf(line + o, sizeof line - o, "%s%s %s", o ? ", " : "",
					      dx_catalog_ui(cat, "build_word"),
					      str(dev, "build_ubr"));
		if (str(dev, "installation_type")[0] && o < sizeof line)
			snprintf(line + o, sizeof line - o, "%s(%s)", o ? " " : "",
				 str(dev, "installation_type"));
		if (line[0])
			wrap(&t, "", line, 0);
	}
	fputc('\n', out);

	/* 1. the verdict: labels are as wide as the widest of them */
	const char *why = dx_catalog_ui(cat, "why");
	int ind = 2 + dx_display_width(why) + 2;
	char lwhy[96];
	snprintf(lwhy, sizeof lwhy, "  %s", why);
	const char *vsev = str(verdict, "severity");
	char tagkey[32];
	snprintf(tagkey, sizeof tagkey, "tag.%s", vsev);
	snprintf(line, sizeof line, "%s [%s] %s", dx_catalog_ui(cat, "verdict_label"),
		 dx_catalog_ui(cat, tagkey), str(verdict, "id"));
	if (t.color)
		fputs(strcmp(vsev, "info") ? sev_color(vsev) : C_BOLD, out);
	{
		struct tw plain = t;
		plain.color = 0;
		wrap(&plain, "", line, 0);
	}
	if (t.color)
		fputs(C_RESET, out);
	if (str(verdict, "title")[0])
		wrap(&t, "", str(verdict, "title"), 2);
	if (str(verdict, "detail")[0])
		wrap(&t, lwhy, str(verdict, "detail"), ind);
	if (str(verdict, "rule")[0]) {
		/* the rule in words ("rule.cause-found"), or its code */
		char key[96];
		snprintf(key, sizeof key, "rule.%s", str(verdict, "rule"));
		wrap(&t, "", dx_catalog_ui(cat, key), ind);
	}
	char *vcmd = dx_catalog_command(cat, verdict);
	if (vcmd && vcmd[0]) {
		wrap(&t, "", dx_catalog_ui(cat, "command"), 2);
		command_line(&t, vcmd, 4);
	}
	free(vcmd);
	fputc('\n', out);

	/* 2. each error and warning on one line */
	char *counts = dx_render_template(dx_catalog_ui(cat, "findings_counts"), sum);
	snprintf(line, sizeof line, "%s: %s", dx_catalog_ui(cat, "findings_label"),
		 counts ? counts : "");
	free(counts);
	heading(&t, line);
	if (!problems(&t, findings))
		wrap(&t, "", dx_catalog_ui(cat, "no_problems"), 2);

	/* 3. what was not tested */
	not_tested(&t, model);

	/* 4. everything, when asked */
	if (o && o->verbose) {
		fputc('\n', out);
		heading(&t, dx_catalog_ui(cat, "details_label"));
		details(&t, findings);
	}

	if (!(o && o->verbose)) {
		fputc('\n', out);
		wrap(&t, "", dx_catalog_ui(cat, "verbose_hint"), 0);
	}

	/* 5. the next step and its command, last */
	fputc('\n', out);
	heading(&t, dx_catalog_ui(cat, "next_step_label"));
	if (str(verdict, "next_step")[0])
		wrap(&t, "", str(verdict, "next_step"), 2);
	if (strcmp(str(verdict, "section"), "connectivity") == 0)
		wrap(&t, "", dx_catalog_ui(cat, "url_lists"), 2);
	steps_list(&t, vev);
	char *cmd = dx_catalog_command(cat, verdict);
	if (cmd && cmd[0]) {
		wrap(&t, "", dx_catalog_ui(cat, "command"), 2);
		command_line(&t, cmd, 4);
	}
	free(cmd);
	return ferror(out) ? -1 : 0;
}
