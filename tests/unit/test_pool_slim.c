/*
 * test_pool_slim.c - the slim copies a bucket keeps beside its ids (what a
 * draw reads instead of the pool entries) always equal the current entry:
 * after inserts in any order, upserts changing the fields or the buckets,
 * removals, a clear and a reload.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "pool.h"

static struct expert mk(int64_t id, const char *spec, unsigned groups)
{
	struct expert e = fx_expert(id, spec);
	e.name[0] = '\0';
	e.birth = 7000 + (int32_t)id;
	e.group_types = groups;
	return e;
}

/* Every bucket of the pool: ids ascending, each slim equal to its entry,
 * and the entry really in that bucket. Returns the ids counted. */
static size_t check_buckets(const struct pool *p, uint32_t n_specs)
{
	size_t total = 0;
	for (uint32_t sid = 1; sid <= n_specs; sid++)
		for (int g = 0; g < POOL_GROUP_TYPES; g++) {
			const struct pool_bucket *b = pool_bucket(p, sid, g);
			if (!b)
				continue;
			for (size_t i = 0; i < b->n; i++) {
				if (i > 0)
					assert_true(b->ids[i - 1] < b->ids[i]);
				const struct pool_entry *pe = pool_get(p, b->ids[i]);
				assert_non_null(pe);
				struct pool_slim want = pool_slim_of(pe, sid);
				const struct pool_slim *got = &b->slim[i];
				assert_int_equal(got->birth, want.birth);
				assert_int_equal(got->suspended_until, want.suspended_until);
				assert_int_equal(got->employer_org, want.employer_org);
				assert_int_equal(got->recommender_org, want.recommender_org);
				assert_int_equal(got->term, want.term);
				assert_int_equal(got->joined_term, want.joined_term);
				assert_int_equal(got->status, want.status);
				assert_int_equal(got->task_types, want.task_types);
				assert_int_equal(got->relaxations, want.relaxations);
				assert_int_equal(got->leader, want.leader);
				assert_true(pe->group_types & (1u << g));
				bool has = false;
				for (int k = 0; k < pe->n_specialties; k++)
					has = has || pe->specialties[k] == sid;
				assert_true(has);
			}
			total += b->n;
		}
	return total;
}

static void test_slim_of_copies_every_field(void **state)
{
	(void)state;
	struct pool_entry pe = {.id = 9, .birth = -3, .suspended_until = 77,
	                        .employer_org = 5, .recommender_org = 6,
	                        .task_types = 0x12, .relaxations = 0x10,
	                        .status = EXPERT_SUSPENDED, .leader = true,
	                        .term = 4, .joined_term = 2};
	struct pool_slim x = pool_slim_of(&pe, 0);
	assert_int_equal(x.birth, -3);
	assert_int_equal(x.suspended_until, 77);
	assert_int_equal(x.employer_org, 5);
	assert_int_equal(x.recommender_org, 6);
	assert_int_equal(x.task_types, 0x12);
	assert_int_equal(x.relaxations, 0x10);
	assert_int_equal(x.status, EXPERT_SUSPENDED);
	assert_true(x.leader);
	assert_int_equal(x.term, 4);
	assert_int_equal(x.joined_term, 2);
}

static void test_slim_follows_upserts(void **state)
{
	(void)state;
	struct pool *p = pool_new();
	assert_non_null(p);
	/* Descending ids: every insert goes to the front of the bucket. */
	for (int64_t id = 300; id >= 1; id--) {
		struct expert e = mk(id, id % 3 ? "焊工" : "电工", 1u + (unsigned)(id % 7));
		if (id % 5 == 0) {
			strcpy(e.specialties[1], "车工");
			e.n_specialties = 2;
		}
		assert_true(pool_upsert(p, &e));
	}
	size_t before = check_buckets(p, 3);
	assert_true(before > 300);

	/* Change what a draw reads, keeping the buckets. */
	for (int64_t id = 1; id <= 300; id += 7) {
		struct expert e = mk(id, id % 3 ? "焊工" : "电工", 1u + (unsigned)(id % 7));
		if (id % 5 == 0) {
			strcpy(e.specialties[1], "车工");
			e.n_specialties = 2;
		}
		e.status = EXPERT_SUSPENDED;
		e.suspended_until = 1234;
		e.birth = 1;
		e.term = 3;
		e.joined_term = 2;
		e.task_types = 0x4;
		e.relaxations = 0x2;
		e.leader_eligible = true;
		strcpy(e.employer_code, "91440101MA59AAAA1A");
		strcpy(e.recommender_code, "91440101MA59BBBB2B");
		assert_true(pool_upsert(p, &e));
		const struct pool_bucket *b = pool_bucket(p, pool_specialty_find(p,
		                                          e.specialties[0]),
		                                          __builtin_ctz(e.group_types));
		size_t i = 0;
		while (i < b->n && b->ids[i] != id)
			i++;
		assert_true(i < b->n);
		assert_int_equal(b->slim[i].status, EXPERT_SUSPENDED);
		assert_int_equal(b->slim[i].suspended_until, 1234);
		assert_int_not_equal(b->slim[i].employer_org, 0);
	}
	assert_int_equal(check_buckets(p, 3), before);

	/* Change the buckets: another specialty, other group types. */
	for (int64_t id = 2; id <= 300; id += 11) {
		struct expert e = mk(id, "车工", 0x4);
		e.status = EXPERT_REVOKED;
		assert_true(pool_upsert(p, &e));
	}
	check_buckets(p, 3);

	/* Removals, then the same ids back with other values. */
	for (int64_t id = 3; id <= 300; id += 13)
		pool_remove(p, id);
	check_buckets(p, 3);
	for (int64_t id = 3; id <= 300; id += 13) {
		struct expert e = mk(id, "焊工", 0x7);
		e.birth = 42;
		assert_true(pool_upsert(p, &e));
	}
	check_buckets(p, 3);

	/* A clear, then a reload. */
	pool_clear(p);
	assert_int_equal(check_buckets(p, 3), 0);
	for (int64_t id = 1; id <= 50; id++) {
		struct expert e = mk(id, "电工", 0x3);
		e.status = id % 2 ? EXPERT_ACTIVE : EXPERT_FLAGGED;
		assert_true(pool_upsert(p, &e));
	}
	assert_int_equal(check_buckets(p, 3), 100);
	pool_destroy(&p);
}

/* A specialty listed twice puts the expert in the bucket once, with the
 * latest values. */
static void test_slim_duplicate_specialty(void **state)
{
	(void)state;
	struct pool *p = pool_new();
	struct expert e = mk(7, "焊工", 0x1);
	strcpy(e.specialties[1], "焊工");
	e.n_specialties = 2;
	assert_true(pool_upsert(p, &e));
	e.birth = 99;
	assert_true(pool_upsert(p, &e));
	const struct pool_bucket *b = pool_bucket(p, pool_specialty_find(p, "焊工"), 0);
	assert_int_equal(b->n, 1);
	assert_int_equal(b->slim[0].birth, 99);
	check_buckets(p, 1);
	pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slim_of_copies_every_field),
		cmocka_unit_test(test_slim_follows_upserts),
		cmocka_unit_test(test_slim_duplicate_specialty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
