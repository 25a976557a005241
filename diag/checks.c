/* checks.c - the article-order table and the run of all sections.
 *
 * dx_check_table is the troubleshooting article's order (see
 * shared/spec/diagnosis.md) and therefore the verdict's order: the verdict
 * names the first error finding in this order. Within one branch of the
 * article the specific cause stands before the symptom it explains (a
 * WDATPOnboarding error event before "Sense is stopped", the Windows 11
 * capability before "Sense is missing", a denying proxy before "CnC
 * unreachable"), so the verdict names what to fix, not what was noticed.
 */
#include <string.h>
#include "checks.h"

const struct dx_check_id dx_check_table[] = {
	/* 1. prerequisites */
	{"os.unsupported", "prerequisites"},
	{"os.home-edition", "prerequisites"},
	{"os.out-of-scope", "prerequisites"},
	{"os.supported", "prerequisites"},
	{"os.unknown", "prerequisites"},
	/* 2. the Sense service and onboarding */
	{"sense.missing.server2016-agent", "sense"},
	{"sense.missing.win11-capability", "sense"},
	{"sense.missing.other", "sense"},
	{"sense.missing", "sense"},
	{"onboarding.event", "sense"},
	{"onboarding.intune", "sense"},
	{"onboarding.mdfc-extension", "sense"},
	{"onboarding.state", "sense"},
	{"sense.stopped", "sense"},
	{"sense.pending", "sense"},
	{"sense.running", "sense"},
	{"sense.unknown", "sense"},
	{"onboarding.method", "sense"},
	/* 3. connectivity */
	{"net.proxy.unreachable", "connectivity"},
	{"net.proxy.auth-required", "connectivity"},
	{"net.proxy.denied", "connectivity"},
	{"net.tls-inspection", "connectivity"},
	{"net.edr-cnc", "connectivity"},
	{"net.cyber", "connectivity"},
	{"net.av-cloud", "connectivity"},
	{"net.sample-upload", "connectivity"},
	{"net.autoir", "connectivity"},
	{"net.smartscreen", "connectivity"},
	{"net.crl", "connectivity"},
	{"net.updates", "connectivity"},
	{"net.endpoint", "connectivity"},
	{"net.static-ip", "connectivity"},
	{"net.mode", "connectivity"},
	{"net.proxy.winhttp", "connectivity"},
	{"net.proxy.static", "connectivity"},
	{"asr.psexec-block", "connectivity"},
	/* 4. still not listed */
	{"mdav.disabled-by-policy", "antivirus"},
	{"mdav.stopped", "antivirus"},
	{"mdav.running", "antivirus"},
	{"mdav.unknown", "antivirus"},
	{"agent.sense-version", "agents"},
	{"agent.mdav-platform", "agents"},
	{"agent.signatures", "agents"},
	{"agent.kb5005292", "agents"},
	/* 5. last resort */
	{"reonboard.plan", "reonboard"},
	{"verdict", "verdict"},
};
const size_t dx_check_table_len = sizeof dx_check_table / sizeof dx_check_table[0];

int dx_check_order(const char *id)
{
	for (size_t i = 0; i < dx_check_table_len; i++)
		if (strcmp(dx_check_table[i].id, id) == 0)
			return (int)i;
	return 1000;
}

const char *dx_check_section(const char *id)
{
	int i = dx_check_order(id);
	return i >= 0 && (size_t)i < dx_check_table_len ? dx_check_table[i].section : "other";
}

void dx_run_checks(struct dx_ctx *c)
{
	struct dx_err err;
	if (dx_hostname(c->p, c->facts.hostname, &err) != DX_OK)
		c->facts.hostname[0] = '\0';
	dx_check_os(c);
	dx_check_sense(c);
	dx_check_onboarding(c);
	dx_check_net(c);
	dx_check_asr(c);
	dx_check_mdav(c);
	dx_check_agent(c);
	dx_check_reonboard(c);
	/* the verdict compares findings by article order */
	dx_findings_sort(&c->findings, dx_check_order);
	dx_check_verdict(c);
	dx_findings_sort(&c->findings, dx_check_order);
}
