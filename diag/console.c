/* console.c - UTF-8 to UTF-16 for the console writer (portable part), and
 * the plain-byte versions of the console calls for systems without a
 * Windows console. The Windows calls are in platform_win32_console.c. */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include "console.h"
#include "utf8.h"

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

/* One pass over buf from its start (dx_flush_utf8 without the close). */
static int utf8_pass(FILE *buf, int (*put)(void *ctx, const char *s, size_t n), void *ctx)
{
	int rc = 0;
	char chunk[16384];
	size_t n, carry = 0;
	if (fflush(buf) || fseek(buf, 0, SEEK_SET))
		rc = -1;
	while (!rc && (n = fread(chunk + carry, 1, sizeof chunk - carry, buf)) > 0) {
		size_t have = carry + n, cut = have, back = 0;
		/* do not end inside a multi-byte sequence: carry it over */
		while (back < 3 && back < have &&
		       ((unsigned char)chunk[have - 1 - back] & 0xC0) == 0x80)
			back++;
		if (back < have && ((unsigned char)chunk[have - 1 - back] & 0xC0) == 0xC0)
			cut = have - 1 - back;
		if (cut == 0)
			cut = have;
		if (put(ctx, chunk, cut))
			rc = -1;
		carry = have - cut;
		memmove(chunk, chunk + cut, carry);
	}
	if (!rc && carry && put(ctx, chunk, carry))
		rc = -1;
	if (ferror(buf))
		rc = -1;
	return rc;
}

int dx_flush_utf8(FILE *buf, int (*put)(void *ctx, const char *s, size_t n), void *ctx)
{
	int rc = utf8_pass(buf, put, ctx);
	fclose(buf);
	return rc;
}

int dx_encoding_parse(const char *s, struct dx_encoding *e, char *err, size_t errsz)
{
	static const struct {
		const char *name;
		enum dx_enc_kind kind;
	} names[] = {
		{"auto", DX_ENC_AUTO},        {"utf-8", DX_ENC_UTF8},
		{"utf8", DX_ENC_UTF8},        {"utf-8-bom", DX_ENC_UTF8_BOM},
		{"utf-16le", DX_ENC_UTF16LE}, {"utf-16", DX_ENC_UTF16LE},
	};
	memset(e, 0, sizeof *e);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(s, names[i].name) == 0) {
			e->kind = names[i].kind;
			return 0;
		}
	if ((s[0] == 'c' || s[0] == 'C') && (s[1] == 'p' || s[1] == 'P') && s[2] >= '1' &&
	    s[2] <= '9') {
		unsigned long cp = 0;
		const char *p = s + 2;
		while (*p >= '0' && *p <= '9' && cp <= 65535)
			cp = cp * 10 + (unsigned)(*p++ - '0');
		if (!*p && cp <= 65535) {
			if (cp == 65001) {
				e->kind = DX_ENC_UTF8;
				return 0;
			}
			if (dx_codepage_valid((unsigned)cp)) {
				e->kind = DX_ENC_CODEPAGE;
				e->codepage = (unsigned)cp;
				return 0;
			}
#ifdef _WIN32
			snprintf(err, errsz, "--encoding %s: not a code page this Windows has", s);
#else
			snprintf(err, errsz,
				 "--encoding %s: code pages are converted on Windows only "
				 "(here: auto, utf-8, utf-8-bom, utf-16le)",
				 s);
#endif
			return -1;
		}
	}
	snprintf(err, errsz,
		 "--encoding %s: expected auto, utf-8, utf-8-bom, utf-16le or cpN "
		 "(a Windows code page, e.g. cp932)",
		 s);
	return -1;
}

struct dx_encoding dx_encoding_resolve(struct dx_encoding e)
{
	if (e.kind != DX_ENC_AUTO)
		return e;
	unsigned cp = dx_console_output_cp();
	e.kind = cp && cp != 65001 ? DX_ENC_CODEPAGE : DX_ENC_UTF8;
	e.codepage = e.kind == DX_ENC_CODEPAGE ? cp : 0;
	e.or_utf8 = e.kind == DX_ENC_CODEPAGE;
	return e;
}

const char *dx_encoding_name(const struct dx_encoding *e, char *buf, size_t n)
{
	switch (e->kind) {
	case DX_ENC_UTF8_BOM: snprintf(buf, n, "utf-8-bom"); break;
	case DX_ENC_UTF16LE: snprintf(buf, n, "utf-16le"); break;
	case DX_ENC_CODEPAGE: snprintf(buf, n, "cp%u", e->codepage); break;
	case DX_ENC_AUTO: snprintf(buf, n, "auto"); break;
	default: snprintf(buf, n, "utf-8"); break;
	}
	return buf;
}

struct encoded {
	FILE *f;
	const struct dx_encoding *e;
	int lossy; /* the check pass: a character the code page lacks */
};

static int put_bytes(void *ctx, const char *s, size_t n)
{
	struct encoded *x = ctx;
	return fwrite(s, 1, n, x->f) == n ? 0 : -1;
}

/* UTF-16LE bytes; on Windows "\n" becomes "\r\n" (the stream is binary) */
static int write_utf16le(void *ctx, const unsigned short *w, size_t n)
{
	struct encoded *x = ctx;
	unsigned char b[4];
	for (size_t i = 0; i < n; i++) {
#ifdef _WIN32
		if (w[i] == '\n' && fwrite("\r\0", 1, 2, x->f) != 2)
			return -1;
#endif
		b[0] = (unsigned char)(w[i] & 0xFF);
		b[1] = (unsigned char)(w[i] >> 8);
		if (fwrite(b, 1, 2, x->f) != 2)
			return -1;
	}
	return 0;
}

static int write_cp(void *ctx, const unsigned short *w, size_t n)
{
	struct encoded *x = ctx;
	return dx_codepage_write(x->f, x->e->codepage, w, n);
}

static int check_cp(void *ctx, const unsigned short *w, size_t n)
{
	struct encoded *x = ctx;
	int lossy = dx_codepage_lossy(x->e->codepage, w, n);
	if (lossy < 0)
		return -1;
	x->lossy |= lossy;
	return 0;
}

static int check_wide(void *ctx, const char *s, size_t n)
{
	struct dx_console_writer w = {check_cp, ctx};
	return dx_console_write_utf8(&w, s, n);
}

static int put_wide(void *ctx, const char *s, size_t n)
{
	struct encoded *x = ctx;
	struct dx_console_writer w = {x->e->kind == DX_ENC_UTF16LE ? write_utf16le : write_cp, x};
	return dx_console_write_utf8(&w, s, n);
}

int dx_encoded_flush(FILE *buf, FILE *f, const struct dx_encoding *e)
{
	struct dx_encoding utf8 = {DX_ENC_UTF8, 0, 0};
	struct encoded x = {f, e, 0};
	int rc = 0;
	/* auto: the console's code page only when it holds every character
	 * of the report, else UTF-8 (a ja report on a code page 437 console) */
	if (e->kind == DX_ENC_CODEPAGE && e->or_utf8) {
		if (utf8_pass(buf, check_wide, &x)) {
			fclose(buf);
			return -1;
		}
		if (x.lossy)
			x.e = e = &utf8;
	}
	if (e->kind == DX_ENC_UTF16LE) {
		dx_stream_binary(f);
		rc = fwrite("\xFF\xFE", 1, 2, f) == 2 ? 0 : -1;
	} else if (e->kind == DX_ENC_UTF8_BOM) {
		rc = fwrite("\xEF\xBB\xBF", 1, 3, f) == 3 ? 0 : -1;
	}
	if (rc) {
		fclose(buf);
		return -1;
	}
	return dx_flush_utf8(
		buf, e->kind == DX_ENC_UTF16LE || e->kind == DX_ENC_CODEPAGE ? put_wide : put_bytes,
		&x);
}

#ifndef _WIN32
#include <unistd.h>

void dx_stream_binary(FILE *f)
{
	(void)f;
}

unsigned dx_console_output_cp(void)
{
	return 0;
}

int dx_codepage_valid(unsigned cp)
{
	(void)cp;
	return 0;
}

int dx_codepage_write(FILE *f, unsigned cp, const unsigned short *w, size_t n)
{
	(void)f, (void)cp, (void)w, (void)n;
	return -1;
}

int dx_codepage_lossy(unsigned cp, const unsigned short *w, size_t n)
{
	(void)cp, (void)w, (void)n;
	return -1;
}

FILE *dx_text_buffer(void)
{
	return tmpfile();
}

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
