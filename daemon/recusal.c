/*
 * recusal.c - the eligibility and recusal rules of a draw (see recusal.h),
 * one predicate per rule, called in enum order by recusal_check. A draw
 * checks every expert of a bucket, so the rules that read an expert's
 * engagements share one lookup of them, and rules 4, 5 and 8 share one
 * walk of the assignments; the first failing rule in enum order is still
 * the one reported. Pure: the task's dates are "now".
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
static bool recusal_fails_status(const struct pool_entry *pe,
                                 const struct recusal_task *t)
{
	if (pe->status == EXPERT_ACTIVE)
		return false;
	if (pe->status == EXPERT_SUSPENDED)
		return !(pe->suspended_until != 0 &&
		         pe->suspended_until < t->start_day);
	return true;
}

/* Service runs from the start of joined_term to the end of term, and must
 * cover the whole task. */
static bool recusal_fails_term(const struct pool_entry *pe,
                               const struct recusal_terms *tm,
                               const struct recusal_task *t)
{
	if (!tm || !(tm->count >= pe->term && pe->term >= pe->joined_term &&
	             pe->joined_term >= 1))
		return true;
	return !(tm->start[pe->joined_term] <= t->start_day &&
	         t->end_day <= tm->end[pe->term]);
}

static bool recusal_fails_capability(const struct pool_entry *pe,
                                     const struct recusal_task *t)
{
	return t->capability != 0 && !(pe->task_types & t->capability);
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
static bool recusal_fails_age(const struct pool_entry *pe,
                              const struct recusal_task *t)
{
	return pe->relaxations == 0 && recusal_is_over_age(pe->birth, t->start_day);
}

static bool recusal_fails_excluded(const struct pool_entry *pe,
                                   const struct recusal_task *t)
{
	for (int i = 0; i < t->n_exclude; i++)
		if (t->exclude[i] == pe->id)
			return true;
	return false;
}

static bool recusal_fails_employer(const struct pool_entry *pe,
                                   const struct recusal_task *t)
{
	return recusal_task_has_org(t, pe->employer_org);
}

static bool recusal_fails_recommender(const struct pool_entry *pe,
                                      const struct recusal_task *t)
{
	return recusal_task_has_org(t, pe->recommender_org);
}

/* A conflict counts when its days [valid_from, valid_to] (valid_to 0 =
 * open-ended) meet the task's days [start_day, end_day]. */
static bool recusal_fails_conflict(const struct engage_conflict *c, size_t n,
                                   const struct recusal_task *t)
{
	for (size_t i = 0; i < n; i++) {
		if (!recusal_task_has_org(t, c[i].org))
			continue;
		if (c[i].valid_from <= t->end_day &&
		    (c[i].valid_to == 0 || c[i].valid_to >= t->start_day))
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

/*
 * Rules 4 (overlap), 5 (rotation) and 8 (exposure) in one walk of the
 * assignments; the first of them that fails, or RULE_OK. Only assignments
 * of other tasks count, in a live state for rule 4 and a served one for
 * rules 5 and 8 (live is a subset of served). An assignment whose task is
 * not held cannot be placed in time, so it counts for nothing.
 *  4: half-open [start_at, end_at) overlap: a task ending when the next
 *     starts does not clash with it. Checked first, so it ends the walk.
 *  5: same organisation, starts at most the window apart.
 *  8: the cap is reached when `exposure_cap` assignments start less than
 *     the window apart from this task.
 */
static enum recusal_rule recusal_check_assignments(const struct engage *eng,
                                                   const struct engage_assignment *a,
                                                   size_t n,
                                                   const struct recusal_task *t,
                                                   const struct recusal_config *cfg)
{
	size_t n_tasks;
	const struct engage_task *tasks = engage_task_table(eng, &n_tasks);
	const bool rotation_on = cfg->rotation_days > 0;
	const bool exposure_on = cfg->exposure_cap > 0;
	const uint64_t rotation_window = recusal_window(cfg->rotation_days);
	const uint64_t exposure_window = recusal_window(cfg->exposure_days);
	bool rotation = false;
	int exposure = 0;
	for (size_t i = 0; i < n; i++) {
		int64_t id = a[i].task;
		if (id == t->id || !recusal_state_is_served(a[i].state))
			continue;
		/* engage_task(), without a call per assignment */
		if (id <= 0 || (uint64_t)id >= n_tasks || tasks[id].id != id)
			continue;
		const struct engage_task *o = &tasks[id];
		if (recusal_state_is_live(a[i].state) &&
		    o->start_at < t->end_at && t->start_at < o->end_at)
			return RULE_OVERLAP;
		uint64_t d = recusal_distance(t->start_at, o->start_at);
		if (rotation_on && !rotation && d <= rotation_window &&
		    recusal_tasks_share_org(t, o))
			rotation = true;
		if (exposure_on && d < exposure_window)
			exposure++;
	}
	if (rotation)
		return RULE_ROTATION;
	if (exposure_on && exposure >= cfg->exposure_cap)
		return RULE_EXPOSURE;
	return RULE_OK;
}

/* The rules in enum order; the ones reading engagements last, since most
 * experts hold none and those rules cannot exclude them. */
enum recusal_rule recusal_check(const struct pool_entry *pe,
                                const struct engage *eng,
                                const struct recusal_terms *terms,
                                const struct recusal_task *t,
                                const struct recusal_config *cfg)
{
	if (recusal_fails_status(pe, t))
		return RULE_STATUS;
	if (recusal_fails_term(pe, terms, t))
		return RULE_TERM;
	if (recusal_fails_capability(pe, t))
		return RULE_CAPABILITY;
	if (recusal_fails_age(pe, t))
		return RULE_AGE;
	if (recusal_fails_excluded(pe, t))
		return RULE_EXCLUDED;
	if (recusal_fails_employer(pe, t))
		return RULE_EMPLOYER;
	if (recusal_fails_recommender(pe, t))
		return RULE_RECOMMENDER;
	const struct engage_conflict *c;
	const struct engage_assignment *a;
	size_t nc, na;
	engage_records(eng, pe->id, &c, &nc, &a, &na);
	if (recusal_fails_conflict(c, nc, t))
		return RULE_CONFLICT;
	return na ? recusal_check_assignments(eng, a, na, t, cfg) : RULE_OK;
}
