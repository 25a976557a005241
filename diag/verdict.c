/* verdict.c - the most likely cause: the first error finding in article
 * order (dx_check_table), or the re-onboarding plan when nothing is wrong.
 * The verdict's severity is the worst severity found. */
#include <string.h>
#include "checks.h"

void dx_check_verdict(struct dx_ctx *c)
{
	const struct dx_finding *cause = NULL;
	enum dx_severity worst = DX_SEV_INFO;
	int errors = 0, warnings = 0;
	for (size_t i = 0; i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (f->severity > worst)
			worst = f->severity;
		errors += f->severity == DX_SEV_ERROR;
		warnings += f->severity == DX_SEV_WARNING;
		if (f->severity == DX_SEV_ERROR &&
		    (!cause || f->order < cause->order ||
		     (f->order == cause->order && f->seq < cause->seq)))
			cause = f;
	}
	if (!cause)
		cause = dx_find(&c->findings, "reonboard.plan");
	char id[64] = "reonboard.plan", variant[48] = "";
	if (cause) {
		memcpy(id, cause->id, sizeof id);
		memcpy(variant, cause->variant, sizeof variant);
	}
	struct dx_finding *v = dx_add(&c->findings, "verdict", worst, NULL);
	dx_ev_str(v, "cause", id);
	if (variant[0])
		dx_ev_str(v, "cause_variant", variant);
	dx_ev_num(v, "errors", errors);
	dx_ev_num(v, "warnings", warnings);
}
