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

/* What servicing says about the Sense client capability. */
struct capability {
	int installed;     /* 1 yes, 0 no, -1 unknown */
	char package[256]; /* the package whose state was read, "" none */
	uint32_t state;    /* its CurrentState */
	enum dx_status st; /* why unknown: the subkeys could not be read */
	struct dx_err err;
};

/* Is the Sense client capability installed? The capability is a
 * Features-on-Demand package; servicing records it under Component Based
 * Servicing\Packages with CurrentState 0x70 when installed (inferred from
 * how CBS tracks packages; DISM /Get-CapabilityInfo reads the same store).
 * Reads only: the caller decides the finding, then adds the evidence. */
static void capability_query(struct dx_ctx *c, struct capability *cap)
{
	struct dx_strlist keys;
	memset(cap, 0, sizeof *cap);
	cap->st = dx_reg_subkeys(c->p, DX_KEY_CBS_PACKAGES, &keys, &cap->err);
	if (cap->st != DX_OK) {
		cap->installed = -1;
		return;
	}
	for (size_t i = 0; i < keys.count && cap->installed != 1; i++) {
		if (strncasecmp(keys.items[i], SENSE_FOD_PACKAGE, strlen(SENSE_FOD_PACKAGE)) != 0)
			continue;
		char key[1024];
		uint32_t state = 0;
		struct dx_err err;
		snprintf(key, sizeof key, "%s\\%s", DX_KEY_CBS_PACKAGES, keys.items[i]);
		if (dx_reg_dword(c->p, key, "CurrentState", &state, &err) == DX_OK) {
			snprintf(cap->package, sizeof cap->package, "%s", keys.items[i]);
			cap->state = state;
			cap->installed = state == CBS_INSTALLED ? 1 : 0;
		}
	}
	dx_strlist_free(&keys);
}

static void capability_evidence(struct dx_finding *f, const struct capability *cap)
{
	dx_ev_str(f, "capability", SENSE_CAPABILITY);
	if (cap->st != DX_OK)
		dx_ev_err(f, "capability_state", cap->st, &cap->err);
	if (cap->package[0]) {
		dx_ev_str(f, "capability_package", cap->package);
		dx_ev_fmt(f, "capability_package_state", "0x%x", (unsigned)cap->state);
	}
	dx_ev_str(f, "capability_installed",
		  cap->installed == 1   ? "yes"
		  : cap->installed == 0 ? "no"
					: "unknown");
}

/* Sense does not exist (1060). Which repair applies depends on the OS, so
 * repair advice is given only for an OS this procedure covers: an OS that
 * could not be read leaves the branch undetermined, and an OS the article
 * sends elsewhere (Windows 7, 8.1, 2008 R2, 2012 R2, or below the minimum)
 * or a Home edition before 24H2 never had Sense to repair. */
static void sense_missing(struct dx_ctx *c, const struct dx_err *err)
{
	const struct dx_facts *d = &c->facts;
	const char *variant = NULL;
	enum dx_severity sev = DX_SEV_ERROR;
	int home = !d->is_server && strncasecmp(d->edition, "Core", 4) == 0;
	if (!d->os_known) {
		variant = "os-unknown";
		sev = DX_SEV_WARNING;
	} else if (!d->os_supported && !(home && d->build >= 26100)) {
		variant = home ? "home-edition" : "out-of-scope";
		sev = DX_SEV_INFO;
	}
	struct dx_finding *parent = dx_add(&c->findings, "sense.missing", sev, variant);
	dx_ev_str(parent, "service", "Sense");
	dx_ev_num(parent, "win32_error", err->code);
	dx_ev_str(parent, "reply", err->text);
	if (!d->os_known) {
		const struct dx_finding *os = dx_find(&c->findings, "os.unknown");
		dx_undetermined(parent, os && os->reason[0] ? os->reason : DX_REASON_FACTS_MISSING);
		return;
	}
	if (variant) {
		dx_ev_str(parent, "product", d->product);
		dx_ev_num(parent, "build", d->build);
		dx_ev_str(parent, "edition", d->edition);
		return;
	}

	struct dx_finding *f;
	if (d->is_server && d->build == 14393) {
		f = dx_add(&c->findings, "sense.missing.server2016-agent", DX_SEV_ERROR, NULL);
		dx_ev_str(f, "product", d->product);
		dx_ev_num(f, "build", d->build);
		dx_ev_str(f, "installer", "md4ws.msi");
	} else if (!d->is_server && d->build >= 26100) {
		struct capability cap;
		capability_query(c, &cap);
		if (cap.installed == 1) {
			/* installed, yet no service: the image is damaged in
			 * another way, so this is not the capability branch */
			f = dx_add(&c->findings, "sense.missing.other", DX_SEV_ERROR,
				   "capability-installed");
			capability_evidence(f, &cap);
			return;
		}
		f = dx_add(&c->findings, "sense.missing.win11-capability", DX_SEV_ERROR, NULL);
		capability_evidence(f, &cap);
		dx_ev_str(f, "command",
			  "DISM /online /Add-Capability /CapabilityName:" SENSE_CAPABILITY);
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

	if (s == DX_NOT_FOUND && err.code == DX_ERROR_SERVICE_MARKED_FOR_DELETE) {
		/* DeleteService "marks a service for deletion ... The database
		 * entry is not removed until all open handles to the service
		 * have been closed ... and the service is not running": it is
		 * neither missing nor usable until then, in practice a restart. */
		struct dx_finding *f =
			dx_add(&c->findings, "sense.pending-delete", DX_SEV_ERROR, NULL);
		dx_ev_str(f, "service", "Sense");
		dx_ev_num(f, "win32_error", err.code);
		dx_ev_str(f, "reply", err.text);
		return;
	}
	if (s == DX_NOT_FOUND && err.code == DX_ERROR_SERVICE_DOES_NOT_EXIST) {
		d->sense_exists = 0;
		sense_missing(c, &err);
		return;
	}
	if (s != DX_OK) {
		struct dx_finding *f = dx_add(&c->findings, "sense.unknown", DX_SEV_WARNING, NULL);
		dx_ev_str(f, "service", "Sense");
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}
	d->sense_exists = 1;
	d->sense_state = svc.state;
	d->sense_start_type = svc.start_type;

	struct dx_finding *f;
	switch (svc.state) {
	case DX_SVC_RUNNING: f = dx_add(&c->findings, "sense.running", DX_SEV_INFO, NULL); break;
	case DX_SVC_STOPPED:
	case DX_SVC_PAUSED: f = dx_add(&c->findings, "sense.stopped", DX_SEV_ERROR, NULL); break;
	default:
		f = dx_add(&c->findings, "sense.pending", DX_SEV_WARNING,
			   d->build == 14393 && svc.state == DX_SVC_START_PENDING ? "1607" : NULL);
		break;
	}
	dx_ev_str(f, "service", "Sense");
	add_service_evidence(f, &svc);
}
