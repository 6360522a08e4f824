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

/* 第十一条(七): any of the five grounds relaxes (二)(三)(四), and only
 * those: never (六), the age rule, which bends only by an operator's
 * recorded exception. */
static bool eligibility_is_relaxed(const struct expert *e)
{
	return e->relaxations != 0;
}

bool eligibility_check(const struct expert *e, int32_t today,
                       const char **field, const char **why)
{
	const char *f = NULL, *w = NULL;

	if (eligibility_is_relaxed(e)) {
		if (eligibility_age_ok(e, today))
			return true;
		f = "resident_id";
		w = "over the age limit of 65 (第十一条(六)); relaxation grounds do not "
		    "bend it, only an operator's recorded age exception";
	} else if (!eligibility_has_title_or_qual(e)) {
		f = "title";
		w = "needs an intermediate title or a technician qualification (第十一条)";
	} else if ((e->group_types & GROUP_SKILL_EVALUATION) && e->assess_years < 1) {
		f = "assess_years";
		w = "skill evaluation needs at least 1 year of assessment work (第十一条)";
	} else if ((e->group_types & GROUP_TRAINING_REVIEW) && e->training_years < 10) {
		f = "training_years";
		w = "training review needs at least 10 years of training work (第十一条)";
	} else if (!eligibility_age_ok(e, today)) {
		f = "resident_id";
		w = "over the age limit of 65 (第十一条(六)); only an operator's recorded "
		    "age exception bends it";
	} else {
		return true;
	}
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
	return e->age_exception || ident_age_on(e->birth, on) <= ELIGIBILITY_MAX_AGE;
}
