/* replay.h - diagnosing a fixture or a collected file: what
 * `mdediag --fixture FILE` does, in one place for main() and for
 * `mdediag fleet` (docs/fleet.md), so both reach the same verdict from the
 * same file.
 */
#ifndef DX_REPLAY_H
#define DX_REPLAY_H

#include "checks.h"
#include "fixture.h"
#include "platform.h"

/* How a replay treats the network. */
enum dx_replay_net {
	DX_REPLAY_RECORDS, /* --fixture: a collected file's records, else probe live */
	DX_REPLAY_REPROBE, /* --reprobe: probe live even when there are records */
	DX_REPLAY_OFFLINE, /* fleet: the records, else nothing (as --no-network);
			       never a byte on the network */
};

/* Opens the fake platform for `fx` (with its fault rules; the platform
 * takes fx over and frees it when closed) and sets `opt` for the replay:
 * opt->fixture_mode, and for a collected file opt->replay_net (its
 * records replace the probe) and opt->no_network when it was collected
 * with --no-network. Under DX_REPLAY_OFFLINE a fixture without records
 * replays as --no-network. Returns 0, or -1 when out of memory (fx is then
 * freed). The caller runs dx_run_checks and closes the platform. */
int dx_replay_open(struct dx_platform *p, struct dx_fixture *fx, struct dx_options *opt,
		   enum dx_replay_net net);

#endif
