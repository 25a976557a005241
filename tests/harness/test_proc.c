/* test_proc.c - child processes: output bounded, deadlines kill the whole
 * process group, exit codes reported. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include "hx_proc.h"

static int start(struct hx_proc *p, const char *script, size_t out_max)
{
	char err[256];
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	int rc = hx_proc_start(p, argv, out_max, 1024, err, sizeof err);
	cr_assert_eq(rc, 0, "%s", err);
	return rc;
}

Test(proc, output_and_exit_code_are_captured)
{
	struct hx_proc p;
	start(&p, "echo out; echo err >&2; exit 3", 1024);
	cr_assert_eq(hx_proc_wait(&p, hx_now_ms() + 5000, NULL), 0);
	cr_assert_str_eq(p.out.data, "out\n");
	cr_assert_str_eq(p.err.data, "err\n");
	cr_assert_eq(hx_proc_exit_code(&p), 3);
	hx_proc_free(&p);
}

Test(proc, output_beyond_the_bound_is_dropped_not_buffered)
{
	struct hx_proc p;
	start(&p, "head -c 100000 /dev/zero | tr '\\0' x", 1000);
	cr_assert_eq(hx_proc_wait(&p, hx_now_ms() + 5000, NULL), 0);
	cr_assert_eq(p.out.len, 1000);
	cr_assert(p.out.truncated);
	hx_proc_free(&p);
}

/* Gone, or a zombie nobody has reaped yet: either way not running. */
static int not_running(long pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return 1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	const char *close = strrchr(buf, ')');
	return close && (close[2] == 'Z' || close[2] == 'X');
}

Test(proc, deadline_kills_the_process_group_promptly)
{
	struct hx_proc p;
	start(&p, "sleep 30 & echo $!; sleep 30", 1024);
	cr_assert_eq(hx_proc_first_line(&p, hx_now_ms() + 5000), 0);
	long background = atol(p.out.data);
	cr_assert_gt(background, 0);
	long long t0 = hx_now_ms();
	cr_assert_eq(hx_proc_wait(&p, t0 + 300, NULL), -1);
	cr_assert(p.timed_out);
	cr_assert_lt(hx_now_ms() - t0, 2000);
	cr_assert_eq(hx_proc_exit_code(&p), 128 + SIGKILL);
	/* The background sleep was in the group: it was killed too. */
	int gone = 0;
	for (int i = 0; i < 100 && !gone; i++) {
		gone = not_running(background);
		if (!gone)
			usleep(10000);
	}
	cr_assert(gone, "background process %ld survived", background);
	hx_proc_free(&p);
}

Test(proc, first_line_waits_for_a_complete_line)
{
	struct hx_proc p;
	start(&p, "printf '{\"https\":'; sleep 0.2; echo ' 1}'; sleep 30", 1024);
	cr_assert_eq(hx_proc_first_line(&p, hx_now_ms() + 5000), 0);
	cr_assert_str_eq(p.out.data, "{\"https\": 1}\n");
	hx_proc_stop(&p, 1000);
	cr_assert_eq(hx_proc_exit_code(&p), 128 + SIGTERM);
	hx_proc_free(&p);
}

Test(proc, a_missing_program_is_an_error_with_the_reason)
{
	struct hx_proc p;
	char err[256];
	char *argv[] = {"/nonexistent/mdediag", NULL};
	cr_assert_eq(hx_proc_start(&p, argv, 10, 10, err, sizeof err), -1);
	cr_assert(strstr(err, "cannot run /nonexistent/mdediag: No such file or directory"), "%s",
		  err);
	hx_proc_free(&p);
}
