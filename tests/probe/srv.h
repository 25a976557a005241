/* srv.h - starts tests/probe/testsrv.py for one test and tells its ports. */
#ifndef SRV_H
#define SRV_H
#include <sys/types.h>

struct srv {
	pid_t pid;
	int in_fd; /* the server runs until this is closed */
	int https, http, refuse, silent;
	char proxy_names[8][32];
	int proxy_ports[8];
	int nproxies;
	char dir[256]; /* certificates: root.pem, inspect-root.pem */
	char root_pem[300];
};

/* Starts the server with this JSON config; 0 ok. */
int srv_start(struct srv *s, const char *config_json);
int srv_proxy(const struct srv *s, const char *name);
void srv_stop(struct srv *s);
#endif
