/* hx_proc.h - child processes with deadlines: fork/exec in a new process
 * group, stdout/stderr captured through pipes into bounded buffers, every
 * wait bounded by an absolute monotonic deadline, the whole group killed on
 * timeout.
 *
 * Safe to use from several threads at once: pipes are created close-on-exec
 * so one thread's child never holds another child's pipe open, and between
 * fork and exec the child only calls async-signal-safe functions.
 */
#ifndef HX_PROC_H
#define HX_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* A growing buffer bounded at creation (curl's dynbuf): appends beyond
 * `max` bytes are dropped and `truncated` is set. `data` is always
 * NUL-terminated once anything was appended. */
struct hx_buf {
	char *data;
	size_t len, cap, max;
	int truncated;
};

void hx_buf_init(struct hx_buf *b, size_t max);
/* Returns 0, or -1 when out of memory (the buffer stays valid). */
int hx_buf_append(struct hx_buf *b, const char *p, size_t n);
void hx_buf_free(struct hx_buf *b);

struct hx_proc {
	pid_t pid;          /* also the process group id; 0 once reaped */
	int out_fd, err_fd; /* read ends, -1 once closed */
	struct hx_buf out, err;
	int status;    /* waitpid status once reaped */
	int timed_out; /* set when a deadline forced a kill */
};

/* Milliseconds on the monotonic clock. */
long long hx_now_ms(void);

/* Starts argv[0] (searched in PATH) with stdin from /dev/null and stdout,
 * stderr captured (bounded by out_max / err_max bytes). Returns 0, or -1
 * with the reason in err. The caller must end it with hx_proc_wait or
 * hx_proc_stop. */
int hx_proc_start(struct hx_proc *p, char *const argv[], size_t out_max, size_t err_max, char *err,
		  size_t errsz);

/* Reads stdout until it holds a complete first line or until the deadline.
 * Returns 0 when a line is there (p->out.data holds at least it), -1 on
 * EOF or timeout (p->timed_out set on timeout). */
int hx_proc_first_line(struct hx_proc *p, long long deadline_ms);

/* Drains both pipes until EOF and reaps the child, all before the
 * deadline; past it, kills the process group (SIGKILL) and reaps.
 * `also` (may be NULL) is a sibling still running, e.g. the mock cloud:
 * its pipes are drained meanwhile so it never blocks on a full pipe.
 * Returns 0 when the child exited on its own, -1 when it was killed. */
int hx_proc_wait(struct hx_proc *p, long long deadline_ms, struct hx_proc *also);

/* Sends SIGTERM to the group, waits up to grace_ms, then SIGKILL; always
 * reaps and closes the pipes. */
void hx_proc_stop(struct hx_proc *p, int grace_ms);

/* Frees the buffers (after wait/stop). */
void hx_proc_free(struct hx_proc *p);

/* The exit code (0-255), 128+signal when killed by a signal, -1 unknown. */
int hx_proc_exit_code(const struct hx_proc *p);

#endif
