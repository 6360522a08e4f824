/*
 * test_eligibility.c - 第十一条 appointment rules at their boundaries, the
 * five relaxation grounds, and the 第十二、十三条 leader rule.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "eligibility.h"
#include "fixture.h"
#include "ident.h"

#define N_RELAXATIONS 5

static const char *const why_title =
	"needs an intermediate title or a technician qualification (第十一条)";

static int32_t day(int y, int m, int d)
{
	return ident_days_from_civil(y, m, d);
}

/* Eligible on 2024-06-15 with nothing to spare: intermediate title, one year
 * of assessment, ten of training, aged 40, in both rule-bearing groups. */
static struct expert base(void)
{
	struct expert e = fx_expert(0, NULL);
	/* Never appointed and no task types: the record rules of a draw are
	 * not what this file checks. */
	e.task_types = 0;
	e.term = e.joined_term = 0;
	strcpy(e.name, "陈志明");
	e.title = TITLE_INTERMEDIATE;
	e.qualification = QUAL_NONE;
	e.group_types = GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION;
	e.assess_years = 1;
	e.training_years = 10;
	e.birth = day(1984, 3, 1);
	return e;
}

static const int32_t today_base = 19889; /* 2024-06-15 */

/* Returns the failing field, or NULL when eligible. */
static const char *check(const struct expert *e, int32_t today, const char **why)
{
	const char *field = NULL, *w = NULL;
	if (eligibility_check(e, today, &field, &w)) {
		assert_null(field);
		assert_null(w);
		return NULL;
	}
	assert_non_null(field);
	assert_non_null(w);
	if (why)
		*why = w;
	return field;
}

static void test_base_is_eligible(void **state)
{
	(void)state;
	assert_int_equal(today_base, day(2024, 6, 15));
	struct expert e = base();
	assert_null(check(&e, today_base, NULL));
	/* NULL out-parameters are allowed, pass or fail. */
	assert_true(eligibility_check(&e, today_base, NULL, NULL));
	e.title = TITLE_JUNIOR;
	assert_false(eligibility_check(&e, today_base, NULL, NULL));
}

static void test_title_or_qualification(void **state)
{
	(void)state;
	const char *why = NULL;
	struct expert e = base();
	static const struct {
		int title, qual;
		bool ok;
	} cases[] = {
		{TITLE_NONE, QUAL_NONE, false},
		{TITLE_JUNIOR, QUAL_SENIOR_WORKER, false},
		{TITLE_NONE, QUAL_SENIOR_WORKER, false},
		{TITLE_JUNIOR, QUAL_NONE, false},
		{TITLE_INTERMEDIATE, QUAL_NONE, true},
		{TITLE_DEPUTY_SENIOR, QUAL_NONE, true},
		{TITLE_SENIOR, QUAL_NONE, true},
		{TITLE_NONE, QUAL_TECHNICIAN, true},
		{TITLE_JUNIOR, QUAL_TECHNICIAN, true},
		{TITLE_NONE, QUAL_SENIOR_TECHNICIAN, true},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		e.title = cases[i].title;
		e.qualification = cases[i].qual;
		const char *field = check(&e, today_base, &why);
		if (cases[i].ok) {
			assert_null(field);
		} else {
			assert_string_equal(field, "title");
			assert_string_equal(why, why_title);
		}
	}
}

static void test_assess_years(void **state)
{
	(void)state;
	const char *why = NULL;
	struct expert e = base();
	e.assess_years = 0;
	assert_string_equal(check(&e, today_base, &why), "assess_years");
	assert_non_null(strstr(why, "1 year"));
	e.assess_years = 1;
	assert_null(check(&e, today_base, NULL));
	/* Only skill-evaluation experts need assessment experience. */
	e.assess_years = 0;
	e.group_types = GROUP_TRAINING_REVIEW | GROUP_METHODS;
	assert_null(check(&e, today_base, NULL));
}

static void test_training_years(void **state)
{
	(void)state;
	const char *why = NULL;
	struct expert e = base();
	e.training_years = 9;
	assert_string_equal(check(&e, today_base, &why), "training_years");
	assert_non_null(strstr(why, "10 years"));
	e.training_years = 10;
	assert_null(check(&e, today_base, NULL));
	/* Only training-review experts need ten years. */
	e.training_years = 0;
	e.group_types = GROUP_SKILL_EVALUATION | GROUP_METHODS;
	assert_null(check(&e, today_base, NULL));
	e.group_types = GROUP_METHODS;
	e.assess_years = 0;
	assert_null(check(&e, today_base, NULL));
}

static void test_age_limit(void **state)
{
	(void)state;
	const char *why = NULL;
	struct expert e = base();
	e.birth = day(1959, 6, 15);
	/* 65 on the 65th birthday and until the day before the 66th. */
	assert_null(check(&e, day(2024, 6, 15), NULL));
	assert_null(check(&e, day(2025, 6, 14), NULL));
	assert_string_equal(check(&e, day(2025, 6, 15), &why), "resident_id");
	assert_non_null(strstr(why, "65"));
	assert_true(eligibility_age_ok(&e, day(2025, 6, 14)));
	assert_false(eligibility_age_ok(&e, day(2025, 6, 15)));
	/* Born on a leap day: 66 on 1 March of a common year. */
	e.birth = day(1960, 2, 29);
	assert_null(check(&e, day(2026, 2, 28), NULL));
	assert_string_equal(check(&e, day(2026, 3, 1), NULL), "resident_id");
	assert_true(eligibility_age_ok(&e, day(2026, 2, 28)));
	assert_false(eligibility_age_ok(&e, day(2026, 3, 1)));
}

static void test_first_failure_is_reported(void **state)
{
	(void)state;
	struct expert e = base();
	e.title = TITLE_NONE;
	e.assess_years = 0;
	e.training_years = 0;
	e.birth = day(1940, 1, 1);
	assert_string_equal(check(&e, today_base, NULL), "title");
	e.title = TITLE_SENIOR;
	assert_string_equal(check(&e, today_base, NULL), "assess_years");
	e.assess_years = 3;
	assert_string_equal(check(&e, today_base, NULL), "training_years");
	e.training_years = 30;
	assert_string_equal(check(&e, today_base, NULL), "resident_id");
}

/* Each ground alone turns each failing condition of (二)(三)(四) into a
 * pass; the age rule (六) it never bends. */
static void test_each_relaxation_waives_each_rule(void **state)
{
	(void)state;
	for (int cond = 0; cond < 3; cond++) {
		struct expert e = base();
		if (cond == 0)
			e.title = TITLE_JUNIOR, e.qualification = QUAL_SENIOR_WORKER;
		else if (cond == 1)
			e.assess_years = 0;
		else
			e.training_years = 9;
		assert_non_null(check(&e, today_base, NULL));
		for (int g = 0; g < N_RELAXATIONS; g++) {
			e.relaxations = 1u << g;
			assert_null(check(&e, today_base, NULL));
		}
		e.relaxations = 0;
		assert_non_null(check(&e, today_base, NULL));
	}
	/* One ground waives all three at once, and not the age. */
	struct expert e = base();
	e.title = TITLE_NONE;
	e.assess_years = 0;
	e.training_years = 0;
	e.relaxations = 1u << 1; /* new occupation */
	assert_null(check(&e, today_base, NULL));
	e.birth = day(1945, 5, 5);
	assert_string_equal(check(&e, today_base, NULL), "resident_id");
	assert_false(eligibility_age_ok(&e, today_base));
}

/* 第十一条(六): over 65 only with an operator's age exception, whatever
 * the grounds; the 80-year-old with no title and a ground (the case of
 * issue #12) and the 76-year-old 第十三条 leader are refused without one. */
static void test_age_bends_only_for_an_exception(void **state)
{
	(void)state;
	struct expert e = base();
	e.title = TITLE_NONE;
	e.qualification = QUAL_SENIOR_WORKER;
	e.birth = day(1944, 1, 1);                       /* 80 on today_base */
	for (int g = 0; g < N_RELAXATIONS; g++) {
		e.relaxations = 1u << g;
		assert_string_equal(check(&e, today_base, NULL), "resident_id");
	}
	e.age_exception = true;
	assert_null(check(&e, today_base, NULL));
	assert_true(eligibility_age_ok(&e, today_base));
	struct expert lead = base();
	lead.birth = day(1948, 6, 1);                     /* 76 */
	lead.relaxations = RELAX_SENIOR_EXPERT;
	assert_true(eligibility_leader(&lead));           /* 第十三条 ... */
	assert_string_equal(check(&lead, today_base, NULL), "resident_id"); /* ... and 十一 */
	assert_false(eligibility_age_ok(&lead, today_base));
	lead.age_exception = true;
	assert_null(check(&lead, today_base, NULL));
}

static void test_leader(void **state)
{
	(void)state;
	struct expert e = base();
	e.title = TITLE_INTERMEDIATE;
	e.qualification = QUAL_TECHNICIAN;
	assert_false(eligibility_leader(&e));
	e.title = TITLE_DEPUTY_SENIOR;
	assert_true(eligibility_leader(&e));
	e.title = TITLE_SENIOR;
	assert_true(eligibility_leader(&e));
	e.title = TITLE_NONE;
	e.qualification = QUAL_SENIOR_TECHNICIAN;
	assert_true(eligibility_leader(&e));
	e.qualification = QUAL_SENIOR_WORKER;
	assert_false(eligibility_leader(&e));
	/* Of the grounds only the ministry/province-level expert leads. */
	for (int g = 0; g < N_RELAXATIONS; g++) {
		e.relaxations = 1u << g;
		assert_int_equal(eligibility_leader(&e), (1u << g) == RELAX_SENIOR_EXPERT);
	}
	e.relaxations = RELAX_SENIOR_EXPERT | 1u;
	assert_true(eligibility_leader(&e));
}

/* An expert of 焊工 and 电工 with no title: rule 1 fails. */
static struct expert two_specialties(void)
{
	struct expert e = base();
	e.title = TITLE_NONE;
	e.n_specialties = 2;
	strcpy(e.specialties[0], "焊工");
	strcpy(e.specialties[1], "电工");
	return e;
}

static void name_occupation(struct expert *e, const char *occupation)
{
	strcpy(e->relax_occupations[e->n_relax_occupations++], occupation);
}

/* two_specialties() with 紧缺工种 naming `occupation`. */
static struct expert shortage_in(const char *occupation)
{
	struct expert e = two_specialties();
	e.relaxations = RELAX_SHORTAGE_OCCUPATION;
	name_occupation(&e, occupation);
	return e;
}

/* 紧缺工种 and 新职业 are about the occupation they name (POLICY.md 4.2):
 * an expert who fails rules 1-3 and rests on them alone is eligible
 * there only; each bit is a specialty's place in the record. */
static void test_occupation_grounds_limit_to_their_occupation(void **state)
{
	(void)state;
	static const unsigned by_occupation[] = {RELAX_SHORTAGE_OCCUPATION,
		RELAX_NEW_OCCUPATION, RELAX_BY_OCCUPATION};
	for (size_t k = 0; k < 3; k++) {
		struct expert e = two_specialties();
		e.relaxations = by_occupation[k];
		name_occupation(&e, "电工");
		assert_null(eligibility_occupations_problem(&e));
		assert_null(check(&e, today_base, NULL));     /* eligible: somewhere */
		assert_int_equal(eligibility_specialty_mask(&e), 2u);
		strcpy(e.relax_occupations[0], "焊工");
		assert_int_equal(eligibility_specialty_mask(&e), 1u);
		/* Naming every specialty limits nothing: written 0. */
		name_occupation(&e, "电工");
		assert_int_equal(eligibility_specialty_mask(&e), 0u);
	}
	/* Of three specialties, two named: bits 0 and 2. */
	struct expert e = two_specialties();
	strcpy(e.specialties[e.n_specialties++], "钳工");
	e.relaxations = RELAX_NEW_OCCUPATION;
	name_occupation(&e, "钳工");
	name_occupation(&e, "焊工");
	assert_int_equal(eligibility_specialty_mask(&e), 5u);
}

/* Each of rules 1-3 failing alone limits the expert; passing them, or any
 * other ground beside the occupation's, leaves every specialty. */
static void test_occupation_limit_only_when_needed(void **state)
{
	(void)state;
	struct expert e = shortage_in("焊工");
	e.title = TITLE_INTERMEDIATE;                  /* passes rules 1-3 */
	assert_int_equal(eligibility_specialty_mask(&e), 0u);
	e.assess_years = 0;                            /* rule 2 fails */
	assert_int_equal(eligibility_specialty_mask(&e), 1u);
	e.assess_years = 1;
	e.training_years = 9;                          /* rule 3 fails */
	assert_int_equal(eligibility_specialty_mask(&e), 1u);
	e.group_types = GROUP_SKILL_EVALUATION;        /* ... not in its group */
	assert_int_equal(eligibility_specialty_mask(&e), 0u);
	e = shortage_in("焊工");
	for (unsigned g = 2; g < N_RELAXATIONS; g++) {
		e.relaxations = RELAX_SHORTAGE_OCCUPATION | (1u << g);
		assert_int_equal(eligibility_specialty_mask(&e), 0u);
	}
	e.relaxations = RELAX_SENIOR_EXPERT;           /* no occupation at all */
	e.n_relax_occupations = 0;
	assert_int_equal(eligibility_specialty_mask(&e), 0u);
	e.relaxations = 0;                             /* ineligible: nothing to limit */
	assert_int_equal(eligibility_specialty_mask(&e), 0u);
}

/* A named occupation must be one of the specialties (both canonical). */
static void test_occupation_must_be_a_specialty(void **state)
{
	(void)state;
	struct expert e = shortage_in("电工");
	assert_null(eligibility_occupations_problem(&e));
	name_occupation(&e, "钳工");
	const char *why = eligibility_occupations_problem(&e);
	assert_non_null(why);
	assert_non_null(strstr(why, "not one of the row's specialties"));
	strcpy(e.relax_occupations[1], "电工 ");     /* bytes, not a lookup */
	assert_non_null(eligibility_occupations_problem(&e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_is_eligible),
		cmocka_unit_test(test_title_or_qualification),
		cmocka_unit_test(test_assess_years),
		cmocka_unit_test(test_training_years),
		cmocka_unit_test(test_age_limit),
		cmocka_unit_test(test_first_failure_is_reported),
		cmocka_unit_test(test_each_relaxation_waives_each_rule),
		cmocka_unit_test(test_age_bends_only_for_an_exception),
		cmocka_unit_test(test_leader),
		cmocka_unit_test(test_occupation_grounds_limit_to_their_occupation),
		cmocka_unit_test(test_occupation_limit_only_when_needed),
		cmocka_unit_test(test_occupation_must_be_a_specialty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
