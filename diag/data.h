/* data.h - the data files compiled into mdediag (data/, tools/embed.py).
 *
 * URL lists, version baselines and message catalogs are data, not code.
 * They are embedded so the single mdediag.exe carries them; a user can
 * replace the baselines with --baselines FILE as Microsoft ships updates.
 */
#ifndef DX_DATA_H
#define DX_DATA_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* The parsed data files of one run (dx_data_load owns them). */
struct dx_data {
	cJSON *destinations; /* data/destinations.json */
	cJSON *baselines;    /* data/baselines.json */
	cJSON *sense_events; /* data/sense-events.json: the SENSE log's failure events */
	cJSON *trust;        /* data/trust.json: MDE's roots, accepted cipher suites */
	cJSON *deploytool; /* data/deployment-tool.json: the deployment tool's log and exit codes */
};

struct dx_embedded {
	const char *name; /* "destinations.json" */
	const char *data; /* NUL-terminated */
	size_t len;
};
/* The table generated at build time; ends with a NULL name. */
extern const struct dx_embedded dx_embedded[];

/* The embedded file called `name`, or NULL. */
const struct dx_embedded *dx_embedded_find(const char *name);

/* Parses the embedded data (baselines from `baselines_path` when not
 * NULL). 0, or -1 with "FILE: reason" in err. */
int dx_data_load(struct dx_data *d, const char *baselines_path, char *err, size_t errsz);
void dx_data_free(struct dx_data *d);

#endif
