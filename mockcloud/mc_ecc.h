/* mc_ecc.h - faster P-256 for the TLS handshake (see mc_ecc.c). */
#ifndef MC_ECC_H
#define MC_ECC_H

#include <stddef.h>

/* Prepares the P-256 operations mc_ecc.c provides to mbedTLS, using the
 * RNG given for a warm-up key. Call once, before any connection thread
 * starts. -1: not available (mbedTLS's own code keeps serving every
 * handshake, only slower). */
int mc_ecc_init(int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

/* Marks this thread as inside a TLS handshake (on = 1) or not (0). Only
 * handshake signatures may use OpenSSL's random-nonce ECDSA: certificates
 * are signed by mbedTLS (deterministic nonces), so --seed reproduces them
 * byte for byte. */
void mc_ecc_in_handshake(int on);

/* "mbedtls" or "openssl": which code multiplies P-256 points. */
const char *mc_ecc_backend(void);

#endif
