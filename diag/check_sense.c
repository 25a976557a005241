/* check_sense.c - article section 2: is the Sense service running, and if
 * it does not exist, why (error 1060: the Server 2016 unified agent, the
 * Windows 11 24H2 capability, or an image without Sense)? */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define SENSE_CAPABILITY "Microsoft.Windows.Sense.Client~~~~"
#define SENSE_FOD_PACKAGE "Microsoft-Windows-Sense-Client-FoD-Package"
#define CBS_INSTALLED 0x70 /* CurrentState of an installed CBS package */

static void add_service_evidence(struct dx_finding *f, const struct dx_svc *s)
{
	dx_ev_num(f, "state", s->state);
	dx_ev_str(f, "state_name", dx_svc_state_name(s->state));
	dx_ev_num(f, "start_type", s->start_type);
	dx_ev_str(f, "start_type_name", dx_svc_start_name(s->start_type));
	if (s->image_path[0])
		dx_ev_str(f, "image_path", s->image_path);
}

/* Is the Sense client capability installed? 1 yes, 0 no, -1 unknown. The
 * capability is a Features-on-Demand package; servicing records it under
 * Component Based Servicing\Packages with CurrentState 0x70 when installed
 * (inferred from how CBS tracks packages; DISM /Get-CapabilityInfo reads
 * the same store). */
static int capability_installed(struct dx_ctx *c, struct dx_finding *f)
{
	struct dx_strlist keys;
	struct dx_err err;
	enum dx_status s = dx_reg_subkeys(c->p, DX_KEY_CBS_PACKAGES, &keys, &err);
	if (s != DX_OK) {
		dx_ev_err(f, "capability_state", s, &err);
		return -1;
	}
	int found = 0;
	for (size_t i = 0; i < keys.count && found != 1; i++) {
		if (strncasecmp(keys.items[i], SENSE_FOD_PACKAGE,
				strlen(SENSE_FOD_PACKAGE)) != 0)
			continue;
		char key[1024];
		uint32_t state = 0;
		snprintf(key, sizeof key, "%s\\%s", DX_KEY_CBS_PACKAGES, keys.items[i]);
		if (dx_reg_dword(c->p, key, "CurrentState", &state, &err) == DX_OK) {
			dx_ev_str(f, "capability_package", keys.items[i]);
			dx_ev_fmt(f, "capability_package_state", "0x%x", (unsigned)state);
			found = state == CBS_INSTALLED ? 1 : 0;
		}
	}
	dx_strlist_free(&keys);
	return found;
}

static void sense_missing(struct dx_ctx *c, const struct dx_err *err)
{
	const struct dx_facts *d = &c->facts;
	struct dx_finding *parent = dx_add(&c->findings, "sense.missing",
					   DX_SEV_ERROR, NULL);
	dx_ev_str(parent, "service", "Sense");
	dx_ev_num(parent, "win32_error", err->code);
	dx_ev_str(parent, "reply", err->text);

	struct dx_finding *f;
	if (d->is_server && (d->build == 14393 || d->build == 9600)) {
		f = dx_add(&c->findings, "sense.missing.server2016-agent",
			   DX_SEV_ERROR, NULL);
		dx_ev_str(f, "product", d->product);
		dx_ev_num(f, "build", d->build);
		dx_ev_str(f, "installer", "md4ws.msi");
	} else if (!d->is_server && d->build >= 26100) {
		f = dx_add(&c->findings, "sense.missing.win11-capability",
			   DX_SEV_ERROR, NULL);
		dx_ev_str(f, "capability", SENSE_CAPABILITY);
		int inst = capability_installed(c, f);
		dx_ev_str(f, "capability_installed", inst == 1 ? "yes"
			  : inst == 0 ? "no" : "unknown");
		if (inst == 1) {
			/* installed, yet no service: the image is damaged in
			 * another way, so this is not the capability branch */
			snprintf(f->id, sizeof f->id, "sense.missing.other");
			snprintf(f->variant, sizeof f->variant, "capability-installed");
			return;
		}
		dx_ev_str(f, "command", "DISM /online /Add-Capability /CapabilityName:" SENSE_CAPABILITY);
		dx_ev_str(f, "kb", "KB5043950");
		dx_ev_str(f, "edition", d->edition);
		dx_ev_num(f, "build", d->build);
	} else {
		f = dx_add(&c->findings, "sense.missing.other", DX_SEV_ERROR, NULL);
		dx_ev_str(f, "product", d->product);
		dx_ev_num(f, "build", d->build);
		dx_ev_str(f, "edition", d->edition);
	}
}

void dx_check_sense(struct dx_ctx *c)
{
	struct dx_facts *d = &c->facts;
	struct dx_svc svc;
	struct dx_err err;
	enum dx_status s = dx_svc_query(c->p, "Sense", &svc, &err);
	d->sense_exists = -1;
	d->sense_start_type = -1;

	if (s == DX_NOT_FOUND && err.code == DX_ERROR_SERVICE_DOES_NOT_EXIST) {
		d->sense_exists = 0;
		sense_missing(c, &err);
		return;
	}
	if (s != DX_OK) {
		struct dx_finding *f = dx_add(&c->findings, "sense.unknown",
					      DX_SEV_WARNING, NULL);
		dx_ev_str(f, "service", "Sense");
		dx_ev_err(f, "query", s, &err);
		return;
	}
	d->sense_exists = 1;
	d->sense_state = svc.state;
	d->sense_start_type = svc.start_type;

	struct dx_finding *f;
	switch (svc.state) {
	case DX_SVC_RUNNING:
		f = dx_add(&c->findings, "sense.running", DX_SEV_INFO, NULL);
		break;
	case DX_SVC_STOPPED:
	case DX_SVC_PAUSED:
		f = dx_add(&c->findings, "sense.stopped", DX_SEV_ERROR, NULL);
		break;
	default:
		f = dx_add(&c->findings, "sense.pending", DX_SEV_WARNING,
			   d->build == 14393 && svc.state == DX_SVC_START_PENDING
			   ? "1607" : NULL);
		break;
	}
	dx_ev_str(f, "service", "Sense");
	add_service_evidence(f, &svc);
}
