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
	if (dx_reg_string(c->p, DX_KEY_ATP, "InstallLocation", loc, sizeof loc, &err) == DX_OK &&
	    loc[0]) {
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
		f = dx_add(&c->findings, "agent.sense-version", old ? DX_SEV_ERROR : DX_SEV_INFO,
			   old ? "old" : NULL);
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
	enum dx_status s = dx_reg_string(c->p, DX_KEY_SERVICES "\\WinDefend", "ImagePath", image,
					 sizeof image, &err);
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
		f = dx_add(&c->findings, "agent.mdav-platform", old ? DX_SEV_WARNING : DX_SEV_INFO,
			   old ? "old" : NULL);
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
	enum dx_status s =
		dx_reg_string(c->p, DX_KEY_SIGNATURES, "AVSignatureVersion", ver, sizeof ver, &err);
	struct dx_finding *f;
	if (s != DX_OK) {
		if (c->facts.mdav_state == 0)
			return;
		f = dx_add(&c->findings, "agent.signatures", DX_SEV_WARNING, "unreadable");
		dx_ev_undetermined(c, f, "AVSignatureVersion", s, &err);
	} else {
		int old = dx_vercmp(ver, base) < 0;
		f = dx_add(&c->findings, "agent.signatures", old ? DX_SEV_WARNING : DX_SEV_INFO,
			   old ? "old" : NULL);
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
	const cJSON *builds =
		cJSON_GetObjectItemCaseSensitive(c->data->baselines, "kb5005292_builds");
	int applies = 0;
	const cJSON *b;
	cJSON_ArrayForEach(b, builds) applies |=
		cJSON_IsNumber(b) && (uint32_t)b->valuedouble == d->build;
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
	dx_expand_path(
		c,
		"%ProgramData%\\Microsoft\\Windows Defender Advanced Threat Protection\\Platform",
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

/* One minimum of the streamlined prerequisites against what the device
 * has: adds "<name>" and "<name>_minimum" to the evidence and the name to
 * `below` when older. 0 compared, -1 when the version is unknown. */
static int streamlined_cmp(struct dx_finding *f, cJSON *below, cJSON *unknown, const char *name,
			   const char *have, const char *min)
{
	char key[48];
	snprintf(key, sizeof key, "%s_minimum", name);
	dx_ev_str(f, key, min);
	if (!have || !have[0]) {
		dx_ev_str(f, name, "unknown");
		cJSON_AddItemToArray(unknown, cJSON_CreateString(name));
		return -1;
	}
	dx_ev_str(f, name, have);
	if (dx_vercmp(have, min) < 0)
		cJSON_AddItemToArray(below, cJSON_CreateString(name));
	return 0;
}

/* The operating system's minimum KB for streamlined connectivity (the
 * "os" rows of the baseline): "met", "below", "not-compared" (Microsoft
 * names a KB whose build mdediag does not hold) or "not-listed". */
static const char *streamlined_os(struct dx_ctx *c, const cJSON *sl, struct dx_finding *f)
{
	const struct dx_facts *d = &c->facts;
	const cJSON *row;
	cJSON_ArrayForEach(row, cJSON_GetObjectItemCaseSensitive(sl, "os"))
	{
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(row, "build");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(row, "ubr");
		const cJSON *kb = cJSON_GetObjectItemCaseSensitive(row, "kb");
		if (!cJSON_IsNumber(b) || (uint32_t)b->valuedouble != d->build)
			continue;
		if (cJSON_IsString(kb))
			dx_ev_str(f, "os_kb", kb->valuestring);
		if (!cJSON_IsNumber(u))
			return "not-compared";
		dx_ev_fmt(f, "os_minimum", "%u.%u", (unsigned)d->build, (unsigned)u->valuedouble);
		return d->ubr >= (uint32_t)u->valuedouble ? "met" : "below";
	}
	const cJSON *newer = cJSON_GetObjectItemCaseSensitive(sl, "newer_than_build");
	if (cJSON_IsNumber(newer) && d->build > (uint32_t)newer->valuedouble)
		return "met"; /* released after the March 2022 KBs */
	return "not-listed";
}

/* A device onboarded with the streamlined package must meet the minimum
 * versions Microsoft lists for it ("Onboarding devices using streamlined
 * connectivity", Prerequisites): the Sense KB, the Defender Antivirus
 * platform, engine and security intelligence. Only for streamlined
 * devices (OnboardedInfo's partnerGeoLocation, net.mode). */
static void check_streamlined(struct dx_ctx *c)
{
	const struct dx_facts *d = &c->facts;
	if (d->streamlined != 1 || d->sense_exists != 1)
		return;
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(c->data->baselines, "streamlined");
	struct dx_finding *f;
	if (!cJSON_IsObject(sl)) {
		f = dx_add(&c->findings, "agent.streamlined-prerequisites", DX_SEV_WARNING,
			   "no-baseline");
		dx_ev_str(f, "baselines", "the baselines file has no \"streamlined\" member");
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
		return;
	}
	char engine[64] = "";
	struct dx_err err;
	enum dx_status es = dx_reg_string(c->p, DX_KEY_SIGNATURES, "EngineVersion", engine,
					  sizeof engine, &err);
	f = dx_add(&c->findings, "agent.streamlined-prerequisites", DX_SEV_INFO, NULL);
	if (!f)
		return;
	cJSON *below = cJSON_CreateArray(), *unknown = cJSON_CreateArray();
	const cJSON *j;
#define MIN(k)                                                                                     \
	((j = cJSON_GetObjectItemCaseSensitive(sl, k)) && cJSON_IsString(j) ? j->valuestring : "")
	streamlined_cmp(f, below, unknown, "sense", d->sense_version, MIN("sense"));
	streamlined_cmp(f, below, unknown, "platform", d->mdav_platform, MIN("platform"));
	streamlined_cmp(f, below, unknown, "engine", es == DX_OK ? engine : NULL, MIN("engine"));
	streamlined_cmp(f, below, unknown, "signatures", d->mdav_signatures, MIN("signatures"));
	if (es != DX_OK)
		dx_ev_err(f, "EngineVersion", es, &err);
	const char *os = streamlined_os(c, sl, f);
	dx_ev_fmt(f, "os_build", "%u.%u", (unsigned)d->build, (unsigned)d->ubr);
	dx_ev_str(f, "os", os);
	if (strcmp(os, "below") == 0)
		cJSON_AddItemToArray(below, cJSON_CreateString("os"));
	dx_ev_str(f, "source", MIN("source"));
#undef MIN
	char list[128] = "";
	const cJSON *x, *which = cJSON_GetArraySize(below) ? below : unknown;
	cJSON_ArrayForEach(x, which) snprintf(list + strlen(list), sizeof list - strlen(list),
					      "%s%s", list[0] ? ", " : "", x->valuestring);
	if (cJSON_GetArraySize(below)) {
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "below");
		dx_ev_str(f, "below_minimum", list);
	} else if (cJSON_GetArraySize(unknown)) {
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		dx_ev_str(f, "unknown", list);
		dx_undetermined(f, es == DX_OK ? DX_REASON_FACTS_MISSING : dx_reason_of(c, es));
	}
	cJSON_Delete(below);
	cJSON_Delete(unknown);
}

void dx_check_agent(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 1)
		check_sense_version(c);
	check_platform(c);
	check_signatures(c);
	check_streamlined(c);
	check_kb5005292(c);
}
