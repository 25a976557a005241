/* fleet_json.c - the fleet result for scripts (JSON) and for log
 * pipelines (JSON Lines, one device a line). The JSON contract
 * (docs/fleet.md): {"devices": N, "unreadable": K, "causes": [{"id",
 * "devices", ...}]}, causes ranked by devices. With --redact no host name,
 * device ID or file name appears: devices are tokens (device-N).
 */
#include <stdlib.h>
#include <string.h>
#include "fleet.h"
#include "finding.h"
#include "platform.h"
#include "report.h"
#include "utf8.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
	char *clean = dx_utf8_clean(v ? v : "");
	if (clean)
		cJSON_AddStringToObject(o, k, clean);
	free(clean);
}

static double share(size_t n, size_t of)
{
	return of ? (double)(long)((double)n / (double)of * 10000 + 0.5) / 10000 : 0;
}

/* A path as output may show it: with --redact, its folder only. */
const char *fl_shown_source(const struct fl_run *r, const char *src, char *buf, size_t sz)
{
	if (!r->redact)
		return src;
	const char *slash = strrchr(src, '/'), *bs = strrchr(src, '\\');
	if (bs && (!slash || bs > slash))
		slash = bs; /* a Windows path */
	snprintf(buf, sz, "%.*s/(file name withheld: --redact)",
		 (int)(slash ? (size_t)(slash - src) : 1), slash ? src : ".");
	return buf;
}

static cJSON *cause_json(const struct fl_run *r, const struct fl_result *res,
			 const struct fl_cause *c, int incomplete)
{
	cJSON *o = cJSON_CreateObject(), *split, *hosts;
	if (!o)
		return NULL;
	add_str(o, "id", c->id);
	if (c->variant[0])
		add_str(o, "variant", c->variant);
	cJSON_AddNumberToObject(o, "devices", (double)c->n);
	cJSON_AddNumberToObject(o, "share", share(c->n, res->devices));
	if (!incomplete) {
		add_str(o, "severity", c->severity);
		add_str(o, "title", c->title);
	}
	add_str(o, "next_step", c->next);
	if (c->command[0])
		add_str(o, "command", c->command);
	if (r->n_group_by && !incomplete) {
		cJSON *g = cJSON_AddObjectToObject(o, "group");
		for (size_t i = 0; g && i < r->n_group_by; i++)
			add_str(g, fl_fact_names[r->group_by[i]], c->group[r->group_by[i]]);
	}
	split = cJSON_AddObjectToObject(o, "split");
	for (int f = 0; split && f < FL_NFACTS; f++) {
		cJSON *arr = cJSON_AddArrayToObject(split, fl_fact_names[f]);
		for (size_t i = 0; arr && i < c->nsplit[f]; i++) {
			cJSON *v = cJSON_CreateObject();
			if (!v)
				break;
			add_str(v, "value", c->split[f][i].value);
			cJSON_AddNumberToObject(v, "devices", (double)c->split[f][i].n);
			cJSON_AddItemToArray(arr, v);
		}
	}
	cJSON *pat = cJSON_AddArrayToObject(o, "patterns");
	for (int f = 0; pat && f < FL_NFACTS; f++) {
		cJSON *v;
		if (!c->pattern[f] || !(v = cJSON_CreateObject()))
			continue;
		add_str(v, "fact", fl_fact_names[f]);
		add_str(v, "value", c->split[f][0].value);
		cJSON_AddNumberToObject(v, "devices", (double)c->split[f][0].n);
		cJSON_AddNumberToObject(v, "share", share(c->split[f][0].n, c->n));
		cJSON_AddNumberToObject(
			v, "fleet_share",
			share(fl_fleet_count(res, f, c->split[f][0].value), res->devices));
		cJSON_AddItemToArray(pat, v);
	}
	hosts = cJSON_AddArrayToObject(o, "hosts");
	for (size_t i = 0; hosts && i < c->nmembers; i++) {
		char *clean = dx_utf8_clean(res->name[c->members[i]]);
		if (clean)
			cJSON_AddItemToArray(hosts, cJSON_CreateString(clean));
		free(clean);
	}
	return o;
}

int fl_write_json(FILE *out, const struct fl_run *r, const struct fl_result *res)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char buf[4200];
	if (!root)
		return -1;
	cJSON *tool = cJSON_AddObjectToObject(root, "tool");
	if (tool) {
		add_str(tool, "name", "mdediag fleet");
		add_str(tool, "version", DX_VERSION);
	}
	cJSON_AddNumberToObject(root, "devices", (double)res->devices);
	cJSON_AddNumberToObject(root, "unreadable", (double)r->nbad);
	cJSON_AddNumberToObject(root, "files", (double)r->files);
	cJSON_AddNumberToObject(root, "results", (double)r->results);
	cJSON_AddNumberToObject(root, "duplicate_results", (double)r->ndups);
	cJSON_AddNumberToObject(root, "complete", (double)(res->devices - res->incomplete_n));
	cJSON_AddBoolToObject(root, "redacted", r->redact);
	if (r->n_group_by) {
		arr = cJSON_AddArrayToObject(root, "group_by");
		for (size_t i = 0; arr && i < r->n_group_by; i++)
			cJSON_AddItemToArray(arr,
					     cJSON_CreateString(fl_fact_names[r->group_by[i]]));
	}
	arr = cJSON_AddArrayToObject(root, "causes");
	for (size_t i = 0; arr && i < res->ncauses; i++)
		cJSON_AddItemToArray(arr, cause_json(r, res, &res->causes[i], 0));
	cJSON *inc = cJSON_AddObjectToObject(root, "incomplete");
	if (inc) {
		cJSON_AddNumberToObject(inc, "devices", (double)res->incomplete_n);
		arr = cJSON_AddArrayToObject(inc, "reasons");
		for (size_t i = 0; arr && i < res->nincomplete; i++)
			cJSON_AddItemToArray(arr, cause_json(r, res, &res->incomplete[i], 1));
	}
	arr = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; arr && i < res->nfindings; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		add_str(o, "id", res->findings[i].value);
		cJSON_AddNumberToObject(o, "devices", (double)res->findings[i].n);
		cJSON_AddNumberToObject(o, "share", share(res->findings[i].n, res->devices));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "duplicates");
	for (size_t i = 0; arr && i < r->ndups; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		if (!r->redact)
			add_str(o, "identity", r->dups[i].identity);
		add_str(o, "kept", fl_shown_source(r, r->dups[i].kept, buf, sizeof buf));
		add_str(o, "dropped", fl_shown_source(r, r->dups[i].dropped, buf, sizeof buf));
		cJSON_AddItemToArray(arr, o);
	}
	arr = cJSON_AddArrayToObject(root, "unreadable_inputs");
	for (size_t i = 0; arr && i < r->nbad; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		add_str(o, "source", fl_shown_source(r, r->bad[i].source, buf, sizeof buf));
		add_str(o, "reason", r->bad[i].reason);
		cJSON_AddItemToArray(arr, o);
	}
	int rc = dx_report_json(out, root);
	cJSON_Delete(root);
	return rc;
}

int fl_write_jsonl(FILE *out, const struct fl_run *r, const struct fl_result *res)
{
	char buf[4200], when[32];
	for (size_t k = 0; k < res->devices; k++) {
		const struct fl_device *d = &r->dev[res->order[k]];
		cJSON *o = cJSON_CreateObject(), *arr;
		if (!o)
			return -1;
		add_str(o, "device", res->name[res->order[k]]);
		if (!r->redact)
			add_str(o, "device_id", d->device_id);
		add_str(o, "verdict", d->cause);
		add_str(o, "variant", d->variant);
		add_str(o, "severity", d->severity);
		add_str(o, "rule", d->rule);
		add_str(o, "incomplete", d->incomplete);
		arr = cJSON_AddArrayToObject(o, "findings");
		for (const char *p = d->findings; arr && *p;) {
			size_t l = strcspn(p, ",");
			snprintf(buf, sizeof buf, "%.*s", (int)(l < 4000 ? l : 4000), p);
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
			p += l;
			if (*p)
				p++;
		}
		for (int f = 0; f < FL_NFACTS; f++)
			add_str(o, fl_fact_names[f], d->facts[f]);
		if (d->when > 0) {
			dx_format_time(d->when, when);
			add_str(o, "time", when);
		} else {
			add_str(o, "time", "");
		}
		add_str(o, "kind", d->kind);
		add_str(o, "source", fl_shown_source(r, d->source, buf, sizeof buf));
		cJSON_AddNumberToObject(o, "results", d->results);
		char *s = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		if (!s)
			return -1;
		int bad = fputs(s, out) < 0 || fputc('\n', out) == EOF;
		free(s);
		if (bad)
			return -1;
	}
	return ferror(out) ? -1 : 0;
}
