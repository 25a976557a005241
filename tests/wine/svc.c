/* svc.c - a do-nothing Windows service for the Wine tests.
 *
 * tests/wine/load-fixture.py copies it to a fixture's service image path
 * (e.g. MsSense.exe) and registers it with `sc create`. Started with
 * `sc start NAME`, it reports the state given as the DWORD MdediagTestState
 * under its service key (or as its first start argument; 2..7, default
 * 4 = RUNNING) and stays there until SERVICE_CONTROL_STOP,
 * so a fixture can put Sense or WinDefend in any state the checks read.
 * Its version resource (svc.rc) is what load-fixture patches to give the
 * copy the fixture's file version. Run outside the SCM it exits 2.
 */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>

static SERVICE_STATUS_HANDLE svc_handle;
static HANDLE svc_stop_event;
static SERVICE_STATUS svc_status;

static void svc_report(DWORD state)
{
	svc_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
	svc_status.dwCurrentState = state;
	svc_status.dwControlsAccepted =
		state == SERVICE_STOPPED ? 0 : SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_PAUSE_CONTINUE;
	svc_status.dwWin32ExitCode = NO_ERROR;
	svc_status.dwWaitHint = 0;
	SetServiceStatus(svc_handle, &svc_status);
}

static DWORD WINAPI svc_control(DWORD control, DWORD type, void *data, void *ctx)
{
	switch (control) {
	case SERVICE_CONTROL_STOP:
	case SERVICE_CONTROL_SHUTDOWN:
		svc_report(SERVICE_STOP_PENDING);
		SetEvent(svc_stop_event);
		return NO_ERROR;
	case SERVICE_CONTROL_PAUSE: svc_report(SERVICE_PAUSED); return NO_ERROR;
	case SERVICE_CONTROL_CONTINUE: svc_report(SERVICE_RUNNING); return NO_ERROR;
	case SERVICE_CONTROL_INTERROGATE:
		SetServiceStatus(svc_handle, &svc_status);
		return NO_ERROR;
	}
	return ERROR_CALL_NOT_IMPLEMENTED;
}

static void WINAPI svc_main(DWORD argc, wchar_t **argv)
{
	DWORD state = SERVICE_RUNNING, want = 0, size = sizeof(want);
	wchar_t key[300];

	/* Wine's sc start does not pass arguments: the state to report is
	 * the DWORD MdediagTestState under the service's own key. */
	if (argc > 0 && argv[0]) {
		_snwprintf(key, 300, L"SYSTEM\\CurrentControlSet\\Services\\%ls", argv[0]);
		key[299] = L'\0';
		if (RegGetValueW(HKEY_LOCAL_MACHINE, key, L"MdediagTestState", RRF_RT_REG_DWORD,
				 NULL, &want, &size) == ERROR_SUCCESS &&
		    want >= SERVICE_START_PENDING && want <= SERVICE_PAUSED)
			state = want;
	}
	if (argc > 1) {
		unsigned long s = wcstoul(argv[1], NULL, 10);

		if (s >= SERVICE_START_PENDING && s <= SERVICE_PAUSED)
			state = (DWORD)s;
	}
	svc_handle = RegisterServiceCtrlHandlerExW(L"", svc_control, NULL);
	if (!svc_handle)
		return;
	svc_stop_event = CreateEventW(NULL, TRUE, FALSE, NULL);
	/* Wine's StartService waits for RUNNING (any other first state is
	 * error 1053), so report RUNNING and move to the wanted state after. */
	svc_report(SERVICE_RUNNING);
	if (state != SERVICE_RUNNING) {
		Sleep(300);
		svc_report(state);
	}
	WaitForSingleObject(svc_stop_event, INFINITE);
	svc_report(SERVICE_STOPPED);
}

int main(void)
{
	SERVICE_TABLE_ENTRYW table[] = {
		{(wchar_t *)L"", svc_main},
		{NULL, NULL},
	};

	if (!StartServiceCtrlDispatcherW(table)) {
		fprintf(stderr, "svc: a test service; start it with sc start (error %lu)\n",
			(unsigned long)GetLastError());
		return 2;
	}
	return 0;
}
