/*
 * recusal.c - the eligibility and recusal rules of a draw (see recusal.h),
 * one predicate per rule in a table indexed by the rule, so the check order
 * is the enum order by construction. Pure: the task's dates are "now".
 */
#include "eligibility.h"
#include "ident.h"
#include "recusal.h"

#define RECUSAL_DAY_SECONDS INT64_C(86400)

const char *const recusal_rule_names[RULE__COUNT] = {
	[RULE_OK] = "ok",
	[RULE_STATUS] = "status",
	[RULE_TERM] = "term",
	[RULE_CAPABILITY] = "capability",
	[RULE_AGE] = "age",
	[RULE_EXCLUDED] = "excluded",
	[RULE_EMPLOYER] = "employer",
	[RULE_RECOMMENDER] = "recommender",
	[RULE_CONFLICT] = "conflict",
	[RULE_OVERLAP] = "overlap",
	[RULE_ROTATION] = "rotation",
	[RULE_EXPOSURE] = "exposure",
};

/* Everything one check looks at. */
struct recusal_ctx {
	const struct pool_entry *pe;
	const struct engage *eng;
	const struct recusal_terms *terms;
	const struct recusal_task *t;
	const struct recusal_config *cfg;
};

/* An org code never seen is interned as 0 and concerns nobody. */
static bool recusal_task_has_org(const struct recusal_task *t, uint32_t org)
{
	if (org == 0)
		return false;
	for (int i = 0; i < t->n_orgs; i++)
		if (t->orgs[i] == org)
			return true;
	return false;
}

static bool recusal_tasks_share_org(const struct recusal_task *t,
                                    const struct engage_task *other)
{
	for (int i = 0; i < other->n_orgs; i++)
		if (recusal_task_has_org(t, other->orgs[i]))
			return true;
	return false;
}

/* |a - b| without signed overflow, whatever the stored times. */
static uint64_t recusal_distance(int64_t a, int64_t b)
{
	return a >= b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

/* Seconds in `days` days; 0 or less gives 0. */
static uint64_t recusal_window(int days)
{
	return days > 0 ? (uint64_t)days * (uint64_t)RECUSAL_DAY_SECONDS : 0;
}

/* A suspension with an end date that passed before the task starts no
 * longer stands; an open-ended one (0) always does. */
static bool recusal_fails_status(const struct recusal_ctx *x)
{
	const struct pool_entry *pe = x->pe;
	if (pe->status == EXPERT_ACTIVE)
		return false;
	if (pe->status == EXPERT_SUSPENDED)
		return !(pe->suspended_until != 0 &&
		         pe->suspended_until < x->t->start_day);
	return true;
}

/* Service runs from the start of joined_term to the end of term, and must
 * cover the whole task. */
static bool recusal_fails_term(const struct recusal_ctx *x)
{
	const struct pool_entry *pe = x->pe;
	const struct recusal_terms *tm = x->terms;
	if (!tm || !(tm->count >= pe->term && pe->term >= pe->joined_term &&
	             pe->joined_term >= 1))
		return true;
	return !(tm->start[pe->joined_term] <= x->t->start_day &&
	         x->t->end_day <= tm->end[pe->term]);
}

static bool recusal_fails_capability(const struct recusal_ctx *x)
{
	return x->t->capability != 0 && !(x->pe->task_types & x->t->capability);
}

/* Older than the limit on day `on`. A draw checks every expert of a
 * bucket, so the calendar is consulted only near the limit: the years up
 * to the next birthday span between 365 and 366 days each. */
static bool recusal_is_over_age(int32_t birth, int32_t on)
{
	const int64_t years = ELIGIBILITY_MAX_AGE + 1, lived = (int64_t)on - birth;
	if (lived < years * 365)
		return false;
	if (lived >= years * 366)
		return true;
	return ident_age_on(birth, on) > ELIGIBILITY_MAX_AGE;
}

/* eligibility_age_ok() on the compact entry: same limit, same waiver. */
static bool recusal_fails_age(const struct recusal_ctx *x)
{
	return x->pe->relaxations == 0 &&
	       recusal_is_over_age(x->pe->birth, x->t->start_day);
}

static bool recusal_fails_excluded(const struct recusal_ctx *x)
{
	for (int i = 0; i < x->t->n_exclude; i++)
		if (x->t->exclude[i] == x->pe->id)
			return true;
	return false;
}

static bool recusal_fails_employer(const struct recusal_ctx *x)
{
	return recusal_task_has_org(x->t, x->pe->employer_org);
}

static bool recusal_fails_recommender(const struct recusal_ctx *x)
{
	return recusal_task_has_org(x->t, x->pe->recommender_org);
}

/* A conflict counts when its days [valid_from, valid_to] (valid_to 0 =
 * open-ended) meet the task's days [start_day, end_day]. */
static bool recusal_fails_conflict(const struct recusal_ctx *x)
{
	size_t n;
	const struct engage_conflict *c = engage_conflicts(x->eng, x->pe->id, &n);
	for (size_t i = 0; i < n; i++) {
		if (!recusal_task_has_org(x->t, c[i].org))
			continue;
		if (c[i].valid_from <= x->t->end_day &&
		    (c[i].valid_to == 0 || c[i].valid_to >= x->t->start_day))
			return true;
	}
	return false;
}

static bool recusal_state_is_live(int state)
{
	return state == ASSIGN_OFFERED || state == ASSIGN_ACCEPTED;
}

static bool recusal_state_is_served(int state)
{
	return recusal_state_is_live(state) || state == ASSIGN_COMPLETED;
}

/* The task of an assignment of another task, in one of the states that
 * count for a rule; NULL otherwise. An assignment whose task is not held
 * cannot be placed in time, so it counts for nothing. */
static const struct engage_task *recusal_other_task(const struct recusal_ctx *x,
                                                    const struct engage_assignment *a,
                                                    bool (*state_counts)(int))
{
	if (a->task == x->t->id || !state_counts(a->state))
		return NULL;
	return engage_task(x->eng, a->task);
}

/* Half-open [start_at, end_at): a task ending when the next starts does
 * not clash with it. */
static bool recusal_fails_overlap(const struct recusal_ctx *x)
{
	size_t n;
	const struct engage_assignment *a = engage_assignments(x->eng, x->pe->id, &n);
	for (size_t i = 0; i < n; i++) {
		const struct engage_task *o =
			recusal_other_task(x, &a[i], recusal_state_is_live);
		if (o && o->start_at < x->t->end_at && x->t->start_at < o->end_at)
			return true;
	}
	return false;
}

/* Served on the same organisation with starts at most the window apart,
 * whichever came first. */
static bool recusal_fails_rotation(const struct recusal_ctx *x)
{
	if (x->cfg->rotation_days <= 0)
		return false;
	uint64_t window = recusal_window(x->cfg->rotation_days);
	size_t n;
	const struct engage_assignment *a = engage_assignments(x->eng, x->pe->id, &n);
	for (size_t i = 0; i < n; i++) {
		const struct engage_task *o =
			recusal_other_task(x, &a[i], recusal_state_is_served);
		if (o && recusal_distance(x->t->start_at, o->start_at) <= window &&
		    recusal_tasks_share_org(x->t, o))
			return true;
	}
	return false;
}

/* Assignments with starts less than the window apart from this task's;
 * the cap is reached when there are already `exposure_cap` of them. */
static bool recusal_fails_exposure(const struct recusal_ctx *x)
{
	if (x->cfg->exposure_cap <= 0)
		return false;
	uint64_t window = recusal_window(x->cfg->exposure_days);
	size_t n;
	int count = 0;
	const struct engage_assignment *a = engage_assignments(x->eng, x->pe->id, &n);
	for (size_t i = 0; i < n; i++) {
		const struct engage_task *o =
			recusal_other_task(x, &a[i], recusal_state_is_served);
		if (o && recusal_distance(x->t->start_at, o->start_at) < window &&
		    ++count >= x->cfg->exposure_cap)
			return true;
	}
	return false;
}

/* Indexed by rule; RULE_OK has no predicate. */
static bool (*const recusal_rules[RULE__COUNT])(const struct recusal_ctx *) = {
	[RULE_STATUS] = recusal_fails_status,
	[RULE_TERM] = recusal_fails_term,
	[RULE_CAPABILITY] = recusal_fails_capability,
	[RULE_AGE] = recusal_fails_age,
	[RULE_EXCLUDED] = recusal_fails_excluded,
	[RULE_EMPLOYER] = recusal_fails_employer,
	[RULE_RECOMMENDER] = recusal_fails_recommender,
	[RULE_CONFLICT] = recusal_fails_conflict,
	[RULE_OVERLAP] = recusal_fails_overlap,
	[RULE_ROTATION] = recusal_fails_rotation,
	[RULE_EXPOSURE] = recusal_fails_exposure,
};

enum recusal_rule recusal_check(const struct pool_entry *pe,
                                const struct engage *eng,
                                const struct recusal_terms *terms,
                                const struct recusal_task *t,
                                const struct recusal_config *cfg)
{
	const struct recusal_ctx x = {pe, eng, terms, t, cfg};
	/* Most experts hold no conflict and no assignment: the rules that
	 * read those records cannot exclude them, so stop before them. */
	size_t nc = 0, na = 0;
	engage_conflicts(eng, pe->id, &nc);
	engage_assignments(eng, pe->id, &na);
	int last = (nc || na) ? RULE__COUNT : RULE_CONFLICT;
	for (int r = RULE_OK + 1; r < last; r++)
		if (recusal_rules[r](&x))
			return (enum recusal_rule)r;
	return RULE_OK;
}
