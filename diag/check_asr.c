/* check_asr.c - the ASR rule that breaks Microsoft's Client Analyzer:
 * "Block process creations originating from PSExec and WMI commands"
 * (d1e49aac-...) in block mode (1). This tool needs no PsExec; the finding
 * tells the admin why the Analyzer's connectivity test would fail. */
#include <stdlib.h>
#include <string.h>
#include "checks.h"

#define PSEXEC_RULE "d1e49aac-8f56-4280-b9ba-993a6d77406c"
#define ASR_RULES_LOCAL                                                                            \
	"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules"

/* The rule's action from one key: 0 off, 1 block, 2 audit, 6 warn; -1 unset.
 * Group Policy writes it as REG_SZ "1", MDM/PowerShell as REG_DWORD. */
static int rule_action(struct dx_ctx *c, const char *key)
{
	struct dx_regval v;
	struct dx_err err;
	int action = -1;
	if (dx_reg_read(c->p, key, PSEXEC_RULE, &v, &err) != DX_OK)
		goto out;
	if (v.type == DX_REG_DWORD)
		action = (int)v.num;
	else if ((v.type == DX_REG_SZ || v.type == DX_REG_EXPAND_SZ) && v.len < 8)
		action = atoi((const char *)v.data);
out:
	dx_regval_free(&v);
	return action;
}

void dx_check_asr(struct dx_ctx *c)
{
	const char *keys[] = {DX_KEY_ASR_RULES, ASR_RULES_LOCAL};
	for (size_t i = 0; i < 2; i++) {
		int action = rule_action(c, keys[i]);
		if (action != 1)
			continue;
		struct dx_finding *f =
			dx_add(&c->findings, "asr.psexec-block", DX_SEV_WARNING, NULL);
		dx_ev_str(f, "registry", keys[i]);
		dx_ev_str(f, "rule", PSEXEC_RULE);
		dx_ev_num(f, "action", action);
		dx_ev_str(f, "action_name", "block");
		return;
	}
}
