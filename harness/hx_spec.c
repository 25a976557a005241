/* hx_spec.c - check IDs from the spec's tables (see hx_spec.h). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hx_json.h"
#include "hx_spec.h"

int hx_idlist_find(const struct hx_idlist *l, const char *id)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->id[i], id) == 0)
			return (int)i;
	return -1;
}

static int is_id_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* The first cell of a table row [line, end): pointers to its trimmed text. */
static int first_cell(const char *line, const char *end, const char **b, const char **e)
{
	const char *p = line;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '|')
		return -1;
	p++;
	const char *q = p;
	while (q < end && *q != '|')
		q++;
	if (q == end)
		return -1;
	while (p < q && isspace((unsigned char)*p))
		p++;
	while (q > p && isspace((unsigned char)q[-1]))
		q--;
	*b = p;
	*e = q;
	return 0;
}

static int add_ids(const char *b, const char *e, struct hx_idlist *out,
		   int lineno, char *err, size_t errsz)
{
	for (const char *p = b; p < e; p++) {
		if (*p != '`')
			continue;
		const char *q = p + 1;
		while (q < e && *q != '`')
			q++;
		if (q == e)
			break;
		size_t len = (size_t)(q - p - 1);
		int ok = len > 0;
		for (const char *c = p + 1; c < q; c++)
			ok = ok && is_id_char((unsigned char)*c);
		if (ok) {
			if (len >= HX_SPEC_MAX_ID) {
				snprintf(err, errsz, "line %d: ID longer than %d characters",
					 lineno, HX_SPEC_MAX_ID - 1);
				return -1;
			}
			char id[HX_SPEC_MAX_ID];
			memcpy(id, p + 1, len);
			id[len] = '\0';
			if (hx_idlist_find(out, id) < 0) {
				if (out->n == HX_SPEC_MAX_IDS) {
					snprintf(err, errsz, "line %d: more than %d IDs",
						 lineno, HX_SPEC_MAX_IDS);
					return -1;
				}
				strcpy(out->id[out->n++], id);
			}
		}
		p = q;
	}
	return 0;
}

int hx_spec_parse(const char *text, struct hx_idlist *out, char *err, size_t errsz)
{
	/* 0 outside a table, 1 after an ID header row, 2 in an ID table body,
	 * 3 in some other table. */
	int state = 0, lineno = 0, tables = 0;
	out->n = 0;
	for (const char *line = text; *line;) {
		const char *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		lineno++;
		const char *b, *e;
		if (first_cell(line, end, &b, &e)) {
			state = 0;
		} else if (state == 0) {
			state = (e - b == 2 && memcmp(b, "ID", 2) == 0) ? 1 : 3;
			tables += state == 1;
		} else if (state == 1) {
			state = 2; /* the |---| separator row */
		} else if (state == 2) {
			if (add_ids(b, e, out, lineno, err, errsz))
				return -1;
		}
		line = *end ? end + 1 : end;
	}
	if (tables == 0 || out->n == 0) {
		snprintf(err, errsz, "no check ID table (a table whose first column is \"ID\")");
		return -1;
	}
	return 0;
}

int hx_spec_load(const char *path, struct hx_idlist *out, char *err, size_t errsz)
{
	char why[512];
	char *text = dx_read_file(path, 1u << 20, NULL, err, errsz);
	if (!text)
		return -1;
	int rc = hx_spec_parse(text, out, why, sizeof why);
	if (rc)
		snprintf(err, errsz, "%s: %s", path, why);
	free(text);
	return rc;
}
