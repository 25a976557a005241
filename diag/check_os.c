/* check_os.c - article section 1: does the device meet MDE's minimum
 * requirements? Reads HKLM\SOFTWARE\Microsoft\Windows NT\CurrentVersion
 * (CurrentBuild or CurrentBuildNumber, UBR, EditionID, InstallationType,
 * ProductName, DisplayVersion) and emits exactly one os.* finding. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

/* Client editions the procedure supports (EditionID values). */
static const char *const supported_editions[] = {
	"Professional",
	"ProfessionalN",
	"ProfessionalEducation",
	"ProfessionalEducationN",
	"ProfessionalWorkstation",
	"ProfessionalWorkstationN",
	"Enterprise",
	"EnterpriseN",
	"EnterpriseS",
	"EnterpriseSN",
	"Education",
	"EducationN",
	"IoTEnterprise",
	"IoTEnterpriseS",
	"IoTEnterpriseK",
	"ServerRdsh",
	"EnterpriseG",
	NULL,
};

static int starts_with(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* A human product name from the build (ProductName says "Windows 10" on
 * Windows 11, so the build decides). */
static const char *product_of(uint32_t build, int server)
{
	if (server) {
		if (build >= 26100)
			return "Windows Server 2025";
		if (build >= 25398)
			return "Windows Server, version 23H2";
		if (build >= 20348)
			return "Windows Server 2022";
		if (build >= 17763)
			return "Windows Server 2019";
		if (build >= 14393)
			return "Windows Server 2016";
		if (build >= 9600)
			return "Windows Server 2012 R2";
		if (build >= 9200)
			return "Windows Server 2012";
		return "Windows Server 2008 R2 or older";
	}
	if (build >= 22000)
		return "Windows 11";
	if (build >= 10240)
		return "Windows 10";
	if (build >= 9600)
		return "Windows 8.1";
	if (build >= 9200)
		return "Windows 8";
	return "Windows 7 or older";
}

static void add_os_evidence(struct dx_finding *f, const struct dx_facts *d)
{
	dx_ev_str(f, "product", d->product);
	dx_ev_num(f, "build", d->build);
	dx_ev_num(f, "ubr", d->ubr);
	dx_ev_fmt(f, "build_ubr", "%u.%u", (unsigned)d->build, (unsigned)d->ubr);
	dx_ev_str(f, "edition", d->edition);
	dx_ev_str(f, "installation_type", d->install_type);
	if (d->display_version[0])
		dx_ev_str(f, "display_version", d->display_version);
	dx_ev_str(f, "registry", DX_KEY_CURRENTVERSION);
}

void dx_check_os(struct dx_ctx *c)
{
	struct dx_facts *d = &c->facts;
	struct dx_err err;
	char build[32] = "", product_name[128] = "";
	enum dx_status s;

	s = dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "CurrentBuild", build, sizeof build, &err);
	if (s == DX_NOT_FOUND)
		s = dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "CurrentBuildNumber", build,
				  sizeof build, &err);
	char *end = NULL;
	unsigned long b = s == DX_OK ? strtoul(build, &end, 10) : 0;
	if (s != DX_OK || !end || *end || b == 0 || b > 99999) {
		struct dx_finding *f = dx_add(&c->findings, "os.unknown", DX_SEV_WARNING, NULL);
		dx_ev_str(f, "registry", DX_KEY_CURRENTVERSION);
		if (s != DX_OK) {
			dx_ev_undetermined(c, f, "CurrentBuild", s, &err);
		} else {
			dx_ev_fmt(f, "CurrentBuild", "\"%s\" is not a build number", build);
			dx_undetermined(f, DX_REASON_FACTS_MISSING);
		}
		return;
	}
	d->build = (uint32_t)b;
	d->os_known = 1;
	if (dx_reg_dword(c->p, DX_KEY_CURRENTVERSION, "UBR", &d->ubr, &err) != DX_OK)
		d->ubr = 0;
	dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "EditionID", d->edition, sizeof d->edition,
		      &err);
	dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "InstallationType", d->install_type,
		      sizeof d->install_type, &err);
	/* DisplayVersion exists from Windows 10 20H2 (build 19042) on; before it
	 * (Windows 10 1507-2004, Server 2016 "1607", Server 2019 "1809") the
	 * release is ReleaseId, which later builds freeze at "2009". */
	if (dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "DisplayVersion", d->display_version,
			  sizeof d->display_version, &err) != DX_OK ||
	    !d->display_version[0])
		dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "ReleaseId", d->display_version,
			      sizeof d->display_version, &err);
	dx_reg_string(c->p, DX_KEY_CURRENTVERSION, "ProductName", product_name, sizeof product_name,
		      &err);
	/* for the report's device block only: not evidence of any branch */
	dx_reg_string(c->p,
		      "HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
		      "PROCESSOR_ARCHITECTURE", d->arch, sizeof d->arch, &err);
	d->is_server = d->install_type[0] ? starts_with(d->install_type, "Server")
					  : starts_with(d->edition, "Server");
	snprintf(d->product, sizeof d->product, "%s", product_of(d->build, d->is_server));

	const char *id, *variant = NULL;
	enum dx_severity sev;
	if (d->build < 7601 || d->build == 9200 || (d->build >= 10240 && d->build < 14393) ||
	    (d->build > 7601 && d->build < 9200)) {
		id = "os.unsupported";
		sev = DX_SEV_ERROR;
		variant = d->build >= 10240 ? "win10-old" : "legacy";
	} else if (d->build < 10240) {
		d->os_out_of_scope = 1;
		id = "os.out-of-scope"; /* 7601 (Win7 / 2008 R2), 9600 (8.1 / 2012 R2) */
		sev = DX_SEV_WARNING;
	} else if (!d->is_server && starts_with(d->edition, "Core")) {
		id = "os.home-edition";
		sev = DX_SEV_ERROR;
	} else {
		id = "os.supported";
		sev = DX_SEV_INFO;
		d->os_supported = 1;
		if (!d->is_server && d->edition[0]) {
			int known = 0;
			for (const char *const *e = supported_editions; *e; e++)
				known |= dx_strieq(*e, d->edition);
			if (!known) {
				sev = DX_SEV_WARNING;
				variant = "unknown-edition";
			}
		}
	}
	struct dx_finding *f = dx_add(&c->findings, id, sev, variant);
	add_os_evidence(f, d);
	if (product_name[0])
		dx_ev_str(f, "ProductName", product_name);
}
