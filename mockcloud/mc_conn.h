/* mc_conn.h - the server and one client connection, shared by the
 * listeners (mc_server.c), the origin (mc_front.c), the HTTP reader
 * (mc_http.c) and the forward proxy (mc_proxy.c).
 *
 * Model: one thread per connection with blocking I/O under deadlines (see
 * docs/mockcloud.md for why). A connection owns its socket, a reference
 * to the configuration current when it was accepted, and bounded buffers. */
#ifndef MC_CONN_H
#define MC_CONN_H

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/ssl.h>
#include <mbedtls/ssl_cache.h>
#include <pthread.h>
#include <stdatomic.h>

#include "mc_config.h"
#include "mc_journal.h"
#include "mc_pki.h"

#define MC_HEAD_MAX 8192  /* request head, bytes */
#define MC_MAX_CONNS 4096 /* concurrent connections, then close at once */

enum mc_listener { MC_L_HTTPS, MC_L_HTTP, MC_L_PROXY };

struct mc_proxy_listener {
	char name[64];
	char as[300];
	int fd, port;
};

struct mc_server {
	struct mc_pki pki;
	char ca_dir[4096];
	int ca_dir_is_temp;
	const char *default_dest; /* --destinations or the built-in path */
	char *start_config;       /* the --config text, for POST /reset */
	pthread_mutex_t cfg_lock;
	struct mc_config *cfg; /* current; swap under cfg_lock */
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_ssl_cache_context cache;
	mbedtls_ssl_config tls;
	int https_fd, http_fd, refuse_fd;
	int https_port, http_port, refuse_port, control_port;
	struct mc_proxy_listener proxies[MC_MAX_PROXIES];
	int nproxies;
	atomic_int active;
	volatile int stopping;
};

struct mc_conn {
	struct mc_server *srv;
	struct mc_config *cfg; /* a reference, held for the connection */
	int fd;
	enum mc_listener kind;
	int proxy;          /* index in srv->proxies for MC_L_PROXY */
	int64_t t0, t_hs;   /* accept time; handshake ms (-1 none) */
	struct mc_jentry j; /* template for this connection's entries */
	int logged;         /* an entry was written */
	/* TLS */
	mbedtls_ssl_context ssl;
	int ssl_setup, ssl_on;
	const struct mc_leaf *leaf; /* what the SNI callback presents */
	size_t pre_len, pre_off;
	int64_t io_deadline; /* deadline for the mbedTLS callbacks */
	char sni[256];
	size_t in_len;   /* bytes in `in` */
	char via[320];   /* Via header value when proxied */
	int intercepted; /* TLS terminated by an intercepting proxy */
	/* pre: bytes read before TLS (the ClientHello) for mbedTLS; in: the
	 * plaintext head of the next request. They share memory: pre is
	 * consumed by the handshake before in is first used, and a proxy
	 * moves in's leftover into pre (memmove) then empties in. Last in the
	 * struct and never zeroed, so pages no one writes stay out of RSS. */
	union {
		unsigned char pre[MC_HEAD_MAX];
		char in[MC_HEAD_MAX];
	};
};

/* A parsed request head. */
struct mc_req {
	char method[16];
	char target[2048];
	char line[320];           /* the request line, truncated */
	int minor;                /* HTTP/1.minor */
	char host[256];           /* Host header without port, lower case */
	long long content_length; /* -1 absent */
	int chunked, close, keep_alive;
	char proxy_auth[512];
	size_t head_len;
};

/* --- mc_http.c --- */

/* Reads from the connection (TLS when on, else plaintext after the
 * pre-read bytes). Returns >0, 0 on EOF, -1 on error or deadline. */
ssize_t mc_conn_read(struct mc_conn *c, void *buf, size_t len, int64_t deadline);

/* Writes all of buf, throttled to bytes_per_sec when > 0. 0 or -1. */
int mc_conn_write(struct mc_conn *c, const void *buf, size_t len, int bytes_per_sec,
		  int64_t deadline);

/* The length of the request head at in[0..n) up to and including the
 * empty line that ends it (CRLF CRLF, LF LF or LF CRLF), or 0 when it is
 * not complete yet. */
size_t mc_http_head_len(const char *in, size_t n);

/* Parses the complete head in[0..head_len) (mc_http_head_len) into r.
 * Returns 1, or an HTTP status to answer (400, 414). */
int mc_http_parse_head(const char *in, size_t head_len, struct mc_req *r);

/* Reads one request head into c->in and parses it into r.
 * Returns 1 parsed, 0 connection ended or idle deadline passed (nothing
 * read), or an HTTP status to answer (400, 408, 414, 431) for a bad or
 * too slow request. */
int mc_http_read_head(struct mc_conn *c, struct mc_req *r, int64_t idle_deadline, int header_ms);

/* Drops the request head (and a Content-Length body up to 1 MiB) from
 * c->in. -1 when the body could not be read (answer and close). */
int mc_http_consume(struct mc_conn *c, const struct mc_req *r, int64_t deadline);

/* Writes a complete response. extra: more header lines, each ending in
 * "\r\n", or NULL. */
int mc_http_respond(struct mc_conn *c, int status, const char *ctype, const char *extra,
		    const char *body, int head_only, int keep_alive, int bytes_per_sec,
		    int64_t deadline);

/* The reason phrase of a status. */
const char *mc_http_reason(int status);

/* --- mc_front.c --- */

/* Fills c->j's time/peer/listener and appends an entry. */
void mc_conn_log(struct mc_conn *c, const char *request, const char *host, int status,
		 unsigned fault_mask, const char *note);

/* The HTTPS origin. faults: already taken by a proxy (NULL: take them
 * from the SNI). connect_host: the CONNECT target when proxied (the host
 * when there is no SNI). intercept: a proxy in intercept mode terminates
 * TLS with an inspection-CA leaf. */
void mc_front_https(struct mc_conn *c, const struct mc_faults *faults, const char *connect_host,
		    int intercept);

/* The plain HTTP origin (port 80 hosts), same conventions. */
void mc_front_http(struct mc_conn *c, const struct mc_faults *faults, const char *connect_host);

/* Answers one parsed request as the origin for `host` with faults f
 * (delay, status, bandwidth; silent/reset handled by the caller).
 * Returns 1 to keep the connection, 0 to close. */
int mc_front_answer(struct mc_conn *c, const struct mc_req *r, const char *host, const char *path,
		    const struct mc_faults *f, int upstream_bad);

/* Reads and discards until EOF or the cap: the "silent" fault. */
void mc_front_silent(struct mc_conn *c, const struct mc_faults *f);

/* TLS server setup shared by all connections. */
int mc_front_tls_init(struct mc_server *s, char *err, size_t errlen);

/* --- mc_proxy.c --- */

/* A forward proxy connection on listener c->proxy. */
void mc_proxy_serve(struct mc_conn *c);

#endif
