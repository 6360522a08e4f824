/*
 * test_sign.c - the pure half of the signing key (DRAW.md 3.2.1, 4.7.1,
 * vector A.12): the draw key and secrets derived from a seed, the head
 * signature, and that a signature holds for exactly its seq, hash and key.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <sodium.h>

#include "fixture.h"
#include "sign.h"

static void seed_a12(uint8_t seed[SIGN_SEED_LEN])
{
	for (int i = 0; i < SIGN_SEED_LEN; i++)
		seed[i] = (uint8_t)(i + 1);
}

static void test_vector_a12(void **state)
{
	(void)state;
	uint8_t seed[SIGN_SEED_LEN], want[64], got[32], hash[SIGN_HASH_LEN],
	        sig[SIGN_SIG_LEN];
	struct sign_key k;
	seed_a12(seed);
	sign_key_from_seed(&k, seed);
	fx_hex("75aa1a427a8aa6529d4c1d8df5f9972a21fc6ee5e27fd6d167e1243b4d9d7af1", want, 32);
	assert_memory_equal(k.draw_key, want, 32);
	fx_hex("79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664", want, 32);
	assert_memory_equal(k.public_key, want, 32);
	sign_secret(got, &k, 1);
	fx_hex("33ba6f9835d6cf890600e5240d6a9bf3f7dd0d65648a531aca8e0f7089c3b81c", want, 32);
	assert_memory_equal(got, want, 32);
	sign_secret(got, &k, 2);
	fx_hex("5d6978352f57edb71e0a8da72ed488f70acfd156df5df4dc9b4155d4ed4d4ea8", want, 32);
	assert_memory_equal(got, want, 32);
	for (int i = 0; i < SIGN_HASH_LEN; i++)
		hash[i] = (uint8_t)(0x40 + i);
	sign_head(sig, 7, hash, &k);
	fx_hex("95654b4ebacfb649afd93c9ca54b987406870b80d5538f757c01ebf12f2edff0"
	       "6445a1d9a2d32c8db964a3d55ec12d407240fe2a4ed4181851108fe38216a305", want, 64);
	assert_memory_equal(sig, want, 64);
	sign_key_wipe(&k);
}

static void test_signature_holds_for_exactly_its_head(void **state)
{
	(void)state;
	uint8_t seed[SIGN_SEED_LEN], hash[SIGN_HASH_LEN] = {1, 2, 3}, sig[SIGN_SIG_LEN];
	struct sign_key k, other;
	seed_a12(seed);
	sign_key_from_seed(&k, seed);
	seed[0] ^= 1;
	sign_key_from_seed(&other, seed);
	sign_head(sig, 42, hash, &k);
	assert_true(sign_head_is_valid(sig, 42, hash, k.public_key));
	assert_false(sign_head_is_valid(sig, 43, hash, k.public_key));
	assert_false(sign_head_is_valid(sig, 41, hash, k.public_key));
	assert_false(sign_head_is_valid(sig, 42, hash, other.public_key));
	hash[31] ^= 0x80;
	assert_false(sign_head_is_valid(sig, 42, hash, k.public_key));
	hash[31] ^= 0x80;
	sig[0] ^= 1;
	assert_false(sign_head_is_valid(sig, 42, hash, k.public_key));
}

static void test_secrets_differ_by_position_and_key(void **state)
{
	(void)state;
	uint8_t seed[SIGN_SEED_LEN], a[32], b[32], c[32];
	struct sign_key k, other;
	seed_a12(seed);
	sign_key_from_seed(&k, seed);
	seed[31] ^= 1;
	sign_key_from_seed(&other, seed);
	sign_secret(a, &k, 5);
	sign_secret(b, &k, 6);
	sign_secret(c, &other, 5);
	assert_memory_not_equal(a, b, 32);
	assert_memory_not_equal(a, c, 32);
	/* The draw key is neither the seed nor the Ed25519 key. */
	seed[31] ^= 1;
	assert_memory_not_equal(k.draw_key, seed, 32);
	assert_memory_not_equal(k.draw_key, k.secret_key, 32);
	sign_secret(b, &k, 5);
	assert_memory_equal(a, b, 32);
}

static void test_rotation_endorsement_binds_place_and_key(void **state)
{
	(void)state;
	uint8_t seed[SIGN_SEED_LEN], prev[SIGN_HASH_LEN] = {7}, sig[SIGN_SIG_LEN];
	struct sign_key old, new, third;
	seed_a12(seed);
	sign_key_from_seed(&old, seed);
	seed[0] ^= 1;
	sign_key_from_seed(&new, seed);
	seed[0] ^= 2;
	sign_key_from_seed(&third, seed);
	sign_rotation(sig, 10, prev, new.public_key, &old);
	assert_true(sign_rotation_is_valid(sig, 10, prev, new.public_key, old.public_key));
	/* Another place in the chain, another new key, another endorser. */
	assert_false(sign_rotation_is_valid(sig, 11, prev, new.public_key, old.public_key));
	prev[0] ^= 1;
	assert_false(sign_rotation_is_valid(sig, 10, prev, new.public_key, old.public_key));
	prev[0] ^= 1;
	assert_false(sign_rotation_is_valid(sig, 10, prev, third.public_key, old.public_key));
	assert_false(sign_rotation_is_valid(sig, 10, prev, new.public_key, new.public_key));
	/* Not interchangeable with a head signature over the same bytes. */
	uint8_t head[SIGN_SIG_LEN];
	sign_head(head, 10, prev, &old);
	assert_false(sign_rotation_is_valid(head, 10, prev, new.public_key, old.public_key));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_a12),
		cmocka_unit_test(test_signature_holds_for_exactly_its_head),
		cmocka_unit_test(test_secrets_differ_by_position_and_key),
		cmocka_unit_test(test_rotation_endorsement_binds_place_and_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
