/* hx_coverage.c - the coverage table (see hx_coverage.h). */
#include <string.h>
#include "hx_coverage.h"
#include "hx_json.h"
#include "hx_match.h"

#define HX_TABLE_NAMES 3 /* scenario names shown per ID */

static int produces(const struct hx_scenario *s, const char *id)
{
	if (s->outcome != HX_PASS || !s->report)
		return 0;
	return strcmp(id, "verdict") == 0 || hx_report_has(s->report, id);
}

size_t hx_coverage_print(FILE *f, const struct hx_idlist *ids, struct hx_scenario *const *sc,
			 size_t n)
{
	size_t uncovered = 0, width = 0;
	for (size_t i = 0; i < ids->n; i++)
		if (strlen(ids->id[i]) > width)
			width = strlen(ids->id[i]);
	fprintf(f, "\n%-*s  %5s  %s\n", (int)width, "check ID", "count", "passing scenarios");
	for (size_t i = 0; i < ids->n; i++) {
		const char *id = ids->id[i];
		size_t count = 0;
		for (size_t k = 0; k < n; k++)
			count += produces(sc[k], id);
		fprintf(f, "%-*s  %5zu  ", (int)width, id, count);
		if (count == 0) {
			fputs("UNCOVERED\n", f);
			uncovered++;
			continue;
		}
		if (strcmp(id, "verdict") == 0) {
			fputs("(every passing scenario)\n", f);
			continue;
		}
		size_t shown = 0;
		for (size_t k = 0; k < n && shown < HX_TABLE_NAMES; k++)
			if (produces(sc[k], id))
				fprintf(f, "%s%s", shown++ ? ", " : "", sc[k]->name);
		if (count > shown)
			fprintf(f, ", +%zu more", count - shown);
		fputc('\n', f);
	}
	return uncovered;
}

int hx_coverage_json(const char *path, const struct hx_idlist *ids, struct hx_scenario *const *sc,
		     size_t n, char *err, size_t errsz)
{
	cJSON *root = cJSON_CreateObject();
	if (!root) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < ids->n; i++) {
		cJSON *list = cJSON_AddArrayToObject(root, ids->id[i]);
		for (size_t k = 0; list && k < n; k++)
			if (produces(sc[k], ids->id[i]))
				cJSON_AddItemToArray(list, cJSON_CreateString(sc[k]->name));
	}
	int rc = hx_json_write(path, root, err, errsz);
	cJSON_Delete(root);
	return rc;
}
