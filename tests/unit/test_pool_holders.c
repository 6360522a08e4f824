/*
 * test_pool_holders.c - the pool's count of experts holding a specialty
 * (what a draw's outside_group is worked out from, DRAW.md 3.1) always
 * equals a count over the whole pool: through inserts, upserts that change
 * specialties and group types (none included), a specialty listed twice,
 * removals, a clear, and more specialties than the first allocation holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "pool.h"

#define N_SPECS 90   /* more than the 21 specialties of the first allocation */

static void spec_name(char out[16], int k)
{
	snprintf(out, 16, "工种%02d", k);
}

/* The holders of sid, counted over every entry. */
static size_t count_holders(const struct pool *p, uint32_t sid)
{
	size_t n = 0;
	for (int64_t id = 1; id <= pool_max_id(p); id++) {
		const struct pool_entry *pe = pool_get(p, id);
		bool has = false;
		for (int i = 0; pe && i < pe->n_specialties; i++)
			has = has || pe->specialties[i] == sid;
		n += has;
	}
	return n;
}

static void check_holders(const struct pool *p)
{
	for (int k = 0; k < N_SPECS; k++) {
		char name[16];
		spec_name(name, k);
		uint32_t sid = pool_specialty_find(p, name);
		if (!sid)
			continue;
		size_t want = count_holders(p, sid);
		if (pool_specialty_holders(p, sid) != want)
			fail_msg("%s: %zu holders, want %zu", name,
			         pool_specialty_holders(p, sid), want);
		/* Every bucket of the specialty is within its holders. */
		for (int g = 0; g < POOL_GROUP_TYPES; g++) {
			const struct pool_bucket *b = pool_bucket(p, sid, g);
			assert_true(!b || b->n <= want);
		}
	}
}

/* Expert id with specialties k, k + 1 (every third id) and group types
 * `groups` (0 = none). */
static struct expert mk(int64_t id, int k, unsigned groups)
{
	char name[16];
	spec_name(name, k % N_SPECS);
	struct expert e = fx_expert(id, name);
	if (id % 3 == 0) {
		spec_name(e.specialties[1], (k + 1) % N_SPECS);
		e.n_specialties = 2;
	}
	e.group_types = groups;
	return e;
}

static void test_holders_follow_every_change(void **state)
{
	(void)state;
	struct pool *p = pool_new();
	assert_non_null(p);
	for (int64_t id = 1; id <= 400; id++) {
		struct expert e = mk(id, (int)(id % N_SPECS), (unsigned)(id % 8));
		assert_true(pool_upsert(p, &e));
	}
	check_holders(p);
	/* Other specialties and group types, some to none. */
	for (int64_t id = 1; id <= 400; id += 7) {
		struct expert e = mk(id, (int)(id * 5 % N_SPECS), (unsigned)(id % 3));
		assert_true(pool_upsert(p, &e));
	}
	check_holders(p);
	/* The same record again changes nothing. */
	struct expert same = mk(8, 8 * 5 % N_SPECS, 8 % 3);
	assert_true(pool_upsert(p, &same));
	check_holders(p);
	for (int64_t id = 2; id <= 400; id += 9)
		pool_remove(p, id);
	pool_remove(p, 2);        /* already gone */
	pool_remove(p, 9999);     /* never there */
	check_holders(p);
	pool_clear(p);
	char name[16];
	spec_name(name, 1);
	assert_int_equal(pool_specialty_holders(p, pool_specialty_find(p, name)), 0);
	for (int64_t id = 1; id <= 30; id++) {
		struct expert e = mk(id, 1, 0x1);
		assert_true(pool_upsert(p, &e));
	}
	check_holders(p);
	assert_int_equal(pool_specialty_holders(p, pool_specialty_find(p, name)), 30);
	pool_destroy(&p);
}

/* Holding a specialty is not being in one of its buckets: with no group
 * type, or the same specialty twice, an expert is one holder. */
static void test_holders_count_each_expert_once(void **state)
{
	(void)state;
	struct pool *p = pool_new();
	struct expert twice = fx_expert(1, "焊工");
	strcpy(twice.specialties[1], "焊工");
	twice.n_specialties = 2;
	assert_true(pool_upsert(p, &twice));
	struct expert none = fx_expert(2, "焊工");
	none.group_types = 0;
	assert_true(pool_upsert(p, &none));
	struct expert other = fx_expert(3, "电工");
	assert_true(pool_upsert(p, &other));
	struct expert nothing = fx_expert(4, NULL);
	assert_true(pool_upsert(p, &nothing));

	uint32_t welder = pool_specialty_find(p, "焊工");
	assert_int_equal(pool_specialty_holders(p, welder), 2);
	assert_int_equal(pool_specialty_holders(p, pool_specialty_find(p, "电工")), 1);
	for (int g = 0; g < POOL_GROUP_TYPES; g++)
		assert_int_equal(pool_bucket(p, welder, g)->n, 1);
	/* Unknown and out-of-range specialties hold nobody. */
	assert_int_equal(pool_specialty_holders(p, 0), 0);
	assert_int_equal(pool_specialty_holders(p, 100000), 0);
	/* Dropping the duplicate keeps one holder. */
	twice.n_specialties = 1;
	assert_true(pool_upsert(p, &twice));
	assert_int_equal(pool_specialty_holders(p, welder), 2);
	pool_remove(p, 1);
	pool_remove(p, 2);
	assert_int_equal(pool_specialty_holders(p, welder), 0);
	pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_holders_follow_every_change),
		cmocka_unit_test(test_holders_count_each_expert_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
