/* probe.c - all destinations at once, one poll() loop, one deadline.
 *
 * Why one thread and poll() rather than a thread per destination: the
 * probe is I/O bound and small; a state machine per target keeps the run
 * deterministic, needs no locks around mbedTLS's shared config and RNG,
 * costs ~40 KiB per live TLS session instead of a thread stack, and ports
 * to Winsock unchanged (sock.c). The global deadline is a single number
 * every poll() is bounded by, so a blackholed network costs one timeout.
 *
 * Each target walks: CONNECT (TCP) -> [PROXY: CONNECT host:443 request and
 * its reply] -> [TLS handshake and chain check] -> HTTP request -> reply
 * headers -> DONE. Buffers are fixed-size: nothing a server sends can make
 * memory grow.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "platform.h" /* DX_PRINTF */
#include "probe.h"
#include "probe_parse.h"
#include "sock.h"

#define IN_CAP 8192   /* reply headers (+ a little block-page body) */
#define BODY_CAP 4096 /* block-page body we read for its <title> */
#define OUT_CAP 1024  /* one request */
#define DEFAULT_ACTIVE 128

enum phase {
	PH_CONNECT,
	PH_PROXY_SEND,
	PH_PROXY_RECV,
	PH_TLS,
	PH_HTTP_SEND,
	PH_HTTP_RECV,
	PH_DONE,
};
static const char *const phase_names[] = {
	"connect", "proxy", "proxy", "tls", "http", "http", "done",
};

struct dx_probe_state {
	dx_sock_t s;
	enum phase ph;
	int want;  /* DX_POLL_* this target waits for */
	double t0; /* start of the current phase */
	double t_http;
	char out[OUT_CAP];
	size_t outlen, outoff;
	char in[IN_CAP + 1];
	size_t inlen;
	size_t hdr_end;            /* 0 until "\r\n\r\n" seen */
	size_t body_want;          /* body bytes worth waiting for */
	size_t pend_off, pend_len; /* bytes after the CONNECT reply, for TLS */
	mbedtls_ssl_context ssl;
	int ssl_live;
	enum dx_sock_rc io_rc; /* what the socket said under mbedTLS */
	char io_err[128];
	int try_idx;         /* the address being tried (p->addrs) */
	double try_deadline; /* its share of the deadline; 0 = the rest */
};

struct engine {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_x509_crt anchors;
	mbedtls_ssl_config conf;
	double deadline; /* the run's, dx_clock_ms() */
};

const char *dx_probe_class_name(enum dx_probe_class c)
{
	static const char *const names[] = {
		"pending",    "ok",           "dns",        "refused",      "reset",
		"timeout",    "proxy-denied", "proxy-auth", "proxy-failed", "tls-intercepted",
		"tls-failed", "http-status",  "not-probed",
	};
	return (unsigned)c < sizeof names / sizeof names[0] ? names[c] : "?";
}

int dx_http_reachable(int status)
{
	return status == 200 || status == 400 || status == 404 || status == 405;
}

void dx_probe_init(struct dx_probe *p)
{
	p->result = DX_PR_PENDING;
	p->phase[0] = p->reason[0] = 0;
	p->http_status = p->proxy_status = 0;
	p->status_line[0] = p->proxy_status_line[0] = 0;
	p->date[0] = 0;
	p->proxy_authenticate[0] = p->proxy_via[0] = p->proxy_title[0] = 0;
	p->proxy_agent[0] = 0;
	p->proxy_connect_failed = 0;
	p->issuer[0] = p->root[0] = p->subject[0] = p->tls_detail[0] = 0;
	memset(p->chain, 0, sizeof p->chain);
	p->chain_len = p->chain_total = 0;
	p->expected_root = -1;
	p->dns_ms = p->connect_ms = p->proxy_ms = p->tls_ms = p->http_ms = -1;
	p->n_tries = 0;
	p->st = NULL;
}

/* ---- finishing ---------------------------------------------------------- */

static void release(struct dx_probe *p)
{
	struct dx_probe_state *st = p->st;
	if (!st)
		return;
	if (st->ssl_live)
		mbedtls_ssl_free(&st->ssl);
	dx_sock_close(st->s);
	free(st);
	p->st = NULL;
}

static void finish(struct dx_probe *p, enum dx_probe_class c, const char *fmt, ...) DX_PRINTF(3, 4);
static void finish(struct dx_probe *p, enum dx_probe_class c, const char *fmt, ...)
{
	va_list ap;
	p->result = c;
	if (p->st)
		snprintf(p->phase, sizeof p->phase, "%s", phase_names[p->st->ph]);
	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof p->reason, fmt, ap);
	va_end(ap);
	if (p->st)
		p->st->ph = PH_DONE;
	release(p);
}

static double since(double t0)
{
	double d = dx_clock_ms() - t0;
	return d < 0 ? 0 : (double)(long)(d * 10 + 0.5) / 10; /* 0.1 ms */
}

/* A socket-level failure in a phase, as a class. */
static void fail_io(struct dx_probe *p, enum dx_sock_rc rc, const char *err)
{
	const char *ph = phase_names[p->st->ph];
	switch (rc) {
	case DX_SOCK_REFUSED: finish(p, DX_PR_REFUSED, "%s: connection refused", ph); break;
	case DX_SOCK_RESET: finish(p, DX_PR_RESET, "%s: connection reset by peer", ph); break;
	case DX_SOCK_CLOSED:
		finish(p, DX_PR_RESET, "%s: connection closed by peer before a reply", ph);
		break;
	case DX_SOCK_TIMEOUT:
		finish(p, DX_PR_TIMEOUT, "%s: %s", ph, err && *err ? err : "timed out");
		break;
	default: finish(p, DX_PR_REFUSED, "%s: %s", ph, err && *err ? err : "socket error"); break;
	}
}

/* ---- every address --------------------------------------------------------
 *
 * WinHTTP "only attempts once per Internet Protocol (IP) address" of a
 * multihomed host, the first WINHTTP_OPTION_CONNECT_RETRIES (default five)
 * in the order name resolution returned them, each with its own connect
 * timeout (WinHTTP option flags, WINHTTP_OPTION_CONNECT_RETRIES and
 * WINHTTP_OPTION_CONNECT_TIMEOUT). Here the attempts share the run's one
 * deadline: each gets the time left divided by the attempts left, the last
 * one the rest (docs/connectivity.md "Every address"). */

static int tries_total(const struct dx_probe *p)
{
	return p->n_addrs > 1 ? p->n_addrs : 1;
}

/* Records how the current attempt ended (only for several addresses). */
static void note_try(struct dx_probe *p, const char *fmt, ...) DX_PRINTF(2, 3);
static void note_try(struct dx_probe *p, const char *fmt, ...)
{
	struct dx_probe_try *t;
	va_list ap;
	if (p->n_addrs < 2 || p->n_tries >= DX_PROBE_MAX_TRIES || !p->st)
		return;
	t = &p->tries[p->n_tries++];
	snprintf(t->addr, sizeof t->addr, "%.63s", p->addr);
	va_start(ap, fmt);
	vsnprintf(t->outcome, sizeof t->outcome, fmt, ap);
	va_end(ap);
	t->ms = since(p->st->t0);
}

/* After the verdict of a target whose every address failed: which. */
static void append_tries(struct dx_probe *p)
{
	size_t o = strlen(p->reason);
	if (p->n_tries < 2)
		return;
	o += (size_t)snprintf(p->reason + o, o < sizeof p->reason ? sizeof p->reason - o : 0,
			      " (every address tried:");
	for (int i = 0; i < p->n_tries && o < sizeof p->reason; i++)
		o += (size_t)snprintf(p->reason + o, sizeof p->reason - o, "%s %s%s%s %s",
				      i ? ";" : "", strchr(p->tries[i].addr, ':') ? "[" : "",
				      p->tries[i].addr, strchr(p->tries[i].addr, ':') ? "]" : "",
				      p->tries[i].outcome);
	if (o < sizeof p->reason)
		snprintf(p->reason + o, sizeof p->reason - o, ")");
}

/* Starts the connection to the address st->try_idx. */
static enum dx_sock_rc connect_try(struct dx_probe *p, struct engine *e, char *err, size_t errsz)
{
	struct dx_probe_state *st = p->st;
	int left = tries_total(p) - st->try_idx;
	double now = dx_clock_ms();
	if (p->n_addrs > 0)
		snprintf(p->addr, sizeof p->addr, "%s", p->addrs[st->try_idx]);
	st->t0 = now;
	st->try_deadline = left > 1 && e->deadline > now ? now + (e->deadline - now) / left : 0;
	st->s = DX_SOCK_BAD;
	return dx_sock_connect(p->addr, p->addr_port, &st->s, err, errsz);
}

/* The current attempt failed (rc, err): on to the next address. Returns 0
 * when one is connecting (want set), 1 when one connected at once, 2 when
 * none is left and the target is decided. */
static int connect_failed(struct dx_probe *p, struct engine *e, enum dx_sock_rc rc, const char *err)
{
	struct dx_probe_state *st = p->st;
	char why[128];
	snprintf(why, sizeof why, "%s", err ? err : "");
	for (;;) {
		note_try(p, "%s",
			 rc == DX_SOCK_REFUSED ? "connection refused"
			 : why[0]              ? why
					       : "failed");
		if (st->try_idx + 1 >= tries_total(p))
			break;
		dx_sock_close(st->s);
		st->try_idx++;
		why[0] = 0;
		rc = connect_try(p, e, why, sizeof why);
		if (rc == DX_SOCK_AGAIN) {
			st->want = DX_POLL_OUT;
			return 0;
		}
		if (rc == DX_SOCK_OK)
			return 1;
	}
	p->connect_ms = since(st->t0);
	if (p->via_proxy) {
		p->proxy_connect_failed = 1;
		finish(p, DX_PR_PROXY_FAILED, "proxy %s:%d unreachable: %s", p->addr, p->addr_port,
		       rc == DX_SOCK_REFUSED ? "connection refused" : why);
	} else {
		fail_io(p, rc, why);
	}
	append_tries(p);
	return 2;
}

/* ---- the steps ---------------------------------------------------------- */

static void build(struct dx_probe_state *st, const char *fmt, ...) DX_PRINTF(2, 3);
static void build(struct dx_probe_state *st, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = vsnprintf(st->out, sizeof st->out, fmt, ap);
	va_end(ap);
	st->outlen = n < 0 ? 0 : (size_t)n >= sizeof st->out ? sizeof st->out - 1 : (size_t)n;
	st->outoff = 0;
}

static void start_http(struct dx_probe *p)
{
	struct dx_probe_state *st = p->st;
	if (p->via_proxy && !p->tls) {
		/* Plain HTTP through a proxy: absolute-form request line. */
		char hostport[300];
		if (p->port == 80)
			snprintf(hostport, sizeof hostport, "%s", p->host);
		else
			snprintf(hostport, sizeof hostport, "%s:%d", p->host, p->port);
		build(st,
		      "GET http://%s%s HTTP/1.1\r\nHost: %s\r\n"
		      "User-Agent: mdediag-probe\r\nAccept: */*\r\n"
		      "Proxy-Connection: close\r\nConnection: close\r\n\r\n",
		      hostport, p->path, hostport);
	} else {
		int dflt = p->tls ? 443 : 80;
		if (p->port == dflt)
			build(st,
			      "GET %s HTTP/1.1\r\nHost: %s\r\n"
			      "User-Agent: mdediag-probe\r\nAccept: */*\r\n"
			      "Connection: close\r\n\r\n",
			      p->path, p->host);
		else
			build(st,
			      "GET %s HTTP/1.1\r\nHost: %s:%d\r\n"
			      "User-Agent: mdediag-probe\r\nAccept: */*\r\n"
			      "Connection: close\r\n\r\n",
			      p->path, p->host, p->port);
	}
	st->ph = PH_HTTP_SEND;
	st->t_http = dx_clock_ms();
	st->inlen = st->hdr_end = st->body_want = 0;
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	struct dx_probe_state *st = ctx;
	size_t n;
	enum dx_sock_rc rc = dx_sock_send(st->s, buf, len, &n, st->io_err, sizeof st->io_err);
	if (rc == DX_SOCK_OK)
		return (int)n;
	if (rc == DX_SOCK_AGAIN)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	st->io_rc = rc;
	return rc == DX_SOCK_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	struct dx_probe_state *st = ctx;
	size_t n;
	enum dx_sock_rc rc;
	if (st->pend_len) { /* bytes the proxy sent right after its 200 */
		n = len < st->pend_len ? len : st->pend_len;
		memcpy(buf, st->in + st->pend_off, n);
		st->pend_off += n;
		st->pend_len -= n;
		return (int)n;
	}
	rc = dx_sock_recv(st->s, buf, len, &n, st->io_err, sizeof st->io_err);
	if (rc == DX_SOCK_OK)
		return (int)n;
	if (rc == DX_SOCK_AGAIN)
		return MBEDTLS_ERR_SSL_WANT_READ;
	st->io_rc = rc;
	if (rc == DX_SOCK_CLOSED)
		return 0;
	return rc == DX_SOCK_RESET ? MBEDTLS_ERR_NET_CONN_RESET : MBEDTLS_ERR_NET_RECV_FAILED;
}

static int start_tls(struct dx_probe *p, struct engine *e)
{
	struct dx_probe_state *st = p->st;
	int r;
	mbedtls_ssl_init(&st->ssl);
	st->ssl_live = 1;
	if ((r = mbedtls_ssl_setup(&st->ssl, &e->conf)) != 0 ||
	    (r = mbedtls_ssl_set_hostname(&st->ssl, p->host)) != 0) {
		char buf[100];
		mbedtls_strerror(r, buf, sizeof buf);
		st->ph = PH_TLS;
		finish(p, DX_PR_NOT_PROBED, "TLS setup failed: %s", buf);
		return -1;
	}
	mbedtls_ssl_set_bio(&st->ssl, st, bio_send, bio_recv, NULL);
	st->ph = PH_TLS;
	st->t0 = dx_clock_ms();
	return 0;
}

static void x509_time(char out[24], const mbedtls_x509_time *t)
{
	unsigned y = (unsigned)t->year % 10000u, mo = (unsigned)t->mon % 100u,
		 d = (unsigned)t->day % 100u, h = (unsigned)t->hour % 100u,
		 mi = (unsigned)t->min % 100u, s = (unsigned)t->sec % 100u;
	snprintf(out, 24, "%04u-%02u-%02uT%02u:%02u:%02uZ", y, mo, d, h, mi, s);
}

static void hex_id(char *out, size_t outsz, const unsigned char *b, size_t n)
{
	size_t o = 0;
	out[0] = 0;
	for (size_t i = 0; i < n && o + 3 <= outsz; i++)
		o += (size_t)snprintf(out + o, outsz - o, "%02x", b[i]);
}

/* Subject and authority key identifiers from the raw v3 extensions
 * (mbedTLS 2.28 does not decode them): Extensions ::= SEQUENCE OF
 * SEQUENCE { extnID OID, critical BOOLEAN OPTIONAL, extnValue OCTET STRING }.
 * Anything malformed is skipped: these are evidence, not a verdict. */
static void key_ids(const mbedtls_x509_crt *c, struct dx_cert_info *ci)
{
	static const unsigned char ski_oid[] = {0x55, 0x1d, 0x0e}, aki_oid[] = {0x55, 0x1d, 0x23};
	unsigned char *q = c->v3_ext.p, *end = q + c->v3_ext.len, *e_end;
	size_t len;
	if (!q || !c->v3_ext.len)
		return;
	/* v3_ext is [3] { SEQUENCE OF Extension }: step into the sequence */
	if (*q == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | MBEDTLS_ASN1_CONSTRUCTED | 3) &&
	    mbedtls_asn1_get_tag(&q, end, &len, *q))
		return;
	if (mbedtls_asn1_get_tag(&q, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
		return;
	end = q + len;
	while (q < end) {
		unsigned char *oid, *val;
		size_t oidlen, vlen;
		if (mbedtls_asn1_get_tag(&q, end, &len,
					 MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE))
			return;
		e_end = q + len;
		if (mbedtls_asn1_get_tag(&q, e_end, &oidlen, MBEDTLS_ASN1_OID))
			return;
		oid = q;
		q += oidlen;
		if (q < e_end && *q == MBEDTLS_ASN1_BOOLEAN &&
		    mbedtls_asn1_get_tag(&q, e_end, &len, MBEDTLS_ASN1_BOOLEAN) == 0)
			q += len;
		if (mbedtls_asn1_get_tag(&q, e_end, &vlen, MBEDTLS_ASN1_OCTET_STRING))
			return;
		val = q;
		if (oidlen == 3 && memcmp(oid, ski_oid, 3) == 0) {
			unsigned char *v = val;
			if (mbedtls_asn1_get_tag(&v, val + vlen, &len, MBEDTLS_ASN1_OCTET_STRING) ==
			    0)
				hex_id(ci->ski, sizeof ci->ski, v, len);
		} else if (oidlen == 3 && memcmp(oid, aki_oid, 3) == 0) {
			unsigned char *v = val;
			if (mbedtls_asn1_get_tag(&v, val + vlen, &len,
						 MBEDTLS_ASN1_CONSTRUCTED |
							 MBEDTLS_ASN1_SEQUENCE) == 0 &&
			    mbedtls_asn1_get_tag(&v, val + vlen, &len,
						 MBEDTLS_ASN1_CONTEXT_SPECIFIC | 0) == 0)
				hex_id(ci->aki, sizeof ci->aki, v, len);
		}
		q = e_end;
	}
}

/* Each presented certificate (bounded), for the collected file; the leaf
 * subject, issuer and top of chain come from dx_tls_chain_facts. */
static void chain_facts(struct dx_probe *p)
{
	const mbedtls_x509_crt *c = mbedtls_ssl_get_peer_cert(&p->st->ssl);
	if (!c)
		return;
	for (const mbedtls_x509_crt *k = c; k && k->raw.len; k = k->next) {
		if (p->chain_len < DX_PROBE_MAX_CHAIN) {
			struct dx_cert_info *ci = &p->chain[p->chain_len++];
			mbedtls_x509_dn_gets(ci->subject, sizeof ci->subject, &k->subject);
			mbedtls_x509_dn_gets(ci->issuer, sizeof ci->issuer, &k->issuer);
			x509_time(ci->not_before, &k->valid_from);
			x509_time(ci->not_after, &k->valid_to);
			key_ids(k, ci);
		}
		p->chain_total++;
	}
}

static void after_handshake(struct dx_probe *p)
{
	struct dx_probe_state *st = p->st;
	uint32_t flags = mbedtls_ssl_get_verify_result(&st->ssl);
	p->tls_ms = since(st->t0);
	dx_tls_chain_facts(mbedtls_ssl_get_peer_cert(&st->ssl), p->subject, sizeof p->subject,
			   p->issuer, sizeof p->issuer, p->root, sizeof p->root);
	chain_facts(p);
	p->expected_root =
		!(flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING |
			   MBEDTLS_X509_BADCERT_SKIP_VERIFY));
	if (flags) {
		char reason[sizeof p->reason];
		enum dx_probe_class c = dx_tls_classify(flags, p, reason, sizeof reason);
		finish(p, c, "%s", reason);
		return;
	}
	start_http(p);
}

static void handshake_failed(struct dx_probe *p, int r)
{
	struct dx_probe_state *st = p->st;
	char buf[120];
	p->tls_ms = since(st->t0);
	if (st->io_rc == DX_SOCK_RESET) {
		finish(p, DX_PR_RESET, "tls: connection reset during the handshake");
		return;
	}
	if (st->io_rc == DX_SOCK_CLOSED || r == MBEDTLS_ERR_SSL_CONN_EOF) {
		/* dropped without a TLS alert: what a filtering middlebox does
		 * (a TLS server that refuses the handshake sends an alert); on
		 * some stacks (Wine) an RST also reads as a plain close */
		finish(p, DX_PR_RESET,
		       "tls: connection closed during the handshake, without a TLS alert");
		return;
	}
	if (st->io_rc != DX_SOCK_OK && st->io_rc != DX_SOCK_AGAIN) {
		fail_io(p, st->io_rc, st->io_err);
		return;
	}
	mbedtls_strerror(r, buf, sizeof buf);
	finish(p, DX_PR_TLS_FAILED, "handshake failure: %s (-0x%04x)", buf, (unsigned)-r);
}

/* Reads into st->in; returns 1 when headers are complete (or the peer
 * closed), 0 to wait, -1 when the target was finished with an error. */
static int read_reply(struct dx_probe *p, int tls)
{
	struct dx_probe_state *st = p->st;
	for (;;) {
		size_t room = IN_CAP - st->inlen, n = 0;
		int r;
		if (room == 0)
			return 1;
		if (tls) {
			r = mbedtls_ssl_read(&st->ssl, (unsigned char *)st->in + st->inlen, room);
			if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE) {
				st->want =
					r == MBEDTLS_ERR_SSL_WANT_READ ? DX_POLL_IN : DX_POLL_OUT;
				return 0;
			}
			if (r == 0 || r == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY ||
			    r == MBEDTLS_ERR_SSL_CONN_EOF)
				return 1;
			if (r < 0) {
				if (st->io_rc == DX_SOCK_RESET || st->inlen == 0) {
					if (st->io_rc != DX_SOCK_OK && st->io_rc != DX_SOCK_AGAIN)
						fail_io(p, st->io_rc, st->io_err);
					else {
						char buf[100];
						mbedtls_strerror(r, buf, sizeof buf);
						finish(p, DX_PR_RESET, "http: TLS read failed: %s",
						       buf);
					}
					return -1;
				}
				return 1;
			}
			n = (size_t)r;
		} else {
			enum dx_sock_rc rc = dx_sock_recv(st->s, st->in + st->inlen, room, &n,
							  st->io_err, sizeof st->io_err);
			if (rc == DX_SOCK_AGAIN) {
				st->want = DX_POLL_IN;
				return 0;
			}
			if (rc == DX_SOCK_CLOSED)
				return 1;
			if (rc != DX_SOCK_OK) {
				if (st->inlen && rc == DX_SOCK_RESET)
					return 1; /* a reset after the reply still counts */
				fail_io(p, rc, st->io_err);
				return -1;
			}
		}
		st->inlen += n;
		st->in[st->inlen] = 0;
		if (!st->hdr_end) {
			char *e = dx_http_head_end(st->in, st->inlen);
			if (e) {
				long cl;
				st->hdr_end = (size_t)(e - st->in) + 4;
				cl = dx_http_content_length(st->in, st->hdr_end);
				st->body_want = cl < 0                  ? 0
						: (size_t)cl > BODY_CAP ? BODY_CAP
									: (size_t)cl;
			}
		}
		if (st->hdr_end && st->inlen - st->hdr_end >= st->body_want)
			return 1;
	}
}

/* Records the proxy's non-2xx reply and classifies it. */
static void proxy_refused(struct dx_probe *p)
{
	struct dx_probe_state *st = p->st;
	size_t hdr = st->hdr_end ? st->hdr_end : st->inlen;
	p->proxy_status = dx_http_status(st->in, st->inlen, p->proxy_status_line,
					 sizeof p->proxy_status_line);
	dx_http_header_values(st->in, hdr, "Proxy-Authenticate", p->proxy_authenticate,
			      sizeof p->proxy_authenticate);
	dx_http_header_values(st->in, hdr, "Via", p->proxy_via, sizeof p->proxy_via);
	dx_http_header_values(st->in, hdr, "Proxy-Agent", p->proxy_agent, sizeof p->proxy_agent);
	if (st->hdr_end)
		dx_html_title(st->in + st->hdr_end, st->inlen - st->hdr_end, p->proxy_title,
			      sizeof p->proxy_title);
	if (p->proxy_status == 407)
		finish(p, DX_PR_PROXY_AUTH, "proxy requires authentication: %s",
		       p->proxy_status_line);
	else if (p->proxy_status == 403)
		finish(p, DX_PR_PROXY_DENIED, "proxy denied the request: %s%s%s",
		       p->proxy_status_line, p->proxy_title[0] ? " - " : "", p->proxy_title);
	else if (p->proxy_status)
		finish(p, DX_PR_PROXY_FAILED, "proxy answered %s", p->proxy_status_line);
	else
		finish(p, DX_PR_PROXY_FAILED, "proxy sent no HTTP status line (\"%s\")",
		       p->proxy_status_line);
}

static void http_done(struct dx_probe *p)
{
	struct dx_probe_state *st = p->st;
	int code;
	p->http_ms = since(st->t_http);
	code = dx_http_status(st->in, st->inlen, p->status_line, sizeof p->status_line);
	if (!code) {
		if (st->inlen == 0)
			finish(p, DX_PR_RESET, "http: connection closed before an HTTP reply");
		else
			finish(p, DX_PR_HTTP_STATUS, "http: not an HTTP reply (\"%s\")",
			       p->status_line);
		return;
	}
	if (p->via_proxy && !p->tls &&
	    (code == 403 || code == 407 || code == 502 || code == 503 || code == 504)) {
		/* Plain HTTP through a proxy: these are the proxy's words. */
		p->proxy_ms = p->http_ms;
		proxy_refused(p);
		return;
	}
	p->http_status = code;
	dx_http_header_values(st->in, st->hdr_end ? st->hdr_end : st->inlen, "Date", p->date,
			      sizeof p->date);
	if (dx_http_reachable(code))
		finish(p, DX_PR_OK, "%s", "");
	else
		finish(p, DX_PR_HTTP_STATUS, "unexpected HTTP status: %s", p->status_line);
}

/* Advances one target as far as it can go without blocking. */
static void step(struct dx_probe *p, struct engine *e, int got)
{
	struct dx_probe_state *st;
	while ((st = p->st) != NULL) {
		switch (st->ph) {
		case PH_CONNECT: {
			enum dx_sock_rc rc;
			if (!(got & (DX_POLL_OUT | DX_POLL_ERR))) {
				st->want = DX_POLL_OUT;
				return;
			}
			rc = dx_sock_connected(st->s, st->io_err, sizeof st->io_err);
			p->connect_ms = since(st->t0);
			if (rc != DX_SOCK_OK) {
				int r = connect_failed(p, e, rc, st->io_err);
				if (r == 1) {
					got = DX_POLL_OUT;
					continue;
				}
				return;
			}
			note_try(p, "ok");
			st->try_deadline = 0;
			st->t0 = dx_clock_ms();
			if (p->via_proxy && p->tls) {
				build(st,
				      "CONNECT %s:%d HTTP/1.1\r\nHost: %s:%d\r\n"
				      "User-Agent: mdediag-probe\r\n"
				      "Proxy-Connection: Keep-Alive\r\n\r\n",
				      p->host, p->port, p->host, p->port);
				st->ph = PH_PROXY_SEND;
			} else if (p->tls) {
				if (start_tls(p, e))
					return;
			} else {
				start_http(p);
			}
			got = DX_POLL_OUT;
			break;
		}
		case PH_PROXY_SEND:
		case PH_HTTP_SEND: {
			int r;
			size_t n = 0;
			if (st->ph == PH_HTTP_SEND && p->tls) {
				r = mbedtls_ssl_write(&st->ssl,
						      (unsigned char *)st->out + st->outoff,
						      st->outlen - st->outoff);
				if (r == MBEDTLS_ERR_SSL_WANT_WRITE ||
				    r == MBEDTLS_ERR_SSL_WANT_READ) {
					st->want = r == MBEDTLS_ERR_SSL_WANT_READ ? DX_POLL_IN
										  : DX_POLL_OUT;
					return;
				}
				if (r < 0) {
					fail_io(p,
						st->io_rc == DX_SOCK_OK ? DX_SOCK_RESET : st->io_rc,
						st->io_err);
					return;
				}
				n = (size_t)r;
			} else {
				enum dx_sock_rc rc = dx_sock_send(st->s, st->out + st->outoff,
								  st->outlen - st->outoff, &n,
								  st->io_err, sizeof st->io_err);
				if (rc == DX_SOCK_AGAIN) {
					st->want = DX_POLL_OUT;
					return;
				}
				if (rc != DX_SOCK_OK) {
					fail_io(p, rc, st->io_err);
					return;
				}
			}
			st->outoff += n;
			if (st->outoff < st->outlen)
				continue;
			st->ph = st->ph == PH_PROXY_SEND ? PH_PROXY_RECV : PH_HTTP_RECV;
			st->inlen = st->hdr_end = st->body_want = 0;
			st->want = DX_POLL_IN;
			return; /* wait for the reply */
		}
		case PH_PROXY_RECV: {
			int r = read_reply(p, 0);
			if (r <= 0) {
				if (r < 0 && p->result == DX_PR_RESET)
					p->result = DX_PR_PROXY_FAILED; /* the proxy dropped us */
				return;
			}
			p->proxy_ms = since(st->t0);
			{
				char line[128];
				int code = dx_http_status(st->in, st->inlen, line, sizeof line);
				if (code >= 200 && code < 300 && st->hdr_end) {
					p->proxy_status = code;
					snprintf(p->proxy_status_line, sizeof p->proxy_status_line,
						 "%s", line);
					dx_http_header_values(st->in, st->hdr_end, "Via",
							      p->proxy_via, sizeof p->proxy_via);
					dx_http_header_values(st->in, st->hdr_end, "Proxy-Agent",
							      p->proxy_agent,
							      sizeof p->proxy_agent);
					st->pend_off = st->hdr_end;
					st->pend_len = st->inlen - st->hdr_end;
					if (start_tls(p, e))
						return;
					got = DX_POLL_OUT | DX_POLL_IN;
					break;
				}
				if (st->inlen == 0) {
					finish(p, DX_PR_PROXY_FAILED,
					       "proxy closed the connection without answering "
					       "CONNECT");
					return;
				}
				proxy_refused(p);
				return;
			}
		}
		case PH_TLS: {
			int r = mbedtls_ssl_handshake(&st->ssl);
			if (r == MBEDTLS_ERR_SSL_WANT_READ) {
				st->want = DX_POLL_IN;
				return;
			}
			if (r == MBEDTLS_ERR_SSL_WANT_WRITE) {
				st->want = DX_POLL_OUT;
				return;
			}
			if (r != 0) {
				handshake_failed(p, r);
				return;
			}
			after_handshake(p);
			got = DX_POLL_OUT;
			break;
		}
		case PH_HTTP_RECV: {
			int r = read_reply(p, p->tls);
			if (r <= 0)
				return;
			http_done(p);
			return;
		}
		case PH_DONE: return;
		}
	}
}

static void begin(struct dx_probe *p, struct engine *e)
{
	struct dx_probe_state *st;
	enum dx_sock_rc rc;
	char err[128] = "";

	st = calloc(1, sizeof *st);
	if (!st) {
		finish(p, DX_PR_NOT_PROBED, "out of memory");
		return;
	}
	st->s = DX_SOCK_BAD;
	st->ph = PH_CONNECT;
	st->t0 = dx_clock_ms();
	p->st = st;
	if (p->n_addrs > DX_PROBE_MAX_TRIES)
		p->n_addrs = DX_PROBE_MAX_TRIES;
	rc = connect_try(p, e, err, sizeof err);
	if (rc == DX_SOCK_AGAIN) {
		st->want = DX_POLL_OUT;
		return;
	}
	if (rc != DX_SOCK_OK && connect_failed(p, e, rc, err) != 1)
		return;
	step(p, e, DX_POLL_OUT);
}

/* Classifies whatever is still running when the deadline passes. */
static void expire(struct dx_probe *p, int timeout_ms)
{
	struct dx_probe_state *st = p->st;
	double t = since(st->t0);
	switch (st->ph) {
	case PH_CONNECT:
		p->connect_ms = t;
		note_try(p, "no TCP answer before the deadline");
		if (p->via_proxy) {
			p->proxy_connect_failed = 1;
			finish(p, DX_PR_PROXY_FAILED,
			       "proxy %s:%d unreachable: no TCP answer within %d ms", p->addr,
			       p->addr_port, timeout_ms);
		} else {
			finish(p, DX_PR_TIMEOUT, "connect: no TCP answer within %d ms", timeout_ms);
		}
		append_tries(p);
		return;
	case PH_PROXY_SEND:
	case PH_PROXY_RECV:
		p->proxy_ms = t;
		finish(p, DX_PR_TIMEOUT, "proxy: no reply to CONNECT within %d ms", timeout_ms);
		return;
	case PH_TLS:
		p->tls_ms = t;
		finish(p, DX_PR_TIMEOUT, "tls: handshake not finished within %d ms", timeout_ms);
		return;
	default:
		p->http_ms = since(st->t_http);
		finish(p, DX_PR_TIMEOUT, "http: no complete reply within %d ms", timeout_ms);
		return;
	}
}

/* Runs targets [0, n) until all are done or the deadline passes. */
static void run_loop(struct dx_probe *t, size_t n, struct engine *e,
		     const struct dx_probe_config *cfg, size_t max_active)
{
	int timeout_ms = cfg->timeout_ms;
	int named_ms = cfg->report_ms > 0 ? cfg->report_ms : timeout_ms;
	struct dx_pollfd *fds = calloc(max_active, sizeof *fds);
	size_t *idx = calloc(max_active, sizeof *idx);
	double deadline = dx_clock_ms() + timeout_ms;
	size_t next = 0;

	e->deadline = deadline;
	if (!fds || !idx) {
		for (size_t i = 0; i < n; i++)
			if (t[i].result == DX_PR_PENDING)
				finish(&t[i], DX_PR_NOT_PROBED, "out of memory");
		goto out;
	}
	for (;;) {
		size_t active = 0, nf = 0;
		double now;
		int wait;
		for (size_t i = 0; i < n; i++)
			active += t[i].st != NULL;
		while (next < n && active < max_active) {
			if (t[next].result == DX_PR_PENDING) {
				begin(&t[next], e);
				active += t[next].st != NULL;
			}
			next++;
		}
		/* an address whose share of the deadline is over: the next one */
		now = dx_clock_ms();
		for (size_t i = 0; i < n; i++) {
			struct dx_probe_state *st = t[i].st;
			char why[64];
			if (!st || st->ph != PH_CONNECT || !st->try_deadline ||
			    now < st->try_deadline)
				continue;
			snprintf(why, sizeof why, "no TCP answer in its share of the deadline");
			t[i].connect_ms = since(st->t0);
			if (connect_failed(&t[i], e, DX_SOCK_TIMEOUT, why) == 1)
				step(&t[i], e, DX_POLL_OUT);
		}
		for (size_t i = 0; i < n && nf < max_active; i++) {
			if (!t[i].st)
				continue;
			fds[nf].s = t[i].st->s;
			fds[nf].want = t[i].st->want;
			idx[nf++] = i;
		}
		if (nf == 0 && next >= n)
			break;
		now = dx_clock_ms();
		if (now >= deadline) {
			for (size_t i = 0; i < n; i++) {
				if (t[i].st)
					expire(&t[i], named_ms);
				else if (t[i].result == DX_PR_PENDING)
					finish(&t[i], DX_PR_TIMEOUT,
					       "not started before the deadline (%d ms)", named_ms);
			}
			break;
		}
		wait = (int)(deadline - now) + 1;
		for (size_t k = 0; k < nf; k++) {
			const struct dx_probe_state *st = t[idx[k]].st;
			if (st && st->ph == PH_CONNECT && st->try_deadline &&
			    (int)(st->try_deadline - now) + 1 < wait)
				wait = st->try_deadline > now ? (int)(st->try_deadline - now) + 1
							      : 0;
		}
		/* wake a few times a second for the caller's progress */
		if (wait > 250)
			wait = 250;
		if (cfg->progress) {
			size_t done = 0;
			for (size_t i = 0; i < n; i++)
				done += t[i].result != DX_PR_PENDING;
			cfg->progress(cfg->progress_user, done, n, deadline - now);
		}
		if (dx_sock_poll(fds, nf, wait) < 0) {
			/* a poll that fails fails again: retrying would spin
			 * until the deadline (the sockets stay as they are) */
			char why[200];
			dx_sock_poll_error(why, sizeof why);
			for (size_t k = 0; k < nf; k++)
				if (t[idx[k]].st)
					finish(&t[idx[k]], DX_PR_NOT_PROBED, "%s", why);
			continue;
		}
		for (size_t k = 0; k < nf; k++)
			if (fds[k].got && t[idx[k]].st)
				step(&t[idx[k]], e, fds[k].got);
	}
out:
	free(fds);
	free(idx);
}

static int engine_init(struct engine *e, const struct dx_probe_config *cfg, char *err, size_t errsz)
{
	static const char pers[] = "mdediag-probe";
	int r;
	mbedtls_entropy_init(&e->entropy);
	mbedtls_ctr_drbg_init(&e->drbg);
	mbedtls_x509_crt_init(&e->anchors);
	mbedtls_ssl_config_init(&e->conf);
	r = mbedtls_ctr_drbg_seed(&e->drbg, mbedtls_entropy_func, &e->entropy,
				  (const unsigned char *)pers, sizeof pers - 1);
	if (r) {
		snprintf(err, errsz, "random generator could not be seeded (-0x%04x)",
			 (unsigned)-r);
		return -1;
	}
	r = cfg->anchors_pem
		    ? mbedtls_x509_crt_parse(&e->anchors, (const unsigned char *)cfg->anchors_pem,
					     cfg->anchors_len)
		    : -1;
	/* r > 0 means some certificates were skipped; usable if any parsed. */
	if (r < 0 || e->anchors.raw.len == 0) {
		snprintf(err, errsz, "no expected root certificate could be parsed");
		return -1;
	}
	r = mbedtls_ssl_config_defaults(&e->conf, MBEDTLS_SSL_IS_CLIENT,
					MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT);
	if (r) {
		snprintf(err, errsz, "TLS configuration failed (-0x%04x)", (unsigned)-r);
		return -1;
	}
	/* OPTIONAL: finish the handshake even when the chain is not ours, so
	 * the presented issuer can be named; the verdict is taken after. */
	mbedtls_ssl_conf_authmode(&e->conf, MBEDTLS_SSL_VERIFY_OPTIONAL);
	mbedtls_ssl_conf_ca_chain(&e->conf, &e->anchors, NULL);
	mbedtls_ssl_conf_rng(&e->conf, mbedtls_ctr_drbg_random, &e->drbg);
	mbedtls_ssl_conf_min_version(&e->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	return 0;
}

static void engine_free(struct engine *e)
{
	mbedtls_ssl_config_free(&e->conf);
	mbedtls_x509_crt_free(&e->anchors);
	mbedtls_ctr_drbg_free(&e->drbg);
	mbedtls_entropy_free(&e->entropy);
}

int dx_probe_run(struct dx_probe *t, size_t n, const struct dx_probe_config *cfg, char *err,
		 size_t errsz)
{
	struct engine *e = calloc(1, sizeof *e);
	size_t max_active = cfg->max_active ? cfg->max_active : DEFAULT_ACTIVE;
	char buf[200];
	int rc = 0;

	if (!err)
		err = buf, errsz = sizeof buf;
	err[0] = 0;
	if (max_active > 200)
		max_active = 200;
	if (!e || dx_sock_startup() || engine_init(e, cfg, err, errsz)) {
		if (!err[0])
			snprintf(err, errsz, "probe could not start");
		for (size_t i = 0; i < n; i++)
			if (t[i].result == DX_PR_PENDING) {
				t[i].result = DX_PR_NOT_PROBED;
				snprintf(t[i].reason, sizeof t[i].reason, "%s", err);
			}
		rc = -1;
		goto out;
	}
	if (cfg->serial) {
		for (size_t i = 0; i < n; i++)
			run_loop(&t[i], 1, e, cfg, 1);
	} else {
		run_loop(t, n, e, cfg, max_active);
	}
out:
	if (e)
		engine_free(e);
	free(e);
	return rc;
}
