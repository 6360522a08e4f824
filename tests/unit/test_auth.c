/*
 * test_auth.c - the key allowlist: a good file loads and answers lookups,
 * each kind of mistake is refused with path:line and the reason, and
 * entries added by hand obey the same rules.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zmq.h>

#include "auth.h"
#include "fixture.h"
#include "keys.h"
#include "proto.h"

static char tmpdir[64];
/* Real keys from zmq_curve_keypair: K[0..5]. */
static char K[6][41];

static int setup(void **state)
{
	(void)state;
	char secret[41];
	for (int i = 0; i < 6; i++) {
		if (zmq_curve_keypair(K[i], secret) != 0)
			return -1;
	}
	return fx_tmpdir(tmpdir, sizeof(tmpdir), "auth") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return fx_rmdir(tmpdir) ? 0 : -1;
}

static void test_roles(void **state)
{
	(void)state;
	assert_int_equal(auth_role_parse("operator"), PROTO_ROLE_OPERATOR);
	assert_int_equal(auth_role_parse("bureau"), PROTO_ROLE_BUREAU);
	assert_int_equal(auth_role_parse("clerk"), PROTO_ROLE_CLERK);
	assert_int_equal(auth_role_parse("notifier"), PROTO_ROLE_NOTIFIER);
	assert_int_equal(auth_role_parse("expert"), 0);
	assert_int_equal(auth_role_parse("Operator"), 0);
	assert_int_equal(auth_role_parse(""), 0);
	assert_string_equal(auth_role_name(PROTO_ROLE_OPERATOR), "operator");
	assert_string_equal(auth_role_name(PROTO_ROLE_BUREAU), "bureau");
	assert_string_equal(auth_role_name(PROTO_ROLE_CLERK), "clerk");
	assert_string_equal(auth_role_name(PROTO_ROLE_NOTIFIER), "notifier");
	assert_string_equal(auth_role_name(PROTO_ROLE_EXPERT), "expert");
}

static void test_good_file(void **state)
{
	(void)state;
	char text[2048];
	snprintf(text, sizeof(text),
	         "# expertd allowlist\n"
	         "\n"
	         "%s  center.ops      operator\n"
	         "   %s\tbureau.tianhe  bureau  TH-01   # Tianhe district\n"
	         "%s clerk@tianhe.gov clerk TH-01\n"
	         "%s notify_1 notifier\n"
	         "  # indented comment\n"
	         "#%s commented.out operator\n",
	         K[0], K[1], K[2], K[3], K[4]);
	const char *path = fx_write_file(tmpdir, "allow", "", text);
	char err[512] = "";
	struct auth_list *l = auth_list_load(path, err, sizeof(err));
	if (l == NULL)
		fail_msg("load failed: %s", err);
	assert_int_equal(auth_list_count(l), 4);

	const struct auth_entry *e = auth_list_find_key(l, K[0]);
	assert_non_null(e);
	assert_string_equal(e->principal, "center.ops");
	assert_int_equal(e->role, PROTO_ROLE_OPERATOR);
	assert_string_equal(e->bureau, "");

	e = auth_list_find_principal(l, "bureau.tianhe");
	assert_non_null(e);
	assert_string_equal(e->key, K[1]);
	assert_int_equal(e->role, PROTO_ROLE_BUREAU);
	assert_string_equal(e->bureau, "TH-01");

	e = auth_list_find_key(l, K[2]);
	assert_non_null(e);
	assert_string_equal(e->principal, "clerk@tianhe.gov");
	assert_int_equal(e->role, PROTO_ROLE_CLERK);
	assert_string_equal(e->bureau, "TH-01");

	e = auth_list_find_principal(l, "notify_1");
	assert_non_null(e);
	assert_int_equal(e->role, PROTO_ROLE_NOTIFIER);

	/* The commented-out key is not in. */
	assert_null(auth_list_find_key(l, K[4]));
	assert_null(auth_list_find_principal(l, "commented.out"));
	assert_null(auth_list_find_principal(l, "nobody"));
	assert_null(auth_list_find_principal(l, "center.op"));
	auth_list_destroy(&l);
	assert_null(l);
	auth_list_destroy(&l); /* NULL-safe */
	auth_list_destroy(NULL);
}

/* No valid key starts with '#', so a leading '#' always comments out. */
static void test_hash_is_never_a_key(void **state)
{
	(void)state;
	char key[41];
	memcpy(key, K[5], sizeof(key));
	key[0] = '#';
	assert_false(keys_is_z85(key));
	char text[256];
	snprintf(text, sizeof(text), "%s hash.key operator\n", key);
	char err[512] = "";
	struct auth_list *l = auth_list_load(fx_write_file(tmpdir, "allow", "", text), err, sizeof(err));
	if (l == NULL)
		fail_msg("load failed: %s", err);
	assert_int_equal(auth_list_count(l), 0);
	auth_list_destroy(&l);
}

static void test_empty_file(void **state)
{
	(void)state;
	char err[256] = "";
	struct auth_list *l = auth_list_load(fx_write_file(tmpdir, "allow", "", "# nobody yet\n"), err,
	                                     sizeof(err));
	assert_non_null(l);
	assert_int_equal(auth_list_count(l), 0);
	assert_null(auth_list_find_key(l, K[0]));
	auth_list_destroy(&l);
}

static void test_missing_file(void **state)
{
	(void)state;
	char err[256] = "";
	assert_null(auth_list_load("/nonexistent/allowlist", err, sizeof(err)));
	fx_assert_contains(err, "/nonexistent/allowlist");
}

static void test_errors(void **state)
{
	(void)state;
	char badkey[41];
	memcpy(badkey, K[0], sizeof(badkey));
	badkey[7] = ' '; /* split the key into two fields */
	char shortkey[40];
	memcpy(shortkey, K[0], 39);
	shortkey[39] = '\0';
	char longprincipal[70];
	memset(longprincipal, 'p', 64);
	longprincipal[64] = '\0';

	struct {
		char text[256];
		int line;
		const char *mention;
	} cases[16];
	int n = 0;
#define CASE(line_, mention_, ...)                                        \
	do {                                                               \
		snprintf(cases[n].text, sizeof(cases[n].text), __VA_ARGS__);   \
		cases[n].line = line_;                                         \
		cases[n].mention = mention_;                                   \
		n++;                                                           \
	} while (0)
	CASE(2, "key", "%s a operator\n%s b operator\n", K[0], shortkey);
	CASE(1, "key", "%s a operator\n", badkey);
	CASE(1, "key", "%sX a operator\n", K[0]);
	CASE(1, "key", "%.39s~ a operator\n", K[0]);
	CASE(1, "principal", "%s bad/name operator\n", K[0]);
	CASE(1, "principal", "%s %s operator\n", K[0], longprincipal);
	CASE(1, "role", "%s a admin\n", K[0]);
	CASE(1, "bureau code", "%s a bureau\n", K[0]);
	CASE(1, "bureau code", "%s a clerk\n", K[0]);
	CASE(1, "bureau code", "%s a clerk TH_01\n", K[0]);
	CASE(1, "bureau code", "%s a operator TH-01\n", K[0]);
	CASE(1, "bureau code", "%s a notifier TH-01\n", K[0]);
	CASE(3, "duplicate key", "%s a operator\n\n%s b operator\n", K[0], K[0]);
	CASE(2, "duplicate principal 'a' (first on line 1)",
	     "%s a operator\n%s a notifier\n", K[0], K[1]);
	CASE(1, "too many", "%s a clerk TH-01 extra\n", K[0]);
	CASE(1, "need", "%s a\n", K[0]);
#undef CASE
	for (int i = 0; i < n; i++) {
		const char *path = fx_write_file(tmpdir, "allow", "", cases[i].text);
		char where[160], err[512] = "";
		snprintf(where, sizeof(where), "%s:%d:", path, cases[i].line);
		struct auth_list *l = auth_list_load(path, err, sizeof(err));
		if (l != NULL)
			fail_msg("case %d loaded: %s", i, cases[i].text);
		fx_assert_contains(err, where);
		fx_assert_contains(err, cases[i].mention);
	}
}

static void test_long_principal_limit(void **state)
{
	(void)state;
	char p63[64], text[256], err[256] = "";
	memset(p63, 'p', 63);
	p63[63] = '\0';
	snprintf(text, sizeof(text), "%s %s operator\n%s B-31 bureau %s\n", K[0],
	         p63, K[1], "abcdefghijabcdefghijabcdefghij1");
	struct auth_list *l = auth_list_load(fx_write_file(tmpdir, "allow", "", text), err, sizeof(err));
	if (l == NULL)
		fail_msg("load failed: %s", err);
	assert_non_null(auth_list_find_principal(l, p63));
	assert_string_equal(auth_list_find_principal(l, "B-31")->bureau,
	                    "abcdefghijabcdefghijabcdefghij1");
	auth_list_destroy(&l);

	snprintf(text, sizeof(text), "%s x bureau %s\n", K[0],
	         "abcdefghijabcdefghijabcdefghij12");
	assert_null(auth_list_load(fx_write_file(tmpdir, "allow", "", text), err, sizeof(err)));
	fx_assert_contains(err, "bureau code");
}

static struct auth_entry entry(const char *key, const char *principal,
                               unsigned role, const char *bureau)
{
	struct auth_entry e;
	memset(&e, 0, sizeof(e));
	snprintf(e.key, sizeof(e.key), "%s", key);
	snprintf(e.principal, sizeof(e.principal), "%s", principal);
	e.role = role;
	snprintf(e.bureau, sizeof(e.bureau), "%s", bureau);
	return e;
}

static void test_add_and_lookup(void **state)
{
	(void)state;
	struct auth_list *l = auth_list_new();
	assert_non_null(l);
	assert_int_equal(auth_list_count(l), 0);
	assert_null(auth_list_find_key(l, K[0]));

	struct auth_entry e = entry(K[0], "ops", PROTO_ROLE_OPERATOR, "");
	assert_true(auth_list_add(l, &e));
	const struct auth_entry *first = auth_list_find_key(l, K[0]);
	assert_non_null(first);
	/* The list keeps its own copy. */
	strcpy(e.principal, "changed");
	assert_string_equal(first->principal, "ops");

	e = entry(K[0], "other", PROTO_ROLE_OPERATOR, "");
	assert_false(auth_list_add(l, &e)); /* duplicate key */
	e = entry(K[1], "ops", PROTO_ROLE_NOTIFIER, "");
	assert_false(auth_list_add(l, &e)); /* duplicate principal */
	e = entry("not a key", "x", PROTO_ROLE_OPERATOR, "");
	assert_false(auth_list_add(l, &e));
	e = entry(K[1], "x", PROTO_ROLE_CLERK, "");
	assert_false(auth_list_add(l, &e)); /* clerk without bureau */
	e = entry(K[1], "x", 0, "");
	assert_false(auth_list_add(l, &e));
	e = entry(K[1], "x", PROTO_ROLE_EXPERT, "");
	assert_false(auth_list_add(l, &e));
	assert_int_equal(auth_list_count(l), 1);

	/* Grow well past the first table size; earlier pointers stay valid. */
	for (int i = 0; i < 500; i++) {
		char pub[41], sec[41], principal[32];
		assert_int_equal(zmq_curve_keypair(pub, sec), 0);
		snprintf(principal, sizeof(principal), "user%d", i);
		e = entry(pub, principal, PROTO_ROLE_BUREAU, "B1");
		assert_true(auth_list_add(l, &e));
		assert_ptr_equal(auth_list_find_principal(l, principal),
		                 auth_list_find_key(l, pub));
	}
	assert_int_equal(auth_list_count(l), 501);
	assert_ptr_equal(auth_list_find_key(l, K[0]), first);
	assert_string_equal(first->principal, "ops");
	assert_non_null(auth_list_find_principal(l, "user0"));
	assert_non_null(auth_list_find_principal(l, "user499"));
	assert_null(auth_list_find_principal(l, "user500"));
	auth_list_destroy(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_hash_is_never_a_key),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_long_principal_limit),
		cmocka_unit_test(test_add_and_lookup),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
