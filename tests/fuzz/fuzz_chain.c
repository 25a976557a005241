/* fuzz_chain.c - the classification of a presented certificate chain
 * (probe_parse.h): up to four DER certificates, each preceded by its
 * length (2 bytes, big-endian), are parsed, verified against the embedded
 * expected roots for a destination name, and classified as probe.c does
 * after a handshake. */
#include "fuzz.h"
#include "probe_parse.h"
#include "roots.h"

static mbedtls_x509_crt anchors;
static int anchors_ready;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!anchors_ready) {
		mbedtls_x509_crt_init(&anchors);
		if (mbedtls_x509_crt_parse(&anchors, (const unsigned char *)dx_roots_pem,
					   dx_roots_pem_len) < 0 ||
		    !anchors.raw.len)
			abort();
		anchors_ready = 1;
	}
	mbedtls_x509_crt chain;
	mbedtls_x509_crt_init(&chain);
	size_t off = 0;
	for (int i = 0; i < 4 && off + 2 <= size; i++) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		off += 2;
		if (len > size - off)
			len = size - off;
		(void)mbedtls_x509_crt_parse_der(&chain, data + off, len);
		off += len;
	}
	struct dx_probe p;
	dx_probe_init(&p);
	p.host = "winatp-gw-eus.microsoft.com";
	if (chain.raw.len) {
		uint32_t flags = 0;
		(void)mbedtls_x509_crt_verify(&chain, &anchors, NULL, p.host, &flags, NULL, NULL);
		dx_tls_chain_facts(&chain, p.subject, sizeof p.subject, p.issuer, sizeof p.issuer,
				   p.root, sizeof p.root);
		FUZZ_ASSERT(fuzz_terminated(p.subject, sizeof p.subject) &&
				    fuzz_terminated(p.issuer, sizeof p.issuer) &&
				    fuzz_terminated(p.root, sizeof p.root),
			    "facts not terminated");
		if (flags) {
			char reason[sizeof p.reason] = "";
			enum dx_probe_class c = dx_tls_classify(flags, &p, reason, sizeof reason);
			FUZZ_ASSERT(c == DX_PR_TLS_INTERCEPTED || c == DX_PR_TLS_FAILED, "class %d",
				    c);
			FUZZ_ASSERT(reason[0] && fuzz_terminated(reason, sizeof reason),
				    "no reason");
			FUZZ_ASSERT(fuzz_terminated(p.tls_detail, sizeof p.tls_detail), "detail");
		}
	} else {
		/* nothing parsed: the facts stay empty */
		dx_tls_chain_facts(&chain, p.subject, sizeof p.subject, p.issuer, sizeof p.issuer,
				   p.root, sizeof p.root);
		FUZZ_ASSERT(!p.subject[0] && !p.issuer[0] && !p.root[0], "facts from nothing");
	}
	mbedtls_x509_crt_free(&chain);
	return 0;
}
