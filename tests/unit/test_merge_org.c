/*
 * test_merge_org.c - merging organisation `from` into `into`
 * (REGISTRY.md 2.4) in the pool and in engage: every expert, conflict and
 * task that named `from` names `into`, in the records and in every index,
 * and the draw's real candidate code then treats the two as one
 * organisation (rules 6-8 and 10 of DRAW.md 3.1, and diversity). An
 * engage merge that runs out of memory changes nothing.
 *
 * Allocation failures are injected by wrapping malloc, calloc and realloc
 * at link time (CMakeLists.txt): a countdown, off unless armed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "candidates.h"
#include "fixture.h"
#include "ident.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define WELDER "焊工"
#define GROUP 1                    /* skill_evaluation */
#define KEY_INTO "org:1"
#define KEY_FROM "org:2"
#define KEY_OTHER "91440101MA59AAAA1A"

/* ---- allocation failure ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);

/* -1: off; else the number of allocations that still succeed. */
static long alloc_budget = -1;

static bool alloc_fails(void)
{
	if (alloc_budget < 0)
		return false;
	if (alloc_budget == 0)
		return true;
	alloc_budget--;
	return false;
}

void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return alloc_fails() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

/* ---- the fixture ---- */

/* Experts, all welders able to sit on the task:
 *  1 employed by from        2 recommended by from
 *  3 a conflict on from      4 served a task of from a month ago
 *  5 employed by into        6 no organisation
 *  7 employed by from, recommended by into */
struct fx {
	struct pool *pool;
	struct engage *eng;
	uint32_t into, from, other;
	int32_t term_start[2], term_end[2];
	struct recusal_terms terms;
	struct recusal_task t;
	struct recusal_config cfg;
	struct candidates c;
};

static void fx_put_expert(struct fx *f, int64_t id, const char *employer,
                          const char *recommender)
{
	struct expert e = fx_expert(id, WELDER);
	strcpy(e.employer_code, employer);
	strcpy(e.recommender_code, recommender);
	assert_true(pool_upsert(f->pool, &e));
}

static void fx_put_task(struct fx *f, int64_t id, int64_t start, uint32_t org1,
                        uint32_t org2)
{
	struct engage_task t = {.id = id, .start_at = start, .end_at = start + HOUR,
	                        .orgs = {org1, org2}, .n_orgs = org2 ? 2 : 1};
	assert_true(engage_put_task(f->eng, &t));
}

static void fx_records(struct fx *f)
{
	fx_put_expert(f, 1, KEY_FROM, "");
	fx_put_expert(f, 2, "", KEY_FROM);
	fx_put_expert(f, 3, "", "");
	fx_put_expert(f, 4, "", "");
	fx_put_expert(f, 5, KEY_INTO, "");
	fx_put_expert(f, 6, "", "");
	fx_put_expert(f, 7, KEY_FROM, KEY_INTO);
	f->into = pool_org_find(f->pool, KEY_INTO);
	f->from = pool_org_find(f->pool, KEY_FROM);
	f->other = pool_org_intern(f->pool, KEY_OTHER);
	assert_true(f->into && f->from && f->other && f->into != f->from);

	struct engage_conflict c = {.org = f->from, .valid_from = f->t.start_day - 30};
	assert_true(engage_add_conflict(f->eng, 3, &c));
	assert_true(engage_add_conflict(f->eng, 3, &c));   /* declared twice */
	int64_t s = f->t.start_at;
	fx_put_task(f, 50, s - 30 * DAY, f->from, 0);
	fx_put_task(f, 51, s - 200 * DAY, f->from, f->into);   /* both */
	fx_put_task(f, 52, s - 300 * DAY, f->other, 0);
	fx_put_task(f, 53, s - 900 * DAY, f->from, 0);   /* long ago */
	fx_put_task(f, 54, s - 901 * DAY, f->from, 0);
	struct engage_assignment a = {.id = 1, .task = 50, .state = ASSIGN_COMPLETED};
	assert_true(engage_put_assignment(f->eng, 4, &a));
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof *f);
	f->pool = pool_new();
	f->eng = engage_new();
	assert_non_null(f->pool);
	assert_non_null(f->eng);
	f->term_start[1] = ident_days_from_civil(2024, 1, 1);
	f->term_end[1] = ident_days_from_civil(2026, 12, 31);
	f->terms = (struct recusal_terms){f->term_start, f->term_end, 1};
	int32_t d = ident_days_from_civil(2025, 6, 10);
	f->t.start_day = f->t.end_day = d;
	f->t.start_at = d * DAY + 9 * HOUR;
	f->t.end_at = f->t.start_at + 8 * HOUR;
	f->cfg.rotation_days = 365;
	f->cfg.exposure_days = 365;
	f->cfg.diversity = true;
	candidates_init(&f->c);
	fx_records(f);
}

static void fx_fini(struct fx *f)
{
	candidates_free(&f->c);
	pool_destroy(&f->pool);
	engage_destroy(&f->eng);
}

/* The candidates of a task naming the one organisation org (none if 0). */
static void fx_collect(struct fx *f, uint32_t org)
{
	f->t.orgs[0] = org;
	f->t.n_orgs = org ? 1 : 0;
	assert_true(candidates_collect(&f->c, f->pool, f->eng, &f->terms,
	                               pool_specialty_find(f->pool, WELDER), GROUP,
	                               &f->t, &f->cfg, NULL, 0));
}

static bool fx_is_candidate(const struct fx *f, int64_t id)
{
	for (size_t i = 0; i < f->c.n; i++)
		if (f->c.ids[i] == id)
			return true;
	return false;
}

static bool ids_have(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* ---- the pool ---- */

static void test_pool_relinks_entries_and_slim(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	pool_merge_org(f.pool, f.from, f.into);

	static const struct { int64_t id; int employer, recommender; } want[] = {
		{1, 1, 0}, {2, 0, 1}, {5, 1, 0}, {6, 0, 0}, {7, 1, 1}};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		const struct pool_entry *pe = pool_get(f.pool, want[i].id);
		assert_int_equal(pe->employer_org, want[i].employer ? f.into : 0);
		assert_int_equal(pe->recommender_org, want[i].recommender ? f.into : 0);
	}
	/* The bucket's slim copies are the entries' own. */
	const struct pool_bucket *b =
		pool_bucket(f.pool, pool_specialty_find(f.pool, WELDER), GROUP);
	assert_int_equal(b->n, 7);
	for (size_t i = 0; i < b->n; i++) {
		struct pool_slim s = pool_slim_of(pool_get(f.pool, b->ids[i]),
		                                  pool_specialty_find(f.pool, WELDER));
		assert_memory_equal(&b->slim[i], &s, sizeof s);
		assert_int_not_equal(b->slim[i].employer_org, f.from);
		assert_int_not_equal(b->slim[i].recommender_org, f.from);
	}
	/* The key itself stays known; no-ops change nothing. */
	assert_int_equal(pool_org_find(f.pool, KEY_FROM), f.from);
	pool_merge_org(f.pool, f.into, f.into);
	pool_merge_org(f.pool, 0, f.into);
	assert_int_equal(pool_get(f.pool, 5)->employer_org, f.into);
	assert_int_equal(pool_get(f.pool, 6)->employer_org, 0);
	fx_fini(&f);
}

/* ---- engage ---- */

static void test_engage_moves_conflicts(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	assert_true(engage_merge_org(f.eng, f.from, f.into));

	size_t n;
	const struct engage_conflict *c = engage_conflicts(f.eng, 3, &n);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].org, f.into);
	assert_int_equal(c[1].org, f.into);
	assert_null(engage_org_conflicts(f.eng, f.from, &n));
	assert_int_equal(n, 0);
	const struct engage_org_conflict *oc = engage_org_conflicts(f.eng, f.into, &n);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(oc[i].expert, 3);
		assert_int_equal(oc[i].c.org, f.into);
		assert_int_equal(oc[i].c.valid_from, f.t.start_day - 30);
	}
	fx_fini(&f);
}

static void test_engage_moves_tasks(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	assert_true(engage_merge_org(f.eng, f.from, f.into));

	size_t n;
	assert_null(engage_tasks_of_org(f.eng, f.from, &n));
	assert_int_equal(n, 0);
	const int64_t *ids = engage_tasks_of_org(f.eng, f.into, &n);
	assert_int_equal(n, 4);   /* 51 listed both: indexed under into once */
	for (int64_t id = 50; id <= 54; id++)
		assert_int_equal(ids_have(ids, n, id), id != 52);
	assert_int_equal(engage_task(f.eng, 50)->orgs[0], f.into);
	const struct engage_task *t = engage_task(f.eng, 51);
	assert_int_equal(t->n_orgs, 2);
	assert_int_equal(t->orgs[0], f.into);
	assert_int_equal(t->orgs[1], f.into);
	assert_int_equal(engage_task(f.eng, 52)->orgs[0], f.other);
	engage_tasks_of_org(f.eng, f.other, &n);
	assert_int_equal(n, 1);

	/* The index still follows later changes: task 51 re-put elsewhere
	 * leaves into's list once, as any task listing an org twice does. */
	struct engage_task moved = *t;
	moved.orgs[0] = moved.orgs[1] = f.other;
	assert_true(engage_put_task(f.eng, &moved));
	ids = engage_tasks_of_org(f.eng, f.into, &n);
	assert_int_equal(n, 3);
	assert_false(ids_have(ids, n, 51));
	fx_fini(&f);
}

static void count_visit(void *ctx, int64_t task)
{
	(void)task;
	(*(size_t *)ctx)++;
}

/* Tasks of org the time index finds within 1000 days of the draw's. */
static size_t near_count(const struct fx *f, uint32_t org)
{
	size_t n = 0;
	engage_visit_org_near(f->eng, org, f->t.start_at, 1000 * (uint64_t)DAY,
	                      count_visit, &n);
	return n;
}

/* The state before a merge, as fx_init() made it. */
static void assert_unmerged(const struct fx *f)
{
	size_t n;
	const struct engage_conflict *c = engage_conflicts(f->eng, 3, &n);
	assert_int_equal(n, 2);
	assert_int_equal(c[0].org, f->from);
	assert_int_equal(c[1].org, f->from);
	const struct engage_org_conflict *oc = engage_org_conflicts(f->eng, f->from, &n);
	assert_int_equal(n, 2);
	assert_int_equal(oc[0].c.org, f->from);
	engage_org_conflicts(f->eng, f->into, &n);
	assert_int_equal(n, 0);
	const int64_t *ids = engage_tasks_of_org(f->eng, f->from, &n);
	assert_int_equal(n, 4);
	assert_true(ids_have(ids, n, 50) && ids_have(ids, n, 51));
	ids = engage_tasks_of_org(f->eng, f->into, &n);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 51);
	assert_int_equal(engage_task(f->eng, 50)->orgs[0], f->from);
	assert_int_equal(engage_task(f->eng, 51)->orgs[0], f->from);
	assert_int_equal(near_count(f, f->from), 4);
	assert_int_equal(near_count(f, f->into), 1);
}

/* Fail the first, second, ... allocation of the merge until it needs no
 * more: every failure leaves what assert_unmerged() checks. */
static void test_engage_merge_out_of_memory(void **state)
{
	(void)state;
	int failures = 0;
	for (long budget = 0;; budget++) {
		struct fx f;
		fx_init(&f);
		alloc_budget = budget;
		bool ok = engage_merge_org(f.eng, f.from, f.into);
		alloc_budget = -1;
		if (ok) {
			size_t n;
			engage_tasks_of_org(f.eng, f.into, &n);
			assert_int_equal(n, 4);
			assert_int_equal(near_count(&f, f.into), 4);
			assert_int_equal(near_count(&f, f.from), 0);
			fx_fini(&f);
			break;
		}
		failures++;
		assert_unmerged(&f);
		fx_fini(&f);
	}
	/* Room in each index: conflicts and tasks by organisation once each;
	 * tasks by organisation and time once per 32-day bucket the moving
	 * tasks 50, 53 and 54 start in (two), after the array sorting them. */
	assert_int_equal(failures, 5);
}

/* ---- what a draw sees ---- */

static void test_recusal_after_merge(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	/* Before: a task naming into concerns 5 and 7 only. */
	fx_collect(&f, f.into);
	assert_int_equal(f.c.excluded[RULE_EMPLOYER], 1);      /* 5 */
	assert_int_equal(f.c.excluded[RULE_RECOMMENDER], 1);   /* 7 */
	assert_int_equal(f.c.excluded[RULE_CONFLICT], 0);
	assert_int_equal(f.c.excluded[RULE_ROTATION], 0);
	for (int64_t id = 1; id <= 4; id++)
		assert_true(fx_is_candidate(&f, id));

	pool_merge_org(f.pool, f.from, f.into);
	assert_true(engage_merge_org(f.eng, f.from, f.into));
	fx_collect(&f, f.into);
	assert_int_equal(f.c.n, 1);
	assert_true(fx_is_candidate(&f, 6));
	assert_int_equal(f.c.excluded[RULE_EMPLOYER], 3);      /* 1, 5, 7 */
	assert_int_equal(f.c.excluded[RULE_RECOMMENDER], 1);   /* 2 */
	assert_int_equal(f.c.excluded[RULE_CONFLICT], 1);      /* 3 */
	assert_int_equal(f.c.excluded[RULE_ROTATION], 1);      /* 4 */

	/* The merged key concerns nobody any more; recusal_check agrees. */
	fx_collect(&f, f.from);
	assert_int_equal(f.c.n, 7);
	f.t.orgs[0] = f.into;
	f.t.n_orgs = 1;
	assert_int_equal(recusal_check(pool_get(f.pool, 1), f.eng, &f.terms, &f.t,
	                               &f.cfg), RULE_EMPLOYER);
	assert_int_equal(recusal_check(pool_get(f.pool, 3), f.eng, &f.terms, &f.t,
	                               &f.cfg), RULE_CONFLICT);
	assert_int_equal(recusal_check(pool_get(f.pool, 4), f.eng, &f.terms, &f.t,
	                               &f.cfg), RULE_ROTATION);
	fx_fini(&f);
}

/* Experts 1 (from) and 5 (into), the only two candidates of a task of
 * another organisation once the rest are excluded, on a two-seat panel. */
static enum draw_result draw_two(struct fx *f, size_t *dropped)
{
	f->t.exclude = (const int64_t[]){2, 3, 4, 6, 7};
	f->t.n_exclude = 5;
	fx_collect(f, f->other);
	assert_int_equal(f->c.n, 2);
	static const uint8_t seed[DRAW_SEED_LEN] = {7};
	struct draw_spec spec = {.members = 2, .diversity = true};
	int64_t panel[2];
	size_t n = 0;
	*dropped = 0;
	return draw_select_counted(f->c.list, f->c.n, &spec, seed, panel, &n, dropped);
}

static void test_diversity_sees_one_employer(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	size_t dropped;
	assert_int_equal(draw_two(&f, &dropped), DRAW_OK);
	assert_int_equal(dropped, 0);

	pool_merge_org(f.pool, f.from, f.into);
	assert_true(engage_merge_org(f.eng, f.from, f.into));
	assert_int_equal(draw_two(&f, &dropped), DRAW_TOO_FEW);
	assert_int_equal(dropped, 1);
	assert_int_equal(f.c.list[0].employer, f.into);
	assert_int_equal(f.c.list[1].employer, f.into);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_relinks_entries_and_slim),
		cmocka_unit_test(test_engage_moves_conflicts),
		cmocka_unit_test(test_engage_moves_tasks),
		cmocka_unit_test(test_engage_merge_out_of_memory),
		cmocka_unit_test(test_recusal_after_merge),
		cmocka_unit_test(test_diversity_sees_one_employer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
