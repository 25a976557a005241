/* test_probe.c - the engine against loopback servers: each failure class,
 * direct and through each proxy mode, one deadline for all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <mbedtls/x509_crt.h>
#include "probe.h"
#include "roots.h"
#include "sock.h"
#include "srv.h"

static struct srv S;
static char *anchors;
static size_t anchors_len;

static void start(const char *config)
{
	FILE *f;
	cr_assert_eq(srv_start(&S, config), 0);
	f = fopen(S.root_pem, "rb");
	cr_assert(f);
	anchors = calloc(1, 65536);
	anchors_len = fread(anchors, 1, 65535, f) + 1;
	fclose(f);
}

static void stop(void)
{
	srv_stop(&S);
	free(anchors);
}

/* Functional cases never depend on the machine's speed: their deadline is
 * one no run reaches (the probe returns as soon as the target is decided).
 * Only tests whose subject is the deadline pass a short one. */
#define NO_DEADLINE_MS 50000

/* One target through the engine: direct to `port`, or via proxy `px`. */
static struct dx_probe run1(const char *host, int tls, int port, int via_proxy, int timeout_ms)
{
	struct dx_probe p;
	struct dx_probe_config cfg = {
		.anchors_pem = anchors, .anchors_len = anchors_len, .timeout_ms = timeout_ms};
	char err[200];
	memset(&p, 0, sizeof p);
	dx_probe_init(&p);
	p.host = host;
	p.port = tls ? 443 : 80;
	p.tls = tls;
	p.path = "/test";
	snprintf(p.addr, sizeof p.addr, "127.0.0.1");
	p.addr_port = port;
	p.via_proxy = via_proxy;
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), 0, "%s", err);
	return p;
}

#define CFG_FAULTS                                                                                 \
	"{\"hosts\":{\"ok.test\":{\"fault\":\"ok\"},"                                              \
	"\"st.test\":{\"fault\":\"status\",\"status\":503},"                                       \
	"\"nf.test\":{\"fault\":\"status\",\"status\":404},"                                       \
	"\"rst.test\":{\"fault\":\"reset\"},"                                                      \
	"\"rsta.test\":{\"fault\":\"reset-after\"},"                                               \
	"\"sil.test\":{\"fault\":\"silent\"},"                                                     \
	"\"tf.test\":{\"fault\":\"tls-fail\"},"                                                    \
	"\"wn.test\":{\"fault\":\"wrong-name\"},"                                                  \
	"\"exp.test\":{\"fault\":\"expired\"},"                                                    \
	"\"int.test\":{\"fault\":\"intercept\"},"                                                  \
	"\"ref.test\":{\"fault\":\"refuse\"},"                                                     \
	"\"slow.test\":{\"fault\":\"delay\",\"ms\":150}},"                                         \
	"\"proxies\":[{\"name\":\"allow\",\"mode\":\"allow\"},"                                    \
	"{\"name\":\"deny\",\"mode\":\"deny\"},"                                                   \
	"{\"name\":\"basic\",\"mode\":\"auth-basic\"},"                                            \
	"{\"name\":\"ntlm\",\"mode\":\"auth-ntlm\"},"                                              \
	"{\"name\":\"fail\",\"mode\":\"fail\"},"                                                   \
	"{\"name\":\"silentp\",\"mode\":\"silent\"},"                                              \
	"{\"name\":\"inspect\",\"mode\":\"intercept\"}]}"

TestSuite(engine, .init = NULL, .fini = NULL, .timeout = 60);

Test(engine, direct_classes)
{
	static const struct {
		const char *host;
		enum dx_probe_class cls;
		int status;
	} rows[] = {
		{"ok.test", DX_PR_OK, 200},          {"nf.test", DX_PR_OK, 404},
		{"st.test", DX_PR_HTTP_STATUS, 503}, {"rst.test", DX_PR_RESET, 0},
		{"rsta.test", DX_PR_RESET, 0},       {"tf.test", DX_PR_TLS_FAILED, 0},
		{"slow.test", DX_PR_OK, 200},
	};
	start(CFG_FAULTS);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		struct dx_probe p = run1(rows[i].host, 1, S.https, 0, NO_DEADLINE_MS);
		cr_expect_eq(p.result, rows[i].cls, "%s: %s (%s)", rows[i].host,
			     dx_probe_class_name(p.result), p.reason);
		cr_expect_eq(p.http_status, rows[i].status, "%s", rows[i].host);
		if (p.result == DX_PR_OK) {
			cr_expect_geq(p.connect_ms, 0);
			cr_expect_geq(p.tls_ms, 0);
			cr_expect_geq(p.http_ms, 0);
			cr_expect(strstr(p.root, "MDE Test Root"), "%s", p.root);
		}
	}
	stop();
}

Test(engine, tls_failures_say_which)
{
	struct dx_probe p;
	start(CFG_FAULTS);
	p = run1("exp.test", 1, S.https, 0, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_TLS_FAILED, "%s", p.reason);
	cr_expect(strstr(p.reason, "expired"), "%s", p.reason);
	p = run1("wn.test", 1, S.https, 0, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_TLS_FAILED, "%s", p.reason);
	cr_expect(strstr(p.reason, "wrong name"), "%s", p.reason);
	p = run1("tf.test", 1, S.https, 0, NO_DEADLINE_MS);
	cr_expect(strstr(p.reason, "handshake"), "%s", p.reason);
	stop();
}

Test(engine, interception_names_the_inspection_ca)
{
	struct dx_probe p;
	start(CFG_FAULTS);
	p = run1("int.test", 1, S.https, 0, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_TLS_INTERCEPTED, "%s", p.reason);
	cr_expect(strstr(p.issuer, "Contoso TLS Inspection CA"), "%s", p.issuer);
	cr_expect(strstr(p.root, "Contoso TLS Inspection CA"), "%s", p.root);
	/* through an intercepting proxy too */
	p = run1("ok.test", 1, srv_proxy(&S, "inspect"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_TLS_INTERCEPTED, "%s", p.reason);
	cr_expect(strstr(p.issuer, "Contoso TLS Inspection CA"), "%s", p.issuer);
	stop();
}

Test(engine, refused_and_timeout_direct)
{
	struct dx_probe p;
	double t0;
	start(CFG_FAULTS);
	p = run1("ok.test", 1, S.refuse, 0, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_REFUSED, "%s", p.reason);
	cr_expect_eq(strcmp(p.phase, "connect"), 0, "%s", p.phase);
	t0 = dx_clock_ms();
	p = run1("sil.test", 1, S.https, 0, 400);
	cr_expect_eq(p.result, DX_PR_TIMEOUT, "%s", p.reason);
	cr_expect_eq(strcmp(p.phase, "tls"), 0, "%s", p.phase);
	cr_expect_lt(dx_clock_ms() - t0, 1500);
	stop();
}

Test(engine, plain_http_direct_and_via_proxy)
{
	struct dx_probe p;
	start(CFG_FAULTS);
	p = run1("nf.test", 0, S.http, 0, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_OK, "%s", p.reason);
	cr_expect_eq(p.http_status, 404);
	p = run1("ok.test", 0, srv_proxy(&S, "allow"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_OK, "%s", p.reason);
	p = run1("ok.test", 0, srv_proxy(&S, "deny"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_DENIED, "%s", p.reason);
	cr_expect(strstr(p.proxy_title, "Access Denied"), "%s", p.proxy_title);
	p = run1("ok.test", 0, srv_proxy(&S, "basic"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_AUTH, "%s", p.reason);
	stop();
}

Test(engine, proxy_modes)
{
	struct dx_probe p;
	start(CFG_FAULTS);
	p = run1("ok.test", 1, srv_proxy(&S, "allow"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_OK, "%s", p.reason);
	cr_expect_geq(p.proxy_ms, 0);
	cr_expect_eq(p.proxy_status, 200);

	p = run1("ok.test", 1, srv_proxy(&S, "deny"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_DENIED, "%s", p.reason);
	cr_expect_eq(p.proxy_status, 403);
	cr_expect(strstr(p.proxy_status_line, "403 Forbidden"), "%s", p.proxy_status_line);
	cr_expect(strstr(p.proxy_via, "contoso-gw"), "%s", p.proxy_via);
	cr_expect_str_eq(p.proxy_title, "Access Denied - Contoso Web Gateway");

	p = run1("ok.test", 1, srv_proxy(&S, "basic"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_AUTH, "%s", p.reason);
	cr_expect_str_eq(p.proxy_authenticate, "Basic realm=\"Contoso\"");

	p = run1("ok.test", 1, srv_proxy(&S, "ntlm"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_AUTH, "%s", p.reason);
	cr_expect_str_eq(p.proxy_authenticate, "NTLM, Negotiate");

	p = run1("ok.test", 1, srv_proxy(&S, "fail"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_FAILED, "%s", p.reason);
	cr_expect_eq(p.proxy_connect_failed, 0);
	cr_expect_eq(p.proxy_status, 502);

	p = run1("ref.test", 1, srv_proxy(&S, "allow"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_FAILED, "upstream refused: %s", p.reason);

	p = run1("ok.test", 1, S.refuse, 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_PROXY_FAILED, "%s", p.reason);
	cr_expect_eq(p.proxy_connect_failed, 1);

	p = run1("ok.test", 1, srv_proxy(&S, "silentp"), 1, 400);
	cr_expect_eq(p.result, DX_PR_TIMEOUT, "%s", p.reason);
	cr_expect_eq(strcmp(p.phase, "proxy"), 0, "%s", p.phase);

	/* failures behind a tunnel keep their own class */
	p = run1("st.test", 1, srv_proxy(&S, "allow"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_HTTP_STATUS, "%s", p.reason);
	p = run1("exp.test", 1, srv_proxy(&S, "allow"), 1, NO_DEADLINE_MS);
	cr_expect_eq(p.result, DX_PR_TLS_FAILED, "%s", p.reason);
	stop();
}

Test(engine, many_silent_targets_cost_one_deadline)
{
	struct dx_probe p[40];
	struct dx_probe_config cfg;
	double t0;
	char err[200];
	start(CFG_FAULTS);
	/* The deadline is the subject: 40 silent targets cost one deadline of
	 * 1 s, not 40 s. The bound (8 s) leaves room for a sanitized build on
	 * a loaded machine and still tells one deadline from forty. No target
	 * must finish its handshake in time: that would measure the machine. */
	cfg = (struct dx_probe_config){
		.anchors_pem = anchors, .anchors_len = anchors_len, .timeout_ms = 1000};
	for (int i = 0; i < 40; i++) {
		memset(&p[i], 0, sizeof p[i]);
		dx_probe_init(&p[i]);
		p[i].host = "sil.test";
		p[i].port = 443;
		p[i].tls = 1;
		p[i].path = "/";
		snprintf(p[i].addr, sizeof p[i].addr, "127.0.0.1");
		p[i].addr_port = S.https;
	}
	t0 = dx_clock_ms();
	cr_assert_eq(dx_probe_run(p, 40, &cfg, err, sizeof err), 0);
	cr_expect_lt(dx_clock_ms() - t0, 8000, "took %.0f ms", dx_clock_ms() - t0);
	for (int i = 0; i < 40; i++)
		cr_expect_eq(p[i].result, DX_PR_TIMEOUT, "%d: %s", i, p[i].reason);
	stop();
}

/* A name with several addresses: each is tried in order until one answers
 * (WinHTTP: one attempt per address); the evidence says which did what. */
Test(engine, every_address_in_order_until_one_answers)
{
	struct dx_probe p;
	struct dx_probe_config cfg;
	char err[200];
	start(CFG_FAULTS);
	cfg = (struct dx_probe_config){
		.anchors_pem = anchors, .anchors_len = anchors_len, .timeout_ms = NO_DEADLINE_MS};
	memset(&p, 0, sizeof p);
	dx_probe_init(&p);
	p.host = "ok.test";
	p.port = 443;
	p.tls = 1;
	p.path = "/test";
	snprintf(p.addrs[0], sizeof p.addrs[0], "::1"); /* nothing listens there */
	snprintf(p.addrs[1], sizeof p.addrs[1], "127.0.0.1");
	p.n_addrs = 2;
	p.addr_port = S.https;
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), 0, "%s", err);
	cr_expect_eq(p.result, DX_PR_OK, "%s", p.reason);
	cr_expect_str_eq(p.addr, "127.0.0.1");
	cr_assert_eq(p.n_tries, 2);
	cr_expect_str_eq(p.tries[0].addr, "::1");
	cr_expect_str_eq(p.tries[0].outcome, "connection refused");
	cr_expect_str_eq(p.tries[1].addr, "127.0.0.1");
	cr_expect_str_eq(p.tries[1].outcome, "ok");
	/* every address refused: the verdict names them all */
	dx_probe_init(&p);
	snprintf(p.addrs[1], sizeof p.addrs[1], "127.0.0.1");
	p.addr_port = S.refuse;
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), 0, "%s", err);
	cr_expect_eq(p.result, DX_PR_REFUSED, "%s", p.reason);
	cr_expect(strstr(p.reason, "every address tried: [::1] connection refused; "
				   "127.0.0.1 connection refused"),
		  "%s", p.reason);
	stop();
}

/* A listener whose accept queue is full: the kernel drops further SYNs, so
 * a connect to it gets no answer at all (a blackholed address, on
 * loopback). Returns its port; *fds gets the sockets to close. */
static int blackhole(dx_sock_t fds[4])
{
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	memset(&a, 0, sizeof a);
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert(l >= 0 && bind(l, (struct sockaddr *)&a, sizeof a) == 0 && listen(l, 0) == 0);
	cr_assert_eq(getsockname(l, (struct sockaddr *)&a, &len), 0);
	fds[0] = l;
	for (int i = 1; i < 4; i++) {
		char e[64];
		dx_sock_connect("127.0.0.1", ntohs(a.sin_port), &fds[i], e, sizeof e);
	}
	dx_sleep_ms(100);
	return ntohs(a.sin_port);
}

/* The deadline is the subject: a blackholed first address gets its share
 * of the deadline (half, with two addresses), not all of it, so the second
 * address is still tried. */
Test(engine, blackholed_address_gets_its_share_of_the_deadline)
{
	struct dx_probe p;
	struct dx_probe_config cfg;
	dx_sock_t fds[4];
	char err[200];
	double t0;
	int port = blackhole(fds);
	cfg = (struct dx_probe_config){
		.anchors_pem = dx_roots_pem, .anchors_len = dx_roots_pem_len, .timeout_ms = 2000};
	memset(&p, 0, sizeof p);
	dx_probe_init(&p);
	p.host = "ok.test";
	p.port = 443;
	p.tls = 1;
	p.path = "/test";
	snprintf(p.addrs[0], sizeof p.addrs[0], "127.0.0.1"); /* blackholed */
	snprintf(p.addrs[1], sizeof p.addrs[1], "::1");       /* refuses */
	p.n_addrs = 2;
	p.addr_port = port;
	t0 = dx_clock_ms();
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), 0, "%s", err);
	cr_expect_lt(dx_clock_ms() - t0, 2000 + 1500, "took %.0f ms", dx_clock_ms() - t0);
	cr_expect_eq(p.result, DX_PR_REFUSED, "%s", p.reason);
	cr_assert_eq(p.n_tries, 2, "%s", p.reason);
	cr_expect_str_eq(p.tries[0].outcome, "no TCP answer in its share of the deadline");
	cr_expect(p.tries[0].ms >= 900 && p.tries[0].ms < 1900, "%.0f ms", p.tries[0].ms);
	cr_expect_str_eq(p.tries[1].outcome, "connection refused");
	for (int i = 0; i < 4; i++)
		dx_sock_close(fds[i]);
}

/* What the progress callback saw. */
struct seen {
	int calls, bad;
	size_t last_done;
};

static void on_progress(void *user, size_t done, size_t total, double ms_left)
{
	struct seen *s = user;
	s->calls++;
	/* done never goes back, never exceeds the total; time left is within
	 * the deadline */
	if (total != 2 || done > total || done < s->last_done || ms_left > 60000)
		s->bad++;
	s->last_done = done;
}

Test(engine, progress_goes_to_the_callers_callback)
{
	struct dx_probe p[2];
	struct seen seen = {0};
	char err[200];
	start(CFG_FAULTS);
	/* two healthy targets; the deadline is not the subject here, only a
	 * bound no machine reaches */
	struct dx_probe_config cfg = {.anchors_pem = anchors,
				      .anchors_len = anchors_len,
				      .timeout_ms = NO_DEADLINE_MS,
				      .progress = on_progress,
				      .progress_user = &seen};
	for (int i = 0; i < 2; i++) {
		memset(&p[i], 0, sizeof p[i]);
		dx_probe_init(&p[i]);
		p[i].host = "ok.test";
		p[i].port = 443;
		p[i].tls = 1;
		p[i].path = "/";
		snprintf(p[i].addr, sizeof p[i].addr, "127.0.0.1");
		p[i].addr_port = S.https;
	}
	cr_assert_eq(dx_probe_run(p, 2, &cfg, err, sizeof err), 0);
	cr_expect_geq(seen.calls, 1);
	cr_expect_eq(seen.bad, 0);
	cr_expect_eq(p[0].result, DX_PR_OK, "%s", p[0].reason);
	cr_expect_eq(p[1].result, DX_PR_OK, "%s", p[1].reason);
	stop();
}

Test(engine, bad_anchors_mean_not_probed)
{
	struct dx_probe p;
	struct dx_probe_config cfg = {
		.anchors_pem = "not a pem", .anchors_len = 10, .timeout_ms = 1000};
	char err[200] = "";
	memset(&p, 0, sizeof p);
	dx_probe_init(&p);
	p.host = "x";
	p.path = "/";
	p.port = 443;
	p.tls = 1;
	snprintf(p.addr, sizeof p.addr, "127.0.0.1");
	p.addr_port = 9;
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), -1);
	cr_expect_eq(p.result, DX_PR_NOT_PROBED);
	cr_expect(strstr(p.reason, "root"), "%s", p.reason);
}

Test(sockets, loopback_detection)
{
	cr_expect(dx_addr_is_loopback("127.0.0.1"));
	cr_expect(dx_addr_is_loopback("127.5.6.7"));
	cr_expect(dx_addr_is_loopback("::1"));
	cr_expect(dx_addr_is_loopback("::ffff:127.0.0.1"));
	cr_expect_not(dx_addr_is_loopback("20.1.2.3"));
	cr_expect_not(dx_addr_is_loopback("::2"));
	cr_expect_not(dx_addr_is_loopback("localhost"));
}

/* A link-local address with its zone (what getnameinfo gives on Windows,
 * "fe80::1%12") is a numeric address the probe can connect to. */
Test(sockets, scoped_link_local_ipv6)
{
	unsigned char b[16];
	int bits = 0;
	cr_expect(dx_addr_is_numeric("fe80::1%1"));
	cr_expect(dx_addr_is_numeric("fe80::1%lo"));
	cr_assert_eq(dx_addr_bytes("fe80::1%1", b, &bits), 0);
	cr_expect_eq(bits, 128);
	cr_expect(b[0] == 0xfe && b[1] == 0x80 && b[15] == 1);
	cr_expect(!dx_addr_is_loopback("fe80::1%1"));
	cr_expect(!dx_addr_is_numeric("fe80::1%"));
	cr_expect(!dx_addr_is_numeric("example.com%1"));
	cr_expect(!dx_addr_is_numeric("1.2.3.4%1"));
}

/* Winsock errors are named, not bare numbers. */
Test(sockets, winsock_error_names)
{
	cr_expect_str_eq(dx_wsa_error_name(10061), "WSAECONNREFUSED");
	cr_expect_str_eq(dx_wsa_error_name(10054), "WSAECONNRESET");
	cr_expect_str_eq(dx_wsa_error_name(10060), "WSAETIMEDOUT");
	cr_expect_str_eq(dx_wsa_error_name(10065), "WSAEHOSTUNREACH");
	cr_expect_null(dx_wsa_error_name(1));
}

Test(classes, reachable_statuses_follow_the_client_analyzer)
{
	int ok[] = {200, 400, 404, 405}, bad[] = {201, 301, 302, 401, 403, 500, 503, 0};
	for (size_t i = 0; i < 4; i++)
		cr_expect(dx_http_reachable(ok[i]));
	for (size_t i = 0; i < 8; i++)
		cr_expect_not(dx_http_reachable(bad[i]), "%d", bad[i]);
	cr_expect_str_eq(dx_probe_class_name(DX_PR_TLS_INTERCEPTED), "tls-intercepted");
	cr_expect_str_eq(dx_probe_class_name(DX_PR_PROXY_AUTH), "proxy-auth");
}

Test(roots, all_five_expected_roots_are_embedded_and_parse)
{
	mbedtls_x509_crt chain;
	int n = 0;
	mbedtls_x509_crt_init(&chain);
	cr_assert_eq(mbedtls_x509_crt_parse(&chain, (const unsigned char *)dx_roots_pem,
					    dx_roots_pem_len),
		     0);
	for (const mbedtls_x509_crt *c = &chain; c && c->raw.len; c = c->next)
		n++;
	cr_expect_eq(n, 5);
	for (int i = 0; dx_roots[i].name; i++)
		cr_expect(dx_roots[i].embedded, "%s not embedded", dx_roots[i].name);
	mbedtls_x509_crt_free(&chain);
}

Test(roots, builtin_roots_call_a_foreign_chain_interception)
{
	struct dx_probe p;
	struct dx_probe_config cfg = {.anchors_pem = dx_roots_pem,
				      .anchors_len = dx_roots_pem_len,
				      .timeout_ms = NO_DEADLINE_MS};
	char err[200];
	start(CFG_FAULTS);
	memset(&p, 0, sizeof p);
	dx_probe_init(&p);
	p.host = "ok.test";
	p.port = 443;
	p.tls = 1;
	p.path = "/";
	snprintf(p.addr, sizeof p.addr, "127.0.0.1");
	p.addr_port = S.https;
	cr_assert_eq(dx_probe_run(&p, 1, &cfg, err, sizeof err), 0);
	cr_expect_eq(p.result, DX_PR_TLS_INTERCEPTED, "%s", p.reason);
	cr_expect(strstr(p.root, "MDE Test Root"), "%s", p.root);
	stop();
}
