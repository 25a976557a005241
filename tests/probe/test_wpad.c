/* test_wpad.c - the PAC download as WinHTTP does it: redirects followed
 * (at most 10, never https to http), a 401 kept with its challenge, all
 * against a tiny loopback server forked for each test. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wpad.h"

static const char SCRIPT[] = "function FindProxyForURL(u, h) { return 'DIRECT'; }";

/* Answers every request by its path until killed. */
static void serve(int ls, int port)
{
	for (;;) {
		char req[2048], path[256] = "", out[1024];
		int c = accept(ls, NULL, NULL);
		ssize_t n;
		if (c < 0)
			continue;
		n = recv(c, req, sizeof req - 1, 0);
		req[n > 0 ? n : 0] = 0;
		sscanf(req, "GET %255s", path);
		if (!strcmp(path, "/wpad.dat"))
			snprintf(out, sizeof out,
				 "HTTP/1.0 302 Found\r\nLocation: /moved/proxy.pac\r\n\r\n");
		else if (!strcmp(path, "/moved/proxy.pac"))
			snprintf(out, sizeof out,
				 "HTTP/1.0 301 Moved\r\nLocation: "
				 "http://127.0.0.1:%d/final.pac\r\n\r\n",
				 port);
		else if (!strcmp(path, "/final.pac"))
			snprintf(out, sizeof out,
				 "HTTP/1.0 200 OK\r\nContent-Length: %zu\r\n\r\n%s", strlen(SCRIPT),
				 SCRIPT);
		else if (!strcmp(path, "/loop"))
			snprintf(out, sizeof out, "HTTP/1.0 307 Again\r\nLocation: /loop\r\n\r\n");
		else if (!strcmp(path, "/to-https"))
			snprintf(out, sizeof out,
				 "HTTP/1.0 302 Found\r\nLocation: "
				 "https://127.0.0.1:1/x.pac\r\n\r\n");
		else if (!strcmp(path, "/auth"))
			snprintf(out, sizeof out,
				 "HTTP/1.0 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\n"
				 "WWW-Authenticate: NTLM\r\nContent-Length: 0\r\n\r\n");
		else
			snprintf(out, sizeof out,
				 "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
		send(c, out, strlen(out), 0);
		close(c);
	}
}

static pid_t child;
static int port;

static void start(void)
{
	struct sockaddr_in a;
	socklen_t al = sizeof a;
	int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
	cr_assert_eq(listen(ls, 16), 0);
	getsockname(ls, (struct sockaddr *)&a, &al);
	port = ntohs(a.sin_port);
	child = fork();
	cr_assert_neq(child, -1);
	if (child == 0) {
		serve(ls, port);
		_exit(0);
	}
	close(ls);
}

static void stop(void)
{
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static int get(const char *path, struct dx_http_result *r, char *err, size_t errsz)
{
	struct dx_wpad_net net = {0};
	char url[128];
	net.timeout_ms = 5000;
	net.loopback_only = 1;
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, path);
	return dx_http_get(&net, url, 1 << 20, r, err, errsz);
}

TestSuite(wpad_download, .init = start, .fini = stop);

/* WinHTTP follows redirects by itself (WINHTTP_OPTION_REDIRECT_POLICY's
 * default): a relative one, then an absolute one, end at the script. */
Test(wpad_download, redirects_are_followed)
{
	struct dx_http_result r;
	char err[300] = "", want[300];
	cr_assert_eq(get("/wpad.dat", &r, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(r.body, SCRIPT);
	cr_expect_eq(r.status, 200);
	cr_expect_eq(r.redirects, 2);
	snprintf(want, sizeof want,
		 "http://127.0.0.1:%d/wpad.dat -> http://127.0.0.1:%d/moved/proxy.pac"
		 " -> http://127.0.0.1:%d/final.pac",
		 port, port, port);
	cr_expect_str_eq(r.hops, want);
	free(r.body);
}

/* At most 10 (WINHTTP_OPTION_MAX_HTTP_AUTOMATIC_REDIRECTS' default). */
Test(wpad_download, a_redirect_loop_stops_after_ten)
{
	struct dx_http_result r;
	char err[300] = "";
	cr_assert_eq(get("/loop", &r, err, sizeof err), -1);
	cr_expect_eq(r.redirects, 10);
	cr_expect(strstr(err, "more than 10 redirects") != NULL, "%s", err);
	cr_expect_null(r.body);
}

/* A 401 is not "unreachable" in general: the challenge is kept, so the
 * finding can say WinHTTP may answer it with the device's credentials. */
Test(wpad_download, a_401_keeps_its_challenge)
{
	struct dx_http_result r;
	char err[300] = "";
	cr_assert_eq(get("/auth", &r, err, sizeof err), -1);
	cr_expect_eq(r.status, 401);
	cr_expect_str_eq(r.www_authenticate, "Negotiate, NTLM");
	cr_expect(strstr(err, "401") != NULL, "%s", err);
}

/* A redirect to https is followed (WinHTTP allows http to https): here to
 * a port where nothing listens, so the error names that hop. */
Test(wpad_download, a_redirect_to_https_is_followed)
{
	struct dx_http_result r;
	char err[300] = "";
	cr_assert_eq(get("/to-https", &r, err, sizeof err), -1);
	cr_expect_eq(r.redirects, 1);
	cr_expect(strstr(err, "127.0.0.1:1") != NULL, "%s", err);
}
