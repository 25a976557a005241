/* check_deploytool.c - the Microsoft Defender deployment tool (DefenderDT.exe,
 * issue 20, "Servers"): when it ran on this device, its log says how its
 * last run ended.
 *
 * What Microsoft documents ("Use the Microsoft Defender deployment tool for
 * Windows"): the log is
 * %ProgramData%\Microsoft\DefenderDeploymentTool\DefenderDeploymentTool-<COMPUTERNAME>.log;
 * the tool ends with an exit code of a published table; at the end of a run
 * it shows "Microsoft Defender deployment tool completed, exit code: 0
 * [Success]"; "the user interface and local log show exit code 710 and
 * EnableFeatureFailed". The log's format is not documented. So this check
 * reads the end of the log (bounded), takes the last number that follows
 * the words "exit code" as the last run's exit code, and judges it by the
 * table (data/deployment-tool.json); a log in which it finds none is not
 * determined, with the log's last line as evidence. No folder: the tool
 * never ran here, no finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"
#include "jpath.h"

#define TAIL_MAX (64 * 1024) /* the end of the log that is read */
#define LINE_MAX_SHOWN 200

/* The last line of `text` that is not blank, into out. */
static void last_line(const char *text, char *out, size_t sz)
{
	const char *end = text + strlen(text);
	while (end > text &&
	       (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	const char *start = end;
	while (start > text && start[-1] != '\n' && start[-1] != '\r')
		start--;
	size_t n = (size_t)(end - start);
	if (n >= sz)
		n = sz - 1;
	memcpy(out, start, n);
	out[n] = '\0';
}

/* The last "exit code" followed (after blanks, ':' or '=') by a number:
 * 1 and the code, its line and what follows the number on it; else 0. */
static int last_exit_code(const char *text, long *code, char *line, size_t lsz, char *after,
			  size_t asz)
{
	const char *hit = NULL, *p = text;
	long found = 0;
	while ((p = dx_strcasestr(p, "exit code")) != NULL) {
		const char *q = p + strlen("exit code");
		while (*q == ' ' || *q == '\t' || *q == ':' || *q == '=')
			q++;
		if (*q >= '0' && *q <= '9') {
			char *e;
			long v = strtol(q, &e, 10);
			if (e - q <= 6) {
				hit = p;
				found = v;
				snprintf(after, asz, "%.*s", (int)strcspn(e, "\r\n"), e);
			}
		}
		p += strlen("exit code");
	}
	if (!hit)
		return 0;
	*code = found;
	const char *s = hit, *e = hit + strcspn(hit, "\r\n");
	while (s > text && s[-1] != '\n' && s[-1] != '\r')
		s--;
	snprintf(line, lsz, "%.*s", (int)(e - s), s);
	/* what follows the number: "[Success]", an error name; trimmed */
	char *a = after;
	while (*a == ' ' || *a == ',' || *a == '-')
		a++;
	memmove(after, a, strlen(a) + 1);
	return 1;
}

static const cJSON *exit_row(const struct dx_ctx *c, long code)
{
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(c->data->deploytool, "exit_codes"))
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(row, "code");
		if (cJSON_IsNumber(n) && (long)n->valuedouble == code)
			return row;
	}
	return NULL;
}

static const char *str_of(const cJSON *o, const char *k, const char *dflt)
{
	const char *v = cm_jpath_string(o, k);
	return v ? v : dflt;
}

/* The log of this computer: DefenderDeploymentTool-<name>.log whose name
 * is the host name (its first label, ignoring case); else the only such
 * log; else none (0). */
static int pick_log(const struct dx_ctx *c, const struct dx_strlist *l, const char *prefix,
		    const char *suffix, char *out, size_t sz, int *count)
{
	char mine[300];
	size_t hn = strcspn(c->facts.hostname, ".");
	snprintf(mine, sizeof mine, "%s%.*s%s", prefix, (int)hn, c->facts.hostname, suffix);
	const char *only = NULL;
	*count = 0;
	for (size_t i = 0; i < l->count; i++) {
		const char *n = l->items[i];
		size_t len = strlen(n), pl = strlen(prefix), sl = strlen(suffix);
		if (len <= pl + sl || strncasecmp(n, prefix, pl) != 0 ||
		    !dx_strieq(n + len - sl, suffix))
			continue;
		(*count)++;
		only = n;
		if (hn && dx_strieq(n, mine)) {
			snprintf(out, sz, "%s", n);
			return 1;
		}
	}
	if (*count == 1) {
		snprintf(out, sz, "%s", only);
		return 1;
	}
	return 0;
}

void dx_check_deploytool(struct dx_ctx *c)
{
	const cJSON *dt = c->data->deploytool;
	char dir[600], name[300], path[1000];
	struct dx_strlist l = {0};
	struct dx_err err;
	struct dx_finding *f;
	dx_expand_path(c, str_of(dt, "log_folder", ""), dir, sizeof dir);
	enum dx_status s = dx_dir_list(c->p, dir, &l, &err);
	if (s == DX_NOT_FOUND) {
		dx_strlist_free(&l);
		return; /* the tool never ran here */
	}
	if (s != DX_OK) {
		f = dx_add(&c->findings, "onboarding.deployment-tool", DX_SEV_WARNING,
			   "unreadable");
		dx_ev_str(f, "log_folder", dir);
		dx_ev_undetermined(c, f, "read", s, &err);
		dx_strlist_free(&l);
		return;
	}
	int nlogs = 0;
	int have = pick_log(c, &l, str_of(dt, "log_prefix", ""), str_of(dt, "log_suffix", ""), name,
			    sizeof name, &nlogs);
	dx_strlist_free(&l);
	if (!have) {
		/* the folder without this computer's log: nothing to read */
		f = dx_add(&c->findings, "onboarding.deployment-tool", DX_SEV_INFO, "no-log");
		dx_ev_str(f, "log_folder", dir);
		dx_ev_num(f, "logs_seen", nlogs);
		return;
	}
	snprintf(path, sizeof path, "%s\\%s", dir, name);
	char *raw = NULL;
	size_t len = 0;
	uint64_t size = 0;
	s = dx_file_tail(c->p, path, TAIL_MAX, &raw, &len, &size, &err);
	if (s != DX_OK) {
		f = dx_add(&c->findings, "onboarding.deployment-tool", DX_SEV_WARNING,
			   "unreadable");
		dx_ev_str(f, "log_folder", dir);
		dx_ev_str(f, "log", path);
		dx_ev_undetermined(c, f, "read", s, &err);
		return;
	}
	char *text = malloc(len + 1);
	if (!text) {
		free(raw);
		f = dx_add(&c->findings, "onboarding.deployment-tool", DX_SEV_WARNING,
			   "unreadable");
		dx_ev_str(f, "log_folder", dir);
		dx_ev_str(f, "log", path);
		dx_ev_str(f, "read", "out of memory");
		dx_undetermined(f, DX_REASON_TRANSIENT);
		return;
	}
	dx_text_ascii(raw, len, text);
	free(raw);

	long code = 0;
	char line[LINE_MAX_SHOWN + 1] = "", after[LINE_MAX_SHOWN + 1] = "";
	if (!last_exit_code(text, &code, line, sizeof line, after, sizeof after)) {
		last_line(text, line, sizeof line);
		free(text);
		f = dx_add(&c->findings, "onboarding.deployment-tool", DX_SEV_WARNING,
			   "no-exit-code");
		dx_ev_str(f, "log", path);
		dx_ev_num(f, "bytes_read", (double)len);
		dx_ev_str(f, "last_line", line[0] ? line : "(empty)");
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
		return;
	}
	free(text);
	const cJSON *row = exit_row(c, code);
	const char *cls = row ? str_of(row, "class", "other") : NULL;
	const char *variant;
	enum dx_severity sev;
	int sense_runs = c->facts.sense_state == DX_SVC_RUNNING;
	if (!row) {
		variant = "unknown-code";
		sev = DX_SEV_WARNING;
	} else if (strcmp(cls, "success") == 0) {
		variant = "success";
		sev = DX_SEV_INFO;
	} else if (strcmp(cls, "reboot") == 0) {
		variant = "reboot-pending";
		sev = sense_runs ? DX_SEV_WARNING : DX_SEV_ERROR;
	} else if (strcmp(cls, "failure") == 0) {
		variant = "failed";
		sev = sense_runs ? DX_SEV_WARNING : DX_SEV_ERROR;
	} else {
		variant = "other";
		sev = DX_SEV_WARNING;
	}
	f = dx_add(&c->findings, "onboarding.deployment-tool", sev, variant);
	dx_ev_str(f, "log", path);
	dx_ev_num(f, "exit_code", (double)code);
	dx_ev_str(f, "meaning", row ? str_of(row, "meaning", "") : "not in Microsoft's table");
	if (after[0])
		dx_ev_str(f, "log_text", after);
	dx_ev_str(f, "log_line", line);
	dx_ev_str(f, "sense",
		  c->facts.sense_exists == 1   ? dx_svc_state_name(c->facts.sense_state)
		  : c->facts.sense_exists == 0 ? "missing"
					       : "unknown");
	if (!row)
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
}
