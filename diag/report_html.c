/* report_html.c - the report as one self-contained HTML page.
 *
 * The layout follows Microsoft's Client Analyzer (MDEClientAnalyzer.htm) so
 * its readers find their way, with the answer first: the verdict (most
 * likely cause, why, next step and its exact command), then Device
 * Information (General Device Details, EDR Component Details, AV Component
 * Details), the Check Results Summary, Detailed Results (errors first), the
 * connectivity table when the probe ran, and the evidence of every finding.
 *
 * Safety contract: every string that came from the model (device, network,
 * catalog) goes through put_text(), which escapes & < > " ' and replaces
 * invalid UTF-8, control characters and bidi overrides with U+FFFD. Device
 * data never lands in an attribute or a URL; attributes carry only fixed
 * class names and numeric anchors. A Content-Security-Policy forbids
 * scripts and every fetch, should anything slip through anyway.
 */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "utf8.h"

#define MAX_SHOWN 2000 /* code points of one value shown; the JSON has all */
#define MAX_CELL 400   /* ... in a cell of the results table; evidence has more */

struct hw {
	FILE *out;
	const struct dx_catalog *cat;
};

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

static const char *ui(const struct hw *h, const char *key)
{
	return dx_catalog_ui(h->cat, key);
}

/* An enumerated value in the catalog's words ("script-gpo-mecm",
 * "RUNNING", "tls-intercepted"), or as it is. */
static const char *val(const struct hw *h, const char *s)
{
	return s[0] ? dx_catalog_value(h->cat, s) : s; /* "" stays: "not available" */
}

static void raw(const struct hw *h, const char *s)
{
	fputs(s, h->out);
}

/* Escaped text, at most `max` code points (0 = no limit). Returns the
 * number of code points left out. */
static size_t put_text_n(const struct hw *h, const char *s, size_t max)
{
	size_t shown = 0, left = 0;
	unsigned cp;
	for (const char *p = s ? s : ""; *p;) {
		size_t n = dx_utf8_decode(p, &cp);
		if (max && shown >= max) {
			left++;
			p += n;
			continue;
		}
		switch (cp) {
		case '&': raw(h, "&amp;"); break;
		case '<': raw(h, "&lt;"); break;
		case '>': raw(h, "&gt;"); break;
		case '"': raw(h, "&quot;"); break;
		case '\'': raw(h, "&#39;"); break;
		default:
			if (dx_cp_unsafe(cp) || cp == 0xFFFD)
				raw(h, "&#xFFFD;");
			else
				fwrite(p, 1, n, h->out);
		}
		shown++;
		p += n;
	}
	return left;
}

static void put_text(const struct hw *h, const char *s)
{
	put_text_n(h, s, 0);
}

/* A value from the device: at most `max` code points, with a note when
 * cut. */
static void put_value_text_n(const struct hw *h, const char *s, size_t max)
{
	size_t left = put_text_n(h, s, max);
	if (left) {
		char note[160];
		snprintf(note, sizeof note, " … (+%zu)", left);
		raw(h, "<span class=\"cut\">");
		put_text(h, note);
		raw(h, " ");
		put_text(h, ui(h, "truncated"));
		raw(h, "</span>");
	}
}

static void put_value_text(const struct hw *h, const char *s)
{
	put_value_text_n(h, s, MAX_SHOWN);
}

/* A host name that wraps only after a dot (<wbr>), never inside a label:
 * "winatp-gw-cus.<wbr>microsoft.<wbr>com". */
static void put_host(const struct hw *h, const char *host)
{
	char part[256];
	for (const char *p = host; *p;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) + 1 : strlen(p);
		if (n >= sizeof part)
			n = sizeof part - 1;
		memcpy(part, p, n);
		part[n] = '\0';
		put_text(h, part);
		p += n;
		if (*p)
			raw(h, "<wbr>");
	}
}

/* Only these class names are ever written for a severity. */
static const char *sev_class(const char *sev)
{
	return strcmp(sev, "error") == 0     ? "error"
	       : strcmp(sev, "warning") == 0 ? "warning"
					     : "info";
}

static int sev_rank(const char *sev)
{
	return strcmp(sev, "error") == 0 ? 0 : strcmp(sev, "warning") == 0 ? 1 : 2;
}

static void badge(const struct hw *h, const char *sev)
{
	fprintf(h->out, "<span class=\"badge %s\">", sev_class(sev));
	put_text(h, ui(h, sev_class(sev)));
	raw(h, "</span>");
}

static const char css[] =
	":root{--err:#b42318;--err-bg:#fef3f2;--warn:#93370d;--warn-bg:#fffaeb;"
	"--ok:#067647;--ok-bg:#ecfdf3;--line:#d0d5dd;--muted:#475467;--head:#f2f4f7}"
	"*{box-sizing:border-box}"
	"body{margin:0;padding:24px 32px;font:14px/1.5 'Segoe UI','Yu Gothic UI',Meiryo,"
	"'Noto Sans CJK JP','Noto Sans JP',system-ui,sans-serif;color:#101828;background:#fff}"
	"h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;"
	"padding-bottom:4px;border-bottom:2px solid #1f4e79;color:#1f4e79}"
	"h3{font-size:15px;margin:0 0 6px;color:#344054}"
	".meta{color:var(--muted);margin:0}"
	"code,pre,.mono{font-family:Consolas,'Cascadia Mono','DejaVu Sans "
	"Mono',monospace;font-size:12.5px}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid var(--line);padding:5px 8px;text-align:left;vertical-align:top;"
	"overflow-wrap:anywhere}table.fixed{table-layout:fixed}"
	"th{background:var(--head);font-weight:600}"
	".verdict{border:1px solid var(--line);border-left:8px solid var(--ok);border-radius:6px;"
	"padding:14px 18px;margin:18px 0;background:var(--ok-bg)}"
	".verdict.error{border-left-color:var(--err);background:var(--err-bg)}"
	".verdict.warning{border-left-color:#dc6803;background:var(--warn-bg)}"
	".notdet{border:1px solid #dc6803;border-left:8px solid #dc6803;border-radius:6px;"
	"background:var(--warn-bg);padding:10px 16px;margin:12px 0}"
	".notdet h2{border:0;margin:0 0 6px;padding:0}"
	".verdict h2{border:0;margin:0 0 6px;padding:0;color:#101828}"
	".banner{border:1px dashed #dc6803;background:var(--warn-bg);border-radius:6px;"
	"padding:10px 16px;margin:12px 0}.banner h2{border:0;margin:0 0 4px;padding:0;"
	"color:var(--warn);font-size:16px}.banner ul{margin:0;padding-left:20px}"
	".verdict .cause{font-size:19px;font-weight:600;margin:2px 0 10px}"
	".verdict dl{display:grid;grid-template-columns:max-content 1fr;gap:6px 14px;margin:0}"
	".verdict dt{font-weight:600;color:#344054}.verdict dd{margin:0}"
	"pre.cmd{margin:0;padding:8px 10px;background:#101828;color:#f2f4f7;border-radius:4px;"
	"white-space:pre-wrap;overflow-wrap:anywhere}"
	".verdict ol{margin:4px 0 0;padding-left:22px}"
	".badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;"
	"font-weight:600;white-space:nowrap}"
	".badge.error{background:var(--err);color:#fff}.badge.warning{background:#f79009;color:#"
	"000}"
	".badge.info{background:#d1fadf;color:var(--ok)}"
	".grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(340px,1fr));gap:16px}"
	"table.kv th{width:45%;font-weight:500;background:#f9fafb}"
	"td.bad{color:var(--err);font-weight:600}td.good{color:var(--ok);font-weight:600}"
	"td.unk{color:var(--muted)}"
	".summary{display:flex;gap:14px}.count{flex:1;border:1px solid "
	"var(--line);border-radius:6px;"
	"padding:10px 14px}.count b{display:block;font-size:26px}"
	".count.error{border-top:4px solid var(--err)}.count.warning{border-top:4px solid #f79009}"
	".count.info{border-top:4px solid var(--ok)}"
	"#detailed-results tr.error td:nth-child(2){background:var(--err-bg)}"
	"#detailed-results tr.warning td:nth-child(2){background:var(--warn-bg)}"
	"#connectivity-table td:nth-child(3),#connectivity-table th.num{white-space:nowrap}"
	"#connectivity-table td:first-child{overflow-wrap:normal;word-break:normal}"
	".verdict ol.steps li{margin:2px 0}.verdict ol.steps code{overflow-wrap:anywhere}"
	"td.res-ok{color:var(--ok);font-weight:600}td.res-bad{color:var(--err);font-weight:600}"
	"td.res-warn{color:var(--warn);font-weight:600}td.num{text-align:right;white-space:nowrap}"
	".ev{border:1px solid var(--line);border-radius:6px;padding:10px 14px;margin:0 0 12px;"
	"break-inside:avoid}.ev h3 .id{font-weight:400;color:var(--muted)}"
	".ev table td,.ev table th{font-size:12.5px}.ev ol{margin:0;padding-left:20px}"
	".cut{color:var(--muted);font-style:italic}.note{color:var(--muted);font-weight:400}"
	"a{color:#175cd3}footer{margin-top:28px;color:var(--muted);font-size:12px}"
	"@media print{body{padding:0;font-size:10.5pt}h2{break-after:avoid}"
	"tr,.verdict,.count{break-inside:avoid}a{color:inherit;text-decoration:none}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/* ---- evidence ----------------------------------------------------------- */

static void put_number(const struct hw *h, double v)
{
	char b[64];
	if (v == (double)(long long)v)
		snprintf(b, sizeof b, "%lld", (long long)v);
	else
		snprintf(b, sizeof b, "%g", v);
	put_text(h, b);
}

static void put_json_value(const struct hw *h, const cJSON *v, int depth);

static void put_kv_table(const struct hw *h, const cJSON *obj, int depth)
{
	const cJSON *m;
	raw(h, "<table class=\"kv\">");
	cJSON_ArrayForEach(m, obj)
	{
		raw(h, "<tr><th class=\"mono\">");
		put_text(h, m->string);
		raw(h, "</th><td>");
		put_json_value(h, m, depth + 1);
		raw(h, "</td></tr>");
	}
	raw(h, "</table>");
}

static void put_json_value(const struct hw *h, const cJSON *v, int depth)
{
	if (depth > 6) {
		raw(h, "…");
		return;
	}
	if (cJSON_IsString(v)) {
		/* a sentence of the tool's own (a probe or PAC reason) in the
		 * report's language; the device's data as it is, monospace */
		char *said = dx_catalog_phrase(h->cat, v->valuestring);
		raw(h, said ? "<span>" : "<span class=\"mono\">");
		put_value_text(h, said ? said : v->valuestring);
		raw(h, "</span>");
		free(said);
	} else if (cJSON_IsNumber(v)) {
		put_number(h, v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		put_text(h, ui(h, cJSON_IsTrue(v) ? "yes" : "no"));
	} else if (cJSON_IsArray(v)) {
		const cJSON *x;
		int n = 0;
		raw(h, "<ol>");
		cJSON_ArrayForEach(x, v)
		{
			if (++n > 200) {
				raw(h, "<li>…</li>");
				break;
			}
			raw(h, "<li>");
			put_json_value(h, x, depth + 1);
			raw(h, "</li>");
		}
		raw(h, "</ol>");
	} else if (cJSON_IsObject(v)) {
		put_kv_table(h, v, depth);
	} else {
		raw(h, "null");
	}
}

/* ---- sections ----------------------------------------------------------- */

static const cJSON *first_finding(const cJSON *findings, const char *id)
{
	const cJSON *f;
	cJSON_ArrayForEach(f, findings) if (strcmp(str(f, "id"), id) == 0) return f;
	return NULL;
}

/* The command a step ends with: an evidence member cmd_* (a string, or
 * an element of an array), or NULL. */
static const char *step_command(const char *step, const cJSON *ev)
{
	const cJSON *m, *x;
	size_t sl = strlen(step);
	cJSON_ArrayForEach(m, ev)
	{
		if (!m->string || strncmp(m->string, "cmd_", 4))
			continue;
		for (x = cJSON_IsArray(m) ? m->child : m; x;
		     x = cJSON_IsArray(m) ? x->next : NULL) {
			size_t cl = cJSON_IsString(x) ? strlen(x->valuestring) : 0;
			if (cl && cl <= sl && strcmp(step + sl - cl, x->valuestring) == 0)
				return x->valuestring;
		}
	}
	return NULL;
}

/* The numbered steps of a plan: each step's words as text, its command
 * (the cmd_* evidence it ends with) as code. */
static void put_steps(const struct hw *h, const cJSON *ev)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(ev, "steps"), *s;
	if (!cJSON_IsArray(steps))
		return;
	raw(h, "<ol class=\"steps\">");
	cJSON_ArrayForEach(s, steps)
	{
		if (!cJSON_IsString(s))
			continue;
		const char *cmd = step_command(s->valuestring, ev);
		size_t n = strlen(s->valuestring) - (cmd ? strlen(cmd) : 0);
		char *words = malloc(n + 1); /* msvcrt has no strndup */
		if (words) {
			memcpy(words, s->valuestring, n);
			words[n] = '\0';
		}
		raw(h, "<li>");
		put_text(h, words ? words : "");
		if (cmd) {
			raw(h, "<code>");
			put_text(h, cmd);
			raw(h, "</code>");
		}
		raw(h, "</li>");
		free(words);
	}
	raw(h, "</ol>");
}

static void verdict_section(const struct hw *h, const cJSON *model)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(v, "evidence");
	const char *sev = str(v, "severity"), *id = str(v, "id");
	int found = strcmp(id, "reonboard.plan") != 0;
	fprintf(h->out, "<section id=\"verdict\" class=\"verdict %s\">",
		found ? sev_class(sev) : sev_class(sev[0] ? sev : "info"));
	raw(h, "<h2>");
	/* rule 3 names what could not be checked, not a cause */
	put_text(h, ui(h, strcmp(str(v, "rule"), "not-determined") == 0 ? "verdict_not_determined"
			  : found                                       ? "verdict_cause"
									: "verdict_none"));
	raw(h, " ");
	badge(h, found ? sev : sev[0] ? sev : "info");
	raw(h, "</h2><p class=\"cause\">");
	put_text(h, str(v, "title"));
	raw(h, " <code>");
	put_text(h, id);
	if (str(v, "variant")[0]) {
		raw(h, "/");
		put_text(h, str(v, "variant"));
	}
	raw(h, "</code></p><dl>");
	if (str(v, "detail")[0]) {
		raw(h, "<dt>");
		put_text(h, ui(h, "why"));
		raw(h, "</dt><dd>");
		put_text(h, str(v, "detail"));
		raw(h, "</dd>");
	}
	if (str(v, "next_step")[0]) {
		raw(h, "<dt>");
		put_text(h, ui(h, "next_step"));
		raw(h, "</dt><dd>");
		put_text(h, str(v, "next_step"));
		if (strcmp(str(v, "section"), "connectivity") == 0) {
			raw(h, "<br><span class=\"note\">");
			put_text(h, ui(h, "url_lists"));
			raw(h, "</span>");
		}
		put_steps(h, ev);
		raw(h, "</dd>");
	}
	char *cmd = dx_catalog_command(h->cat, v);
	if (cmd && cmd[0]) {
		raw(h, "<dt>");
		put_text(h, ui(h, "command"));
		raw(h, "</dt><dd><pre class=\"cmd\" id=\"next-command\">");
		put_text(h, cmd);
		raw(h, "</pre></dd>");
	}
	free(cmd);
	raw(h, "</dl></section>\n");
}

/* One row of a two-column details table. `state` colours the value:
 * 1 good, -1 bad, 0 neutral, 2 unknown. */
static void kv_row(const struct hw *h, const char *label, const char *value, int state)
{
	static const char *const cls[] = {"bad", "", "good", "unk"};
	raw(h, "<tr><th>");
	put_text(h, label);
	raw(h, "</th><td");
	if (!value || !value[0])
		state = 2, value = ui(h, "not_available");
	if (cls[state + 1][0])
		fprintf(h->out, " class=\"%s\"", cls[state + 1]);
	raw(h, ">");
	put_value_text(h, value);
	raw(h, "</td></tr>");
}

static int svc_state(const char *s)
{
	if (!s[0])
		return 0;
	return strcmp(s, "RUNNING") == 0 ? 1 : -1;
}

static void device_section(const struct hw *h, const cJSON *model)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	const cJSON *sense = cJSON_GetObjectItemCaseSensitive(d, "sense");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(d, "defender_av");
	char buf[512];

	raw(h, "<section id=\"device\"><h2>");
	put_text(h, ui(h, "device_information"));
	raw(h, "</h2><div class=\"grid\">");

	/* General Device Details */
	raw(h, "<div><h3>");
	put_text(h, ui(h, "general_device_details"));
	raw(h, "</h3><table class=\"kv\" id=\"general-device-details\">");
	kv_row(h, ui(h, "device_name"), str(d, "hostname"), 0);
	char *product = dx_catalog_words(h->cat, str(d, "product")); /* "Windows 7 or older" */
	snprintf(buf, sizeof buf, "%s%s%s", product ? product : str(d, "product"),
		 str(d, "display_version")[0] ? " " : "", str(d, "display_version"));
	free(product);
	kv_row(h, ui(h, "device_os"), buf, 0);
	kv_row(h, ui(h, "os_build"), str(d, "build_ubr"), 0);
	snprintf(buf, sizeof buf, "%s%s%s%s", str(d, "edition"),
		 str(d, "installation_type")[0] ? " (" : "", str(d, "installation_type"),
		 str(d, "installation_type")[0] ? ")" : "");
	kv_row(h, ui(h, "os_edition"), buf, 0);
	kv_row(h, "OS Architecture", str(d, "architecture"), 0);
	/* "" means direct once the WinHTTP check ran; unknown before */
	const char *wh = str(d, "winhttp_proxy");
	if (!wh[0] && first_finding(findings, "net.proxy.winhttp"))
		wh = ui(h, "winhttp_direct");
	kv_row(h, "System-wide WinHTTP proxy", wh, 0);
	raw(h, "</table></div>");

	/* EDR Component Details */
	raw(h, "<div><h3>");
	put_text(h, ui(h, "edr_component_details"));
	raw(h, "</h3><table class=\"kv\" id=\"edr-component-details\">");
	kv_row(h, "Device ID", str(d, "device_id"), 0);
	kv_row(h, "Organization ID", str(d, "org_id"), 0);
	kv_row(h, ui(h, "sense_version"), str(sense, "version"), 0);
	if (strcmp(str(sense, "exists"), "no") == 0)
		kv_row(h, "Sense service Status", ui(h, "service_missing"), -1);
	else
		kv_row(h, "Sense service Status", val(h, str(sense, "state")),
		       svc_state(str(sense, "state")));
	kv_row(h, "Sense service StartType", val(h, str(sense, "start_type")), 0);
	const char *sp = str(d, "static_proxy");
	kv_row(h, "Sense Service Discovered Proxy", sp[0] ? sp : ui(h, "none_configured"), 0);
	const char *st = str(d, "streamlined");
	kv_row(h, "Device Onboarded via Streamlined Connectivity",
	       strcmp(st, "yes") == 0  ? ui(h, "yes_caps")
	       : strcmp(st, "no") == 0 ? ui(h, "no_caps")
				       : "",
	       0);
	snprintf(buf, sizeof buf, "%s%s%s", str(d, "geo"),
		 str(d, "geo")[0] && str(d, "datacenter")[0] ? " / " : "", str(d, "datacenter"));
	kv_row(h, "Device Datacenter Location", buf, 0);
	kv_row(h, ui(h, "onboarding_method"), val(h, str(d, "onboarding_method")), 0);
	raw(h, "</table></div>");

	/* AV Component Details */
	raw(h, "<div><h3>");
	put_text(h, ui(h, "av_component_details"));
	raw(h, "</h3><table class=\"kv\" id=\"av-component-details\">");
	kv_row(h, "Defender AV Service Status", val(h, str(av, "state")),
	       svc_state(str(av, "state")));
	kv_row(h, "Defender AV Platform Version", str(av, "platform"), 0);
	kv_row(h, "Security Intelligence Version", str(av, "signatures"), 0);
	kv_row(h, "Defender AV mode", val(h, str(av, "mode")), 0);
	kv_row(h, "Is Tamper Protected", val(h, str(av, "tamper_protection")), 0);
	const cJSON *pol = first_finding(findings, "mdav.disabled-by-policy");
	if (pol) {
		const cJSON *pev = cJSON_GetObjectItemCaseSensitive(pol, "evidence");
		const cJSON *das = cJSON_GetObjectItemCaseSensitive(pev, "DisableAntiSpyware");
		const cJSON *dav = cJSON_GetObjectItemCaseSensitive(pev, "DisableAntiVirus");
		char v1[64] = "", v2[64] = "";
		if (cJSON_IsNumber(das))
			snprintf(v1, sizeof v1, "%d", das->valueint);
		else if (cJSON_IsString(das))
			snprintf(v1, sizeof v1, "%.60s", das->valuestring);
		if (cJSON_IsNumber(dav))
			snprintf(v2, sizeof v2, "%d", dav->valueint);
		else if (cJSON_IsString(dav))
			snprintf(v2, sizeof v2, "%.60s", dav->valuestring);
		kv_row(h, "DisableAntiSpyware", val(h, v1), strcmp(v1, "1") == 0 ? -1 : 0);
		kv_row(h, "DisableAntiVirus", val(h, v2), strcmp(v2, "1") == 0 ? -1 : 0);
	} else if (first_finding(findings, "mdav.running") ||
		   first_finding(findings, "mdav.stopped")) {
		kv_row(h, "DisableAntiSpyware", ui(h, "not_set"), 0);
	}
	raw(h, "</table></div>");
	raw(h, "</div></section>\n");
}

static int count(const cJSON *sum, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(sum, k);
	return cJSON_IsNumber(j) ? j->valueint : 0;
}

static void summary_section(const struct hw *h, const cJSON *model)
{
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(model, "summary");
	static const char *const sev[] = {"error", "warning", "info"};
	raw(h, "<section id=\"summary\"><h2>");
	put_text(h, ui(h, "check_results_summary"));
	raw(h, "</h2><div class=\"summary\">");
	for (int i = 0; i < 3; i++) {
		fprintf(h->out, "<div class=\"count %s\" id=\"count-%s\"><b>%d</b>", sev[i], sev[i],
			count(sum, sev[i]));
		put_text(h, ui(h, sev[i]));
		raw(h, "</div>");
	}
	raw(h, "</div></section>\n");
}

/* Index of findings sorted errors first, then article order (stable). */
static size_t sorted_findings(const cJSON *findings, const cJSON **out, size_t max)
{
	size_t n = 0;
	for (int rank = 0; rank < 3; rank++) {
		const cJSON *f;
		cJSON_ArrayForEach(f, findings)
		{
			if (n == max)
				return n;
			if (strcmp(str(f, "id"), "verdict") && sev_rank(str(f, "severity")) == rank)
				out[n++] = f;
		}
	}
	return n;
}

/* The label of a finding's article section ("section" of the model); a
 * section the catalog does not know, or none, is "other". */
static const char *section_label(const struct hw *h, const char *section, char *key, size_t keysz)
{
	snprintf(key, keysz, "section.%s", section);
	const char *label = ui(h, key);
	return label != key ? label : ui(h, "section.other");
}

/* Position of a finding in the model's array: its evidence anchor. */
static int finding_index(const cJSON *findings, const cJSON *f)
{
	int i = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, findings)
	{
		if (x == f)
			return i;
		i++;
	}
	return -1;
}

static void results_section(const struct hw *h, const cJSON *model, const cJSON **sorted, size_t n)
{
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	char key[96];
	raw(h, "<section id=\"results\"><h2>");
	put_text(h, ui(h, "detailed_results"));
	raw(h, "</h2><table id=\"detailed-results\" class=\"fixed\"><colgroup><col "
	       "style=\"width:10%\">"
	       "<col style=\"width:9%\"><col style=\"width:15%\"><col style=\"width:17%\">"
	       "<col style=\"width:24%\"><col style=\"width:25%\"></colgroup><thead><tr>");
	static const char *const cols[] = {"col_category", "col_severity", "col_id",
					   "col_test",     "col_result",   "col_guidance"};
	for (size_t i = 0; i < 6; i++) {
		raw(h, "<th>");
		put_text(h, ui(h, cols[i]));
		raw(h, "</th>");
	}
	raw(h, "</tr></thead><tbody>");
	for (size_t i = 0; i < n; i++) {
		const cJSON *f = sorted[i];
		const char *sev = str(f, "severity");
		fprintf(h->out, "<tr class=\"%s\"><td>", sev_class(sev));
		put_text(h, section_label(h, str(f, "section"), key, sizeof key));
		raw(h, "</td><td>");
		badge(h, sev);
		fprintf(h->out, "</td><td class=\"mono\"><a href=\"#f%d\">",
			finding_index(findings, f));
		put_text(h, str(f, "id"));
		if (str(f, "variant")[0]) {
			raw(h, "/");
			put_text(h, str(f, "variant"));
		}
		raw(h, "</a></td><td>");
		put_text(h, str(f, "title"));
		raw(h, "</td><td>");
		put_value_text_n(h, str(f, "detail"), MAX_CELL);
		raw(h, "</td><td>");
		put_text(h, str(f, "guidance"));
		char *cmd = dx_catalog_command(h->cat, f);
		if (cmd && cmd[0] && strcmp(sev, "info")) {
			raw(h, "<pre class=\"cmd\">");
			put_text(h, cmd);
			raw(h, "</pre>");
		}
		free(cmd);
		raw(h, "</td></tr>");
	}
	raw(h, "</tbody></table></section>\n");
}

static void put_ms(const struct hw *h, const cJSON *ev, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(ev, k);
	raw(h, "<td class=\"num\">");
	if (cJSON_IsNumber(j) && j->valuedouble >= 0) {
		char b[32];
		snprintf(b, sizeof b, "%.0f", j->valuedouble);
		put_text(h, b);
	} else {
		raw(h, "–");
	}
	raw(h, "</td>");
}

static void connectivity_section(const struct hw *h, const cJSON *model)
{
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	const cJSON *f, *mode = first_finding(findings, "net.mode");
	int any = 0;
	cJSON_ArrayForEach(f, findings) any |= strcmp(str(f, "id"), "net.endpoint") == 0;
	if (!any)
		return;
	raw(h, "<section id=\"connectivity\"><h2>");
	put_text(h, ui(h, "connectivity"));
	raw(h, "</h2>");
	if (mode) {
		const cJSON *mev = cJSON_GetObjectItemCaseSensitive(mode, "evidence");
		raw(h, "<p class=\"note\">");
		put_text(h, ui(h, "connectivity_mode"));
		raw(h, ": <b>");
		put_text(h, ui(h, str(mev, "mode")[0] ? str(mev, "mode") : "unknown"));
		raw(h, "</b>");
		if (str(mev, "geo")[0]) {
			raw(h, " · ");
			put_text(h, ui(h, "geo"));
			raw(h, ": ");
			put_text(h, str(mev, "geo"));
		}
		raw(h, "</p>");
	}
	raw(h, "<p class=\"note\" id=\"url-lists\">");
	put_text(h, ui(h, "url_lists"));
	raw(h, "</p>");
	raw(h, "<table id=\"connectivity-table\"><thead><tr>");
	static const char *const cols[] = {
		"col_destination", "col_category", "col_required", "col_result", "DNS", "TCP",
		"Proxy",           "TLS",          "HTTP",         "col_issuer"};
	for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) {
		raw(h, i >= 4 && i <= 8 ? "<th class=\"num\">" : "<th>");
		put_text(h, ui(h, cols[i]));
		if (i >= 4 && i <= 8)
			raw(h, " ms");
		raw(h, "</th>");
	}
	raw(h, "</tr></thead><tbody>");
	/* failures first, in the probe's order within each severity */
	for (int rank = 0; rank < 3; rank++) {
		cJSON_ArrayForEach(f, findings)
		{
			if (strcmp(str(f, "id"), "net.endpoint") ||
			    sev_rank(str(f, "severity")) != rank)
				continue;
			const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
			const cJSON *port = cJSON_GetObjectItemCaseSensitive(ev, "port");
			const cJSON *req = cJSON_GetObjectItemCaseSensitive(ev, "required");
			const cJSON *cats = cJSON_GetObjectItemCaseSensitive(ev, "categories");
			const char *res = str(ev, "result");
			fprintf(h->out, "<tr class=\"%s\"><td class=\"mono\"><a href=\"#f%d\">",
				sev_class(str(f, "severity")), finding_index(findings, f));
			put_host(h, str(ev, "host"));
			if (cJSON_IsNumber(port)) {
				raw(h, ":");
				put_number(h, port->valuedouble);
			}
			raw(h, "</a></td><td>");
			if (cJSON_IsArray(cats) && cJSON_GetArraySize(cats) > 0) {
				const cJSON *x;
				int first = 1;
				cJSON_ArrayForEach(x, cats)
				{
					if (!cJSON_IsString(x))
						continue;
					if (!first)
						raw(h, ", ");
					put_text(h, val(h, x->valuestring));
					first = 0;
				}
			} else {
				put_text(h, val(h, str(ev, "category")));
			}
			raw(h, "</td><td>");
			put_text(h, ui(h, cJSON_IsTrue(req)    ? "required"
					  : cJSON_IsFalse(req) ? "optional"
							       : "unknown"));
			fprintf(h->out, "</td><td class=\"%s\">",
				strcmp(res, "ok") == 0                     ? "res-ok"
				: strcmp(str(f, "severity"), "error") == 0 ? "res-bad"
									   : "res-warn");
			put_text(h, val(h, res));
			if (str(ev, "reason")[0]) {
				char *said = dx_catalog_words(h->cat, str(ev, "reason"));
				raw(h, "<br><span class=\"note\">");
				put_value_text_n(h, said ? said : str(ev, "reason"), MAX_CELL);
				raw(h, "</span>");
				free(said);
			}
			raw(h, "</td>");
			put_ms(h, ev, "dns_ms");
			put_ms(h, ev, "connect_ms");
			put_ms(h, ev, "proxy_ms");
			put_ms(h, ev, "tls_ms");
			put_ms(h, ev, "http_ms");
			raw(h, "<td class=\"mono\">");
			if (strcmp(res, "ok") && str(ev, "issuer")[0])
				put_value_text(h, str(ev, "issuer"));
			raw(h, "</td></tr>");
		}
	}
	raw(h, "</tbody></table></section>\n");
}

static void evidence_section(const struct hw *h, const cJSON *model, const cJSON **sorted, size_t n)
{
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	raw(h, "<section id=\"evidence\"><h2>");
	put_text(h, ui(h, "evidence"));
	raw(h, "</h2>");
	for (size_t i = 0; i < n; i++) {
		const cJSON *f = sorted[i];
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		fprintf(h->out, "<div class=\"ev\" id=\"f%d\"><h3>", finding_index(findings, f));
		badge(h, str(f, "severity"));
		raw(h, " ");
		put_text(h, str(f, "title"));
		raw(h, " <span class=\"id mono\">");
		put_text(h, str(f, "id"));
		if (str(f, "variant")[0]) {
			raw(h, "/");
			put_text(h, str(f, "variant"));
		}
		raw(h, "</span></h3>");
		if (cJSON_IsObject(ev) && ev->child)
			put_kv_table(h, ev, 0);
		else {
			raw(h, "<p class=\"note\">");
			put_text(h, ui(h, "no_evidence"));
			raw(h, "</p>");
		}
		raw(h, "</div>");
	}
	raw(h, "</section>\n");
}

/* The "not tested" banner: what the run could not determine and why
 * (dx_report_not_determined), right under the verdict, so nobody reads a
 * clean page as a clean device. Nothing when everything was tested. */
static void not_tested_section(const struct hw *h, const cJSON *model)
{
	cJSON *nd = dx_report_not_determined(model);
	const cJSON *x;
	if (!nd || !cJSON_GetArraySize(nd)) {
		cJSON_Delete(nd);
		return;
	}
	raw(h, "<section id=\"not-tested\" class=\"banner\"><h2>");
	put_text(h, ui(h, "not_tested_title"));
	raw(h, "</h2><ul>");
	/* grouped by reason (verdict.to_check): each remedy said once, then
	 * the checks it concerns */
	const cJSON *groups = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(model, "verdict"), "to_check");
	cJSON_ArrayForEach(x, groups)
	{
		const cJSON *id;
		raw(h, "<li><strong>");
		put_text(h, str(x, "how"));
		raw(h, "</strong><br>");
		cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(x, "ids"))
		{
			raw(h, "<code>");
			put_text(h, cJSON_IsString(id) ? id->valuestring : "");
			raw(h, "</code> ");
		}
		raw(h, "</li>");
	}
	const cJSON *items = cJSON_GetArraySize(groups) > 0 ? NULL : nd; /* old models */
	cJSON_ArrayForEach(x, items)
	{
		char key[96];
		const char *how = str(x, "how");
		snprintf(key, sizeof key, "reason.%s", str(x, "reason"));
		raw(h, "<li>");
		if (str(x, "title")[0]) {
			raw(h, "<strong>");
			put_text(h, str(x, "title"));
			raw(h, "</strong> ");
		}
		raw(h, "<code>");
		put_text(h, str(x, "id"));
		raw(h, "</code><br>");
		put_text(h, how[0] ? how : ui(h, key));
		raw(h, "</li>");
	}
	raw(h, "</ul></section>\n");
	cJSON_Delete(nd);
}

int dx_report_html(FILE *out, const cJSON *model, const struct dx_catalog *cat)
{
	struct hw h = {out, cat};
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	size_t max = (size_t)cJSON_GetArraySize(findings) + 1;
	const cJSON **sorted = calloc(max, sizeof *sorted);
	if (!sorted)
		return -1;
	size_t n = sorted_findings(findings, sorted, max);

	fprintf(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n",
		cat && cat->lang && strcmp(cat->lang, "ja") == 0 ? "ja" : "en");
	raw(&h, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		"style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"generator\" content=\"mdediag " DX_VERSION "\">\n<title>");
	put_text(&h, ui(&h, "html_title"));
	raw(&h, " - ");
	put_text_n(&h, str(dev, "hostname"), 80);
	raw(&h, "</title>\n<style>");
	raw(&h, css);
	raw(&h, "</style>\n</head>\n<body>\n<header><h1>");
	put_text(&h, ui(&h, "html_title"));
	raw(&h, ": ");
	put_value_text(&h, str(dev, "hostname"));
	raw(&h, "</h1><p class=\"meta\">mdediag " DX_VERSION " · ");
	put_text(&h, str(model, "generated_at"));
	raw(&h, " · ");
	put_text(&h, ui(&h, "source"));
	raw(&h, ": ");
	if (str(model, "source")[0])
		put_value_text(&h, str(model, "source"));
	else
		put_text(&h, ui(&h, "this_device"));
	raw(&h, "</p></header>\n<main>\n");

	verdict_section(&h, model);
	not_tested_section(&h, model);
	device_section(&h, model);
	summary_section(&h, model);
	connectivity_section(&h, model);
	results_section(&h, model, sorted, n);
	evidence_section(&h, model, sorted, n);

	raw(&h, "</main>\n<footer>");
	put_text(&h, ui(&h, "footer"));
	raw(&h, "</footer>\n</body>\n</html>\n");
	free(sorted);
	return ferror(out) ? -1 : 0;
}
