/* platform.h - the questions the diagnosis asks a Windows device.
 *
 * One table of primitives that mirror Windows itself (SQLite's VFS is the
 * model). Two instances answer: the real Win32 one (platform_win32.c, the
 * only file that includes windows.h) and the fake one built from a JSON
 * fixture (platform_fake.c). Two more wrap either of them: platform_faults.c
 * makes chosen calls fail, so error paths can be tested, and
 * platform_record.c writes down every answer for a collected file
 * (`mdediag collect`, docs/collect.md).
 *
 * Contract for every primitive:
 *   - returns a enum dx_status; DX_OK means the out-parameters are filled;
 *   - on any other status, `err` (caller-owned, may not be NULL) holds the
 *     Win32 error code (0 when there is none) and a one-line human reason
 *     that can be shown to the user as evidence;
 *   - out-parameters that own memory are released with the matching
 *     dx_*_free() below, also after a failure (they are then empty).
 * Registry key paths are written "HKLM\\SOFTWARE\\..." and compared without
 * regard to case, as Windows does. Strings are UTF-8.
 */
#ifndef DX_PLATFORM_H
#define DX_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

/* printf-style checking. MinGW's default attribute means Microsoft's
 * printf, which lacks %zu; the build uses the C99 one (_GNU_SOURCE turns on
 * __USE_MINGW_ANSI_STDIO), so check against that. */
#if defined(_WIN32)
#define DX_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define DX_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

enum dx_status {
	DX_OK = 0,
	DX_NOT_FOUND,     /* key, value, service (1060), file, host (NXDOMAIN) */
	DX_ACCESS_DENIED, /* Win32 error 5: e.g. a key only SYSTEM can read */
	DX_TRANSIENT,     /* try again later: RPC busy, DNS SERVFAIL */
	DX_TIMEOUT,       /* the operation ran out of time (DNS) */
	DX_BAD_DATA,      /* the answer exists but cannot be used */
	DX_UNSUPPORTED,   /* this platform cannot answer this question */
};

/* Win32 error codes the layer speaks in. */
#define DX_ERROR_FILE_NOT_FOUND 2u
#define DX_ERROR_ACCESS_DENIED 5u
#define DX_ERROR_INVALID_DATA 13u
#define DX_ERROR_SERVICE_DOES_NOT_EXIST 1060u
/* The service is marked for deletion: it goes once every handle to it is
 * closed and it has stopped (DeleteService), in practice at a restart.
 * svc_query answers DX_NOT_FOUND with this code, not 1060. */
#define DX_ERROR_SERVICE_MARKED_FOR_DELETE 1072u
#define DX_ERROR_RETRY 1237u
#define DX_WSAHOST_NOT_FOUND 11001u
#define DX_WSATRY_AGAIN 11002u
#define DX_WSAETIMEDOUT 10060u

/* The reason a primitive failed: caller-owned evidence (redis's anet style). */
struct dx_err {
	uint32_t code;  /* Win32 error code, 0 if none */
	char text[256]; /* human reason, never empty after a failure */
};

const char *dx_status_name(enum dx_status s);
/* Fills err with code and a printf-style reason; returns `s` for chaining. */
enum dx_status dx_fail(struct dx_err *err, enum dx_status s, uint32_t code, const char *fmt, ...)
	DX_PRINTF(4, 5);

/* ---- registry ---------------------------------------------------------- */

/* Windows REG_* type numbers. */
enum dx_regtype {
	DX_REG_NONE = 0,
	DX_REG_SZ = 1,
	DX_REG_EXPAND_SZ = 2,
	DX_REG_BINARY = 3,
	DX_REG_DWORD = 4,
	DX_REG_MULTI_SZ = 7,
	DX_REG_QWORD = 11,
};

const char *dx_regtype_name(enum dx_regtype t); /* "REG_SZ", ... */
int dx_regtype_parse(const char *name);         /* -1 when unknown */

/* A typed registry value. For SZ/EXPAND_SZ `data` is NUL-terminated UTF-8
 * (len excludes the NUL); MULTI_SZ is the strings each NUL-terminated, one
 * after the other, len covering them all; BINARY is raw bytes; DWORD/QWORD
 * are in `num` (data NULL). Freed with dx_regval_free. */
struct dx_regval {
	enum dx_regtype type;
	uint64_t num;
	unsigned char *data;
	size_t len;
};
void dx_regval_free(struct dx_regval *v);

/* A list of owned strings (subkey names, value names, paths, addresses). */
struct dx_strlist {
	char **items;
	size_t count;
};
void dx_strlist_free(struct dx_strlist *l);
int dx_strlist_push(struct dx_strlist *l, const char *s); /* 0 ok, -1 OOM */

/* ---- services ---------------------------------------------------------- */

/* SERVICE_* states as sc.exe prints them. */
enum dx_svc_state {
	DX_SVC_STOPPED = 1,
	DX_SVC_START_PENDING = 2,
	DX_SVC_STOP_PENDING = 3,
	DX_SVC_RUNNING = 4,
	DX_SVC_CONTINUE_PENDING = 5,
	DX_SVC_PAUSE_PENDING = 6,
	DX_SVC_PAUSED = 7,
};
const char *dx_svc_state_name(int state);      /* "RUNNING", ... */
const char *dx_svc_start_name(int start_type); /* "AUTO_START", ... */

/* What the service control manager says of one service. */
struct dx_svc {
	int state;      /* 1..7 */
	int start_type; /* 0 boot, 1 system, 2 auto, 3 demand, 4 disabled */
	char image_path[520];
};

/* ---- event logs -------------------------------------------------------- */

/* The event's System/Level. 0 is win:LogAlways (WINEVENT_LEVEL_LOG_ALWAYS,
 * "log this event whatever the session's level"): not a severity, shown as
 * information by Event Viewer, never an error. */
enum dx_evlevel {
	DX_EV_LOG_ALWAYS = 0,
	DX_EV_CRITICAL = 1,
	DX_EV_ERROR = 2,
	DX_EV_WARNING = 3,
	DX_EV_INFO = 4,
	DX_EV_VERBOSE = 5
};
/* "log-always", "critical", ..., "verbose"; "unknown" past 5. */
const char *dx_evlevel_name(int level);
/* 1 for critical (1) and error (2) only: a level-0 event is no error. */
int dx_evlevel_is_error(int level);

struct dx_event {
	char *log;      /* "Application", "Microsoft-Windows-SENSE/Operational" */
	char *provider; /* "WDATPOnboarding" */
	uint32_t id;
	int level;     /* enum dx_evlevel */
	int64_t time;  /* seconds since the Unix epoch, UTC */
	char *message; /* rendered message text; "" when Windows could not
			    render it (no publisher metadata, no message in
			    the display language: EvtFormatMessage 15033) */
	/* The insertion strings (EventData values, in order): the evidence
	 * that remains when the message is missing. */
	struct dx_strlist strings;
};
struct dx_eventlist {
	struct dx_event *items;
	size_t count;
};
void dx_eventlist_free(struct dx_eventlist *l);

/* ---- proxy auto-discovery ---------------------------------------------- */

/* What WPAD found: the PAC URL, how, and (when the platform holds it, as a
 * fixture does) the script itself. Freed with dx_wpad_free. */
struct dx_wpad {
	char url[1024];  /* "http://wpad.contoso.local/wpad.dat" */
	char method[16]; /* "dhcp", "dns", "" when the platform cannot say */
	char *script;    /* NULL: download `url` */
	size_t script_len;
};
void dx_wpad_free(struct dx_wpad *w);

/* The device's time zone (primitive time_zone). */
struct dx_time_zone {
	int32_t offset_s; /* local time = UTC + offset_s, now */
	char name[128];   /* "Tokyo Standard Time"; "" unknown */
};

/* Win32 codes of WinHTTP's auto-proxy calls. */
#define DX_ERROR_WINHTTP_TIMEOUT 12002u
#define DX_ERROR_WINHTTP_AUTO_PROXY_SERVICE_ERROR 12178u
#define DX_ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT 12166u
#define DX_ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT 12167u
#define DX_ERROR_WINHTTP_AUTODETECTION_FAILED 12180u

/* ---- the primitives ---------------------------------------------------- */

/* One platform: a const table of operations and its private state. */
struct dx_platform_ops {
	const char *name; /* "win32", "fake", "faults" */

	/* Reads one value. DX_NOT_FOUND when the key or the value is absent
	 * (err->code 2). value "" reads the key's default value. */
	enum dx_status (*reg_read)(void *ctx, const char *key, const char *value,
				   struct dx_regval *out, struct dx_err *err);
	/* Lists the names of a key's subkeys, or of its values. */
	enum dx_status (*reg_subkeys)(void *ctx, const char *key, struct dx_strlist *out,
				      struct dx_err *err);
	enum dx_status (*reg_values)(void *ctx, const char *key, struct dx_strlist *out,
				     struct dx_err *err);

	/* Queries a service. A service that does not exist is DX_NOT_FOUND
	 * with err->code 1060. */
	enum dx_status (*svc_query)(void *ctx, const char *name, struct dx_svc *out,
				    struct dx_err *err);

	/* Files. Paths are Windows paths ("C:\\Program Files\\..."),
	 * environment variables already expanded by the caller. */
	enum dx_status (*file_exists)(void *ctx, const char *path, int *is_dir, struct dx_err *err);
	/* The fixed file version "a.b.c.d" of an executable. */
	enum dx_status (*file_version)(void *ctx, const char *path, char out[64],
				       struct dx_err *err);
	/* Entry names (not paths) of a directory. */
	enum dx_status (*dir_list)(void *ctx, const char *path, struct dx_strlist *out,
				   struct dx_err *err);

	/* Events of `log` whose provider is `provider` (NULL: any), whose ID is
	 * `id` (0: any), and that were written at or after `since` (0: any),
	 * newest first, at most `max`. */
	enum dx_status (*events_query)(void *ctx, const char *log, const char *provider,
				       uint32_t id, int64_t since, size_t max,
				       struct dx_eventlist *out, struct dx_err *err);

	/* Resolves a host name to numeric addresses ("192.0.2.1", "::1"), in
	 * the order the system's resolver gives them. DX_NOT_FOUND = NXDOMAIN,
	 * DX_TRANSIENT = SERVFAIL, DX_TIMEOUT. `timeout_ms` > 0 bounds the
	 * call: when no answer came within it, DX_TIMEOUT (the lookup may go
	 * on in the background, its answer discarded); <= 0 waits as long as
	 * the resolver does. */
	enum dx_status (*resolve)(void *ctx, const char *host, int timeout_ms,
				  struct dx_strlist *out, struct dx_err *err);

	/* The device's clock, seconds since the Unix epoch, UTC. */
	int64_t (*now)(void *ctx);

	/* The device's host name (for the report). */
	enum dx_status (*hostname)(void *ctx, char out[256], struct dx_err *err);

	/* Whether this process runs elevated (UAC): *out 1 yes, 0 no (a
	 * standard user, or an administrator's filtered token). NULL or
	 * DX_UNSUPPORTED: not known. */
	enum dx_status (*elevated)(void *ctx, int *out, struct dx_err *err);

	/* Releases ctx. */
	void (*close)(void *ctx);

	/* Optional (NULL: DX_UNSUPPORTED). WPAD as WinHTTP runs it for
	 * SYSTEM (DHCP option 252, then DNS "wpad" names): the PAC URL found.
	 * DX_NOT_FOUND with err->code 12180 (ERROR_WINHTTP_AUTODETECTION_FAILED)
	 * when there is none, DX_TIMEOUT when discovery timed out or gave no
	 * answer within timeout_ms (> 0: the bound; <= 0: none). */
	enum dx_status (*wpad_detect)(void *ctx, int timeout_ms, struct dx_wpad *out,
				      struct dx_err *err);
	/* Optional. The OS's own auto-proxy answer for `url`
	 * (WinHttpGetProxyForUrl; `pac_url` NULL = auto-detect), in PAC form
	 * "PROXY host:port; DIRECT". DX_UNSUPPORTED where the platform cannot
	 * run PAC itself (the fake: mdediag evaluates the script). DX_TIMEOUT
	 * with no answer within timeout_ms (> 0: the bound; <= 0: none). */
	enum dx_status (*autoproxy)(void *ctx, const char *url, const char *pac_url, int timeout_ms,
				    char out[1024], struct dx_err *err);
	/* Optional. The device's time zone now: out->offset_s is what local
	 * time adds to UTC (its bias with daylight saving applied when in
	 * effect, so Tokyo +32400, New York in winter -18000) and out->name
	 * its Windows key name ("Tokyo Standard Time"; "" when unknown). */
	enum dx_status (*time_zone)(void *ctx, struct dx_time_zone *out, struct dx_err *err);
	/* Optional. The end of a text file a check reads (a tool's log): at
	 * most the last `max` bytes (max > 0), all of it when it is smaller.
	 * *out is malloc'd, NUL-terminated, *len bytes long (a NUL inside the
	 * file stays: the caller reads up to *len); the caller frees it, also
	 * after a failure (it is then NULL). *size is the file's whole size.
	 * DX_NOT_FOUND (err->code 2 or 3) when it does not exist, DX_BAD_DATA
	 * (267) for a directory. The file may be open for writing by its
	 * program: it is read sharing read, write and delete. */
	enum dx_status (*file_tail)(void *ctx, const char *path, size_t max, char **out,
				    size_t *len, uint64_t *size, struct dx_err *err);
};

struct dx_platform {
	const struct dx_platform_ops *ops;
	void *ctx;
};

/* Thin wrappers: the rest of the code never calls ops directly. Each one
 * guarantees err->text is set when the result is not DX_OK. */
enum dx_status dx_reg_read(const struct dx_platform *p, const char *key, const char *value,
			   struct dx_regval *out, struct dx_err *err);
enum dx_status dx_reg_subkeys(const struct dx_platform *p, const char *key, struct dx_strlist *out,
			      struct dx_err *err);
enum dx_status dx_reg_values(const struct dx_platform *p, const char *key, struct dx_strlist *out,
			     struct dx_err *err);
enum dx_status dx_svc_query(const struct dx_platform *p, const char *name, struct dx_svc *out,
			    struct dx_err *err);
enum dx_status dx_file_exists(const struct dx_platform *p, const char *path, int *is_dir,
			      struct dx_err *err);
enum dx_status dx_file_version(const struct dx_platform *p, const char *path, char out[64],
			       struct dx_err *err);
enum dx_status dx_dir_list(const struct dx_platform *p, const char *path, struct dx_strlist *out,
			   struct dx_err *err);
enum dx_status dx_events_query(const struct dx_platform *p, const char *log, const char *provider,
			       uint32_t id, int64_t since, size_t max, struct dx_eventlist *out,
			       struct dx_err *err);
enum dx_status dx_resolve(const struct dx_platform *p, const char *host, struct dx_strlist *out,
			  struct dx_err *err);
/* dx_resolve bounded by timeout_ms (> 0): the run's time left. */
enum dx_status dx_resolve_within(const struct dx_platform *p, const char *host, int timeout_ms,
				 struct dx_strlist *out, struct dx_err *err);
int64_t dx_now(const struct dx_platform *p);
enum dx_status dx_wpad_detect(const struct dx_platform *p, int timeout_ms, struct dx_wpad *out,
			      struct dx_err *err);
enum dx_status dx_autoproxy(const struct dx_platform *p, const char *url, const char *pac_url,
			    int timeout_ms, char out[1024], struct dx_err *err);
enum dx_status dx_hostname(const struct dx_platform *p, char out[256], struct dx_err *err);
/* The end of a text file (primitive file_tail): *out NULL and *len 0 on
 * failure; the caller frees *out. */
enum dx_status dx_file_tail(const struct dx_platform *p, const char *path, size_t max, char **out,
			    size_t *len, uint64_t *size, struct dx_err *err);
/* A file's bytes as printable ASCII text, for a check that looks for
 * words in a tool's log whose encoding Microsoft does not document:
 * UTF-16LE (a BOM, or one byte in two NUL, whatever the first byte's
 * parity) is narrowed to its characters; tab, CR and LF stay; any other
 * control or non-ASCII character becomes '?'. `out` holds len + 1 bytes;
 * NUL-terminated. Returns the length written. ASCII text is unchanged. */
size_t dx_text_ascii(const char *in, size_t len, char *out);
/* The time zone; on failure *out is UTC (offset 0, name ""). */
enum dx_status dx_time_zone(const struct dx_platform *p, struct dx_time_zone *out,
			    struct dx_err *err);
/* *out 1 elevated, 0 not; -1 and a failure when it cannot be told. */
enum dx_status dx_elevated(const struct dx_platform *p, int *out, struct dx_err *err);
void dx_platform_close(struct dx_platform *p);

/* Typed helpers built on dx_reg_read. A value of the wrong type is
 * DX_BAD_DATA with the type seen in err. */
enum dx_status dx_reg_dword(const struct dx_platform *p, const char *key, const char *value,
			    uint32_t *out, struct dx_err *err);
/* REG_SZ or REG_EXPAND_SZ into a caller buffer (truncation is DX_BAD_DATA). */
enum dx_status dx_reg_string(const struct dx_platform *p, const char *key, const char *value,
			     char *out, size_t outsz, struct dx_err *err);

/* "2026-11-20T08:00:00Z" for seconds since the epoch (UTC). */
void dx_format_time(int64_t t, char out[32]);

/* Case-insensitive ASCII comparison, as Windows compares key names. */
int dx_strieq(const char *a, const char *b);
/* Replaces each control character of s (below 0x20, and DEL) with `with`,
 * so text quoted from outside (a file, a script) stays on one line. */
void dx_one_line(char *s, char with);

#endif
