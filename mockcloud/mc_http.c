/* mc_http.c - bounded HTTP/1.1 for the data plane: stream I/O over a plain
 * or TLS socket, request-head parsing, responses.
 *
 * Why not libmicrohttpd here: faults act between bytes (reset after the
 * request line, silence, throttled writes) and the proxy must see raw
 * bytes anyway, so one small parser serves origin, proxy and interception;
 * MHD serves the control API (mc_control.c). */
#include "hostport.h"
#include "mc_conn.h"
#include "mc_util.h"

#include <ctype.h>
#include <errno.h>
#include <mbedtls/net_sockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

ssize_t mc_conn_read(struct mc_conn *c, void *buf, size_t len, int64_t deadline)
{
	if (c->ssl_on) {
		c->io_deadline = deadline;
		for (;;) {
			int n = mbedtls_ssl_read(&c->ssl, buf, len);
			if (n >= 0)
				return n;
			if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE)
				continue;
			if (n == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY || n == MBEDTLS_ERR_SSL_CONN_EOF)
				return 0;
			return -1;
		}
	}
	if (c->pre_off < c->pre_len) {
		size_t n = c->pre_len - c->pre_off;
		if (n > len)
			n = len;
		memcpy(buf, c->pre + c->pre_off, n);
		c->pre_off += n;
		return (ssize_t)n;
	}
	return mc_read(c->fd, buf, len, deadline);
}

static int raw_write(struct mc_conn *c, const unsigned char *p, size_t len, int64_t deadline)
{
	if (!c->ssl_on)
		return mc_write_all(c->fd, p, len, deadline);
	c->io_deadline = deadline;
	while (len > 0) {
		int n = mbedtls_ssl_write(&c->ssl, p, len);
		if (n == MBEDTLS_ERR_SSL_WANT_READ || n == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int mc_conn_write(struct mc_conn *c, const void *buf, size_t len, int bytes_per_sec,
		  int64_t deadline)
{
	const unsigned char *p = buf;
	size_t chunk;
	if (bytes_per_sec <= 0)
		return raw_write(c, p, len, deadline);
	/* Ten slices a second; each slice waits for its due time. */
	chunk = (size_t)bytes_per_sec / 10;
	if (chunk == 0)
		chunk = 1;
	int64_t start = mc_now_ms();
	size_t sent = 0;
	while (sent < len) {
		size_t n = len - sent < chunk ? len - sent : chunk;
		int64_t due = start + (int64_t)((double)sent * 1000.0 / bytes_per_sec);
		mc_sleep_ms(due - mc_now_ms());
		if (raw_write(c, p + sent, n, deadline))
			return -1;
		sent += n;
	}
	/* The last slice is due too: the whole transfer takes len/bps. */
	mc_sleep_ms(start + (int64_t)((double)len * 1000.0 / bytes_per_sec) - mc_now_ms());
	return 0;
}

const char *mc_http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Status";
	}
}

/* Copies the trimmed value of header line [p, e) into out. */
static void header_value(const char *p, const char *e, char *out, size_t outlen)
{
	size_t n;
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n = (size_t)(e - p);
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

/* Parses the head in c->in[0..head_len). Returns 1 or an error status. */
static int parse_head(const char *in, size_t head_len, struct mc_req *r)
{
	const char *p = in, *end = in + head_len, *eol, *sp1, *sp2;
	char val[600];

	if (memchr(in, 0, head_len))
		return 400; /* a NUL would cut the method, target or a header */
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		return 400;
	{
		size_t n = (size_t)(eol - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		snprintf(r->line, sizeof(r->line), "%.*s", (int)n, p);
		for (char *q = r->line; *q; q++)
			if ((unsigned char)*q < 0x20 || (unsigned char)*q == 0x7f)
				*q = '?';
	}
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	if (!sp1 || sp1 == p || (size_t)(sp1 - p) >= sizeof(r->method))
		return 400;
	sp2 = memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1));
	if (!sp2 || sp2 == sp1 + 1)
		return 400;
	if ((size_t)(sp2 - sp1 - 1) >= sizeof(r->target))
		return 414;
	memcpy(r->method, p, (size_t)(sp1 - p));
	r->method[sp1 - p] = 0;
	for (char *q = r->method; *q; q++)
		if (!isupper((unsigned char)*q))
			return 400;
	memcpy(r->target, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	r->target[sp2 - sp1 - 1] = 0;
	for (char *q = r->target; *q; q++)
		if ((unsigned char)*q <= 0x20 || (unsigned char)*q == 0x7f)
			return 400;
	if (strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)sp2[8]) ||
	    (sp2[9] != '\r' && sp2[9] != '\n'))
		return 400;
	r->minor = sp2[8] - '0';
	r->keep_alive = r->minor >= 1;
	r->content_length = -1;

	for (p = eol + 1; p < end; p = eol + 1) {
		const char *colon, *le;
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			return 400;
		le = eol > p && eol[-1] == '\r' ? eol - 1 : eol;
		if (le == p)
			break; /* the blank line */
		if (*p == ' ' || *p == '\t')
			return 400; /* obsolete line folding */
		colon = memchr(p, ':', (size_t)(le - p));
		if (!colon || colon == p)
			return 400;
		for (const char *q = p; q < colon; q++)
			if (*q == ' ' || *q == '\t')
				return 400;
		header_value(colon + 1, le, val, sizeof(val));
#define IS(name)                                                                                   \
	((size_t)(colon - p) == sizeof(name) - 1 && strncasecmp(p, name, sizeof(name) - 1) == 0)
		if (IS("Host")) {
			int port;
			if (r->host[0])
				return 400; /* two Host headers */
			/* host[:port] (RFC 9112 3.2: one that is not is a 400) */
			if (val[0] && cm_hostport_parse(val, strlen(val), 80, r->host,
							sizeof(r->host), &port, NULL, 0))
				return 400;
			mc_lower(r->host);
		} else if (IS("Content-Length")) {
			char *e2;
			long long n = strtoll(val, &e2, 10);
			if (!val[0] || *e2 || n < 0 ||
			    (r->content_length >= 0 && r->content_length != n))
				return 400;
			r->content_length = n;
		} else if (IS("Transfer-Encoding")) {
			r->chunked = 1;
		} else if (IS("Connection") || IS("Proxy-Connection")) {
			if (strcasestr(val, "close"))
				r->close = 1;
			if (strcasestr(val, "keep-alive"))
				r->keep_alive = 1;
		} else if (IS("Proxy-Authorization")) {
			snprintf(r->proxy_auth, sizeof(r->proxy_auth), "%.511s", val);
		}
#undef IS
	}
	if (r->close)
		r->keep_alive = 0;
	return 1;
}

size_t mc_http_head_len(const char *in, size_t n)
{
	/* the head ends at the first empty line: a LF followed by CRLF
	 * (which covers CRLF CRLF) or by LF */
	const char *e = n >= 3 ? memmem(in, n, "\n\r\n", 3) : NULL;
	const char *e2 = n >= 2 ? memmem(in, n, "\n\n", 2) : NULL;
	size_t hl = 0;
	if (e)
		hl = (size_t)(e - in) + 3;
	if (e2 && (!hl || (size_t)(e2 - in) + 2 < hl))
		hl = (size_t)(e2 - in) + 2;
	return hl;
}

int mc_http_parse_head(const char *in, size_t head_len, struct mc_req *r)
{
	memset(r, 0, sizeof(*r));
	r->head_len = head_len;
	return parse_head(in, head_len, r);
}

int mc_http_read_head(struct mc_conn *c, struct mc_req *r, int64_t idle_deadline, int header_ms)
{
	int64_t head_deadline = c->in_len ? mc_now_ms() + header_ms : 0;
	memset(r, 0, sizeof(*r));
	for (;;) {
		size_t hl = mc_http_head_len(c->in, c->in_len);
		if (hl)
			return mc_http_parse_head(c->in, hl, r);
		if (c->in_len == sizeof(c->in))
			return 431;
		ssize_t n = mc_conn_read(c, c->in + c->in_len, sizeof(c->in) - c->in_len,
					 c->in_len ? head_deadline : idle_deadline);
		if (n <= 0)
			return c->in_len ? (n < 0 && errno == ETIMEDOUT ? 408 : 400) : 0;
		if (!c->in_len)
			head_deadline = mc_now_ms() + header_ms;
		c->in_len += (size_t)n;
	}
}

int mc_http_consume(struct mc_conn *c, const struct mc_req *r, int64_t deadline)
{
	long long body = r->content_length > 0 ? r->content_length : 0;
	size_t have;
	memmove(c->in, c->in + r->head_len, c->in_len - r->head_len);
	c->in_len -= r->head_len;
	if (r->chunked || body > (1 << 20))
		return -1;
	have = c->in_len < (size_t)body ? c->in_len : (size_t)body;
	memmove(c->in, c->in + have, c->in_len - have);
	c->in_len -= have;
	body -= (long long)have;
	while (body > 0) {
		char sink[4096];
		ssize_t n = mc_conn_read(
			c, sink, body < (long long)sizeof(sink) ? (size_t)body : sizeof(sink),
			deadline);
		if (n <= 0)
			return -1;
		body -= n;
	}
	return 0;
}

int mc_http_respond(struct mc_conn *c, int status, const char *ctype, const char *extra,
		    const char *body, int head_only, int keep_alive, int bytes_per_sec,
		    int64_t deadline)
{
	char buf[8192], date[64];
	size_t blen = body ? strlen(body) : 0;
	/* RFC 9110 6.6.1: an origin server with a clock sends Date, in
	 * IMF-fixdate; ours tells the mock world's time ($.clock) */
	time_t now = c->cfg ? (time_t)mc_config_now(c->cfg) : time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm) ||
	    !strftime(date, sizeof(date), "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm))
		date[0] = 0;
	int n = snprintf(buf, sizeof(buf),
			 "HTTP/1.1 %d %s\r\n"
			 "%s"
			 "Content-Type: %s\r\n"
			 "Content-Length: %zu\r\n"
			 "%s%s%s%s"
			 "\r\n",
			 status, mc_http_reason(status), date,
			 ctype ? ctype : "text/plain; charset=utf-8", blen, extra ? extra : "",
			 c->via[0] ? "Via: " : "", c->via, c->via[0] ? "\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	if (!keep_alive) {
		/* room is guaranteed: the format above is well under the buffer */
		n -= 2;
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "Connection: close\r\n\r\n");
	}
	if (!head_only && blen && (size_t)n + blen < sizeof(buf)) {
		memcpy(buf + n, body, blen);
		n += (int)blen;
		blen = 0;
	}
	if (mc_conn_write(c, buf, (size_t)n, bytes_per_sec, deadline))
		return -1;
	if (!head_only && blen)
		return mc_conn_write(c, body, blen, bytes_per_sec, deadline);
	return 0;
}
