/* mc_pki.c - seeded CAs and per-host leaf minting with mbedTLS 2.28.
 *
 * Leaves carry SAN = the host, serverAuth EKU, a CRL distribution point,
 * and a subject key identifier computed from their own key (distinct from
 * the issuer's: SChannel rejects a leaf that reuses the CA's). */
#include "mc_pki.h"
#include "mc_util.h"

#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/hmac_drbg.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ROOT_NAME                                                                                  \
	"CN=Mock Microsoft ECC Root Certificate Authority 2017,O=Microsoft Corporation,C=US"
#define INTER_NAME "CN=Mock Secure Server CA 2026,O=Microsoft Corporation,C=US"
#define INSP_NAME "CN=Contoso TLS Inspection CA,O=Contoso Ltd,C=US"
#define LEAF_ORG ",O=Microsoft Corporation,L=Redmond,ST=WA,C=US"
#define CRL_URL "http://crl.microsoft.com/pki/mscorp/crl/Mock%20Secure%20Server%20CA%202026.crl"
#define MAX_ENTRIES 4096

struct mc_pki_entry {
	struct mc_pki_entry *next;
	enum mc_leaf_kind kind;
	char name[254];
	struct mc_leaf leaf;
};

/* Seeds an HMAC-DRBG from (seed, purpose, name): the only randomness
 * certificates ever see. */
static int drbg_for(mbedtls_hmac_drbg_context *d, uint64_t seed, const char *purpose,
		    const char *name)
{
	unsigned char in[600], h[32];
	int n = snprintf((char *)in, sizeof(in), "mockcloud|%llu|%s|%s", (unsigned long long)seed,
			 purpose, name);
	mbedtls_sha256_ret(in, (size_t)n, h, 0);
	mbedtls_hmac_drbg_init(d);
	return mbedtls_hmac_drbg_seed_buf(d, mbedtls_md_info_from_type(MBEDTLS_MD_SHA256), h,
					  sizeof(h));
}

static int gen_key(mbedtls_pk_context *k, mbedtls_hmac_drbg_context *d)
{
	int rc;
	mbedtls_pk_init(k);
	rc = mbedtls_pk_setup(k, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (!rc)
		rc = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(*k),
					 mbedtls_hmac_drbg_random, d);
	return rc;
}

/* DER header (tag, definite length) at p; returns its size. */
static size_t der_hdr(unsigned char *p, unsigned char tag, size_t len)
{
	p[0] = tag;
	if (len < 128) {
		p[1] = (unsigned char)len;
		return 2;
	}
	if (len < 256) {
		p[1] = 0x81;
		p[2] = (unsigned char)len;
		return 3;
	}
	p[1] = 0x82;
	p[2] = (unsigned char)(len >> 8);
	p[3] = (unsigned char)len;
	return 4;
}

static size_t hdr_len(size_t len)
{
	return len < 128 ? 2 : len < 256 ? 3 : 4;
}

/* Wraps content (already at out + room) with tag; returns new start. */
static unsigned char *wrap(unsigned char *start, size_t *len, unsigned char tag)
{
	size_t h = hdr_len(*len);
	unsigned char *p = start - h;
	der_hdr(p, tag, *len);
	*len += h;
	return p;
}

struct cert_req {
	const char *subject, *issuer;
	mbedtls_pk_context *subject_key, *issuer_key;
	const char *not_before, *not_after;
	int is_ca, pathlen;
	const char *san; /* leaf: the DNS name */
	mbedtls_hmac_drbg_context *drbg;
	unsigned char *out; /* DER written here */
	size_t out_size, *out_len;
};

static int write_cert(const struct cert_req *r)
{
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char sbytes[16], buf[2048], ext[600];
	int rc;

	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);
	if ((rc = mbedtls_hmac_drbg_random(r->drbg, sbytes, sizeof(sbytes))))
		goto out;
	sbytes[0] = (unsigned char)((sbytes[0] & 0x7f) | 0x40);
	if ((rc = mbedtls_mpi_read_binary(&serial, sbytes, sizeof(sbytes))))
		goto out;
	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, r->subject_key);
	mbedtls_x509write_crt_set_issuer_key(&crt, r->issuer_key);
	if ((rc = mbedtls_x509write_crt_set_subject_name(&crt, r->subject)) ||
	    (rc = mbedtls_x509write_crt_set_issuer_name(&crt, r->issuer)) ||
	    (rc = mbedtls_x509write_crt_set_serial(&crt, &serial)) ||
	    (rc = mbedtls_x509write_crt_set_validity(&crt, r->not_before, r->not_after)) ||
	    (rc = mbedtls_x509write_crt_set_basic_constraints(&crt, r->is_ca, r->pathlen)) ||
	    (rc = mbedtls_x509write_crt_set_subject_key_identifier(&crt)) ||
	    (rc = mbedtls_x509write_crt_set_authority_key_identifier(&crt)))
		goto out;
	if (r->is_ca) {
		rc = mbedtls_x509write_crt_set_key_usage(
			&crt, MBEDTLS_X509_KU_KEY_CERT_SIGN | MBEDTLS_X509_KU_CRL_SIGN |
				      MBEDTLS_X509_KU_DIGITAL_SIGNATURE);
		if (rc)
			goto out;
	} else {
		size_t nlen = strlen(r->san), len;
		unsigned char *end = ext + sizeof(ext), *p;
		static const unsigned char eku[] = {0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06,
						    0x01, 0x05, 0x05, 0x07, 0x03, 0x01};
		if ((rc = mbedtls_x509write_crt_set_key_usage(&crt,
							      MBEDTLS_X509_KU_DIGITAL_SIGNATURE)))
			goto out;
		/* subjectAltName: SEQUENCE { [2] dNSName } */
		len = nlen;
		p = end - len;
		memcpy(p, r->san, nlen);
		p = wrap(p, &len, 0x82);
		p = wrap(p, &len, 0x30);
		if ((rc = mbedtls_x509write_crt_set_extension(
			     &crt, MBEDTLS_OID_SUBJECT_ALT_NAME,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_SUBJECT_ALT_NAME), 0, p, len)))
			goto out;
		if ((rc = mbedtls_x509write_crt_set_extension(
			     &crt, MBEDTLS_OID_EXTENDED_KEY_USAGE,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0, eku,
			     sizeof(eku))))
			goto out;
		/* cRLDistributionPoints: SEQ { SEQ { [0] { [0] { [6] URI } } } } */
		len = strlen(CRL_URL);
		p = end - len;
		memcpy(p, CRL_URL, len);
		p = wrap(p, &len, 0x86);
		p = wrap(p, &len, 0xa0);
		p = wrap(p, &len, 0xa0);
		p = wrap(p, &len, 0x30);
		p = wrap(p, &len, 0x30);
		if ((rc = mbedtls_x509write_crt_set_extension(
			     &crt, MBEDTLS_OID_CRL_DISTRIBUTION_POINTS,
			     MBEDTLS_OID_SIZE(MBEDTLS_OID_CRL_DISTRIBUTION_POINTS), 0, p, len)))
			goto out;
	}
	rc = mbedtls_x509write_crt_der(&crt, buf, sizeof(buf), mbedtls_hmac_drbg_random, r->drbg);
	if (rc < 0)
		goto out;
	if ((size_t)rc > r->out_size) {
		rc = MBEDTLS_ERR_X509_BUFFER_TOO_SMALL;
		goto out;
	}
	memcpy(r->out, buf + sizeof(buf) - rc, (size_t)rc);
	*r->out_len = (size_t)rc;
	rc = 0;
out:
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	return rc;
}

static int make_ca(struct mc_pki *pki, const char *purpose, const char *subject, const char *issuer,
		   mbedtls_pk_context *key, mbedtls_pk_context *issuer_key, int pathlen,
		   unsigned char *der, size_t *der_len)
{
	mbedtls_hmac_drbg_context d;
	int rc = drbg_for(&d, pki->seed, purpose, "");
	if (!rc)
		rc = gen_key(key, &d);
	if (!rc) {
		struct cert_req r = {.subject = subject,
				     .issuer = issuer,
				     .subject_key = key,
				     .issuer_key = issuer_key ? issuer_key : key,
				     .not_before = "20200101000000",
				     .not_after = "20400101000000",
				     .is_ca = 1,
				     .pathlen = pathlen,
				     .drbg = &d,
				     .out = der,
				     .out_size = 1024,
				     .out_len = der_len};
		rc = write_cert(&r);
	}
	mbedtls_hmac_drbg_free(&d);
	return rc;
}

static int write_file(const char *dir, const char *name, const void *data, size_t len, char *err,
		      size_t errlen)
{
	char path[4096], tmp[4200];
	FILE *f;
	mc_fmt(path, sizeof(path), "%s/%s", dir, name);
	mc_fmt(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		mc_fmt(err, errlen, "%s: cannot write: %m", tmp);
		return -1;
	}
	if (rename(tmp, path)) {
		mc_fmt(err, errlen, "%s: cannot rename: %m", path);
		return -1;
	}
	return 0;
}

static int write_pair(const char *dir, const char *base, const unsigned char *der, size_t len,
		      char *err, size_t errlen)
{
	unsigned char pem[2048];
	size_t olen = 0;
	char name[64];
	if (mbedtls_pem_write_buffer("-----BEGIN CERTIFICATE-----\n", "-----END CERTIFICATE-----\n",
				     der, len, pem, sizeof(pem), &olen)) {
		mc_fmt(err, errlen, "%s: PEM encoding failed", base);
		return -1;
	}
	if (write_file(dir, mc_fmt(name, sizeof(name), "%s.pem", base), pem, olen - 1, err, errlen))
		return -1;
	return write_file(dir, mc_fmt(name, sizeof(name), "%s.cer", base), der, len, err, errlen);
}

int mc_pki_init(struct mc_pki *pki, uint64_t seed, const char *dir, char *err, size_t errlen)
{
	int rc;
	memset(pki, 0, sizeof(*pki));
	pki->seed = seed;
	pthread_mutex_init(&pki->lock, NULL);
	rc = make_ca(pki, "root", ROOT_NAME, ROOT_NAME, &pki->root_key, NULL, 1, pki->root_der,
		     &pki->root_len);
	if (!rc)
		rc = make_ca(pki, "intermediate", INTER_NAME, ROOT_NAME, &pki->inter_key,
			     &pki->root_key, 0, pki->inter_der, &pki->inter_len);
	if (!rc)
		rc = make_ca(pki, "inspection", INSP_NAME, INSP_NAME, &pki->insp_key, NULL, 1,
			     pki->insp_der, &pki->insp_len);
	if (rc) {
		char e[128];
		mbedtls_strerror(rc, e, sizeof(e));
		mc_fmt(err, errlen, "creating the mock CAs failed: %s", e);
		return -1;
	}
	if (write_pair(dir, "root", pki->root_der, pki->root_len, err, errlen) ||
	    write_pair(dir, "intermediate", pki->inter_der, pki->inter_len, err, errlen) ||
	    write_pair(dir, "inspection-root", pki->insp_der, pki->insp_len, err, errlen))
		return -1;
	pki->fallback = (struct mc_leaf *)mc_pki_leaf(pki, MC_LEAF_GOOD, "mockcloud.invalid");
	if (!pki->fallback) {
		mc_fmt(err, errlen, "minting the fallback leaf failed");
		return -1;
	}
	return 0;
}

/* Turns an ECKEY context into an ECDSA one holding the same key, for
 * signing. mbedTLS 2.28 signs with an ECKEY context through a temporary
 * ECDSA copy whose group is loaded afresh (eckey_sign_wrap in pk_wrap.c),
 * so the table of multiples of G built for the signature is thrown away
 * every time: 0.69 ms per handshake instead of 0.29 ms. An ECDSA context
 * signs with its own group, which keeps the table from the first
 * signature on. Certificates must be written before: pkwrite takes ECKEY
 * contexts only. */
static int to_ecdsa_key(mbedtls_pk_context *k)
{
	mbedtls_pk_context e;
	int rc;
	mbedtls_pk_init(&e);
	rc = mbedtls_pk_setup(&e, mbedtls_pk_info_from_type(MBEDTLS_PK_ECDSA));
	if (!rc)
		rc = mbedtls_ecdsa_from_keypair(mbedtls_pk_ec(e), mbedtls_pk_ec(*k));
	if (rc) {
		mbedtls_pk_free(&e);
		return rc;
	}
	mbedtls_pk_free(k);
	*k = e;
	return 0;
}

static int mint(struct mc_pki *pki, enum mc_leaf_kind kind, const char *name, struct mc_leaf *leaf)
{
	static const char *const purpose[] = {"leaf", "expired", "intercept"};
	mbedtls_hmac_drbg_context d;
	unsigned char der[1024];
	size_t der_len = 0;
	char subject[400];
	int rc;

	mbedtls_x509_crt_init(&leaf->chain);
	mbedtls_pk_init(&leaf->key);
	mc_fmt(subject, sizeof(subject), "CN=%s" LEAF_ORG, name);
	rc = drbg_for(&d, pki->seed, purpose[kind], name);
	if (!rc)
		rc = gen_key(&leaf->key, &d);
	if (!rc) {
		struct cert_req r = {
			.subject = subject,
			.issuer = kind == MC_LEAF_INTERCEPT ? INSP_NAME : INTER_NAME,
			.subject_key = &leaf->key,
			.issuer_key = kind == MC_LEAF_INTERCEPT ? &pki->insp_key : &pki->inter_key,
			.not_before = kind == MC_LEAF_EXPIRED ? "20230101000000" : "20260101000000",
			.not_after = kind == MC_LEAF_EXPIRED ? "20240101000000" : "20280101000000",
			.is_ca = 0,
			.pathlen = -1,
			.san = name,
			.drbg = &d,
			.out = der,
			.out_size = sizeof(der),
			.out_len = &der_len};
		rc = write_cert(&r);
	}
	if (!rc)
		rc = mbedtls_x509_crt_parse_der(&leaf->chain, der, der_len);
	if (!rc && kind != MC_LEAF_INTERCEPT)
		rc = mbedtls_x509_crt_parse_der(&leaf->chain, pki->inter_der, pki->inter_len);
	if (!rc)
		rc = to_ecdsa_key(&leaf->key);
	if (!rc) {
		/* One signature now, under the cache lock: mbedTLS caches the
		 * key's fixed-point table on first use (in the ECDSA context's
		 * group), which must not race between connection threads
		 * sharing this key; afterwards signing only reads it. */
		unsigned char hash[32] = {1}, sig[MBEDTLS_ECDSA_MAX_LEN];
		size_t slen;
		rc = mbedtls_pk_sign(&leaf->key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig, &slen,
				     mbedtls_hmac_drbg_random, &d);
	}
	mbedtls_hmac_drbg_free(&d);
	if (rc) {
		mbedtls_x509_crt_free(&leaf->chain);
		mbedtls_pk_free(&leaf->key);
	}
	return rc;
}

static unsigned bucket_of(enum mc_leaf_kind kind, const char *name)
{
	unsigned h = 2166136261u ^ (unsigned)kind;
	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % 1024;
}

const struct mc_leaf *mc_pki_leaf(struct mc_pki *pki, enum mc_leaf_kind kind, const char *name)
{
	unsigned b = bucket_of(kind, name);
	struct mc_pki_entry *e;
	const struct mc_leaf *res = pki->fallback;

	if (strlen(name) > 253)
		return res;
	pthread_mutex_lock(&pki->lock);
	for (e = pki->buckets[b]; e; e = e->next)
		if (e->kind == kind && strcmp(e->name, name) == 0) {
			res = &e->leaf;
			goto out;
		}
	if (pki->nentries >= MAX_ENTRIES)
		goto out;
	e = calloc(1, sizeof(*e));
	if (!e)
		goto out;
	e->kind = kind;
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (mint(pki, kind, name, &e->leaf)) {
		free(e);
		goto out;
	}
	e->next = pki->buckets[b];
	pki->buckets[b] = e;
	pki->nentries++;
	res = &e->leaf;
out:
	pthread_mutex_unlock(&pki->lock);
	return res;
}
