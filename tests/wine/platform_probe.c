/* platform_probe.c - asks the real Win32 platform (platform_win32.c) the
 * questions read from stdin and prints the answers as JSON, one line each.
 *
 * Test tool for tests/wine: one Wine start answers many questions. Input
 * lines are tab-separated: a verb and its arguments.
 *   reg KEY VALUE | subkeys KEY | values KEY | svc NAME | exists PATH |
 *   version PATH | dir PATH | events LOG PROVIDER|- ID SINCE MAX |
 *   resolve HOST | hostname | now | tz | wpad | autoproxy URL PACURL|- [MS]
 * Output: {"q": "<the input line>", "status": "OK"|..., "code": N,
 * "reason": "...", ...answer members}. Exit status 0 unless the platform
 * cannot be opened (3) or a line is not understood (2).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_win32.h"

static const char *probe_status(enum dx_status s)
{
	static const char *names[] = {"OK",      "NOT_FOUND", "ACCESS_DENIED", "TRANSIENT",
				      "TIMEOUT", "BAD_DATA",  "UNSUPPORTED"};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static const char *probe_regtype(enum dx_regtype t)
{
	switch (t) {
	case DX_REG_NONE: return "REG_NONE";
	case DX_REG_SZ: return "REG_SZ";
	case DX_REG_EXPAND_SZ: return "REG_EXPAND_SZ";
	case DX_REG_BINARY: return "REG_BINARY";
	case DX_REG_DWORD: return "REG_DWORD";
	case DX_REG_MULTI_SZ: return "REG_MULTI_SZ";
	case DX_REG_QWORD: return "REG_QWORD";
	}
	return "?";
}

/* Prints `s` (n bytes) as a JSON string. */
static void probe_str(const char *s, size_t n)
{
	size_t i;

	putchar('"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void probe_cstr(const char *s)
{
	probe_str(s ? s : "", s ? strlen(s) : 0);
}

static void probe_list(const char *name, const struct dx_strlist *l)
{
	size_t i;

	printf(", \"%s\": [", name);
	for (i = 0; i < l->count; i++) {
		if (i)
			printf(", ");
		probe_cstr(l->items[i]);
	}
	printf("]");
}

static void probe_regval(const struct dx_regval *v)
{
	size_t i, start;

	printf(", \"type\": \"%s\"", probe_regtype(v->type));
	switch (v->type) {
	case DX_REG_DWORD:
	case DX_REG_QWORD: printf(", \"data\": %llu", (unsigned long long)v->num); break;
	case DX_REG_SZ:
	case DX_REG_EXPAND_SZ:
		printf(", \"data\": ");
		probe_str((const char *)v->data, v->len);
		break;
	case DX_REG_MULTI_SZ:
		printf(", \"data\": [");
		for (i = 0, start = 0; i < v->len; i++) {
			if (v->data[i] != '\0')
				continue;
			printf("%s", start ? ", " : "");
			probe_str((const char *)v->data + start, i - start);
			start = i + 1;
		}
		printf("]");
		break;
	default:
		printf(", \"hex\": \"");
		for (i = 0; i < v->len; i++)
			printf("%02x", v->data[i]);
		printf("\"");
		break;
	}
}

/* Splits `line` in place at tabs into at most `max` fields. */
static int probe_split(char *line, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static int probe_one(const struct dx_platform *p, char *line)
{
	const struct dx_platform_ops *o = p->ops;
	char *f[8], copy[2048], out[256];
	struct dx_err err;
	struct dx_regval v;
	struct dx_strlist l;
	struct dx_svc svc;
	struct dx_eventlist ev;
	enum dx_status st;
	int n, is_dir = 0, bad = 0;
	size_t i;

	memset(&err, 0, sizeof(err));
	memset(&l, 0, sizeof(l));
	memset(&v, 0, sizeof(v));
	memset(&ev, 0, sizeof(ev));
	snprintf(copy, sizeof(copy), "%s", line);
	n = probe_split(line, f, 8);
	printf("{\"q\": ");
	probe_cstr(copy);

#define PROBE_STATUS()                                                                             \
	do {                                                                                       \
		printf(", \"status\": \"%s\", \"code\": %lu", probe_status(st),                    \
		       (unsigned long)err.code);                                                   \
		if (st) {                                                                          \
			printf(", \"reason\": ");                                                  \
			probe_cstr(err.text);                                                      \
		}                                                                                  \
	} while (0)

	if (!strcmp(f[0], "reg") && n == 3) {
		st = o->reg_read(p->ctx, f[1], f[2], &v, &err);
		PROBE_STATUS();
		if (!st)
			probe_regval(&v);
		dx_regval_free(&v);
	} else if ((!strcmp(f[0], "subkeys") || !strcmp(f[0], "values")) && n == 2) {
		st = f[0][0] == 's' ? o->reg_subkeys(p->ctx, f[1], &l, &err)
				    : o->reg_values(p->ctx, f[1], &l, &err);
		PROBE_STATUS();
		if (!st)
			probe_list("names", &l);
		dx_strlist_free(&l);
	} else if (!strcmp(f[0], "svc") && n == 2) {
		st = o->svc_query(p->ctx, f[1], &svc, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"state\": %d, \"start_type\": %d, \"image_path\": ", svc.state,
			       svc.start_type);
			probe_cstr(svc.image_path);
		}
	} else if (!strcmp(f[0], "exists") && n == 2) {
		st = o->file_exists(p->ctx, f[1], &is_dir, &err);
		PROBE_STATUS();
		if (!st)
			printf(", \"is_dir\": %d", is_dir);
	} else if (!strcmp(f[0], "version") && n == 2) {
		char ver[64];

		st = o->file_version(p->ctx, f[1], ver, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"version\": ");
			probe_cstr(ver);
		}
	} else if (!strcmp(f[0], "tail") && n == 3) {
		char *text = NULL;
		size_t len = 0;
		uint64_t size = 0;

		st = o->file_tail ? o->file_tail(p->ctx, f[1], strtoul(f[2], NULL, 10), &text, &len,
						 &size, &err)
				  : dx_fail(&err, DX_UNSUPPORTED, 0, "file_tail: none");
		PROBE_STATUS();
		if (!st) {
			printf(", \"len\": %lu, \"size\": %llu, \"text\": ", (unsigned long)len,
			       (unsigned long long)size);
			probe_cstr(text);
		}
		free(text);
	} else if (!strcmp(f[0], "dir") && n == 2) {
		st = o->dir_list(p->ctx, f[1], &l, &err);
		PROBE_STATUS();
		if (!st)
			probe_list("names", &l);
		dx_strlist_free(&l);
	} else if (!strcmp(f[0], "events") && n == 6) {
		st = o->events_query(p->ctx, f[1], strcmp(f[2], "-") ? f[2] : NULL,
				     (uint32_t)strtoul(f[3], NULL, 10), strtoll(f[4], NULL, 10),
				     strtoul(f[5], NULL, 10), &ev, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"events\": [");
			for (i = 0; i < ev.count; i++) {
				printf("%s{\"id\": %lu, \"level\": %d, \"time\": %lld, "
				       "\"provider\": ",
				       i ? ", " : "", (unsigned long)ev.items[i].id,
				       ev.items[i].level, (long long)ev.items[i].time);
				probe_cstr(ev.items[i].provider);
				printf(", \"message\": ");
				probe_cstr(ev.items[i].message);
				printf("}");
			}
			printf("]");
		}
		dx_eventlist_free(&ev);
	} else if (!strcmp(f[0], "resolve") && n == 2) {
		st = o->resolve(p->ctx, f[1], 0, &l, &err);
		PROBE_STATUS();
		if (!st)
			probe_list("addresses", &l);
		dx_strlist_free(&l);
	} else if (!strcmp(f[0], "hostname") && n == 1) {
		st = o->hostname(p->ctx, out, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"hostname\": ");
			probe_cstr(out);
		}
	} else if (!strcmp(f[0], "wpad") && n == 1) {
		struct dx_wpad w;

		memset(&w, 0, sizeof(w));
		st = o->wpad_detect(p->ctx, 10000, &w, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"url\": ");
			probe_cstr(w.url);
			printf(", \"method\": ");
			probe_cstr(w.method);
		}
		dx_wpad_free(&w);
	} else if (!strcmp(f[0], "autoproxy") && (n == 3 || n == 4)) {
		char ans[1024] = "";
		/* the bound: MS, else 10 s (longer than any answer here) */
		int ms = n == 4 ? atoi(f[3]) : 10000;

		st = o->autoproxy(p->ctx, f[1], strcmp(f[2], "-") ? f[2] : NULL, ms, ans, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"answer\": ");
			probe_cstr(ans);
		}
	} else if (!strcmp(f[0], "tz") && n == 1) {
		struct dx_time_zone tz;

		memset(&tz, 0, sizeof(tz));
		st = o->time_zone(p->ctx, &tz, &err);
		PROBE_STATUS();
		if (!st) {
			printf(", \"offset_s\": %ld, \"name\": ", (long)tz.offset_s);
			probe_cstr(tz.name);
		}
	} else if (!strcmp(f[0], "now") && n == 1) {
		printf(", \"status\": \"OK\", \"now\": %lld", (long long)o->now(p->ctx));
	} else {
		printf(", \"status\": \"USAGE\"");
		bad = 1;
	}
	printf("}\n");
	fflush(stdout);
	return bad;
#undef PROBE_STATUS
}

int main(void)
{
	struct dx_platform p;
	struct dx_err err;
	char line[2048];
	int bad = 0;

	memset(&err, 0, sizeof(err));
	if (dx_platform_win32_open(&p, &err) != DX_OK) {
		fprintf(stderr, "platform_probe: %s\n", err.text);
		return 3;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		bad |= probe_one(&p, line);
	}
	p.ops->close(p.ctx);
	return bad ? 2 : 0;
}
