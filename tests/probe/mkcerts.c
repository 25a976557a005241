/* mkcerts.c - test certificates for the probe's loopback servers.
 *
 * mkcerts DIR HOST... writes, with ECDSA P-256 keys made at run time:
 *   root.pem / root.key         "MDE Test Root" (stands in for Microsoft's)
 *   leaf.pem / leaf.key         leaf for every HOST (SAN), chained to root
 *   expired.pem                 same names, validity 2020-2021
 *   wrong.pem                   SAN wrong.example.invalid only
 *   inspect-root.pem            "Contoso TLS Inspection CA"
 *   inspect.pem                 leaf for every HOST signed by the inspection CA
 * All leaves share leaf.key. Each *.pem leaf file holds leaf + issuer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mbedtls/asn1write.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/x509_crt.h>

static mbedtls_ctr_drbg_context drbg;
static mbedtls_entropy_context entropy;

static void die(const char *what, int r)
{
	fprintf(stderr, "mkcerts: %s failed (-0x%04x)\n", what, (unsigned)-r);
	exit(1);
}

static void genkey(mbedtls_pk_context *k)
{
	int r;
	mbedtls_pk_init(k);
	if ((r = mbedtls_pk_setup(k, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY))))
		die("pk_setup", r);
	if ((r = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*k),
				     mbedtls_ctr_drbg_random, &drbg)))
		die("gen_key", r);
}

static void write_file(const char *dir, const char *name, const char *a, const char *b)
{
	char path[1024];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(a, f);
	if (b)
		fputs(b, f);
	fclose(f);
}

/* SubjectAltName: SEQUENCE OF [2] IA5String, written back to front. */
static int san_ext(unsigned char *buf, size_t size, char **hosts, int n, unsigned char **start)
{
	unsigned char *p = buf + size;
	size_t len = 0;
	int r;
	for (int i = n - 1; i >= 0; i--) {
		size_t l = strlen(hosts[i]);
		if ((r = mbedtls_asn1_write_raw_buffer(&p, buf, (const unsigned char *)hosts[i],
						       l)) < 0)
			return r;
		len += (size_t)r;
		if ((r = mbedtls_asn1_write_len(&p, buf, l)) < 0)
			return r;
		len += (size_t)r;
		if ((r = mbedtls_asn1_write_tag(&p, buf, MBEDTLS_ASN1_CONTEXT_SPECIFIC | 2)) < 0)
			return r;
		len += (size_t)r;
	}
	if ((r = mbedtls_asn1_write_len(&p, buf, len)) < 0)
		return r;
	len += (size_t)r;
	if ((r = mbedtls_asn1_write_tag(&p, buf,
					MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE)) < 0)
		return r;
	len += (size_t)r;
	*start = p;
	return (int)len;
}

static void make_cert(char *out, size_t outsz, mbedtls_pk_context *subj_key,
		      mbedtls_pk_context *iss_key, const char *subj, const char *iss, int ca,
		      const char *from, const char *to, char **hosts, int nhosts, int serial)
{
	mbedtls_x509write_cert w;
	mbedtls_mpi sn;
	unsigned char san[16384], *sstart;
	int r;
	mbedtls_x509write_crt_init(&w);
	mbedtls_mpi_init(&sn);
	mbedtls_mpi_lset(&sn, serial);
	mbedtls_x509write_crt_set_version(&w, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&w, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&w, subj_key);
	mbedtls_x509write_crt_set_issuer_key(&w, iss_key);
	if ((r = mbedtls_x509write_crt_set_subject_name(&w, subj)))
		die("subject", r);
	if ((r = mbedtls_x509write_crt_set_issuer_name(&w, iss)))
		die("issuer", r);
	mbedtls_x509write_crt_set_serial(&w, &sn);
	mbedtls_x509write_crt_set_validity(&w, from, to);
	mbedtls_x509write_crt_set_basic_constraints(&w, ca, ca ? 1 : -1);
	mbedtls_x509write_crt_set_subject_key_identifier(&w);
	mbedtls_x509write_crt_set_authority_key_identifier(&w);
	if (ca)
		mbedtls_x509write_crt_set_key_usage(&w, MBEDTLS_X509_KU_KEY_CERT_SIGN |
								MBEDTLS_X509_KU_CRL_SIGN);
	if (nhosts) {
		int len = san_ext(san, sizeof san, hosts, nhosts, &sstart);
		if (len < 0)
			die("san", len);
		if ((r = mbedtls_x509write_crt_set_extension(
			     &w, MBEDTLS_OID_SUBJECT_ALT_NAME,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, sstart,
			     (size_t)len)))
			die("set san", r);
	}
	if ((r = mbedtls_x509write_crt_pem(&w, (unsigned char *)out, outsz, mbedtls_ctr_drbg_random,
					   &drbg)))
		die("crt_pem", r);
	mbedtls_x509write_crt_free(&w);
	mbedtls_mpi_free(&sn);
}

int main(int argc, char **argv)
{
	static char root[8192], leaf[32768], exp[32768], wrong[8192], iroot[8192], insp[32768],
		key[4096];
	static const char *wrongname[] = {"wrong.example.invalid"};
	mbedtls_pk_context rk, ik, lk;
	const char *dir;
	int r;
	if (argc < 3) {
		fprintf(stderr, "usage: mkcerts DIR HOST...\n");
		return 2;
	}
	dir = argv[1];
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	if ((r = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, NULL, 0)))
		die("seed", r);
	genkey(&rk);
	genkey(&ik);
	genkey(&lk);
	make_cert(root, sizeof root, &rk, &rk, "CN=MDE Test Root,O=mdediag tests",
		  "CN=MDE Test Root,O=mdediag tests", 1, "20200101000000", "20401231235959", NULL,
		  0, 1);
	make_cert(iroot, sizeof iroot, &ik, &ik, "CN=Contoso TLS Inspection CA,O=Contoso",
		  "CN=Contoso TLS Inspection CA,O=Contoso", 1, "20200101000000", "20401231235959",
		  NULL, 0, 2);
	make_cert(leaf, sizeof leaf, &lk, &rk, "CN=mde test leaf",
		  "CN=MDE Test Root,O=mdediag tests", 0, "20200101000000", "20401231235959",
		  argv + 2, argc - 2, 3);
	make_cert(exp, sizeof exp, &lk, &rk, "CN=mde expired leaf",
		  "CN=MDE Test Root,O=mdediag tests", 0, "20200101000000", "20210101000000",
		  argv + 2, argc - 2, 4);
	make_cert(wrong, sizeof wrong, &lk, &rk, "CN=wrong.example.invalid",
		  "CN=MDE Test Root,O=mdediag tests", 0, "20200101000000", "20401231235959",
		  (char **)wrongname, 1, 5);
	make_cert(insp, sizeof insp, &lk, &ik, "CN=mde intercepted leaf",
		  "CN=Contoso TLS Inspection CA,O=Contoso", 0, "20200101000000", "20401231235959",
		  argv + 2, argc - 2, 6);
	write_file(dir, "root.pem", root, NULL);
	write_file(dir, "inspect-root.pem", iroot, NULL);
	write_file(dir, "leaf.pem", leaf, root);
	write_file(dir, "expired.pem", exp, root);
	write_file(dir, "wrong.pem", wrong, root);
	write_file(dir, "inspect.pem", insp, iroot);
	if ((r = mbedtls_pk_write_key_pem(&lk, (unsigned char *)key, sizeof key)))
		die("key", r);
	write_file(dir, "leaf.key", key, NULL);
	if ((r = mbedtls_pk_write_key_pem(&rk, (unsigned char *)key, sizeof key)))
		die("key", r);
	write_file(dir, "root.key", key, NULL);
	mbedtls_pk_free(&rk);
	mbedtls_pk_free(&ik);
	mbedtls_pk_free(&lk);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return 0;
}
