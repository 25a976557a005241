/* pac.c - PAC evaluation in Duktape, bounded; see pac.h. */
#include <ctype.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data.h"
#include "duktape.h"
#include "pac.h"
#include "sock.h"
#include "utf8.h"

/* Evidence strings are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

struct blk;

struct dx_pac {
	duk_context *ctx;
	struct dx_pac_env env;
	struct dx_pac_limits lim;
	size_t heap_used, heap_peak;
	double deadline;     /* dx_clock_ms() value */
	int timed_out;       /* sticky */
	enum dx_pac_rc stop; /* the limit hit first: TIMEOUT or MEMORY */
	int has_ex;          /* FindProxyForURLEx is defined */
	const char *entry;
	char alerts[512];
	struct blk *blocks; /* every live block, for an abandoned heap */
	jmp_buf *escape;    /* set while a guarded call runs (guarded) */
	int abandoned;      /* the heap was left mid-way: blocks freed by us */
	char fatal[160];    /* Duktape's fatal message, if that was why */
	int latin1;         /* the script was not UTF-8: read as Latin-1 */
	char *my_ips;       /* env.my_ips points here: our own copy */
};

const char *dx_pac_rc_name(enum dx_pac_rc rc)
{
	switch (rc) {
	case DX_PAC_OK: return "ok";
	case DX_PAC_TOO_LARGE: return "too-large";
	case DX_PAC_SYNTAX: return "syntax";
	case DX_PAC_NO_FUNCTION: return "no-function";
	case DX_PAC_RUNTIME: return "runtime";
	case DX_PAC_TIMEOUT: return "timeout";
	case DX_PAC_MEMORY: return "memory";
	case DX_PAC_BAD_RESULT: return "bad-result";
	}
	return "unknown";
}

/* ---- Duktape hooks: allocator with a cap, execution timeout ------------- */

/* Every block carries a header: its size, so the cap counts live bytes,
 * and links to the heap's other blocks, so a heap abandoned mid-way (see
 * escape below) is freed block by block without Duktape. */
struct blk {
	struct blk *prev, *next;
	size_t size;
};
#define HDR ((sizeof(struct blk) + 15) & ~(size_t)15)

/* Allocation also stops once the time budget is spent: Duktape's built-ins
 * (Array.prototype.join, String concatenation, the regexp engine) can run
 * for a long time without returning to the executor, where the timeout is
 * checked, but they allocate as they go. Frees always work. */
static int out_of_time(struct dx_pac *p)
{
	if (!p->timed_out && p->deadline > 0 && dx_clock_ms() > p->deadline) {
		p->timed_out = 1;
		if (!p->stop)
			p->stop = DX_PAC_TIMEOUT;
	}
	return p->timed_out;
}

/* Whether a request to grow the heap by `grow` bytes is refused. The first
 * request past a limit (time or heap) is refused, which makes the script
 * throw, and the script is stopped (dx_pac_timeout_check). After that
 * Duktape must still allocate while it unwinds: closing a function's scope
 * copies its variables into an object, and an allocation refused there
 * escapes every catch point (Duktape issue 476), so the process would
 * abort. So a stopped heap may grow DX_PAC_UNWIND_SLACK past its cap; a
 * request beyond even that, or made past twice the time budget, abandons
 * the heap (escape), never aborts. */
static int refused(struct dx_pac *p, size_t grow)
{
	if (!p->stop) {
		if (out_of_time(p))
			return 1;
		if (grow > p->lim.max_heap || p->heap_used + grow > p->lim.max_heap) {
			p->stop = DX_PAC_MEMORY;
			return 1;
		}
		return 0;
	}
	/* Stopped: Duktape unwinds, or a built-in that allocates runs on;
	 * the latter is also abandoned at twice the time budget. */
	if (grow > DX_PAC_UNWIND_SLACK ||
	    p->heap_used + grow > p->lim.max_heap + DX_PAC_UNWIND_SLACK ||
	    dx_clock_ms() > p->deadline + p->lim.budget_ms) {
		if (p->escape)
			longjmp(*p->escape, 1);
		return 1;
	}
	return 0;
}

static void link_blk(struct dx_pac *p, struct blk *b, size_t size)
{
	b->size = size;
	b->prev = NULL;
	b->next = p->blocks;
	if (p->blocks)
		p->blocks->prev = b;
	p->blocks = b;
	p->heap_used += size;
	if (p->heap_used > p->heap_peak)
		p->heap_peak = p->heap_used;
}

static void unlink_blk(struct dx_pac *p, struct blk *b)
{
	if (b->prev)
		b->prev->next = b->next;
	else
		p->blocks = b->next;
	if (b->next)
		b->next->prev = b->prev;
	p->heap_used -= b->size;
}

static void *pac_alloc(void *ud, duk_size_t size)
{
	struct dx_pac *p = ud;
	struct blk *b;
	if (refused(p, size) || !(b = malloc(HDR + size)))
		return NULL;
	link_blk(p, b, size);
	return (unsigned char *)b + HDR;
}

static struct blk *blk_of(void *ptr)
{
	return (struct blk *)(void *)((unsigned char *)ptr - HDR);
}

static void pac_free_fn(void *ud, void *ptr)
{
	struct blk *b;
	if (!ptr)
		return;
	b = blk_of(ptr);
	unlink_blk(ud, b);
	free(b);
}

static void *pac_realloc(void *ud, void *ptr, duk_size_t size)
{
	struct dx_pac *p = ud;
	struct blk *b, *nb;
	size_t old;
	if (!ptr)
		return pac_alloc(ud, size);
	if (size == 0) {
		pac_free_fn(ud, ptr);
		return NULL;
	}
	b = blk_of(ptr);
	old = b->size;
	if (size > old && refused(p, size - old))
		return NULL;
	unlink_blk(p, b);
	if (!(nb = realloc(b, HDR + size))) {
		link_blk(p, b, old);
		return NULL;
	}
	link_blk(p, nb, size);
	return (unsigned char *)nb + HDR;
}

/* Called by Duktape's executor every few thousand instructions
 * (DUK_USE_EXEC_TIMEOUT_CHECK, see tools/duk_config.py). */
int dx_pac_timeout_check(void *udata)
{
	struct dx_pac *p = udata;
	/* Past the heap cap, stop too: the script would only thrash the
	 * collector until the time budget ran out. */
	return p && (out_of_time(p) || p->stop == DX_PAC_MEMORY);
}

/* An error outside any protected call. Every API call of this file that
 * can allocate runs inside duk_safe_call (load_steps, find_step), so this
 * is reached only when Duktape could not unwind; Duktape requires the
 * handler not to return: the heap is abandoned (escape), as for a request
 * past the unwind slack. Without an escape point (never, by the above),
 * aborting is all that is left. */
static void pac_fatal(void *udata, const char *msg)
{
	struct dx_pac *p = udata;
	if (p && p->escape) {
		snprintf(p->fatal, sizeof p->fatal, "%s", msg ? msg : "?");
		longjmp(*p->escape, 1);
	}
	fprintf(stderr, "mdediag: PAC engine fatal error: %s\n", msg ? msg : "?");
	abort();
}

/* ---- natives -------------------------------------------------------------- */

static struct dx_pac *self(duk_context *ctx)
{
	duk_memory_functions mf;
	duk_get_memory_functions(ctx, &mf);
	return mf.udata;
}

static int is_v4(const char *s)
{
	unsigned char b[16];
	int bits;
	return dx_addr_bytes(s, b, &bits) == 0 && bits == 32;
}

static void resolve_list(struct dx_pac *p, const char *host, struct dx_strlist *out)
{
	if (dx_addr_is_numeric(host)) {
		dx_strlist_push(out, host);
		return;
	}
	if (!p->env.resolve || p->env.resolve(p->env.ud, host, out) != DX_OK)
		dx_strlist_free(out);
}

static duk_ret_t n_resolve(duk_context *ctx)
{
	struct dx_pac *p = self(ctx);
	struct dx_strlist l = {0};
	const char *host = duk_safe_to_string(ctx, 0);
	resolve_list(p, host, &l);
	duk_push_null(ctx);
	for (size_t i = 0; i < l.count; i++) {
		if (is_v4(l.items[i])) {
			duk_pop(ctx);
			duk_push_string(ctx, l.items[i]);
			break;
		}
	}
	dx_strlist_free(&l);
	return 1;
}

static duk_ret_t n_resolve_all(duk_context *ctx)
{
	struct dx_pac *p = self(ctx);
	struct dx_strlist l = {0};
	const char *host = duk_safe_to_string(ctx, 0);
	char buf[1024] = "";
	size_t o = 0;
	resolve_list(p, host, &l);
	for (size_t i = 0; i < l.count && o < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s%s", i ? ";" : "", l.items[i]);
	dx_strlist_free(&l);
	duk_push_string(ctx, buf);
	return 1;
}

static duk_ret_t n_my_ips(duk_context *ctx)
{
	struct dx_pac *p = self(ctx);
	duk_push_string(ctx, p->env.my_ips && *p->env.my_ips ? p->env.my_ips : "127.0.0.1");
	return 1;
}

static duk_ret_t n_now(duk_context *ctx)
{
	duk_push_number(ctx, (double)self(ctx)->env.now);
	return 1;
}

static duk_ret_t n_utc_offset(duk_context *ctx)
{
	duk_push_number(ctx, (double)self(ctx)->env.utc_offset);
	return 1;
}

static duk_ret_t n_alert(duk_context *ctx)
{
	struct dx_pac *p = self(ctx);
	size_t o = strlen(p->alerts);
	const char *msg = duk_safe_to_string(ctx, 0);
	if (o + 4 < sizeof p->alerts) {
		snprintf(p->alerts + o, sizeof p->alerts - o, "%s%.200s", o ? "; " : "", msg);
		dx_one_line(p->alerts + o, ' '); /* the script's text: one line */
	}
	return 0;
}

/* ---- load / find -------------------------------------------------------- */

static void defaults(struct dx_pac_limits *l, const struct dx_pac_limits *in)
{
	if (in)
		*l = *in;
	if (!l->max_script)
		l->max_script = 4u << 20;
	if (!l->max_heap)
		l->max_heap = 64u << 20;
	if (!(l->budget_ms > 0))
		l->budget_ms = 3000;
	if (!l->max_result)
		l->max_result = 4096;
}

/* The reason for a stop: `rc` is the limit (TIMEOUT, MEMORY) or 0 for
 * Duktape's fatal handler; `detail` (may be NULL) is what was thrown. */
static enum dx_pac_rc stop_reason(const struct dx_pac *p, enum dx_pac_rc rc, const char *detail,
				  char *err, size_t errsz)
{
	if (rc == DX_PAC_TIMEOUT)
		snprintf(err, errsz, "ran longer than %.0f ms (stopped)", p->lim.budget_ms);
	else if (rc == DX_PAC_MEMORY)
		snprintf(err, errsz, "needed more than %zu MiB of memory (stopped)%s%.120s",
			 p->lim.max_heap >> 20, detail ? ": " : "", detail ? detail : "");
	else
		snprintf(err, errsz, "the script engine failed: %s", p->fatal);
	dx_one_line(err, ' ');
	return rc ? rc : DX_PAC_RUNTIME;
}

/* Classifies the error on the value stack top after a failed call. The
 * script chose what it threw: controls become spaces, so the reason stays
 * one line (pac.h), here and wherever a reason quotes the script. */
static enum dx_pac_rc classify(struct dx_pac *p, enum dx_pac_rc dflt, char *err, size_t errsz)
{
	const char *msg = duk_safe_to_string(p->ctx, -1);
	if (p->stop)
		return stop_reason(p, p->stop, p->stop == DX_PAC_MEMORY ? msg : NULL, err, errsz);
	snprintf(err, errsz, "%.200s", msg);
	dx_one_line(err, ' ');
	return dflt;
}

static int has_function(duk_context *ctx, const char *name)
{
	int r;
	duk_get_global_string(ctx, name);
	r = duk_is_function(ctx, -1);
	duk_pop(ctx);
	return r;
}

/* What dx_pac_load does once the heap exists, as one protected call: a
 * refused allocation anywhere in it is an error caught by duk_safe_call.
 * failed_as says how an error is classified: a syntax error while the
 * script is compiled, a runtime error otherwise (our helpers included). */
struct load_args {
	const struct dx_embedded *helpers;
	const char *script;
	size_t len;
	enum dx_pac_rc failed_as;
	int has_ex, has_plain;
};

static duk_ret_t load_steps(duk_context *ctx, void *udata)
{
	static const duk_function_list_entry natives[] = {
		{"__dx_resolve", n_resolve, 1},
		{"__dx_resolve_all", n_resolve_all, 1},
		{"__dx_my_ips", n_my_ips, 0},
		{"__dx_now", n_now, 0},
		{"__dx_alert", n_alert, 1},
		{"__dx_utc_offset", n_utc_offset, 0},
		{NULL, NULL, 0},
	};
	struct load_args *a = udata;

	duk_push_global_object(ctx);
	duk_put_function_list(ctx, -1, natives);
	/* No Duktape object: Duktape.fin() would let a script leave code that
	 * runs when the heap is destroyed, outside any call we make. */
	duk_del_prop_string(ctx, -1, "Duktape");
	duk_pop(ctx);

	/* Our helpers first: they are trusted, but run under the same limits. */
	a->failed_as = DX_PAC_RUNTIME;
	duk_push_lstring(ctx, a->helpers->data, a->helpers->len);
	duk_push_string(ctx, "pac_helpers.js");
	duk_compile(ctx, DUK_COMPILE_EVAL);
	duk_call(ctx, 0);
	duk_pop(ctx);

	a->failed_as = DX_PAC_SYNTAX;
	duk_push_lstring(ctx, a->script, a->len);
	duk_push_string(ctx, "wpad.dat");
	duk_compile(ctx, DUK_COMPILE_EVAL);
	a->failed_as = DX_PAC_RUNTIME;
	duk_call(ctx, 0);
	duk_pop(ctx);
	a->has_ex = has_function(ctx, "FindProxyForURLEx");
	a->has_plain = has_function(ctx, "FindProxyForURL");
	return 0;
}

/* dx_pac_find's call of the entry point, protected the same way: looking
 * the function up and pushing the URL allocate too. Leaves the result. */
struct find_args {
	const char *entry, *url, *host;
};

static duk_ret_t find_step(duk_context *ctx, void *udata)
{
	const struct find_args *a = udata;
	duk_get_global_string(ctx, a->entry);
	duk_push_string(ctx, a->url);
	duk_push_string(ctx, a->host);
	duk_call(ctx, 2);
	return 1;
}

/* A step that drives Duktape: creating the heap, loading, one call. */
typedef enum dx_pac_rc (*pac_step)(struct dx_pac *p, void *arg, char *err, size_t errsz);

/* Runs a step with an escape point set. When the heap has to be abandoned
 * (a request past the unwind slack, Duktape's fatal handler), control comes
 * back here: the heap is marked abandoned, never touched by Duktape again,
 * and its blocks are freed by dx_pac_free. The status is the limit that
 * stopped the script; later calls give it again without running. */
static enum dx_pac_rc guarded(struct dx_pac *p, pac_step step, void *arg, char *err, size_t errsz)
{
	jmp_buf jb;
	enum dx_pac_rc rc;
	if (setjmp(jb)) {
		p->escape = NULL;
		p->abandoned = 1;
		return stop_reason(p, p->stop, NULL, err, errsz);
	}
	p->escape = &jb;
	rc = step(p, arg, err, errsz);
	p->escape = NULL;
	return rc;
}

static enum dx_pac_rc create_step(struct dx_pac *p, void *arg, char *err, size_t errsz)
{
	(void)arg;
	p->ctx = duk_create_heap(pac_alloc, pac_realloc, pac_free_fn, p, pac_fatal);
	if (!p->ctx) {
		snprintf(err, errsz, "cannot create the script heap");
		return DX_PAC_MEMORY;
	}
	return DX_PAC_OK;
}

static enum dx_pac_rc load_step(struct dx_pac *p, void *arg, char *err, size_t errsz)
{
	struct load_args *a = arg;
	if (duk_safe_call(p->ctx, load_steps, a, 0, 1) != DUK_EXEC_SUCCESS)
		return classify(p, a->failed_as, err, errsz);
	duk_pop(p->ctx);
	return DX_PAC_OK;
}

/* 1 when s[0..len) is UTF-8 by dx_utf8_decode's rules (no overlong form,
 * no surrogate, nothing past U+10FFFF: what Duktape's compiler decodes).
 * The decoder reads up to 4 bytes, so the last few are copied first. */
static int is_utf8(const char *s, size_t len)
{
	for (size_t i = 0, n; i < len; i += n) {
		char tail[5] = {0};
		const char *at = s + i;
		unsigned cp;
		if (len - i < 4)
			at = memcpy(tail, s + i, len - i);
		n = dx_utf8_decode(at, &cp);
		if (n == 1 && (unsigned char)s[i] >= 0x80)
			return 0; /* an invalid sequence */
	}
	return 1;
}

/* The bytes read as Latin-1 (each byte the code point of its value), in
 * UTF-8; NULL when out of memory. */
static char *latin1_to_utf8(const unsigned char *s, size_t len, size_t *outlen)
{
	char *out = malloc(2 * len + 1), *o = out;
	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < 0x80) {
			*o++ = (char)s[i];
		} else {
			*o++ = (char)(0xC0 | s[i] >> 6);
			*o++ = (char)(0x80 | (s[i] & 0x3F));
		}
	}
	*outlen = (size_t)(o - out);
	return out;
}

enum dx_pac_rc dx_pac_load(struct dx_pac **out, const char *script, size_t len,
			   const struct dx_pac_env *env, const struct dx_pac_limits *lim, char *err,
			   size_t errsz)
{
	const struct dx_embedded *helpers = dx_embedded_find("pac_helpers.js");
	struct dx_pac *p;
	enum dx_pac_rc rc;

	*out = NULL;
	if (!helpers) {
		snprintf(err, errsz, "PAC helpers not embedded");
		return DX_PAC_MEMORY;
	}
	p = calloc(1, sizeof *p);
	if (!p) {
		snprintf(err, errsz, "out of memory");
		return DX_PAC_MEMORY;
	}
	defaults(&p->lim, lim);
	if (env)
		p->env = *env;
	/* myIpAddress() reads the addresses at every call, long after the
	 * caller's string may be gone: the heap keeps a copy. */
	if (p->env.my_ips && !(p->my_ips = strdup(p->env.my_ips))) {
		snprintf(err, errsz, "out of memory");
		free(p);
		return DX_PAC_MEMORY;
	}
	p->env.my_ips = p->my_ips;
	if (len > p->lim.max_script) {
		snprintf(err, errsz, "%zu bytes: larger than the %zu MiB this evaluator accepts",
			 len, p->lim.max_script >> 20);
		dx_pac_free(p);
		return DX_PAC_TOO_LARGE;
	}
	/* A PAC file has no declared encoding, and a comment in the admin's
	 * language (Latin-1, Shift_JIS) is common; Duktape refuses any source
	 * that is not UTF-8, where WinHTTP reads the file in the device's
	 * code page. Such a script is read as Latin-1, as Chromium reads a
	 * PAC file without a charset: every ASCII character, all the syntax,
	 * stays as it is. */
	char *decoded = NULL;
	if (!is_utf8(script, len)) {
		/* a UTF-8 byte order mark says nothing for the rest: dropped */
		if (len >= 3 && !memcmp(script, "\xEF\xBB\xBF", 3))
			script += 3, len -= 3;
		if (!(decoded = latin1_to_utf8((const unsigned char *)script, len, &len))) {
			snprintf(err, errsz, "out of memory");
			dx_pac_free(p);
			return DX_PAC_MEMORY;
		}
		script = decoded;
		p->latin1 = 1;
	}
	p->deadline = dx_clock_ms() + p->lim.budget_ms;
	struct load_args a = {helpers, script, len, DX_PAC_RUNTIME, 0, 0};
	if ((rc = guarded(p, create_step, NULL, err, errsz)) == DX_PAC_OK)
		rc = guarded(p, load_step, &a, err, errsz);
	free(decoded); /* Duktape compiled its own copy */
	if (rc != DX_PAC_OK) {
		size_t n = strlen(err);
		if (p->latin1 && n + 1 < errsz)
			snprintf(err + n, errsz - n, " (the script is not UTF-8: read as Latin-1)");
		dx_pac_free(p);
		return rc;
	}
	p->has_ex = a.has_ex;
	if (!p->has_ex && !a.has_plain) {
		snprintf(err, errsz,
			 "the script defines neither FindProxyForURL nor FindProxyForURLEx");
		dx_pac_free(p);
		return DX_PAC_NO_FUNCTION;
	}
	p->entry = p->has_ex ? "FindProxyForURLEx" : "FindProxyForURL";
	*out = p;
	return DX_PAC_OK;
}

struct call_args {
	const char *url, *host;
	char *out;
	size_t outsz;
};

static enum dx_pac_rc call_step(struct dx_pac *p, void *arg, char *err, size_t errsz)
{
	struct call_args *c = arg;
	struct find_args a = {p->entry, c->url, c->host};
	struct dx_pac_entry e[1];
	char perr[160];
	const char *s;
	duk_size_t n;
	enum dx_pac_rc rc = DX_PAC_OK;

	if (duk_safe_call(p->ctx, find_step, &a, 0, 1) != DUK_EXEC_SUCCESS) {
		rc = classify(p, DX_PAC_RUNTIME, err, errsz);
		goto out;
	}
	if (duk_is_null(p->ctx, -1)) {
		/* The Netscape spec: "If the string is null, no proxies should
		 * be used." (undefined, a number... stay bad results.) */
		snprintf(c->out, c->outsz, "DIRECT");
		goto out;
	}
	if (!duk_is_string(p->ctx, -1)) {
		snprintf(err, errsz, "%s returned %s, not a string", p->entry,
			 duk_is_null_or_undefined(p->ctx, -1) ? duk_safe_to_string(p->ctx, -1)
			 : duk_is_number(p->ctx, -1)          ? "a number"
			 : duk_is_boolean(p->ctx, -1)         ? "a boolean"
							      : "an object");
		rc = DX_PAC_BAD_RESULT;
		goto out;
	}
	s = duk_get_lstring(p->ctx, -1, &n);
	if (n > p->lim.max_result || n >= c->outsz) {
		snprintf(err, errsz, "%s returned %zu bytes (more than %zu)", p->entry, (size_t)n,
			 p->lim.max_result < c->outsz - 1 ? p->lim.max_result : c->outsz - 1);
		rc = DX_PAC_BAD_RESULT;
		goto out;
	}
	memcpy(c->out, s, n);
	c->out[n] = 0;
	if (dx_pac_parse(c->out, e, 1, perr, sizeof perr) < 0) {
		snprintf(err, errsz, "%s returned \"%.80s\": %s", p->entry, c->out, perr);
		dx_one_line(err, ' ');
		rc = DX_PAC_BAD_RESULT;
	}
out:
	duk_pop(p->ctx);
	return rc;
}

enum dx_pac_rc dx_pac_find(struct dx_pac *p, const char *url, const char *host, char *out,
			   size_t outsz, char *err, size_t errsz)
{
	struct call_args c = {url, host, out, outsz};
	out[0] = 0;
	/* an abandoned heap's stop does not change: the same reason again */
	if (p->abandoned)
		return stop_reason(p, p->stop, NULL, err, errsz);
	if (out_of_time(p))
		return stop_reason(p, DX_PAC_TIMEOUT, NULL, err, errsz);
	return guarded(p, call_step, &c, err, errsz);
}

const char *dx_pac_entry_point(const struct dx_pac *p)
{
	return p->entry ? p->entry : "";
}

int dx_pac_read_as_latin1(const struct dx_pac *p)
{
	return p->latin1;
}

const char *dx_pac_alerts(const struct dx_pac *p)
{
	return p->alerts;
}

size_t dx_pac_heap_peak(const struct dx_pac *p)
{
	return p->heap_peak;
}

void dx_pac_free(struct dx_pac *p)
{
	if (!p)
		return;
	if (p->abandoned) {
		/* Duktape's state is undefined after an escape: its blocks
		 * are freed without it. */
		while (p->blocks) {
			struct blk *b = p->blocks;
			p->blocks = b->next;
			free(b);
		}
	} else if (p->ctx) {
		duk_destroy_heap(p->ctx);
	}
	free(p->my_ips);
	free(p);
}

/* ---- the answer ------------------------------------------------------------ */

int dx_pac_parse(const char *s, struct dx_pac_entry *out, size_t max, char *err, size_t errsz)
{
	static const struct {
		const char *kw;
		enum dx_pac_kind kind;
	} kws[] = {
		{"DIRECT", DX_PAC_DIRECT}, {"PROXY", DX_PAC_PROXY}, {"HTTP", DX_PAC_PROXY},
		{"HTTPS", DX_PAC_PROXY},   {"SOCKS", DX_PAC_SOCKS}, {"SOCKS4", DX_PAC_SOCKS},
		{"SOCKS5", DX_PAC_SOCKS},
	};
	size_t n = 0, total = 0;
	const char *p = s;
	while (*p) {
		size_t len = strcspn(p, ";");
		const char *a = p, *b = p + len;
		char kw[8];
		size_t kl = 0, k;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		p += len + (p[len] == ';');
		if (a == b)
			continue;
		while (a + kl < b && !isspace((unsigned char)a[kl]) && kl < sizeof kw - 1) {
			kw[kl] = (char)toupper((unsigned char)a[kl]);
			kl++;
		}
		kw[kl] = 0;
		for (k = 0; k < sizeof kws / sizeof kws[0]; k++)
			if (strcmp(kw, kws[k].kw) == 0 &&
			    (a + kl == b || isspace((unsigned char)a[kl])))
				break;
		if (k == sizeof kws / sizeof kws[0]) {
			snprintf(err, errsz, "\"%.*s\" is not DIRECT, PROXY, HTTP(S) or SOCKS",
				 (int)((b - a) > 40 ? 40 : (b - a)), a);
			dx_one_line(err, ' ');
			return -1;
		}
		a += kl;
		while (a < b && isspace((unsigned char)*a))
			a++;
		total++;
		if (kws[k].kind == DX_PAC_DIRECT) {
			if (a != b) {
				snprintf(err, errsz, "DIRECT takes no address");
				return -1;
			}
			if (n < max) {
				memset(&out[n], 0, sizeof out[n]);
				out[n++].kind = DX_PAC_DIRECT;
			}
			continue;
		} else {
			struct dx_pac_entry e;
			const char *colon = NULL;
			size_t hl;
			memset(&e, 0, sizeof e);
			e.kind = kws[k].kind;
			e.port = 80;
			if (a == b) {
				snprintf(err, errsz, "%s without an address", kws[k].kw);
				return -1;
			}
			for (const char *q = a; q < b; q++) {
				unsigned char ch = (unsigned char)*q;
				if (ch == ':')
					colon = q;
				if (ch <= 0x20 || ch >= 0x7f) {
					snprintf(err, errsz,
						 "%s address has a space or a control character",
						 kws[k].kw);
					return -1;
				}
			}
			if (*a == '[') {
				const char *rb = memchr(a, ']', (size_t)(b - a));
				if (!rb) {
					snprintf(err, errsz, "unclosed '['");
					return -1;
				}
				colon = rb + 1 < b && rb[1] == ':' ? rb + 1 : NULL;
				hl = (size_t)(rb - a - 1);
				a++;
			} else {
				hl = colon ? (size_t)(colon - a) : (size_t)(b - a);
			}
			if (hl == 0 || hl >= sizeof e.host) {
				snprintf(err, errsz, "bad proxy host");
				return -1;
			}
			memcpy(e.host, a, hl);
			e.host[hl] = 0;
			if (colon) {
				long port = 0;
				if (colon + 1 == b || b - colon > 6) {
					snprintf(err, errsz, "bad port");
					return -1;
				}
				for (const char *q = colon + 1; q < b; q++) {
					if (!isdigit((unsigned char)*q)) {
						snprintf(err, errsz, "port is not a number");
						return -1;
					}
					port = port * 10 + (*q - '0');
				}
				if (port < 1 || port > 65535) {
					snprintf(err, errsz, "port %ld out of range", port);
					return -1;
				}
				e.port = (int)port;
			}
			if (n < max)
				out[n++] = e;
		}
	}
	if (total == 0) {
		snprintf(err, errsz, "empty answer");
		return -1;
	}
	return (int)n;
}
