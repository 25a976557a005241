/* sock.h - the few non-blocking socket calls the probe needs, portable.
 *
 * POSIX sockets on Linux, Winsock on Windows; sock.c is the only file of
 * the probe with an #ifdef _WIN32. Every call returns a class (enum
 * dx_sock_rc) and, where useful, a human reason in a caller buffer.
 */
#ifndef DX_SOCK_H
#define DX_SOCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef _WIN32
typedef uintptr_t dx_sock_t; /* SOCKET */
#define DX_SOCK_BAD ((dx_sock_t) ~(uintptr_t)0)
#else
typedef int dx_sock_t;
#define DX_SOCK_BAD (-1)
#endif

enum dx_sock_rc {
	DX_SOCK_OK = 0,
	DX_SOCK_AGAIN,   /* would block / connect in progress */
	DX_SOCK_REFUSED, /* ECONNREFUSED */
	DX_SOCK_RESET,   /* ECONNRESET, EPIPE */
	DX_SOCK_CLOSED,  /* orderly end of stream (recv returned 0) */
	DX_SOCK_TIMEOUT, /* ETIMEDOUT from the stack */
	DX_SOCK_UNREACH, /* no route, network down */
	DX_SOCK_ERR,     /* anything else; see the reason */
};

/* Starts the socket library once (WSAStartup); 0 ok. */
int dx_sock_startup(void);

/* Starts a non-blocking TCP connect to a numeric address. Returns OK
 * (connected), AGAIN (wait for writability, then dx_sock_connected) or an
 * error class with the reason in err. *s is DX_SOCK_BAD on error. */
enum dx_sock_rc dx_sock_connect(const char *addr, int port, dx_sock_t *s, char *err, size_t errsz);
/* The outcome of a connect that was in progress once the socket polled
 * writable (or in error). */
enum dx_sock_rc dx_sock_connected(dx_sock_t s, char *err, size_t errsz);

/* Non-blocking send/recv: *n gets the byte count on OK. */
enum dx_sock_rc dx_sock_send(dx_sock_t s, const void *buf, size_t len, size_t *n, char *err,
			     size_t errsz);
enum dx_sock_rc dx_sock_recv(dx_sock_t s, void *buf, size_t len, size_t *n, char *err,
			     size_t errsz);
void dx_sock_close(dx_sock_t s);

/* poll() over sockets. want/got bits: DX_POLL_IN, DX_POLL_OUT; got also
 * DX_POLL_ERR (error or hang-up). Returns the number ready, -1 on error. */
#define DX_POLL_IN 1
#define DX_POLL_OUT 2
#define DX_POLL_ERR 4
struct dx_pollfd {
	dx_sock_t s;
	int want;
	int got;
};
int dx_sock_poll(struct dx_pollfd *fds, size_t n, int timeout_ms);
/* Why the last dx_sock_poll returned -1 ("poll: <reason>"). */
void dx_sock_poll_error(char *err, size_t errsz);
/* "WSAECONNREFUSED" for 10061, ... (the Winsock names); NULL if unknown. */
const char *dx_wsa_error_name(int code);

/* A monotonic clock in milliseconds (fractional). */
double dx_clock_ms(void);
/* Blocks the calling thread for ms milliseconds (the fake resolver's
 * slow DNS server). */
void dx_sleep_ms(int ms);

/* Is this numeric address on the loopback network (127/8, ::1)? */
int dx_addr_is_loopback(const char *addr);
/* Is the string a numeric IPv4/IPv6 address? */
int dx_addr_is_numeric(const char *addr);
/* The address's bytes (4 or 16) and its width in bits (32 or 128). */
int dx_addr_bytes(const char *addr, unsigned char out[16], int *bits);

#endif
