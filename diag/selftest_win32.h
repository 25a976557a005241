/* selftest_win32.h - the Windows half of `mdediag selftest` (selftest.h):
 * runs Windows' own tools and asks the platform layer the same questions.
 */
#ifndef DX_SELFTEST_WIN32_H
#define DX_SELFTEST_WIN32_H

#include <stddef.h>
#include "selftest.h"

struct cJSON;

/* Fills `l` with every comparison and *os with what the file says of the
 * device (build, product, whether it is Wine). 0, or -1 with the reason in
 * err when the platform cannot be opened or memory runs out (a tool that
 * fails is a "not compared" line, never an error here). */
int dx_selftest_collect(struct dx_st_list *l, struct cJSON **os, char *err, size_t errsz);

#endif
