/* check_util.c - helpers shared by the check sections. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "checks.h"

void dx_ev_err(struct dx_finding *f, const char *what, enum dx_status s,
	       const struct dx_err *err)
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

/* Reads a REG_SZ into out, or copies dflt. */
static void reg_or(struct dx_ctx *c, const char *key, const char *value,
		   const char *dflt, char *out, size_t sz)
{
	struct dx_err err;
	if (dx_reg_string(c->p, key, value, out, sz, &err) != DX_OK || !out[0])
		snprintf(out, sz, "%s", dflt);
}

void dx_expand_path(struct dx_ctx *c, const char *in, char *out, size_t sz)
{
	static const struct { const char *var, *key, *value, *dflt; } vars[] = {
		{"%ProgramFiles%", "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion",
		 "ProgramFilesDir", "C:\\Program Files"},
		{"%ProgramData%", "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
		 "ProgramData", "C:\\ProgramData"},
		{"%SystemRoot%", DX_KEY_CURRENTVERSION, "SystemRoot", "C:\\Windows"},
		{"%windir%", DX_KEY_CURRENTVERSION, "SystemRoot", "C:\\Windows"},
	};
	size_t o = 0;
	if (in[0] == '"')
		in++;
	out[0] = '\0';
	while (*in && o + 1 < sz) {
		size_t i, n = sizeof vars / sizeof vars[0];
		for (i = 0; i < n; i++)
			if (strncasecmp(in, vars[i].var, strlen(vars[i].var)) == 0)
				break;
		if (i < n) {
			char val[260];
			reg_or(c, vars[i].key, vars[i].value, vars[i].dflt, val, sizeof val);
			snprintf(out + o, sz - o, "%s", val);
			o = strlen(out);
			in += strlen(vars[i].var);
		} else if (*in == '"') {
			break; /* end of a quoted path; arguments follow */
		} else {
			out[o++] = *in++;
			out[o] = '\0';
		}
	}
}

const char *dx_reason_of(const struct dx_ctx *c, enum dx_status s)
{
	switch (s) {
	case DX_ACCESS_DENIED:
		return c->facts.elevated == 0 ? DX_REASON_NOT_ELEVATED : DX_REASON_ACCESS_DENIED;
	case DX_TRANSIENT:
	case DX_TIMEOUT:
		return DX_REASON_TRANSIENT;
	default:
		return DX_REASON_FACTS_MISSING;
	}
}

void dx_ev_undetermined(struct dx_ctx *c, struct dx_finding *f, const char *what,
			enum dx_status s, const struct dx_err *err)
{
	dx_ev_err(f, what, s, err);
	dx_undetermined(f, dx_reason_of(c, s));
}
