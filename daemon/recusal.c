/*
 * recusal.c - the eligibility and recusal rules of a draw (see recusal.h),
 * one predicate per rule, called in enum order by recusal_check. A draw
 * checks every expert of a bucket, so the rules that read an expert's
 * engagements share one lookup of them, and rules 4, 5 and 8 share one
 * walk of the assignments; the first failing rule in enum order is still
 * the one reported. A draw uses the scan instead (recusal_scan_*): rules
 * 3-5 looked up once from the task's side, the same answers per expert.
 * Pure: the task's dates are "now".
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

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
static bool recusal_fails_age(const struct pool_slim *pe,
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

static bool recusal_fails_employer(const struct pool_slim *pe,
                                   const struct recusal_task *t)
{
	return recusal_task_has_org(t, pe->employer_org);
}

static bool recusal_fails_recommender(const struct pool_slim *pe,
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

/* Rules 1-4 of the list (status, term, capability, age): the expert
 * record and the task's days alone. Inline: a draw runs it for every
 * expert of a bucket. */
static inline enum recusal_rule recusal_check_record(const struct pool_slim *pe,
                                                     const struct recusal_terms *terms,
                                                     const struct recusal_task *t)
{
	if (recusal_fails_status(pe, t))
		return RULE_STATUS;
	if (recusal_fails_term(pe, terms, t))
		return RULE_TERM;
	if (recusal_fails_capability(pe, t))
		return RULE_CAPABILITY;
	if (recusal_fails_age(pe, t))
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
	const struct pool_slim x = pool_slim_of(pe);
	enum recusal_rule r = recusal_check_record(&x, terms, t);
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
	return na ? recusal_check_assignments(eng, a, na, t, cfg) : RULE_OK;
}

/*
 * The scan: rules 3, 4 and 5 from the task's side. An expert fails one of
 * them only through a conflict on one of the task's organisations, a seat
 * on a task overlapping it, or a seat on a task sharing an organisation
 * within the rotation window; so the draw looks those up once, notes
 * (expert, rule) hits, sorts them, and merges them with the bucket walk.
 * The smallest rule of an expert's hits is the one recusal_check()
 * reports, since it checks them in enum order.
 */

void recusal_scan_init(struct recusal_scan *s)
{
	memset(s, 0, sizeof *s);
}

void recusal_scan_free(struct recusal_scan *s)
{
	free(s->hits);
	free(s->exclude);
	recusal_scan_init(s);
}

static void recusal_scan_hit(struct recusal_scan *s, int64_t expert,
                             enum recusal_rule r)
{
	if (s->n_hits == s->cap_hits) {
		size_t nc = s->cap_hits ? s->cap_hits * 2 : 256;
		struct recusal_hit *h = realloc(s->hits, nc * sizeof *h);
		if (!h) {
			s->oom = true;
			return;
		}
		s->hits = h;
		s->cap_hits = nc;
	}
	s->hits[s->n_hits++] = (struct recusal_hit){expert, (int32_t)r};
}

/* The task's distinct organisations other than 0 (which concerns nobody). */
static int recusal_scan_orgs(const struct recusal_task *t, uint32_t out[TASK_MAX_ORGS])
{
	int n = 0;
	for (int i = 0; i < t->n_orgs; i++) {
		bool seen = t->orgs[i] == 0;
		for (int k = 0; k < n && !seen; k++)
			seen = out[k] == t->orgs[i];
		if (!seen)
			out[n++] = t->orgs[i];
	}
	return n;
}

static void recusal_scan_conflicts(struct recusal_scan *s, const uint32_t *orgs,
                                   int n_orgs)
{
	for (int i = 0; i < n_orgs; i++) {
		size_t n;
		const struct engage_org_conflict *c =
			engage_org_conflicts(s->eng, orgs[i], &n);
		for (size_t k = 0; k < n; k++)
			if (recusal_fails_conflict(&c[k].c, 1, s->t))
				recusal_scan_hit(s, c[k].expert, RULE_CONFLICT);
	}
}

/* Held task `id` unless it is the draw's own task; else NULL (the rules
 * skip both, as recusal_check_assignments does). */
static const struct engage_task *recusal_scan_other(const struct engage_task *tasks,
                                                    size_t n_tasks, int64_t id,
                                                    const struct recusal_task *t)
{
	if (id == t->id || id <= 0 || (uint64_t)id >= n_tasks || tasks[id].id != id)
		return NULL;
	return &tasks[id];
}

/* Hits under rule r for every seat on `task` in a state that counts. */
static void recusal_scan_seats(struct recusal_scan *s, int64_t task,
                               bool (*counts)(int), enum recusal_rule r)
{
	size_t n;
	const struct engage_seat *seat = engage_task_seats(s->eng, task, &n);
	for (size_t i = 0; i < n; i++)
		if (counts(seat[i].state))
			recusal_scan_hit(s, seat[i].expert, r);
}

static void recusal_scan_overlap_one(struct recusal_scan *s,
                                     const struct engage_task *o)
{
	if (o && o->start_at < s->t->end_at && s->t->start_at < o->end_at)
		recusal_scan_seats(s, o->id, recusal_state_is_live, RULE_OVERLAP);
}

/* Start days looked up one by one at most; a wider range (some task held
 * for years) reads the whole task table instead. */
#define RECUSAL_SCAN_MAX_DAYS 4096

/* Rule 4: a task overlapping t ends after t starts, and no task lasts
 * longer than the span, so it starts in (t.start - span, t.end). */
static void recusal_scan_overlap(struct recusal_scan *s)
{
	size_t n_tasks;
	const struct engage_task *tasks = engage_task_table(s->eng, &n_tasks);
	int64_t lo;
	if (!__builtin_sub_overflow(s->t->start_at, engage_task_span(s->eng), &lo)) {
		int64_t dlo = engage_start_day(lo), dhi = engage_start_day(s->t->end_at);
		if (dhi < dlo)
			return;
		if ((uint64_t)dhi - (uint64_t)dlo <= RECUSAL_SCAN_MAX_DAYS) {
			for (int64_t d = dlo; d <= dhi; d++) {
				size_t n;
				const int64_t *ids = engage_tasks_starting(s->eng, d, &n);
				for (size_t i = 0; i < n; i++)
					recusal_scan_overlap_one(s, recusal_scan_other(tasks, n_tasks,
					                                               ids[i], s->t));
			}
			return;
		}
	}
	for (size_t id = 1; id < n_tasks; id++)
		recusal_scan_overlap_one(s, recusal_scan_other(tasks, n_tasks,
		                                               (int64_t)id, s->t));
}

/* Rule 5: tasks sharing an organisation, starting at most the window
 * apart. A task sharing two is visited twice; the hits repeat harmlessly. */
static void recusal_scan_rotation(struct recusal_scan *s, const uint32_t *orgs,
                                  int n_orgs)
{
	if (s->cfg->rotation_days <= 0)
		return;
	const uint64_t window = recusal_window(s->cfg->rotation_days);
	size_t n_tasks;
	const struct engage_task *tasks = engage_task_table(s->eng, &n_tasks);
	for (int i = 0; i < n_orgs; i++) {
		size_t n;
		const int64_t *ids = engage_tasks_of_org(s->eng, orgs[i], &n);
		for (size_t k = 0; k < n; k++) {
			const struct engage_task *o = recusal_scan_other(tasks, n_tasks,
			                                                 ids[k], s->t);
			if (o && recusal_distance(s->t->start_at, o->start_at) <= window)
				recusal_scan_seats(s, o->id, recusal_state_is_served,
				                   RULE_ROTATION);
		}
	}
}

static int recusal_scan_cmp_hit(const void *a, const void *b)
{
	const struct recusal_hit *x = a, *y = b;
	if (x->expert != y->expert)
		return (x->expert > y->expert) - (x->expert < y->expert);
	return (x->rule > y->rule) - (x->rule < y->rule);
}

static int recusal_scan_cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static bool recusal_scan_sort_exclude(struct recusal_scan *s,
                                      const struct recusal_task *t)
{
	size_t n = t->n_exclude > 0 ? (size_t)t->n_exclude : 0;
	if (n > s->cap_exclude) {
		int64_t *e = realloc(s->exclude, n * sizeof *e);
		if (!e)
			return false;
		s->exclude = e;
		s->cap_exclude = n;
	}
	if (n > 0) {
		memcpy(s->exclude, t->exclude, n * sizeof *s->exclude);
		qsort(s->exclude, n, sizeof *s->exclude, recusal_scan_cmp_id);
	}
	s->n_exclude = n;
	return true;
}

bool recusal_scan_begin(struct recusal_scan *s, const struct engage *eng,
                        const struct recusal_terms *terms,
                        const struct recusal_task *t,
                        const struct recusal_config *cfg)
{
	s->eng = eng;
	s->terms = terms;
	s->t = t;
	s->cfg = cfg;
	s->n_hits = s->next_hit = s->next_exclude = 0;
	s->last_id = INT64_MIN;
	s->oom = false;
	if (!recusal_scan_sort_exclude(s, t))
		return false;
	uint32_t orgs[TASK_MAX_ORGS];
	int n_orgs = recusal_scan_orgs(t, orgs);
	recusal_scan_conflicts(s, orgs, n_orgs);
	recusal_scan_overlap(s);
	recusal_scan_rotation(s, orgs, n_orgs);
	if (s->oom)
		return false;
	if (s->n_hits > 1)
		qsort(s->hits, s->n_hits, sizeof *s->hits, recusal_scan_cmp_hit);
	return true;
}

/* Is id in the sorted list? *next only moves forward: ids come ascending. */
static bool recusal_scan_listed(const int64_t *ids, size_t n, size_t *next, int64_t id)
{
	while (*next < n && ids[*next] < id)
		(*next)++;
	return *next < n && ids[*next] == id;
}

/* Rule 8 alone, for an expert with no overlap or rotation hit: the count
 * recusal_check_assignments() makes. Experts with fewer served
 * assignments than the cap cannot reach it, so most are not read. */
static bool recusal_scan_fails_exposure(const struct recusal_scan *s, int64_t expert)
{
	const struct recusal_config *cfg = s->cfg;
	if (cfg->exposure_cap <= 0 ||
	    engage_served_count(s->eng, expert) < (uint32_t)cfg->exposure_cap)
		return false;
	size_t n, n_tasks;
	const struct engage_assignment *a = engage_assignments(s->eng, expert, &n);
	const struct engage_task *tasks = engage_task_table(s->eng, &n_tasks);
	const uint64_t window = recusal_window(cfg->exposure_days);
	int exposure = 0;
	for (size_t i = 0; i < n; i++) {
		if (!recusal_state_is_served(a[i].state))
			continue;
		const struct engage_task *o = recusal_scan_other(tasks, n_tasks,
		                                                 a[i].task, s->t);
		if (o && recusal_distance(s->t->start_at, o->start_at) < window)
			exposure++;
	}
	return exposure >= cfg->exposure_cap;
}

enum recusal_rule recusal_scan_check(struct recusal_scan *s, int64_t id,
                                     const struct pool_slim *x)
{
	assert(id > s->last_id);   /* callers walk a bucket in id order */
	s->last_id = id;
	enum recusal_rule r = recusal_check_record(x, s->terms, s->t);
	if (r != RULE_OK)
		return r;
	if (recusal_scan_listed(s->exclude, s->n_exclude, &s->next_exclude, id))
		return RULE_EXCLUDED;
	if (recusal_fails_employer(x, s->t))
		return RULE_EMPLOYER;
	if (recusal_fails_recommender(x, s->t))
		return RULE_RECOMMENDER;
	while (s->next_hit < s->n_hits && s->hits[s->next_hit].expert < id)
		s->next_hit++;
	if (s->next_hit < s->n_hits && s->hits[s->next_hit].expert == id)
		return (enum recusal_rule)s->hits[s->next_hit].rule;
	return recusal_scan_fails_exposure(s, id) ? RULE_EXPOSURE : RULE_OK;
}
