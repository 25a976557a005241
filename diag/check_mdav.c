/* check_mdav.c - article section 4: is Microsoft Defender Antivirus
 * running, and if not, is it turned off by policy (DisableAntiSpyware or
 * DisableAntiVirus = 1 under HKLM\SOFTWARE\Policies\Microsoft\Windows
 * Defender)? */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define GPO_PATH                                                                                   \
	"Computer Configuration > Administrative Templates > Windows Components > Microsoft "      \
	"Defender Antivirus > Turn off Microsoft Defender Antivirus"

void dx_check_mdav(struct dx_ctx *c)
{
	struct dx_svc svc;
	struct dx_err err, perr;
	enum dx_status s = dx_svc_query(c->p, "WinDefend", &svc, &err);
	c->facts.mdav_state = s == DX_OK ? svc.state : 0;

	/* the two policy values; either at 1 turns MDAV off */
	static const char *const names[] = {"DisableAntiSpyware", "DisableAntiVirus"};
	uint32_t vals[2] = {0, 0};
	enum dx_status vs[2];
	int disabled = 0;
	for (int i = 0; i < 2; i++) {
		vs[i] = dx_reg_dword(c->p, DX_KEY_DEFENDER_POLICY, names[i], &vals[i], &perr);
		disabled |= vs[i] == DX_OK && vals[i] == 1;
	}

	struct dx_finding *f;
	if (disabled) {
		f = dx_add(&c->findings, "mdav.disabled-by-policy", DX_SEV_ERROR, NULL);
		dx_ev_str(f, "registry", DX_KEY_DEFENDER_POLICY);
		for (int i = 0; i < 2; i++) {
			if (vs[i] == DX_OK)
				dx_ev_num(f, names[i], vals[i]);
			else
				dx_ev_str(f, names[i],
					  vs[i] == DX_NOT_FOUND ? "not set"
								: dx_status_name(vs[i]));
		}
		dx_ev_str(f, "gpo", GPO_PATH);
	} else if (s == DX_OK && svc.state == DX_SVC_RUNNING) {
		f = dx_add(&c->findings, "mdav.running", DX_SEV_INFO, NULL);
	} else if (s == DX_NOT_FOUND && c->facts.os_out_of_scope) {
		/* Windows 7 / 2008 R2 may have no WinDefend at all: the
		 * procedure for that OS covers its antivirus, not this one */
		f = dx_add(&c->findings, "mdav.stopped", DX_SEV_INFO, "out-of-scope");
	} else if (s == DX_OK || s == DX_NOT_FOUND) {
		f = dx_add(&c->findings, "mdav.stopped", DX_SEV_ERROR,
			   s == DX_NOT_FOUND ? "missing" : NULL);
	} else {
		f = dx_add(&c->findings, "mdav.unknown", DX_SEV_WARNING, NULL);
	}
	dx_ev_str(f, "service", "WinDefend");
	if (s == DX_OK) {
		dx_ev_num(f, "state", svc.state);
		dx_ev_str(f, "state_name", dx_svc_state_name(svc.state));
		dx_ev_str(f, "start_type_name", dx_svc_start_name(svc.start_type));
	} else if (strcmp(f->id, "mdav.unknown") == 0) {
		dx_ev_undetermined(c, f, "query", s, &err);
	} else {
		dx_ev_err(f, "query", s, &err);
	}
	/* passive mode explains a quiet MDAV next to a third-party AV */
	uint32_t passive = 0, forced = 0, tamper = 0;
	if (dx_reg_dword(c->p, "HKLM\\SOFTWARE\\Microsoft\\Windows Defender", "PassiveMode",
			 &passive, &perr) == DX_OK &&
	    passive)
		dx_ev_num(f, "PassiveMode", passive);
	if (dx_reg_dword(c->p, DX_KEY_ATP_POLICY, "ForceDefenderPassiveMode", &forced, &perr) ==
		    DX_OK &&
	    forced)
		dx_ev_num(f, "ForceDefenderPassiveMode", forced);
	if (s == DX_OK)
		snprintf(c->facts.mdav_mode, sizeof c->facts.mdav_mode, "%s",
			 forced    ? "passive (forced)"
			 : passive ? "passive"
				   : "active");
	/* Tamper protection: 5 on, 4 off (older builds: 1 on, 0 off) */
	if (dx_reg_dword(c->p, "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features",
			 "TamperProtection", &tamper, &perr) == DX_OK) {
		snprintf(c->facts.tamper_protection, sizeof c->facts.tamper_protection, "%s",
			 tamper == 5 || tamper == 1 ? "on" : "off");
		dx_ev_num(f, "TamperProtection", tamper);
	}
}
