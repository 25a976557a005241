/* sock.c - non-blocking TCP for the probe: POSIX or Winsock, one file.
 *
 * The only place in the probe that knows which socket API it runs on. The
 * rest of the probe speaks dx_sock_* and enum dx_sock_rc.
 */
#include <stdio.h>
#include <string.h>
#include "sock.h"

#ifdef _WIN32
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* inet_pton: Vista and later */
#endif
/* select() rather than WSAPoll: WSAPoll does not report a failed
 * non-blocking connect before Windows 10 2004 (a refused port would look
 * like a timeout); select() reports it in the except set. */
#define FD_SETSIZE 256
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#define SOCK_ERRNO WSAGetLastError()
#define E_AGAIN WSAEWOULDBLOCK
#define E_INPROGRESS WSAEWOULDBLOCK
#define E_REFUSED WSAECONNREFUSED
#define E_RESET WSAECONNRESET
#define E_ABORTED WSAECONNABORTED
#define E_TIMEDOUT WSAETIMEDOUT
#define E_NETUNREACH WSAENETUNREACH
#define E_HOSTUNREACH WSAEHOSTUNREACH
#define E_PIPE WSAESHUTDOWN
typedef int sock_len;
#else
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#define SOCK_ERRNO errno
#define E_AGAIN EAGAIN
#define E_INPROGRESS EINPROGRESS
#define E_REFUSED ECONNREFUSED
#define E_RESET ECONNRESET
#define E_ABORTED ECONNABORTED
#define E_TIMEDOUT ETIMEDOUT
#define E_NETUNREACH ENETUNREACH
#define E_HOSTUNREACH EHOSTUNREACH
#define E_PIPE EPIPE
#define closesocket close
typedef socklen_t sock_len;
#endif

const char *dx_wsa_error_name(int e)
{
	/* The Windows Sockets error codes (winerror.h / "Windows Sockets Error
	 * Codes"), those a TCP client can meet. */
	static const struct {
		int code;
		const char *name;
	} t[] = {
		{10004, "WSAEINTR"},          {10009, "WSAEBADF"},
		{10013, "WSAEACCES"},         {10014, "WSAEFAULT"},
		{10022, "WSAEINVAL"},         {10024, "WSAEMFILE"},
		{10035, "WSAEWOULDBLOCK"},    {10036, "WSAEINPROGRESS"},
		{10037, "WSAEALREADY"},       {10038, "WSAENOTSOCK"},
		{10040, "WSAEMSGSIZE"},       {10047, "WSAEAFNOSUPPORT"},
		{10048, "WSAEADDRINUSE"},     {10049, "WSAEADDRNOTAVAIL"},
		{10050, "WSAENETDOWN"},       {10051, "WSAENETUNREACH"},
		{10052, "WSAENETRESET"},      {10053, "WSAECONNABORTED"},
		{10054, "WSAECONNRESET"},     {10055, "WSAENOBUFS"},
		{10056, "WSAEISCONN"},        {10057, "WSAENOTCONN"},
		{10058, "WSAESHUTDOWN"},      {10060, "WSAETIMEDOUT"},
		{10061, "WSAECONNREFUSED"},   {10064, "WSAEHOSTDOWN"},
		{10065, "WSAEHOSTUNREACH"},   {10091, "WSASYSNOTREADY"},
		{10093, "WSANOTINITIALISED"}, {11001, "WSAHOST_NOT_FOUND"},
		{11002, "WSATRY_AGAIN"},      {11003, "WSANO_RECOVERY"},
		{11004, "WSANO_DATA"},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (t[i].code == e)
			return t[i].name;
	return NULL;
}

#ifdef _WIN32
/* Windows' own text for a Winsock error (FormatMessage,
 * FORMAT_MESSAGE_FROM_SYSTEM: the WSA codes are system messages), "" when
 * it has none; in the display language, so the name is shown too. */
static void wsa_text(int e, char *out, size_t sz)
{
	wchar_t w[200];
	DWORD n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
					 FORMAT_MESSAGE_MAX_WIDTH_MASK,
				 NULL, (DWORD)e, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), w, 200,
				 NULL);
	if (!n)
		n = FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
					   FORMAT_MESSAGE_MAX_WIDTH_MASK,
				   NULL, (DWORD)e, 0, w, 200, NULL);
	while (n > 0 &&
	       (w[n - 1] == L' ' || w[n - 1] == L'.' || w[n - 1] == L'\r' || w[n - 1] == L'\n'))
		n--;
	out[0] = '\0';
	if (n && n < 200) {
		int m = WideCharToMultiByte(CP_UTF8, 0, w, (int)n, out, (int)sz - 1, NULL, NULL);
		out[m > 0 ? m : 0] = '\0';
	}
}
#endif

static void reason(char *err, size_t errsz, const char *what, int e)
{
	if (!err || !errsz)
		return;
#ifdef _WIN32
	{
		char text[160];
		const char *name = dx_wsa_error_name(e);
		wsa_text(e, text, sizeof text);
		/* "connect: No connection could be made because the target
		 * machine actively refused it (WSAECONNREFUSED, Winsock error
		 * 10061)" */
		snprintf(err, errsz, "%s: %s%s(%s%sWinsock error %d)%s", what, text,
			 text[0] ? " " : "", name ? name : "", name ? ", " : "", e,
			 /* Windows answers a reset to its SYN by sending the SYN
			  * again (twice, 500 ms apart, by default): a refused
			  * connect takes about a second, not a round trip */
			 e == WSAECONNREFUSED
				 ? "; the time includes Windows' SYN retries after the reset"
				 : "");
	}
#else
	snprintf(err, errsz, "%s: %s", what, strerror(e));
#endif
}

static enum dx_sock_rc classify(int e)
{
	switch (e) {
	case E_AGAIN:
#if !defined(_WIN32) && EAGAIN != EWOULDBLOCK
	case EWOULDBLOCK:
#endif
		return DX_SOCK_AGAIN;
	case E_REFUSED: return DX_SOCK_REFUSED;
	case E_RESET:
	case E_ABORTED:
	case E_PIPE: return DX_SOCK_RESET;
	case E_TIMEDOUT: return DX_SOCK_TIMEOUT;
	case E_NETUNREACH:
	case E_HOSTUNREACH: return DX_SOCK_UNREACH;
	default: return DX_SOCK_ERR;
	}
}

int dx_sock_startup(void)
{
#ifdef _WIN32
	static int done;
	WSADATA wsa;
	if (done)
		return 0;
	if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0)
		return -1;
	done = 1;
#endif
	return 0;
}

static int to_sockaddr(const char *addr, int port, struct sockaddr_storage *ss, sock_len *len)
{
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)port);
		*len = sizeof *v4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)port);
		*len = sizeof *v6;
		return 0;
	}
	/* A link-local address with its zone, "fe80::1%12" (Windows' interface
	 * index, what getnameinfo(NI_NUMERICHOST) gives back) or "fe80::1%eth0":
	 * inet_pton rejects the zone, getaddrinfo with AI_NUMERICHOST parses it
	 * into sin6_scope_id (RFC 4007 section 11; Windows: getaddrinfo accepts
	 * a numeric IPv6 address with a scope ID) and never asks DNS. */
	if (strchr(addr, ':') && strchr(addr, '%') && strlen(addr) < 64) {
		struct addrinfo hints, *res = NULL;
		int ok = 0;
		memset(&hints, 0, sizeof hints);
		hints.ai_family = AF_INET6;
		hints.ai_flags = AI_NUMERICHOST;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(addr, NULL, &hints, &res) == 0 && res &&
		    res->ai_addrlen <= sizeof *ss) {
			memcpy(ss, res->ai_addr, res->ai_addrlen);
			v6->sin6_port = htons((unsigned short)port);
			*len = (sock_len)res->ai_addrlen;
			ok = 1;
		}
		if (res)
			freeaddrinfo(res);
		if (ok)
			return 0;
	}
	return -1;
}

int dx_addr_is_numeric(const char *addr)
{
	struct sockaddr_storage ss;
	sock_len len;
	return addr && to_sockaddr(addr, 1, &ss, &len) == 0;
}

int dx_addr_is_loopback(const char *addr)
{
	struct sockaddr_storage ss;
	sock_len len;
	if (!addr || to_sockaddr(addr, 1, &ss, &len))
		return 0;
	if (ss.ss_family == AF_INET) {
		const unsigned char *b =
			(const unsigned char *)&((struct sockaddr_in *)&ss)->sin_addr;
		return b[0] == 127;
	}
	{
		static const unsigned char lo6[16] = {[15] = 1};
		const unsigned char *b =
			(const unsigned char *)&((struct sockaddr_in6 *)&ss)->sin6_addr;
		static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};
		if (memcmp(b, mapped, 12) == 0)
			return b[12] == 127;
		return memcmp(b, lo6, 16) == 0;
	}
}

static int set_nonblocking(dx_sock_t s)
{
#ifdef _WIN32
	u_long one = 1;
	return ioctlsocket((SOCKET)s, FIONBIO, &one) == 0 ? 0 : -1;
#else
	int fl = fcntl(s, F_GETFL, 0);
	return fl < 0 || fcntl(s, F_SETFL, fl | O_NONBLOCK) < 0 ? -1 : 0;
#endif
}

enum dx_sock_rc dx_sock_connect(const char *addr, int port, dx_sock_t *out, char *err, size_t errsz)
{
	struct sockaddr_storage ss;
	sock_len len;
	dx_sock_t s;
	int one = 1, e;

	*out = DX_SOCK_BAD;
	if (to_sockaddr(addr, port, &ss, &len)) {
		if (err)
			snprintf(err, errsz, "not a numeric address: %s", addr);
		return DX_SOCK_ERR;
	}
	s = (dx_sock_t)socket(ss.ss_family, SOCK_STREAM, IPPROTO_TCP);
	if (s == DX_SOCK_BAD) {
		e = SOCK_ERRNO;
		reason(err, errsz, "socket", e);
		return DX_SOCK_ERR;
	}
	if (set_nonblocking(s)) {
		e = SOCK_ERRNO;
		closesocket(s);
		reason(err, errsz, "non-blocking mode", e);
		return DX_SOCK_ERR;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, (const char *)&one, sizeof one);
#ifdef _WIN32
	/* TCP_FAIL_CONNECT_ON_ICMP_ERROR (18, Windows 10 2004 and later; older
	 * versions refuse the option, which changes nothing): an ICMP
	 * unreachable fails the connect at once (WSAEHOSTUNREACH...) instead
	 * of letting Windows retransmit the SYN until the probe's deadline. */
	{
		DWORD on = 1;
		setsockopt(s, IPPROTO_TCP, 18, (const char *)&on, sizeof on);
	}
#endif
#ifdef SO_NOSIGPIPE
	setsockopt(s, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
	if (connect(s, (struct sockaddr *)&ss, len) == 0) {
		*out = s;
		return DX_SOCK_OK;
	}
	e = SOCK_ERRNO;
	if (e == E_INPROGRESS || e == E_AGAIN) {
		*out = s;
		return DX_SOCK_AGAIN;
	}
	closesocket(s);
	reason(err, errsz, "connect", e);
	return classify(e) == DX_SOCK_AGAIN ? DX_SOCK_ERR : classify(e);
}

enum dx_sock_rc dx_sock_connected(dx_sock_t s, char *err, size_t errsz)
{
	int e = 0;
	sock_len len = sizeof e;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, (char *)&e, &len) != 0)
		e = SOCK_ERRNO;
	if (e == 0)
		return DX_SOCK_OK;
	reason(err, errsz, "connect", e);
	return classify(e) == DX_SOCK_AGAIN ? DX_SOCK_ERR : classify(e);
}

enum dx_sock_rc dx_sock_send(dx_sock_t s, const void *buf, size_t len, size_t *n, char *err,
			     size_t errsz)
{
	int flags = 0;
	long r;
#ifdef MSG_NOSIGNAL
	flags = MSG_NOSIGNAL;
#endif
	*n = 0;
	r = (long)send(s, buf, (int)(len > 65536 ? 65536 : len), flags);
	if (r >= 0) {
		*n = (size_t)r;
		return DX_SOCK_OK;
	}
	{
		int e = SOCK_ERRNO;
		enum dx_sock_rc rc = classify(e);
		if (rc != DX_SOCK_AGAIN)
			reason(err, errsz, "send", e);
		return rc;
	}
}

enum dx_sock_rc dx_sock_recv(dx_sock_t s, void *buf, size_t len, size_t *n, char *err, size_t errsz)
{
	long r;
	*n = 0;
	r = (long)recv(s, buf, (int)(len > 65536 ? 65536 : len), 0);
	if (r > 0) {
		*n = (size_t)r;
		return DX_SOCK_OK;
	}
	if (r == 0)
		return DX_SOCK_CLOSED;
	{
		int e = SOCK_ERRNO;
		enum dx_sock_rc rc = classify(e);
		if (rc != DX_SOCK_AGAIN)
			reason(err, errsz, "recv", e);
		return rc;
	}
}

void dx_sock_close(dx_sock_t s)
{
	if (s != DX_SOCK_BAD)
		closesocket(s);
}

static int last_poll_error;

void dx_sock_poll_error(char *err, size_t errsz)
{
	reason(err, errsz, "poll", last_poll_error);
}

int dx_sock_poll(struct dx_pollfd *fds, size_t n, int timeout_ms)
{
#ifdef _WIN32
	fd_set rd, wr, ex;
	struct timeval tv;
	int r;
	if (n > FD_SETSIZE)
		return -1; /* the probe never has that many sockets at once */
	if (n == 0) {
		Sleep((DWORD)timeout_ms);
		return 0;
	}
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	{
		int any = 0;
		for (size_t i = 0; i < n; i++) {
			fds[i].got = 0;
			if (fds[i].want & DX_POLL_IN)
				FD_SET((SOCKET)fds[i].s, &rd);
			if (fds[i].want & DX_POLL_OUT) {
				FD_SET((SOCKET)fds[i].s, &wr);
				FD_SET((SOCKET)fds[i].s, &ex);
			}
			any |= fds[i].want & (DX_POLL_IN | DX_POLL_OUT);
		}
		/* select() fails at once with WSAEINVAL when no set holds a
		 * socket ("any non-null descriptor set must contain at least
		 * one handle to a socket"): wait as poll() would. */
		if (!any) {
			Sleep((DWORD)(timeout_ms > 0 ? timeout_ms : 0));
			return 0;
		}
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	r = select(0, &rd, &wr, &ex, &tv);
	for (size_t i = 0; i < n; i++) {
		SOCKET sk = (SOCKET)fds[i].s;
		fds[i].got = r <= 0 ? 0
				    : (FD_ISSET(sk, &rd) ? DX_POLL_IN : 0) |
					      (FD_ISSET(sk, &wr) ? DX_POLL_OUT : 0) |
					      (FD_ISSET(sk, &ex) ? DX_POLL_ERR : 0);
	}
	if (r < 0)
		last_poll_error = WSAGetLastError();
	return r < 0 ? -1 : r;
#else
	struct pollfd pf[256];
	int r;
	if (n > sizeof pf / sizeof pf[0])
		return -1; /* the probe never has that many sockets at once */
	for (size_t i = 0; i < n; i++) {
		pf[i].fd = fds[i].s;
		pf[i].events = (short)((fds[i].want & DX_POLL_IN ? POLLIN : 0) |
				       (fds[i].want & DX_POLL_OUT ? POLLOUT : 0));
		pf[i].revents = 0;
	}
	r = poll(pf, (nfds_t)n, timeout_ms);
	if (r < 0 && errno == EINTR)
		r = 0;
	if (r < 0)
		last_poll_error = errno;
	for (size_t i = 0; i < n; i++) {
		short re = pf[i].revents;
		fds[i].got = (re & POLLIN ? DX_POLL_IN : 0) | (re & POLLOUT ? DX_POLL_OUT : 0) |
			     (re & (POLLERR | POLLHUP | POLLNVAL) ? DX_POLL_ERR : 0);
	}
	return r;
#endif
}

double dx_clock_ms(void)
{
#ifdef _WIN32
	static LARGE_INTEGER freq;
	LARGE_INTEGER now;
	if (!freq.QuadPart)
		QueryPerformanceFrequency(&freq);
	QueryPerformanceCounter(&now);
	return (double)now.QuadPart * 1000.0 / (double)freq.QuadPart;
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
#endif
}

void dx_sleep_ms(int ms)
{
	if (ms <= 0)
		return;
#ifdef _WIN32
	Sleep((DWORD)ms);
#else
	{
		struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
#endif
}

int dx_addr_bytes(const char *addr, unsigned char out[16], int *bits)
{
	struct sockaddr_storage ss;
	sock_len len;
	if (!addr || to_sockaddr(addr, 1, &ss, &len))
		return -1;
	if (ss.ss_family == AF_INET) {
		memcpy(out, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		*bits = 32;
	} else {
		memcpy(out, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		*bits = 128;
	}
	return 0;
}
