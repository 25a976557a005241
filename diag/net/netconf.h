/* netconf.h - what Sense would do on the network, decoded from local facts.
 *
 * Pure functions over bytes and JSON (no platform calls, no I/O), so each
 * decoder can be fed hostile input in tests: OnboardedInfo (mode and
 * region), WinHttpSettings (REG_BINARY), TelemetryProxyServer (REG_SZ),
 * the choice of proxy Sense would use, the destinations to probe
 * (data/destinations.json filtered by mode and region) and curl-style
 * --connect-to rules.
 *
 * Every decoder fills a caller-owned struct and returns 0 when the input
 * was well formed, -1 when it was not (the struct then says why in
 * `error` and holds the safe fallback). None allocates.
 */
#ifndef DX_NETCONF_H
#define DX_NETCONF_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* ---- OnboardedInfo ----------------------------------------------------- */

struct dx_onboarded {
	int streamlined;      /* 1 streamlined, 0 standard, -1 unknown */
	char geo[8];          /* "US", "EU", "UK", "AU"; "" unknown */
	char dc[16];          /* datacenter code ("weu"); "" unknown */
	char datacenter[64];  /* body.datacenter as written */
	char partner_geo[32]; /* body.partnerGeoLocation */
	char vortex_geo[32];  /* body.vortexGeoLocation */
	char org_id[64];      /* body.orgId */
	char error[160];      /* why the value was rejected, "" when fine */
};

/* Decodes the OnboardedInfo REG_SZ (JSON whose "body" is a JSON string).
 * `known_geos` is destinations.json's "geos" object (may be NULL): a geo
 * outside it is reported as unknown. Returns 0, or -1 when malformed. */
int dx_onboarded_parse(const char *text, size_t len, const cJSON *known_geos,
		       struct dx_onboarded *out);

/* Maps an Azure datacenter name ("NorthEurope3", "CentralUs") to the code
 * used in destinations.json ("neu3", "cus") and its geo; NULL when unknown. */
const char *dx_datacenter_code(const char *name, const char **geo);

/* ---- proxies ----------------------------------------------------------- */

struct dx_winhttp {
	uint32_t version; /* 0x18 */
	uint32_t counter;
	uint32_t flags;   /* 1 direct, 3 proxy */
	int has_proxy;    /* flags say proxy and the proxy is non-empty */
	char proxy[256];  /* "host:port" or "http=...;https=..." */
	char bypass[512]; /* "<local>;*.contoso.com" */
	char error[160];
};

/* Decodes WinHttpSettings. Bounds-checked against `n`; a truncated or
 * oversized value is -1 and decodes as direct. */
int dx_winhttp_decode(const unsigned char *b, size_t n, struct dx_winhttp *out);

struct dx_hostport {
	char host[256];
	int port;
};

/* Parses TelemetryProxyServer "host:port" (also "[v6]:port", an optional
 * "http://" prefix and a missing port meaning 80). -1 when malformed
 * (spaces, bad port, empty host, control characters). */
int dx_static_proxy_parse(const char *s, struct dx_hostport *out, char *err, size_t errsz);

/* Picks the proxy of a WinHTTP proxy string for a scheme ("https"/"http"):
 * "scheme=host:port" entries win over a bare "host:port". 0 found. */
int dx_winhttp_proxy_for(const char *proxy, const char *scheme, struct dx_hostport *out);

/* Does `host` match the WinHTTP bypass list (entries split by ';', ' ' or
 * ',', '*' wildcards, "<local>" = names without a dot)? */
int dx_bypass_match(const char *bypass, const char *host);

/* ---- destinations ------------------------------------------------------ */

#define DX_MAX_CATS 6
struct dx_dest {
	char id[48];
	char host[256];
	int port;
	int tls; /* scheme https */
	char path[256];
	int expect;
	char category[24];          /* primary category */
	char cats[DX_MAX_CATS][24]; /* every category it counts for */
	int ncats;
	int required;
	char geo[8]; /* "WW" or the concrete geo */
};

/* Selects the destinations for a mode (1 streamlined, 0 standard, -1 both)
 * and geo/dc ("" = unknown: the US, EU and UK rows with their default dc,
 * as the Client Analyzer does). Fills at most `max`; returns the count, or
 * -1 when the data is malformed. */
int dx_dest_select(const cJSON *destinations_json, int streamlined, const char *geo, const char *dc,
		   struct dx_dest *out, size_t max);

/* ---- --connect-to ------------------------------------------------------ */

struct dx_connect_to {
	char host[256]; /* "" any */
	int port;       /* 0 any */
	char addr[256]; /* "" keep */
	int addr_port;  /* 0 keep */
};

/* Parses "HOST:PORT:ADDR:PORT" (ADDR may be "[v6]"). 0 ok, -1 malformed. */
int dx_connect_to_parse(const char *s, struct dx_connect_to *out);

/* First rule matching host:port rewrites addr/port (addr left as is when
 * the rule's ADDR is empty). Returns the index of the rule or -1. */
int dx_connect_to_apply(const struct dx_connect_to *rules, size_t n, const char *host, int port,
			char *addr, size_t addrsz, int *out_port);

#endif
