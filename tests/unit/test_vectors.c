/*
 * test_vectors.c - the test vectors of DRAW.md Appendix A that were
 * computed with the code (A.7 to A.11, A.14), checked against that code
 * here so the document and the code cannot drift apart: a replacement
 * draw, a rejected word in below(n), the age of someone born on 29
 * February, the China Standard Time day boundary, a draw with a
 * designated leader, a replacement on a mixed panel, and the selections
 * of A.15 (the gap encoding of the candidate list). A.1 to A.6 are
 * pinned in test_draw.c and test_audit.c, A.12 in test_sign.c, A.13 in
 * test_quota.c, A.15's hashes in test_candidates_hash.c.
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
#include "draw.h"
#include "fixture.h"
#include "eligibility.h"
#include "handler.h"
#include "ident.h"
#include "quota.h"
#include "replace.h"

/* `secret` of Appendix A: the 32 bytes 00 01 02 ... 1f. */
static void appendix_secret(uint8_t secret[32])
{
	for (size_t i = 0; i < 32; i++)
		secret[i] = (uint8_t)i;
}

/* The 30 candidates of A.5: id 100 + 3k, employer k mod 7 (0 = none),
 * leader-eligible when k mod 4 = 0; seed from `secret` and "golden". */
static void a5_pool(struct draw_candidate c[30], int64_t ids[30],
                    uint8_t seed[DRAW_SEED_LEN])
{
	uint8_t secret[32], ch[DRAW_HASH_LEN];
	appendix_secret(secret);
	for (size_t k = 0; k < 30; k++) {
		c[k] = (struct draw_candidate){ .id = 100 + 3 * (int64_t)k,
		                                .employer = (uint32_t)(k % 7),
		                                .leader_ok = k % 4 == 0 };
		ids[k] = c[k].id;
	}
	draw_candidates_hash(ch, ids, 30);
	draw_seed(seed, secret, (const uint8_t *)"golden", 6, ch);
}

/*
 * A.7: a replacement draw (DRAW.md 3.5). The A.5 candidate list and seed
 * (the seed hashes the whole list); the employers 3 and 5 hold open seats
 * of the task, so with diversity on the 8 candidates of those employers
 * leave the list before selection. One seat: a freed leader seat draws
 * 112, a freed member seat 181. Without the removal the same seed would
 * give 184 and 121: the removal is not a selection-time drop.
 */
static void test_a7_replacement(void **state)
{
	(void)state;
	static const struct {
		int role;             /* 0 leader, 1 member */
		int64_t chosen;
		int64_t without_removal;
	} v[] = { { 0, 112, 184 }, { 1, 181, 121 } };
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
		struct draw_candidate c[30];
		int64_t ids[30];
		uint8_t seed[DRAW_SEED_LEN], pinned[DRAW_SEED_LEN];
		a5_pool(c, ids, seed);
		fx_hex("9bdcb9bb1dbd033e3f8bbc14cf981cd05338c495a88b4e4476abf167ba47ca73",
		             pinned, sizeof pinned);
		assert_memory_equal(seed, pinned, DRAW_SEED_LEN);

		struct draw_candidate whole[30];
		memcpy(whole, c, sizeof c);
		struct candidates cs = { .list = c, .n = 30, .ids = ids };
		const uint32_t taken[] = { 3, 5 };
		size_t dropped = replace_drop_employers(&cs, taken, 2);
		assert_int_equal(dropped, 8);
		assert_int_equal(cs.n, 22);

		struct draw_spec spec = replace_spec(v[t].role, true);
		int64_t out[2];
		size_t n = 0, more = 99;
		assert_int_equal(draw_select_counted(cs.list, cs.n, &spec, seed, out,
		                                     &n, &more), DRAW_OK);
		assert_int_equal(n, 1);
		assert_int_equal(out[0], v[t].chosen);
		assert_int_equal(more, 0);     /* diversity_dropped = 8 + 0 */

		assert_int_equal(draw_select(whole, 30, &spec, seed, out, &n), DRAW_OK);
		assert_int_equal(out[0], v[t].without_removal);
	}
}

/*
 * A.8: below(n) rejects a word (DRAW.md 3.3). Seed from `secret`, nonce
 * "reject-0" and the empty candidate list's hash. n = 2^31 + 1, so
 * r = (2^32 - n) mod n = 2^31 - 1: w0 = 1430616372 < r is rejected,
 * w1 = 2596073894 is taken, and below(n) = w1 mod n = 448590245 after
 * two words.
 */
static void test_a8_below_rejects_first_word(void **state)
{
	(void)state;
	uint8_t secret[32], eh[DRAW_HASH_LEN], seed[DRAW_SEED_LEN], pinned[DRAW_SEED_LEN];
	appendix_secret(secret);
	draw_candidates_hash(eh, NULL, 0);
	draw_seed(seed, secret, (const uint8_t *)"reject-0", 8, eh);
	fx_hex("25771d48da5ef7b0f679ab8e2f21d7882eef556d416b8cf03f1208f2155ab3be",
	             pinned, sizeof pinned);
	assert_memory_equal(seed, pinned, DRAW_SEED_LEN);

	const uint32_t n = UINT32_C(0x80000001);
	assert_int_equal((UINT64_C(1) << 32) % n, UINT32_C(2147483647));
	struct draw_rng words, r;
	draw_rng_init(&words, seed);
	assert_int_equal(draw_rng_u32(&words), UINT32_C(1430616372));
	assert_int_equal(draw_rng_u32(&words), UINT32_C(2596073894));

	draw_rng_init(&r, seed);
	assert_int_equal(draw_rng_below(&r, n), UINT32_C(448590245));
	assert_int_equal(r.words, 2);
}

/*
 * A.9: someone born on 29 February 1960 (day -3594) is 65 on 2026-02-28
 * (day 20512) and 66 on 2026-03-01 (day 20513): in a common year the
 * birthday is 1 March. So the age rule (over 65 excludes, DRAW.md 3.1
 * rule 4) keeps them on 28 February and excludes them on 1 March. A year
 * earlier: 64 on 2025-02-28 (20147), 65 on 2025-03-01 (20148).
 */
static void test_a9_leap_day_age(void **state)
{
	(void)state;
	int32_t birth = ident_days_from_civil(1960, 2, 29);
	assert_int_equal(birth, -3594);
	assert_int_equal(ident_days_from_civil(2025, 2, 28), 20147);
	assert_int_equal(ident_days_from_civil(2025, 3, 1), 20148);
	assert_int_equal(ident_days_from_civil(2026, 2, 28), 20512);
	assert_int_equal(ident_days_from_civil(2026, 3, 1), 20513);
	assert_int_equal(ident_age_on(birth, 20147), 64);
	assert_int_equal(ident_age_on(birth, 20148), 65);
	assert_int_equal(ident_age_on(birth, 20512), 65);
	assert_int_equal(ident_age_on(birth, 20513), 66);

	struct expert e;
	memset(&e, 0, sizeof e);          /* no relaxation grounds */
	e.birth = birth;
	assert_true(eligibility_age_ok(&e, 20512));
	assert_false(eligibility_age_ok(&e, 20513));
}

/*
 * A.10: the China Standard Time day boundary (DRAW.md section 2). 16:00:00
 * UTC is 00:00 the next day in UTC+8: 1767283199 (2026-01-01 15:59:59 UTC)
 * is day 20454, 2026-01-01; 1767283200 is day 20455, 2026-01-02. Before
 * 1970 the division rounds down: -28801 is day -1 (1969-12-31), -28800
 * day 0. The daemon's handler_day_of() is ident_day_cst().
 */
static void test_a10_cst_day_boundary(void **state)
{
	(void)state;
	static const struct {
		int64_t t;
		int32_t day;
		const char *date;
	} v[] = {
		{ INT64_C(1767283199), 20454, "2026-01-01" },
		{ INT64_C(1767283200), 20455, "2026-01-02" },
		{ INT64_C(-28801), -1, "1969-12-31" },
		{ INT64_C(-28800), 0, "1970-01-01" },
	};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		char buf[11];
		assert_int_equal(ident_day_cst(v[i].t), v[i].day);
		assert_int_equal(handler_day_of(v[i].t), v[i].day);
		ident_date_format(v[i].day, buf);
		assert_string_equal(buf, v[i].date);
	}
}

/*
 * A.11: a designated leader (DRAW.md 3.6). The A.5 candidate list and
 * seed (the hash covers the designee too). The designee takes seat 0; with
 * diversity on, the other candidates of its employer leave the list before
 * selection (using no word); members and backups are then drawn as 3.4
 * steps 2-4 from the first word. 124 is k = 8 (employer 1: 103, 145, 166
 * and 187 leave); 100 is k = 0 (no employer: nobody leaves).
 */
static void test_a11_designated_leader(void **state)
{
	(void)state;
	static const struct {
		size_t lead;          /* k of the designee */
		size_t members, backups;
		bool diversity;
		enum draw_result result;
		int64_t panel[12];
		size_t n, dropped;
	} v[] = {
		{8, 4, 2, true, DRAW_OK, {124, 109, 100, 184, 127, 118, 157}, 7, 6},
		{8, 4, 2, false, DRAW_OK, {124, 154, 169, 100, 130, 187, 118}, 7, 0},
		{0, 4, 2, true, DRAW_OK, {100, 154, 169, 103, 130, 118, 178}, 7, 1},
		{8, 12, 0, true, DRAW_TOO_FEW,
		 {124, 109, 100, 184, 127, 118, 157, 142, 154, 121, 163}, 11, 19},
	};
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
		struct draw_candidate c[30];
		int64_t ids[30], out[TASK_MAX_SEATS];
		uint8_t seed[DRAW_SEED_LEN];
		a5_pool(c, ids, seed);
		struct draw_spec spec = {.leader = true, .members = v[t].members,
		                         .backups = v[t].backups, .diversity = v[t].diversity};
		size_t n = 0, dropped = 0;
		assert_int_equal(designate_select(c, 30, v[t].lead, &spec, seed, out, &n,
		                                  &dropped), v[t].result);
		assert_int_equal(n, v[t].n);
		assert_memory_equal(out, v[t].panel, n * sizeof out[0]);
		assert_int_equal(dropped, v[t].dropped);
	}
}

/*
 * A.14: a replacement on a mixed panel (DRAW.md 3.7 step 5). The lists of
 * A.13 (employer id mod 7, leader when id mod 4 = 0); employers 3 and 5
 * hold open seats. A freed leader seat draws from quota 0's list, a freed
 * member seat of quota 1 from quota 1's; each seed hashes the quotas tag
 * and that one list's hash. The last two columns are the wrong answers:
 * without the removal, and with the one-specialty seed of DRAW.md 3.3.
 */
static void test_a14_mixed_replacement(void **state)
{
	(void)state;
	static const struct {
		int role;             /* 0 leader, 1 member */
		int64_t first, step;  /* the list: first + step * k, k < n */
		size_t n;
		const char *h, *seed;
		int64_t chosen, without_removal, one_specialty_seed;
	} v[] = {
		{ 0, 100, 3, 12,
		  "850e25e2f25affe241da23e830f52fe6ea960f0ba887c27d91747c55d038fb5b",
		  "3cb502dcf0bf1d2924f09f7c820c090047a9d0e2bdf4f7387eb1d010f2547556",
		  100, 100, 112 },
		{ 1, 118, 2, 10,
		  "d057102c56a73c10ac1a30a607d6d6fe3452f816b9fb4a1ec6d1479377d82760",
		  "74e5ee149141d8c4560734e82fc4d774054711d029bf88f93b1cfb188d0e9a5c",
		  134, 126, 126 },
	};
	for (size_t t = 0; t < sizeof v / sizeof v[0]; t++) {
		struct draw_candidate c[12], whole[12];
		int64_t ids[12], out[2];
		uint8_t secret[32], lh[1][DRAW_HASH_LEN], h[DRAW_HASH_LEN];
		uint8_t seed[DRAW_SEED_LEN], plain[DRAW_SEED_LEN], pin[DRAW_SEED_LEN];
		appendix_secret(secret);
		for (size_t k = 0; k < v[t].n; k++) {
			ids[k] = v[t].first + v[t].step * (int64_t)k;
			c[k] = (struct draw_candidate){ .id = ids[k],
			                                .employer = (uint32_t)(ids[k] % 7),
			                                .leader_ok = ids[k] % 4 == 0 };
		}
		memcpy(whole, c, sizeof c);
		draw_candidates_hash(lh[0], ids, v[t].n);
		quota_hash(h, (const uint8_t (*)[DRAW_HASH_LEN])lh, 1);
		fx_hex(v[t].h, pin, sizeof pin);
		assert_memory_equal(h, pin, DRAW_HASH_LEN);
		draw_seed(seed, secret, (const uint8_t *)"golden", 6, h);
		fx_hex(v[t].seed, pin, sizeof pin);
		assert_memory_equal(seed, pin, DRAW_SEED_LEN);

		struct candidates cs = { .list = c, .n = v[t].n, .ids = ids };
		const uint32_t taken[] = { 3, 5 };
		assert_int_equal(replace_drop_employers(&cs, taken, 2), 3);
		struct draw_spec spec = replace_spec(v[t].role, true);
		size_t n = 0, more = 99;
		assert_int_equal(draw_select_counted(cs.list, cs.n, &spec, seed, out, &n,
		                                     &more), DRAW_OK);
		assert_int_equal(n, 1);
		assert_int_equal(out[0], v[t].chosen);
		assert_int_equal(more, 0);
		assert_int_equal(draw_select(whole, v[t].n, &spec, seed, out, &n), DRAW_OK);
		assert_int_equal(out[0], v[t].without_removal);
		draw_seed(plain, secret, (const uint8_t *)"golden", 6, lh[0]);
		assert_int_equal(draw_select(cs.list, cs.n, &spec, plain, out, &n), DRAW_OK);
		assert_int_equal(out[0], v[t].one_specialty_seed);
	}
}

/*
 * A.15: A.5's candidates with their list hashed in the gap encoding of
 * every transcript since draft 16 (DRAW.md 3.3): the hash, the seed, and
 * the panels 3.4 selects with it (computed with this code and with a
 * Python 3.4 over libsodium's ChaCha20). The same list in the 8-byte
 * encoding keeps A.5's seed.
 */
static void test_a15_gap_encoding(void **state)
{
	(void)state;
	struct draw_candidate c[30];
	int64_t ids[30];
	uint8_t old_seed[DRAW_SEED_LEN], secret[32], h[DRAW_HASH_LEN], seed[DRAW_SEED_LEN];
	uint8_t pin[DRAW_SEED_LEN];
	a5_pool(c, ids, old_seed);
	appendix_secret(secret);
	draw_list_hash(h, DRAW_LIST_GAPS, ids, 30);
	fx_hex("431712eebd5902e1fdc92594fa8056a7f382f4c14812ca0fdf79cc49719b59e4", pin,
	       sizeof pin);
	assert_memory_equal(h, pin, DRAW_HASH_LEN);
	draw_seed(seed, secret, (const uint8_t *)"golden", 6, h);
	fx_hex("1e9b996e538c85f902c000b2fef7a7eff9ca483b6460d728ceecae37e580061f", pin,
	       sizeof pin);
	assert_memory_equal(seed, pin, DRAW_SEED_LEN);
	draw_list_hash(h, DRAW_LIST_IDS, ids, 30);
	draw_seed(pin, secret, (const uint8_t *)"golden", 6, h);
	assert_memory_equal(pin, old_seed, DRAW_SEED_LEN);

	static const struct {
		struct draw_spec spec;
		enum draw_result res;
		size_t n, drops;
		int64_t ids[11];
	} g[] = {
		{ { true, 4, 2, true }, DRAW_OK, 7, 1, { 184, 166, 136, 121, 172, 106, 100 } },
		{ { true, 4, 2, false }, DRAW_OK, 7, 0, { 184, 166, 136, 121, 172, 124, 112 } },
		{ { false, 6, 3, false }, DRAW_OK, 9, 0,
		  { 163, 169, 139, 124, 175, 127, 115, 172, 151 } },
		{ { true, 12, 0, true }, DRAW_TOO_FEW, 11, 19,
		  { 184, 166, 136, 121, 172, 106, 100, 163, 112, 118, 142 } },
	};
	for (size_t t = 0; t < sizeof g / sizeof g[0]; t++) {
		int64_t out[40];
		size_t n = 0, drops = 99;
		assert_int_equal(draw_select_counted(c, 30, &g[t].spec, seed, out, &n, &drops),
		                 g[t].res);
		assert_int_equal(n, g[t].n);
		assert_int_equal(drops, g[t].drops);
		assert_memory_equal(out, g[t].ids, n * sizeof out[0]);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a7_replacement),
		cmocka_unit_test(test_a8_below_rejects_first_word),
		cmocka_unit_test(test_a9_leap_day_age),
		cmocka_unit_test(test_a10_cst_day_boundary),
		cmocka_unit_test(test_a11_designated_leader),
		cmocka_unit_test(test_a14_mixed_replacement),
		cmocka_unit_test(test_a15_gap_encoding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
