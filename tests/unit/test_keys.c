/*
 * test_keys.c - CURVE key files: generate, write (0600, no overwrite),
 * read back; corrupt or mismatched files are refused; a public key can be
 * given inline or as a file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "fixture.h"
#include "keys.h"

static char tmpdir[64];
static int file_seq;

static int setup(void **state)
{
	(void)state;
	return fx_tmpdir(tmpdir, sizeof(tmpdir), "keys") ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return fx_rmdir(tmpdir) ? 0 : -1;
}

/* A fresh base path in tmpdir (static buffer). */
static const char *base_path(void)
{
	static char path[128];
	snprintf(path, sizeof(path), "%s/k%d", tmpdir, ++file_seq);
	return path;
}

static void test_generate(void **state)
{
	(void)state;
	struct keys_pair a, b;
	char err[256];
	assert_true(keys_generate(&a, err, sizeof(err)));
	assert_true(keys_generate(&b, err, sizeof(err)));
	assert_int_equal(strlen(a.public_key), KEYS_Z85_LEN);
	assert_int_equal(strlen(a.secret_key), KEYS_Z85_LEN);
	assert_true(keys_is_z85(a.public_key));
	assert_true(keys_is_z85(a.secret_key));
	assert_string_not_equal(a.public_key, b.public_key);
	assert_string_not_equal(a.secret_key, b.secret_key);
}

static void test_is_z85(void **state)
{
	(void)state;
	struct keys_pair kp;
	char err[256], s[64];
	assert_true(keys_generate(&kp, err, sizeof(err)));
	assert_true(keys_is_z85(kp.public_key));

	assert_false(keys_is_z85(NULL));
	assert_false(keys_is_z85(""));
	snprintf(s, sizeof(s), "%.39s", kp.public_key);
	assert_false(keys_is_z85(s));
	snprintf(s, sizeof(s), "%sA", kp.public_key);
	assert_false(keys_is_z85(s));
	snprintf(s, sizeof(s), "%s", kp.public_key);
	s[10] = '~'; /* not in the alphabet */
	assert_false(keys_is_z85(s));
	s[10] = ' ';
	assert_false(keys_is_z85(s));
	/* Right alphabet, but "%%%%%" is more than 32 bits. */
	memset(s, '%', 40);
	s[40] = '\0';
	assert_false(keys_is_z85(s));
	memset(s, '0', 40);
	assert_true(keys_is_z85(s));
}

static void test_round_trip(void **state)
{
	(void)state;
	struct keys_pair kp, back;
	char err[256], path[160], pub[KEYS_Z85_LEN + 1];
	const char *base = base_path();
	assert_true(keys_generate(&kp, err, sizeof(err)));
	if (!keys_write(base, &kp, err, sizeof(err)))
		fail_msg("keys_write: %s", err);

	struct stat st;
	snprintf(path, sizeof(path), "%s.key", base);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	if (!keys_read_secret(path, &back, err, sizeof(err)))
		fail_msg("keys_read_secret: %s", err);
	assert_string_equal(back.public_key, kp.public_key);
	assert_string_equal(back.secret_key, kp.secret_key);
	/* The secret file also yields the public key. */
	assert_true(keys_read_public(path, pub, err, sizeof(err)));
	assert_string_equal(pub, kp.public_key);

	snprintf(path, sizeof(path), "%s.pub", base);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_true(keys_read_public(path, pub, err, sizeof(err)));
	assert_string_equal(pub, kp.public_key);
	/* A .pub file is not a secret key file. */
	assert_false(keys_read_secret(path, &back, err, sizeof(err)));
	fx_assert_contains(err, "secret-key");

	/* No secret in the .pub file. */
	FILE *fp = fopen(path, "r");
	assert_non_null(fp);
	char buf[512];
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	assert_null(strstr(buf, kp.secret_key));
}

static void test_refuse_overwrite(void **state)
{
	(void)state;
	struct keys_pair kp1, kp2, back;
	char err[256], path[160];
	const char *base = base_path();
	assert_true(keys_generate(&kp1, err, sizeof(err)));
	assert_true(keys_generate(&kp2, err, sizeof(err)));
	assert_true(keys_write(base, &kp1, err, sizeof(err)));
	err[0] = '\0';
	assert_false(keys_write(base, &kp2, err, sizeof(err)));
	fx_assert_contains(err, "exists");
	snprintf(path, sizeof(path), "%s.key", base);
	assert_true(keys_read_secret(path, &back, err, sizeof(err)));
	assert_string_equal(back.secret_key, kp1.secret_key);

	/* A stale .pub also blocks, and no .key is left behind. */
	const char *base2 = base_path();
	snprintf(path, sizeof(path), "%s.pub", base2);
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_false(keys_write(base2, &kp2, err, sizeof(err)));
	fx_assert_contains(err, ".pub");
	snprintf(path, sizeof(path), "%s.key", base2);
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0);
}

static void test_write_rejects_bad_pair(void **state)
{
	(void)state;
	struct keys_pair a, b;
	char err[256];
	assert_true(keys_generate(&a, err, sizeof(err)));
	assert_true(keys_generate(&b, err, sizeof(err)));
	memcpy(a.secret_key, b.secret_key, sizeof(a.secret_key));
	assert_false(keys_write(base_path(), &a, err, sizeof(err)));
	a.secret_key[0] = '\0';
	assert_false(keys_write(base_path(), &a, err, sizeof(err)));
}

static void test_corrupt_files(void **state)
{
	(void)state;
	struct keys_pair kp, other, back;
	char err[512], text[512];
	assert_true(keys_generate(&kp, err, sizeof(err)));
	assert_true(keys_generate(&other, err, sizeof(err)));

	/* Secret key of another pair. */
	snprintf(text, sizeof(text), "[curve]\npublic-key = %s\nsecret-key = %s\n",
	         kp.public_key, other.secret_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	fx_assert_contains(err, "does not belong");
	char pub[KEYS_Z85_LEN + 1];
	assert_false(keys_read_public(fx_write_file(tmpdir, "f", "", text), pub, err, sizeof(err)));

	/* A damaged key: one character replaced, one dropped. */
	snprintf(text, sizeof(text), "[curve]\npublic-key = %s\nsecret-key = %.20s~%s\n",
	         kp.public_key, kp.secret_key, kp.secret_key + 21);
	const char *path = fx_write_file(tmpdir, "f", "", text);
	assert_false(keys_read_secret(path, &back, err, sizeof(err)));
	char where[160];
	snprintf(where, sizeof(where), "%s:3:", path);
	fx_assert_contains(err, where);
	fx_assert_contains(err, "secret-key");
	snprintf(text, sizeof(text), "[curve]\npublic-key = %.39s\nsecret-key = %s\n",
	         kp.public_key, kp.secret_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	fx_assert_contains(err, "public-key");

	/* Missing secret, unknown key, wrong section, syntax, duplicates. */
	snprintf(text, sizeof(text), "[curve]\npublic-key = %s\n", kp.public_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	snprintf(text, sizeof(text), "[curve]\npublic-key = %s\nsecret-key = %s\n"
	         "secret_key = x\n", kp.public_key, kp.secret_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	fx_assert_contains(err, "secret_key");
	snprintf(text, sizeof(text), "[keys]\npublic-key = %s\nsecret-key = %s\n",
	         kp.public_key, kp.secret_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	fx_assert_contains(err, "curve");
	/* Not a random key here: one that starts with '#' is a comment, one
	 * with '=' a setting, and the line would be no syntax error. */
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", "[curve]\nno equals sign here\n"),
	                              &back, err, sizeof(err)));
	fx_assert_contains(err, ":2:");
	snprintf(text, sizeof(text), "[curve]\npublic-key = %s\npublic-key = %s\n"
	         "secret-key = %s\n", kp.public_key, kp.public_key, kp.secret_key);
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", text), &back, err, sizeof(err)));
	fx_assert_contains(err, "twice");
	assert_false(keys_read_secret(fx_write_file(tmpdir, "f", "", ""), &back, err, sizeof(err)));

	assert_false(keys_read_secret("/nonexistent/x.key", &back, err, sizeof(err)));
	fx_assert_contains(err, "/nonexistent/x.key");
}

static void test_read_public_forms(void **state)
{
	(void)state;
	struct keys_pair kp;
	char err[256], out[KEYS_Z85_LEN + 1], text[256];
	assert_true(keys_generate(&kp, err, sizeof(err)));

	/* Raw Z85 is taken as is, without touching the file system. */
	assert_true(keys_read_public(kp.public_key, out, err, sizeof(err)));
	assert_string_equal(out, kp.public_key);

	/* A hand-written public file, indented, with comments. */
	snprintf(text, sizeof(text), "; server key\n[curve]\n  public-key = %s\n",
	         kp.public_key);
	assert_true(keys_read_public(fx_write_file(tmpdir, "f", "", text), out, err, sizeof(err)));
	assert_string_equal(out, kp.public_key);

	/* Neither a key nor a file. */
	assert_false(keys_read_public("/nonexistent/server.pub", out, err,
	                              sizeof(err)));
	fx_assert_contains(err, "/nonexistent/server.pub");
	assert_string_equal(out, "");
	/* A file without a public key. */
	assert_false(keys_read_public(fx_write_file(tmpdir, "f", "", "[curve]\n"), out, err,
	                              sizeof(err)));
	fx_assert_contains(err, "public-key");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_is_z85),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refuse_overwrite),
		cmocka_unit_test(test_write_rejects_bad_pair),
		cmocka_unit_test(test_corrupt_files),
		cmocka_unit_test(test_read_public_forms),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
