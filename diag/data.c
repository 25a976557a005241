/* data.c - finds and parses the embedded data files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "win32_args.h"
#include "data.h"
#include "jsontext.h"
#include "readfile.h"

const struct dx_embedded *dx_embedded_find(const char *name)
{
	for (const struct dx_embedded *e = dx_embedded; e->name; e++)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static cJSON *parse_embedded(const char *name, char *err, size_t errsz)
{
	const struct dx_embedded *e = dx_embedded_find(name);
	cJSON *j = e ? cJSON_ParseWithLength(e->data, e->len) : NULL;
	if (!j)
		snprintf(err, errsz, "%s: embedded data file missing or not JSON", name);
	return j;
}

static cJSON *parse_file(const char *path, char *err, size_t errsz)
{
	enum { MAX = 1 << 20 };
	size_t n;
	char *buf = dx_read_file(path, MAX, &n, err, errsz);
	cJSON *j = NULL;
	if (!buf)
		return NULL;
	char why[160];
	if (dx_json_text_check(buf, n, why, sizeof why)) {
		snprintf(err, errsz, "%s: %s", path, why);
		free(buf);
		return NULL;
	}
	if (!(j = cJSON_ParseWithLength(buf, n)) || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		j = NULL;
		snprintf(err, errsz, "%s: not a JSON object", path);
	}
	free(buf);
	return j;
}

int dx_data_load(struct dx_data *d, const char *baselines_path, char *err, size_t errsz)
{
	memset(d, 0, sizeof *d);
	d->destinations = parse_embedded("destinations.json", err, errsz);
	d->baselines = baselines_path ? parse_file(baselines_path, err, errsz)
				      : parse_embedded("baselines.json", err, errsz);
	if (d->destinations && d->baselines)
		d->sense_events = parse_embedded("sense-events.json", err, errsz);
	if (d->sense_events)
		d->trust = parse_embedded("trust.json", err, errsz);
	if (d->trust)
		d->deploytool = parse_embedded("deployment-tool.json", err, errsz);
	if (!d->destinations || !d->baselines || !d->sense_events || !d->trust || !d->deploytool) {
		dx_data_free(d);
		return -1;
	}
	return 0;
}

void dx_data_free(struct dx_data *d)
{
	cJSON_Delete(d->destinations);
	cJSON_Delete(d->baselines);
	cJSON_Delete(d->sense_events);
	cJSON_Delete(d->trust);
	cJSON_Delete(d->deploytool);
	memset(d, 0, sizeof *d);
}
