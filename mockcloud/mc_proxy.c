/* mc_proxy.c - a corporate forward proxy on raw sockets: CONNECT tunnels
 * and absolute-form requests, deny/allow lists with a block page, Basic
 * and NTLM/Negotiate challenges, 502 for refused or reset upstreams, and
 * TLS interception.
 *
 * The proxy never opens a connection: every target maps to the mock
 * origin in this process, which runs on the client's own socket after the
 * "200 Connection established" (the same code as the HTTPS listener, so
 * every fault of the target host applies). */
#include "hostport.h"
#include "mc_conn.h"
#include "mc_util.h"

#include <mbedtls/base64.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PROXY_AGENT "Contoso-WebGateway/8.2"

static int list_has(char **list, int n, const char *host)
{
	for (int i = 0; i < n; i++)
		if (mc_host_match(list[i], host))
			return 1;
	return 0;
}

static int blocked(const struct mc_proxy_cfg *px, const char *host)
{
	if (px->ndeny && list_has(px->deny, px->ndeny, host))
		return 1;
	if (px->nallow && !list_has(px->allow, px->nallow, host))
		return 1;
	return px->mode == MC_PX_DENY && !px->ndeny && !px->nallow;
}

/* 1 when the Proxy-Authorization header carries user:password. */
static int basic_ok(const struct mc_proxy_cfg *px, const char *hdr)
{
	unsigned char dec[400];
	char want[520];
	size_t olen = 0;
	if (strncasecmp(hdr, "Basic ", 6) != 0)
		return 0;
	hdr += 6;
	while (*hdr == ' ')
		hdr++;
	if (mbedtls_base64_decode(dec, sizeof(dec) - 1, &olen, (const unsigned char *)hdr,
				  strlen(hdr)))
		return 0;
	dec[olen] = 0;
	mc_fmt(want, sizeof(want), "%s:%s", px->user, px->password);
	return strcmp((char *)dec, want) == 0;
}

static int reply(struct mc_conn *c, int status, const char *extra, const char *body, int keep)
{
	char hdr[1024];
	mc_fmt(hdr, sizeof(hdr), "Proxy-Agent: " PROXY_AGENT "\r\n%s", extra ? extra : "");
	return mc_http_respond(c, status, "text/html; charset=utf-8", hdr, body, 0, keep, 0,
			       mc_now_ms() + 5000);
}

static void block_page(struct mc_conn *c, const struct mc_req *r, const char *host)
{
	char body[1500];
	mc_fmt(body, sizeof(body),
	       "<!DOCTYPE html><html><head><title>Access Denied</title></head><body>"
	       "<h1>Access Denied</h1><p>Your request to <b>%s</b> was blocked by the "
	       "Contoso web gateway according to corporate Internet access policy.</p>"
	       "<p>Category: Uncategorized. If you believe this is a mistake, contact the "
	       "IT service desk and quote the reference below.</p>"
	       "<p>Reference: %s / %s</p></body></html>",
	       host, c->srv->proxies[c->proxy].name, c->srv->proxies[c->proxy].as);
	reply(c, 403, NULL, body, 0);
	mc_conn_log(c, r->method[0] == 'C' ? NULL : r->line, host, 403, 0,
		    "blocked by proxy policy");
}

/* Splits "host:port" (CONNECT, an absolute URL's authority) into a host
 * name, lower case, and port (def_port when none); 0 ok. Addresses in
 * brackets are refused: the mock cloud's hosts have names. */
static int split_authority(const char *a, char *host, size_t hlen, int *port, int def_port)
{
	if (cm_hostport_parse(a, strlen(a), def_port, host, hlen, port, NULL, 0))
		return -1;
	mc_lower(host);
	for (char *p = host; *p; p++)
		if (!(*p == '.' || *p == '-' || *p == '_' || (*p >= '0' && *p <= '9') ||
		      (*p >= 'a' && *p <= 'z')))
			return -1;
	return 0;
}

void mc_proxy_serve(struct mc_conn *c)
{
	const struct mc_proxy_listener *pl = &c->srv->proxies[c->proxy];
	const struct mc_proxy_cfg *px = mc_config_proxy(c->cfg, pl->name);
	int first = 1;

	mc_fmt(c->via, sizeof(c->via), "1.1 %s (" PROXY_AGENT ")", pl->as);
	while (!c->srv->stopping) {
		struct mc_req r;
		struct mc_faults f;
		char host[256], path[2048];
		int port, rc, is_connect;

		rc = mc_http_read_head(c, &r, mc_now_ms() + c->cfg->to.idle_ms,
				       c->cfg->to.header_ms);
		if (rc == 0) {
			if (first)
				mc_conn_log(c, NULL, NULL, 0, 0, "closed or idle before a request");
			return;
		}
		first = 0;
		if (rc != 1) {
			reply(c, rc, NULL, mc_http_reason(rc), 0);
			mc_conn_log(c, r.line, NULL, rc, 0, "malformed or too slow request");
			return;
		}
		is_connect = strcmp(r.method, "CONNECT") == 0;
		if (is_connect) {
			snprintf(c->j.connect, sizeof(c->j.connect), "%s", r.line);
			if (split_authority(r.target, host, sizeof(host), &port, 443)) {
				reply(c, 400, NULL, "bad CONNECT target", 0);
				mc_conn_log(c, NULL, NULL, 400, 0, "bad CONNECT target");
				return;
			}
			path[0] = 0;
		} else if (strncasecmp(r.target, "http://", 7) == 0) {
			const char *a = r.target + 7, *slash = strchr(a, '/');
			char auth[300];
			size_t n = slash ? (size_t)(slash - a) : strlen(a);
			if (n >= sizeof(auth) ||
			    split_authority(mc_fmt(auth, sizeof(auth), "%.*s", (int)n, a), host,
					    sizeof(host), &port, 80)) {
				reply(c, 400, NULL, "bad request URL", 0);
				mc_conn_log(c, r.line, NULL, 400, 0, "bad absolute URL");
				return;
			}
			snprintf(path, sizeof(path), "%s", slash ? slash : "/");
		} else {
			reply(c, 400, NULL, "this is a proxy: send CONNECT or an absolute URL", 0);
			mc_conn_log(c, r.line, r.host, 400, 0, "origin-form request to a proxy");
			return;
		}
		if (!px) {
			reply(c, 503, NULL, "proxy not configured", 0);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 503, 0,
				    "proxy removed from the config");
			return;
		}
		if (mc_http_consume(c, &r, mc_now_ms() + c->cfg->to.header_ms)) {
			reply(c, 413, NULL, "request body refused", 0);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 413, 0,
				    "request body refused");
			return;
		}
		if (px->mode == MC_PX_AUTH_BASIC && !basic_ok(px, r.proxy_auth)) {
			char hdr[400];
			mc_fmt(hdr, sizeof(hdr), "Proxy-Authenticate: Basic realm=\"%s\"\r\n",
			       px->realm ? px->realm : "Contoso Proxy");
			reply(c, 407, hdr,
			      "<!DOCTYPE html><html><body><h1>Proxy Authentication Required</h1>"
			      "<p>Sign in to the Contoso web gateway.</p></body></html>",
			      r.keep_alive);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 407, 0,
				    r.proxy_auth[0] ? "wrong proxy credentials"
						    : "proxy credentials required");
			if (!r.keep_alive)
				return;
			continue;
		}
		if (px->mode == MC_PX_AUTH_NTLM) {
			reply(c, 407,
			      "Proxy-Authenticate: NTLM\r\nProxy-Authenticate: Negotiate\r\n",
			      "<!DOCTYPE html><html><body><h1>Proxy Authentication Required</h1>"
			      "<p>Windows Integrated Authentication is required.</p></body></html>",
			      r.keep_alive);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 407, 0,
				    "NTLM/Negotiate challenge");
			if (!r.keep_alive)
				return;
			continue;
		}
		if (blocked(px, host)) {
			block_page(c, &r, host);
			return;
		}
		if (port != 443 && port != 80) {
			reply(c, 502, NULL,
			      "<html><body><h1>Bad Gateway</h1><p>port not "
			      "reachable</p></body></html>",
			      0);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 502, 0,
				    "no mock listener for this port");
			return;
		}
		mc_config_take_faults(c->cfg, host, &f);
		if (f.mask & ((1u << MC_F_REFUSE) | (1u << MC_F_RESET))) {
			reply(c, 502, NULL,
			      "<!DOCTYPE html><html><head><title>502 Bad "
			      "Gateway</title></head><body>"
			      "<h1>Bad Gateway</h1><p>The Contoso web gateway could not connect to "
			      "the "
			      "upstream server (connection refused or reset).</p></body></html>",
			      0);
			mc_conn_log(c, is_connect ? NULL : r.line, host, 502,
				    f.mask & ((1u << MC_F_REFUSE) | (1u << MC_F_RESET) |
					      (1u << MC_F_FLAKY)),
				    "upstream refused or reset");
			return;
		}
		if (is_connect) {
			static const char ok[] =
				"HTTP/1.1 200 Connection established\r\nProxy-Agent: " PROXY_AGENT
				"\r\n\r\n";
			if (mc_write_all(c->fd, ok, sizeof(ok) - 1, mc_now_ms() + 5000))
				return;
			c->via[0] = 0; /* inside the tunnel the origin answers */
			/* bytes the client already sent after the CONNECT head belong
			 * to the tunnel */
			if (port == 443) {
				size_t n = c->in_len < sizeof(c->pre) ? c->in_len : sizeof(c->pre);
				memmove(c->pre, c->in, n);
				c->pre_len = n;
				c->pre_off = 0;
				c->in_len = 0;
				/* a long advertised name only shortens the Via header */
				if (px->mode == MC_PX_INTERCEPT &&
				    snprintf(c->via, sizeof(c->via), "1.1 %s (" PROXY_AGENT ")",
					     pl->as) >= (int)sizeof(c->via))
					c->via[sizeof(c->via) - 1] = 0;
				mc_front_https(c, &f, host, px->mode == MC_PX_INTERCEPT);
			} else {
				mc_front_http(c, &f, host);
			}
			return;
		}
		/* absolute form: the proxy answers as the origin (port 80 hosts) */
		if (f.mask & (1u << MC_F_SILENT)) {
			mc_conn_log(c, r.line, host, 0,
				    f.mask & ((1u << MC_F_SILENT) | (1u << MC_F_FLAKY)),
				    "silent upstream");
			mc_front_silent(c, &f);
			return;
		}
		if (!mc_front_answer(c, &r, host, path, &f, 0))
			return;
	}
}
