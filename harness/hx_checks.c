/* hx_checks.c - check IDs from `mdediag --list-checks` (see hx_checks.h). */
#include <stdio.h>
#include <string.h>
#include "hx_checks.h"
#include "hx_proc.h"

#define HX_LIST_MAX (64u << 10) /* bytes of --list-checks output read */

int hx_idlist_find(const struct hx_idlist *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return (int)i;
	return -1;
}

static int is_id_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

int hx_checks_parse(const char *text, struct hx_idlist *out, char *err, size_t errsz)
{
	int lineno = 0;
	out->n = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		lineno++;
		const char *idend = line;
		while (idend < end && *idend != '\t' && *idend != '\r')
			idend++;
		size_t len = (size_t)(idend - line);
		int blank = len == 0 && (idend == end || (*idend == '\r' && idend + 1 == end));
		if (!blank) {
			int ok = len > 0 && *line >= 'a' && *line <= 'z';
			for (const char *c = line; c < idend; c++)
				ok = ok && is_id_char((unsigned char)*c);
			if (!ok) {
				snprintf(err, errsz, "line %d: \"%.*s\" is not a check ID", lineno,
					 (int)(len > 60 ? 60 : len), line);
				return -1;
			}
			if (len >= HX_CHECKS_MAX_ID) {
				snprintf(err, errsz, "line %d: ID longer than %d characters",
					 lineno, HX_CHECKS_MAX_ID - 1);
				return -1;
			}
			if (out->n == HX_CHECKS_MAX_IDS) {
				snprintf(err, errsz, "line %d: more than %d IDs", lineno,
					 HX_CHECKS_MAX_IDS);
				return -1;
			}
			memcpy(out->id[out->n], line, len);
			out->id[out->n][len] = '\0';
			if (hx_idlist_find(out, out->id[out->n]) >= 0) {
				snprintf(err, errsz, "line %d: %s listed twice", lineno,
					 out->id[out->n]);
				return -1;
			}
			out->n++;
		}
		line = *end ? end + 1 : end;
	}
	if (out->n == 0) {
		snprintf(err, errsz, "no check IDs");
		return -1;
	}
	return 0;
}

int hx_checks_from_diag(const char *diag, int wine, long long deadline_ms, struct hx_idlist *out,
			char *err, size_t errsz)
{
	char *argv[4], why[512];
	int n = 0;
	struct hx_proc p;
	if (wine)
		argv[n++] = "wine";
	argv[n++] = (char *)diag;
	argv[n++] = "--list-checks";
	argv[n] = NULL;
	if (hx_proc_start(&p, argv, HX_LIST_MAX, 4096, why, sizeof why)) {
		snprintf(err, errsz, "%s --list-checks: %s", diag, why);
		return -1;
	}
	int rc = -1;
	if (hx_proc_wait(&p, deadline_ms, NULL)) {
		snprintf(err, errsz, "%s --list-checks did not finish in time (killed)", diag);
	} else if (hx_proc_exit_code(&p) != 0) {
		snprintf(err, errsz, "%s --list-checks: exit %d: %.300s", diag,
			 hx_proc_exit_code(&p), p.err.data ? p.err.data : "");
	} else if (p.out.truncated) {
		snprintf(err, errsz, "%s --list-checks: more than %u bytes", diag, HX_LIST_MAX);
	} else if (hx_checks_parse(p.out.data ? p.out.data : "", out, why, sizeof why)) {
		snprintf(err, errsz, "%s --list-checks: %s", diag, why);
	} else {
		rc = 0;
	}
	hx_proc_free(&p);
	return rc;
}
