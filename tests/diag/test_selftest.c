/* test_selftest.c - the parsers of `mdediag selftest` (diag/selftest.c) on
 * the tools' real output.
 *
 * Where each sample comes from is said above it: "Wine 8.0" samples were
 * captured from Debian's wine 8.0 (reg.exe, sc.exe, chcp, whoami); the
 * Windows samples are in the layout Microsoft's reg, sc, netsh, whoami and
 * wevtutil print (the column layout of their documentation's examples);
 * the localized ones keep Windows' untranslated tokens (REG_SZ, RUNNING,
 * AUTO_START, SIDs, XML) around translated labels, which is what the
 * parsers rely on.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "selftest.h"

/* ---- reg.exe ------------------------------------------------------------- */

/* Wine 8.0: `reg query HKLM\SOFTWARE\MdediagSample /reg:64`, CRLF as is. */
static const char reg_wine[] = "\r\n"
			       "HKEY_LOCAL_MACHINE\\SOFTWARE\\MdediagSample\r\n"
			       "    Bin    REG_BINARY    00FF10\r\n"
			       "    D    REG_DWORD    0xffffffff\r\n"
			       "    Empty    REG_SZ    \r\n"
			       "    Exp    REG_EXPAND_SZ    %SystemRoot%\\x\r\n"
			       "    Multi    REG_MULTI_SZ    one\\0two\r\n"
			       "    N    REG_NONE    0000\r\n"
			       "    Q    REG_QWORD    (null)\r\n"
			       "    Two Words    REG_SZ    a  b    c\r\n"
			       "\r\n";

/* Windows 11, `reg query "HKLM\...\Status" /v OnboardingState` */
static const char reg_win_status[] =
	"\r\n"
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows Advanced Threat Protection\\Status\r\n"
	"    OnboardingState    REG_DWORD    0x1\r\n"
	"\r\n";

/* German Windows: the default value is "(Standard)", the rest untranslated;
 * Japanese data arrives as UTF-8 once selftest_win32.c has decoded it. */
static const char reg_de_ja[] =
	"\r\n"
	"HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\r\n"
	"    (Standard)    REG_SZ    (Wert nicht festgelegt)\r\n"
	"    ProductName    REG_SZ    Windows 10 Pro\r\n"
	"    RegisteredOrganization    REG_SZ    株式会社コントソ    本社\r\n"
	"    UBR    REG_DWORD    0x116c\r\n"
	"\r\n";

Test(selftest_reg, every_type_of_wine_output)
{
	char type[24], data[256];
	cr_assert_eq(dx_st_reg_parse(reg_wine, "Bin", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_BINARY");
	cr_expect_str_eq(data, "00FF10");
	cr_assert_eq(dx_st_reg_parse(reg_wine, "D", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_DWORD");
	cr_expect_str_eq(data, "0xffffffff");
	cr_assert_eq(dx_st_reg_parse(reg_wine, "Empty", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_SZ");
	cr_expect_str_eq(data, "");
	cr_assert_eq(dx_st_reg_parse(reg_wine, "exp", type, data, sizeof data), 0); /* any case */
	cr_expect_str_eq(type, "REG_EXPAND_SZ");
	cr_expect_str_eq(data, "%SystemRoot%\\x");
	cr_assert_eq(dx_st_reg_parse(reg_wine, "Multi", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_MULTI_SZ");
	cr_expect_str_eq(data, "one\\0two");
	/* Wine 8.0's reg.exe prints a QWORD's data as "(null)": a Wine bug
	 * the selftest shows as DIFFER, not hidden by the parser */
	cr_assert_eq(dx_st_reg_parse(reg_wine, "Q", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_QWORD");
	cr_expect_str_eq(data, "(null)");
	/* a name with a space, data with runs of spaces kept */
	cr_assert_eq(dx_st_reg_parse(reg_wine, "Two Words", type, data, sizeof data), 0);
	cr_expect_str_eq(type, "REG_SZ");
	cr_expect_str_eq(data, "a  b    c");
	/* a name that is only a prefix, or a type token, does not match */
	cr_expect_eq(dx_st_reg_parse(reg_wine, "Two", type, data, sizeof data), -1);
	cr_expect_eq(dx_st_reg_parse(reg_wine, "REG_SZ", type, data, sizeof data), -1);
	cr_expect_eq(dx_st_reg_parse(reg_wine, "Nope", type, data, sizeof data), -1);
}

Test(selftest_reg, windows_and_localized_output)
{
	char type[24], data[256];
	cr_assert_eq(dx_st_reg_parse(reg_win_status, "OnboardingState", type, data, sizeof data),
		     0);
	cr_expect_str_eq(type, "REG_DWORD");
	cr_expect_str_eq(data, "0x1");
	cr_assert_eq(dx_st_reg_parse(reg_de_ja, "ProductName", type, data, sizeof data), 0);
	cr_expect_str_eq(data, "Windows 10 Pro");
	cr_assert_eq(dx_st_reg_parse(reg_de_ja, "RegisteredOrganization", type, data, sizeof data),
		     0);
	cr_expect_str_eq(data, "株式会社コントソ    本社");
	cr_assert_eq(dx_st_reg_parse(reg_de_ja, "UBR", type, data, sizeof data), 0);
	cr_expect_str_eq(data, "0x116c");
	/* the default value (/ve) under its German name */
	cr_assert_eq(dx_st_reg_parse("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\X\r\n"
				     "    (Standard)    REG_SZ    Wert\r\n\r\n",
				     "", type, data, sizeof data),
		     0);
	cr_expect_str_eq(data, "Wert");
	/* the key's own line (no leading spaces) and reg.exe's error are no value */
	cr_expect_eq(dx_st_reg_parse("\r\nERROR: The system was unable to find the specified "
				     "registry key or value.\r\n",
				     "OnboardingState", type, data, sizeof data),
		     -1);
	cr_expect_eq(dx_st_reg_parse("", "X", type, data, sizeof data), -1);
}

Test(selftest_reg, platform_values_in_reg_exe_form)
{
	char out[128];
	struct dx_regval v = {DX_REG_DWORD, 0x116c, NULL, 0};
	dx_st_reg_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "0x116c");
	v = (struct dx_regval){DX_REG_QWORD, 0x100000000ull, NULL, 0};
	dx_st_reg_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "0x100000000");
	unsigned char bin[] = {0x18, 0, 0xff, 0x0a};
	v = (struct dx_regval){DX_REG_BINARY, 0, bin, sizeof bin};
	dx_st_reg_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "1800FF0A");
	unsigned char multi[] = "one\0two\0\0";
	v = (struct dx_regval){DX_REG_MULTI_SZ, 0, multi, 9};
	dx_st_reg_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "one\\0two");
	unsigned char sz[] = "%SystemRoot%\\x";
	v = (struct dx_regval){DX_REG_EXPAND_SZ, 0, sz, strlen((char *)sz)};
	dx_st_reg_format(&v, out, sizeof out);
	cr_expect_str_eq(out, "%SystemRoot%\\x");
	/* truncation keeps whole bytes and the buffer terminated */
	char small[4];
	v = (struct dx_regval){DX_REG_BINARY, 0, bin, sizeof bin};
	dx_st_reg_format(&v, small, sizeof small);
	cr_expect_str_eq(small, "18");
}

/* ---- sc.exe -------------------------------------------------------------- */

/* Wine 8.0: `sc query Sense` (a svc.c test service), CRLF as is. */
static const char sc_query_wine[] = "SERVICE_NAME: Sense\r\n"
				    "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
				    "        STATE              : 4  RUNNING\r\n"
				    "        WIN32_EXIT_CODE    : 0  (0x0)\r\n"
				    "        SERVICE_EXIT_CODE  : 0  (0x0)\r\n"
				    "        CHECKPOINT         : 0x0\r\n"
				    "        WAIT_HINT          : 0x0\r\n";

/* Windows: `sc query Sense` of a stopped service (sc query's layout) */
static const char sc_query_stopped[] = "\r\nSERVICE_NAME: Sense\r\n"
				       "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
				       "        STATE              : 1  STOPPED\r\n"
				       "        WIN32_EXIT_CODE    : 1077  (0x435)\r\n"
				       "        SERVICE_EXIT_CODE  : 0  (0x0)\r\n"
				       "        CHECKPOINT         : 0x0\r\n"
				       "        WAIT_HINT          : 0x0\r\n";

/* Windows: `sc qc DiagTrack` (delayed auto start) */
static const char sc_qc_delayed[] =
	"[SC] QueryServiceConfig SUCCESS\r\n\r\n"
	"SERVICE_NAME: DiagTrack\r\n"
	"        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
	"        START_TYPE         : 2   AUTO_START  (DELAYED)\r\n"
	"        ERROR_CONTROL      : 1   NORMAL\r\n"
	"        BINARY_PATH_NAME   : C:\\Windows\\System32\\svchost.exe -k utcsvc -p\r\n"
	"        LOAD_ORDER_GROUP   :\r\n"
	"        TAG                : 0\r\n"
	"        DISPLAY_NAME       : Connected User Experiences and Telemetry\r\n"
	"        DEPENDENCIES       : RpcSs\r\n"
	"        SERVICE_START_NAME : LocalSystem\r\n";

/* Translated labels (French-style "ÉTAT", "TYPE_DÉMARRAGE"): the numbers
 * and the state and start names are what is read. */
static const char sc_localized[] = "NOM_SERVICE: WinDefend\r\n"
				   "        TYPE               : 10  WIN32_OWN_PROCESS\r\n"
				   "        ÉTAT               : 4  RUNNING\r\n"
				   "        TYPE_DÉMARRAGE     : 4   DISABLED\r\n";

Test(selftest_sc, state_and_start_type)
{
	cr_expect_eq(dx_st_sc_state(sc_query_wine), 4);
	cr_expect_eq(dx_st_sc_state(sc_query_stopped), 1);
	cr_expect_eq(dx_st_sc_start(sc_qc_delayed), 2);
	cr_expect_eq(dx_st_sc_state(sc_localized), 4);
	cr_expect_eq(dx_st_sc_start(sc_localized), 4);
	/* a query has no start type, a qc no state */
	cr_expect_eq(dx_st_sc_start(sc_query_wine), -1);
	cr_expect_eq(dx_st_sc_state(sc_qc_delayed), -1);
	/* Wine 8.0's sc qc prints nothing (exit 1); Windows' answer for a
	 * service that does not exist */
	cr_expect_eq(dx_st_sc_start(""), -1);
	cr_expect_eq(
		dx_st_sc_state("[SC] EnumQueryServicesStatus:OpenService FAILED 1060:\r\n\r\n"
			       "The specified service does not exist as an installed service.\r\n"),
		-1);
}

/* ---- wevtutil ------------------------------------------------------------- */

/* Windows: `wevtutil qe Microsoft-Windows-SENSE/Operational /c:5 /rd:true
 * /f:xml`: events one after the other, no root element. */
static const char wevt_two[] =
	"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
	"<Provider Name='Microsoft-Windows-SENSE' Guid='{cb2ff72d-d4e4-585d-33f9-f3a395c40be7}'/>"
	"<EventID>5</EventID><Version>0</Version><Level>2</Level>"
	"<TimeCreated SystemTime='2026-11-20T08:00:00.0000000Z'/></System>"
	"<EventData><Data Name='Error'>0x80072EE2</Data></EventData></Event>\r\n"
	"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
	"<Provider Name='Microsoft-Windows-SENSE'/><EventID Qualifiers='0'>4</EventID>"
	"</System></Event>\r\n";

Test(selftest_wevt, count_and_newest_id)
{
	size_t n;
	uint32_t id;
	cr_assert_eq(dx_st_wevt_parse(wevt_two, &n, &id), 0);
	cr_expect_eq(n, 2);
	cr_expect_eq(id, 5);
	/* an empty log prints nothing */
	cr_assert_eq(dx_st_wevt_parse("\r\n", &n, &id), 0);
	cr_expect_eq(n, 0);
	cr_expect_eq(id, 0);
	/* an error message is not an empty log */
	cr_expect_eq(dx_st_wevt_parse("Failed to query log Foo. The specified channel could "
				      "not be found.\r\n",
				      &n, &id),
		     -1);
	/* <EventData> is not an event */
	cr_assert_eq(dx_st_wevt_parse("<EventData></EventData>", &n, &id), -1);
}

/* ---- whoami, chcp, netsh, PowerShell ------------------------------------ */

/* Windows: `whoami /groups` of an elevated administrator (last rows) */
static const char whoami_high[] =
	"\r\nGROUP INFORMATION\r\n-----------------\r\n\r\n"
	"Group Name                                 Type             SID          Attributes\r\n"
	"========================================== ================ ============ ==========\r\n"
	"Everyone                                   Well-known group S-1-1-0      Mandatory group, "
	"Enabled by default, Enabled group\r\n"
	"BUILTIN\\Administrators                     Alias            S-1-5-32-544 Mandatory "
	"group, Enabled by default, Enabled group, Group owner\r\n"
	"Mandatory Label\\High Mandatory Level       Label            S-1-16-12288\r\n";
/* German Windows, not elevated: the labels are translated, the SID is not */
static const char whoami_medium_de[] =
	"\r\nGRUPPENINFORMATIONEN\r\n--------------------\r\n\r\n"
	"Gruppenname                                Typ              SID          Attribute\r\n"
	"VORDEFINIERT\\Administratoren               Alias            S-1-5-32-544 Nur für "
	"Verweigerungen verwendete Gruppe\r\n"
	"Verbindliche Beschriftung\\Mittlere Verbindlichkeitsstufe Bezeichnung S-1-16-8192\r\n";

Test(selftest_misc, whoami)
{
	cr_expect_eq(dx_st_whoami_elevated(whoami_high), 1);
	cr_expect_eq(dx_st_whoami_elevated(whoami_medium_de), 0);
	/* Wine 8.0's whoami prints the user name only */
	cr_expect_eq(dx_st_whoami_elevated("VM\\root\r\n"), -1);
	/* a longer SID is not the high label */
	cr_expect_eq(dx_st_whoami_elevated("S-1-16-122880\r\n"), -1);
}

Test(selftest_misc, chcp)
{
	cr_expect_eq(dx_st_chcp_parse("Active code page: 932\r\n"), 932);
	cr_expect_eq(dx_st_chcp_parse("Aktive Codepage: 850.\r\n"), 850);
	cr_expect_eq(dx_st_chcp_parse("現在のコード ページ: 932\r\n"), 932);
	/* Wine 8.0 without a console */
	cr_expect_eq(dx_st_chcp_parse("Active code page: 0\r\n"), -1);
	cr_expect_eq(dx_st_chcp_parse(""), -1);
}

Test(selftest_misc, netsh_winhttp)
{
	char proxy[256], bypass[256];
	cr_expect_eq(dx_st_netsh_proxy("\r\nCurrent WinHTTP proxy settings:\r\n\r\n"
				       "    Direct access (no proxy server).\r\n\r\n",
				       proxy, sizeof proxy, bypass, sizeof bypass),
		     0);
	cr_expect_eq(dx_st_netsh_proxy("\r\nCurrent WinHTTP proxy settings:\r\n\r\n"
				       "    Proxy Server(s) :  proxy.contoso.com:8080\r\n"
				       "    Bypass List     :  <local>;*.contoso.com\r\n\r\n",
				       proxy, sizeof proxy, bypass, sizeof bypass),
		     1);
	cr_expect_str_eq(proxy, "proxy.contoso.com:8080");
	cr_expect_str_eq(bypass, "<local>;*.contoso.com");
	cr_expect_eq(dx_st_netsh_proxy("\r\nCurrent WinHTTP proxy settings:\r\n\r\n"
				       "    Proxy Server(s) :  http=p1:3128;https=p2:3129\r\n"
				       "    Bypass List     :  (none)\r\n\r\n",
				       proxy, sizeof proxy, bypass, sizeof bypass),
		     1);
	cr_expect_str_eq(proxy, "http=p1:3128;https=p2:3129");
	cr_expect_str_eq(bypass, "");
	/* German labels without a blank before the colon */
	cr_expect_eq(dx_st_netsh_proxy("\r\nAktuelle WinHTTP-Proxyeinstellungen:\r\n\r\n"
				       "    Proxyserver:  10.0.0.1:8080\r\n"
				       "    Umgehungsliste:  (keine)\r\n",
				       proxy, sizeof proxy, bypass, sizeof bypass),
		     1);
	cr_expect_str_eq(proxy, "10.0.0.1:8080");
	cr_expect_str_eq(bypass, "");
	cr_expect_eq(dx_st_netsh_proxy("\r\nAktuelle WinHTTP-Proxyeinstellungen:\r\n\r\n"
				       "    Direkter Zugriff (kein Proxyserver).\r\n",
				       proxy, sizeof proxy, bypass, sizeof bypass),
		     0);
	/* Wine 8.0's netsh prints nothing: not an answer, never "direct" */
	cr_expect_eq(dx_st_netsh_proxy("", proxy, sizeof proxy, bypass, sizeof bypass), -1);
	cr_expect_eq(
		dx_st_netsh_proxy("The following command was not found: winhttp show proxy.\r\n",
				  proxy, sizeof proxy, bypass, sizeof bypass),
		-1);
}

Test(selftest_misc, powershell_version)
{
	char ver[64], str[128];
	cr_assert_eq(dx_st_ps_version("10.8760.22621.1|10.8760.22621.1\r\n", ver, str, sizeof str),
		     0);
	cr_expect_str_eq(ver, "10.8760.22621.1");
	cr_assert_eq(dx_st_ps_version("4.18.25100.9002|4.18.25100.9002 (WinBuild.160101.0800)\r\n",
				      ver, str, sizeof str),
		     0);
	cr_expect_str_eq(ver, "4.18.25100.9002");
	cr_expect_str_eq(str, "4.18.25100.9002 (WinBuild.160101.0800)");
	cr_expect_eq(dx_st_ps_version("absent|\r\n", ver, str, sizeof str), 1);
	/* Wine 8.0's powershell.exe stub prints nothing */
	cr_expect_eq(dx_st_ps_version("", ver, str, sizeof str), -1);
	cr_expect_eq(dx_st_ps_version("Get-Item : Cannot find path|x\r\n", ver, str, sizeof str),
		     -1);
	cr_expect_eq(dx_st_ps_version("1.2.3.70000|x\r\n", ver, str, sizeof str), -1);
}

/* ---- the comparisons ------------------------------------------------------ */

Test(selftest_list, lines_file_and_exit_status)
{
	struct dx_st_list l = {0};
	char big[300];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char bigv[320];
	snprintf(bigv, sizeof bigv, "REG_SZ %s", big);
	cr_assert_eq(
		dx_st_compare(&l, "registry", "K [A]", "REG_DWORD 0x1", "REG_DWORD 0x1", "reg.exe"),
		0);
	cr_assert_eq(dx_st_compare(&l, "registry", "K [Big]", bigv, bigv, "reg.exe"), 0);
	cr_assert_eq(dx_st_add(&l, "events", "SENSE", DX_ST_NOT_COMPARED, "x", "", "wevtutil",
			       "the platform cannot read event logs here"),
		     0);
	cr_expect_eq(dx_st_exit_status(&l), 0);
	cr_assert_eq(dx_st_compare(&l, "service", "Sense state", "RUNNING", "STOPPED", "sc.exe"),
		     0);
	cr_assert_eq(dx_st_set_command(&l, "\"C:\\Windows\\system32\\sc.exe\" query Sense"), 0);
	cr_expect_eq(dx_st_exit_status(&l), 1);

	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	dx_st_print(f, &l);
	fclose(f);
	cr_expect(strstr(buf, "agree         registry  K [A]: REG_DWORD 0x1\n") != NULL, "%s", buf);
	cr_expect(strstr(buf, "DIFFER        service   Sense state: mdediag read RUNNING; "
			      "sc.exe reports STOPPED\n") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "not compared  events    SENSE: the platform cannot read") != NULL,
		  "%s", buf);
	cr_expect(strstr(buf, "K [Big]: REG_SZ <299 bytes, sha256 ") != NULL, "%s", buf);
	cr_expect(strstr(buf, "2 agree, 1 differ, 1 not compared\n") != NULL, "%s", buf);
	free(buf);

	cJSON *j = dx_st_json(&l, "9.9.9", NULL);
	cr_assert_not_null(j);
	cr_expect_str_eq(cJSON_GetObjectItem(j, "tool_version")->valuestring, "9.9.9");
	cJSON *c = cJSON_GetObjectItem(j, "comparisons");
	cr_assert_eq(cJSON_GetArraySize(c), 4);
	cJSON *d = cJSON_GetArrayItem(c, 3);
	cr_expect_str_eq(cJSON_GetObjectItem(d, "outcome")->valuestring, "differ");
	cr_expect_str_eq(cJSON_GetObjectItem(d, "mdediag")->valuestring, "RUNNING");
	cr_expect_str_eq(cJSON_GetObjectItem(d, "windows")->valuestring, "STOPPED");
	cr_expect_null(cJSON_GetObjectItem(d, "why"));
	cr_expect_str_eq(cJSON_GetObjectItem(d, "command")->valuestring,
			 "\"C:\\Windows\\system32\\sc.exe\" query Sense");
	cr_expect_null(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 0), "command"));
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(c, 2), "why")->valuestring,
			 "the platform cannot read event logs here");
	cJSON *s = cJSON_GetObjectItem(j, "summary");
	cr_expect_eq(cJSON_GetObjectItem(s, "differ")->valueint, 1);
	cr_expect_eq(cJSON_GetObjectItem(s, "not_compared")->valueint, 1);
	cJSON_Delete(j);
	dx_st_free(&l);
}
