/* proxybench.c - intercepted HTTPS connections per second through a
 * forward proxy: each iteration connects to the proxy, sends CONNECT,
 * does a fresh TLS handshake (no resumption, no verification: both
 * proxies pay the same client), one GET, and closes.
 *
 * The client is OpenSSL, like wrk for the other rows: an mbedTLS 2.28
 * client spent ~1.4 ms of CPU per handshake on the same two cores as the
 * proxy under test. TLS 1.2 with ECDHE-ECDSA-AES128-GCM-SHA256 for both
 * proxies (mockcloud speaks no TLS 1.3), OpenSSL's default curve list
 * (X25519 first, then P-256: each server picks by its own preference).
 *
 *   proxybench PROXY_PORT CONNECT_TARGET SNI_HOST THREADS SECONDS
 * Prints: "<connections/s> <errors> <client CPU ms per connection>".
 * Loopback only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int proxy_port, seconds;
static const char *target, *sni;
static atomic_long done, errors;
static volatile int stop;

static int dial(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)proxy_port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct timeval tv = { .tv_sec = 5 };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if(connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static int one_round(SSL_CTX *ctx)
{
	char buf[4096];
	int fd = dial(), n, rc = -1, got = 0;
	SSL *ssl = NULL;
	if(fd < 0)
		goto out;
	n = snprintf(buf, sizeof(buf), "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
	if(send(fd, buf, (size_t)n, MSG_NOSIGNAL) != n)
		goto out;
	/* read the proxy's answer head byte-wise up to the blank line */
	while(got < (int)sizeof(buf) - 1) {
		if(recv(fd, buf + got, 1, 0) != 1)
			goto out;
		got++;
		if(got >= 4 && memcmp(buf + got - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	if(strncmp(buf, "HTTP/1.1 200", 12) && strncmp(buf, "HTTP/1.0 200", 12))
		goto out;
	if(!(ssl = SSL_new(ctx)) || !SSL_set_tlsext_host_name(ssl, sni) || !SSL_set_fd(ssl, fd) ||
	   SSL_connect(ssl) != 1)
		goto out;
	n = snprintf(buf, sizeof(buf), "GET /test HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", sni);
	if(SSL_write(ssl, buf, n) != n)
		goto out;
	n = SSL_read(ssl, buf, sizeof(buf) - 1);
	if(n > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0)
		rc = 0;
out:
	if(ssl)
		SSL_free(ssl);
	ERR_clear_error();
	if(fd >= 0)
		close(fd);
	return rc;
}

static void *worker(void *arg)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	(void)arg;
	if(!ctx)
		return NULL;
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_cipher_list(ctx, "ECDHE-ECDSA-AES128-GCM-SHA256");
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/* every handshake a full one */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	while(!stop) {
		if(one_round(ctx) == 0)
			atomic_fetch_add(&done, 1);
		else
			atomic_fetch_add(&errors, 1);
	}
	SSL_CTX_free(ctx);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t t[64];
	int threads;
	if(argc != 6)
		return 2;
	proxy_port = atoi(argv[1]);
	target = argv[2];
	sni = argv[3];
	threads = atoi(argv[4]);
	seconds = atoi(argv[5]);
	if(threads < 1 || threads > 64)
		return 2;
	for(int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	sleep((unsigned)seconds);
	stop = 1;
	for(int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
			(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
	long n = atomic_load(&done);
	printf("%.1f %ld %.3f\n", (double)n / seconds, atomic_load(&errors), n ? cpu_ms / n : 0.0);
	return 0;
}
