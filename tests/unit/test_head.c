/*
 * test_head.c - the signed head and the derived secrets in a real store
 * (DRAW.md 3.2.1-3.2.2, 4.7): a batch leaves its last entry signed; an
 * entry appended without the key, a head put back from earlier that
 * names a rewritten entry, and another key are each named at start; the
 * pending secret is never stored, and a raw one from before is revealed
 * once and then deleted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <sodium.h>

#include "audit_log.h"
#include "head.h"
#include "secret.h"
#include "unit_db.h"

static int fx_setup(void **state)
{
	static struct unit_dispatch u;
	if (!unit_dispatch_open(&u, "head"))
		return -1;
	*state = &u;
	return 0;
}

static int fx_teardown(void **state)
{
	unit_dispatch_close(*state);
	return 0;
}

/* Append an entry as someone with only the database would. */
static void append_unsigned(struct store *s)
{
	msgpack_sbuffer body;
	msgpack_sbuffer_init(&body);
	msgpack_sbuffer_write(&body, "\x80", 1);   /* {} */
	assert_int_equal(store_batch_begin(s), STORE_OK);
	assert_int_equal(audit_log_append(s, AUDIT_TASK_FILLED, 1, &body, NULL, NULL),
	                 STORE_OK);
	assert_int_equal(store_batch_commit(s), STORE_OK);
	msgpack_sbuffer_destroy(&body);
}

static void check(struct unit_dispatch *u, const struct sign_key *k, int64_t *bad,
                  char *why, size_t whysz)
{
	bool adopted = true;
	assert_int_equal(head_check(u->store, k, bad, &adopted, why, whysz), STORE_OK);
	assert_false(adopted);
}

static void test_genesis_is_signed_and_an_unsigned_append_is_named(void **state)
{
	struct unit_dispatch *u = *state;
	struct head h;
	int64_t bad;
	char why[200];
	assert_int_equal(head_get(u->store, &h), STORE_OK);
	assert_int_equal(h.seq, 1);
	assert_true(sign_head_is_valid(h.sig, h.seq, h.hash, u->sign.public_key));
	check(u, &u->sign, &bad, why, sizeof why);
	assert_int_equal(bad, 0);
	append_unsigned(u->store);
	check(u, &u->sign, &bad, why, sizeof why);
	assert_int_equal(bad, 2);
	assert_non_null(strstr(why, "appended without the signing key"));
	/* Signed by the key holder, it is the head again. */
	assert_int_equal(store_batch_begin(u->store), STORE_OK);
	assert_int_equal(head_sign(u->store, &u->sign, &h), STORE_OK);
	assert_int_equal(store_batch_commit(u->store), STORE_OK);
	assert_int_equal(h.seq, 2);
	check(u, &u->sign, &bad, why, sizeof why);
	assert_int_equal(bad, 0);
}

static void test_another_key_is_named(void **state)
{
	struct unit_dispatch *u = *state;
	uint8_t seed[SIGN_SEED_LEN] = {9};
	struct sign_key other;
	int64_t bad;
	char why[200];
	sign_key_from_seed(&other, seed);
	check(u, &other, &bad, why, sizeof why);
	assert_int_equal(bad, 1);
	assert_non_null(strstr(why, "does not verify under the signing key"));
	assert_int_equal(secret_check(u->store, &other, why, sizeof why), STORE_UNKNOWN);
	assert_non_null(strstr(why, "does not derive the committed draw secret 1"));
	assert_int_equal(secret_check(u->store, &u->sign, why, sizeof why), STORE_OK);
}

/* Every meta value holds no secret of positions 1..3. */
static void assert_no_secret_stored(struct store *s, const struct sign_key *k)
{
	static const char *const keys[] = {SECRET_POS_KEY, SECRET_COMMIT_KEY,
	                                   SECRET_LEGACY_KEY, HEAD_KEY};
	for (int pos = 1; pos <= 3; pos++) {
		uint8_t secret[32], v[256];
		sign_secret(secret, k, pos);
		for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
			size_t len = 0;
			if (store_meta_get(s, keys[i], v, sizeof v, &len) != STORE_OK)
				continue;
			for (size_t off = 0; off + 32 <= len; off++)
				assert_memory_not_equal(v + off, secret, 32);
		}
	}
}

static void test_secrets_are_derived_and_a_raw_one_is_revealed_once(void **state)
{
	struct unit_dispatch *u = *state;
	uint8_t secret[32], commit[32], want[32], raw[32], pending[32];
	char why[200];
	assert_no_secret_stored(u->store, &u->sign);
	assert_int_equal(store_batch_begin(u->store), STORE_OK);
	assert_int_equal(secret_next(u->store, &u->sign, secret, commit, why, sizeof why),
	                 STORE_OK);
	sign_secret(want, &u->sign, 1);
	assert_memory_equal(secret, want, 32);
	sign_secret(want, &u->sign, 2);
	audit_commit(pending, want);
	assert_memory_equal(commit, pending, 32);
	/* A store from before: a raw secret kept, and committed to. */
	randombytes_buf(raw, sizeof raw);
	assert_int_equal(store_meta_put(u->store, SECRET_LEGACY_KEY, raw, sizeof raw),
	                 STORE_OK);
	assert_int_equal(secret_next(u->store, &u->sign, secret, commit, why, sizeof why),
	                 STORE_OK);
	assert_memory_equal(secret, raw, 32);
	size_t len = 0;
	assert_int_equal(store_meta_get(u->store, SECRET_LEGACY_KEY, raw, sizeof raw, &len),
	                 STORE_NOT_FOUND);
	/* Then derived again, from the position after the last derived one. */
	sign_secret(want, &u->sign, 3);
	audit_commit(pending, want);
	assert_memory_equal(commit, pending, 32);
	assert_int_equal(secret_next(u->store, &u->sign, secret, commit, why, sizeof why),
	                 STORE_OK);
	assert_memory_equal(secret, want, 32);
	assert_int_equal(store_batch_commit(u->store), STORE_OK);
	assert_no_secret_stored(u->store, &u->sign);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_genesis_is_signed_and_an_unsigned_append_is_named,
			fx_setup, fx_teardown),
		cmocka_unit_test_setup_teardown(test_another_key_is_named, fx_setup,
		                                fx_teardown),
		cmocka_unit_test_setup_teardown(
			test_secrets_are_derived_and_a_raw_one_is_revealed_once,
			fx_setup, fx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
