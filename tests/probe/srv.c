/* srv.c - see srv.h. Paths come from the environment meson sets:
 * MDEDIAG_TESTSRV, MDEDIAG_MKCERTS, MDEDIAG_DESTINATIONS. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "srv.h"

int srv_start(struct srv *s, const char *config_json)
{
	char cfg[300], line[2048];
	int in[2], out[2];
	size_t n = 0;
	FILE *f;
	cJSON *j, *px, *it;

	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "/tmp/mdediag-probe-XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(cfg, sizeof cfg, "%s/config.json", s->dir);
	snprintf(s->root_pem, sizeof s->root_pem, "%s/root.pem", s->dir);
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fputs(config_json, f);
	fclose(f);
	if (pipe(in) || pipe(out))
		return -1;
	s->pid = fork();
	if (s->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("python3", "python3", getenv("MDEDIAG_TESTSRV"), "--mkcerts",
		       getenv("MDEDIAG_MKCERTS"), "--dir", s->dir, "--config", cfg,
		       "--destinations", getenv("MDEDIAG_DESTINATIONS"), "--hosts", "ok.test",
		       "bad.test", "x.test", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	s->in_fd = in[1];
	while (n + 1 < sizeof line) {
		ssize_t r = read(out[0], line + n, 1);
		if (r <= 0)
			break;
		if (line[n++] == '\n')
			break;
	}
	line[n] = 0;
	close(out[0]);
	j = cJSON_Parse(line);
	if (!j) {
		fprintf(stderr, "testsrv did not start: '%s'\n", line);
		return -1;
	}
	s->https = cJSON_GetObjectItem(j, "https")->valueint;
	s->http = cJSON_GetObjectItem(j, "http")->valueint;
	s->refuse = cJSON_GetObjectItem(j, "refuse")->valueint;
	s->silent = cJSON_GetObjectItem(j, "silent")->valueint;
	px = cJSON_GetObjectItem(j, "proxies");
	cJSON_ArrayForEach(it, px)
	{
		if (s->nproxies == 8)
			break;
		snprintf(s->proxy_names[s->nproxies], 32, "%s", it->string);
		s->proxy_ports[s->nproxies++] = it->valueint;
	}
	cJSON_Delete(j);
	return 0;
}

int srv_proxy(const struct srv *s, const char *name)
{
	for (int i = 0; i < s->nproxies; i++)
		if (strcmp(s->proxy_names[i], name) == 0)
			return s->proxy_ports[i];
	return -1;
}

void srv_stop(struct srv *s)
{
	char cmd[320];
	if (s->pid > 0) {
		close(s->in_fd);
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
		s->pid = 0;
	}
	if (s->dir[0] && strncmp(s->dir, "/tmp/mdediag-probe-", 19) == 0) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", s->dir);
	}
}
