/* check_util.c - helpers shared by the check sections. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

void dx_ev_err(struct dx_finding *f, const char *what, enum dx_status s, const struct dx_err *err)
{
	if (err->code)
		dx_ev_fmt(f, what, "%s (Win32 error %u): %s", dx_status_name(s),
			  (unsigned)err->code, err->text);
	else
		dx_ev_fmt(f, what, "%s: %s", dx_status_name(s), err->text);
}

int dx_vercmp(const char *a, const char *b)
{
	for (int i = 0; i < 4; i++) {
		unsigned long x = 0, y = 0;
		if (isdigit((unsigned char)*a))
			x = strtoul(a, (char **)&a, 10);
		if (isdigit((unsigned char)*b))
			y = strtoul(b, (char **)&b, 10);
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
	}
	return 0;
}

const char *dx_strcasestr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return hay;
	return n ? NULL : hay;
}

/* Reads a REG_SZ or REG_EXPAND_SZ into out, or copies dflt. */
static void reg_or(struct dx_ctx *c, const char *key, const char *value, const char *dflt,
		   char *out, size_t sz)
{
	struct dx_err err;
	if (dx_reg_string(c->p, key, value, out, sz, &err) != DX_OK || !out[0])
		snprintf(out, sz, "%s", dflt);
}

/* How deep a substituted value is expanded again: Windows' own
 * ExpandEnvironmentStrings expands once, but ProfileList\ProgramData is
 * REG_EXPAND_SZ "%SystemDrive%\ProgramData" and SystemRoot may itself hold a
 * variable; a value naming itself must still end. */
#define EXPAND_DEPTH 4

/* The value of one variable as this device defines it (the registry, with
 * Windows' defaults); 0 when the variable is not one we know. */
static int var_value(struct dx_ctx *c, const char *name, size_t n, char *val, size_t sz)
{
	static const struct {
		const char *var, *key, *value, *dflt;
	} vars[] = {
		{"ProgramFiles", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion",
		 "ProgramFilesDir", "C:\\Program Files"},
		/* REG_EXPAND_SZ "%SystemDrive%\ProgramData" on Windows */
		{"ProgramData",
		 "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
		 "ProgramData", "%SystemDrive%\\ProgramData"},
		{"ALLUSERSPROFILE",
		 "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
		 "ProgramData", "%SystemDrive%\\ProgramData"},
		{"SystemRoot", DX_KEY_CURRENTVERSION, "SystemRoot", "C:\\Windows"},
		{"windir", DX_KEY_CURRENTVERSION, "SystemRoot", "C:\\Windows"},
	};
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		if (strlen(vars[i].var) == n && strncasecmp(name, vars[i].var, n) == 0) {
			reg_or(c, vars[i].key, vars[i].value, vars[i].dflt, val, sz);
			return 1;
		}
	/* %SystemDrive% is no registry value: Windows sets it from the boot
	 * volume, the drive of SystemRoot ("C:\WINDOWS" -> "C:"). */
	if (n == 11 && strncasecmp(name, "SystemDrive", n) == 0) {
		char root[260];
		reg_or(c, DX_KEY_CURRENTVERSION, "SystemRoot", "C:\\Windows", root, sizeof root);
		if (((root[0] | 0x20) >= 'a' && (root[0] | 0x20) <= 'z') && root[1] == ':')
			snprintf(val, sz, "%c:", root[0]);
		else
			snprintf(val, sz, "C:");
		return 1;
	}
	return 0;
}

/* Copies `in` into out+*o, substituting known %VAR%s and expanding what they
 * hold again while depth > 0. Stops at a '"' when `quoted`. */
static void expand(struct dx_ctx *c, const char *in, char *out, size_t sz, size_t *o, int depth,
		   int quoted)
{
	while (*in && *o + 1 < sz) {
		const char *end = in[0] == '%' ? strchr(in + 1, '%') : NULL;
		char val[520];
		if (end && end > in + 1 && depth > 0 &&
		    var_value(c, in + 1, (size_t)(end - in - 1), val, sizeof val)) {
			expand(c, val, out, sz, o, depth - 1, 0);
			in = end + 1;
		} else if (quoted && *in == '"') {
			break; /* end of a quoted path; arguments follow */
		} else {
			out[(*o)++] = *in++;
			out[*o] = '\0';
		}
	}
}

void dx_expand_path(struct dx_ctx *c, const char *in, char *out, size_t sz)
{
	size_t o = 0;
	if (!sz)
		return;
	out[0] = '\0';
	if (in[0] == '"')
		in++;
	expand(c, in, out, sz, &o, EXPAND_DEPTH, 1);
}

int dx_event_has(const struct dx_event *e, const char *needle)
{
	if (e->message && dx_strcasestr(e->message, needle))
		return 1;
	for (size_t i = 0; i < e->strings.count; i++)
		if (dx_strcasestr(e->strings.items[i], needle))
			return 1;
	return 0;
}

void dx_event_text(const struct dx_event *e, char *out, size_t sz)
{
	size_t o;
	if (!sz)
		return;
	out[0] = '\0';
	if ((e->message && e->message[0]) || !e->strings.count) {
		snprintf(out, sz, "%s", e->message ? e->message : "");
		return;
	}
	o = (size_t)snprintf(out, sz, "(no message; insertion strings:");
	for (size_t i = 0; i < e->strings.count && o + 1 < sz; i++)
		o += (size_t)snprintf(out + o, sz - o, "%s %s", i ? " |" : "", e->strings.items[i]);
	if (o + 1 < sz)
		snprintf(out + o, sz - o, ")");
}

const char *dx_reason_of(const struct dx_ctx *c, enum dx_status s)
{
	switch (s) {
	case DX_ACCESS_DENIED:
		return c->facts.elevated == 0 ? DX_REASON_NOT_ELEVATED : DX_REASON_ACCESS_DENIED;
	case DX_TRANSIENT:
	case DX_TIMEOUT: return DX_REASON_TRANSIENT;
	default: return DX_REASON_FACTS_MISSING;
	}
}

void dx_ev_undetermined(struct dx_ctx *c, struct dx_finding *f, const char *what, enum dx_status s,
			const struct dx_err *err)
{
	dx_ev_err(f, what, s, err);
	dx_undetermined(f, dx_reason_of(c, s));
}

/* "a, b, c (+N)": the first hosts of a list, for a sentence; the whole
 * list stays in the evidence array. */
void dx_ev_hosts_summary(struct dx_finding *f, const cJSON *hosts)
{
	char buf[400] = "";
	size_t o = 0;
	int n = cJSON_GetArraySize(hosts), i = 0;
	const cJSON *h;
	cJSON_ArrayForEach(h, hosts)
	{
		if (i == 3)
			break;
		o += (size_t)snprintf(buf + o, o < sizeof buf ? sizeof buf - o : 0, "%s%s",
				      i ? ", " : "", h->valuestring);
		i++;
	}
	if (n > 3 && o < sizeof buf)
		snprintf(buf + o, sizeof buf - o, " (+%d)", n - 3);
	dx_ev_str(f, "hosts_summary", buf);
	dx_ev_num(f, "host_count", n);
}

void dx_json_add_unique(cJSON *arr, const char *s)
{
	const cJSON *it;
	if (!arr || !s || !*s)
		return;
	cJSON_ArrayForEach(it,
			   arr) if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0) return;
	cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}
