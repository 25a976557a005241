/* fleet_arena.c - cJSON's memory for one file's diagnosis, from an arena.
 *
 * Replaying a collected file builds and frees tens of thousands of small
 * cJSON items (the parsed file, every finding's evidence, the report
 * model): malloc and free were 40% of fleet's time. While a thread has an
 * arena begun (fl_arena_begin), cJSON's allocations on that thread are
 * carved from the arena's region (8 MB, one block, so that telling its
 * pointers from others is one comparison; only the pages used are ever
 * touched) and its frees of them do nothing; at fl_arena_end the whole
 * file's items go at once and the region serves the next file. Everything
 * else (other threads, the walk, the writers, cJSON used before or after)
 * gets malloc and free as usual.
 *
 * The contract that makes it safe: every cJSON item allocated between
 * begin and end is freed (cJSON_Delete, cJSON_free) before end, and never
 * with the C library's free. fleet_input.c begins before a JSON input is
 * parsed and ends after its fixture, findings and model are gone; what the
 * run keeps is copied out first (fl_add interns, the outbox packs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <cjson/cJSON.h>
#include "fleet.h"

#define REGION (8u << 20) /* one block, kept from file to file */
#define CHUNK (1u << 20)  /* what a file needs beyond it, in chunks */
#define BIG (CHUNK / 8)   /* larger requests go to malloc */

struct fl_arena {
	char *region; /* REGION bytes, NULL until first used */
	size_t used;  /* bytes used in the region, or in the last chunk */
	char **chunk; /* nchunk chunks of CHUNK bytes past the region,
				   freed at fl_arena_end (a huge file) */
	size_t nchunk, capchunk;
};

/* The thread's arena while one is begun, else NULL. */
static _Thread_local struct fl_arena *current;

static void *arena_malloc(size_t n)
{
	struct fl_arena *a = current;
	if (!a || n > BIG)
		return malloc(n);
	n = (n + 15) & ~(size_t)15; /* as malloc aligns */
	if (!a->region && !(a->region = malloc(REGION)))
		return NULL;
	size_t room = a->nchunk ? CHUNK : REGION;
	if (a->used + n > room) { /* full: a chunk more */
		if (a->nchunk == a->capchunk) {
			size_t cap = a->capchunk ? a->capchunk * 2 : 8;
			char **g = realloc(a->chunk, cap * sizeof *g);
			if (!g)
				return NULL;
			a->chunk = g;
			a->capchunk = cap;
		}
		if (!(a->chunk[a->nchunk] = malloc(CHUNK)))
			return NULL;
		a->nchunk++;
		a->used = 0;
	}
	char *base = a->nchunk ? a->chunk[a->nchunk - 1] : a->region;
	void *p = base + a->used;
	a->used += n;
	return p;
}

static void arena_free(void *p)
{
	struct fl_arena *a = current;
	if (a && p) {
		uintptr_t u = (uintptr_t)p;
		if (a->region && u - (uintptr_t)a->region < REGION)
			return; /* goes with the arena at fl_arena_end */
		for (size_t i = 0; i < a->nchunk; i++)
			if (u - (uintptr_t)a->chunk[i] < CHUNK)
				return;
	}
	free(p);
}

void fl_arena_install(void)
{
	cJSON_Hooks h = {arena_malloc, arena_free};
	cJSON_InitHooks(&h);
}

struct fl_arena *fl_arena_new(void)
{
	return calloc(1, sizeof(struct fl_arena));
}

void fl_arena_begin(struct fl_arena *a)
{
	current = a;
}

void fl_arena_end(struct fl_arena *a)
{
	current = NULL;
	if (!a)
		return;
	while (a->nchunk) /* a huge file's chunks are not kept */
		free(a->chunk[--a->nchunk]);
	a->used = 0;
}

void fl_arena_free(struct fl_arena *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nchunk; i++)
		free(a->chunk[i]);
	free(a->chunk);
	free(a->region);
	free(a);
}
