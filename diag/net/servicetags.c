/* servicetags.c - Defender's prefixes in a ServiceTags file (see
 * servicetags.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "servicetags.h"
#include "sock.h" /* dx_addr_bytes */

static int in_prefix(const struct dx_prefix *px, const unsigned char *b, int bits)
{
	int full = px->len / 8, rest = px->len % 8;
	if (px->bits != bits)
		return 0;
	if (memcmp(px->b, b, (size_t)full))
		return 0;
	if (rest) {
		unsigned char mask = (unsigned char)(0xff << (8 - rest));
		return (px->b[full] & mask) == (b[full] & mask);
	}
	return 1;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
		i++;
	return i;
}

static size_t skip_str(const char *s, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return len;
}

/* End (exclusive) of the JSON value at s[i]; len when unterminated. */
static size_t skip_value(const char *s, size_t len, size_t i)
{
	int depth = 0;
	if (i < len && s[i] == '"')
		return skip_str(s, len, i);
	if (i < len && s[i] != '{' && s[i] != '[') {
		while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']')
			i++;
		return i;
	}
	while (i < len) {
		char ch = s[i];
		if (ch == '"') {
			i = skip_str(s, len, i);
			continue;
		}
		if (ch == '{' || ch == '[')
			depth++;
		else if ((ch == '}' || ch == ']') && --depth == 0)
			return i + 1;
		i++;
	}
	return len;
}

static int add_prefixes(const cJSON *val, struct dx_prefixes *out)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(val, "name"), *a;
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(val, "properties");
	if (!cJSON_IsString(name) ||
	    (strcmp(name->valuestring, "MicrosoftDefenderForEndpoint") != 0 &&
	     strcmp(name->valuestring, "OneDsCollector") != 0))
		return 0;
	cJSON_ArrayForEach(a, cJSON_GetObjectItemCaseSensitive(props, "addressPrefixes"))
	{
		char buf[64], *slash;
		struct dx_prefix p;
		if (!cJSON_IsString(a))
			continue;
		snprintf(buf, sizeof buf, "%s", a->valuestring);
		slash = strchr(buf, '/');
		if (slash)
			*slash++ = 0;
		if (dx_addr_bytes(buf, p.b, &p.bits))
			continue;
		p.len = slash ? atoi(slash) : p.bits;
		if (p.len < 0 || p.len > p.bits)
			continue;
		if (out->count == out->cap) {
			size_t nc = out->cap ? out->cap * 2 : 256;
			struct dx_prefix *q = realloc(out->items, nc * sizeof *q);
			if (!q)
				return -1;
			out->items = q;
			out->cap = nc;
		}
		out->items[out->count++] = p;
	}
	return 0;
}

int dx_service_tags_scan(const char *s, size_t len, struct dx_prefixes *out)
{
	size_t i = skip_ws(s, len, 0);
	int found = 0;
	if (i >= len || s[i] != '{')
		return -1;
	for (i = skip_ws(s, len, i + 1); i < len && s[i] == '"';) {
		size_t k = i, kend = skip_str(s, len, i);
		i = skip_ws(s, len, kend);
		if (i >= len || s[i] != ':')
			return -1;
		i = skip_ws(s, len, i + 1);
		if (kend - k == 8 && strncmp(s + k, "\"values\"", 8) == 0 && i < len &&
		    s[i] == '[') {
			found = 1;
			for (i = skip_ws(s, len, i + 1); i < len && s[i] != ']';) {
				size_t e = skip_value(s, len, i);
				if (e >= len)
					return -1;
				if (s[i] == '{') {
					cJSON *val = cJSON_ParseWithLength(s + i, e - i);
					int r = val ? add_prefixes(val, out) : -1;
					cJSON_Delete(val);
					if (r)
						return -1;
				}
				i = skip_ws(s, len, e);
				if (i < len && s[i] == ',')
					i = skip_ws(s, len, i + 1);
			}
			i = skip_ws(s, len, i + 1);
		} else {
			i = skip_ws(s, len, skip_value(s, len, i));
		}
		if (i < len && s[i] == ',')
			i = skip_ws(s, len, i + 1);
	}
	return found ? 0 : -1;
}

int dx_prefixes_contain(const struct dx_prefixes *px, const unsigned char *b, int bits)
{
	for (size_t j = 0; j < px->count; j++)
		if (in_prefix(&px->items[j], b, bits))
			return 1;
	return 0;
}

void dx_prefixes_free(struct dx_prefixes *px)
{
	free(px->items);
	memset(px, 0, sizeof *px);
}
