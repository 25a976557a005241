/* console.h - writing reports to a Windows console.
 *
 * A Windows console shows text in its code page (932 on a Japanese
 * system): UTF-8 bytes written through the C runtime come out as mojibake.
 * The console's own API takes UTF-16 (WriteConsoleW), whatever the code
 * page, so when standard output is a console the report is converted and
 * written that way; pipes and files get the UTF-8 bytes unchanged
 * (docs/windows.md). Escape sequences (colour, the progress line) are only
 * written where the console interprets them: virtual terminal processing
 * on, or a Unix terminal.
 */
#ifndef DX_CONSOLE_H
#define DX_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

/* Where UTF-16 text goes: the real console (WriteConsoleW) or, in tests, a
 * fake. write_wide writes n UTF-16 code units and returns 0, or -1 on an
 * error. */
struct dx_console_writer {
	int (*write_wide)(void *ctx, const unsigned short *w, size_t n);
	void *ctx;
};

/* Converts n bytes of UTF-8 to UTF-16 (invalid bytes become U+FFFD, code
 * points above U+FFFF surrogate pairs) and writes them through `w` in
 * chunks of at most DX_CONSOLE_CHUNK units, never splitting a pair. 0, or
 * -1 when a write failed. */
#define DX_CONSOLE_CHUNK 4096
int dx_console_write_utf8(const struct dx_console_writer *w, const char *s, size_t n);

/* 1 when `f` is a Windows console (GetConsoleMode succeeds on its handle);
 * always 0 elsewhere. */
int dx_console_is(FILE *f);

/* 1 when escape sequences written to `f` are interpreted: on Windows, `f`
 * is a console and ENABLE_VIRTUAL_TERMINAL_PROCESSING is on or could be
 * switched on (SetConsoleMode; refused by consoles before Windows 10 1511);
 * elsewhere, `f` is a terminal. 0 means: write no escape codes at all. */
int dx_console_vt(FILE *f);
/* Puts back the console modes dx_console_vt changed (registered with
 * atexit by the first change; callable earlier). Nothing elsewhere. */
void dx_console_restore(void);

/* Writes the UTF-8 text s[0..n) to `f`: to a Windows console through
 * WriteConsoleW, anywhere else as bytes. 0 or -1 on an error. */
int dx_console_put(FILE *f, const char *s, size_t n);

/* A stream the caller renders into when `f` is a Windows console (a
 * temporary file deleted on close), or NULL when `f` is not a console (or
 * the file cannot be made): then render to `f` directly.
 * dx_console_flush(buf, f) writes what was rendered through
 * dx_console_put and closes buf; 0 or -1. */
FILE *dx_console_buffer(FILE *f);
int dx_console_flush(FILE *buf, FILE *f);

#endif
