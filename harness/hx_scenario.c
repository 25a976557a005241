/* hx_scenario.c - load, run and judge one scenario (see hx_scenario.h). */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "hx_json.h"
#include "hx_match.h"
#include "hx_proc.h"
#include "hx_scenario.h"
#include "jpath.h"

#define HX_MAX_ARGS 160
#define HX_MAX_EXTRA 16
#define HX_REPORT_MAX (16u << 20)
#define HX_STDERR_MAX (64u << 10)
#define HX_CLOUD_START_MS 5000
#define HX_CLOUD_STOP_MS 1000

static int string_array(const cJSON *j)
{
	const cJSON *e;
	if (!cJSON_IsArray(j))
		return 0;
	cJSON_ArrayForEach(e, j) if (!cJSON_IsString(e)) return 0;
	return 1;
}

int hx_scenario_load(struct hx_scenario *sc, const char *dir, const char *name, char *err,
		     size_t errsz)
{
	static const char *const allowed[] = {
		"$comment",   "branch",       "fixture",     "overrides", "cloud",
		"connect_to", "mdediag_args", "net_timeout", "expect",    NULL};
	char path[PATH_MAX + 32];
	memset(sc, 0, sizeof *sc);
	sc->exit_code = -1;
	snprintf(sc->name, sizeof sc->name, "%s", name);
	snprintf(sc->dir, sizeof sc->dir, "%s", dir);
	snprintf(path, sizeof path, "%s/scenario.json", dir);
	if (!(sc->json = hx_json_load(path, err, errsz)))
		return -1;
	const cJSON *j = sc->json;
	const char *bad = NULL;
	if (!cJSON_IsObject(j))
		bad = "$: expected an object";
	const cJSON *m = cJSON_IsObject(j) ? cm_jpath_unknown(j, allowed) : NULL;
	if (m) {
		snprintf(err, errsz, "%s: $.%s: unknown member", path, m->string);
		goto fail;
	}
	if (!bad && !cm_jpath_string(j, "branch"))
		bad = "$.branch: missing (one line: the article branch covered)";
	if (!bad && !cm_jpath_string(j, "fixture"))
		bad = "$.fixture: missing (a fixture path)";
	if (!bad && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "expect")))
		bad = "$.expect: missing or not an object";
	if (!bad && cm_jpath_get(j, "overrides", cJSON_Object, &m) < 0)
		bad = "$.overrides: expected an object";
	if (!bad && cm_jpath_get(j, "cloud", cJSON_Object, &m) < 0)
		bad = "$.cloud: expected an object";
	if (!bad && (m = cJSON_GetObjectItemCaseSensitive(j, "connect_to")) && !string_array(m))
		bad = "$.connect_to: expected an array of strings";
	if (!bad && (m = cJSON_GetObjectItemCaseSensitive(j, "mdediag_args")) && !string_array(m))
		bad = "$.mdediag_args: expected an array of strings";
	if (!bad && (m = cJSON_GetObjectItemCaseSensitive(j, "net_timeout")) &&
	    (!cJSON_IsNumber(m) || !(m->valuedouble >= 0.5 && m->valuedouble <= 60)))
		bad = "$.net_timeout: expected seconds from 0.5 to 60";
	if (!bad && cJSON_GetObjectItemCaseSensitive(j, "connect_to") &&
	    !cJSON_GetObjectItemCaseSensitive(j, "cloud"))
		bad = "$.connect_to: needs a cloud";
	if (bad) {
		snprintf(err, errsz, "%s: %s", path, bad);
		goto fail;
	}
	return 0;
fail:
	cJSON_Delete(sc->json);
	sc->json = NULL;
	return -1;
}

void hx_scenario_free(struct hx_scenario *sc)
{
	cJSON_Delete(sc->json);
	cJSON_Delete(sc->report);
	free(sc->stderr_text);
	sc->json = sc->report = NULL;
	sc->stderr_text = NULL;
}

cJSON *hx_scenario_fixture(const struct hx_scenario *sc, char *err, size_t errsz)
{
	const char *rel = cm_jpath_string(sc->json, "fixture");
	char path[PATH_MAX * 2 + 2];
	if (rel[0] == '/')
		snprintf(path, sizeof path, "%s", rel);
	else
		snprintf(path, sizeof path, "%s/%s", sc->dir, rel);
	cJSON *fx = hx_json_load(path, err, errsz);
	if (!fx)
		return NULL;
	if (!cJSON_IsObject(fx)) {
		snprintf(err, errsz, "%s: not a JSON object", path);
		goto fail;
	}
	const cJSON *ov = cJSON_GetObjectItemCaseSensitive(sc->json, "overrides");
	if (ov && hx_json_merge(fx, ov)) {
		snprintf(err, errsz, "out of memory merging the overrides");
		goto fail;
	}
	if (cJSON_GetObjectItemCaseSensitive(sc->json, "cloud")) {
		/* Names resolve to loopback unless the scenario says otherwise:
		 * no scenario may send traffic anywhere but 127.0.0.1. */
		cJSON *dns = cJSON_GetObjectItemCaseSensitive(fx, "dns");
		if (!dns)
			dns = cJSON_AddObjectToObject(fx, "dns");
		if (cJSON_IsObject(dns) && !cJSON_GetObjectItemCaseSensitive(dns, "*")) {
			cJSON *a = cJSON_CreateArray();
			cJSON_AddItemToArray(a, cJSON_CreateString("127.0.0.1"));
			cJSON_AddItemToObject(dns, "*", a);
		}
	}
	return fx;
fail:
	cJSON_Delete(fx);
	return NULL;
}

int hx_expand_rule(const char *rule, const cJSON *ports, char *out, size_t outsz)
{
	size_t n = 0;
	for (const char *p = rule; *p; p++) {
		if (*p != '{') {
			if (n + 1 >= outsz)
				return -1;
			out[n++] = *p;
			continue;
		}
		const char *close = strchr(p, '}');
		if (!close)
			return -1;
		char key[128];
		size_t klen = (size_t)(close - p - 1);
		if (klen >= sizeof key)
			return -1;
		memcpy(key, p + 1, klen);
		key[klen] = '\0';
		const cJSON *v;
		if (strncmp(key, "proxy:", 6) == 0)
			v = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(ports, "proxies"), key + 6);
		else
			v = cJSON_GetObjectItemCaseSensitive(ports, key);
		if (!cJSON_IsNumber(v))
			return -1;
		int w = snprintf(out + n, outsz - n, "%d", v->valueint);
		if (w < 0 || (size_t)w >= outsz - n)
			return -1;
		n += (size_t)w;
		p = close;
	}
	out[n] = '\0';
	return 0;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* First line of a text, for one-line messages. */
static void first_line(const char *text, char *out, size_t outsz)
{
	snprintf(out, outsz, "%s", text && *text ? text : "(nothing on stderr)");
	out[strcspn(out, "\n")] = '\0';
}

struct run {
	char tmp[PATH_MAX];
	char fixture[PATH_MAX + 32], cloudcfg[PATH_MAX + 32], cadir[PATH_MAX + 32];
	struct hx_proc cloud, diag;
	int cloud_started, diag_started;
	cJSON *ports;
	char rules[HX_MAX_ARGS][600];
	int nrules;
	char timeout[32];
	char extra[HX_MAX_EXTRA][PATH_MAX + 64];
};

/* Starts the mock cloud and reads its ports line. 0 or -1 + sc->why. */
static int start_cloud(struct hx_scenario *sc, const struct hx_opts *o, struct run *r,
		       const cJSON *fx, long long deadline)
{
	char err[512];
	/* The world's time is the device's (the fixture's clock), unless the
	 * scenario's cloud says otherwise: {"clock": {"offset_s": N}} skews
	 * the world against the device (net.clock, docs/scenarios.md). */
	cJSON *cloud = cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(sc->json, "cloud"), 1);
	const cJSON *dev_clock = cJSON_GetObjectItemCaseSensitive(fx, "clock");
	cJSON *clk = cloud ? cJSON_GetObjectItemCaseSensitive(cloud, "clock") : NULL;
	if (cloud && !clk)
		clk = cJSON_AddObjectToObject(cloud, "clock");
	if (cJSON_IsObject(clk) && cJSON_IsString(dev_clock) &&
	    !cJSON_GetObjectItemCaseSensitive(clk, "at"))
		cJSON_AddStringToObject(clk, "at", dev_clock->valuestring);
	if (!cloud) {
		snprintf(sc->why, sizeof sc->why, "out of memory");
		return -1;
	}
	int bad = hx_json_write(r->cloudcfg, cloud, err, sizeof err);
	cJSON_Delete(cloud);
	if (bad) {
		snprintf(sc->why, sizeof sc->why, "%s", err);
		return -1;
	}
	char *argv[] = {(char *)o->mockcloud, "--config", r->cloudcfg, "--seed", "1",
			"--ca-dir",           r->cadir,   NULL};
	if (hx_proc_start(&r->cloud, argv, 64 << 10, HX_STDERR_MAX, err, sizeof err)) {
		snprintf(sc->why, sizeof sc->why, "mockcloud: %s", err);
		return -1;
	}
	r->cloud_started = 1;
	long long until = hx_now_ms() + HX_CLOUD_START_MS;
	if (hx_proc_first_line(&r->cloud, until < deadline ? until : deadline)) {
		hx_proc_stop(&r->cloud, 0);
		char l[400];
		first_line(r->cloud.err.data, l, sizeof l);
		snprintf(sc->why, sizeof sc->why, "mockcloud did not report its ports%s: %s",
			 r->cloud.timed_out ? " in time" : " (exited)", l);
		return -1;
	}
	r->ports = cJSON_Parse(r->cloud.out.data);
	const cJSON *ca = cJSON_GetObjectItemCaseSensitive(r->ports, "ca");
	const cJSON *ct = cJSON_GetObjectItemCaseSensitive(r->ports, "connect_to");
	if (!cJSON_IsString(ca) || !string_array(ct)) {
		snprintf(sc->why, sizeof sc->why,
			 "mockcloud's ports line lacks ca/connect_to: %.200s", r->cloud.out.data);
		return -1;
	}
	/* Scenario rules first: curl's --connect-to uses the first match. */
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(sc->json, "connect_to");
	const cJSON *e;
	cJSON_ArrayForEach(e, extra)
	{
		if (r->nrules == HX_MAX_ARGS / 4 ||
		    hx_expand_rule(e->valuestring, r->ports, r->rules[r->nrules],
				   sizeof r->rules[0])) {
			snprintf(sc->why, sizeof sc->why,
				 "connect_to rule \"%s\": unknown placeholder "
				 "or too many rules",
				 e->valuestring);
			return -1;
		}
		r->nrules++;
	}
	cJSON_ArrayForEach(e, ct)
	{
		if (r->nrules == HX_MAX_ARGS / 4) {
			snprintf(sc->why, sizeof sc->why, "too many connect-to rules");
			return -1;
		}
		snprintf(r->rules[r->nrules++], sizeof r->rules[0], "%s", e->valuestring);
	}
	return 0;
}

/* --keep: mdediag's stdout and stderr next to the fixture, as they came. */
static void keep_output(const struct run *r)
{
	static const char *const names[] = {"report.json", "mdediag.stderr"};
	const struct hx_buf *bufs[] = {&r->diag.out, &r->diag.err};
	for (int i = 0; i < 2; i++) {
		char path[PATH_MAX + 32];
		snprintf(path, sizeof path, "%s/%s", r->tmp, names[i]);
		FILE *f = fopen(path, "w");
		if (!f)
			continue;
		if (bufs[i]->len)
			fwrite(bufs[i]->data, 1, bufs[i]->len, f);
		fclose(f);
	}
}

/* --report-dir: the JSON report as mdediag wrote it, for other tools (the
 * report tests render every scenario's report in every format). */
static void save_report(struct hx_scenario *sc, const struct hx_opts *o, const struct run *r)
{
	char path[PATH_MAX + HX_NAME_MAX + 8];
	snprintf(path, sizeof path, "%s/%s.json", o->report_dir, sc->name);
	FILE *f = fopen(path, "w");
	int ok = f != NULL;
	if (ok && r->diag.out.len)
		ok = fwrite(r->diag.out.data, 1, r->diag.out.len, f) == r->diag.out.len;
	if (f && fclose(f))
		ok = 0;
	if (!ok) /* a report asked for and not written fails the scenario */
		snprintf(sc->why, sizeof sc->why, "cannot write %.900s: %s", path, strerror(errno));
}

/* The scenario's network options (mock cloud or --no-network) and its
 * mdediag_args, appended to argv from *n. `net` 0 leaves out the network
 * options (a replay must not need them). */
static void scenario_args(struct hx_scenario *sc, const struct hx_opts *o, struct run *r,
			  char **argv, int *np, int net)
{
	int n = *np;
	const int has_cloud = r->ports != NULL;
	if (!net)
		goto extra;
	/* A scenario whose subject is the deadline (a blackholed host waits
	 * it out) names its own, scaled by --slow for the slower trees; every
	 * other scenario ends as soon as its probe does, whatever the bound. */
	const cJSON *own = cJSON_GetObjectItemCaseSensitive(sc->json, "net_timeout");
	snprintf(r->timeout, sizeof r->timeout, "%g",
		 cJSON_IsNumber(own) ? own->valuedouble * (o->slow > 0 ? o->slow : 1)
				     : o->net_timeout_s);
	argv[n++] = "--timeout";
	argv[n++] = r->timeout;
	if (has_cloud) {
		argv[n++] = "--anchors";
		argv[n++] = cJSON_GetObjectItemCaseSensitive(r->ports, "ca")->valuestring;
		for (int i = 0; i < r->nrules; i++) {
			argv[n++] = "--connect-to";
			argv[n++] = r->rules[i];
		}
	} else {
		argv[n++] = "--no-network";
	}
extra:;
	const cJSON *e;
	int k = 0;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(sc->json, "mdediag_args"))
	{
		if (n >= HX_MAX_ARGS - 1 || k == HX_MAX_EXTRA)
			break;
		/* "{scenario_dir}" lets a scenario pass its own data files. */
		const char *at = strstr(e->valuestring, "{scenario_dir}");
		if (at)
			snprintf(r->extra[k], sizeof r->extra[k], "%.*s%s%s",
				 (int)(at - e->valuestring), e->valuestring, sc->dir,
				 at + strlen("{scenario_dir}"));
		else
			snprintf(r->extra[k], sizeof r->extra[k], "%s", e->valuestring);
		argv[n++] = r->extra[k++];
	}
	argv[n] = NULL;
	*np = n;
}

/* Starts mdediag and waits for it: 0 when it exited, -1 when it could not
 * start (err says why), -2 when the deadline killed it. mdediag always
 * says something, the report or a reason on stderr; under Wine a run
 * silent on both never reached mdediag with working stdio (seen once in
 * CI). It made no request, so it is run once more, said on stderr; a
 * second silent run is left for the caller to fail. argv[0] is "wine"
 * for a run under Wine. */
static int spawn_wait(const struct hx_scenario *sc, struct hx_proc *p, char **argv,
		      long long deadline, struct hx_proc *also, char *err, size_t errsz)
{
	for (int attempt = 0;; attempt++) {
		if (hx_proc_start(p, argv, HX_REPORT_MAX, HX_STDERR_MAX, err, errsz))
			return -1;
		if (hx_proc_wait(p, deadline, also))
			return -2;
		if (strcmp(argv[0], "wine") != 0 || attempt > 0 || p->out.len > 0 || p->err.len > 0)
			return 0;
		fprintf(stderr, "harness: %s: wine %s printed nothing (exit %d): once more\n",
			sc->name, argv[1], hx_proc_exit_code(p));
		hx_proc_free(p);
	}
}

static void run_diag(struct hx_scenario *sc, const struct hx_opts *o, struct run *r,
		     long long deadline)
{
	char *argv[HX_MAX_ARGS];
	int n = 0;
	char err[512];
	if (o->wine)
		argv[n++] = "wine";
	argv[n++] = (char *)o->diag;
	argv[n++] = "--fixture";
	argv[n++] = r->fixture;
	argv[n++] = "--format";
	argv[n++] = "json";
	scenario_args(sc, o, r, argv, &n, 1);
	if (o->verbose) {
		fprintf(stderr, "%s:", sc->name);
		for (int i = 0; i < n; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}
	int w = spawn_wait(sc, &r->diag, argv, deadline, r->cloud_started ? &r->cloud : NULL, err,
			   sizeof err);
	if (w == -1) {
		snprintf(sc->why, sizeof sc->why, "%s", err);
		return;
	}
	r->diag_started = 1;
	if (w == -2) {
		snprintf(sc->why, sizeof sc->why, "mdediag did not finish within %g s (killed)",
			 o->timeout_s);
		return;
	}
	sc->exit_code = hx_proc_exit_code(&r->diag);
	if (o->keep)
		keep_output(r);
	if (o->report_dir)
		save_report(sc, o, r);
	if (r->diag.err.data)
		sc->stderr_text = strdup(r->diag.err.data);
	if (r->diag.out.truncated) {
		snprintf(sc->why, sizeof sc->why, "mdediag's report is larger than %u bytes",
			 HX_REPORT_MAX);
		return;
	}
	sc->report = r->diag.out.data ? cJSON_Parse(r->diag.out.data) : NULL;
	if (!cJSON_IsObject(sc->report)) {
		char l[400];
		first_line(r->diag.err.data, l, sizeof l);
		snprintf(sc->why, sizeof sc->why, "mdediag exit %d without a JSON report: %s",
			 sc->exit_code, l);
		cJSON_Delete(sc->report);
		sc->report = NULL;
	}
}

/* Same finding (id, severity, title) with the same evidence, timings
 * aside; "" or the first difference. */
static void compare(const cJSON *live, const cJSON *replay, int evidence, char *why, size_t whysz)
{
	const cJSON *fa = cJSON_GetObjectItemCaseSensitive(live, "findings");
	const cJSON *fb = cJSON_GetObjectItemCaseSensitive(replay, "findings");
	const cJSON *a, *b = fb ? fb->child : NULL;
	int i = 0;
	why[0] = 0;
	cJSON_ArrayForEach(a, fa)
	{
		static const char *const keys[] = {"id", "severity", "title"};
		const cJSON *ea, *eb, *x;
		if (!b) {
			snprintf(why, whysz, "replay lacks finding %d (%s)", i,
				 cm_jpath_string(a, "id") ? cm_jpath_string(a, "id") : "?");
			return;
		}
		for (int k = 0; k < 3; k++) {
			const char *va = cm_jpath_string(a, keys[k]),
				   *vb = cm_jpath_string(b, keys[k]);
			if (!va || !vb || strcmp(va, vb)) {
				snprintf(why, whysz, "finding %d %s: live %.200s, replay %.200s", i,
					 keys[k], va ? va : "-", vb ? vb : "-");
				return;
			}
		}
		ea = cJSON_GetObjectItemCaseSensitive(a, "evidence");
		eb = cJSON_GetObjectItemCaseSensitive(b, "evidence");
		for (int pass = 0; evidence && pass < 2; pass++) {
			const cJSON *src = pass ? eb : ea, *dst = pass ? ea : eb;
			cJSON_ArrayForEach(x, src)
			{
				size_t l = strlen(x->string);
				const cJSON *y = cJSON_GetObjectItemCaseSensitive(dst, x->string);
				if (l > 3 && strcmp(x->string + l - 3, "_ms") == 0)
					continue; /* timings: two runs, two measures */
				if (!y || !cJSON_Compare(x, y, 1)) {
					char *vx = cJSON_PrintUnformatted(x);
					char *vy = y ? cJSON_PrintUnformatted(y) : NULL;
					snprintf(why, whysz,
						 "%s evidence %s: live %.150s, replay %.150s",
						 cm_jpath_string(a, "id"), x->string,
						 pass ? (vy ? vy : "-") : vx,
						 pass ? vx : (vy ? vy : "-"));
					free(vx);
					free(vy);
					return;
				}
			}
		}
		b = b->next;
		i++;
	}
	if (b) {
		snprintf(why, whysz, "replay has an extra finding %s", cm_jpath_string(b, "id"));
		return;
	}
	const char *va = cm_jpath_string(cJSON_GetObjectItemCaseSensitive(live, "verdict"), "id");
	const char *vb = cm_jpath_string(cJSON_GetObjectItemCaseSensitive(replay, "verdict"), "id");
	if (!va || !vb || strcmp(va, vb))
		snprintf(why, whysz, "verdict: live %s, replay %s", va ? va : "-", vb ? vb : "-");
}

/* Runs argv to its end; 0, or -1 + sc->why (prefixed with `what`). */
static int run_to_end(struct hx_scenario *sc, struct hx_proc *p, char **argv, const char *what,
		      long long deadline, struct hx_proc *also)
{
	char err[512];
	int w = spawn_wait(sc, p, argv, deadline, also, err, sizeof err);
	if (w == -1) {
		snprintf(sc->why, sizeof sc->why, "%s: %s", what, err);
		return -1;
	}
	if (w == -2) {
		snprintf(sc->why, sizeof sc->why, "%s did not finish in time", what);
		return -1;
	}
	if (!p->out.data || p->out.truncated) {
		char l[300];
		first_line(p->err.data, l, sizeof l);
		snprintf(sc->why, sizeof sc->why, "%s: exit %d without output: %s", what,
			 hx_proc_exit_code(p), l);
		return -1;
	}
	return 0;
}

/* What --redact must hide, from the unredacted file: the host name, the
 * proxies the records name, and the loopback address the mock cloud is on;
 * and anywhere, in any case, the names the suite gives its customer and
 * its people (the scenarios' domains, PAC scripts and registry, the mock
 * cloud's inspection CA and proxy banner). The first one still present in
 * `red`, or NULL. */
static const char *leaked(const cJSON *plain, const char *red)
{
	static const char *const customer[] = {"contoso", "webgateway", "alice",
					       "tanaka",  "ctsojp",     NULL};
	static __thread char found[300];
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(plain, "hostname"), *d;
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(plain, "network");
	for (int i = 0; customer[i]; i++)
		if (strcasestr(red, customer[i]))
			return customer[i];
	if (cJSON_IsString(h) && h->valuestring[0] && strcasestr(red, h->valuestring))
		return h->valuestring;
	if (strstr(red, "127.0.0.1"))
		return "127.0.0.1";
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(net, "destinations"))
	{
		const char *ph =
			cm_jpath_string(cJSON_GetObjectItemCaseSensitive(d, "route"), "proxy_host");
		if (ph && strcasestr(red, ph)) {
			snprintf(found, sizeof found, "%s", ph);
			return found;
		}
	}
	return NULL;
}

static void same_findings(const cJSON *live, const cJSON *replay, char *why, size_t whysz)
{
	compare(live, replay, 1, why, whysz);
}

static void same_findings_noev(const cJSON *live, const cJSON *replay, char *why, size_t whysz)
{
	compare(live, replay, 0, why, whysz);
}

/* --collect-replay: collect with the live run's options against the same
 * mock cloud, stop the cloud, replay the collected file with no network
 * options, and compare with the live report. 0, or -1 + sc->why. */
static int collect_replay(struct hx_scenario *sc, const struct hx_opts *o, struct run *r,
			  long long deadline)
{
	char *argv[HX_MAX_ARGS], err[512], path[PATH_MAX + 32];
	struct hx_proc col = {0}, rep = {0}, red = {0}, rre = {0};
	char rpath[PATH_MAX + 32];
	cJSON *replay = NULL, *rreplay = NULL;
	int n = 0, rc = -1;
	FILE *f;
	if (o->wine)
		argv[n++] = "wine";
	argv[n++] = (char *)o->diag;
	argv[n++] = "collect";
	argv[n++] = "--fixture";
	argv[n++] = r->fixture;
	scenario_args(sc, o, r, argv, &n, 1);
	if (run_to_end(sc, &col, argv, "collect", deadline, r->cloud_started ? &r->cloud : NULL))
		goto out;
	if (hx_proc_exit_code(&col) != 0) {
		char l[300];
		first_line(col.err.data, l, sizeof l);
		snprintf(sc->why, sizeof sc->why, "collect: exit %d: %s", hx_proc_exit_code(&col),
			 l);
		goto out;
	}
	snprintf(path, sizeof path, "%s/collected.json", r->tmp);
	if (!(f = fopen(path, "w")) || fwrite(col.out.data, 1, col.out.len, f) != col.out.len ||
	    fclose(f)) {
		snprintf(sc->why, sizeof sc->why, "cannot write %.900s", path);
		goto out;
	}
	sc->collected_bytes = (long)col.out.len;
	/* The same with --redact (a third run against the same cloud). */
	argv[n++] = "--redact";
	argv[n] = NULL;
	if (run_to_end(sc, &red, argv, "collect --redact", deadline,
		       r->cloud_started ? &r->cloud : NULL))
		goto out;
	snprintf(rpath, sizeof rpath, "%s/redacted.json", r->tmp);
	if (!(f = fopen(rpath, "w")) || fwrite(red.out.data, 1, red.out.len, f) != red.out.len ||
	    fclose(f)) {
		snprintf(sc->why, sizeof sc->why, "cannot write %.900s", rpath);
		goto out;
	}
	{
		cJSON *plain = cJSON_Parse(col.out.data);
		const char *l = leaked(plain, red.out.data);
		if (l)
			snprintf(sc->why, sizeof sc->why,
				 "collect --redact left \"%.200s\" in the file", l);
		cJSON_Delete(plain);
		if (l)
			goto out;
	}
	/* No cloud from here on: a replay that tried the network would fail. */
	if (r->cloud_started) {
		hx_proc_stop(&r->cloud, HX_CLOUD_STOP_MS);
		r->cloud_started = 0;
	}
	n = 0;
	argv[n++] = (char *)(o->replay_diag ? o->replay_diag : o->diag);
	if (o->wine && !o->replay_diag) {
		snprintf(sc->why, sizeof sc->why,
			 "--collect-replay with --wine needs --replay-diag");
		goto out;
	}
	argv[n++] = "--fixture";
	argv[n++] = path;
	argv[n++] = "--format";
	argv[n++] = "json";
	scenario_args(sc, o, r, argv, &n, 0);
	if (run_to_end(sc, &rep, argv, "replay", deadline, NULL))
		goto out;
	replay = cJSON_Parse(rep.out.data);
	if (!cJSON_IsObject(replay)) {
		char l[300];
		first_line(rep.err.data, l, sizeof l);
		snprintf(sc->why, sizeof sc->why, "replay: exit %d without a report: %s",
			 hx_proc_exit_code(&rep), l);
		goto out;
	}
	same_findings(sc->report, replay, err, sizeof err);
	if (!err[0] && hx_proc_exit_code(&rep) != sc->exit_code)
		snprintf(err, sizeof err, "exit status: live %d, replay %d", sc->exit_code,
			 hx_proc_exit_code(&rep));
	if (err[0]) {
		snprintf(sc->why, sizeof sc->why, "collect/replay: %s", err);
		goto out;
	}
	/* The redacted file: same findings and verdict, evidence aside. Not
	 * with --service-tags: the scenarios' tag files list loopback as the
	 * "Microsoft" ranges, and redaction rightly hides loopback addresses
	 * (real MDE addresses are public and kept). */
	for (int i = 0; i < n; i++)
		if (strcmp(argv[i], "--service-tags") == 0)
			goto done;
	argv[2] = rpath;
	if (run_to_end(sc, &rre, argv, "replay of the redacted file", deadline, NULL))
		goto out;
	rreplay = cJSON_Parse(rre.out.data);
	same_findings_noev(sc->report, rreplay, err, sizeof err);
	if (err[0]) {
		snprintf(sc->why, sizeof sc->why, "redacted replay: %s", err);
		goto out;
	}
done:
	rc = 0;
out:
	struct hx_proc *all[] = {&col, &rep, &red, &rre};
	for (int i = 0; i < 4; i++) {
		if (all[i]->pid)
			hx_proc_stop(all[i], 0);
		hx_proc_free(all[i]);
	}
	cJSON_Delete(replay);
	cJSON_Delete(rreplay);
	return rc;
}

void hx_scenario_run(struct hx_scenario *sc, const struct hx_opts *o)
{
	struct run *r = calloc(1, sizeof *r);
	long long t0 = hx_now_ms();
	long long deadline = t0 + (long long)(o->timeout_s * 1000);
	char err[1024];
	cJSON *fx = NULL;
	sc->outcome = HX_FAIL;
	sc->why[0] = '\0';
	if (!r) {
		snprintf(sc->why, sizeof sc->why, "out of memory");
		return;
	}
	snprintf(r->tmp, sizeof r->tmp, "%s/hx-%.60s-XXXXXX", o->tmp_root, sc->name);
	if (!mkdtemp(r->tmp)) {
		snprintf(sc->why, sizeof sc->why, "mkdtemp %.900s: %s", r->tmp, strerror(errno));
		r->tmp[0] = '\0';
		goto out;
	}
	snprintf(r->fixture, sizeof r->fixture, "%s/fixture.json", r->tmp);
	snprintf(r->cloudcfg, sizeof r->cloudcfg, "%s/cloud.json", r->tmp);
	snprintf(r->cadir, sizeof r->cadir, "%s/ca", r->tmp);
	if (!(fx = hx_scenario_fixture(sc, err, sizeof err)) ||
	    hx_json_write(r->fixture, fx, err, sizeof err)) {
		snprintf(sc->why, sizeof sc->why, "fixture: %.1000s", err);
		goto out;
	}
	if (cJSON_GetObjectItemCaseSensitive(sc->json, "cloud") &&
	    start_cloud(sc, o, r, fx, deadline))
		goto out;
	run_diag(sc, o, r, deadline);
	if (sc->why[0])
		goto out;
	int m = hx_match(cJSON_GetObjectItemCaseSensitive(sc->json, "expect"), sc->report,
			 sc->exit_code, sc->why, sizeof sc->why);
	if (m == HX_MATCH_OK && o->collect_replay && collect_replay(sc, o, r, deadline))
		m = HX_MATCH_FAIL;
	if (m == HX_MATCH_OK)
		sc->outcome = HX_PASS;
out:
	if (r->cloud_started)
		hx_proc_stop(&r->cloud, HX_CLOUD_STOP_MS);
	if (r->cloud_started && r->cloud.timed_out && !sc->why[0])
		snprintf(sc->why, sizeof sc->why, "mockcloud did not stop on SIGTERM (killed)");
	if (sc->outcome == HX_PASS && sc->why[0])
		sc->outcome = HX_FAIL;
	hx_proc_free(&r->cloud);
	hx_proc_free(&r->diag);
	cJSON_Delete(r->ports);
	cJSON_Delete(fx);
	if (r->tmp[0]) {
		if (o->keep)
			snprintf(sc->tmpdir, sizeof sc->tmpdir, "%s", r->tmp);
		else
			nftw(r->tmp, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	free(r);
	sc->seconds = (double)(hx_now_ms() - t0) / 1000.0;
}
