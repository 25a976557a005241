/* testplat.c - see testplat.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "testplat.h"

static enum dx_status reg_read(void *ctx, const char *key, const char *value, struct dx_regval *out,
			       struct dx_err *err)
{
	struct tp_state *st = ctx;
	for (size_t i = 0; i < st->nreg; i++) {
		const struct tp_reg *r = &st->reg[i];
		size_t len;
		if (strcasecmp(r->key, key) || strcasecmp(r->value, value))
			continue;
		len = r->type == DX_REG_BINARY ? r->len
		      : r->len                 ? r->len
					       : strlen((const char *)r->data);
		out->type = r->type;
		out->data = malloc(len + 1);
		memcpy(out->data, r->data, len);
		out->data[len] = 0;
		out->len = len;
		if (r->type == DX_REG_DWORD && len == 4)
			out->num = (uint64_t)r->data[0] | (uint64_t)r->data[1] << 8 |
				   (uint64_t)r->data[2] << 16 | (uint64_t)r->data[3] << 24;
		return DX_OK;
	}
	err->code = 2;
	snprintf(err->text, sizeof err->text, "%s\\%s: not found", key, value);
	return DX_NOT_FOUND;
}

static enum dx_status resolve(void *ctx, const char *host, int timeout_ms, struct dx_strlist *out,
			      struct dx_err *err)
{
	(void)timeout_ms;
	struct tp_state *st = ctx;
	const struct tp_dns *best = NULL;
	st->resolves++;
	for (size_t i = 0; i < st->ndns && !best; i++)
		if (strcasecmp(st->dns[i].pattern, host) == 0)
			best = &st->dns[i];
	for (size_t i = 0; i < st->ndns && !best; i++) {
		const char *p = st->dns[i].pattern;
		size_t hl = strlen(host), pl = strlen(p);
		if (p[0] == '*' && p[1] == '.' && hl > pl - 1 &&
		    strcasecmp(host + hl - (pl - 1), p + 1) == 0)
			best = &st->dns[i];
	}
	for (size_t i = 0; i < st->ndns && !best; i++)
		if (strcmp(st->dns[i].pattern, "*") == 0)
			best = &st->dns[i];
	if (!best || best->status != DX_OK) {
		enum dx_status s = best ? best->status : DX_NOT_FOUND;
		err->code = s == DX_NOT_FOUND ? 11001 : s == DX_TRANSIENT ? 11002 : 10060;
		snprintf(err->text, sizeof err->text, "%s: %s", host,
			 s == DX_NOT_FOUND   ? "no such host"
			 : s == DX_TRANSIENT ? "server failure"
					     : "timed out");
		return s;
	}
	dx_strlist_push(out, best->addr);
	return DX_OK;
}

static const struct dx_platform_ops tp_ops = {
	.name = "test",
	.reg_read = reg_read,
	.resolve = resolve,
};

void tp_open(struct dx_platform *p, struct tp_state *st)
{
	p->ops = &tp_ops;
	p->ctx = st;
}
