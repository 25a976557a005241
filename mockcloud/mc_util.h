/* mc_util.h - time, bounded socket I/O with deadlines, host-name matching.
 *
 * Every wait in the mock cloud goes through these helpers: each takes an
 * absolute deadline (mc_now_ms() clock) and gives up when it passes. */
#ifndef MC_UTIL_H
#define MC_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Milliseconds on CLOCK_MONOTONIC. */
int64_t mc_now_ms(void);

/* Wall-clock time as "2026-11-28T10:00:00.123Z" into buf (>= 32 bytes). */
void mc_iso_time(char *buf, size_t len);

/* Sleeps ms milliseconds (interruptible only by the process ending). */
void mc_sleep_ms(int64_t ms);

/* Waits until fd is readable (events=POLLIN) or writable (POLLOUT).
 * Returns 1 ready, 0 deadline passed, -1 error. */
int mc_wait_fd(int fd, short events, int64_t deadline);

/* Reads at most len bytes. Returns >0 bytes, 0 on EOF, -1 on error
 * (errno set; ETIMEDOUT when the deadline passed). */
ssize_t mc_read(int fd, void *buf, size_t len, int64_t deadline);

/* Writes all len bytes or fails. Returns 0, or -1 (errno; ETIMEDOUT). */
int mc_write_all(int fd, const void *buf, size_t len, int64_t deadline);

/* Closes fd with SO_LINGER 0 so the peer gets a TCP RST. */
void mc_close_rst(int fd);

/* Lower-cases s in place; returns s. */
char *mc_lower(char *s);

/* True when host matches pattern: exact (case-insensitive), or pattern
 * "*.suffix" and host ends with ".suffix" (any depth). A pattern with a
 * '/' ("www.microsoft.com/pki/ *") is matched on its host part only. */
int mc_host_match(const char *pattern, const char *host);

/* How specific a matching pattern is (longer = more specific; exact
 * names beat wildcards). Used to pick the best of several matches. */
int mc_pattern_rank(const char *pattern);

/* snprintf into a bounded buffer that never overflows; returns buf. */
char *mc_fmt(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
