/* redact.c - see redact.h.
 *
 * Two passes over the collected file: the first finds what to hide (the
 * host name, user names under \Users\, proxy hosts from the records, the
 * static proxy and the WinHTTP proxy) and gives each a token; the second
 * rewrites every string and member name, replacing those names (whole
 * words, ignoring case) and every internal address literal. WinHttpSettings
 * is decoded, its two strings redacted, and encoded again.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"
#include "netconf.h"
#include "pac.h"
#include "redact.h"
#include "sock.h"

#define MAX_SECRETS 512

struct secret {
	char *value;
	char token[48];
};

struct red {
	struct secret s[MAX_SECRETS];
	int n, hosts, users, proxies, addrs;
	int oom;
};

static const char *token_for(struct red *r, const char *value, const char *kind)
{
	struct secret *s;
	for (int i = 0; i < r->n; i++)
		if (strcasecmp(r->s[i].value, value) == 0)
			return r->s[i].token;
	if (r->n == MAX_SECRETS || !(r->s[r->n].value = strdup(value))) {
		r->oom = 1;
		return NULL;
	}
	s = &r->s[r->n++];
	if (strcmp(kind, "host") == 0)
		snprintf(s->token, sizeof s->token, "HOST-%d", ++r->hosts);
	else if (strcmp(kind, "user") == 0)
		snprintf(s->token, sizeof s->token, "USER-%d", ++r->users);
	else if (strcmp(kind, "proxy") == 0)
		snprintf(s->token, sizeof s->token, "proxy-%d.invalid", ++r->proxies);
	else if (strcmp(kind, "v4") == 0) {
		int k = ++r->addrs;
		snprintf(s->token, sizeof s->token, "198.18.%d.%d", (k >> 8) & 0xff, k & 0xff);
	} else {
		snprintf(s->token, sizeof s->token, "2001:db8::%x", ++r->addrs);
	}
	return s->token;
}

/* Loopback, private, link-local, shared (CGNAT), unique-local. */
static int internal_addr(const char *a)
{
	unsigned char b[16];
	int bits;
	if (dx_addr_bytes(a, b, &bits))
		return 0;
	if (bits == 32)
		return b[0] == 127 || b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] == 0;
	{
		static const unsigned char lo[16] = {[15] = 1};
		return memcmp(b, lo, 16) == 0 || (b[0] & 0xfe) == 0xfc ||
		       (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
	}
}

static int word_ch(int c)
{
	return isalnum(c) || c == '-' || c == '_';
}

/* Adds a proxy host (an address becomes an address token). */
static void add_proxy(struct red *r, const char *host)
{
	if (!host || !*host)
		return;
	if (dx_addr_is_numeric(host))
		token_for(r, host, strchr(host, ':') ? "v6" : "v4");
	else
		token_for(r, host, "proxy");
}

/* Every proxy host of a PAC-form answer ("PROXY a:1; SOCKS b:2; DIRECT"). */
static void add_pac_answer(struct red *r, const cJSON *answer)
{
	struct dx_pac_entry e[16];
	char why[160];
	int n;
	if (!cJSON_IsString(answer) || !answer->valuestring[0])
		return;
	n = dx_pac_parse(answer->valuestring, e, sizeof e / sizeof e[0], why, sizeof why);
	for (int i = 0; i < n; i++)
		if (e[i].kind != DX_PAC_DIRECT)
			add_proxy(r, e[i].host);
}

/* Every "host:port" of a WinHTTP or static proxy string. */
static void add_proxy_list(struct red *r, const char *list)
{
	static const char *const schemes[] = {"https", "http"};
	struct dx_hostport hp;
	char e[64];
	for (int i = 0; i < 2; i++)
		if (dx_winhttp_proxy_for(list, schemes[i], &hp) == 0)
			add_proxy(r, hp.host);
	if (dx_static_proxy_parse(list, &hp, e, sizeof e) == 0)
		add_proxy(r, hp.host);
}

/* Pass 1 over strings: user names in paths. */
static void find_users(struct red *r, const char *s)
{
	static const char *const keep[] = {"public", "default", "default user", "all users",
					   "defaultuser0", NULL};
	for (const char *p = s; (p = dx_strcasestr(p, "\\users\\")) != NULL;) {
		char name[128];
		size_t n;
		int skip = 0;
		p += 7;
		n = strcspn(p, "\\/\"'\r\n;,");
		if (n == 0 || n >= sizeof name)
			continue;
		memcpy(name, p, n);
		name[n] = 0;
		for (int i = 0; keep[i]; i++)
			skip |= strcasecmp(name, keep[i]) == 0;
		if (!skip && !strchr(name, '%'))
			token_for(r, name, "user");
	}
}

static void walk_find(struct red *r, const cJSON *j)
{
	for (const cJSON *c = j; c; c = c->next) {
		if (c->string)
			find_users(r, c->string);
		if (cJSON_IsString(c))
			find_users(r, c->valuestring);
		if (c->child)
			walk_find(r, c->child);
	}
}

/* Length of the address literal at s (IPv4 dotted quad or IPv6), 0 none. */
static size_t addr_at(const char *s, char *out, size_t outsz)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF:.");
	while (n > 0) {
		if (n < outsz) {
			memcpy(out, s, n);
			out[n] = 0;
			if ((strchr(out, '.') || strchr(out, ':')) && dx_addr_is_numeric(out))
				return n;
		}
		n--;
	}
	return 0;
}

/* The redacted copy of s (malloc'd), or NULL (out of memory). */
static char *redact_text(struct red *r, const char *s)
{
	size_t len = strlen(s), cap = len * 2 + 64, o = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; i < len;) {
		const char *tok = NULL;
		size_t m = 0;
		/* an address starts after a non-word character; after ':' only an
		 * IPv4 one ("host:443:10.0.0.1:8080"), not the middle of an IPv6 */
		int prev = i ? (unsigned char)s[i - 1] : 0;
		int start = i == 0 || !(word_ch(prev) || prev == '.' || prev == ':');
		if (start || prev == ':') {
			char a[64];
			size_t n = addr_at(s + i, a, sizeof a);
			if (n && !start && strchr(a, ':'))
				n = 0;
			if (n && internal_addr(a) && !word_ch((unsigned char)s[i + n])) {
				tok = token_for(r, a, strchr(a, ':') ? "v6" : "v4");
				m = n;
			}
		}
		if (!tok && (i == 0 || !word_ch((unsigned char)s[i - 1]))) {
			for (int k = 0; k < r->n; k++) {
				size_t vl = strlen(r->s[k].value);
				if (vl > m && strncasecmp(s + i, r->s[k].value, vl) == 0 &&
				    !word_ch((unsigned char)s[i + vl]) &&
				    !(s[i + vl] == '.' && word_ch((unsigned char)s[i + vl + 1]))) {
					tok = r->s[k].token;
					m = vl;
				}
			}
		}
		if (!tok) {
			tok = s + i;
			m = 1;
			if (o + 2 > cap)
				goto grow;
			out[o++] = s[i++];
			continue;
		}
		if (o + strlen(tok) + 1 > cap)
			goto grow;
		memcpy(out + o, tok, strlen(tok));
		o += strlen(tok);
		i += m;
		continue;
grow:
		{
			char *nb = realloc(out, cap * 2 + 64);
			if (!nb) {
				free(out);
				return NULL;
			}
			out = nb;
			cap = cap * 2 + 64;
		}
	}
	out[o] = 0;
	return out;
}

static int walk_replace(struct red *r, cJSON *j)
{
	for (cJSON *c = j; c; c = c->next) {
		if (c->string && !(c->type & cJSON_StringIsConst)) {
			char *n = redact_text(r, c->string);
			if (!n)
				return -1;
			cJSON_free(c->string);
			c->string = n;
		}
		if (cJSON_IsString(c)) {
			char *n = redact_text(r, c->valuestring);
			if (!n)
				return -1;
			cJSON_free(c->valuestring);
			c->valuestring = n;
		}
		if (c->child && walk_replace(r, c->child))
			return -1;
	}
	return 0;
}

static cJSON *member_ci(const cJSON *o, const char *name)
{
	cJSON *c;
	cJSON_ArrayForEach(c, o)
		if (c->string && dx_strieq(c->string, name))
			return c;
	return NULL;
}

/* WinHttpSettings: u32 version, u32 counter, u32 flags, u32 len + proxy,
 * u32 len + bypass, then anything (kept). Redacts the two strings. */
static int redact_winhttp(struct red *r, cJSON *fx, int find)
{
	cJSON *key = member_ci(member_ci(fx, "registry"), DX_KEY_WINHTTP);
	cJSON *v = member_ci(key, "WinHttpSettings"), *hex = member_ci(v, "hex");
	unsigned char b[4096], o[4 * 4096];
	char s[2][4096], *red[2] = {NULL, NULL};
	size_t n = 0, off = 12, k = 0;
	const char *h;
	int rc = -1;
	if (!cJSON_IsString(hex))
		return 0;
	for (h = hex->valuestring; *h && n < sizeof b;) {
		unsigned x;
		if (isspace((unsigned char)*h)) {
			h++;
			continue;
		}
		if (sscanf(h, "%2x", &x) != 1 || !h[1])
			return 0; /* not hex: leave it to the generic pass */
		b[n++] = (unsigned char)x;
		h += 2;
	}
	if (n < 12)
		return 0;
	for (int i = 0; i < 2; i++) {
		uint32_t l;
		if (off + 4 > n)
			return 0;
		l = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8 | (uint32_t)b[off + 2] << 16 |
		    (uint32_t)b[off + 3] << 24;
		if (l >= sizeof s[i] || off + 4 + l > n)
			return 0;
		memcpy(s[i], b + off + 4, l);
		s[i][l] = 0;
		off += 4 + l;
	}
	if (find) {
		add_proxy_list(r, s[0]);
		return 0;
	}
	if (!(red[0] = redact_text(r, s[0])) || !(red[1] = redact_text(r, s[1])))
		goto out;
	memcpy(o, b, 12);
	k = 12;
	for (int i = 0; i < 2; i++) {
		size_t l = strlen(red[i]);
		if (k + 4 + l > sizeof o / 2)
			goto out;
		o[k++] = (unsigned char)l;
		o[k++] = (unsigned char)(l >> 8);
		o[k++] = (unsigned char)(l >> 16);
		o[k++] = (unsigned char)(l >> 24);
		memcpy(o + k, red[i], l);
		k += l;
	}
	if (k + (n - off) > sizeof o / 2)
		goto out;
	memcpy(o + k, b + off, n - off);
	k += n - off;
	{
		char *t = malloc(k * 2 + 1);
		if (!t)
			goto out;
		for (size_t i = 0; i < k; i++)
			snprintf(t + 2 * i, 3, "%02x", o[i]);
		cJSON_free(hex->valuestring);
		hex->valuestring = t;
	}
	rc = 0;
out:
	free(red[0]);
	free(red[1]);
	return rc;
}

int dx_redact(cJSON *fx, char *err, size_t errsz)
{
	struct red *r = calloc(1, sizeof *r);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(fx, "hostname"), *d;
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(fx, "network");
	cJSON *dc = member_ci(member_ci(fx, "registry"), DX_KEY_DATACOLLECTION);
	cJSON *sp = member_ci(dc, "TelemetryProxyServer");
	int rc = -1;
	if (!r) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (cJSON_IsString(h) && h->valuestring[0])
		token_for(r, h->valuestring, "host");
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(net, "destinations")) {
		const cJSON *route = cJSON_GetObjectItemCaseSensitive(d, "route");
		const cJSON *ph = cJSON_GetObjectItemCaseSensitive(route, "proxy_host");
		if (cJSON_IsString(ph))
			add_proxy(r, ph->valuestring);
		/* the proxies a PAC answer names, ours or the OS's, used or not */
		add_pac_answer(r, cJSON_GetObjectItemCaseSensitive(route, "pac_answer"));
		add_pac_answer(r, cJSON_GetObjectItemCaseSensitive(route, "os_answer"));
	}
	/* the OS's answers kept in the wpad section (platform_record.c) */
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(fx, "wpad"), "os_answers"))
		add_pac_answer(r, d);
	if (cJSON_IsString(sp))
		add_proxy_list(r, sp->valuestring);
	redact_winhttp(r, fx, 1);
	walk_find(r, fx->child);
	if (r->oom || redact_winhttp(r, fx, 0) || walk_replace(r, fx->child) || r->oom) {
		snprintf(err, errsz, "out of memory (or more than %d names to hide)", MAX_SECRETS);
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < r->n; i++)
		free(r->s[i].value);
	free(r);
	return rc;
}
