/* fuzz_mc_config.c - the mock cloud's config loader (mc_config.c), the
 * same code PUT /config runs in the control thread: a config is accepted
 * within its bounds, or rejected with one JSON path. */
#include "fuzz.h"
#include "mc_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > (1 << 20)) /* the control API's body limit */
		return 0;
	char *text = fuzz_cstr(data, size);
	struct mc_config *c = NULL;
	char err[512] = "";
	if (mc_config_parse(text, &c, err, sizeof err)) {
		FUZZ_ASSERT(!c, "error with a config");
		FUZZ_REJECTED(err, "$");
	} else {
		FUZZ_ASSERT(c && c->nhosts >= 0 && c->nhosts <= MC_MAX_HOSTS, "hosts");
		FUZZ_ASSERT(c->nproxies >= 0 && c->nproxies <= MC_MAX_PROXIES, "proxies");
		FUZZ_ASSERT(c->to.idle_ms >= 10 && c->to.silent_ms >= 10, "timeouts");
		struct mc_faults f;
		mc_config_take_faults(c, "winatp-gw-eus.microsoft.com", &f);
		mc_config_take_faults(c, "x.example", &f);
		mc_config_put(c);
	}
	free(text);
	return 0;
}
