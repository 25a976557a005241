/* console.c - UTF-8 to UTF-16 for the console writer (portable part), and
 * the plain-byte versions of the console calls for systems without a
 * Windows console. The Windows calls are in platform_win32_console.c. */
#include <string.h>
#include "console.h"
#include "report.h"

int dx_console_write_utf8(const struct dx_console_writer *w, const char *s, size_t n)
{
	unsigned short buf[DX_CONSOLE_CHUNK];
	size_t used = 0, i = 0;
	while (i < n) {
		unsigned cp;
		size_t len;
		if (s[i] == '\0') {
			cp = 0; /* dx_utf8_decode stops at a NUL: keep the byte */
			len = 1;
		} else {
			/* decode within the n bytes only: copy a short tail */
			char tmp[5] = {0};
			size_t k = n - i < 4 ? n - i : 4;
			memcpy(tmp, s + i, k);
			len = dx_utf8_decode(tmp, &cp);
		}
		size_t need = cp > 0xFFFF ? 2 : 1;
		if (used + need > DX_CONSOLE_CHUNK) {
			if (w->write_wide(w->ctx, buf, used))
				return -1;
			used = 0;
		}
		if (cp > 0xFFFF) {
			cp -= 0x10000;
			buf[used++] = (unsigned short)(0xD800 + (cp >> 10));
			buf[used++] = (unsigned short)(0xDC00 + (cp & 0x3FF));
		} else {
			buf[used++] = (unsigned short)cp;
		}
		i += len;
	}
	if (used && w->write_wide(w->ctx, buf, used))
		return -1;
	return 0;
}

#ifndef _WIN32
#include <unistd.h>

int dx_console_is(FILE *f)
{
	(void)f;
	return 0;
}

int dx_console_vt(FILE *f)
{
	return isatty(fileno(f));
}

void dx_console_restore(void)
{
}

int dx_console_put(FILE *f, const char *s, size_t n)
{
	return fwrite(s, 1, n, f) == n ? 0 : -1;
}

FILE *dx_console_buffer(FILE *f)
{
	(void)f;
	return NULL;
}

int dx_console_flush(FILE *buf, FILE *f)
{
	(void)f;
	return buf ? fclose(buf) : 0;
}
#endif
