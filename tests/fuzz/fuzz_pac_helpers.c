/* fuzz_pac_helpers.c - the PAC helper library (data/pac_helpers.js) and the
 * natives under it (diag/net/pac.c: name resolution, the device's addresses,
 * the clock, alert) called with hostile arguments.
 *
 * A PAC engine answers a value, never an error, for arguments it cannot
 * use (isInNet("x", "y", "z") is false): a helper of ours that threw where
 * WinHTTP's answers would send the script down another branch, and
 * mdediag would report a route the device does not take. So the contract
 * checked here: every helper, whatever its arguments, returns without
 * throwing a value of the type it is documented to return, and the natives
 * survive any string (a NUL inside, invalid UTF-8, 64 KiB long).
 *
 * Input: byte 0 chooses the helper (helpers[] below, modulo); the rest are
 * its arguments separated by line feeds. An argument of 1 to 5 digits is
 * passed as a number (dateRange(1, 2027)); a byte 0x00 or 0x01 reaches the
 * script as U+0000, which a C string could not carry; a byte from 0x80 is
 * the Latin-1 character of its value (the strings mdediag passes are
 * UTF-8, and Duktape assumes its strings are).
 *
 * Unlike fuzz_pac (a new heap and the helper library compiled for each
 * input, about 60 inputs a second), one heap runs a fixed dispatcher
 * script and is reused for 4,096 inputs or 5 s (its time budget, 10 s,
 * counts from the load), or until a limit stops it: an input costs one
 * dx_pac_find call. shExpMatch with more than three '*', or more than one
 * in over 256 bytes, is skipped: its backtracking is bounded by the time
 * budget (test_pac.c, backtracking_regexp_stops_at_the_budget), and such
 * inputs would only make the fuzzer wait for it. A call that a limit stops is run again
 * on a fresh heap; stopped again, it is a bounded answer, not a finding.
 */
#include "fuzz.h"
#include "pac.h"
#include "fuzz_pac_dns.h"
#include "sock.h" /* dx_clock_ms */

/* The name, and what it returns: one or more of "boolean", "string",
 * "number", "null", "undefined", '|'-separated. */
static const struct {
	const char *name, *returns;
} helpers[] = {
	{"isPlainHostName", "boolean"},
	{"dnsDomainIs", "boolean"},
	{"localHostOrDomainIs", "boolean"},
	{"isResolvable", "boolean"},
	{"isResolvableEx", "boolean"},
	{"dnsResolve", "string|null"},
	{"dnsResolveEx", "string"},
	{"myIpAddress", "string"},
	{"myIpAddressEx", "string"},
	{"dnsDomainLevels", "number"},
	{"shExpMatch", "boolean"},
	{"convert_addr", "number"},
	{"isInNet", "boolean"},
	{"isInNetEx", "boolean"},
	{"sortIpAddressList", "string"},
	{"getClientVersion", "string"},
	{"alert", "undefined"},
	{"weekdayRange", "boolean"},
	{"dateRange", "boolean"},
	{"timeRange", "boolean"},
};

/* FindProxyForURL(args, name): calls the helper `name` with the arguments
 * and answers DIRECT when the result has the type `returns` says, and a
 * proxy naming the helper and the type it got otherwise (the C side shows
 * it). A throw ends the call with DX_PAC_RUNTIME and its message. Numbers
 * must also be whole and >= 0, a dnsResolve answer an IPv4 address. */
static const char dispatcher[] =
	"var __fz_global = this;\n"
	"function FindProxyForURL(args, name) {\n"
	"  var a = args.split('\\n');\n"
	"  for (var i = 0; i < a.length; i++) {\n"
	"    a[i] = a[i].replace(/\\x01/g, '\\u0000');\n"
	"    if (/^[0-9]{1,5}$/.test(a[i])) a[i] = Number(a[i]);\n"
	"  }\n"
	"  var want = name.split('/');\n" /* "helper/returns" */
	"  var r = __fz_global[want[0]].apply(null, a);\n"
	"  var got = r === null ? 'null' : typeof r;\n"
	"  if (want[1].split('|').indexOf(got) < 0)\n"
	"    return 'PROXY ' + want[0] + '-returned-' + got + '.invalid:1';\n"
	"  if (got === 'number' && !(r >= 0 && Math.floor(r) === r))\n"
	"    return 'PROXY ' + want[0] + '-returned-number-' + String(r).replace(/[^0-9a-z]/gi, "
	"'') + '.invalid:1';\n"
	"  if (want[0] === 'dnsResolve' && got === 'string' && "
	"!/^\\d{1,3}(\\.\\d{1,3}){3}$/.test(r))\n"
	"    return 'PROXY dnsResolve-returned-not-an-address.invalid:1';\n"
	"  return 'DIRECT';\n"
	"}\n";

static const struct dx_pac_limits lim = {
	.max_script = 64 << 10,
	.max_heap = 8u << 20,
	.budget_ms = 10000,
	.max_result = 1024,
};
static const struct dx_pac_env env = {fuzz_pac_resolve, NULL, "10.0.0.10;fd00::10", 1795000000, 0};
static struct dx_pac *heap;
static unsigned uses;
static double loaded_at;

/* A new heap with the dispatcher. Loading takes about 15 ms under the
 * sanitizers; a machine stalled past the budget gets three tries. */
static void fresh_heap(void)
{
	char err[400] = "";
	enum dx_pac_rc rc = DX_PAC_TIMEOUT;
	dx_pac_free(heap);
	heap = NULL;
	for (int i = 0; i < 3 && rc == DX_PAC_TIMEOUT; i++)
		rc = dx_pac_load(&heap, dispatcher, sizeof dispatcher - 1, &env, &lim, err,
				 sizeof err);
	FUZZ_ASSERT(rc == DX_PAC_OK, "the dispatcher does not load: %s: %s", dx_pac_rc_name(rc),
		    err);
	uses = 0;
	loaded_at = dx_clock_ms();
}

static enum dx_pac_rc call(const char *args, const char *name, char *out, size_t outsz, char *err,
			   size_t errsz)
{
	/* the budget counts from the load: a heap is replaced after 5 s, so
	 * a call has at least 5 s of it */
	if (!heap || uses >= 4096 || dx_clock_ms() - loaded_at > 5000)
		fresh_heap();
	uses++;
	err[0] = 0;
	return dx_pac_find(heap, args, name, out, outsz, err, errsz);
}

/* libFuzzer's per-input leak check (-detect_leaks=1, its default) runs
 * LeakSanitizer after every input whose mallocs and frees differ, which a
 * heap kept across inputs makes most of them: 81 inputs a second instead
 * of about 2,000. So this target turns it off; LeakSanitizer still runs at
 * exit, where a block lost on the way is unreachable and reported (and
 * fuzz_pac, a heap per input, keeps the per-input check). */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char *args[256];
	static char no_leak_check[] = "-detect_leaks=0";
	int n = 0;
	for (int i = 0; i < *argc && n < 254; i++)
		args[n++] = (*argv)[i];
	args[n++] = no_leak_check;
	args[n] = NULL;
	*argc = n;
	*argv = args;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > (64u << 10))
		return 0;
	size_t h = data[0] % (sizeof helpers / sizeof helpers[0]);
	if (strcmp(helpers[h].name, "shExpMatch") == 0 && memchr(data + 1, '*', size - 1) != NULL) {
		size_t stars = 0;
		for (size_t i = 1; i < size; i++)
			stars += data[i] == '*';
		if (stars > 3 || (stars > 1 && size > 256))
			return 0;
	}
	char name[64], out[1100], err[400];
	char *args = malloc(2 * size), *o = args;
	if (!args)
		abort();
	for (size_t i = 1; i < size; i++) {
		if (data[i] >= 0x80) { /* Latin-1 in UTF-8 */
			*o++ = (char)(0xC0 | data[i] >> 6);
			*o++ = (char)(0x80 | (data[i] & 0x3F));
		} else {
			*o++ = data[i] ? (char)data[i] : 1; /* U+0000 in the script */
		}
	}
	*o = 0;
	snprintf(name, sizeof name, "%s/%s", helpers[h].name, helpers[h].returns);

	enum dx_pac_rc rc = call(args, name, out, sizeof out, err, sizeof err);
	if (rc == DX_PAC_TIMEOUT || rc == DX_PAC_MEMORY) {
		/* the heap's budget may be spent by earlier inputs: once more
		 * on a fresh one; stopped again, the limit bounded it */
		fresh_heap();
		rc = call(args, name, out, sizeof out, err, sizeof err);
		if (rc == DX_PAC_TIMEOUT || rc == DX_PAC_MEMORY) {
			FUZZ_ASSERT(err[0] && fuzz_one_line(err),
				    "a stop without a one-line reason");
			fresh_heap();
			free(args);
			return 0;
		}
	}
	FUZZ_ASSERT(rc == DX_PAC_OK, "%s threw or failed: %s: %s", helpers[h].name,
		    dx_pac_rc_name(rc), err);
	FUZZ_ASSERT(strcmp(out, "DIRECT") == 0, "%s: %s", helpers[h].name, out);
	FUZZ_ASSERT(fuzz_terminated(dx_pac_alerts(heap), 512) && fuzz_one_line(dx_pac_alerts(heap)),
		    "alerts not one terminated line");
	free(args);
	return 0;
}
