/* main.c - mockcloud: a mock Microsoft Defender for Endpoint cloud on
 * loopback (HTTPS endpoints, faults, forward proxies, TLS interception).
 *
 *   mockcloud --config FILE [--seed N] [--ca-dir DIR] [--ports-file FILE]
 *             [--destinations FILE]
 *   mockcloud --help      (usage on stdout, exit 0)
 *
 * Prints one JSON "ready" line once every listener listens; runs until
 * SIGTERM/SIGINT (exit 0). Bad usage: one line and a hint on stderr, exit 2.
 * Bad config: one line on stderr naming the file and the JSON path, exit 2.
 * Other start failures: exit 1. */
#include "cliopt.h"
#include "mc_control.h"
#include "mc_server.h"
#include "mc_util.h"
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <malloc.h>
#include <signal.h>
#include <stdarg.h>
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

static const char usage[] =
	"usage: mockcloud --config FILE [--seed N] [--ca-dir DIR] [--ports-file FILE]\n"
	"                 [--destinations FILE]\n"
	"\n"
	"A mock Microsoft Defender for Endpoint cloud on 127.0.0.1 (docs/mockcloud.md):\n"
	"HTTPS endpoints with faults, forward proxies, TLS interception, a control\n"
	"API. Prints one JSON ready line (ports, CA files, connect-to rules) once\n"
	"every listener listens, then runs until SIGTERM or SIGINT (exit 0).\n"
	"--seed N (0 to 18446744073709551615) makes the certificates reproducible;\n"
	"--ca-dir DIR keeps them there (default: a temporary directory, removed at\n"
	"exit); --ports-file FILE also writes the ready line there; --destinations\n"
	"FILE replaces data/destinations.json. Options take values as --opt V or\n"
	"--opt=V. Exit: 0 stopped by a signal, 1 a start failure, 2 bad usage or a\n"
	"bad config (one line naming the file and the JSON path).\n";

struct args {
	const char *config, *ca_dir, *ports_file, *dest;
	unsigned long long seed;
	int have_seed;
};

/* A usage error: one line and the hint on stderr; returns -1. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mockcloud: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'mockcloud --help'.\n", stderr);
	va_end(ap);
	return -1;
}

enum { O_CONFIG = 256, O_SEED, O_CA_DIR, O_PORTS_FILE, O_DESTINATIONS };

/* The command line. Returns 0 to run, 1 when --help was printed (exit 0),
 * -1 after a usage error (exit 2). */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct option lo[] = {
		{"help", no_argument, NULL, 'h'},
		{"config", required_argument, NULL, O_CONFIG},
		{"seed", required_argument, NULL, O_SEED},
		{"ca-dir", required_argument, NULL, O_CA_DIR},
		{"ports-file", required_argument, NULL, O_PORTS_FILE},
		{"destinations", required_argument, NULL, O_DESTINATIONS},
		{NULL, 0, NULL, 0},
	};
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
		const char *bad = argv[optind - 1];
		switch (c) {
		case 'h': fputs(usage, stdout); return 1;
		case O_CONFIG: a->config = optarg; break;
		case O_CA_DIR: a->ca_dir = optarg; break;
		case O_PORTS_FILE: a->ports_file = optarg; break;
		case O_DESTINATIONS: a->dest = optarg; break;
		case O_SEED: {
			char *e;
			errno = 0;
			a->seed = strtoull(optarg, &e, 10);
			if (!*optarg || *e || errno || optarg[strspn(optarg, " \t")] == '-')
				return usage_error("--seed %s: expected a number from 0 to "
						   "18446744073709551615",
						   optarg);
			a->have_seed = 1;
			break;
		}
		case ':':
		default: {
			char msg[4096];
			return usage_error("%s", cm_getopt_error(c, bad, optopt, msg, sizeof(msg)));
		}
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!a->config)
		return usage_error("--config FILE is required");
	return 0;
}

static int write_atomic(const char *file, const char *text)
{
	char tmp[4200];
	FILE *f;
	mc_fmt(tmp, sizeof(tmp), "%s.tmp.%d", file, (int)getpid());
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fputs(text, f) < 0 || fputc('\n', f) < 0 || fclose(f) != 0) {
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
	if (!d)
		return;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			unlink(mc_fmt(p, sizeof(p), "%s/%s", dir, e->d_name));
	closedir(d);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	static struct mc_server srv;
	struct args args = {.dest = MC_DEFAULT_DESTINATIONS};
	int rc = 1, sig;
	char err[2048], *text = NULL, *ready = NULL;
	struct mc_config *cfg = NULL;
	void *control = NULL;
	sigset_t set;
	struct rlimit rl;
	cJSON *root, *o, *px;

	switch (parse_args(argc, argv, &args)) {
	case 1: return 0;
	case -1: return 2;
	}
	const char *config = args.config, *ca_dir = args.ca_dir, *ports_file = args.ports_file;
	const char *dest = args.dest;
	unsigned long long seed = args.seed;
	int have_seed = args.have_seed;

	/* One malloc arena per core, not per thread: RSS with 1,000 threads. */
	{
		const char *ar = getenv("MOCKCLOUD_ARENAS");
		mallopt(M_ARENA_MAX, ar ? atoi(ar) : 2);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	text = dx_read_file(config, 1 << 20, NULL, err, sizeof(err));
	if (!text) {
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
	if (mc_config_parse(text, &cfg, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", config, err);
		return 2;
	}
	mc_config_put(cfg);
	cfg = NULL;
	if (mc_server_apply(&srv, cJSON_Parse(text), err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", config, err);
		return 2;
	}

	if (!have_seed && getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = (unsigned long long)time(NULL) ^ (unsigned long long)getpid() << 32;
	if (ca_dir) {
		mkdir(ca_dir, 0755);
		snprintf(srv.ca_dir, sizeof(srv.ca_dir), "%s", ca_dir);
	} else {
		const char *t = getenv("TMPDIR");
		mc_fmt(srv.ca_dir, sizeof(srv.ca_dir), "%s/mockcloud-ca-XXXXXX",
		       t && *t ? t : "/tmp");
		if (!mkdtemp(srv.ca_dir)) {
			fprintf(stderr, "mockcloud: cannot create a temporary CA directory: %s\n",
				strerror(errno));
			return 1;
		}
		srv.ca_dir_is_temp = 1;
	}
	if (mc_pki_init(&srv.pki, seed, srv.ca_dir, err, sizeof(err)) ||
	    mc_front_tls_init(&srv, err, sizeof(err))) {
		fprintf(stderr, "mockcloud: %s\n", err);
		goto out;
	}
	cfg = mc_server_config(&srv);
	if (mc_server_listen(&srv, cfg, err, sizeof(err)) ||
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
	for (int i = 0; i < srv.nproxies; i++)
		cJSON_AddNumberToObject(px, srv.proxies[i].name, srv.proxies[i].port);
	cJSON_AddStringToObject(root, "ca", mc_fmt(err, sizeof(err), "%s/root.pem", srv.ca_dir));
	cJSON_AddStringToObject(root, "inspection_ca",
				mc_fmt(err, sizeof(err), "%s/inspection-root.pem", srv.ca_dir));
	o = mc_server_connect_to(&srv, cfg);
	cJSON_AddItemToObject(root, "connect_to", o);
	ready = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!ready)
		goto out;
	if (ports_file && write_atomic(ports_file, ready)) {
		fprintf(stderr, "mockcloud: %s: cannot write: %s\n", ports_file, strerror(errno));
		goto out;
	}
	printf("%s\n", ready);
	fflush(stdout);

	sigdelset(&set, SIGPIPE);
	do
		sigwait(&set, &sig);
	while (sig != SIGTERM && sig != SIGINT);
	rc = 0;
out:
	mc_server_stop(&srv);
	mc_control_stop(control);
	if (srv.ca_dir_is_temp)
		remove_dir(srv.ca_dir);
	if (ports_file && rc == 0)
		unlink(ports_file);
	mc_config_put(cfg);
	free(ready);
	fflush(stdout);
	/* connection threads are detached and end with the process */
	_exit(rc);
}
