/* wpad.c - WPAD discovery, PAC download and per-destination answers; see
 * wpad.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "probe_parse.h"
#include "sock.h"
#include "wpad.h"

/* Evidence strings are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

#define MAX_HEAD 8192

/* Splits "http[s]://host[:port]/path"; *tls 1 for https. 0 ok. */
static int split_url(const char *url, char *host, size_t hostsz, int *port, const char **path,
		     int *tls, char *err, size_t errsz)
{
	const char *h, *end, *colon;
	size_t hl;
	*tls = strncasecmp(url, "https://", 8) == 0;
	if (!*tls && strncasecmp(url, "http://", 7) != 0) {
		snprintf(err, errsz, "not an http:// or https:// URL");
		return -1;
	}
	h = url + (*tls ? 8 : 7);
	end = h + strcspn(h, "/?#");
	*path = *end == '/' ? end : "/";
	colon = memchr(h, ':', (size_t)(end - h));
	hl = (size_t)((colon ? colon : end) - h);
	if (hl == 0 || hl >= hostsz || memchr(h, '@', (size_t)(end - h)) || *h == '[') {
		snprintf(err, errsz, "unusable host in the URL");
		return -1;
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	*port = *tls ? 443 : 80;
	if (colon) {
		long v = 0;
		if (colon + 1 == end || end - colon > 6) {
			snprintf(err, errsz, "bad port in the URL");
			return -1;
		}
		for (const char *q = colon + 1; q < end; q++) {
			if (!isdigit((unsigned char)*q)) {
				snprintf(err, errsz, "bad port in the URL");
				return -1;
			}
			v = v * 10 + (*q - '0');
		}
		if (v < 1 || v > 65535) {
			snprintf(err, errsz, "bad port in the URL");
			return -1;
		}
		*port = (int)v;
	}
	return 0;
}

/* Resolves `name` to its first address (numeric names as they are). */
static int first_addr(const struct dx_wpad_net *net, const char *name, char *addr, size_t addrsz,
		      char *err, size_t errsz)
{
	struct dx_strlist l = {0};
	struct dx_err e = {0};
	enum dx_status st;
	if (dx_addr_is_numeric(name)) {
		snprintf(addr, addrsz, "%s", name);
		return 0;
	}
	st = net->resolve ? net->resolve(net->ud, name, &l, &e) : DX_UNSUPPORTED;
	if (st != DX_OK || l.count == 0) {
		snprintf(err, errsz, "%s does not resolve (%s)", name,
			 st == DX_OK ? "no addresses"
			 : e.text[0] ? e.text
				     : dx_status_name(st));
		dx_strlist_free(&l);
		return -1;
	}
	snprintf(addr, addrsz, "%s", l.items[0]);
	dx_strlist_free(&l);
	return 0;
}

/* Waits for `want` on s until `deadline`; 0 ready, -1 timeout or error. */
static int wait_for(dx_sock_t s, int want, double deadline)
{
	struct dx_pollfd pf = {s, want, 0};
	double left = deadline - dx_clock_ms();
	if (left <= 0)
		return -1;
	if (dx_sock_poll(&pf, 1, (int)left + 1) <= 0)
		return -1;
	return 0;
}

/* The values of header `name` in the head [buf, end), ", "-joined, one line. */
static void header_value(const char *buf, const char *end, const char *name, char *out,
			 size_t outsz)
{
	out[0] = 0;
	dx_http_header_values(buf, (size_t)(end - buf), name, out, outsz);
	dx_one_line(out, ' ');
}

/* ---- one connection, plain or TLS ------------------------------------- */

/* TLS as the probe checks it: TLS 1.2 or later, the name in the
 * certificate, the chain up to one of the probe's anchors (the expected
 * roots, or --anchors); nothing is sent before the chain is accepted. */
struct conn {
	dx_sock_t s;
	int tls;  /* the TLS context below is set up */
	int want; /* DX_POLL_IN/OUT an AGAIN waits for */
	char io_err[160];
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt anchors;
};

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	size_t n = 0;
	enum dx_sock_rc rc = dx_sock_send(c->s, buf, len, &n, c->io_err, sizeof c->io_err);
	if (rc == DX_SOCK_OK)
		return (int)n;
	if (rc == DX_SOCK_AGAIN)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	return rc == DX_SOCK_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct conn *c = ctx;
	size_t n = 0;
	enum dx_sock_rc rc = dx_sock_recv(c->s, buf, len, &n, c->io_err, sizeof c->io_err);
	if (rc == DX_SOCK_OK)
		return (int)n;
	if (rc == DX_SOCK_AGAIN)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (rc == DX_SOCK_CLOSED)
		return 0;
	return rc == DX_SOCK_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

static void conn_close(struct conn *c)
{
	if (c->tls) {
		mbedtls_ssl_free(&c->ssl);
		mbedtls_ssl_config_free(&c->conf);
		mbedtls_x509_crt_free(&c->anchors);
		mbedtls_ctr_drbg_free(&c->drbg);
		mbedtls_entropy_free(&c->entropy);
		c->tls = 0;
	}
	if (c->s != DX_SOCK_BAD)
		dx_sock_close(c->s);
	c->s = DX_SOCK_BAD;
}

/* The handshake with `host` over the connected c->s; 0, or -1 with why. */
static int tls_start(struct conn *c, const struct dx_wpad_net *net, const char *host,
		     const char *address, double deadline, char *err, size_t errsz)
{
	static const char pers[] = "mdediag-wpad";
	char buf[120];
	int r;
	uint32_t flags;
	if (!net->anchors_pem || !net->anchors_len) {
		snprintf(err, errsz, "no trust anchors to check an https:// PAC server with");
		return -1;
	}
	mbedtls_ssl_init(&c->ssl);
	mbedtls_ssl_config_init(&c->conf);
	mbedtls_x509_crt_init(&c->anchors);
	mbedtls_ctr_drbg_init(&c->drbg);
	mbedtls_entropy_init(&c->entropy);
	c->tls = 1;
	if ((r = mbedtls_ctr_drbg_seed(&c->drbg, mbedtls_entropy_func, &c->entropy,
				       (const unsigned char *)pers, sizeof pers - 1)) ||
	    (r = mbedtls_x509_crt_parse(&c->anchors, (const unsigned char *)net->anchors_pem,
					net->anchors_len)) < 0 ||
	    (r = mbedtls_ssl_config_defaults(&c->conf, MBEDTLS_SSL_IS_CLIENT,
					     MBEDTLS_SSL_TRANSPORT_STREAM,
					     MBEDTLS_SSL_PRESET_DEFAULT))) {
		mbedtls_strerror(r, buf, sizeof buf);
		snprintf(err, errsz, "TLS setup failed: %s", buf);
		return -1;
	}
	mbedtls_ssl_conf_authmode(&c->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	mbedtls_ssl_conf_ca_chain(&c->conf, &c->anchors, NULL);
	mbedtls_ssl_conf_rng(&c->conf, mbedtls_ctr_drbg_random, &c->drbg);
	mbedtls_ssl_conf_min_version(&c->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	if ((r = mbedtls_ssl_setup(&c->ssl, &c->conf)) ||
	    (r = mbedtls_ssl_set_hostname(&c->ssl, host))) {
		mbedtls_strerror(r, buf, sizeof buf);
		snprintf(err, errsz, "TLS setup failed: %s", buf);
		return -1;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	while ((r = mbedtls_ssl_handshake(&c->ssl)) != 0) {
		if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
			if (wait_for(c->s,
				     r == MBEDTLS_ERR_SSL_WANT_READ ? DX_POLL_IN : DX_POLL_OUT,
				     deadline)) {
				snprintf(err, errsz, "the TLS handshake with %s timed out",
					 address);
				return -1;
			}
			continue;
		}
		mbedtls_strerror(r, buf, sizeof buf);
		snprintf(err, errsz, "the TLS handshake with %s failed: %s%s%s", address, buf,
			 c->io_err[0] ? ": " : "", c->io_err);
		return -1;
	}
	flags = mbedtls_ssl_get_verify_result(&c->ssl);
	if (flags) {
		char info[300];
		size_t il;
		mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
		dx_one_line(info, ' ');
		for (il = strlen(info); il && info[il - 1] == ' '; il--)
			info[il - 1] = 0;
		snprintf(err, errsz,
			 "the certificate of %s is not accepted (the probe's trust "
			 "anchors): %s",
			 host, info);
		return -1;
	}
	return 0;
}

static enum dx_sock_rc conn_send(struct conn *c, const char *buf, size_t len, size_t *n, char *err,
				 size_t errsz)
{
	int r;
	c->want = DX_POLL_OUT;
	if (!c->tls)
		return dx_sock_send(c->s, buf, len, n, err, errsz);
	r = mbedtls_ssl_write(&c->ssl, (const unsigned char *)buf, len);
	if (r >= 0) {
		*n = (size_t)r;
		return DX_SOCK_OK;
	}
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
		c->want = r == MBEDTLS_ERR_SSL_WANT_READ ? DX_POLL_IN : DX_POLL_OUT;
		return DX_SOCK_AGAIN;
	}
	mbedtls_strerror(r, err, errsz);
	return r == MBEDTLS_ERR_NET_CONN_RESET ? DX_SOCK_RESET : DX_SOCK_ERR;
}

static enum dx_sock_rc conn_recv(struct conn *c, char *buf, size_t len, size_t *n, char *err,
				 size_t errsz)
{
	int r;
	c->want = DX_POLL_IN;
	if (!c->tls)
		return dx_sock_recv(c->s, buf, len, n, err, errsz);
	r = mbedtls_ssl_read(&c->ssl, (unsigned char *)buf, len);
	if (r > 0) {
		*n = (size_t)r;
		return DX_SOCK_OK;
	}
	if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
		return DX_SOCK_CLOSED;
	if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
		c->want = r == MBEDTLS_ERR_SSL_WANT_READ ? DX_POLL_IN : DX_POLL_OUT;
		return DX_SOCK_AGAIN;
	}
	mbedtls_strerror(r, err, errsz);
	return r == MBEDTLS_ERR_NET_CONN_RESET ? DX_SOCK_RESET : DX_SOCK_ERR;
}

/* One GET, no redirect followed. 0 with the body on 200; 1 on a redirect
 * (3xx with a Location, copied to `location`); -1 with the reason. */
static int get_once(const struct dx_wpad_net *net, const char *url, size_t max, double deadline,
		    struct dx_http_result *res, char *location, size_t locsz, char *err,
		    size_t errsz)
{
	char **body = &res->body;
	size_t *len = &res->len;
	int *status = &res->status, *too_large = &res->too_large;
	char *address = res->address, *rule = res->rule;
	size_t addrsz = sizeof res->address, rulesz = sizeof res->rule;
	char host[256], addr[256], req[1400], serr[160];
	const char *path;
	int port, aport, r, tls;
	struct conn cn;
	enum dx_sock_rc rc;
	char *buf = NULL, *hdr_end;
	size_t n = 0, cap = 0, sent = 0, reqlen, hlen, cl = (size_t)-1;
	const size_t limit = max + MAX_HEAD;

	*body = NULL;
	*len = 0;
	*status = 0;
	*too_large = 0;
	address[0] = rule[0] = 0;
	memset(&cn, 0, sizeof cn);
	cn.s = DX_SOCK_BAD;
	if (split_url(url, host, sizeof host, &port, &path, &tls, err, errsz))
		return -1;
	if (first_addr(net, host, addr, sizeof addr, err, errsz))
		return -1;
	aport = port;
	r = dx_connect_to_apply(net->rules, net->nrules, host, port, addr, sizeof addr, &aport);
	if (r >= 0 && net->rule_text)
		snprintf(rule, rulesz, "%s", net->rule_text[r]);
	if (!dx_addr_is_numeric(addr) && first_addr(net, addr, addr, sizeof addr, err, errsz))
		return -1;
	snprintf(address, addrsz, strchr(addr, ':') ? "[%s]:%d" : "%s:%d", addr, aport);
	if (net->loopback_only && !dx_addr_is_loopback(addr)) {
		snprintf(err, errsz,
			 "fixture mode: will not connect to non-loopback address %s "
			 "(map it with --connect-to)",
			 addr);
		return -1;
	}
	if (dx_sock_startup()) {
		snprintf(err, errsz, "the socket library did not start");
		return -1;
	}
	rc = dx_sock_connect(addr, aport, &cn.s, serr, sizeof serr);
	if (rc == DX_SOCK_AGAIN) {
		if (wait_for(cn.s, DX_POLL_OUT, deadline)) {
			snprintf(err, errsz, "connecting to %s timed out", address);
			goto fail;
		}
		rc = dx_sock_connected(cn.s, serr, sizeof serr);
	}
	if (rc != DX_SOCK_OK) {
		snprintf(err, errsz, "cannot connect to %s: %s", address, serr);
		goto fail;
	}
	if (tls && tls_start(&cn, net, host, address, deadline, err, errsz))
		goto fail;
	reqlen = (size_t)snprintf(
		req, sizeof req,
		"GET %.1000s HTTP/1.0\r\nHost: %s\r\nUser-Agent: mdediag (WPAD)\r\n"
		"Accept: */*\r\nConnection: close\r\n\r\n",
		path, host);
	while (sent < reqlen) {
		size_t k = 0;
		rc = conn_send(&cn, req + sent, reqlen - sent, &k, serr, sizeof serr);
		if (rc == DX_SOCK_AGAIN) {
			if (wait_for(cn.s, cn.want, deadline)) {
				snprintf(err, errsz, "sending the request to %s timed out",
					 address);
				goto fail;
			}
			continue;
		}
		if (rc != DX_SOCK_OK) {
			snprintf(err, errsz, "sending the request to %s failed: %s", address, serr);
			goto fail;
		}
		sent += k;
	}
	for (;;) {
		size_t k = 0;
		if (n + 1 >= cap) {
			size_t nc = cap ? cap * 2 : 16384;
			char *nb;
			if (nc > limit + 1)
				nc = limit + 1;
			if (n + 1 >= nc) {
				*too_large = 1;
				snprintf(err, errsz,
					 "the PAC file is larger than %zu bytes (not read further)",
					 max);
				goto fail;
			}
			nb = realloc(buf, nc);
			if (!nb) {
				snprintf(err, errsz, "out of memory");
				goto fail;
			}
			buf = nb;
			cap = nc;
		}
		rc = conn_recv(&cn, buf + n, cap - 1 - n, &k, serr, sizeof serr);
		if (rc == DX_SOCK_AGAIN) {
			if (wait_for(cn.s, cn.want, deadline)) {
				snprintf(err, errsz,
					 "%s sent no complete answer within %d ms (%zu bytes so "
					 "far)",
					 address, net->timeout_ms > 0 ? net->timeout_ms : 5000, n);
				goto fail;
			}
			continue;
		}
		if (rc == DX_SOCK_CLOSED)
			break;
		if (rc != DX_SOCK_OK) {
			if (n && rc == DX_SOCK_RESET)
				break; /* some servers reset after the body */
			snprintf(err, errsz, "reading from %s failed: %s", address, serr);
			goto fail;
		}
		n += k;
	}
	conn_close(&cn);
	if (!buf || n == 0) {
		snprintf(err, errsz, "%s closed the connection without an answer", address);
		goto fail;
	}
	buf[n] = 0;
	if (n < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)buf[9])) {
		snprintf(err, errsz, "%s did not answer HTTP", address);
		goto fail;
	}
	*status = atoi(buf + 9);
	hdr_end = strstr(buf, "\r\n\r\n");
	if (!hdr_end || (size_t)(hdr_end - buf) > MAX_HEAD) {
		snprintf(err, errsz, "%s sent no complete header", address);
		goto fail;
	}
	hlen = (size_t)(hdr_end + 4 - buf);
	for (char *q = strstr(buf, "\r\n"); q && q < hdr_end; q = strstr(q + 2, "\r\n"))
		if (strncasecmp(q + 2, "Content-Length:", 15) == 0)
			cl = (size_t)strtoull(q + 17, NULL, 10);
	if (*status != 200) {
		char line[120];
		size_t ll = strcspn(buf, "\r\n");
		snprintf(line, sizeof line, "%.*s", (int)(ll > 100 ? 100 : ll), buf);
		dx_one_line(line, ' ');
		if ((*status == 301 || *status == 302 || *status == 303 || *status == 307 ||
		     *status == 308)) {
			header_value(buf, hdr_end, "Location", location, locsz);
			if (location[0]) {
				free(buf);
				return 1;
			}
		}
		if (*status == 401)
			header_value(buf, hdr_end, "WWW-Authenticate", res->www_authenticate,
				     sizeof res->www_authenticate);
		snprintf(err, errsz, "%s answered \"%s\"", url, line);
		goto fail;
	}
	if (n - hlen > max) {
		*too_large = 1;
		snprintf(err, errsz, "the PAC file is larger than %zu bytes", max);
		goto fail;
	}
	if (cl != (size_t)-1 && n - hlen < cl) {
		snprintf(err, errsz, "the answer ended after %zu of %zu bytes", n - hlen, cl);
		goto fail;
	}
	memmove(buf, buf + hlen, n - hlen);
	buf[n - hlen] = 0;
	*body = buf;
	*len = n - hlen;
	return 0;
fail:
	conn_close(&cn);
	free(buf);
	return -1;
}

/* `loc` (absolute, or a path on the same origin) made absolute against
 * `base`; -1 when it cannot be. */
static int resolve_location(const char *base, const char *loc, char *out, size_t outsz)
{
	const char *h, *end;
	if (strncasecmp(loc, "http://", 7) == 0 || strncasecmp(loc, "https://", 8) == 0) {
		snprintf(out, outsz, "%s", loc);
		return 0;
	}
	if (loc[0] != '/' || loc[1] == '/')
		return -1; /* relative paths and scheme-relative URLs: not followed */
	h = strstr(base, "://");
	if (!h)
		return -1;
	end = h + 3 + strcspn(h + 3, "/?#");
	snprintf(out, outsz, "%.*s%s", (int)(end - base), base, loc);
	return 0;
}

int dx_http_get(const struct dx_wpad_net *net, const char *url, size_t max,
		struct dx_http_result *res, char *err, size_t errsz)
{
	char cur[1024], loc[1024], next[1024];
	double deadline = dx_clock_ms() + (net->timeout_ms > 0 ? net->timeout_ms : 5000);
	size_t ho = 0;
	memset(res, 0, sizeof *res);
	snprintf(cur, sizeof cur, "%s", url);
	for (;;) {
		int r = get_once(net, cur, max, deadline, res, loc, sizeof loc, err, errsz);
		if (r <= 0)
			return r;
		/* WinHTTP follows redirects by itself, at most 10, and never from
		 * https to http (WINHTTP_OPTION_REDIRECT_POLICY's default,
		 * WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS). */
		if (res->redirects == DX_HTTP_MAX_REDIRECTS) {
			snprintf(err, errsz, "more than %d redirects (last to %.300s)",
				 DX_HTTP_MAX_REDIRECTS, loc);
			return -1;
		}
		if (resolve_location(cur, loc, next, sizeof next)) {
			snprintf(err, errsz,
				 "%s redirects to \"%.300s\", which is not a URL mdediag follows",
				 cur, loc);
			return -1;
		}
		if (strncasecmp(cur, "https://", 8) == 0 && strncasecmp(next, "http://", 7) == 0) {
			snprintf(err, errsz,
				 "%s redirects from https to http (%.300s): WinHTTP does not "
				 "follow that",
				 cur, next);
			return -1;
		}
		res->redirects++;
		if (ho < sizeof res->hops)
			ho += (size_t)snprintf(res->hops + ho, sizeof res->hops - ho, "%s -> %s",
					       ho ? "" : cur, next);
		res->status = 0;
		snprintf(cur, sizeof cur, "%s", next);
	}
}

/* Downloads the PAC file into the state's evidence members. */
static int fetch(struct dx_wpad_state *st, const struct dx_wpad_net *net, size_t max, char **script,
		 size_t *len, int *too_large)
{
	struct dx_http_result r;
	int rc = dx_http_get(net, st->w.url, max, &r, st->error, sizeof st->error);
	*script = r.body;
	*len = r.len;
	*too_large = r.too_large;
	st->http_status = r.status;
	snprintf(st->fetch_address, sizeof st->fetch_address, "%s", r.address);
	snprintf(st->fetch_connect_to, sizeof st->fetch_connect_to, "%s", r.rule);
	snprintf(st->redirects, sizeof st->redirects, "%s", r.hops);
	snprintf(st->www_authenticate, sizeof st->www_authenticate, "%s", r.www_authenticate);
	st->auth_required = rc != 0 && r.status == 401;
	if (st->auth_required) {
		size_t n = strlen(st->error);
		snprintf(st->error + n, sizeof st->error - n,
			 ": the server asks for credentials; mdediag sends none");
	}
	return rc;
}

static enum dx_status pac_resolve(void *ud, const char *host, struct dx_strlist *out)
{
	const struct dx_wpad_net *net = ud;
	struct dx_err e = {0};
	return net && net->resolve ? net->resolve(net->ud, host, out, &e) : DX_UNSUPPORTED;
}

static const char *svc_state_name(int s)
{
	static const char *const n[] = {
		"?",       "stopped",          "start-pending", "stop-pending",
		"running", "continue-pending", "pause-pending", "paused"};
	return s >= 1 && s <= 7 ? n[s] : "?";
}

static const char *svc_start_name(int s)
{
	static const char *const n[] = {"boot start", "system start", "automatic start",
					"demand start", "disabled"};
	return s >= 0 && s <= 4 ? n[s] : "?";
}

/* What decides whether WinHTTP runs WPAD at all: DisableWpad (when 1 the
 * stage is DX_WPAD_DISABLED and discovery is not run, as WinHTTP does not
 * run it) and, as evidence only, the auto-proxy service. Microsoft
 * documents that WinHTTP falls back to running WPAD in-process when it
 * cannot delegate to the service (WINHTTP_AUTOPROXY_OPTIONS, "AutoProxy
 * Issues in WinHTTP"), so a stopped or disabled service changes no route. */
void dx_wpad_read_switches(struct dx_wpad_state *st, const struct dx_platform *p)
{
	struct dx_err e = {0};
	struct dx_svc svc;
	uint32_t v = 0;
	enum dx_status s = dx_reg_dword(p, DX_WPAD_DISABLE_KEY, DX_WPAD_DISABLE_VALUE, &v, &e);
	if (s == DX_OK)
		snprintf(st->disable_wpad, sizeof st->disable_wpad, "%lu", (unsigned long)v);
	else if (s == DX_NOT_FOUND)
		snprintf(st->disable_wpad, sizeof st->disable_wpad, "absent");
	else
		snprintf(st->disable_wpad, sizeof st->disable_wpad, "not read: %s", e.text);
	if (s != DX_OK)
		v = 0; /* unread: WPAD as by default, the evidence says why */
	memset(&svc, 0, sizeof svc);
	memset(&e, 0, sizeof e);
	s = dx_svc_query(p, DX_WPAD_SERVICE, &svc, &e);
	if (s == DX_OK)
		snprintf(st->service, sizeof st->service, "%s, %s", svc_state_name(svc.state),
			 svc_start_name(svc.start_type));
	else if (s == DX_NOT_FOUND)
		snprintf(st->service, sizeof st->service, "missing");
	else
		snprintf(st->service, sizeof st->service, "not read: %s", e.text);
	/* The PAC time functions run in the device's local time, as WinHTTP's
	 * evaluator on the device does. */
	memset(&e, 0, sizeof e);
	if (dx_time_zone(p, &st->tz, &e) != DX_OK)
		snprintf(st->tz_error, sizeof st->tz_error, "%s", e.text);
	/* Microsoft documents 1; any other nonzero value is read as on too */
	if (v != 0) {
		st->stage = DX_WPAD_DISABLED;
		snprintf(st->error, sizeof st->error,
			 "WPAD is turned off: DisableWpad is %lu under %s", (unsigned long)v,
			 DX_WPAD_DISABLE_KEY);
		snprintf(st->detect_err.text, sizeof st->detect_err.text, "%s", st->error);
	}
}

void dx_wpad_run(struct dx_wpad_state *st, const struct dx_platform *p,
		 const struct dx_wpad_net *net, const char *my_ips, int64_t now,
		 const struct dx_pac_limits *lim)
{
	struct dx_pac_limits l = {0};
	struct dx_pac_env env;
	char *script = NULL;
	size_t len = 0;
	int too_large = 0;
	double t0;

	memset(st, 0, sizeof *st);
	if (net)
		st->net = *net;
	if (lim)
		l = *lim;
	if (!l.max_script)
		l.max_script = 4u << 20;
	dx_wpad_read_switches(st, p);
	if (st->stage == DX_WPAD_DISABLED)
		return;
	st->detect_st = dx_wpad_detect(p, st->net.detect_ms, &st->w, &st->detect_err);
	if (st->detect_st == DX_UNSUPPORTED) {
		st->stage = DX_WPAD_SKIPPED;
		snprintf(st->error, sizeof st->error, "%s", st->detect_err.text);
		return;
	}
	if (st->detect_st != DX_OK) {
		st->stage = DX_WPAD_NOT_FOUND;
		snprintf(st->error, sizeof st->error, "%s", st->detect_err.text);
		return;
	}
	t0 = dx_clock_ms();
	if (st->w.script) {
		st->inline_script = 1;
		script = st->w.script;
		len = st->w.script_len;
		st->w.script = NULL;
		st->http_status = 0;
	} else if (fetch(st, net, l.max_script, &script, &len, &too_large)) {
		st->fetch_ms = dx_clock_ms() - t0;
		if (too_large) {
			st->stage = DX_WPAD_BAD_SCRIPT;
			st->pac_rc = DX_PAC_TOO_LARGE;
		} else {
			st->stage = DX_WPAD_UNREACHABLE;
		}
		return;
	}
	st->fetch_ms = dx_clock_ms() - t0;
	st->script_bytes = len;
	/* The script resolves through the same resolver as the probe. */
	env.utc_offset = st->tz.offset_s;
	env.resolve = pac_resolve;
	env.ud = net ? &st->net : NULL;
	env.my_ips = my_ips;
	env.now = now;
	t0 = dx_clock_ms();
	st->pac_rc = dx_pac_load(&st->pac, script ? script : "", len, &env, &l, st->error,
				 sizeof st->error);
	st->load_ms = dx_clock_ms() - t0;
	st->stage = st->pac_rc == DX_PAC_OK ? DX_WPAD_READY : DX_WPAD_BAD_SCRIPT;
	free(script);
}

int dx_wpad_answer(struct dx_wpad_state *st, const char *url, const char *host, char *answer,
		   size_t answersz, struct dx_pac_entry *use, enum dx_pac_rc *rc, char *err,
		   size_t errsz)
{
	struct dx_pac_entry e[16];
	int n;
	char perr[160];
	answer[0] = 0;
	*rc = DX_PAC_OK;
	if (st->stage != DX_WPAD_READY || !st->pac) {
		*rc = st->pac_rc;
		snprintf(err, errsz, "%s", st->error);
		return -1;
	}
	*rc = dx_pac_find(st->pac, url, host, answer, answersz, err, errsz);
	if (*rc != DX_PAC_OK)
		return -1;
	n = dx_pac_parse(answer, e, sizeof e / sizeof e[0], perr, sizeof perr);
	for (int i = 0; i < n; i++) {
		if (e[i].kind != DX_PAC_SOCKS) {
			*use = e[i];
			return 0;
		}
	}
	*rc = DX_PAC_BAD_RESULT;
	snprintf(err, errsz, "\"%.80s\" lists only SOCKS proxies, which WinHTTP cannot use",
		 answer);
	return -1;
}

void dx_wpad_state_free(struct dx_wpad_state *st)
{
	dx_pac_free(st->pac);
	dx_wpad_free(&st->w);
	memset(st, 0, sizeof *st);
}
