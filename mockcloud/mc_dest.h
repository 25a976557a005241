/* mc_dest.h - the destinations table (data/destinations.json, shared with
 * the diagnostic): which host answers which status on its test path. */
#ifndef MC_DEST_H
#define MC_DEST_H

#include <stddef.h>

struct mc_dest_row {
	char *id;
	char *pattern; /* "host", "*.suffix" or "host/path/ *" */
	char *host;    /* concrete host, may hold {dc}/{geo} */
	char *path;    /* the test path */
	int expect;    /* status on the test path */
	int port;
};

struct mc_dest {
	struct mc_dest_row *rows;
	int nrows;
};

/* Loads the table from a file. -1 with "FILE: $.destinations[3].path:
 * reason" in err on error. The caller frees with mc_dest_free. */
int mc_dest_load(const char *file, struct mc_dest *d, char *err, size_t errlen);
void mc_dest_free(struct mc_dest *d);

/* The status `host` answers for `path` (query string ignored): the row's
 * expect when a row for the host has this test path, else 404. Sets
 * *known to whether any row serves this host, *is_test to whether path
 * is that host's test path. */
int mc_dest_status(const struct mc_dest *d, const char *host, const char *path, int *known,
		   int *is_test);

#endif
