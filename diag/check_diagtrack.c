/* check_diagtrack.c - the diagnostic data service (DiagTrack, "Connected
 * User Experiences and Telemetry"): "Troubleshoot Microsoft Defender for
 * Endpoint onboarding issues", "Ensure the diagnostic data service is
 * enabled" asks that it start automatically and run, and gives the sc
 * commands that fix it. The SENSE events about it (17, 28, 34, 62, ...) are
 * read with the rest of Sense's log (check_senselog.c).
 *
 * Microsoft adds that since Windows 10 1809 the EDR service no longer
 * depends on DiagTrack directly, yet keeps the step in the on-device list
 * it walks before connectivity; mdediag follows the list (docs/checks.md). */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define DIAGTRACK "DiagTrack"
#define CMD_AUTO "sc.exe config DiagTrack start= auto"
#define CMD_START "sc.exe start DiagTrack"

void dx_check_diagtrack(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 0)
		return; /* no Sense: the missing sensor is the whole story */
	struct dx_svc svc;
	struct dx_err err;
	c->facts.diagtrack_start_type = -1;
	enum dx_status s = dx_svc_query(c->p, DIAGTRACK, &svc, &err);
	struct dx_finding *f;
	if (s == DX_NOT_FOUND && err.code == DX_ERROR_SERVICE_DOES_NOT_EXIST) {
		f = dx_add(&c->findings, "diagtrack.service", DX_SEV_ERROR, "missing");
		dx_ev_str(f, "service", DIAGTRACK);
		dx_ev_num(f, "win32_error", err.code);
		dx_ev_str(f, "reply", err.text);
		return;
	}
	if (s != DX_OK) {
		f = dx_add(&c->findings, "diagtrack.service", DX_SEV_WARNING, "unreadable");
		dx_ev_str(f, "service", DIAGTRACK);
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}
	c->facts.diagtrack_state = svc.state;
	c->facts.diagtrack_start_type = svc.start_type;
	const char *variant = NULL;
	enum dx_severity sev = DX_SEV_INFO;
	if (svc.start_type == 4) {
		variant = "disabled";
		sev = DX_SEV_ERROR;
	} else if (svc.state != DX_SVC_RUNNING) {
		variant = "stopped";
		sev = DX_SEV_ERROR;
	} else if (svc.start_type != 2) {
		/* running, but it will not start by itself after a reboot */
		variant = "not-automatic";
		sev = DX_SEV_WARNING;
	}
	f = dx_add(&c->findings, "diagtrack.service", sev, variant);
	dx_ev_str(f, "service", DIAGTRACK);
	dx_ev_num(f, "state", svc.state);
	dx_ev_str(f, "state_name", dx_svc_state_name(svc.state));
	dx_ev_num(f, "start_type", svc.start_type);
	dx_ev_str(f, "start_type_name", dx_svc_start_name(svc.start_type));
	dx_ev_num(f, "build", c->facts.build);
	if (sev == DX_SEV_INFO)
		return;
	/* the exact next step, as Microsoft gives it ("sc config diagtrack
	 * start=auto", then "sc start diagtrack"), written sc.exe so that
	 * Windows PowerShell does not take sc for Set-Content, and with the
	 * space after "start=" that sc.exe's parser requires; one command per
	 * member: cmd's "&" is not a separator in Windows PowerShell 5.1 */
	dx_ev_str(f, "command_start_type", CMD_AUTO);
	if (svc.state != DX_SVC_RUNNING)
		dx_ev_str(f, "command_start", CMD_START);
}
