/*
 * test_quota.c - mixed panels (DRAW.md 3.7): the quotas hash and seed and
 * the panels of vector A.13 (computed independently in Python), one quota
 * selecting exactly as draw_select, the invariants of any mixed panel
 * (distinct experts, each from its quota's list, seats in quota order,
 * one employer per panel), and chi-square uniformity of who is seated
 * within each quota and who leads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "chi.h"
#include "fixture.h"
#include "quota.h"

/* Test-only seed: BLAKE2b-256(tag || counter as 8 bytes big-endian). */
static void seed_for(uint8_t seed[DRAW_SEED_LEN], uint8_t tag, uint64_t ctr)
{
	uint8_t in[9] = { tag };
	for (int b = 0; b < 8; b++)
		in[1 + b] = (uint8_t)(ctr >> (56 - 8 * b));
	crypto_generichash(seed, DRAW_SEED_LEN, in, sizeof in, NULL, 0);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* The experts of A.13: employer code number id mod 7 (0 = none),
 * leader-eligible when id mod 4 = 0. */
static struct draw_candidate a13_expert(int64_t id)
{
	return (struct draw_candidate){ .id = id, .employer = (uint32_t)(id % 7),
	                                .leader_ok = id % 4 == 0 };
}

/* Quota 0: ids 100 + 3k, k < 12; quota 1: ids 118 + 2k, k < 10 (118,
 * 124 and 130 are in both). Seed from `secret` 00..1f, nonce "golden"
 * and the quotas hash. */
static void a13_lists(struct draw_candidate q0[12], struct draw_candidate q1[10],
                      uint8_t seed[DRAW_SEED_LEN])
{
	int64_t ids0[12], ids1[10];
	uint8_t secret[32], h[2][DRAW_HASH_LEN], mixed[DRAW_HASH_LEN], pin[DRAW_HASH_LEN];
	for (int k = 0; k < 12; k++)
		ids0[k] = (q0[k] = a13_expert(100 + 3 * k)).id;
	for (int k = 0; k < 10; k++)
		ids1[k] = (q1[k] = a13_expert(118 + 2 * k)).id;
	for (int i = 0; i < 32; i++)
		secret[i] = (uint8_t)i;
	draw_candidates_hash(h[0], ids0, 12);
	draw_candidates_hash(h[1], ids1, 10);
	fx_hex("7c2c2932abf96d381179a70cd61f65156b3a0604b0ce16977529a7ede7e8e1c7", pin, 32);
	assert_memory_equal(h[0], pin, 32);
	fx_hex("eeea144914f067e9b702f5fb857f5624dc592963d2bf5c2a48bf33346da7bd89", pin, 32);
	assert_memory_equal(h[1], pin, 32);
	quota_hash(mixed, (const uint8_t (*)[DRAW_HASH_LEN])h, 2);
	fx_hex("c185f3478e5d20d2fa59cc80afc1da73f68bf70a8740100a80cf1d124143041e", pin, 32);
	assert_memory_equal(mixed, pin, 32);
	draw_seed(seed, secret, (const uint8_t *)"golden", 6, mixed);
}

static void test_a13_vector(void **state)
{
	(void)state;
	static const struct {
		bool leader;
		size_t m0, b0, m1, b1;
		bool diversity;
		enum draw_result res;
		size_t n;
		int64_t panel[9];
		int quota[9];
		size_t div[2], seated[2];
		int short_quota;
	} v[] = {
		{ true, 2, 1, 2, 1, true, DRAW_OK, 7,
		  { 100, 115, 103, 134, 132, 130, 126 }, { 0, 0, 0, 1, 1, 0, 1 },
		  { 1, 5 }, { 0, 1 }, -1 },
		{ true, 2, 1, 2, 1, false, DRAW_OK, 7,
		  { 100, 115, 103, 136, 118, 121, 132 }, { 0, 0, 0, 1, 1, 0, 1 },
		  { 0, 0 }, { 0, 0 }, -1 },
		{ false, 3, 1, 3, 1, true, DRAW_OK, 8,
		  { 118, 115, 103, 134, 128, 130, 112, 126 }, { 0, 0, 0, 1, 1, 1, 0, 1 },
		  { 0, 5 }, { 0, 1 }, -1 },
		{ true, 4, 0, 4, 0, true, DRAW_TOO_FEW, 8,
		  { 100, 115, 103, 133, 127, 130, 126, 132 }, { 0, 0, 0, 0, 0, 1, 1, 1 },
		  { 0, 7 }, { 0, 0 }, 1 },
	};
	struct draw_candidate q0[12], q1[10];
	uint8_t seed[DRAW_SEED_LEN], pin[DRAW_SEED_LEN];
	a13_lists(q0, q1, seed);
	fx_hex("67026b9ff667831d7525824e423e4974a5821e66abbc11ab5dfb9f5f11fb8078", pin, 32);
	assert_memory_equal(seed, pin, DRAW_SEED_LEN);
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
		struct quota_list l[2] = {
			{ q0, 12, v[t].m0, v[t].b0 }, { q1, 10, v[t].m1, v[t].b1 } };
		struct quota_panel p;
		assert_int_equal(quota_select(l, 2, v[t].leader, v[t].diversity, seed, &p),
		                 v[t].res);
		assert_int_equal(p.n, v[t].n);
		for (size_t s = 0; s < p.n; s++) {
			assert_int_equal(p.ids[s], v[t].panel[s]);
			assert_int_equal(p.quota[s], v[t].quota[s]);
		}
		for (int q = 0; q < 2; q++) {
			assert_int_equal(p.diversity[q], v[t].div[q]);
			assert_int_equal(p.seated[q], v[t].seated[q]);
		}
		assert_int_equal(p.short_quota, v[t].short_quota);
	}
}


/* n candidates with ascending ids after `first` (random gaps), employers
 * drawn from 0 (none) to `employers`, and every third or so a leader. */
static void random_list(struct draw_candidate *c, size_t n, int64_t first,
                        uint32_t employers, uint64_t *rs)
{
	int64_t id = first;
	for (size_t k = 0; k < n; k++) {
		id += 1 + (int64_t)(splitmix(rs) % 3);
		c[k] = (struct draw_candidate){
			.id = id, .employer = (uint32_t)(splitmix(rs) % (employers + 1)),
			.leader_ok = splitmix(rs) % 3 == 0 };
	}
}

/* With one quota the selection is DRAW.md 3.4's, word for word. */
static void test_one_quota_is_draw_select(void **state)
{
	(void)state;
	uint64_t rs = 11;
	for (uint64_t t = 0; t < 3000; t++) {
		struct draw_candidate c[40];
		size_t n = (size_t)(splitmix(&rs) % 41);
		random_list(c, n, 1, 12, &rs);
		struct draw_spec spec = {
			.leader = t % 2, .members = 1 + (size_t)(splitmix(&rs) % 12),
			.backups = (size_t)(splitmix(&rs) % 5), .diversity = t % 3 != 0 };
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'o', t);
		int64_t out[TASK_MAX_SEATS];
		size_t out_n = 0, dropped = 0;
		enum draw_result want = draw_select_counted(c, n, &spec, seed, out, &out_n,
		                                            &dropped);
		struct quota_list l = { c, n, spec.members, spec.backups };
		struct quota_panel p;
		assert_int_equal(quota_select(&l, 1, spec.leader, spec.diversity, seed, &p),
		                 want);
		assert_int_equal(p.n, out_n);
		assert_memory_equal(p.ids, out, out_n * sizeof *out);
		assert_int_equal(p.diversity[0], dropped);
		assert_int_equal(p.seated[0], 0);
		assert_int_equal(p.short_quota, want == DRAW_TOO_FEW ? 0 : -1);
	}
}

static bool in_list(const struct quota_list *l, int64_t id, bool *leader_ok)
{
	for (size_t k = 0; k < l->n; k++)
		if (l->cands[k].id == id) {
			*leader_ok = l->cands[k].leader_ok;
			return true;
		}
	return false;
}

/* What every mixed panel keeps, whatever the outcome. */
static void check_panel(const struct task *t, const struct quota_list *l,
                        bool diversity, const struct quota_panel *p)
{
	for (size_t s = 0; s < p->n; s++) {
		bool leader_ok = false;
		assert_int_equal(p->quota[s], quota_of_seat(t, s));
		assert_true(in_list(&l[p->quota[s]], p->ids[s], &leader_ok));
		if (t->leader && s == 0)
			assert_true(leader_ok);
		for (size_t r = 0; r < s; r++) {
			assert_true(p->ids[r] != p->ids[s]);
			if (diversity && p->employer[s])
				assert_true(p->employer[r] != p->employer[s]);
		}
	}
}

/* Random overlapping quotas: distinct experts, each from its quota's
 * list, seats in quota order, the leader from quota 0, one employer. An
 * expert in two lists is seated once: some draws drop one as seated. */
static void test_invariants(void **state)
{
	(void)state;
	uint64_t rs = 7, seated = 0, ok = 0;
	for (uint64_t t = 0; t < 4000; t++) {
		struct task tk = { .leader = t % 2 };
		struct draw_candidate c[TASK_MAX_QUOTAS][30];
		struct quota_list l[TASK_MAX_QUOTAS];
		tk.n_quotas = 2 + (int)(t % 3);
		for (int q = 0; q < tk.n_quotas; q++) {
			size_t n = (size_t)(splitmix(&rs) % 31);
			/* ids overlap: every list starts near 1 */
			random_list(c[q], n, (int64_t)(splitmix(&rs) % 4), 20, &rs);
			tk.quotas[q].members = 1 + (int)(splitmix(&rs) % 5);
			tk.quotas[q].backups = (int)(splitmix(&rs) % 3);
			l[q] = (struct quota_list){ c[q], n, (size_t)tk.quotas[q].members,
			                            (size_t)tk.quotas[q].backups };
		}
		bool diversity = t % 4 != 0;
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'i', t);
		struct quota_panel p;
		enum draw_result r = quota_select(l, (size_t)tk.n_quotas, tk.leader,
		                                  diversity, seed, &p);
		quota_task_totals(&tk);
		check_panel(&tk, l, diversity, &p);
		if (r == DRAW_OK)
			assert_int_equal(p.n, (size_t)task_seats(&tk));
		else if (r == DRAW_TOO_FEW)
			assert_int_equal(p.short_quota, quota_of_seat(&tk, p.n));
		else
			assert_true(r == DRAW_NO_LEADER && p.n == 0 && tk.leader);
		ok += r == DRAW_OK;
		for (int q = 0; q < tk.n_quotas; q++)
			seated += p.seated[q];
	}
	assert_true(ok > 1000);
	assert_true(seated > 100);
}

/* The leader comes from quota 0 only: none there fails, before any
 * member is drawn, though quota 1 has leaders. */
static void test_leader_from_quota_0(void **state)
{
	(void)state;
	struct draw_candidate q0[5], q1[5];
	for (int k = 0; k < 5; k++) {
		q0[k] = (struct draw_candidate){ .id = 10 + k, .employer = 0 };
		q1[k] = (struct draw_candidate){ .id = 20 + k, .leader_ok = true };
	}
	struct quota_list l[2] = { { q0, 5, 1, 0 }, { q1, 5, 1, 0 } };
	uint8_t seed[DRAW_SEED_LEN];
	seed_for(seed, 'l', 0);
	struct quota_panel p;
	assert_int_equal(quota_select(l, 2, true, true, seed, &p), DRAW_NO_LEADER);
	assert_int_equal(p.n, 0);
	assert_int_equal(quota_select(l, 2, false, true, seed, &p), DRAW_OK);
	assert_int_equal(p.n, 2);
}

static void test_totals_and_seat_quotas(void **state)
{
	(void)state;
	struct task t = { .leader = true, .n_quotas = 3 };
	static const int mb[3][2] = { { 2, 1 }, { 1, 0 }, { 3, 2 } };
	for (int q = 0; q < 3; q++) {
		snprintf(t.quotas[q].specialty, sizeof t.quotas[q].specialty, "s%d", q);
		t.quotas[q].group = q;
		t.quotas[q].members = mb[q][0];
		t.quotas[q].backups = mb[q][1];
	}
	quota_task_totals(&t);
	assert_string_equal(t.specialty, "s0");
	assert_int_equal(t.group, 0);
	assert_int_equal(t.members, 6);
	assert_int_equal(t.backups, 3);
	/* leader; members 0 0 1 2 2 2; backups 0 2 2 */
	static const int want[] = { 0, 0, 0, 1, 2, 2, 2, 0, 2, 2, -1 };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(quota_of_seat(&t, i), want[i]);
}

enum { DRAWS = 60000 };

static void expect_uniform(const char *what, const uint64_t *obs, size_t cells,
                           double expected)
{
	double x = chi_square(obs, cells, expected);
	double crit = chi_crit((unsigned)(cells - 1));
	print_message("chi2 %-34s df=%3zu  %8.2f  (crit %.2f)\n", what, cells - 1, x,
	              crit);
	assert_true(x < crit);
}

/*
 * Within each quota every candidate is seated equally often, and the
 * leader is uniform over quota 0's leader-eligible. Quota 0: 10
 * candidates, every other one may lead (a leader, 3 members, 1 backup);
 * quota 1: 7 (2 members, 1 backup). The lists do not overlap and no
 * employer repeats, so nothing is dropped. Given the leader, quota 0's 4
 * other seats are uniform over its 9 others, so each of the 5 who may
 * not lead has 4/9; quota 1's each have 3/7.
 */
static void test_uniform_within_each_quota(void **state)
{
	(void)state;
	struct draw_candidate q0[10], q1[7];
	for (int k = 0; k < 10; k++)
		q0[k] = (struct draw_candidate){ .id = 1 + k, .employer = 1 + (uint32_t)k,
		                                 .leader_ok = k % 2 == 0 };
	for (int k = 0; k < 7; k++)
		q1[k] = (struct draw_candidate){ .id = 20 + k, .employer = 20 + (uint32_t)k };
	struct quota_list l[2] = { { q0, 10, 3, 1 }, { q1, 7, 2, 1 } };
	uint64_t lead[5] = { 0 }, seat0[10] = { 0 }, seat1[7] = { 0 }, others[5] = { 0 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'u', t);
		struct quota_panel p;
		assert_int_equal(quota_select(l, 2, true, true, seed, &p), DRAW_OK);
		assert_int_equal(p.n, 8);
		lead[(p.ids[0] - 1) / 2]++;
		for (size_t s = 1; s < p.n; s++) {
			if (p.quota[s] == 0)
				seat0[p.ids[s] - 1]++;
			else
				seat1[p.ids[s] - 20]++;
		}
		for (size_t s = 1; s < p.n; s++)
			if (p.quota[s] == 0 && (p.ids[s] - 1) % 2 == 1)
				others[(p.ids[s] - 1) / 2]++;
	}
	expect_uniform("leader among quota 0's 5", lead, 5, DRAWS / 5.0);
	expect_uniform("quota 0 seat, may not lead", others, 5, DRAWS * 4 / 9.0);
	expect_uniform("quota 1 seat", seat1, 7, DRAWS * 3 / 7.0);
	uint64_t seats0 = 0;
	for (int k = 0; k < 10; k++)
		seats0 += seat0[k];
	assert_int_equal(seats0, (uint64_t)DRAWS * 4);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a13_vector),
		cmocka_unit_test(test_one_quota_is_draw_select),
		cmocka_unit_test(test_invariants),
		cmocka_unit_test(test_leader_from_quota_0),
		cmocka_unit_test(test_totals_and_seat_quotas),
		cmocka_unit_test(test_uniform_within_each_quota),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
