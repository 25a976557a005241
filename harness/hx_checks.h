/* hx_checks.h - the check IDs the coverage table is judged against, taken
 * from the program under test: `mdediag --list-checks` (docs/checks.md).
 *
 * That output is one line per ID in verdict order: the ID, then optionally
 * TAB-separated columns (the article section, ...) this ignores, a newline
 * (CR LF tolerated: mdediag.exe under Wine). IDs are lower-case letters,
 * digits, '.' and '-', starting with a letter. */
#ifndef HX_CHECKS_H
#define HX_CHECKS_H

#include <stddef.h>

#define HX_CHECKS_MAX_IDS 256
#define HX_CHECKS_MAX_ID 64

struct hx_idlist {
	size_t n;
	char id[HX_CHECKS_MAX_IDS][HX_CHECKS_MAX_ID];
};

/* Parses `--list-checks` output into out (in order). Returns 0; -1 with the
 * reason (and line number) in err for an empty list, a malformed or
 * duplicate ID, an ID too long, or more than HX_CHECKS_MAX_IDS. */
int hx_checks_parse(const char *text, struct hx_idlist *out, char *err, size_t errsz);

/* Runs `[wine] diag --list-checks` (killed past deadline_ms on the
 * hx_now_ms clock) and parses its output. Returns 0, or -1 with the reason
 * in err (it could not start, timed out, exited non-zero, bad output). */
int hx_checks_from_diag(const char *diag, int wine, long long deadline_ms, struct hx_idlist *out,
			char *err, size_t errsz);

/* Index of id in the list, -1 when absent. */
int hx_idlist_find(const struct hx_idlist *l, const char *id);

#endif
