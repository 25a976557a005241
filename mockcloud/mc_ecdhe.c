/* mc_ecdhe.c - ephemeral ECDHE keys on P-256 from a precomputed table of
 * multiples of the generator.
 *
 * mbedTLS 2.28 loads a fresh curve group for every handshake, so each
 * ServerKeyExchange rebuilds the comb table for G and uses it once:
 * 0.69 ms of CPU per key, against 0.29 ms with the table kept
 * (bench/mockcloud/RESULTS.md). 2.28 has no way to hand the TLS stack a
 * long-lived group, so this file defines mbedtls_ecdh_gen_public itself:
 * libmbedcrypto calls it through its PLT, and the dynamic linker resolves
 * that to the executable's definition. P-256 requests are served from one
 * process-wide group whose table is built once by mc_ecdhe_init and only
 * read afterwards (mbedTLS reads a cached table without writing the group,
 * which is what lets connection threads share a leaf key too); every other
 * request goes to the library's own function.
 *
 * The key stays fresh per handshake: d is drawn from the caller's RNG in
 * [1, n-1] exactly as the library does; only the table of G is shared. If
 * the interposition does not take (a static mbedTLS), nothing changes but
 * the speed. */
#include "mc_ecdhe.h"

#include <dlfcn.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/version.h>

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#error "mc_ecdhe.c is written against the mbedTLS 2.28 API; check whether 3.x still needs it"
#endif

typedef int (*gen_public_fn)(mbedtls_ecp_group *, mbedtls_mpi *, mbedtls_ecp_point *,
			     int (*)(void *, unsigned char *, size_t), void *);

static gen_public_fn lib_gen_public;
static mbedtls_ecp_group p256;	/* read-only once mc_ecdhe_init returned 0 */
static int p256_ready;

int mc_ecdhe_init(int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
	mbedtls_mpi d;
	mbedtls_ecp_point q;
	int rc;

	lib_gen_public = (gen_public_fn)dlsym(RTLD_NEXT, "mbedtls_ecdh_gen_public");
	if(!lib_gen_public)
		return -1;
	mbedtls_ecp_group_init(&p256);
	mbedtls_mpi_init(&d);
	mbedtls_ecp_point_init(&q);
	/* the first multiplication by G stores the table in the group */
	rc = mbedtls_ecp_group_load(&p256, MBEDTLS_ECP_DP_SECP256R1);
	if(!rc)
		rc = mbedtls_ecp_gen_keypair(&p256, &d, &q, f_rng, p_rng);
	if(!rc && p256.T == NULL)
		rc = -1;	/* no table cached (MBEDTLS_ECP_FIXED_POINT_OPTIM off) */
	mbedtls_mpi_free(&d);
	mbedtls_ecp_point_free(&q);
	if(rc) {
		mbedtls_ecp_group_free(&p256);
		return -1;
	}
	p256_ready = 1;
	return 0;
}

int mbedtls_ecdh_gen_public(mbedtls_ecp_group *grp, mbedtls_mpi *d, mbedtls_ecp_point *Q,
			    int (*f_rng)(void *, unsigned char *, size_t), void *p_rng)
{
	if(!lib_gen_public) {
		lib_gen_public = (gen_public_fn)dlsym(RTLD_NEXT, "mbedtls_ecdh_gen_public");
		if(!lib_gen_public)
			return MBEDTLS_ERR_ECP_FEATURE_UNAVAILABLE;
	}
	if(p256_ready && grp->id == MBEDTLS_ECP_DP_SECP256R1 && f_rng)
		return mbedtls_ecp_gen_keypair(&p256, d, Q, f_rng, p_rng);
	return lib_gen_public(grp, d, Q, f_rng, p_rng);
}
