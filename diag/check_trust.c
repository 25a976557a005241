/* check_trust.c - root trust and the TLS stack Sense uses (Schannel):
 * what makes Sense's own connections fail with WinHTTP 12175
 * (ERROR_WINHTTP_SECURE_FAILURE) while mdediag's probe, which brings its
 * own TLS (mbedTLS) and its own roots, connects.
 *
 * - schannel.tls12-client: the TLS 1.2 client disabled (Enabled = 0) or
 *   disabled by default (DisabledByDefault != 0) under
 *   SCHANNEL\Protocols\TLS 1.2\Client ("TLS registry settings");
 * - schannel.cipher-suites: the "SSL Cipher Suite Order" policy
 *   (Policies\...\SSL\00010002 Functions) naming no suite of
 *   data/trust.json's accepted list;
 * - trust.roots: the roots MDE's chains end at (data/trust.json), looked
 *   up by SHA-1 thumbprint in the machine's certificate stores, which are
 *   registry keys ("System Store Locations");
 * - trust.auto-update: automatic root update disabled by policy
 *   (DisableRootAutoUpdate, "Configure trusted roots and disallowed
 *   certificates").
 *
 * Windows fills AuthRoot on demand: a root of the Microsoft Root
 * Certificate Program that is not in the stores is fetched from
 * ctldl.windowsupdate.com the first time a chain needs it. So a missing
 * root is a cause only when that cannot happen: the policy disables it, or
 * the probe found the update host unreachable. Otherwise it is information.
 *
 * Runs after the connectivity section (it reads the probe's result for
 * ctldl.windowsupdate.com from the findings) and only when Sense exists. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "checks.h"
#include "jpath.h"

#define KEY_TLS12_CLIENT                                                                           \
	"HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS "   \
	"1.2\\Client"
#define KEY_WINHTTP "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp"
#define KEY_CIPHER_POLICY                                                                          \
	"HKLM\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002"
#define KEY_AUTHROOT_POLICY "HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\AuthRoot"
#define KEY_AUTHROOT_AUTOUPDATE                                                                    \
	"HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\AutoUpdate"
#define UPDATE_HOST "ctldl.windowsupdate.com"
#define WINHTTP_TLS12 0x800u /* WINHTTP_FLAG_SECURE_PROTOCOL_TLS1_2 */
#define MAX_SUITES 64

/* The stores a chain built for the local machine (SYSTEM, Sense's account)
 * finds roots in; "System Store Locations" and "Physical stores". */
static const struct store {
	const char *name, *key;
} stores[] = {
	{"Root", "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\ROOT\\Certificates"},
	{"AuthRoot", "HKLM\\SOFTWARE\\Microsoft\\SystemCertificates\\AuthRoot\\Certificates"},
	{"Root (Group Policy)",
	 "HKLM\\SOFTWARE\\Policies\\Microsoft\\SystemCertificates\\Root\\Certificates"},
	{"Root (Enterprise)",
	 "HKLM\\SOFTWARE\\Microsoft\\EnterpriseCertificates\\Root\\Certificates"},
};
#define NSTORES (sizeof stores / sizeof stores[0])

/* ---- the TLS 1.2 client ------------------------------------------------ */

/* A DWORD that may be absent: 1 read (*v set), 0 absent, -1 unreadable
 * (evidence added, finding marked undetermined). */
static int opt_dword(struct dx_ctx *c, struct dx_finding *f, const char *key, const char *value,
		     uint32_t *v)
{
	struct dx_err err;
	enum dx_status s = dx_reg_dword(c->p, key, value, v, &err);
	if (s == DX_OK)
		return 1;
	if (s == DX_NOT_FOUND)
		return 0;
	dx_ev_undetermined(c, f, value, s, &err);
	return -1;
}

static void check_tls12(struct dx_ctx *c)
{
	struct dx_finding *f = dx_add(&c->findings, "schannel.tls12-client", DX_SEV_INFO, NULL);
	if (!f)
		return;
	dx_ev_str(f, "key", KEY_TLS12_CLIENT);
	/* "Protocols in TLS/SSL (Schannel SSP)": the TLS 1.2 client is enabled
	 * by default from Windows 8.1 / Server 2012 R2 (build 9600) on */
	dx_ev_str(f, "os_default",
		  c->facts.build == 0      ? "unknown"
		  : c->facts.build >= 9600 ? "enabled"
					   : "disabled-by-default");
	uint32_t enabled = 0, dbd = 0, wh = 0;
	int he = opt_dword(c, f, KEY_TLS12_CLIENT, "Enabled", &enabled);
	int hd = opt_dword(c, f, KEY_TLS12_CLIENT, "DisabledByDefault", &dbd);
	if (he == 1)
		dx_ev_num(f, "Enabled", enabled);
	if (hd == 1)
		dx_ev_num(f, "DisabledByDefault", dbd);
	/* read whatever the protocol keys say, so the collected file holds it */
	int hw = opt_dword(c, f, KEY_WINHTTP, "DefaultSecureProtocols", &wh);
	if (hw == 1)
		dx_ev_fmt(f, "winhttp_default_secure_protocols", "0x%X", wh);
	if (he == 1 && enabled == 0) {
		/* Disabled: Schannel will not negotiate it whatever the caller asks */
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "disabled");
		f->reason[0] = '\0'; /* decided whatever DisabledByDefault says */
		dx_ev_str(f, "state", "disabled");
		return;
	}
	if (he < 0 || hd < 0) {
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		return;
	}
	if (hd == 1 && dbd != 0) {
		/* Disabled by default: only a caller that asks for TLS 1.2 by name
		 * gets it. Sense connects through WinHTTP, which asks for the
		 * protocols of its DefaultSecureProtocols value when set. */
		dx_ev_str(f, "state", "disabled-by-default");
		if (hw < 0) {
			f->severity = DX_SEV_WARNING;
			snprintf(f->variant, sizeof f->variant, "unreadable");
			return;
		}
		if (hw == 1 && (wh & WINHTTP_TLS12)) {
			f->severity = DX_SEV_WARNING;
			snprintf(f->variant, sizeof f->variant, "winhttp-asks");
			return;
		}
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "disabled-by-default");
		return;
	}
	f->reason[0] = '\0'; /* WinHTTP's value matters only when disabled by default */
	dx_ev_str(f, "state", he == 0 && hd == 0 ? "default" : "enabled");
}

/* ---- the cipher-suite policy ------------------------------------------- */

/* 1 when `suite` is one of the accepted suites, or one followed by the
 * curve suffix Windows 8.1 names them with. */
static int accepted(const cJSON *list, const char *suite)
{
	const cJSON *a;
	cJSON_ArrayForEach(a, list)
	{
		if (!cJSON_IsString(a))
			continue;
		size_t n = strlen(a->valuestring);
		if (strlen(suite) < n)
			continue;
		char head[128];
		if (n >= sizeof head)
			continue;
		memcpy(head, suite, n);
		head[n] = '\0';
		if (!dx_strieq(head, a->valuestring))
			continue;
		const char *rest = suite + n;
		if (!*rest || dx_strieq(rest, "_P256") || dx_strieq(rest, "_P384") ||
		    dx_strieq(rest, "_P521"))
			return 1;
	}
	return 0;
}

/* Splits one string at commas into `arr`, trimming spaces. */
static void split_suites(cJSON *arr, const char *s)
{
	while (*s && cJSON_GetArraySize(arr) < MAX_SUITES) {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		size_t n = strcspn(s, ",");
		size_t m = n;
		while (m && (s[m - 1] == ' ' || s[m - 1] == '\t'))
			m--;
		if (m) {
			char buf[128];
			snprintf(buf, sizeof buf, "%.*s",
				 (int)(m < sizeof buf ? m : sizeof buf - 1), s);
			cJSON_AddItemToArray(arr, cJSON_CreateString(buf));
		}
		s += n;
	}
}

static void check_ciphers(struct dx_ctx *c)
{
	struct dx_finding *f = dx_add(&c->findings, "schannel.cipher-suites", DX_SEV_INFO, NULL);
	if (!f)
		return;
	dx_ev_str(f, "key", KEY_CIPHER_POLICY);
	const cJSON *acc =
		cJSON_GetObjectItemCaseSensitive(c->data->trust, "accepted_cipher_suites");
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(acc, "suites");
	struct dx_regval v;
	struct dx_err err;
	memset(&v, 0, sizeof v);
	enum dx_status s = dx_reg_read(c->p, KEY_CIPHER_POLICY, "Functions", &v, &err);
	if (s == DX_NOT_FOUND) {
		dx_ev_str(f, "policy", "not set");
		return; /* Windows' own order, which has the ECDHE suites */
	}
	if (s != DX_OK) {
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		dx_ev_undetermined(c, f, "Functions", s, &err);
		return;
	}
	dx_ev_str(f, "type", dx_regtype_name(v.type));
	cJSON *suites = cJSON_CreateArray();
	if (v.type == DX_REG_SZ || v.type == DX_REG_EXPAND_SZ) {
		split_suites(suites, (const char *)v.data);
	} else if (v.type == DX_REG_MULTI_SZ) {
		/* bounded by len even if the last string lacks its NUL */
		for (size_t o = 0; v.data && o < v.len && v.data[o];) {
			const char *p = (const char *)v.data + o;
			size_t n = strnlen(p, v.len - o);
			char seg[1024];
			snprintf(seg, sizeof seg, "%.*s",
				 (int)(n < sizeof seg ? n : sizeof seg - 1), p);
			split_suites(suites, seg);
			o += n + 1;
		}
	} else {
		cJSON_Delete(suites);
		dx_regval_free(&v);
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		dx_ev_str(f, "Functions",
			  "a REG_SZ (comma-separated) or REG_MULTI_SZ list was expected");
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
		return;
	}
	dx_regval_free(&v);
	cJSON *ok = cJSON_CreateArray();
	const cJSON *it;
	cJSON_ArrayForEach(it, suites) if (accepted(list, it->valuestring))
		cJSON_AddItemToArray(ok, cJSON_CreateString(it->valuestring));
	snprintf(f->variant, sizeof f->variant, "policy");
	dx_ev_num(f, "policy_suite_count", cJSON_GetArraySize(suites));
	dx_ev_num(f, "accepted_count", cJSON_GetArraySize(ok));
	cJSON_AddItemToObject(f->evidence, "policy_suites", suites);
	cJSON_AddItemToObject(f->evidence, "accepted_in_policy", ok);
	if (cJSON_GetArraySize(ok) == 0) {
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "none-accepted");
		const cJSON *first = cJSON_GetArrayItem(list, 0);
		if (cJSON_IsString(first))
			dx_ev_str(f, "example_accepted", first->valuestring);
	}
}

/* ---- the roots --------------------------------------------------------- */

/* Seconds since the epoch of "YYYY-MM-DDTHH:MM:SSZ", 0 when malformed. */
static int64_t parse_time(const char *s)
{
	int y, mo, d, h, mi, se;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ", &y, &mo, &d, &h, &mi, &se) != 6)
		return 0;
	/* days from civil (Howard Hinnant), no timegm on MinGW */
	y -= mo <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	int64_t days = era * 146097 + doe - 719468;
	return days * 86400 + h * 3600 + mi * 60 + se;
}

/* Automatic root update: 1 allowed, 0 disabled by policy, -1 unreadable.
 * Adds trust.auto-update. */
static int check_auto_update(struct dx_ctx *c, char *root_dir_url, size_t sz)
{
	struct dx_finding *f = dx_add(&c->findings, "trust.auto-update", DX_SEV_INFO, NULL);
	if (!f)
		return -1;
	dx_ev_str(f, "key", KEY_AUTHROOT_POLICY);
	uint32_t v = 0;
	int allowed;
	int h = opt_dword(c, f, KEY_AUTHROOT_POLICY, "DisableRootAutoUpdate", &v);
	if (h < 0) {
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		allowed = -1;
	} else if (h == 0) {
		dx_ev_str(f, "DisableRootAutoUpdate", "not set");
		allowed = 1;
	} else {
		dx_ev_num(f, "DisableRootAutoUpdate", v);
		allowed = v == 0;
		if (!allowed) {
			f->severity = DX_SEV_WARNING;
			snprintf(f->variant, sizeof f->variant, "disabled");
		}
	}
	/* a redirected source (disconnected environments) */
	struct dx_err err;
	root_dir_url[0] = '\0';
	if (dx_reg_string(c->p, KEY_AUTHROOT_AUTOUPDATE, "RootDirURL", root_dir_url, sz, &err) ==
		    DX_OK &&
	    root_dir_url[0])
		dx_ev_str(f, "RootDirURL", root_dir_url);
	else
		root_dir_url[0] = '\0';
	return allowed;
}

/* What the probe saw of the update host: "ok", a failure class, or NULL
 * when it did not probe it. */
static const char *update_host_result(const struct dx_ctx *c)
{
	for (size_t i = 0; i < c->findings.count; i++) {
		const struct dx_finding *f = &c->findings.items[i];
		if (strcmp(f->id, "net.endpoint") != 0)
			continue;
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(f->evidence, "host");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(f->evidence, "result");
		if (cJSON_IsString(h) && dx_strieq(h->valuestring, UPDATE_HOST) &&
		    cJSON_IsString(r))
			return r->valuestring;
	}
	return NULL;
}

struct store_list {
	enum dx_status s;
	struct dx_err err;
	struct dx_strlist names;
};

static int in_store(const struct store_list *l, const char *thumb)
{
	for (size_t i = 0; l->s == DX_OK && i < l->names.count; i++)
		if (dx_strieq(l->names.items[i], thumb))
			return 1;
	return 0;
}

static void check_roots(struct dx_ctx *c, int allowed, const char *root_dir_url)
{
	struct dx_finding *f = dx_add(&c->findings, "trust.roots", DX_SEV_INFO, NULL);
	if (!f)
		return;
	struct store_list ls[NSTORES];
	int unreadable = 0;
	cJSON *sev = cJSON_AddArrayToObject(f->evidence, "stores_unreadable");
	for (size_t k = 0; k < NSTORES; k++) {
		memset(&ls[k], 0, sizeof ls[k]);
		ls[k].s = dx_reg_subkeys(c->p, stores[k].key, &ls[k].names, &ls[k].err);
		if (ls[k].s != DX_OK && ls[k].s != DX_NOT_FOUND) {
			unreadable = 1;
			char buf[600];
			snprintf(buf, sizeof buf, "%s: %s", stores[k].key, ls[k].err.text);
			cJSON_AddItemToArray(sev, cJSON_CreateString(buf));
		}
	}
	const cJSON *roots = cJSON_GetObjectItemCaseSensitive(c->data->trust, "roots");
	int64_t now = dx_now(c->p);
	cJSON *present = cJSON_AddArrayToObject(f->evidence, "present");
	cJSON *missing = cJSON_AddArrayToObject(f->evidence, "missing");
	cJSON *expired = cJSON_AddArrayToObject(f->evidence, "expired_not_needed");
	/* group -> satisfied: a group is met by any of its roots (cross-signed
	 * issuing CAs chain to either) */
	const cJSON *r;
	cJSON *groups_met = cJSON_CreateObject();
	cJSON_ArrayForEach(r, roots)
	{
		const char *name = cm_jpath_string(r, "name");
		const char *tp = cm_jpath_string(r, "thumbprint");
		const char *grp = cm_jpath_string(r, "group");
		const char *na = cm_jpath_string(r, "not_after");
		if (!name || !tp || !grp)
			continue;
		int64_t end = parse_time(na);
		if (end && now > end) {
			cJSON_AddItemToArray(expired, cJSON_CreateString(name));
			continue;
		}
		if (!cJSON_GetObjectItemCaseSensitive(groups_met, grp))
			cJSON_AddFalseToObject(groups_met, grp);
		for (size_t k = 0; k < NSTORES; k++)
			if (in_store(&ls[k], tp)) {
				char buf[200];
				snprintf(buf, sizeof buf, "%s (%s)", name, stores[k].name);
				cJSON_AddItemToArray(present, cJSON_CreateString(buf));
				cJSON_ReplaceItemInObjectCaseSensitive(groups_met, grp,
								       cJSON_CreateTrue());
				break;
			}
	}
	/* the roots of the groups with none present */
	cJSON_ArrayForEach(r, roots)
	{
		const char *name = cm_jpath_string(r, "name");
		const char *tp = cm_jpath_string(r, "thumbprint");
		const char *grp = cm_jpath_string(r, "group");
		const cJSON *met = grp ? cJSON_GetObjectItemCaseSensitive(groups_met, grp) : NULL;
		if (name && tp && cJSON_IsFalse(met)) {
			char buf[200];
			snprintf(buf, sizeof buf, "%s %s", name, tp);
			cJSON_AddItemToArray(missing, cJSON_CreateString(buf));
		}
	}
	cJSON_Delete(groups_met);
	for (size_t k = 0; k < NSTORES; k++)
		dx_strlist_free(&ls[k].names);
	int nmissing = cJSON_GetArraySize(missing);
	dx_ev_num(f, "missing_count", nmissing);
	if (nmissing == 0)
		return; /* every chain finds its root: clear, whatever the policy */
	const cJSON *first = cJSON_GetArrayItem(missing, 0);
	dx_ev_str(f, "missing_first", first->valuestring);
	const char *probe = update_host_result(c);
	dx_ev_str(f, "auto_update",
		  allowed == 1   ? "allowed"
		  : allowed == 0 ? "disabled by policy"
				 : "unknown");
	dx_ev_str(f, "update_host", UPDATE_HOST);
	dx_ev_str(f, "update_host_result",
		  root_dir_url[0] ? "not used (RootDirURL)"
		  : probe         ? probe
				  : "not probed");
	if (allowed == 1 && (root_dir_url[0] || !probe || strcmp(probe, "ok") == 0)) {
		/* Windows adds it to AuthRoot the first time a chain needs it
		 * (from RootDirURL when set; mdediag cannot look there) */
		snprintf(f->variant, sizeof f->variant, "on-demand");
	} else if (allowed < 0 || unreadable) {
		/* whether it matters depends on what could not be read */
		f->severity = DX_SEV_WARNING;
		snprintf(f->variant, sizeof f->variant, "unreadable");
		dx_undetermined(f, DX_REASON_FACTS_MISSING);
	} else if (allowed == 0) {
		/* nothing will add it: chains that end there fail */
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "auto-update-disabled");
	} else {
		/* Windows would fetch it from ctldl.windowsupdate.com, which the
		 * probe could not reach */
		f->severity = DX_SEV_ERROR;
		snprintf(f->variant, sizeof f->variant, "update-unreachable");
	}
}

void dx_check_trust(struct dx_ctx *c)
{
	if (c->facts.sense_exists == 0)
		return; /* no Sense: the missing sensor is the whole story */
	check_tls12(c);
	check_ciphers(c);
	char root_dir_url[512];
	int allowed = check_auto_update(c, root_dir_url, sizeof root_dir_url);
	check_roots(c, allowed, root_dir_url);
}
