/* replay_main.c - a fuzz target without libFuzzer: runs its
 * LLVMFuzzerTestOneInput once on each input given, so the sanitizer tree
 * (gcc, ASan + UBSan) replays the kept findings and the seed corpus on
 * every CI run, while fuzzing itself stays in scripts/fuzz.sh
 * (docs/fuzzing.md).
 *
 * Usage: fuzz_NAME [-flag...] PATH...
 * A PATH that is a directory stands for every regular file in it, in name
 * order. Arguments starting with '-' are libFuzzer flags (a target's
 * LLVMFuzzerInitialize may add some) and are ignored. Each input is read
 * whole, up to MAX_INPUT bytes; a larger one is an error, not a cut.
 * Exit: 0 when every input ran and there was at least one; 1 when a path
 * cannot be read or none was given. A broken invariant, a crash or a
 * sanitizer report aborts, as it would under libFuzzer. */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_INPUT (16u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Runs one file. 0, or -1 after saying why. */
static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0;
	int rc = -1;
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_INPUT + 1);
	if (!buf) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	n = fread(buf, 1, MAX_INPUT + 1, f);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		goto out;
	}
	if (n > MAX_INPUT) {
		fprintf(stderr, "replay: %s: larger than %u bytes\n", path, MAX_INPUT);
		goto out;
	}
	/* an exact-size copy, so reading past the input is caught by ASan */
	uint8_t *in = malloc(n ? n : 1);
	if (!in) {
		fprintf(stderr, "replay: %s: out of memory\n", path);
		goto out;
	}
	memcpy(in, buf, n);
	LLVMFuzzerTestOneInput(in, n);
	free(in);
	rc = 0;
out:
	free(buf);
	fclose(f);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs every regular file of a directory, in name order; *count grows by
 * the inputs run. 0, or -1 after saying why. */
static int run_dir(const char *dir, long *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	if (!d) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			char **more = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
			if (!more) {
				rc = -1;
				break;
			}
			names = more;
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		if (!(names[n] = malloc(len))) {
			rc = -1;
			break;
		}
		snprintf(names[n++], len, "%s/%s", dir, e->d_name);
	}
	closedir(d);
	if (rc)
		fprintf(stderr, "replay: %s: out of memory\n", dir);
	if (n)
		qsort(names, n, sizeof *names, by_name);
	for (size_t i = 0; i < n && !rc; i++) {
		struct stat st;
		if (stat(names[i], &st) == 0 && !S_ISREG(st.st_mode))
			continue;
		rc = run_file(names[i]);
		*count += rc == 0;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int main(int argc, char **argv)
{
	long count = 0;
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		struct stat st;
		if (argv[i][0] == '-')
			continue;
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (S_ISDIR(st.st_mode) ? run_dir(argv[i], &count) : run_file(argv[i]))
			return 1;
		count += !S_ISDIR(st.st_mode);
	}
	if (!count) {
		fprintf(stderr, "replay: no input given\n");
		return 1;
	}
	printf("replay: %ld inputs ran\n", count);
	return 0;
}
