/* mc_config.c - parses and validates the mock cloud's JSON configuration,
 * naming the JSON path of the first error. */
#include "mc_config.h"
#include "hostport.h"
#include "jpath.h"
#include "mc_util.h"
#include "jsontext.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const mc_fault_names[MC_F_COUNT] = {"refuse",    "reset",     "silent",   "delay",
						"bandwidth", "status",    "tls-fail", "wrong-name",
						"expired",   "intercept", "flaky"};

static const char *const proxy_modes[] = {"allow", "deny", "auth-basic", "auth-ntlm", "intercept"};

#define FAIL(...)                                                                                  \
	do {                                                                                       \
		mc_fmt(err, errlen, __VA_ARGS__);                                                  \
		goto out;                                                                          \
	} while (0)

/* Rejects members of obj not in the NULL-terminated list `known`. */
static int check_keys(const cJSON *obj, const char *const *known, const char *path, char *err,
		      size_t errlen)
{
	const cJSON *it = cm_jpath_unknown(obj, known);
	if (it)
		return cm_jpath_fail(err, errlen, path, NULL, "unknown key \"%s\"", it->string);
	return 0;
}

static int fault_type(const char *name)
{
	for (int i = 0; i < MC_F_COUNT; i++)
		if (strcmp(name, mc_fault_names[i]) == 0)
			return i;
	return -1;
}

int mc_faults_parse(const cJSON *arr, const char *path, struct mc_faults *f, char *err,
		    size_t errlen)
{
	static const char *const known[] = {
		"type", "when", "ms", "bytes_per_sec", "code", "times", "name", "seconds", NULL};
	char p[512];
	int i = 0, rc = -1;
	const cJSON *it;

	memset(f, 0, sizeof(*f));
	if (!cJSON_IsArray(arr))
		FAIL("%s: must be an array of faults", path);
	cJSON_ArrayForEach(it, arr)
	{
		const cJSON *type = cJSON_GetObjectItemCaseSensitive(it, "type");
		int t;
		mc_fmt(p, sizeof(p), "%s[%d]", path, i++);
		if (!cJSON_IsObject(it))
			FAIL("%s: must be an object like {\"type\": \"reset\"}", p);
		if (!cJSON_IsString(type))
			FAIL("%s.type: missing or not a string", p);
		t = fault_type(type->valuestring);
		if (t < 0)
			FAIL("%s.type: unknown fault \"%.64s\"", p, type->valuestring);
		if (check_keys(it, known, p, err, errlen))
			goto out;
		if (f->mask & (1u << t))
			FAIL("%s.type: fault \"%s\" given twice", p, mc_fault_names[t]);
		f->mask |= 1u << t;
		switch (t) {
		case MC_F_RESET: {
			const cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "when");
			if (!w ||
			    (cJSON_IsString(w) && strcmp(w->valuestring, "before-handshake") == 0))
				f->reset_after = 0;
			else if (cJSON_IsString(w) &&
				 strcmp(w->valuestring, "after-handshake") == 0)
				f->reset_after = 1;
			else
				FAIL("%s.when: must be \"before-handshake\" or \"after-handshake\"",
				     p);
			break;
		}
		case MC_F_SILENT: {
			int s;
			if (cm_jpath_int(it, "seconds", 0, 0, 3600, p, &s, err, errlen))
				goto out;
			f->silent_ms = s * 1000;
			break;
		}
		case MC_F_DELAY:
			if (!cJSON_GetObjectItemCaseSensitive(it, "ms"))
				FAIL("%s.ms: required (milliseconds)", p);
			if (cm_jpath_int(it, "ms", 0, 0, 600000, p, &f->delay_ms, err, errlen))
				goto out;
			break;
		case MC_F_BANDWIDTH:
			if (!cJSON_GetObjectItemCaseSensitive(it, "bytes_per_sec"))
				FAIL("%s.bytes_per_sec: required", p);
			if (cm_jpath_int(it, "bytes_per_sec", 0, 1, 1 << 30, p, &f->bytes_per_sec,
					 err, errlen))
				goto out;
			break;
		case MC_F_STATUS:
			if (!cJSON_GetObjectItemCaseSensitive(it, "code"))
				FAIL("%s.code: required (an HTTP status)", p);
			if (cm_jpath_int(it, "code", 0, 100, 599, p, &f->status, err, errlen))
				goto out;
			break;
		case MC_F_FLAKY:
			if (!cJSON_GetObjectItemCaseSensitive(it, "times"))
				FAIL("%s.times: required", p);
			if (cm_jpath_int(it, "times", 0, 0, 1000000, p, &f->flaky_times, err,
					 errlen))
				goto out;
			break;
		case MC_F_WRONG_NAME: {
			const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
			const char *name = "mismatch.mockcloud.invalid";
			if (n && (!cJSON_IsString(n) || !*n->valuestring ||
				  strlen(n->valuestring) >= sizeof(f->wrong_name)))
				FAIL("%s.name: must be a host name", p);
			if (n)
				name = n->valuestring;
			snprintf(f->wrong_name, sizeof(f->wrong_name), "%s", name);
			mc_lower(f->wrong_name);
			break;
		}
		default: break;
		}
	}
	if ((f->mask & (1u << MC_F_FLAKY)) && f->mask == (1u << MC_F_FLAKY))
		FAIL("%s: \"flaky\" needs another fault to make flaky", path);
	rc = 0;
out:
	return rc;
}

static char *dup_str(const char *s)
{
	char *d = strdup(s);
	return d;
}

static int str_list(const cJSON *obj, const char *key, const char *path, char ***out, int *n,
		    char *err, size_t errlen)
{
	const cJSON *arr, *it;
	int i = 0, has = cm_jpath_get(obj, key, cJSON_Array, &arr);
	*out = NULL;
	*n = 0;
	if (has == 0)
		return 0;
	if (has < 0)
		return cm_jpath_fail(err, errlen, path, key, "must be an array of host names");
	*out = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(char *));
	if (!*out) {
		mc_fmt(err, errlen, "%s.%s: out of memory", path, key);
		return -1;
	}
	cJSON_ArrayForEach(it, arr)
	{
		if (!cJSON_IsString(it) || !*it->valuestring || strlen(it->valuestring) > 253) {
			mc_fmt(err, errlen, "%s.%s[%d]: must be a host name or *.pattern", path,
			       key, i);
			return -1;
		}
		(*out)[i] = mc_lower(dup_str(it->valuestring));
		*n = ++i;
	}
	return 0;
}

static int opt_str(const cJSON *obj, const char *key, const char *path, char **out, char *err,
		   size_t errlen)
{
	const char *s;
	*out = NULL;
	if (cm_jpath_str(obj, key, 255, &s) < 0)
		return cm_jpath_fail(err, errlen, path, key, "must be a string");
	if (s)
		*out = dup_str(s);
	return 0;
}

static int parse_proxy(const cJSON *it, const char *p, struct mc_proxy_cfg *px, char *err,
		       size_t errlen)
{
	static const char *const known[] = {"name", "as",       "mode",  "deny", "allow",
					    "user", "password", "realm", NULL};
	const cJSON *mode;
	char host[256];
	int i, port;

	if (!cJSON_IsObject(it)) {
		mc_fmt(err, errlen, "%s: must be an object", p);
		return -1;
	}
	if (check_keys(it, known, p, err, errlen))
		return -1;
	if (opt_str(it, "name", p, &px->name, err, errlen) ||
	    opt_str(it, "as", p, &px->as, err, errlen) ||
	    opt_str(it, "user", p, &px->user, err, errlen) ||
	    opt_str(it, "password", p, &px->password, err, errlen) ||
	    opt_str(it, "realm", p, &px->realm, err, errlen))
		return -1;
	if (!px->name || !*px->name ||
	    strspn(px->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") !=
		    strlen(px->name)) {
		mc_fmt(err, errlen, "%s.name: required, letters, digits, '-' and '_' only", p);
		return -1;
	}
	if (!px->as ||
	    cm_hostport_parse(px->as, strlen(px->as), 0, host, sizeof(host), &port, NULL, 0)) {
		mc_fmt(err, errlen, "%s.as: required, \"host:port\" (the address clients are told)",
		       p);
		return -1;
	}
	mode = cJSON_GetObjectItemCaseSensitive(it, "mode");
	px->mode = MC_PX_ALLOW;
	if (mode) {
		int found = 0;
		for (i = 0; i < 5 && cJSON_IsString(mode); i++)
			if (strcmp(mode->valuestring, proxy_modes[i]) == 0) {
				px->mode = (enum mc_proxy_mode)i;
				found = 1;
			}
		if (!found) {
			mc_fmt(err, errlen,
			       "%s.mode: unknown proxy mode %s%.64s%s (allow, deny, auth-basic, "
			       "auth-ntlm, intercept)",
			       p, cJSON_IsString(mode) ? "\"" : "",
			       cJSON_IsString(mode) ? mode->valuestring : "(not a string)",
			       cJSON_IsString(mode) ? "\"" : "");
			return -1;
		}
	}
	if (px->mode == MC_PX_AUTH_BASIC && (!px->user || !px->password)) {
		mc_fmt(err, errlen, "%s: mode \"auth-basic\" needs \"user\" and \"password\"", p);
		return -1;
	}
	if (str_list(it, "deny", p, &px->deny, &px->ndeny, err, errlen) ||
	    str_list(it, "allow", p, &px->allow, &px->nallow, err, errlen))
		return -1;
	return 0;
}

#define PAC_MAX (16 << 20)

/* The UTF-8 text s (n bytes) as Latin-1, in place: each character of
 * U+0000..U+00FF one byte. Returns the new length, or -1 at the first
 * character past U+00FF (its byte offset in *at). */
static long to_latin1(char *s, size_t n, size_t *at)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			s[o++] = (char)c;
		} else if ((c == 0xC2 || c == 0xC3) && i + 1 < n &&
			   ((unsigned char)s[i + 1] & 0xC0) == 0x80) {
			s[o++] = (char)(((c & 0x03) << 6) | ((unsigned char)s[i + 1] & 0x3F));
			i++;
		} else {
			*at = i;
			return -1;
		}
	}
	return (long)o;
}

/* {"host", "path", "script", "status", "pad_to", "garbage", "encoding",
 *  "comment"} */
static int parse_pac(const cJSON *it, const char *p, struct mc_pac *pf, char *err, size_t errlen)
{
	static const char *const known[] = {"host",    "path",     "script",  "status", "pad_to",
					    "garbage", "encoding", "comment", NULL};
	const cJSON *h, *path, *sc, *enc;
	const char *script;
	char *latin1 = NULL;
	int pad = 0, garbage = 0, rc = -1;
	size_t slen, len;
	if (!cJSON_IsObject(it))
		FAIL("%s: must be an object {\"host\", \"path\", \"script\"}", p);
	if (check_keys(it, known, p, err, errlen))
		goto out;
	h = cJSON_GetObjectItemCaseSensitive(it, "host");
	path = cJSON_GetObjectItemCaseSensitive(it, "path");
	sc = cJSON_GetObjectItemCaseSensitive(it, "script");
	if (!cJSON_IsString(h) || !*h->valuestring || strlen(h->valuestring) > 253 ||
	    strchr(h->valuestring, '/') || strchr(h->valuestring, '*'))
		FAIL("%s.host: required, an exact host name", p);
	if (path && (!cJSON_IsString(path) || path->valuestring[0] != '/' ||
		     strlen(path->valuestring) > 1000))
		FAIL("%s.path: must be a string starting with \"/\"", p);
	if (sc && !cJSON_IsString(sc))
		FAIL("%s.script: must be a string", p);
	enc = cJSON_GetObjectItemCaseSensitive(it, "encoding");
	if (enc && (!cJSON_IsString(enc) ||
		    (strcmp(enc->valuestring, "utf-8") && strcmp(enc->valuestring, "latin1"))))
		FAIL("%s.encoding: \"utf-8\" (the default) or \"latin1\"", p);
	if (enc && !sc)
		FAIL("%s.encoding: only with \"script\"", p);
	if (cm_jpath_int(it, "status", 200, 100, 599, p, &pf->status, err, errlen) ||
	    cm_jpath_int(it, "pad_to", 0, 0, PAC_MAX, p, &pad, err, errlen) ||
	    cm_jpath_int(it, "garbage", 0, 0, PAC_MAX, p, &garbage, err, errlen))
		goto out;
	if (garbage && sc)
		FAIL("%s: \"script\" and \"garbage\" exclude each other", p);
	slen = sc ? strlen(sc->valuestring) : 0;
	script = sc ? sc->valuestring : "";
	if (enc && strcmp(enc->valuestring, "latin1") == 0) {
		size_t at = 0;
		long n;
		if (!(latin1 = dup_str(script)))
			FAIL("%s: out of memory", p);
		if ((n = to_latin1(latin1, slen, &at)) < 0)
			FAIL("%s.script: byte %zu: a character Latin-1 does not have", p, at);
		script = latin1;
		slen = (size_t)n;
	}
	len = (size_t)garbage + slen;
	if ((size_t)pad > len)
		len = (size_t)pad;
	pf->host = mc_lower(dup_str(h->valuestring));
	pf->path = dup_str(path ? path->valuestring : "/wpad.dat");
	pf->body = malloc(len + 1);
	if (!pf->host || !pf->path || !pf->body)
		FAIL("%s: out of memory", p);
	memcpy(pf->body, script, slen);
	/* garbage: reproducible non-NUL bytes; pad_to: a trailing comment
	 * (a valid script stays valid, just large) */
	for (size_t i = 0; i < (size_t)garbage; i++)
		pf->body[i] = (char)(1 + (i * 2654435761u >> 13) % 255);
	if (len > slen + (size_t)garbage) {
		size_t o = slen + (size_t)garbage;
		memset(pf->body + o, ' ', len - o);
		if (len - o >= 3) {
			pf->body[o] = '\n';
			pf->body[o + 1] = '/';
			pf->body[o + 2] = '/';
		}
	}
	pf->body[len] = 0;
	pf->len = len;
	rc = 0;
out:
	free(latin1);
	return rc;
}

int64_t mc_config_now(const struct mc_config *c)
{
	int64_t real = (int64_t)time(NULL);
	if (c->has_clock_at) /* a world whose time stands still, as a fixture's does */
		return c->clock_at + c->clock_offset_s;
	return real + c->clock_offset_s;
}

const struct mc_pac *mc_config_pac(const struct mc_config *c, const char *host, const char *path)
{
	size_t plen = strcspn(path, "?#");
	for (int i = 0; host && i < c->npac; i++)
		if (strcasecmp(c->pac[i].host, host) == 0 && strlen(c->pac[i].path) == plen &&
		    strncmp(c->pac[i].path, path, plen) == 0)
			return &c->pac[i];
	return NULL;
}

/* FNV-1a */
static size_t name_hash(const char *s)
{
	size_t h = (size_t)2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

int mc_config_from_json(cJSON *root, struct mc_config **out, char *err, size_t errlen)
{
	static const char *const known[] = {"destinations", "hosts", "proxies", "timeouts",
					    "pac",          "clock", "comment", NULL};
	static const char *const known_clock[] = {"at", "offset_s", NULL};
	static const char *const known_to[] = {"handshake_ms", "header_ms", "idle_ms", "silent_ms",
					       NULL};
	struct mc_config *c = NULL;
	const cJSON *hosts, *proxies, *to, *it, *pac;
	int *seen = NULL; /* hash set of host names, for duplicates */
	size_t seen_cap = 0;
	char p[512];
	int i, rc = -1;

	*out = NULL;
	if (!cJSON_IsObject(root))
		FAIL("$: the config must be a JSON object");
	if (check_keys(root, known, "$", err, errlen))
		goto out;
	c = calloc(1, sizeof(*c));
	if (!c)
		FAIL("$: out of memory");
	atomic_init(&c->refs, 1);
	c->json = root;
	root = NULL;
	if (opt_str(c->json, "destinations", "$", &c->destinations, err, errlen))
		goto out;

	to = cJSON_GetObjectItemCaseSensitive(c->json, "timeouts");
	if (to && !cJSON_IsObject(to))
		FAIL("$.timeouts: must be an object");
	if (to && check_keys(to, known_to, "$.timeouts", err, errlen))
		goto out;
	if (cm_jpath_int(to, "handshake_ms", 10000, 10, 600000, "$.timeouts", &c->to.handshake_ms,
			 err, errlen) ||
	    cm_jpath_int(to, "header_ms", 10000, 10, 600000, "$.timeouts", &c->to.header_ms, err,
			 errlen) ||
	    cm_jpath_int(to, "idle_ms", 15000, 10, 600000, "$.timeouts", &c->to.idle_ms, err,
			 errlen) ||
	    cm_jpath_int(to, "silent_ms", 60000, 10, 3600000, "$.timeouts", &c->to.silent_ms, err,
			 errlen))
		goto out;

	/* $.clock: the time the Date headers tell (a device's clock is judged
	 * against it: docs/mockcloud.md) */
	{
		const cJSON *clk = cJSON_GetObjectItemCaseSensitive(c->json, "clock");
		const cJSON *at = clk ? cJSON_GetObjectItemCaseSensitive(clk, "at") : NULL;
		int off = 0;
		if (clk && !cJSON_IsObject(clk))
			FAIL("$.clock: must be an object {\"at\": \"2026-11-20T09:00:00Z\", "
			     "\"offset_s\": N}");
		if (clk && check_keys(clk, known_clock, "$.clock", err, errlen))
			goto out;
		if (at) {
			struct tm tm = {0};
			char tail = 0;
			if (!cJSON_IsString(at) ||
			    sscanf(at->valuestring, "%4d-%2d-%2dT%2d:%2d:%2dZ%c", &tm.tm_year,
				   &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
				   &tail) != 6 ||
			    tm.tm_year < 1970 || tm.tm_year > 9999 || tm.tm_mon < 1 ||
			    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
			    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
				FAIL("$.clock.at: expected a UTC time \"YYYY-MM-DDTHH:MM:SSZ\"");
			tm.tm_year -= 1900;
			tm.tm_mon -= 1;
			c->clock_at = (int64_t)timegm(&tm);
			c->has_clock_at = 1;
		}
		if (cm_jpath_int(clk, "offset_s", 0, -10 * 365 * 86400, 10 * 365 * 86400, "$.clock",
				 &off, err, errlen))
			goto out;
		c->clock_offset_s = off;
	}

	hosts = cJSON_GetObjectItemCaseSensitive(c->json, "hosts");
	if (hosts && !cJSON_IsObject(hosts))
		FAIL("$.hosts: must be an object {\"host\": {\"faults\": [...]}}");
	if (hosts) {
		int nh = cJSON_GetArraySize(hosts);
		if (nh > MC_MAX_HOSTS)
			FAIL("$.hosts: %d hosts, more than the %d allowed", nh, MC_MAX_HOSTS);
		c->hosts = calloc((size_t)nh + 1, sizeof(*c->hosts));
		/* open addressing over indices + 1 (0 = empty), at most half full */
		for (seen_cap = 16; seen_cap < 2 * (size_t)nh; seen_cap *= 2)
			;
		seen = calloc(seen_cap, sizeof(*seen));
		if (!c->hosts || !seen)
			FAIL("$.hosts: out of memory");
		cJSON_ArrayForEach(it, hosts)
		{
			static const char *const known_h[] = {"faults", "comment", NULL};
			struct mc_host *h = &c->hosts[c->nhosts];
			const char *n = it->string;
			mc_fmt(p, sizeof(p), "$.hosts[\"%.200s\"]", n);
			if (!*n || strlen(n) > 253 || strchr(n, '/') || strchr(n, ':') ||
			    (strchr(n, '*') && (n[0] != '*' || n[1] != '.' || strchr(n + 1, '*'))))
				FAIL("%s: not a host name or \"*.suffix\" pattern", p);
			if (!cJSON_IsObject(it))
				FAIL("%s: must be an object {\"faults\": [...]}", p);
			if (check_keys(it, known_h, p, err, errlen))
				goto out;
			h->name = mc_lower(dup_str(n));
			c->nhosts++;
			{
				size_t k = name_hash(h->name) & (seen_cap - 1);
				for (; seen[k]; k = (k + 1) & (seen_cap - 1))
					if (strcmp(c->hosts[seen[k] - 1].name, h->name) == 0)
						FAIL("%s: host given twice", p);
				seen[k] = c->nhosts;
			}
			atomic_init(&h->conns, 0);
			strncat(p, ".faults", sizeof(p) - strlen(p) - 1);
			{
				const cJSON *fa = cJSON_GetObjectItemCaseSensitive(it, "faults");
				if (!fa)
					FAIL("%s: required", p);
				if (mc_faults_parse(fa, p, &h->faults, err, errlen))
					goto out;
			}
		}
	}

	proxies = cJSON_GetObjectItemCaseSensitive(c->json, "proxies");
	if (proxies && !cJSON_IsArray(proxies))
		FAIL("$.proxies: must be an array");
	if (proxies) {
		if (cJSON_GetArraySize(proxies) > MC_MAX_PROXIES)
			FAIL("$.proxies: %d proxies, more than the %d allowed",
			     cJSON_GetArraySize(proxies), MC_MAX_PROXIES);
		c->proxies = calloc((size_t)cJSON_GetArraySize(proxies) + 1, sizeof(*c->proxies));
		if (!c->proxies)
			FAIL("$.proxies: out of memory");
		i = 0;
		cJSON_ArrayForEach(it, proxies)
		{
			mc_fmt(p, sizeof(p), "$.proxies[%d]", i++);
			c->nproxies++;
			if (parse_proxy(it, p, &c->proxies[c->nproxies - 1], err, errlen))
				goto out;
			for (int j = 0; j < c->nproxies - 1; j++)
				if (strcmp(c->proxies[j].name, c->proxies[c->nproxies - 1].name) ==
				    0)
					FAIL("%s.name: proxy \"%s\" given twice", p,
					     c->proxies[j].name);
		}
	}
	pac = cJSON_GetObjectItemCaseSensitive(c->json, "pac");
	if (pac && !cJSON_IsArray(pac))
		FAIL("$.pac: must be an array of PAC files");
	if (pac) {
		c->pac = calloc((size_t)cJSON_GetArraySize(pac) + 1, sizeof(*c->pac));
		if (!c->pac)
			FAIL("$.pac: out of memory");
		i = 0;
		cJSON_ArrayForEach(it, pac)
		{
			mc_fmt(p, sizeof(p), "$.pac[%d]", i++);
			c->npac++;
			if (parse_pac(it, p, &c->pac[c->npac - 1], err, errlen))
				goto out;
		}
	}
	rc = 0;
	*out = c;
	c = NULL;
out:
	/* names in the message come from the config: one line, printable */
	for (char *q = err; rc && errlen && *q; q++)
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			*q = '?';
	free(seen);
	cJSON_Delete(root);
	if (c)
		mc_config_put(c);
	return rc;
}

int mc_config_parse(const char *text, struct mc_config **out, char *err, size_t errlen)
{
	const char *end = NULL;
	char why[160];
	if (dx_json_text_check(text, strlen(text), why, sizeof(why))) {
		mc_fmt(err, errlen, "$: %s", why);
		*out = NULL;
		return -1;
	}
	cJSON *root = cJSON_ParseWithOpts(text, &end, 1);
	if (!root) {
		size_t off = end ? (size_t)(end - text) : 0;
		int line = 1;
		for (size_t i = 0; i < off && text[i]; i++)
			line += text[i] == '\n';
		mc_fmt(err, errlen, "$: invalid JSON near line %d, byte %zu", line, off);
		*out = NULL;
		return -1;
	}
	return mc_config_from_json(root, out, err, errlen);
}

struct mc_config *mc_config_ref(struct mc_config *c)
{
	atomic_fetch_add(&c->refs, 1);
	return c;
}

static void free_list(char **l, int n)
{
	for (int i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void mc_config_put(struct mc_config *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	for (int i = 0; i < c->nhosts; i++)
		free(c->hosts[i].name);
	free(c->hosts);
	for (int i = 0; i < c->nproxies; i++) {
		struct mc_proxy_cfg *px = &c->proxies[i];
		free(px->name);
		free(px->as);
		free(px->user);
		free(px->password);
		free(px->realm);
		free_list(px->deny, px->ndeny);
		free_list(px->allow, px->nallow);
	}
	free(c->proxies);
	for (int i = 0; i < c->npac; i++) {
		free(c->pac[i].host);
		free(c->pac[i].path);
		free(c->pac[i].body);
	}
	free(c->pac);
	free(c->destinations);
	mc_dest_free(&c->dest);
	cJSON_Delete(c->json);
	free(c);
}

struct mc_host *mc_config_host(const struct mc_config *c, const char *host)
{
	struct mc_host *best = NULL;
	int best_rank = -1;
	for (int i = 0; i < c->nhosts; i++) {
		if (mc_host_match(c->hosts[i].name, host)) {
			int r = mc_pattern_rank(c->hosts[i].name);
			if (r > best_rank) {
				best = &c->hosts[i];
				best_rank = r;
			}
		}
	}
	return best;
}

void mc_config_take_faults(const struct mc_config *c, const char *host, struct mc_faults *f)
{
	struct mc_host *h = host ? mc_config_host(c, host) : NULL;
	memset(f, 0, sizeof(*f));
	if (!h || !h->faults.mask)
		return;
	if (h->faults.mask & (1u << MC_F_FLAKY)) {
		int n = atomic_fetch_add(&h->conns, 1);
		if (n >= h->faults.flaky_times)
			return;
	}
	*f = h->faults;
}

const struct mc_proxy_cfg *mc_config_proxy(const struct mc_config *c, const char *name)
{
	for (int i = 0; i < c->nproxies; i++)
		if (strcmp(c->proxies[i].name, name) == 0)
			return &c->proxies[i];
	return NULL;
}

void mc_fault_names_str(unsigned mask, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (int i = 0; i < MC_F_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				 mc_fault_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
}
