/*
 * test_candidates_scan.c - the bucket-wide recusal (recusal_scan, used by
 * candidates_collect) against the per-expert rules (recusal_check) on
 * random pools, tasks, conflicts and assignments, through every change the
 * indexes behind it must follow: tasks moved or re-organised, assignments
 * changing state or task, assignments before their task, redraws of a held
 * task, pool upserts and removals, clear and reload, a task held for years
 * (the full-table path), tasks ending before they start. Every collect is
 * compared in full: same ids in the same order, same entries, same counts.
 * The scan's own shortcuts get their edges too: term numbers outside the
 * terms held and term tables out of order or missing, births on every day
 * around the age limit (relaxed or not), organisations colliding in its
 * filter, exposure on and off, excluded ids in no bucket or repeated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "candidates.h"
#include "fixture.h"
#include "ident.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define N_EXPERTS 600
#define N_ORGS 12
#define N_FILLER_ORGS 1100   /* interned after the 12: ids up to 1112 */
#define N_SPECS 3

static const char *const specs[N_SPECS] = {"焊工", "电工", "车工"};

struct sim {
	uint64_t seed;
	struct pool *pool;
	struct engage *eng;
	int32_t term_start[3], term_end[3];
	struct recusal_terms terms;
	/* Terms 1 and 2 swapped in time: the scan may assume no order. */
	int32_t swapped_start[3], swapped_end[3];
	const struct recusal_terms *use_terms;   /* this draw's: one of those, or NULL */
	struct recusal_terms other_terms;
	struct recusal_config cfg;
	uint32_t orgs[N_ORGS];
	/* Orgs whose ids equal the task orgs' modulo the scan's org filter
	 * size: employers that pass its filter but concern no task. */
	char colliding[N_ORGS][19];
	int64_t base;                 /* a start time near the middle of term 1 */
	int64_t n_tasks, n_assignments;
	/* Everything put into engage, to replay after a clear. */
	struct { int64_t expert; struct engage_conflict c; } conflicts[4096];
	size_t n_conflicts;
	struct engage_away aways[1024];
	size_t n_aways;
	struct engage_task tasks[2048];
	struct { int64_t expert; struct engage_assignment a; } assignments[16384];
	size_t n_assignment_log;
	struct candidates c;
	int64_t exclude[TASK_MAX_EXCLUDE];
	size_t compared;
};

/* xorshift64*: the same random world on every run. */
static uint64_t rnd(struct sim *s)
{
	s->seed ^= s->seed >> 12;
	s->seed ^= s->seed << 25;
	s->seed ^= s->seed >> 27;
	return s->seed * UINT64_C(2685821657736338717);
}

static uint64_t below(struct sim *s, uint64_t n)
{
	return rnd(s) % n;
}

static void org_code(char out[19], int i)
{
	snprintf(out, 19, "91440101MA59%04dX", i);
	out[17] = (char)('A' + i % 26);
	out[18] = '\0';
}

static void filler_code(char out[19], int i)
{
	snprintf(out, 19, "91440101MB59%04dY", i);
}

static void sim_expert(struct sim *s, int64_t id)
{
	struct expert e;
	memset(&e, 0, sizeof e);
	e.id = id;
	e.birth = ident_days_from_civil(1955 + (int)below(s, 35), 1 + (int)below(s, 12),
	                                1 + (int)below(s, 28));
	if (below(s, 4) == 0)   /* near the 66th birthday on the tasks' days */
		e.birth = (int32_t)(s->base / DAY) - 66 * 365 - 16 - 800 +
		          (int32_t)below(s, 1600);
	e.n_specialties = 1 + (int)below(s, 2);
	strcpy(e.specialties[0], specs[below(s, N_SPECS)]);
	strcpy(e.specialties[1], specs[below(s, N_SPECS)]);
	if (strcmp(e.specialties[0], e.specialties[1]) == 0)
		e.n_specialties = 1;
	/* Eligible in one of two specialties only (rule 13, relaxation). */
	if (e.n_specialties == 2 && below(s, 5) == 0)
		e.eligible_specialties = 1u + (unsigned)below(s, 2);
	e.group_types = 1 + (unsigned)below(s, 7);
	e.task_types = (unsigned)below(s, 32);
	e.relaxations = below(s, 6) == 0 ? 1u : 0u;
	e.age_exception = below(s, 6) == 0;
	e.status = below(s, 8) == 0 ? (int)below(s, 4) : EXPERT_ACTIVE;
	/* Not appointed (PROTOCOL.md 7.17): rule 1 on both paths. */
	e.appointment = below(s, 10) == 0 ? (int)below(s, 4) : APPOINT_APPOINTED;
	e.suspended_until = below(s, 2) ? (int32_t)(s->base / DAY) - 30 + (int32_t)below(s, 60)
	                                : 0;
	e.leader_eligible = below(s, 3) == 0;
	e.term = 1 + (int)below(s, 2);
	e.joined_term = below(s, 10) == 0 ? 2 : 1;
	if (below(s, 12) == 0) {   /* numbers outside the terms held, or none */
		e.term = (int)below(s, 5);
		e.joined_term = (int)below(s, 5);
	}
	if (below(s, 12) == 0)
		memcpy(e.employer_code, s->colliding[below(s, N_ORGS)], 19);
	else if (below(s, 3))
		org_code(e.employer_code, (int)below(s, N_ORGS));
	if (below(s, 5) == 0)
		org_code(e.recommender_code, (int)below(s, N_ORGS));
	assert_true(pool_upsert(s->pool, &e));
}

static int64_t sim_time(struct sim *s)
{
	/* Within ~2 years either side, on the hour, so overlaps and window
	 * edges are frequent. */
	return s->base + ((int64_t)below(s, 1500) - 750) * DAY + (int64_t)below(s, 24) * HOUR;
}

static struct engage_task sim_task_value(struct sim *s, int64_t id)
{
	struct engage_task t;
	memset(&t, 0, sizeof t);
	t.id = id;
	t.start_at = sim_time(s);
	uint64_t kind = below(s, 20);
	if (kind == 0)
		t.end_at = t.start_at - (int64_t)below(s, 3) * HOUR;   /* ends before */
	else if (kind == 1)
		t.end_at = t.start_at + (int64_t)below(s, 30) * DAY;
	else if (kind == 2)   /* now and then a long one: the calendar's classes */
		t.end_at = t.start_at + (int64_t)below(s, 400) * DAY + 1;
	else
		t.end_at = t.start_at + (1 + (int64_t)below(s, 10)) * HOUR;
	t.n_orgs = (int)below(s, 4);
	for (int i = 0; i < t.n_orgs; i++)
		t.orgs[i] = below(s, 8) == 0 ? 0 : s->orgs[below(s, N_ORGS)];
	return t;
}

static void sim_put_task(struct sim *s, const struct engage_task *t)
{
	assert_true(engage_put_task(s->eng, t));
	s->tasks[t->id] = *t;
}

static void sim_assign(struct sim *s, int64_t expert, const struct engage_assignment *a)
{
	assert_true(engage_put_assignment(s->eng, expert, a));
	assert_true(s->n_assignment_log < sizeof s->assignments / sizeof s->assignments[0]);
	s->assignments[s->n_assignment_log].expert = expert;
	s->assignments[s->n_assignment_log++].a = *a;
}

/* An assignment id's expert: the first logged (an assignment keeps it). */
static int64_t sim_owner(const struct sim *s, int64_t id)
{
	for (size_t i = 0; i < s->n_assignment_log; i++)
		if (s->assignments[i].a.id == id)
			return s->assignments[i].expert;
	return 0;
}

static void sim_change(struct sim *s)
{
	uint64_t what = below(s, 100);
	if (what < 10 && s->n_tasks < 2000) {
		struct engage_task t = sim_task_value(s, ++s->n_tasks);
		sim_put_task(s, &t);
	} else if (what < 14 && s->n_tasks > 0) {
		/* Replace a task: moved, re-organised, or the same again. */
		int64_t id = 1 + (int64_t)below(s, (uint64_t)s->n_tasks);
		struct engage_task t = below(s, 4) ? sim_task_value(s, id) : s->tasks[id];
		sim_put_task(s, &t);
	} else if (what < 60) {
		/* A new assignment, sometimes to a task not (yet) held. */
		struct engage_assignment a = {
			.id = ++s->n_assignments,
			.task = 1 + (int64_t)below(s, (uint64_t)s->n_tasks + 20),
			.state = (int)below(s, 9)};
		sim_assign(s, 1 + (int64_t)below(s, N_EXPERTS + 5), &a);
	} else if (what < 85 && s->n_assignments > 0) {
		/* A state change, or (rarely) a move to another task. */
		int64_t id = 1 + (int64_t)below(s, (uint64_t)s->n_assignments);
		int64_t expert = sim_owner(s, id);
		struct engage_assignment a = {.id = id, .state = (int)below(s, 9)};
		for (size_t i = s->n_assignment_log; i-- > 0;)
			if (s->assignments[i].a.id == id) {
				a.task = s->assignments[i].a.task;
				break;
			}
		if (below(s, 6) == 0)
			a.task = 1 + (int64_t)below(s, (uint64_t)s->n_tasks + 5);
		sim_assign(s, expert, &a);
	} else if (what < 92 && below(s, 4) == 0 && s->n_aways < 1024) {
		/* A declared unavailability (rule 12), of a day to a few weeks. */
		int32_t from = (int32_t)(sim_time(s) / DAY);
		struct engage_away w = {.expert = 1 + (int64_t)below(s, N_EXPERTS + 5),
		                        .from = from,
		                        .to = from + (int32_t)below(s, 30)};
		assert_true(engage_add_away(s->eng, &w));
		s->aways[s->n_aways++] = w;
	} else if (what < 92 && s->n_conflicts < 4096) {
		int64_t expert = 1 + (int64_t)below(s, N_EXPERTS);
		int32_t from = (int32_t)(sim_time(s) / DAY);
		struct engage_conflict c = {
			.org = below(s, 10) == 0 ? 0 : s->orgs[below(s, N_ORGS)],
			.valid_from = from,
			.valid_to = below(s, 3) == 0 ? 0 : from + (int32_t)below(s, 400)};
		assert_true(engage_add_conflict(s->eng, expert, &c));
		s->conflicts[s->n_conflicts].expert = expert;
		s->conflicts[s->n_conflicts++].c = c;
	} else if (what < 98) {
		sim_expert(s, 1 + (int64_t)below(s, N_EXPERTS));   /* an upsert */
	} else {
		int64_t id = 1 + (int64_t)below(s, N_EXPERTS);
		pool_remove(s->pool, id);
		if (below(s, 2))
			sim_expert(s, id);
	}
}

/* Empty engage and put everything back, as a reload from the store does. */
static void sim_reload(struct sim *s)
{
	engage_clear(s->eng);
	for (size_t i = 0; i < s->n_aways; i++)
		assert_true(engage_add_away(s->eng, &s->aways[i]));
	for (size_t i = 0; i < s->n_conflicts; i++)
		assert_true(engage_add_conflict(s->eng, s->conflicts[i].expert,
		                                &s->conflicts[i].c));
	for (int64_t id = 1; id <= s->n_tasks; id++)
		assert_true(engage_put_task(s->eng, &s->tasks[id]));
	for (size_t i = 0; i < s->n_assignment_log; i++)
		assert_true(engage_put_assignment(s->eng, s->assignments[i].expert,
		                                  &s->assignments[i].a));
}

static struct recusal_task sim_draw_task(struct sim *s)
{
	struct recusal_task t;
	memset(&t, 0, sizeof t);
	/* Often a redraw of a held task (its own seats do not count). */
	if (s->n_tasks > 0 && below(s, 3) == 0) {
		const struct engage_task *o = &s->tasks[1 + below(s, (uint64_t)s->n_tasks)];
		t.id = o->id;
		t.start_at = o->start_at;
		t.end_at = o->end_at > o->start_at ? o->end_at : o->start_at + HOUR;
		memcpy(t.orgs, o->orgs, sizeof t.orgs);
		t.n_orgs = o->n_orgs;
	} else {
		t.start_at = sim_time(s);
		t.end_at = t.start_at + (1 + (int64_t)below(s, 48)) * HOUR;
		t.n_orgs = (int)below(s, 4);
		for (int i = 0; i < t.n_orgs; i++)
			t.orgs[i] = below(s, 10) == 0 ? 0 : s->orgs[below(s, N_ORGS)];
		if (t.n_orgs == 3)
			t.orgs[2] = t.orgs[0];           /* a duplicate */
	}
	t.start_day = (int32_t)(t.start_at / DAY);
	t.end_day = (int32_t)(t.end_at / DAY);
	t.capability = below(s, 3) ? 1u << below(s, 5) : 0;
	t.n_exclude = (int)below(s, 6);
	for (int i = 0; i < t.n_exclude; i++)
		s->exclude[i] = 1 + (int64_t)below(s, N_EXPERTS);
	t.exclude = s->exclude;
	return t;
}

static bool has_specialty(const struct pool_entry *pe, uint32_t sid)
{
	for (int i = 0; i < pe->n_specialties; i++)
		if (pe->specialties[i] == sid)
			return true;
	return false;
}

/* candidates_collect against recusal_check on every pool expert. */
static void sim_compare(struct sim *s, const struct recusal_task *t, uint32_t sid,
                        int g, const int64_t *also, size_t n_also)
{
	assert_true(candidates_collect(&s->c, s->pool, s->eng, s->use_terms, sid, g, t,
	                               &s->cfg, also, n_also));
	struct recusal_task ts = *t;
	ts.specialty = sid;   /* what rule 13 reads in recusal_check() */
	uint64_t excluded[RULE__COUNT] = {0};
	size_t n = 0;
	for (int64_t id = 1; id <= pool_max_id(s->pool); id++) {
		const struct pool_entry *pe = pool_get(s->pool, id);
		if (!pe)
			continue;
		if (!has_specialty(pe, sid) || !(pe->group_types & (1u << g))) {
			excluded[RULE_OK]++;
			continue;
		}
		bool named = false;
		for (size_t i = 0; i < n_also; i++)
			named = named || also[i] == id;
		enum recusal_rule r = named ? RULE_EXCLUDED
			: recusal_check(pe, s->eng, s->use_terms, &ts, &s->cfg);
		if (r != RULE_OK) {
			excluded[r]++;
			continue;
		}
		if (n >= s->c.n || s->c.list[n].id != id)
			fail_msg("candidate %zu: want expert %lld, got %lld", n, (long long)id,
			         n < s->c.n ? (long long)s->c.list[n].id : -1LL);
		assert_int_equal(s->c.ids[n], id);
		assert_int_equal(s->c.list[n].leader_ok, pe->leader);
		assert_int_equal(s->c.list[n].employer, pe->employer_org);
		n++;
	}
	assert_int_equal(n, s->c.n);
	for (int r = 0; r < RULE__COUNT; r++)
		if (excluded[r] != s->c.excluded[r])
			fail_msg("rule %s: want %llu, got %llu", recusal_rule_names[r],
			         (unsigned long long)excluded[r],
			         (unsigned long long)s->c.excluded[r]);
	s->compared++;
}

/* Mostly the two terms in order; sometimes fewer, none, or out of order. */
static const struct recusal_terms *sim_draw_terms(struct sim *s)
{
	switch (below(s, 12)) {
	case 0:
		return NULL;
	case 1:
	case 2:
		s->other_terms = (struct recusal_terms){s->term_start, s->term_end,
		                                        (int)below(s, 3) - (int)below(s, 2)};
		return &s->other_terms;
	case 3:
		s->other_terms = (struct recusal_terms){s->swapped_start, s->swapped_end, 2};
		return &s->other_terms;
	default:
		return &s->terms;
	}
}

static void sim_compare_draw(struct sim *s)
{
	struct recusal_task t = sim_draw_task(s);
	/* Already drawn: sometimes repeated, or ids no bucket holds. */
	static const int64_t odd[] = {0, -7, INT64_MAX, INT64_C(1) << 40, N_EXPERTS + 3};
	int64_t also[8];
	size_t n_also = below(s, 4) == 0 ? 5 : 0;
	for (size_t i = 0; i < n_also; i++)
		also[i] = 1 + (int64_t)below(s, N_EXPERTS);
	if (n_also && below(s, 2)) {
		also[n_also++] = also[0];
		also[n_also++] = odd[below(s, sizeof odd / sizeof *odd)];
	}
	if (t.n_exclude > 0 && below(s, 3) == 0)
		s->exclude[0] = odd[below(s, sizeof odd / sizeof *odd)];
	uint32_t sid = pool_specialty_find(s->pool, specs[below(s, N_SPECS)]);
	s->use_terms = sim_draw_terms(s);
	sim_compare(s, &t, sid, (int)below(s, POOL_GROUP_TYPES), also, n_also);
	s->use_terms = &s->terms;
}

static void sim_init(struct sim *s, uint64_t seed)
{
	memset(s, 0, sizeof *s);
	s->seed = seed;
	s->pool = pool_new();
	s->eng = engage_new();
	assert_non_null(s->pool);
	assert_non_null(s->eng);
	s->term_start[1] = ident_days_from_civil(2023, 1, 1);
	s->term_end[1] = ident_days_from_civil(2025, 12, 31);
	s->term_start[2] = ident_days_from_civil(2026, 1, 1);
	s->term_end[2] = ident_days_from_civil(2028, 12, 31);
	s->terms = (struct recusal_terms){s->term_start, s->term_end, 2};
	s->swapped_start[1] = s->term_start[2];
	s->swapped_end[1] = s->term_end[2];
	s->swapped_start[2] = s->term_start[1];
	s->swapped_end[2] = s->term_end[1];
	s->use_terms = &s->terms;
	s->base = ident_days_from_civil(2025, 9, 1) * DAY + 9 * HOUR;
	s->cfg = (struct recusal_config){.rotation_days = 365, .exposure_cap = 3,
	                                 .exposure_days = 200, .diversity = true,
	                                 .max_task_days = 31};
	for (int i = 0; i < N_ORGS; i++) {
		char code[19];
		org_code(code, i);
		s->orgs[i] = pool_org_intern(s->pool, code);
		assert_int_not_equal(s->orgs[i], 0);
	}
	for (int i = 0; i < N_FILLER_ORGS; i++) {
		char code[19];
		filler_code(code, i);
		uint32_t id = pool_org_intern(s->pool, code);
		for (int k = 0; k < N_ORGS; k++)
			if (id == s->orgs[k] + RECUSAL_ORG_FILTER_BITS)
				memcpy(s->colliding[k], code, sizeof code);
	}
	for (int k = 0; k < N_ORGS; k++)
		assert_true(s->colliding[k][0] != '\0');
	for (int64_t id = 1; id <= N_EXPERTS; id++)
		sim_expert(s, id);
	candidates_init(&s->c);
}

static void sim_fini(struct sim *s)
{
	candidates_free(&s->c);
	pool_destroy(&s->pool);
	engage_destroy(&s->eng);
}

/* Many rounds of random changes, each followed by compared draws, under
 * a few rule configurations. */
static void run_sim(uint64_t seed, struct recusal_config cfg, int rounds)
{
	static struct sim s;   /* large; one at a time */
	sim_init(&s, seed);
	s.cfg = cfg;
	for (int round = 0; round < rounds; round++) {
		for (int k = 0; k < 25; k++)
			sim_change(&s);
		if (round % 40 == 39)
			sim_reload(&s);
		sim_compare_draw(&s);
	}
	/* The simulation reached every rule at least once overall. */
	uint64_t seen[RULE__COUNT] = {0};
	for (int k = 0; k < 200; k++) {
		sim_compare_draw(&s);
		for (int r = 0; r < RULE__COUNT; r++)
			seen[r] += s.c.excluded[r];
	}
	for (int r = RULE_STATUS; r < RULE__COUNT; r++) {
		bool off = (r == RULE_ROTATION && cfg.rotation_days <= 0) ||
		           (r == RULE_EXPOSURE &&
		            (cfg.exposure_cap <= 0 || cfg.exposure_days <= 0));
		if (!off && seen[r] == 0)
			fail_msg("rule %s never excluded anybody", recusal_rule_names[r]);
	}
	sim_fini(&s);
}

static void test_scan_matches_check_default_rules(void **state)
{
	(void)state;
	run_sim(0x9e3779b97f4a7c15u,
	        (struct recusal_config){.rotation_days = 365, .exposure_cap = 0,
	                                .exposure_days = 365, .diversity = true,
	                                .age_by_exception = true}, 400);
	/* The age rule of transcripts from before draft 11. */
	run_sim(0x6a09e667f3bcc908u,
	        (struct recusal_config){.rotation_days = 365, .exposure_cap = 0,
	                                .exposure_days = 365, .diversity = true}, 200);
}

static void test_scan_matches_check_with_exposure(void **state)
{
	(void)state;
	run_sim(0x243f6a8885a308d3u,
	        (struct recusal_config){.rotation_days = 90, .exposure_cap = 2,
	                                .exposure_days = 200, .diversity = true}, 400);
}

static void test_scan_matches_check_rotation_off(void **state)
{
	(void)state;
	run_sim(0x13198a2e03707344u,
	        (struct recusal_config){.rotation_days = 0, .exposure_cap = 1,
	                                .exposure_days = 0, .diversity = true}, 200);
	run_sim(0xa4093822299f31d0u,
	        (struct recusal_config){.rotation_days = -5, .exposure_cap = 4,
	                                .exposure_days = 1000, .diversity = true}, 200);
	/* The shortest exposure window: tasks less than a day apart. */
	run_sim(0x299f31d0082efa98u,
	        (struct recusal_config){.rotation_days = 0, .exposure_cap = 1,
	                                .exposure_days = 1, .diversity = true}, 200);
}

/* A task held for years sits in a high class of engage's calendar, one
 * spanning the whole clock in its list read whole; a draw on the long
 * task itself reaches over more buckets than are read one by one, and
 * the whole task table is read. The same answers each way. */
static void test_scan_long_task_reads_whole_table(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, 0x082efa98ec4e6c89u);
	for (int k = 0; k < 600; k++)
		sim_change(&s);
	struct engage_task longest = {.id = ++s.n_tasks, .start_at = s.base - 4000 * DAY,
	                              .end_at = s.base + 4000 * DAY,
	                              .orgs = {s.orgs[0]}, .n_orgs = 1};
	sim_put_task(&s, &longest);
	for (int64_t e = 1; e <= 40; e++) {
		struct engage_assignment a = {.id = ++s.n_assignments, .task = longest.id,
		                              .state = ASSIGN_ACCEPTED};
		sim_assign(&s, e * 7, &a);
	}
	for (int k = 0; k < 100; k++)
		sim_compare_draw(&s);
	struct recusal_task t = sim_draw_task(&s);
	t.id = longest.id;
	t.start_at = longest.start_at;
	t.end_at = longest.end_at;
	t.start_day = (int32_t)(t.start_at / DAY);
	t.end_day = (int32_t)(t.end_at / DAY);
	sim_compare(&s, &t, pool_specialty_find(s.pool, specs[0]), 0, NULL, 0);
	/* Even a span that does not fit the arithmetic. */
	struct engage_task huge = {.id = ++s.n_tasks, .start_at = INT64_MIN + 5,
	                           .end_at = INT64_MAX - 5};
	sim_put_task(&s, &huge);
	struct engage_assignment a = {.id = ++s.n_assignments, .task = huge.id,
	                              .state = ASSIGN_OFFERED};
	sim_assign(&s, 3, &a);
	for (int k = 0; k < 100; k++)
		sim_compare_draw(&s);
	sim_fini(&s);
}

/* One struct candidates serves many draws of different sizes. */
static void test_scan_reuse_across_draws(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, 0xbe5466cf34e90c6cu);
	for (int k = 0; k < 300; k++)
		sim_change(&s);
	for (int k = 0; k < 50; k++) {
		sim_compare_draw(&s);
		struct recusal_task t = sim_draw_task(&s);
		t.n_exclude = TASK_MAX_EXCLUDE;
		for (int i = 0; i < TASK_MAX_EXCLUDE; i++)
			s.exclude[i] = N_EXPERTS - i;
		sim_compare(&s, &t, pool_specialty_find(s.pool, specs[0]), 0, NULL, 0);
	}
	assert_true(s.compared >= 100);
	sim_fini(&s);
}

/* Seats exactly at the edges: overlap touching ends, rotation and
 * exposure exactly the window apart and one second inside or outside. */
static void test_scan_window_edges(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, 0x3f84d5b5b5470917u);
	s.cfg = (struct recusal_config){.rotation_days = 30, .exposure_cap = 1,
	                                .exposure_days = 30, .diversity = true};
	const int64_t start = s.base, w = 30 * DAY;
	const int64_t at[] = {start + HOUR, start - HOUR, start + w, start - w,
	                      start + w - 1, start - w + 1, start + w + 1, start - w - 1};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++) {
		for (int org = 0; org < 2; org++) {
			struct engage_task t = {.id = ++s.n_tasks, .start_at = at[i],
			                        .end_at = at[i] + HOUR,
			                        .orgs = {org ? s.orgs[1] : s.orgs[0]}, .n_orgs = 1};
			sim_put_task(&s, &t);
			for (int st = 0; st < 9; st++) {
				struct engage_assignment a = {.id = ++s.n_assignments,
				                              .task = t.id, .state = st};
				sim_assign(&s, 1 + (int64_t)((s.n_tasks * 9 + st) % N_EXPERTS), &a);
			}
		}
	}
	struct recusal_task t;
	memset(&t, 0, sizeof t);
	t.start_at = start;
	t.end_at = start + HOUR;
	t.start_day = (int32_t)(start / DAY);
	t.end_day = t.start_day;
	t.orgs[0] = s.orgs[0];
	t.n_orgs = 1;
	uint64_t rotation = 0, exposure = 0, overlap = 0;
	for (uint32_t sid = 1; sid <= N_SPECS; sid++)
		for (int g = 0; g < POOL_GROUP_TYPES; g++) {
			sim_compare(&s, &t, sid, g, NULL, 0);
			rotation += s.c.excluded[RULE_ROTATION];
			exposure += s.c.excluded[RULE_EXPOSURE];
			overlap += s.c.excluded[RULE_OVERLAP];
		}
	assert_true(rotation > 0);
	assert_true(exposure > 0);
	assert_true(overlap == 0);   /* the neighbours only touch t's ends */
	sim_fini(&s);
}

/* The age limit on every day of birth around it, 29 February included,
 * for tasks starting on the days where the calendar is most awkward. */
static void test_scan_age_limit_every_day(void **state)
{
	(void)state;
	static struct sim s;
	sim_init(&s, 0x452821e638d01377u);
	const int32_t days[] = {
		ident_days_from_civil(2024, 2, 28), ident_days_from_civil(2024, 2, 29),
		ident_days_from_civil(2024, 3, 1), ident_days_from_civil(2025, 2, 28),
		ident_days_from_civil(2025, 3, 1), ident_days_from_civil(2026, 12, 31),
		ident_days_from_civil(2027, 1, 1), ident_days_from_civil(2028, 2, 29),
	};
	const size_t n_days = sizeof days / sizeof *days;
	const int32_t first = days[0] - 66 * 366 - 3, last = days[n_days - 1] - 66 * 365 + 3;
	int64_t id = N_EXPERTS;
	for (int32_t birth = first; birth <= last; birth++) {
		struct expert e = fx_expert(++id, "年龄");
		e.name[0] = '\0';
		e.birth = birth;
		e.relaxations = e.id % 7 == 0 ? 1u << (e.id % 5) : 0;
		e.term = 2;
		assert_true(pool_upsert(s.pool, &e));
	}
	uint32_t sid = pool_specialty_find(s.pool, "年龄");
	uint64_t over = 0, ok = 0;
	for (size_t i = 0; i < n_days; i++) {
		struct recusal_task t;
		memset(&t, 0, sizeof t);
		t.start_day = t.end_day = days[i];
		t.start_at = (int64_t)days[i] * DAY + HOUR;
		t.end_at = t.start_at + HOUR;
		sim_compare(&s, &t, sid, 1, NULL, 0);
		over += s.c.excluded[RULE_AGE];
		ok += s.c.n;
	}
	assert_true(over > 0);
	assert_true(ok > 0);
	sim_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_matches_check_default_rules),
		cmocka_unit_test(test_scan_matches_check_with_exposure),
		cmocka_unit_test(test_scan_matches_check_rotation_off),
		cmocka_unit_test(test_scan_long_task_reads_whole_table),
		cmocka_unit_test(test_scan_reuse_across_draws),
		cmocka_unit_test(test_scan_window_edges),
		cmocka_unit_test(test_scan_age_limit_every_day),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
