/* check_reonboard.c - article section 5, the last resort: when every
 * check ran and nothing above explains the missing device, offboard, clean the device's MDE
 * identity and onboard again. The plan is printed with this device's real
 * paths and what exists now; the tool never executes it. */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define IDENTITY_KEY DX_KEY_ATP "\\48A68F11-7A16-4180-B32C-7F974C7BD783"

static const char *exists_word(enum dx_status s)
{
	return s == DX_OK              ? "present"
	       : s == DX_NOT_FOUND     ? "absent"
	       : s == DX_ACCESS_DENIED ? "unreadable without SYSTEM"
				       : "unknown";
}

/* Offered only under verdict rule 4: every check ran, connectivity
 * included, and nothing explains the missing device. On a guess (a read
 * denied, the network not tested) the plan is withheld: it offboards. */
void dx_check_reonboard(struct dx_ctx *c)
{
	const struct dx_finding *named;
	if (dx_verdict_rule(c, &named) != DX_RULE_NOTHING_FOUND)
		return;
	char cyber[600];
	struct dx_regval v;
	struct dx_err err;
	struct dx_strlist l;
	dx_expand_path(
		c, "%ProgramData%\\Microsoft\\Windows Defender Advanced Threat Protection\\Cyber",
		cyber, sizeof cyber);

	struct dx_finding *f = dx_add(&c->findings, "reonboard.plan", DX_SEV_INFO, NULL);
	enum dx_status sg = dx_reg_read(c->p, DX_KEY_ATP, "senseGuid", &v, &err);
	dx_regval_free(&v);
	enum dx_status as =
		dx_reg_read(c->p, DX_KEY_ATP, "7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A", &v, &err);
	dx_regval_free(&v);
	enum dx_status ik = dx_reg_values(c->p, IDENTITY_KEY, &l, &err);
	dx_strlist_free(&l);
	enum dx_status cy = dx_dir_list(c->p, cyber, &l, &err);
	size_t ncyber = l.count;
	dx_strlist_free(&l);

	const char *method = c->facts.onboarding_method[0] ? c->facts.onboarding_method : "unknown";
	dx_ev_str(f, "onboarding_method", method);
	dx_ev_str(f, "cyber_folder", cyber);
	dx_ev_fmt(f, "cyber_folder_state", "%s%s", exists_word(cy),
		  cy == DX_OK ? (ncyber ? ", not empty" : ", empty") : "");
	dx_ev_str(f, "senseGuid", exists_word(sg));
	dx_ev_str(f, "anti_spoofing_value", exists_word(as));
	dx_ev_str(f, "identity_key", exists_word(ik));
	/* the exact commands, with this device's paths; the message catalog
	 * turns them into numbered steps in the report's language */
	dx_ev_str(f, "atp_key", DX_KEY_ATP);
	dx_ev_str(f, "identity_key_path", IDENTITY_KEY);
	/* One command a step, each the same in cmd and in Windows
	 * PowerShell 5.1 (no "&&" or "&": PowerShell 5.1 has no "&&", and
	 * its "del" is Remove-Item, hence "cmd.exe /c del"); only for what
	 * exists: a value the report shows absent is not deleted. An array
	 * member makes one step per element, none when empty (the catalog's
	 * steps). */
	char cmd[900];
	cJSON *files = cJSON_AddArrayToObject(f->evidence, "cmd_delete_files");
	cJSON *values = cJSON_AddArrayToObject(f->evidence, "cmd_delete_values");
	cJSON *key = cJSON_AddArrayToObject(f->evidence, "cmd_delete_key");
	dx_ev_str(f, "cmd_query_sense", "sc.exe query Sense");
	dx_ev_str(f, "cmd_system_prompt", "PsExec.exe -s cmd.exe");
	snprintf(cmd, sizeof cmd, "cmd.exe /c del /q \"%s\\*.*\"", cyber);
	if (files && cy != DX_NOT_FOUND && !(cy == DX_OK && ncyber == 0))
		cJSON_AddItemToArray(files, cJSON_CreateString(cmd));
	snprintf(cmd, sizeof cmd, "reg.exe delete \"%s\" /v senseGuid /f", DX_KEY_ATP);
	if (values && sg != DX_NOT_FOUND)
		cJSON_AddItemToArray(values, cJSON_CreateString(cmd));
	snprintf(cmd, sizeof cmd,
		 "reg.exe delete \"%s\" /v 7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A /f", DX_KEY_ATP);
	if (values && as != DX_NOT_FOUND)
		cJSON_AddItemToArray(values, cJSON_CreateString(cmd));
	snprintf(cmd, sizeof cmd, "reg.exe delete \"%s\" /f", IDENTITY_KEY);
	if (key && ik != DX_NOT_FOUND)
		cJSON_AddItemToArray(key, cJSON_CreateString(cmd));
	dx_ev_bool(f, "executed", 0);
}
