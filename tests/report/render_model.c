/* render_model.c - renders a report model read from a JSON file, for tests.
 *
 *   render_model MODEL.json text|html|intune|json en|ja [WIDTH [verbose]]
 *
 * The model's prose (titles, details, guidance, the verdict's) is rendered
 * again from the chosen catalog with each finding's evidence, the way
 * dx_report_model() does it, so a synthetic model (for example one with the
 * probe's network findings) reads like a real run in either language.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;
	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = '\0';
	else {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

static void set(cJSON *o, const char *k, char *v)
{
	if (cJSON_GetObjectItemCaseSensitive(o, k))
		cJSON_ReplaceItemInObjectCaseSensitive(o, k, cJSON_CreateString(v ? v : ""));
	else
		cJSON_AddStringToObject(o, k, v ? v : "");
	free(v);
}

static void rerender(cJSON *model, const struct dx_catalog *cat)
{
	cJSON *f, *v = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(model, "findings"))
	{
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		static const char *const fields[] = {"title", "detail", "guidance"};
		for (int i = 0; i < 3; i++)
			set(f, fields[i],
			    dx_catalog_render_ev(cat, str(f, "id"), str(f, "variant"), fields[i],
						 ev));
		dx_catalog_render_steps(cat, str(f, "id"), str(f, "variant"), (cJSON *)ev);
	}
	if (v && str(v, "id")[0]) {
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(v, "evidence");
		set(v, "title",
		    dx_catalog_render_ev(cat, str(v, "id"), str(v, "variant"), "title", ev));
		set(v, "detail",
		    dx_catalog_render_ev(cat, str(v, "id"), str(v, "variant"), "detail", ev));
		set(v, "next_step",
		    dx_catalog_render_ev(cat, str(v, "id"), str(v, "variant"), "guidance", ev));
		dx_catalog_render_steps(cat, str(v, "id"), str(v, "variant"), (cJSON *)ev);
	}
}

int main(int argc, char **argv)
{
	struct dx_catalog cat;
	char err[256];
	if (argc < 4) {
		fprintf(stderr,
			"usage: render_model MODEL.json text|html|intune|json en|ja [WIDTH]\n");
		return 2;
	}
	char *text = slurp(argv[1]);
	cJSON *model = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!model) {
		fprintf(stderr, "render_model: cannot read %s\n", argv[1]);
		return 2;
	}
	if (dx_catalog_load(&cat, argv[3], err, sizeof err)) {
		fprintf(stderr, "render_model: %s\n", err);
		return 2;
	}
	rerender(model, &cat);
	int rc;
	if (strcmp(argv[2], "html") == 0)
		rc = dx_report_html(stdout, model, &cat);
	else if (strcmp(argv[2], "intune") == 0)
		rc = dx_report_intune(stdout, model, &cat);
	else if (strcmp(argv[2], "json") == 0)
		rc = dx_report_json(stdout, model);
	else {
		struct dx_text_opts o = {argc > 4 ? atoi(argv[4]) : 80, 0,
					 argc > 5 && strcmp(argv[5], "verbose") == 0};
		rc = dx_report_text_opts(stdout, model, &cat, &o);
	}
	cJSON_Delete(model);
	dx_catalog_free(&cat);
	return rc ? 3 : 0;
}
