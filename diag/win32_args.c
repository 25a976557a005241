/* win32_args.c - see win32_args.h. Windows only. */
#ifdef _WIN32
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <shellapi.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "win32_args.h"

/* UTF-16 -> newly allocated UTF-8, NULL on failure. */
static char *utf8_of(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s;
	if (n <= 0)
		return NULL;
	s = malloc((size_t)n);
	if (s && WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL) != n) {
		free(s);
		s = NULL;
	}
	return s;
}

/* UTF-8 -> newly allocated UTF-16, NULL when invalid or out of memory. */
static wchar_t *wide_of(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
	wchar_t *w;
	if (n <= 0)
		return NULL;
	w = malloc((size_t)n * sizeof *w);
	if (w && MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n) != n) {
		free(w);
		w = NULL;
	}
	return w;
}

int dx_utf8_args(int *argc, char ***argv)
{
	int n = 0, i;
	/* CommandLineToArgvW splits as the C runtime splits argv (quotes,
	 * backslashes before quotes); LocalFree releases it. */
	wchar_t **wv = CommandLineToArgvW(GetCommandLineW(), &n);
	char **v;

	if (!wv || n <= 0)
		return -1;
	v = calloc((size_t)n + 1, sizeof *v);
	for (i = 0; v && i < n; i++)
		if (!(v[i] = utf8_of(wv[i])))
			break;
	LocalFree(wv);
	if (!v || i < n) {
		if (v)
			while (i-- > 0)
				free(v[i]);
		free(v);
		return -1;
	}
	*argc = n;
	*argv = v; /* lives until exit, as argv does */
	return 0;
}

FILE *dx_fopen(const char *path, const char *mode)
{
	wchar_t *wp = wide_of(path), *wm = wide_of(mode);
	FILE *f = NULL;

	if (wp && wm)
		f = _wfopen(wp, wm);
	else
		errno = EINVAL;
	free(wp);
	free(wm);
	return f;
}
#endif
