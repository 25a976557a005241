/* probe.h - the network probe: many HTTPS/HTTP requests at once, one deadline.
 *
 * The caller resolves names (through the platform) and decides where to
 * connect; the probe then runs every target concurrently in one
 * single-threaded poll() loop: non-blocking connect -> proxy CONNECT (or an
 * absolute-form GET for plain HTTP through a proxy) -> TLS (mbedTLS, SNI =
 * host, chain checked against the expected roots) -> GET path -> classify.
 * Every read is bounded in bytes, and the whole run in time: when the
 * global deadline passes, what is still running is classified `timeout`
 * with the phase it was in.
 *
 * Ownership: targets are caller-owned; the probe fills their result part.
 */
#ifndef DX_PROBE_H
#define DX_PROBE_H

#include <stddef.h>

enum dx_probe_class {
	DX_PR_PENDING = 0,
	DX_PR_OK,
	DX_PR_DNS,
	DX_PR_REFUSED,
	DX_PR_RESET,
	DX_PR_TIMEOUT,
	DX_PR_PROXY_DENIED,
	DX_PR_PROXY_AUTH,
	DX_PR_PROXY_FAILED,
	DX_PR_TLS_INTERCEPTED,
	DX_PR_TLS_FAILED,
	DX_PR_HTTP_STATUS,
	DX_PR_NOT_PROBED,
};
/* "ok", "dns", ..., "not-probed": the net.endpoint variants. */
const char *dx_probe_class_name(enum dx_probe_class c);
/* Reachable as the Client Analyzer counts it: 200, 400, 404, 405. */
int dx_http_reachable(int status);

struct dx_probe_state; /* private to probe.c */

/* One certificate of the chain the server (or an intercepting proxy)
 * presented, leaf first. Strings are bounded and "" when absent. */
#define DX_PROBE_MAX_CHAIN 4
struct dx_cert_info {
	char subject[256];
	char issuer[256];
	char not_before[24]; /* "2026-01-01T00:00:00Z" */
	char not_after[24];
	char ski[64]; /* subjectKeyIdentifier, hex */
	char aki[64]; /* authorityKeyIdentifier keyIdentifier, hex */
};

/* WinHTTP's default WINHTTP_OPTION_CONNECT_RETRIES: one attempt per
 * address, at most five addresses. */
#define DX_PROBE_MAX_TRIES 5

/* One connection attempt to one address of a multihomed name. */
struct dx_probe_try {
	char addr[64];
	char outcome[128]; /* "ok", "refused", "no TCP answer within N ms", ... */
	double ms;
};

struct dx_probe {
	/* ---- in (caller) ---- */
	const char *host; /* destination name: SNI, Host, CONNECT target */
	int port;         /* destination port */
	int tls;          /* https */
	const char *path;
	char addr[256]; /* numeric address to connect to (the proxy's
				    when via_proxy); out: the one that answered,
				    else the last tried */
	/* Several addresses: tried one after another in this order (the
	 * resolver's), at most DX_PROBE_MAX_TRIES, as WinHTTP tries a
	 * multihomed host (docs/connectivity.md "Every address"). 0: `addr`
	 * alone. */
	char addrs[DX_PROBE_MAX_TRIES][64];
	int n_addrs;
	int addr_port;
	int via_proxy; /* tunnel (https) or absolute-form (http) */
	/* A caller that already knows the outcome (DNS failed, not allowed to
	 * connect) sets result != PENDING and reason; the probe skips it. */

	/* ---- out (probe) ---- */
	enum dx_probe_class result;
	char phase[16];   /* phase that decided: connect, proxy, tls, http */
	char reason[512]; /* human reason, "" when ok */
	int http_status;  /* destination's HTTP status, 0 none */
	char status_line[128];
	char date[64];    /* the destination's Date header, "" none
				    (its clock, net.clock) */
	int proxy_status; /* proxy's reply status, 0 none */
	char proxy_status_line[128];
	char proxy_authenticate[192]; /* Proxy-Authenticate values, joined */
	char proxy_via[128];
	char proxy_agent[128];    /* Proxy-Agent of the proxy's reply */
	char proxy_title[128];    /* <title> of the proxy's block page */
	int proxy_connect_failed; /* the proxy itself could not be reached */
	char issuer[256];         /* TLS: issuer DN of the leaf presented */
	char root[256];           /* TLS: top of the presented chain (issuer DN) */
	char subject[256];        /* TLS: leaf subject DN */
	char tls_detail[160];     /* verify flags in words, when not ok */
	struct dx_cert_info chain[DX_PROBE_MAX_CHAIN]; /* presented, leaf first */
	int chain_len;                                 /* certificates in chain[] */
	int chain_total;   /* certificates presented (may exceed the max) */
	int expected_root; /* -1 no handshake, 1 led to an expected root, 0 not */
	double dns_ms, connect_ms, proxy_ms, tls_ms, http_ms; /* -1 = not run */
	struct dx_probe_try tries[DX_PROBE_MAX_TRIES];        /* when n_addrs > 1 */
	int n_tries;

	struct dx_probe_state *st;
};

/* Initializes a target's result part (timings -1, PENDING). */
void dx_probe_init(struct dx_probe *p);

struct dx_probe_config {
	const char *anchors_pem; /* NUL-terminated PEM bundle of expected roots */
	size_t anchors_len;      /* strlen + 1, as mbedtls_x509_crt_parse wants */
	int timeout_ms;          /* the one global deadline */
	int report_ms;           /* the deadline the reasons name ("no reply
				    within N ms"): the run's --timeout, of
				    which timeout_ms may be what is left; 0 =
				    timeout_ms */
	int serial;              /* diagnostic: one target at a time, each with
				    the full timeout (for the benchmark) */
	size_t max_active;       /* 0 = default (128) */
	/* Progress, or NULL: called from the poll loop (one thread) on every
	 * wake, at most about four times a second, with how many of `total`
	 * targets are decided and the time left before the deadline. It must
	 * return quickly and must not touch the targets. */
	void (*progress)(void *user, size_t done, size_t total, double ms_left);
	void *progress_user;
};

/* Runs all targets; returns 0, or -1 when the probe could not start at all
 * (no roots parsed, RNG failure) with the reason in err. Targets are then
 * left classified not-probed with that reason. */
int dx_probe_run(struct dx_probe *targets, size_t n, const struct dx_probe_config *cfg, char *err,
		 size_t errsz);

#endif
