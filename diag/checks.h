/* checks.h - the article's decision tree, one source file per section.
 *
 * A check section reads the platform and appends findings; it never prints.
 * Sections run in article order (dx_run_checks) and share what they learned
 * through struct dx_facts, so a later section can depend on an earlier one
 * (connectivity runs only when Sense runs, for example). The order of check
 * IDs in dx_check_table is the order of the verdict.
 */
#ifndef DX_CHECKS_H
#define DX_CHECKS_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "data.h"
#include "finding.h"
#include "platform.h"

/* Registry paths the checks read. */
#define DX_KEY_CURRENTVERSION "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion"
#define DX_KEY_ATP "HKLM\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection"
#define DX_KEY_ATP_STATUS DX_KEY_ATP "\\Status"
#define DX_KEY_ATP_POLICY "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection"
#define DX_KEY_DEFENDER_POLICY "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows Defender"
#define DX_KEY_DATACOLLECTION "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\DataCollection"
#define DX_KEY_WINHTTP                                                                             \
	"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\Connections"
#define DX_KEY_ASR_RULES DX_KEY_DEFENDER_POLICY "\\Windows Defender Exploit Guard\\ASR\\Rules"
#define DX_KEY_SIGNATURES "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates"
#define DX_KEY_SERVICES "HKLM\\SYSTEM\\CurrentControlSet\\Services"
#define DX_KEY_ENROLLMENTS "HKLM\\SOFTWARE\\Microsoft\\Enrollments"
#define DX_KEY_CBS_PACKAGES                                                                        \
	"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages"

#define DX_LOG_APPLICATION "Application"
#define DX_LOG_SENSE "Microsoft-Windows-SENSE/Operational"
#define DX_LOG_MDM "Microsoft-Windows-DeviceManagement-Enterprise-Diagnostics-Provider/Admin"

struct dx_netlog; /* netrec.h */

/* Options of one run that checks may consult (network ones mostly). */
struct dx_options {
	const char *anchors_path; /* --anchors PEM, NULL = built-in roots */
	const char **connect_to;  /* --connect-to rules */
	size_t n_connect_to;
	int timeout_ms;                /* --timeout, global network deadline */
	const char *service_tags_path; /* --service-tags */
	int no_network;                /* skip the probe (local checks only) */
	int fixture_mode;              /* diagnosing a fixture, not this device */
	/* Replaying a collected file: net.* comes from these records, with no
	 * traffic at all (NULL: probe live). */
	const struct dx_netlog *replay_net;
	/* Progress of the network probe, or NULL (see dx_probe_config). */
	void (*progress)(void *user, size_t done, size_t total, double ms_left);
	void *progress_user;
};

/* What the sections learned, for later sections and the report's device
 * block. Strings are "" when unknown. */
struct dx_facts {
	char hostname[256];
	char product[128];     /* ProductName */
	char edition[64];      /* EditionID */
	char install_type[32]; /* InstallationType: Client, Server, Server Core */
	char display_version[32];
	char arch[16]; /* PROCESSOR_ARCHITECTURE: AMD64, ARM64, x86 */
	uint32_t build, ubr;
	int is_server;
	int os_known;        /* the OS facts could be read */
	int os_supported;    /* in scope for this procedure */
	int os_out_of_scope; /* Windows 7, 8.1, 2008 R2, 2012 R2: another
				    procedure applies (os.out-of-scope) */
	int elevated;        /* the process token: -1 unknown, 0 no, 1 yes */

	int sense_exists;     /* -1 unknown, 0 missing (1060), 1 exists */
	int sense_state;      /* 1..7, 0 unknown */
	int sense_start_type; /* -1 unknown */
	char sense_version[64];
	int diagtrack_state;      /* DiagTrack's state 1..7, 0 unknown/missing */
	int diagtrack_start_type; /* -1 unknown */

	int mdav_state; /* WinDefend state, 0 unknown/missing */
	char mdav_platform[64];
	char mdav_signatures[64];
	char mdav_mode[24];        /* "active", "passive", "passive (forced)" */
	char tamper_protection[8]; /* "on", "off", "" unknown */

	char onboarding_method[32]; /* "script-gpo-mecm", "intune", "mdfc", "unknown" */
	int streamlined;            /* -1 unknown, 0 standard, 1 streamlined */
	char geo[8];                /* "US", "EU", ... from OnboardedInfo */
	char datacenter[64];
	char org_id[64];
	char device_id[64];      /* SenseId */
	char winhttp_proxy[256]; /* "" = direct */
	char static_proxy[256];  /* TelemetryProxyServer */
};

struct dx_ctx {
	const struct dx_platform *p;
	const struct dx_options *opt;
	const struct dx_data *data;
	struct dx_facts facts;
	struct dx_findings findings;
	struct dx_netlog *netlog; /* collect: check_net fills it; else NULL */
};

/* The sections, in article order. */
void dx_check_os(struct dx_ctx *c);         /* check_os.c: os.* */
void dx_check_sense(struct dx_ctx *c);      /* check_sense.c: sense.*, sense.missing.* */
void dx_check_onboarding(struct dx_ctx *c); /* check_onboarding.c: onboarding.* */
void dx_check_diagtrack(struct dx_ctx *c);  /* check_diagtrack.c: diagtrack.service */
void dx_check_mma(struct dx_ctx *c);        /* check_mma.c: onboarding.mma */
void dx_check_deploytool(struct dx_ctx *c); /* check_deploytool.c: onboarding.deployment-tool */
void dx_check_senselog(struct dx_ctx *c);   /* check_senselog.c: sense.log, sense.log.* */
void dx_check_trust(struct dx_ctx *c);      /* check_trust.c: schannel.*, trust.* */
void dx_check_asr(struct dx_ctx *c);        /* check_asr.c: asr.psexec-block */
void dx_check_mdav(struct dx_ctx *c);       /* check_mdav.c: mdav.* */
void dx_check_agent(struct dx_ctx *c);      /* check_agent.c: agent.* */
void dx_check_reonboard(struct dx_ctx *c);  /* check_reonboard.c: reonboard.plan */
void dx_check_verdict(struct dx_ctx *c);    /* verdict.c: verdict */

void dx_check_net(struct dx_ctx *c); /* check_net.c: net.* (probe) */

/* The sections in the order they run (the article's, except that
 * connectivity runs before the ASR rule and Defender, which do not depend on
 * it); dx_run_checks runs them after reading the host name, then sorts. */
struct dx_section {
	const char *name; /* "os", "sense", "onboarding", ... (docs/fixture.md) */
	void (*run)(struct dx_ctx *c);
};
extern const struct dx_section dx_sections[];
extern const size_t dx_sections_len;

/* Runs every section in order and sorts the findings. */
void dx_run_checks(struct dx_ctx *c);

/* One row of the article-order table. */
struct dx_check_id {
	const char *id;
	const char *section; /* "prerequisites", "sense", "connectivity", ... */
	int explains;        /* 1: when this check finds a problem it can be why
				 the device is missing from the portal (it can be
				 an error), so leaving it undetermined blocks the
				 re-onboarding plan (verdict rule 3) */
};
extern const struct dx_check_id dx_check_table[];
extern const size_t dx_check_table_len;
/* Position of an ID in the table, or a large number when unknown. */
int dx_check_order(const char *id);
/* The article section of an ID ("prerequisites", ...), "other" when the
 * ID is not in the table. */
const char *dx_check_section(const char *id);

/* The verdict rules (docs/verdict.md), in order; dx_verdict_rule returns
 * the one that applies and, for rules 1-3, the finding it names. */
enum dx_rule {
	DX_RULE_CAUSE = 1,         /* the first error in article order, or an OS
				      this procedure does not cover */
	DX_RULE_SENSE_NOT_RUNNING, /* Sense pending, paused or stopped */
	DX_RULE_NOT_DETERMINED,    /* something that could explain it was not
				      checked: say what, and how to check it */
	DX_RULE_NOTHING_FOUND,     /* everything ran, nothing explains it: the
				      offboard / clean / re-onboard plan */
};
const char *dx_rule_name(enum dx_rule r); /* "cause-found", ... */
enum dx_rule dx_verdict_rule(const struct dx_ctx *c, const struct dx_finding **named);

/* Helpers shared by the sections. */
/* Why a primitive's failure leaves a check undetermined: a DX_REASON_*
 * string ("not-elevated" when access was denied to a process known not
 * to be elevated). */
const char *dx_reason_of(const struct dx_ctx *c, enum dx_status s);
/* dx_ev_err, and marks the finding undetermined for dx_reason_of(s). */
void dx_ev_undetermined(struct dx_ctx *c, struct dx_finding *f, const char *what, enum dx_status s,
			const struct dx_err *err);
/* Records a failed primitive as evidence on a finding: "<what>": "<status>
 * (<code>): <reason>". */
void dx_ev_err(struct dx_finding *f, const char *what, enum dx_status s, const struct dx_err *err);
/* Compares dotted versions "a.b.c.d" numerically: <0, 0, >0. A missing
 * part counts as 0. Non-numeric input compares as 0 parts. */
int dx_vercmp(const char *a, const char *b);
/* Expands %ProgramFiles%, %ProgramData% (%ALLUSERSPROFILE%), %SystemRoot%
 * (%windir%) and %SystemDrive% as the device defines them (registry, with
 * Windows' defaults; REG_EXPAND_SZ values such as ProfileList\ProgramData =
 * "%SystemDrive%\ProgramData" are expanded again, at most 4 levels) and
 * drops the quotes around a service's image path. Unknown variables stay. */
void dx_expand_path(struct dx_ctx *c, const char *in, char *out, size_t sz);
/* 1 when `needle` is in the event's message or one of its insertion
 * strings (ignoring case): what Windows keeps when it cannot render the
 * message (EvtFormatMessage 15027/15033, no publisher metadata). */
int dx_event_has(const struct dx_event *e, const char *needle);
/* The event as evidence text: its message, or when it has none its
 * insertion strings, "(no message; insertion strings: a | b)". */
void dx_event_text(const struct dx_event *e, char *out, size_t sz);
/* "a, b, c (+N)": evidence hosts_summary and host_count for a sentence,
 * from a JSON array of host names (the whole list stays in the array). */
void dx_ev_hosts_summary(struct dx_finding *f, const cJSON *hosts);
/* Adds `s` to a JSON array of strings unless it is there or empty (arr
 * may be NULL). */
void dx_json_add_unique(cJSON *arr, const char *s);
/* strcasestr, which MinGW lacks. */
const char *dx_strcasestr(const char *hay, const char *needle);

#endif
