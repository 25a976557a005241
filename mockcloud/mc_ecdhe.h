/* mc_ecdhe.h - faster ephemeral ECDHE keys on P-256 (see mc_ecdhe.c). */
#ifndef MC_ECDHE_H
#define MC_ECDHE_H

#include <stddef.h>

/* Builds the process-wide P-256 group and its table of multiples of G,
 * using the RNG given (a warm-up key, thrown away). Call once, before any
 * connection thread starts. -1: not available (the library's own key
 * generation keeps serving every handshake, only slower). */
int mc_ecdhe_init(int (*f_rng)(void *, unsigned char *, size_t), void *p_rng);

#endif
