/* mc_journal.c - bounded, thread-safe request journal. */
#include "mc_journal.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MC_JOURNAL_CAP 4096

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct mc_jentry *ring[MC_JOURNAL_CAP];
static unsigned head, count;

void mc_journal_add(const struct mc_jentry *e)
{
	struct mc_jentry *copy = malloc(sizeof(*copy)), *old = NULL;
	if (!copy)
		return;
	*copy = *e;
	pthread_mutex_lock(&lock);
	if (count == MC_JOURNAL_CAP) {
		old = ring[head];
		ring[head] = copy;
		head = (head + 1) % MC_JOURNAL_CAP;
	} else {
		ring[(head + count) % MC_JOURNAL_CAP] = copy;
		count++;
	}
	pthread_mutex_unlock(&lock);
	free(old);
}

void mc_journal_clear(void)
{
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < count; i++) {
		free(ring[(head + i) % MC_JOURNAL_CAP]);
		ring[(head + i) % MC_JOURNAL_CAP] = NULL;
	}
	head = count = 0;
	pthread_mutex_unlock(&lock);
}

static void add_str(cJSON *o, const char *k, const char *v)
{
	if (v[0])
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

char *mc_journal_json(void)
{
	cJSON *arr = cJSON_CreateArray();
	char *out;
	if (!arr)
		return NULL;
	pthread_mutex_lock(&lock);
	for (unsigned i = 0; i < count; i++) {
		const struct mc_jentry *e = ring[(head + i) % MC_JOURNAL_CAP];
		cJSON *o = cJSON_CreateObject(), *ms;
		if (!o)
			break;
		cJSON_AddStringToObject(o, "time", e->time);
		cJSON_AddStringToObject(o, "listener", e->listener);
		cJSON_AddStringToObject(o, "peer", e->peer);
		add_str(o, "sni", e->sni);
		add_str(o, "connect", e->connect);
		add_str(o, "request", e->request);
		add_str(o, "host", e->host);
		if (e->status)
			cJSON_AddNumberToObject(o, "status", e->status);
		else
			cJSON_AddNullToObject(o, "status");
		add_str(o, "fault", e->fault);
		add_str(o, "note", e->note);
		ms = cJSON_AddObjectToObject(o, "ms");
		if (e->ms_handshake >= 0)
			cJSON_AddNumberToObject(ms, "handshake", (double)e->ms_handshake);
		cJSON_AddNumberToObject(ms, "total", (double)e->ms_total);
		cJSON_AddItemToArray(arr, o);
	}
	pthread_mutex_unlock(&lock);
	out = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return out;
}
