/* redact.c - see redact.h.
 *
 * Pass 1 finds what to hide and gives each name a token: the names the
 * device knows itself by (dx_redact_read_names), the host name, proxies
 * (records, TelemetryProxyServer, WinHTTP, PAC answers), the WPAD URL,
 * every DNS name in the file's text whose domain is not Microsoft's, user
 * names, and the words of non-Microsoft certificate names and of proxy
 * banners that data/redact.json does not list as generic. The onboarding
 * blobs are cut down. Pass 2 rewrites every string and member name:
 *   - a DNS name under an organisation's domain, label by label
 *     (legacy-proxy.contoso.local -> name-1.org-1.invalid), so suffix
 *     tests (dnsDomainIs, shExpMatch '*.contoso.local') still match;
 *   - a DNS name under a kept domain only where a label is a secret;
 *   - internal address literals;
 *   - the other secrets as whole words (not next to a letter or digit).
 * Where a word's origin is unclear it is taken for the organisation's.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"
#include "data.h"
#include "netconf.h"
#include "redact.h"
#include "sock.h"

#define MAX_SECRETS 2048

/* Names share one namespace (the same word gets the same token whatever
 * found it); domains and addresses have their own. */
enum kind { K_HOST, K_USER, K_WORD, K_PROXY, K_LABEL, K_DOMAIN, K_V4, K_V6, K_KINDS };

struct secret {
	char *value;
	char token[80];
	enum kind kind;
};

struct red {
	struct secret s[MAX_SECRETS];
	int n, count[K_KINDS];
	int oom;
	cJSON *cfg;          /* data/redact.json */
	cJSON *dests;        /* data/destinations.json */
	cJSON *protect;      /* words never taken for a name: object, lower-case keys */
	cJSON *keep_domains; /* registrable domains kept: object, lower-case keys */
	const char *hostname;
};

static int is_name_kind(enum kind k)
{
	return k <= K_LABEL;
}

static int namech(int c)
{
	return isalnum(c) || c == '.' || c == '-' || c == '_';
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static cJSON *member_ci(const cJSON *o, const char *name)
{
	cJSON *c;
	cJSON_ArrayForEach(c, o) if (c->string && dx_strieq(c->string, name)) return c;
	return NULL;
}

static const cJSON *cfg_list(const struct red *r, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->cfg, name),
						"list");
}

static int in_list(const cJSON *list, const char *w)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, list) if (cJSON_IsString(c) && dx_strieq(c->valuestring, w)) return 1;
	return 0;
}

static int has_key_lc(const cJSON *set, const char *w, size_t n)
{
	char b[256];
	if (n >= sizeof b)
		return 0;
	memcpy(b, w, n);
	b[n] = 0;
	lower(b);
	return cJSON_GetObjectItemCaseSensitive(set, b) != NULL;
}

static void set_add_lc(struct red *r, cJSON *set, const char *w, size_t n)
{
	char b[256];
	if (n == 0 || n >= sizeof b || has_key_lc(set, w, n))
		return;
	memcpy(b, w, n);
	b[n] = 0;
	lower(b);
	if (!cJSON_AddTrueToObject(set, b))
		r->oom = 1;
}

/* Words that never name anyone: data/redact.json's keep and generic
 * words, the labels of the destinations' host names, the geo codes. */
static int protected_word(const struct red *r, const char *w, size_t n)
{
	int letter = 0;
	for (size_t i = 0; i < n; i++)
		letter |= isalpha((unsigned char)w[i]);
	return !letter || n < 2 || has_key_lc(r->protect, w, n);
}

static struct secret *find(struct red *r, const char *value, enum kind kind)
{
	for (int i = 0; i < r->n; i++)
		if (dx_strieq(r->s[i].value, value) &&
		    (r->s[i].kind == kind || (is_name_kind(kind) && is_name_kind(r->s[i].kind)) ||
		     ((kind == K_V4 || kind == K_V6) &&
		      (r->s[i].kind == K_V4 || r->s[i].kind == K_V6))))
			return &r->s[i];
	return NULL;
}

static struct secret *add(struct red *r, const char *value, enum kind kind)
{
	struct secret *s = find(r, value, kind);
	if (s)
		return s;
	if (r->n == MAX_SECRETS || !(r->s[r->n].value = strdup(value))) {
		r->oom = 1;
		return NULL;
	}
	s = &r->s[r->n++];
	s->kind = kind;
	int k = ++r->count[kind];
	switch (kind) {
	case K_HOST: snprintf(s->token, sizeof s->token, "HOST-%d", k); break;
	case K_USER: snprintf(s->token, sizeof s->token, "USER-%d", k); break;
	case K_WORD: snprintf(s->token, sizeof s->token, "org-%d", k); break;
	case K_PROXY: snprintf(s->token, sizeof s->token, "proxy-%d.invalid", k); break;
	case K_LABEL: snprintf(s->token, sizeof s->token, "name-%d", k); break;
	case K_V4:
		snprintf(s->token, sizeof s->token, "198.18.%d.%d", (k >> 8) & 0xff, k & 0xff);
		break;
	case K_V6: snprintf(s->token, sizeof s->token, "2001:db8::%x", k); break;
	default: snprintf(s->token, sizeof s->token, "dom-%d.invalid", k); break;
	}
	return s;
}

/* The next token of *p separated by any of sep (strtok_r, which MinGW
 * does not always declare); NULL at the end. */
static char *next_tok(char **p, const char *sep)
{
	char *t = *p + strspn(*p, sep);
	if (!*t)
		return NULL;
	*p = t + strcspn(t, sep);
	if (**p)
		*(*p)++ = 0;
	return t;
}

/* ---- what a DNS name is, and whose ------------------------------------ */

static int file_ext(const struct red *r, const char *label, size_t n)
{
	static const char *const ext[] = {
		"exe",  "dll", "sys", "dat", "pac",  "js",  "json", "pem",  "cer", "crt", "txt",
		"log",  "cmd", "bat", "ps1", "psm1", "xml", "htm",  "html", "msi", "cab", "etl",
		"evtx", "zip", "ini", "inf", "mui",  "bin", "tmp",  "old",  "bak", "md",  NULL};
	(void)r;
	for (int i = 0; ext[i]; i++)
		if (strlen(ext[i]) == n && strncasecmp(ext[i], label, n) == 0)
			return 1;
	return 0;
}

/* Whether name[0..n) reads as a DNS name of two labels or more: labels of
 * letters, digits and '-', the last 2-24 letters and not a file type. */
static int dns_like(const struct red *r, const char *name, size_t n)
{
	size_t last = 0, labels = 1, len = 0;
	if (n == 0 || n > 253 || name[0] == '.' || name[n - 1] == '.')
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '.') {
			if (len == 0)
				return 0;
			labels++;
			last = i + 1;
			len = 0;
		} else if (isalnum((unsigned char)name[i]) || name[i] == '-' || name[i] == '_') {
			len++;
		} else {
			return 0;
		}
	}
	if (labels < 2 || n - last < 2 || n - last > 24 || file_ext(r, name + last, n - last))
		return 0;
	for (size_t i = last; i < n; i++)
		if (!isalpha((unsigned char)name[i]))
			return 0;
	return 1;
}

/* The registrable part of a DNS name: its last two labels, three under a
 * country's second-level domains (contoso.co.jp). Offset into name. */
static size_t registrable(const char *name, size_t n)
{
	static const char *const sld[] = {"co",  "com", "ne",  "or",  "ac", "go",
					  "net", "org", "gov", "edu", "lg", "ad",
					  "gr",  "ed",  "ltd", "plc", NULL};
	size_t dots[3] = {0, 0, 0}, nd = 0;
	for (size_t i = n; i-- > 0;)
		if (name[i] == '.' && nd < 3)
			dots[nd++] = i;
	if (nd < 2)
		return 0;
	if (n - dots[0] - 1 == 2 && nd >= 2) {
		size_t a = dots[1] + 1, l = dots[0] - a;
		for (int i = 0; sld[i]; i++)
			if (strlen(sld[i]) == l && strncasecmp(sld[i], name + a, l) == 0)
				return nd >= 3 ? dots[2] + 1 : 0;
	}
	return dots[1] + 1;
}

static int keep_domain(const struct red *r, const char *name, size_t n)
{
	size_t off = registrable(name, n);
	return has_key_lc(r->keep_domains, name + off, n - off) ||
	       (n - off > 8 && strncasecmp(name + n - 8, ".invalid", 8) == 0);
}

/* Adds the organisation's domain of a DNS name (a no-op under a kept
 * domain); the label that names it becomes a word secret too. */
static void add_domain(struct red *r, const char *name, size_t n)
{
	char d[256], label[128];
	size_t off, l;
	struct secret *s, *w = NULL;
	if (!dns_like(r, name, n) || keep_domain(r, name, n))
		return;
	snprintf(d, sizeof d, "%.*s", (int)n, name);
	if (find(r, d, K_USER))
		return; /* alice.tanaka is a user, not a host */
	off = registrable(name, n);
	snprintf(d, sizeof d, "%.*s", (int)(n - off), name + off);
	if (find(r, d, K_DOMAIN))
		return;
	l = strcspn(d, ".");
	snprintf(label, sizeof label, "%.*s", (int)l, d);
	if (!protected_word(r, label, l))
		w = add(r, label, K_WORD);
	if (!(s = add(r, d, K_DOMAIN)))
		return;
	if (w) { /* org-1.invalid, or org-1-2.invalid for a second domain of org-1 */
		int taken = 0;
		char t[80];
		for (int k = 1; k < 100; k++) {
			if (k == 1)
				snprintf(t, sizeof t, "%.60s.invalid", w->token);
			else
				snprintf(t, sizeof t, "%.60s-%d.invalid", w->token, k);
			taken = 0;
			for (int i = 0; i < r->n; i++)
				taken |= r->s[i].kind == K_DOMAIN && strcmp(r->s[i].token, t) == 0;
			if (!taken) {
				snprintf(s->token, sizeof s->token, "%s", t);
				break;
			}
		}
	}
}

/* A host named by the configuration (a proxy, the WPAD server). */
static void add_host(struct red *r, const char *host, enum kind single)
{
	size_t n;
	if (!host || !*host)
		return;
	n = strlen(host);
	if (dx_addr_is_numeric(host))
		add(r, host, strchr(host, ':') ? K_V6 : K_V4);
	else if (memchr(host, '.', n))
		add_domain(r, host, n);
	else if (!protected_word(r, host, n))
		add(r, host, single);
}

/* Every host:port of a WinHTTP or static proxy string. */
static void add_proxy_list(struct red *r, const char *list)
{
	static const char *const schemes[] = {"https", "http"};
	struct dx_hostport hp;
	char e[64];
	for (int i = 0; i < 2; i++)
		if (dx_winhttp_proxy_for(list, schemes[i], &hp) == 0)
			add_host(r, hp.host, K_PROXY);
	if (dx_static_proxy_parse(list, &hp, e, sizeof e) == 0)
		add_host(r, hp.host, K_PROXY);
}

/* "PROXY a:1; HTTPS b:2; DIRECT": the hosts. */
static void add_pac_answer(struct red *r, const char *ans)
{
	char b[1024], *save = b;
	snprintf(b, sizeof b, "%s", ans ? ans : "");
	for (char *e; (e = next_tok(&save, ";")) != NULL;) {
		char kw[16], host[300];
		if (sscanf(e, " %15s %299[^: \t]", kw, host) == 2 && !dx_strieq(kw, "DIRECT"))
			add_host(r, host, K_PROXY);
	}
}

/* The host of an http(s):// URL. */
static void add_url_host(struct red *r, const char *url)
{
	const char *h = url ? strstr(url, "://") : NULL;
	char host[256];
	size_t n;
	if (!h)
		return;
	h += 3;
	n = strcspn(h, ":/?#");
	if (n == 0 || n >= sizeof host)
		return;
	memcpy(host, h, n);
	host[n] = 0;
	add_host(r, host, K_LABEL);
}

/* ---- users and organisation words in text ----------------------------- */

static void add_user(struct red *r, const char *u, size_t n)
{
	char b[128];
	size_t i = 0;
	while (n > 0 && (u[n - 1] == '.' || u[n - 1] == '$'))
		n--;
	if (n == 0 || n >= sizeof b || protected_word(r, u, n))
		return;
	memcpy(b, u, n);
	b[n] = 0;
	add(r, b, K_USER);
	/* alice.tanaka: alice and tanaka too */
	while (i < n) {
		size_t l = 0;
		while (i + l < n && isalnum((unsigned char)u[i + l]))
			l++;
		if (l >= 3 && l < n && !protected_word(r, u + i, l)) {
			memcpy(b, u + i, l);
			b[l] = 0;
			add(r, b, K_USER);
		}
		i += l + 1;
	}
}

static void add_word(struct red *r, const char *w, size_t n)
{
	char b[128];
	if (n >= sizeof b || protected_word(r, w, n))
		return;
	memcpy(b, w, n);
	b[n] = 0;
	if (r->hostname && dx_strieq(b, r->hostname))
		return;
	add(r, b, K_WORD);
}

/* The words of free text that names things (a banner, a certificate
 * name): DNS names give their domain, the other words not listed as
 * generic are the organisation's. */
static void add_words(struct red *r, const char *s)
{
	for (size_t i = 0; s[i];) {
		size_t n = 0;
		if (!namech((unsigned char)s[i])) {
			i++;
			continue;
		}
		while (namech((unsigned char)s[i + n]))
			n++;
		if (memchr(s + i, '.', n) && dns_like(r, s + i, n)) {
			if (keep_domain(r, s + i, n)) {
				i += n;
				continue;
			}
			add_domain(r, s + i, n);
		}
		for (size_t j = i; j < i + n;) {
			size_t l = 0;
			while (j + l < i + n && isalnum((unsigned char)s[j + l]))
				l++;
			if (l)
				add_word(r, s + j, l);
			j += l + 1;
		}
		i += n;
	}
}

/* A certificate's distinguished name ("CN=x, O=y, C=US" or "/C=US/O=y"):
 * the words of its names unless it is Microsoft's. */
static void add_dn(struct red *r, const char *dn)
{
	char b[1024];
	const char *o;
	if (!dn || !*dn)
		return;
	o = dx_strcasestr(dn, "O=");
	while (o && o != dn && (isalnum((unsigned char)o[-1])))
		o = dx_strcasestr(o + 2, "O=");
	if (o && strncasecmp(o + 2, "Microsoft", 9) == 0)
		return;
	snprintf(b, sizeof b, "%s", dn);
	/* "CN=a, O=b" (RFC 4514 order) or OpenSSL's "/C=x/O=b" */
	const char *sep = b[0] == '/' ? "/" : ",";
	char *save = b;
	for (char *rdn; (rdn = next_tok(&save, sep)) != NULL;) {
		char *eq = strchr(rdn, '=');
		const char *a = rdn;
		while (isspace((unsigned char)*a))
			a++;
		if (!eq)
			continue;
		/* C= is a country code, kept */
		if (eq - a == 1 && toupper((unsigned char)a[0]) == 'C')
			continue;
		add_words(r, eq + 1);
	}
}

static int keep_account(const struct red *r, const char *d, size_t n)
{
	char b[64];
	if (n >= sizeof b)
		return 1;
	memcpy(b, d, n);
	b[n] = 0;
	return in_list(cfg_list(r, "keep_accounts"), b);
}

/* User names in any text: \Users\name, DOMAIN\user, user@domain. */
static void find_users(struct red *r, const char *s)
{
	const cJSON *keep = cfg_list(r, "keep_user_dirs");
	for (const char *p = s; (p = dx_strcasestr(p, "\\users\\")) != NULL;) {
		char name[128];
		size_t n;
		p += 7;
		n = strcspn(p, "\\/\"'\r\n;,");
		if (n == 0 || n >= sizeof name)
			continue;
		memcpy(name, p, n);
		name[n] = 0;
		if (!in_list(keep, name) && !strchr(name, '%'))
			add(r, name, K_USER);
	}
	for (size_t i = 0; s[i]; i++) {
		/* DOMAIN\user: DOMAIN at a word start (not inside a path),
		 * upper case or a name already known; user not a folder. */
		if (s[i] == '\\' && i > 0 && s[i + 1]) {
			size_t ds = i, un = 0;
			int upper = 1, known;
			while (ds > 0 && (isalnum((unsigned char)s[ds - 1]) || s[ds - 1] == '-' ||
					  s[ds - 1] == '_'))
				ds--;
			if (ds == i || (ds > 0 && strchr("\\/:.", s[ds - 1])))
				continue;
			while (s[i + 1 + un] && (isalnum((unsigned char)s[i + 1 + un]) ||
						 strchr("._-$", s[i + 1 + un])))
				un++;
			if (!un || !isalnum((unsigned char)s[i + 1]) || s[i + 1 + un] == '\\' ||
			    s[i + 1 + un] == '/')
				continue;
			for (size_t k = ds; k < i; k++)
				upper &= !islower((unsigned char)s[k]);
			{
				char d[64];
				struct secret *ks;
				if (i - ds >= sizeof d)
					continue;
				memcpy(d, s + ds, i - ds);
				d[i - ds] = 0;
				ks = find(r, d, K_WORD);
				known = ks && (ks->kind == K_WORD || ks->kind == K_HOST);
				if ((!upper && !known) || keep_account(r, d, i - ds))
					continue;
				add_word(r, d, i - ds);
			}
			add_user(r, s + i + 1, un);
		}
		/* user@domain.tld */
		if (s[i] == '@' && i > 0) {
			size_t us = i, dn = 0;
			while (us > 0 &&
			       (isalnum((unsigned char)s[us - 1]) || strchr("._%+-", s[us - 1])))
				us--;
			while (s[i + 1 + dn] && (isalnum((unsigned char)s[i + 1 + dn]) ||
						 strchr(".-", s[i + 1 + dn])))
				dn++;
			while (dn > 0 && s[i + dn] == '.')
				dn--;
			if (us == i || !dns_like(r, s + i + 1, dn))
				continue;
			add_user(r, s + us, i - us);
			add_domain(r, s + i + 1, dn);
		}
	}
}

/* DNS names in text (values, not member names: a PAC script, an event,
 * a DNS answer): every one not under a kept domain is the organisation's. */
static void find_names(struct red *r, const char *s)
{
	for (size_t i = 0; s[i];) {
		size_t n = 0, lead = 0;
		if (!namech((unsigned char)s[i]) || (i > 0 && namech((unsigned char)s[i - 1]))) {
			i++;
			continue;
		}
		while (namech((unsigned char)s[i + n]))
			n++;
		while (lead < n && s[i + lead] == '.')
			lead++;
		{
			size_t m = n - lead;
			while (m > 0 && s[i + lead + m - 1] == '.')
				m--;
			/* a path's file name (C:\x\MsSense.exe) is not a host,
			 * nor is the user part of user@domain */
			if (!(i > 0 && (s[i - 1] == '\\')) && s[i + n] != '@' &&
			    dns_like(r, s + i + lead, m))
				add_domain(r, s + i + lead, m);
		}
		i += n;
	}
}

static void walk_find(struct red *r, const cJSON *j, int values)
{
	for (const cJSON *c = j; c; c = c->next) {
		if (c->string)
			find_users(r, c->string);
		if (cJSON_IsString(c)) {
			find_users(r, c->valuestring);
			if (values)
				find_names(r, c->valuestring);
		}
		if (c->child)
			walk_find(r, c->child, values);
	}
}

/* ---- rewriting -------------------------------------------------------- */

struct buf {
	char *p;
	size_t n, cap;
	int oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = (b->n + n + 1) * 2 + 64;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
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

/* The longest name secret at s (a whole word), or NULL. */
static const struct secret *word_at(const struct red *r, const char *s, size_t *len)
{
	const struct secret *best = NULL;
	*len = 0;
	for (int k = 0; k < r->n; k++) {
		const struct secret *x = &r->s[k];
		size_t vl = strlen(x->value);
		if (!is_name_kind(x->kind) || vl <= *len)
			continue;
		if (x->kind == K_LABEL && vl < 4)
			continue; /* a short label (eu, hq) only inside its DNS names */
		if (strncasecmp(s, x->value, vl) == 0 && !isalnum((unsigned char)s[vl])) {
			best = x;
			*len = vl;
		}
	}
	return best;
}

/* Label of a DNS name under an organisation's domain: a known name's
 * token, kept when generic (wpad, proxy), else a label token. */
static const char *label_token(struct red *r, const char *l, size_t n, char *tmp, size_t tsz)
{
	const struct secret *s;
	snprintf(tmp, tsz, "%.*s", (int)n, l);
	if ((s = find(r, tmp, K_WORD)))
		return s->token;
	if (has_key_lc(r->protect, l, n) || in_list(cfg_list(r, "generic_words"), tmp))
		return tmp;
	return (s = add(r, tmp, K_LABEL)) ? s->token : tmp;
}

/* A DNS name at s[0..n) (no leading or trailing dot): written to b when it
 * is under an organisation's domain or under a kept one; 0 when not. */
static int rewrite_name(struct red *r, struct buf *b, const char *s, size_t n)
{
	size_t start = 0;
	const struct secret *dom = NULL;
	char tmp[256];
	int keep;
	if (!memchr(s, '.', n))
		return 0;
	for (size_t i = 0; i < n && !dom; i++) {
		if (i == 0 || s[i - 1] == '.') {
			snprintf(tmp, sizeof tmp, "%.*s", (int)(n - i), s + i);
			if ((dom = find(r, tmp, K_DOMAIN)))
				start = i;
		}
	}
	keep = !dom && dns_like(r, s, n) && keep_domain(r, s, n);
	if (!dom && !keep)
		return 0;
	for (size_t i = 0; i < (dom ? start : n);) {
		size_t l = strcspn(s + i, ".");
		if (l > (dom ? start : n) - i)
			l = (dom ? start : n) - i;
		if (dom) {
			const char *t = label_token(r, s + i, l, tmp, sizeof tmp);
			put(b, t, strlen(t));
		} else {
			/* a kept name: only a whole label that is a secret */
			const struct secret *x;
			size_t xl;
			snprintf(tmp, sizeof tmp, "%.*s", (int)l, s + i);
			x = word_at(r, tmp, &xl);
			if (x && xl == l && x->kind != K_WORD)
				put(b, x->token, strlen(x->token));
			else
				put(b, s + i, l);
		}
		i += l;
		if (i < n && s[i] == '.') {
			put(b, ".", 1);
			i++;
		}
	}
	if (dom)
		put(b, dom->token, strlen(dom->token));
	return 1;
}

/* The redacted copy of s (malloc'd), or NULL (out of memory). */
static char *redact_text(struct red *r, const char *s)
{
	size_t len = strlen(s);
	struct buf b = {0};
	put(&b, "", 0);
	for (size_t i = 0; i < len && !b.oom;) {
		int prev = i ? (unsigned char)s[i - 1] : 0;
		const struct secret *x = NULL;
		size_t m = 0;
		/* an address starts after a non-word character; after ':' only an
		 * IPv4 one ("host:443:10.0.0.1:8080"), not the middle of an IPv6 */
		int start = i == 0 || !(namech(prev) || prev == ':');
		if (start || prev == ':') {
			char a[64];
			size_t n = addr_at(s + i, a, sizeof a);
			if (n && !start && strchr(a, ':'))
				n = 0;
			if (n && internal_addr(a) && !namech((unsigned char)s[i + n])) {
				if ((x = add(r, a, strchr(a, ':') ? K_V6 : K_V4)))
					put(&b, x->token, strlen(x->token));
				i += n;
				continue;
			}
		}
		if (i == 0 || !namech(prev)) {
			/* a DNS name: leading dots as they are, then label by label */
			size_t n = 0, lead = 0, m2;
			while (namech((unsigned char)s[i + n]))
				n++;
			while (lead < n && s[i + lead] == '.')
				lead++;
			m2 = n - lead;
			while (m2 > 0 && s[i + lead + m2 - 1] == '.')
				m2--;
			if (m2) {
				struct buf t = {0};
				if (rewrite_name(r, &t, s + i + lead, m2)) {
					put(&b, s + i, lead);
					put(&b, t.p ? t.p : "", t.n);
					b.oom |= t.oom;
					free(t.p);
					i += lead + m2;
					continue;
				}
				free(t.p);
			}
		}
		if (i == 0 || !isalnum(prev))
			x = word_at(r, s + i, &m);
		if (x) {
			put(&b, x->token, strlen(x->token));
			i += m;
			continue;
		}
		put(&b, s + i, 1);
		i++;
	}
	if (b.oom || r->oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/* Members whose values are the file format's words (classes, enums,
 * times, key identifiers) or Microsoft's destinations: never rewritten,
 * so an unlucky organisation word cannot change what a replay reads. */
static int format_member(const char *name)
{
	static const char *const fmt[] = {
		"schema", "type",   "scheme",       "path",       "category",    "categories",
		"geo",    "result", "phase",        "method",     "source",      "route_source",
		"status", "tool",   "collected_at", "not_before", "not_after",   "ski",
		"aki",    "id",     "host",         "log",        "provider",    "level",
		"time",   "clock",  "detect",       "primitive",  "entry_point", NULL};
	for (int i = 0; name && fmt[i]; i++)
		if (strcmp(name, fmt[i]) == 0)
			return 1;
	return 0;
}

/* Rewrites the values under j, and the member names `names` levels deep
 * (the registry's key and value names, the paths of files, the names of
 * services and DNS answers); the format's own member names are kept. */
static int walk_replace(struct red *r, cJSON *j, int names)
{
	for (cJSON *c = j; c; c = c->next) {
		int fmt = names <= 0 && format_member(c->string);
		if (names > 0 && c->string && !(c->type & cJSON_StringIsConst)) {
			char *n = redact_text(r, c->string);
			if (!n)
				return -1;
			cJSON_free(c->string);
			c->string = n;
		}
		if (cJSON_IsString(c) && !fmt) {
			char *n = redact_text(r, c->valuestring);
			if (!n)
				return -1;
			cJSON_free(c->valuestring);
			c->valuestring = n;
		}
		if (c->child && !fmt && walk_replace(r, c->child, names - 1))
			return -1;
	}
	return 0;
}

/* The sections, each with how deep its member names are data. */
static int replace_all(struct red *r, cJSON *fx)
{
	for (cJSON *c = fx->child; c; c = c->next) {
		int names = 0;
		if (strcmp(c->string, "registry") == 0)
			names = 2;
		else if (strcmp(c->string, "files") == 0 || strcmp(c->string, "dns") == 0 ||
			 strcmp(c->string, "services") == 0)
			names = 1;
		if (cJSON_IsString(c) && !format_member(c->string)) {
			char *n = redact_text(r, c->valuestring);
			if (!n)
				return -1;
			cJSON_free(c->valuestring);
			c->valuestring = n;
		}
		if (c->child && walk_replace(r, c->child, names))
			return -1;
	}
	return 0;
}

/* ---- WinHttpSettings -------------------------------------------------- */

/* u32 version, u32 counter, u32 flags, u32 len + proxy, u32 len + bypass,
 * then anything (kept). find: adds the proxies; else redacts both
 * strings. Not hex or too short: left to the generic pass. */
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
			return 0;
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
		find_names(r, s[1]); /* the bypass list names internal domains */
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

/* ---- the onboarding blobs --------------------------------------------- */

/* OnboardedInfo / OnboardingInfo: {"body": "<JSON>", "sig": ..., "cert":
 * ...}. Kept: the body's members the checks read (check_net.c through
 * dx_onboarded_parse: orgId, datacenter, vortexGeoLocation,
 * partnerGeoLocation); the signature, certificates and the rest go. A
 * value that does not parse keeps only the way it fails. */
static int reduce_onboarding(cJSON *fx, const char *key, const char *name)
{
	static const char *const keep[] = {"orgId", "datacenter", "vortexGeoLocation",
					   "partnerGeoLocation", NULL};
	cJSON *v = member_ci(member_ci(member_ci(fx, "registry"), key), name), *data = v;
	cJSON *outer = NULL, *body = NULL, *nb = NULL, *no = NULL;
	const cJSON *bs;
	char *text = NULL;
	int rc = -1;
	if (cJSON_IsObject(v))
		data = member_ci(v, "data");
	if (!cJSON_IsString(data))
		return 0;
	outer = cJSON_Parse(data->valuestring);
	if (!cJSON_IsObject(outer)) {
		text = strdup("(not JSON; redacted by mdediag)");
		goto set;
	}
	bs = cJSON_GetObjectItemCaseSensitive(outer, "body");
	if (!bs)
		bs = member_ci(outer, "body");
	if (!bs) {
		text = strdup("{}");
		goto set;
	}
	if (!cJSON_IsString(bs)) {
		text = strdup("{\"body\":0}");
		goto set;
	}
	body = cJSON_Parse(bs->valuestring);
	if (!(nb = cJSON_CreateObject()) || !(no = cJSON_CreateObject()))
		goto out;
	if (!cJSON_IsObject(body)) {
		if (!cJSON_AddStringToObject(no, "body", "(not JSON; redacted by mdediag)"))
			goto out;
	} else {
		char *bt;
		for (int i = 0; keep[i]; i++) {
			const cJSON *m = cJSON_GetObjectItemCaseSensitive(body, keep[i]);
			if (!m)
				m = member_ci(body, keep[i]);
			if (m && !cJSON_AddItemToObject(nb, m->string, cJSON_Duplicate(m, 1)))
				goto out;
		}
		if (!(bt = cJSON_PrintUnformatted(nb)))
			goto out;
		if (!cJSON_AddStringToObject(no, "body", bt)) {
			cJSON_free(bt);
			goto out;
		}
		cJSON_free(bt);
	}
	{
		char *t = cJSON_PrintUnformatted(no);
		if (!t)
			goto out;
		text = strdup(t);
		cJSON_free(t);
	}
set:
	if (!text)
		goto out;
	cJSON_free(data->valuestring);
	data->valuestring = text;
	rc = 0;
out:
	cJSON_Delete(outer);
	cJSON_Delete(body);
	cJSON_Delete(nb);
	cJSON_Delete(no);
	return rc;
}

/* ---- the names the device knows itself by ----------------------------- */

#define KEY_TCPIP "HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
#define KEY_WINLOGON "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon"

static const struct {
	const char *key, *value;
	char kind; /* d: DNS domain (list), n: NetBIOS domain, u: user */
} name_values[] = {
	{KEY_TCPIP, "Domain", 'd'},
	{KEY_TCPIP, "NV Domain", 'd'},
	{KEY_TCPIP, "DhcpDomain", 'd'},
	{KEY_TCPIP, "SearchList", 'd'},
	{KEY_WINLOGON, "DefaultDomainName", 'n'},
	{KEY_WINLOGON, "AltDefaultDomainName", 'n'},
	{KEY_WINLOGON, "DefaultUserName", 'u'},
	{KEY_WINLOGON, "AltDefaultUserName", 'u'},
};

static void take_name(struct dx_redact_names *nm, char kind, const char *v)
{
	if (!v || !*v)
		return;
	if (kind == 'n' && !nm->netbios[0])
		snprintf(nm->netbios, sizeof nm->netbios, "%s", v);
	for (int i = 0; kind == 'u' && i < 2; i++)
		if (!nm->user[i][0]) {
			snprintf(nm->user[i], sizeof nm->user[i], "%s", v);
			break;
		}
	for (int i = 0; kind == 'd' && i < 6; i++)
		if (!nm->dns[i][0]) {
			snprintf(nm->dns[i], sizeof nm->dns[i], "%s", v);
			break;
		}
}

void dx_redact_read_names(const struct dx_platform *p, struct dx_redact_names *nm)
{
	memset(nm, 0, sizeof *nm);
	for (size_t i = 0; i < sizeof name_values / sizeof name_values[0]; i++) {
		char v[256];
		struct dx_err err;
		if (dx_reg_string(p, name_values[i].key, name_values[i].value, v, sizeof v, &err) ==
		    DX_OK)
			take_name(nm, name_values[i].kind, v);
	}
}

static void add_known(struct red *r, const struct dx_redact_names *nm)
{
	for (int i = 0; i < 6; i++) {
		char b[256], *save = b;
		snprintf(b, sizeof b, "%s", nm->dns[i]);
		for (char *t; (t = next_tok(&save, ", ")) != NULL;) {
			size_t n = strlen(t);
			while (n && t[n - 1] == '.')
				t[--n] = 0;
			add_domain(r, t, n);
			/* a one-label suffix (a NetBIOS-style "contoso") */
			if (!strchr(t, '.'))
				add_word(r, t, n);
		}
	}
	if (nm->netbios[0])
		add_word(r, nm->netbios, strlen(nm->netbios));
	for (int i = 0; i < 2; i++) {
		const char *u = nm->user[i], *bs = strrchr(u, '\\');
		if (bs) {
			add_word(r, u, (size_t)(bs - u));
			u = bs + 1;
		}
		if (*u)
			add_user(r, u, strlen(u));
	}
}

/* ---- setup ------------------------------------------------------------ */

static void protect_words_of(struct red *r, const char *s)
{
	for (size_t i = 0; s && s[i];) {
		size_t l = 0;
		while (isalnum((unsigned char)s[i + l]))
			l++;
		if (l)
			set_add_lc(r, r->protect, s + i, l);
		i += l ? l : 1;
	}
}

static int setup(struct red *r, const cJSON *fx, char *err, size_t errsz)
{
	const struct dx_embedded *c = dx_embedded_find("redact.json");
	const struct dx_embedded *d = dx_embedded_find("destinations.json");
	const cJSON *x, *net = cJSON_GetObjectItemCaseSensitive(fx, "network");
	if (!c || !d || !(r->cfg = cJSON_Parse(c->data)) || !(r->dests = cJSON_Parse(d->data)) ||
	    !(r->protect = cJSON_CreateObject()) || !(r->keep_domains = cJSON_CreateObject())) {
		snprintf(err, errsz,
			 "the embedded redact.json or destinations.json cannot be read");
		return -1;
	}
	static const char *const lists[] = {"keep_words", "generic_words", NULL};
	for (int i = 0; lists[i]; i++)
		cJSON_ArrayForEach(x, cfg_list(r, lists[i])) if (cJSON_IsString(x))
			protect_words_of(r, x->valuestring);
	cJSON_ArrayForEach(x, cfg_list(r, "keep_domains")) if (cJSON_IsString(x))
		set_add_lc(r, r->keep_domains, x->valuestring, strlen(x->valuestring));
	/* The destinations (the data file's and the file's records): their
	 * labels are never names, their domains are kept. */
	const cJSON *lists2[2] = {cJSON_GetObjectItemCaseSensitive(r->dests, "destinations"),
				  cJSON_GetObjectItemCaseSensitive(net, "destinations")};
	for (int i = 0; i < 2; i++)
		cJSON_ArrayForEach(x, lists2[i])
		{
			static const char *const f[] = {"host", "pattern", NULL};
			for (int k = 0; f[k]; k++) {
				const cJSON *h = cJSON_GetObjectItemCaseSensitive(x, f[k]);
				if (!cJSON_IsString(h))
					continue;
				size_t n = strlen(h->valuestring);
				size_t off = registrable(h->valuestring, n);
				protect_words_of(r, h->valuestring);
				if (n && !strchr(h->valuestring + off, '{'))
					set_add_lc(r, r->keep_domains, h->valuestring + off,
						   n - off);
			}
		}
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r->dests, "geos")) if (x->string)
		protect_words_of(r, x->string);
	return r->oom ? -1 : 0;
}

int dx_redact(cJSON *fx, const struct dx_redact_names *names, char *err, size_t errsz)
{
	struct red *r = calloc(1, sizeof *r);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(fx, "hostname"), *d, *x;
	const cJSON *net = cJSON_GetObjectItemCaseSensitive(fx, "network");
	const cJSON *reg = member_ci(fx, "registry");
	cJSON *dc = member_ci(reg, DX_KEY_DATACOLLECTION);
	cJSON *sp = member_ci(dc, "TelemetryProxyServer");
	int rc = -1;
	if (!r) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	if (setup(r, fx, err, errsz))
		goto out;
	if (cJSON_IsString(h) && h->valuestring[0]) {
		r->hostname = h->valuestring;
		add(r, h->valuestring, K_HOST);
	}
	/* the names the device knows itself by: read on the device, or held
	 * by the file's registry section */
	{
		struct dx_redact_names fromfile;
		memset(&fromfile, 0, sizeof fromfile);
		for (size_t i = 0; i < sizeof name_values / sizeof name_values[0]; i++) {
			const cJSON *v =
				member_ci(member_ci(reg, name_values[i].key), name_values[i].value);
			if (cJSON_IsObject(v))
				v = member_ci(v, "data");
			if (cJSON_IsString(v))
				take_name(&fromfile, name_values[i].kind, v->valuestring);
		}
		add_known(r, &fromfile);
		if (names)
			add_known(r, names);
	}
	/* the configuration's hosts: proxies, PAC answers, the WPAD URL */
	cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(net, "destinations"))
	{
		const cJSON *route = cJSON_GetObjectItemCaseSensitive(d, "route");
		const cJSON *ph = cJSON_GetObjectItemCaseSensitive(route, "proxy_host");
		const cJSON *pa = cJSON_GetObjectItemCaseSensitive(route, "pac_answer");
		const cJSON *oa = cJSON_GetObjectItemCaseSensitive(route, "os_answer");
		const cJSON *tls = cJSON_GetObjectItemCaseSensitive(d, "tls");
		const cJSON *pr = cJSON_GetObjectItemCaseSensitive(d, "proxy_reply");
		const cJSON *er = cJSON_GetObjectItemCaseSensitive(tls, "expected_root");
		if (cJSON_IsString(ph))
			add_host(r, ph->valuestring, K_PROXY);
		if (cJSON_IsString(pa))
			add_pac_answer(r, pa->valuestring);
		if (cJSON_IsString(oa))
			add_pac_answer(r, oa->valuestring);
		/* a chain that did not lead to an expected root is someone
		 * else's: its names say whose (Microsoft's own aside) */
		if (tls && !cJSON_IsTrue(er)) {
			static const char *const f[] = {"subject", "issuer", "root", NULL};
			for (int k = 0; f[k]; k++)
				if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(tls, f[k])))
					add_dn(r, x->valuestring);
			cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(tls, "chain"))
			{
				const cJSON *s = cJSON_GetObjectItemCaseSensitive(x, "subject");
				const cJSON *i = cJSON_GetObjectItemCaseSensitive(x, "issuer");
				if (cJSON_IsString(s))
					add_dn(r, s->valuestring);
				if (cJSON_IsString(i))
					add_dn(r, i->valuestring);
			}
		}
		/* the proxy's banner and block page */
		cJSON_ArrayForEach(x, pr) if (cJSON_IsString(x)) add_words(r, x->valuestring);
		if (cJSON_IsString(
			    x = cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(d, "http"), "status_line")))
			add_words(r, x->valuestring);
	}
	/* the OS's answers kept in the wpad section (platform_record.c) */
	cJSON_ArrayForEach(
		x, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(fx, "wpad"),
						    "os_answers")) if (cJSON_IsString(x))
		add_pac_answer(r, x->valuestring);
	if (cJSON_IsString(sp))
		add_proxy_list(r, sp->valuestring);
	redact_winhttp(r, fx, 1);
	if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(fx, "wpad"), "url")))
		add_url_host(r, x->valuestring);
	if (cJSON_IsString(x = cJSON_GetObjectItemCaseSensitive(
				   cJSON_GetObjectItemCaseSensitive(net, "wpad"), "url")))
		add_url_host(r, x->valuestring);
	/* the names the device resolved */
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(fx, "dns")) if (x->string)
		find_names(r, x->string);
	/* the onboarding blobs, before their text is searched */
	if (reduce_onboarding(fx, DX_KEY_ATP, "OnboardedInfo") ||
	    reduce_onboarding(fx, DX_KEY_ATP_POLICY, "OnboardingInfo"))
		r->oom = 1;
	walk_find(r, fx->child, 1);
	if (r->oom || redact_winhttp(r, fx, 0) || replace_all(r, fx) || r->oom) {
		snprintf(err, errsz, "out of memory (or more than %d names to hide)", MAX_SECRETS);
		goto out;
	}
	rc = 0;
out:
	for (int i = 0; i < r->n; i++)
		free(r->s[i].value);
	cJSON_Delete(r->cfg);
	cJSON_Delete(r->dests);
	cJSON_Delete(r->protect);
	cJSON_Delete(r->keep_domains);
	free(r);
	return rc;
}
