/* jpath.h - reading a JSON document member by member, with the JSON path
 * of each so that every error names its place:
 *     $.hosts["x"].faults[0].ms: -5 out of range [0, 600000]
 * The fixture loader (diag/fixture.c), the mock cloud's config
 * (mockcloud/mc_config.c) and the harness's scenario files
 * (harness/hx_scenario.c) read with it; each keeps its own words for the
 * reason, which tests assert. */
#ifndef CM_JPATH_H
#define CM_JPATH_H

#include <stddef.h>
#include <cjson/cJSON.h>

/* printf-style checking, as DX_PRINTF (diag/platform.h): MinGW's build
 * uses the C99 printf (%zu), clang knows only "printf". */
#if defined(_WIN32)
#define CM_PRINTF(f, a) __attribute__((format(gnu_printf, f, a)))
#else
#define CM_PRINTF(f, a) __attribute__((format(printf, f, a)))
#endif

/* The path walked so far: "$" at the root, then ".name", ["name"] and
 * "[i]" steps. A step that does not fit is cut (the path stays a string). */
struct cm_jpath {
	char s[1024];
};

/* Starts at the root: "$". */
void cm_jpath_root(struct cm_jpath *p);
/* Appends ".name" (bracket 0) or ["name"] (bracket 1): the name's first
 * 199 bytes, each byte below 0x20 shown as '?' so the path stays one
 * line. Returns the length before, for cm_jpath_pop. */
size_t cm_jpath_member(struct cm_jpath *p, const char *name, int bracket);
/* Appends "[i]"; returns the length before. */
size_t cm_jpath_index(struct cm_jpath *p, size_t i);
/* Goes back to a length cm_jpath_member or cm_jpath_index returned. */
void cm_jpath_pop(struct cm_jpath *p, size_t len);

/* Writes "PATH: reason", or "PATH.key: reason" when key is not NULL, into
 * err (the reason formatted like printf); returns -1. */
int cm_jpath_fail(char *err, size_t errsz, const char *path, const char *key, const char *fmt, ...)
	CM_PRINTF(5, 6);

/* The member `key` of obj (a NULL obj has no members) in *out, NULL when
 * absent. Returns 1 when it is there and of one of the cJSON types in
 * `types` (a mask: cJSON_String, cJSON_Number, cJSON_Array, cJSON_Object,
 * cJSON_True | cJSON_False, cJSON_NULL), 0 when absent, -1 when it is of
 * another type. */
int cm_jpath_get(const cJSON *obj, const char *key, int types, const cJSON **out);

/* The text of the member `key` of obj when it is a string; NULL when it is
 * absent or of another type. */
const char *cm_jpath_string(const cJSON *obj, const char *key);

/* A string member of at most maxlen bytes: 1 with *out its text, 0 when
 * absent (*out NULL), -1 when not a string or longer (*out NULL). */
int cm_jpath_str(const cJSON *obj, const char *key, size_t maxlen, const char **out);

/* An integer member in [lo, hi] in *val, def when absent. 0, or -1 with
 * "PATH.key: V out of range [LO, HI]" or "PATH.key: must be an integer"
 * in err. */
int cm_jpath_int(const cJSON *obj, const char *key, int def, int lo, int hi, const char *path,
		 int *val, char *err, size_t errsz);

/* The first member of obj whose name is not in `known` (NULL-terminated),
 * or NULL when every one is known (or obj has none). */
const cJSON *cm_jpath_unknown(const cJSON *obj, const char *const *known);

/* What j is, for "expected X, found Y": "a string", "a number", "a
 * boolean", "null", "an array", "an object" or "invalid". */
const char *cm_jpath_type_name(const cJSON *j);

#endif
