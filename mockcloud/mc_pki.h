/* mc_pki.h - the mock cloud's certificate authorities and leaves.
 *
 * Three CAs come from one seed: a "Microsoft" stand-in root, an
 * intermediate ("Mock Secure Server CA 2026") that signs legitimate leaves,
 * and a corporate inspection root ("Contoso TLS Inspection CA") that signs
 * intercepting leaves. Every key, serial and signature is derived from
 * (seed, purpose, name) with HMAC-DRBG and deterministic ECDSA, so a given
 * --seed gives byte-identical certificates whatever the minting order. */
#ifndef MC_PKI_H
#define MC_PKI_H

#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

enum mc_leaf_kind {
	MC_LEAF_GOOD,     /* intermediate-signed, valid 2026-01-01 + 2 years */
	MC_LEAF_EXPIRED,  /* intermediate-signed, expired 2024-01-01 */
	MC_LEAF_INTERCEPT /* inspection-root-signed, same subject and SAN */
};

/* A leaf ready for mbedtls_ssl_set_hs_own_cert: the chain holds the leaf
 * then (for intermediate-signed leaves) the intermediate; key is an
 * MBEDTLS_PK_ECDSA context (not ECKEY) so signatures reuse its cached
 * table of multiples of G. */
struct mc_leaf {
	mbedtls_x509_crt chain;
	mbedtls_pk_context key;
};

struct mc_pki_entry;

struct mc_pki {
	uint64_t seed;
	mbedtls_pk_context root_key, inter_key, insp_key;
	unsigned char root_der[1024], inter_der[1024], insp_der[1024];
	size_t root_len, inter_len, insp_len;
	pthread_mutex_t lock;
	struct mc_pki_entry *buckets[1024];
	int nentries;
	struct mc_leaf *fallback; /* "mockcloud.invalid": no SNI, cache full */
};

/* Creates the CAs from seed and writes root.pem/.cer and
 * inspection-root.pem/.cer (plus intermediate.pem) into dir.
 * -1 with a reason in err on failure. */
int mc_pki_init(struct mc_pki *pki, uint64_t seed, const char *dir, char *err, size_t errlen);

/* The leaf of `kind` for `name` (lower case, <= 253 bytes of
 * [a-z0-9.-_]), minted on first use and cached for the process's life
 * (at most 4096 entries, then the fallback leaf). Never NULL after a
 * successful init; the pointer stays valid for the process's life: the
 * PKI is never freed, since detached connection threads may still hold a
 * leaf when mockcloud _exit()s. */
const struct mc_leaf *mc_pki_leaf(struct mc_pki *pki, enum mc_leaf_kind kind, const char *name);

#endif
