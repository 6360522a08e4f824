/*
 * eligibility.c - 第十一条 (who may be appointed) and 第十二、十三条 (who may
 * lead a group) as pure predicates over an expert record and a given day.
 */
#include <string.h>

#include "eligibility.h"
#include "i18n.h"
#include "ident.h"

/* 第十一条(二): an intermediate title or a technician qualification. */
static bool eligibility_has_title_or_qual(const struct expert *e)
{
	return e->title >= TITLE_INTERMEDIATE || e->qualification >= QUAL_TECHNICIAN;
}

/* Rules 1-3 of POLICY.md 4.2 (第十一条(二)) with no ground waiving them. */
static bool eligibility_meets_rules(const struct expert *e)
{
	return eligibility_has_title_or_qual(e) &&
	       !((e->group_types & GROUP_SKILL_EVALUATION) && e->assess_years < 1) &&
	       !((e->group_types & GROUP_TRAINING_REVIEW) && e->training_years < 10);
}

/* 第十一条(七): any of the five grounds relaxes (二)(三)(四), and only
 * those: never (六), the age rule, which bends only by an operator's
 * recorded exception. */
static bool eligibility_is_relaxed(const struct expert *e)
{
	return e->relaxations != 0;
}

/* Up to max failed conditions of e on `today`, in the order of
 * PROTOCOL.md 7.5.4; the count found. */
size_t eligibility_failures(const struct expert *e, int32_t today,
                            const char **fields, const char **whys, size_t max)
{
	size_t n = 0;
	bool relaxed = eligibility_is_relaxed(e);
#define ELIGIBILITY_FAIL(f, w) do { \
		if (n < max) { fields[n] = (f); whys[n] = (w); n++; } \
	} while (0)
	if (!relaxed && !eligibility_has_title_or_qual(e))
		ELIGIBILITY_FAIL("title", "needs an intermediate title or a technician "
		                 "qualification (第十一条)");
	if (!relaxed && (e->group_types & GROUP_SKILL_EVALUATION) && e->assess_years < 1)
		ELIGIBILITY_FAIL("assess_years", "skill evaluation needs at least 1 year of "
		                 "assessment work (第十一条)");
	if (!relaxed && (e->group_types & GROUP_TRAINING_REVIEW) && e->training_years < 10)
		ELIGIBILITY_FAIL("training_years", "training review needs at least 10 years "
		                 "of training work (第十一条)");
	if (!eligibility_age_ok(e, today))
		ELIGIBILITY_FAIL("resident_id", relaxed
		                 ? N_("over the age limit of 65 (第十一条(六)); relaxation grounds "
		                   "do not bend it, only an operator's recorded age exception")
		                 : N_("over the age limit of 65 (第十一条(六)); only an operator's "
		                   "recorded age exception bends it"));
#undef ELIGIBILITY_FAIL
	return n;
}

bool eligibility_check(const struct expert *e, int32_t today,
                       const char **field, const char **why)
{
	const char *f = NULL, *w = NULL;
	if (eligibility_failures(e, today, &f, &w, 1) == 0)
		return true;
	if (field)
		*field = f;
	if (why)
		*why = w;
	return false;
}

/* Whether e names occupation `name` for its occupation-tied grounds. */
static bool eligibility_names(const struct expert *e, const char *name)
{
	for (int j = 0; j < e->n_relax_occupations; j++)
		if (strcmp(e->relax_occupations[j], name) == 0)
			return true;
	return false;
}

unsigned eligibility_specialty_mask(const struct expert *e)
{
	/* 紧缺工种 and 新职业 are about one occupation each; the other three
	 * grounds, and passing the rules outright, hold for every specialty. */
	if (!(e->relaxations & RELAX_BY_OCCUPATION) ||
	    (e->relaxations & RELAX_GROUNDS & ~RELAX_BY_OCCUPATION) ||
	    eligibility_meets_rules(e))
		return 0;
	unsigned mask = 0;
	for (int i = 0; i < e->n_specialties; i++)
		if (eligibility_names(e, e->specialties[i]))
			mask |= 1u << i;
	return mask == (1u << e->n_specialties) - 1 ? 0 : mask;
}

const char *eligibility_occupations_problem(const struct expert *e)
{
	for (int j = 0; j < e->n_relax_occupations; j++) {
		bool held = false;
		for (int i = 0; i < e->n_specialties && !held; i++)
			held = strcmp(e->specialties[i], e->relax_occupations[j]) == 0;
		if (!held)
			return N_("names an occupation that is not one of the row's specialties: "
			          "a ground relaxes the rules only in an occupation the expert "
			          "applies for (第十一条(七))");
	}
	return NULL;
}

bool eligibility_leader(const struct expert *e)
{
	return e->title >= TITLE_DEPUTY_SENIOR ||
	       e->qualification == QUAL_SENIOR_TECHNICIAN ||
	       (e->relaxations & RELAX_SENIOR_EXPERT) != 0;
}

bool eligibility_age_ok(const struct expert *e, int32_t on)
{
	return e->age_exception || ident_age_on(e->birth, on) <= ELIGIBILITY_MAX_AGE;
}
