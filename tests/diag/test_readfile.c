/* test_readfile.c - the one bounded file reader (diag/readfile.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "readfile.h"

/* Writes n bytes of `fill` (a NUL in the middle) to a new temporary file. */
static void make(char *path, size_t n)
{
	strcpy(path, "/tmp/mdediag-readfile-XXXXXX");
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	FILE *f = fdopen(fd, "wb");
	for (size_t i = 0; i < n; i++)
		fputc(i == n / 2 ? '\0' : 'a' + (int)(i % 26), f);
	fclose(f);
}

Test(readfile, exactly_max_bytes_is_read_whole_and_terminated)
{
	char path[64], err[256] = "";
	size_t len = 0;
	make(path, 1000);
	char *buf = dx_read_file(path, 1000, &len, err, sizeof err);
	cr_assert_not_null(buf, "%s", err);
	cr_expect_eq(len, 1000);
	cr_expect_eq(buf[0], 'a');
	cr_expect_eq(buf[500], '\0'); /* embedded NULs are kept */
	cr_expect_eq(buf[999], 'a' + 999 % 26);
	cr_expect_eq(buf[1000], '\0');
	free(buf);
	unlink(path);
}

Test(readfile, one_byte_over_max_is_refused_with_the_limit)
{
	char path[64], err[256] = "";
	size_t len = 7;
	make(path, 1001);
	cr_expect_null(dx_read_file(path, 1000, &len, err, sizeof err));
	cr_expect(strstr(err, path) && strstr(err, "larger than 1000 bytes"), "%s", err);
	cr_expect_eq(len, 7, "len untouched on failure");
	unlink(path);
}

Test(readfile, empty_file_is_an_empty_string)
{
	char path[64], err[256] = "";
	size_t len = 7;
	make(path, 0);
	char *buf = dx_read_file(path, 10, &len, err, sizeof err);
	cr_assert_not_null(buf, "%s", err);
	cr_expect_eq(len, 0);
	cr_expect_str_eq(buf, "");
	free(buf);
	unlink(path);
}

Test(readfile, missing_file_and_directory_say_why)
{
	char err[256] = "";
	cr_expect_null(dx_read_file("/nonexistent/x.json", 10, NULL, err, sizeof err));
	cr_expect_str_eq(err, "/nonexistent/x.json: cannot open: No such file or directory");
	cr_expect_null(dx_read_file("/tmp", 10, NULL, err, sizeof err));
	cr_expect(strstr(err, "/tmp: ") &&
			  (strstr(err, "read error") || strstr(err, "cannot open")),
		  "%s", err);
}

Test(readfile, a_huge_limit_does_not_overflow)
{
	char path[64], err[256] = "";
	make(path, 3);
	/* max + 2 would wrap: refused as out of memory, never a tiny buffer */
	cr_expect_null(dx_read_file(path, (size_t)-1, NULL, err, sizeof err));
	cr_expect(strstr(err, "out of memory"), "%s", err);
	unlink(path);
}

Test(readfile, a_pipe_is_read_as_far_as_the_limit)
{
	char err[256] = "";
	int fd[2];
	cr_assert_eq(pipe(fd), 0);
	cr_assert_eq(write(fd[1], "0123456789", 10), 10);
	close(fd[1]);
	char path[64];
	snprintf(path, sizeof path, "/dev/fd/%d", fd[0]);
	cr_expect_null(dx_read_file(path, 5, NULL, err, sizeof err));
	cr_expect(strstr(err, "larger than 5 bytes"), "%s", err);
	close(fd[0]);
}
