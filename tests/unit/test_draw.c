/*
 * test_draw.c - the draw is replayable and fair: known answers for the seed,
 * the candidate hash and the ChaCha20 word stream (derived here independently
 * and from RFC 8439), unbiased bounded integers, selection invariants, golden
 * panels from an independent reference implementation, and chi-square
 * uniformity of who is drawn, in which seat, and as leader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "chi.h"
#include "draw.h"
#include "fixture.h"

/* ---------------------------------------------------------------- helpers */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Test-only seed: BLAKE2b-256(tag || counter as 8 bytes big-endian). */
static void seed_for(uint8_t seed[DRAW_SEED_LEN], uint8_t tag, uint64_t ctr)
{
	uint8_t in[9] = { tag };
	for (int b = 0; b < 8; b++)
		in[1 + b] = (uint8_t)(ctr >> (56 - 8 * b));
	crypto_generichash(seed, DRAW_SEED_LEN, in, sizeof in, NULL, 0);
}

/* Small deterministic generator for building test pools (not under test). */
static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static void expect_uniform(const char *what, const uint64_t *obs, size_t cells,
                           double expected)
{
	double x = chi_square(obs, cells, expected);
	double crit = chi_crit((unsigned)(cells - 1));
	print_message("chi2 %-34s df=%3zu  %8.2f  (crit %.2f)\n", what,
	              cells - 1, x, crit);
	assert_true(x < crit);
}

/* ids 10, 13, 16, ... so id order and index order agree but differ. */
static int64_t id_of(size_t k)
{
	return 10 + 3 * (int64_t)k;
}

static size_t index_of(int64_t id)
{
	assert_true(id >= 10 && (id - 10) % 3 == 0);
	return (size_t)((id - 10) / 3);
}

static void make_pool(struct draw_candidate *c, size_t n)
{
	for (size_t k = 0; k < n; k++)
		c[k] = (struct draw_candidate){ .id = id_of(k),
		                                .employer = (uint32_t)k + 1,
		                                .leader_ok = true };
}

/* Every panel, whatever the outcome: distinct ids from the pool, a
 * leader_ok leader, no shared non-zero employer when diversity is on. */
static void check_panel(const struct draw_candidate *c, size_t n,
                        const struct draw_spec *spec, const int64_t *out,
                        size_t out_n)
{
	size_t idx[256];
	assert_true(out_n <= 256);
	for (size_t s = 0; s < out_n; s++) {
		size_t k = 0;
		while (k < n && c[k].id != out[s])
			k++;
		assert_true(k < n);
		idx[s] = k;
		for (size_t t = 0; t < s; t++) {
			assert_true(out[t] != out[s]);
			if (spec->diversity && c[k].employer != 0)
				assert_true(c[idx[t]].employer != c[k].employer);
		}
	}
	if (spec->leader && out_n > 0)
		assert_true(c[idx[0]].leader_ok);
}

/* ------------------------------------------------------ known answers */

/* RFC 8439 A.1 test vectors 1 and 2: all-zero key and nonce, blocks 0, 1. */
static void test_rng_rfc8439(void **state)
{
	(void)state;
	static const char *blocks[2] = {
		"76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7"
		"da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
		"9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed"
		"29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
	};
	uint8_t zero[DRAW_SEED_LEN] = { 0 };
	struct draw_rng r;
	draw_rng_init(&r, zero);
	for (int b = 0; b < 2; b++) {
		uint8_t want[64];
		fx_hex(blocks[b], want, sizeof want);
		for (int w = 0; w < 16; w++)
			assert_int_equal(draw_rng_u32(&r), le32(want + 4 * w));
	}
	assert_int_equal(r.words, 32);
	assert_int_equal(r.counter, 2);
}

/* 1000 words = 62.5 blocks equal the one-shot libsodium keystream. */
static void test_rng_matches_keystream(void **state)
{
	(void)state;
	uint8_t key[DRAW_SEED_LEN];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(7 * i + 3);
	enum { WORDS = 1000 };
	static uint8_t ks[4 * WORDS];
	static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
	crypto_stream_chacha20_ietf(ks, sizeof ks, nonce, key);

	struct draw_rng r;
	draw_rng_init(&r, key);
	for (size_t w = 0; w < WORDS; w++)
		assert_int_equal(draw_rng_u32(&r), le32(ks + 4 * w));
	assert_int_equal(r.words, WORDS);
	assert_int_equal(r.counter, (4 * WORDS + 63) / 64);

	/* A different key gives a different stream from the first word. */
	key[31] ^= 1;
	draw_rng_init(&r, key);
	assert_int_not_equal(draw_rng_u32(&r), le32(ks));
}

/* The counter is the IETF block counter: the block after counter k is
 * keystream block k, also near the top of the 32-bit range. */
static void test_rng_counter_semantics(void **state)
{
	(void)state;
	uint8_t key[DRAW_SEED_LEN];
	memset(key, 0x5a, sizeof key);
	static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES];
	static const uint8_t zeros[64];
	const uint32_t at[] = { 1, 12345, UINT32_MAX - 1, UINT32_MAX };
	for (size_t t = 0; t < sizeof at / sizeof at[0]; t++) {
		uint8_t want[64];
		crypto_stream_chacha20_ietf_xor_ic(want, zeros, 64, nonce, at[t], key);
		struct draw_rng r;
		draw_rng_init(&r, key);
		r.counter = at[t];
		for (int w = 0; w < 16; w++)
			assert_int_equal(draw_rng_u32(&r), le32(want + 4 * w));
		assert_int_equal(r.counter, (uint64_t)at[t] + 1);
	}
}

/* Past 2^32 blocks the stream would leave RFC 8439: it stops instead. */
static void test_rng_stops_at_counter_end(void **state)
{
	(void)state;
	uint8_t key[DRAW_SEED_LEN] = { 1 };
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct draw_rng r;
		draw_rng_init(&r, key);
		r.counter = UINT64_C(1) << 32;
		(void)draw_rng_u32(&r);
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void test_candidates_hash(void **state)
{
	(void)state;
	const int64_t ids[] = { -5, 1, 2, 1000, 0x0102030405060708, INT64_MAX };
	const size_t n = sizeof ids / sizeof ids[0];
	uint8_t buf[8 * 6], want[DRAW_HASH_LEN], got[DRAW_HASH_LEN];
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			buf[8 * i + (size_t)b] = (uint8_t)((uint64_t)ids[i] >> (56 - 8 * b));
	crypto_generichash(want, sizeof want, buf, sizeof buf, NULL, 0);
	draw_candidates_hash(got, ids, n);
	assert_memory_equal(got, want, DRAW_HASH_LEN);

	/* Pinned by Python hashlib.blake2b(digest_size=32) over the same. */
	uint8_t pinned[DRAW_HASH_LEN];
	fx_hex("a4435566dcdd96355b56b3895c19f39beda9b087295b7574c930dc5de3ee7c6e",
	             pinned, sizeof pinned);
	assert_memory_equal(got, pinned, DRAW_HASH_LEN);

	/* Empty list: BLAKE2b-256 of nothing. */
	fx_hex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
	             pinned, sizeof pinned);
	draw_candidates_hash(got, NULL, 0);
	assert_memory_equal(got, pinned, DRAW_HASH_LEN);

	/* Order matters: the hash commits to the list, not the set. */
	const int64_t swapped[] = { 1, -5, 2, 1000, 0x0102030405060708, INT64_MAX };
	draw_candidates_hash(got, swapped, n);
	assert_memory_not_equal(got, want, DRAW_HASH_LEN);
}

static void test_seed(void **state)
{
	(void)state;
	uint8_t secret[32], ch[DRAW_HASH_LEN];
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)i;
	const int64_t ids[] = { -5, 1, 2, 1000, 0x0102030405060708, INT64_MAX };
	draw_candidates_hash(ch, ids, 6);
	const char nonce[] = "bureau-req-42";
	const size_t nl = sizeof nonce - 1;

	/* "expertd-draw-v1" || secret || u32be(len) || nonce || hash, at once. */
	uint8_t buf[15 + 32 + 4 + sizeof nonce + DRAW_HASH_LEN];
	size_t o = 0;
	memcpy(buf + o, "expertd-draw-v1", 15);
	o += 15;
	memcpy(buf + o, secret, 32);
	o += 32;
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = 0;
	buf[o++] = (uint8_t)nl;
	memcpy(buf + o, nonce, nl);
	o += nl;
	memcpy(buf + o, ch, DRAW_HASH_LEN);
	o += DRAW_HASH_LEN;
	uint8_t want[DRAW_SEED_LEN], got[DRAW_SEED_LEN];
	crypto_generichash(want, sizeof want, buf, o, NULL, 0);
	draw_seed(got, secret, (const uint8_t *)nonce, nl, ch);
	assert_memory_equal(got, want, DRAW_SEED_LEN);

	uint8_t pinned[DRAW_SEED_LEN];
	fx_hex("9aa0ac43435f00dfcda582b82bf6255a9e3fcdffb7f18b8bffa9e6dd6aa86332",
	             pinned, sizeof pinned);
	assert_memory_equal(got, pinned, DRAW_SEED_LEN);

	/* Empty nonce: the length prefix is four zero bytes. */
	draw_seed(got, secret, NULL, 0, ch);
	fx_hex("2c3e3445e13719495641bed7e91adaf03d4703ee146811221256e3807ab8a10e",
	             pinned, sizeof pinned);
	assert_memory_equal(got, pinned, DRAW_SEED_LEN);

	/* Each input moves the seed. */
	draw_seed(want, secret, (const uint8_t *)nonce, nl, ch);
	secret[0] ^= 1;
	draw_seed(got, secret, (const uint8_t *)nonce, nl, ch);
	assert_memory_not_equal(got, want, DRAW_SEED_LEN);
	secret[0] ^= 1;
	ch[31] ^= 1;
	draw_seed(got, secret, (const uint8_t *)nonce, nl, ch);
	assert_memory_not_equal(got, want, DRAW_SEED_LEN);
	ch[31] ^= 1;
	draw_seed(got, secret, (const uint8_t *)nonce, nl - 1, ch);
	assert_memory_not_equal(got, want, DRAW_SEED_LEN);
}

/* ----------------------------------------------------------- below(n) */

static const uint32_t below_ns[] = {
	1, 2, 3, 5, 7, 10, 12, 50, 1000, 65537, UINT32_C(0x7fffffff),
	UINT32_C(0x80000000), UINT32_C(0x80000001), UINT32_C(0xc0000000),
	UINT32_MAX - 1, UINT32_MAX,
};

/* below(n) replays the rule on the raw word stream, computed here. */
static void test_below_rule(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof below_ns / sizeof below_ns[0]; t++) {
		uint32_t n = below_ns[t];
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'b', t);
		struct draw_rng words, r;
		draw_rng_init(&words, seed);
		draw_rng_init(&r, seed);
		uint64_t limit = (UINT64_C(1) << 32) % n;       /* = (2^32-n) mod n */
		for (int call = 0; call < 2000; call++) {
			uint32_t w;
			do
				w = draw_rng_u32(&words);
			while (w < limit);
			uint32_t v = draw_rng_below(&r, n);
			assert_true(v < n);
			assert_int_equal(v, w % n);
			assert_int_equal(r.words, words.words);
		}
		if (n == 1 || (n & (n - 1)) == 0)
			assert_int_equal(r.words, 2000);        /* nothing to reject */
	}
}

/* For n = 2^31+1 about half the words are rejected. */
static void test_below_rejects(void **state)
{
	(void)state;
	uint8_t seed[DRAW_SEED_LEN];
	seed_for(seed, 'r', 0);
	struct draw_rng r;
	draw_rng_init(&r, seed);
	const int calls = 4000;
	for (int c = 0; c < calls; c++)
		assert_true(draw_rng_below(&r, UINT32_C(0x80000001)) <= UINT32_C(0x80000000));
	print_message("below(2^31+1): %d calls used %llu words\n", calls,
	              (unsigned long long)r.words);
	assert_true(r.words > (uint64_t)calls);
	assert_true(r.words > 1.8 * calls && r.words < 2.2 * calls);

	/* Golden from the Python reference: first 8 values, 9 words. */
	uint8_t secret[32], ch[DRAW_HASH_LEN];
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)i;
	int64_t ids[30];
	for (size_t k = 0; k < 30; k++)
		ids[k] = 100 + 3 * (int64_t)k;
	draw_candidates_hash(ch, ids, 30);
	draw_seed(seed, secret, (const uint8_t *)"golden", 6, ch);
	draw_rng_init(&r, seed);
	static const uint32_t want[8] = { 1336454278, 977848960, 1924386555,
	                                  287825363, 2025120600, 2053381087,
	                                  1537553600, 620623451 };
	for (int i = 0; i < 8; i++)
		assert_int_equal(draw_rng_below(&r, UINT32_C(0x80000001)), want[i]);
	assert_int_equal(r.words, 9);
}

/* n = 3*2^30: plain w % n would put half the mass in the lowest third.
 * Rejection keeps the thirds even; the naive version (computed here)
 * shows the test would notice. */
static void test_below_unbiased(void **state)
{
	(void)state;
	const uint32_t n = UINT32_C(0xc0000000);
	uint8_t seed[DRAW_SEED_LEN];
	seed_for(seed, 'u', 0);
	struct draw_rng r, raw;
	draw_rng_init(&r, seed);
	draw_rng_init(&raw, seed);
	uint64_t good[3] = { 0 }, naive[3] = { 0 };
	const int calls = 30000;
	for (int c = 0; c < calls; c++) {
		good[draw_rng_below(&r, n) >> 30]++;
		naive[(draw_rng_u32(&raw) % n) >> 30]++;
	}
	expect_uniform("below(3*2^30) thirds", good, 3, calls / 3.0);
	assert_true(chi_square(naive, 3, calls / 3.0) > chi_crit(2));
}

/* -------------------------------------------------------- selection */

static const char GOLDEN_NONCE[] = "golden";

static void golden_pool(struct draw_candidate c[30], uint8_t seed[DRAW_SEED_LEN])
{
	uint8_t secret[32], ch[DRAW_HASH_LEN];
	int64_t ids[30];
	for (size_t i = 0; i < sizeof secret; i++)
		secret[i] = (uint8_t)i;
	for (size_t k = 0; k < 30; k++) {
		c[k] = (struct draw_candidate){ .id = 100 + 3 * (int64_t)k,
		                                .employer = (uint32_t)(k % 7),
		                                .leader_ok = k % 4 == 0 };
		ids[k] = c[k].id;
	}
	draw_candidates_hash(ch, ids, 30);
	draw_seed(seed, secret, (const uint8_t *)GOLDEN_NONCE,
	          sizeof GOLDEN_NONCE - 1, ch);
}

/* Panels computed by an independent Python implementation (RFC 8439
 * ChaCha20 in pure Python, hashlib BLAKE2b) of the normative algorithm. */
static void test_select_golden(void **state)
{
	(void)state;
	struct draw_candidate c[30];
	uint8_t seed[DRAW_SEED_LEN];
	golden_pool(c, seed);
	static const struct {
		struct draw_spec spec;
		enum draw_result res;
		size_t n;
		int64_t ids[30];
	} g[] = {
		{ { true, 4, 2, true }, DRAW_OK, 7,
		  { 184, 187, 175, 169, 157, 160, 172 } },
		{ { true, 4, 2, false }, DRAW_OK, 7,
		  { 184, 187, 175, 112, 172, 160, 163 } },
		{ { false, 6, 3, false }, DRAW_OK, 9,
		  { 121, 187, 178, 115, 175, 163, 166, 106, 124 } },
		{ { true, 8, 0, true }, DRAW_OK, 9,
		  { 184, 187, 175, 169, 157, 160, 172, 142, 163 } },
		{ { true, 12, 0, true }, DRAW_TOO_FEW, 11,
		  { 184, 187, 175, 169, 157, 160, 172, 142, 163, 100, 121 } },
		{ { true, 30, 0, false }, DRAW_TOO_FEW, 30,
		  { 184, 187, 175, 112, 172, 160, 163, 103, 121, 148, 115, 133,
		    106, 139, 142, 124, 145, 157, 136, 178, 118, 109, 169, 154,
		    166, 130, 127, 100, 151, 181 } },
	};
	for (size_t t = 0; t < sizeof g / sizeof g[0]; t++) {
		int64_t out[40];
		size_t out_n = 99;
		assert_int_equal(draw_select(c, 30, &g[t].spec, seed, out, &out_n),
		                 g[t].res);
		assert_int_equal(out_n, g[t].n);
		assert_memory_equal(out, g[t].ids, g[t].n * sizeof out[0]);
	}
}

/* What the result must be: with diversity each zero-employer candidate
 * and each distinct employer is one "class"; a leader uses up a class. */
static void expected_outcome(const struct draw_candidate *c, size_t n,
                             const struct draw_spec *spec,
                             enum draw_result *res, size_t *out_n)
{
	size_t leaders = 0, classes = 0;
	for (size_t k = 0; k < n; k++) {
		leaders += c[k].leader_ok;
		bool first = true;
		for (size_t j = 0; j < k && c[k].employer != 0; j++)
			if (c[j].employer == c[k].employer)
				first = false;
		classes += !spec->diversity || c[k].employer == 0 || first;
	}
	if (spec->leader && leaders == 0) {
		*res = DRAW_NO_LEADER;
		*out_n = 0;
		return;
	}
	size_t lead = spec->leader ? 1 : 0;
	size_t room = classes - lead, seats = spec->members + spec->backups;
	*res = room >= seats ? DRAW_OK : DRAW_TOO_FEW;
	*out_n = lead + (room >= seats ? seats : room);
}

/* Random pools and specs: outcome exactly as predicted, panels valid. */
static void test_select_invariants(void **state)
{
	(void)state;
	uint64_t s = 42;
	int outcomes[3] = { 0 };
	for (int round = 0; round < 3000; round++) {
		struct draw_candidate c[40];
		size_t n = splitmix(&s) % 41;
		int64_t id = -20;
		uint32_t employers = 1 + (uint32_t)(splitmix(&s) % 12);
		for (size_t k = 0; k < n; k++) {
			id += 1 + (int64_t)(splitmix(&s) % 5);
			c[k] = (struct draw_candidate){
				.id = id,
				.employer = (uint32_t)(splitmix(&s) % employers),
				.leader_ok = splitmix(&s) % 4 == 0,
			};
		}
		struct draw_spec spec = {
			.leader = splitmix(&s) % 2,
			.members = splitmix(&s) % 12,
			.backups = splitmix(&s) % 5,
			.diversity = splitmix(&s) % 2,
		};
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'i', (uint64_t)round);
		int64_t out[40];
		size_t out_n;
		enum draw_result want_res, res;
		size_t want_n;
		expected_outcome(c, n, &spec, &want_res, &want_n);
		res = draw_select(c, n, &spec, seed, out, &out_n);
		assert_int_equal(res, want_res);
		assert_int_equal(out_n, want_n);
		check_panel(c, n, &spec, out, out_n);
		outcomes[res]++;
	}
	/* The generator exercised every outcome. */
	assert_true(outcomes[DRAW_OK] > 100 && outcomes[DRAW_TOO_FEW] > 100 &&
	            outcomes[DRAW_NO_LEADER] > 10);
}

static void test_select_boundaries(void **state)
{
	(void)state;
	struct draw_candidate c[8];
	make_pool(c, 8);
	uint8_t seed[DRAW_SEED_LEN];
	seed_for(seed, 'e', 1);
	int64_t out[16];
	size_t out_n;
	struct draw_spec spec = { .leader = true, .members = 4, .backups = 2 };

	/* 7 seats: 7 candidates suffice, 6 do not (and 6 are drawn). */
	assert_int_equal(draw_select(c, 7, &spec, seed, out, &out_n), DRAW_OK);
	assert_int_equal(out_n, 7);
	check_panel(c, 7, &spec, out, out_n);
	assert_int_equal(draw_select(c, 6, &spec, seed, out, &out_n), DRAW_TOO_FEW);
	assert_int_equal(out_n, 6);

	/* Diversity: two of the 7 share an employer, so 7 are one short. */
	spec.diversity = true;
	c[5].employer = c[2].employer;
	assert_int_equal(draw_select(c, 7, &spec, seed, out, &out_n), DRAW_TOO_FEW);
	assert_int_equal(out_n, 6);
	assert_int_equal(draw_select(c, 8, &spec, seed, out, &out_n), DRAW_OK);
	check_panel(c, 8, &spec, out, out_n);
	/* ...but employer 0 means "none" and never clashes. */
	c[5].employer = c[2].employer = 0;
	assert_int_equal(draw_select(c, 7, &spec, seed, out, &out_n), DRAW_OK);

	/* No leader_ok candidate: NO_LEADER before anything is drawn. */
	for (size_t k = 0; k < 8; k++)
		c[k].leader_ok = false;
	out_n = 99;
	assert_int_equal(draw_select(c, 8, &spec, seed, out, &out_n), DRAW_NO_LEADER);
	assert_int_equal(out_n, 0);
	/* One leader_ok candidate is always the leader. */
	c[6].leader_ok = true;
	for (uint64_t t = 0; t < 20; t++) {
		seed_for(seed, 'e', t);
		assert_int_equal(draw_select(c, 8, &spec, seed, out, &out_n), DRAW_OK);
		assert_int_equal(out[0], c[6].id);
	}
	/* Empty pool, empty spec; empty pool with seats. */
	struct draw_spec none = { 0 };
	assert_int_equal(draw_select(NULL, 0, &none, seed, out, &out_n), DRAW_OK);
	assert_int_equal(out_n, 0);
	none.members = 1;
	assert_int_equal(draw_select(NULL, 0, &none, seed, out, &out_n), DRAW_TOO_FEW);
	none.leader = true;
	assert_int_equal(draw_select(NULL, 0, &none, seed, out, &out_n), DRAW_NO_LEADER);
}

static void test_select_replay(void **state)
{
	(void)state;
	struct draw_candidate c[50];
	make_pool(c, 50);
	struct draw_spec spec = { .leader = true, .members = 4, .backups = 2,
	                          .diversity = true };
	int64_t first[7], again[7], prev[7];
	size_t n1, n2;
	unsigned changed = 0;
	for (uint64_t t = 0; t < 100; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'p', t);
		assert_int_equal(draw_select(c, 50, &spec, seed, first, &n1), DRAW_OK);
		assert_int_equal(draw_select(c, 50, &spec, seed, again, &n2), DRAW_OK);
		assert_int_equal(n1, n2);
		assert_memory_equal(first, again, sizeof first);
		if (t > 0 && memcmp(first, prev, sizeof first) != 0)
			changed++;
		memcpy(prev, first, sizeof prev);
	}
	assert_true(changed >= 95);
}

/* -------------------------------------------------------- uniformity */

enum { DRAWS = 48000 };

/* (a) 5 of 50, and (d) every seat (3 members, 2 backups) is uniform. */
static void test_uniform_50_choose_5(void **state)
{
	(void)state;
	struct draw_candidate c[50];
	make_pool(c, 50);
	static uint64_t any[50], seat[5][50];
	memset(any, 0, sizeof any);
	memset(seat, 0, sizeof seat);
	struct draw_spec spec = { .members = 3, .backups = 2 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'a', t);
		int64_t out[5];
		size_t n;
		assert_int_equal(draw_select(c, 50, &spec, seed, out, &n), DRAW_OK);
		for (size_t s = 0; s < 5; s++) {
			any[index_of(out[s])]++;
			seat[s][index_of(out[s])]++;
		}
	}
	expect_uniform("(a) 5 of 50: candidate", any, 50, DRAWS * 5 / 50.0);
	for (int s = 0; s < 5; s++) {
		char what[40];
		snprintf(what, sizeof what, "(d) 5 of 50: seat %d", s);
		expect_uniform(what, seat[s], 50, DRAWS / 50.0);
	}
}

/* (b) 40% of the pool shares one employer, diversity on. The shared group
 * appears at most once and with the exact probability of sequential
 * uniform choice among the admissible; within each group of identical
 * situation (the sharers; the 30 others, of which 10 have no employer)
 * counts are uniform. */
static void test_uniform_skewed_employers(void **state)
{
	(void)state;
	struct draw_candidate c[50];
	make_pool(c, 50);
	bool shared[50];
	for (size_t k = 0; k < 50; k++) {
		shared[k] = k % 5 < 2;
		if (shared[k])
			c[k].employer = 7777;
		else if (k % 5 == 2)
			c[k].employer = 0;
		else
			c[k].employer = 100 + (uint32_t)k;
	}
	static uint64_t count[50];
	memset(count, 0, sizeof count);
	uint64_t with_shared[2] = { 0 };        /* panels without / with */
	struct draw_spec spec = { .members = 5, .diversity = true };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'k', t);
		int64_t out[5];
		size_t n, sharers = 0;
		assert_int_equal(draw_select(c, 50, &spec, seed, out, &n), DRAW_OK);
		for (size_t s = 0; s < 5; s++) {
			count[index_of(out[s])]++;
			sharers += shared[index_of(out[s])];
		}
		assert_true(sharers <= 1);
		with_shared[sharers]++;
	}
	uint64_t grp_shared[20], grp_other[30];
	size_t ns = 0, no = 0;
	for (size_t k = 0; k < 50; k++) {
		if (shared[k])
			grp_shared[ns++] = count[k];
		else
			grp_other[no++] = count[k];
	}
	double other_total = 0, shared_total = 0;
	for (size_t k = 0; k < 30; k++)
		other_total += (double)grp_other[k];
	for (size_t k = 0; k < 20; k++)
		shared_total += (double)grp_shared[k];
	expect_uniform("(b) skewed: 30 distinct/none", grp_other, 30, other_total / 30);
	expect_uniform("(b) skewed: 20 sharing one", grp_shared, 20, shared_total / 20);

	double p_none = 1;
	for (int s = 0; s < 5; s++)
		p_none *= (30.0 - s) / (50.0 - s);
	double x = 0, e[2] = { DRAWS * p_none, DRAWS * (1 - p_none) };
	for (int i = 0; i < 2; i++)
		x += ((double)with_shared[i] - e[i]) * ((double)with_shared[i] - e[i]) / e[i];
	print_message("chi2 %-34s df=  1  %8.2f  (crit %.2f) P(none)=%.4f seen %.4f\n",
	              "(b) skewed: sharer on panel", x, chi_crit(1), p_none,
	              (double)with_shared[0] / DRAWS);
	assert_true(x < chi_crit(1));
}

/* (c) 11 of 12: who is left out, and each seat, are uniform. */
static void test_uniform_11_of_12(void **state)
{
	(void)state;
	struct draw_candidate c[12];
	make_pool(c, 12);
	uint64_t left_out[12] = { 0 }, seat[11][12];
	memset(seat, 0, sizeof seat);
	struct draw_spec spec = { .members = 11 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'c', t);
		int64_t out[11];
		size_t n;
		bool in[12] = { false };
		assert_int_equal(draw_select(c, 12, &spec, seed, out, &n), DRAW_OK);
		for (size_t s = 0; s < 11; s++) {
			in[index_of(out[s])] = true;
			seat[s][index_of(out[s])]++;
		}
		for (size_t k = 0; k < 12; k++)
			left_out[k] += !in[k];
	}
	expect_uniform("(c) 11 of 12: left out", left_out, 12, DRAWS / 12.0);
	for (int s = 0; s < 11; s++) {
		char what[40];
		snprintf(what, sizeof what, "(c) 11 of 12: seat %d", s);
		expect_uniform(what, seat[s], 12, DRAWS / 12.0);
	}
}

/* (e) The leader is uniform among the 15 leader_ok of 50; as members,
 * leader_ok and other candidates are each uniform within their group. */
static void test_uniform_leader(void **state)
{
	(void)state;
	struct draw_candidate c[50];
	make_pool(c, 50);
	for (size_t k = 0; k < 50; k++)
		c[k].leader_ok = k % 10 == 0 || k % 10 == 3 || k % 10 == 7;
	static uint64_t lead[50], member[50];
	memset(lead, 0, sizeof lead);
	memset(member, 0, sizeof member);
	struct draw_spec spec = { .leader = true, .members = 4 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'l', t);
		int64_t out[5];
		size_t n;
		assert_int_equal(draw_select(c, 50, &spec, seed, out, &n), DRAW_OK);
		assert_true(c[index_of(out[0])].leader_ok);
		lead[index_of(out[0])]++;
		for (size_t s = 1; s < 5; s++)
			member[index_of(out[s])]++;
	}
	uint64_t l[15], ml[15], mo[35];
	size_t nl = 0, no = 0;
	double tl = 0, to = 0;
	for (size_t k = 0; k < 50; k++) {
		if (c[k].leader_ok) {
			l[nl] = lead[k];
			ml[nl++] = member[k];
			tl += (double)member[k];
		} else {
			assert_int_equal(lead[k], 0);
			mo[no++] = member[k];
			to += (double)member[k];
		}
	}
	expect_uniform("(e) leader among 15 leader_ok", l, 15, DRAWS / 15.0);
	expect_uniform("(e) members: leader_ok", ml, 15, tl / 15);
	expect_uniform("(e) members: others", mo, 35, to / 35);
}

/* Whole orderings of 5 of 5: all 120 permutations equally likely. */
static void test_uniform_permutations(void **state)
{
	(void)state;
	struct draw_candidate c[5];
	make_pool(c, 5);
	static uint64_t code[3125];
	memset(code, 0, sizeof code);
	struct draw_spec spec = { .members = 2, .backups = 3 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'f', t);
		int64_t out[5];
		size_t n, v = 0;
		assert_int_equal(draw_select(c, 5, &spec, seed, out, &n), DRAW_OK);
		for (size_t s = 0; s < 5; s++)
			v = v * 5 + index_of(out[s]);
		code[v]++;
	}
	uint64_t perms[120];
	size_t np = 0;
	for (size_t v = 0; v < 3125; v++)
		if (code[v] != 0) {
			assert_true(np < 120);
			perms[np++] = code[v];
		}
	assert_int_equal(np, 120);
	expect_uniform("5 of 5: whole ordering", perms, 120, DRAWS / 120.0);
}

/* The statistic has power: the textbook wrong shuffle (j = below(m)
 * instead of i + below(m - i)) over 3 items fails it. */
static void test_uniform_detects_naive_shuffle(void **state)
{
	(void)state;
	uint64_t count[27] = { 0 };
	for (uint64_t t = 0; t < DRAWS; t++) {
		uint8_t seed[DRAW_SEED_LEN];
		seed_for(seed, 'n', t);
		struct draw_rng r;
		draw_rng_init(&r, seed);
		int a[3] = { 0, 1, 2 };
		for (uint32_t i = 0; i < 3; i++) {
			uint32_t j = draw_rng_below(&r, 3);
			int x = a[i];
			a[i] = a[j];
			a[j] = x;
		}
		count[a[0] * 9 + a[1] * 3 + a[2]]++;
	}
	uint64_t perms[6];
	size_t np = 0;
	for (size_t v = 0; v < 27; v++)
		if (count[v] != 0)
			perms[np++] = count[v];
	assert_int_equal(np, 6);
	double x = chi_square(perms, 6, DRAWS / 6.0);
	print_message("chi2 %-34s df=  5  %8.2f  (crit %.2f) must exceed\n",
	              "naive shuffle (negative control)", x, chi_crit(5));
	assert_true(x > chi_crit(5));
}

/* Wilson-Hilferty against tabulated 0.999 quantiles. */
static void test_chi_crit(void **state)
{
	(void)state;
	static const struct { unsigned df; double q; } tab[] = {
		{ 10, 29.588 }, { 30, 59.703 }, { 49, 85.351 }, { 100, 149.449 },
	};
	for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
		double c = chi_crit(tab[i].df);
		assert_true(c >= tab[i].q && c < tab[i].q * 1.01);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng_rfc8439),
		cmocka_unit_test(test_rng_matches_keystream),
		cmocka_unit_test(test_rng_counter_semantics),
		cmocka_unit_test(test_rng_stops_at_counter_end),
		cmocka_unit_test(test_candidates_hash),
		cmocka_unit_test(test_seed),
		cmocka_unit_test(test_below_rule),
		cmocka_unit_test(test_below_rejects),
		cmocka_unit_test(test_below_unbiased),
		cmocka_unit_test(test_select_golden),
		cmocka_unit_test(test_select_invariants),
		cmocka_unit_test(test_select_boundaries),
		cmocka_unit_test(test_select_replay),
		cmocka_unit_test(test_chi_crit),
		cmocka_unit_test(test_uniform_detects_naive_shuffle),
		cmocka_unit_test(test_uniform_50_choose_5),
		cmocka_unit_test(test_uniform_skewed_employers),
		cmocka_unit_test(test_uniform_11_of_12),
		cmocka_unit_test(test_uniform_leader),
		cmocka_unit_test(test_uniform_permutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
