/*
 * test_engage.c - the conflict and assignment index: replace-by-id for tasks
 * and assignments, lists kept per expert, clear and destroy, and a pool-sized
 * population of experts. Also the task.h tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "engage.h"
#include "task.h"

static struct engage_task mk_task(int64_t id, int64_t start, int64_t end)
{
	struct engage_task t;
	memset(&t, 0, sizeof t);
	t.id = id;
	t.start_at = start;
	t.end_at = end;
	return t;
}

static void test_empty_lookups(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	size_t n = 99;
	assert_non_null(e);
	assert_null(engage_conflicts(e, 1, &n));
	assert_int_equal(n, 0);
	n = 99;
	assert_null(engage_assignments(e, 1000000, &n));
	assert_int_equal(n, 0);
	n = 99;
	assert_null(engage_assignments(e, -5, &n));
	assert_int_equal(n, 0);
	assert_null(engage_task(e, 1));
	engage_destroy(&e);
	assert_null(e);
	engage_destroy(&e);   /* NULL-safe */
	engage_destroy(NULL);
}

static void test_task_put_replaces_by_id(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	struct engage_task t = mk_task(7, 100, 200);
	assert_true(engage_put_task(e, &t));
	t = mk_task(3, 10, 20);
	assert_true(engage_put_task(e, &t));   /* out of order: inserted before */
	t = mk_task(7, 500, 600);
	t.orgs[0] = 42;
	t.n_orgs = 1;
	assert_true(engage_put_task(e, &t));   /* replaces */

	const struct engage_task *got = engage_task(e, 7);
	assert_non_null(got);
	assert_int_equal(got->start_at, 500);
	assert_int_equal(got->end_at, 600);
	assert_int_equal(got->n_orgs, 1);
	assert_int_equal(got->orgs[0], 42);
	got = engage_task(e, 3);
	assert_non_null(got);
	assert_int_equal(got->start_at, 10);
	assert_null(engage_task(e, 5));
	assert_null(engage_task(e, 8));
	t = mk_task(0, 1, 2);
	assert_false(engage_put_task(e, &t));   /* ids start at 1 */
	engage_destroy(&e);
}

static void test_many_tasks_any_order(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	/* 1..999 in a scrambled order (multiplication by a unit mod 1000). */
	for (int64_t i = 1; i < 1000; i++) {
		int64_t id = i * 37 % 1000;
		struct engage_task t = mk_task(id, id * 10, id * 10 + 5);
		assert_true(engage_put_task(e, &t));
	}
	for (int64_t id = 1; id < 1000; id++) {
		const struct engage_task *t = engage_task(e, id);
		assert_non_null(t);
		assert_int_equal(t->id, id);
		assert_int_equal(t->start_at, id * 10);
	}
	assert_null(engage_task(e, 1000));
	engage_destroy(&e);
}

static void test_assignment_put_replaces_by_id(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	struct engage_assignment a = {.id = 1, .task = 10, .state = ASSIGN_OFFERED};
	assert_true(engage_put_assignment(e, 5, &a));
	a = (struct engage_assignment){.id = 2, .task = 11, .state = ASSIGN_OFFERED};
	assert_true(engage_put_assignment(e, 5, &a));
	a = (struct engage_assignment){.id = 1, .task = 10, .state = ASSIGN_ACCEPTED};
	assert_true(engage_put_assignment(e, 5, &a));

	size_t n;
	const struct engage_assignment *l = engage_assignments(e, 5, &n);
	assert_int_equal(n, 2);
	assert_int_equal(l[0].id, 1);
	assert_int_equal(l[0].state, ASSIGN_ACCEPTED);
	assert_int_equal(l[1].id, 2);
	assert_int_equal(l[1].state, ASSIGN_OFFERED);
	/* Other experts are untouched. */
	assert_null(engage_assignments(e, 4, &n));
	assert_int_equal(n, 0);
	assert_null(engage_assignments(e, 6, &n));
	assert_int_equal(n, 0);
	assert_false(engage_put_assignment(e, 0, &a));
	engage_destroy(&e);
}

static void test_conflicts_append(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	for (int i = 0; i < 10; i++) {
		struct engage_conflict c = {.org = (uint32_t)i + 1, .valid_from = i,
		                            .valid_to = 0};
		assert_true(engage_add_conflict(e, 2, &c));
	}
	struct engage_conflict c = {.org = 99, .valid_from = 1, .valid_to = 5};
	assert_true(engage_add_conflict(e, 3, &c));
	assert_false(engage_add_conflict(e, -1, &c));

	size_t n;
	const struct engage_conflict *l = engage_conflicts(e, 2, &n);
	assert_int_equal(n, 10);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(l[i].org, (uint32_t)i + 1);
		assert_int_equal(l[i].valid_from, i);
	}
	l = engage_conflicts(e, 3, &n);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].org, 99);
	assert_int_equal(l[0].valid_to, 5);
	engage_destroy(&e);
}

static void test_clear_forgets_everything(void **state)
{
	(void)state;
	struct engage *e = engage_new();
	struct engage_task t = mk_task(1, 0, 10);
	struct engage_assignment a = {.id = 1, .task = 1, .state = ASSIGN_OFFERED};
	struct engage_conflict c = {.org = 1, .valid_from = 0, .valid_to = 0};
	assert_true(engage_put_task(e, &t));
	assert_true(engage_put_assignment(e, 1, &a));
	assert_true(engage_add_conflict(e, 1, &c));
	engage_clear(e);

	size_t n;
	assert_null(engage_task(e, 1));
	assert_null(engage_assignments(e, 1, &n));
	assert_int_equal(n, 0);
	assert_null(engage_conflicts(e, 1, &n));
	assert_int_equal(n, 0);
	/* Usable again after a clear. */
	assert_true(engage_put_task(e, &t));
	assert_true(engage_put_assignment(e, 1, &a));
	assert_non_null(engage_task(e, 1));
	assert_non_null(engage_assignments(e, 1, &n));
	assert_int_equal(n, 1);
	engage_destroy(&e);
}

/* A pool of 10^6 experts, every tenth with an assignment and every
 * hundredth with a conflict: all recorded, nothing mixed up. */
static void test_million_experts(void **state)
{
	(void)state;
	enum { N = 1000000 };
	struct engage *e = engage_new();
	for (int64_t id = 10; id <= N; id += 10) {
		struct engage_assignment a = {.id = id, .task = id / 10,
		                              .state = ASSIGN_COMPLETED};
		assert_true(engage_put_assignment(e, id, &a));
		if (id % 100 == 0) {
			struct engage_conflict c = {.org = (uint32_t)(id / 100),
			                            .valid_from = 1, .valid_to = 0};
			assert_true(engage_add_conflict(e, id, &c));
		}
	}
	for (int64_t id = 1; id <= N; id++) {
		size_t na, nc;
		const struct engage_assignment *a = engage_assignments(e, id, &na);
		const struct engage_conflict *c = engage_conflicts(e, id, &nc);
		if (id % 10 == 0) {
			assert_int_equal(na, 1);
			assert_int_equal(a[0].task, id / 10);
		} else {
			assert_int_equal(na, 0);
		}
		if (id % 100 == 0) {
			assert_int_equal(nc, 1);
			assert_int_equal(c[0].org, (uint32_t)(id / 100));
		} else {
			assert_int_equal(nc, 0);
		}
	}
	engage_destroy(&e);
}

/* ---- task.h tables ---- */

static void test_task_default_group(void **state)
{
	(void)state;
	assert_int_equal(task_default_group(TASK_REVIEW, TASK_SUBJECT_TRAINING), 0);
	assert_int_equal(task_default_group(TASK_REVIEW, TASK_SUBJECT_EVALUATION), 1);
	assert_int_equal(task_default_group(TASK_REVIEW, TASK_SUBJECT_STANDARDS), 1);
	assert_int_equal(task_default_group(TASK_INSPECTION, TASK_SUBJECT_TRAINING), 0);
	assert_int_equal(task_default_group(TASK_INSPECTION, TASK_SUBJECT_EVALUATION), 1);
	assert_int_equal(task_default_group(TASK_INSPECTION, TASK_SUBJECT_STANDARDS), 1);
	for (int s = TASK_SUBJECT_TRAINING; s <= TASK_SUBJECT_STANDARDS; s++) {
		assert_int_equal(task_default_group(TASK_COMPETITION, s), 1);
		assert_int_equal(task_default_group(TASK_TRAINING, s), 1);
		assert_int_equal(task_default_group(TASK_OTHER, s), 2);
	}
	assert_int_equal(task_default_group(TASK_OTHER + 1, 0), -1);
	assert_int_equal(task_default_group(0, 3), -1);
	assert_int_equal(task_default_group(-1, 0), -1);
}

static void test_task_required_capability(void **state)
{
	(void)state;
	const unsigned institution = 1u << 0, standards = 1u << 1,
	               training = 1u << 3, evaluation = 1u << 4;
	assert_int_equal(task_required_capability(TASK_REVIEW, TASK_SUBJECT_TRAINING), institution);
	assert_int_equal(task_required_capability(TASK_REVIEW, TASK_SUBJECT_EVALUATION), evaluation);
	assert_int_equal(task_required_capability(TASK_REVIEW, TASK_SUBJECT_STANDARDS), standards);
	assert_int_equal(task_required_capability(TASK_INSPECTION, TASK_SUBJECT_TRAINING), institution);
	assert_int_equal(task_required_capability(TASK_INSPECTION, TASK_SUBJECT_EVALUATION), evaluation);
	assert_int_equal(task_required_capability(TASK_INSPECTION, TASK_SUBJECT_STANDARDS), standards);
	for (int s = TASK_SUBJECT_TRAINING; s <= TASK_SUBJECT_STANDARDS; s++) {
		assert_int_equal(task_required_capability(TASK_TRAINING, s), training);
		assert_int_equal(task_required_capability(TASK_COMPETITION, s), 0);
		assert_int_equal(task_required_capability(TASK_OTHER, s), 0);
	}
	assert_int_equal(task_required_capability(99, 0), 0);
}

static void test_task_seats(void **state)
{
	(void)state;
	struct task t;
	memset(&t, 0, sizeof t);
	t.members = 4;
	t.backups = 2;
	assert_int_equal(task_seats(&t), 6);
	t.leader = true;
	assert_int_equal(task_seats(&t), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_lookups),
		cmocka_unit_test(test_task_put_replaces_by_id),
		cmocka_unit_test(test_many_tasks_any_order),
		cmocka_unit_test(test_assignment_put_replaces_by_id),
		cmocka_unit_test(test_conflicts_append),
		cmocka_unit_test(test_clear_forgets_everything),
		cmocka_unit_test(test_million_experts),
		cmocka_unit_test(test_task_default_group),
		cmocka_unit_test(test_task_required_capability),
		cmocka_unit_test(test_task_seats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
