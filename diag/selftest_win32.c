/* selftest_win32.c - the Windows half of `mdediag selftest`
 * (selftest_win32.h): each question the diagnosis asks, put to the platform
 * layer (platform.h, the real Win32 platform) and to the tool an
 * administrator would use, run with CreateProcessW and a pipe.
 *
 * Every tool runs with a deadline (TOOL_TIMEOUT_MS, then it is terminated)
 * and its output is bounded (TOOL_MAX_OUT, the rest is drained and
 * dropped); a tool that is missing, fails or times out is a "not compared"
 * line. Tools come from the 64-bit system directory (Sysnative from a
 * 32-bit process), and reg.exe is asked for the 64-bit view (/reg:64), the
 * view the platform reads.
 */
#ifdef _WIN32

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <winhttp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "checks.h"
#include "data.h"
#include "finding.h"
#include "platform_record.h"
#include "netconf.h"
#include "platform.h"
#include "platform_win32.h"
#include "selftest_win32.h"

#define TOOL_TIMEOUT_MS 15000u
#define TOOL_MAX_OUT (1024u * 1024u)
#define VAL_MAX 8192

/* ---- running a tool ------------------------------------------------------ */

struct tool_run {
	int ran; /* the process started */
	int timed_out;
	DWORD exit_code;
	char *out; /* UTF-8, NUL-terminated (never NULL after run_tool) */
	size_t len;
	int truncated;
	char cmd[600]; /* the command line, UTF-8, for the report */
	char why[300]; /* !ran or timed out: why */
};

struct reader {
	HANDLE pipe;
	char *buf;
	size_t len;
	int truncated;
};

static DWORD WINAPI read_all(LPVOID arg)
{
	struct reader *r = arg;
	char chunk[4096];
	DWORD n;
	while (ReadFile(r->pipe, chunk, sizeof chunk, &n, NULL) && n) {
		size_t k = n;
		if (r->len + k > TOOL_MAX_OUT) {
			k = TOOL_MAX_OUT - r->len;
			r->truncated = 1;
		}
		memcpy(r->buf + r->len, chunk, k);
		r->len += k;
	}
	return 0;
}

static void to_utf8(const wchar_t *w, char *out, size_t outsz)
{
	if (!WideCharToMultiByte(CP_UTF8, 0, w, -1, out, (int)outsz, NULL, NULL))
		out[0] = '\0';
	out[outsz - 1] = '\0';
}

/* The tool's bytes as UTF-8: UTF-16 with a BOM, UTF-8 when it is valid,
 * else the console's code page (a console tool writing to a pipe uses it;
 * the OEM code page when there is no console). */
static char *decode(const char *b, size_t n)
{
	UINT cp;
	const wchar_t *w = NULL;
	int wn = 0;
	wchar_t *tmp = NULL;
	if (n >= 2 && (unsigned char)b[0] == 0xFF && (unsigned char)b[1] == 0xFE) {
		w = (const wchar_t *)(b + 2);
		wn = (int)((n - 2) / 2);
	} else if (n >= 2 && n % 2 == 0 && b[0] && !b[1]) {
		/* UTF-16LE without a BOM ("A\0B\0" would pass as UTF-8 and be
		 * cut at its first NUL) */
		w = (const wchar_t *)b;
		wn = (int)(n / 2);
	} else if (n == 0 ||
		   MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, b, (int)n, NULL, 0) > 0) {
		char *s = malloc(n + 1);
		if (s) {
			memcpy(s, b, n);
			s[n] = '\0';
		}
		return s;
	} else {
		cp = GetConsoleOutputCP();
		if (!cp)
			cp = GetOEMCP();
		wn = MultiByteToWideChar(cp, 0, b, (int)n, NULL, 0);
		tmp = malloc(((size_t)wn + 1) * sizeof *tmp);
		if (!tmp)
			return NULL;
		MultiByteToWideChar(cp, 0, b, (int)n, tmp, wn);
		w = tmp;
	}
	int un = WideCharToMultiByte(CP_UTF8, 0, w, wn, NULL, 0, NULL, NULL);
	char *s = malloc((size_t)un + 1);
	if (s) {
		WideCharToMultiByte(CP_UTF8, 0, w, wn, s, un, NULL, NULL);
		s[un] = '\0';
		/* embedded NULs would cut the parsers short: make them spaces */
		for (int i = 0; i < un; i++)
			if (!s[i])
				s[i] = ' ';
	}
	free(tmp);
	return s;
}

/* Runs `exe` with the command line `args` (exe's name is put first),
 * stdin from NUL, stdout and stderr into one pipe. */
static void run_tool(const wchar_t *exe, const wchar_t *args, struct tool_run *r)
{
	memset(r, 0, sizeof *r);
	size_t cl = wcslen(exe) + wcslen(args) + 8;
	wchar_t *cmdline = malloc(cl * sizeof *cmdline);
	struct reader rd = {0};
	HANDLE wr = NULL, nul = INVALID_HANDLE_VALUE, th = NULL;
	PROCESS_INFORMATION pi = {0};
	SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
	if (!cmdline)
		goto oom;
	_snwprintf(cmdline, cl, L"\"%ls\" %ls", exe, args);
	cmdline[cl - 1] = 0;
	to_utf8(cmdline, r->cmd, sizeof r->cmd);
	const wchar_t *base = wcsrchr(exe, L'\\');
	char name[80];
	to_utf8(base ? base + 1 : exe, name, sizeof name);
	DWORD attr = GetFileAttributesW(exe);
	if (attr == INVALID_FILE_ATTRIBUTES || (attr & FILE_ATTRIBUTE_DIRECTORY)) {
		snprintf(r->why, sizeof r->why, "%s not found", name);
		goto done;
	}
	rd.buf = malloc(TOOL_MAX_OUT + 1);
	if (!rd.buf)
		goto oom;
	if (!CreatePipe(&rd.pipe, &wr, &sa, 0)) {
		snprintf(r->why, sizeof r->why, "CreatePipe failed (error %lu)",
			 (unsigned long)GetLastError());
		goto done;
	}
	SetHandleInformation(rd.pipe, HANDLE_FLAG_INHERIT, 0);
	nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa,
			  OPEN_EXISTING, 0, NULL);
	STARTUPINFOW si;
	memset(&si, 0, sizeof si);
	si.cb = sizeof si;
	si.dwFlags = STARTF_USESTDHANDLES;
	si.hStdInput = nul;
	si.hStdOutput = wr;
	si.hStdError = wr;
	if (!CreateProcessW(exe, cmdline, NULL, NULL, TRUE, 0, NULL, NULL, &si, &pi)) {
		snprintf(r->why, sizeof r->why, "%s could not be started (CreateProcess error %lu)",
			 name, (unsigned long)GetLastError());
		goto done;
	}
	r->ran = 1;
	CloseHandle(wr);
	wr = NULL;
	th = CreateThread(NULL, 0, read_all, &rd, 0, NULL);
	if (!th)
		read_all(&rd); /* no thread: read inline (the tool is bounded anyway) */
	if (WaitForSingleObject(pi.hProcess, TOOL_TIMEOUT_MS) == WAIT_TIMEOUT) {
		TerminateProcess(pi.hProcess, 1);
		WaitForSingleObject(pi.hProcess, 2000);
		r->timed_out = 1;
		snprintf(r->why, sizeof r->why, "%s did not finish in %u s (terminated)", name,
			 TOOL_TIMEOUT_MS / 1000);
	}
	GetExitCodeProcess(pi.hProcess, &r->exit_code);
	/* A grandchild may still hold the pipe: stop reading after 3 s. */
	if (th && WaitForSingleObject(th, 3000) == WAIT_TIMEOUT) {
		CancelSynchronousIo(th);
		WaitForSingleObject(th, 2000);
	}
done:
	if (th)
		CloseHandle(th);
	if (pi.hProcess)
		CloseHandle(pi.hProcess);
	if (pi.hThread)
		CloseHandle(pi.hThread);
	if (wr)
		CloseHandle(wr);
	if (rd.pipe)
		CloseHandle(rd.pipe);
	if (nul != INVALID_HANDLE_VALUE)
		CloseHandle(nul);
	r->truncated = rd.truncated;
	r->out = rd.buf ? decode(rd.buf, rd.len) : NULL;
	free(rd.buf);
	free(cmdline);
	if (!r->out) {
		r->out = malloc(1);
		if (r->out)
			r->out[0] = '\0';
		else
			abort(); /* one byte: nothing sensible left to do */
	}
	r->len = strlen(r->out);
	return;
oom:
	snprintf(r->why, sizeof r->why, "out of memory");
	goto done;
}

static void tool_free(struct tool_run *r)
{
	free(r->out);
	r->out = NULL;
}

/* Usable output: the tool ran and finished in time. */
static int tool_ok(const struct tool_run *r)
{
	return r->ran && !r->timed_out;
}

/* The first non-empty line of the tool's output, for a reason. */
static void first_line(const struct tool_run *r, char *out, size_t outsz)
{
	const char *p = r->out;
	while (*p == '\r' || *p == '\n' || *p == ' ')
		p++;
	size_t n = strcspn(p, "\r\n");
	snprintf(out, outsz, "%.*s", (int)(n < 160 ? n : 160), p);
	if (!out[0])
		snprintf(out, outsz, "(no output)");
}

/* The tool ran but gave no answer: a "not compared" line saying what was
 * missing, with the tool's exit code and the first line it printed. */
static int no_answer(struct dx_st_list *l, const char *kind, const char *what, const char *ours,
		     const struct tool_run *r, const char *missing)
{
	char line[200], why[400];
	first_line(r, line, sizeof line);
	snprintf(why, sizeof why, "%s (exit %lu: %s)", missing, (unsigned long)r->exit_code, line);
	return dx_st_add(l, kind, what, DX_ST_NOT_COMPARED, ours, "", r->cmd, why);
}

/* ---- where the tools are ------------------------------------------------- */

static wchar_t sysdir[MAX_PATH];

static void find_sysdir(void)
{
	BOOL wow = FALSE;
	UINT n;
	if (IsWow64Process(GetCurrentProcess(), &wow) && wow) {
		/* a 32-bit process: System32 is redirected, Sysnative is not */
		n = GetWindowsDirectoryW(sysdir, MAX_PATH - 12);
		if (n && n < MAX_PATH - 12) {
			wcscat(sysdir, L"\\Sysnative");
			return;
		}
	}
	n = GetSystemDirectoryW(sysdir, MAX_PATH);
	if (!n || n >= MAX_PATH)
		wcscpy(sysdir, L"C:\\Windows\\System32");
}

static void tool_path(const wchar_t *rel, wchar_t *out, size_t outsz)
{
	_snwprintf(out, outsz, L"%ls\\%ls", sysdir, rel);
	out[outsz - 1] = 0;
}

static wchar_t *wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s, -1, NULL, 0);
	wchar_t *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
	if (w)
		MultiByteToWideChar(CP_UTF8, 0, s, -1, w, n);
	return w;
}

/* One argument quoted for CommandLineToArgvW (what reg.exe and sc.exe
 * parse with): inside quotes, backslashes before a quote and before the
 * closing quote are doubled and a quote is \". */
static void quote_arg(const char *s, char *out, size_t outsz)
{
	size_t o = 0, bs = 0;
	if (outsz < 3) {
		out[0] = '\0';
		return;
	}
	out[o++] = '"';
	for (; *s && o + 4 < outsz; s++) {
		if (*s == '\\') {
			bs++;
			out[o++] = '\\';
			continue;
		}
		if (*s == '"') {
			for (size_t i = 0; i < bs + 1 && o + 4 < outsz; i++)
				out[o++] = '\\';
		}
		bs = 0;
		out[o++] = *s;
	}
	for (size_t i = 0; i < bs && o + 2 < outsz; i++)
		out[o++] = '\\';
	out[o++] = '"';
	out[o] = '\0';
}

/* ---- registry ------------------------------------------------------------- */

/* The values the diagnosis reads, from the checks (checks.h's keys). */
static const struct {
	const char *key, *name;
} reg_values[] = {
	{DX_KEY_ATP_STATUS, "OnboardingState"},
	{DX_KEY_ATP_STATUS, "OrgID"},
	{DX_KEY_ATP, "SenseId"},
	{DX_KEY_ATP, "InstallLocation"},
	{DX_KEY_ATP, "OnboardedInfo"},
	{DX_KEY_ATP, "senseGuid"},
	{DX_KEY_ATP, "7DC0B629-D7F6-4DB3-9BF7-64D5AAF50F1A"},
	{DX_KEY_ATP_POLICY, "OnboardingInfo"},
	{DX_KEY_ATP_POLICY, "latency"},
	{DX_KEY_ATP_POLICY, "ForceDefenderPassiveMode"},
	{DX_KEY_ATP_POLICY, "PreferStaticProxyForHttpRequest"},
	{DX_KEY_CURRENTVERSION, "CurrentBuild"},
	{DX_KEY_CURRENTVERSION, "CurrentBuildNumber"},
	{DX_KEY_CURRENTVERSION, "UBR"},
	{DX_KEY_CURRENTVERSION, "EditionID"},
	{DX_KEY_CURRENTVERSION, "InstallationType"},
	{DX_KEY_CURRENTVERSION, "DisplayVersion"},
	{DX_KEY_CURRENTVERSION, "ReleaseId"},
	{DX_KEY_CURRENTVERSION, "ProductName"},
	{"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\\Environment",
	 "PROCESSOR_ARCHITECTURE"},
	{DX_KEY_DATACOLLECTION, "TelemetryProxyServer"},
	{DX_KEY_WINHTTP, "WinHttpSettings"},
	{DX_KEY_DEFENDER_POLICY, "DisableAntiSpyware"},
	{DX_KEY_DEFENDER_POLICY, "DisableAntiVirus"},
	{"HKLM\\SOFTWARE\\Microsoft\\Windows Defender", "PassiveMode"},
	{"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Features", "TamperProtection"},
	{DX_KEY_SIGNATURES, "AVSignatureVersion"},
	{DX_KEY_SIGNATURES, "EngineVersion"},
	{DX_KEY_SERVICES "\\Sense", "ImagePath"},
	{DX_KEY_SERVICES "\\WinDefend", "ImagePath"},
	{DX_KEY_ASR_RULES, "d1e49aac-8f56-4280-b9ba-993a6d77406c"},
	{"HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Windows Defender Exploit Guard\\ASR\\Rules",
	 "d1e49aac-8f56-4280-b9ba-993a6d77406c"},
};

static int compare_reg(struct dx_st_list *l, const struct dx_platform *p, const char *key,
		       const char *name)
{
	char what[600], tool[700], type[24];
	snprintf(what, sizeof what, "%s [%s]", key, name);
	struct dx_regval v = {0};
	struct dx_err e = {0};
	enum dx_status s = dx_reg_read(p, key, name, &v, &e);
	char *ours = malloc(VAL_MAX + 32), *data = malloc(VAL_MAX), *theirs = malloc(VAL_MAX + 32);
	int rc = -1;
	if (!ours || !data || !theirs)
		goto out;
	if (s == DX_OK) {
		dx_st_reg_format(&v, data, VAL_MAX);
		snprintf(ours, VAL_MAX + 32, "%s %s", dx_regtype_name(v.type), data);
	} else {
		snprintf(ours, VAL_MAX + 32, "%s", s == DX_NOT_FOUND ? "absent" : e.text);
	}
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"reg.exe", exe, MAX_PATH + 32);
	char args[1400], qk[600], qn[600];
	quote_arg(key, qk, sizeof qk);
	quote_arg(name, qn, sizeof qn);
	if (name[0])
		snprintf(args, sizeof args, "query %s /v %s /reg:64", qk, qn);
	else /* the default value: /ve, printed under a translated name */
		snprintf(args, sizeof args, "query %s /ve /reg:64", qk);
	wchar_t *wargs = wide(args);
	if (!wargs)
		goto out;
	struct tool_run r;
	run_tool(exe, wargs, &r);
	free(wargs);
	snprintf(tool, sizeof tool, "reg.exe");
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "registry", what, DX_ST_NOT_COMPARED, ours, "", r.cmd, r.why);
	} else if (dx_st_reg_parse(r.out, name, type, data, VAL_MAX) == 0) {
		snprintf(theirs, VAL_MAX + 32, "%s %s", type, data);
		rc = dx_st_compare(l, "registry", what, ours, theirs, tool);
	} else if (r.exit_code == 1) {
		/* reg.exe's exit 1 is "no such key or value" or "access denied",
		 * told apart only by a translated message: either way no value
		 * for reg.exe, as for a platform that reads none. */
		char line[200];
		first_line(&r, line, sizeof line);
		snprintf(theirs, VAL_MAX + 32, "no value (exit 1: %s)", line);
		rc = dx_st_add(l, "registry", what, s == DX_OK ? DX_ST_DIFFER : DX_ST_AGREE, ours,
			       theirs, tool, NULL);
	} else {
		rc = no_answer(l, "registry", what, ours, &r,
			       "reg.exe printed no line for the value");
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
out:
	dx_regval_free(&v);
	free(ours);
	free(data);
	free(theirs);
	return rc;
}

/* ---- services ------------------------------------------------------------- */

static int compare_service(struct dx_st_list *l, const struct dx_platform *p, const char *name)
{
	struct dx_svc svc;
	struct dx_err e = {0};
	memset(&svc, 0, sizeof svc);
	enum dx_status s = dx_svc_query(p, name, &svc, &e);
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"sc.exe", exe, MAX_PATH + 32);
	for (int qc = 0; qc < 2; qc++) {
		char what[200], ours[300], theirs[300], args[200];
		snprintf(what, sizeof what, "%s %s", name, qc ? "start type" : "state");
		if (s == DX_OK)
			snprintf(ours, sizeof ours, "%s",
				 qc ? dx_svc_start_name(svc.start_type)
				    : dx_svc_state_name(svc.state));
		else
			snprintf(ours, sizeof ours, "%s", s == DX_NOT_FOUND ? "absent" : e.text);
		snprintf(args, sizeof args, "%s %s", qc ? "qc" : "query", name);
		wchar_t *wargs = wide(args);
		if (!wargs)
			return -1;
		struct tool_run r;
		run_tool(exe, wargs, &r);
		free(wargs);
		int rc;
		int n = tool_ok(&r) ? (qc ? dx_st_sc_start(r.out) : dx_st_sc_state(r.out)) : -1;
		if (!tool_ok(&r)) {
			rc = dx_st_add(l, "service", what, DX_ST_NOT_COMPARED, ours, "", r.cmd,
				       r.why);
		} else if (n >= 0) {
			snprintf(theirs, sizeof theirs, "%s",
				 qc ? dx_svc_start_name(n) : dx_svc_state_name(n));
			rc = dx_st_compare(l, "service", what, ours, theirs, "sc.exe");
		} else if (r.exit_code == DX_ERROR_SERVICE_DOES_NOT_EXIST) {
			/* sc.exe exits with the Win32 error: 1060, no such service */
			rc = dx_st_add(l, "service", what,
				       s == DX_NOT_FOUND ? DX_ST_AGREE : DX_ST_DIFFER, ours,
				       "absent", "sc.exe", NULL);
		} else {
			rc = no_answer(l, "service", what, ours, &r,
				       qc ? "sc.exe qc printed no START_TYPE"
					  : "sc.exe query printed no STATE");
		}
		if (!rc)
			rc = dx_st_set_command(l, r.cmd);
		tool_free(&r);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---- file versions ------------------------------------------------------- */

/* A service's executable: its ImagePath without quotes and arguments,
 * environment variables expanded; `dflt` when there is none. */
static void service_exe(const struct dx_platform *p, const char *svc_name, const char *dflt,
			char *out, size_t outsz)
{
	struct dx_svc svc;
	struct dx_err e;
	char path[600];
	memset(&svc, 0, sizeof svc);
	if (dx_svc_query(p, svc_name, &svc, &e) == DX_OK && svc.image_path[0]) {
		const char *s = svc.image_path;
		if (*s == '"') {
			s++;
			snprintf(path, sizeof path, "%.*s", (int)strcspn(s, "\""), s);
		} else {
			const char *x = strstr(s, ".exe");
			if (!x)
				x = strstr(s, ".EXE");
			snprintf(path, sizeof path, "%.*s", x ? (int)(x - s + 4) : (int)strlen(s),
				 s);
		}
	} else {
		snprintf(path, sizeof path, "%s", dflt);
	}
	wchar_t *w = wide(path), buf[1024];
	if (w && ExpandEnvironmentStringsW(w, buf, 1024) && buf[0])
		to_utf8(buf, out, outsz);
	else
		snprintf(out, outsz, "%s", path);
	free(w);
}

static int compare_file(struct dx_st_list *l, const struct dx_platform *p, const char *path)
{
	char ours[300], theirs[300], ver[64], str[200];
	struct dx_err e = {0};
	enum dx_status s = dx_file_version(p, path, ver, &e);
	if (s == DX_OK)
		snprintf(ours, sizeof ours, "%s", ver);
	else
		snprintf(ours, sizeof ours, "%s", s == DX_NOT_FOUND ? "absent" : e.text);
	wchar_t exe[MAX_PATH + 64];
	tool_path(L"WindowsPowerShell\\v1.0\\powershell.exe", exe, MAX_PATH + 64);
	/* The fixed version (FileMajorPart...), which the platform reads from
	 * VS_FIXEDFILEINFO; FileVersion, the string resource, may carry a
	 * suffix ("10.0.19041.1 (WinBuild.160101.0800)") and goes to the file
	 * as it is. A single quote in the path is doubled (PowerShell). */
	char q[700];
	size_t o = 0;
	for (const char *c = path; *c && o + 2 < sizeof q; c++) {
		if (*c == '\'')
			q[o++] = '\'';
		q[o++] = *c;
	}
	q[o] = '\0';
	char args[1400];
	snprintf(args, sizeof args,
		 "-NoProfile -NonInteractive -Command \"$p='%s'; if (Test-Path -LiteralPath $p) "
		 "{ $v=(Get-Item -LiteralPath $p).VersionInfo; '{0}.{1}.{2}.{3}|{4}' -f "
		 "$v.FileMajorPart,$v.FileMinorPart,$v.FileBuildPart,$v.FilePrivatePart,"
		 "$v.FileVersion } else { 'absent|' }\"",
		 q);
	wchar_t *wargs = wide(args);
	if (!wargs)
		return -1;
	struct tool_run r;
	run_tool(exe, wargs, &r);
	free(wargs);
	int rc;
	int pv = tool_ok(&r) ? dx_st_ps_version(r.out, ver, str, sizeof str) : -1;
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "file", path, DX_ST_NOT_COMPARED, ours, "", r.cmd, r.why);
	} else if (pv == 0) {
		snprintf(theirs, sizeof theirs, "%s", ver);
		rc = dx_st_compare(l, "file", path, ours, theirs, "PowerShell VersionInfo");
	} else if (pv == 1) {
		rc = dx_st_add(l, "file", path, s == DX_NOT_FOUND ? DX_ST_AGREE : DX_ST_DIFFER,
			       ours, "absent", "PowerShell Test-Path", NULL);
	} else {
		rc = no_answer(l, "file", path, ours, &r, "powershell.exe gave no version");
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
	return rc;
}

/* ---- events ---------------------------------------------------------------- */

#define ERROR_EVT_CHANNEL_NOT_FOUND_ 15007u

static int compare_events(struct dx_st_list *l, const struct dx_platform *p, const char *log,
			  const char *provider)
{
	char what[300], ours[300], theirs[300], why[400], args[600];
	struct dx_eventlist ev = {0};
	struct dx_err e = {0};
	snprintf(what, sizeof what, "%s%s%s", log, provider ? " from " : "",
		 provider ? provider : "");
	enum dx_status s = dx_events_query(p, log, provider, 0, 0, 5, &ev, &e);
	if (s == DX_OK)
		snprintf(ours, sizeof ours, "%zu events, newest ID %u", ev.count,
			 ev.count ? (unsigned)ev.items[0].id : 0u);
	else
		snprintf(ours, sizeof ours, "%s", s == DX_NOT_FOUND ? "no such log" : e.text);
	dx_eventlist_free(&ev);
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"wevtutil.exe", exe, MAX_PATH + 32);
	if (provider)
		snprintf(args, sizeof args,
			 "qe \"%s\" /c:5 /rd:true /f:xml /q:\"*[System[Provider[@Name='%s']]]\"",
			 log, provider);
	else
		snprintf(args, sizeof args, "qe \"%s\" /c:5 /rd:true /f:xml", log);
	wchar_t *wargs = wide(args);
	if (!wargs)
		return -1;
	struct tool_run r;
	run_tool(exe, wargs, &r);
	free(wargs);
	size_t count = 0;
	uint32_t id = 0;
	int parsed = tool_ok(&r) && r.exit_code == 0 && dx_st_wevt_parse(r.out, &count, &id) == 0;
	int rc;
	if (parsed)
		snprintf(theirs, sizeof theirs, "%zu events, newest ID %u", count, (unsigned)id);
	else if (tool_ok(&r) && r.exit_code == ERROR_EVT_CHANNEL_NOT_FOUND_)
		snprintf(theirs, sizeof theirs, "no such log");
	else
		theirs[0] = '\0';
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "events", what, DX_ST_NOT_COMPARED, ours, "", r.cmd, r.why);
	} else if (s == DX_UNSUPPORTED) {
		snprintf(why, sizeof why, "the platform cannot read event logs here (%s)", e.text);
		rc = dx_st_add(l, "events", what, DX_ST_NOT_COMPARED, ours, theirs, r.cmd, why);
	} else if (theirs[0]) {
		rc = dx_st_compare(l, "events", what, ours, theirs, "wevtutil");
	} else {
		rc = no_answer(l, "events", what, ours, &r, "wevtutil printed no events");
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
	return rc;
}

/* ---- elevation, code page, WinHTTP proxy ----------------------------------- */

static int compare_elevation(struct dx_st_list *l, const struct dx_platform *p)
{
	int el = -1;
	struct dx_err e = {0};
	char ours[300], why[300];
	enum dx_status s = dx_elevated(p, &el, &e);
	snprintf(ours, sizeof ours, "%s", s != DX_OK ? e.text : el ? "elevated" : "not elevated");
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"whoami.exe", exe, MAX_PATH + 32);
	struct tool_run r;
	run_tool(exe, L"/groups", &r);
	int w = tool_ok(&r) ? dx_st_whoami_elevated(r.out) : -1;
	int rc;
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "elevation", "this process", DX_ST_NOT_COMPARED, ours, "", r.cmd,
			       r.why);
	} else if (w >= 0) {
		rc = dx_st_compare(l, "elevation", "this process", ours,
				   w ? "elevated" : "not elevated", "whoami /groups");
	} else {
		/* its output is not quoted: it may be the user's name */
		snprintf(why, sizeof why,
			 "whoami /groups listed no mandatory label "
			 "(S-1-16-...) (exit %lu)",
			 (unsigned long)r.exit_code);
		rc = dx_st_add(l, "elevation", "this process", DX_ST_NOT_COMPARED, ours, "", r.cmd,
			       why);
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
	return rc;
}

static int compare_codepage(struct dx_st_list *l)
{
	char ours[64], theirs[64];
	UINT cp = GetConsoleOutputCP();
	snprintf(ours, sizeof ours, "%u", cp);
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"cmd.exe", exe, MAX_PATH + 32);
	if (!cp || !GetConsoleWindow()) {
		/* chcp asks the console; without one there is nothing to ask */
		return dx_st_add(l, "codepage", "console output", DX_ST_NOT_COMPARED, ours, "",
				 "cmd.exe /d /c chcp",
				 "mdediag has no console (output redirected "
				 "from a service or a job without a console)");
	}
	struct tool_run r;
	run_tool(exe, L"/d /c chcp", &r);
	int n = tool_ok(&r) ? dx_st_chcp_parse(r.out) : -1;
	int rc;
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "codepage", "console output", DX_ST_NOT_COMPARED, ours, "", r.cmd,
			       r.why);
	} else if (n > 0) {
		snprintf(theirs, sizeof theirs, "%d", n);
		rc = dx_st_compare(l, "codepage", "console output", ours, theirs, "chcp");
	} else {
		rc = no_answer(l, "codepage", "console output", ours, &r,
			       "chcp printed no code page");
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
	return rc;
}

static int compare_winhttp(struct dx_st_list *l, const struct dx_platform *p)
{
	char ours[900], theirs[900], proxy[300], bypass[600];
	struct dx_regval v = {0};
	struct dx_err e = {0};
	enum dx_status s = dx_reg_read(p, DX_KEY_WINHTTP, "WinHttpSettings", &v, &e);
	if (s == DX_OK && v.type == DX_REG_BINARY) {
		struct dx_winhttp wh;
		memset(&wh, 0, sizeof wh);
		if (dx_winhttp_decode(v.data, v.len, &wh) == 0 && wh.has_proxy)
			snprintf(ours, sizeof ours, "proxy %s, bypass %s", wh.proxy,
				 wh.bypass[0] ? wh.bypass : "(none)");
		else
			snprintf(ours, sizeof ours, "direct access");
	} else if (s == DX_NOT_FOUND) {
		snprintf(ours, sizeof ours, "direct access");
	} else {
		snprintf(ours, sizeof ours, "%s",
			 s == DX_OK ? "WinHttpSettings is not REG_BINARY" : e.text);
	}
	dx_regval_free(&v);
	wchar_t exe[MAX_PATH + 32];
	tool_path(L"netsh.exe", exe, MAX_PATH + 32);
	struct tool_run r;
	run_tool(exe, L"winhttp show proxy", &r);
	int n = tool_ok(&r) ? dx_st_netsh_proxy(r.out, proxy, sizeof proxy, bypass, sizeof bypass)
			    : -1;
	int rc;
	if (!tool_ok(&r)) {
		rc = dx_st_add(l, "proxy", "WinHTTP proxy", DX_ST_NOT_COMPARED, ours, "", r.cmd,
			       r.why);
	} else if (n >= 0) {
		if (n)
			snprintf(theirs, sizeof theirs, "proxy %s, bypass %s", proxy,
				 bypass[0] ? bypass : "(none)");
		else
			snprintf(theirs, sizeof theirs, "direct access");
		rc = dx_st_compare(l, "proxy", "WinHTTP proxy", ours, theirs,
				   "netsh winhttp show proxy");
	} else {
		rc = no_answer(l, "proxy", "WinHTTP proxy", ours, &r,
			       "netsh printed no WinHTTP proxy settings");
	}
	if (!rc)
		rc = dx_st_set_command(l, r.cmd);
	tool_free(&r);
	return rc;
}

/* ---- the PAC answer --------------------------------------------------------- */

/* WinHTTP's own auto-detection in one call (WINHTTP_AUTOPROXY_AUTO_DETECT,
 * DHCP and DNS), in the PAC form the platform uses. */
static int winhttp_autodetect(const char *url, char *out, size_t outsz, DWORD *code)
{
	WINHTTP_AUTOPROXY_OPTIONS o;
	WINHTTP_PROXY_INFO pi;
	memset(&o, 0, sizeof o);
	memset(&pi, 0, sizeof pi);
	*code = 0;
	wchar_t *wurl = wide(url);
	HINTERNET s = WinHttpOpen(L"mdediag-selftest", WINHTTP_ACCESS_TYPE_NO_PROXY,
				  WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, 0);
	int rc = -1;
	if (!wurl || !s) {
		*code = GetLastError();
		goto out;
	}
	WinHttpSetTimeouts(s, 5000, 5000, 5000, 5000);
	o.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
	o.dwAutoDetectFlags = WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
	o.fAutoLogonIfChallenged = TRUE;
	if (!WinHttpGetProxyForUrl(s, wurl, &o, &pi)) {
		*code = GetLastError();
		goto out;
	}
	if (pi.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && pi.lpszProxy) {
		char list[1024], *q = list;
		size_t k = 0;
		to_utf8(pi.lpszProxy, list, sizeof list);
		out[0] = '\0';
		while (*q) {
			size_t n = strcspn(q, "; \t");
			if (n && k < outsz)
				k += (size_t)snprintf(out + k, outsz - k, "%sPROXY %.*s",
						      k ? "; " : "", (int)n, q);
			q += n;
			if (*q)
				q++;
		}
		if (!out[0])
			snprintf(out, outsz, "DIRECT");
	} else {
		snprintf(out, outsz, "DIRECT");
	}
	rc = 0;
out:
	if (pi.lpszProxy)
		GlobalFree(pi.lpszProxy);
	if (pi.lpszProxyBypass)
		GlobalFree(pi.lpszProxyBypass);
	if (s)
		WinHttpCloseHandle(s);
	free(wurl);
	return rc;
}

/* The platform finds the PAC URL (DHCP, then DNS) and runs it through
 * WinHttpGetProxyForUrl with that URL; WinHTTP's auto-detection does both
 * in one call. Same answer: the platform's discovery and its reading of
 * WinHTTP's answer are WinHTTP's. */
/* Discovery, and each answer, may take this long (WinHTTP's own PAC
 * download timeouts are 5 s; DHCP and DNS discovery have none). */
#define ST_PAC_MS 30000

static int compare_pac(struct dx_st_list *l, const struct dx_platform *p)
{
	static const char *const urls[] = {"https://winatp-gw-eus.microsoft.com/",
					   "https://events.data.microsoft.com/"};
	struct dx_wpad w;
	struct dx_err e = {0};
	memset(&w, 0, sizeof w);
	enum dx_status s = dx_wpad_detect(p, ST_PAC_MS, &w, &e);
	char pac_url[1024];
	snprintf(pac_url, sizeof pac_url, "%s", w.url);
	dx_wpad_free(&w);
	const char *tool = "WinHttpGetProxyForUrl (AUTO_DETECT)";
	if (s != DX_OK) {
		char why[400];
		snprintf(why, sizeof why, "WPAD found no PAC script, nothing to run (%s)", e.text);
		return dx_st_add(l, "pac", "WPAD PAC answer", DX_ST_NOT_COMPARED, "", "", tool,
				 why);
	}
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		char what[1200], ours[1024], theirs[1024];
		DWORD code;
		snprintf(what, sizeof what, "%s by %s", urls[i], pac_url);
		struct dx_err ae = {0};
		if (dx_autoproxy(p, urls[i], pac_url, ST_PAC_MS, ours, &ae) != DX_OK)
			snprintf(ours, sizeof ours, "%s", ae.text);
		if (winhttp_autodetect(urls[i], theirs, sizeof theirs, &code))
			snprintf(theirs, sizeof theirs, "WinHttpGetProxyForUrl failed (error %lu)",
				 (unsigned long)code);
		if (dx_st_compare(l, "pac", what, ours, theirs, tool))
			return -1;
	}
	return 0;
}

/* ---- the whole run -------------------------------------------------------- */

static cJSON *os_json(const struct dx_platform *p)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	static const char *const names[] = {"ProductName", "DisplayVersion", "CurrentBuild",
					    "EditionID", "InstallationType"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char v[256];
		struct dx_err e;
		if (dx_reg_string(p, DX_KEY_CURRENTVERSION, names[i], v, sizeof v, &e) == DX_OK)
			cJSON_AddStringToObject(o, names[i], v);
	}
	uint32_t ubr;
	struct dx_err e;
	if (dx_reg_dword(p, DX_KEY_CURRENTVERSION, "UBR", &ubr, &e) == DX_OK)
		cJSON_AddNumberToObject(o, "UBR", ubr);
	typedef const char *(*wine_version_fn)(void);
	HMODULE nt = GetModuleHandleW(L"ntdll.dll");
	wine_version_fn wv =
		nt ? (wine_version_fn)(void (*)(void))GetProcAddress(nt, "wine_get_version") : NULL;
	if (wv)
		cJSON_AddStringToObject(o, "wine", wv());
	BOOL wow = FALSE;
	IsWow64Process(GetCurrentProcess(), &wow);
	cJSON_AddBoolToObject(o, "wow64_process", wow);
	return o;
}

/* ---- what the checks read ------------------------------------------------ */

/* Runs the checks (no network) through the recording platform and returns
 * what they read as a fixture (registry values, services, files): the
 * list of things to compare comes from the code itself, beyond the fixed
 * lists above (ProfileList, CBS packages, enrollments, the onboarding
 * services). NULL with the reason in err when they cannot run. */
static cJSON *checks_read(char *err, size_t errsz)
{
	struct dx_platform w = {0}, rec = {0};
	struct dx_err e = {0};
	struct dx_data data = {0};
	struct dx_options opt;
	struct dx_ctx c;
	cJSON *fx = NULL;
	if (dx_data_load(&data, NULL, err, errsz))
		return NULL;
	if (dx_platform_win32_open(&w, &e) != DX_OK) {
		snprintf(err, errsz, "%s", e.text);
		dx_data_free(&data);
		return NULL;
	}
	if (dx_record_open(&rec, w)) {
		dx_platform_close(&w);
		dx_data_free(&data);
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	memset(&opt, 0, sizeof opt);
	opt.no_network = 1;
	opt.timeout_ms = 10000;
	memset(&c, 0, sizeof c);
	c.p = &rec;
	c.opt = &opt;
	c.data = &data;
	dx_run_checks(&c);
	fx = dx_record_fixture(&rec, "selftest");
	if (!fx)
		snprintf(err, errsz, "out of memory");
	dx_findings_free(&c.findings);
	dx_platform_close(&rec);
	dx_data_free(&data);
	return fx;
}

/* Was key/name compared already (the fixed list, or an earlier entry)? */
static int already(cJSON *seen, const char *a, const char *b)
{
	char k[1200];
	size_t n = (size_t)snprintf(k, sizeof k, "%s|%s", a, b ? b : "");
	for (size_t i = 0; i < n && i < sizeof k; i++)
		if (k[i] >= 'A' && k[i] <= 'Z')
			k[i] = (char)(k[i] - 'A' + 'a');
	if (cJSON_GetObjectItemCaseSensitive(seen, k))
		return 1;
	cJSON_AddTrueToObject(seen, k);
	return 0;
}

int dx_selftest_collect(struct dx_st_list *l, cJSON **os, char *err, size_t errsz)
{
	struct dx_platform p = {0};
	struct dx_err e = {0};
	if (dx_platform_win32_open(&p, &e) != DX_OK) {
		snprintf(err, errsz, "cannot open the Win32 platform: %s", e.text);
		return -1;
	}
	find_sysdir();
	*os = os_json(&p);
	char rerr[300] = "";
	cJSON *fx = checks_read(rerr, sizeof rerr), *seen = cJSON_CreateObject(), *it, *v;
	cJSON *fx_reg = cJSON_GetObjectItem(fx, "registry"); /* NULL when fx is */
	cJSON *fx_svc = cJSON_GetObjectItem(fx, "services");
	cJSON *fx_files = cJSON_GetObjectItem(fx, "files");
	int rc = seen ? 0 : -1;
	if (!rc && !fx)
		rc = dx_st_add(l, "registry", "values the checks read", DX_ST_NOT_COMPARED, "", "",
			       "", rerr);
	for (size_t i = 0; !rc && i < sizeof reg_values / sizeof reg_values[0]; i++)
		if (!already(seen, reg_values[i].key, reg_values[i].name))
			rc = compare_reg(l, &p, reg_values[i].key, reg_values[i].name);
	cJSON_ArrayForEach(it, fx_reg)
	{
		cJSON_ArrayForEach(v, it)
		{
			if (!rc && !already(seen, it->string, v->string))
				rc = compare_reg(l, &p, it->string, v->string);
		}
	}
	static const char *const services[] = {"Sense", "WinDefend", "DiagTrack",
					       "WinHttpAutoProxySvc"};
	for (size_t i = 0; !rc && i < sizeof services / sizeof services[0]; i++)
		if (!already(seen, "service", services[i]))
			rc = compare_service(l, &p, services[i]);
	cJSON_ArrayForEach(it, fx_svc)
	{
		if (!rc && !already(seen, "service", it->string))
			rc = compare_service(l, &p, it->string);
	}
	char path[600];
	if (!rc) {
		service_exe(&p, "Sense",
			    "%ProgramFiles%\\Windows Defender Advanced Threat "
			    "Protection\\MsSense.exe",
			    path, sizeof path);
		if (!already(seen, "file", path))
			rc = compare_file(l, &p, path);
	}
	if (!rc) {
		service_exe(&p, "WinDefend", "%ProgramFiles%\\Windows Defender\\MsMpEng.exe", path,
			    sizeof path);
		if (!already(seen, "file", path))
			rc = compare_file(l, &p, path);
	}
	cJSON_ArrayForEach(it, fx_files)
	{
		/* files whose version the checks read */
		if (!rc && cJSON_GetObjectItem(it, "version") && !already(seen, "file", it->string))
			rc = compare_file(l, &p, it->string);
	}
	cJSON_Delete(fx);
	cJSON_Delete(seen);
	if (!rc)
		rc = compare_events(l, &p, DX_LOG_APPLICATION, "WDATPOnboarding");
	if (!rc)
		rc = compare_events(l, &p, DX_LOG_SENSE, NULL);
	if (!rc)
		rc = compare_events(l, &p, DX_LOG_MDM, NULL);
	if (!rc)
		rc = compare_elevation(l, &p);
	if (!rc)
		rc = compare_codepage(l);
	if (!rc)
		rc = compare_winhttp(l, &p);
	if (!rc)
		rc = compare_pac(l, &p);
	dx_platform_close(&p);
	if (rc)
		snprintf(err, errsz, "out of memory");
	return rc;
}

#endif
