/*
 * test_candidates_hash.c - the hash a transcript commits to (DRAW.md 3.3)
 * in both encodings: BLAKE2b-256 over the candidate ids as 8-byte
 * big-endian integers (before draft 16), and over "expertd-list-v2" and
 * the gaps between ids as LEB128 varints (since). Each at list lengths
 * around the encoder's block and buffer sizes, against a byte-by-byte
 * encoding hashed in one call: encoding in blocks must not change a single
 * byte. The gap encoding's vectors (DRAW.md A.15) were computed with
 * Python's hashlib.blake2b over bytes encoded by hand.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "draw.h"
#include "fixture.h"

static void reference_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids, size_t n)
{
	uint8_t *buf = malloc(n * 8 + 1);
	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		for (int b = 0; b < 8; b++)
			buf[8 * i + (size_t)b] = (uint8_t)((uint64_t)ids[i] >> (56 - 8 * b));
	crypto_generichash(out, DRAW_HASH_LEN, buf, n * 8, NULL, 0);
	free(buf);
}

static void test_hash_lengths_around_blocks(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	enum { MAX = 3000 };
	int64_t *ids = malloc(MAX * sizeof *ids);
	assert_non_null(ids);
	uint64_t x = 0x9e3779b97f4a7c15u;
	for (size_t i = 0; i < MAX; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		ids[i] = (int64_t)x;                    /* negative ones too */
	}
	ids[7] = INT64_MIN;
	ids[8] = INT64_MAX;
	ids[9] = -1;
	static const size_t lengths[] = {0, 1, 2, 511, 512, 513, 1023, 1024, 1025,
	                                 1536, 2999, 3000};
	for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++) {
		uint8_t want[DRAW_HASH_LEN], got[DRAW_HASH_LEN];
		reference_hash(want, ids, lengths[k]);
		draw_candidates_hash(got, ids, lengths[k]);
		assert_memory_equal(got, want, DRAW_HASH_LEN);
	}
	free(ids);
}

/* The gap encoding byte by byte, as DRAW.md 3.3 words it; returns its
 * length (buf holds 15 + 10 n bytes). */
static size_t reference_gaps(uint8_t *buf, const int64_t *ids, size_t n)
{
	size_t o = 0;
	uint64_t prev = 0;
	memcpy(buf, "expertd-list-v2", 15);
	o = 15;
	for (size_t i = 0; i < n; i++) {
		uint64_t v = (uint64_t)ids[i] - prev;
		prev = (uint64_t)ids[i];
		do {
			uint8_t b = v & 0x7f;
			v >>= 7;
			buf[o++] = v ? (uint8_t)(b | 0x80) : b;
		} while (v);
	}
	return o;
}

static void reference_gaps_hash(uint8_t out[DRAW_HASH_LEN], const int64_t *ids,
                                size_t n)
{
	uint8_t *buf = malloc(15 + 10 * n);
	assert_non_null(buf);
	crypto_generichash(out, DRAW_HASH_LEN, buf, reference_gaps(buf, ids, n), NULL, 0);
	free(buf);
}

/* The gap hash of the first n of ids (9,000 of them) at lengths around
 * the groups of 16 and the 4 KiB buffer, against the reference. */
static void check_gaps_lengths(const int64_t *ids)
{
	static const size_t lengths[] = {0, 1, 2, 3, 16, 17, 18, 33, 257, 4095, 4096,
	                                 4097, 4111, 4112, 4113, 5000, 8999, 9000};
	for (size_t k = 0; k < sizeof lengths / sizeof *lengths; k++) {
		uint8_t want[DRAW_HASH_LEN], got[DRAW_HASH_LEN];
		reference_gaps_hash(want, ids, lengths[k]);
		draw_gaps_hash(got, ids, lengths[k]);
		assert_memory_equal(got, want, DRAW_HASH_LEN);
		draw_list_hash(got, DRAW_LIST_GAPS, ids, lengths[k]);
		assert_memory_equal(got, want, DRAW_HASH_LEN);
	}
}

/* Ascending ids whose gaps are mostly 1 byte, with runs of wide ones
 * (128, 2^14, 2^35 ...) placed so that some groups of 16 hold one, some
 * none, and the 4 KiB buffer fills at every offset. */
static void test_gaps_lengths_around_blocks(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	enum { MAX = 9000 };
	int64_t *ids = malloc(MAX * sizeof *ids);
	assert_non_null(ids);
	static const uint64_t wide[] = {127, 128, 129, 16383, 16384, UINT64_C(1) << 35,
	                                UINT64_C(1) << 56};
	uint64_t x = 0x9e3779b97f4a7c15u, id = 1;
	for (size_t i = 0; i < MAX; i++) {
		x = x * 6364136223846793005u + 1442695040888963407u;
		uint64_t gap = 1 + (x >> 33) % 9;
		if ((x >> 20) % 97 == 0 || (i >= 4000 && i < 4100 && i % 3 == 0))
			gap = wide[(x >> 40) % (sizeof wide / sizeof *wide)];
		id += i ? gap : 0;
		ids[i] = (int64_t)id;
	}
	check_gaps_lengths(ids);
	/* Dense runs (every gap 1) across the buffer's edge, then from a
	 * large first id. */
	for (size_t i = 0; i < MAX; i++)
		ids[i] = (int64_t)(i + 1);
	check_gaps_lengths(ids);
	for (size_t i = 0; i < MAX; i++)
		ids[i] = INT64_MAX - MAX + (int64_t)i + 1;
	check_gaps_lengths(ids);
	free(ids);
}

static void assert_gaps_hash(const int64_t *ids, size_t n, const char *hex)
{
	uint8_t want[DRAW_HASH_LEN], got[DRAW_HASH_LEN];
	fx_hex(hex, want, sizeof want);
	draw_gaps_hash(got, ids, n);
	assert_memory_equal(got, want, DRAW_HASH_LEN);
}

/* DRAW.md A.15: the encoding's bytes and hashes, pinned from Python. */
static void test_gaps_vectors(void **state)
{
	(void)state;
	assert_true(sodium_init() >= 0);
	/* A.2's list: a negative first id (10 bytes), a gap of 998 (2
	 * bytes), gaps near 2^63. */
	const int64_t a2[] = { -5, 1, 2, 1000, 0x0102030405060708, INT64_MAX };
	uint8_t buf[15 + 60], want[47];
	size_t len = reference_gaps(buf, a2, 6);
	fx_hex("657870657274642d6c6973742d7632fbffffffffffffffff010601e607a08698a8c0"
	       "e0808101f7f1e7d7bf9ffffe7e", want, sizeof want);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(buf, want, sizeof want);
	assert_gaps_hash(a2, 6,
	                 "db7da4479c275271547910bead54a5eaa3f4831bde2e7f7fbd962c415dc2e05e");
	/* The empty list: the tag alone. */
	assert_gaps_hash(NULL, 0,
	                 "a7173fb24c3f8074a373a832962f755e6f9578c6556ffe94b7aedbfb0dbef01d");
	const int64_t one[] = { 1 };
	assert_gaps_hash(one, 1,
	                 "46ff287f6cd67cce5d4786a49d50f388297f257404861c904caa6452dc6ed628");
	const int64_t top[] = { INT64_MAX - 1, INT64_MAX };
	assert_gaps_hash(top, 2,
	                 "b7a64e5ec653309577832ab2bb2150dcf887af5162eb98add38865f955f25d00");
	/* The 30 ids of A.5: 100, then 29 gaps of 3. */
	int64_t a5[30];
	for (size_t k = 0; k < 30; k++)
		a5[k] = 100 + 3 * (int64_t)k;
	assert_gaps_hash(a5, 30,
	                 "431712eebd5902e1fdc92594fa8056a7f382f4c14812ca0fdf79cc49719b59e4");

	/* The encodings are told apart, and the old one is A.2's as ever. */
	uint8_t ids8[DRAW_HASH_LEN], gaps[DRAW_HASH_LEN], old[DRAW_HASH_LEN];
	draw_list_hash(ids8, DRAW_LIST_IDS, a2, 6);
	draw_list_hash(gaps, DRAW_LIST_GAPS, a2, 6);
	fx_hex("a4435566dcdd96355b56b3895c19f39beda9b087295b7574c930dc5de3ee7c6e",
	       old, sizeof old);
	assert_memory_equal(ids8, old, DRAW_HASH_LEN);
	assert_memory_not_equal(ids8, gaps, DRAW_HASH_LEN);
	/* Order matters: the hash commits to the list, not the set. */
	const int64_t swapped[] = { 1, -5, 2, 1000, 0x0102030405060708, INT64_MAX };
	draw_gaps_hash(old, swapped, 6);
	assert_memory_not_equal(old, gaps, DRAW_HASH_LEN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_lengths_around_blocks),
		cmocka_unit_test(test_gaps_lengths_around_blocks),
		cmocka_unit_test(test_gaps_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
