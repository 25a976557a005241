/* platform_faults.c - makes chosen calls of another platform fail.
 *
 * Like SQLite's test VFS, it wraps a real platform (the fake, or Win32) and
 * forwards every call, except that a call matching a rule fails with the
 * rule's status and Win32 code: after `after` matching calls, `count`
 * times (0 = from then on). The target of a call is the registry key (or
 * "key\value" for reg_read), the service name, the path, the log or the
 * host; a rule's target matches ignoring case, "*" matches anything and a
 * trailing "*" matches a prefix.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"

struct faults {
	struct dx_platform inner;
	struct dx_fault_rule *rules;
	size_t n;
};

static int target_matches(const char *pattern, const char *target)
{
	size_t n = strlen(pattern);
	if (strcmp(pattern, "*") == 0)
		return 1;
	if (n && pattern[n - 1] == '*')
		return strncasecmp(pattern, target, n - 1) == 0;
	return dx_strieq(pattern, target);
}

/* Returns the failing status for this call, or DX_OK to forward it. */
static enum dx_status inject(struct faults *f, const char *primitive, const char *target,
			     const char *alt, struct dx_err *err)
{
	for (size_t i = 0; i < f->n; i++) {
		struct dx_fault_rule *r = &f->rules[i];
		if (strcmp(r->primitive, primitive) != 0 ||
		    !(target_matches(r->target, target) || (alt && target_matches(r->target, alt))))
			continue;
		unsigned k = r->seen++;
		if (k < r->after || (r->count && k >= r->after + r->count))
			continue;
		return dx_fail(
			err, r->status, r->code,
			"%s %s: %s (Win32 error %u, injected by the fixture's fault rule %zu)",
			primitive, alt ? alt : target, dx_status_name(r->status), (unsigned)r->code,
			i);
	}
	return DX_OK;
}

#define FORWARD(op, ...)                                                                           \
	(f->inner.ops->op ? f->inner.ops->op(f->inner.ctx, __VA_ARGS__)                            \
			  : dx_fail(err, DX_UNSUPPORTED, 0, "%s: not supported", #op))

static enum dx_status ft_reg_read(void *ctx, const char *key, const char *value,
				  struct dx_regval *out, struct dx_err *err)
{
	struct faults *f = ctx;
	char alt[1100];
	snprintf(alt, sizeof alt, "%s\\%s", key, value);
	enum dx_status s = inject(f, "reg_read", key, alt, err);
	return s != DX_OK ? s : FORWARD(reg_read, key, value, out, err);
}

static enum dx_status ft_reg_subkeys(void *ctx, const char *key, struct dx_strlist *out,
				     struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "reg_subkeys", key, NULL, err);
	return s != DX_OK ? s : FORWARD(reg_subkeys, key, out, err);
}

static enum dx_status ft_reg_values(void *ctx, const char *key, struct dx_strlist *out,
				    struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "reg_values", key, NULL, err);
	return s != DX_OK ? s : FORWARD(reg_values, key, out, err);
}

static enum dx_status ft_svc_query(void *ctx, const char *name, struct dx_svc *out,
				   struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "svc_query", name, NULL, err);
	return s != DX_OK ? s : FORWARD(svc_query, name, out, err);
}

static enum dx_status ft_file_exists(void *ctx, const char *path, int *is_dir, struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "file_exists", path, NULL, err);
	return s != DX_OK ? s : FORWARD(file_exists, path, is_dir, err);
}

static enum dx_status ft_file_version(void *ctx, const char *path, char out[64], struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "file_version", path, NULL, err);
	return s != DX_OK ? s : FORWARD(file_version, path, out, err);
}

static enum dx_status ft_dir_list(void *ctx, const char *path, struct dx_strlist *out,
				  struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "dir_list", path, NULL, err);
	return s != DX_OK ? s : FORWARD(dir_list, path, out, err);
}

static enum dx_status ft_file_tail(void *ctx, const char *path, size_t max, char **out, size_t *len,
				   uint64_t *size, struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "file_tail", path, NULL, err);
	return s != DX_OK ? s : FORWARD(file_tail, path, max, out, len, size, err);
}

static enum dx_status ft_events_query(void *ctx, const char *log, const char *provider, uint32_t id,
				      int64_t since, size_t max, struct dx_eventlist *out,
				      struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "events_query", log, provider, err);
	return s != DX_OK ? s : FORWARD(events_query, log, provider, id, since, max, out, err);
}

static enum dx_status ft_resolve(void *ctx, const char *host, int timeout_ms,
				 struct dx_strlist *out, struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "resolve", host, NULL, err);
	return s != DX_OK ? s : FORWARD(resolve, host, timeout_ms, out, err);
}

static int64_t ft_now(void *ctx)
{
	struct faults *f = ctx;
	return f->inner.ops->now ? f->inner.ops->now(f->inner.ctx) : 0;
}

static enum dx_status ft_hostname(void *ctx, char out[256], struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "hostname", "", NULL, err);
	return s != DX_OK ? s : FORWARD(hostname, out, err);
}

static enum dx_status ft_wpad_detect(void *ctx, int timeout_ms, struct dx_wpad *out,
				     struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "wpad_detect", "", NULL, err);
	return s != DX_OK ? s : FORWARD(wpad_detect, timeout_ms, out, err);
}

static enum dx_status ft_autoproxy(void *ctx, const char *url, const char *pac_url, int timeout_ms,
				   char out[1024], struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "autoproxy", url, NULL, err);
	return s != DX_OK ? s : FORWARD(autoproxy, url, pac_url, timeout_ms, out, err);
}

static enum dx_status ft_elevated(void *ctx, int *out, struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "elevated", "", NULL, err);
	return s != DX_OK ? s : FORWARD(elevated, out, err);
}

static enum dx_status ft_time_zone(void *ctx, struct dx_time_zone *out, struct dx_err *err)
{
	struct faults *f = ctx;
	enum dx_status s = inject(f, "time_zone", "", NULL, err);
	return s != DX_OK ? s : FORWARD(time_zone, out, err);
}

static void ft_close(void *ctx)
{
	struct faults *f = ctx;
	dx_platform_close(&f->inner);
	free(f->rules);
	free(f);
}

static const struct dx_platform_ops dx_faults_ops = {
	.name = "faults",
	.reg_read = ft_reg_read,
	.reg_subkeys = ft_reg_subkeys,
	.reg_values = ft_reg_values,
	.svc_query = ft_svc_query,
	.file_exists = ft_file_exists,
	.file_version = ft_file_version,
	.dir_list = ft_dir_list,
	.file_tail = ft_file_tail,
	.events_query = ft_events_query,
	.resolve = ft_resolve,
	.now = ft_now,
	.hostname = ft_hostname,
	.elevated = ft_elevated,
	.close = ft_close,
	.wpad_detect = ft_wpad_detect,
	.autoproxy = ft_autoproxy,
	.time_zone = ft_time_zone,
};

int dx_faults_open(struct dx_platform *out, struct dx_platform inner,
		   const struct dx_fault_rule *rules, size_t n)
{
	struct faults *f = calloc(1, sizeof *f);
	if (!f || !(f->rules = calloc(n + 1, sizeof *rules))) {
		free(f);
		return -1;
	}
	memcpy(f->rules, rules, n * sizeof *rules);
	f->n = n;
	f->inner = inner;
	out->ops = &dx_faults_ops;
	out->ctx = f;
	return 0;
}
