/* netrec.h - what the device saw on the network: one record per destination.
 *
 * The record is the single seam between probing and diagnosing: a live run
 * fills records by probing (check_net.c + probe.c), a replay of a collected
 * file fills them from its "network" section (dx_netlog_parse), and the
 * findings are made from records either way, so a replay gives the live
 * run's findings by construction. `mdediag collect` writes the records with
 * dx_netlog_json (docs/collect.md, docs/fixture.schema.json).
 *
 * Everything is bounded: at most DX_NETLOG_MAX records, each string its
 * field's size; a section that exceeds a bound is rejected, not truncated.
 */
#ifndef DX_NETREC_H
#define DX_NETREC_H

#include <cjson/cJSON.h>
#include "netconf.h"
#include "platform.h"
#include "probe.h"

/* The format of the "network" section this version writes and reads. */
#define DX_NETLOG_FORMAT 1
#define DX_NETLOG_MAX 128      /* destinations */
#define DX_NETREC_MAX_ADDRS 16 /* addresses kept per name */
#define DX_NETLOG_MAX_RULES 64 /* --connect-to rules recorded */

/* How Sense would reach one destination, and why. Filled by route_for in
 * check_net.c; a WPAD/PAC resolver fills the same fields. */
struct dx_route {
	int use;               /* 0 direct, 1 through `hp` */
	struct dx_hostport hp; /* the proxy when use */
	char method[16];       /* "direct" or "proxy" */
	char source[32];       /* static, winhttp, winhttp-bypass, none, pac,
				    static-fallback */
	char reason[256];      /* why this route, in words */
	/* which method decided (docs/connectivity.md "Which route Sense takes") */
	char route_source[16]; /* static, netsh, netsh-bypass, wpad, direct,
				    static-fallback (the static proxy could not be
				    reached: Sense went direct) */
	char pac_answer[512];  /* the PAC script's answer, "" when not asked */
	int pac_rc;            /* enum dx_pac_rc: the script failed for this one */
	char pac_error[300];
	char os_answer[1024]; /* Windows' own WinHttpGetProxyForUrl answer */
};

/* One destination: where it is, how it was reached, what came back. */
struct dx_netrec {
	struct dx_dest d;
	struct dx_route r;
	struct dx_probe p;    /* result part (host/path point into d) */
	char address[300];    /* where we connected, "addr:port" */
	char connect_to[300]; /* the --connect-to rule that applied */
	/* Name resolution of the name connected to: the destination's own
	 * when direct, the proxy's when proxied. */
	char dns_name[256]; /* "" not resolved */
	enum dx_status dns_status;
	char dns_error[256];
	int n_addrs;
	char addrs[DX_NETREC_MAX_ADDRS][64];
	/* The static proxy (TelemetryProxyServer) could not be reached, so
	 * Sense falls back to direct (docs/connectivity.md): the route, `p`,
	 * `address` and the DNS members above are then the direct try's, and
	 * these keep what the try through the proxy saw. */
	int fallback;
	char fb_proxy[300];   /* "host:port" of the static proxy */
	char fb_address[300]; /* where that try connected, "" none */
	char fb_reason[512];  /* why the proxy could not be reached */
};

/* What WPAD discovery and the PAC script came to (the "wpad" member of the
 * section): enough for the WPAD/PAC findings of a replay, without the
 * script. `present` 0: the run did not get that far. */
struct dx_netlog_wpad {
	int present;
	int stage;     /* enum dx_wpad_stage */
	int detect_st; /* enum dx_status of discovery */
	unsigned detect_code;
	char detect_text[256];
	char url[1024];
	char method[16];
	int inline_script;
	char fetch_address[300];
	char fetch_connect_to[300];
	int http_status;
	double script_bytes;
	char error[300];
	int pac_rc; /* enum dx_pac_rc */
	double load_ms;
	char entry_point[32]; /* FindProxyForURL or FindProxyForURLEx */
	char alerts[512];
	int script_latin1; /* the script was not UTF-8: read as Latin-1 */
	char os_error[256];
	char redirects[600];        /* the PAC download's redirects, "a -> b" */
	char www_authenticate[200]; /* the PAC server's 401 challenge */
	int auth_required;          /* the download failed on a 401 */
};

/* The whole "network" section of a collected file. */
struct dx_netlog {
	struct dx_netlog_wpad wpad;
	char tool[48];         /* "mdediag 0.1.0" */
	char collected_at[24]; /* UTC, "2026-11-30T04:00:00Z" */
	char not_tested[200];  /* "" when probed; else why not (--no-network) */
	int no_network;        /* collected with --no-network */
	int timeout_ms;
	char anchors[300]; /* --anchors path, "" = the built-in roots */
	char connect_to[DX_NETLOG_MAX_RULES][300];
	int n_connect_to;
	char probe_error[200];  /* the probe could not start, "" */
	struct dx_netrec *recs; /* owned */
	size_t n;
};

/* Frees what the log owns (the struct itself is the caller's). */
void dx_netlog_free(struct dx_netlog *log);
/* The section as JSON (the caller frees it), or NULL (out of memory). */
cJSON *dx_netlog_json(const struct dx_netlog *log);
/* Fills `log` from a "network" section. 0, or -1 with "$.network...: why"
 * in err (then log is empty): wrong types, a bound exceeded, an unknown
 * result class, or a format newer than DX_NETLOG_FORMAT. */
int dx_netlog_parse(const cJSON *j, struct dx_netlog *log, char *err, size_t errsz);

#endif
