/* mc_journal.h - the request journal: one entry per request, or per
 * connection when no request was read (refused TLS, reset, garbage).
 * A bounded ring: the oldest entries go first (4096 kept). Thread-safe. */
#ifndef MC_JOURNAL_H
#define MC_JOURNAL_H

#include <stdint.h>

struct mc_jentry {
	char time[32];
	char listener[48]; /* "https", "http", "proxy:NAME" */
	char peer[64];
	char sni[256];
	char connect[320]; /* the CONNECT line through a proxy */
	char request[320]; /* the request line */
	char host[256];
	int status;           /* HTTP status sent, 0 = none */
	char fault[160];      /* names of the faults applied, "" = none */
	char note[160];       /* what happened, for humans */
	int64_t ms_handshake; /* -1 = no TLS handshake */
	int64_t ms_total;
};

/* Appends a copy of e. */
void mc_journal_add(const struct mc_jentry *e);

/* Empties the journal. */
void mc_journal_clear(void);

/* The journal as a JSON array; the caller frees. NULL on no memory. */
char *mc_journal_json(void);

#endif
