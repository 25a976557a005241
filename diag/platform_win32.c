/* platform_win32.c - the real Windows platform: platform.h answered with
 * the Win32 API of the machine mdediag runs on.
 *
 * The only file of the diagnostic that includes windows.h. Everything it
 * gets from Windows is UTF-16; everything it hands back is UTF-8. Every
 * buffer is bounded: a registry value, a version resource or a service
 * configuration larger than DX_W32_MAX_DATA is DX_BAD_DATA, never a large
 * allocation, and odd data (strings without terminator, DWORDs of the wrong
 * size, unknown value types) is reported, not trusted.
 *
 * Failures are mapped from the Win32 error code (dx_w32_status) and the
 * reason text carries the API that failed, the object asked about and
 * Windows' own message, so it can be shown as evidence.
 *
 * Read-only by contract: keys are opened with query/enumerate rights only,
 * services with SERVICE_QUERY_* rights only.
 */
#ifdef _WIN32

#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0A00
#endif
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winevt.h>
#include <winhttp.h>
#include <winver.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"
#include "platform_win32.h"

/* Largest registry value, version resource or event message we accept. */
#define DX_W32_MAX_DATA (1024u * 1024u)
/* Most names one enumeration returns (subkeys, values, directory entries). */
#define DX_W32_MAX_ENTRIES 100000u
/* Most characters of one rendered event message we keep. */
#define DX_W32_MAX_MESSAGE 8192u
/* FILETIME of 1970-01-01T00:00:00Z (100 ns ticks since 1601). */
#define DX_W32_EPOCH_TICKS 116444736000000000ULL

struct dx_w32 {
	int wsa_started;
	/* The auto-proxy session, opened at the first autoproxy call and kept
	 * for the run: WinHTTP caches the PAC URL and script per session
	 * (Microsoft Learn, "AutoProxy Cache"). NULL until then. */
	HINTERNET autoproxy_session;
};

/* ---- strings and errors ------------------------------------------------ */

/* UTF-8 -> newly allocated UTF-16, or NULL (invalid UTF-8 or no memory). */
static wchar_t *dx_w32_wide(const char *s)
{
	int n;
	wchar_t *w;

	n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	if (n <= 0)
		return NULL;
	w = malloc((size_t)n * sizeof(wchar_t));
	if (!w)
		return NULL;
	if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		return NULL;
	}
	return w;
}

/* `wlen` UTF-16 units (or -1: up to the NUL) -> newly allocated UTF-8,
 * NUL-terminated, its length in *outlen when not NULL. Unpaired surrogates
 * become U+FFFD rather than failing. NULL only when out of memory. */
static char *dx_w32_utf8(const wchar_t *w, int wlen, size_t *outlen)
{
	int n = 0;
	char *s;

	if (wlen != 0) {
		n = WideCharToMultiByte(CP_UTF8, 0, w, wlen, NULL, 0, NULL, NULL);
		if (n < 0)
			n = 0;
	}
	s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	if (n > 0)
		n = WideCharToMultiByte(CP_UTF8, 0, w, wlen, s, n, NULL, NULL);
	if (n < 0)
		n = 0;
	s[n] = '\0';
	/* With wlen == -1 the converted NUL is counted: drop it. */
	if (wlen < 0 && n > 0)
		n--;
	if (outlen)
		*outlen = (size_t)n;
	return s;
}

/* UTF-16 into a fixed UTF-8 buffer, cut at a character boundary. */
static void dx_w32_utf8_into(const wchar_t *w, char *out, size_t outsz)
{
	size_t len = 0;
	char *s = dx_w32_utf8(w, -1, &len);

	if (!outsz)
		goto out;
	out[0] = '\0';
	if (!s)
		goto out;
	if (len >= outsz) {
		len = outsz - 1;
		/* Do not end inside a multi-byte sequence. */
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(out, s, len);
	out[len] = '\0';
out:
	free(s);
}

/* Maps a Win32 (or Winsock, or Event Log) error code to a status. */
static enum dx_status dx_w32_status(DWORD code)
{
	switch (code) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
	case ERROR_BAD_NETPATH:
	case ERROR_INVALID_NAME:
	case ERROR_SERVICE_DOES_NOT_EXIST:
	case ERROR_SERVICE_MARKED_FOR_DELETE:
	case ERROR_EVT_CHANNEL_NOT_FOUND:
	case ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND:
	case WSAHOST_NOT_FOUND:
	case WSANO_DATA: return DX_NOT_FOUND;
	case ERROR_ACCESS_DENIED:
	case ERROR_PRIVILEGE_NOT_HELD: return DX_ACCESS_DENIED;
	case ERROR_BUSY:
	case ERROR_RETRY:
	case ERROR_SERVICE_DATABASE_LOCKED:
	case ERROR_SERVICE_REQUEST_TIMEOUT:
	case RPC_S_SERVER_UNAVAILABLE:
	case RPC_S_SERVER_TOO_BUSY:
	case WSATRY_AGAIN: return DX_TRANSIENT;
	case ERROR_TIMEOUT:
	case WAIT_TIMEOUT:
	case WSAETIMEDOUT: return DX_TIMEOUT;
	case ERROR_CALL_NOT_IMPLEMENTED:
	case ERROR_NOT_SUPPORTED:
	case ERROR_INVALID_FUNCTION:
	case ERROR_PROC_NOT_FOUND: return DX_UNSUPPORTED;
	default:
		/* Anything else: the question has an answer we cannot use. */
		return DX_BAD_DATA;
	}
}

/* Windows' own one-line message for `code` into buf ("" when none). */
static void dx_w32_message(DWORD code, char *buf, size_t bufsz)
{
	wchar_t w[256];
	DWORD n;
	HMODULE mod = NULL;
	DWORD flags = FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS |
		      FORMAT_MESSAGE_MAX_WIDTH_MASK;

	buf[0] = '\0';
	/* Event Log errors live in wevtapi's table on some systems; WinHTTP's
	 * (12001-12185) only in winhttp.dll's ("Error Messages" of the WinHTTP
	 * reference: FormatMessage with the winhttp.dll module handle). */
	if (code >= 15000 && code < 15100)
		mod = GetModuleHandleW(L"wevtapi.dll");
	else if (code >= 12000 && code < 12200)
		mod = GetModuleHandleW(L"winhttp.dll");
	if (mod)
		flags |= FORMAT_MESSAGE_FROM_HMODULE;
	n = FormatMessageW(flags, mod, code, MAKELANGID(LANG_ENGLISH, SUBLANG_DEFAULT), w,
			   (DWORD)(sizeof(w) / sizeof(w[0])), NULL);
	if (!n)
		n = FormatMessageW(flags, mod, code, 0, w, (DWORD)(sizeof(w) / sizeof(w[0])), NULL);
	if (!n)
		return;
	while (n > 0 &&
	       (w[n - 1] == L' ' || w[n - 1] == L'\r' || w[n - 1] == L'\n' || w[n - 1] == L'.'))
		n--;
	w[n] = L'\0';
	dx_w32_utf8_into(w, buf, bufsz);
}

/* Fails with the status mapped from `code`: "<what>: <Windows message>
 * (error N)". Returns the status. */
static enum dx_status dx_w32_fail(struct dx_err *err, DWORD code, const char *fmt, ...)
	DX_PRINTF(3, 4);
static enum dx_status dx_w32_fail(struct dx_err *err, DWORD code, const char *fmt, ...)
{
	char what[200], msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	dx_w32_message(code, msg, sizeof(msg));
	if (msg[0])
		return dx_fail(err, dx_w32_status(code), (uint32_t)code, "%s: %s (error %lu)", what,
			       msg, (unsigned long)code);
	return dx_fail(err, dx_w32_status(code), (uint32_t)code, "%s: error %lu", what,
		       (unsigned long)code);
}

static enum dx_status dx_w32_oom(struct dx_err *err, const char *what)
{
	return dx_fail(err, DX_BAD_DATA, ERROR_NOT_ENOUGH_MEMORY, "%s: out of memory", what);
}

/* Sorts a string list by byte order (stable output across file systems). */
static int dx_w32_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* ---- registry ---------------------------------------------------------- */

/* Splits "HKLM\\SOFTWARE\\X" into a predefined root and a newly allocated
 * UTF-16 subkey path ("" for the root itself). */
static enum dx_status dx_w32_key(const char *key, HKEY *root, wchar_t **sub, struct dx_err *err)
{
	static const struct {
		const char *name;
		HKEY root;
	} roots[] = {
		{"HKLM", HKEY_LOCAL_MACHINE}, {"HKEY_LOCAL_MACHINE", HKEY_LOCAL_MACHINE},
		{"HKCU", HKEY_CURRENT_USER},  {"HKEY_CURRENT_USER", HKEY_CURRENT_USER},
		{"HKU", HKEY_USERS},          {"HKEY_USERS", HKEY_USERS},
		{"HKCR", HKEY_CLASSES_ROOT},  {"HKEY_CLASSES_ROOT", HKEY_CLASSES_ROOT},
	};
	const char *bs = strchr(key, '\\');
	size_t n = bs ? (size_t)(bs - key) : strlen(key);
	const char *rest = bs ? bs + 1 : "";
	char head[32];
	size_t i;

	*sub = NULL;
	if (n == 0 || n >= sizeof(head))
		goto bad;
	memcpy(head, key, n);
	head[n] = '\0';
	for (i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		if (dx_strieq(head, roots[i].name)) {
			*root = roots[i].root;
			*sub = dx_w32_wide(rest);
			if (!*sub)
				return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME,
					       "registry key %s: not valid UTF-8", key);
			return DX_OK;
		}
	}
bad:
	return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME,
		       "registry key %s: unknown root (use HKLM, HKCU, HKU or HKCR)", key);
}

/* Opens a key of the 64-bit view with `access` (query/enumerate only). */
static enum dx_status dx_w32_open_key(const char *key, REGSAM access, HKEY *hk, struct dx_err *err)
{
	HKEY root = NULL;
	wchar_t *sub = NULL;
	LONG rc;
	enum dx_status st;

	st = dx_w32_key(key, &root, &sub, err);
	if (st)
		goto out;
	rc = RegOpenKeyExW(root, sub, 0, access | KEY_WOW64_64KEY, hk);
	if (rc != ERROR_SUCCESS)
		st = dx_w32_fail(err, (DWORD)rc, "RegOpenKeyEx(%s)", key);
out:
	free(sub);
	return st;
}

/* Converts `n` bytes of a REG_SZ/REG_EXPAND_SZ to UTF-8: up to the first
 * NUL, or all of it when the terminator is missing (an odd last byte is
 * ignored). */
static enum dx_status dx_w32_sz(const BYTE *raw, DWORD n, struct dx_regval *out, struct dx_err *err)
{
	const wchar_t *w = (const wchar_t *)raw;
	size_t units = n / sizeof(wchar_t), len = 0;

	while (len < units && w[len])
		len++;
	out->data = (unsigned char *)dx_w32_utf8(w, (int)len, &out->len);
	if (!out->data)
		return dx_w32_oom(err, "registry string");
	return DX_OK;
}

/* REG_MULTI_SZ: the strings up to the first empty one (or the end of the
 * data), each NUL-terminated in UTF-8, len covering them all. */
static enum dx_status dx_w32_multi_sz(const BYTE *raw, DWORD n, struct dx_regval *out,
				      struct dx_err *err)
{
	const wchar_t *w = (const wchar_t *)raw;
	size_t units = n / sizeof(wchar_t), i = 0, total = 0, cap;
	unsigned char *buf;

	/* Worst case: 3 UTF-8 bytes per UTF-16 unit, plus terminators. */
	cap = units * 3 + 2;
	buf = malloc(cap);
	if (!buf)
		return dx_w32_oom(err, "registry string list");
	while (i < units && w[i]) {
		size_t len = 0, slen;
		char *s;

		while (i + len < units && w[i + len])
			len++;
		s = dx_w32_utf8(w + i, (int)len, &slen);
		if (!s) {
			free(buf);
			return dx_w32_oom(err, "registry string list");
		}
		if (total + slen + 2 > cap)
			slen = 0; /* cannot happen with the bound above */
		memcpy(buf + total, s, slen);
		total += slen;
		buf[total++] = '\0';
		free(s);
		i += len + 1;
	}
	buf[total] = '\0'; /* extra terminator beyond len, for safety */
	out->data = buf;
	out->len = total;
	return DX_OK;
}

static enum dx_status dx_w32_reg_read(void *ctx, const char *key, const char *value,
				      struct dx_regval *out, struct dx_err *err)
{
	HKEY hk = NULL;
	wchar_t *wname = NULL;
	BYTE *raw = NULL;
	DWORD type = 0, size = 0;
	LONG rc;
	enum dx_status st;
	int tries;

	memset(out, 0, sizeof(*out));
	st = dx_w32_open_key(key, KEY_QUERY_VALUE, &hk, err);
	if (st)
		goto out;
	wname = dx_w32_wide(value ? value : "");
	if (!wname) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME,
			     "registry value %s\\%s: not valid UTF-8", key, value);
		goto out;
	}
	/* The value may grow between the size query and the read: retry. */
	for (tries = 0; tries < 3; tries++) {
		rc = RegQueryValueExW(hk, wname, NULL, &type, NULL, &size);
		if (rc != ERROR_SUCCESS) {
			st = dx_w32_fail(err, (DWORD)rc, "RegQueryValueEx(%s\\%s)", key, value);
			goto out;
		}
		if (size > DX_W32_MAX_DATA) {
			st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
				     "registry value %s\\%s: %lu bytes, more than the %u we read",
				     key, value, (unsigned long)size, DX_W32_MAX_DATA);
			goto out;
		}
		free(raw);
		/* Zeroed slack: a string without terminator still ends. */
		raw = calloc(1, (size_t)size + 4);
		if (!raw) {
			st = dx_w32_oom(err, "registry value");
			goto out;
		}
		rc = RegQueryValueExW(hk, wname, NULL, &type, raw, &size);
		if (rc == ERROR_SUCCESS)
			break;
		if (rc != ERROR_MORE_DATA) {
			st = dx_w32_fail(err, (DWORD)rc, "RegQueryValueEx(%s\\%s)", key, value);
			goto out;
		}
	}
	if (tries == 3) {
		st = dx_fail(err, DX_TRANSIENT, ERROR_MORE_DATA,
			     "registry value %s\\%s keeps changing size", key, value);
		goto out;
	}

	switch (type) {
	case REG_SZ:
	case REG_EXPAND_SZ:
		out->type = type == REG_SZ ? DX_REG_SZ : DX_REG_EXPAND_SZ;
		st = dx_w32_sz(raw, size, out, err);
		break;
	case REG_MULTI_SZ:
		out->type = DX_REG_MULTI_SZ;
		st = dx_w32_multi_sz(raw, size, out, err);
		break;
	case REG_DWORD:
		out->type = DX_REG_DWORD;
		if (size != 4) {
			st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
				     "registry value %s\\%s: REG_DWORD of %lu bytes", key, value,
				     (unsigned long)size);
			break;
		}
		out->num = (uint64_t)raw[0] | (uint64_t)raw[1] << 8 | (uint64_t)raw[2] << 16 |
			   (uint64_t)raw[3] << 24;
		break;
	case REG_QWORD:
		out->type = DX_REG_QWORD;
		if (size != 8) {
			st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
				     "registry value %s\\%s: REG_QWORD of %lu bytes", key, value,
				     (unsigned long)size);
			break;
		}
		memcpy(&out->num, raw, 8);
		break;
	case REG_BINARY:
	case REG_NONE:
		out->type = type == REG_BINARY ? DX_REG_BINARY : DX_REG_NONE;
		out->data = raw;
		out->len = size;
		raw = NULL;
		break;
	default:
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			     "registry value %s\\%s: unsupported type %lu", key, value,
			     (unsigned long)type);
		break;
	}
out:
	if (st)
		dx_regval_free(out);
	free(raw);
	free(wname);
	if (hk)
		RegCloseKey(hk);
	return st;
}

/* Lists subkey names (values == 0) or value names (values == 1). */
static enum dx_status dx_w32_reg_enum(const char *key, int values, struct dx_strlist *out,
				      struct dx_err *err)
{
	/* Key names are at most 255 characters, value names 16383. */
	enum { NAME_MAX_UNITS = 16384 };
	HKEY hk = NULL;
	wchar_t *name = NULL;
	DWORD i, len;
	LONG rc;
	enum dx_status st;

	memset(out, 0, sizeof(*out));
	st = dx_w32_open_key(key, values ? KEY_QUERY_VALUE : KEY_ENUMERATE_SUB_KEYS, &hk, err);
	if (st)
		goto out;
	name = malloc(NAME_MAX_UNITS * sizeof(wchar_t));
	if (!name) {
		st = dx_w32_oom(err, "registry enumeration");
		goto out;
	}
	for (i = 0;; i++) {
		char *s;

		if (i >= DX_W32_MAX_ENTRIES) {
			st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
				     "registry key %s: more than %u entries", key,
				     DX_W32_MAX_ENTRIES);
			goto out;
		}
		len = NAME_MAX_UNITS;
		if (values)
			rc = RegEnumValueW(hk, i, name, &len, NULL, NULL, NULL, NULL);
		else
			rc = RegEnumKeyExW(hk, i, name, &len, NULL, NULL, NULL, NULL);
		if (rc == ERROR_NO_MORE_ITEMS)
			break;
		if (rc != ERROR_SUCCESS) {
			st = dx_w32_fail(err, (DWORD)rc, "%s(%s)",
					 values ? "RegEnumValue" : "RegEnumKeyEx", key);
			goto out;
		}
		s = dx_w32_utf8(name, (int)len, NULL);
		if (!s || dx_strlist_push(out, s) != 0) {
			free(s);
			st = dx_w32_oom(err, "registry enumeration");
			goto out;
		}
		free(s);
	}
out:
	if (st)
		dx_strlist_free(out);
	free(name);
	if (hk)
		RegCloseKey(hk);
	return st;
}

static enum dx_status dx_w32_reg_subkeys(void *ctx, const char *key, struct dx_strlist *out,
					 struct dx_err *err)
{
	return dx_w32_reg_enum(key, 0, out, err);
}

static enum dx_status dx_w32_reg_values(void *ctx, const char *key, struct dx_strlist *out,
					struct dx_err *err)
{
	return dx_w32_reg_enum(key, 1, out, err);
}

/* ---- services ---------------------------------------------------------- */

/* Start type and image path from the service's registry key, for when the
 * SCM refuses SERVICE_QUERY_CONFIG (some protected services). */
static enum dx_status dx_w32_svc_from_registry(const char *name, struct dx_svc *out,
					       struct dx_err *err)
{
	char key[400];
	struct dx_regval v;
	enum dx_status st;

	snprintf(key, sizeof(key), "HKLM\\SYSTEM\\CurrentControlSet\\Services\\%s", name);
	st = dx_w32_reg_read(NULL, key, "Start", &v, err);
	if (st)
		return st;
	if (v.type != DX_REG_DWORD || v.num > 4) {
		dx_regval_free(&v);
		return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			       "%s\\Start is not a start type", key);
	}
	out->start_type = (int)v.num;
	dx_regval_free(&v);
	st = dx_w32_reg_read(NULL, key, "ImagePath", &v, err);
	if (st == DX_OK && (v.type == DX_REG_SZ || v.type == DX_REG_EXPAND_SZ))
		snprintf(out->image_path, sizeof(out->image_path), "%s", (const char *)v.data);
	dx_regval_free(&v);
	return DX_OK; /* a missing ImagePath leaves "" */
}

static enum dx_status dx_w32_svc_query(void *ctx, const char *name, struct dx_svc *out,
				       struct dx_err *err)
{
	SC_HANDLE scm = NULL, svc = NULL;
	SERVICE_STATUS_PROCESS ssp;
	QUERY_SERVICE_CONFIGW *cfg = NULL;
	wchar_t *wname = NULL;
	DWORD need = 0, code;
	enum dx_status st = DX_OK;
	int config_denied = 0;

	memset(out, 0, sizeof(*out));
	out->start_type = -1;
	wname = dx_w32_wide(name);
	if (!wname) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME,
			     "service name %s: not valid UTF-8", name);
		goto out;
	}
	scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_CONNECT);
	if (!scm) {
		st = dx_w32_fail(err, GetLastError(), "OpenSCManager");
		goto out;
	}
	svc = OpenServiceW(scm, wname, SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
	if (!svc && GetLastError() == ERROR_ACCESS_DENIED) {
		config_denied = 1;
		svc = OpenServiceW(scm, wname, SERVICE_QUERY_STATUS);
	}
	if (!svc) {
		code = GetLastError();
		/* 1072 (marked for deletion) stays 1072: the service still
		 * exists until a restart, which is the fix, not a reinstall */
		st = dx_w32_fail(err, code, "OpenService(%s)", name);
		goto out;
	}
	if (!QueryServiceStatusEx(svc, SC_STATUS_PROCESS_INFO, (BYTE *)&ssp, sizeof(ssp), &need)) {
		st = dx_w32_fail(err, GetLastError(), "QueryServiceStatusEx(%s)", name);
		goto out;
	}
	if (ssp.dwCurrentState < 1 || ssp.dwCurrentState > 7) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA, "service %s: unknown state %lu",
			     name, (unsigned long)ssp.dwCurrentState);
		goto out;
	}
	out->state = (int)ssp.dwCurrentState;

	if (config_denied) {
		st = dx_w32_svc_from_registry(name, out, err);
		goto out;
	}
	need = 0;
	if (!QueryServiceConfigW(svc, NULL, 0, &need) &&
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
		code = GetLastError();
		if (code == ERROR_ACCESS_DENIED) {
			st = dx_w32_svc_from_registry(name, out, err);
			goto out;
		}
		st = dx_w32_fail(err, code, "QueryServiceConfig(%s)", name);
		goto out;
	}
	if (need == 0 || need > 64 * 1024) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			     "QueryServiceConfig(%s): %lu bytes", name, (unsigned long)need);
		goto out;
	}
	cfg = malloc(need);
	if (!cfg) {
		st = dx_w32_oom(err, "service configuration");
		goto out;
	}
	if (!QueryServiceConfigW(svc, cfg, need, &need)) {
		st = dx_w32_fail(err, GetLastError(), "QueryServiceConfig(%s)", name);
		goto out;
	}
	out->start_type = (int)cfg->dwStartType;
	if (cfg->lpBinaryPathName)
		dx_w32_utf8_into(cfg->lpBinaryPathName, out->image_path, sizeof(out->image_path));
out:
	if (st) {
		memset(out, 0, sizeof(*out));
		out->start_type = -1;
	}
	free(cfg);
	free(wname);
	if (svc)
		CloseServiceHandle(svc);
	if (scm)
		CloseServiceHandle(scm);
	return st;
}

/* ---- files ------------------------------------------------------------- */

static enum dx_status dx_w32_file_exists(void *ctx, const char *path, int *is_dir,
					 struct dx_err *err)
{
	wchar_t *w = dx_w32_wide(path);
	DWORD attr;
	enum dx_status st = DX_OK;

	if (!w)
		return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME, "path %s: not valid UTF-8",
			       path);
	attr = GetFileAttributesW(w);
	if (attr == INVALID_FILE_ATTRIBUTES) {
		DWORD code = GetLastError();

		st = dx_w32_fail(err, code, "GetFileAttributes(%s)", path);
		/* Every flavour of "not there" reads as file not found. */
		if (st == DX_NOT_FOUND)
			err->code = DX_ERROR_FILE_NOT_FOUND;
		goto out;
	}
	if (is_dir)
		*is_dir = (attr & FILE_ATTRIBUTE_DIRECTORY) ? 1 : 0;
out:
	free(w);
	return st;
}

static enum dx_status dx_w32_file_version(void *ctx, const char *path, char out[64],
					  struct dx_err *err)
{
	wchar_t *w = NULL;
	void *buf = NULL;
	VS_FIXEDFILEINFO *ffi = NULL;
	UINT fl = 0;
	DWORD size, handle = 0;
	int is_dir = 0;
	enum dx_status st;

	out[0] = '\0';
	/* Existence first: GetFileVersionInfoSize's errors are vaguer. */
	st = dx_w32_file_exists(ctx, path, &is_dir, err);
	if (st)
		goto out;
	if (is_dir) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_DIRECTORY,
			     "%s is a directory, not an executable", path);
		goto out;
	}
	w = dx_w32_wide(path);
	if (!w) {
		st = dx_w32_oom(err, "path");
		goto out;
	}
	size = GetFileVersionInfoSizeW(w, &handle);
	if (size == 0) {
		DWORD code = GetLastError();

		if (code == ERROR_SUCCESS || code == ERROR_RESOURCE_TYPE_NOT_FOUND ||
		    code == ERROR_RESOURCE_DATA_NOT_FOUND ||
		    code == ERROR_RESOURCE_NAME_NOT_FOUND || code == ERROR_BAD_EXE_FORMAT)
			st = dx_fail(err, DX_BAD_DATA, code,
				     "%s has no version resource (error %lu)", path,
				     (unsigned long)code);
		else
			st = dx_w32_fail(err, code, "GetFileVersionInfoSize(%s)", path);
		goto out;
	}
	if (size > DX_W32_MAX_DATA) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			     "%s: version resource of %lu bytes", path, (unsigned long)size);
		goto out;
	}
	buf = calloc(1, size);
	if (!buf) {
		st = dx_w32_oom(err, "version resource");
		goto out;
	}
	if (!GetFileVersionInfoW(w, 0, size, buf)) {
		st = dx_w32_fail(err, GetLastError(), "GetFileVersionInfo(%s)", path);
		goto out;
	}
	if (!VerQueryValueW(buf, L"\\", (void **)&ffi, &fl) || !ffi || fl < sizeof(*ffi) ||
	    ffi->dwSignature != 0xFEEF04BDu) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			     "%s: no fixed file version in the version resource", path);
		goto out;
	}
	snprintf(out, 64, "%u.%u.%u.%u", (unsigned)HIWORD(ffi->dwFileVersionMS),
		 (unsigned)LOWORD(ffi->dwFileVersionMS), (unsigned)HIWORD(ffi->dwFileVersionLS),
		 (unsigned)LOWORD(ffi->dwFileVersionLS));
out:
	free(buf);
	free(w);
	return st;
}

/* The last `max` bytes of a file (at most DX_W32_MAX_DATA), opened for
 * reading while its program may still write or rotate it. */
static enum dx_status dx_w32_file_tail(void *ctx, const char *path, size_t max, char **out,
				       size_t *len, uint64_t *size, struct dx_err *err)
{
	HANDLE h = INVALID_HANDLE_VALUE;
	wchar_t *w = NULL;
	LARGE_INTEGER sz, at;
	DWORD got = 0;
	size_t want, done = 0;
	int is_dir = 0;
	enum dx_status st;

	(void)ctx;
	*out = NULL;
	*len = 0;
	*size = 0;
	st = dx_w32_file_exists(ctx, path, &is_dir, err);
	if (st)
		goto out;
	if (is_dir) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_DIRECTORY, "%s is a directory, not a file",
			     path);
		goto out;
	}
	w = dx_w32_wide(path);
	if (!w) {
		st = dx_w32_oom(err, "path");
		goto out;
	}
	h = CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		st = dx_w32_fail(err, GetLastError(), "CreateFile(%s)", path);
		goto out;
	}
	if (!GetFileSizeEx(h, &sz)) {
		st = dx_w32_fail(err, GetLastError(), "GetFileSizeEx(%s)", path);
		goto out;
	}
	*size = (uint64_t)sz.QuadPart;
	if (max == 0 || max > DX_W32_MAX_DATA)
		max = DX_W32_MAX_DATA;
	want = *size > max ? max : (size_t)*size;
	at.QuadPart = (LONGLONG)(*size - want);
	if (!SetFilePointerEx(h, at, NULL, FILE_BEGIN)) {
		st = dx_w32_fail(err, GetLastError(), "SetFilePointerEx(%s)", path);
		goto out;
	}
	*out = malloc(want + 1);
	if (!*out) {
		st = dx_w32_oom(err, "file");
		goto out;
	}
	/* the file may shrink meanwhile: what ReadFile gives is what was read */
	while (done < want && ReadFile(h, *out + done, (DWORD)(want - done), &got, NULL) && got)
		done += got;
	(*out)[done] = '\0';
	*len = done;
	st = DX_OK;
out:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	free(w);
	if (st != DX_OK) {
		free(*out);
		*out = NULL;
		*len = 0;
	}
	return st;
}

static enum dx_status dx_w32_dir_list(void *ctx, const char *path, struct dx_strlist *out,
				      struct dx_err *err)
{
	WIN32_FIND_DATAW fd;
	HANDLE h = INVALID_HANDLE_VALUE;
	wchar_t *w = NULL;
	char *pattern = NULL;
	size_t n;
	int is_dir = 0;
	enum dx_status st;

	memset(out, 0, sizeof(*out));
	st = dx_w32_file_exists(ctx, path, &is_dir, err);
	if (st)
		goto out;
	if (!is_dir) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_DIRECTORY, "%s is a file, not a directory",
			     path);
		goto out;
	}
	n = strlen(path);
	pattern = malloc(n + 3);
	if (!pattern) {
		st = dx_w32_oom(err, "path");
		goto out;
	}
	memcpy(pattern, path, n);
	if (n > 0 && path[n - 1] != '\\' && path[n - 1] != '/')
		pattern[n++] = '\\';
	pattern[n++] = '*';
	pattern[n] = '\0';
	w = dx_w32_wide(pattern);
	if (!w) {
		st = dx_w32_oom(err, "path");
		goto out;
	}
	h = FindFirstFileExW(w, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL, 0);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD code = GetLastError();

		if (code != ERROR_FILE_NOT_FOUND && code != ERROR_NO_MORE_FILES)
			st = dx_w32_fail(err, code, "FindFirstFile(%s)", pattern);
		goto out; /* an empty directory: an empty list */
	}
	do {
		char *s;

		if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
			continue;
		if (out->count >= DX_W32_MAX_ENTRIES) {
			st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
				     "directory %s: more than %u entries", path,
				     DX_W32_MAX_ENTRIES);
			goto out;
		}
		s = dx_w32_utf8(fd.cFileName, -1, NULL);
		if (!s || dx_strlist_push(out, s) != 0) {
			free(s);
			st = dx_w32_oom(err, "directory listing");
			goto out;
		}
		free(s);
	} while (FindNextFileW(h, &fd));
	if (GetLastError() != ERROR_NO_MORE_FILES) {
		st = dx_w32_fail(err, GetLastError(), "FindNextFile(%s)", pattern);
		goto out;
	}
	/* File systems disagree on order (NTFS sorts, Wine's host does not). */
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(out->items[0]), dx_w32_cmp);
out:
	if (st)
		dx_strlist_free(out);
	if (h != INVALID_HANDLE_VALUE)
		FindClose(h);
	free(w);
	free(pattern);
	return st;
}

/* ---- event logs -------------------------------------------------------- */

/* Wine's version when running under Wine, else NULL (Wine exports
 * wine_get_version from ntdll; Windows does not). */
static const char *dx_w32_wine_version(void)
{
	typedef const char *(__cdecl * wine_get_version_fn)(void);
	HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
	wine_get_version_fn fn;

	if (!ntdll)
		return NULL;
	fn = (wine_get_version_fn)(void (*)(void))GetProcAddress(ntdll, "wine_get_version");
	return fn ? fn() : NULL;
}

static int64_t dx_w32_filetime_unix(uint64_t ticks)
{
	if (ticks < DX_W32_EPOCH_TICKS)
		return 0;
	return (int64_t)((ticks - DX_W32_EPOCH_TICKS) / 10000000ULL);
}

/* The XPath of one query; fails on names that would break out of it. */
static enum dx_status dx_w32_xpath(const char *provider, uint32_t id, int64_t since, char *out,
				   size_t outsz, struct dx_err *err)
{
	char cond[3][200];
	int n = 0, i;
	size_t used;

	if (provider) {
		if (strpbrk(provider, "'\"<>&[]") || strlen(provider) > 150)
			return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_PARAMETER,
				       "provider name %s cannot be queried", provider);
		snprintf(cond[n++], sizeof(cond[0]), "Provider[@Name='%s']", provider);
	}
	if (id)
		snprintf(cond[n++], sizeof(cond[0]), "(EventID=%lu)", (unsigned long)id);
	if (since > 0) {
		ULARGE_INTEGER u;
		FILETIME ft;
		SYSTEMTIME t;

		u.QuadPart = (uint64_t)since * 10000000ULL + DX_W32_EPOCH_TICKS;
		ft.dwLowDateTime = u.LowPart;
		ft.dwHighDateTime = u.HighPart;
		if (!FileTimeToSystemTime(&ft, &t))
			return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_PARAMETER,
				       "time %lld cannot be queried", (long long)since);
		snprintf(cond[n++], sizeof(cond[0]),
			 "TimeCreated[@SystemTime>='%04u-%02u-%02uT%02u:%02u:%02u.000Z']", t.wYear,
			 t.wMonth, t.wDay, t.wHour, t.wMinute, t.wSecond);
	}
	if (n == 0) {
		snprintf(out, outsz, "*");
		return DX_OK;
	}
	used = (size_t)snprintf(out, outsz, "*[System[");
	for (i = 0; i < n && used < outsz; i++)
		used += (size_t)snprintf(out + used, outsz - used, "%s%s", i ? " and " : "",
					 cond[i]);
	if (used < outsz)
		snprintf(out + used, outsz - used, "]]");
	return DX_OK;
}

/* EvtFormatMessage failures that still fill the buffer with the message,
 * its unresolvable inserts left as they are: ERROR_EVT_UNRESOLVED_VALUE_INSERT
 * (15029), ERROR_EVT_UNRESOLVED_PARAMETER_INSERT (15030),
 * ERROR_EVT_MAX_INSERTS_REACHED (15031). .NET's EventLogRecord.FormatDescription
 * (NativeWrapper.EvtFormatMessage) keeps the text for exactly these three;
 * 15027/15028 (no message) and 15033 (ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND: none
 * in the display language, e.g. a Japanese UI with an English-only
 * publisher) leave nothing, and the insertion strings are then the
 * evidence (dx_w32_event_strings). */
static int dx_w32_partial_message(DWORD code)
{
	return code == 15029 || code == 15030 || code == 15031;
}

/* Renders the message of one event, "" when the publisher has none. */
static char *dx_w32_event_message(EVT_HANDLE pub, EVT_HANDLE ev)
{
	wchar_t *buf = NULL;
	DWORD used = 0, code;
	char *s = NULL;

	if (!pub)
		goto out;
	if (!EvtFormatMessage(pub, ev, 0, 0, NULL, EvtFormatMessageEvent, 0, NULL, &used)) {
		code = GetLastError();
		if (code != ERROR_INSUFFICIENT_BUFFER && !dx_w32_partial_message(code))
			goto out;
	}
	if (used == 0 || used > DX_W32_MAX_DATA / sizeof(wchar_t))
		goto out;
	buf = calloc(used + 1, sizeof(wchar_t));
	if (!buf)
		goto out;
	if (!EvtFormatMessage(pub, ev, 0, 0, NULL, EvtFormatMessageEvent, used, buf, &used) &&
	    !dx_w32_partial_message(GetLastError()))
		goto out;
	if (wcslen(buf) > DX_W32_MAX_MESSAGE)
		buf[DX_W32_MAX_MESSAGE] = L'\0';
	s = dx_w32_utf8(buf, -1, NULL);
out:
	free(buf);
	return s ? s : strdup("");
}

/* Bytes of one element of an EVT_VARIANT array of `type`; 0 for the types
 * not rendered (binary, SIDs, ...). */
static size_t dx_w32_elem_size(DWORD type)
{
	switch (type) {
	case EvtVarTypeSByte:
	case EvtVarTypeByte: return 1;
	case EvtVarTypeInt16:
	case EvtVarTypeUInt16: return 2;
	case EvtVarTypeInt32:
	case EvtVarTypeUInt32:
	case EvtVarTypeHexInt32:
	case EvtVarTypeBoolean: return 4; /* BOOL */
	case EvtVarTypeInt64:
	case EvtVarTypeUInt64:
	case EvtVarTypeHexInt64: return 8;
	case EvtVarTypeGuid: return sizeof(GUID);
	case EvtVarTypeString: return sizeof(LPWSTR);
	case EvtVarTypeAnsiString: return sizeof(LPSTR);
	default: return 0;
	}
}

/* One element at `e` (the value itself, or a GUID, or a string pointer) as
 * newly allocated UTF-8; "" for the types not rendered; NULL out of memory. */
static char *dx_w32_elem_text(DWORD type, const void *e)
{
	wchar_t w[64];

	w[0] = L'\0';
	switch (type) {
	case EvtVarTypeString: {
		LPCWSTR str = *(const LPCWSTR *)e;
		size_t n = str ? wcslen(str) : 0;
		if (!str)
			break;
		if (n > DX_W32_MAX_MESSAGE)
			n = DX_W32_MAX_MESSAGE;
		return dx_w32_utf8(str, (int)n, NULL);
	}
	case EvtVarTypeAnsiString: {
		LPCSTR str = *(const LPCSTR *)e;
		return strdup(str ? str : "");
	}
	case EvtVarTypeSByte: swprintf(w, 64, L"%d", (int)*(const signed char *)e); break;
	case EvtVarTypeByte: swprintf(w, 64, L"%u", (unsigned)*(const unsigned char *)e); break;
	case EvtVarTypeInt16: swprintf(w, 64, L"%d", (int)*(const INT16 *)e); break;
	case EvtVarTypeUInt16: swprintf(w, 64, L"%u", (unsigned)*(const UINT16 *)e); break;
	case EvtVarTypeInt32: swprintf(w, 64, L"%ld", (long)*(const INT32 *)e); break;
	case EvtVarTypeUInt32: swprintf(w, 64, L"%lu", (unsigned long)*(const UINT32 *)e); break;
	case EvtVarTypeInt64: swprintf(w, 64, L"%lld", (long long)*(const INT64 *)e); break;
	case EvtVarTypeUInt64:
		swprintf(w, 64, L"%llu", (unsigned long long)*(const UINT64 *)e);
		break;
	case EvtVarTypeBoolean:
		swprintf(w, 64, L"%ls", *(const BOOL *)e ? L"true" : L"false");
		break;
	case EvtVarTypeHexInt32:
		swprintf(w, 64, L"0x%08lX", (unsigned long)*(const UINT32 *)e);
		break;
	case EvtVarTypeHexInt64:
		swprintf(w, 64, L"0x%016llX", (unsigned long long)*(const UINT64 *)e);
		break;
	case EvtVarTypeGuid: {
		const GUID *g = e;
		swprintf(w, 64, L"{%08lX-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
			 (unsigned long)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1],
			 g->Data4[2], g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6],
			 g->Data4[7]);
		break;
	}
	default: break;
	}
	return dx_w32_utf8(w, -1, NULL);
}

/* One EventData value as text: strings as they are, numbers in decimal
 * (hexadecimal for the HexInt types, as Event Viewer shows them), GUIDs in
 * braces, an array as its elements joined by ", " (Count of them; the
 * union then holds a pointer, which was printed as a number before);
 * other types (binary, SIDs) as "". NULL only when out of memory. */
char *dx_w32_variant_text(const EVT_VARIANT *v)
{
	DWORD type = v->Type & EVT_VARIANT_TYPE_MASK;
	size_t es = dx_w32_elem_size(type), len = 0;
	char *out;

	if (!(v->Type & EVT_VARIANT_TYPE_ARRAY)) {
		if (type == EvtVarTypeGuid)
			return v->GuidVal ? dx_w32_elem_text(type, v->GuidVal) : strdup("");
		/* every scalar, and a string's pointer, sits at the union's start */
		return es ? dx_w32_elem_text(type, &v->ByteVal) : strdup("");
	}
	out = calloc(1, 1);
	if (!out || !es || !v->ByteArr)
		return out;
	for (DWORD i = 0; i < v->Count && len < DX_W32_MAX_MESSAGE; i++) {
		char *one = dx_w32_elem_text(type, (const unsigned char *)v->ByteArr + i * es);
		char *grown;
		size_t n;

		if (!one)
			break;
		n = strlen(one);
		grown = realloc(out, len + n + 3);
		if (!grown) {
			free(one);
			break;
		}
		out = grown;
		snprintf(out + len, n + 3, "%s%s", i ? ", " : "", one);
		len += n + (i ? 2 : 0);
		free(one);
	}
	return out;
}

/* The insertion strings of one event (its EventData/UserData values, in
 * order): EvtRender with a EvtRenderContextUser context and
 * EvtRenderEventValues. These exist whatever the display language, so
 * they are kept as evidence next to (or instead of) the message. At most
 * 256 values; a failure leaves the list empty, never fails the query. */
static void dx_w32_event_strings(EVT_HANDLE uctx, EVT_HANDLE ev, struct dx_strlist *out)
{
	EVT_VARIANT *vals = NULL;
	DWORD used = 0, count = 0, i;

	if (!uctx)
		return;
	if (!EvtRender(uctx, ev, EvtRenderEventValues, 0, NULL, &used, &count) &&
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER)
		return;
	if (used == 0 || used > DX_W32_MAX_DATA)
		return;
	vals = calloc(1, used);
	if (!vals)
		return;
	if (!EvtRender(uctx, ev, EvtRenderEventValues, used, vals, &used, &count))
		goto out;
	for (i = 0; i < count && i < 256; i++) {
		char *s = dx_w32_variant_text(&vals[i]);

		if (!s || dx_strlist_push(out, s) != 0) {
			free(s);
			break;
		}
		free(s);
	}
out:
	free(vals);
}

/* Appends one rendered event to `out`. */
static enum dx_status dx_w32_event_add(EVT_HANDLE rctx, EVT_HANDLE uctx, EVT_HANDLE *pub,
				       wchar_t **pubname, const char *log, EVT_HANDLE ev,
				       struct dx_eventlist *out, struct dx_err *err)
{
	EVT_VARIANT *vals = NULL;
	DWORD used = 0, count = 0;
	struct dx_event e;
	struct dx_event *grown;
	enum dx_status st = DX_OK;

	memset(&e, 0, sizeof(e));
	if (!EvtRender(rctx, ev, EvtRenderEventValues, 0, NULL, &used, &count) &&
	    GetLastError() != ERROR_INSUFFICIENT_BUFFER) {
		st = dx_w32_fail(err, GetLastError(), "EvtRender(%s)", log);
		goto out;
	}
	if (used == 0 || used > DX_W32_MAX_DATA) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA, "EvtRender(%s): %lu bytes", log,
			     (unsigned long)used);
		goto out;
	}
	vals = calloc(1, used);
	if (!vals) {
		st = dx_w32_oom(err, "event");
		goto out;
	}
	if (!EvtRender(rctx, ev, EvtRenderEventValues, used, vals, &used, &count)) {
		st = dx_w32_fail(err, GetLastError(), "EvtRender(%s)", log);
		goto out;
	}
	if (count <= EvtSystemChannel) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_DATA,
			     "EvtRender(%s): %lu system values", log, (unsigned long)count);
		goto out;
	}
	if (vals[EvtSystemProviderName].Type == EvtVarTypeString &&
	    vals[EvtSystemProviderName].StringVal) {
		const wchar_t *pn = vals[EvtSystemProviderName].StringVal;

		e.provider = dx_w32_utf8(pn, -1, NULL);
		/* One publisher handle per run of events of the same provider. */
		if (!*pubname || wcscmp(*pubname, pn) != 0) {
			if (*pub)
				EvtClose(*pub);
			free(*pubname);
			*pubname = _wcsdup(pn);
			*pub = EvtOpenPublisherMetadata(NULL, pn, NULL, 0, 0);
		}
	} else {
		e.provider = strdup("");
	}
	if (vals[EvtSystemEventID].Type == EvtVarTypeUInt16)
		e.id = vals[EvtSystemEventID].UInt16Val;
	if (vals[EvtSystemLevel].Type == EvtVarTypeByte)
		e.level = vals[EvtSystemLevel].ByteVal;
	if (vals[EvtSystemTimeCreated].Type == EvtVarTypeFileTime)
		e.time = dx_w32_filetime_unix(vals[EvtSystemTimeCreated].FileTimeVal);
	e.log = strdup(log);
	e.message = dx_w32_event_message(*pub, ev);
	dx_w32_event_strings(uctx, ev, &e.strings);
	if (!e.provider || !e.log || !e.message) {
		st = dx_w32_oom(err, "event");
		goto out;
	}
	grown = realloc(out->items, (out->count + 1) * sizeof(*grown));
	if (!grown) {
		st = dx_w32_oom(err, "event list");
		goto out;
	}
	out->items = grown;
	out->items[out->count++] = e;
	memset(&e, 0, sizeof(e));
out:
	free(e.log);
	free(e.provider);
	free(e.message);
	dx_strlist_free(&e.strings);
	free(vals);
	return st;
}

static enum dx_status dx_w32_events_query(void *ctx, const char *log, const char *provider,
					  uint32_t id, int64_t since, size_t max,
					  struct dx_eventlist *out, struct dx_err *err)
{
	EVT_HANDLE q = NULL, rctx = NULL, uctx = NULL, pub = NULL;
	EVT_HANDLE batch[16];
	wchar_t *wlog = NULL, *wxpath = NULL, *pubname = NULL;
	char xpath[600];
	DWORD got = 0, i, code;
	enum dx_status st;

	memset(out, 0, sizeof(*out));
	st = dx_w32_xpath(provider, id, since, xpath, sizeof(xpath), err);
	if (st)
		goto out;
	wlog = dx_w32_wide(log);
	wxpath = dx_w32_wide(xpath);
	if (!wlog || !wxpath) {
		st = dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME, "event log %s: not valid UTF-8",
			     log);
		goto out;
	}
	SetLastError(ERROR_SUCCESS);
	q = EvtQuery(NULL, wlog, wxpath, EvtQueryChannelPath | EvtQueryReverseDirection);
	if (!q) {
		code = GetLastError();
		st = dx_w32_fail(err, code, "EvtQuery(%s, %s)", log, xpath);
		/* Wine 8 stubs the Event Log API (EvtQuery fails without
		 * setting an error): say so instead of blaming the log. */
		if (st == DX_UNSUPPORTED || code == ERROR_SUCCESS || dx_w32_wine_version()) {
			const char *wine = dx_w32_wine_version();

			/* No code from the stub: say what it means. */
			if (code == ERROR_SUCCESS)
				code = ERROR_CALL_NOT_IMPLEMENTED;
			st = dx_fail(err, DX_UNSUPPORTED, code,
				     "EvtQuery(%s): the Windows Event Log API is not "
				     "implemented here%s%s%s (error %lu)",
				     log, wine ? " (Wine " : "", wine ? wine : "",
				     wine ? " stubs it)" : "", (unsigned long)code);
		}
		goto out;
	}
	rctx = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
	if (!rctx) {
		st = dx_w32_fail(err, GetLastError(), "EvtCreateRenderContext");
		goto out;
	}
	/* the event's own values (EventData): NULL only costs the strings */
	uctx = EvtCreateRenderContext(0, NULL, EvtRenderContextUser);
	while (out->count < max && out->count < DX_W32_MAX_ENTRIES) {
		DWORD want = (DWORD)(sizeof(batch) / sizeof(batch[0]));

		if (max - out->count < want)
			want = (DWORD)(max - out->count);
		if (!EvtNext(q, want, batch, INFINITE, 0, &got)) {
			code = GetLastError();
			if (code != ERROR_NO_MORE_ITEMS)
				st = dx_w32_fail(err, code, "EvtNext(%s)", log);
			break;
		}
		for (i = 0; i < got; i++) {
			if (!st)
				st = dx_w32_event_add(rctx, uctx, &pub, &pubname, log, batch[i],
						      out, err);
			EvtClose(batch[i]);
		}
		if (st)
			break;
	}
out:
	if (st)
		dx_eventlist_free(out);
	if (pub)
		EvtClose(pub);
	if (rctx)
		EvtClose(rctx);
	if (uctx)
		EvtClose(uctx);
	if (q)
		EvtClose(q);
	free(pubname);
	free(wlog);
	free(wxpath);
	return st;
}

/* ---- name resolution, clock, host name --------------------------------- */

/* GetAddrInfoW, not the ANSI getaddrinfo: a name is UTF-8 here, and the
 * ANSI call would read its bytes in the ANSI code page (a non-ASCII name,
 * an internationalized domain or host name, would be mangled). */
static enum dx_status resolve_now(const char *host, struct dx_strlist *out, struct dx_err *err)
{
	ADDRINFOW hints, *res = NULL, *ai;
	wchar_t waddr[INET6_ADDRSTRLEN + 1], *whost;
	char addr[INET6_ADDRSTRLEN * 3 + 1];
	enum dx_status st = DX_OK;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	whost = dx_w32_wide(host);
	if (!whost)
		return dx_fail(err, DX_BAD_DATA, ERROR_INVALID_NAME,
			       "host name %s: not valid UTF-8", host);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	rc = GetAddrInfoW(whost, NULL, &hints, &res);
	if (rc != 0) {
		/* GetAddrInfoW returns the WSA error itself. */
		st = dx_w32_fail(err, (DWORD)rc, "GetAddrInfoW(%s)", host);
		goto out;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		int dup = 0;

		if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
			continue;
		if (GetNameInfoW(ai->ai_addr, (socklen_t)ai->ai_addrlen, waddr,
				 (DWORD)(sizeof(waddr) / sizeof(waddr[0])), NULL, 0,
				 NI_NUMERICHOST) != 0)
			continue;
		dx_w32_utf8_into(waddr, addr, sizeof(addr));
		for (i = 0; i < out->count; i++)
			dup |= !strcmp(out->items[i], addr);
		if (!dup && dx_strlist_push(out, addr) != 0) {
			st = dx_w32_oom(err, "address list");
			goto out;
		}
	}
	if (out->count == 0)
		st = dx_fail(err, DX_NOT_FOUND, DX_WSAHOST_NOT_FOUND,
			     "GetAddrInfoW(%s): no IPv4 or IPv6 address", host);
out:
	if (st)
		dx_strlist_free(out);
	if (res)
		FreeAddrInfoW(res);
	free(whost);
	return st;
}

/* ---- calls with no deadline of their own -------------------------------- */

/* getaddrinfo (GetAddrInfoExW's timeout does not exist before Windows 8),
 * WinHttpDetectAutoProxyConfigUrl and WinHttpGetProxyForUrl (whose session
 * timeouts bound the PAC download, not DHCP or DNS discovery) cannot be
 * told when to give up. Such a call runs on a thread of its own, so that
 * the caller can stop waiting: the job is shared by the caller and the
 * thread, and whichever lets go of it last frees it (a call that outlives
 * its caller's bound finishes in the background and its answer is
 * dropped). A job's struct starts with struct w32_job. */
struct w32_job {
	volatile LONG refs;
	void (*run)(struct w32_job *job);  /* the call, on the thread */
	void (*free)(struct w32_job *job); /* frees the job and its answer */
};

static void w32_job_release(struct w32_job *job)
{
	if (InterlockedDecrement(&job->refs) == 0)
		job->free(job);
}

static DWORD WINAPI w32_job_thread(LPVOID arg)
{
	struct w32_job *job = arg;
	job->run(job);
	w32_job_release(job);
	return 0;
}

/* Runs job->run within timeout_ms. 1: it finished, and the job is the
 * caller's alone; 0: the time ran out, and the thread keeps running with
 * its share. Either way the caller releases its own share after reading
 * the answer (1) or not (0). With no bound (timeout_ms <= 0) or no thread
 * to be had, the call runs here, unbounded but answered (1). */
static int w32_job_bounded(struct w32_job *job, int timeout_ms)
{
	HANDLE th = NULL;
	DWORD w;

	job->refs = 2;
	if (timeout_ms > 0)
		th = CreateThread(NULL, 64 * 1024, w32_job_thread, job,
				  STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
	if (!th) {
		job->refs = 1;
		job->run(job);
		return 1;
	}
	w = WaitForSingleObject(th, (DWORD)timeout_ms);
	CloseHandle(th);
	return w == WAIT_OBJECT_0;
}

struct resolve_job {
	struct w32_job base;
	char host[256];
	enum dx_status st;
	struct dx_strlist out;
	struct dx_err err;
};

static void resolve_run(struct w32_job *j)
{
	struct resolve_job *job = (struct resolve_job *)j;
	job->st = resolve_now(job->host, &job->out, &job->err);
}

static void resolve_free(struct w32_job *j)
{
	struct resolve_job *job = (struct resolve_job *)j;
	dx_strlist_free(&job->out);
	free(job);
}

static enum dx_status dx_w32_resolve(void *ctx, const char *host, int timeout_ms,
				     struct dx_strlist *out, struct dx_err *err)
{
	struct resolve_job *job;
	enum dx_status st;

	(void)ctx;
	if (timeout_ms <= 0 || strlen(host) >= sizeof job->host)
		return resolve_now(host, out, err);
	job = calloc(1, sizeof *job);
	if (!job)
		return dx_w32_oom(err, "resolver job");
	job->base.run = resolve_run;
	job->base.free = resolve_free;
	memcpy(job->host, host, strlen(host) + 1);
	if (w32_job_bounded(&job->base, timeout_ms)) {
		st = job->st;
		*out = job->out;
		*err = job->err;
		memset(&job->out, 0, sizeof job->out);
	} else {
		memset(out, 0, sizeof *out);
		st = dx_fail(err, DX_TIMEOUT, WAIT_TIMEOUT,
			     "getaddrinfo(%s): no answer within the time left (%d ms)", host,
			     timeout_ms);
	}
	w32_job_release(&job->base);
	return st;
}

static int64_t dx_w32_now(void *ctx)
{
	FILETIME ft;
	ULARGE_INTEGER u;

	GetSystemTimeAsFileTime(&ft);
	u.LowPart = ft.dwLowDateTime;
	u.HighPart = ft.dwHighDateTime;
	return dx_w32_filetime_unix(u.QuadPart);
}

static enum dx_status dx_w32_hostname(void *ctx, char out[256], struct dx_err *err)
{
	wchar_t w[256];
	DWORD n = (DWORD)(sizeof(w) / sizeof(w[0]));

	out[0] = '\0';
	/* The DNS name with its domain, as the portal shows devices. */
	if (!GetComputerNameExW(ComputerNameDnsFullyQualified, w, &n) || n == 0) {
		n = (DWORD)(sizeof(w) / sizeof(w[0]));
		if (!GetComputerNameExW(ComputerNameNetBIOS, w, &n))
			return dx_w32_fail(err, GetLastError(), "GetComputerNameEx");
	}
	w[n < 255 ? n : 255] = L'\0';
	dx_w32_utf8_into(w, out, 256);
	return DX_OK;
}

/* GetDynamicTimeZoneInformation (Vista and later): Bias is UTC minus local
 * time in minutes; the return value says whether standard time
 * (StandardBias added), daylight saving time (DaylightBias added) or
 * neither (a zone without daylight saving) is in effect now. */
static enum dx_status dx_w32_time_zone(void *ctx, struct dx_time_zone *out, struct dx_err *err)
{
	DYNAMIC_TIME_ZONE_INFORMATION tz;
	DWORD r;
	LONG bias;

	(void)ctx;
	memset(&tz, 0, sizeof(tz));
	r = GetDynamicTimeZoneInformation(&tz);
	if (r == TIME_ZONE_ID_INVALID)
		return dx_w32_fail(err, GetLastError(), "GetDynamicTimeZoneInformation");
	bias = tz.Bias;
	if (r == TIME_ZONE_ID_STANDARD)
		bias += tz.StandardBias;
	else if (r == TIME_ZONE_ID_DAYLIGHT)
		bias += tz.DaylightBias;
	out->offset_s = (int32_t)(-bias * 60);
	tz.TimeZoneKeyName[sizeof(tz.TimeZoneKeyName) / sizeof(tz.TimeZoneKeyName[0]) - 1] = L'\0';
	dx_w32_utf8_into(tz.TimeZoneKeyName, out->name, sizeof(out->name));
	return DX_OK;
}

/* ---- proxy auto-discovery (WinHTTP) ------------------------------------- */

/* One WinHttpDetectAutoProxyConfigUrl call for one discovery method. */
static DWORD dx_w32_detect(DWORD flags, char *url, size_t urlsz)
{
	LPWSTR w = NULL;

	if (!WinHttpDetectAutoProxyConfigUrl(flags, &w))
		return GetLastError();
	if (!w)
		return ERROR_WINHTTP_AUTODETECTION_FAILED;
	dx_w32_utf8_into(w, url, urlsz);
	GlobalFree(w);
	return url[0] ? 0 : ERROR_WINHTTP_AUTODETECTION_FAILED;
}

/* Both discovery methods, DHCP first, then DNS, as WinHTTP's
 * auto-detection does; asked separately so the finding can say which one
 * answered. */
struct detect_job {
	struct w32_job base;
	DWORD e;
	char url[sizeof(((struct dx_wpad *)0)->url)];
	char method[8];
};

static void detect_run(struct w32_job *j)
{
	struct detect_job *job = (struct detect_job *)j;

	job->e = dx_w32_detect(WINHTTP_AUTO_DETECT_TYPE_DHCP, job->url, sizeof(job->url));
	if (job->e == 0) {
		snprintf(job->method, sizeof(job->method), "dhcp");
		return;
	}
	job->e = dx_w32_detect(WINHTTP_AUTO_DETECT_TYPE_DNS_A, job->url, sizeof(job->url));
	if (job->e == 0)
		snprintf(job->method, sizeof(job->method), "dns");
}

static void job_free(struct w32_job *j)
{
	free(j);
}

static enum dx_status dx_w32_wpad_detect(void *ctx, int timeout_ms, struct dx_wpad *out,
					 struct dx_err *err)
{
	struct detect_job *job = calloc(1, sizeof *job);
	DWORD e;

	(void)ctx;
	out->url[0] = '\0';
	if (!job)
		return dx_w32_oom(err, "WPAD job");
	job->base.run = detect_run;
	job->base.free = job_free;
	if (!w32_job_bounded(&job->base, timeout_ms)) {
		w32_job_release(&job->base);
		return dx_fail(
			err, DX_TIMEOUT, WAIT_TIMEOUT,
			"WinHttpDetectAutoProxyConfigUrl: no answer by DHCP or DNS within the "
			"time left (%d ms)",
			timeout_ms);
	}
	e = job->e;
	if (e == 0) {
		snprintf(out->url, sizeof(out->url), "%s", job->url);
		snprintf(out->method, sizeof(out->method), "%s", job->method);
	}
	w32_job_release(&job->base);
	if (e == 0)
		return DX_OK;
	if (e == ERROR_WINHTTP_AUTODETECTION_FAILED)
		return dx_fail(err, DX_NOT_FOUND, e,
			       "WinHttpDetectAutoProxyConfigUrl: no PAC URL found by DHCP or DNS "
			       "(error %lu)",
			       (unsigned long)e);
	if (e == ERROR_WINHTTP_TIMEOUT)
		return dx_fail(err, DX_TIMEOUT, e, "WinHttpDetectAutoProxyConfigUrl: timed out");
	return dx_w32_fail(err, e, "WinHttpDetectAutoProxyConfigUrl");
}

/* WinHTTP's proxy list ("a:1;b:2" or space-separated) in PAC form. */
static void dx_w32_proxy_list(const char *list, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = list;

	out[0] = '\0';
	while (*p && o < outsz) {
		size_t n = strcspn(p, "; \t");
		if (n)
			o += (size_t)snprintf(out + o, outsz - o, "%sPROXY %.*s", o ? "; " : "",
					      (int)n, p);
		p += n;
		if (*p)
			p++;
	}
	if (!out[0])
		snprintf(out, outsz, "DIRECT");
}

/* One WinHttpGetProxyForUrl call; 0 or the Win32 error. */
static DWORD dx_w32_get_proxy(HINTERNET s, const wchar_t *url, const wchar_t *pac, BOOL autologon,
			      WINHTTP_PROXY_INFO *pi)
{
	WINHTTP_AUTOPROXY_OPTIONS o;

	memset(&o, 0, sizeof(o));
	memset(pi, 0, sizeof(*pi));
	if (pac) {
		o.dwFlags = WINHTTP_AUTOPROXY_CONFIG_URL;
		o.lpszAutoConfigUrl = pac;
	} else {
		o.dwFlags = WINHTTP_AUTOPROXY_AUTO_DETECT;
		o.dwAutoDetectFlags =
			WINHTTP_AUTO_DETECT_TYPE_DHCP | WINHTTP_AUTO_DETECT_TYPE_DNS_A;
	}
	o.fAutoLogonIfChallenged = autologon;
	return WinHttpGetProxyForUrl(s, url, &o, pi) ? 0 : GetLastError();
}

/* One URL's answer, asked on the run's session (below). */
struct autoproxy_job {
	struct w32_job base;
	HINTERNET session;
	wchar_t *url, *pac; /* pac NULL: auto-detect */
	DWORD e;
	WINHTTP_PROXY_INFO pi;
};

/* As Microsoft's "AutoProxy Cache" page advises: fAutoLogonIfChallenged
 * FALSE first, and TRUE only when that fails with
 * ERROR_WINHTTP_LOGIN_FAILURE (the PAC server challenged): credentials go
 * only to a server that asks. */
static void autoproxy_run(struct w32_job *j)
{
	struct autoproxy_job *job = (struct autoproxy_job *)j;

	job->e = dx_w32_get_proxy(job->session, job->url, job->pac, FALSE, &job->pi);
	if (job->e == ERROR_WINHTTP_LOGIN_FAILURE)
		job->e = dx_w32_get_proxy(job->session, job->url, job->pac, TRUE, &job->pi);
}

static void autoproxy_free(struct w32_job *j)
{
	struct autoproxy_job *job = (struct autoproxy_job *)j;

	if (job->pi.lpszProxy)
		GlobalFree(job->pi.lpszProxy);
	if (job->pi.lpszProxyBypass)
		GlobalFree(job->pi.lpszProxyBypass);
	free(job->url);
	free(job->pac);
	free(job);
}

/* One session for the run (the PAC URL and script are cached per session,
 * "AutoProxy Cache"). A call that outlives timeout_ms keeps the session:
 * it is never closed under it, and a later call opens another. */
static enum dx_status dx_w32_autoproxy(void *ctx, const char *url, const char *pac_url,
				       int timeout_ms, char out[1024], struct dx_err *err)
{
	struct dx_w32 *w = ctx;
	struct autoproxy_job *job;
	enum dx_status st = DX_OK;
	char proxy[1024], text[160], why[200];
	DWORD e;

	out[0] = '\0';
	job = calloc(1, sizeof *job);
	if (!job)
		return dx_w32_oom(err, "auto-proxy job");
	job->base.run = autoproxy_run;
	job->base.free = autoproxy_free;
	job->url = dx_w32_wide(url);
	job->pac = pac_url ? dx_w32_wide(pac_url) : NULL;
	if (!job->url || (pac_url && !job->pac)) {
		autoproxy_free(&job->base);
		return dx_w32_oom(err, "URL");
	}
	if (!w->autoproxy_session) {
		w->autoproxy_session =
			WinHttpOpen(L"mdediag", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
				    WINHTTP_NO_PROXY_BYPASS, 0);
		if (!w->autoproxy_session) {
			autoproxy_free(&job->base);
			return dx_w32_fail(err, GetLastError(), "WinHttpOpen");
		}
		/* bounds the PAC download and the script's run */
		WinHttpSetTimeouts(w->autoproxy_session, 5000, 5000, 5000, 5000);
	}
	job->session = w->autoproxy_session;
	if (!w32_job_bounded(&job->base, timeout_ms)) {
		w->autoproxy_session = NULL; /* still in use on the job's thread */
		w32_job_release(&job->base);
		return dx_fail(err, DX_TIMEOUT, WAIT_TIMEOUT,
			       "WinHttpGetProxyForUrl: no answer within the time left (%d ms)",
			       timeout_ms);
	}
	e = job->e;
	if (e) {
		dx_w32_message(e, text, sizeof(text));
		if (text[0])
			snprintf(why, sizeof(why), "%s, error %lu", text, (unsigned long)e);
		else
			snprintf(why, sizeof(why), "error %lu", (unsigned long)e);
		switch (e) {
		case ERROR_WINHTTP_AUTODETECTION_FAILED:
			st = dx_fail(err, DX_NOT_FOUND, e,
				     "WinHttpGetProxyForUrl: no PAC URL found (%s)", why);
			break;
		case ERROR_WINHTTP_UNABLE_TO_DOWNLOAD_SCRIPT:
			st = dx_fail(err, DX_TRANSIENT, e,
				     "WinHttpGetProxyForUrl: the PAC file could not "
				     "be downloaded (%s)",
				     why);
			break;
		case ERROR_WINHTTP_BAD_AUTO_PROXY_SCRIPT:
			st = dx_fail(err, DX_BAD_DATA, e,
				     "WinHttpGetProxyForUrl: the PAC script failed "
				     "(%s)",
				     why);
			break;
		case ERROR_WINHTTP_TIMEOUT:
			st = dx_fail(err, DX_TIMEOUT, e, "WinHttpGetProxyForUrl: timed out (%s)",
				     why);
			break;
		default: st = dx_w32_fail(err, e, "WinHttpGetProxyForUrl");
		}
	} else if (job->pi.dwAccessType == WINHTTP_ACCESS_TYPE_NAMED_PROXY && job->pi.lpszProxy) {
		dx_w32_utf8_into(job->pi.lpszProxy, proxy, sizeof(proxy));
		dx_w32_proxy_list(proxy, out, 1024);
	} else {
		snprintf(out, 1024, "DIRECT");
	}
	w32_job_release(&job->base);
	return st;
}

/* GetTokenInformation(TokenElevation) on the process token (opened with
 * TOKEN_QUERY): TOKEN_ELEVATION.TokenIsElevated is nonzero when the token
 * has elevated privileges (Vista and later). An administrator started
 * without "Run as administrator" gets the filtered token: not elevated,
 * and every read only SYSTEM or Administrators may do is denied. */
static enum dx_status dx_w32_elevated(void *ctx, int *out, struct dx_err *err)
{
	HANDLE tok = NULL;
	TOKEN_ELEVATION te;
	DWORD n = 0;
	enum dx_status st = DX_OK;

	*out = -1;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return dx_w32_fail(err, GetLastError(), "OpenProcessToken");
	if (!GetTokenInformation(tok, TokenElevation, &te, sizeof(te), &n))
		st = dx_w32_fail(err, GetLastError(), "GetTokenInformation(TokenElevation)");
	else
		*out = te.TokenIsElevated != 0;
	CloseHandle(tok);
	return st;
}

static void dx_w32_close(void *ctx)
{
	struct dx_w32 *w = ctx;

	if (!w)
		return;
	if (w->autoproxy_session)
		WinHttpCloseHandle(w->autoproxy_session);
	if (w->wsa_started)
		WSACleanup();
	free(w);
}

const struct dx_platform_ops dx_win32_ops = {
	.name = "win32",
	.reg_read = dx_w32_reg_read,
	.reg_subkeys = dx_w32_reg_subkeys,
	.reg_values = dx_w32_reg_values,
	.svc_query = dx_w32_svc_query,
	.file_exists = dx_w32_file_exists,
	.file_version = dx_w32_file_version,
	.dir_list = dx_w32_dir_list,
	.file_tail = dx_w32_file_tail,
	.events_query = dx_w32_events_query,
	.resolve = dx_w32_resolve,
	.now = dx_w32_now,
	.hostname = dx_w32_hostname,
	.elevated = dx_w32_elevated,
	.close = dx_w32_close,
	.wpad_detect = dx_w32_wpad_detect,
	.time_zone = dx_w32_time_zone,
	.autoproxy = dx_w32_autoproxy,
};

int dx_platform_win32_open(struct dx_platform *out, struct dx_err *err)
{
	struct dx_w32 *w;
	WSADATA wsa;
	int rc;

	w = calloc(1, sizeof(*w));
	if (!w)
		return dx_w32_oom(err, "platform");
	rc = WSAStartup(MAKEWORD(2, 2), &wsa);
	if (rc != 0) {
		free(w);
		return dx_w32_fail(err, (DWORD)rc, "WSAStartup");
	}
	w->wsa_started = 1;
	out->ops = &dx_win32_ops;
	out->ctx = w;
	return DX_OK;
}

#endif /* _WIN32 */
