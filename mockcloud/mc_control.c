/* mc_control.c - the control API on libmicrohttpd. */
#include "mc_control.h"
#include "mc_util.h"
#include "jsontext.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BODY_MAX (1 << 20)

struct body {
	char *buf;
	size_t len;
	int too_big;
};

static void quiet_logger(void *cls, const char *fmt, va_list ap)
{
}

static enum MHD_Result send_json(struct MHD_Connection *conn, unsigned status, char *text)
{
	struct MHD_Response *r;
	enum MHD_Result rc;
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *t;
	cJSON_AddStringToObject(o, "error", msg);
	t = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return send_json(conn, status, t);
}

static enum MHD_Result send_ok(struct MHD_Connection *conn)
{
	return send_json(conn, MHD_HTTP_OK, strdup("{\"ok\":true}"));
}

static char *state_json(struct mc_server *s)
{
	struct mc_config *c = mc_server_config(s);
	cJSON *o = cJSON_CreateObject(), *ports;
	char *t;
	cJSON_AddItemToObject(o, "config", cJSON_Duplicate(c->json, 1));
	cJSON_AddItemToObject(o, "connect_to", mc_server_connect_to(s, c));
	ports = cJSON_AddObjectToObject(o, "ports");
	cJSON_AddNumberToObject(ports, "https", s->https_port);
	cJSON_AddNumberToObject(ports, "http", s->http_port);
	cJSON_AddNumberToObject(ports, "control", s->control_port);
	cJSON_AddNumberToObject(ports, "refuse", s->refuse_port);
	cJSON_AddNumberToObject(o, "active_connections", atomic_load(&s->active));
	t = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	mc_config_put(c);
	return t;
}

/* "/hosts/NAME/faults" → NAME into out; 0 on match. */
static int host_route(const char *url, char *out, size_t outlen)
{
	const char *p, *e;
	if (strncmp(url, "/hosts/", 7) != 0)
		return -1;
	p = url + 7;
	e = strchr(p, '/');
	if (!e || strcmp(e, "/faults") != 0 || e == p || (size_t)(e - p) >= outlen)
		return -1;
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = 0;
	return 0;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct mc_server *s = cls;
	struct body *b = *con_cls;
	char err[1024], host[256];
	cJSON *root = NULL;

	if (!b) {
		b = calloc(1, sizeof(*b));
		if (!b)
			return MHD_NO;
		*con_cls = b;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (b->len + *upload_data_size > BODY_MAX) {
			b->too_big = 1;
		} else {
			char *n = realloc(b->buf, b->len + *upload_data_size + 1);
			if (!n)
				return MHD_NO;
			b->buf = n;
			memcpy(b->buf + b->len, upload_data, *upload_data_size);
			b->len += *upload_data_size;
			b->buf[b->len] = 0;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (b->too_big)
		return send_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "$: body larger than 1 MiB");

	if (strcmp(url, "/journal") == 0) {
		if (strcmp(method, "GET"))
			return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
		return send_json(conn, MHD_HTTP_OK, mc_journal_json());
	}
	if (strcmp(url, "/state") == 0) {
		if (strcmp(method, "GET"))
			return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "use GET");
		return send_json(conn, MHD_HTTP_OK, state_json(s));
	}
	if (strcmp(url, "/reset") == 0) {
		if (strcmp(method, "POST"))
			return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "use POST");
		if (mc_server_reset(s, err, sizeof(err)))
			return send_error(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, err);
		return send_ok(conn);
	}
	if (strcmp(url, "/config") == 0 || host_route(url, host, sizeof(host)) == 0) {
		int is_config = url[1] == 'c';
		if (!is_config && strcmp(method, "DELETE") == 0) {
			if (mc_server_set_faults(s, host, NULL, err, sizeof(err)))
				return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
			return send_ok(conn);
		}
		if (strcmp(method, "PUT"))
			return send_error(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
					  is_config ? "use PUT" : "use PUT or DELETE");
		if (b->buf && dx_json_text_check(b->buf, strlen(b->buf), err, sizeof(err)))
			return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
		if (!b->buf || !(root = cJSON_Parse(b->buf)))
			return send_error(conn, MHD_HTTP_BAD_REQUEST, "$: body is not JSON");
		if (is_config) {
			if (mc_server_apply(s, root, err, sizeof(err)))
				return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
			return send_ok(conn);
		}
		{
			/* accepts [faults...] or {"faults": [...]} */
			const cJSON *fa = cJSON_IsObject(root)
						  ? cJSON_GetObjectItemCaseSensitive(root, "faults")
						  : root;
			struct mc_faults f;
			char path[300];
			int rc;
			mc_fmt(path, sizeof(path), "$%s", cJSON_IsObject(root) ? ".faults" : "");
			if (!fa || mc_faults_parse(fa, path, &f, err, sizeof(err))) {
				if (!fa)
					mc_fmt(err, sizeof(err), "$.faults: required");
				cJSON_Delete(root);
				return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
			}
			rc = mc_server_set_faults(s, host, fa, err, sizeof(err));
			cJSON_Delete(root);
			if (rc)
				return send_error(conn, MHD_HTTP_BAD_REQUEST, err);
			return send_ok(conn);
		}
	}
	return send_error(conn, MHD_HTTP_NOT_FOUND,
			  "no such endpoint: PUT /config, PUT|DELETE /hosts/{host}/faults, POST "
			  "/reset, GET /journal, GET /state");
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct body *b = *con_cls;
	if (b) {
		free(b->buf);
		free(b);
		*con_cls = NULL;
	}
}

void *mc_control_start(struct mc_server *s, char *err, size_t errlen)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, 0,
			     NULL, NULL, handler, s, MHD_OPTION_EXTERNAL_LOGGER, quiet_logger, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&a,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
			     MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (!d) {
		mc_fmt(err, errlen, "cannot start the control API on 127.0.0.1");
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	if (!info || !info->port) {
		MHD_stop_daemon(d);
		mc_fmt(err, errlen, "control API: no port");
		return NULL;
	}
	s->control_port = info->port;
	return d;
}

void mc_control_stop(void *handle)
{
	if (handle)
		MHD_stop_daemon(handle);
}
