/* mc_server.h - listeners, connection threads and the current
 * configuration of the mock cloud. */
#ifndef MC_SERVER_H
#define MC_SERVER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "mc_conn.h"

/* Builds a configuration from root (owned, freed even on error), loads its
 * destinations table, checks its proxies name listeners that exist, and
 * makes it current. -1 with "$.path: reason" in err. */
int mc_server_apply(struct mc_server *s, cJSON *root, char *err, size_t errlen);

/* The current configuration, with a reference the caller puts. */
struct mc_config *mc_server_config(struct mc_server *s);

/* Sets (faults = a JSON array) or clears (faults = NULL) one host's
 * faults in a copy of the current config and applies it. */
int mc_server_set_faults(struct mc_server *s, const char *host, const cJSON *faults, char *err,
			 size_t errlen);

/* Back to the start configuration; clears the journal. */
int mc_server_reset(struct mc_server *s, char *err, size_t errlen);

/* The curl-style --connect-to rules for cfg: refused hosts first (exact
 * names without flaky), then proxies' advertised addresses, then the :443
 * and :80 catch-alls. */
cJSON *mc_server_connect_to(struct mc_server *s, const struct mc_config *cfg);

/* Binds every listener (127.0.0.1, port 0) for the proxies of cfg and
 * starts the accept threads. -1 with a reason in err. */
int mc_server_listen(struct mc_server *s, const struct mc_config *cfg, char *err, size_t errlen);

/* Stops accepting; connection threads end with the process. */
void mc_server_stop(struct mc_server *s);

/* Directory relative "destinations" paths are resolved against. */
extern char mc_config_dir[4096];

#endif
