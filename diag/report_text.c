/* report_text.c - the report for people: the verdict and the next step on
 * top, then every finding with its evidence, wrapped to the width given. */
#include <stdlib.h>
#include <string.h>
#include "report.h"

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *j = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(j) ? j->valuestring : "";
}

/* Prints `text` wrapped at `width`, every line indented by `indent`, the
 * first line prefixed by `lead` (which must fit in the indent). Control
 * characters are shown as '?', so device data cannot drive the terminal. */
static void wrap(FILE *out, const char *lead, const char *text, int indent, int width)
{
	int col = 0, avail = width - indent;
	if (avail < 20)
		avail = 20;
	fprintf(out, "%-*s", indent, lead);
	for (const char *p = text; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (*p == '\n') {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
			p++;
			continue;
		}
		size_t n = strcspn(p, " \n");
		/* count display columns roughly: UTF-8 continuation bytes are free */
		int w = 0;
		for (size_t i = 0; i < n; i++)
			w += ((unsigned char)p[i] & 0xC0) != 0x80;
		if (col && col + 1 + w > avail) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
		} else if (col) {
			fputc(' ', out);
			col++;
		}
		for (size_t i = 0; i < n; i++) {
			unsigned char ch = (unsigned char)p[i];
			fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, out);
		}
		col += w;
		p += n;
	}
	fputc('\n', out);
}

static void evidence_line(char *buf, size_t sz, const cJSON *ev)
{
	size_t o = 0;
	const cJSON *m;
	buf[0] = '\0';
	cJSON_ArrayForEach(m, ev) {
		if (cJSON_IsArray(m) || cJSON_IsObject(m))
			continue; /* shown on their own lines */
		char val[300];
		if (cJSON_IsString(m))
			snprintf(val, sizeof val, "%s", m->valuestring);
		else if (cJSON_IsBool(m))
			snprintf(val, sizeof val, "%s", cJSON_IsTrue(m) ? "yes" : "no");
		else
			snprintf(val, sizeof val, "%g", m->valuedouble);
		o += (size_t)snprintf(buf + o, o < sz ? sz - o : 0, "%s%s=%s",
				      o ? "; " : "", m->string, val);
		if (o >= sz)
			break;
	}
}

int dx_report_text(FILE *out, const cJSON *model, int width)
{
	const cJSON *dev = cJSON_GetObjectItemCaseSensitive(model, "device");
	const cJSON *verdict = cJSON_GetObjectItemCaseSensitive(model, "verdict");
	const cJSON *sum = cJSON_GetObjectItemCaseSensitive(model, "summary");
	const cJSON *findings = cJSON_GetObjectItemCaseSensitive(model, "findings");
	char line[1024];

	snprintf(line, sizeof line, "mdediag %s - %s%s%s", DX_VERSION, str(dev, "hostname"),
		 str(model, "source")[0] ? " - fixture " : "", str(model, "source"));
	wrap(out, "", line, 0, width);
	snprintf(line, sizeof line, "%s %s, build %s (%s)", str(dev, "product"),
		 str(dev, "edition"), str(dev, "build_ubr"), str(dev, "installation_type"));
	wrap(out, "", line, 0, width);
	fputc('\n', out);

	snprintf(line, sizeof line, "VERDICT [%s] %s", str(verdict, "severity"), str(verdict, "id"));
	wrap(out, "", line, 0, width);
	if (str(verdict, "title")[0])
		wrap(out, "", str(verdict, "title"), 2, width);
	if (str(verdict, "detail")[0])
		wrap(out, "  Why:", str(verdict, "detail"), 13, width);
	if (str(verdict, "next_step")[0])
		wrap(out, "  Next step:", str(verdict, "next_step"), 13, width);
	fputc('\n', out);

	snprintf(line, sizeof line, "FINDINGS: %d error, %d warning, %d info",
		 cJSON_GetObjectItemCaseSensitive(sum, "error")->valueint,
		 cJSON_GetObjectItemCaseSensitive(sum, "warning")->valueint,
		 cJSON_GetObjectItemCaseSensitive(sum, "info")->valueint);
	wrap(out, "", line, 0, width);
	const cJSON *f;
	cJSON_ArrayForEach(f, findings) {
		const cJSON *ev = cJSON_GetObjectItemCaseSensitive(f, "evidence");
		char sev[16];
		snprintf(sev, sizeof sev, "[%s]", str(f, "severity"));
		snprintf(line, sizeof line, "%s  %s", str(f, "id"), str(f, "title"));
		wrap(out, sev, line, 10, width);
		if (str(f, "detail")[0])
			wrap(out, "", str(f, "detail"), 10, width);
		char evl[2048];
		evidence_line(evl, sizeof evl, ev);
		if (evl[0])
			wrap(out, "", evl, 12, width);
		const cJSON *m;
		cJSON_ArrayForEach(m, ev) {
			if (!cJSON_IsArray(m))
				continue;
			const cJSON *x;
			int n = 1;
			cJSON_ArrayForEach(x, m) {
				char lead[32];
				snprintf(lead, sizeof lead, "%12s%d.", "", n++);
				if (cJSON_IsString(x))
					wrap(out, lead, x->valuestring, 16, width);
			}
		}
	}
	return ferror(out) ? -1 : 0;
}
