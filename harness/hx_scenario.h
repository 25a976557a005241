/* hx_scenario.h - one scenario: load its directory, run it (mock cloud +
 * the real mdediag), compare with its expectations.
 *
 * scenario.json (docs/scenarios.md):
 *   {"branch": "...", "fixture": "path relative to the scenario directory",
 *    "overrides": {deep-merged into the fixture}, "cloud": {mock cloud
 *    config, omitted = local only, mdediag runs with --no-network},
 *    "connect_to": ["HOST:PORT:127.0.0.1:{refuse}", ...] extra rules put
 *    before the mock cloud's own ({https} {http} {refuse} {control}
 *    {proxy:NAME} are replaced by its ports), "mdediag_args": [...] ("{scenario_dir}"
 *    is replaced by the scenario directory),
 *    "expect": {see hx_match.h}} */
#ifndef HX_SCENARIO_H
#define HX_SCENARIO_H

#include <limits.h>
#include <cjson/cJSON.h>

#define HX_NAME_MAX 128

struct hx_opts {
	const char *diag; /* mdediag (or mdediag.exe with wine) */
	const char *mockcloud;
	int wine;               /* run diag through `wine` */
	double timeout_s;       /* whole scenario deadline */
	double net_timeout_s;   /* mdediag --timeout, unless the scenario sets its own */
	double slow;            /* a scenario's own net_timeout is multiplied by it */
	const char *tmp_root;   /* where the per-scenario directories go */
	int keep;               /* keep the temp directories (debugging) */
	const char *report_dir; /* write DIR/<name>.json reports, or NULL */
	int verbose;
	int collect_replay;      /* also collect, replay with no network, compare */
	const char *replay_diag; /* native mdediag for the replay (with --wine) */
};

enum hx_outcome { HX_PENDING, HX_PASS, HX_FAIL };

struct hx_scenario {
	char name[HX_NAME_MAX];
	char dir[PATH_MAX];
	cJSON *json; /* scenario.json, owned */
	/* results of hx_scenario_run */
	enum hx_outcome outcome;
	char why[1024]; /* first mismatch or error, one line */
	double seconds;
	int exit_code;         /* mdediag's, -1 when it did not run */
	cJSON *report;         /* mdediag's JSON report, owned, may be NULL */
	char *stderr_text;     /* mdediag's stderr (bounded), owned, may be NULL */
	char tmpdir[PATH_MAX]; /* set when kept */
	long collected_bytes;  /* --collect-replay: size of the collected file */
};

/* Loads dir/scenario.json and checks its shape. Returns 0, or -1 with the
 * reason (naming the file and member) in err. */
int hx_scenario_load(struct hx_scenario *sc, const char *dir, const char *name, char *err,
		     size_t errsz);

/* Runs the scenario and fills the result members. Never fails as a call:
 * problems are a HX_FAIL outcome with the reason in why. */
void hx_scenario_run(struct hx_scenario *sc, const struct hx_opts *o);

/* Frees what load and run allocated. */
void hx_scenario_free(struct hx_scenario *sc);

/* The merged fixture of a scenario (fixture file + overrides + the default
 * loopback resolver when it has a cloud). Exposed for the tests. */
cJSON *hx_scenario_fixture(const struct hx_scenario *sc, char *err, size_t errsz);

/* Replaces the {https} ... placeholders of an extra connect-to rule using
 * the mock cloud's ports line. Returns 0 or -1 (unknown placeholder). */
int hx_expand_rule(const char *rule, const cJSON *ports, char *out, size_t outsz);

#endif
