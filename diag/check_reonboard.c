/* check_reonboard.c - article section 5, the last resort: when nothing
 * above explains the missing device, offboard, clean the device's MDE
 * identity and onboard again. The plan is printed with this device's real
 * paths and what exists now; the tool never executes it. */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define IDENTITY_KEY DX_KEY_ATP "\\48A68F11-7A16-4180-B32C-7F974C7BD783"

static const char *exists_word(enum dx_status s)
{
	return s == DX_OK ? "present" : s == DX_NOT_FOUND ? "absent"
	     : s == DX_ACCESS_DENIED ? "unreadable without SYSTEM" : "unknown";
}

static void step(cJSON *steps, const char *fmt, const char *a, const char *b)
{
	char line[800];
	snprintf(line, sizeof line, fmt, a, b);
	cJSON_AddItemToArray(steps, cJSON_CreateString(line));
}

void dx_check_reonboard(struct dx_ctx *c)
{
	for (size_t i = 0; i < c->findings.count; i++)
		if (c->findings.items[i].severity == DX_SEV_ERROR)
			return;
	char cyber[600];
	struct dx_regval v;
	struct dx_err err;
	struct dx_strlist l;
	dx_expand_path(c, "%ProgramData%\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber",
		       cyber, sizeof cyber);

	struct dx_finding *f = dx_add(&c->findings, "reonboard.plan", DX_SEV_INFO, NULL);
	enum dx_status sg = dx_reg_read(c->p, DX_KEY_ATP, "senseGuid", &v, &err);
	dx_regval_free(&v);
	enum dx_status as = dx_reg_read(c->p, DX_KEY_ATP, "7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A", &v, &err);
	dx_regval_free(&v);
	enum dx_status ik = dx_reg_values(c->p, IDENTITY_KEY, &l, &err);
	dx_strlist_free(&l);
	enum dx_status cy = dx_dir_list(c->p, cyber, &l, &err);
	size_t ncyber = l.count;
	dx_strlist_free(&l);

	const char *method = c->facts.onboarding_method[0] ? c->facts.onboarding_method : "unknown";
	const char *offboard =
		strcmp(method, "intune") == 0 ? "the Intune offboarding policy (EDR profile with the offboarding blob)"
		: strcmp(method, "script-gpo-mecm") == 0 ? "the offboarding package for the method you used (local script, Group Policy or Configuration Manager)"
		: "the offboarding package from the Defender portal (Settings > Endpoints > Offboarding) for the method you use";
	dx_ev_str(f, "onboarding_method", method);
	dx_ev_str(f, "cyber_folder", cyber);
	dx_ev_fmt(f, "cyber_folder_state", "%s%s", exists_word(cy),
		  cy == DX_OK ? (ncyber ? ", not empty" : ", empty") : "");
	dx_ev_str(f, "senseGuid", exists_word(sg));
	dx_ev_str(f, "anti_spoofing_value", exists_word(as));
	dx_ev_str(f, "identity_key", exists_word(ik));

	cJSON *steps = cJSON_CreateArray();
	if (!steps)
		return;
	step(steps, "Offboard with %s%s.", offboard, "");
	step(steps, "Confirm the Sense service has stopped: sc.exe query Sense%s%s", "", "");
	step(steps, "Open a SYSTEM prompt: PsExec.exe -s cmd.exe%s%s", "", "");
	step(steps, "Back up %s and the key %s first.", cyber, DX_KEY_ATP);
	step(steps, "Delete the files: del /q \"%s\\*.*\"%s", cyber, "");
	step(steps, "Delete the values: reg delete \"%s\" /v senseGuid /f && reg delete \"%s\" /v 7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A /f",
	     DX_KEY_ATP, DX_KEY_ATP);
	step(steps, "Delete the key: reg delete \"%s\" /f%s", IDENTITY_KEY, "");
	step(steps, "Reboot, then onboard again with the same method (%s).", method, "");
	cJSON_AddItemToObject(f->evidence, "steps", steps);
	dx_ev_bool(f, "executed", 0);
}
