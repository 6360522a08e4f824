/*
 * test_intern.c - the interning table: ids in the order strings were
 * first added, the same id for the same bytes however often, never the
 * same id for strings that differ only in length or in a byte past the
 * first eight (the hash reads words), and every id kept across the
 * table's growth.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "intern.h"

#define N_STRINGS 5000

static void name_of(int i, char *buf, size_t size)
{
	/* Lengths 0..23 and a shared 16-byte prefix: the words the hash
	 * reads, and the tail after them, both differ between names. */
	snprintf(buf, size, "91440101MA59XXXX%d%.*s", i, i % 8, "abcdefgh");
}

static void test_ids_in_order_and_stable_across_growth(void **state)
{
	(void)state;
	struct intern *t = intern_new();
	assert_non_null(t);
	char buf[64];
	assert_int_equal(intern_add(t, ""), 1);
	for (int i = 0; i < N_STRINGS; i++) {
		name_of(i, buf, sizeof buf);
		assert_int_equal(intern_add(t, buf), (uint32_t)i + 2);
	}
	assert_int_equal(intern_count(t), N_STRINGS + 1);
	assert_int_equal(intern_find(t, ""), 1);
	for (int i = 0; i < N_STRINGS; i++) {
		name_of(i, buf, sizeof buf);
		assert_int_equal(intern_add(t, buf), (uint32_t)i + 2);
		assert_int_equal(intern_find(t, buf), (uint32_t)i + 2);
		assert_string_equal(intern_str(t, (uint32_t)i + 2), buf);
	}
	assert_int_equal(intern_count(t), N_STRINGS + 1);
	intern_destroy(&t);
	assert_null(t);
}

static void test_prefixes_and_late_bytes_are_other_strings(void **state)
{
	(void)state;
	struct intern *t = intern_new();
	assert_non_null(t);
	uint32_t a = intern_add(t, "电工电工电工");            /* 18 bytes */
	uint32_t b = intern_add(t, "电工电工电");              /* a prefix of it */
	uint32_t c = intern_add(t, "电工电工电工X");           /* one byte longer */
	uint32_t d = intern_add(t, "电工电工电匠");            /* a byte past 8 */
	assert_true(a && b && c && d);
	assert_true(a != b && a != c && a != d && b != c && b != d && c != d);
	assert_int_equal(intern_find(t, "电工电工电工"), a);
	assert_int_equal(intern_find(t, "电工电"), 0);
	assert_int_equal(intern_find(t, "电工电工电工XY"), 0);
	assert_null(intern_str(t, 0));
	assert_null(intern_str(t, 5));
	intern_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_in_order_and_stable_across_growth),
		cmocka_unit_test(test_prefixes_and_late_bytes_are_other_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
