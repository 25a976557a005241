/* mc_front.c - the mock origin: the HTTPS front (ClientHello peek, SNI,
 * faults, mbedTLS handshake) and the plain HTTP front, both answering
 * from the destinations table. */
#include "mc_conn.h"
#include "mc_ecc.h"
#include "mc_util.h"

#include <errno.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

/* The connection whose handshake runs on this thread: mbedTLS 2.28 has no
 * per-context user pointer, and one thread serves one connection. */
static __thread struct mc_conn *tl_conn;

void mc_conn_log(struct mc_conn *c, const char *request, const char *host, int status,
		 unsigned fault_mask, const char *note)
{
	struct mc_jentry e = c->j;
	mc_iso_time(e.time, sizeof(e.time));
	snprintf(e.sni, sizeof(e.sni), "%s", c->sni);
	snprintf(e.request, sizeof(e.request), "%s", request ? request : "");
	snprintf(e.host, sizeof(e.host), "%s", host ? host : "");
	e.status = status;
	mc_fault_names_str(fault_mask, e.fault, sizeof(e.fault));
	snprintf(e.note, sizeof(e.note), "%s", note ? note : "");
	e.ms_handshake = c->t_hs;
	e.ms_total = mc_now_ms() - c->t0;
	mc_journal_add(&e);
	c->logged = 1;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct mc_conn *c = ctx;
	for (;;) {
		ssize_t n = send(c->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return MBEDTLS_ERR_NET_CONN_RESET;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return MBEDTLS_ERR_NET_SEND_FAILED;
		int w = mc_wait_fd(c->fd, POLLOUT, c->io_deadline);
		if (w == 0)
			return MBEDTLS_ERR_SSL_TIMEOUT;
		if (w < 0)
			return MBEDTLS_ERR_NET_SEND_FAILED;
	}
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct mc_conn *c = ctx;
	ssize_t n;
	if (c->pre_off < c->pre_len) {
		size_t k = c->pre_len - c->pre_off;
		if (k > len)
			k = len;
		memcpy(buf, c->pre + c->pre_off, k);
		c->pre_off += k;
		return (int)k;
	}
	n = mc_read(c->fd, buf, len, c->io_deadline);
	if (n >= 0)
		return (int)n;
	if (errno == ETIMEDOUT)
		return MBEDTLS_ERR_SSL_TIMEOUT;
	if (errno == ECONNRESET)
		return MBEDTLS_ERR_NET_CONN_RESET;
	return MBEDTLS_ERR_NET_RECV_FAILED;
}

static int sni_cb(void *p, mbedtls_ssl_context *ssl, const unsigned char *name, size_t len)
{
	struct mc_conn *c = tl_conn;
	if (!c || !c->leaf)
		return -1;
	return mbedtls_ssl_set_hs_own_cert(ssl, (mbedtls_x509_crt *)&c->leaf->chain,
					   (mbedtls_pk_context *)&c->leaf->key);
}

static const mbedtls_ecp_group_id curves[] = {MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_CURVE25519,
					      MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_SECP521R1,
					      MBEDTLS_ECP_DP_NONE};

static const int suites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
			     MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
			     0};

int mc_front_tls_init(struct mc_server *s, char *err, size_t errlen)
{
	static const char pers[] = "mockcloud-tls";
	int rc;
	mbedtls_entropy_init(&s->entropy);
	mbedtls_ctr_drbg_init(&s->drbg);
	mbedtls_ssl_cache_init(&s->cache);
	mbedtls_ssl_config_init(&s->tls);
	rc = mbedtls_ctr_drbg_seed(&s->drbg, mbedtls_entropy_func, &s->entropy,
				   (const unsigned char *)pers, sizeof(pers));
	if (!rc)
		rc = mbedtls_ssl_config_defaults(&s->tls, MBEDTLS_SSL_IS_SERVER,
						 MBEDTLS_SSL_TRANSPORT_STREAM,
						 MBEDTLS_SSL_PRESET_DEFAULT);
	if (!rc)
		rc = mbedtls_ssl_conf_own_cert(&s->tls, &s->pki.fallback->chain,
					       &s->pki.fallback->key);
	if (rc) {
		char e[128];
		mbedtls_strerror(rc, e, sizeof(e));
		mc_fmt(err, errlen, "TLS setup failed: %s", e);
		return -1;
	}
	mbedtls_ssl_conf_rng(&s->tls, mbedtls_ctr_drbg_random, &s->drbg);
	/* optional: without it every ECDHE key rebuilds G's table (slower) */
	mc_ecc_init(mbedtls_ctr_drbg_random, &s->drbg);
	mbedtls_ssl_conf_sni(&s->tls, sni_cb, s);
	/* mbedTLS 2.28 prefers the largest curve (secp521r1) for ECDHE by
	 * default, five times the cost of P-256: prefer P-256 like Windows */
	mbedtls_ssl_conf_curves(&s->tls, curves);
	/* AES-GCM first (AES-NI), as SChannel and nginx prefer; the leaves
	 * are ECDSA, so only ECDHE-ECDSA suites can be chosen anyway */
	mbedtls_ssl_conf_ciphersuites(&s->tls, suites);
	mbedtls_ssl_cache_set_max_entries(&s->cache, 1000);
	/* MOCKCLOUD_NO_SESSION_CACHE=1 (benchmarks only): every handshake full */
	if (!getenv("MOCKCLOUD_NO_SESSION_CACHE"))
		mbedtls_ssl_conf_session_cache(&s->tls, &s->cache, mbedtls_ssl_cache_get,
					       mbedtls_ssl_cache_set);
	return 0;
}

/* Reads the first TLS record (the ClientHello) into c->pre and extracts
 * the SNI host name. Returns 1 a handshake record, 0 connection ended or
 * timed out before a byte, -1 not TLS (garbage). */
static int read_client_hello(struct mc_conn *c, int64_t deadline)
{
	const unsigned char *p, *end;
	size_t rec, want;
	c->sni[0] = 0;
	while (c->pre_len < 5) {
		ssize_t n = mc_read(c->fd, c->pre + c->pre_len, 5 - c->pre_len, deadline);
		if (n <= 0)
			return c->pre_len ? -1 : 0;
		c->pre_len += (size_t)n;
	}
	if (c->pre[0] != 0x16 || c->pre[1] != 3)
		return -1;
	rec = (size_t)c->pre[3] << 8 | c->pre[4];
	want = 5 + rec;
	if (want > sizeof(c->pre))
		want = sizeof(c->pre); /* parse what fits; mbedTLS reads the rest */
	while (c->pre_len < want) {
		ssize_t n = mc_read(c->fd, c->pre + c->pre_len, want - c->pre_len, deadline);
		if (n <= 0)
			return -1;
		c->pre_len += (size_t)n;
	}
	/* handshake: type 1, len(3), version(2), random(32), sid, suites, comp, exts */
	p = c->pre + 5;
	end = c->pre + c->pre_len;
#define NEED(k)                                                                                    \
	do {                                                                                       \
		if ((size_t)(end - p) < (size_t)(k))                                               \
			return 1;                                                                  \
	} while (0)
	NEED(4 + 2 + 32 + 1);
	if (p[0] != 1)
		return 1;
	p += 4 + 2 + 32;
	p += 1 + p[0];
	NEED(2);
	p += 2 + ((size_t)p[0] << 8 | p[1]);
	NEED(1);
	p += 1 + p[0];
	NEED(2);
	p += 2;
	while (end - p >= 4) {
		unsigned type = (unsigned)p[0] << 8 | p[1];
		size_t len = (size_t)p[2] << 8 | p[3];
		p += 4;
		NEED(len);
		if (type == 0 && len >= 5 && p[2] == 0) {
			size_t nl = (size_t)p[3] << 8 | p[4];
			if (nl > 0 && nl <= 253 && nl + 5 <= len) {
				int ok = 1;
				for (size_t i = 0; i < nl; i++) {
					unsigned char ch = p[5 + i];
					if (!(ch == '.' || ch == '-' || ch == '_' ||
					      (ch >= '0' && ch <= '9') ||
					      ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'z')))
						ok = 0;
				}
				if (ok) {
					memcpy(c->sni, p + 5, nl);
					c->sni[nl] = 0;
					mc_lower(c->sni);
					/* an IP literal is not a host name (RFC 6066):
					 * treat it as no SNI; the Host header decides */
					if (strspn(c->sni, "0123456789.") == nl)
						c->sni[0] = 0;
				}
			}
			return 1;
		}
		p += len;
	}
#undef NEED
	return 1;
}

void mc_front_silent(struct mc_conn *c, const struct mc_faults *f)
{
	int64_t deadline = mc_now_ms() + (f->silent_ms ? f->silent_ms : c->cfg->to.silent_ms);
	char sink[1024];
	while (!c->srv->stopping) {
		ssize_t n = mc_read(c->fd, sink, sizeof(sink), deadline);
		if (n <= 0)
			break;
	}
}

/* Sends a fatal handshake_failure alert (TLS 1.2 record). */
static void send_alert(struct mc_conn *c)
{
	static const unsigned char alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	mc_write_all(c->fd, alert, sizeof(alert), mc_now_ms() + 1000);
	shutdown(c->fd, SHUT_WR);
}

static const char *body_for(int status, const char *host)
{
	switch (status) {
	case 200: return "OK";
	case 400:
		return "<?xml version=\"1.0\" "
		       "encoding=\"utf-8\"?><Error><Code>InvalidQueryParameterValue</Code>"
		       "<Message>Value for one of the query parameters specified in the request "
		       "URI is invalid.</Message></Error>";
	case 404:
		return "<!DOCTYPE html><html><head><title>404 Not "
		       "Found</title></head><body><h1>Not Found</h1></body></html>";
	case 502:
		return "<!DOCTYPE html><html><head><title>502 Bad "
		       "Gateway</title></head><body><h1>Bad Gateway</h1>"
		       "<p>The upstream server could not be reached or presented an untrusted "
		       "certificate.</p></body></html>";
	default: return mc_http_reason(status);
	}
}

int mc_front_answer(struct mc_conn *c, const struct mc_req *r, const char *host, const char *path,
		    const struct mc_faults *f, int upstream_bad)
{
	int known = 0, is_test = 0, status, keep;
	unsigned applied = 0;
	int64_t deadline;
	char note[160] = "";
	const struct mc_pac *pac = c->intercepted ? NULL : mc_config_pac(c->cfg, host, path);

	if (pac) {
		/* a configured PAC file: served as it is (faults that decide the
		 * connection, such as silent or refuse, applied before) */
		keep = r->keep_alive && !c->srv->stopping;
		if (f->mask & (1u << MC_F_DELAY)) {
			mc_sleep_ms(f->delay_ms);
			applied |= 1u << MC_F_DELAY;
		}
		if (mc_http_respond(c, pac->status,
				    pac->status == 200 ? "application/x-ns-proxy-autoconfig"
						       : "text/html; charset=utf-8",
				    NULL,
				    pac->status == 200 ? pac->body : body_for(pac->status, host),
				    strcmp(r->method, "HEAD") == 0, keep, f->bytes_per_sec,
				    mc_now_ms() + 30000 + (f->bytes_per_sec ? 600000 : 0)))
			keep = 0;
		mc_conn_log(c, r->line, host, pac->status, applied, "PAC file");
		return keep;
	}
	status = mc_dest_status(&c->cfg->dest, host, path, &known, &is_test);
	if (!known)
		snprintf(note, sizeof(note), "host not in the destinations table");
	if ((f->mask & (1u << MC_F_STATUS)) && is_test) {
		status = f->status;
		applied |= 1u << MC_F_STATUS;
	}
	if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") && strcmp(r->method, "POST") &&
	    strcmp(r->method, "PUT") && strcmp(r->method, "OPTIONS"))
		status = 405;
	if (upstream_bad) {
		status = 502;
		applied = f->mask & ((1u << MC_F_TLS_FAIL) | (1u << MC_F_WRONG_NAME) |
				     (1u << MC_F_EXPIRED) | (1u << MC_F_INTERCEPT));
		snprintf(note, sizeof(note), "inspection proxy: upstream TLS failed");
	}
	if (f->mask & (1u << MC_F_DELAY)) {
		mc_sleep_ms(f->delay_ms);
		applied |= 1u << MC_F_DELAY;
	}
	if (f->mask & (1u << MC_F_BANDWIDTH))
		applied |= 1u << MC_F_BANDWIDTH;
	if (!upstream_bad)
		applied |= f->mask & ((1u << MC_F_WRONG_NAME) | (1u << MC_F_EXPIRED) |
				      (1u << MC_F_INTERCEPT));
	if (c->intercepted && !note[0])
		snprintf(note, sizeof(note), "TLS terminated by the inspection proxy");
	keep = r->keep_alive && !c->srv->stopping;
	deadline = mc_now_ms() + 30000 + (f->bytes_per_sec ? 600000 : 0);
	if (f->mask & (1u << MC_F_FLAKY))
		applied |= 1u << MC_F_FLAKY;
	if (mc_http_respond(c, status,
			    status == 400   ? "application/xml"
			    : status >= 400 ? "text/html; charset=utf-8"
					    : "text/plain; charset=utf-8",
			    "Server: Microsoft-HTTPAPI/2.0\r\n", body_for(status, host),
			    strcmp(r->method, "HEAD") == 0, keep, f->bytes_per_sec, deadline))
		keep = 0;
	mc_conn_log(c, r->line, host, status, applied == (1u << MC_F_FLAKY) ? 0 : applied, note);
	return keep;
}

/* Serves requests until the connection ends. host: the TLS name (NULL on
 * plain HTTP: the Host header decides). faults: NULL = take them from the
 * first request's Host (plain HTTP). */
static void serve_requests(struct mc_conn *c, const char *tls_host, const struct mc_faults *faults,
			   int upstream_bad)
{
	struct mc_faults f;
	int first = 1;
	if (faults)
		f = *faults;
	else
		memset(&f, 0, sizeof(f));
	while (!c->srv->stopping) {
		struct mc_req r;
		const char *host;
		int rc = mc_http_read_head(c, &r, mc_now_ms() + c->cfg->to.idle_ms,
					   c->cfg->to.header_ms);
		if (rc == 0) {
			if (first)
				mc_conn_log(c, NULL, tls_host, 0, 0,
					    "closed or idle before a request");
			return;
		}
		if (rc != 1) {
			mc_http_respond(c, rc, NULL, NULL, mc_http_reason(rc), 0, 0, 0,
					mc_now_ms() + 2000);
			mc_conn_log(c, r.line, tls_host, rc, 0, "malformed or too slow request");
			return;
		}
		host = tls_host && *tls_host ? tls_host : r.host;
		if (first && !faults)
			mc_config_take_faults(c->cfg, host, &f);
		if (first && (f.mask & ((1u << MC_F_RESET) | (1u << MC_F_REFUSE)))) {
			mc_conn_log(c, r.line, host, 0,
				    f.mask & ((1u << MC_F_RESET) | (1u << MC_F_REFUSE) |
					      (1u << MC_F_FLAKY)),
				    "reset after the request");
			mc_close_rst(c->fd);
			c->fd = -1;
			return;
		}
		if (first && (f.mask & (1u << MC_F_SILENT))) {
			mc_conn_log(c, r.line, host, 0,
				    f.mask & ((1u << MC_F_SILENT) | (1u << MC_F_FLAKY)),
				    "silent: request read, never answered");
			mc_front_silent(c, &f);
			return;
		}
		first = 0;
		if (mc_http_consume(c, &r, mc_now_ms() + c->cfg->to.header_ms)) {
			r.keep_alive = 0;
			mc_http_respond(c, r.chunked ? 411 : 413, NULL, NULL, "", 0, 0, 0,
					mc_now_ms() + 2000);
			mc_conn_log(c, r.line, host, r.chunked ? 411 : 413, 0,
				    "request body refused");
			return;
		}
		if (!mc_front_answer(c, &r, host, r.target, &f, upstream_bad))
			return;
	}
}

void mc_front_http(struct mc_conn *c, const struct mc_faults *faults, const char *connect_host)
{
	serve_requests(c, connect_host, faults, 0);
}

/* after-handshake reset: waits briefly for the request so the client
 * sees the reset while reading the answer. Out of line: its request
 * buffer stays off the stack of every other connection. */
static __attribute__((noinline)) void reset_after_request(struct mc_conn *c, const char *host,
							  unsigned mask)
{
	struct mc_req r;
	mc_http_read_head(c, &r, mc_now_ms() + 2000, 2000);
	mc_conn_log(c, r.line, host, 0, mask & ((1u << MC_F_RESET) | (1u << MC_F_FLAKY)),
		    "reset after the handshake");
	mc_close_rst(c->fd);
	c->fd = -1;
}

void mc_front_https(struct mc_conn *c, const struct mc_faults *faults, const char *connect_host,
		    int intercept)
{
	struct mc_faults f;
	const char *host;
	int64_t t, deadline;
	int rc, upstream_bad = 0;
	const unsigned tls_bad = (1u << MC_F_TLS_FAIL) | (1u << MC_F_WRONG_NAME) |
				 (1u << MC_F_EXPIRED) | (1u << MC_F_INTERCEPT);

	t = mc_now_ms();
	deadline = t + c->cfg->to.handshake_ms;
	rc = read_client_hello(c, deadline);
	if (rc == 0) {
		mc_conn_log(c, NULL, connect_host, 0, 0, "closed or silent before a ClientHello");
		return;
	}
	if (rc < 0) {
		mc_conn_log(c, NULL, connect_host, 0, 0, "not a TLS ClientHello");
		return;
	}
	host = c->sni[0] ? c->sni : connect_host;
	if (faults)
		f = *faults;
	else
		mc_config_take_faults(c->cfg, host, &f);

	if (f.mask & ((1u << MC_F_REFUSE) | (1u << MC_F_RESET)) &&
	    !(f.mask & (1u << MC_F_RESET) && f.reset_after)) {
		/* refuse reached through a catch-all rule: the closest is a reset */
		mc_conn_log(c, NULL, host, 0,
			    f.mask &
				    ((1u << MC_F_REFUSE) | (1u << MC_F_RESET) | (1u << MC_F_FLAKY)),
			    "reset before the handshake");
		mc_close_rst(c->fd);
		c->fd = -1;
		return;
	}
	if (f.mask & (1u << MC_F_SILENT)) {
		mc_conn_log(c, NULL, host, 0, f.mask & ((1u << MC_F_SILENT) | (1u << MC_F_FLAKY)),
			    "silent: ClientHello read, never answered");
		mc_front_silent(c, &f);
		return;
	}
	if (intercept) {
		c->intercepted = 1;
		upstream_bad = (f.mask & tls_bad & ~(1u << MC_F_INTERCEPT)) != 0;
		c->leaf = mc_pki_leaf(&c->srv->pki, MC_LEAF_INTERCEPT,
				      host ? host : "mockcloud.invalid");
	} else if (f.mask & (1u << MC_F_TLS_FAIL)) {
		send_alert(c);
		mc_conn_log(c, NULL, host, 0, f.mask & ((1u << MC_F_TLS_FAIL) | (1u << MC_F_FLAKY)),
			    "handshake_failure alert sent");
		return;
	} else if (f.mask & (1u << MC_F_WRONG_NAME)) {
		c->leaf = mc_pki_leaf(&c->srv->pki, MC_LEAF_GOOD, f.wrong_name);
	} else if (f.mask & (1u << MC_F_EXPIRED)) {
		c->leaf = mc_pki_leaf(&c->srv->pki, MC_LEAF_EXPIRED,
				      host ? host : "mockcloud.invalid");
	} else if (f.mask & (1u << MC_F_INTERCEPT)) {
		c->leaf = mc_pki_leaf(&c->srv->pki, MC_LEAF_INTERCEPT,
				      host ? host : "mockcloud.invalid");
	} else {
		c->leaf =
			mc_pki_leaf(&c->srv->pki, MC_LEAF_GOOD, host ? host : "mockcloud.invalid");
	}

	mbedtls_ssl_init(&c->ssl);
	c->ssl_setup = 1;
	if ((rc = mbedtls_ssl_setup(&c->ssl, &c->srv->tls))) {
		mc_conn_log(c, NULL, host, 0, 0, "out of memory for TLS");
		return;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	c->io_deadline = deadline;
	tl_conn = c;
	mc_ecc_in_handshake(1);
	do
		rc = mbedtls_ssl_handshake(&c->ssl);
	while (rc == MBEDTLS_ERR_SSL_WANT_READ || rc == MBEDTLS_ERR_SSL_WANT_WRITE);
	mc_ecc_in_handshake(0);
	tl_conn = NULL;
	c->t_hs = mc_now_ms() - t;
	if (rc) {
		char e[120], note[160];
		mbedtls_strerror(rc, e, sizeof(e));
		mc_conn_log(c, NULL, host, 0, f.mask & tls_bad,
			    mc_fmt(note, sizeof(note), "handshake failed: %s", e));
		return;
	}
	c->ssl_on = 1;
	if (c->pre_off < c->pre_len) {
		mc_conn_log(c, NULL, host, 0, 0, "data after the ClientHello in its packet");
		return;
	}
	c->pre_len = c->pre_off = 0; /* `in` reuses the memory from here */
	if (f.mask & (1u << MC_F_RESET)) {
		reset_after_request(c, host, f.mask);
		return;
	}
	f.mask &= ~((1u << MC_F_SILENT) | (1u << MC_F_RESET) | (1u << MC_F_REFUSE));
	serve_requests(c, host, &f, upstream_bad);
	if (c->fd >= 0 && c->ssl_on) {
		c->io_deadline = mc_now_ms() + 200;
		mbedtls_ssl_close_notify(&c->ssl);
	}
}
