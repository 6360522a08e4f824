/*
 * test_designate.c - a designated leader (DRAW.md 3.6) in the core: who
 * may be named (a leader-eligible candidate of the task's own list), the
 * cause named for each who may not, and selection with the designee in
 * seat 0 and its employer kept off the panel. The pinned vector is A.11
 * in test_vectors.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "candidates.h"
#include "designate.h"
#include "fixture.h"
#include "ident.h"

#define DAY INT64_C(86400)
#define SPEC "电工"
#define OTHER "焊工"
#define TASK_ORG "91440101MA59AAAA1A"
#define SHARED_ORG "91440101MA59BBBB2B"

/* One task of 2025-06-10 concerning TASK_ORG, and a pool where each
 * expert stands in one place for it. */
struct world {
	struct pool *pool;
	struct engage *eng;
	int32_t term_start[2], term_end[2];
	struct recusal_terms terms;
	struct recusal_task t;
	struct recusal_config cfg;
	int64_t exclude[1];
	struct candidates c;
	uint32_t sid;
};

enum {
	W_LEADER = 1,        /* may lead */
	W_MEMBER = 2,        /* a candidate, not leader-eligible */
	W_EMPLOYEE = 3,      /* leader-eligible, works for TASK_ORG */
	W_WELDER = 4,        /* holds another specialty only */
	W_METHODS = 5,       /* the specialty, in the methods group only */
	W_EXCLUDED = 6,      /* named in exclude */
	W_DRAWN = 7,         /* already drawn for the task */
	W_SAME_EMPLOYER = 8, /* shares W_LEADER's employer */
	W_LIMITED = 13,      /* holds the specialty, eligible in another only */
	W_POOL = 13,
	W_UNKNOWN = 99,
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof *w);
	w->pool = pool_new();
	w->eng = engage_new();
	assert_non_null(w->pool);
	assert_non_null(w->eng);
	w->term_start[1] = ident_days_from_civil(2024, 1, 1);
	w->term_end[1] = ident_days_from_civil(2026, 12, 31);
	w->terms = (struct recusal_terms){w->term_start, w->term_end, 1};
	int32_t d = ident_days_from_civil(2025, 6, 10);
	w->t = (struct recusal_task){.start_day = d, .end_day = d,
	                             .start_at = d * DAY, .end_at = d * DAY + 3600,
	                             .exclude = w->exclude, .n_exclude = 1};
	w->exclude[0] = W_EXCLUDED;
	w->cfg = (struct recusal_config){.rotation_days = 365, .exposure_days = 365,
	                                 .diversity = true};
	for (int64_t id = 1; id <= W_POOL; id++) {
		struct expert e = fx_expert(id, id == W_WELDER ? OTHER : SPEC);
		e.leader_eligible = id != W_MEMBER;
		if (id == W_EMPLOYEE)
			strcpy(e.employer_code, TASK_ORG);
		if (id == W_LEADER || id == W_SAME_EMPLOYER)
			strcpy(e.employer_code, SHARED_ORG);
		if (id == W_METHODS)
			e.group_types = GROUP_METHODS;
		if (id == W_LIMITED) {   /* 紧缺工种 naming OTHER (POLICY.md 4.2) */
			strcpy(e.specialties[e.n_specialties++], OTHER);
			e.eligible_specialties = 2u;
		}
		assert_true(pool_upsert(w->pool, &e));
	}
	w->t.orgs[w->t.n_orgs++] = pool_org_find(w->pool, TASK_ORG);
	w->sid = pool_specialty_find(w->pool, SPEC);
	const int64_t drawn[] = {W_DRAWN};
	candidates_init(&w->c);
	assert_true(candidates_collect(&w->c, w->pool, w->eng, &w->terms, w->sid, 1,
	                               &w->t, &w->cfg, drawn, 1));
}

static void world_fini(struct world *w)
{
	candidates_free(&w->c);
	pool_destroy(&w->pool);
	engage_destroy(&w->eng);
}

static struct designate_check check(const struct world *w, int64_t id, char *why,
                                    size_t size)
{
	struct designate_check d = designate_check(&w->c, w->pool, w->eng, &w->terms,
	                                           &w->t, &w->cfg, w->sid, 1, id);
	designate_explain(&d, id, why, size);
	return d;
}

static void test_every_verdict_names_its_cause(void **state)
{
	(void)state;
	static const struct {
		int64_t id;
		enum designate_verdict verdict;
		enum recusal_rule rule;
		const char *why;
	} v[] = {
		{W_LEADER, DESIGNATE_OK, RULE_OK, ""},
		{W_MEMBER, DESIGNATE_NOT_LEADER, RULE_OK, "expert 2 is not leader-eligible"},
		{W_EMPLOYEE, DESIGNATE_RULE, RULE_EMPLOYER,
		 "expert 3 is excluded by rule employer: works for an organisation of "
		 "the task"},
		{W_WELDER, DESIGNATE_OUTSIDE_SPECIALTY, RULE_OK,
		 "expert 4 is excluded as outside_specialty"},
		{W_METHODS, DESIGNATE_OUTSIDE_GROUP, RULE_OK,
		 "expert 5 is excluded as outside_group"},
		{W_EXCLUDED, DESIGNATE_RULE, RULE_EXCLUDED, "expert 6 is excluded by rule "
		 "excluded: named in the request's exclude"},
		{W_DRAWN, DESIGNATE_NOT_CANDIDATE, RULE_OK, "already drawn"},
		{W_UNKNOWN, DESIGNATE_UNKNOWN, RULE_OK, "no expert 99"},
		{W_LIMITED, DESIGNATE_RULE, RULE_RELAXATION, "expert 13 is excluded by rule "
		 "relaxation: eligible only through"},
	};
	struct world w;
	world_init(&w);
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char why[256];
		struct designate_check d = check(&w, v[i].id, why, sizeof why);
		if (d.verdict != v[i].verdict || d.rule != v[i].rule)
			fail_msg("expert %lld: verdict %d rule %d, want %d %d (%s)",
			         (long long)v[i].id, d.verdict, d.rule, v[i].verdict,
			         v[i].rule, why);
		if (v[i].why[0])
			fx_assert_contains(why, v[i].why);
		else
			assert_string_equal(why, "");
	}
	/* The verdict OK points into the list. */
	struct designate_check d = check(&w, W_LEADER, (char[8]){0}, 8);
	assert_int_equal(w.c.list[d.index].id, W_LEADER);
	world_fini(&w);
}

/* Each rule of DRAW.md 3.1 has words of its own in the message. */
static void test_every_rule_is_explained(void **state)
{
	(void)state;
	for (int r = RULE_OK + 1; r < RULE__COUNT; r++) {
		struct designate_check d = {.verdict = DESIGNATE_RULE, .rule = r};
		char why[256], want[64];
		designate_explain(&d, 12, why, sizeof why);
		snprintf(want, sizeof want, "expert 12 is excluded by rule %s: ",
		         recusal_rule_names[r]);
		fx_assert_contains(why, want);
		assert_true(strlen(why) > strlen(want) + 10);
	}
}

/* The designee sits first; with diversity its employer is off the panel
 * and its colleagues counted as dropped; without it they may sit. */
static void test_select_seats_the_designee_first(void **state)
{
	(void)state;
	struct world w;
	world_init(&w);
	uint8_t seed[DRAW_SEED_LEN] = {7};
	struct designate_check d = check(&w, W_LEADER, (char[8]){0}, 8);
	assert_int_equal(d.verdict, DESIGNATE_OK);
	/* Candidates: 1, 2, 8, 9, 10, 11, 12 (3 to 7 are off the list). */
	assert_int_equal(w.c.n, 7);
	struct draw_spec spec = {.leader = true, .members = 4, .backups = 1,
	                         .diversity = true};
	int64_t out[TASK_MAX_SEATS];
	size_t n = 0, dropped = 0;
	assert_int_equal(designate_select(w.c.list, w.c.n, d.index, &spec, seed, out, &n,
	                                  &dropped), DRAW_OK);
	assert_int_equal(n, 6);
	assert_int_equal(out[0], W_LEADER);
	assert_int_equal(dropped, 1);
	for (size_t i = 1; i < n; i++)
		assert_true(out[i] != W_LEADER && out[i] != W_SAME_EMPLOYER);

	/* Without diversity all six others are drawn, the colleague too. */
	spec.diversity = false;
	spec.members = 5;
	assert_int_equal(designate_select(w.c.list, w.c.n, d.index, &spec, seed, out, &n,
	                                  &dropped), DRAW_OK);
	assert_int_equal(n, 7);
	assert_int_equal(dropped, 0);
	bool colleague = false;
	for (size_t i = 1; i < n; i++)
		colleague |= out[i] == W_SAME_EMPLOYER;
	assert_true(colleague);

	/* With it, six others are too many: the panel is as far as it got. */
	spec.diversity = true;
	assert_int_equal(designate_select(w.c.list, w.c.n, d.index, &spec, seed, out, &n,
	                                  &dropped), DRAW_TOO_FEW);
	assert_int_equal(n, 6);
	assert_int_equal(out[0], W_LEADER);
	world_fini(&w);
}

/* The stream is the one of a panel without a leader on the list left
 * (DRAW.md 3.6): no word is spent on the leader seat. */
static void test_select_is_a_leaderless_draw_of_the_rest(void **state)
{
	(void)state;
	struct draw_candidate c[20], rest[20];
	for (size_t k = 0; k < 20; k++)
		c[k] = (struct draw_candidate){.id = 10 + (int64_t)k,
		                               .employer = (uint32_t)(k % 5),
		                               .leader_ok = k % 3 == 0};
	uint8_t seed[DRAW_SEED_LEN];
	for (size_t i = 0; i < sizeof seed; i++)
		seed[i] = (uint8_t)(i * 13 + 1);
	for (size_t lead = 0; lead < 20; lead += 3) {
		size_t m = 0, leftout = 0;
		for (size_t k = 0; k < 20; k++) {
			if (k == lead)
				continue;
			if (c[lead].employer && c[k].employer == c[lead].employer)
				leftout++;
			else
				rest[m++] = c[k];
		}
		struct draw_spec spec = {.leader = true, .members = 5, .backups = 2,
		                         .diversity = true};
		struct draw_spec plain = spec;
		plain.leader = false;
		int64_t a[TASK_MAX_SEATS], b[TASK_MAX_SEATS];
		size_t na = 0, nb = 0, da = 0, db = 0;
		enum draw_result ra = designate_select(c, 20, lead, &spec, seed, a, &na, &da);
		enum draw_result rb = draw_select_counted(rest, m, &plain, seed, b, &nb, &db);
		assert_int_equal(ra, rb);
		assert_int_equal(na, nb + 1);
		assert_int_equal(a[0], c[lead].id);
		assert_memory_equal(a + 1, b, nb * sizeof b[0]);
		assert_int_equal(da, leftout + db);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_verdict_names_its_cause),
		cmocka_unit_test(test_every_rule_is_explained),
		cmocka_unit_test(test_select_seats_the_designee_first),
		cmocka_unit_test(test_select_is_a_leaderless_draw_of_the_rest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
