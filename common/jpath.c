/* jpath.c - JSON members read with their path (jpath.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "jpath.h"

void cm_jpath_root(struct cm_jpath *p)
{
	snprintf(p->s, sizeof p->s, "$");
}

size_t cm_jpath_member(struct cm_jpath *p, const char *name, int bracket)
{
	size_t n = strlen(p->s);
	char shown[200];
	snprintf(shown, sizeof shown, "%s", name);
	for (char *c = shown; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	snprintf(p->s + n, sizeof p->s - n, bracket ? "[\"%s\"]" : ".%s", shown);
	return n;
}

size_t cm_jpath_index(struct cm_jpath *p, size_t i)
{
	size_t n = strlen(p->s);
	snprintf(p->s + n, sizeof p->s - n, "[%zu]", i);
	return n;
}

void cm_jpath_pop(struct cm_jpath *p, size_t len)
{
	p->s[len] = '\0';
}

int cm_jpath_fail(char *err, size_t errsz, const char *path, const char *key, const char *fmt, ...)
{
	va_list ap;
	int n;
	if (!errsz)
		return -1;
	n = key ? snprintf(err, errsz, "%s.%s: ", path, key) : snprintf(err, errsz, "%s: ", path);
	if (n < 0 || (size_t)n >= errsz)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

int cm_jpath_get(const cJSON *obj, const char *key, int types, const cJSON **out)
{
	const cJSON *it = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
	*out = it;
	if (!it)
		return 0;
	return (it->type & 0xFF & types) ? 1 : -1;
}

const char *cm_jpath_string(const cJSON *obj, const char *key)
{
	const cJSON *it;
	return cm_jpath_get(obj, key, cJSON_String, &it) > 0 ? it->valuestring : NULL;
}

int cm_jpath_str(const cJSON *obj, const char *key, size_t maxlen, const char **out)
{
	const cJSON *it;
	int rc = cm_jpath_get(obj, key, cJSON_String, &it);
	*out = NULL;
	if (rc <= 0)
		return rc;
	if (strlen(it->valuestring) > maxlen)
		return -1;
	*out = it->valuestring;
	return 1;
}

int cm_jpath_int(const cJSON *obj, const char *key, int def, int lo, int hi, const char *path,
		 int *val, char *err, size_t errsz)
{
	const cJSON *it;
	if (cm_jpath_get(obj, key, cJSON_Number, &it) == 0) {
		*val = def;
		return 0;
	}
	/* range first: converting a double outside long long's range (4.4e85)
	 * to an integer is undefined behaviour */
	if (cJSON_IsNumber(it) && (it->valuedouble < lo || it->valuedouble > hi))
		return cm_jpath_fail(err, errsz, path, key, "%g out of range [%d, %d]",
				     it->valuedouble, lo, hi);
	if (!cJSON_IsNumber(it) || it->valuedouble != (double)(long long)it->valuedouble)
		return cm_jpath_fail(err, errsz, path, key, "must be an integer");
	*val = (int)it->valuedouble;
	return 0;
}

const cJSON *cm_jpath_unknown(const cJSON *obj, const char *const *known)
{
	for (const cJSON *it = obj ? obj->child : NULL; it; it = it->next) {
		int ok = 0;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(it->string, *k) == 0;
		if (!ok)
			return it;
	}
	return NULL;
}

const char *cm_jpath_type_name(const cJSON *j)
{
	if (cJSON_IsString(j))
		return "a string";
	if (cJSON_IsNumber(j))
		return "a number";
	if (cJSON_IsBool(j))
		return "a boolean";
	if (cJSON_IsNull(j))
		return "null";
	if (cJSON_IsArray(j))
		return "an array";
	if (cJSON_IsObject(j))
		return "an object";
	return "invalid";
}
