/* probe_parse.h - the probe's readers of what servers and proxies send:
 * the HTTP status line, header values, the <title> of a block page, and
 * the classification of a presented certificate chain. Pure functions
 * over bytes and parsed certificates (no sockets, no TLS session), so the
 * unit tests and the fuzz targets (tests/fuzz/) reach them without the
 * probe's state machine. Internal to diag/.
 *
 * Contract for every function here: inputs are untrusted bytes of the
 * given length (not NUL-terminated unless said); outputs are bounded by
 * the sizes given and always NUL-terminated, with non-printable bytes
 * shown as '?'.
 */
#ifndef DX_PROBE_PARSE_H
#define DX_PROBE_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include <mbedtls/x509_crt.h>

#include "probe.h"

/* The "\r\n\r\n" that ends a reply head within buf[0..n), or NULL. */
char *dx_http_head_end(char *buf, size_t n);

/* The status code of "HTTP/1.x NNN[ reason]" at the start of buf[0..n),
 * parsed strictly (exactly three digits from 100 to 599, then a space or
 * the end of the line), or 0 when the first line is not a status line. When line is not
 * NULL it receives the first line, printable. */
int dx_http_status(const char *buf, size_t n, char *line, size_t linesz);

/* Appends the value of every header `name` (case-insensitive) in the head
 * hdr[0..n) to dst (already a string), joined by ", ". */
void dx_http_header_values(const char *hdr, size_t n, const char *name, char *dst, size_t dstsz);

/* Content-Length of the head hdr[0..n); -1 when absent or not a number. */
long dx_http_content_length(const char *hdr, size_t n);

/* The <title> of an HTML body[0..n), whitespace folded; dst unchanged when
 * there is none. */
void dx_html_title(const char *body, size_t n, char *dst, size_t dstsz);

/* Leaf subject, leaf issuer and top of the chain (the last certificate's
 * issuer) of a presented chain; c may be NULL (outputs left unchanged). */
void dx_tls_chain_facts(const mbedtls_x509_crt *c, char *subject, size_t subjectsz, char *issuer,
			size_t issuersz, char *root, size_t rootsz);

/* The class of a chain mbedTLS verified with `flags` (not 0) for p->host,
 * from p->subject/issuer/root; writes p->tls_detail and the reason. */
enum dx_probe_class dx_tls_classify(uint32_t flags, struct dx_probe *p, char *reason,
				    size_t reasonsz);

#endif
