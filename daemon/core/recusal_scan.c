/*
 * recusal_scan.c - the recusal rules for a whole bucket at once (see
 * recusal.h, recusal_scan_*), as candidates_collect() runs them for every
 * expert of a draw's bucket: recusal_check()'s answers, with the work
 * moved to the task's side and done once per draw. The record rules
 * (status, term, capability, age) become thresholds on the task's days,
 * so an expert's record costs a few compares. Rules 8-10 (conflict,
 * overlap, rotation) only bite through a conflict on one of the task's
 * organisations, a seat on a task overlapping it, or a seat on a task
 * sharing an organisation within the rotation window; so the draw looks
 * those up once, notes (expert, rule) marks, sorts them by expert, and
 * merges them with the bucket walk. The smallest rule of an expert's
 * marks is the one recusal_check() reports, since it checks them in enum
 * order. Pure.
 */
#include <stdlib.h>
#include <string.h>

#include "recusal.h"
#include "recusal_int.h"

void recusal_scan_init(struct recusal_scan *s)
{
	memset(s, 0, sizeof *s);
}

void recusal_scan_free(struct recusal_scan *s)
{
	free(s->marks);
	free(s->spare);
	free(s->term_ok);
	recusal_scan_init(s);
}

/* Ids below 1 are in no bucket (the pool holds none), so they need no
 * mark; the sort then handles unsigned keys only. */
static void recusal_scan_mark(struct recusal_scan *s, int64_t expert, int32_t rule)
{
	if (expert <= 0)
		return;
	if (s->n_marks == s->cap_marks) {
		size_t nc = s->cap_marks ? s->cap_marks * 2 : 256;
		struct recusal_mark *m = realloc(s->marks, nc * sizeof *m);
		if (!m) {
			s->oom = true;
			return;
		}
		s->marks = m;
		s->cap_marks = nc;
	}
	s->marks[s->n_marks++] = (struct recusal_mark){expert, rule};
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

/* The latest day of birth over the age limit on day `on`: an earlier
 * birth never makes anyone younger, so recusal_is_over_age() holds
 * exactly for the births up to it. Between the 365- and 366-day bounds
 * (66 days apart) the calendar decides, found by bisection. */
static int64_t recusal_scan_age_born_by(int32_t on)
{
	const int64_t years = ELIGIBILITY_MAX_AGE + 1;
	int64_t over = (int64_t)on - years * 366;      /* and every birth before */
	int64_t under = (int64_t)on - years * 365 + 1; /* and every birth after */
	/* Days millions of years out are no dates; no birth sits between the
	 * bounds and the calendar is never consulted for them. */
	if (on < INT32_MIN / 2 || on > INT32_MAX / 2)
		return over;
	while (under - over > 1) {
		int64_t mid = over + (under - over) / 2;
		if (recusal_is_over_age((int32_t)mid, on))
			over = mid;
		else
			under = mid;
	}
	return over;
}

/* term_ok[k]: FROM when a service from term k starts by the task's first
 * day, TO when one through term k lasts to its last day. Term numbers are
 * 16-bit in the pool, so no larger ones are looked up. */
static bool recusal_scan_terms(struct recusal_scan *s, const struct recusal_terms *tm,
                               const struct recusal_task *t)
{
	int count = tm ? tm->count : 0;
	s->term_max = (uint16_t)(count < 0 ? 0 : count > UINT16_MAX ? UINT16_MAX : count);
	size_t n = (size_t)s->term_max + 1;
	if (n > s->cap_term_ok) {
		uint8_t *v = realloc(s->term_ok, n);
		if (!v)
			return false;
		s->term_ok = v;
		s->cap_term_ok = n;
	}
	s->term_ok[0] = 0;   /* term 0 is no term; terms[0] is not read */
	for (size_t k = 1; k < n; k++)
		s->term_ok[k] =
			(tm->start[k] <= t->start_day ? RECUSAL_TERM_FROM : 0u) |
			(t->end_day <= tm->end[k] ? RECUSAL_TERM_TO : 0u);
	return true;
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
				recusal_scan_mark(s, c[k].expert, RULE_CONFLICT);
	}
}

/* Rule 12: every declared period sharing a day with the task (few). */
static void recusal_scan_away(struct recusal_scan *s)
{
	size_t n;
	const struct engage_away *w = engage_aways(s->eng, &n);
	for (size_t i = 0; i < n; i++)
		if (recusal_is_away(&w[i], s->t))
			recusal_scan_mark(s, w[i].expert, RULE_UNAVAILABLE);
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

/* Marks under rule r for every seat on `task` in a state that counts. */
static void recusal_scan_seats(struct recusal_scan *s, int64_t task,
                               bool (*counts)(int), enum recusal_rule r)
{
	size_t n;
	const struct engage_seat *seat = engage_task_seats(s->eng, task, &n);
	for (size_t i = 0; i < n; i++)
		if (counts(seat[i].state))
			recusal_scan_mark(s, seat[i].expert, r);
}

/* What a visit of engage's time indexes needs: the scan, the task table
 * and, for rotation, the window. */
struct recusal_scan_visit {
	struct recusal_scan *s;
	const struct engage_task *tasks;
	size_t n_tasks;
	uint64_t window;
};

/* Rule 9 (overlap): a seat on a task overlapping t, held live. */
static void recusal_scan_overlap_visit(void *ctx, int64_t id)
{
	struct recusal_scan_visit *v = ctx;
	const struct recusal_task *t = v->s->t;
	const struct engage_task *o = recusal_scan_other(v->tasks, v->n_tasks, id, t);
	if (o && o->start_at < t->end_at && t->start_at < o->end_at)
		recusal_scan_seats(v->s, o->id, recusal_state_is_live, RULE_OVERLAP);
}

/* Rule 10 (rotation): a seat on a task sharing an organisation, starting
 * at most the window apart, served. */
static void recusal_scan_rotation_visit(void *ctx, int64_t id)
{
	struct recusal_scan_visit *v = ctx;
	const struct engage_task *o = recusal_scan_other(v->tasks, v->n_tasks, id, v->s->t);
	if (o && recusal_distance(v->s->t->start_at, o->start_at) <= v->window)
		recusal_scan_seats(v->s, o->id, recusal_state_is_served, RULE_ROTATION);
}

/* Rule 9 (overlap), from the calendar: the tasks near t's time only. */
static void recusal_scan_overlap(struct recusal_scan *s)
{
	struct recusal_scan_visit v = {.s = s};
	v.tasks = engage_task_table(s->eng, &v.n_tasks);
	engage_visit_overlapping(s->eng, s->t->start_at, s->t->end_at,
	                         recusal_scan_overlap_visit, &v);
}

/* Rule 10 (rotation): the tasks of each of t's organisations within the
 * window. A task sharing two is visited twice; the marks repeat
 * harmlessly. */
static void recusal_scan_rotation(struct recusal_scan *s, const uint32_t *orgs,
                                  int n_orgs)
{
	if (s->cfg->rotation_days <= 0)
		return;
	struct recusal_scan_visit v = {.s = s,
	                               .window = recusal_window(s->cfg->rotation_days)};
	v.tasks = engage_task_table(s->eng, &v.n_tasks);
	for (int i = 0; i < n_orgs; i++)
		engage_visit_org_near(s->eng, orgs[i], s->t->start_at, v.window,
		                      recusal_scan_rotation_visit, &v);
}

/* Sort the marks by expert: least significant byte first, as many
 * passes as the largest id needs (three below 2^24), stable. A draw has
 * tens to thousands of marks; qsort took a tenth of a whole collect for
 * them (and glibc's allocates beyond 1 KiB). False on out of memory. */
static bool recusal_scan_sort_marks(struct recusal_scan *s)
{
	size_t n = s->n_marks;
	if (n > s->cap_spare) {
		struct recusal_mark *v = realloc(s->spare, n * sizeof *v);
		if (!v)
			return false;
		s->spare = v;
		s->cap_spare = n;
	}
	uint64_t all = 0;
	for (size_t i = 0; i < n; i++)
		all |= (uint64_t)s->marks[i].expert;
	for (unsigned shift = 0; shift < 64 && (all >> shift) != 0; shift += 8) {
		size_t at[257] = {0};
		for (size_t i = 0; i < n; i++)
			at[((uint64_t)s->marks[i].expert >> shift & 0xff) + 1]++;
		for (size_t d = 1; d < 256; d++)
			at[d] += at[d - 1];
		for (size_t i = 0; i < n; i++)
			s->spare[at[(uint64_t)s->marks[i].expert >> shift & 0xff]++] = s->marks[i];
		struct recusal_mark *t = s->marks;
		size_t cap = s->cap_marks;
		s->marks = s->spare;
		s->cap_marks = s->cap_spare;
		s->spare = t;
		s->cap_spare = cap;
	}
	return true;
}

/* Rule 11 (exposure) is read only when it can exclude somebody: a cap
 * and a window. */
static void recusal_scan_exposure(struct recusal_scan *s)
{
	const struct recusal_config *cfg = s->cfg;
	s->served = NULL;
	s->n_served = 0;
	s->exposure_cap = 0;
	if (cfg->exposure_cap > 0 && cfg->exposure_days > 0) {
		s->served = engage_served_counts(s->eng, &s->n_served);
		s->exposure_cap = (uint32_t)cfg->exposure_cap;
	}
}

bool recusal_scan_begin(struct recusal_scan *s, const struct engage *eng,
                        const struct recusal_terms *terms,
                        const struct recusal_task *t,
                        const struct recusal_config *cfg,
                        const int64_t *named, size_t n_named)
{
	s->eng = eng;
	s->terms = terms;
	s->t = t;
	s->cfg = cfg;
	s->start_day = t->start_day;
	s->capability = t->capability;
	s->age_born_by = recusal_scan_age_born_by(t->start_day);
	s->age_waivers = recusal_age_waivers(cfg);
	if (!recusal_scan_terms(s, terms, t))
		return false;
	recusal_scan_exposure(s);

	uint32_t orgs[TASK_MAX_ORGS];
	int n_orgs = recusal_scan_orgs(t, orgs);
	memset(s->org_filter, 0, sizeof s->org_filter);
	for (int i = 0; i < n_orgs; i++) {
		uint32_t bit = orgs[i] % RECUSAL_ORG_FILTER_BITS;
		s->org_filter[bit / 64] |= UINT64_C(1) << (bit % 64);
	}

	s->n_marks = s->next_mark = 0;
	s->oom = false;
	for (size_t i = 0; i < n_named; i++)
		recusal_scan_mark(s, named[i], RECUSAL_MARK_NAMED);
	for (int i = 0; i < t->n_exclude; i++)
		recusal_scan_mark(s, t->exclude[i], RULE_EXCLUDED);
	recusal_scan_conflicts(s, orgs, n_orgs);
	recusal_scan_away(s);
	recusal_scan_overlap(s);
	recusal_scan_rotation(s, orgs, n_orgs);
	if (s->oom || !recusal_scan_sort_marks(s))
		return false;
	s->mark_id = s->n_marks ? s->marks[0].expert : INT64_MAX;
	return true;
}

/* Rule 11 (exposure) alone, for an expert with no overlap or rotation
 * mark: the count
 * recusal_check_assignments() makes, stopping once the cap is reached.
 * Experts with fewer served assignments than the cap cannot reach it, so
 * most are not read. */
static bool recusal_scan_fails_exposure(const struct recusal_scan *s, int64_t expert)
{
	if (!s->served || (uint64_t)expert >= s->n_served ||
	    s->served[expert] < s->exposure_cap)
		return false;
	size_t n, n_tasks;
	const struct engage_assignment *a = engage_assignments(s->eng, expert, &n);
	const struct engage_task *tasks = engage_task_table(s->eng, &n_tasks);
	const uint64_t window = recusal_window(s->cfg->exposure_days);
	uint32_t exposure = 0;
	for (size_t i = 0; i < n && exposure < s->exposure_cap; i++) {
		if (!recusal_state_is_served(a[i].state))
			continue;
		const struct engage_task *o = recusal_scan_other(tasks, n_tasks,
		                                                 a[i].task, s->t);
		if (o && recusal_distance(s->t->start_at, o->start_at) < window)
			exposure++;
	}
	return exposure >= s->exposure_cap;
}

/* The rules after the record ones, for an expert whose smallest mark is
 * m (RULE_OK for none): excluded by the request, employer, recommender,
 * the marked rule, exposure. */
static enum recusal_rule recusal_scan_after_record(const struct recusal_scan *s,
                                                   int64_t id,
                                                   const struct pool_slim *x,
                                                   int32_t m)
{
	if (m == RULE_EXCLUDED)
		return RULE_EXCLUDED;
	if (recusal_fails_employer(x, s->t))
		return RULE_EMPLOYER;
	if (recusal_fails_recommender(x, s->t))
		return RULE_RECOMMENDER;
	if (m != RULE_OK && m != RULE_UNAVAILABLE)
		return (enum recusal_rule)m;
	/* Rule 11 (exposure) comes before rule 12 (unavailable). */
	if (recusal_scan_fails_exposure(s, id))
		return RULE_EXPOSURE;
	return (enum recusal_rule)m;
}

enum recusal_rule recusal_scan_unusual(const struct recusal_scan *s, int64_t id,
                                       const struct pool_slim *x)
{
	return recusal_scan_after_record(s, id, x, RULE_OK);
}

enum recusal_rule recusal_scan_marked(struct recusal_scan *s, int64_t id,
                                      const struct pool_slim *x)
{
	const struct recusal_mark *mk = s->marks;
	size_t i = s->next_mark;
	while (i < s->n_marks && mk[i].expert < id)
		i++;
	int32_t m = RULE_OK;
	for (; i < s->n_marks && mk[i].expert == id; i++)
		if (m == RULE_OK || mk[i].rule < m)
			m = mk[i].rule;
	s->next_mark = i;
	s->mark_id = i < s->n_marks ? mk[i].expert : INT64_MAX;
	if (m == RECUSAL_MARK_NAMED)
		return RULE_EXCLUDED;
	enum recusal_rule r = recusal_scan_record(s, x);
	if (r != RULE_OK)
		return r;
	return recusal_scan_after_record(s, id, x, m);
}
