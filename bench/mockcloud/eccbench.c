/* eccbench.c - CPU per P-256 / X25519 operation of a full TLS 1.2 ECDHE-ECDSA
 * handshake (server side) in the system's mbedTLS 2.28, the numbers behind
 * bench/mockcloud/RESULTS.md. Compare with `openssl speed ecdhp256
 * ecdhx25519 ecdsap256`.
 *
 *   cc -O2 -o eccbench bench/mockcloud/eccbench.c -lmbedcrypto && ./eccbench
 * Prints one line per operation: milliseconds of process CPU per call. */
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <stdio.h>
#include <time.h>

#define N 300

static mbedtls_ctr_drbg_context drbg;

static double cpu_now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return t.tv_sec + t.tv_nsec * 1e-9;
}

static void report(const char *what, double t0)
{
	printf("%-58s %.3f ms\n", what, (cpu_now() - t0) / N * 1e3);
}

static void ecdh(mbedtls_ecp_group_id id, const char *name)
{
	mbedtls_ecp_group g;
	mbedtls_mpi d, z;
	mbedtls_ecp_point q, peer;
	char what[100];
	double t0;

	mbedtls_ecp_group_init(&g);
	mbedtls_mpi_init(&d);
	mbedtls_mpi_init(&z);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&peer);
	mbedtls_ecp_group_load(&g, id);
	mbedtls_ecdh_gen_public(&g, &d, &peer, mbedtls_ctr_drbg_random, &drbg);

	/* what mbedTLS's TLS server does: a fresh group per handshake */
	t0 = cpu_now();
	for(int i = 0; i < N; i++) {
		mbedtls_ecp_group f;
		mbedtls_ecp_group_init(&f);
		mbedtls_ecp_group_load(&f, id);
		mbedtls_ecdh_gen_public(&f, &d, &q, mbedtls_ctr_drbg_random, &drbg);
		mbedtls_ecp_group_free(&f);
	}
	snprintf(what, sizeof(what), "%s ECDHE key, fresh group (mbedTLS TLS default)", name);
	report(what, t0);
	/* a long-lived group keeps G's table (mockcloud's mc_ecc.c) */
	t0 = cpu_now();
	for(int i = 0; i < N; i++)
		mbedtls_ecdh_gen_public(&g, &d, &q, mbedtls_ctr_drbg_random, &drbg);
	snprintf(what, sizeof(what), "%s ECDHE key, cached group", name);
	report(what, t0);
	t0 = cpu_now();
	for(int i = 0; i < N; i++)
		mbedtls_ecdh_compute_shared(&g, &z, &peer, &d, mbedtls_ctr_drbg_random, &drbg);
	snprintf(what, sizeof(what), "%s ECDH shared secret (variable point)", name);
	report(what, t0);

	mbedtls_ecp_group_free(&g);
	mbedtls_mpi_free(&d);
	mbedtls_mpi_free(&z);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_point_free(&peer);
}

static void sign(mbedtls_pk_type_t type, const char *what)
{
	mbedtls_pk_context k;
	unsigned char h[32] = { 1 }, sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t sl;
	double t0;

	mbedtls_pk_init(&k);
	mbedtls_pk_setup(&k, mbedtls_pk_info_from_type(type));
	mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(k), mbedtls_ctr_drbg_random, &drbg);
	mbedtls_pk_sign(&k, MBEDTLS_MD_SHA256, h, 32, sig, &sl, mbedtls_ctr_drbg_random, &drbg);
	t0 = cpu_now();
	for(int i = 0; i < N; i++)
		mbedtls_pk_sign(&k, MBEDTLS_MD_SHA256, h, 32, sig, &sl, mbedtls_ctr_drbg_random, &drbg);
	report(what, t0);
	if(type == MBEDTLS_PK_ECDSA) {
		t0 = cpu_now();
		for(int i = 0; i < N; i++)
			mbedtls_pk_verify(&k, MBEDTLS_MD_SHA256, h, 32, sig, sl);
		report("P-256 ECDSA verify (client side)", t0);
	}
	mbedtls_pk_free(&k);
}

int main(void)
{
	mbedtls_entropy_context e;
	mbedtls_entropy_init(&e);
	mbedtls_ctr_drbg_init(&drbg);
	if(mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &e, NULL, 0))
		return 1;
	ecdh(MBEDTLS_ECP_DP_SECP256R1, "P-256");
	ecdh(MBEDTLS_ECP_DP_CURVE25519, "X25519");
	sign(MBEDTLS_PK_ECKEY, "P-256 ECDSA sign, ECKEY pk context (copy, fresh group)");
	sign(MBEDTLS_PK_ECDSA, "P-256 ECDSA sign, ECDSA pk context (cached table)");
	return 0;
}
