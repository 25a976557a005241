/* mc_server.c - the listeners (HTTPS front, HTTP front, refuse port, one
 * per proxy), a thread per accepted connection, and the configuration
 * swap used at start and by the control API. */
#include "mc_server.h"
#include "mc_util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

char mc_config_dir[4096] = ".";

#define CONN_STACK (256 * 1024)

struct accept_arg {
	struct mc_server *srv;
	int fd;
	enum mc_listener kind;
	int proxy;
};

static int bind_loopback(int do_listen, int *port, char *err, size_t errlen)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	socklen_t alen = sizeof(a);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0) {
		mc_fmt(err, errlen, "socket: %m");
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || (do_listen && listen(fd, 4096)) ||
	    getsockname(fd, (struct sockaddr *)&a, &alen)) {
		mc_fmt(err, errlen, "bind/listen on 127.0.0.1: %m");
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

static void *conn_main(void *arg)
{
	struct mc_conn *c = arg;
	struct mc_server *s = c->srv;
	switch (c->kind) {
	case MC_L_HTTPS: mc_front_https(c, NULL, NULL, 0); break;
	case MC_L_HTTP: mc_front_http(c, NULL, NULL); break;
	case MC_L_PROXY: mc_proxy_serve(c); break;
	}
	if (!c->logged)
		mc_conn_log(c, NULL, NULL, 0, 0, "connection ended");
	if (c->ssl_setup)
		mbedtls_ssl_free(&c->ssl);
	if (c->fd >= 0)
		close(c->fd);
	mc_config_put(c->cfg);
	free(c);
	atomic_fetch_sub(&s->active, 1);
	return NULL;
}

static void *accept_main(void *arg)
{
	struct accept_arg *a = arg;
	struct mc_server *s = a->srv;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, CONN_STACK);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!s->stopping) {
		struct sockaddr_in peer;
		socklen_t plen = sizeof(peer);
		struct pollfd p = {.fd = a->fd, .events = POLLIN};
		struct mc_conn *c;
		pthread_t t;
		int fd, one = 1;
		char ip[INET_ADDRSTRLEN];

		if (poll(&p, 1, 250) <= 0)
			continue;
		fd = accept4(a->fd, (struct sockaddr *)&peer, &plen, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				mc_sleep_ms(50); /* out of fds: let connections end */
			continue;
		}
		if (atomic_load(&s->active) >= MC_MAX_CONNS || !(c = malloc(sizeof(*c)))) {
			mc_close_rst(fd);
			continue;
		}
		memset(c, 0, offsetof(struct mc_conn, in));
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		c->srv = s;
		c->fd = fd;
		c->kind = a->kind;
		c->proxy = a->proxy;
		c->cfg = mc_server_config(s);
		c->t0 = mc_now_ms();
		c->t_hs = -1;
		if (a->kind == MC_L_PROXY)
			mc_fmt(c->j.listener, sizeof(c->j.listener), "proxy:%s",
			       s->proxies[a->proxy].name);
		else
			mc_fmt(c->j.listener, sizeof(c->j.listener), "%s",
			       a->kind == MC_L_HTTPS ? "https" : "http");
		inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof(ip));
		mc_fmt(c->j.peer, sizeof(c->j.peer), "%s:%d", ip, ntohs(peer.sin_port));
		atomic_fetch_add(&s->active, 1);
		if (pthread_create(&t, &attr, conn_main, c)) {
			atomic_fetch_sub(&s->active, 1);
			mc_config_put(c->cfg);
			free(c);
			mc_close_rst(fd);
		}
	}
	pthread_attr_destroy(&attr);
	free(a);
	return NULL;
}

static int start_acceptor(struct mc_server *s, int fd, enum mc_listener kind, int proxy, char *err,
			  size_t errlen)
{
	struct accept_arg *a = calloc(1, sizeof(*a));
	pthread_t t;
	if (!a) {
		mc_fmt(err, errlen, "out of memory");
		return -1;
	}
	a->srv = s;
	a->fd = fd;
	a->kind = kind;
	a->proxy = proxy;
	if (pthread_create(&t, NULL, accept_main, a)) {
		free(a);
		mc_fmt(err, errlen, "cannot start a thread");
		return -1;
	}
	pthread_detach(t);
	return 0;
}

int mc_server_listen(struct mc_server *s, const struct mc_config *cfg, char *err, size_t errlen)
{
	if ((s->https_fd = bind_loopback(1, &s->https_port, err, errlen)) < 0 ||
	    (s->http_fd = bind_loopback(1, &s->http_port, err, errlen)) < 0 ||
	    (s->refuse_fd = bind_loopback(0, &s->refuse_port, err, errlen)) < 0)
		return -1;
	if (cfg->nproxies > MC_MAX_PROXIES) {
		mc_fmt(err, errlen, "at most %d proxies", MC_MAX_PROXIES);
		return -1;
	}
	for (int i = 0; i < cfg->nproxies; i++) {
		struct mc_proxy_listener *pl = &s->proxies[i];
		snprintf(pl->name, sizeof(pl->name), "%s", cfg->proxies[i].name);
		snprintf(pl->as, sizeof(pl->as), "%s", cfg->proxies[i].as);
		if ((pl->fd = bind_loopback(1, &pl->port, err, errlen)) < 0)
			return -1;
		s->nproxies++;
	}
	if (start_acceptor(s, s->https_fd, MC_L_HTTPS, 0, err, errlen) ||
	    start_acceptor(s, s->http_fd, MC_L_HTTP, 0, err, errlen))
		return -1;
	for (int i = 0; i < s->nproxies; i++)
		if (start_acceptor(s, s->proxies[i].fd, MC_L_PROXY, i, err, errlen))
			return -1;
	return 0;
}

void mc_server_stop(struct mc_server *s)
{
	s->stopping = 1;
}

struct mc_config *mc_server_config(struct mc_server *s)
{
	struct mc_config *c;
	pthread_mutex_lock(&s->cfg_lock);
	c = mc_config_ref(s->cfg);
	pthread_mutex_unlock(&s->cfg_lock);
	return c;
}

int mc_server_apply(struct mc_server *s, cJSON *root, char *err, size_t errlen)
{
	struct mc_config *c = NULL, *old;
	char path[8300], derr[600];
	const char *dest;

	if (mc_config_from_json(root, &c, err, errlen))
		return -1;
	dest = c->destinations ? c->destinations : s->default_dest;
	if (c->destinations && c->destinations[0] != '/')
		dest = mc_fmt(path, sizeof(path), "%s/%s", mc_config_dir, c->destinations);
	if (mc_dest_load(dest, &c->dest, derr, sizeof(derr))) {
		mc_fmt(err, errlen, "$.destinations: %s", derr);
		goto fail;
	}
	if (s->nproxies || s->https_fd > 0) {
		/* running: listeners are fixed, so proxies must name existing ones */
		for (int i = 0; i < c->nproxies; i++) {
			int found = 0;
			for (int j = 0; j < s->nproxies; j++)
				if (strcmp(s->proxies[j].name, c->proxies[i].name) == 0 &&
				    strcmp(s->proxies[j].as, c->proxies[i].as) == 0)
					found = 1;
			if (!found) {
				mc_fmt(err, errlen,
				       "$.proxies[%d]: proxy \"%s\" as \"%s\" has no listener "
				       "(proxies are bound at start; change modes and lists only)",
				       i, c->proxies[i].name, c->proxies[i].as);
				goto fail;
			}
		}
	}
	pthread_mutex_lock(&s->cfg_lock);
	old = s->cfg;
	s->cfg = c;
	pthread_mutex_unlock(&s->cfg_lock);
	mc_config_put(old);
	return 0;
fail:
	mc_config_put(c);
	return -1;
}

int mc_server_set_faults(struct mc_server *s, const char *host, const cJSON *faults, char *err,
			 size_t errlen)
{
	struct mc_config *cur = mc_server_config(s);
	cJSON *root = cJSON_Duplicate(cur->json, 1), *hosts;
	char lower[256];
	int rc = -1;

	mc_config_put(cur);
	if (!root) {
		mc_fmt(err, errlen, "$: out of memory");
		return -1;
	}
	if (strlen(host) >= sizeof(lower)) {
		mc_fmt(err, errlen, "$: host name too long");
		goto out;
	}
	snprintf(lower, sizeof(lower), "%s", host);
	mc_lower(lower);
	hosts = cJSON_GetObjectItemCaseSensitive(root, "hosts");
	if (!hosts)
		hosts = cJSON_AddObjectToObject(root, "hosts");
	if (!cJSON_IsObject(hosts))
		goto out;
	cJSON_DeleteItemFromObjectCaseSensitive(hosts, lower);
	if (faults) {
		cJSON *h = cJSON_CreateObject();
		cJSON_AddItemToObject(hosts, lower, h);
		cJSON_AddItemToObject(h, "faults", cJSON_Duplicate(faults, 1));
	}
	rc = mc_server_apply(s, root, err, errlen);
	root = NULL;
out:
	cJSON_Delete(root);
	return rc;
}

int mc_server_reset(struct mc_server *s, char *err, size_t errlen)
{
	cJSON *root = cJSON_Parse(s->start_config);
	int rc;
	if (!root) {
		mc_fmt(err, errlen, "$: the start config no longer parses");
		return -1;
	}
	rc = mc_server_apply(s, root, err, errlen);
	mc_journal_clear();
	return rc;
}

cJSON *mc_server_connect_to(struct mc_server *s, const struct mc_config *cfg)
{
	cJSON *arr = cJSON_CreateArray();
	char rule[600];
	for (int i = 0; i < cfg->nhosts; i++) {
		/* No rule for patterns (curl-style rules name one host) nor for a
		 * flaky refuse (the kernel refuses without telling us, so the
		 * attempts could not be counted): those reach the front, which
		 * resets them while the fault applies. */
		if (!(cfg->hosts[i].faults.mask & (1u << MC_F_REFUSE)) ||
		    (cfg->hosts[i].faults.mask & (1u << MC_F_FLAKY)) ||
		    cfg->hosts[i].name[0] == '*')
			continue;
		cJSON_AddItemToArray(
			arr, cJSON_CreateString(mc_fmt(rule, sizeof(rule), "%s:443:127.0.0.1:%d",
						       cfg->hosts[i].name, s->refuse_port)));
		cJSON_AddItemToArray(
			arr, cJSON_CreateString(mc_fmt(rule, sizeof(rule), "%s:80:127.0.0.1:%d",
						       cfg->hosts[i].name, s->refuse_port)));
	}
	for (int i = 0; i < s->nproxies; i++)
		cJSON_AddItemToArray(
			arr, cJSON_CreateString(mc_fmt(rule, sizeof(rule), "%s:127.0.0.1:%d",
						       s->proxies[i].as, s->proxies[i].port)));
	cJSON_AddItemToArray(arr, cJSON_CreateString(mc_fmt(rule, sizeof(rule), ":443:127.0.0.1:%d",
							    s->https_port)));
	cJSON_AddItemToArray(arr, cJSON_CreateString(mc_fmt(rule, sizeof(rule), ":80:127.0.0.1:%d",
							    s->http_port)));
	return arr;
}
