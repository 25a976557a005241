/* platform_win32_console.c - the Windows console calls of console.h.
 *
 * Documented contracts this relies on (Microsoft Learn, Console API):
 * - GetConsoleMode fails when the handle is not a console handle (a pipe,
 *   a file, NUL): that is how a console is told from a redirection
 *   ("GetConsoleMode function": "If the function fails, the return value
 *   is zero"; the handle must be a console input buffer or screen buffer).
 * - WriteConsoleW writes UTF-16 characters to a console screen buffer
 *   whatever its code page, and fails on a handle that is not a console
 *   ("WriteConsole function": "WriteConsole fails if it is used with a
 *   standard handle that is redirected to a file"), so redirected output
 *   keeps going through the C runtime as UTF-8 bytes.
 * - ENABLE_VIRTUAL_TERMINAL_PROCESSING (0x0004) of an output handle's mode
 *   makes the console interpret VT sequences (SGR colours, "\r\033[K");
 *   SetConsoleMode refuses it on consoles that do not support it (before
 *   Windows 10 1511): "Console Virtual Terminal Sequences" and
 *   "SetConsoleMode function". When it cannot be switched on, mdediag
 *   writes no escape code at all (issue 16: the classic console showed
 *   "←[K").
 */
#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdlib.h>
#include <string.h>
#include "console.h"

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

static HANDLE handle_of(FILE *f)
{
	intptr_t h = _get_osfhandle(_fileno(f));
	return h == -1 ? INVALID_HANDLE_VALUE : (HANDLE)h;
}

int dx_console_is(FILE *f)
{
	DWORD mode;
	HANDLE h = handle_of(f);
	return h != INVALID_HANDLE_VALUE && GetConsoleMode(h, &mode);
}

/* The modes dx_console_vt changed. The console belongs to whoever opened
 * it (cmd.exe, PowerShell) and outlives mdediag: its modes are put back at
 * exit (atexit), as SetConsoleMode left them changed for the shell. */
static struct {
	HANDLE h;
	DWORD mode;
} saved[4];
static int nsaved, restore_registered;

void dx_console_restore(void)
{
	while (nsaved > 0) {
		nsaved--;
		SetConsoleMode(saved[nsaved].h, saved[nsaved].mode);
	}
}

int dx_console_vt(FILE *f)
{
	DWORD mode;
	HANDLE h = handle_of(f);
	if (h == INVALID_HANDLE_VALUE || !GetConsoleMode(h, &mode))
		return 0;
	if (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING)
		return 1;
	if (!SetConsoleMode(h, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING))
		return 0;
	if (nsaved < (int)(sizeof saved / sizeof saved[0])) {
		saved[nsaved].h = h;
		saved[nsaved].mode = mode;
		nsaved++;
	}
	if (!restore_registered)
		restore_registered = atexit(dx_console_restore) == 0;
	return 1;
}

static int write_console(void *ctx, const unsigned short *w, size_t n)
{
	HANDLE h = ctx;
	while (n > 0) {
		DWORD done = 0;
		if (!WriteConsoleW(h, w, (DWORD)n, &done, NULL) || done == 0)
			return -1;
		w += done;
		n -= done;
	}
	return 0;
}

int dx_console_put(FILE *f, const char *s, size_t n)
{
	if (!dx_console_is(f))
		return fwrite(s, 1, n, f) == n ? 0 : -1;
	struct dx_console_writer w = {write_console, handle_of(f)};
	fflush(f); /* what the C runtime holds goes first */
	return dx_console_write_utf8(&w, s, n);
}

FILE *dx_text_buffer(void)
{
	wchar_t dir[MAX_PATH + 1], path[MAX_PATH + 1];
	DWORD n = GetTempPathW(MAX_PATH + 1, dir);
	if (n == 0 || n > MAX_PATH || !GetTempFileNameW(dir, L"mdx", 0, path))
		return NULL;
	/* T: short-lived, D: deleted when closed */
	return _wfopen(path, L"w+bTD");
}

FILE *dx_console_buffer(FILE *f)
{
	return dx_console_is(f) ? dx_text_buffer() : NULL;
}

static int put_console(void *ctx, const char *s, size_t n)
{
	return dx_console_put(ctx, s, n);
}

int dx_console_flush(FILE *buf, FILE *f)
{
	return dx_flush_utf8(buf, put_console, f);
}

void dx_stream_binary(FILE *f)
{
	fflush(f);
	_setmode(_fileno(f), _O_BINARY);
}

unsigned dx_console_output_cp(void)
{
	/* 0 when the process has no console ("GetConsoleOutputCP": the
	 * function fails, returning zero, when there is none) */
	return GetConsoleOutputCP();
}

int dx_codepage_valid(unsigned cp)
{
	return cp <= 0xFFFF && IsValidCodePage(cp);
}

int dx_codepage_write(FILE *f, unsigned cp, const unsigned short *w, size_t n)
{
	/* WideCharToMultiByte: at most 4 bytes a UTF-16 unit in any code
	 * page; WC_NO_BEST_FIT_CHARS so a character the code page lacks
	 * shows as '?' instead of a look-alike ("WideCharToMultiByte
	 * function"); some code pages (50220, 54936, UTF-7) refuse the flag
	 * and the default character, and are tried without. */
	char out[4 * DX_CONSOLE_CHUNK + 16];
	if (n > DX_CONSOLE_CHUNK)
		return -1;
	if (n == 0)
		return 0;
	int m = WideCharToMultiByte(cp, WC_NO_BEST_FIT_CHARS, (const wchar_t *)w, (int)n, out,
				    (int)sizeof out, "?", NULL);
	if (m == 0 && GetLastError() == ERROR_INVALID_PARAMETER)
		m = WideCharToMultiByte(cp, 0, (const wchar_t *)w, (int)n, out, (int)sizeof out,
					NULL, NULL);
	if (m <= 0)
		return -1;
	return fwrite(out, 1, (size_t)m, f) == (size_t)m ? 0 : -1;
}

int dx_codepage_lossy(unsigned cp, const unsigned short *w, size_t n)
{
	BOOL used = FALSE;
	if (n == 0)
		return 0;
	/* lpUsedDefaultChar is refused by the same code pages as the flag:
	 * those are not asked, and counted as lossless */
	int m = WideCharToMultiByte(cp, WC_NO_BEST_FIT_CHARS, (const wchar_t *)w, (int)n, NULL, 0,
				    NULL, &used);
	if (m == 0 && GetLastError() == ERROR_INVALID_PARAMETER)
		return 0;
	return m <= 0 ? -1 : used ? 1 : 0;
}
