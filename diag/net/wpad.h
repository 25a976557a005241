/* wpad.h - proxy auto-discovery as WinHTTP runs it for Sense: WPAD finds a
 * PAC URL (platform primitive dx_wpad_detect), the PAC file is downloaded
 * (or taken from the platform, as a fixture holds it) and evaluated per
 * destination (pac.h). See docs/connectivity.md "Which route Sense takes".
 *
 * One dx_wpad_state per run: dx_wpad_run does discovery, download and load
 * once, bounded in time and size; dx_wpad_answer then asks the script for
 * one destination. Nothing here writes findings (check_pac.c does).
 */
#ifndef DX_WPAD_H
#define DX_WPAD_H

#include "netconf.h"
#include "pac.h"
#include "platform.h"

/* How the PAC URL is reached: the probe's name resolution, --connect-to
 * rules and safety net. */
struct dx_wpad_net {
	enum dx_status (*resolve)(void *ud, const char *host, struct dx_strlist *out,
				  struct dx_err *err);
	void *ud;
	const struct dx_connect_to *rules;
	size_t nrules;
	const char *const *rule_text; /* the rules as given, for evidence */
	int loopback_only;            /* fixture mode: never leave 127/8, ::1 */
	int timeout_ms;               /* download deadline */
	int detect_ms;                /* discovery's bound (<= 0: none) */
	/* https:// PAC URLs: the probe's trust anchors (PEM, NUL-terminated;
	 * len = strlen + 1), checked as the probe checks a destination */
	const char *anchors_pem;
	size_t anchors_len;
};

enum dx_wpad_stage {
	DX_WPAD_NOT_FOUND,   /* discovery found no PAC URL (or timed out) */
	DX_WPAD_UNREACHABLE, /* found, but the file could not be downloaded */
	DX_WPAD_BAD_SCRIPT,  /* downloaded, but it does not load (pac_rc says why) */
	DX_WPAD_READY,       /* loaded: dx_wpad_answer can be asked */
	DX_WPAD_SKIPPED,     /* discovery not possible on this platform */
	DX_WPAD_DISABLED,    /* DisableWpad is set: WinHTTP does no discovery */
};

/* Where Microsoft documents the switch that turns WPAD off for WinHTTP
 * ("How to disable WPAD", learn.microsoft.com/troubleshoot/windows-server/
 * networking/disable-http-proxy-auth-features): DWORD DisableWpad = 1. */
#define DX_WPAD_DISABLE_KEY                                                                        \
	"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
#define DX_WPAD_DISABLE_VALUE "DisableWpad"
/* The WinHTTP Web Proxy Auto-Discovery Service. */
#define DX_WPAD_SERVICE "WinHttpAutoProxySvc"

struct dx_wpad_state {
	enum dx_wpad_stage stage;
	enum dx_status detect_st;
	struct dx_err detect_err;
	struct dx_wpad w;           /* url, method */
	int inline_script;          /* the platform held the script */
	char fetch_address[300];    /* "addr:port" the download connected to */
	char fetch_connect_to[300]; /* the --connect-to rule applied */
	int http_status;            /* of the download, 0 none */
	double fetch_ms;
	size_t script_bytes;
	char error[300];       /* why the stage failed */
	enum dx_pac_rc pac_rc; /* BAD_SCRIPT: the class */
	struct dx_pac *pac;
	double load_ms;
	char os_error[256]; /* the OS's own auto-proxy failed (Windows) */
	/* The time zone the script's time functions ran in (platform
	 * primitive time_zone; UTC when it failed, tz_error says why). */
	struct dx_time_zone tz;
	char tz_error[200];
	/* DisableWpad as read ("1", "0", "absent", or why it could not be
	 * read) and the auto-proxy service's state and start type ("running,
	 * demand start", "missing", ...): evidence. */
	char disable_wpad[200];
	char service[200];
	char redirects[600];        /* the download's redirects, "a -> b" */
	char www_authenticate[200]; /* the PAC server's 401 challenge */
	int auth_required;          /* UNREACHABLE because of a 401 */
	/* a replay has no script: what it said when it was collected */
	char rec_entry_point[32];
	char rec_alerts[512];
	int rec_latin1;
	/* What the loaded script resolves through (dnsResolve, isInNet...):
	 * dx_wpad_run copies the caller's net here, because the script calls
	 * back long after the caller's frame may be gone. So the state must
	 * not be copied or moved while `pac` is loaded; net.ud must outlive
	 * it. */
	struct dx_wpad_net net;
};

/* Reads DisableWpad, the auto-proxy service and the time zone into st
 * (disable_wpad, service, tz; stage DX_WPAD_DISABLED when DisableWpad is
 * nonzero). dx_wpad_run
 * does it first; a replay calls it on the collected registry and services. */
void dx_wpad_read_switches(struct dx_wpad_state *st, const struct dx_platform *p);

/* Discovery, download, load. `my_ips` are the device's addresses for
 * myIpAddress ("" = 127.0.0.1); `now` the device clock. */
void dx_wpad_run(struct dx_wpad_state *st, const struct dx_platform *p,
		 const struct dx_wpad_net *net, const char *my_ips, int64_t now,
		 const struct dx_pac_limits *lim);

/* Asks the loaded script for url/host: 0 with the whole answer in `answer`
 * and the entry WinHTTP would use first in *use (SOCKS entries skipped:
 * WinHTTP cannot use them); -1 with the class in *rc and the reason in err. */
int dx_wpad_answer(struct dx_wpad_state *st, const char *url, const char *host, char *answer,
		   size_t answersz, struct dx_pac_entry *use, enum dx_pac_rc *rc, char *err,
		   size_t errsz);

void dx_wpad_state_free(struct dx_wpad_state *st);

/* What one download did (dx_http_get). */
#define DX_HTTP_MAX_REDIRECTS 10
struct dx_http_result {
	char *body; /* 0: malloc'ed, NUL-terminated; the caller frees */
	size_t len;
	int status;                 /* of the last answer, 0 none */
	char address[300];          /* "addr:port" the last hop connected to */
	char rule[300];             /* the --connect-to rule it applied */
	int too_large;              /* the body passed max */
	char www_authenticate[200]; /* a 401's WWW-Authenticate values */
	int redirects;              /* redirects followed */
	char hops[600];             /* "url -> url -> url" when redirected */
};

/* Bounded HTTP/1.0 GET of an http:// URL through `net` (exposed for
 * tests), following redirects as WinHTTP does by default: at most
 * DX_HTTP_MAX_REDIRECTS, never from https to http, all within one deadline.
 * 0 with the body when the final status is 200; -1 with the reason in err.
 * `res` is filled either way (body NULL on failure). */
int dx_http_get(const struct dx_wpad_net *net, const char *url, size_t max,
		struct dx_http_result *res, char *err, size_t errsz);

#endif
