/* test_spec.c - check IDs come from the spec's ID tables and nowhere else. */
#include <criterion/criterion.h>
#include <string.h>
#include "hx_spec.h"

static struct hx_idlist ids;

Test(spec, ids_from_first_column_of_id_tables_only)
{
	const char *md =
		"# Title with `not.an.id`\n"
		"\n"
		"| ID | When | Sev |\n"
		"|---|---|---|\n"
		"| `os.supported` | build `14393` or later | info |\n"
		"| `net.cyber`, `net.av-cloud`, `net.crl` | per category | info |\n"
		"| `os.supported` | duplicate | info |\n"
		"\n"
		"Text `prose.id` between tables.\n"
		"| Other | table |\n"
		"|---|---|\n"
		"| `other.table` | x |\n"
		"\n"
		"| ID | When |\n"
		"|---|---|\n"
		"| `verdict` | always |\n"
		"| `Bad Token` and `x` | |\n";
	char err[256];
	cr_assert_eq(hx_spec_parse(md, &ids, err, sizeof err), 0, "%s", err);
	const char *want[] = {"os.supported", "net.cyber", "net.av-cloud", "net.crl", "verdict", "x"};
	cr_assert_eq(ids.n, sizeof want / sizeof want[0]);
	for (size_t i = 0; i < ids.n; i++)
		cr_assert_str_eq(ids.id[i], want[i]);
	cr_assert_eq(hx_idlist_find(&ids, "other.table"), -1);
	cr_assert_eq(hx_idlist_find(&ids, "prose.id"), -1);
	cr_assert_eq(hx_idlist_find(&ids, "14393"), -1);
}

Test(spec, text_without_an_id_table_is_an_error)
{
	char err[256];
	cr_assert_eq(hx_spec_parse("# nothing\n| A | B |\n|---|---|\n| `a.b` | c |\n", &ids, err, sizeof err), -1);
	cr_assert(strstr(err, "no check ID table"), "%s", err);
}

Test(spec, the_project_spec_has_every_section)
{
	char err[512];
	cr_assert_eq(hx_spec_load(HX_SPEC_FILE, &ids, err, sizeof err), 0, "%s", err);
	const char *some[] = {"os.supported", "sense.missing.win11-capability", "net.proxy.auth-required",
		"net.sample-upload", "net.updates", "asr.psexec-block", "agent.kb5005292",
		"reonboard.plan", "verdict"};
	for (size_t i = 0; i < sizeof some / sizeof some[0]; i++)
		cr_assert_geq(hx_idlist_find(&ids, some[i]), 0, "%s missing", some[i]);
	cr_assert_geq(ids.n, 40);
}
