/*
 * test_csrf.c - the answer page's form tokens (clients/answer/csrf.h):
 * good for their link until their expiry under their key, and for
 * nothing else; anything malformed is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "csrf.h"

#define T0 1800000000

static const char LINK[] = "42.rTw0qZ3g1vX9bE2mK8pL4w";

static void test_csrf_round_trip(void **state)
{
	(void)state;
	uint8_t key[CSRF_KEY_LEN];
	char v[CSRF_SIZE];
	crypto_auth_hmacsha512256_keygen(key);
	csrf_make(key, LINK, T0 + 7200, v);
	assert_true(csrf_check(key, LINK, v, strlen(v), T0));
	assert_true(csrf_check(key, LINK, v, strlen(v), T0 + 7199));
	/* Expired at its expiry. */
	assert_false(csrf_check(key, LINK, v, strlen(v), T0 + 7200));
	/* Another link, another key. */
	assert_false(csrf_check(key, "42.rTw0qZ3g1vX9bE2mK8pL4x", v, strlen(v), T0));
	uint8_t other[CSRF_KEY_LEN];
	crypto_auth_hmacsha512256_keygen(other);
	assert_false(csrf_check(other, LINK, v, strlen(v), T0));
}

static void test_csrf_tampered(void **state)
{
	(void)state;
	uint8_t key[CSRF_KEY_LEN];
	char v[CSRF_SIZE], w[CSRF_SIZE];
	crypto_auth_hmacsha512256_keygen(key);
	csrf_make(key, LINK, T0 + 100, v);
	/* A later expiry with the same MAC. */
	memcpy(w, v, sizeof w);
	w[0] = w[0] == '9' ? '8' : (char)(w[0] + 1);
	assert_false(csrf_check(key, LINK, w, strlen(w), T0));
	/* One hex digit of the MAC. */
	memcpy(w, v, sizeof w);
	size_t n = strlen(w);
	w[n - 1] = w[n - 1] == '0' ? '1' : '0';
	assert_false(csrf_check(key, LINK, w, n, T0));
	/* Malformed: empty, no dot, short MAC, not hex, extra bytes. */
	static const char *const bad[] = {"", ".", "1800000100", "1800000100.abcd",
	                                  "x.00", "1800000100." "zz"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_false(csrf_check(key, LINK, bad[i], strlen(bad[i]), T0));
	char longer[CSRF_SIZE + 2];
	snprintf(longer, sizeof longer, "%s0", v);
	assert_false(csrf_check(key, LINK, longer, strlen(longer), T0));
	/* Only n bytes are read. */
	assert_true(csrf_check(key, LINK, longer, strlen(v), T0));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csrf_round_trip),
		cmocka_unit_test(test_csrf_tampered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
