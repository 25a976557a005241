/* console.h - writing reports to a Windows console.
 *
 * A Windows console shows text in its code page (932 on a Japanese
 * system): UTF-8 bytes written through the C runtime come out as mojibake.
 * The console's own API takes UTF-16 (WriteConsoleW), whatever the code
 * page, so when standard output is a console the report is converted and
 * written that way; pipes and files get the encoding below
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

/* The encodings of a text report that does not go to a console (a pipe, a
 * redirection, --output): docs/windows.md "Japanese in pipes and files".
 * AUTO is the console's output code page (GetConsoleOutputCP) when the
 * process has a console whose code page is not UTF-8 and holds every
 * character of the report, else UTF-8: the code page is what `more`,
 * `type` and Windows PowerShell 5.1 decode a program's bytes with, and a
 * report it cannot hold (Japanese on code page 437) is not cut to '?'. CODEPAGE (cpN, Windows only) writes '?' for a character the code
 * page lacks. JSON and HTML are always UTF-8 without a BOM. */
enum dx_enc_kind { DX_ENC_AUTO, DX_ENC_UTF8, DX_ENC_UTF8_BOM, DX_ENC_UTF16LE, DX_ENC_CODEPAGE };
struct dx_encoding {
	enum dx_enc_kind kind;
	unsigned codepage; /* DX_ENC_CODEPAGE */
	int or_utf8;       /* resolved from AUTO: UTF-8 if the code page lacks a character */
};

/* Parses an --encoding value: auto, utf-8, utf-8-bom, utf-16le (with a
 * BOM) or cpN (N a Windows code page, Windows only). 0, or -1 with the
 * reason in err. */
int dx_encoding_parse(const char *s, struct dx_encoding *e, char *err, size_t errsz);

/* AUTO made concrete for a destination that is not a console: the
 * console's output code page, or UTF-8 (no console, a UTF-8 console, not
 * Windows). Other kinds are returned as they are. */
struct dx_encoding dx_encoding_resolve(struct dx_encoding e);

/* The name of a resolved encoding ("utf-8", "cp932"...), in buf. */
const char *dx_encoding_name(const struct dx_encoding *e, char *buf, size_t n);

/* A stream to render a report into before it is converted (a temporary
 * file deleted on close), or NULL when it cannot be made. */
FILE *dx_text_buffer(void);

/* Writes what was rendered into buf (UTF-8) to f in encoding e (resolved:
 * not AUTO), the BOM first for utf-8-bom and utf-16le, and closes buf.
 * UTF-16 is written with CRLF line ends on Windows (the stream is put in
 * binary mode: the C runtime's text mode would break the code units). 0 or
 * -1. */
int dx_encoded_flush(FILE *buf, FILE *f, const struct dx_encoding *e);

/* Reads buf (UTF-8) from its start in chunks that never end inside a
 * UTF-8 sequence, hands each to put, and closes buf. 0, or -1 when a read
 * or a put failed. */
int dx_flush_utf8(FILE *buf, int (*put)(void *ctx, const char *s, size_t n), void *ctx);

/* Code page conversion (platform_win32_console.c): writes n UTF-16 units
 * to f in code page cp, '?' for what it lacks. 0 or -1; -1 off Windows. */
int dx_codepage_write(FILE *f, unsigned cp, const unsigned short *w, size_t n);

/* Puts f in binary mode (Windows' C runtime: no "\n" to "\r\n"); a no-op
 * elsewhere. */
void dx_stream_binary(FILE *f);

/* 1 when code page cp lacks one of the n UTF-16 units' characters, 0
 * when it holds them all, -1 on an error (off Windows always). */
int dx_codepage_lossy(unsigned cp, const unsigned short *w, size_t n);

/* 1 when Windows can convert to code page cp (IsValidCodePage); 0 off
 * Windows. */
int dx_codepage_valid(unsigned cp);

/* The console's output code page, 0 without a console or off Windows. */
unsigned dx_console_output_cp(void);

#endif
