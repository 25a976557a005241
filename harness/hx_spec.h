/* hx_spec.h - the check IDs of shared/spec/diagnosis.md, read from its
 * tables at run time so a new ID in the spec is a coverage gap at once.
 *
 * An ID table is a Markdown table whose header's first cell is "ID"; every
 * backquoted token of the first cell of each body row is an ID (one row may
 * name several, e.g. "`net.cyber`, `net.av-cloud`"). Tokens must look like
 * IDs: lower-case letters, digits, '.', '-'. */
#ifndef HX_SPEC_H
#define HX_SPEC_H

#include <stddef.h>

#define HX_SPEC_MAX_IDS 256
#define HX_SPEC_MAX_ID 64

struct hx_idlist {
	size_t n;
	char id[HX_SPEC_MAX_IDS][HX_SPEC_MAX_ID];
};

/* Parses Markdown text into out (in document order, without duplicates).
 * Returns 0; -1 with the reason in err when no ID table was found, an ID is
 * too long, or there are more than HX_SPEC_MAX_IDS. */
int hx_spec_parse(const char *text, struct hx_idlist *out, char *err, size_t errsz);

/* Reads and parses the file at path. */
int hx_spec_load(const char *path, struct hx_idlist *out, char *err, size_t errsz);

/* Index of id in the list, -1 when absent. */
int hx_idlist_find(const struct hx_idlist *l, const char *id);

#endif
