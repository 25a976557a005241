/* pac.h - a PAC script evaluated the way a WinHTTP client would, bounded.
 *
 * The script runs in Duktape (Debian's duktape-dev, compiled into mdediag
 * with our own configuration, tools/duk_config.py) after our helper library
 * data/pac_helpers.js. Name resolution, the device's addresses and the clock
 * come from the caller (the platform), never from the host running mdediag.
 *
 * Hostile scripts are contained in-process: a size cap before compiling, a
 * heap cap in Duktape's allocator, a wall-clock budget enforced by Duktape's
 * execution-timeout check (sticky: once spent, every further instruction
 * throws until the script has unwound, and later calls are refused without
 * running), Duktape's own call-depth limits, and a cap on the returned string.
 * Every call into Duktape that can allocate is protected, and a heap Duktape
 * cannot unwind is abandoned rather than left to Duktape's fatal handler.
 * Every failure is a status and a one-line reason; nothing aborts.
 */
#ifndef DX_PAC_H
#define DX_PAC_H

#include <stddef.h>
#include <stdint.h>
#include "platform.h"

enum dx_pac_rc {
	DX_PAC_OK = 0,
	DX_PAC_TOO_LARGE,   /* the script is over max_script bytes */
	DX_PAC_SYNTAX,      /* does not compile */
	DX_PAC_NO_FUNCTION, /* defines neither FindProxyForURL(Ex) */
	DX_PAC_RUNTIME,     /* threw (including too-deep recursion) */
	DX_PAC_TIMEOUT,     /* ran past the time budget */
	DX_PAC_MEMORY,      /* ran past the heap cap */
	DX_PAC_BAD_RESULT,  /* returned something that is not a proxy list */
};
/* "too-large", "syntax", ... (the net.pac.error variant). */
const char *dx_pac_rc_name(enum dx_pac_rc rc);

/* Once a limit has stopped a script, Duktape may allocate this much past
 * the heap cap while it unwinds; a heap that needs more, or still
 * allocates at twice the time budget, is abandoned (its memory freed
 * without Duktape) and the status is the limit's. */
#define DX_PAC_UNWIND_SLACK ((size_t)1 << 20)

struct dx_pac_limits {
	size_t max_script; /* bytes; default 4 MiB */
	size_t max_heap;   /* bytes; default 64 MiB */
	double budget_ms;  /* wall clock for load + all calls; default 3000 */
	size_t max_result; /* bytes of FindProxyForURL's string; default 4096 */
};

/* What the script may ask the device. resolve fills `out` with numeric
 * addresses and returns DX_OK, or a failure (treated as "not resolvable"). */
struct dx_pac_env {
	enum dx_status (*resolve)(void *ud, const char *host, struct dx_strlist *out);
	void *ud;           /* must outlive the dx_pac: resolve gets it at every call */
	const char *my_ips; /* the device's addresses "a;b" ("" = 127.0.0.1); copied */
	int64_t now;        /* device clock, seconds since the epoch, UTC */
	int32_t utc_offset; /* seconds added to UTC for the device's local time
			      * at `now` (its time zone and daylight saving):
			      * what the time functions use without "GMT" */
};

struct dx_pac;

/* Compiles and runs the script's top level. On failure returns the class
 * and `err` says why; *out is NULL then. `lim` may be NULL (defaults). */
enum dx_pac_rc dx_pac_load(struct dx_pac **out, const char *script, size_t len,
			   const struct dx_pac_env *env, const struct dx_pac_limits *lim, char *err,
			   size_t errsz);

/* Calls FindProxyForURLEx (when defined, as WinHTTP does) or
 * FindProxyForURL for url/host and copies the string it returns into `out`
 * (checked with dx_pac_parse, so a bad list is DX_PAC_BAD_RESULT). A null
 * answer is "DIRECT": the Netscape spec says a null string means no proxy. */
enum dx_pac_rc dx_pac_find(struct dx_pac *p, const char *url, const char *host, char *out,
			   size_t outsz, char *err, size_t errsz);

/* The function dx_pac_find called last: "FindProxyForURLEx" or "FindProxyForURL". */
const char *dx_pac_entry_point(const struct dx_pac *p);
/* 1 when the script was not UTF-8 and was read as Latin-1 (every byte
 * the code point of its value, as Chromium reads a PAC file without a
 * charset; WinHTTP uses the device's code page, which agrees on ASCII,
 * so on all of the syntax). A load that fails says so in its reason. */
int dx_pac_read_as_latin1(const struct dx_pac *p);
/* alert() messages so far, "; "-joined and bounded ("" none). */
const char *dx_pac_alerts(const struct dx_pac *p);
/* Peak heap bytes used by the script so far. */
size_t dx_pac_heap_peak(const struct dx_pac *p);

void dx_pac_free(struct dx_pac *p);

/* ---- the answer ---------------------------------------------------------- */

enum dx_pac_kind { DX_PAC_DIRECT, DX_PAC_PROXY, DX_PAC_SOCKS };
struct dx_pac_entry {
	enum dx_pac_kind kind;
	char host[256];
	int port;
};

/* Parses a PAC answer ("PROXY a:8080; DIRECT"; keywords PROXY, HTTP, HTTPS,
 * SOCKS, SOCKS4, SOCKS5, DIRECT, case-insensitive; a missing port is 80;
 * empty entries skipped). Fills at most `max`; returns the count, or -1 with
 * the reason in err when an entry is not one of those (an empty answer is
 * -1 too: no usable route). */
int dx_pac_parse(const char *s, struct dx_pac_entry *out, size_t max, char *err, size_t errsz);

#endif
