/* win32_units.c - what the Win32 code does where Wine behaves as Windows,
 * one TAP line per case (run by `winetest.py units` in the shared prefix).
 *
 * argv[1] must be the UTF-8 text "診断-é.json" (passed by winetest.py): this
 * program has no UTF-8 manifest, so its argv is in the ANSI code page, as
 * mdediag.exe's is on Windows before 10 1903; dx_utf8_args must recover it.
 * argv[2] is a scratch directory (a Windows path) for file names.
 */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checks.h"
#include "console.h"
#include "pac.h"
#include "platform.h"
#include "platform_win32.h"
#include "sock.h"
#include "win32_args.h"

static int n, bad;

static void ok(int cond, const char *what, const char *detail)
{
	printf("%s %d - %s\n", cond ? "ok" : "not ok", ++n, what);
	if (!cond) {
		printf("# FAIL %s\n", detail ? detail : "");
		bad++;
	} else if (detail && detail[0]) {
		printf("# %s\n", detail);
	}
}

static const char want_name[] = "\xe8\xa8\xba\xe6\x96\xad-\xc3\xa9.json"; /* 診断-é.json */

/* --console: run on a console (console_stderr.py gives it a pty, which
 * Wine turns into a console). dx_console_vt switches virtual terminal
 * processing on; dx_console_restore (atexit) puts the mode back, which the
 * shell that owns the console would otherwise keep. */
static int console_cases(void)
{
	HANDLE h = GetStdHandle(STD_OUTPUT_HANDLE);
	DWORD before = 0, during = 0, after = 0;
	char detail[160];
	int got = GetConsoleMode(h, &before);
	int vt = dx_console_vt(stdout);
	GetConsoleMode(h, &during);
	dx_console_restore();
	GetConsoleMode(h, &after);
	snprintf(detail, sizeof detail, "mode 0x%lx, with VT 0x%lx, restored 0x%lx",
		 (unsigned long)before, (unsigned long)during, (unsigned long)after);
	ok(got && vt && during != before && after == before,
	   "the console mode is put back after virtual terminal processing", detail);
	printf("1..%d\n", n);
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	char buf[512];
	struct dx_platform p;
	struct dx_err err;

	if (argc > 1 && strcmp(argv[1], "--console") == 0)
		return console_cases();

	/* 1. UTF-8 argv whatever the code page */
	{
		int ac = argc;
		char **av = argv;
		int r = dx_utf8_args(&ac, &av);
		snprintf(buf, sizeof buf, "argv[1] = \"%s\" (ANSI argv had \"%s\")",
			 ac > 1 ? av[1] : "", argc > 1 ? argv[1] : "");
		ok(r == 0 && ac == argc && ac > 1 && strcmp(av[1], want_name) == 0,
		   "dx_utf8_args gives the UTF-8 command line", buf);
		/* 2. a file with that name, by its UTF-8 path */
		if (ac > 2) {
			char path[600];
			FILE *f;
			snprintf(path, sizeof path, "%s\\%s", av[2], want_name);
			f = dx_fopen(path, "wb");
			if (f) {
				fputs("{}", f);
				fclose(f);
			}
			wchar_t wpath[600];
			MultiByteToWideChar(CP_UTF8, 0, path, -1, wpath, 600);
			DWORD attr = GetFileAttributesW(wpath);
			ok(f && attr != INVALID_FILE_ATTRIBUTES,
			   "dx_fopen creates the file under its Unicode name", path);
			DeleteFileW(wpath);
		}
	}

	if (dx_platform_win32_open(&p, &err) != DX_OK) {
		printf("Bail out! platform: %s\n", err.text);
		return 1;
	}
	/* 3. elevation, as Wine reports it (an administrator, elevated) */
	{
		int el = -1;
		enum dx_status s = dx_elevated(&p, &el, &err);
		snprintf(buf, sizeof buf, "status %s, elevated %d %s", dx_status_name(s), el,
			 s ? err.text : "");
		ok(s == DX_OK && (el == 0 || el == 1), "TokenElevation answers", buf);
	}
	/* 4. REG_EXPAND_SZ in Wine's own registry, expanded by dx_expand_path */
	{
		struct dx_regval v;
		enum dx_status s = dx_reg_read(
			&p, "HKLM\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList",
			"ProgramData", &v, &err);
		snprintf(buf, sizeof buf, "%s %s \"%s\"", dx_status_name(s),
			 s ? err.text : dx_regtype_name(v.type), s ? "" : (const char *)v.data);
		ok(s == DX_OK && v.type == DX_REG_EXPAND_SZ,
		   "ProfileList\\ProgramData is REG_EXPAND_SZ", buf);
		if (s == DX_OK)
			dx_regval_free(&v);
		struct dx_ctx c;
		char out[600];
		memset(&c, 0, sizeof c);
		c.p = &p;
		dx_expand_path(&c, "%ProgramData%\\x", out, sizeof out);
		ok(strchr(out, '%') == NULL && out[1] == ':' && strstr(out, "\\ProgramData\\x"),
		   "%ProgramData% expands to a drive path", out);
		dx_expand_path(&c, "%SystemDrive%\\y", out, sizeof out);
		ok(out[1] == ':' && strcmp(out + 2, "\\y") == 0, "%SystemDrive% is a drive", out);
	}
	/* 5. select() with no socket in any set waits instead of failing */
	{
		dx_sock_t s = DX_SOCK_BAD;
		dx_sock_startup();
		s = (dx_sock_t)socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
		struct dx_pollfd fd = {s, 0, 0};
		double t0 = dx_clock_ms();
		int r = dx_sock_poll(&fd, 1, 200);
		double t = dx_clock_ms() - t0;
		snprintf(buf, sizeof buf, "returned %d after %.0f ms", r, t);
		ok(r == 0 && t >= 150, "dx_sock_poll with nothing wanted waits (no WSAEINVAL spin)",
		   buf);
		dx_sock_close(s);
	}
	/* 6. a refused connection names its Winsock error */
	{
		dx_sock_t s;
		char why[256] = "";
		double t0 = dx_clock_ms();
		/* port 9 on loopback: nothing listens in the test prefix */
		enum dx_sock_rc rc = dx_sock_connect("127.0.0.1", 9, &s, why, sizeof why);
		if (rc == DX_SOCK_AGAIN) {
			struct dx_pollfd fd = {s, DX_POLL_OUT, 0};
			dx_sock_poll(&fd, 1, 5000);
			rc = dx_sock_connected(s, why, sizeof why);
			dx_sock_close(s);
		}
		snprintf(buf, sizeof buf, "%s (%.0f ms)", why, dx_clock_ms() - t0);
		ok(rc == DX_SOCK_REFUSED && strstr(why, "WSAECONNREFUSED") &&
			   strstr(why, "10061") && strstr(why, "SYN retries"),
		   "refused connect: named Winsock error", buf);
	}
	/* 7. a scoped link-local address is numeric */
	{
		unsigned char b[16];
		int bits = 0;
		ok(dx_addr_is_numeric("fe80::1%1") && dx_addr_bytes("fe80::1%1", b, &bits) == 0 &&
			   bits == 128 && b[0] == 0xfe,
		   "fe80::1%1 is a numeric address", "");
	}
	/* 8. a PAC heap abandoned past the unwind slack: the escape longjmps
	 * out of Duktape's allocator through its frames (SEH unwinding on
	 * x64 Windows), and the process goes on with a status */
	{
		static const char script[] =
			"var big = '[' + new Array(200001).join('[],') + '[]]';"
			"function FindProxyForURL(u, h) { return JSON.parse(big).length + ''; }";
		struct dx_pac_limits small = {0, 4u << 20, 20000, 0};
		struct dx_pac *pac = NULL;
		char err[256] = "", out[64];
		enum dx_pac_rc rc =
			dx_pac_load(&pac, script, strlen(script), NULL, &small, err, sizeof err);
		if (rc == DX_PAC_OK)
			rc = dx_pac_find(pac, "https://a/", "a", out, sizeof out, err, sizeof err);
		ok(rc == DX_PAC_MEMORY &&
			   strcmp(err, "needed more than 4 MiB of memory (stopped)") == 0,
		   "PAC heap abandoned past the unwind slack: a status, no abort", err);
		dx_pac_free(pac);
	}
	/* 9. an array-typed event value is its elements, not the bits of the
	 * pointer the variant holds (Event Log is stubbed in Wine: the
	 * renderer is called on values built here) */
	{
		UINT32 nums[3] = {7, 8, 4294967295u};
		LPWSTR strs[2] = {L"a", L"\x00e9"};
		EVT_VARIANT v;
		char *t1, *t2, *t3;
		memset(&v, 0, sizeof v);
		v.Type = EvtVarTypeUInt32 | EVT_VARIANT_TYPE_ARRAY;
		v.UInt32Arr = nums;
		v.Count = 3;
		t1 = dx_w32_variant_text(&v);
		v.Type = EvtVarTypeString | EVT_VARIANT_TYPE_ARRAY;
		v.StringArr = strs;
		v.Count = 2;
		t2 = dx_w32_variant_text(&v);
		v.Type = EvtVarTypeUInt32;
		v.UInt32Val = 42;
		t3 = dx_w32_variant_text(&v);
		snprintf(buf, sizeof buf, "\"%s\", \"%s\", \"%s\"", t1 ? t1 : "(null)",
			 t2 ? t2 : "(null)", t3 ? t3 : "(null)");
		ok(t1 && t2 && t3 && !strcmp(t1, "7, 8, 4294967295") &&
			   !strcmp(t2, "a, \xc3\xa9") && !strcmp(t3, "42"),
		   "array event values are their elements", buf);
		free(t1);
		free(t2);
		free(t3);
	}
	dx_platform_close(&p);
	printf("1..%d\n", n);
	return bad ? 1 : 0;
}
