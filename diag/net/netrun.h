/* netrun.h - the connectivity probe's run, live or replayed: one record per
 * destination (netrec.h), which check_net.c turns into findings.
 *
 * A live run decides each destination's route (the static proxy, netsh
 * WinHTTP, WPAD and its PAC script, direct), resolves and probes every
 * destination under one deadline (--timeout: name resolution, the PAC
 * download and the probe share it), and follows the static proxy's fallback
 * to direct (docs/connectivity.md). A replay takes the records of a
 * collected file instead, with no traffic.
 */
#ifndef DX_NETRUN_H
#define DX_NETRUN_H

#include "checks.h"
#include "dnscache.h"
#include "netconf.h"
#include "netrec.h"
#include "wpad.h"

/* What the local facts decided about Sense's route (check_net.c fills it). */
struct dx_netplan {
	struct dx_onboarded ob;
	int ob_ok; /* OnboardedInfo decoded */
	struct dx_winhttp wh;
	int wh_ok; /* WinHttpSettings present and decoded */
	struct dx_hostport sp;
	int sp_ok;         /* TelemetryProxyServer set and valid */
	int prefer_static; /* PreferStaticProxyForHttpRequest = 1 */
};

/* One run's records and what produced them. Zero-initialise; the run owns
 * everything in it (dx_netrun_free). */
struct dx_netrun {
	struct dx_netrec *t; /* one per destination; only read once filled */
	size_t n;
	int t_borrowed;          /* t is the collected file's own records (a
				    replay): read, never written or freed here */
	struct dx_wpad_state wp; /* WPAD discovery and the PAC script */
	int wpad_ran;            /* wp is meaningful (live, or recorded) */
	struct dx_dns_cache dc;  /* the names resolved (reused by the static-IP check) */
	char err[200];           /* why the probe could not start, "" */
};

/* Fills `run`: the collected file's records when c->opt->replay_net, else
 * a live probe of the destinations of the plan's mode and region. Under
 * `mdediag collect` (c->netlog) the records are copied there too. 0, or -1
 * when there is nothing to judge (no destination, out of memory). */
int dx_net_run(struct dx_ctx *c, const struct dx_netplan *np, struct dx_netrun *run);
/* Frees what the run owns; it is zero again afterwards but for dc's deadline. */
void dx_netrun_free(struct dx_netrun *run);

#endif
