/* mc_config.h - the mock cloud's configuration: hosts with their faults,
 * forward proxies, timeouts. Parsed from JSON, immutable once built and
 * shared by reference count; the control API swaps in a new one.
 *
 * Schema (docs/mockcloud.md):
 *   {"destinations": PATH?, "hosts": {NAME|*.PATTERN: {"faults": [F...]}},
 *    "proxies": [{"name","as","mode","deny","allow","user","password","realm"}],
 *    "timeouts": {"handshake_ms","header_ms","idle_ms","silent_ms"}} */
#ifndef MC_CONFIG_H
#define MC_CONFIG_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "mc_dest.h"

enum mc_fault_type {
	MC_F_REFUSE,
	MC_F_RESET,
	MC_F_SILENT,
	MC_F_DELAY,
	MC_F_BANDWIDTH,
	MC_F_STATUS,
	MC_F_TLS_FAIL,
	MC_F_WRONG_NAME,
	MC_F_EXPIRED,
	MC_F_INTERCEPT,
	MC_F_FLAKY,
	MC_F_COUNT
};

/* Config names of the fault types, indexed by enum mc_fault_type. */
extern const char *const mc_fault_names[MC_F_COUNT];

/* The composed faults of one host: a bit per type plus parameters. */
struct mc_faults {
	unsigned mask;   /* 1u << enum mc_fault_type */
	int reset_after; /* reset: 1 after the handshake, 0 before */
	int silent_ms;   /* silent: cap (0 = the timeouts' silent_ms) */
	int delay_ms;
	int bytes_per_sec;
	int status;
	int flaky_times;
	char wrong_name[256]; /* wrong-name: the name the leaf carries */
};

struct mc_host {
	char *name; /* exact name or "*.suffix", lower case */
	struct mc_faults faults;
	atomic_int conns; /* connections seen, for flaky */
};

enum mc_proxy_mode { MC_PX_ALLOW, MC_PX_DENY, MC_PX_AUTH_BASIC, MC_PX_AUTH_NTLM, MC_PX_INTERCEPT };

struct mc_proxy_cfg {
	char *name;
	char *as; /* advertised "host:port" */
	enum mc_proxy_mode mode;
	char **deny;
	int ndeny;
	char **allow;
	int nallow;
	char *user, *password, *realm;
};

/* A PAC file served on the plain HTTP front (docs/mockcloud.md "PAC files"). */
struct mc_pac {
	char *host; /* lower case, exact */
	char *path; /* "/wpad.dat" */
	int status; /* 200, or e.g. 404 */
	char *body; /* NUL-terminated, never contains NUL */
	size_t len;
};

struct mc_timeouts {
	int handshake_ms; /* ClientHello to handshake done */
	int header_ms;    /* first byte to end of request head (slowloris) */
	int idle_ms;      /* keep-alive wait for the next request */
	int silent_ms;    /* default cap of the silent fault */
};

/* Bounds on a config: the duplicate checks run in the control thread. */
#define MC_MAX_HOSTS 4096
#define MC_MAX_PROXIES 16 /* also the listeners a server binds */

struct mc_config {
	atomic_int refs;
	char *destinations; /* NULL: the CLI default */
	struct mc_host *hosts;
	int nhosts;
	struct mc_proxy_cfg *proxies;
	int nproxies;
	struct mc_timeouts to;
	struct mc_pac *pac;
	int npac;
	/* The world's clock every reply's Date header tells ($.clock): `at`
	 * (seconds since the epoch), standing still as a fixture's clock does,
	 * or the real clock when absent; plus offset_s. */
	int has_clock_at;
	int64_t clock_at, clock_offset_s;
	cJSON *json;         /* the parsed source, owned */
	struct mc_dest dest; /* loaded by the server after parsing */
};

/* Parses a config from JSON text. On error returns -1 and writes
 * "$.json.path: reason" into err; the caller adds the file name.
 * On success *out has one reference (mc_config_put frees). */
int mc_config_parse(const char *text, struct mc_config **out, char *err, size_t errlen);

/* Builds a config from an already parsed tree (takes ownership of root
 * even on failure). */
int mc_config_from_json(cJSON *root, struct mc_config **out, char *err, size_t errlen);

/* Parses a faults array at JSON path `path` into f. -1 + err on error. */
int mc_faults_parse(const cJSON *arr, const char *path, struct mc_faults *f, char *err,
		    size_t errlen);

/* The mock world's time now, by $.clock (seconds since the epoch). */
int64_t mc_config_now(const struct mc_config *c);

/* The PAC file served for host + path (query ignored), or NULL. */
const struct mc_pac *mc_config_pac(const struct mc_config *c, const char *host, const char *path);

/* Takes / drops a reference. */
struct mc_config *mc_config_ref(struct mc_config *c);
void mc_config_put(struct mc_config *c);

/* The host entry that governs `host`: exact beats the longest wildcard.
 * NULL when no entry matches. */
struct mc_host *mc_config_host(const struct mc_config *c, const char *host);

/* The faults that apply to this connection to `host`: counts the
 * connection for flaky and clears the faults once flaky's N are spent.
 * Returns 0 with *f zeroed when the host has no faults. */
void mc_config_take_faults(const struct mc_config *c, const char *host, struct mc_faults *f);

/* Proxy by name, NULL if absent. */
const struct mc_proxy_cfg *mc_config_proxy(const struct mc_config *c, const char *name);

/* Writes the names in mask as "a,b" into buf. */
void mc_fault_names_str(unsigned mask, char *buf, size_t len);

#endif
