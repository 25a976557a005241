/* hx_proc.c - child processes with deadlines (see hx_proc.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "hx_proc.h"

void hx_buf_init(struct hx_buf *b, size_t max)
{
	memset(b, 0, sizeof *b);
	b->max = max;
}

int hx_buf_append(struct hx_buf *b, const char *p, size_t n)
{
	if (b->len + n > b->max) {
		n = b->max - b->len;
		b->truncated = 1;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *d = realloc(b->data, cap);
		if (!d)
			return -1;
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

void hx_buf_free(struct hx_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

long long hx_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hx_proc_start(struct hx_proc *p, char *const argv[], size_t out_max, size_t err_max, char *err,
		  size_t errsz)
{
	int out[2] = {-1, -1}, er[2] = {-1, -1}, ex[2] = {-1, -1};
	memset(p, 0, sizeof *p);
	p->out_fd = p->err_fd = -1;
	hx_buf_init(&p->out, out_max);
	hx_buf_init(&p->err, err_max);
	/* ex: the child writes errno there when exec fails; EOF = exec'd. */
	if (pipe2(out, O_CLOEXEC) || pipe2(er, O_CLOEXEC) || pipe2(ex, O_CLOEXEC)) {
		snprintf(err, errsz, "pipe: %s", strerror(errno));
		goto fail;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errsz, "fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0) {
		/* Child: async-signal-safe calls only. */
		int e;
		int devnull = open("/dev/null", O_RDONLY);
		setpgid(0, 0);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 ||
		    dup2(er[1], 2) < 0)
			goto child_fail;
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
	child_fail:
		e = errno;
		if (write(ex[1], &e, sizeof e) < 0)
			_exit(127);
		_exit(127);
	}
	/* Parent: set the group here too so a kill right away cannot miss. */
	setpgid(pid, pid);
	close(out[1]);
	close(er[1]);
	close(ex[1]);
	p->pid = pid;
	p->out_fd = out[0];
	p->err_fd = er[0];
	int child_errno = 0;
	ssize_t n;
	do
		n = read(ex[0], &child_errno, sizeof child_errno);
	while (n < 0 && errno == EINTR);
	close(ex[0]);
	if (n == (ssize_t)sizeof child_errno) {
		snprintf(err, errsz, "cannot run %s: %s", argv[0], strerror(child_errno));
		hx_proc_stop(p, 0);
		return -1;
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (er[i] >= 0)
			close(er[i]);
		if (ex[i] >= 0)
			close(ex[i]);
	}
	return -1;
}

/* Reads what is available on the open pipes, waiting at most wait_ms.
 * Closes a pipe at EOF. */
static void pump(struct hx_proc *p, int wait_ms)
{
	struct pollfd fds[2];
	int n = 0;
	if (p->out_fd >= 0)
		fds[n++] = (struct pollfd){.fd = p->out_fd, .events = POLLIN};
	if (p->err_fd >= 0)
		fds[n++] = (struct pollfd){.fd = p->err_fd, .events = POLLIN};
	if (n == 0) {
		if (wait_ms > 0)
			poll(NULL, 0, wait_ms);
		return;
	}
	if (poll(fds, n, wait_ms < 0 ? 0 : wait_ms) <= 0)
		return;
	for (int i = 0; i < n; i++) {
		if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		int *fd = fds[i].fd == p->out_fd ? &p->out_fd : &p->err_fd;
		struct hx_buf *b = fd == &p->out_fd ? &p->out : &p->err;
		char chunk[16384];
		ssize_t r = read(*fd, chunk, sizeof chunk);
		if (r > 0) {
			hx_buf_append(b, chunk, (size_t)r);
		} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
			close(*fd);
			*fd = -1;
		}
	}
}

static void close_pipes(struct hx_proc *p)
{
	if (p->out_fd >= 0)
		close(p->out_fd);
	if (p->err_fd >= 0)
		close(p->err_fd);
	p->out_fd = p->err_fd = -1;
}

static int try_reap(struct hx_proc *p)
{
	if (!p->pid)
		return 1;
	pid_t r = waitpid(p->pid, &p->status, WNOHANG);
	if (r == p->pid || (r < 0 && errno == ECHILD)) {
		p->pid = 0;
		return 1;
	}
	return 0;
}

static void kill_and_reap(struct hx_proc *p)
{
	if (p->pid) {
		kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
			;
		p->pid = 0;
	}
	close_pipes(p);
}

int hx_proc_first_line(struct hx_proc *p, long long deadline_ms)
{
	for (;;) {
		if (p->out.data && memchr(p->out.data, '\n', p->out.len))
			return 0;
		if (p->out_fd < 0)
			return -1;
		long long left = deadline_ms - hx_now_ms();
		if (left <= 0) {
			p->timed_out = 1;
			return -1;
		}
		pump(p, left > 50 ? 50 : (int)left);
	}
}

int hx_proc_wait(struct hx_proc *p, long long deadline_ms, struct hx_proc *also)
{
	for (;;) {
		if (also && also->pid)
			pump(also, 0);
		long long left = deadline_ms - hx_now_ms();
		if (left <= 0) {
			p->timed_out = 1;
			kill_and_reap(p);
			return -1;
		}
		pump(p, left > 20 ? 20 : (int)left);
		if (try_reap(p)) {
			/* A grandchild may still hold the pipes: take what is
			 * already there and stop. */
			for (int i = 0; i < 64 && (p->out_fd >= 0 || p->err_fd >= 0); i++) {
				size_t before = p->out.len + p->err.len;
				pump(p, 0);
				if (p->out.len + p->err.len == before)
					break;
			}
			close_pipes(p);
			return 0;
		}
	}
}

void hx_proc_stop(struct hx_proc *p, int grace_ms)
{
	if (p->pid) {
		kill(-p->pid, SIGTERM);
		long long deadline = hx_now_ms() + grace_ms;
		while (!try_reap(p) && hx_now_ms() < deadline)
			pump(p, 10);
		if (p->pid)
			p->timed_out = 1;
	}
	kill_and_reap(p);
}

void hx_proc_free(struct hx_proc *p)
{
	hx_buf_free(&p->out);
	hx_buf_free(&p->err);
}

int hx_proc_exit_code(const struct hx_proc *p)
{
	if (WIFEXITED(p->status))
		return WEXITSTATUS(p->status);
	if (WIFSIGNALED(p->status))
		return 128 + WTERMSIG(p->status);
	return -1;
}
