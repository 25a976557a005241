/* fuzz_onboarded.c - the OnboardedInfo REG_SZ (netconf.c): JSON whose
 * "body" is a JSON string; judged against the embedded destinations'
 * geos as check_net.c does, and without them. */
#include "fuzz.h"
#include "data.h"
#include "netconf.h"

static cJSON *destinations;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!destinations) {
		const struct dx_embedded *e = dx_embedded_find("destinations.json");
		destinations = e ? cJSON_Parse(e->data) : NULL;
		if (!destinations)
			abort();
	}
	const cJSON *geos = cJSON_GetObjectItemCaseSensitive(destinations, "geos");
	for (int i = 0; i < 2; i++) {
		struct dx_onboarded ob;
		memset(&ob, 0xa5, sizeof ob);
		int rc = dx_onboarded_parse((const char *)data, size, i ? NULL : geos, &ob);
		FUZZ_ASSERT(rc == 0 || rc == -1, "rc %d", rc);
		FUZZ_ASSERT(fuzz_terminated(ob.geo, sizeof ob.geo) &&
				    fuzz_terminated(ob.dc, sizeof ob.dc) &&
				    fuzz_terminated(ob.datacenter, sizeof ob.datacenter) &&
				    fuzz_terminated(ob.partner_geo, sizeof ob.partner_geo) &&
				    fuzz_terminated(ob.vortex_geo, sizeof ob.vortex_geo) &&
				    fuzz_terminated(ob.org_id, sizeof ob.org_id) &&
				    fuzz_terminated(ob.error, sizeof ob.error),
			    "an output not terminated");
		FUZZ_ASSERT(ob.streamlined >= -1 && ob.streamlined <= 1, "streamlined %d",
			    ob.streamlined);
		FUZZ_ASSERT(rc == 0 || ob.error[0], "rejected without a reason");
	}
	return 0;
}
