/* mc_control.h - the HTTP control API (libmicrohttpd, 127.0.0.1):
 * PUT /config, PUT|DELETE /hosts/{host}/faults, POST /reset,
 * GET /journal, GET /state. Bodies are JSON, at most 1 MiB; a bad body
 * gets 400 {"error": "$.path: reason"}. */
#ifndef MC_CONTROL_H
#define MC_CONTROL_H

#include "mc_server.h"

/* Starts the control daemon on 127.0.0.1 port 0; stores the port in
 * s->control_port. Returns an opaque handle for mc_control_stop, or NULL
 * with a reason in err. */
void *mc_control_start(struct mc_server *s, char *err, size_t errlen);
void mc_control_stop(void *handle);

#endif
