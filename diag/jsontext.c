/* jsontext.c - the JSON text check cJSON leaves out (see jsontext.h). */
#include <stdio.h>
#include "jsontext.h"

void dx_text_line_col(const char *text, size_t len, size_t off, size_t *line,
		      size_t *col)
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

int dx_json_text_check(const char *text, size_t len, char *err, size_t errsz)
{
	int in_string = 0, escape = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (!in_string) {
			in_string = c == '"';
			continue;
		}
		if (c < 0x20) {
			size_t line, col;
			char esc[8];
			dx_text_line_col(text, len, i, &line, &col);
			escaped(c, esc, sizeof esc);
			snprintf(err, errsz, "raw control character U+%04X inside a string at "
				 "line %zu, column %zu: JSON needs it escaped (%s)",
				 (unsigned)c, line, col, esc);
			return -1;
		}
		if (escape)
			escape = 0;
		else if (c == '\\')
			escape = 1;
		else if (c == '"')
			in_string = 0;
	}
	return 0;
}
