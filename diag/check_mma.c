/* check_mma.c - the previous, MMA-based sensor of Windows Server 2012 R2 and
 * 2016 (issue 20, "Servers"): the Microsoft Monitoring Agent (service
 * HealthService) onboarded to Defender for Endpoint, alone or beside the
 * modern unified agent (Sense, md4ws.msi).
 *
 * What Microsoft says, and what this check therefore decides
 * (docs/checks.md, onboarding.mma):
 *   - "Devices running Windows Server 2012 R2 or Windows Server 2016 should
 *     be upgraded to the new, unified solution so that they no longer
 *     require the use of MMA" (Updating MMA on Windows devices); the
 *     migration installs the unified agent, then applies the onboarding
 *     script for Group Policy; removing the MMA's Defender for Endpoint
 *     workspace is step 1, marked OPTIONAL (Server migration scenarios).
 *   - a server onboarded through the MMA runs MsSenseS.exe (Migrating
 *     servers from MMA to the unified solution, prerequisites); Microsoft's
 *     Client Analyzer finds it under the agent's "Health Service
 *     State\Monitoring Host Temporary File*" folders. That file is how this
 *     check tells the MMA's Defender for Endpoint sensor from a Log
 *     Analytics workspace that is only monitoring: the workspace ID of the
 *     tenant is on the portal, not on the device.
 * So: the MMA's sensor with no Sense at all (mma-only), or with a Sense
 * that was never onboarded (unified-not-onboarded), is the migration left
 * half done: an error. Beside an onboarded Sense it is a warning: Microsoft
 * calls removing the workspace optional; its Client Analyzer recommends it
 * "to avoid cyber upload issues" when several workspaces are configured.
 * Only on Server 2012 R2 and 2016: elsewhere the MMA is either the
 * documented method (Windows 7, 8.1, 2008 R2) or Log Analytics' business. */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define MMA_SERVICE "HealthService"
#define MMA_WORKSPACES DX_KEY_SERVICES "\\HealthService\\Parameters\\Service Connector Services"
#define MMA_WORKSPACE_PREFIX "Log Analytics - "
#define MMA_TEMP_PREFIX "Monitoring Host Temporary File"
#define MMA_SENSOR "MsSenseS.exe"
/* Bounds on the search for the MMA's sensor: the folders of "Health
 * Service State" that are temporary-file folders, the entries of each one
 * looked into, and directory listings in all. */
#define MAX_TEMP_DIRS 8
#define MAX_SUBDIRS 64
#define MAX_LISTINGS 256

static int starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int is_server_2012r2_2016(const struct dx_facts *d)
{
	return d->is_server && (d->build == 9600 || d->build == 14393);
}

/* The agent's folder: the directory of HealthService's image path, else
 * the default install folder. */
static void agent_dir(struct dx_ctx *c, const struct dx_svc *svc, char *out, size_t sz)
{
	char img[600];
	dx_expand_path(c, svc->image_path, img, sizeof img);
	char *slash = strrchr(img, '\\');
	if (img[0] && slash) {
		*slash = '\0';
		snprintf(out, sz, "%s", img);
		return;
	}
	dx_expand_path(c, "%ProgramFiles%\\Microsoft Monitoring Agent\\Agent", out, sz);
}

/* Looks for MsSenseS.exe in `dir` (depth 0) and its subfolders (depth 1).
 * 1 found (path in `found`), 0 not, -1 when the listing budget ran out. */
static int find_sensor(struct dx_ctx *c, const char *dir, int depth, int *budget, char *found,
		       size_t fsz)
{
	struct dx_strlist l = {0};
	struct dx_err err;
	if ((*budget)-- <= 0)
		return -1;
	if (dx_dir_list(c->p, dir, &l, &err) != DX_OK) {
		dx_strlist_free(&l);
		return 0;
	}
	int r = 0;
	for (size_t i = 0; i < l.count && !r; i++)
		if (dx_strieq(l.items[i], MMA_SENSOR)) {
			snprintf(found, fsz, "%s\\%s", dir, l.items[i]);
			r = 1;
		}
	for (size_t i = 0; depth == 0 && i < l.count && i < MAX_SUBDIRS && !r; i++) {
		char sub[1100];
		snprintf(sub, sizeof sub, "%s\\%s", dir, l.items[i]);
		r = find_sensor(c, sub, depth + 1, budget, found, fsz);
	}
	dx_strlist_free(&l);
	return r;
}

void dx_check_mma(struct dx_ctx *c)
{
	const struct dx_facts *d = &c->facts;
	if (!d->os_known || !is_server_2012r2_2016(d))
		return;
	struct dx_svc svc;
	struct dx_err err;
	struct dx_finding *f;
	enum dx_status s = dx_svc_query(c->p, MMA_SERVICE, &svc, &err);
	if (s == DX_NOT_FOUND && err.code == DX_ERROR_SERVICE_DOES_NOT_EXIST) {
		f = dx_add(&c->findings, "onboarding.mma", DX_SEV_INFO, "absent");
		dx_ev_str(f, "service", MMA_SERVICE);
		dx_ev_str(f, "product", d->product);
		return;
	}
	if (s != DX_OK) {
		f = dx_add(&c->findings, "onboarding.mma", DX_SEV_WARNING, "unreadable");
		dx_ev_str(f, "service", MMA_SERVICE);
		dx_ev_str(f, "product", d->product);
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}

	/* the workspaces the agent reports to: one subkey each */
	struct dx_strlist keys = {0};
	enum dx_status ws = dx_reg_subkeys(c->p, MMA_WORKSPACES, &keys, &err);
	struct dx_err ws_err = err;
	cJSON *ids = cJSON_CreateArray();
	char list[400] = "";
	for (size_t i = 0; ws == DX_OK && i < keys.count; i++) {
		if (!starts_with_ci(keys.items[i], MMA_WORKSPACE_PREFIX))
			continue;
		const char *id = keys.items[i] + strlen(MMA_WORKSPACE_PREFIX);
		cJSON_AddItemToArray(ids, cJSON_CreateString(id));
		size_t n = strlen(list);
		snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", id);
	}
	dx_strlist_free(&keys);
	int nws = cJSON_GetArraySize(ids);

	/* the MMA's own Defender for Endpoint sensor */
	char dir[600], state_dir[700], sensor[1200] = "", version[64] = "";
	agent_dir(c, &svc, dir, sizeof dir);
	snprintf(state_dir, sizeof state_dir, "%s\\Health Service State", dir);
	struct dx_strlist tops = {0};
	int budget = MAX_LISTINGS, searched = 0, found = 0, ran_out = 0;
	enum dx_status ls = dx_dir_list(c->p, state_dir, &tops, &err);
	struct dx_err ls_err = err;
	for (size_t i = 0; ls == DX_OK && i < tops.count && searched < MAX_TEMP_DIRS && !found;
	     i++) {
		if (!starts_with_ci(tops.items[i], MMA_TEMP_PREFIX))
			continue;
		char tmp[1100];
		snprintf(tmp, sizeof tmp, "%s\\%s", state_dir, tops.items[i]);
		searched++;
		int r = find_sensor(c, tmp, 0, &budget, sensor, sizeof sensor);
		found = r == 1;
		ran_out |= r == -1;
	}
	dx_strlist_free(&tops);
	if (found && dx_file_version(c->p, sensor, version, &err) != DX_OK)
		version[0] = '\0';

	/* the unified agent's side: Sense and its onboarding state */
	uint32_t onboarded = 0;
	enum dx_status os = d->sense_exists == 1 ? dx_reg_dword(c->p, DX_KEY_ATP_STATUS,
								"OnboardingState", &onboarded, &err)
						 : DX_NOT_FOUND;
	struct dx_err os_err = err;

	const char *variant;
	enum dx_severity sev;
	int undetermined = 0;
	if (found && d->sense_exists == 0) {
		variant = "mma-only";
		sev = DX_SEV_ERROR;
	} else if (found && d->sense_exists == 1 && os != DX_OK && os != DX_NOT_FOUND) {
		variant = "state-unreadable"; /* the onboarding state decides */
		sev = DX_SEV_WARNING;
		undetermined = 1;
	} else if (found && d->sense_exists == 1 && onboarded != 1) {
		variant = "unified-not-onboarded";
		sev = DX_SEV_ERROR;
	} else if (found && d->sense_exists != 1) {
		/* Sense could not be queried (sense.unknown): alone or beside? */
		variant = "sense-unknown";
		sev = DX_SEV_WARNING;
		undetermined = 2;
	} else if (found) {
		/* beside an onboarded Sense */
		variant = "beside-unified";
		sev = DX_SEV_WARNING;
	} else if (ls != DX_OK && ls != DX_NOT_FOUND) {
		variant = "folder-unreadable";
		sev = DX_SEV_WARNING;
		undetermined = 1;
	} else {
		variant = "no-mde-sensor";
		sev = DX_SEV_INFO;
	}
	f = dx_add(&c->findings, "onboarding.mma", sev, variant);
	dx_ev_str(f, "service", MMA_SERVICE);
	dx_ev_num(f, "state", svc.state);
	dx_ev_str(f, "state_name", dx_svc_state_name(svc.state));
	dx_ev_num(f, "start_type", svc.start_type);
	dx_ev_str(f, "start_type_name", dx_svc_start_name(svc.start_type));
	dx_ev_str(f, "product", d->product);
	dx_ev_num(f, "build", d->build);
	dx_ev_str(f, "workspace_key", MMA_WORKSPACES);
	if (ws == DX_OK || ws == DX_NOT_FOUND) {
		cJSON_AddItemToObject(f->evidence, "workspaces", ids);
		ids = NULL;
		dx_ev_num(f, "workspace_count", nws);
		dx_ev_str(f, "workspace_list", nws ? list : "none");
	} else {
		dx_ev_err(f, "workspaces_read", ws, &ws_err);
		dx_ev_str(f, "workspace_list", "unreadable");
	}
	cJSON_Delete(ids);
	dx_ev_str(f, "sensor_folder", state_dir);
	if (found) {
		dx_ev_str(f, "mma_sensor", sensor);
		dx_ev_str(f, "mma_sensor_version", version[0] ? version : "unknown");
	} else if (ls == DX_OK || ls == DX_NOT_FOUND) {
		dx_ev_str(f, "mma_sensor", ran_out ? "not found (search bounded)" : "not found");
	}
	dx_ev_str(f, "sense",
		  d->sense_exists == 1   ? "present"
		  : d->sense_exists == 0 ? "missing"
					 : "unknown");
	if (d->sense_exists == 1 && os == DX_OK)
		dx_ev_num(f, "onboarding_state", onboarded);
	else if (d->sense_exists == 1 && os == DX_NOT_FOUND)
		dx_ev_str(f, "onboarding_state", "absent");
	if (undetermined == 2) {
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
	} else if (undetermined) {
		if (found)
			dx_ev_undetermined(c, f, "onboarding_state_read", os, &os_err);
		else
			dx_ev_undetermined(c, f, "sensor_folder_read", ls, &ls_err);
	}
	if (sev != DX_SEV_INFO)
		/* the workspaces as the MMA itself lists them (Microsoft's
		 * COM object); no $ variable, so Windows PowerShell passes
		 * the double-quoted text to powershell.exe as cmd does */
		dx_ev_str(f, "command_list",
			  "powershell.exe -NoProfile -Command \"(New-Object -ComObject "
			  "AgentConfigManager.MgmtSvcCfg).GetCloudWorkspaces()\"");
}
