/* proxybench.c - intercepted HTTPS connections per second through a
 * forward proxy: each iteration connects to the proxy, sends CONNECT,
 * does a fresh TLS handshake (no resumption, no verification: both
 * proxies pay the same client), one GET, and closes.
 *
 *   proxybench PROXY_PORT CONNECT_TARGET SNI_HOST THREADS SECONDS
 * Prints: "<connections/s> <errors>". Loopback only. */
#include <arpa/inet.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/ssl.h>

/* P-256 for ECDHE, as Windows and curl offer first (mbedTLS 2.28 would
 * otherwise prefer secp521r1) */
static const mbedtls_ecp_group_id p256[] = { MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_NONE };
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static int one_round(mbedtls_ssl_config *conf)
{
	char buf[4096];
	int fd = dial(), n, rc = -1, got = 0;
	mbedtls_net_context net = { .fd = fd };
	mbedtls_ssl_context ssl;
	mbedtls_ssl_init(&ssl);
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
	if(mbedtls_ssl_setup(&ssl, conf) || mbedtls_ssl_set_hostname(&ssl, sni))
		goto out;
	mbedtls_ssl_set_bio(&ssl, &net, mbedtls_net_send, mbedtls_net_recv, NULL);
	while((n = mbedtls_ssl_handshake(&ssl)) != 0)
		if(n != MBEDTLS_ERR_SSL_WANT_READ && n != MBEDTLS_ERR_SSL_WANT_WRITE)
			goto out;
	n = snprintf(buf, sizeof(buf), "GET /test HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", sni);
	if(mbedtls_ssl_write(&ssl, (unsigned char *)buf, (size_t)n) != n)
		goto out;
	n = mbedtls_ssl_read(&ssl, (unsigned char *)buf, sizeof(buf) - 1);
	if(n > 12 && strncmp(buf, "HTTP/1.1 200", 12) == 0)
		rc = 0;
out:
	mbedtls_ssl_free(&ssl);
	if(fd >= 0)
		close(fd);
	return rc;
}

static void *worker(void *arg)
{
	mbedtls_entropy_context e;
	mbedtls_ctr_drbg_context d;
	mbedtls_ssl_config conf;
	mbedtls_entropy_init(&e);
	mbedtls_ctr_drbg_init(&d);
	mbedtls_ctr_drbg_seed(&d, mbedtls_entropy_func, &e, NULL, 0);
	mbedtls_ssl_config_init(&conf);
	mbedtls_ssl_config_defaults(&conf, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_TRANSPORT_STREAM,
				    MBEDTLS_SSL_PRESET_DEFAULT);
	mbedtls_ssl_conf_authmode(&conf, MBEDTLS_SSL_VERIFY_NONE);
	mbedtls_ssl_conf_rng(&conf, mbedtls_ctr_drbg_random, &d);
	mbedtls_ssl_conf_curves(&conf, p256);
	while(!stop) {
		if(one_round(&conf) == 0)
			atomic_fetch_add(&done, 1);
		else
			atomic_fetch_add(&errors, 1);
	}
	mbedtls_ssl_config_free(&conf);
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
	printf("%.1f %ld\n", (double)atomic_load(&done) / seconds, atomic_load(&errors));
	return 0;
}
