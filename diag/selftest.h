/* selftest.h - `mdediag selftest`: what the platform layer reads, compared
 * with what Windows' own tools report (docs/windows.md, "Self-test on a
 * device").
 *
 * Two halves. selftest.c (portable) parses the tools' output, formats the
 * platform's answers the way the tools print them, and keeps and writes the
 * comparisons (text lines, the JSON file); it is unit-tested on Linux with
 * sample outputs. selftest_win32.c (Windows only) runs the tools with
 * CreateProcessW and asks the platform. The parsers key on the tokens
 * Windows does not translate (REG_SZ, RUNNING, AUTO_START, SIDs, XML
 * elements), never on localized labels.
 */
#ifndef DX_SELFTEST_H
#define DX_SELFTEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "platform.h"

/* ---- parsers of the tools' output --------------------------------------- */

/* `reg.exe query KEY /v NAME`: the line "    NAME    REG_TYPE    DATA".
 * 0 found: `type` gets "REG_SZ"..., `data` the data text as reg.exe prints
 * it (possibly truncated to datasz); -1 no such line. `name` "" is the
 * default value (`reg query KEY /ve`): the first value line, whatever its
 * translated name. */
int dx_st_reg_parse(const char *out, const char *name, char type[24], char *data, size_t datasz);

/* A platform value in reg.exe's form: REG_DWORD/QWORD "0x1a" (lowercase
 * hex), REG_BINARY/REG_NONE uppercase hex without separators, REG_MULTI_SZ
 * the strings joined by the two characters "\0", strings as they are. */
void dx_st_reg_format(const struct dx_regval *v, char *out, size_t outsz);

/* `sc.exe query NAME`: the STATE number (1..7) of the "N  RUNNING" pair;
 * -1 when there is none. */
int dx_st_sc_state(const char *out);
/* `sc.exe qc NAME`: the START_TYPE number (0..4) of the "N   AUTO_START"
 * pair; -1 when there is none. */
int dx_st_sc_start(const char *out);

/* `wevtutil qe LOG /c:N /rd:true /f:xml`: the number of <Event> elements
 * and the <EventID> of the first (newest). 0 parsed (count may be 0, then
 * *newest_id is 0); -1 when the text is neither events nor empty. */
int dx_st_wevt_parse(const char *xml, size_t *count, uint32_t *newest_id);

/* `whoami /groups`: 1 when the token's integrity level is High
 * (S-1-16-12288) or System (S-1-16-16384), 0 when it is Medium, Low or
 * Untrusted, -1 when no mandatory label is listed. */
int dx_st_whoami_elevated(const char *out);

/* `chcp`: the code page, the last number of the output ("Active code page:
 * 932", "Aktive Codepage: 850."); -1 when none. */
int dx_st_chcp_parse(const char *out);

/* `netsh winhttp show proxy`: 0 direct access, 1 a proxy (`proxy` and
 * `bypass` filled; a bypass shown as "(none)" is ""), -1 when the text is
 * not netsh's answer (no "WinHTTP" in it). */
int dx_st_netsh_proxy(const char *out, char *proxy, size_t proxysz, char *bypass, size_t bypasssz);

/* The PowerShell one-liner's answer "a.b.c.d|FileVersion string": 0 with
 * the fixed version in `ver` and the string in `str`; 1 for "absent|" (no
 * such file); -1 otherwise (not PowerShell's answer). */
int dx_st_ps_version(const char *out, char ver[64], char *str, size_t strsz);

/* ---- the comparisons ---------------------------------------------------- */

enum dx_st_outcome { DX_ST_AGREE, DX_ST_DIFFER, DX_ST_NOT_COMPARED };

struct dx_st_item {
	char area[16]; /* "registry", "service", "file", "events", ... */
	char *what;    /* "HKLM\\...\\Status OnboardingState" */
	enum dx_st_outcome outcome;
	char *ours;    /* what mdediag's platform layer read */
	char *theirs;  /* what the Windows tool reported */
	char *tool;    /* the command line run */
	char *why;     /* NOT_COMPARED: the reason */
	char *command; /* the command line run, "" when none */
};

struct dx_st_list {
	struct dx_st_item *items;
	size_t count, cap;
};

/* Adds one comparison; outcome AGREE or DIFFER is decided by the caller,
 * or by dx_st_compare (equal strings agree). Strings are copied; NULL is
 * "". Returns 0, -1 out of memory. */
int dx_st_add(struct dx_st_list *l, const char *area, const char *what, enum dx_st_outcome o,
	      const char *ours, const char *theirs, const char *tool, const char *why);
int dx_st_compare(struct dx_st_list *l, const char *area, const char *what, const char *ours,
		  const char *theirs, const char *tool);
/* Sets the command line of the last comparison added (the file's
 * "command", to run it again by hand). 0, -1 out of memory or none. */
int dx_st_set_command(struct dx_st_list *l, const char *cmd);
void dx_st_free(struct dx_st_list *l);

/* One line per comparison: "agree    AREA WHAT: VALUE", "DIFFER   AREA
 * WHAT: mdediag VALUE, TOOL VALUE", "not compared AREA WHAT: WHY", then a
 * count line. Values longer than 100 characters are shown as their length
 * and the start of their SHA-256 (the comparison used the whole value). */
void dx_st_print(FILE *out, const struct dx_st_list *l);

/* The file for us: tool version, OS, every comparison with both answers
 * (long values shortened as in the lines). NULL out of memory; the caller
 * prints it (cJSON_Print) and frees it. `os` may be NULL. */
struct cJSON *dx_st_json(const struct dx_st_list *l, const char *tool_version, struct cJSON *os);

/* 0 every compared item agrees, 1 at least one DIFFER (mdediag's exit
 * status for selftest). */
int dx_st_exit_status(const struct dx_st_list *l);

/* The selftest subcommand (main.c dispatches argv[1] == "selftest" here).
 * Returns the exit status: 0 agree, 1 DIFFER, 2 usage (or not Windows),
 * 3 internal. */
int dx_selftest_main(int argc, char **argv);

#endif
