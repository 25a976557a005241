/* win32_args.h - command-line arguments and file names in UTF-8 on Windows.
 *
 * mdediag.exe's manifest asks for the UTF-8 active code page, but Windows
 * honours activeCodePage only from Windows 10 1903 on: before (Server 2016
 * is 1607, Server 2019 is 1809), and on any Windows for a program without
 * the manifest, argv arrives in the legacy ANSI code page (cp1252, cp932)
 * and fopen() takes names in it, so a non-ASCII --fixture or --output path
 * is mangled or cannot be opened. The wide command line and the wide C
 * runtime calls are the same on every version: argv is rebuilt from
 * GetCommandLineW, and files are opened with _wfopen. Elsewhere both are
 * the plain C calls.
 */
#ifndef DX_WIN32_ARGS_H
#define DX_WIN32_ARGS_H

#include <stdio.h>

#ifdef _WIN32
/* Replaces *argv with the arguments of GetCommandLineW split by
 * CommandLineToArgvW, each converted to UTF-8 (kept until exit). 0, or -1
 * (argv left as it was) when Windows cannot give them. */
int dx_utf8_args(int *argc, char ***argv);
/* fopen for a UTF-8 path (_wfopen); NULL with errno like fopen. */
FILE *dx_fopen(const char *path, const char *mode);
#else
static inline int dx_utf8_args(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
#define dx_fopen fopen
#endif

#endif
