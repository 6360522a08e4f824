/*
 * test_token.c - answer tokens (PROTOCOL.md 7.12.3): the written form,
 * parsing back to the seat and the stored hash, refusal of anything
 * malformed, distinct tokens per call; reading a token as an SMS app
 * hands it over and the target it names; and the throttle of the answer
 * endpoint (PROTOCOL.md 7.12.9) with injected times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "textnorm.h"
#include "throttle.h"
#include "token.h"

static void test_token_round_trip(void **state)
{
	(void)state;
	char text[TOKEN_STR_MAX];
	uint8_t stored[TOKEN_HASH_LEN], seen[TOKEN_HASH_LEN];
	int64_t id = 0;

	token_make(42, text, stored);
	assert_int_equal(strlen(text), 3 + 22);
	assert_memory_equal(text, "42.", 3);
	for (size_t i = 3; i < strlen(text); i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                       "0123456789-_", text[i]));
	assert_true(token_parse(text, strlen(text), &id, seen));
	assert_int_equal(id, 42);
	assert_true(token_hash_equal(stored, seen));
}

static void test_tokens_differ(void **state)
{
	(void)state;
	char a[TOKEN_STR_MAX], b[TOKEN_STR_MAX];
	uint8_t ha[TOKEN_HASH_LEN], hb[TOKEN_HASH_LEN];
	token_make(7, a, ha);
	token_make(7, b, hb);
	assert_string_not_equal(a, b);
	assert_false(token_hash_equal(ha, hb));
}

/* One changed character is another secret: the hash no longer matches. */
static void test_token_tampered(void **state)
{
	(void)state;
	char text[TOKEN_STR_MAX];
	uint8_t stored[TOKEN_HASH_LEN], seen[TOKEN_HASH_LEN];
	int64_t id;
	token_make(9, text, stored);
	size_t last = strlen(text) - 2;
	text[last] = text[last] == 'A' ? 'B' : 'A';
	assert_true(token_parse(text, strlen(text), &id, seen));
	assert_false(token_hash_equal(stored, seen));
}

static void test_token_malformed(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"", ".", "42", "42.", ".AAAAAAAAAAAAAAAAAAAAAA", "0.AAAAAAAAAAAAAAAAAAAAAA",
		"-1.AAAAAAAAAAAAAAAAAAAAAA", "42.AAAAAAAAAAAAAAAAAAAAA",     /* 21 chars */
		"42.AAAAAAAAAAAAAAAAAAAAAAA",                                 /* 23 chars */
		"42.AAAAAAAAAAAAAAAAAAAA+/",                                  /* not URL-safe */
		"42.AAAAAAAAAAAAAAAAAAAA==", "4x.AAAAAAAAAAAAAAAAAAAAAA",
		"12345678901234567890.AAAAAAAAAAAAAAAAAAAAAA",                /* 20 digits */
		"9999999999999999999.AAAAAAAAAAAAAAAAAAAAAA",                 /* > INT64_MAX */
		"9223372036854775808.AAAAAAAAAAAAAAAAAAAAAA",                 /* INT64_MAX + 1 */
		"042.AAAAAAAAAAAAAAAAAAAAAA",                                 /* leading zero */
	};
	uint8_t h[TOKEN_HASH_LEN];
	int64_t id = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (token_parse(bad[i], strlen(bad[i]), &id, h))
			fail_msg("accepted '%s'", bad[i]);
	}
	/* A NUL inside is not the end of the token. */
	char text[TOKEN_STR_MAX];
	token_make(5, text, h);
	text[4] = '\0';
	assert_false(token_parse(text, 3 + 22, &id, h));
}

#define T0 INT64_C(1800000000)

static void test_throttle_blocks_after_limit(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(8, 5, 600);
	assert_non_null(t);
	const char a[] = "conn-a", b[] = "conn-b";
	for (int i = 0; i < 4; i++) {
		throttle_fail(t, a, sizeof a, T0 + i);
		assert_false(throttle_blocked(t, a, sizeof a, T0 + i));
	}
	throttle_fail(t, a, sizeof a, T0 + 10);
	assert_true(throttle_blocked(t, a, sizeof a, T0 + 10));
	/* Another connection is not affected. */
	assert_false(throttle_blocked(t, b, sizeof b, T0 + 10));
	/* Blocked until 10 minutes after the last failure. */
	assert_true(throttle_blocked(t, a, sizeof a, T0 + 609));
	assert_false(throttle_blocked(t, a, sizeof a, T0 + 610));
	throttle_destroy(&t);
	assert_null(t);
}

/* Failures spread wider than the window never add up to a block. */
static void test_throttle_window_slides(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(8, 5, 600);
	const char a[] = "conn-a";
	for (int i = 0; i < 20; i++) {
		throttle_fail(t, a, sizeof a, T0 + i * 200);
		assert_false(throttle_blocked(t, a, sizeof a, T0 + i * 200));
	}
	throttle_destroy(&t);
}

/* The window slides: five failures within any 600 s block, whenever the
 * run started; the budget is what is left before the block. */
static void test_throttle_sliding_window(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(8, 5, 600);
	const char a[] = "conn-a";
	static const int64_t at[] = {0, 590, 595, 598, 601};
	for (size_t i = 0; i < sizeof at / sizeof *at; i++)
		throttle_fail(t, a, sizeof a, T0 + at[i]);
	/* 590..601 is four within the window: 0 fell out. */
	assert_false(throttle_blocked(t, a, sizeof a, T0 + 601));
	assert_int_equal(throttle_budget(t, a, sizeof a, T0 + 601), 1);
	throttle_fail(t, a, sizeof a, T0 + 602);
	assert_true(throttle_blocked(t, a, sizeof a, T0 + 602));
	assert_int_equal(throttle_budget(t, a, sizeof a, T0 + 602), 0);
	assert_true(throttle_blocked(t, a, sizeof a, T0 + 1201));
	assert_false(throttle_blocked(t, a, sizeof a, T0 + 1202));
	/* A stranger has the whole budget. */
	assert_int_equal(throttle_budget(t, "b", 1, T0 + 602), 5);
	throttle_destroy(&t);
}

/* A full table reuses the slot idle longest: memory stays fixed. */
static void test_throttle_full_table(void **state)
{
	(void)state;
	struct throttle *t = throttle_new(2, 2, 600);
	throttle_fail(t, "a", 1, T0);
	throttle_fail(t, "a", 1, T0 + 1);
	assert_true(throttle_blocked(t, "a", 1, T0 + 2));
	throttle_fail(t, "b", 1, T0 + 3);
	throttle_fail(t, "c", 1, T0 + 4);   /* evicts a, idle longest */
	assert_false(throttle_blocked(t, "a", 1, T0 + 5));
	throttle_fail(t, "c", 1, T0 + 5);
	assert_true(throttle_blocked(t, "c", 1, T0 + 6));
	throttle_destroy(&t);
	throttle_destroy(&t);   /* NULL-safe */
}

/* What an SMS app or a hand adds is not the token's (PROTOCOL.md 7.12.3). */
static void test_token_clean(void **state)
{
	(void)state;
	static const char *const as_sent[] = {
		"42.rTw0qZ3g1vX9bE2mK8pL4w",
		"42.rTw0qZ3g1vX9bE2mK8pL4w\u3002",            /* 。 */
		"  42.rTw0qZ3g1vX9bE2mK8pL4w \n",
		"42.rTw0qZ3g1vX9bE2mK8pL4w\uff09",            /* ） */
		"(42.rTw0qZ3g1vX9bE2mK8pL4w)!?",
		"42.rTw0qZ3g1vX9bE2mK8pL4w\uff01\uff1f\u3001\uff0c", /* ！？、， */
		"\uff14\uff12\uff0e\uff52Tw0qZ3g1vX9bE2mK8pL4w",  /* full-width 42.r */
		"42\u3002rTw0qZ3g1vX9bE2mK8pL4w.",             /* 。 as the dot */
		"\u200b42.rTw0qZ3g1vX9bE2m K8pL4w\ufeff",     /* zero-width, a space */
		"\u300c42.rTw0qZ3g1vX9bE2mK8pL4w\u300d",      /* 「」 */
	};
	for (size_t i = 0; i < sizeof as_sent / sizeof as_sent[0]; i++) {
		char out[TOKEN_STR_MAX];
		size_t n = 0;
		assert_true(token_clean(as_sent[i], strlen(as_sent[i]), out, &n));
		assert_string_equal(out, "42.rTw0qZ3g1vX9bE2mK8pL4w");
		assert_int_equal(n, 25);
		assert_int_equal(token_target(as_sent[i], strlen(as_sent[i])), 42);
	}
	/* A character no token holds stays inside, as `?`, and fails. */
	char out[TOKEN_STR_MAX];
	size_t n = 0;
	assert_true(token_clean("42.rTw0\u4e2dZ3g", strlen("42.rTw0\u4e2dZ3g"), out, &n));
	assert_string_equal(out, "42.rTw0?Z3g");
	assert_true(token_clean("42.rT\x01w0", 8, out, &n));   /* a control character */
	assert_string_equal(out, "42.rT?w0");
	/* Nothing token-like, invalid UTF-8, a NUL, too long: nothing. */
	assert_false(token_clean("\u3002 !", strlen("\u3002 !"), out, &n));
	assert_false(token_clean("42.\xff", 4, out, &n));
	assert_false(token_clean("42\0.x", 5, out, &n));
	char longer[TOKEN_STR_MAX + 8];
	memset(longer, 'a', sizeof longer);
	assert_false(token_clean(longer, sizeof longer, out, &n));
	/* The bytes need no NUL: only n of them are read. */
	assert_true(token_clean("7.abcXYZ", 3, out, &n));
	assert_string_equal(out, "7.a");
}

/* The target a token names: its prefix seat, or 0 for none. */
static void test_token_target(void **state)
{
	(void)state;
	assert_int_equal(token_target("12.AAAA", 7), 12);
	assert_int_equal(token_target("999999.x", 8), 999999);
	assert_int_equal(token_target("abc", 3), 0);
	assert_int_equal(token_target("012.AAAA", 8), 0);       /* leading zero */
	assert_int_equal(token_target("12AAAA", 6), 0);         /* no dot */
	assert_int_equal(token_target(".AAAA", 5), 0);
	assert_int_equal(token_target("99999999999999999999.A", 22), 0); /* > int64 */
	/* textnorm_token() alone, as the answer page uses it. */
	char out[8];
	assert_int_equal(textnorm_token("  1.ab\u3002", 9, out, sizeof out), 4);
	assert_string_equal(out, "1.ab");
	assert_int_equal(textnorm_token("1.abcdefgh", 10, out, sizeof out), 0); /* no room */
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_round_trip),
		cmocka_unit_test(test_tokens_differ),
		cmocka_unit_test(test_token_tampered),
		cmocka_unit_test(test_token_malformed),
		cmocka_unit_test(test_throttle_blocks_after_limit),
		cmocka_unit_test(test_throttle_window_slides),
		cmocka_unit_test(test_throttle_sliding_window),
		cmocka_unit_test(test_throttle_full_table),
		cmocka_unit_test(test_token_clean),
		cmocka_unit_test(test_token_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
