/* jsontext.c - the JSON text check cJSON leaves out (see jsontext.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "jsontext.h"

void dx_text_line_col(const char *text, size_t len, size_t off, size_t *line, size_t *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && i < len; i++) {
		if (text[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

/* How JSON writes a control character escaped: \n for a line break,
 * \u0001 for one without a short form. */
static void escaped(unsigned char c, char *out, size_t outsz)
{
	static const char shortform[][3] = {
		['\b'] = "\\b", ['\t'] = "\\t", ['\n'] = "\\n", ['\f'] = "\\f", ['\r'] = "\\r",
	};
	if (c < sizeof shortform / sizeof shortform[0] && shortform[c][0])
		snprintf(out, outsz, "%s", shortform[c]);
	else
		snprintf(out, outsz, "\\u%04X", (unsigned)c);
}

/* Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF) at p[0] >= 0x80, of the n bytes
 * left; 0 when there is none. */
static size_t utf8_seq(const unsigned char *p, size_t n)
{
	size_t k;
	unsigned lo = 0x80, hi = 0xbf;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		k = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		k = 3, lo = p[0] == 0xe0 ? 0xa0 : 0x80, hi = p[0] == 0xed ? 0x9f : 0xbf;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		k = 4, lo = p[0] == 0xf0 ? 0x90 : 0x80, hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	else
		return 0;
	if (n < k || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

/* Eight bytes at a time: nonzero when one of the eight bytes of w is below
 * 0x20, 0x80 or above, a quote or a backslash (inside a string), or a quote
 * or 0x80 or above (outside). */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static uint64_t zero_byte(uint64_t w)
{
	return (w - ONES) & ~w & HIGHS;
}
static uint64_t stop_in(uint64_t w)
{
	return ((w - ONES * 0x20) & ~w & HIGHS) | (w & HIGHS) | zero_byte(w ^ (ONES * '"')) |
	       zero_byte(w ^ (ONES * '\\'));
}
static uint64_t stop_out(uint64_t w)
{
	return (w & HIGHS) | zero_byte(w ^ (ONES * '"'));
}

int dx_json_text_scan(const char *text, size_t len, int *utf8, char *err, size_t errsz)
{
	const unsigned char *t = (const unsigned char *)text;
	int in_string = 0, well_formed = 1;
	size_t i = 0;
	while (i < len) {
		uint64_t w, stop;
		if (i + 8 <= len) { /* skip the bytes that change nothing */
			memcpy(&w, t + i, 8);
			stop = in_string ? stop_in(w) : stop_out(w);
			if (!stop) {
				i += 8;
				continue;
			}
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			/* the lowest flagged byte is the first to stop at (a
			 * false flag can only follow a true one) */
			i += (size_t)__builtin_ctzll(stop) / 8;
#endif
		}
		unsigned char c = t[i];
		if (c >= 0x80) {
			size_t k = well_formed ? utf8_seq(t + i, len - i) : 0;
			if (k == 0)
				well_formed = 0;
			i += k ? k : 1;
			continue;
		}
		if (!in_string) {
			in_string = c == '"';
			i++;
			continue;
		}
		if (c == '\\' && i + 1 < len && t[i + 1] >= 0x20) {
			/* the escaped byte is never the string's end (a raw
			 * control character there is still one, and a byte
			 * 0x80 or above still starts a sequence to check) */
			i += t[i + 1] >= 0x80 ? 1 : 2;
			continue;
		}
		if (c == '\\' && i + 1 < len)
			c = t[++i];
		if (c < 0x20) {
			size_t line, col;
			char esc[8];
			dx_text_line_col(text, len, i, &line, &col);
			escaped(c, esc, sizeof esc);
			snprintf(err, errsz,
				 "raw control character U+%04X inside a string at "
				 "line %zu, column %zu: JSON needs it escaped (%s)",
				 (unsigned)c, line, col, esc);
			return -1;
		}
		if (c == '"')
			in_string = 0;
		i++;
	}
	if (utf8)
		*utf8 = well_formed;
	return 0;
}

int dx_json_text_check(const char *text, size_t len, char *err, size_t errsz)
{
	return dx_json_text_scan(text, len, NULL, err, errsz);
}
