/* hx_json.h - the JSON plumbing of the harness: bounded file loading,
 * the deep merge of scenario overrides into a fixture, and writing. */
#ifndef HX_JSON_H
#define HX_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "readfile.h" /* dx_read_file: the bounded reader */

/* Largest JSON file the harness reads (scenario, fixture, report). */
#define HX_JSON_MAX (8u << 20)

/* Parses the file at path. Returns NULL with "path: reason" (and the byte
 * offset of a syntax error) in err. The caller frees with cJSON_Delete. */
cJSON *hx_json_load(const char *path, char *err, size_t errsz);

/* Merges src into dst (both objects): members that are objects on both
 * sides merge recursively; a null in src deletes the member; anything else
 * replaces. Names match case-insensitively, as registry keys and values do
 * on Windows, so an override never creates a duplicate the fixture loader
 * would reject. src is not modified. Returns 0, -1 when out of memory. */
int hx_json_merge(cJSON *dst, const cJSON *src);

/* Writes json to path (formatted, newline-terminated). 0 or -1 + err. */
int hx_json_write(const char *path, const cJSON *json, char *err, size_t errsz);

/* The text of `new`, a modified copy of `old` (parsed from old_text),
 * written so that a diff shows only what changed: every value equal to
 * the old one at the same place (object member of the same name; for
 * arrays, any unused equal old element) keeps its old text byte for byte
 * (a compact one-line block stays one line), the rest is laid out one
 * member per line with the file's indentation unit. Newline-terminated.
 * NULL when out of memory or old_text is not the text of old. */
char *hx_json_rewrite(const char *old_text, const cJSON *old, const cJSON *new);

/* Numbers compare numerically, strings exactly, booleans/null by type,
 * arrays and objects structurally (object member order ignored). */
int hx_json_equal(const cJSON *a, const cJSON *b);

#endif
