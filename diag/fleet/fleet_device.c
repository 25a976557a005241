/* fleet_device.c - one device counted once: the summary kept per device,
 * its identity (SenseId, else the host name), and the newest result
 * winning (docs/fleet.md, "One device, counted once").
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "report.h"

const char *const fl_fact_names[FL_NFACTS] = {
	"os_build", "sense_version", "platform_version", "onboarding", "streamlined", "region",
	"proxy",    "site",
};

int fl_fact_by_name(const char *name)
{
	for (int i = 0; i < FL_NFACTS; i++)
		if (strcmp(fl_fact_names[i], name) == 0)
			return i;
	return -1;
}

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* An open-addressing set of strings; the pool owns them. */
struct fl_pool {
	char **slot;
	size_t cap, n;
};

struct fl_pool *fl_pool_new(void)
{
	struct fl_pool *p = calloc(1, sizeof *p);
	if (p && !(p->slot = calloc(p->cap = 1024, sizeof *p->slot))) {
		free(p);
		p = NULL;
	}
	return p;
}

static int pool_grow(struct fl_pool *p)
{
	size_t cap = p->cap * 2;
	char **slot = calloc(cap, sizeof *slot);
	if (!slot)
		return -1;
	for (size_t i = 0; i < p->cap; i++) {
		if (!p->slot[i])
			continue;
		size_t j = hash(p->slot[i]) & (cap - 1);
		while (slot[j])
			j = (j + 1) & (cap - 1);
		slot[j] = p->slot[i];
	}
	free(p->slot);
	p->slot = slot;
	p->cap = cap;
	return 0;
}

const char *fl_intern(struct fl_pool *p, const char *s)
{
	if (!s)
		s = "";
	if ((p->n + 1) * 2 > p->cap && pool_grow(p))
		return NULL;
	size_t j = hash(s) & (p->cap - 1);
	for (; p->slot[j]; j = (j + 1) & (p->cap - 1))
		if (strcmp(p->slot[j], s) == 0)
			return p->slot[j];
	if (!(p->slot[j] = strdup(s)))
		return NULL;
	p->n++;
	return p->slot[j];
}

void fl_pool_free(struct fl_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->cap; i++)
		free(p->slot[i]);
	free(p->slot);
	free(p);
}

/* Identity -> index of the device: keys are interned, so compared by
 * pointer after the hash. */
struct fl_table {
	const char **key;
	size_t *val;
	size_t cap, n;
};

static struct fl_table *table_new(void)
{
	struct fl_table *t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->cap = 1024;
	t->key = calloc(t->cap, sizeof *t->key);
	t->val = calloc(t->cap, sizeof *t->val);
	if (!t->key || !t->val) {
		free(t->key);
		free(t->val);
		free(t);
		return NULL;
	}
	return t;
}

static void table_free(struct fl_table *t)
{
	if (t) {
		free(t->key);
		free(t->val);
		free(t);
	}
}

static long table_get(const struct fl_table *t, const char *key)
{
	for (size_t j = hash(key) & (t->cap - 1); t->key[j]; j = (j + 1) & (t->cap - 1))
		if (t->key[j] == key)
			return (long)t->val[j];
	return -1;
}

static int table_put(struct fl_table *t, const char *key, size_t val)
{
	if ((t->n + 1) * 2 > t->cap) {
		struct fl_table big = {calloc(t->cap * 2, sizeof *t->key),
				       calloc(t->cap * 2, sizeof *t->val), t->cap * 2, 0};
		if (!big.key || !big.val) {
			free(big.key);
			free(big.val);
			return -1;
		}
		for (size_t i = 0; i < t->cap; i++)
			if (t->key[i]) {
				size_t j = hash(t->key[i]) & (big.cap - 1);
				while (big.key[j])
					j = (j + 1) & (big.cap - 1);
				big.key[j] = t->key[i];
				big.val[j] = t->val[i];
			}
		free(t->key);
		free(t->val);
		t->key = big.key;
		t->val = big.val;
		t->cap = big.cap;
	}
	size_t j = hash(key) & (t->cap - 1);
	for (; t->key[j]; j = (j + 1) & (t->cap - 1))
		if (t->key[j] == key) {
			t->val[j] = val;
			return 0;
		}
	t->key[j] = key;
	t->val[j] = val;
	t->n++;
	return 0;
}

int fl_run_init(struct fl_run *r)
{
	r->pool = fl_pool_new();
	r->byid = table_new();
	r->byhost = table_new();
	return r->pool && r->byid && r->byhost ? 0 : -1;
}

void fl_run_free(struct fl_run *r)
{
	fl_pool_free(r->pool);
	table_free(r->byid);
	table_free(r->byhost);
	free(r->dev);
	free(r->dups);
	free(r->bad);
	fl_readbuf_free(r);
	fl_arena_free(r->arena);
	r->arena = NULL;
	r->pool = NULL;
	r->byid = r->byhost = NULL;
	r->dev = NULL;
	r->dups = NULL;
	r->bad = NULL;
}

/* Grows *arr (of `size`-byte items) to hold one more; 0 or -1. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return 0;
	size_t c = *cap ? *cap * 2 : 256;
	void *a = realloc(*arr, c * size);
	if (!a)
		return -1;
	*arr = a;
	*cap = c;
	return 0;
}

void fl_bad(struct fl_run *r, const char *source, const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	for (char *p = why; *p; p++) /* one line, whatever the input held */
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	if (r->outbox) {
		fl_outbox_bad(r, source, why);
		return;
	}
	if (grow((void **)&r->bad, &r->capbad, r->nbad, sizeof *r->bad)) {
		r->fail_nomem++;
		return;
	}
	struct fl_bad *b = &r->bad[r->nbad];
	if (!(b->source = fl_intern(r->pool, source)) || !(b->reason = fl_intern(r->pool, why))) {
		r->fail_nomem++;
		return;
	}
	r->nbad++;
}

int fl_host_redacted(const char *host)
{
	if (strncmp(host, "HOST-", 5) || !host[5])
		return 0;
	for (const char *p = host + 5; *p; p++)
		if (!isdigit((unsigned char)*p))
			return 0;
	return 1;
}

static int fill(struct fl_run *r, struct fl_device *d, const struct fl_summary *s)
{
	struct fl_pool *p = r->pool;
#define I(f)                                                                                       \
	if (!(d->f = fl_intern(p, s->f)))                                                          \
	return -1
	I(host);
	I(device_id);
	I(source);
	I(kind);
	I(cause);
	I(variant);
	I(severity);
	I(rule);
	I(incomplete);
	I(title);
	I(next);
	I(command);
	I(findings);
#undef I
	for (int i = 0; i < FL_NFACTS; i++)
		if (!(d->facts[i] = fl_intern(p, s->facts[i])))
			return -1;
	d->when = s->when;
	return 0;
}

static int add_dup(struct fl_run *r, const char *identity, const char *kept, const char *dropped)
{
	if (grow((void **)&r->dups, &r->capdups, r->ndups, sizeof *r->dups))
		return -1;
	r->dups[r->ndups++] = (struct fl_dup){identity, kept, dropped};
	return 0;
}

int fl_add(struct fl_run *r, const struct fl_summary *s)
{
	char host[256];
	const char *kid = NULL, *khost = NULL, *src;
	long idx = -1;
	size_t i;

	if (r->outbox)
		return fl_outbox_add(r, s);
	r->results++;
	/* identity: SenseId, else the host name ignoring case (Windows
	 * names do); a redaction token names no device */
	for (i = 0; s->host && s->host[i] && i + 1 < sizeof host; i++)
		host[i] = (char)toupper((unsigned char)s->host[i]);
	host[i] = '\0';
	if (s->device_id && s->device_id[0] && !(kid = fl_intern(r->pool, s->device_id)))
		goto nomem;
	if (host[0] && !fl_host_redacted(host) && !(khost = fl_intern(r->pool, host)))
		goto nomem;
	if (kid)
		idx = table_get(r->byid, kid);
	if (idx < 0 && khost) {
		long j = table_get(r->byhost, khost);
		if (j >= 0 && (!kid || !r->dev[j].device_id[0]))
			idx = j;
	}
	if (idx < 0) { /* a new device */
		if (grow((void **)&r->dev, &r->capdev, r->ndev, sizeof *r->dev))
			goto nomem;
		struct fl_device *d = &r->dev[r->ndev];
		memset(d, 0, sizeof *d);
		if (fill(r, d, s))
			goto nomem;
		d->results = 1;
		if ((kid && table_put(r->byid, kid, r->ndev)) ||
		    (khost && table_put(r->byhost, khost, r->ndev)))
			goto nomem;
		r->ndev++;
		return 0;
	}
	/* the same device again: the newer result wins; on a tie, the first
	 * read (inputs are read in a fixed order) */
	struct fl_device *d = &r->dev[idx];
	const char *identity = kid ? kid : khost;
	if (!(src = fl_intern(r->pool, s->source)))
		goto nomem;
	if (s->when > d->when) {
		const char *old = d->source;
		unsigned n = d->results;
		if (fill(r, d, s))
			goto nomem;
		d->results = n;
		if (add_dup(r, identity, d->source, old))
			goto nomem;
	} else if (add_dup(r, identity, d->source, src)) {
		goto nomem;
	}
	d->results++;
	if ((kid && table_put(r->byid, kid, (size_t)idx)) ||
	    (khost && table_put(r->byhost, khost, (size_t)idx)))
		goto nomem;
	return 0;
nomem:
	r->fail_nomem++;
	return -1;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

void fl_scratch_free(char *scratch[FL_SCRATCH])
{
	for (int i = 0; i < FL_SCRATCH; i++) {
		free(scratch[i]);
		scratch[i] = NULL;
	}
}

/* The route of the device's EDR channel: the first net.endpoint of the
 * "cnc" category (else the first one) as "SOURCE: ROUTE", "static: PROXY
 * p:8080", "none: DIRECT"; without records, the configured proxy. */
static char *route_of(const cJSON *model)
{
	const cJSON *f, *pick = NULL;
	char buf[600];
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(model, "findings"))
	{
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		if (strcmp(str(f, "id"), "net.endpoint"))
			continue;
		if (!pick)
			pick = ev;
		if (strcmp(str(ev, "category"), "cnc") == 0) {
			pick = ev;
			break;
		}
	}
	if (pick) {
		snprintf(buf, sizeof buf, "%.60s: %.500s",
			 str(pick, "proxy_source")[0] ? str(pick, "proxy_source") : "?",
			 str(pick, "route"));
	} else {
		const cJSON *d = cJSON_GetObjectItemCaseSensitive(model, "device");
		if (str(d, "static_proxy")[0])
			snprintf(buf, sizeof buf, "static: PROXY %.500s", str(d, "static_proxy"));
		else if (str(d, "winhttp_proxy")[0])
			snprintf(buf, sizeof buf, "winhttp: PROXY %.500s", str(d, "winhttp_proxy"));
		else
			buf[0] = '\0'; /* not probed, no proxy configured: not known */
	}
	return strdup(buf);
}

/* "id[/variant]" of each error and warning but the verdict and its cause,
 * each once, comma-joined, at most 4 kB. */
static char *findings_of(const cJSON *model, const char *cause, const char *variant)
{
	size_t cap = 4096, len = 0;
	char *out = malloc(cap), one[200];
	const cJSON *f;
	if (!out)
		return NULL;
	out[0] = '\0';
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(model, "findings"))
	{
		const char *sev = str(f, "severity"), *id = str(f, "id"), *var = str(f, "variant");
		if ((strcmp(sev, "error") && strcmp(sev, "warning")) ||
		    strcmp(id, "verdict") == 0 ||
		    (strcmp(id, cause) == 0 && strcmp(var, variant) == 0) || strchr(id, ','))
			continue;
		snprintf(one, sizeof one, "%.100s%s%.80s", id, var[0] ? "/" : "", var);
		if (strchr(one, ','))
			continue;
		/* once each: look for ",one," in ",out," */
		size_t n = strlen(one);
		const char *p = out;
		int seen = 0;
		while ((p = strstr(p, one))) {
			if ((p == out || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
				seen = 1;
				break;
			}
			p += n;
		}
		if (seen || len + n + 2 > cap)
			continue;
		if (len)
			out[len++] = ',';
		memcpy(out + len, one, n + 1);
		len += n;
	}
	return out;
}

int fl_summary_from_model(struct fl_run *r, const cJSON *model, const char *source,
			  const char *kind, const char *site, int64_t when, struct fl_summary *s,
			  char *scratch[FL_SCRATCH], char *err, size_t errsz)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *ev = cJSON_GetObjectItemCaseSensitive(v, "evidence");
	memset(s, 0, sizeof *s);
	if (!cJSON_IsObject(d) || !cJSON_IsObject(v) || !str(v, "id")[0]) {
		snprintf(err, errsz, "%s",
			 !cJSON_IsObject(d) ? "$.device: missing" : "$.verdict.id: missing");
		return -1;
	}
	s->host = str(d, "hostname");
	s->device_id = str(d, "device_id");
	s->source = source;
	s->kind = kind;
	s->when = when;
	s->cause = str(v, "id");
	s->variant = str(v, "variant");
	s->severity = str(v, "severity");
	s->rule = str(v, "rule");
	s->title = str(v, "title");
	s->next = str(v, "next_step");
	s->incomplete = "";
	if (strcmp(s->rule, "not-determined") == 0) {
		const cJSON *g =
			cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(v, "to_check"), 0);
		s->incomplete = str(g, "reason")[0] ? str(g, "reason") : "facts-missing";
	}
	if (strcmp(kind, "report") == 0) {
		/* a report read back may be in another language: say it in ours */
		char *t = dx_catalog_render_ev(r->cat, s->cause, s->variant, "title", ev);
		char *g = s->incomplete[0] ? NULL
					   : dx_catalog_render_ev(r->cat, s->cause, s->variant,
								  "guidance", ev);
		scratch[0] = t;
		scratch[1] = g;
		if (t && t[0])
			s->title = t;
		if (g && g[0])
			s->next = g;
		if (s->incomplete[0]) {
			char key[64];
			snprintf(key, sizeof key, "reason.%.50s", s->incomplete);
			const char *how = dx_catalog_ui(r->cat, key);
			if (strcmp(how, key))
				s->next = how;
		}
	}
	/* the command of the next step; none when the step is "check again" */
	scratch[2] = s->incomplete[0]
			     ? NULL
			     : dx_catalog_render_ev(r->cat, s->cause, s->variant, "command", ev);
	s->command = scratch[2] ? scratch[2] : "";
	scratch[3] = findings_of(model, s->cause, s->variant);
	scratch[4] = route_of(model);
	if (!scratch[3] || !scratch[4]) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	s->findings = scratch[3];
	const cJSON *sense = cJSON_GetObjectItemCaseSensitive(d, "sense");
	const cJSON *av = cJSON_GetObjectItemCaseSensitive(d, "defender_av");
	s->facts[FL_OS_BUILD] = str(d, "build_ubr");
	s->facts[FL_SENSE_VERSION] = str(sense, "version");
	s->facts[FL_PLATFORM_VERSION] = str(av, "platform");
	s->facts[FL_ONBOARDING] = str(d, "onboarding_method");
	s->facts[FL_STREAMLINED] =
		strcmp(str(d, "streamlined"), "unknown") ? str(d, "streamlined") : "";
	s->facts[FL_REGION] = str(d, "geo");
	s->facts[FL_PROXY] = scratch[4];
	s->facts[FL_SITE] = site;
	return 0;
}
