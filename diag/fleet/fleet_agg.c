/* fleet_agg.c - the causes ranked by devices (docs/fleet.md, "Causes").
 *
 * Each device counts once, under its verdict: the complete diagnoses under
 * their cause (check ID and variant, and the values of the --group-by
 * facts), the incomplete ones (verdict rule 3: not elevated, network not
 * tested, ...) apart, under their reason. Causes are ranked by devices,
 * ties by check ID; each carries its split by every fact, most frequent
 * value first. The other errors and warnings are counted by devices too.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "fleet.h"

static const struct fl_run *g_run; /* qsort has no user pointer in C99 */

static const char *display(const struct fl_device *d)
{
	return d->host[0] ? d->host : d->device_id;
}

static int cmp_key(const struct fl_device *a, const struct fl_device *b)
{
	int c;
	int ia = a->incomplete[0] != 0, ib = b->incomplete[0] != 0;
	if (ia != ib)
		return ia - ib;
	if (ia)
		return strcmp(a->incomplete, b->incomplete);
	if ((c = strcmp(a->cause, b->cause)) || (c = strcmp(a->variant, b->variant)))
		return c;
	for (size_t i = 0; i < g_run->n_group_by; i++)
		if ((c = strcmp(a->facts[g_run->group_by[i]], b->facts[g_run->group_by[i]])))
			return c;
	return 0;
}

static int by_key_then_name(const void *x, const void *y)
{
	const struct fl_device *a = &g_run->dev[*(const size_t *)x];
	const struct fl_device *b = &g_run->dev[*(const size_t *)y];
	int c = cmp_key(a, b);
	if (c)
		return c;
	if ((c = strcmp(display(a), display(b))))
		return c;
	return strcmp(a->source, b->source);
}

static int by_devices(const void *x, const void *y)
{
	const struct fl_cause *a = x, *b = y;
	int c;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	if ((c = strcmp(a->id, b->id)) || (c = strcmp(a->variant, b->variant)))
		return c;
	for (int i = 0; i < FL_NFACTS; i++)
		if ((c = strcmp(a->group[i] ? a->group[i] : "", b->group[i] ? b->group[i] : "")))
			return c;
	return 0;
}

static int by_count(const void *x, const void *y)
{
	const struct fl_count *a = x, *b = y;
	if (a->n != b->n)
		return a->n > b->n ? -1 : 1;
	return strcmp(a->value, b->value);
}

static int by_ptr(const void *x, const void *y)
{
	const char *a = *(const char *const *)x, *b = *(const char *const *)y;
	return strcmp(a, b);
}

/* Values and their counts, most frequent first. */
static int count_values(const char **vals, size_t n, struct fl_count **out, size_t *nout)
{
	qsort(vals, n, sizeof *vals, by_ptr);
	struct fl_count *c = malloc((n ? n : 1) * sizeof *c);
	size_t k = 0;
	if (!c)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (k && strcmp(c[k - 1].value, vals[i]) == 0)
			c[k - 1].n++;
		else
			c[k++] = (struct fl_count){vals[i], 1};
	}
	qsort(c, k, sizeof *c, by_count);
	*out = c;
	*nout = k;
	return 0;
}

/* The most frequent value of a field among the members (interned
 * pointers), the first member's on a tie. */
static const char *most(const struct fl_run *r, const size_t *m, size_t n, size_t off)
{
	const char *best = NULL;
	size_t bestn = 0;
	for (size_t i = 0; i < n && i < 64; i++) {
		const char *v = *(const char *const *)((const char *)&r->dev[m[i]] + off);
		size_t k = 0;
		for (size_t j = 0; j < n; j++)
			k += *(const char *const *)((const char *)&r->dev[m[j]] + off) == v;
		if (k > bestn)
			best = v, bestn = k;
	}
	return best ? best : "";
}

static int make_cause(struct fl_run *r, struct fl_cause *c, size_t *m, size_t n)
{
	const struct fl_device *d = &r->dev[m[0]];
	const char **vals = malloc(n * sizeof *vals);
	memset(c, 0, sizeof *c);
	if (!vals)
		return -1;
	c->members = m;
	c->nmembers = c->n = n;
	c->id = d->incomplete[0] ? d->incomplete : d->cause;
	c->variant = d->incomplete[0] ? "" : d->variant;
	c->severity = most(r, m, n, offsetof(struct fl_device, severity));
	c->title = most(r, m, n, offsetof(struct fl_device, title));
	c->next = most(r, m, n, offsetof(struct fl_device, next));
	c->command = most(r, m, n, offsetof(struct fl_device, command));
	for (size_t g = 0; !d->incomplete[0] && g < r->n_group_by; g++)
		c->group[r->group_by[g]] = d->facts[r->group_by[g]];
	for (int f = 0; f < FL_NFACTS; f++) {
		for (size_t i = 0; i < n; i++)
			vals[i] = r->dev[m[i]].facts[f];
		if (count_values(vals, n, &c->split[f], &c->nsplit[f])) {
			free(vals);
			return -1;
		}
	}
	free(vals);
	return 0;
}

int fl_aggregate(struct fl_run *r, struct fl_result *res)
{
	size_t n = r->ndev;
	memset(res, 0, sizeof *res);
	g_run = r;
	res->devices = n;
	res->order = malloc((n ? n : 1) * sizeof *res->order);
	res->name = calloc(n ? n : 1, sizeof *res->name);
	res->causes = malloc((n ? n : 1) * sizeof *res->causes);
	res->incomplete = malloc((n ? n : 1) * sizeof *res->incomplete);
	size_t *idx = malloc((n ? n : 1) * sizeof *idx);
	if (!res->order || !res->name || !res->causes || !res->incomplete || !idx) {
		free(idx);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort(idx, n, sizeof *idx, by_key_then_name);
	/* runs of one key are one cause; the members stay in idx, by name */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && cmp_key(&r->dev[idx[i]], &r->dev[idx[j]]) == 0)
			j++;
		int inc = r->dev[idx[i]].incomplete[0] != 0;
		struct fl_cause *c =
			inc ? &res->incomplete[res->nincomplete++] : &res->causes[res->ncauses++];
		if (make_cause(r, c, idx + i, j - i))
			goto nomem;
		if (inc)
			res->incomplete_n += j - i;
		i = j;
	}
	qsort(res->causes, res->ncauses, sizeof *res->causes, by_devices);
	qsort(res->incomplete, res->nincomplete, sizeof *res->incomplete, by_devices);
	/* every device in report order: causes, then the incomplete */
	size_t k = 0;
	for (size_t i = 0; i < res->ncauses; i++)
		for (size_t j = 0; j < res->causes[i].nmembers; j++)
			res->order[k++] = res->causes[i].members[j];
	for (size_t i = 0; i < res->nincomplete; i++)
		for (size_t j = 0; j < res->incomplete[i].nmembers; j++)
			res->order[k++] = res->incomplete[i].members[j];
	/* members point into idx: copy them into order's storage instead */
	k = 0;
	for (size_t i = 0; i < res->ncauses; i++) {
		res->causes[i].members = res->order + k;
		k += res->causes[i].nmembers;
	}
	for (size_t i = 0; i < res->nincomplete; i++) {
		res->incomplete[i].members = res->order + k;
		k += res->incomplete[i].nmembers;
	}
	free(idx);
	idx = NULL;
	/* the fleet's own split, then which causes differ from it */
	{
		const char **vals = malloc((n ? n : 1) * sizeof *vals);
		if (!vals)
			goto nomem;
		for (int f = 0; f < FL_NFACTS; f++) {
			for (size_t i = 0; i < n; i++)
				vals[i] = r->dev[i].facts[f];
			if (count_values(vals, n, &res->all[f], &res->nall[f])) {
				free(vals);
				goto nomem;
			}
		}
		free(vals);
		for (size_t i = 0; i < res->ncauses + res->nincomplete; i++) {
			struct fl_cause *c = i < res->ncauses ? &res->causes[i]
							      : &res->incomplete[i - res->ncauses];
			for (int f = 0; f < FL_NFACTS; f++) {
				const struct fl_count *top = c->nsplit[f] ? &c->split[f][0] : NULL;
				if (!top || !top->value[0] || top->n < 2)
					continue;
				double here = (double)top->n / (double)c->n;
				double fleet =
					(double)fl_fleet_count(res, f, top->value) / (double)n;
				c->pattern[f] = here - fleet >= FL_PATTERN_GAP;
			}
		}
	}
	/* names: the host (with a piece of the device ID when the host is a
	 * redaction token), or a token of our own with --redact */
	for (size_t i = 0; i < n; i++) {
		const struct fl_device *d = &r->dev[res->order[i]];
		char nm[320];
		if (r->redact)
			snprintf(nm, sizeof nm, "device-%zu", i + 1);
		else if (fl_host_redacted(d->host) && d->device_id[0])
			snprintf(nm, sizeof nm, "%s (%.8s)", d->host, d->device_id);
		else
			snprintf(nm, sizeof nm, "%s", display(d)[0] ? display(d) : "?");
		if (!(res->name[res->order[i]] = fl_intern(r->pool, nm)))
			goto nomem;
	}
	/* the other findings, by devices */
	{
		size_t cap = 1024, m = 0;
		const char **vals = malloc(cap * sizeof *vals);
		if (!vals)
			goto nomem;
		for (size_t i = 0; i < n; i++) {
			const char *p = r->dev[i].findings;
			while (*p) {
				char one[256];
				size_t l = strcspn(p, ",");
				snprintf(one, sizeof one, "%.*s", (int)(l < 255 ? l : 255), p);
				if (m == cap) {
					const char **nv = realloc(vals, (cap *= 2) * sizeof *vals);
					if (!nv) {
						free(vals);
						goto nomem;
					}
					vals = nv;
				}
				if (!(vals[m++] = fl_intern(r->pool, one))) {
					free(vals);
					goto nomem;
				}
				p += l;
				if (*p)
					p++;
			}
		}
		int rc = count_values(vals, m, &res->findings, &res->nfindings);
		free(vals);
		if (rc)
			goto nomem;
	}
	return 0;
nomem:
	free(idx);
	return -1;
}

size_t fl_fleet_count(const struct fl_result *res, int f, const char *value)
{
	for (size_t i = 0; i < res->nall[f]; i++)
		if (res->all[f][i].value == value)
			return res->all[f][i].n;
	return 0;
}

void fl_result_free(struct fl_result *res)
{
	for (int f = 0; f < FL_NFACTS; f++)
		free(res->all[f]);
	for (size_t i = 0; i < res->ncauses; i++)
		for (int f = 0; f < FL_NFACTS; f++)
			free(res->causes[i].split[f]);
	for (size_t i = 0; i < res->nincomplete; i++)
		for (int f = 0; f < FL_NFACTS; f++)
			free(res->incomplete[i].split[f]);
	free(res->causes);
	free(res->incomplete);
	free(res->findings);
	free(res->order);
	free(res->name);
	memset(res, 0, sizeof *res);
}
