/* mc_dest.c - loads the destinations table and answers "what status does
 * this host give on this path". */
#include "mc_dest.h"
#include "mc_util.h"
#include "jsontext.h"
#include "readfile.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MC_DEST_MAX_FILE (4 << 20)

static char *str_member(const cJSON *o, const char *k)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(it) ? strdup(it->valuestring) : NULL;
}

int mc_dest_load(const char *file, struct mc_dest *d, char *err, size_t errlen)
{
	char *text = dx_read_file(file, MC_DEST_MAX_FILE, NULL, err, errlen);
	cJSON *root = NULL;
	const cJSON *rows, *it;
	int rc = -1, i = 0;

	memset(d, 0, sizeof(*d));
	if (!text)
		return -1;
	char why[160];
	if (dx_json_text_check(text, strlen(text), why, sizeof(why))) {
		mc_fmt(err, errlen, "%s: $: %s", file, why);
		goto out;
	}
	root = cJSON_Parse(text);
	if (!root) {
		mc_fmt(err, errlen, "%s: $: invalid JSON", file);
		goto out;
	}
	rows = cJSON_GetObjectItemCaseSensitive(root, "destinations");
	if (!cJSON_IsArray(rows)) {
		mc_fmt(err, errlen, "%s: $.destinations: missing or not an array", file);
		goto out;
	}
	d->rows = calloc((size_t)cJSON_GetArraySize(rows) + 1, sizeof(*d->rows));
	if (!d->rows)
		goto out;
	cJSON_ArrayForEach(it, rows)
	{
		struct mc_dest_row *r = &d->rows[d->nrows++];
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "expect");
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "port");
		r->id = str_member(it, "id");
		r->pattern = str_member(it, "pattern");
		r->host = str_member(it, "host");
		r->path = str_member(it, "path");
		if (!r->host || !r->path || r->path[0] != '/') {
			mc_fmt(err, errlen,
			       "%s: $.destinations[%d]: needs \"host\" and a \"path\" starting "
			       "with /",
			       file, i);
			goto out;
		}
		if (!cJSON_IsNumber(e) || e->valueint < 100 || e->valueint > 599) {
			mc_fmt(err, errlen, "%s: $.destinations[%d].expect: must be an HTTP status",
			       file, i);
			goto out;
		}
		r->expect = e->valueint;
		r->port = cJSON_IsNumber(p) ? p->valueint : 443;
		if (!r->pattern)
			r->pattern = strdup(r->host);
		i++;
	}
	rc = 0;
out:
	if (rc)
		mc_dest_free(d);
	cJSON_Delete(root);
	free(text);
	return rc;
}

void mc_dest_free(struct mc_dest *d)
{
	for (int i = 0; i < d->nrows; i++) {
		free(d->rows[i].id);
		free(d->rows[i].pattern);
		free(d->rows[i].host);
		free(d->rows[i].path);
	}
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

/* A row serves host when its concrete host is that name or its pattern
 * (wildcard) matches it. */
static int row_serves(const struct mc_dest_row *r, const char *host)
{
	if (!strchr(r->host, '{') && strcasecmp(r->host, host) == 0)
		return 1;
	return mc_host_match(r->pattern, host);
}

int mc_dest_status(const struct mc_dest *d, const char *host, const char *path, int *known,
		   int *is_test)
{
	size_t plen = strcspn(path, "?#");
	*known = 0;
	*is_test = 0;
	if (!host)
		return 404;
	for (int i = 0; i < d->nrows; i++) {
		const struct mc_dest_row *r = &d->rows[i];
		if (!row_serves(r, host))
			continue;
		*known = 1;
		if (strlen(r->path) == plen && strncmp(r->path, path, plen) == 0) {
			*is_test = 1;
			return r->expect;
		}
	}
	return 404;
}
