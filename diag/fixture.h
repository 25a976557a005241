/* fixture.h - a JSON model of one Windows device (docs/fixture.md).
 *
 * dx_fixture_load reads and validates a fixture completely before anything
 * uses it: a bad fixture gives NULL and one message "FILE: $.json.path:
 * reason" in the caller's buffer, never a crash. The fake platform
 * (platform_fake.c) answers from the loaded model; the fault rules are
 * applied by platform_faults.c.
 */
#ifndef DX_FIXTURE_H
#define DX_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include "platform.h"

/* Bounds on what a fixture may hold: anything larger is rejected. */
#define DX_FIXTURE_MAX_BYTES (16u << 20)
#define DX_FIXTURE_MAX_STRING (1u << 20)
#define DX_FIXTURE_MAX_ITEMS 20000u

struct dx_fx_value {
	char *name;
	struct dx_regval v;
};
struct dx_fx_key {
	char *path;
	struct dx_fx_value *values;
	size_t nvalues;
};
struct dx_fx_service {
	char *name;
	struct dx_svc svc;
};
struct dx_fx_file {
	char *path;
	int is_dir;
	char *version; /* NULL: no version resource */
	char *content; /* the file's text (file_tail), NULL: empty */
	size_t content_len;
};
struct dx_fx_dns {
	char *pattern; /* "host", "*.suffix" or "*" */
	enum dx_status status;
	struct dx_strlist addresses;
	int delay_ms; /* the answer takes this long (the resolver blocks) */
};
/* WPAD as the fixture describes it (docs/fixture.md "wpad"). */
struct dx_fx_wpad {
	int present;           /* the section exists */
	enum dx_status status; /* DX_OK found, DX_NOT_FOUND, DX_TIMEOUT */
	char method[16];       /* "dhcp", "dns" */
	char *url;             /* the PAC URL (found) */
	char *script;          /* the PAC file itself, or NULL: served at url */
	/* "os_answers": what Windows' own auto-proxy (WinHttpGetProxyForUrl)
	 * answered per destination host ("*" for any other), in PAC form;
	 * none: the platform runs no PAC (autoproxy is unsupported). */
	struct dx_strlist os_hosts, os_answers;
};
/* A rule of the fault injector: calls of `primitive` whose target matches
 * fail with `status` after `after` matching calls, `count` times (0 = for
 * ever). */
struct dx_fault_rule {
	char primitive[32];
	char target[512]; /* case-insensitive; "*" = any; trailing "*" = prefix */
	enum dx_status status;
	uint32_t code;
	unsigned after;
	unsigned count;
	unsigned seen; /* matching calls so far (run-time state) */
};

struct dx_netlog;

struct dx_fixture {
	char *source; /* file name, for messages */
	char *description;
	char hostname[256];
	int64_t clock; /* seconds since the epoch; 0 = not given */
	int elevated;  /* "process": {"elevated"}: the token is elevated
			       (1, the default) or not (0) */
	int tz_given;  /* "time_zone" present; else the device is on UTC */
	struct dx_time_zone tz;
	struct dx_fx_key *keys;
	size_t nkeys;
	struct dx_fx_service *services;
	size_t nservices;
	struct dx_fx_file *files;
	size_t nfiles;
	struct dx_eventlist events;
	struct dx_fx_dns *dns;
	size_t ndns;
	struct dx_fx_wpad wpad;
	struct dx_fault_rule *faults;
	size_t nfaults;
	struct dx_netlog *network; /* collected network records (netrec.h), or NULL */
};

/* Loads FILE; NULL with "FILE: $.path: reason" in err on any problem. */
struct dx_fixture *dx_fixture_load(const char *file, char *err, size_t errsz);
/* Same from memory; `name` is used in messages. */
struct dx_fixture *dx_fixture_parse(const char *text, size_t len, const char *name, char *err,
				    size_t errsz);
void dx_fixture_free(struct dx_fixture *fx);

/* Parses "2026-11-20T08:00:00Z"; -1 when malformed. */
int64_t dx_parse_time(const char *s);

/* The fake platform: answers from `fx`, which it takes over (closing the
 * platform frees it). Fault rules of the fixture are applied by wrapping
 * the result with dx_faults_open; dx_platform_fixture_open does both. */
void dx_platform_fake_open(struct dx_platform *out, struct dx_fixture *fx);
/* Wraps `inner` so calls matching `rules` fail (the rules are copied). */
int dx_faults_open(struct dx_platform *out, struct dx_platform inner,
		   const struct dx_fault_rule *rules, size_t n);
/* Fake platform + the fixture's fault rules; takes over fx. 0 or -1 (OOM). */
int dx_platform_fixture_open(struct dx_platform *out, struct dx_fixture *fx);

#endif
