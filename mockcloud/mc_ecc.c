/* mc_ecc.c - faster P-256 for the TLS handshake, under mbedTLS 2.28's
 * own API.
 *
 * A full handshake costs the server three P-256 multiplications: the
 * ephemeral ECDHE key (d*G), the shared secret (d*Q) and the
 * ServerKeyExchange signature (k*G). mbedTLS 2.28 loads a fresh curve
 * group for every handshake, so the ECDHE key first rebuilds the comb
 * table for G and uses it once: 0.69 ms of CPU, against 0.29 ms with the
 * table kept (bench/mockcloud/RESULTS.md). 2.28 has no way to hand the TLS
 * stack a long-lived group, so this file defines mbedtls_ecdh_gen_public
 * itself: libmbedcrypto calls it through its PLT, and the dynamic linker
 * resolves that to the executable's definition. P-256 requests are served
 * from one process-wide group whose table is built once by mc_ecc_init and
 * only read afterwards (mbedTLS reads a cached table without writing the
 * group, which is what lets connection threads share a leaf key too);
 * every other request goes to the library's own function.
 *
 * In the mockcloud-openssl-ecc build (MC_ECC_OPENSSL, mockcloud/meson.build:
 * `ninja -C build mockcloud/mockcloud-openssl-ecc`), all three
 * multiplications on P-256 use OpenSSL's libcrypto instead (its P-256 is
 * 15-30 times faster than mbedTLS 2.28's bignum code, and it is what the
 * nginx we are compared with uses); the TLS protocol, records and
 * certificates stay mbedTLS's.
 *
 * Keys stay fresh per handshake: the ECDHE private key is drawn from the
 * caller's RNG in [1, n-1] exactly as the library does. If the
 * interposition does not take (a static mbedTLS), nothing changes but the
 * speed. */
#include "mc_ecc.h"

#include <dlfcn.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#error "mc_ecc.c is written against the mbedTLS 2.28 API; check whether 3.x still needs it"
#endif

typedef int (*rng_fn)(void *, unsigned char *, size_t);
typedef int (*gen_public_fn)(mbedtls_ecp_group *, mbedtls_mpi *, mbedtls_ecp_point *, rng_fn,
			     void *);

static gen_public_fn lib_gen_public;
static int p256_ready;
static __thread int in_handshake;

void mc_ecc_in_handshake(int on)
{
	in_handshake = on;
}

/* The library's definition of an interposed function. */
static void *lib_fn(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

#ifndef MC_ECC_OPENSSL

static mbedtls_ecp_group p256; /* read-only once mc_ecc_init returned 0 */

const char *mc_ecc_backend(void)
{
	return "mbedtls";
}

int mc_ecc_init(rng_fn f_rng, void *p_rng)
{
	mbedtls_mpi d;
	mbedtls_ecp_point q;
	int rc;

	lib_gen_public = (gen_public_fn)lib_fn("mbedtls_ecdh_gen_public");
	if (!lib_gen_public)
		return -1;
	mbedtls_ecp_group_init(&p256);
	mbedtls_mpi_init(&d);
	mbedtls_ecp_point_init(&q);
	/* the first multiplication by G stores the table in the group */
	rc = mbedtls_ecp_group_load(&p256, MBEDTLS_ECP_DP_SECP256R1);
	if (!rc)
		rc = mbedtls_ecp_gen_keypair(&p256, &d, &q, f_rng, p_rng);
	if (!rc && p256.T == NULL)
		rc = -1; /* no table cached (MBEDTLS_ECP_FIXED_POINT_OPTIM off) */
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&q);
	if (rc) {
		mbedtls_ecp_group_free(&p256);
		return -1;
	}
	p256_ready = 1;
	return 0;
}

static int p256_gen_public(mbedtls_mpi *d, mbedtls_ecp_point *Q, rng_fn f_rng, void *p_rng)
{
	return mbedtls_ecp_gen_keypair(&p256, d, Q, f_rng, p_rng);
}

#else /* MC_ECC_OPENSSL */

#define OPENSSL_API_COMPAT 0x10100000L /* EC_KEY: raw keys without EVP */
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/obj_mac.h>

typedef int (*shared_fn)(mbedtls_ecp_group *, mbedtls_mpi *, const mbedtls_ecp_point *,
			 const mbedtls_mpi *, rng_fn, void *);
typedef int (*sign_fn)(mbedtls_ecdsa_context *, mbedtls_md_type_t, const unsigned char *, size_t,
		       unsigned char *, size_t *, rng_fn, void *);

static shared_fn lib_shared;
static sign_fn lib_sign;
static EC_GROUP *ossl_p256; /* read-only once mc_ecc_init returned 0 */

const char *mc_ecc_backend(void)
{
	return "openssl";
}

/* 32-byte big-endian conversions between the two libraries. */
static BIGNUM *bn_of(const mbedtls_mpi *x)
{
	unsigned char b[32];
	if (mbedtls_mpi_write_binary(x, b, sizeof(b)))
		return NULL;
	return BN_bin2bn(b, sizeof(b), NULL);
}

static int mpi_of(mbedtls_mpi *x, const BIGNUM *bn)
{
	unsigned char b[32];
	if (BN_bn2binpad(bn, b, sizeof(b)) != sizeof(b))
		return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
	return mbedtls_mpi_read_binary(x, b, sizeof(b));
}

/* R = k*P (P NULL: k*G) in affine coordinates x, y (y may be NULL). */
static int ossl_mul(const mbedtls_mpi *k, const mbedtls_ecp_point *P, mbedtls_mpi *x,
		    mbedtls_mpi *y)
{
	int rc = MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
	BN_CTX *ctx = BN_CTX_new();
	BIGNUM *bk = bn_of(k), *px = NULL, *py = NULL, *rx = BN_new(), *ry = BN_new();
	EC_POINT *pt = NULL, *r = EC_POINT_new(ossl_p256);

	if (!ctx || !bk || !rx || !ry || !r)
		goto out;
	if (P) {
		/* set_affine_coordinates rejects a point not on the curve */
		if (mbedtls_mpi_cmp_int(&P->Z, 1) || !(px = bn_of(&P->X)) || !(py = bn_of(&P->Y)) ||
		    !(pt = EC_POINT_new(ossl_p256)) ||
		    !EC_POINT_set_affine_coordinates(ossl_p256, pt, px, py, ctx))
			goto out;
	}
	if (!EC_POINT_mul(ossl_p256, r, P ? NULL : bk, pt, P ? bk : NULL, ctx) ||
	    EC_POINT_is_at_infinity(ossl_p256, r) ||
	    !EC_POINT_get_affine_coordinates(ossl_p256, r, rx, ry, ctx))
		goto out;
	rc = mpi_of(x, rx);
	if (!rc && y)
		rc = mpi_of(y, ry);
out:
	EC_POINT_free(r);
	EC_POINT_free(pt);
	BN_free(bk);
	BN_free(px);
	BN_free(py);
	BN_free(rx);
	BN_free(ry);
	BN_CTX_free(ctx);
	return rc;
}

int mc_ecc_init(rng_fn f_rng, void *p_rng)
{
	(void)f_rng;
	(void)p_rng;
	lib_gen_public = (gen_public_fn)lib_fn("mbedtls_ecdh_gen_public");
	lib_shared = (shared_fn)lib_fn("mbedtls_ecdh_compute_shared");
	lib_sign = (sign_fn)lib_fn("mbedtls_ecdsa_write_signature");
	if (!lib_gen_public || !lib_shared || !lib_sign)
		return -1;
	ossl_p256 = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
	if (!ossl_p256)
		return -1;
	p256_ready = 1;
	return 0;
}

static int p256_gen_public(mbedtls_mpi *d, mbedtls_ecp_point *Q, rng_fn f_rng, void *p_rng)
{
	mbedtls_ecp_group g;
	int rc;
	/* d exactly as mbedTLS draws it; P-256 constants need no allocation */
	mbedtls_ecp_group_init(&g);
	rc = mbedtls_ecp_group_load(&g, MBEDTLS_ECP_DP_SECP256R1);
	if (!rc)
		rc = mbedtls_ecp_gen_privkey(&g, d, f_rng, p_rng);
	mbedtls_ecp_group_free(&g);
	if (!rc)
		rc = ossl_mul(d, NULL, &Q->X, &Q->Y);
	if (!rc)
		rc = mbedtls_mpi_lset(&Q->Z, 1);
	return rc;
}

int mbedtls_ecdh_compute_shared(mbedtls_ecp_group *grp, mbedtls_mpi *z, const mbedtls_ecp_point *Q,
				const mbedtls_mpi *d, rng_fn f_rng, void *p_rng)
{
	if (!lib_shared && !(lib_shared = (shared_fn)lib_fn("mbedtls_ecdh_compute_shared")))
		return MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE;
	if (p256_ready && grp->id == MBEDTLS_ECP_DP_SECP256R1)
		return ossl_mul(d, Q, z, NULL);
	return lib_shared(grp, z, Q, d, f_rng, p_rng);
}

/* In a handshake, ECDSA with OpenSSL's random nonce (mbedTLS 2.28 derives
 * it, RFC 6979): both are valid signatures to every verifier. Elsewhere
 * (certificates) mbedTLS's, so seeded certificates stay reproducible. */
int mbedtls_ecdsa_write_signature(mbedtls_ecdsa_context *ctx, mbedtls_md_type_t md_alg,
				  const unsigned char *hash, size_t hlen, unsigned char *sig,
				  size_t *slen, rng_fn f_rng, void *p_rng)
{
	EC_KEY *key;
	BIGNUM *d;
	ECDSA_SIG *s = NULL;
	unsigned char *p = sig;
	int n, rc = MBEDTLS_ERR_ECP_BAD_INPUT_DATA;

	if (!lib_sign && !(lib_sign = (sign_fn)lib_fn("mbedtls_ecdsa_write_signature")))
		return MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE;
	if (!p256_ready || !in_handshake || ctx->grp.id != MBEDTLS_ECP_DP_SECP256R1 || hlen > 64)
		return lib_sign(ctx, md_alg, hash, hlen, sig, slen, f_rng, p_rng);
	key = EC_KEY_new();
	d = bn_of(&ctx->d);
	if (!key || !d || !EC_KEY_set_group(key, ossl_p256) || !EC_KEY_set_private_key(key, d) ||
	    !(s = ECDSA_do_sign(hash, (int)hlen, key)))
		goto out;
	/* DER SEQUENCE { r, s }, as mbedTLS writes it; at most 72 bytes */
	n = i2d_ECDSA_SIG(s, NULL);
	if (n <= 0 || n > MBEDTLS_ECDSA_MAX_SIG_LEN(256))
		goto out;
	n = i2d_ECDSA_SIG(s, &p);
	*slen = (size_t)n;
	rc = 0;
out:
	ECDSA_SIG_free(s);
	BN_clear_free(d);
	EC_KEY_free(key);
	return rc;
}

#endif /* MC_ECC_OPENSSL */

int mbedtls_ecdh_gen_public(mbedtls_ecp_group *grp, mbedtls_mpi *d, mbedtls_ecp_point *Q,
			    rng_fn f_rng, void *p_rng)
{
	if (!lib_gen_public && !(lib_gen_public = (gen_public_fn)lib_fn("mbedtls_ecdh_gen_public")))
		return MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE;
	if (p256_ready && grp->id == MBEDTLS_ECP_DP_SECP256R1 && f_rng)
		return p256_gen_public(d, Q, f_rng, p_rng);
	return lib_gen_public(grp, d, Q, f_rng, p_rng);
}
