/* fleet_work.c - files diagnosed on worker threads, their results counted
 * in the walk's order (docs/fleet.md, "--jobs").
 *
 * The walk (fleet_input.c) stays on the main thread and hands each file to
 * fl_submit. With --jobs 1 the file is read and diagnosed there and then.
 * With more, it joins a small ring of jobs; a worker takes the oldest job
 * not yet taken and reads and diagnoses the file exactly as --jobs 1 does,
 * but on a copy of the run whose `outbox` is set: what fl_add and fl_bad
 * would do to the run is recorded in the job instead. The main thread then
 * commits the jobs strictly in the order they were submitted (waiting for
 * the oldest when the ring is full), replaying each outbox through fl_add
 * and fl_bad, so the device table, the duplicates and the unreadable
 * inputs come out as with one thread, byte for byte. Only the jobs in the
 * ring (at most FL_RING) are in memory besides the device summaries.
 *
 * What a worker shares with the others is read-only for the whole run:
 * the data and the catalog (loaded once, before the workers start) and the
 * options. An Intune export is not read by a worker: its job says "CSV"
 * and the main thread reads it, row by row, when the job is committed.
 */
#include <stdlib.h>
#include <string.h>
#ifdef _WIN32
#include <windows.h>
#else
#include <pthread.h>
#include <unistd.h>
#endif
#include "fleet.h"

/* ---- the little of threads needed: one lock, two conditions ---------------- */

#ifdef _WIN32
typedef CRITICAL_SECTION fl_lock;
typedef CONDITION_VARIABLE fl_cond;
typedef HANDLE fl_thread;
static void lock_init(fl_lock *l)
{
	InitializeCriticalSection(l);
}
static void lock_free(fl_lock *l)
{
	DeleteCriticalSection(l);
}
static void lock(fl_lock *l)
{
	EnterCriticalSection(l);
}
static void unlock(fl_lock *l)
{
	LeaveCriticalSection(l);
}
static void cond_init(fl_cond *c)
{
	InitializeConditionVariable(c);
}
static void cond_free(fl_cond *c)
{
	(void)c;
}
static void cond_wait(fl_cond *c, fl_lock *l)
{
	SleepConditionVariableCS(c, l, INFINITE);
}
static void cond_signal(fl_cond *c)
{
	WakeConditionVariable(c);
}
static void cond_broadcast(fl_cond *c)
{
	WakeAllConditionVariable(c);
}
static DWORD WINAPI worker_main(LPVOID arg);
static int thread_start(fl_thread *t, void *arg)
{
	/* 1 MB of stack: the diagnosis keeps kilobytes of buffers on it */
	*t = CreateThread(NULL, 1u << 20, worker_main, arg, 0, NULL);
	return *t ? 0 : -1;
}
static void thread_join(fl_thread t)
{
	WaitForSingleObject(t, INFINITE);
	CloseHandle(t);
}
#else
typedef pthread_mutex_t fl_lock;
typedef pthread_cond_t fl_cond;
typedef pthread_t fl_thread;
static void lock_init(fl_lock *l)
{
	pthread_mutex_init(l, NULL);
}
static void lock_free(fl_lock *l)
{
	pthread_mutex_destroy(l);
}
static void lock(fl_lock *l)
{
	pthread_mutex_lock(l);
}
static void unlock(fl_lock *l)
{
	pthread_mutex_unlock(l);
}
static void cond_init(fl_cond *c)
{
	pthread_cond_init(c, NULL);
}
static void cond_free(fl_cond *c)
{
	pthread_cond_destroy(c);
}
static void cond_wait(fl_cond *c, fl_lock *l)
{
	pthread_cond_wait(c, l);
}
static void cond_signal(fl_cond *c)
{
	pthread_cond_signal(c);
}
static void cond_broadcast(fl_cond *c)
{
	pthread_cond_broadcast(c);
}
static void *worker_main(void *arg);
static int thread_start(fl_thread *t, void *arg)
{
	pthread_attr_t a;
	int rc;
	if (pthread_attr_init(&a))
		return -1;
	pthread_attr_setstacksize(&a, 8u << 20); /* as the main thread's */
	rc = pthread_create(t, &a, worker_main, arg);
	pthread_attr_destroy(&a);
	return rc ? -1 : 0;
}
static void thread_join(fl_thread t)
{
	pthread_join(t, NULL);
}
#endif

unsigned fl_cpu_count(void)
{
#ifdef _WIN32
	SYSTEM_INFO si;
	GetSystemInfo(&si);
	return si.dwNumberOfProcessors ? (unsigned)si.dwNumberOfProcessors : 1;
#else
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (unsigned)n : 1;
#endif
}

/* ---- the outbox: what one file gave, until it is committed ----------------- */

enum rec_kind { REC_ADD, REC_BAD, REC_CSV };
struct rec {
	enum rec_kind kind;
	struct fl_summary s; /* REC_ADD; its strings live in `block` */
	const char *a, *b;   /* REC_BAD: source, reason; REC_CSV: file, site */
	char *block;
};
struct fl_outbox {
	struct rec *rec;
	size_t n, cap;
};

/* Copies the n strings *p[i] into one block and points them at it. */
static char *pack(const char **p[], size_t n)
{
	size_t len = 0, o = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(*p[i] ? *p[i] : "") + 1;
	char *block = malloc(len);
	if (!block)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		const char *s = *p[i] ? *p[i] : "";
		size_t l = strlen(s) + 1;
		memcpy(block + o, s, l);
		*p[i] = block + o;
		o += l;
	}
	return block;
}

static struct rec *new_rec(struct fl_run *r, enum rec_kind kind)
{
	struct fl_outbox *ob = r->outbox;
	if (ob->n == ob->cap) {
		size_t cap = ob->cap ? ob->cap * 2 : 4;
		struct rec *g = realloc(ob->rec, cap * sizeof *g);
		if (!g) {
			r->fail_nomem++;
			return NULL;
		}
		ob->rec = g;
		ob->cap = cap;
	}
	struct rec *x = &ob->rec[ob->n];
	memset(x, 0, sizeof *x);
	x->kind = kind;
	return x;
}

int fl_outbox_add(struct fl_run *r, const struct fl_summary *s)
{
	struct rec *x = new_rec(r, REC_ADD);
	if (!x)
		return -1;
	x->s = *s;
	struct fl_summary *c = &x->s;
	const char **p[] = {
		&c->host,     &c->device_id, &c->source,   &c->kind,       &c->cause,
		&c->variant,  &c->severity,  &c->rule,     &c->incomplete, &c->title,
		&c->next,     &c->command,   &c->findings, &c->facts[0],   &c->facts[1],
		&c->facts[2], &c->facts[3],  &c->facts[4], &c->facts[5],   &c->facts[6],
		&c->facts[7],
	};
	_Static_assert(FL_NFACTS == 8, "every fact is packed");
	if (!(x->block = pack(p, sizeof p / sizeof p[0]))) {
		r->fail_nomem++;
		return -1;
	}
	r->outbox->n++;
	return 0;
}

static void outbox_two(struct fl_run *r, enum rec_kind kind, const char *a, const char *b)
{
	struct rec *x = new_rec(r, kind);
	if (!x)
		return;
	x->a = a;
	x->b = b;
	const char **p[] = {&x->a, &x->b};
	if (!(x->block = pack(p, 2))) {
		r->fail_nomem++;
		return;
	}
	r->outbox->n++;
}

void fl_outbox_bad(struct fl_run *r, const char *source, const char *reason)
{
	outbox_two(r, REC_BAD, source, reason);
}

void fl_outbox_csv(struct fl_run *r, const char *path, const char *site)
{
	outbox_two(r, REC_CSV, path, site);
}

static void outbox_clear(struct fl_outbox *ob)
{
	for (size_t i = 0; i < ob->n; i++)
		free(ob->rec[i].block);
	free(ob->rec);
	memset(ob, 0, sizeof *ob);
}

/* ---- the ring of jobs and the workers ---------------------------------------- */

#define FL_RING 64 /* jobs submitted and not yet committed, at most */

struct job {
	char *path, *site;
	int done; /* set by the worker, under the lock */
	struct fl_outbox out;
	size_t files, nomem; /* the worker's counts for this file */
};

struct fl_workers {
	fl_lock mu;
	fl_cond work; /* a job was submitted, or quit */
	fl_cond done; /* the oldest job is done */
	struct job ring[FL_RING];
	size_t head, next, tail; /* committed < head <= taken < next <= tail */
	int quit;
	unsigned n;
	fl_thread *th;
	struct worker *w;
};

/* One worker: its copy of the run's options, its own read buffer. */
struct worker {
	struct fl_workers *ws;
	struct fl_run run;
};

#ifdef _WIN32
static DWORD WINAPI worker_main(LPVOID arg)
#else
static void *worker_main(void *arg)
#endif
{
	struct worker *w = arg;
	struct fl_workers *ws = w->ws;
	lock(&ws->mu);
	for (;;) {
		while (!ws->quit && ws->next == ws->tail)
			cond_wait(&ws->work, &ws->mu);
		if (ws->next == ws->tail) /* quit, and nothing left */
			break;
		struct job *j = &ws->ring[ws->next++ % FL_RING];
		unlock(&ws->mu);
		w->run.outbox = &j->out;
		w->run.files = 0;
		w->run.fail_nomem = 0;
		fl_read_file(&w->run, j->path, j->site);
		j->files = w->run.files;
		j->nomem = w->run.fail_nomem;
		w->run.outbox = NULL;
		lock(&ws->mu);
		j->done = 1;
		if (j == &ws->ring[ws->head % FL_RING]) /* the only job waited for */
			cond_signal(&ws->done);
	}
	unlock(&ws->mu);
	return 0;
}

int fl_workers_start(struct fl_run *r, unsigned n)
{
	struct fl_workers *ws = calloc(1, sizeof *ws);
	if (!ws)
		return -1;
	ws->th = calloc(n, sizeof *ws->th);
	ws->w = calloc(n, sizeof *ws->w);
	if (!ws->th || !ws->w) {
		free(ws->th);
		free(ws->w);
		free(ws);
		return -1;
	}
	lock_init(&ws->mu);
	cond_init(&ws->work);
	cond_init(&ws->done);
	for (unsigned i = 0; i < n; i++) {
		struct worker *w = &ws->w[i];
		w->ws = ws;
		/* the options only: a worker never touches the run's state */
		w->run.data = r->data;
		w->run.cat = r->cat;
		w->run.redact = r->redact;
		memcpy(w->run.group_by, r->group_by, sizeof w->run.group_by);
		w->run.n_group_by = r->n_group_by;
		w->run.arena = fl_arena_new(); /* or none: malloc */
		if (thread_start(&ws->th[ws->n], w)) {
			fl_arena_free(w->run.arena);
			break;
		}
		ws->n++;
	}
	if (ws->n == 0) { /* no thread at all: read on the main thread */
		cond_free(&ws->done);
		cond_free(&ws->work);
		lock_free(&ws->mu);
		free(ws->th);
		free(ws->w);
		free(ws);
		return -1;
	}
	r->workers = ws;
	return 0;
}

/* Commits the oldest job (waiting for it): its effects on the run, in the
 * order the file gave them. */
static void commit_one(struct fl_run *r)
{
	struct fl_workers *ws = r->workers;
	struct job *j = &ws->ring[ws->head % FL_RING];
	lock(&ws->mu);
	while (!j->done)
		cond_wait(&ws->done, &ws->mu);
	unlock(&ws->mu);
	r->files += j->files;
	r->fail_nomem += j->nomem;
	for (size_t i = 0; i < j->out.n; i++) {
		struct rec *x = &j->out.rec[i];
		if (x->kind == REC_ADD)
			fl_add(r, &x->s);
		else if (x->kind == REC_BAD)
			fl_bad(r, x->a, "%s", x->b);
		else
			fl_read_csv_file(r, x->a, x->b);
	}
	outbox_clear(&j->out);
	free(j->path);
	free(j->site);
	lock(&ws->mu);
	memset(j, 0, sizeof *j);
	ws->head++;
	unlock(&ws->mu);
}

void fl_submit(struct fl_run *r, const char *path, const char *site)
{
	struct fl_workers *ws = r->workers;
	if (!ws) {
		fl_read_file(r, path, site);
		return;
	}
	if (ws->tail - ws->head == FL_RING)
		commit_one(r);
	struct job *j = &ws->ring[ws->tail % FL_RING];
	j->path = strdup(path);
	j->site = strdup(site);
	if (!j->path || !j->site) {
		free(j->path);
		free(j->site);
		j->path = j->site = NULL;
		fl_settle(r);
		r->fail_nomem++;
		return;
	}
	lock(&ws->mu);
	ws->tail++;
	cond_signal(&ws->work);
	unlock(&ws->mu);
}

void fl_settle(struct fl_run *r)
{
	struct fl_workers *ws = r->workers;
	while (ws && ws->head != ws->tail)
		commit_one(r);
}

void fl_workers_stop(struct fl_run *r)
{
	struct fl_workers *ws = r->workers;
	if (!ws)
		return;
	fl_settle(r);
	lock(&ws->mu);
	ws->quit = 1;
	cond_broadcast(&ws->work);
	unlock(&ws->mu);
	for (unsigned i = 0; i < ws->n; i++)
		thread_join(ws->th[i]);
	for (unsigned i = 0; i < ws->n; i++) {
		fl_readbuf_free(&ws->w[i].run);
		fl_arena_free(ws->w[i].run.arena);
	}
	cond_free(&ws->done);
	cond_free(&ws->work);
	lock_free(&ws->mu);
	free(ws->th);
	free(ws->w);
	free(ws);
	r->workers = NULL;
}
