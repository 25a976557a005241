/* selftest.c - the portable half of `mdediag selftest` (selftest.h): the
 * parsers of the Windows tools' output, the platform's answers in the
 * tools' form, and the comparisons as lines and as the JSON file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include <mbedtls/sha256.h>
#include "win32_args.h"
#include "selftest.h"
#include "version.h"
#ifdef _WIN32
#include "selftest_win32.h"
#endif

/* ---- small text helpers -------------------------------------------------- */

/* The next line of *p (without its CR/LF) into buf; 0 at the end. */
static int next_line(const char **p, char *buf, size_t bufsz)
{
	const char *s = *p;
	if (!*s)
		return 0;
	size_t n = strcspn(s, "\r\n");
	size_t k = n < bufsz - 1 ? n : bufsz - 1;
	memcpy(buf, s, k);
	buf[k] = '\0';
	s += n;
	if (*s == '\r')
		s++;
	if (*s == '\n')
		s++;
	*p = s;
	return 1;
}

static int strnieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return 0;
	return 1;
}

static void trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	size_t i = strspn(s, " \t");
	memmove(s, s + i, strlen(s + i) + 1);
}

/* ---- reg.exe ------------------------------------------------------------- */

static const char *const reg_types[] = {
	"REG_SZ",
	"REG_EXPAND_SZ",
	"REG_BINARY",
	"REG_DWORD",
	"REG_DWORD_BIG_ENDIAN",
	"REG_LINK",
	"REG_MULTI_SZ",
	"REG_RESOURCE_LIST",
	"REG_FULL_RESOURCE_DESCRIPTOR",
	"REG_RESOURCE_REQUIREMENTS_LIST",
	"REG_QWORD",
	"REG_NONE",
};

/* reg.exe prints each value as four spaces, the name, four spaces, the type,
 * four spaces and the data (Microsoft's reg query samples; Wine's reg.exe
 * does the same). A name may hold spaces, so the type token is found first:
 * "    " + REG_xxx + "    " (or the end of the line, for empty data). */
int dx_st_reg_parse(const char *out, const char *name, char type[24], char *data, size_t datasz)
{
	const char *p = out;
	size_t linesz = 1 << 20;
	char *line = malloc(linesz);
	if (!line)
		return -1;
	int found = -1;
	while (found < 0 && next_line(&p, line, linesz)) {
		if (strncmp(line, "    ", 4) != 0)
			continue;
		for (size_t t = 0; t < sizeof reg_types / sizeof reg_types[0] && found < 0; t++) {
			char pat[48];
			snprintf(pat, sizeof pat, "    %s", reg_types[t]);
			size_t pl = strlen(pat);
			for (char *q = strstr(line + 4, pat); q; q = strstr(q + 1, pat)) {
				const char *after = q + pl;
				if (*after && strncmp(after, "    ", 4) != 0)
					continue; /* REG_SZ inside REG_SZX, or in a name */
				size_t nl = (size_t)(q - (line + 4));
				/* "" is the default value (reg query /ve): its one
				 * line is named "(Default)", "(Standard)"... */
				if (name[0] && (nl != strlen(name) || !strnieq(line + 4, name, nl)))
					continue;
				snprintf(type, 24, "%s", reg_types[t]);
				snprintf(data, datasz, "%s", *after ? after + 4 : "");
				found = 0;
				break;
			}
		}
	}
	free(line);
	return found;
}

void dx_st_reg_format(const struct dx_regval *v, char *out, size_t outsz)
{
	size_t o = 0;
	out[0] = '\0';
	switch (v->type) {
	case DX_REG_DWORD:
	case DX_REG_QWORD: snprintf(out, outsz, "0x%llx", (unsigned long long)v->num); return;
	case DX_REG_SZ:
	case DX_REG_EXPAND_SZ:
		snprintf(out, outsz, "%.*s", (int)(v->len < outsz ? v->len : outsz - 1),
			 v->data ? (const char *)v->data : "");
		return;
	case DX_REG_MULTI_SZ: {
		/* The strings, each NUL-terminated; the list ends at the first
		 * empty string, as reg.exe stops there. */
		size_t i = 0;
		int first = 1;
		while (v->data && i < v->len && v->data[i]) {
			const char *s = (const char *)v->data + i;
			size_t n = strnlen(s, v->len - i);
			if (!first && o + 2 < outsz) {
				memcpy(out + o, "\\0", 2);
				o += 2;
			}
			size_t k = n < outsz - 1 - o ? n : outsz - 1 - o;
			memcpy(out + o, s, k);
			o += k;
			first = 0;
			i += n + 1;
		}
		out[o] = '\0';
		return;
	}
	default: /* REG_BINARY, REG_NONE and the rest: hex */
		for (size_t i = 0; v->data && i < v->len && o + 3 <= outsz; i++)
			o += (size_t)snprintf(out + o, outsz - o, "%02X", v->data[i]);
		return;
	}
}

/* ---- sc.exe -------------------------------------------------------------- */

/* Finds "NUMBER SPACES WORD" after a colon where WORD is one of `words`
 * (sc.exe's labels are translated on some Windows languages, its state and
 * start-type names are not). Returns the number, -1 when none. */
static int sc_pair(const char *out, const char *const *words, size_t nwords)
{
	const char *p = out;
	char line[1024];
	while (next_line(&p, line, sizeof line)) {
		char *c = strchr(line, ':');
		if (!c)
			continue;
		char *s = c + 1;
		while (*s == ' ' || *s == '\t')
			s++;
		if (!isdigit((unsigned char)*s))
			continue;
		char *end;
		long n = strtol(s, &end, 10);
		if (end == s || (*end != ' ' && *end != '\t'))
			continue;
		while (*end == ' ' || *end == '\t')
			end++;
		size_t wl = strcspn(end, " \t");
		for (size_t i = 0; i < nwords; i++)
			if (strlen(words[i]) == wl && strncmp(end, words[i], wl) == 0)
				return (int)n;
	}
	return -1;
}

int dx_st_sc_state(const char *out)
{
	static const char *const w[] = {"STOPPED", "START_PENDING",    "STOP_PENDING",
					"RUNNING", "CONTINUE_PENDING", "PAUSE_PENDING",
					"PAUSED"};
	int n = sc_pair(out, w, sizeof w / sizeof w[0]);
	return n >= 1 && n <= 7 ? n : -1;
}

int dx_st_sc_start(const char *out)
{
	static const char *const w[] = {"BOOT_START", "SYSTEM_START", "AUTO_START", "DEMAND_START",
					"DISABLED"};
	int n = sc_pair(out, w, sizeof w / sizeof w[0]);
	return n >= 0 && n <= 4 ? n : -1;
}

/* ---- wevtutil ------------------------------------------------------------ */

int dx_st_wevt_parse(const char *xml, size_t *count, uint32_t *newest_id)
{
	*count = 0;
	*newest_id = 0;
	const char *p = xml;
	while ((p = strstr(p, "<Event")) != NULL) {
		char c = p[6];
		if (c == ' ' || c == '>' || c == '\t' || c == '\r' || c == '\n') {
			if (*count == 0) {
				const char *e = strstr(p, "<EventID");
				const char *gt = e ? strchr(e, '>') : NULL;
				if (!gt || !isdigit((unsigned char)gt[1]))
					return -1;
				*newest_id = (uint32_t)strtoul(gt + 1, NULL, 10);
			}
			(*count)++;
		}
		p += 6;
	}
	if (*count == 0) { /* nothing, or whitespace only, is an empty log */
		for (p = xml; *p; p++)
			if (!isspace((unsigned char)*p))
				return -1;
	}
	return 0;
}

/* ---- whoami, chcp, netsh, PowerShell ------------------------------------ */

/* A SID in the text as a whole token (S-1-16-12288 is not S-1-16-122880). */
static int has_sid(const char *out, const char *sid)
{
	size_t n = strlen(sid);
	for (const char *p = strstr(out, sid); p; p = strstr(p + 1, sid))
		if (!isalnum((unsigned char)p[n]) && p[n] != '-' &&
		    (p == out || (!isalnum((unsigned char)p[-1]) && p[-1] != '-')))
			return 1;
	return 0;
}

int dx_st_whoami_elevated(const char *out)
{
	if (has_sid(out, "S-1-16-12288") || has_sid(out, "S-1-16-16384") ||
	    has_sid(out, "S-1-16-20480"))
		return 1;
	if (has_sid(out, "S-1-16-8192") || has_sid(out, "S-1-16-8448") ||
	    has_sid(out, "S-1-16-4096") || has_sid(out, "S-1-16-0"))
		return 0;
	return -1;
}

int dx_st_chcp_parse(const char *out)
{
	long last = -1;
	for (const char *p = out; *p; p++) {
		if (isdigit((unsigned char)*p) && (p == out || !isdigit((unsigned char)p[-1]))) {
			char *end;
			last = strtol(p, &end, 10);
			p = end - 1;
		}
	}
	return last > 0 && last < 65536 ? (int)last : -1;
}

/* netsh prints a header naming WinHTTP in every language ("Current WinHTTP
 * proxy settings:"), then either one sentence (direct access) or two
 * "label : value" lines, the proxy then the bypass list. */
int dx_st_netsh_proxy(const char *out, char *proxy, size_t proxysz, char *bypass, size_t bypasssz)
{
	proxy[0] = bypass[0] = '\0';
	if (!strstr(out, "WinHTTP"))
		return -1;
	const char *p = out;
	char line[1024];
	int n = 0;
	while (n < 2 && next_line(&p, line, sizeof line)) {
		if (strstr(line, "WinHTTP"))
			continue; /* the header ends with a colon too */
		/* the label ends at the first colon followed by a blank ("Proxy
		 * Server(s) :  host:8080", "Proxyserver:  host:8080") */
		char *c = line;
		while ((c = strchr(c, ':')) != NULL && c[1] != ' ' && c[1] != '\t')
			c++;
		if (!c || c == line)
			continue;
		char *v = c + 1;
		trim(v);
		if (n == 0)
			snprintf(proxy, proxysz, "%s", v);
		else if (v[0] != '(') /* "(none)", "(keine)", "(なし)" */
			snprintf(bypass, bypasssz, "%s", v);
		n++;
	}
	return n > 0;
}

int dx_st_ps_version(const char *out, char ver[64], char *str, size_t strsz)
{
	const char *p = out;
	char line[1024];
	while (next_line(&p, line, sizeof line)) {
		trim(line);
		char *bar = strchr(line, '|');
		if (!bar)
			continue;
		*bar = '\0';
		if (strcmp(line, "absent") == 0)
			return 1;
		unsigned a, b, c, d;
		char extra;
		if (sscanf(line, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) != 4 || a > 65535 ||
		    b > 65535 || c > 65535 || d > 65535)
			continue;
		snprintf(ver, 64, "%u.%u.%u.%u", a, b, c, d);
		snprintf(str, strsz, "%s", bar + 1);
		return 0;
	}
	return -1;
}

/* ---- the comparisons ------------------------------------------------------ */

static char *dup(const char *s)
{
	s = s ? s : "";
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

int dx_st_add(struct dx_st_list *l, const char *area, const char *what, enum dx_st_outcome o,
	      const char *ours, const char *theirs, const char *tool, const char *why)
{
	if (l->count == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 32;
		struct dx_st_item *n = realloc(l->items, cap * sizeof *n);
		if (!n)
			return -1;
		l->items = n;
		l->cap = cap;
	}
	struct dx_st_item *it = &l->items[l->count];
	memset(it, 0, sizeof *it);
	snprintf(it->area, sizeof it->area, "%s", area);
	it->outcome = o;
	it->what = dup(what);
	it->ours = dup(ours);
	it->theirs = dup(theirs);
	it->tool = dup(tool);
	it->why = dup(why);
	if (!it->what || !it->ours || !it->theirs || !it->tool || !it->why) {
		free(it->what);
		free(it->ours);
		free(it->theirs);
		free(it->tool);
		free(it->why);
		return -1;
	}
	l->count++;
	return 0;
}

int dx_st_compare(struct dx_st_list *l, const char *area, const char *what, const char *ours,
		  const char *theirs, const char *tool)
{
	return dx_st_add(l, area, what, strcmp(ours, theirs) == 0 ? DX_ST_AGREE : DX_ST_DIFFER,
			 ours, theirs, tool, NULL);
}

int dx_st_set_command(struct dx_st_list *l, const char *cmd)
{
	if (!l->count)
		return -1;
	char *c = dup(cmd);
	if (!c)
		return -1;
	free(l->items[l->count - 1].command);
	l->items[l->count - 1].command = c;
	return 0;
}

void dx_st_free(struct dx_st_list *l)
{
	for (size_t i = 0; i < l->count; i++) {
		free(l->items[i].command);
		free(l->items[i].what);
		free(l->items[i].ours);
		free(l->items[i].theirs);
		free(l->items[i].tool);
		free(l->items[i].why);
	}
	free(l->items);
	memset(l, 0, sizeof *l);
}

#define SHOW_MAX 100

/* A value for the eye and the file: as it is, or "<N characters, sha256
 * 0123456789abcdef...>" when long (the onboarding blob is kilobytes). */
static void shown(const char *v, char *out, size_t outsz)
{
	size_t n = strlen(v);
	int ctrl = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20)
			ctrl = 1;
	if (n <= SHOW_MAX && !ctrl) {
		snprintf(out, outsz, "%s", v);
		return;
	}
	/* a registry value keeps its type in front: "REG_SZ <383 bytes, ...>" */
	size_t t = 0;
	if (strncmp(v, "REG_", 4) == 0 && strchr(v, ' ') && (size_t)(strchr(v, ' ') - v) < 24)
		t = (size_t)(strchr(v, ' ') - v) + 1;
	unsigned char h[32];
	mbedtls_sha256_ret((const unsigned char *)v + t, n - t, h, 0);
	char hex[17];
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	snprintf(out, outsz, "%.*s<%zu bytes, sha256 %s...>", (int)t, v, n - t, hex);
}

static const char *outcome_name(enum dx_st_outcome o)
{
	return o == DX_ST_AGREE ? "agree" : o == DX_ST_DIFFER ? "differ" : "not compared";
}

void dx_st_print(FILE *out, const struct dx_st_list *l)
{
	size_t n[3] = {0, 0, 0};
	for (size_t i = 0; i < l->count; i++) {
		const struct dx_st_item *it = &l->items[i];
		char a[SHOW_MAX + 64], b[SHOW_MAX + 64];
		shown(it->ours, a, sizeof a);
		shown(it->theirs, b, sizeof b);
		n[it->outcome]++;
		if (it->outcome == DX_ST_AGREE)
			fprintf(out, "agree         %-9s %s: %s\n", it->area, it->what, a);
		else if (it->outcome == DX_ST_DIFFER)
			fprintf(out, "DIFFER        %-9s %s: mdediag read %s; %s reports %s\n",
				it->area, it->what, a, it->tool, b);
		else
			fprintf(out, "not compared  %-9s %s: %s\n", it->area, it->what, it->why);
	}
	fprintf(out, "%zu agree, %zu differ, %zu not compared\n", n[0], n[1], n[2]);
}

cJSON *dx_st_json(const struct dx_st_list *l, const char *tool_version, cJSON *os)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *arr = cJSON_CreateArray();
	if (!root || !arr) {
		cJSON_Delete(root);
		cJSON_Delete(arr);
		cJSON_Delete(os);
		return NULL;
	}
	cJSON_AddStringToObject(root, "selftest", "mdediag");
	cJSON_AddNumberToObject(root, "schema", 1);
	cJSON_AddStringToObject(root, "tool_version", tool_version);
	if (os)
		cJSON_AddItemToObject(root, "os", os);
	size_t n[3] = {0, 0, 0};
	for (size_t i = 0; i < l->count; i++) {
		const struct dx_st_item *it = &l->items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			goto oom;
		cJSON_AddItemToArray(arr, o);
		char a[SHOW_MAX + 64], b[SHOW_MAX + 64];
		shown(it->ours, a, sizeof a);
		shown(it->theirs, b, sizeof b);
		n[it->outcome]++;
		cJSON_AddStringToObject(o, "area", it->area);
		cJSON_AddStringToObject(o, "what", it->what);
		cJSON_AddStringToObject(o, "outcome", outcome_name(it->outcome));
		cJSON_AddStringToObject(o, "mdediag", a);
		cJSON_AddStringToObject(o, "windows", b);
		cJSON_AddStringToObject(o, "tool", it->tool);
		if (it->command && it->command[0])
			cJSON_AddStringToObject(o, "command", it->command);
		if (it->outcome == DX_ST_NOT_COMPARED)
			cJSON_AddStringToObject(o, "why", it->why);
	}
	cJSON_AddItemToObject(root, "comparisons", arr);
	arr = NULL;
	cJSON *sum = cJSON_AddObjectToObject(root, "summary");
	if (!sum)
		goto oom;
	cJSON_AddNumberToObject(sum, "agree", (double)n[0]);
	cJSON_AddNumberToObject(sum, "differ", (double)n[1]);
	cJSON_AddNumberToObject(sum, "not_compared", (double)n[2]);
	return root;
oom:
	cJSON_Delete(arr);
	cJSON_Delete(root);
	return NULL;
}

int dx_st_exit_status(const struct dx_st_list *l)
{
	for (size_t i = 0; i < l->count; i++)
		if (l->items[i].outcome == DX_ST_DIFFER)
			return 1;
	return 0;
}

/* ---- the subcommand ------------------------------------------------------- */

static const char st_usage[] =
	"usage: mdediag selftest [--output FILE]\n"
	"\n"
	"On a Windows device, compares what mdediag reads (registry values, services,\n"
	"file versions, event logs, elevation, code page, WinHTTP proxy, PAC answer)\n"
	"with what Windows' own tools report (reg.exe, sc.exe, PowerShell, wevtutil,\n"
	"whoami, chcp, netsh, WinHttpGetProxyForUrl): one line per comparison, and\n"
	"with --output a JSON file to send to mdediag's maintainers. Run it from an\n"
	"elevated prompt. Exit status: 0 every comparison made agrees, 1 one\n"
	"differs, 2 bad usage or not Windows, 3 internal failure.\n";

int dx_selftest_main(int argc, char **argv)
{
	const char *output = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(st_usage, stdout);
			return 0;
		} else if (strcmp(a, "--output") == 0) {
			if (i + 1 >= argc) {
				fputs("mdediag: option '--output' needs a value\n"
				      "Try 'mdediag selftest --help'.\n",
				      stderr);
				return 2;
			}
			output = argv[++i];
		} else if (strncmp(a, "--output=", 9) == 0 && a[9]) {
			output = a + 9;
		} else {
			fprintf(stderr,
				"mdediag: selftest: unexpected argument '%s'\n"
				"Try 'mdediag selftest --help'.\n",
				a);
			return 2;
		}
	}
#ifdef _WIN32
	struct dx_st_list l = {0};
	cJSON *os = NULL;
	char err[512];
	FILE *f = NULL;
	if (output && !(f = dx_fopen(output, "w"))) {
		fprintf(stderr, "mdediag: cannot write %s: %s\n", output, strerror(errno));
		return 2;
	}
	if (dx_selftest_collect(&l, &os, err, sizeof err)) {
		fprintf(stderr, "mdediag: selftest: %s\n", err);
		cJSON_Delete(os);
		dx_st_free(&l);
		if (f)
			fclose(f);
		return 3;
	}
	dx_st_print(stdout, &l);
	int rc = dx_st_exit_status(&l);
	if (f) {
		cJSON *j = dx_st_json(&l, DX_VERSION, os);
		char *text = j ? cJSON_Print(j) : NULL;
		cJSON_Delete(j);
		if (!text || fputs(text, f) < 0 || fputc('\n', f) == EOF || fclose(f)) {
			fprintf(stderr, "mdediag: writing %s failed\n", output);
			rc = 3;
		} else {
			printf("Written to %s: send this file.\n", output);
		}
		free(text);
	} else {
		cJSON_Delete(os);
	}
	dx_st_free(&l);
	if (fflush(stdout) || ferror(stdout))
		rc = 3;
	return rc;
#else
	(void)output;
	fputs("mdediag: selftest compares mdediag's Windows platform layer with "
	      "Windows' own tools: it needs Windows (run mdediag.exe selftest on the "
	      "device)\n",
	      stderr);
	return 2;
#endif
}
