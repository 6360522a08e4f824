/*
 * test_engage_index.c - engage's records seen from the task's side (seats
 * by task, tasks by time and by organisation, conflicts by
 * organisation, served counts) following every change: a seat changing
 * state or task, a task moved, re-organised, lengthened or shortened, a
 * clear; tasks of every length in the calendar; the time indexes
 * (engage_visit_overlapping, engage_visit_org_near) against a walk of
 * every task, and how little they read; and the idmap underneath
 * (growth, many keys, removal).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engage.h"
#include "idmap.h"

#define DAY INT64_C(86400)
/* Wide enough for any difference or small multiple of two times. */
__extension__ typedef __int128 wide;

static struct engage_task mk_task(int64_t id, int64_t start, uint32_t org1, uint32_t org2)
{
	struct engage_task t;
	memset(&t, 0, sizeof t);
	t.id = id;
	t.start_at = start;
	t.end_at = start + 3600;
	t.orgs[0] = org1;
	t.orgs[1] = org2;
	t.n_orgs = org2 ? 2 : org1 ? 1 : 0;
	return t;
}

/* The served count of an expert, checking that the dense array a draw
 * reads agrees with engage_served_count() for every expert, and that ids
 * past its end count nothing. */
static uint32_t served(const struct engage *e, int64_t expert)
{
	size_t n;
	const uint32_t *all = engage_served_counts(e, &n);
	for (size_t id = 1; id < n; id++)
		assert_int_equal(all[id], engage_served_count(e, (int64_t)id));
	assert_int_equal(engage_served_count(e, (int64_t)n), 0);
	assert_int_equal(engage_served_count(e, 0), 0);
	assert_int_equal(engage_served_count(e, -1), 0);
	return (uint64_t)expert < n ? all[expert] : 0;
}

static bool ids_have(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The seat of (expert, assignment) on task, or NULL. */
static const struct engage_seat *seat_of(const struct engage *e, int64_t task,
                                         int64_t expert, int64_t assignment,
                                         size_t *n)
{
	const struct engage_seat *s = engage_task_seats(e, task, n);
	for (size_t i = 0; i < *n; i++)
		if (s[i].expert == expert && s[i].assignment == assignment)
			return &s[i];
	return NULL;
}

static void test_start_day_floors(void **state)
{
	(void)state;
	assert_int_equal(engage_start_day(0), 0);
	assert_int_equal(engage_start_day(DAY - 1), 0);
	assert_int_equal(engage_start_day(DAY), 1);
	assert_int_equal(engage_start_day(-1), -1);
	assert_int_equal(engage_start_day(-DAY), -1);
	assert_int_equal(engage_start_day(-DAY - 1), -2);
	assert_int_equal(engage_start_day(INT64_MIN), INT64_MIN / DAY - 1);
}

/* The held tasks the calendar gives for [from, to): each id once. */
static size_t overlapping(const struct engage *e, int64_t from, int64_t to,
                          int64_t *ids, size_t cap);

static void test_tasks_by_time_and_org_follow_replacement(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	int64_t got[64];
	struct engage_task t = mk_task(5, 100 * DAY + 10, 7, 7);   /* org twice */
	assert_true(engage_put_task(e, &t));
	size_t n;
	assert_int_equal(overlapping(e, 100 * DAY, 101 * DAY, got, 64), 1);
	assert_int_equal(got[0], 5);
	engage_tasks_of_org(e, 7, &n);
	assert_int_equal(n, 1);   /* indexed under org 7 once */

	/* Moved to another day, another org: gone from the old lists. */
	t = mk_task(5, 103 * DAY, 9, 0);
	assert_true(engage_put_task(e, &t));
	assert_int_equal(overlapping(e, 100 * DAY, 101 * DAY, got, 64), 0);
	assert_null(engage_tasks_of_org(e, 7, &n));
	assert_int_equal(overlapping(e, 103 * DAY, 104 * DAY, got, 64), 1);
	assert_int_equal(got[0], 5);
	engage_tasks_of_org(e, 9, &n);
	assert_int_equal(n, 1);

	/* Put again unchanged, then lengthened to 3 days and shortened
	 * again (another class of the calendar): still listed once. */
	assert_true(engage_put_task(e, &t));
	t.end_at = t.start_at + 3 * DAY;
	assert_true(engage_put_task(e, &t));
	assert_int_equal(overlapping(e, 105 * DAY, 106 * DAY, got, 64), 1);
	t.end_at = t.start_at + 3600;
	assert_true(engage_put_task(e, &t));
	assert_int_equal(overlapping(e, 105 * DAY, 106 * DAY, got, 64), 0);
	assert_int_equal(overlapping(e, 103 * DAY, 104 * DAY, got, 64), 1);
	engage_tasks_of_org(e, 9, &n);
	assert_int_equal(n, 1);

	/* Several tasks on a day. */
	for (int64_t id = 6; id < 40; id++) {
		struct engage_task o = mk_task(id, 103 * DAY + id, 9, (uint32_t)id);
		assert_true(engage_put_task(e, &o));
	}
	n = overlapping(e, 103 * DAY, 104 * DAY, got, 64);
	assert_int_equal(n, 35);
	for (int64_t id = 5; id < 40; id++)
		assert_true(ids_have(got, n, id));
	engage_tasks_of_org(e, 9, &n);
	assert_int_equal(n, 35);
	engage_tasks_of_org(e, 20, &n);
	assert_int_equal(n, 1);

	engage_clear(e);
	assert_int_equal(overlapping(e, 103 * DAY, 104 * DAY, got, 64), 0);
	assert_null(engage_tasks_of_org(e, 9, &n));
	engage_destroy(&e);
}

/* Tasks of every length the calendar must place: ending before they
 * start, days long, and spanning the whole clock (no class fits). */
static void test_calendar_places_every_length(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	int64_t got[8];
	struct engage_task t = mk_task(1, 1000, 0, 0);
	t.end_at = 500;                                   /* ends before it starts */
	assert_true(engage_put_task(e, &t));
	/* The rule's test (starts before the end, ends after the start)
	 * holds for [0, DAY) and fails for [DAY, 2 DAY). */
	assert_int_equal(overlapping(e, 0, DAY, got, 8), 1);
	assert_int_equal(got[0], 1);
	assert_int_equal(overlapping(e, DAY, 2 * DAY, got, 8), 0);
	t = mk_task(2, 1000, 0, 0);
	t.end_at = 1000 + 3 * DAY;
	assert_true(engage_put_task(e, &t));
	assert_int_equal(overlapping(e, 2 * DAY, 2 * DAY + 1, got, 8), 1);
	assert_int_equal(got[0], 2);
	assert_int_equal(overlapping(e, 0, 1001, got, 8), 2);   /* both */
	t = mk_task(3, INT64_MIN, 0, 0);
	t.end_at = INT64_MAX;
	assert_true(engage_put_task(e, &t));
	assert_int_equal(overlapping(e, 2 * DAY, 2 * DAY + 1, got, 8), 2);
	assert_int_equal(overlapping(e, INT64_MIN, INT64_MIN + 1, got, 8), 1);
	assert_int_equal(got[0], 3);
	assert_int_equal(overlapping(e, INT64_MAX - 1, INT64_MAX, got, 8), 1);
	engage_destroy(&e);
}

struct collect_ids {
	const struct engage *e;
	int64_t from, to, *ids;
	size_t n, cap;
};

/* Visited ids that do overlap [from, to), as the overlap rule tests them;
 * each must come once. */
static void collect_overlapping(void *ctx, int64_t id)
{
	struct collect_ids *c = ctx;
	const struct engage_task *t = engage_task(c->e, id);
	assert_non_null(t);
	if (!(t->start_at < c->to && c->from < t->end_at))
		return;
	assert_false(ids_have(c->ids, c->n, id));
	assert_true(c->n < c->cap);
	c->ids[c->n++] = id;
}

static size_t overlapping(const struct engage *e, int64_t from, int64_t to,
                          int64_t *ids, size_t cap)
{
	struct collect_ids c = {.e = e, .from = from, .to = to, .ids = ids, .cap = cap};
	engage_visit_overlapping(e, from, to, collect_overlapping, &c);
	return c.n;
}

/* ---- the time indexes against brute force ---- */

#define RT_TASKS 3000
#define RT_ORGS 6

/* A random world of tasks (replaced now and then), and what it holds. */
struct rt {
	uint64_t seed;
	struct engage *e;
	struct engage_task held[RT_TASKS + 1];   /* .id 0: not held */
	unsigned visits[RT_TASKS + 1];           /* per query */
	size_t n_visits;
};

static uint64_t rt_rnd(struct rt *r)
{
	r->seed ^= r->seed >> 12;
	r->seed ^= r->seed << 25;
	r->seed ^= r->seed >> 27;
	return r->seed * UINT64_C(2685821657736338717);
}

static uint64_t rt_below(struct rt *r, uint64_t n)
{
	return rt_rnd(r) % n;
}

/* Mostly one-day tasks on ~3 years of days; some a week to a month, a
 * few a year or more, some ending before they start; 0-3 orgs of a few,
 * sometimes one twice. */
static struct engage_task rt_task(struct rt *r, int64_t id)
{
	int64_t start = (int64_t)rt_below(r, 1100) * DAY + (int64_t)rt_below(r, 24) * 3600 -
	                500 * DAY;
	struct engage_task t = mk_task(id, start, 0, 0);
	uint64_t kind = rt_below(r, 100);
	t.end_at = start + (kind < 70 ? DAY : kind < 80 ? (int64_t)rt_below(r, 8) * 3600
	                   : kind < 92 ? (int64_t)rt_below(r, 32) * DAY
	                   : kind < 96 ? -(int64_t)rt_below(r, 5) * 3600
	                   : (int64_t)rt_below(r, 1500) * DAY);
	t.n_orgs = (int)rt_below(r, 4);
	for (int i = 0; i < t.n_orgs; i++)
		t.orgs[i] = 1 + (uint32_t)rt_below(r, RT_ORGS);
	return t;
}

static void rt_visit(void *ctx, int64_t task)
{
	struct rt *r = ctx;
	assert_true(task > 0 && task <= RT_TASKS);
	r->visits[task]++;
	r->n_visits++;
}

static void rt_clear_visits(struct rt *r)
{
	memset(r->visits, 0, sizeof r->visits);
	r->n_visits = 0;
}

/* One overlap query: every overlapping task visited, each task at most
 * once, and a task visited without overlapping starts near the time,
 * within a few times its own length (or a day). */
static void rt_check_overlap(struct rt *r, int64_t s, int64_t t)
{
	rt_clear_visits(r);
	engage_visit_overlapping(r->e, s, t, rt_visit, r);
	for (int64_t id = 1; id <= RT_TASKS; id++) {
		const struct engage_task *o = &r->held[id];
		assert_true(r->visits[id] <= 1);
		if (o->id == 0) {
			assert_int_equal(r->visits[id], 0);
			continue;
		}
		if (o->start_at < t && s < o->end_at)
			assert_int_equal(r->visits[id], 1);
		else if (r->visits[id]) {
			/* In 128 bits: tasks may span the whole clock. */
			wide span = (wide)o->end_at - o->start_at;
			wide len = span > DAY ? span : DAY;
			assert_true(o->start_at > (wide)s - 4 * len - DAY);
			assert_true(o->start_at <= (wide)t + 2 * len + DAY);
		}
	}
}

/* One rotation query: every task of org starting at most window from at
 * visited once; others visited only within the window plus 64 days. */
static void rt_check_org(struct rt *r, uint32_t org, int64_t at, uint64_t window)
{
	rt_clear_visits(r);
	engage_visit_org_near(r->e, org, at, window, rt_visit, r);
	for (int64_t id = 1; id <= RT_TASKS; id++) {
		const struct engage_task *o = &r->held[id];
		bool lists = false;
		for (int i = 0; o->id && i < o->n_orgs; i++)
			lists = lists || o->orgs[i] == org;
		/* Unsigned: the distance of any two times fits, their
		 * signed difference may not. */
		uint64_t d = o->start_at > at ? (uint64_t)o->start_at - (uint64_t)at
		                              : (uint64_t)at - (uint64_t)o->start_at;
		if (!lists)
			assert_int_equal(r->visits[id], 0);
		else if (d <= window)
			assert_int_equal(r->visits[id], 1);
		else
			assert_true(r->visits[id] == 0 || d <= window + 64 * (uint64_t)DAY);
	}
}

static void rt_queries(struct rt *r)
{
	for (int q = 0; q < 40; q++) {
		struct engage_task x = rt_task(r, 1);
		rt_check_overlap(r, x.start_at, x.end_at);
		uint64_t windows[] = {0, (uint64_t)DAY, 90 * (uint64_t)DAY,
		                      365 * (uint64_t)DAY};
		rt_check_org(r, 1 + (uint32_t)rt_below(r, RT_ORGS), x.start_at,
		             windows[rt_below(r, 4)]);
	}
}

/* Organisation `from` merged into `into`, in engage and in the model:
 * every task listing from lists into instead (REGISTRY.md 2.4). */
static void rt_merge(struct rt *r)
{
	uint32_t from = 1 + (uint32_t)rt_below(r, RT_ORGS);
	uint32_t into = 1 + (uint32_t)rt_below(r, RT_ORGS);
	assert_true(engage_merge_org(r->e, from, into));
	for (int64_t id = 1; id <= RT_TASKS; id++)
		for (int i = 0; r->held[id].id && from != into && i < r->held[id].n_orgs; i++)
			if (r->held[id].orgs[i] == from)
				r->held[id].orgs[i] = into;
	rt_queries(r);
}

/* Tasks put, replaced (moved, re-organised, lengthened, shortened),
 * their organisations merged, and cleared: the time indexes give what a
 * walk of every task gives. */
static void test_time_indexes_match_brute_force(void **state)
{
	(void)state;
	static struct rt r;
	memset(&r, 0, sizeof r);
	r.seed = 0x9e3779b97f4a7c15u;
	r.e = engage_new();
	assert_non_null(r.e);
	for (int round = 0; round < 30; round++) {
		for (int k = 0; k < 200; k++) {
			int64_t id = 1 + (int64_t)rt_below(&r, RT_TASKS);
			struct engage_task t = rt_task(&r, id);
			assert_true(engage_put_task(r.e, &t));
			r.held[id] = t;
		}
		rt_queries(&r);
		if (round % 7 == 3)
			rt_merge(&r);
		if (round == 20) {   /* a clear, then the same tasks again */
			engage_clear(r.e);
			for (int64_t id = 1; id <= RT_TASKS; id++)
				if (r.held[id].id)
					assert_true(engage_put_task(r.e, &r.held[id]));
			rt_queries(&r);
		}
	}
	engage_destroy(&r.e);
}

/* One task held for years among many one-day tasks: a day's overlap
 * query reads the days around it and the long task, not the years of
 * days the long task spans; a rotation query the window, not the
 * organisation's whole history. Queries too wide to read bucket by
 * bucket (a task lasting centuries, a window of a thousand years) fall
 * back to reading everything, with the same answers. */
static void test_time_indexes_stay_local(void **state)
{
	(void)state;
	static struct rt r;
	memset(&r, 0, sizeof r);
	r.e = engage_new();
	int64_t id = 0;
	for (int64_t day = 0; day < 1000; day++)
		for (int k = 0; k < 2; k++) {
			struct engage_task t = mk_task(++id, day * DAY + 9 * 3600, 1, 0);
			t.end_at = t.start_at + DAY;
			assert_true(engage_put_task(r.e, &t));
			r.held[id] = t;
		}
	struct engage_task longest = mk_task(++id, 0, 2, 0);
	longest.end_at = 1000 * DAY;
	assert_true(engage_put_task(r.e, &longest));
	r.held[id] = longest;

	rt_check_overlap(&r, 500 * DAY + 9 * 3600, 501 * DAY + 9 * 3600);
	assert_int_equal(r.visits[longest.id], 1);
	assert_true(r.n_visits <= 1 + 2 * 3);           /* 3 days of short tasks */
	rt_check_org(&r, 1, 500 * DAY, 10 * (uint64_t)DAY);
	assert_true(r.n_visits <= 2 * (20 + 64));       /* not 2000 */
	assert_true(r.n_visits >= 2 * 20);

	struct engage_task ages = mk_task(++id, -40000 * 365 * DAY, 3, 0);
	ages.end_at = 40000 * 365 * DAY;
	assert_true(engage_put_task(r.e, &ages));
	r.held[id] = ages;
	rt_check_overlap(&r, 500 * DAY, 501 * DAY);
	assert_int_equal(r.visits[ages.id], 1);
	rt_check_overlap(&r, INT64_MIN + 5, INT64_MAX - 5);   /* reads all */
	assert_int_equal(r.n_visits, (size_t)id);
	rt_check_org(&r, 1, 500 * DAY, 1000 * 365 * (uint64_t)DAY);
	assert_int_equal(r.n_visits, 2000);
	rt_check_org(&r, 1, INT64_MAX - 5, UINT64_MAX);
	assert_int_equal(r.n_visits, 2000);
	engage_destroy(&r.e);
}

static void test_seats_follow_state_and_task(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	struct engage_assignment a = {.id = 1, .task = 10, .state = ASSIGN_OFFERED};
	assert_true(engage_put_assignment(e, 42, &a));   /* task 10 not held: indexed */
	size_t n;
	const struct engage_seat *s = seat_of(e, 10, 42, 1, &n);
	assert_non_null(s);
	assert_int_equal(n, 1);
	assert_int_equal(s->state, ASSIGN_OFFERED);
	assert_int_equal(served(e, 42), 1);

	a.state = ASSIGN_DECLINED;                        /* state change in place */
	assert_true(engage_put_assignment(e, 42, &a));
	s = seat_of(e, 10, 42, 1, &n);
	assert_non_null(s);
	assert_int_equal(n, 1);
	assert_int_equal(s->state, ASSIGN_DECLINED);
	assert_int_equal(served(e, 42), 0);

	a.task = 11;                                      /* moved to another task */
	a.state = ASSIGN_COMPLETED;
	assert_true(engage_put_assignment(e, 42, &a));
	assert_null(seat_of(e, 10, 42, 1, &n));
	assert_int_equal(n, 0);
	s = seat_of(e, 11, 42, 1, &n);
	assert_non_null(s);
	assert_int_equal(s->state, ASSIGN_COMPLETED);
	assert_int_equal(served(e, 42), 1);

	/* Many seats on one task, from many experts; one expert twice. */
	for (int64_t k = 2; k < 60; k++) {
		struct engage_assignment b = {.id = k, .task = 11,
		                              .state = k % 2 ? ASSIGN_ACCEPTED : ASSIGN_STANDBY};
		assert_true(engage_put_assignment(e, k < 30 ? k : 42, &b));
	}
	engage_task_seats(e, 11, &n);
	assert_int_equal(n, 59);
	assert_int_equal(served(e, 42), 1 + 15);  /* odd ids 31..59 */
	for (int64_t k = 2; k < 30; k++)
		assert_int_equal(served(e, k), k % 2);
	/* An expert past the first slots: both arrays grow together. */
	struct engage_assignment far = {.id = 900, .task = 11, .state = ASSIGN_COMPLETED};
	assert_true(engage_put_assignment(e, 5000, &far));
	assert_int_equal(served(e, 5000), 1);
	assert_int_equal(served(e, 42), 1 + 15);
	s = seat_of(e, 11, 42, 31, &n);
	assert_non_null(s);
	assert_int_equal(s->state, ASSIGN_ACCEPTED);

	engage_clear(e);
	assert_null(engage_task_seats(e, 11, &n));
	assert_int_equal(n, 0);
	assert_int_equal(served(e, 42), 0);
	assert_int_equal(served(e, 5000), 0);
	engage_destroy(&e);
}

static void test_conflicts_by_org(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	struct engage_conflict c = {.org = 3, .valid_from = 10, .valid_to = 20};
	assert_true(engage_add_conflict(e, 8, &c));
	c.valid_to = 0;
	assert_true(engage_add_conflict(e, 9, &c));
	c.org = 4;
	assert_true(engage_add_conflict(e, 8, &c));
	size_t n;
	const struct engage_org_conflict *oc = engage_org_conflicts(e, 3, &n);
	assert_int_equal(n, 2);
	assert_true((oc[0].expert == 8 && oc[0].c.valid_to == 20 && oc[1].expert == 9) ||
	            (oc[1].expert == 8 && oc[1].c.valid_to == 20 && oc[0].expert == 9));
	oc = engage_org_conflicts(e, 4, &n);
	assert_int_equal(n, 1);
	assert_int_equal(oc[0].expert, 8);
	assert_null(engage_org_conflicts(e, 5, &n));
	engage_conflicts(e, 8, &n);
	assert_int_equal(n, 2);                           /* per expert as before */
	engage_clear(e);
	assert_null(engage_org_conflicts(e, 3, &n));
	assert_true(engage_add_conflict(e, 8, &c));       /* usable after a clear */
	engage_org_conflicts(e, 4, &n);
	assert_int_equal(n, 1);
	engage_destroy(&e);
}

static void test_idmap_many_keys(void **state)
{
	(void)state;
	struct idmap m;
	idmap_init(&m, sizeof(int64_t));
	size_t n;
	assert_null(idmap_get(&m, 1, &n));
	assert_null(idmap_find(&m, 1));
	/* Consecutive and far-apart keys, including the extremes. */
	for (int64_t k = -5000; k < 5000; k++) {
		int64_t v = k * 3;
		assert_true(idmap_push(&m, k, &v));
		if (k % 2 == 0)
			assert_true(idmap_push(&m, k, &v));
	}
	int64_t v = 1;
	assert_true(idmap_push(&m, INT64_MIN, &v));
	assert_true(idmap_push(&m, INT64_MAX, &v));
	for (int64_t k = -5000; k < 5000; k++) {
		const int64_t *items = idmap_get(&m, k, &n);
		assert_int_equal(n, k % 2 == 0 ? 2 : 1);
		assert_int_equal(items[0], k * 3);
	}
	assert_non_null(idmap_get(&m, INT64_MIN, &n));
	assert_int_equal(n, 1);
	assert_non_null(idmap_get(&m, INT64_MAX, &n));
	assert_null(idmap_get(&m, 5000, &n));

	/* Removal moves the last item into the hole; an emptied key reads
	 * as none. */
	struct idmap_list *l = idmap_find(&m, 0);
	assert_non_null(l);
	assert_int_equal(l->n, 2);
	idmap_list_remove(&m, l, 0);
	idmap_list_remove(&m, l, 0);
	assert_null(idmap_get(&m, 0, &n));
	assert_int_equal(n, 0);
	assert_true(idmap_push(&m, 0, &v));
	assert_non_null(idmap_get(&m, 0, &n));
	assert_int_equal(n, 1);

	idmap_free(&m);
	assert_null(idmap_get(&m, 1, &n));
	assert_true(idmap_push(&m, 1, &v));               /* usable after free */
	idmap_free(&m);
	idmap_free(&m);                                   /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_start_day_floors),
		cmocka_unit_test(test_tasks_by_time_and_org_follow_replacement),
		cmocka_unit_test(test_calendar_places_every_length),
		cmocka_unit_test(test_seats_follow_state_and_task),
		cmocka_unit_test(test_conflicts_by_org),
		cmocka_unit_test(test_idmap_many_keys),
		cmocka_unit_test(test_time_indexes_match_brute_force),
		cmocka_unit_test(test_time_indexes_stay_local),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
