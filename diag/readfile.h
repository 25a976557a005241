/* readfile.h - reads a whole file into memory, bounded.
 *
 * The one file reader of mdediag, the mock cloud and the harness: every
 * file a user names (fixture, baselines, anchors, service tags, mock cloud
 * config and destinations, scenarios) is read through it, so none can make
 * memory grow without limit and every failure reads the same.
 *
 * Depends on the C library only (no cJSON, no platform layer), so any
 * component may link it.
 */
#ifndef DX_READFILE_H
#define DX_READFILE_H

#include <stddef.h>

/* Reads the file at `path` whole. It must hold at most `max` bytes.
 * Returns a buffer of the contents plus a terminating NUL (the caller
 * frees), with the byte count in *len when len is not NULL; embedded NULs
 * are kept. On failure returns NULL with "PATH: reason" in err: "cannot
 * open: <strerror>", "read error: <strerror>", "larger than MAX bytes",
 * "out of memory". A file of exactly `max` bytes is read; max + 1 is too
 * large. Never reads more than max + 1 bytes. */
char *dx_read_file(const char *path, size_t max, size_t *len, char *err, size_t errsz);

#endif
