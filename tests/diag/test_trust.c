/* test_trust.c - root trust and Schannel (schannel.*, trust.*): the edges
 * the scenarios do not reach: wrong value types, missing keys, thumbprints
 * in lower case, the policy and enterprise stores beside the machine's,
 * roots that cross-signing makes interchangeable, expired roots. */
#include <criterion/criterion.h>
#include <string.h>
#include "helpers.h"

/* A healthy Windows 11 whose Sense and DiagTrack run, with `reg` more
 * registry keys and `rest` more top-level members (faults, clock). */
#define DEVICE_AT(clock, reg, rest)                                                                \
	"{'clock': '" clock "',"                                                                   \
	" 'registry': {'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': {'CurrentBuild': "     \
	"'22631', 'EditionID': 'Enterprise'},"                                                     \
	" 'HKLM|SOFTWARE|Microsoft|Windows Advanced Threat Protection|Status': "                   \
	"{'OnboardingState': 1}" reg "},"                                                          \
	" 'services': {'Sense': {'state': 4, 'start_type': 2}, 'WinDefend': {'state': 4}, "        \
	"'DiagTrack': {'state': 4, 'start_type': 2}},"                                             \
	" 'files': {'C:|Program Files|Windows Defender Advanced Threat Protection|MsSense.exe': "  \
	"{'version': '10.8760.1.1'}}" rest "}"
#define DEVICE(reg, rest) DEVICE_AT("2026-11-20T09:00:00Z", reg, rest)

#define TLS12                                                                                      \
	"'HKLM|SYSTEM|CurrentControlSet|Control|SecurityProviders|SCHANNEL|Protocols|TLS "         \
	"1.2|Client'"
#define WINHTTP "'HKLM|SOFTWARE|Microsoft|Windows|CurrentVersion|Internet Settings|WinHttp'"
#define CIPHERS "'HKLM|SOFTWARE|Policies|Microsoft|Cryptography|Configuration|SSL|00010002'"
#define AUTOROOT_POLICY "'HKLM|SOFTWARE|Policies|Microsoft|SystemCertificates|AuthRoot'"
#define NO_AUTO_UPDATE ", " AUTOROOT_POLICY ": {'DisableRootAutoUpdate': 1}"
#define ROOT_STORE "HKLM|SOFTWARE|Microsoft|SystemCertificates|ROOT|Certificates|"
#define AUTHROOT_STORE "HKLM|SOFTWARE|Microsoft|SystemCertificates|AuthRoot|Certificates|"
#define GPO_STORE "HKLM|SOFTWARE|Policies|Microsoft|SystemCertificates|Root|Certificates|"
#define ENT_STORE "HKLM|SOFTWARE|Microsoft|EnterpriseCertificates|Root|Certificates|"
#define MS2011 "8F43288AD272F3103B6FB1428485EA3014C0BCFE"
#define G2 "DF3C24F9BFD666761B268073FE06D1CC8D4F82A4"
#define RSA2017 "73A5E64A3BFF8316FF0EDCCC618A906E4EAE4D74"
#define DGCA "A8985D3A65E5E5C4B2D7D66D40C6DD2FB19C5436"
#define BALTIMORE "D4DE20D05E66FC53FE1A50882C78DB2852CAE474"
#define CERT(store, tp) ", '" store tp "': {}"

static int in_array(const struct dx_finding *f, const char *key, const char *s)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(f->evidence, key), *it;
	cJSON_ArrayForEach(it,
			   a) if (cJSON_IsString(it) && strcmp(it->valuestring, s) == 0) return 1;
	return 0;
}

/* ---- schannel.tls12-client ---- */

Test(trust, tls12_keys_absent_are_windows_default_and_the_plan_stands)
{
	struct run r;
	run_short(&r, DEVICE("", ""));
	const struct dx_finding *f = finding(&r, "schannel.tls12-client", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_str_eq(ev_str(f, "state"), "default");
	cr_expect_str_eq(ev_str(f, "os_default"), "enabled");
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	run_free(&r);
}

Test(trust, tls12_enabled_zero_is_disabled_whatever_disabled_by_default_says)
{
	struct run r;
	run_short(&r, DEVICE(", " TLS12 ": {'Enabled': 0, 'DisabledByDefault': 0}", ""));
	const struct dx_finding *f = finding(&r, "schannel.tls12-client", "disabled");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(dx_outcome(f), DX_FOUND);
	cr_expect_eq(ev_num(f, "Enabled"), 0);
	cr_expect_str_eq(ev_str(f, "state"), "disabled");
	cr_expect_str_eq(verdict_cause(&r), "schannel.tls12-client");
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(trust, tls12_disabled_by_default_is_a_cause_unless_winhttp_asks_for_it)
{
	struct run r;
	run_short(&r, DEVICE(", " TLS12 ": {'Enabled': 1, 'DisabledByDefault': 1}", ""));
	const struct dx_finding *f = finding(&r, "schannel.tls12-client", "disabled-by-default");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "DisabledByDefault"), 1);
	run_free(&r);

	/* 0xA80: TLS 1.0, 1.1, 1.2 - WinHTTP asks for TLS 1.2 by name */
	run_short(&r, DEVICE(", " TLS12 ": {'DisabledByDefault': 1}, " WINHTTP
			     ": {'DefaultSecureProtocols': 2688}",
			     ""));
	f = finding(&r, "schannel.tls12-client", "winhttp-asks");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_WARNING);
	cr_expect_str_eq(ev_str(f, "winhttp_default_secure_protocols"), "0xA80");
	run_free(&r);

	/* 0x200: TLS 1.1 only - no help */
	run_short(&r, DEVICE(", " TLS12 ": {'DisabledByDefault': 1}, " WINHTTP
			     ": {'DefaultSecureProtocols': 512}",
			     ""));
	cr_expect_not_null(finding(&r, "schannel.tls12-client", "disabled-by-default"));
	run_free(&r);
}

Test(trust, tls12_value_of_the_wrong_type_is_undetermined_and_withholds_the_plan)
{
	struct run r;
	run_short(&r, DEVICE(", " TLS12 ": {'Enabled': '0'}", ""));
	const struct dx_finding *f = finding(&r, "schannel.tls12-client", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(f->reason, DX_REASON_FACTS_MISSING);
	cr_expect(strstr(ev_str(f, "Enabled"), "bad-data") != NULL, "evidence: %s",
		  ev_str(f, "Enabled"));
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(trust, tls12_denied_read_says_not_elevated)
{
	struct run r;
	run_short(&r,
		  DEVICE("",
			 ", 'process': {'elevated': false}, 'faults': [{'primitive': 'reg_read', "
			 "'target': "
			 "'HKLM|SYSTEM|CurrentControlSet|Control|SecurityProviders|SCHANNEL|"
			 "Protocols|TLS 1.2|Client|Enabled', "
			 "'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "schannel.tls12-client", "unreadable");
	cr_assert_not_null(f);
	cr_expect_str_eq(f->reason, DX_REASON_NOT_ELEVATED);
	run_free(&r);
}

/* ---- schannel.cipher-suites ---- */

Test(trust, cipher_policy_absent_is_clear)
{
	struct run r;
	run_short(&r, DEVICE("", ""));
	const struct dx_finding *f = finding(&r, "schannel.cipher-suites", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_str_eq(ev_str(f, "policy"), "not set");
	run_free(&r);
}

Test(trust, cipher_policy_reg_sz_with_spaces_and_a_curve_suffix_keeps_an_accepted_suite)
{
	struct run r;
	run_short(&r, DEVICE(", " CIPHERS ": {'Functions': 'TLS_RSA_WITH_AES_128_CBC_SHA , "
			     "tls_ecdhe_rsa_with_aes_128_cbc_sha256_P256,'}",
			     ""));
	const struct dx_finding *f = finding(&r, "schannel.cipher-suites", "policy");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_eq(ev_num(f, "policy_suite_count"), 2);
	cr_expect_eq(ev_num(f, "accepted_count"), 1);
	cr_expect(in_array(f, "policy_suites", "TLS_RSA_WITH_AES_128_CBC_SHA"));
	cr_expect(in_array(f, "accepted_in_policy", "tls_ecdhe_rsa_with_aes_128_cbc_sha256_P256"));
	run_free(&r);
}

Test(trust, cipher_policy_multi_sz_without_ecdhe_is_a_cause)
{
	struct run r;
	run_short(&r,
		  DEVICE(", " CIPHERS ": {'Functions': {'type': 'REG_MULTI_SZ', 'data': "
			 "['TLS_RSA_WITH_AES_256_GCM_SHA384', "
			 "'TLS_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_RSA_WITH_AES_256_GCM_SHA384']}}",
			 ""));
	const struct dx_finding *f = finding(&r, "schannel.cipher-suites", "none-accepted");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_str_eq(ev_str(f, "type"), "REG_MULTI_SZ");
	cr_expect_eq(ev_num(f, "policy_suite_count"), 3);
	cr_expect_eq(ev_num(f, "accepted_count"), 0);
	/* a suffix that is not a curve does not make a suite accepted */
	run_free(&r);
	run_short(&r,
		  DEVICE(", " CIPHERS ": {'Functions': 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA_XYZ'}",
			 ""));
	cr_expect_not_null(finding(&r, "schannel.cipher-suites", "none-accepted"));
	cr_expect_str_eq(verdict_cause(&r), "schannel.cipher-suites");
	run_free(&r);
}

Test(trust, cipher_policy_of_the_wrong_type_is_undetermined)
{
	struct run r;
	run_short(&r, DEVICE(", " CIPHERS ": {'Functions': 1}", ""));
	const struct dx_finding *f = finding(&r, "schannel.cipher-suites", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

/* ---- trust.roots and trust.auto-update ---- */

Test(trust, roots_absent_with_auto_update_allowed_are_information)
{
	struct run r;
	run_short(&r, DEVICE("", ""));
	const struct dx_finding *f = finding(&r, "trust.roots", "on-demand");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_eq(ev_num(f, "missing_count"), 4);
	cr_expect_str_eq(ev_str(f, "auto_update"), "allowed");
	cr_expect_str_eq(ev_str(f, "update_host_result"), "not probed");
	const struct dx_finding *a = finding(&r, "trust.auto-update", NULL);
	cr_assert_not_null(a);
	cr_expect_eq(dx_outcome(a), DX_CLEAR);
	rerun_as_if_network_ok(&r);
	cr_expect_str_eq(verdict_cause(&r), "reonboard.plan");
	run_free(&r);
}

Test(trust, roots_absent_with_auto_update_disabled_are_a_cause)
{
	struct run r;
	run_short(&r, DEVICE(NO_AUTO_UPDATE CERT(ROOT_STORE, MS2011), ""));
	const struct dx_finding *f = finding(&r, "trust.roots", "auto-update-disabled");
	cr_assert_not_null(f);
	cr_expect_eq(f->severity, DX_SEV_ERROR);
	cr_expect_eq(ev_num(f, "missing_count"), 3);
	cr_expect(in_array(f, "missing", "DigiCert Global Root G2 " G2));
	cr_expect(in_array(f, "present", "Microsoft Root Certificate Authority 2011 (Root)"));
	const struct dx_finding *a = finding(&r, "trust.auto-update", "disabled");
	cr_assert_not_null(a);
	cr_expect_eq(a->severity, DX_SEV_WARNING);
	cr_expect_eq(ev_num(a, "DisableRootAutoUpdate"), 1);
	cr_expect_str_eq(verdict_cause(&r), "trust.roots");
	run_free(&r);
}

/* Registry key names compare ignoring case: a thumbprint written in lower
 * case is the same key. All roots there: clear even with update disabled. */
Test(trust, lower_case_thumbprints_in_every_store_kind_count)
{
	struct run r;
	run_short(
		&r,
		DEVICE(NO_AUTO_UPDATE CERT(ROOT_STORE, "8f43288ad272f3103b6fb1428485ea3014c0bcfe")
			       CERT(AUTHROOT_STORE, "df3c24f9bfd666761b268073fe06d1cc8d4f82a4")
				       CERT(GPO_STORE, "a8985d3a65e5e5c4b2d7d66d40c6dd2fb19c5436"),
		       ""));
	const struct dx_finding *f = finding(&r, "trust.roots", NULL);
	cr_assert_not_null(f);
	cr_expect_str_eq(f->variant, "");
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect_eq(ev_num(f, "missing_count"), 0);
	cr_expect(in_array(f, "present", "DigiCert Global Root CA (Root (Group Policy))"));
	cr_expect(in_array(f, "present", "DigiCert Global Root G2 (AuthRoot)"));
	run_free(&r);
}

/* Cross-signed Azure issuing CAs chain to either DigiCert Global Root G2
 * or Microsoft RSA Root Certificate Authority 2017: one is enough. The
 * enterprise store counts like the others. */
Test(trust, one_root_of_a_cross_signed_pair_is_enough_and_the_enterprise_store_counts)
{
	struct run r;
	run_short(&r, DEVICE(NO_AUTO_UPDATE CERT(ROOT_STORE, MS2011) CERT(ENT_STORE, RSA2017)
				     CERT(AUTHROOT_STORE, DGCA),
			     ""));
	const struct dx_finding *f = finding(&r, "trust.roots", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect(in_array(f, "present",
			   "Microsoft RSA Root Certificate Authority 2017 (Root (Enterprise))"));
	run_free(&r);
	/* the policy value of the wrong store does not count: a thumbprint
	 * under the Disallowed store is not trust */
	run_short(&r, DEVICE(NO_AUTO_UPDATE CERT(ROOT_STORE, MS2011) CERT(AUTHROOT_STORE, DGCA)
				     CERT("HKLM|SOFTWARE|Microsoft|SystemCertificates|Disallowed|"
					  "Certificates|",
					  G2),
			     ""));
	f = finding(&r, "trust.roots", "auto-update-disabled");
	cr_assert_not_null(f);
	cr_expect_eq(ev_num(f, "missing_count"), 2); /* G2 and RSA 2017 */
	run_free(&r);
}

Test(trust, an_expired_root_is_not_needed_but_is_before_its_date)
{
	struct run r;
	run_short(&r, DEVICE(NO_AUTO_UPDATE CERT(ROOT_STORE, MS2011) CERT(AUTHROOT_STORE, G2)
				     CERT(AUTHROOT_STORE, DGCA),
			     ""));
	const struct dx_finding *f = finding(&r, "trust.roots", NULL);
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	cr_expect(in_array(f, "expired_not_needed", "Baltimore CyberTrust Root"));
	run_free(&r);
	run_short(&r, DEVICE_AT("2025-01-10T09:00:00Z",
				NO_AUTO_UPDATE CERT(ROOT_STORE, MS2011) CERT(AUTHROOT_STORE, G2)
					CERT(AUTHROOT_STORE, DGCA),
				""));
	f = finding(&r, "trust.roots", "auto-update-disabled");
	cr_assert_not_null(f);
	cr_expect(in_array(f, "missing", "Baltimore CyberTrust Root " BALTIMORE));
	run_free(&r);
}

Test(trust, auto_update_policy_of_the_wrong_type_leaves_missing_roots_undetermined)
{
	struct run r;
	run_short(&r, DEVICE(", " AUTOROOT_POLICY ": {'DisableRootAutoUpdate': '1'}", ""));
	const struct dx_finding *a = finding(&r, "trust.auto-update", "unreadable");
	cr_assert_not_null(a);
	cr_expect_eq(dx_outcome(a), DX_UNDETERMINED);
	const struct dx_finding *f = finding(&r, "trust.roots", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_str_eq(ev_str(f, "auto_update"), "unknown");
	rerun_as_if_network_ok(&r);
	cr_expect_null(finding(&r, "reonboard.plan", NULL));
	run_free(&r);
}

Test(trust, a_denied_store_matters_only_when_nothing_else_adds_the_root)
{
	struct run r;
	/* auto-update disabled, AuthRoot cannot be listed: the roots may be there */
	run_short(&r, DEVICE(NO_AUTO_UPDATE, ", 'faults': [{'primitive': 'reg_subkeys', 'target': '"
					     "HKLM|SOFTWARE|Microsoft|SystemCertificates|AuthRoot|"
					     "Certificates', 'error': 'access-denied'}]"));
	const struct dx_finding *f = finding(&r, "trust.roots", "unreadable");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_UNDETERMINED);
	cr_expect_eq(cJSON_GetArraySize(
			     cJSON_GetObjectItemCaseSensitive(f->evidence, "stores_unreadable")),
		     1);
	run_free(&r);
	/* auto-update allowed: Windows adds what is missing anyway */
	run_short(&r, DEVICE("", ", 'faults': [{'primitive': 'reg_subkeys', 'target': '"
				 "HKLM|SOFTWARE|Microsoft|SystemCertificates|AuthRoot|Certificates'"
				 ", 'error': 'access-denied'}]"));
	f = finding(&r, "trust.roots", "on-demand");
	cr_assert_not_null(f);
	cr_expect_eq(dx_outcome(f), DX_CLEAR);
	run_free(&r);
}

/* No Sense: the missing sensor is the whole story, no trust findings. */
Test(trust, nothing_when_sense_is_missing)
{
	struct run r;
	run_short(&r, "{'clock': '2026-11-20T09:00:00Z', 'registry': "
		      "{'HKLM|SOFTWARE|Microsoft|Windows NT|CurrentVersion': "
		      "{'CurrentBuild': '22631', 'EditionID': 'Enterprise'}}}");
	cr_expect_eq(count_id(&r, "trust.roots"), 0);
	cr_expect_eq(count_id(&r, "schannel.tls12-client"), 0);
	run_free(&r);
}
