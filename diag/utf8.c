/* utf8.c - the UTF-8 rules (utf8.h): one decoder, and validity, cleaning
 * and display width built on it. */
#include <stdlib.h>
#include <string.h>
#include "utf8.h"

size_t dx_utf8_decode(const char *str, unsigned *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned c = s[0], min;
	size_t n;
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, c &= 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, c &= 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		goto bad;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			goto bad;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*cp = c;
	return n;
bad:
	*cp = 0xFFFD;
	return 1;
}

size_t dx_utf8_bad(const char *s)
{
	unsigned cp;
	for (size_t i = 0; s[i];) {
		size_t n = dx_utf8_decode(s + i, &cp);
		if (n == 1 && (unsigned char)s[i] >= 0x80)
			return i + 1;
		i += n;
	}
	return 0;
}

int dx_utf8_valid(const char *s)
{
	while (*s && (unsigned char)*s < 0x80)
		s++;
	return !*s || dx_utf8_bad(s) == 0;
}

char *dx_utf8_clean(const char *in)
{
	size_t len = strlen(in);
	char *out = malloc(len * 3 + 1), *o = out;
	unsigned cp;
	if (!out)
		return NULL;
	for (const char *s = in; *s;) {
		size_t n = dx_utf8_decode(s, &cp);
		if (n == 1 && (unsigned char)*s >= 0x80) {
			memcpy(o, "\xEF\xBF\xBD", 3); /* U+FFFD */
			o += 3;
		} else {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	*o = '\0';
	return out;
}

int dx_cp_unsafe(unsigned cp)
{
	if (cp == '\t' || cp == '\n')
		return 0;
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
	       cp == 0x200F || cp == 0x061C;
}

int dx_cp_width(unsigned cp)
{
	/* combining marks and zero-width characters */
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x200B && cp <= 0x200D) ||
	    (cp >= 0xFE00 && cp <= 0xFE0F))
		return 0;
	/* East Asian Wide and Fullwidth (the ranges that matter here) */
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	    (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

int dx_display_width(const char *s)
{
	int w = 0;
	unsigned cp;
	while (s && *s) {
		s += dx_utf8_decode(s, &cp);
		w += dx_cp_unsafe(cp) ? 1 : dx_cp_width(cp);
	}
	return w;
}
