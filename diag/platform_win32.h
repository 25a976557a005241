/* platform_win32.h - the real Windows platform (platform_win32.c).
 *
 * Answers the primitives of platform.h with the Win32 API of the machine
 * the program runs on: the registry (always the 64-bit view), the service
 * control manager, the file system and version resources, the Windows Event
 * Log API, Winsock name resolution and the system clock. It only reads:
 * nothing here writes to the registry, the services or the disk, and no
 * command is run.
 *
 * Built only for Windows hosts; under Wine it works except for event logs,
 * which Wine stubs (events_query then answers DX_UNSUPPORTED).
 */
#ifndef DX_PLATFORM_WIN32_H
#define DX_PLATFORM_WIN32_H

#include "platform.h"

/* The operations; ctx comes from dx_platform_win32_open. */
extern const struct dx_platform_ops dx_win32_ops;

/* Opens the platform of this machine (starts Winsock). Returns DX_OK (0)
 * and fills `out`, or another enum dx_status with `err` filled and `out`
 * untouched. Release with dx_platform_close. */
int dx_platform_win32_open(struct dx_platform *out, struct dx_err *err);

#ifdef _WIN32
#include <windows.h>
#include <winevt.h>
/* One event value (EvtRenderEventValues) as UTF-8 text, an array as its
 * elements joined by ", "; the caller frees. Exposed for win32_units. */
char *dx_w32_variant_text(const EVT_VARIANT *v);
#endif

#endif
