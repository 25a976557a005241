/* test_finding.c - the findings list on its own: it knows no check table,
 * the caller ranks the IDs when sorting. */
#include <criterion/criterion.h>
#include <string.h>
#include "finding.h"

/* A ranking unlike the check table's: reverse alphabetical on the first
 * letter, unknown IDs last. */
static int reverse_rank(const char *id)
{
	return id[0] ? 'z' - id[0] : 1000;
}

Test(findings, sort_assigns_the_callers_order_and_keeps_emission_ties)
{
	struct dx_findings l = {0};
	dx_add(&l, "b.one", DX_SEV_INFO, NULL);
	dx_add(&l, "z.two", DX_SEV_ERROR, NULL);
	dx_add(&l, "b.three", DX_SEV_WARNING, "v");
	dx_add(&l, "m.four", DX_SEV_INFO, NULL);
	cr_assert_eq(l.count, 4);
	dx_findings_sort(&l, reverse_rank);
	static const char *const want[] = {"z.two", "m.four", "b.one", "b.three"};
	for (size_t i = 0; i < 4; i++) {
		cr_expect_str_eq(l.items[i].id, want[i], "%zu", i);
		cr_expect_eq(l.items[i].order, reverse_rank(want[i]));
	}
	/* equal rank: emission order */
	cr_expect_lt(l.items[2].seq, l.items[3].seq);
	cr_expect_str_eq(l.items[3].variant, "v");
	dx_findings_free(&l);
}

Test(findings, sorting_an_empty_list_is_a_no_op)
{
	struct dx_findings l = {0};
	dx_findings_sort(&l, reverse_rank);
	cr_expect_eq(l.count, 0);
	dx_findings_free(&l);
}

Test(findings, find_returns_the_first_with_that_id_for_adding_evidence)
{
	struct dx_findings l = {0};
	dx_add(&l, "a.x", DX_SEV_INFO, NULL);
	struct dx_finding *first = dx_add(&l, "b.y", DX_SEV_INFO, "1");
	dx_add(&l, "b.y", DX_SEV_INFO, "2");
	struct dx_finding *f = dx_find(&l, "b.y");
	cr_assert_eq(f, first);
	dx_ev_str(f, "added", "later");
	cr_expect_str_eq(cJSON_GetObjectItem(l.items[1].evidence, "added")->valuestring, "later");
	cr_expect_null(dx_find(&l, "c.z"));
	dx_findings_free(&l);
}
