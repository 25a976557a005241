/* readfile.c - the bounded whole-file reader (see readfile.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "readfile.h"
#include "win32_args.h"

char *dx_read_file(const char *path, size_t max, size_t *len, char *err, size_t errsz)
{
	FILE *f = dx_fopen(path, "rb");
	char *buf = NULL;
	size_t n;
	if (!f) {
		snprintf(err, errsz, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	/* one byte more than allowed tells "too large" from "exactly max" */
	buf = max < (size_t)-2 ? malloc(max + 2) : NULL;
	if (!buf) {
		snprintf(err, errsz, "%s: out of memory", path);
		goto fail;
	}
	n = fread(buf, 1, max + 1, f);
	if (ferror(f)) {
		snprintf(err, errsz, "%s: read error: %s", path, strerror(errno));
		goto fail;
	}
	if (n > max) {
		snprintf(err, errsz, "%s: larger than %zu bytes", path, max);
		goto fail;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
fail:
	free(buf);
	fclose(f);
	return NULL;
}
