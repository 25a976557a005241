/* check_pac.h - the proxy-discovery findings of the connectivity section:
 * net.proxy.wpad (what WPAD found), net.pac.unreachable, net.pac.error,
 * net.pac.proxy-denied, net.pac.direct-blocked, net.pac.os-disagrees.
 * check_net.c calls this after
 * the probe with one observation per destination. */
#ifndef DX_CHECK_PAC_H
#define DX_CHECK_PAC_H

#include "checks.h"
#include "probe.h"
#include "wpad.h"

/* One destination as routed and probed. */
struct dx_pac_obs {
	const char *host;
	int required;
	int cnc;                  /* counts for the cnc category */
	const char *route_source; /* "static", "netsh", "netsh-bypass", "wpad", "direct" */
	int via_proxy;
	const char *proxy; /* "host:port" when via_proxy */
	enum dx_probe_class result;
	const char *pac_answer; /* the script's answer, "" none */
	enum dx_pac_rc pac_rc;  /* the script failed for this host (not OK) */
	const char *pac_error;
	const char *status_line; /* the proxy's, for proxy-denied */
	const char *os_answer;   /* the OS's own auto-proxy answer, "" none */
};

/* WPAD was consulted for the destinations whose route_source is "wpad"
 * (the script decided) or "direct" (nothing decided: WPAD found nothing or
 * failed); a static or netsh proxy decided the others. */
void dx_check_pac(struct dx_ctx *c, const struct dx_wpad_state *st, const struct dx_pac_obs *o,
		  size_t n);

#endif
