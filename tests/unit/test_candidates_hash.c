/*
 * test_candidates_hash.c - the hash a transcript commits to (BLAKE2b-256
 * over the candidate ids as 8-byte big-endian integers) at list lengths
 * around the encoder's block size, against a byte-by-byte encoding hashed
 * in one call: encoding in blocks must not change a single byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>
#include <sodium.h>

#include "draw.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_lengths_around_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
