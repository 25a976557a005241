/* fuzz.h - shared by the libFuzzer targets (tests/fuzz/, docs/fuzzing.md).
 *
 * Each target defines LLVMFuzzerTestOneInput over one parser and asserts
 * that parser's output contract with FUZZ_ASSERT: a broken contract aborts
 * like a crash, so libFuzzer saves the input. */
#ifndef DX_FUZZ_H
#define DX_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond, ...)                                                                     \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz invariant failed (%s:%d): %s: ", __FILE__, __LINE__, \
				#cond);                                                            \
			fprintf(stderr, __VA_ARGS__);                                              \
			fputc('\n', stderr);                                                       \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

/* A NUL-terminated copy of the input (cut at its first NUL, as a C string
 * reader would see it); the caller frees. */
static inline char *fuzz_cstr(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, d, n);
	s[n] = 0;
	return s;
}

/* 1 when s (within sz bytes) is a NUL-terminated string. */
static inline int fuzz_terminated(const char *s, size_t sz)
{
	return memchr(s, 0, sz) != NULL;
}

/* 1 when s is one line: no line feed, no carriage return. */
static inline int fuzz_one_line(const char *s)
{
	return strpbrk(s, "\r\n") == NULL;
}

/* A loader's rejection: one line that starts with `prefix` (the file and
 * the JSON path of the member at fault). */
#define FUZZ_REJECTED(err, prefix)                                                                 \
	FUZZ_ASSERT(strncmp((err), (prefix), strlen(prefix)) == 0 && fuzz_one_line(err),           \
		    "rejection not one line starting %s: %s", (prefix), (err))

/* 1 when every byte of s is printable ASCII. */
static inline int fuzz_printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

#endif
