/* utf8.h - the UTF-8 rules every part of mdediag reads text by: decoding
 * one sequence, validity, display width, the code points a report must
 * not pass through. Depends on nothing of ours, so the writers, the
 * console layer, the fixture loader and the PAC runner can all use it
 * without depending on each other. */
#ifndef DX_UTF8_H
#define DX_UTF8_H

#include <stddef.h>

/* Decodes one UTF-8 sequence at s (not at its NUL): returns its length and
 * the code point, or length 1 and U+FFFD for an invalid byte. Valid is
 * RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF. Reads
 * at most 4 bytes, and none past a NUL. */
size_t dx_utf8_decode(const char *s, unsigned *cp);
/* 0 when the string s is valid UTF-8 (dx_utf8_decode's rules), else 1 +
 * the offset of the first byte that is not. */
size_t dx_utf8_bad(const char *s);
/* A copy of `in` with each invalid byte replaced by U+FFFD (caller frees);
 * NULL when out of memory. */
char *dx_utf8_clean(const char *in);
/* 1 when s is valid UTF-8 (dx_utf8_clean(s) would be s unchanged): an
 * ASCII run is skipped a byte at a time without decoding. */
int dx_utf8_valid(const char *s);
/* 1 for code points a report must not pass through: C0/C1 controls (tab
 * and newline excepted), DEL, bidi embeddings/overrides/isolates. */
int dx_cp_unsafe(unsigned cp);
/* Display columns of a code point: 2 for East Asian wide/fullwidth, 0 for
 * combining marks, else 1. */
int dx_cp_width(unsigned cp);
/* Display columns of a UTF-8 string (unsafe and invalid count 1). */
int dx_display_width(const char *s);

#endif
