/* fuzz_collect.c - the collected-file loader: a fixture with a "network"
 * section (mdediag collect's output, docs/collect.md), read by
 * dx_fixture_parse → dx_netlog_parse. Any bytes either load or are rejected
 * with one line naming the file and a JSON path. What loads must survive
 * the trip a replay depends on: written back by dx_netlog_json (what collect
 * writes), it is read again without error and writes the same text. */
#include "fuzz.h"
#include "fixture.h"
#include "netrec.h"

/* The section written as text; aborts on out of memory. */
static char *written(const struct dx_netlog *log)
{
	cJSON *j = dx_netlog_json(log);
	char *s;
	FUZZ_ASSERT(j != NULL, "dx_netlog_json failed");
	s = cJSON_PrintUnformatted(j);
	FUZZ_ASSERT(s != NULL, "cJSON_PrintUnformatted failed");
	cJSON_Delete(j);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	struct dx_fixture *fx = dx_fixture_parse((const char *)data, size, "f", err, sizeof err);
	if (!fx) {
		FUZZ_REJECTED(err, "f: $");
		return 0;
	}
	if (fx->network) {
		struct dx_netlog again;
		char *first = written(fx->network), *second;
		cJSON *j = cJSON_Parse(first);
		FUZZ_ASSERT(j != NULL, "what collect writes is not JSON: %.200s", first);
		memset(&again, 0, sizeof again);
		err[0] = 0;
		FUZZ_ASSERT(dx_netlog_parse(j, &again, err, sizeof err) == 0,
			    "what collect writes is rejected on replay: %s", err);
		FUZZ_ASSERT(again.n == fx->network->n, "%zu records written, %zu read back",
			    fx->network->n, again.n);
		second = written(&again);
		FUZZ_ASSERT(strcmp(first, second) == 0,
			    "written, read and written again differs:\n%.600s\n%.600s", first,
			    second);
		cJSON_Delete(j);
		cJSON_free(first);
		cJSON_free(second);
		dx_netlog_free(&again);
	}
	dx_fixture_free(fx);
	return 0;
}
