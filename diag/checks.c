/* checks.c - the article-order table and the run of all sections.
 *
 * dx_check_table is the troubleshooting article's order (see
 * docs/checks.md) and therefore the verdict's order: the verdict
 * names the first error finding in this order. Within one branch of the
 * article the specific cause stands before the symptom it explains (a
 * WDATPOnboarding error event before "Sense is stopped", the Windows 11
 * capability before "Sense is missing", a PAC script that cannot be had or
 * run before what its fallback then hits, a denying proxy before "CnC
 * unreachable"), so the verdict names what to fix, not what was noticed.
 */
#include <string.h>
#include "checks.h"

const struct dx_check_id dx_check_table[] = {
	/* 1. prerequisites */
	{"os.unsupported", "prerequisites", 1},
	{"os.home-edition", "prerequisites", 1},
	{"os.out-of-scope", "prerequisites", 1},
	{"os.supported", "prerequisites", 0},
	{"os.unknown", "prerequisites", 1},
	/* 2. the Sense service and onboarding */
	{"sense.pending-delete", "sense", 1},
	/* the previous, MMA-based sensor of 2012 R2 / 2016: the cause behind
	 * "no Sense" and "never onboarded" when the migration stopped halfway */
	{"onboarding.mma", "sense", 1},
	/* the deployment tool's own word on its last run, before the
	 * symptoms it explains (no Sense, not onboarded, stopped) */
	{"onboarding.deployment-tool", "sense", 1},
	{"sense.missing.server2016-agent", "sense", 1},
	{"sense.missing.win11-capability", "sense", 1},
	{"sense.missing.other", "sense", 1},
	{"sense.missing", "sense", 1},
	{"onboarding.event", "sense", 1},
	{"onboarding.intune", "sense", 1},
	{"onboarding.mdfc-extension", "sense", 1},
	{"sense.log.onboarding", "sense", 1},
	{"sense.log.diagtrack", "sense", 1},
	{"sense.log.service", "sense", 1},
	{"diagtrack.service", "sense", 1},
	{"sense.log.auth", "sense", 1},
	{"onboarding.state", "sense", 1},
	{"sense.stopped", "sense", 1},
	{"sense.pending", "sense", 1},
	{"sense.running", "sense", 0},
	{"sense.unknown", "sense", 1},
	{"sense.log", "sense", 1},
	{"onboarding.method", "sense", 0},
	/* 3. connectivity */
	{"net.not-tested", "connectivity", 1},
	{"net.clock", "connectivity", 1},
	{"net.pac.unreachable", "connectivity", 1},
	{"net.pac.error", "connectivity", 1},
	{"net.pac.proxy-denied", "connectivity", 1},
	{"net.pac.direct-blocked", "connectivity", 1},
	{"net.pac.os-disagrees", "connectivity", 0},
	{"net.proxy.unreachable", "connectivity", 1},
	{"net.proxy.auth-required", "connectivity", 1},
	{"net.proxy.denied", "connectivity", 1},
	{"net.tls-inspection", "connectivity", 1},
	{"net.edr-cnc", "connectivity", 1},
	{"net.cyber", "connectivity", 1},
	{"net.av-cloud", "connectivity", 1},
	{"net.sample-upload", "connectivity", 1},
	{"net.autoir", "connectivity", 1},
	{"net.smartscreen", "connectivity", 1},
	{"net.crl", "connectivity", 1},
	{"net.updates", "connectivity", 1},
	{"schannel.tls12-client", "connectivity", 1},
	{"schannel.cipher-suites", "connectivity", 1},
	{"trust.roots", "connectivity", 1},
	{"trust.auto-update", "connectivity", 0},
	{"sense.log.connectivity", "connectivity", 1},
	{"net.endpoint", "connectivity", 0},
	{"net.static-ip", "connectivity", 0},
	{"net.mode", "connectivity", 0},
	{"net.proxy.winhttp", "connectivity", 0},
	{"net.proxy.static", "connectivity", 0},
	{"net.proxy.wpad", "connectivity", 0},
	{"asr.psexec-block", "connectivity", 0},
	/* 4. still not listed */
	{"mdav.disabled-by-policy", "antivirus", 1},
	{"mdav.stopped", "antivirus", 1},
	{"mdav.running", "antivirus", 0},
	{"mdav.unknown", "antivirus", 1},
	{"agent.sense-version", "agents", 1},
	{"agent.streamlined-prerequisites", "agents", 1},
	{"agent.mdav-platform", "agents", 0},
	{"agent.signatures", "agents", 0},
	{"agent.kb5005292", "agents", 0},
	/* 5. last resort */
	{"reonboard.plan", "reonboard", 0},
	{"verdict", "verdict", 0},
};
const size_t dx_check_table_len = sizeof dx_check_table / sizeof dx_check_table[0];

int dx_check_order(const char *id)
{
	for (size_t i = 0; i < dx_check_table_len; i++) /* the first byte rules most out */
		if (dx_check_table[i].id[0] == id[0] && strcmp(dx_check_table[i].id, id) == 0)
			return (int)i;
	return 1000;
}

const char *dx_check_section(const char *id)
{
	int i = dx_check_order(id);
	return i >= 0 && (size_t)i < dx_check_table_len ? dx_check_table[i].section : "other";
}

const struct dx_section dx_sections[] = {
	{"os", dx_check_os},
	{"sense", dx_check_sense},
	{"onboarding", dx_check_onboarding},
	{"mma", dx_check_mma},
	{"deploytool", dx_check_deploytool},
	{"diagtrack", dx_check_diagtrack},
	{"connectivity", dx_check_net},
	{"trust", dx_check_trust},
	{"senselog", dx_check_senselog},
	{"asr", dx_check_asr},
	{"antivirus", dx_check_mdav},
	{"agents", dx_check_agent},
	{"reonboard", dx_check_reonboard},
	{"verdict", dx_check_verdict},
};
const size_t dx_sections_len = sizeof dx_sections / sizeof dx_sections[0];

void dx_run_checks(struct dx_ctx *c)
{
	struct dx_err err;
	/* before the sections: a denied read is explained by it */
	dx_elevated(c->p, &c->facts.elevated, &err);
	if (dx_hostname(c->p, c->facts.hostname, &err) != DX_OK)
		c->facts.hostname[0] = '\0';
	for (size_t i = 0; i < dx_sections_len; i++) {
		/* every section sees the findings so far ranked and in article
		 * order (the re-onboarding plan and the verdict compare them) */
		dx_findings_sort(&c->findings, dx_check_order);
		dx_sections[i].run(c);
	}
	dx_findings_sort(&c->findings, dx_check_order);
}
