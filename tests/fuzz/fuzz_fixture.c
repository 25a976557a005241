/* fuzz_fixture.c - the fixture loader (diag/fixture.c): any bytes either
 * load or are rejected with one line naming the file and a JSON path. */
#include "fuzz.h"
#include "fixture.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024] = "";
	struct dx_fixture *fx = dx_fixture_parse((const char *)data, size, "f", err, sizeof err);
	if (!fx)
		FUZZ_REJECTED(err, "f: $");
	dx_fixture_free(fx);
	return 0;
}
