/* check_agent.c - article section 4: are the agents current? The Sense
 * version (MsSense.exe, unsupported below 10.8500), the MDAV platform (the
 * folder of WinDefend's image path) and security intelligence
 * (AVSignatureVersion) against data/baselines.json, and the EDR sensor
 * update KB5005292 on Server 2012 R2 / 2016. */
#include <stdio.h>
#include <string.h>
#include "checks.h"

#define DEFAULT_SENSE_EXE "%ProgramFiles%\\Windows Defender Advanced Threat Protection\\MsSense.exe"

static const char *baseline(struct dx_ctx *c, const char *name, const char *dflt)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(c->data->baselines, name);
	return cJSON_IsString(j) ? j->valuestring : dflt;
}

/* Where MsSense.exe is: the Sense service's image path, the unified
 * agent's InstallLocation, or the in-box default. */
static void sense_exe(struct dx_ctx *c, char *out, size_t sz, const char **how)
{
	struct dx_svc svc;
	struct dx_err err;
	char loc[400];
	if (dx_svc_query(c->p, "Sense", &svc, &err) == DX_OK && svc.image_path[0]) {
		dx_expand_path(c, svc.image_path, out, sz);
		*how = "Sense service ImagePath";
		return;
	}
	if (dx_reg_string(c->p, DX_KEY_ATP, "InstallLocation", loc, sizeof loc, &err) == DX_OK && loc[0]) {
		size_t n = strlen(loc);
		snprintf(out, sz, "%s%sMsSense.exe", loc, loc[n - 1] == '\\' ? "" : "\\");
		*how = "InstallLocation";
		return;
	}
	dx_expand_path(c, DEFAULT_SENSE_EXE, out, sz);
	*how = "default location";
}

static void check_sense_version(struct dx_ctx *c)
{
	char path[600], ver[64];
	const char *how = "", *min = baseline(c, "sense_minimum", "10.8500");
	struct dx_err err;
	sense_exe(c, path, sizeof path, &how);
	enum dx_status s = dx_file_version(c->p, path, ver, &err);
	struct dx_finding *f;
	if (s != DX_OK) {
		f = dx_add(&c->findings, "agent.sense-version", DX_SEV_WARNING, "unreadable");
		dx_ev_undetermined(c, f, "version", s, &err);
	} else {
		int old = dx_vercmp(ver, min) < 0;
		f = dx_add(&c->findings, "agent.sense-version",
			   old ? DX_SEV_ERROR : DX_SEV_INFO, old ? "old" : NULL);
		dx_ev_str(f, "version", ver);
		snprintf(c->facts.sense_version, sizeof c->facts.sense_version, "%s", ver);
	}
	dx_ev_str(f, "file", path);
	dx_ev_str(f, "found_by", how);
	dx_ev_str(f, "minimum", min);
}

/* "…\Platform\4.18.25090.3009-0\MsMpEng.exe" → "4.18.25090.3009". */
static int platform_from_path(const char *path, char *out, size_t sz)
{
	const char *p = dx_strcasestr(path, "\\Platform\\");
	if (!p)
		return 0;
	p += strlen("\\Platform\\");
	size_t n = strcspn(p, "\\-\"");
	if (n == 0 || n >= sz)
		return 0;
	memcpy(out, p, n);
	out[n] = '\0';
	return 1;
}

static void check_platform(struct dx_ctx *c)
{
	char image[520] = "", path[600], ver[64] = "";
	const char *base = baseline(c, "mdav_platform", "0");
	struct dx_err err;
	enum dx_status s = dx_reg_string(c->p, DX_KEY_SERVICES "\\WinDefend", "ImagePath",
					 image, sizeof image, &err);
	struct dx_finding *f;
	if (s == DX_OK && !platform_from_path(image, ver, sizeof ver)) {
		/* the in-box platform: its version is MsMpEng.exe's */
		dx_expand_path(c, image, path, sizeof path);
		s = dx_file_version(c->p, path, ver, &err);
	}
	if (s != DX_OK) {
		if (c->facts.mdav_state == 0)
			return; /* no WinDefend at all: mdav.* already says so */
		f = dx_add(&c->findings, "agent.mdav-platform", DX_SEV_WARNING, "unreadable");
		dx_ev_undetermined(c, f, "version", s, &err);
	} else {
		int old = dx_vercmp(ver, base) < 0;
		f = dx_add(&c->findings, "agent.mdav-platform",
			   old ? DX_SEV_WARNING : DX_SEV_INFO, old ? "old" : NULL);
		dx_ev_str(f, "version", ver);
		snprintf(c->facts.mdav_platform, sizeof c->facts.mdav_platform, "%s", ver);
	}
	dx_ev_str(f, "registry", DX_KEY_SERVICES "\\WinDefend");
	dx_ev_str(f, "ImagePath", image);
	dx_ev_str(f, "baseline", base);
	dx_ev_str(f, "kb", baseline(c, "mdav_platform_kb", "KB4052623"));
}

static void check_signatures(struct dx_ctx *c)
{
	char ver[64];
	const char *base = baseline(c, "signatures", "0");
	struct dx_err err;
	enum dx_status s = dx_reg_string(c->p, DX_KEY_SIGNATURES, "AVSignatureVersion",
					 ver, sizeof ver, &err);
	struct dx_finding *f;
	if (s != DX_OK) {
		if (c->facts.mdav_state == 0)
			return;
		f = dx_add(&c->findings, "agent.signatures", DX_SEV_WARNING, "unreadable");
		dx_ev_undetermined(c, f, "AVSignatureVersion", s, &err);
	} else {
		int old = dx_vercmp(ver, base) < 0;
		f = dx_add(&c->findings, "agent.signatures",
			   old ? DX_SEV_WARNING : DX_SEV_INFO, old ? "old" : NULL);
		dx_ev_str(f, "AVSignatureVersion", ver);
		snprintf(c->facts.mdav_signatures, sizeof c->facts.mdav_signatures, "%s", ver);
	}
	dx_ev_str(f, "registry", DX_KEY_SIGNATURES);
	dx_ev_str(f, "baseline", base);
	dx_ev_str(f, "kb", baseline(c, "signatures_kb", "KB2267602"));
}

static void check_kb5005292(struct dx_ctx *c)
{
	const struct dx_facts *d = &c->facts;
	const cJSON *builds = cJSON_GetObjectItemCaseSensitive(c->data->baselines,
							      "kb5005292_builds");
	int applies = 0;
	const cJSON *b;
	cJSON_ArrayForEach(b, builds)
		applies |= cJSON_IsNumber(b) && (uint32_t)b->valuedouble == d->build;
	if (!d->is_server || !applies)
		return;
	/* Installed or not: the EDR sensor update installs the sensor under
	 * %ProgramData%\...\Windows Defender Advanced Threat Protection\Platform\<version>
	 * (one folder per version; Sense then runs MsSense.exe from there).
	 * Microsoft documents the package (KB5005292, "Microsoft Defender for
	 * Endpoint update for EDR Sensor") but not its folder; the folder is
	 * the community-documented layout (docs/checks.md, agent.kb5005292). */
	char dir[600], newest[64] = "";
	struct dx_strlist l;
	struct dx_err err;
	dx_expand_path(c, "%ProgramData%\\Microsoft\\Windows Defender Advanced Threat Protection\\Platform",
		       dir, sizeof dir);
	enum dx_status s = dx_dir_list(c->p, dir, &l, &err);
	for (size_t i = 0; s == DX_OK && i < l.count; i++) {
		const char *v = l.items[i];
		size_t n = strspn(v, "0123456789.");
		if (n == 0 || n >= sizeof newest || !strchr(v, '.') || (v[n] && v[n] != '-'))
			continue; /* not a version folder */
		char ver[64];
		snprintf(ver, sizeof ver, "%.*s", (int)n, v);
		if (!newest[0] || dx_vercmp(ver, newest) > 0)
			snprintf(newest, sizeof newest, "%s", ver);
	}
	dx_strlist_free(&l);
	struct dx_finding *f;
	if (newest[0]) {
		f = dx_add(&c->findings, "agent.kb5005292", DX_SEV_INFO, "installed");
		dx_ev_str(f, "sensor_version", newest);
	} else if (s == DX_OK || s == DX_NOT_FOUND) {
		f = dx_add(&c->findings, "agent.kb5005292", DX_SEV_WARNING, NULL);
		dx_ev_str(f, "seen", s == DX_OK ? "no version folder" : "folder absent");
	} else {
		f = dx_add(&c->findings, "agent.kb5005292", DX_SEV_WARNING, "unreadable");
		dx_ev_undetermined(c, f, "listing", s, &err);
	}
	dx_ev_str(f, "product", d->product);
	dx_ev_num(f, "build", d->build);
	dx_ev_str(f, "kb", "KB5005292");
	dx_ev_str(f, "platform_folder", dir);
	if (d->sense_version[0])
		dx_ev_str(f, "sense_version", d->sense_version);
}

void dx_check_agent(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 1)
		check_sense_version(c);
	check_platform(c);
	check_signatures(c);
	check_kb5005292(c);
}
