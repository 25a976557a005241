/* check_onboarding.c - article section 2, continued: did onboarding
 * complete, by which method, and what do its logs say when Sense is not
 * running (WDATPOnboarding events, Intune/MDM errors, the Defender for
 * Cloud extension)? Sense's own log is read whatever its state, by
 * check_senselog.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

#define EVENT_WINDOW (30 * 86400) /* how far back logs are read */
#define MDFC_EXTENSION_DIR                                                                         \
	"C:\\Packages\\Plugins\\Microsoft.Azure.AzureDefenderForServers.MDE.Windows"

/* WDATPOnboarding error events of "Troubleshoot onboarding issues". */
static const uint32_t onboarding_error_ids[] = {5, 10, 15, 30, 35, 40, 65, 70};

static int in(uint32_t id, const uint32_t *ids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}
#define IN(id, arr) in(id, arr, sizeof arr / sizeof arr[0])

static void add_event_evidence(struct dx_finding *f, const struct dx_event *e, size_t count)
{
	char when[32];
	dx_format_time(e->time, when);
	dx_ev_str(f, "log", e->log);
	dx_ev_str(f, "source", e->provider);
	dx_ev_num(f, "event_id", e->id);
	dx_ev_str(f, "level", dx_evlevel_name(e->level));
	dx_ev_str(f, "last_seen", when);
	dx_ev_num(f, "count", (double)count);
	char msg[512];
	dx_event_text(e, msg, sizeof msg);
	dx_ev_str(f, "message", msg);
}

static void check_state(struct dx_ctx *c)
{
	struct dx_err err;
	uint32_t state = 0;
	enum dx_status s = dx_reg_dword(c->p, DX_KEY_ATP_STATUS, "OnboardingState", &state, &err);
	struct dx_finding *f;
	if (s == DX_OK && state == 1) {
		f = dx_add(&c->findings, "onboarding.state", DX_SEV_INFO, "onboarded");
	} else if (s == DX_OK) {
		f = dx_add(&c->findings, "onboarding.state", DX_SEV_ERROR, "not-onboarded");
	} else if (s == DX_NOT_FOUND) {
		f = dx_add(&c->findings, "onboarding.state", DX_SEV_ERROR, "missing");
	} else {
		f = dx_add(&c->findings, "onboarding.state", DX_SEV_WARNING, "unreadable");
	}
	dx_ev_str(f, "registry", DX_KEY_ATP_STATUS);
	dx_ev_str(f, "value", "OnboardingState");
	if (s == DX_OK)
		dx_ev_num(f, "OnboardingState", state);
	else if (s == DX_NOT_FOUND)
		dx_ev_err(f, "OnboardingState", s, &err);
	else
		dx_ev_undetermined(c, f, "OnboardingState", s, &err);
	dx_reg_string(c->p, DX_KEY_ATP_STATUS, "OrgID", c->facts.org_id, sizeof c->facts.org_id,
		      &err);
	if (c->facts.org_id[0])
		dx_ev_str(f, "OrgID", c->facts.org_id);
	dx_reg_string(c->p, DX_KEY_ATP, "SenseId", c->facts.device_id, sizeof c->facts.device_id,
		      &err);
	if (c->facts.device_id[0])
		dx_ev_str(f, "SenseId", c->facts.device_id);
}

static int service_exists(struct dx_ctx *c, const char *name)
{
	struct dx_svc svc;
	struct dx_err err;
	return dx_svc_query(c->p, name, &svc, &err) == DX_OK;
}

/* Intune/MDM: an enrollment whose ProviderID is "MS DM Server". */
static int mdm_enrolled(struct dx_ctx *c, char *enrollment, size_t sz)
{
	struct dx_strlist keys;
	struct dx_err err;
	int found = 0;
	if (dx_reg_subkeys(c->p, DX_KEY_ENROLLMENTS, &keys, &err) != DX_OK)
		return 0;
	for (size_t i = 0; i < keys.count && !found; i++) {
		char key[600], provider[128];
		snprintf(key, sizeof key, "%s\\%s", DX_KEY_ENROLLMENTS, keys.items[i]);
		if (dx_reg_string(c->p, key, "ProviderID", provider, sizeof provider, &err) ==
			    DX_OK &&
		    dx_strieq(provider, "MS DM Server")) {
			snprintf(enrollment, sz, "%s", keys.items[i]);
			found = 1;
		}
	}
	dx_strlist_free(&keys);
	return found;
}

/* Which method onboarded the device, as far as the device shows. */
static void check_method(struct dx_ctx *c, int emit, int *intune, int *mdfc_expected,
			 int *mdfc_present)
{
	struct dx_err err;
	struct dx_regval v;
	char latency[32] = "", enrollment[128] = "";
	int policy = dx_reg_read(c->p, DX_KEY_ATP_POLICY, "OnboardingInfo", &v, &err) == DX_OK;
	dx_regval_free(&v);
	dx_reg_string(c->p, DX_KEY_ATP_POLICY, "latency", latency, sizeof latency, &err);
	*intune = mdm_enrolled(c, enrollment, sizeof enrollment);
	int azure = service_exists(c, "WindowsAzureGuestAgent");
	int arc = service_exists(c, "himds");
	int is_dir = 0;
	*mdfc_present = dx_file_exists(c->p, MDFC_EXTENSION_DIR, &is_dir, &err) == DX_OK && is_dir;
	*mdfc_expected = (azure || arc) && !policy && !*intune;

	const char *method = "unknown";
	if (*mdfc_present)
		method = "defender-for-cloud";
	else if (policy && dx_strieq(latency, "Demo"))
		method = "local-script";
	else if (policy)
		method = "script-gpo-mecm";
	else if (*intune)
		method = "intune";
	else if (*mdfc_expected)
		method = "defender-for-cloud";
	snprintf(c->facts.onboarding_method, sizeof c->facts.onboarding_method, "%s", method);
	if (!emit)
		return;

	struct dx_finding *f = dx_add(&c->findings, "onboarding.method", DX_SEV_INFO, method);
	dx_ev_str(f, "method", method);
	dx_ev_bool(f, "onboarding_policy", policy);
	dx_ev_fmt(f, "onboarding_policy_value", "%s\\OnboardingInfo", DX_KEY_ATP_POLICY);
	if (latency[0])
		dx_ev_str(f, "latency", latency);
	dx_ev_bool(f, "mdm_enrolled", *intune);
	if (enrollment[0])
		dx_ev_str(f, "mdm_enrollment", enrollment);
	dx_ev_bool(f, "azure_vm_agent", azure);
	dx_ev_bool(f, "azure_arc_agent", arc);
	dx_ev_bool(f, "mdfc_extension", *mdfc_present);
}

static void check_onboarding_events(struct dx_ctx *c, int64_t since)
{
	struct dx_eventlist evs;
	struct dx_err err;
	enum dx_status s = dx_events_query(c->p, DX_LOG_APPLICATION, "WDATPOnboarding", 0, since,
					   1000, &evs, &err);
	if (s != DX_OK) {
		struct dx_finding *f =
			dx_add(&c->findings, "onboarding.event", DX_SEV_WARNING, "unreadable");
		dx_ev_str(f, "log", DX_LOG_APPLICATION);
		dx_ev_str(f, "source", "WDATPOnboarding");
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}
	/* one finding per error event ID, newest occurrence (the list is
	 * newest first) */
	for (size_t i = 0; i < evs.count; i++) {
		const struct dx_event *e = &evs.items[i];
		if (!dx_evlevel_is_error(e->level))
			continue; /* 10 and 20 also come as information; 0 is LogAlways */
		int seen = 0;
		size_t count = 0;
		for (size_t k = 0; k < evs.count; k++) {
			if (evs.items[k].id == e->id && dx_evlevel_is_error(evs.items[k].level)) {
				seen |= k < i;
				count++;
			}
		}
		if (seen)
			continue;
		char variant[16];
		snprintf(variant, sizeof variant, "%u", (unsigned)e->id);
		struct dx_finding *f = dx_add(&c->findings, "onboarding.event", DX_SEV_ERROR,
					      IN(e->id, onboarding_error_ids) ? variant : "other");
		add_event_evidence(f, e, count);
	}
	dx_eventlist_free(&evs);
}

static void check_intune(struct dx_ctx *c, int64_t since)
{
	struct dx_eventlist evs;
	struct dx_err err;
	enum dx_status s = dx_events_query(c->p, DX_LOG_MDM, NULL, 0, since, 500, &evs, &err);
	if (s != DX_OK) {
		struct dx_finding *f =
			dx_add(&c->findings, "onboarding.intune", DX_SEV_WARNING, "unreadable");
		dx_ev_str(f, "log", DX_LOG_MDM);
		dx_ev_undetermined(c, f, "query", s, &err);
		return;
	}
	static const char *const codes[] = {"0x87D1FDE8", "-2016281112", "0x87D101A9",
					    "-2016345687", NULL};
	for (size_t i = 0; i < evs.count; i++) {
		const struct dx_event *e = &evs.items[i];
		const char *code = NULL;
		for (const char *const *k = codes; *k && !code; k++)
			if (dx_event_has(e, *k))
				code = *k;
		if (e->id != 1819 && !code)
			continue;
		struct dx_finding *f = dx_add(&c->findings, "onboarding.intune", DX_SEV_ERROR,
					      code ? "csp-error" : "1819");
		add_event_evidence(f, e, 1);
		if (code)
			dx_ev_str(f, "error_code", code);
		break; /* the newest one says enough */
	}
	dx_eventlist_free(&evs);
}

void dx_check_onboarding(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 0)
		return; /* nothing can have been onboarded without Sense */
	int intune = 0, mdfc_expected = 0, mdfc_present = 0;
	int running = c->facts.sense_state == DX_SVC_RUNNING;
	check_state(c);
	/* the method is a fact for the report and the re-onboarding plan; its
	 * logs are read only when Sense is not running */
	check_method(c, !running, &intune, &mdfc_expected, &mdfc_present);
	if (running)
		return;
	int64_t since = dx_now(c->p) - EVENT_WINDOW;
	check_onboarding_events(c, since);
	if (intune)
		check_intune(c, since);
	if (mdfc_expected && !mdfc_present) {
		struct dx_finding *f =
			dx_add(&c->findings, "onboarding.mdfc-extension", DX_SEV_ERROR, NULL);
		dx_ev_str(f, "extension", "MDE.Windows");
		dx_ev_str(f, "path", MDFC_EXTENSION_DIR);
		dx_ev_str(f, "seen", "absent");
	}
}
