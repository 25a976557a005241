/* jsontext.h - what a JSON text must also satisfy before cJSON reads it.
 *
 * cJSON accepts a raw control character (U+0000..U+001F: a tab, a line
 * break) inside a string, which JSON forbids (RFC 8259, section 7: they
 * must be escaped). Every loader of a file or body a user hands us (a
 * fixture or collected file, baselines, the mock cloud's config,
 * destinations and control bodies, harness scenarios) checks the text with
 * dx_json_text_check first, so such a file is refused with the place of
 * the character instead of being read with the character in it.
 *
 * Depends on the C library only, like readfile.c, so any component may
 * link it.
 */
#ifndef DX_JSONTEXT_H
#define DX_JSONTEXT_H

#include <stddef.h>

/* 0 when no string of `text` (len bytes, NUL not required) holds a raw
 * control character; else -1 with "raw control character U+000A inside a
 * string at line L, column C: JSON needs it escaped (\n)" in err. Reads
 * the text lexically (a string runs from an unescaped quote to the next),
 * so an otherwise malformed text gets the same answer; one pass, no
 * allocation. */
int dx_json_text_check(const char *text, size_t len, char *err, size_t errsz);
/* The same check, in the same pass telling in *utf8 whether the whole text
 * is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF), when utf8 is not NULL; *utf8 is set only when
 * the check passes. */
int dx_json_text_scan(const char *text, size_t len, int *utf8, char *err, size_t errsz);

/* The 1-based line and column of byte `off` of `text` (lines end at \n;
 * a column counts bytes). off past len counts to len. */
void dx_text_line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col);

#endif
