/* main.c - mockcloud: a mock Microsoft Defender for Endpoint cloud on
 * loopback (HTTPS endpoints, faults, forward proxies, TLS interception).
 *
 *   mockcloud --config FILE [--seed N] [--ca-dir DIR] [--ports-file FILE]
 *             [--destinations FILE]
 *
 * Prints one JSON "ready" line once every listener listens; runs until
 * SIGTERM/SIGINT (exit 0). Bad config: one line on stderr naming the file
 * and the JSON path, exit 2. Other start failures: exit 1. */
#include "mc_control.h"
#include "mc_server.h"
#include "mc_util.h"
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#ifndef MC_DEFAULT_DESTINATIONS
#define MC_DEFAULT_DESTINATIONS "data/destinations.json"
#endif

static void usage(void)
{
	fprintf(stderr, "usage: mockcloud --config FILE [--seed N] [--ca-dir DIR] "
		"[--ports-file FILE] [--destinations FILE]\n");
}

static int write_atomic(const char *file, const char *text)
{
	char tmp[4200];
	FILE *f;
	mc_fmt(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
	f = fopen(tmp, "w");
	if(!f)
		return -1;
	if(fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
		unlink(tmp);
		return -1;
	}
	return rename(tmp, file);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[4400];
	if(!d)
		return;
	while((e = readdir(d)))
		if(e->d_name[0] != '.')
			unlink(mc_fmt(p, sizeof(p), "%s/%s", dir, e->d_name));
	closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static struct mc_server srv;
	const char *config = NULL, *ca_dir = NULL, *ports_file = NULL;
	const char *dest = MC_DEFAULT_DESTINATIONS;
	unsigned long long seed = 0;
	int have_seed = 0, rc = 1, sig;
	char err[2048], *text = NULL, *ready = NULL;
	struct mc_config *cfg = NULL;
	void *control = NULL;
	sigset_t set;
	struct rlimit rl;
	cJSON *root, *o, *px;

	for(int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if(!v) {
			usage();
			return 2;
		}
		if(strcmp(a, "--config") == 0)
			config = v;
		else if(strcmp(a, "--ca-dir") == 0)
			ca_dir = v;
		else if(strcmp(a, "--ports-file") == 0)
			ports_file = v;
		else if(strcmp(a, "--destinations") == 0)
			dest = v;
		else if(strcmp(a, "--seed") == 0) {
			char *e;
			errno = 0;
			seed = strtoull(v, &e, 10);
			if(!*v || *e || errno) {
				fprintf(stderr, "mockcloud: --seed: not a number: %s\n", v);
				return 2;
			}
			have_seed = 1;
		} else {
			usage();
			return 2;
		}
		i++;
	}
	if(!config) {
		usage();
		return 2;
	}

	/* One malloc arena per core, not per thread: RSS with 1,000 threads. */
	{ const char *ar = getenv("MOCKCLOUD_ARENAS"); mallopt(M_ARENA_MAX, ar ? atoi(ar) : 2); }
	if(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	text = dx_read_file(config, 1 << 20, NULL, err, sizeof(err));
	if(!text) {
		fprintf(stderr, "mockcloud: %s\n", err);
		return 2;
	}
	{
		char tmp[4096];
		snprintf(tmp, sizeof(tmp), "%s", config);
		snprintf(mc_config_dir, sizeof(mc_config_dir), "%s", dirname(tmp));
	}
	srv.start_config = text;
	srv.default_dest = dest;
	srv.https_fd = srv.http_fd = srv.refuse_fd = -1;
	pthread_mutex_init(&srv.cfg_lock, NULL);
	if(mc_config_parse(text, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", config, err);
		return 2;
	}
	mc_config_put(cfg);
	cfg = NULL;
	if(mc_server_apply(&srv, cJSON_Parse(text), err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", config, err);
		return 2;
	}

	if(!have_seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (unsigned long long)time(NULL) ^ (unsigned long long)getpid() << 32;
	if(ca_dir) {
		mkdir(ca_dir, 0755);
		snprintf(srv.ca_dir, sizeof(srv.ca_dir), "%s", ca_dir);
	} else {
		const char *t = getenv("TMPDIR");
		mc_fmt(srv.ca_dir, sizeof(srv.ca_dir), "%s/mockcloud-ca-XXXXXX", t && *t ? t : "/tmp");
		if(!mkdtemp(srv.ca_dir)) {
			fprintf(stderr, "mockcloud: cannot create a temporary CA directory: %s\n", strerror(errno));
			return 1;
		}
		srv.ca_dir_is_temp = 1;
	}
	if(mc_pki_init(&srv.pki, seed, srv.ca_dir, err, sizeof(err)) ||
	   mc_front_tls_init(&srv, err, sizeof(err))) {
		fprintf(stderr, "mockcloud: %s\n", err);
		goto out;
	}
	cfg = mc_server_config(&srv);
	if(mc_server_listen(&srv, cfg, err, sizeof(err)) ||
	   !(control = mc_control_start(&srv, err, sizeof(err)))) {
		fprintf(stderr, "mockcloud: %s\n", err);
		goto out;
	}

	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "https", srv.https_port);
	cJSON_AddNumberToObject(root, "http", srv.http_port);
	cJSON_AddNumberToObject(root, "control", srv.control_port);
	cJSON_AddNumberToObject(root, "refuse", srv.refuse_port);
	px = cJSON_AddObjectToObject(root, "proxies");
	for(int i = 0; i < srv.nproxies; i++)
		cJSON_AddNumberToObject(px, srv.proxies[i].name, srv.proxies[i].port);
	cJSON_AddStringToObject(root, "ca", mc_fmt(err, sizeof(err), "%s/root.pem", srv.ca_dir));
	cJSON_AddStringToObject(root, "inspection_ca", mc_fmt(err, sizeof(err), "%s/inspection-root.pem", srv.ca_dir));
	o = mc_server_connect_to(&srv, cfg);
	cJSON_AddItemToObject(root, "connect_to", o);
	ready = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if(!ready)
		goto out;
	if(ports_file && write_atomic(ports_file, ready)) {
		fprintf(stderr, "mockcloud: %s: cannot write: %s\n", ports_file, strerror(errno));
		goto out;
	}
	printf("%s\n", ready);
	fflush(stdout);

	sigdelset(&set, SIGPIPE);
	do
		sigwait(&set, &sig);
	while(sig != SIGTERM && sig != SIGINT);
	rc = 0;
out:
	mc_server_stop(&srv);
	mc_control_stop(control);
	if(srv.ca_dir_is_temp)
		remove_dir(srv.ca_dir);
	if(ports_file && rc == 0)
		unlink(ports_file);
	mc_config_put(cfg);
	free(ready);
	fflush(stdout);
	/* connection threads are detached and end with the process */
	_exit(rc);
}
