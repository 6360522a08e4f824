/*
 * test_candidates.c - the candidate list of a draw: only the specialty and
 * group type's bucket, sorted by id, every pool expert accounted for exactly
 * once (a candidate, or excluded under one rule, or outside the bucket, and
 * then outside the specialty or only the group type), already-drawn
 * experts counted under "excluded".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "candidates.h"
#include "fixture.h"
#include "ident.h"

#define DAY INT64_C(86400)
#define HOUR INT64_C(3600)
#define WELDER "焊工"
#define ELECTRICIAN "电工"
#define ORG_A "91440101MA59AAAA1A"
#define ORG_B "91440101MA59BBBB2B"

struct fx {
	struct pool *pool;
	struct engage *eng;
	int32_t term_start[2], term_end[2];
	struct recusal_terms terms;
	struct recusal_task t;
	struct recusal_config cfg;
	int64_t exclude[4];
	struct candidates c;
};

/* fx_expert's expert, named 王建国 and born 1978-02-14. */
static struct expert base(int64_t id, const char *specialty)
{
	struct expert e = fx_expert(id, specialty);
	strcpy(e.name, "王建国");
	e.birth = ident_days_from_civil(1978, 2, 14);
	return e;
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
	f->t.exclude = f->exclude;
	f->cfg.rotation_days = 365;
	f->cfg.exposure_cap = 2;
	f->cfg.exposure_days = 365;
	candidates_init(&f->c);
}

static void fx_fini(struct fx *f)
{
	candidates_free(&f->c);
	candidates_free(&f->c);   /* idempotent */
	pool_destroy(&f->pool);
	engage_destroy(&f->eng);
}

static uint64_t sum_excluded(const struct candidates *c)
{
	uint64_t s = 0;
	for (int r = 0; r < RULE__COUNT; r++)
		s += c->excluded[r];
	return s;
}

static void put_task(struct fx *f, int64_t id, int64_t start, uint32_t org)
{
	struct engage_task t = {.id = id, .start_at = start, .end_at = start + HOUR,
	                        .orgs = {org}, .n_orgs = org ? 1 : 0};
	assert_true(engage_put_task(f->eng, &t));
}

static void assign(struct fx *f, int64_t expert, int64_t id, int64_t task, int st)
{
	struct engage_assignment a = {.id = id, .task = task, .state = st};
	assert_true(engage_put_assignment(f->eng, expert, &a));
}

/* Twenty experts, one failing each rule, some outside the welder /
 * skill-evaluation bucket; inserted from the highest id down. */
static void fill_pool(struct fx *f)
{
	for (int64_t id = 20; id >= 1; id--) {
		struct expert e = base(id, id == 14 || id == 17 ? ELECTRICIAN : WELDER);
		switch (id) {
		case 1: e.leader_eligible = true; strcpy(e.employer_code, ORG_B); break;
		case 2: e.status = EXPERT_REVOKED; break;
		case 3: e.term = 0; e.joined_term = 0; break;
		case 4: e.task_types = 1u << 3; break;
		case 5: e.birth = ident_days_from_civil(1950, 1, 1); break;
		case 7: strcpy(e.employer_code, ORG_A); break;
		case 8: strcpy(e.recommender_code, ORG_A); break;
		case 15: e.group_types = 1u << 2; break;   /* methods only */
		case 18: e.leader_eligible = true; break;
		case 20:
			strcpy(e.specialties[1], ELECTRICIAN);
			e.n_specialties = 2;
			break;
		default: break;
		}
		assert_true(pool_upsert(f->pool, &e));
	}
	uint32_t a = pool_org_find(f->pool, ORG_A);
	assert_int_not_equal(a, 0);
	f->t.orgs[0] = a;
	f->t.n_orgs = 1;
	f->t.capability = 1u << 4;
	f->exclude[0] = 6;
	f->t.n_exclude = 1;

	struct engage_conflict c = {.org = a, .valid_from = f->t.start_day - 30};
	assert_true(engage_add_conflict(f->eng, 9, &c));
	const int64_t s = f->t.start_at;
	put_task(f, 100, s + HOUR, 0);               /* overlaps t */
	put_task(f, 101, s - 30 * DAY, a);           /* same org, a month ago */
	put_task(f, 102, s - 60 * DAY, 0);
	put_task(f, 103, s - 90 * DAY, 0);
	assign(f, 10, 1, 100, ASSIGN_ACCEPTED);
	assign(f, 11, 2, 101, ASSIGN_COMPLETED);
	assign(f, 12, 3, 102, ASSIGN_COMPLETED);
	assign(f, 12, 4, 103, ASSIGN_COMPLETED);
	assign(f, 13, 5, 102, ASSIGN_COMPLETED);    /* one: under the cap */
	assert_int_equal(pool_count(f->pool), 20);
}

static void test_collect_tallies_every_expert(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fill_pool(&f);
	uint32_t sid = pool_specialty_find(f.pool, WELDER);
	const int64_t also[] = {16, 17, 16, 500};   /* unsorted, a duplicate,
	                                               one outside, one unknown */
	assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, sid, 1, &f.t,
	                               &f.cfg, also, 4));

	static const int64_t want[] = {1, 13, 18, 19, 20};
	assert_int_equal(f.c.n, 5);
	for (size_t i = 0; i < f.c.n; i++) {
		assert_int_equal(f.c.list[i].id, want[i]);
		assert_int_equal(f.c.ids[i], want[i]);
		assert_int_equal(f.c.list[i].leader_ok, want[i] == 1 || want[i] == 18);
		assert_int_equal(f.c.list[i].employer,
		                 want[i] == 1 ? pool_org_find(f.pool, ORG_B) : 0);
	}
	/* 14, 15, 17 are outside the bucket (17 though named in also). */
	static const uint64_t excluded[RULE__COUNT] = {
		[RULE_OK] = 3, [RULE_STATUS] = 1, [RULE_TERM] = 1,
		[RULE_CAPABILITY] = 1, [RULE_AGE] = 1, [RULE_EXCLUDED] = 2,
		[RULE_EMPLOYER] = 1, [RULE_RECOMMENDER] = 1, [RULE_CONFLICT] = 1,
		[RULE_OVERLAP] = 1, [RULE_ROTATION] = 1, [RULE_EXPOSURE] = 1};
	for (int r = 0; r < RULE__COUNT; r++)
		if (f.c.excluded[r] != excluded[r])
			fail_msg("rule %s: got %llu, want %llu", recusal_rule_names[r],
			         (unsigned long long)f.c.excluded[r],
			         (unsigned long long)excluded[r]);
	assert_int_equal(sum_excluded(&f.c) + f.c.n, pool_count(f.pool));
	fx_fini(&f);
}

static void test_collect_other_bucket_and_reuse(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fill_pool(&f);
	uint32_t welder = pool_specialty_find(f.pool, WELDER);
	uint32_t electrician = pool_specialty_find(f.pool, ELECTRICIAN);

	assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, welder, 1,
	                               &f.t, &f.cfg, NULL, 0));
	assert_int_equal(f.c.n, 6);                  /* 16 is back */
	assert_int_equal(f.c.excluded[RULE_EXCLUDED], 1);

	/* The same struct, another bucket: nothing left over. */
	assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, electrician,
	                               1, &f.t, &f.cfg, NULL, 0));
	assert_int_equal(f.c.n, 3);
	assert_int_equal(f.c.ids[0], 14);
	assert_int_equal(f.c.ids[1], 17);
	assert_int_equal(f.c.ids[2], 20);
	assert_int_equal(f.c.excluded[RULE_OK], 17);
	assert_int_equal(sum_excluded(&f.c), 17);

	/* Welders in the methods group: 15 (methods only) joins the bucket. */
	assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, welder, 2,
	                               &f.t, &f.cfg, NULL, 0));
	assert_int_equal(sum_excluded(&f.c) + f.c.n, 20);
	assert_int_equal(f.c.excluded[RULE_OK], 2);  /* the two electricians */
	assert_int_equal(f.c.ids[0], 1);
	fx_fini(&f);
}

static void test_collect_no_bucket(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fill_pool(&f);
	const uint32_t sids[] = {0, pool_specialty_find(f.pool, "车工"), 999};
	for (size_t i = 0; i < sizeof sids / sizeof *sids; i++) {
		assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, sids[i],
		                               1, &f.t, &f.cfg, NULL, 0));
		assert_int_equal(f.c.n, 0);
		assert_int_equal(f.c.excluded[RULE_OK], 20);
		assert_int_equal(sum_excluded(&f.c), 20);
	}
	/* An empty pool. */
	struct pool *empty = pool_new();
	assert_true(candidates_collect(&f.c, empty, f.eng, &f.terms, 1, 0, &f.t,
	                               &f.cfg, NULL, 0));
	assert_int_equal(f.c.n, 0);
	assert_int_equal(sum_excluded(&f.c), 0);
	pool_destroy(&empty);
	fx_fini(&f);
}

/* Outside the bucket, by cause (DRAW.md 3.1): outside_group counts those
 * who hold the specialty in another group type only (or in none), so
 * outside_specialty = excluded[RULE_OK] - outside_group. */
/* Collect for sid and group; outside the bucket, and of those outside the
 * group type only. */
static void assert_outside(struct fx *f, uint32_t sid, int group, uint64_t outside,
                           uint64_t outside_group)
{
	assert_true(candidates_collect(&f->c, f->pool, f->eng, &f->terms, sid, group,
	                               &f->t, &f->cfg, NULL, 0));
	assert_int_equal(f->c.excluded[RULE_OK], outside);
	assert_int_equal(f->c.outside_group, outside_group);
}

static void test_collect_splits_outside_the_bucket(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fill_pool(&f);
	uint32_t welder = pool_specialty_find(f.pool, WELDER);
	uint32_t electrician = pool_specialty_find(f.pool, ELECTRICIAN);

	/* Welders, skill evaluation: 15 is a welder in methods only; 14 and
	 * 17 are electricians. */
	assert_outside(&f, welder, 1, 3, 1);
	/* Welders, methods: every welder is in the bucket. */
	assert_outside(&f, welder, 2, 2, 0);
	/* Electricians: 14, 17 and 20 hold it in every group type. */
	assert_outside(&f, electrician, 0, 17, 0);

	/* 15 leaves the methods group for no group at all: still a holder
	 * outside the group. 16 moves to training review only. */
	struct expert e = base(15, WELDER);
	e.group_types = 0;
	assert_true(pool_upsert(f.pool, &e));
	e = base(16, WELDER);
	e.group_types = 1u << 0;
	assert_true(pool_upsert(f.pool, &e));
	assert_outside(&f, welder, 1, 4, 2);
	assert_outside(&f, welder, 2, 4, 2);
	assert_int_equal(sum_excluded(&f.c) + f.c.n, 20);

	/* No bucket at all: nobody holds an unknown specialty. */
	assert_outside(&f, 0, 1, 20, 0);
	/* A removed welder is neither. */
	pool_remove(f.pool, 15);
	assert_outside(&f, welder, 1, 3, 1);
	fx_fini(&f);
}

/* xorshift64*: a fixed pseudo-random pool, the same on every run. */
static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * UINT64_C(2685821657736338717);
}

static bool has_specialty(const struct pool_entry *pe, uint32_t sid)
{
	for (int i = 0; i < pe->n_specialties; i++)
		if (pe->specialties[i] == sid)
			return true;
	return false;
}

/* 3000 experts with random attributes and engagements: for every bucket
 * the list equals a brute-force scan of the whole pool. */
static void test_collect_matches_full_scan(void **state)
{
	(void)state;
	static const char *const specs[] = {WELDER, ELECTRICIAN, "车工"};
	static const char *const orgs[] = {ORG_A, ORG_B, "91440101MA59CCCC3C",
	                                   "91440101MA59DDDD4D"};
	enum { N = 3000 };
	uint64_t seed = 0x9e3779b97f4a7c15u;
	struct fx f;
	fx_init(&f);
	for (int64_t id = 1; id <= N; id++) {
		struct expert e = base(id, specs[rnd(&seed) % 3]);
		if (rnd(&seed) % 3 == 0) {
			strcpy(e.specialties[1], specs[rnd(&seed) % 3]);
			if (strcmp(e.specialties[1], e.specialties[0]) != 0)
				e.n_specialties = 2;
		}
		e.group_types = (unsigned)(rnd(&seed) % 7) + 1;
		e.task_types = (unsigned)(rnd(&seed) % 32);
		e.status = rnd(&seed) % 8 == 0 ? EXPERT_SUSPENDED : EXPERT_ACTIVE;
		e.birth = ident_days_from_civil(1955 + (int)(rnd(&seed) % 30), 6, 10);
		e.leader_eligible = rnd(&seed) % 2;
		if (rnd(&seed) % 2)
			strcpy(e.employer_code, orgs[rnd(&seed) % 4]);
		assert_true(pool_upsert(f.pool, &e));
	}
	f.t.orgs[0] = pool_org_find(f.pool, ORG_A);
	f.t.n_orgs = 1;
	f.t.capability = 1u << 0;
	for (int64_t k = 1; k <= 200; k++)
		put_task(&f, k, f.t.start_at - (int64_t)(rnd(&seed) % 400) * DAY,
		         rnd(&seed) % 2 ? f.t.orgs[0] : 0);
	for (int64_t a = 1; a <= 2000; a++)
		assign(&f, (int64_t)(rnd(&seed) % N) + 1, a,
		       (int64_t)(rnd(&seed) % 200) + 1, (int)(rnd(&seed) % 9));
	int64_t also[40];
	for (size_t i = 0; i < 40; i++)
		also[i] = (int64_t)(rnd(&seed) % N) + 1;

	for (uint32_t sid = 1; sid <= 3; sid++) {
		for (int g = 0; g < POOL_GROUP_TYPES; g++) {
			assert_true(candidates_collect(&f.c, f.pool, f.eng, &f.terms, sid,
			                               g, &f.t, &f.cfg, also, 40));
			uint64_t excluded[RULE__COUNT] = {0}, outside_group = 0;
			size_t n = 0;
			for (int64_t id = 1; id <= N; id++) {
				const struct pool_entry *pe = pool_get(f.pool, id);
				if (!has_specialty(pe, sid) || !(pe->group_types & (1u << g))) {
					excluded[RULE_OK]++;
					outside_group += has_specialty(pe, sid);
					continue;
				}
				bool named = false;
				for (size_t i = 0; i < 40; i++)
					named = named || also[i] == id;
				enum recusal_rule r = named ? RULE_EXCLUDED :
					recusal_check(pe, f.eng, &f.terms, &f.t, &f.cfg);
				if (r != RULE_OK) {
					excluded[r]++;
					continue;
				}
				assert_true(n < f.c.n);
				assert_int_equal(f.c.list[n].id, id);
				assert_int_equal(f.c.ids[n], id);
				assert_int_equal(f.c.list[n].leader_ok, pe->leader);
				assert_int_equal(f.c.list[n].employer, pe->employer_org);
				n++;
			}
			assert_int_equal(n, f.c.n);
			assert_memory_equal(excluded, f.c.excluded, sizeof excluded);
			assert_int_equal(f.c.outside_group, outside_group);
			assert_int_equal(sum_excluded(&f.c) + f.c.n, N);
			assert_true(f.c.n > 0);
			assert_true(f.c.excluded[RULE_EXCLUDED] > 0);
		}
	}
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collect_tallies_every_expert),
		cmocka_unit_test(test_collect_other_bucket_and_reuse),
		cmocka_unit_test(test_collect_no_bucket),
		cmocka_unit_test(test_collect_splits_outside_the_bucket),
		cmocka_unit_test(test_collect_matches_full_scan),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
