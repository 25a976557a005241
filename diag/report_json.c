/* report_json.c - the report model, and its JSON form (the contract of
 * docs/report.schema.json: findings[].id/severity/evidence, verdict.id, device). */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "utf8.h"

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (!v)
		v = "";
	if (dx_utf8_valid(v)) { /* the usual case: no copy to clean */
		cJSON_AddStringToObject(o, k, v);
		return;
	}
	char *clean = dx_utf8_clean(v);
	if (clean)
		cJSON_AddStringToObject(o, k, clean);
	free(clean);
}

static void add_rendered(cJSON *o, const char *k, const struct dx_catalog *cat,
			 const struct dx_finding *f, const char *field)
{
	char *s = dx_catalog_render(cat, f, field);
	add_str(o, k, s ? s : "");
	free(s);
}

/* One finding as the report shows it: id, variant, severity, its article
 * section (so writers need not know the check table), the prose
 * rendered from the catalog (guidance under `guidance_key`), and its
 * evidence with any catalog steps rendered into it. The findings list and
 * the verdict both use it. */
static void add_finding(cJSON *o, const struct dx_catalog *cat, const struct dx_finding *f,
			enum dx_severity sev, const char *guidance_key)
{
	add_str(o, "id", f->id);
	if (f->variant[0])
		add_str(o, "variant", f->variant);
	add_str(o, "severity", dx_severity_name(sev));
	add_str(o, "section", dx_check_section(f->id));
	add_str(o, "outcome", dx_outcome_name(dx_outcome(f)));
	if (dx_outcome(f) == DX_UNDETERMINED)
		add_str(o, "reason", f->reason);
	add_rendered(o, "title", cat, f, "title");
	add_rendered(o, "detail", cat, f, "detail");
	add_rendered(o, guidance_key, cat, f, "guidance");
	cJSON *ev = cJSON_Duplicate(f->evidence, 1);
	dx_catalog_render_steps(cat, f->id, f->variant, ev);
	cJSON_AddItemToObject(o, "evidence", ev);
}

static cJSON *device_model(const struct dx_facts *d)
{
	char build_ubr[32];
	cJSON *dev = cJSON_CreateObject(), *sense, *mdav;
	if (!dev)
		return NULL;
	add_str(dev, "hostname", d->hostname);
	add_str(dev, "product", d->product);
	add_str(dev, "edition", d->edition);
	add_str(dev, "installation_type", d->install_type);
	add_str(dev, "architecture", d->arch);
	add_str(dev, "display_version", d->display_version);
	cJSON_AddNumberToObject(dev, "build", d->build);
	cJSON_AddNumberToObject(dev, "ubr", d->ubr);
	snprintf(build_ubr, sizeof build_ubr, "%u.%u", (unsigned)d->build, (unsigned)d->ubr);
	add_str(dev, "build_ubr", d->os_known ? build_ubr : "");
	sense = cJSON_AddObjectToObject(dev, "sense");
	if (sense) {
		add_str(sense, "exists",
			d->sense_exists < 0 ? "unknown"
			: d->sense_exists   ? "yes"
					    : "no");
		add_str(sense, "state", d->sense_state ? dx_svc_state_name(d->sense_state) : "");
		add_str(sense, "start_type",
			d->sense_start_type >= 0 ? dx_svc_start_name(d->sense_start_type) : "");
		add_str(sense, "version", d->sense_version);
	}
	mdav = cJSON_AddObjectToObject(dev, "defender_av");
	if (mdav) {
		add_str(mdav, "state", d->mdav_state ? dx_svc_state_name(d->mdav_state) : "");
		add_str(mdav, "platform", d->mdav_platform);
		add_str(mdav, "signatures", d->mdav_signatures);
		add_str(mdav, "mode", d->mdav_mode);
		add_str(mdav, "tamper_protection", d->tamper_protection);
	}
	add_str(dev, "onboarding_method", d->onboarding_method);
	add_str(dev, "org_id", d->org_id);
	add_str(dev, "device_id", d->device_id);
	add_str(dev, "streamlined", d->streamlined < 0 ? "unknown" : d->streamlined ? "yes" : "no");
	add_str(dev, "geo", d->geo);
	add_str(dev, "datacenter", d->datacenter);
	add_str(dev, "winhttp_proxy", d->winhttp_proxy);
	add_str(dev, "static_proxy", d->static_proxy);
	return dev;
}

/* What could not be checked: each undetermined finding, its reason, and
 * how to check it after all (the catalog's "reason.<reason>" text). */
static cJSON *not_determined(const struct dx_ctx *c, const struct dx_catalog *cat)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		char key[48];
		if (dx_outcome(f) != DX_UNDETERMINED)
			continue;
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		add_str(o, "id", f->id);
		if (f->variant[0])
			add_str(o, "variant", f->variant);
		add_str(o, "reason", f->reason);
		add_rendered(o, "title", cat, f, "title");
		snprintf(key, sizeof key, "reason.%s", f->reason);
		add_str(o, "how", dx_catalog_ui(cat, key));
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* The undetermined checks grouped by reason, in the order of their first
 * appearance (so the reason of the check the verdict names comes first):
 * [{reason, how, ids: [...]}]. "Run elevated" is then said once. */
static cJSON *to_check(const cJSON *nd)
{
	cJSON *groups = cJSON_CreateArray();
	const cJSON *u;
	cJSON_ArrayForEach(u, nd)
	{
		const cJSON *reason = cJSON_GetObjectItemCaseSensitive(u, "reason");
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(u, "id");
		cJSON *g = NULL, *it;
		if (!groups || !cJSON_IsString(reason) || !cJSON_IsString(id))
			continue;
		cJSON_ArrayForEach(it,
				   groups) if (strcmp(cJSON_GetObjectItemCaseSensitive(it, "reason")
							      ->valuestring,
						      reason->valuestring) == 0) g = it;
		if (!g) {
			g = cJSON_CreateObject();
			if (!g)
				continue;
			cJSON_AddStringToObject(g, "reason", reason->valuestring);
			cJSON_AddItemToObject(
				g, "how",
				cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(u, "how"), 0));
			cJSON_AddArrayToObject(g, "ids");
			cJSON_AddItemToArray(groups, g);
		}
		cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(g, "ids"),
				     cJSON_CreateString(id->valuestring));
	}
	return groups;
}

cJSON *dx_report_model(const struct dx_ctx *c, const struct dx_catalog *cat,
		       const struct dx_report_meta *meta)
{
	cJSON *root = cJSON_CreateObject(), *tool, *findings, *summary, *verdict;
	char when[32];
	int counts[3] = {0, 0, 0};
	if (!root)
		return NULL;
	tool = cJSON_AddObjectToObject(root, "tool");
	if (tool) {
		add_str(tool, "name", "mdediag");
		add_str(tool, "version", DX_VERSION);
	}
	add_str(root, "platform", meta->platform);
	add_str(root, "source", meta->source);
	dx_format_time(dx_now(c->p), when);
	add_str(root, "generated_at", when);
	cJSON_AddItemToObject(root, "device", device_model(&c->facts));

	const struct dx_finding *vf = dx_find(&c->findings, "verdict");
	findings = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; findings && i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		cJSON *o = cJSON_CreateObject();
		if (!o)
			break;
		if (meta->lean) {
			add_str(o, "id", f->id);
			if (f->variant[0])
				add_str(o, "variant", f->variant);
			add_str(o, "severity", dx_severity_name(f->severity));
			add_str(o, "section", dx_check_section(f->id));
			add_str(o, "outcome", dx_outcome_name(dx_outcome(f)));
			if (strcmp(f->id, "net.endpoint") == 0) /* read, not copied */
				cJSON_AddItemReferenceToObject(o, "evidence", f->evidence);
		} else {
			add_finding(o, cat, f, f->severity, "guidance");
		}
		cJSON_AddItemToArray(findings, o);
		if (f != vf)
			counts[f->severity]++;
	}
	summary = cJSON_AddObjectToObject(root, "summary");
	if (summary) {
		cJSON_AddNumberToObject(summary, "error", counts[DX_SEV_ERROR]);
		cJSON_AddNumberToObject(summary, "warning", counts[DX_SEV_WARNING]);
		cJSON_AddNumberToObject(summary, "info", counts[DX_SEV_INFO]);
	}

	/* the verdict: its cause's ID, rendered with the cause's evidence */
	verdict = cJSON_AddObjectToObject(root, "verdict");
	const cJSON *cause_id = vf ? cJSON_GetObjectItemCaseSensitive(vf->evidence, "cause") : NULL;
	const cJSON *cause_var =
		vf ? cJSON_GetObjectItemCaseSensitive(vf->evidence, "cause_variant") : NULL;
	const struct dx_finding *cause = NULL;
	for (size_t i = 0; cJSON_IsString(cause_id) && !cause && i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (strcmp(f->id, cause_id->valuestring) == 0 &&
		    strcmp(f->variant, cJSON_IsString(cause_var) ? cause_var->valuestring : "") ==
			    0)
			cause = f;
	}
	if (verdict && cause) {
		/* the cause, with the verdict's (worst) severity */
		add_finding(verdict, cat, cause, vf->severity, "next_step");
	} else if (verdict) {
		add_str(verdict, "id", "reonboard.plan");
		add_str(verdict, "section", dx_check_section("reonboard.plan"));
		add_str(verdict, "severity", "info");
	}
	if (verdict && vf) {
		const cJSON *rule = cJSON_GetObjectItemCaseSensitive(vf->evidence, "rule");
		add_str(verdict, "rule", cJSON_IsString(rule) ? rule->valuestring : "");
		cJSON *nd = not_determined(c, cat);
		cJSON_AddItemToObject(verdict, "not_determined", nd);
		cJSON_AddItemToObject(verdict, "to_check", to_check(nd));
		/* rule 3: the next step is how to check what could not be
		 * checked, said once per reason ("run elevated"), not the
		 * named check's own advice */
		if (cJSON_IsString(rule) && strcmp(rule->valuestring, "not-determined") == 0 &&
		    cJSON_GetArraySize(nd) > 0) {
			const cJSON *first = cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(verdict, "to_check"), 0);
			const cJSON *how = cJSON_GetObjectItemCaseSensitive(first, "how");
			if (cJSON_IsString(how))
				cJSON_ReplaceItemInObjectCaseSensitive(
					verdict, "next_step", cJSON_CreateString(how->valuestring));
		}
	}
	return root;
}

int dx_report_json(FILE *out, const cJSON *model)
{
	char *s = cJSON_Print(model);
	if (!s)
		return -1;
	int rc = fputs(s, out) < 0 || fputc('\n', out) == EOF ? -1 : 0;
	free(s);
	return rc;
}
