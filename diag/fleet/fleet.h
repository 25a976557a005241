/* fleet.h - `mdediag fleet`: many devices' results in, the causes that
 * block the most devices out (docs/fleet.md).
 *
 * The pipeline streams: fleet_input.c finds the files under each PATH and
 * reads them one at a time; each becomes a device summary (fleet_device.c:
 * a collected file is replayed exactly as --fixture replays it, a JSON
 * report is read, an Intune export gives one summary per row through
 * fleet_csv.c and fleet_line.c); the summary goes into the device table,
 * where one device is counted once (the newest result wins) and then the
 * file's memory is gone. fleet_agg.c ranks the causes from the table, and
 * fleet_text.c, fleet_json.c and fleet_html.c render the result. Only the
 * per-device summaries stay in memory, their strings interned.
 */
#ifndef DX_FLEET_H
#define DX_FLEET_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cjson/cJSON.h>
#include "catalog.h"
#include "data.h"
#include "platform.h" /* DX_PRINTF */

/* Bounds on what one input may be: larger is unreadable, never read. */
#define FL_MAX_JSON_BYTES (16u << 20) /* a collected file or report (= fixtures') */
#define FL_MAX_CSV_BYTES (1u << 30)   /* an Intune export, read row by row */
#define FL_MAX_CSV_FIELD (64u << 10)  /* one field; the detection output is 2,048 */
#define FL_MAX_CSV_FIELDS 256         /* fields in a row */
#define FL_MAX_DEPTH 32               /* directory levels below a PATH */

/* The facts a fleet pattern usually follows (--group-by names). */
enum fl_fact {
	FL_OS_BUILD,
	FL_SENSE_VERSION,
	FL_PLATFORM_VERSION,
	FL_ONBOARDING,
	FL_STREAMLINED,
	FL_REGION,
	FL_PROXY,
	FL_SITE,
	FL_NFACTS
};
extern const char *const fl_fact_names[FL_NFACTS]; /* "os_build", ... */
/* The fact called `name`, or -1. */
int fl_fact_by_name(const char *name);

/* Interned strings: equal strings share one copy for the whole run. */
struct fl_pool;
struct fl_pool *fl_pool_new(void);
/* The pool's copy of s (NULL and "" give ""); NULL when out of memory. */
const char *fl_intern(struct fl_pool *p, const char *s);
void fl_pool_free(struct fl_pool *p);

/* One device's result, as kept for the whole run. Every string is
 * interned (never NULL; "" when unknown). */
struct fl_device {
	const char *host;      /* as the input says it (a token when redacted) */
	const char *device_id; /* SenseId */
	const char *source;    /* file, or "file:row N" for an export row */
	const char *kind;      /* "collected", "report", "intune" */
	int64_t when;          /* collected or reported time, 0 unknown */
	const char *cause;     /* the verdict's check ID */
	const char *variant;
	const char *severity;   /* "error", "warning", "info" */
	const char *rule;       /* cause-found, sense-not-running, not-determined,
				    nothing-found; "" unknown (an export line) */
	const char *incomplete; /* rule 3: the first reason ("not-elevated",
				    "network-not-tested", ...), else "" */
	const char *title;      /* the verdict's title */
	const char *next;       /* its next step */
	const char *command;    /* its command, "" none */
	const char *findings;   /* errors and warnings but the verdict's own:
				    "id[/variant]" joined with ',' */
	const char *facts[FL_NFACTS];
	unsigned results; /* results read for this device (>1: duplicates) */
};

/* A result that lost to a newer one for the same device. */
struct fl_dup {
	const char *identity, *kept, *dropped;
};
/* An input that could not be read, and why (one line). */
struct fl_bad {
	const char *source, *reason;
};

/* The run: its options and everything it keeps. */
struct fl_run {
	/* options */
	const struct dx_data *data;
	const struct dx_catalog *cat;
	int redact;
	int group_by[FL_NFACTS]; /* facts the causes are split by (--group-by) */
	size_t n_group_by;
	/* state */
	struct fl_pool *pool;
	struct fl_device *dev;
	size_t ndev, capdev;
	struct fl_table *byid, *byhost; /* identity -> index into dev */
	struct fl_dup *dups;
	size_t ndups, capdups;
	struct fl_bad *bad;
	size_t nbad, capbad;
	size_t files, results; /* files looked at, results read */
	size_t fail_nomem;     /* set when memory ran out: the run says so */
	char *rbuf;
	size_t rbufcap;             /* the read buffer, reused file after file */
	struct fl_arena *arena;     /* cJSON's memory while a file is read, or
				       NULL: malloc (fleet_arena.c) */
	struct fl_workers *workers; /* --jobs above 1: the worker threads */
	struct fl_outbox *outbox;   /* a worker's copy of the run: where fl_add
				       and fl_bad record instead (fleet_work.c) */
};

int fl_run_init(struct fl_run *r);
void fl_run_free(struct fl_run *r);

/* fleet_input.c: reads every file under `path` (a file or a directory,
 * recursively, entries in byte order, symbolic links not followed).
 * Unreadable inputs are recorded in r->bad, never stop the walk. Returns 0,
 * or -1 when `path` itself cannot be read (err says why). */
int fl_read_path(struct fl_run *r, const char *path, char *err, size_t errsz);
/* Reads one file (a collected file, a report or an export) and adds what
 * it gives to the run, or to its outbox. */
void fl_read_file(struct fl_run *r, const char *path, const char *site);
/* Reads an Intune export from the start (the main thread's part of a
 * worker's job). */
void fl_read_csv_file(struct fl_run *r, const char *path, const char *site);
/* Frees r's read buffer. */
void fl_readbuf_free(struct fl_run *r);
/* One file's contents (len bytes, NUL-terminated): classified and read. `site` is
 * the folder it came from. */
void fl_read_buffer(struct fl_run *r, const char *name, const char *site, const char *text,
		    size_t len);

/* fleet_arena.c: cJSON's allocations on a thread between begin and end
 * come from the arena and are all released at end; everything cJSON
 * allocates in between must be freed (through cJSON) before end.
 * fl_arena_install puts the hooks in place, once, before any thread
 * starts; without a begun arena they are malloc and free. */
struct fl_arena;
void fl_arena_install(void);
struct fl_arena *fl_arena_new(void); /* NULL when out of memory: no arena */
void fl_arena_begin(struct fl_arena *a);
void fl_arena_end(struct fl_arena *a);
void fl_arena_free(struct fl_arena *a);

/* fleet_work.c: files diagnosed on n worker threads (--jobs), their
 * results counted in the order submitted, as one thread would. */
/* Number of CPUs online, at least 1. */
unsigned fl_cpu_count(void);
/* Starts n workers (n >= 2) after r's options are set; 0, or -1 when no
 * thread could start (files are then read on the calling thread). */
int fl_workers_start(struct fl_run *r, unsigned n);
/* Reads the file at `path`: at once without workers, else queued. */
void fl_submit(struct fl_run *r, const char *path, const char *site);
/* Commits every file submitted so far: call before anything else changes
 * the run, so that the order stays the walk's. */
void fl_settle(struct fl_run *r);
/* Settles, then stops and frees the workers. */
void fl_workers_stop(struct fl_run *r);
/* A worker's records (r->outbox set): what fl_add and fl_bad would do. */
struct fl_summary;
int fl_outbox_add(struct fl_run *r, const struct fl_summary *s);
void fl_outbox_bad(struct fl_run *r, const char *source, const char *reason);
void fl_outbox_csv(struct fl_run *r, const char *path, const char *site);

/* fleet_device.c */
/* Adds a device summary (strings not yet interned; `d` is the caller's):
 * counted once per identity, the newest wins. 0 or -1 out of memory. */
struct fl_summary {
	const char *host, *device_id, *source, *kind, *cause, *variant, *severity, *rule,
		*incomplete, *title, *next, *command, *findings;
	const char *facts[FL_NFACTS];
	int64_t when;
};
int fl_add(struct fl_run *r, const struct fl_summary *s);
/* A report model (dx_report_model, or a JSON report read back) as a summary;
 * strings point into `model` or into scratch[] (which the caller frees with
 * fl_scratch_free). A report read back (kind "report") gets its verdict's
 * title and next step again from the run's catalog, so a fleet report
 * speaks one language. 0, or -1 when the model lacks a verdict ID (err). */
#define FL_SCRATCH 6
int fl_summary_from_model(struct fl_run *r, const cJSON *model, const char *source,
			  const char *kind, const char *site, int64_t when, struct fl_summary *s,
			  char *scratch[FL_SCRATCH], char *err, size_t errsz);
void fl_scratch_free(char *scratch[FL_SCRATCH]);
/* Records an unreadable input. */
void fl_bad(struct fl_run *r, const char *source, const char *fmt, ...) DX_PRINTF(3, 4);
/* 1 when `host` is a token of `collect --redact` (HOST-1). */
int fl_host_redacted(const char *host);

/* fleet_csv.c: an RFC 4180 reader (quoted fields, "" inside quotes,
 * commas and line breaks inside quoted fields, CRLF or LF), bounded. */
struct fl_csv {
	FILE *f;
	char delim;
	char **field;
	size_t nfield;
	char *buf;
	size_t len, cap; /* the row's bytes, fields NUL-separated */
	size_t row;      /* 1-based number of the row just read */
	size_t line;     /* line where it started */
};
/* Reads the next row. 1 a row, 0 end of file, -1 a bad row (err says why;
 * reading may go on after an over-long field, not after an unterminated
 * quote, which runs to the end). */
int fl_csv_next(struct fl_csv *c, char *err, size_t errsz);
void fl_csv_free(struct fl_csv *c);
/* Reads an Intune export whose header is the first row. */
void fl_read_intune_csv(struct fl_run *r, const char *name, const char *site, FILE *f);

/* fleet_line.c: one line of `mdediag --format intune` as a summary
 * (strings point into `buf`, a copy of the line the caller frees). 0, or
 * -1 when it is not such a line (err says why). */
int fl_parse_intune_line(const char *line, char **buf, struct fl_summary *s, char *err,
			 size_t errsz);

/* A time as Intune exports write it: "2026-11-20T08:00:00Z", with
 * fractions of a second and a "+09:00" offset, or "2026-11-20 08:00:00"
 * (UTC). Seconds since the epoch, or -1. */
int64_t fl_parse_time_any(const char *s);

/* fleet_agg.c: the result, ranked. */
struct fl_count {
	const char *value;
	size_t n;
};
struct fl_cause {
	const char *id, *variant, *severity, *title, *next, *command;
	const char *group[FL_NFACTS]; /* values of the --group-by facts */
	size_t n;                     /* devices */
	size_t *members;
	size_t nmembers; /* indexes into r->dev, by name */
	struct fl_count *split[FL_NFACTS];
	size_t nsplit[FL_NFACTS]; /* by count */
	/* 1 when the most frequent value of the fact is a pattern of this
	 * cause: known, on at least 2 of its devices, and its share here
	 * exceeds its share of the whole fleet by FL_PATTERN_GAP or more (site
	 * B holds 96% of these devices and 25% of the fleet) */
	int pattern[FL_NFACTS];
};
#define FL_PATTERN_GAP 0.2
struct fl_result {
	size_t devices, incomplete_n;
	struct fl_cause *causes;
	size_t ncauses; /* complete diagnoses */
	struct fl_cause *incomplete;
	size_t nincomplete; /* by reason */
	struct fl_count *findings;
	size_t nfindings; /* other findings, by devices */
	struct fl_count *all[FL_NFACTS];
	size_t nall[FL_NFACTS]; /* the fleet's split */
	size_t *order;          /* every device: by cause rank, then name (for JSON Lines) */
	const char **name;      /* display name of each device (a token with --redact) */
};
int fl_aggregate(struct fl_run *r, struct fl_result *res);
void fl_result_free(struct fl_result *res);
/* Devices of the whole fleet with this value of fact f (an interned
 * value of a device). */
size_t fl_fleet_count(const struct fl_result *res, int f, const char *value);

/* Writers: 0, or -1 on a write error. */
int fl_write_text(FILE *out, const struct fl_run *r, const struct fl_result *res, int width);
int fl_write_json(FILE *out, const struct fl_run *r, const struct fl_result *res);
int fl_write_jsonl(FILE *out, const struct fl_run *r, const struct fl_result *res);
int fl_write_html(FILE *out, const struct fl_run *r, const struct fl_result *res);

/* A file name as output may show it: as it is, or with --redact its
 * folder only (file names often carry the host name). */
const char *fl_shown_source(const struct fl_run *r, const char *src, char *buf, size_t sz);

/* The label `key` ("fleet_...") in the run's language. */
const char *fl_ui(const struct fl_run *r, const char *key);

/* The label `key` with its {name} placeholders filled from the pairs
 * (name, number) that follow, NULL-terminated, into out. */
const char *fl_say(const struct fl_run *r, const char *key, char *out, size_t sz, ...);

/* fleet_main.c: `mdediag fleet ...` (argv[0] is "fleet"); the exit status. */
int dx_fleet_main(int argc, char **argv);

#endif
