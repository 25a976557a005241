/* fleet_input.c - finding the inputs and reading each one once: a
 * collected file (or any device fixture) is replayed as `--fixture` does,
 * offline (replay.h); a JSON report is read back; an Intune export is read
 * row by row (fleet_csv.c). Anything else is recorded as unreadable with
 * its reason, and the walk goes on (docs/fleet.md, "Inputs").
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "fleet.h"
#include "fixture.h"
#include "jsontext.h"
#include "netrec.h"
#include "readfile.h"
#include "replay.h"
#include "report.h"
#include "win32_args.h"

/* "FILE: $.path: reason" from the fixture loader, without "FILE: ". */
static const char *without_name(const char *err, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(err, name, n) == 0 && err[n] == ':' && err[n + 1] == ' ')
		return err + n + 2;
	return err;
}

/* A collected file or device fixture: the diagnosis `--fixture` makes,
 * never a byte on the network (DX_REPLAY_OFFLINE). */
static void read_fixture(struct fl_run *r, const char *name, const char *site, const char *text,
			 size_t len)
{
	char err[1024];
	struct dx_fixture *fx = dx_fixture_parse(text, len, name, err, sizeof err);
	if (!fx) {
		fl_bad(r, name, "%s", without_name(err, name));
		return;
	}
	/* its own time: when it was collected, else the device's clock */
	int64_t when = fx->network && fx->network->collected_at[0]
			       ? dx_parse_time(fx->network->collected_at)
			       : fx->clock;
	const char *kind = fx->network ? "collected" : "fixture";
	struct dx_platform p = {0};
	struct dx_options opt = {0};
	opt.timeout_ms = 10000;
	if (dx_replay_open(&p, fx, &opt, DX_REPLAY_OFFLINE)) {
		fl_bad(r, name, "out of memory");
		r->fail_nomem++;
		return;
	}
	struct dx_ctx c;
	memset(&c, 0, sizeof c);
	c.p = &p;
	c.opt = &opt;
	c.data = r->data;
	dx_run_checks(&c);
	struct dx_report_meta meta = {"fake", name, 1}; /* lean: what fleet reads */
	cJSON *model = dx_report_model(&c, r->cat, &meta);
	struct fl_summary s;
	char *scratch[FL_SCRATCH] = {0};
	if (!model)
		fl_bad(r, name, "out of memory");
	else if (fl_summary_from_model(r, model, name, kind, site, when < 0 ? 0 : when, &s, scratch,
				       err, sizeof err))
		fl_bad(r, name, "%s", err);
	else
		fl_add(r, &s);
	fl_scratch_free(scratch);
	cJSON_Delete(model);
	dx_findings_free(&c.findings);
	dx_platform_close(&p);
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

void fl_read_buffer(struct fl_run *r, const char *name, const char *site, const char *text,
		    size_t len)
{
	char why[200];
	r->files++;
	/* a fixture names its schema; the loader judges the rest (a newer
	 * schema, a bad member) with the JSON path */
	if (strstr(text, "\"mdediag-fixture/")) {
		read_fixture(r, name, site, text, len);
		return;
	}
	if (dx_json_text_check(text, len, why, sizeof why)) {
		fl_bad(r, name, "%s", why);
		return;
	}
	const char *end = NULL;
	cJSON *j = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!j) {
		size_t line, col, off = end ? (size_t)(end - text) : 0;
		const char *ep = cJSON_GetErrorPtr();
		if (!end && ep && ep >= text && ep <= text + len)
			off = (size_t)(ep - text);
		dx_text_line_col(text, len, off, &line, &col);
		fl_bad(r, name,
		       "not valid JSON (truncated, or nested too deeply) near line %zu, column %zu",
		       line, col);
		return;
	}
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(j, "tool");
	if (strcmp(jstr(tool, "name"), "mdediag") == 0 &&
	    cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "verdict"))) {
		struct fl_summary s;
		char *scratch[FL_SCRATCH] = {0}, err[200];
		int64_t when = dx_parse_time(jstr(j, "generated_at"));
		if (fl_summary_from_model(r, j, name, "report", site, when < 0 ? 0 : when, &s,
					  scratch, err, sizeof err))
			fl_bad(r, name, "an mdediag report without what fleet needs: %s", err);
		else
			fl_add(r, &s);
		fl_scratch_free(scratch);
	} else if (cJSON_IsObject(j) && (cJSON_GetObjectItemCaseSensitive(j, "registry") ||
					 cJSON_GetObjectItemCaseSensitive(j, "schema"))) {
		read_fixture(r, name, site, text, len); /* a fixture without the schema line */
	} else {
		fl_bad(r, name,
		       "JSON, but not a collected file, a device fixture or an "
		       "mdediag report (--format json)");
	}
	cJSON_Delete(j);
}

/* 1 when the start of a file looks like an Intune export's header. */
static int looks_csv(const char *name, const char *head)
{
	size_t n = strlen(name);
	if (n > 4 && (strcmp(name + n - 4, ".csv") == 0 || strcmp(name + n - 4, ".CSV") == 0))
		return 1;
	const char *nl = strchr(head, '\n');
	size_t line = nl ? (size_t)(nl - head) : strlen(head);
	char first[1024];
	snprintf(first, sizeof first, "%.*s", (int)(line < 1023 ? line : 1023), head);
	for (char *p = first; *p; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	return strstr(first, "detection output") || strstr(first, "detectionscriptoutput");
}

void fl_readbuf_free(struct fl_run *r)
{
	free(r->rbuf);
	r->rbuf = NULL;
	r->rbufcap = 0;
}

/* The whole of a JSON input into r's read buffer, reused from file to file:
 * the n bytes of `head` already read from f, then the rest. NUL-terminated;
 * NULL when larger than FL_MAX_JSON_BYTES or unreadable (err says why, as
 * dx_read_file would, without the file name). */
static char *read_rest(struct fl_run *r, FILE *f, const char *head, size_t n, size_t *len,
		       char *err, size_t errsz)
{
	const size_t max = FL_MAX_JSON_BYTES;
	size_t have = n;
	for (;;) {
		if (have + 1 >= r->rbufcap) { /* room for a byte and the NUL */
			size_t cap = r->rbufcap ? r->rbufcap * 2 : 64u << 10;
			if (cap > max + 2)
				cap = max + 2; /* one byte more than allowed tells "too large" */
			char *b = realloc(r->rbuf, cap);
			if (!b) {
				snprintf(err, errsz, "out of memory");
				return NULL;
			}
			r->rbuf = b;
			r->rbufcap = cap;
		}
		if (have == n)
			memcpy(r->rbuf, head, n);
		size_t want = r->rbufcap - 1 - have;
		size_t got = fread(r->rbuf + have, 1, want, f);
		have += got;
		if (got < want || have > max)
			break;
	}
	if (ferror(f)) {
		snprintf(err, errsz, "read error: %s", strerror(errno));
		return NULL;
	}
	if (have > max) {
		snprintf(err, errsz, "larger than %zu bytes", (size_t)max);
		return NULL;
	}
	r->rbuf[have] = '\0';
	*len = have;
	return r->rbuf;
}

void fl_read_csv_file(struct fl_run *r, const char *path, const char *site)
{
	FILE *f = dx_fopen(path, "rb");
	if (!f) {
		fl_bad(r, path, "cannot open: %s", strerror(errno));
		return;
	}
	fl_read_intune_csv(r, path, site, f);
	fclose(f);
}

void fl_read_file(struct fl_run *r, const char *path, const char *site)
{
	char head[4097], err[600];
	FILE *f = dx_fopen(path, "rb");
	if (!f) {
		r->files++;
		fl_bad(r, path, "cannot open: %s", strerror(errno));
		return;
	}
	size_t n = fread(head, 1, sizeof head - 1, f);
	head[n] = '\0';
	if (ferror(f)) {
		r->files++;
		fl_bad(r, path, "read error: %s", strerror(errno));
		fclose(f);
		return;
	}
	if (n == 0) {
		r->files++;
		fl_bad(r, path, "empty file");
		fclose(f);
		return;
	}
	if (memchr(head, '\0', n)) {
		r->files++;
		fl_bad(r, path, "binary: a NUL byte in the first %zu bytes", n);
		fclose(f);
		return;
	}
	const char *p = head;
	if ((unsigned char)p[0] == 0xEF && (unsigned char)p[1] == 0xBB &&
	    (unsigned char)p[2] == 0xBF)
		p += 3; /* UTF-8 byte order mark */
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '{' || *p == '[') {
		size_t len;
		char *text = read_rest(r, f, head, n, &len, err, sizeof err);
		fclose(f);
		if (!text) {
			r->files++;
			fl_bad(r, path, "%s", err);
			return;
		}
		size_t skip = (size_t)(p - head) < len ? (size_t)(p - head) : 0;
		/* every cJSON item of the file is freed inside: what the run
		 * keeps, fl_add copies */
		fl_arena_begin(r->arena);
		fl_read_buffer(r, path, site, text + skip, len - skip);
		fl_arena_end(r->arena);
		return;
	}
	r->files++;
	if (looks_csv(path, p)) {
		if (r->outbox) { /* an export is read by the main thread, in order */
			fclose(f);
			fl_outbox_csv(r, path, site);
			return;
		}
		rewind(f);
		fl_read_intune_csv(r, path, site, f);
	} else {
		fl_bad(r, path, "not a collected file, a JSON report or an Intune export");
	}
	fclose(f);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The last component of a path ("a/b/" -> "b"), into out. */
static void base_of(const char *path, char *out, size_t sz)
{
	size_t n = strlen(path);
	while (n > 1 && (path[n - 1] == '/' || path[n - 1] == '\\'))
		n--;
	size_t s = n;
	while (s > 0 && path[s - 1] != '/' && path[s - 1] != '\\')
		s--;
	snprintf(out, sz, "%.*s", (int)(n - s), path + s);
	if (!out[0])
		snprintf(out, sz, "%s", path[0] ? "/" : ".");
}

static int is_dir(const char *path, int *link)
{
	struct stat st;
	*link = 0;
#ifdef _WIN32
	if (stat(path, &st))
		return -1;
#else
	if (lstat(path, &st))
		return -1;
	if (S_ISLNK(st.st_mode)) {
		*link = 1;
		return 0;
	}
#endif
	return S_ISDIR(st.st_mode) ? 1 : 0;
}

/* Reads the directory `dir`; `site` is its path below the PATH given
 * (the PATH's own name at the top). */
static void walk(struct fl_run *r, const char *dir, const char *site, int depth)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	if (!d) {
		fl_settle(r);
		fl_bad(r, dir, "cannot read the directory: %s", strerror(errno));
		return;
	}
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 64;
			char **nn = realloc(names, c * sizeof *nn);
			if (!nn) {
				r->fail_nomem++;
				break;
			}
			names = nn;
			cap = c;
		}
		if (!(names[n] = strdup(e->d_name))) {
			r->fail_nomem++;
			break;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, by_name); /* a fixed order: ties and output */
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(len);
		int link, isd;
		if (!path) {
			r->fail_nomem++;
			break;
		}
		snprintf(path, len, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] == '/' ? "" : "/",
			 names[i]);
		isd = is_dir(path, &link);
		if (isd != 0 || link)
			fl_settle(r); /* what follows changes the run: files before it first */
		if (link) {
			r->files++;
			fl_bad(r, path, "a symbolic link: not followed");
		} else if (isd < 0) {
			r->files++;
			fl_bad(r, path, "cannot read: %s", strerror(errno));
		} else if (isd) {
			if (depth >= FL_MAX_DEPTH) {
				fl_bad(r, path, "more than %d directory levels deep: not read",
				       FL_MAX_DEPTH);
			} else {
				size_t sl = strlen(site) + strlen(names[i]) + 2;
				char *sub = malloc(sl);
				if (sub) {
					snprintf(sub, sl, "%s/%s", site, names[i]);
					walk(r, path, sub, depth + 1);
					free(sub);
				} else {
					r->fail_nomem++;
				}
			}
		} else {
			fl_submit(r, path, site);
		}
		free(path);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int fl_read_path(struct fl_run *r, const char *path, char *err, size_t errsz)
{
	char site[256];
	struct stat st;
	if (stat(path, &st)) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		base_of(path, site, sizeof site);
		walk(r, path, site, 0);
		fl_settle(r);
		return 0;
	}
	/* a file named alone: its folder is its site */
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
#ifdef _WIN32
	char *bs = strrchr(dir, '\\');
	if (bs && (!slash || bs > slash))
		slash = bs;
#endif
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	base_of(dir[0] ? dir : "/", site, sizeof site);
	fl_submit(r, path, site);
	fl_settle(r);
	return 0;
}
