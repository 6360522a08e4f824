/*
 * eligibility.c - 第十一条 (who may be appointed) and 第十二、十三条 (who may
 * lead a group) as pure predicates over an expert record and a given day.
 */
#include "eligibility.h"
#include "ident.h"

/* 第十一条(二): an intermediate title or a technician qualification. */
static bool eligibility_has_title_or_qual(const struct expert *e)
{
	return e->title >= TITLE_INTERMEDIATE || e->qualification >= QUAL_TECHNICIAN;
}

/* 第十一条(七): any of the five grounds waives (二)(三)(四) and the age rule. */
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
	if (eligibility_is_relaxed(e))
		return 0;
#define ELIGIBILITY_FAIL(f, w) do { \
		if (n < max) { fields[n] = (f); whys[n] = (w); n++; } \
	} while (0)
	if (!eligibility_has_title_or_qual(e))
		ELIGIBILITY_FAIL("title", "needs an intermediate title or a technician "
		                 "qualification (第十一条)");
	if ((e->group_types & GROUP_SKILL_EVALUATION) && e->assess_years < 1)
		ELIGIBILITY_FAIL("assess_years", "skill evaluation needs at least 1 year of "
		                 "assessment work (第十一条)");
	if ((e->group_types & GROUP_TRAINING_REVIEW) && e->training_years < 10)
		ELIGIBILITY_FAIL("training_years", "training review needs at least 10 years "
		                 "of training work (第十一条)");
	if (ident_age_on(e->birth, today) > ELIGIBILITY_MAX_AGE)
		ELIGIBILITY_FAIL("resident_id", "over the age limit of 65 without a "
		                 "relaxation ground (第十一条)");
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

bool eligibility_leader(const struct expert *e)
{
	return e->title >= TITLE_DEPUTY_SENIOR ||
	       e->qualification == QUAL_SENIOR_TECHNICIAN ||
	       (e->relaxations & RELAX_SENIOR_EXPERT) != 0;
}

bool eligibility_age_ok(const struct expert *e, int32_t on)
{
	return eligibility_is_relaxed(e) ||
	       ident_age_on(e->birth, on) <= ELIGIBILITY_MAX_AGE;
}
