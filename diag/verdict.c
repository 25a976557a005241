/* verdict.c - the verdict: the rule that applies and the finding it names
 * (docs/verdict.md). A verdict is what an admin acts on, sometimes
 * destructively, so it names a cause only from evidence:
 *   1. the first error found, in article order (the specific cause stands
 *      before its symptom in dx_check_table); an OS this procedure does not
 *      cover (os.out-of-scope) counts here, since the article sends it to
 *      another procedure;
 *   2. else Sense not running (pending, paused, stopped): that alone keeps
 *      a device out of the portal;
 *   3. else, when a check that could explain the symptom was not
 *      determined, the verdict names it (the first in article order) and
 *      lists every undetermined check with its reason;
 *   4. only when every check ran, connectivity included, and none explains
 *      the symptom: the offboard / clean / re-onboard plan.
 * The verdict's severity is the worst severity found. */
#include <string.h>
#include "checks.h"

const char *dx_rule_name(enum dx_rule r)
{
	switch (r) {
	case DX_RULE_CAUSE: return "cause-found";
	case DX_RULE_SENSE_NOT_RUNNING: return "sense-not-running";
	case DX_RULE_NOT_DETERMINED: return "not-determined";
	case DX_RULE_NOTHING_FOUND: return "nothing-found";
	}
	return "nothing-found";
}

/* Can this finding's check explain the missing device (its table row)? */
static int explains(const struct dx_finding *f)
{
	int o = dx_check_order(f->id);
	return o >= 0 && (size_t)o < dx_check_table_len && dx_check_table[o].explains;
}

static int before(const struct dx_finding *a, const struct dx_finding *b)
{
	return !b || a->order < b->order || (a->order == b->order && a->seq < b->seq);
}

enum dx_rule dx_verdict_rule(const struct dx_ctx *c, const struct dx_finding **named)
{
	const struct dx_finding *cause = NULL, *undetermined = NULL;
	for (size_t i = 0; i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (strcmp(f->id, "verdict") == 0 || strcmp(f->id, "reonboard.plan") == 0)
			continue;
		int is_cause = dx_outcome(f) == DX_FOUND && (f->severity == DX_SEV_ERROR ||
							     strcmp(f->id, "os.out-of-scope") == 0);
		if (is_cause && before(f, cause))
			cause = f;
		if (dx_outcome(f) == DX_UNDETERMINED && explains(f) && before(f, undetermined))
			undetermined = f;
	}
	*named = cause;
	if (cause)
		return DX_RULE_CAUSE;
	const struct dx_facts *d = &c->facts;
	if (d->sense_exists == 1 && d->sense_state && d->sense_state != DX_SVC_RUNNING) {
		*named = dx_find(&c->findings,
				 d->sense_state == DX_SVC_STOPPED || d->sense_state == DX_SVC_PAUSED
					 ? "sense.stopped"
					 : "sense.pending");
		return DX_RULE_SENSE_NOT_RUNNING;
	}
	if (undetermined) {
		*named = undetermined;
		return DX_RULE_NOT_DETERMINED;
	}
	*named = dx_find(&c->findings, "reonboard.plan");
	return DX_RULE_NOTHING_FOUND;
}

void dx_check_verdict(struct dx_ctx *c)
{
	const struct dx_finding *named = NULL;
	enum dx_rule rule = dx_verdict_rule(c, &named);
	enum dx_severity worst = DX_SEV_INFO;
	int errors = 0, warnings = 0;
	for (size_t i = 0; i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (f->severity > worst)
			worst = f->severity;
		errors += f->severity == DX_SEV_ERROR;
		warnings += f->severity == DX_SEV_WARNING;
	}
	/* copied: dx_add below may move the findings */
	char id[64] = "reonboard.plan", variant[48] = "";
	if (named) {
		memcpy(id, named->id, sizeof id);
		memcpy(variant, named->variant, sizeof variant);
	}
	cJSON *nd = cJSON_CreateArray();
	for (size_t i = 0; nd && i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (dx_outcome(f) != DX_UNDETERMINED)
			continue;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", f->id);
		if (f->variant[0])
			cJSON_AddStringToObject(o, "variant", f->variant);
		cJSON_AddStringToObject(o, "reason", f->reason);
		cJSON_AddBoolToObject(o, "could_explain", explains(f));
		cJSON_AddItemToArray(nd, o);
	}
	struct dx_finding *v = dx_add(&c->findings, "verdict", worst, NULL);
	dx_ev_str(v, "cause", id);
	if (variant[0])
		dx_ev_str(v, "cause_variant", variant);
	dx_ev_str(v, "rule", dx_rule_name(rule));
	dx_ev_num(v, "rule_number", rule);
	dx_ev_num(v, "errors", errors);
	dx_ev_num(v, "warnings", warnings);
	if (nd)
		cJSON_AddItemToObject(v->evidence, "not_determined", nd);
}
