/*
 * recusal.c - the eligibility and recusal rules of a draw (see recusal.h),
 * one predicate per rule, called in enum order by recusal_check: the
 * rules as written, for one expert. Rules 9 (overlap), 10 (rotation) and
 * 11 (exposure) share one walk of the
 * assignments; the first failing rule in enum order is still the one
 * reported. A draw uses the scan instead (recusal_scan_*): the record
 * rules turned into thresholds once per task, rules 8-10 (conflict,
 * overlap, rotation) looked up once
 * from the task's side, the same answers per expert (test_candidates_scan
 * holds the two to that). Pure: the task's dates are "now".
 */
#include <stdlib.h>
#include <string.h>

#include "recusal.h"
#include "recusal_int.h"

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
	[RULE_UNAVAILABLE] = "unavailable",
	[RULE_RELAXATION] = "relaxation",
};

static bool recusal_tasks_share_org(const struct recusal_task *t,
                                    const struct engage_task *other)
{
	for (int i = 0; i < other->n_orgs; i++)
		if (recusal_task_has_org(t, other->orgs[i]))
			return true;
	return false;
}

/* A suspension with an end date that passed before the task starts no
 * longer stands; an open-ended one (0) always does. */
static bool recusal_fails_status(const struct pool_slim *pe,
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
static bool recusal_fails_term(const struct pool_slim *pe,
                               const struct recusal_terms *tm,
                               const struct recusal_task *t)
{
	if (!tm || !(tm->count >= pe->term && pe->term >= pe->joined_term &&
	             pe->joined_term >= 1))
		return true;
	return !(tm->start[pe->joined_term] <= t->start_day &&
	         t->end_day <= tm->end[pe->term]);
}

static bool recusal_fails_capability(const struct pool_slim *pe,
                                     const struct recusal_task *t)
{
	return t->capability != 0 && !(pe->task_types & t->capability);
}

uint8_t recusal_age_waivers(const struct recusal_config *cfg)
{
	return cfg->age_by_exception ? POOL_AGE_EXCEPTION : RELAX_GROUNDS;
}

/* eligibility_age_ok() on the compact entry: same limit, and the waiver
 * of the transcript's rules. */
static bool recusal_fails_age(const struct pool_slim *pe, const struct recusal_task *t,
                              const struct recusal_config *cfg)
{
	return !(pe->relaxations & recusal_age_waivers(cfg)) &&
	       recusal_is_over_age(pe->birth, t->start_day);
}

static bool recusal_fails_excluded(const struct pool_entry *pe,
                                   const struct recusal_task *t)
{
	for (int i = 0; i < t->n_exclude; i++)
		if (t->exclude[i] == pe->id)
			return true;
	return false;
}

/*
 * Rules 9 (overlap), 10 (rotation) and 11 (exposure) in one walk of the
 * assignments; the first of them that fails, or RULE_OK. Only assignments
 * of other tasks count, in a live state for rule 9 (overlap) and a served
 * one for rules 10 (rotation) and 11 (exposure) (live is a subset of
 * served). An assignment whose task is not held cannot be placed in
 * time, so it counts for nothing.
 *  9 (overlap): half-open [start_at, end_at) overlap: a task ending when
 *     the next starts does not clash with it. Checked first, so it ends
 *     the walk.
 *  10 (rotation): same organisation, starts at most the window apart.
 *  11 (exposure): the cap is reached when `exposure_cap` assignments
 *     start less than the window apart from this task.
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

/* Rules 1-4 of the list (status, term, capability, age): the expert
 * record and the task's days alone. (recusal_scan_record() is the same
 * with the task's side worked out beforehand.) */
static enum recusal_rule recusal_check_record(const struct pool_slim *pe,
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
	if (recusal_fails_age(pe, t, cfg))
		return RULE_AGE;
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
	const struct pool_slim x = pool_slim_of(pe, t->specialty);
	enum recusal_rule r = recusal_check_record(&x, terms, t, cfg);
	if (r != RULE_OK)
		return r;
	if (recusal_fails_excluded(pe, t))
		return RULE_EXCLUDED;
	if (recusal_fails_employer(&x, t))
		return RULE_EMPLOYER;
	if (recusal_fails_recommender(&x, t))
		return RULE_RECOMMENDER;
	const struct engage_conflict *c;
	const struct engage_assignment *a;
	size_t nc, na;
	engage_records(eng, pe->id, &c, &nc, &a, &na);
	if (recusal_fails_conflict(c, nc, t))
		return RULE_CONFLICT;
	r = na ? recusal_check_assignments(eng, a, na, t, cfg) : RULE_OK;
	if (r != RULE_OK)
		return r;
	size_t nw;
	const struct engage_away *w = engage_aways(eng, &nw);
	for (size_t i = 0; i < nw; i++)
		if (w[i].expert == pe->id && recusal_is_away(&w[i], t))
			return RULE_UNAVAILABLE;
	return (x.relaxations & POOL_SLIM_OTHER_OCCUPATION) ? RULE_RELAXATION : RULE_OK;
}
