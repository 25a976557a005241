/* report_intune.c - the one-line output of an Intune remediation script.
 *
 * Intune keeps the first 2,048 characters of a detection script's output
 * and shows them in the device status column, one row per device. So: one
 * line, the verdict first (severity, check ID, title), then the counts,
 * the IDs of the errors and of the warnings, the next step (bounded), the
 * key facts in a fixed order as key=value, the failed destinations. Fields are
 * separated by " | ". Control characters and invalid UTF-8 become '?' and
 * '|' inside a value becomes '/', so a fleet export can be split on " | "
 * reliably; the line is cut on a UTF-8 boundary to DX_INTUNE_MAX bytes
 * (bytes, not characters: never more than Intune's limit).
 */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "utf8.h"

struct line {
	char buf[DX_INTUNE_MAX];
	size_t len; /* bytes used, without the NUL */
	int full;
};

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

/* Appends s, keeping room for "\n" and the NUL; `sanitise` replaces
 * control characters, invalid UTF-8 and '|' (the field separator). */
static void append(struct line *l, const char *s, int sanitise)
{
	const size_t cap = DX_INTUNE_MAX - 2; /* "\n" + NUL */
	unsigned cp;
	for (const char *p = s; *p && !l->full;) {
		size_t n = dx_utf8_decode(p, &cp);
		const char *emit = p;
		size_t m = n;
		if (dx_cp_unsafe(cp) || cp == '\n' || cp == '\t' || cp == 0xFFFD)
			emit = "?", m = 1;
		else if (cp == '|' && sanitise)
			emit = "/", m = 1;
		if (l->len + m > cap) {
			l->full = 1;
			break;
		}
		memcpy(l->buf + l->len, emit, m);
		l->len += m;
		p += n;
	}
	l->buf[l->len] = '\0';
}

static void add(struct line *l, const char *s)
{
	append(l, s, 1);
}

static void field(struct line *l, const char *key, const char *val)
{
	if (!val || !val[0])
		return;
	append(l, " | ", 0);
	add(l, key);
	add(l, "=");
	add(l, val);
}

/* A field cut to `max` bytes (on a UTF-8 boundary, "..." marking the cut),
 * so a long next step leaves room for the device facts after it. */
static void field_max(struct line *l, const char *key, const char *val, size_t max)
{
	char cut[1024];
	size_t n = strlen(val ? val : "");
	if (n <= max || max + 4 > sizeof cut) {
		field(l, key, val);
		return;
	}
	while (max > 0 && ((unsigned char)val[max] & 0xC0) == 0x80)
		max--; /* not inside a character */
	memcpy(cut, val, max);
	memcpy(cut + max, "...", 4);
	field(l, key, cut);
}

/* "errors=" or "warnings=": the IDs (with variant) of the findings of that
 * severity in report order (the article's), each once, "(N)" when it
 * repeats (net.endpoint). */
static void id_list(struct line *l, const cJSON *findings, const char *sev, const char *key)
{
	const cJSON *f, *g;
	int first = 1;
	cJSON_ArrayForEach(f, findings)
	{
		char id[160];
		int dup = 0, count = 0;
		if (strcmp(str(f, "severity"), sev) || strcmp(str(f, "id"), "verdict") == 0)
			continue;
		cJSON_ArrayForEach(g, findings)
		{
			int same = strcmp(str(g, "severity"), sev) == 0 &&
				   strcmp(str(g, "id"), str(f, "id")) == 0 &&
				   strcmp(str(g, "variant"), str(f, "variant")) == 0;
			if (g == f)
				break;
			dup |= same;
		}
		if (dup)
			continue;
		for (g = f; g; g = g->next)
			count += strcmp(str(g, "severity"), sev) == 0 &&
				 strcmp(str(g, "id"), str(f, "id")) == 0 &&
				 strcmp(str(g, "variant"), str(f, "variant")) == 0;
		snprintf(id, sizeof id, "%.80s%s%.60s", str(f, "id"),
			 str(f, "variant")[0] ? "/" : "", str(f, "variant"));
		if (first) {
			append(l, " | ", 0);
			add(l, key);
			add(l, "=");
		} else {
			add(l, ",");
		}
		add(l, id);
		if (count > 1) {
			snprintf(id, sizeof id, "(%d)", count);
			add(l, id);
		}
		first = 0;
	}
}

/* The finding the next step should come from: the verdict's cause, or,
 * when the verdict is only the re-onboarding plan, the first error or
 * warning (its fix comes before the plan). */
static const cJSON *next_source(const cJSON *verdict, const cJSON *findings)
{
	const cJSON *f;
	if (strcmp(str(verdict, "id"), "reonboard.plan"))
		return verdict;
	for (int s = 0; s < 2; s++)
		cJSON_ArrayForEach(
			f, findings) if (strcmp(str(f, "severity"), s ? "warning" : "error") == 0 &&
					 strcmp(str(f, "id"), "verdict") &&
					 strcmp(str(f, "id"), "reonboard.plan")) return f;
	return verdict;
}

int dx_report_intune(FILE *out, const cJSON *model, const struct dx_catalog *cat)
{
	static struct line l; /* 2 kB: not on the stack of a small thread */
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *sense = cJSON_GetObjectItemCaseSensitive(d, "sense");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(d, "defender_av");
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(model, "summary");
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	char tmp[128];
	const cJSON *f;

	memset(&l, 0, sizeof l);
	/* 1. the verdict */
	const char *sev = str(v, "severity");
	add(&l, strcmp(sev, "error") == 0     ? "ERROR"
		: strcmp(sev, "warning") == 0 ? "WARNING"
					      : "OK");
	add(&l, " ");
	add(&l, str(v, "id"));
	if (str(v, "variant")[0]) {
		add(&l, "/");
		add(&l, str(v, "variant"));
	}
	add(&l, ": ");
	/* rule 4 (nothing explains a missing device): in a fleet's column
	 * that is a healthy device; the plan is the last resort, in the
	 * full report */
	int healthy = strcmp(str(v, "id"), "reonboard.plan") == 0;
	add(&l, healthy ? dx_catalog_ui(cat, "intune_healthy") : str(v, "title"));
	/* 2. counts, then the errors' and the warnings' IDs */
	snprintf(tmp, sizeof tmp, "%d/%d/%d",
		 cJSON_GetObjectItemCaseSensitive(sum, "error")
			 ? cJSON_GetObjectItemCaseSensitive(sum, "error")->valueint
			 : 0,
		 cJSON_GetObjectItemCaseSensitive(sum, "warning")
			 ? cJSON_GetObjectItemCaseSensitive(sum, "warning")->valueint
			 : 0,
		 cJSON_GetObjectItemCaseSensitive(sum, "info")
			 ? cJSON_GetObjectItemCaseSensitive(sum, "info")->valueint
			 : 0);
	field(&l, "e/w/i", tmp);
	id_list(&l, findings, "error", "errors");
	id_list(&l, findings, "warning", "warnings");
	/* what could not be checked: id(reason) (verdict rule 3) */
	int first = 1;
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(v, "not_determined"))
	{
		append(&l, first ? " | not_determined=" : ",", 0);
		add(&l, str(f, "id"));
		add(&l, "(");
		add(&l, str(f, "reason"));
		add(&l, ")");
		first = 0;
	}
	/* 3. the next step: the command, or the guidance, bounded so the
	 * device facts after it survive */
	const cJSON *ns = next_source(v, findings);
	char *cmd = dx_catalog_command(cat, ns);
	const char *guid = ns != v   ? str(ns, "guidance")
			   : healthy ? dx_catalog_ui(cat, "intune_healthy_next")
				     : str(v, "next_step");
	field_max(&l, "next", cmd && cmd[0] ? cmd : guid, 600);
	free(cmd);
	/* 4. the key facts, fixed order */
	field(&l, "host", str(d, "hostname"));
	snprintf(tmp, sizeof tmp, "%.40s%s%.20s", str(d, "build_ubr"),
		 str(d, "build_ubr")[0] && str(d, "edition")[0] ? " " : "", str(d, "edition"));
	field(&l, "os", tmp);
	field(&l, "sense",
	      strcmp(str(sense, "exists"), "no") == 0 ? "missing" : str(sense, "state"));
	field(&l, "sense_ver", str(sense, "version"));
	field(&l, "mdav", str(av, "state"));
	field(&l, "mdav_platform", str(av, "platform"));
	field(&l, "sigs", str(av, "signatures"));
	field(&l, "onboarding", str(d, "onboarding_method"));
	field(&l, "streamlined", str(d, "streamlined"));
	field(&l, "winhttp_proxy", str(d, "winhttp_proxy"));
	field(&l, "static_proxy", str(d, "static_proxy"));
	/* 5. the failed required destinations (host=result, issuer when
	 * intercepted), last: there can be dozens */
	cJSON_ArrayForEach(f, findings)
	{
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		if (strcmp(str(f, "id"), "net.endpoint") || strcmp(str(f, "severity"), "error"))
			continue;
		field(&l, "fail", str(ev, "host"));
		add(&l, "=");
		add(&l, str(ev, "result"));
		if (str(ev, "issuer")[0]) {
			add(&l, " issuer=");
			add(&l, str(ev, "issuer"));
		}
	}
	l.buf[l.len++] = '\n';
	l.buf[l.len] = '\0';
	return fputs(l.buf, out) < 0 || ferror(out) ? -1 : 0;
}
