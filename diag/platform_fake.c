/* platform_fake.c - a Windows device played from a fixture.
 *
 * It models Windows where the checks can tell the difference: registry keys
 * and value names ignore case; a key exists when it is listed or is the
 * parent of a listed key; each service of the fixture also appears under
 * HKLM\SYSTEM\CurrentControlSet\Services\<name> (ImagePath, Start, Type),
 * as the service control manager keeps it, unless the fixture lists those
 * values itself; a directory exists when a listed path lies below it; a
 * missing service is error 1060; a host without a DNS entry is NXDOMAIN.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "fixture.h"
#include "sock.h" /* dx_sleep_ms */

#define SERVICES_KEY "HKLM\\SYSTEM\\CurrentControlSet\\Services"
#define DEFAULT_CLOCK 1767225600 /* 2026-01-01T00:00:00Z when none is given */

/* "HKEY_LOCAL_MACHINE\x" → "HKLM\x" (into buf). */
static const char *norm_key(const char *key, char *buf, size_t bufsz)
{
	static const char lng[] = "HKEY_LOCAL_MACHINE";
	if (strncasecmp(key, lng, sizeof lng - 1) == 0) {
		snprintf(buf, bufsz, "HKLM%s", key + sizeof lng - 1);
		return buf;
	}
	return key;
}

/* If `path` lies strictly below `parent`, the rest after the separator. */
static const char *below(const char *path, const char *parent, char sep)
{
	size_t n = strlen(parent);
	if (strncasecmp(path, parent, n) == 0 && path[n] == sep && path[n + 1])
		return path + n + 1;
	return NULL;
}

static const struct dx_fx_key *find_key(const struct dx_fixture *fx, const char *key)
{
	for (size_t i = 0; i < fx->nkeys; i++)
		if (dx_strieq(fx->keys[i].path, key))
			return &fx->keys[i];
	return NULL;
}

static const struct dx_fx_service *find_service(const struct dx_fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->nservices; i++)
		if (dx_strieq(fx->services[i].name, name))
			return &fx->services[i];
	return NULL;
}

/* The service whose registry key this is, if any. */
static const struct dx_fx_service *service_of_key(const struct dx_fixture *fx, const char *key)
{
	const char *rest = below(key, SERVICES_KEY, '\\');
	return rest && !strchr(rest, '\\') ? find_service(fx, rest) : NULL;
}

static int key_exists(const struct dx_fixture *fx, const char *key)
{
	if (find_key(fx, key) || service_of_key(fx, key))
		return 1;
	for (size_t i = 0; i < fx->nkeys; i++)
		if (below(fx->keys[i].path, key, '\\'))
			return 1;
	if (fx->nservices && (dx_strieq(key, SERVICES_KEY) || below(SERVICES_KEY, key, '\\')))
		return 1;
	return 0;
}

static int copy_value(const struct dx_regval *from, struct dx_regval *to)
{
	*to = *from;
	to->data = NULL;
	if (from->data) {
		to->data = malloc(from->len + 1);
		if (!to->data)
			return -1;
		memcpy(to->data, from->data, from->len);
		to->data[from->len] = '\0';
	}
	return 0;
}

/* The values the SCM keeps for a service: ImagePath, Start, Type. */
static int synth_service_value(const struct dx_fx_service *s, const char *value,
			       struct dx_regval *out)
{
	if (dx_strieq(value, "ImagePath") && s->svc.image_path[0]) {
		out->type = DX_REG_EXPAND_SZ;
		out->len = strlen(s->svc.image_path);
		out->data = (unsigned char *)strdup(s->svc.image_path);
		return out->data ? 1 : -1;
	}
	if (dx_strieq(value, "Start")) {
		out->type = DX_REG_DWORD;
		out->num = (uint64_t)s->svc.start_type;
		return 1;
	}
	if (dx_strieq(value, "Type")) {
		out->type = DX_REG_DWORD;
		out->num = 0x10; /* SERVICE_WIN32_OWN_PROCESS */
		return 1;
	}
	return 0;
}

static enum dx_status fake_reg_read(void *ctx, const char *key_in, const char *value,
				    struct dx_regval *out, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[600];
	const char *key = norm_key(key_in, buf, sizeof buf);
	const struct dx_fx_key *k = find_key(fx, key);
	if (k)
		for (size_t i = 0; i < k->nvalues; i++)
			if (dx_strieq(k->values[i].name, value))
				return copy_value(&k->values[i].v, out)
					       ? dx_fail(err, DX_TRANSIENT, 8, "out of memory")
					       : DX_OK;
	const struct dx_fx_service *s = service_of_key(fx, key);
	if (s) {
		int r = synth_service_value(s, value, out);
		if (r < 0)
			return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
		if (r > 0)
			return DX_OK;
	}
	if (!key_exists(fx, key))
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND, "key %s does not exist",
			       key);
	return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND,
		       "value \"%s\" does not exist in %s", value, key);
}

/* Adds `name` unless an equal name (ignoring case) is there already. */
static int push_unique(struct dx_strlist *l, const char *name, size_t len)
{
	char tmp[520];
	if (len >= sizeof tmp)
		len = sizeof tmp - 1;
	memcpy(tmp, name, len);
	tmp[len] = '\0';
	for (size_t i = 0; i < l->count; i++)
		if (dx_strieq(l->items[i], tmp))
			return 0;
	return dx_strlist_push(l, tmp);
}

static enum dx_status fake_reg_subkeys(void *ctx, const char *key_in, struct dx_strlist *out,
				       struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[600];
	const char *key = norm_key(key_in, buf, sizeof buf);
	if (!key_exists(fx, key))
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND, "key %s does not exist",
			       key);
	int oom = 0;
	for (size_t i = 0; i < fx->nkeys; i++) {
		const char *rest = below(fx->keys[i].path, key, '\\');
		if (rest)
			oom |= push_unique(out, rest, strcspn(rest, "\\"));
	}
	if (fx->nservices) {
		const char *rest = below(SERVICES_KEY, key, '\\');
		if (rest)
			oom |= push_unique(out, rest, strcspn(rest, "\\"));
		if (dx_strieq(key, SERVICES_KEY))
			for (size_t i = 0; i < fx->nservices; i++)
				oom |= push_unique(out, fx->services[i].name,
						   strlen(fx->services[i].name));
	}
	return oom ? dx_fail(err, DX_TRANSIENT, 8, "out of memory") : DX_OK;
}

static enum dx_status fake_reg_values(void *ctx, const char *key_in, struct dx_strlist *out,
				      struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[600];
	const char *key = norm_key(key_in, buf, sizeof buf);
	if (!key_exists(fx, key))
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND, "key %s does not exist",
			       key);
	int oom = 0;
	const struct dx_fx_key *k = find_key(fx, key);
	for (size_t i = 0; k && i < k->nvalues; i++)
		oom |= push_unique(out, k->values[i].name, strlen(k->values[i].name));
	const struct dx_fx_service *s = service_of_key(fx, key);
	if (s) {
		if (s->svc.image_path[0])
			oom |= push_unique(out, "ImagePath", 9);
		oom |= push_unique(out, "Start", 5);
		oom |= push_unique(out, "Type", 4);
	}
	return oom ? dx_fail(err, DX_TRANSIENT, 8, "out of memory") : DX_OK;
}

static enum dx_status fake_svc_query(void *ctx, const char *name, struct dx_svc *out,
				     struct dx_err *err)
{
	const struct dx_fx_service *s = find_service(ctx, name);
	if (!s)
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_SERVICE_DOES_NOT_EXIST,
			       "OpenService %s FAILED 1060: the specified service "
			       "does not exist as an installed service",
			       name);
	*out = s->svc;
	return DX_OK;
}

static const struct dx_fx_file *find_file(const struct dx_fixture *fx, const char *path)
{
	for (size_t i = 0; i < fx->nfiles; i++)
		if (dx_strieq(fx->files[i].path, path))
			return &fx->files[i];
	return NULL;
}

/* Strips one trailing backslash (not from "C:\"). */
static const char *norm_path(const char *path, char *buf, size_t bufsz)
{
	size_t n = strlen(path);
	if (n > 3 && n < bufsz && path[n - 1] == '\\') {
		memcpy(buf, path, n - 1);
		buf[n - 1] = '\0';
		return buf;
	}
	return path;
}

static enum dx_status fake_file_exists(void *ctx, const char *path_in, int *is_dir,
				       struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[1100];
	const char *path = norm_path(path_in, buf, sizeof buf);
	const struct dx_fx_file *f = find_file(fx, path);
	if (f) {
		*is_dir = f->is_dir;
		return DX_OK;
	}
	for (size_t i = 0; i < fx->nfiles; i++)
		if (below(fx->files[i].path, path, '\\')) {
			*is_dir = 1;
			return DX_OK;
		}
	return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND, "%s does not exist", path);
}

static enum dx_status fake_file_version(void *ctx, const char *path, char out[64],
					struct dx_err *err)
{
	const struct dx_fx_file *f = find_file(ctx, path);
	if (!f || f->is_dir)
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_FILE_NOT_FOUND, "%s does not exist",
			       path);
	if (!f->version)
		return dx_fail(err, DX_NOT_FOUND, 1813, "%s has no version resource", path);
	snprintf(out, 64, "%s", f->version);
	return DX_OK;
}

static enum dx_status fake_dir_list(void *ctx, const char *path_in, struct dx_strlist *out,
				    struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[1100];
	const char *path = norm_path(path_in, buf, sizeof buf);
	int is_dir = 0;
	enum dx_status s = fake_file_exists(ctx, path, &is_dir, err);
	if (s != DX_OK)
		return s;
	if (!is_dir)
		return dx_fail(err, DX_BAD_DATA, 267, "%s is not a directory", path);
	int oom = 0;
	for (size_t i = 0; i < fx->nfiles; i++) {
		const char *rest = below(fx->files[i].path, path, '\\');
		if (rest)
			oom |= push_unique(out, rest, strcspn(rest, "\\"));
	}
	return oom ? dx_fail(err, DX_TRANSIENT, 8, "out of memory") : DX_OK;
}

static enum dx_status fake_file_tail(void *ctx, const char *path_in, size_t max, char **out,
				     size_t *len, uint64_t *size, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	char buf[1100];
	const char *path = norm_path(path_in, buf, sizeof buf);
	int is_dir = 0;
	enum dx_status s = fake_file_exists(ctx, path, &is_dir, err);
	if (s != DX_OK)
		return s;
	if (is_dir)
		return dx_fail(err, DX_BAD_DATA, 267, "%s is a directory", path);
	const struct dx_fx_file *f = find_file(fx, path);
	size_t all = f && f->content ? f->content_len : 0;
	size_t n = max > 0 && all > max ? max : all;
	*out = malloc(n + 1);
	if (!*out)
		return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	if (n)
		memcpy(*out, f->content + (all - n), n);
	(*out)[n] = '\0';
	*len = n;
	*size = all;
	return DX_OK;
}

static char *dupz(const char *s)
{
	return strdup(s ? s : "");
}

static enum dx_status fake_events_query(void *ctx, const char *log, const char *provider,
					uint32_t id, int64_t since, size_t max,
					struct dx_eventlist *out, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	const struct dx_eventlist *all = &fx->events;
	size_t n = 0;
	out->items = calloc(all->count + 1, sizeof *out->items);
	if (!out->items)
		return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	for (size_t i = 0; i < all->count; i++) {
		const struct dx_event *e = &all->items[i];
		if (!dx_strieq(e->log, log) || (provider && !dx_strieq(e->provider, provider)) ||
		    (id && e->id != id) || e->time < since)
			continue;
		/* insertion, newest first; ties keep fixture order */
		size_t at = n;
		while (at > 0 && out->items[at - 1].time < e->time)
			at--;
		memmove(&out->items[at + 1], &out->items[at], (n - at) * sizeof *out->items);
		struct dx_event *c = &out->items[at];
		*c = *e;
		c->log = dupz(e->log);
		c->provider = dupz(e->provider);
		c->message = dupz(e->message);
		memset(&c->strings, 0, sizeof c->strings);
		int oom = 0;
		for (size_t k = 0; k < e->strings.count; k++)
			oom |= dx_strlist_push(&c->strings, e->strings.items[k]);
		n++;
		out->count = n;
		if (oom || !c->log || !c->provider || !c->message)
			return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	}
	while (out->count > max) {
		struct dx_event *c = &out->items[--out->count];
		free(c->log);
		free(c->provider);
		free(c->message);
		dx_strlist_free(&c->strings);
	}
	return DX_OK;
}

static enum dx_status fake_resolve(void *ctx, const char *host, int timeout_ms,
				   struct dx_strlist *out, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	const struct dx_fx_dns *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < fx->ndns; i++) {
		const char *p = fx->dns[i].pattern;
		size_t len = strlen(p);
		if (dx_strieq(p, host)) {
			best = &fx->dns[i];
			break;
		}
		if (p[0] == '*' && p[1] == '.') {
			size_t hl = strlen(host), sl = len - 1; /* ".suffix" */
			if (hl > sl && strcasecmp(host + hl - sl, p + 1) == 0 && len > best_len) {
				best = &fx->dns[i];
				best_len = len;
			}
		} else if (strcmp(p, "*") == 0 && !best) {
			best = &fx->dns[i];
			best_len = 1;
		}
	}
	if (!best)
		return dx_fail(err, DX_NOT_FOUND, DX_WSAHOST_NOT_FOUND,
			       "%s: no such host (NXDOMAIN)", host);
	if (best->delay_ms > 0) {
		/* a DNS server that takes this long: the call really blocks, as
		 * a real resolver does, until the answer or the caller's bound */
		if (timeout_ms > 0 && best->delay_ms > timeout_ms) {
			dx_sleep_ms(timeout_ms);
			return dx_fail(err, DX_TIMEOUT, DX_WSAETIMEDOUT,
				       "%s: no answer within the time left", host);
		}
		dx_sleep_ms(best->delay_ms);
	}
	switch (best->status) {
	case DX_OK: break;
	case DX_NOT_FOUND:
		return dx_fail(err, DX_NOT_FOUND, DX_WSAHOST_NOT_FOUND,
			       "%s: no such host (NXDOMAIN)", host);
	case DX_TRANSIENT:
		return dx_fail(err, DX_TRANSIENT, DX_WSATRY_AGAIN,
			       "%s: the DNS server failed (SERVFAIL)", host);
	default:
		return dx_fail(err, DX_TIMEOUT, DX_WSAETIMEDOUT, "%s: the DNS query timed out",
			       host);
	}
	for (size_t i = 0; i < best->addresses.count; i++)
		if (dx_strlist_push(out, best->addresses.items[i]))
			return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
	return DX_OK;
}

static int64_t fake_now(void *ctx)
{
	const struct dx_fixture *fx = ctx;
	return fx->clock ? fx->clock : DEFAULT_CLOCK;
}

/* The fixture's time zone, or UTC when it gives none. */
static enum dx_status fake_time_zone(void *ctx, struct dx_time_zone *out, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	(void)err;
	if (fx->tz_given)
		*out = fx->tz;
	else
		snprintf(out->name, sizeof out->name, "UTC");
	return DX_OK;
}

static enum dx_status fake_hostname(void *ctx, char out[256], struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	snprintf(out, 256, "%s", fx->hostname[0] ? fx->hostname : "FIXTURE-DEVICE");
	return DX_OK;
}

/* The fixture answers at once: timeout_ms is not needed. */
static enum dx_status fake_wpad_detect(void *ctx, int timeout_ms, struct dx_wpad *out,
				       struct dx_err *err)
{
	const struct dx_fx_wpad *w = &((const struct dx_fixture *)ctx)->wpad;
	(void)timeout_ms;
	if (!w->present || w->status == DX_NOT_FOUND)
		return dx_fail(err, DX_NOT_FOUND, DX_ERROR_WINHTTP_AUTODETECTION_FAILED,
			       "WPAD found no PAC URL (no DHCP option 252, no wpad DNS name)%s",
			       w->present ? "" : " (the fixture has no wpad section)");
	if (w->status != DX_OK)
		return dx_fail(err, DX_TIMEOUT, DX_ERROR_WINHTTP_TIMEOUT,
			       "WPAD discovery timed out");
	snprintf(out->url, sizeof out->url, "%s", w->url);
	snprintf(out->method, sizeof out->method, "%s", w->method);
	if (w->script) {
		out->script_len = strlen(w->script);
		out->script = malloc(out->script_len + 1);
		if (!out->script)
			return dx_fail(err, DX_TRANSIENT, 8, "out of memory");
		memcpy(out->script, w->script, out->script_len + 1);
	}
	return DX_OK;
}

/* The fixture's "os_answers": the answer for url's host, else "*". */
static enum dx_status fake_autoproxy(void *ctx, const char *url, const char *pac_url,
				     int timeout_ms, char out[1024], struct dx_err *err)
{
	const struct dx_fx_wpad *w = &((const struct dx_fixture *)ctx)->wpad;
	const char *h = strstr(url, "://");
	size_t hl;
	(void)pac_url;
	(void)timeout_ms;
	if (!w->os_hosts.count)
		return dx_fail(
			err, DX_UNSUPPORTED, 120,
			"the fake platform does not run PAC scripts (mdediag evaluates them)");
	h = h ? h + 3 : url;
	hl = strcspn(h, ":/?#");
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < w->os_hosts.count; i++) {
			const char *k = w->os_hosts.items[i];
			if (pass ? strcmp(k, "*") == 0
				 : strlen(k) == hl && strncasecmp(k, h, hl) == 0) {
				snprintf(out, 1024, "%s", w->os_answers.items[i]);
				return DX_OK;
			}
		}
	return dx_fail(err, DX_UNSUPPORTED, 120,
		       "the fixture's wpad.os_answers has no answer for %.*s", (int)hl, h);
}

static enum dx_status fake_elevated(void *ctx, int *out, struct dx_err *err)
{
	const struct dx_fixture *fx = ctx;
	*out = fx->elevated;
	return DX_OK;
}

static void fake_close(void *ctx)
{
	dx_fixture_free(ctx);
}

static const struct dx_platform_ops dx_fake_ops = {
	.name = "fake",
	.reg_read = fake_reg_read,
	.reg_subkeys = fake_reg_subkeys,
	.reg_values = fake_reg_values,
	.svc_query = fake_svc_query,
	.file_exists = fake_file_exists,
	.file_version = fake_file_version,
	.dir_list = fake_dir_list,
	.file_tail = fake_file_tail,
	.events_query = fake_events_query,
	.resolve = fake_resolve,
	.now = fake_now,
	.hostname = fake_hostname,
	.elevated = fake_elevated,
	.time_zone = fake_time_zone,
	.close = fake_close,
	.wpad_detect = fake_wpad_detect,
	.autoproxy = fake_autoproxy,
};

void dx_platform_fake_open(struct dx_platform *out, struct dx_fixture *fx)
{
	out->ops = &dx_fake_ops;
	out->ctx = fx;
}

int dx_platform_fixture_open(struct dx_platform *out, struct dx_fixture *fx)
{
	struct dx_platform fake;
	dx_platform_fake_open(&fake, fx);
	if (fx->nfaults == 0) {
		*out = fake;
		return 0;
	}
	if (dx_faults_open(out, fake, fx->faults, fx->nfaults)) {
		dx_platform_close(&fake);
		return -1;
	}
	return 0;
}
