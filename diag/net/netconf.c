/* netconf.c - decoders for Sense's network configuration; see netconf.h. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hostport.h"
#include "netconf.h"

/* Decoded fields are bounded on purpose: truncation is fine there. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wformat-truncation"
#endif

static void copy(char *dst, size_t dstsz, const char *src)
{
	snprintf(dst, dstsz, "%s", src ? src : "");
}

static int ieq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return 0;
	return *a == *b;
}

/* ---- OnboardedInfo ----------------------------------------------------- */

/* Azure datacenter names seen in OnboardedInfo, to destinations.json codes. */
static const struct {
	const char *name, *code, *geo;
} dc_names[] = {
	{"CentralUs", "cus", "US"},      {"EastUs", "eus", "US"},
	{"CentralUs3", "cus3", "US"},    {"EastUs3", "eus3", "US"},
	{"NorthEurope", "neu", "EU"},    {"WestEurope", "weu", "EU"},
	{"NorthEurope3", "neu3", "EU"},  {"WestEurope3", "weu3", "EU"},
	{"UkSouth", "uks", "UK"},        {"UkWest", "ukw", "UK"},
	{"AustraliaEast", "aue", "AU"},  {"AustraliaSouthEast", "aus", "AU"},
	{"AustraliaSouth", "aus", "AU"},
};

const char *dx_datacenter_code(const char *name, const char **geo)
{
	char norm[64];
	size_t j = 0;
	if (!name)
		return NULL;
	/* "West Europe", "west-europe" and "WestEurope" are the same name. */
	for (size_t i = 0; name[i] && j + 1 < sizeof norm; i++)
		if (isalnum((unsigned char)name[i]))
			norm[j++] = name[i];
	norm[j] = 0;
	for (size_t i = 0; i < sizeof dc_names / sizeof dc_names[0]; i++) {
		if (ieq(norm, dc_names[i].name) || ieq(norm, dc_names[i].code)) {
			if (geo)
				*geo = dc_names[i].geo;
			return dc_names[i].code;
		}
	}
	return NULL;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	if (!v) /* the analyzer reads body.Datacenter too */
		v = cJSON_GetObjectItem(o, key);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int geo_known(const cJSON *known, const char *geo)
{
	if (!known)
		return geo && *geo;
	return geo && *geo && cJSON_GetObjectItemCaseSensitive(known, geo) != NULL;
}

int dx_onboarded_parse(const char *text, size_t len, const cJSON *known_geos,
		       struct dx_onboarded *out)
{
	cJSON *outer = NULL, *body = NULL;
	const char *s, *dcgeo = NULL, *code;
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->streamlined = -1;
	if (!text || len == 0) {
		copy(out->error, sizeof out->error, "empty value");
		return -1;
	}
	outer = cJSON_ParseWithLength(text, len);
	if (!cJSON_IsObject(outer)) {
		copy(out->error, sizeof out->error, "not a JSON object");
		goto out;
	}
	s = jstr(outer, "body");
	if (!s) {
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(outer, "body");
		copy(out->error, sizeof out->error,
		     b ? "\"body\" is not a string" : "no \"body\" member");
		goto out;
	}
	body = cJSON_Parse(s);
	if (!cJSON_IsObject(body)) {
		copy(out->error, sizeof out->error, "\"body\" is not JSON object text");
		goto out;
	}
	copy(out->partner_geo, sizeof out->partner_geo, jstr(body, "partnerGeoLocation"));
	copy(out->vortex_geo, sizeof out->vortex_geo, jstr(body, "vortexGeoLocation"));
	copy(out->datacenter, sizeof out->datacenter, jstr(body, "datacenter"));
	copy(out->org_id, sizeof out->org_id, jstr(body, "orgId"));

	if (strncmp(out->partner_geo, "GW_", 3) == 0) {
		out->streamlined = 1;
		copy(out->geo, sizeof out->geo, out->partner_geo + 3);
	} else {
		out->streamlined = 0;
		copy(out->geo, sizeof out->geo,
		     out->partner_geo[0] ? out->partner_geo : out->vortex_geo);
	}
	for (char *p = out->geo; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	code = dx_datacenter_code(out->datacenter, &dcgeo);
	if (!out->geo[0] && dcgeo)
		copy(out->geo, sizeof out->geo, dcgeo);
	if (code && dcgeo && strcmp(dcgeo, out->geo) == 0)
		copy(out->dc, sizeof out->dc, code);
	if (!geo_known(known_geos, out->geo)) {
		/* A geo we have no rows for (e.g. a sovereign cloud): probe the
		 * default regions, but keep what the device said as evidence. */
		out->geo[0] = 0;
		out->dc[0] = 0;
	}
	rc = 0;
out:
	cJSON_Delete(body);
	cJSON_Delete(outer);
	return rc;
}

/* ---- WinHttpSettings --------------------------------------------------- */

static uint32_t le32(const unsigned char *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* Reads a u32 length + ASCII string at *off; -1 when out of bounds, too
 * long for dst, or not printable ASCII. */
static int read_lstr(const unsigned char *b, size_t n, size_t *off, char *dst, size_t dstsz,
		     const char *what, char *err, size_t errsz)
{
	uint32_t len;
	if (n - *off < 4) {
		snprintf(err, errsz, "truncated before the %s length (offset %zu of %zu)", what,
			 *off, n);
		return -1;
	}
	len = le32(b + *off);
	*off += 4;
	if (len > n - *off) {
		snprintf(err, errsz, "%s length %u runs past the end (%zu bytes left)", what, len,
			 n - *off);
		return -1;
	}
	if (len >= dstsz) {
		snprintf(err, errsz, "%s length %u is implausibly long", what, len);
		return -1;
	}
	for (uint32_t i = 0; i < len; i++) {
		unsigned char ch = b[*off + i];
		if (ch == 0 && i + 1 == len)
			break; /* a trailing NUL is tolerated */
		if (ch < 0x20 || ch > 0x7e) {
			snprintf(err, errsz, "%s has a non-printable byte 0x%02x at %u", what, ch,
				 i);
			return -1;
		}
	}
	memcpy(dst, b + *off, len);
	dst[len] = 0;
	*off += len;
	return 0;
}

int dx_winhttp_decode(const unsigned char *b, size_t n, struct dx_winhttp *out)
{
	size_t off = 12;
	memset(out, 0, sizeof *out);
	if (!b || n < 12) {
		snprintf(out->error, sizeof out->error,
			 "%zu bytes: shorter than the 12-byte header", b ? n : 0);
		return -1;
	}
	if (n > 4096) {
		snprintf(out->error, sizeof out->error, "%zu bytes: oversized", n);
		return -1;
	}
	out->version = le32(b);
	out->counter = le32(b + 4);
	out->flags = le32(b + 8);
	if (out->version != 0x18 && out->version != 0x46) {
		snprintf(out->error, sizeof out->error, "unexpected header 0x%x (0x18 expected)",
			 out->version);
		return -1;
	}
	if (read_lstr(b, n, &off, out->proxy, sizeof out->proxy, "proxy", out->error,
		      sizeof out->error) ||
	    read_lstr(b, n, &off, out->bypass, sizeof out->bypass, "bypass list", out->error,
		      sizeof out->error)) {
		out->proxy[0] = out->bypass[0] = 0;
		return -1;
	}
	out->has_proxy = (out->flags & 2) && out->proxy[0];
	if ((out->flags & 2) && !out->proxy[0]) {
		snprintf(out->error, sizeof out->error, "flags say proxy but no proxy is set");
		return -1;
	}
	return 0;
}

/* ---- proxy strings ----------------------------------------------------- */

/* A proxy as WinHTTP and the policy write it: "host:port" (or
 * "[v6]:port", cm_hostport_parse) after an optional "http://" and before
 * an optional "/"; a missing port means `defport`. */
static int split_hostport(const char *s, size_t len, struct dx_hostport *out, int defport,
			  char *err, size_t errsz)
{
	memset(out, 0, sizeof *out);
	if (len >= 7 && strncmp(s, "http://", 7) == 0)
		s += 7, len -= 7;
	if (len > 0 && s[len - 1] == '/')
		len--;
	return cm_hostport_parse(s, len, defport, out->host, sizeof out->host, &out->port, err,
				 errsz);
}

int dx_static_proxy_parse(const char *s, struct dx_hostport *out, char *err, size_t errsz)
{
	char dummy[8];
	if (!err)
		err = dummy, errsz = sizeof dummy;
	err[0] = 0;
	if (!s) {
		memset(out, 0, sizeof *out);
		snprintf(err, errsz, "empty");
		return -1;
	}
	return split_hostport(s, strlen(s), out, 80, err, errsz);
}

int dx_winhttp_proxy_for(const char *proxy, const char *scheme, struct dx_hostport *out)
{
	struct dx_hostport bare, tmp;
	int have_bare = 0;
	const char *p = proxy;
	char err[64];
	size_t slen = strlen(scheme);

	memset(out, 0, sizeof *out);
	while (p && *p) {
		size_t n = strcspn(p, "; ");
		const char *eq = memchr(p, '=', n);
		if (n == 0) {
			p++;
			continue;
		}
		if (eq) {
			if ((size_t)(eq - p) == slen && strncmp(p, scheme, slen) == 0 &&
			    split_hostport(eq + 1, n - (size_t)(eq + 1 - p), &tmp, 80, err,
					   sizeof err) == 0) {
				*out = tmp;
				return 0;
			}
		} else if (!have_bare && split_hostport(p, n, &bare, 80, err, sizeof err) == 0) {
			have_bare = 1;
		}
		p += n;
	}
	if (have_bare) {
		*out = bare;
		return 0;
	}
	return -1;
}

/* Case-insensitive glob with '*' only; iterative with one backtrack point,
 * so hostile patterns cost O(len(pat) * len(s)), never exponential. */
static int glob_ieq(const char *pat, size_t plen, const char *s)
{
	size_t pi = 0, star = (size_t)-1;
	const char *mark = NULL;
	while (*s) {
		if (pi < plen && pat[pi] == '*') {
			star = pi++;
			mark = s;
		} else if (pi < plen &&
			   tolower((unsigned char)pat[pi]) == tolower((unsigned char)*s)) {
			pi++;
			s++;
		} else if (star != (size_t)-1) {
			pi = star + 1;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (pi < plen && pat[pi] == '*')
		pi++;
	return pi == plen;
}

int dx_bypass_match(const char *bypass, const char *host)
{
	const char *p = bypass;
	while (p && *p) {
		size_t n = strcspn(p, "; ,");
		if (n == 7 && strncmp(p, "<local>", 7) == 0) {
			if (!strchr(host, '.'))
				return 1;
		} else if (n > 0) {
			if (glob_ieq(p, n, host))
				return 1;
		}
		p += n ? n : 1;
	}
	return 0;
}

/* ---- destinations ------------------------------------------------------ */

static int row_has_mode(const cJSON *row, const char *mode)
{
	const cJSON *m;
	cJSON_ArrayForEach(
		m, cJSON_GetObjectItemCaseSensitive(row, "modes")) if (cJSON_IsString(m) &&
								       strcmp(m->valuestring,
									      mode) == 0) return 1;
	return 0;
}

/* Replaces {geo} (lower case) and {dc} in a host template. */
static int expand(const char *tmpl, const char *geo, const char *dc, char *out, size_t outsz)
{
	size_t j = 0;
	for (const char *p = tmpl; *p;) {
		const char *rep = NULL;
		char lgeo[8];
		if (strncmp(p, "{geo}", 5) == 0) {
			size_t i = 0;
			for (; geo[i] && i + 1 < sizeof lgeo; i++)
				lgeo[i] = (char)tolower((unsigned char)geo[i]);
			lgeo[i] = 0;
			rep = lgeo;
			p += 5;
		} else if (strncmp(p, "{dc}", 4) == 0) {
			rep = dc;
			p += 4;
		}
		if (rep) {
			size_t n = strlen(rep);
			if (j + n >= outsz)
				return -1;
			memcpy(out + j, rep, n);
			j += n;
		} else {
			if (j + 1 >= outsz)
				return -1;
			out[j++] = *p++;
		}
	}
	out[j] = 0;
	return 0;
}

/* A worldwide row may name a host per data region ("host_by_geo"): the
 * device's own region host is probed when its region is known
 * (`device_geo`, NULL when unknown). */
static int add_row(const cJSON *row, const char *geo, const char *dc, const char *device_geo,
		   struct dx_dest *out, size_t max, size_t *n)
{
	struct dx_dest *d;
	const char *host = jstr(row, "host"), *id = jstr(row, "id");
	const char *geo_host =
		device_geo ? jstr(cJSON_GetObjectItemCaseSensitive(row, "host_by_geo"), device_geo)
			   : NULL;
	if (geo_host)
		host = geo_host;
	const char *path = jstr(row, "path"), *cat = jstr(row, "category");
	const char *scheme = jstr(row, "scheme");
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(row, "port");
	const cJSON *expect = cJSON_GetObjectItemCaseSensitive(row, "expect");
	const cJSON *c;

	if (!host || !id || !cat || !cJSON_IsNumber(port))
		return -1;
	if (*n >= max)
		return 0;
	d = &out[*n];
	memset(d, 0, sizeof *d);
	if (expand(host, geo, dc, d->host, sizeof d->host))
		return -1;
	/* Skip a concrete host already selected (same host, port and path). */
	for (size_t i = 0; i < *n; i++)
		if (strcmp(out[i].host, d->host) == 0 && out[i].port == port->valueint &&
		    strcmp(out[i].path, path ? path : "/") == 0)
			return 0;
	copy(d->id, sizeof d->id, id);
	if (strchr(host, '{'))
		snprintf(d->id, sizeof d->id, "%s-%s", id, dc);
	d->port = port->valueint;
	d->tls = scheme ? strcmp(scheme, "https") == 0 : d->port == 443;
	copy(d->path, sizeof d->path, path ? path : "/");
	d->expect = cJSON_IsNumber(expect) ? expect->valueint : 200;
	copy(d->category, sizeof d->category, cat);
	d->required = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(row, "required"));
	copy(d->geo, sizeof d->geo, geo);
	copy(d->cats[0], sizeof d->cats[0], cat);
	d->ncats = 1;
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(row, "categories"))
	{
		int dup = 0;
		if (!cJSON_IsString(c))
			continue;
		for (int i = 0; i < d->ncats; i++)
			dup |= strcmp(d->cats[i], c->valuestring) == 0;
		if (!dup && d->ncats < DX_MAX_CATS)
			copy(d->cats[d->ncats++], sizeof d->cats[0], c->valuestring);
	}
	(*n)++;
	return 0;
}

int dx_dest_select(const cJSON *json, int streamlined, const char *geo, const char *dc,
		   struct dx_dest *out, size_t max)
{
	static const char *const fallback[] = {"US", "EU", "UK"};
	const cJSON *geos = cJSON_GetObjectItemCaseSensitive(json, "geos");
	const cJSON *rows = cJSON_GetObjectItemCaseSensitive(json, "destinations");
	const cJSON *row;
	const char *const *glist;
	const char *device_geo = NULL;
	size_t ng, n = 0;

	if (!cJSON_IsArray(rows) || !cJSON_IsObject(geos))
		return -1;
	if (geo && *geo && cJSON_GetObjectItemCaseSensitive(geos, geo)) {
		glist = &geo;
		ng = 1;
		device_geo = geo;
	} else {
		glist = fallback;
		ng = 3;
		dc = NULL;
	}
	cJSON_ArrayForEach(row, rows)
	{
		const char *rgeo = jstr(row, "geo");
		int want = streamlined < 0
				   ? (row_has_mode(row, "standard") ||
				      row_has_mode(row, "streamlined"))
				   : row_has_mode(row, streamlined ? "streamlined" : "standard");
		if (!want || !rgeo)
			continue;
		if (strcmp(rgeo, "WW") == 0) {
			if (add_row(row, "WW", "", device_geo, out, max, &n))
				return -1;
			continue;
		}
		for (size_t g = 0; g < ng; g++) {
			const cJSON *ginfo = cJSON_GetObjectItemCaseSensitive(geos, glist[g]);
			const char *gdc = dc && *dc ? dc : jstr(ginfo, "default_dc");
			if (strcmp(rgeo, "ANY") == 0) {
				if (!gdc || add_row(row, glist[g], gdc, NULL, out, max, &n))
					return -1;
			} else if (strcmp(rgeo, glist[g]) == 0) {
				if (add_row(row, glist[g], "", NULL, out, max, &n))
					return -1;
			}
		}
	}
	return (int)n;
}

/* ---- --connect-to ------------------------------------------------------ */

/* Takes one ':'-separated field (a "[...]" field may hold ':'). */
static const char *field(const char *p, char *dst, size_t dstsz, int last)
{
	const char *end;
	size_t n;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end)
			return NULL;
		end++;
	} else {
		end = last ? p + strlen(p) : strchr(p, ':');
		if (!end)
			return NULL;
	}
	if (!last && *end != ':')
		return NULL;
	n = (size_t)(end - p);
	if (n >= dstsz)
		return NULL;
	memcpy(dst, p, n);
	dst[n] = 0;
	return last ? end : end + 1;
}

/* A port of --connect-to: empty (any, 0) or cm_port_parse's. */
static int parse_port(const char *s, int *out)
{
	*out = 0;
	return *s ? cm_port_parse(s, strlen(s), out, NULL, 0) : 0;
}

int dx_connect_to_parse(const char *s, struct dx_connect_to *out)
{
	char hport[8], aport[8], addr[258];
	const char *p = s;
	memset(out, 0, sizeof *out);
	if (!s)
		return -1;
	if (!(p = field(p, out->host, sizeof out->host, 0)) ||
	    !(p = field(p, hport, sizeof hport, 0)) || !(p = field(p, addr, sizeof addr, 0)) ||
	    !(p = field(p, aport, sizeof aport, 1)) || *p)
		return -1;
	if (parse_port(hport, &out->port) || parse_port(aport, &out->addr_port))
		return -1;
	if (addr[0] == '[') {
		size_t n = strlen(addr);
		if (n < 3 || addr[n - 1] != ']')
			return -1;
		addr[n - 1] = 0;
		copy(out->addr, sizeof out->addr, addr + 1);
	} else {
		copy(out->addr, sizeof out->addr, addr);
	}
	return 0;
}

int dx_connect_to_apply(const struct dx_connect_to *rules, size_t n, const char *host, int port,
			char *addr, size_t addrsz, int *out_port)
{
	for (size_t i = 0; i < n; i++) {
		const struct dx_connect_to *r = &rules[i];
		if (r->host[0] && !ieq(r->host, host))
			continue;
		if (r->port && r->port != port)
			continue;
		if (r->addr[0])
			copy(addr, addrsz, r->addr);
		*out_port = r->addr_port ? r->addr_port : port;
		return (int)i;
	}
	return -1;
}
