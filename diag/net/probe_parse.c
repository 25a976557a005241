/* probe_parse.c - the probe's readers of server and proxy replies and of
 * presented certificate chains (probe_parse.h), kept apart from the
 * state machine in probe.c so tests and fuzz targets can reach them. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probe_parse.h"

char *dx_http_head_end(char *buf, size_t n)
{
	for (size_t i = 0; i + 3 < n; i++)
		if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' &&
		    buf[i + 3] == '\n')
			return buf + i;
	return NULL;
}

/* "HTTP/1.1 403 Forbidden" -> 403 and the line (printable only). */
int dx_http_status(const char *buf, size_t n, char *line, size_t linesz)
{
	size_t len = 0;
	int code = 0;
	while (len < n && buf[len] != '\r' && buf[len] != '\n')
		len++;
	if (line) {
		size_t j = 0;
		for (size_t i = 0; i < len && j + 1 < linesz; i++)
			line[j++] = isprint((unsigned char)buf[i]) ? buf[i] : '?';
		line[j] = 0;
	}
	/* "HTTP/1." DIGIT SP 3DIGIT, then the end of the line or SP reason
	 * ("HTTP/1.1 2001" is not a 200), the code within 100..599 */
	if (len < 12 || strncmp(buf, "HTTP/1.", 7) != 0 || !isdigit((unsigned char)buf[7]) ||
	    buf[8] != ' ' || (len > 12 && buf[12] != ' '))
		return 0;
	for (int i = 9; i < 12; i++) {
		if (!isdigit((unsigned char)buf[i]))
			return 0;
		code = code * 10 + (buf[i] - '0');
	}
	return code >= 100 && code <= 599 ? code : 0; /* RFC 9110 15 */
}

/* Appends every header `name`'s value (within the header block) to dst. */
void dx_http_header_values(const char *hdr, size_t n, const char *name, char *dst, size_t dstsz)
{
	size_t nl = strlen(name), j = strlen(dst);
	const char *p = hdr, *end = hdr + n;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;
		if ((size_t)(le - p) > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			if (j && j + 3 >= dstsz)
				return; /* no room for ", " and a byte of the value */
			if (j) {
				dst[j++] = ',';
				dst[j++] = ' ';
			}
			for (; v < le && *v != '\r' && j + 1 < dstsz; v++)
				dst[j++] = isprint((unsigned char)*v) ? *v : '?';
			dst[j] = 0;
		}
		p = le + 1;
	}
}

long dx_http_content_length(const char *hdr, size_t n)
{
	char v[32] = "";
	dx_http_header_values(hdr, n, "Content-Length", v, sizeof v);
	return v[0] ? strtol(v, NULL, 10) : -1;
}

/* The <title> of an HTML body, whitespace folded. */
void dx_html_title(const char *body, size_t n, char *dst, size_t dstsz)
{
	const char *p = body, *end = body + n, *t = NULL;
	size_t j = 0;
	for (; p + 7 <= end; p++)
		if (strncasecmp(p, "<title>", 7) == 0) {
			t = p + 7;
			break;
		}
	if (!t)
		return;
	for (; t < end && *t != '<' && j + 1 < dstsz; t++) {
		char ch = isspace((unsigned char)*t) ? ' ' : *t;
		if (ch == ' ' && (j == 0 || dst[j - 1] == ' '))
			continue;
		dst[j++] = isprint((unsigned char)ch) ? ch : '?';
	}
	while (j && dst[j - 1] == ' ')
		j--;
	dst[j] = 0;
}

/* ---- certificate chains -------------------------------------------------- */

void dx_tls_chain_facts(const mbedtls_x509_crt *c, char *subject, size_t subjectsz, char *issuer,
			size_t issuersz, char *root, size_t rootsz)
{
	if (!c || !c->raw.len)
		return;
	mbedtls_x509_dn_gets(subject, subjectsz, &c->subject);
	mbedtls_x509_dn_gets(issuer, issuersz, &c->issuer);
	while (c->next && c->next->raw.len)
		c = c->next;
	mbedtls_x509_dn_gets(root, rootsz, &c->issuer);
}

enum dx_probe_class dx_tls_classify(uint32_t flags, struct dx_probe *p, char *reason,
				    size_t reasonsz)
{
	char info[160];
	char *nl;
	mbedtls_x509_crt_verify_info(info, sizeof info, "", flags);
	while ((nl = strchr(info, '\n')) != NULL)
		*nl = nl[1] ? ';' : 0;
	snprintf(p->tls_detail, sizeof p->tls_detail, "%s", info);
	if (flags & (MBEDTLS_X509_BADCERT_NOT_TRUSTED | MBEDTLS_X509_BADCERT_MISSING |
		     MBEDTLS_X509_BADCERT_SKIP_VERIFY)) {
		snprintf(reason, reasonsz,
			 "certificate chain does not lead to an expected root: "
			 "issuer \"%s\", root \"%s\"",
			 p->issuer, p->root);
		return DX_PR_TLS_INTERCEPTED;
	}
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		snprintf(reason, reasonsz, "certificate expired (%s)", p->subject);
	else if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		snprintf(reason, reasonsz, "certificate not yet valid (%s)", p->subject);
	else if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		snprintf(reason, reasonsz, "wrong name: certificate \"%s\" does not cover %s",
			 p->subject, p->host);
	else if (flags & MBEDTLS_X509_BADCERT_REVOKED)
		snprintf(reason, reasonsz, "certificate revoked");
	else
		snprintf(reason, reasonsz, "certificate rejected: %s", info);
	return DX_PR_TLS_FAILED;
}
