/* replay.c - a fixture or collected file made ready for the checks
 * (replay.h). */
#include "replay.h"
#include "netrec.h"

int dx_replay_open(struct dx_platform *p, struct dx_fixture *fx, struct dx_options *opt,
		   enum dx_replay_net net)
{
	const struct dx_netlog *recorded = fx->network; /* owned by fx, which p keeps */
	if (dx_platform_fixture_open(p, fx)) {
		dx_fixture_free(fx);
		return -1;
	}
	opt->fixture_mode = 1;
	if (recorded && net != DX_REPLAY_REPROBE) {
		/* A collected file: diagnose the network from its records. */
		opt->replay_net = recorded;
		if (recorded->no_network)
			opt->no_network = 1;
	} else if (net == DX_REPLAY_OFFLINE) {
		opt->replay_net = NULL;
		opt->no_network = 1;
	}
	return 0;
}
