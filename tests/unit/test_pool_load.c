/*
 * test_pool_load.c - the pool as the daemon loads it at start (the narrow
 * columns of store_pool_each(), dispatch_reload_pool()) is the pool that
 * pool_upsert() builds from each whole record (store_expert_get()): the
 * same entries, buckets, slim copies and holder counts, byte for byte,
 * over records that use every field the pool keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"
#include "unit_db.h"

#include "expert.h"
#include "pool.h"
#include "store.h"

#define N_EXPERTS 40

struct fx {
	struct unit_db db;
	struct store *store;
	struct sign_key sign;
};

/* The longest specialty name a record holds: 128 bytes. */
#define LONG_SPECIALTY \
	"焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工焊工XY"

static const char *const specialty_names[] = {"电工", "焊工", "育婴员", "中式烹调师"};

/* Expert id, varied in every field pool_put() reads. */
static struct expert varied_expert(int64_t id)
{
	int k = (int)id;
	struct expert e = fx_expert(id, specialty_names[k % 4]);
	snprintf(e.resident_id, sizeof e.resident_id, "4401061990%08d", k);
	snprintf(e.phone, sizeof e.phone, "138%08d", k);
	e.birth = 4000 + k * 97;
	e.n_specialties = 1 + k % 3;
	for (int i = 1; i < e.n_specialties; i++)
		snprintf(e.specialties[i], sizeof e.specialties[i], "%s",
		         k % 7 == 0 ? specialty_names[k % 4] /* held twice */
		                    : specialty_names[(k + i) % 4]);
	if (k == 5)
		snprintf(e.specialties[0], sizeof e.specialties[0], "%s", LONG_SPECIALTY);
	if (k % 2)
		snprintf(e.employer_code, sizeof e.employer_code, "9144010%011d", k % 5);
	if (k % 3)
		snprintf(e.recommender_code, sizeof e.recommender_code, "1244010%011d", k % 4);
	e.group_types = (unsigned)(k % 8);
	e.task_types = (unsigned)(k * 5 % 32);
	e.relaxations = (unsigned)(k * 11 % 64);   /* bit 5 is no ground: dropped */
	e.age_exception = k % 4 == 1;
	e.leader_eligible = k % 3 == 0;
	e.eligible_specialties = e.n_specialties > 1 ? (unsigned)(k % 2 + 1) : 0;
	e.status = (enum expert_status)(k % 4);
	e.appointment = (enum expert_appointment)(k / 4 % 4);
	e.suspended_until = e.status == EXPERT_SUSPENDED ? 20000 + k : 0;
	e.joined_term = 1 + k % 2;
	e.term = 2;
	return e;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_true(unit_db_make(&f->db, "poolload"));
	char err[256];
	assert_int_equal(store_open(f->db.path, &f->store, err, sizeof err), 0);
	static const uint8_t seed[SIGN_SEED_LEN] = {4, 5, 6};
	sign_key_from_seed(&f->sign, seed);
	assert_int_equal(store_pii_start(f->store, &f->sign, NULL, false, 1, err,
	                                 sizeof err), 0);
	struct store_term t1 = {.number = 1, .start = 19000, .end = 20000};
	struct store_term t2 = {.number = 2, .start = 20001, .end = 21000};
	assert_int_equal(store_batch_begin(f->store), STORE_OK);
	assert_int_equal(store_term_insert(f->store, &t1, "test"), STORE_OK);
	assert_int_equal(store_term_insert(f->store, &t2, "test"), STORE_OK);
	for (int64_t id = 1; id <= N_EXPERTS; id++) {
		struct expert e = varied_expert(id);
		assert_int_equal(store_expert_insert(f->store, &e), STORE_OK);
	}
	assert_int_equal(store_batch_commit(f->store), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(&f->store);
	unit_db_remove(&f->db);
	free(f);
	return 0;
}

/* Every bucket of a and b alike: ids and slim copies. */
static void assert_same_buckets(const struct pool *a, const struct pool *b, uint32_t sid)
{
	for (int g = 0; g < POOL_GROUP_TYPES; g++) {
		const struct pool_bucket *x = pool_bucket(a, sid, g);
		const struct pool_bucket *y = pool_bucket(b, sid, g);
		assert_int_equal(x ? x->n : 0, y ? y->n : 0);
		for (size_t i = 0; x && i < x->n; i++) {
			assert_int_equal(x->ids[i], y->ids[i]);
			assert_memory_equal(&x->slim[i], &y->slim[i], sizeof x->slim[i]);
		}
	}
	assert_int_equal(pool_specialty_holders(a, sid), pool_specialty_holders(b, sid));
}

static void test_load_is_the_pool_of_whole_records(void **state)
{
	struct fx *f = *state;
	struct pool *loaded = pool_new(), *whole = pool_new();
	struct expert *e = malloc(sizeof *e);
	assert_true(loaded && whole && e);
	assert_true(dispatch_reload_pool(f->store, loaded));
	for (int64_t id = 1; id <= N_EXPERTS; id++) {
		assert_int_equal(store_expert_get(f->store, id, e), STORE_OK);
		assert_true(pool_upsert(whole, e));
	}
	assert_int_equal(pool_count(loaded), N_EXPERTS);
	assert_int_equal(pool_max_id(loaded), N_EXPERTS);
	for (int64_t id = 1; id <= N_EXPERTS; id++)
		assert_memory_equal(pool_get(loaded, id), pool_get(whole, id),
		                    sizeof(struct pool_entry));
	for (uint32_t sid = 1; pool_specialty_name(whole, sid); sid++) {
		assert_string_equal(pool_specialty_name(loaded, sid),
		                    pool_specialty_name(whole, sid));
		assert_same_buckets(loaded, whole, sid);
	}
	assert_null(pool_specialty_name(loaded, 6));   /* 4 names and the long one */
	free(e);
	pool_destroy(&loaded);
	pool_destroy(&whole);
}

/* The loaded entries hold what the records say (not only what another
 * reading of them says). */
static void test_loaded_entries_hold_the_records(void **state)
{
	struct fx *f = *state;
	struct pool *p = pool_new();
	assert_non_null(p);
	assert_true(dispatch_reload_pool(f->store, p));
	for (int64_t id = 1; id <= N_EXPERTS; id++) {
		struct expert e = varied_expert(id);
		const struct pool_entry *pe = pool_get(p, id);
		assert_non_null(pe);
		assert_int_equal(pe->birth, e.birth);
		assert_int_equal(pe->suspended_until, e.suspended_until);
		assert_int_equal(pe->employer_org,
		                 e.employer_code[0] ? pool_org_find(p, e.employer_code) : 0);
		assert_int_equal(pe->recommender_org,
		                 e.recommender_code[0] ? pool_org_find(p, e.recommender_code)
		                                       : 0);
		assert_int_equal(pe->n_specialties, e.n_specialties);
		for (int i = 0; i < e.n_specialties; i++)
			assert_string_equal(pool_specialty_name(p, pe->specialties[i]),
			                    e.specialties[i]);
		assert_int_equal(pe->group_types, e.group_types);
		assert_int_equal(pe->task_types, e.task_types);
		assert_int_equal(pe->relaxations, (e.relaxations & RELAX_GROUNDS) |
		                                  (e.age_exception ? POOL_AGE_EXCEPTION : 0));
		assert_int_equal(pe->leader, e.leader_eligible);
		assert_int_equal(pe->eligible_mask, e.eligible_specialties);
		assert_int_equal(pe->status, e.status);
		assert_int_equal(pe->appointment, e.appointment);
		assert_int_equal(pe->term, e.term);
		assert_int_equal(pe->joined_term, e.joined_term);
	}
	assert_int_equal(strlen(pool_specialty_name(p, pool_get(p, 5)->specialties[0])),
	                 EXPERT_TEXT_MAX);
	pool_destroy(&p);
}

/* A reload replaces what the pool held: an entry changed in memory only
 * comes back as the store has it. */
static void test_reload_forgets_what_the_store_does_not_hold(void **state)
{
	struct fx *f = *state;
	struct pool *p = pool_new();
	assert_non_null(p);
	struct expert e = varied_expert(N_EXPERTS + 5);
	assert_true(pool_upsert(p, &e));
	assert_true(dispatch_reload_pool(f->store, p));
	assert_null(pool_get(p, N_EXPERTS + 5));
	assert_int_equal(pool_count(p), N_EXPERTS);
	assert_int_equal(pool_max_id(p), N_EXPERTS);
	pool_destroy(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_load_is_the_pool_of_whole_records,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_loaded_entries_hold_the_records,
		                                setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_forgets_what_the_store_does_not_hold,
		                                setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
