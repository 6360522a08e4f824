/*
 * test_textnorm.c - each matching rule of REGISTRY.md section 1 on its
 * own, the edit distance, and the "did you mean" list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "textnorm.h"

static void expect_key(enum textnorm_kind k, const char *in, const char *want)
{
	char out[TEXTNORM_KEY_SIZE];
	assert_true(textnorm_key(k, in, out, sizeof out));
	assert_string_equal(out, want);
}

static void test_full_width_forms(void **state)
{
	(void)state;
	expect_key(TEXTNORM_OCCUPATION, "ＣＡＤ制图员", "cad制图员");
	expect_key(TEXTNORM_ORG, "某科技公司１２３", "某科技公司123");
}

static void test_brackets(void **state)
{
	(void)state;
	expect_key(TEXTNORM_ORG, "某培训学校（天河）", "某培训学校(天河)");
	expect_key(TEXTNORM_ORG, "某培训学校【天河】", "某培训学校(天河)");
	expect_key(TEXTNORM_ORG, "某培训学校〔天河〕", "某培训学校(天河)");
	expect_key(TEXTNORM_ORG, "某培训学校[天河]", "某培训学校(天河)");
}

static void test_spaces(void **state)
{
	(void)state;
	expect_key(TEXTNORM_ORG, " 某 培训\u3000学校\t", "某培训学校");
	expect_key(TEXTNORM_OCCUPATION, "电\u00a0工 ", "电工");
}

static void test_ascii_case(void **state)
{
	(void)state;
	expect_key(TEXTNORM_ORG, "TCL科技集团", "tcl科技集团");
}

static void test_guangzhou_prefix(void **state)
{
	(void)state;
	expect_key(TEXTNORM_ORG, "广州市某培训学校", "某培训学校");
	expect_key(TEXTNORM_ORG, "广州某培训学校", "某培训学校");
	expect_key(TEXTNORM_ORG, "广东省广州市某培训学校", "某培训学校");
	expect_key(TEXTNORM_ORG, "广东省广州某培训学校", "某培训学校");
	expect_key(TEXTNORM_ORG, "某培训学校", "某培训学校");
	/* Kept when fewer than four characters would remain. */
	expect_key(TEXTNORM_ORG, "广州大学", "广州大学");
	expect_key(TEXTNORM_ORG, "广州市日报社", "广州日报社");
	expect_key(TEXTNORM_ORG, "广东省广州市日报社", "广州日报社");
	expect_key(TEXTNORM_ORG, "广州日报社", "广州日报社");
	/* Only at the front, and not 广东省 alone. */
	expect_key(TEXTNORM_ORG, "广东省技工学校", "广东省技工学校");
	expect_key(TEXTNORM_ORG, "某公司广州分公司", "某公司广州分公司");
	/* Occupations keep every character. */
	expect_key(TEXTNORM_OCCUPATION, "广州市某某工种", "广州市某某工种");
}

static void test_refusals(void **state)
{
	(void)state;
	char out[TEXTNORM_KEY_SIZE];
	assert_false(textnorm_key(TEXTNORM_ORG, "", out, sizeof out));
	assert_false(textnorm_key(TEXTNORM_ORG, " \u3000 ", out, sizeof out));
	assert_false(textnorm_key(TEXTNORM_ORG, "\xff\xfe", out, sizeof out));
	assert_false(textnorm_key(TEXTNORM_ORG, "\xe4\xb8", out, sizeof out));
	assert_false(textnorm_key(TEXTNORM_ORG, "\xc0\xaf", out, sizeof out));
	char small[4];
	assert_false(textnorm_key(TEXTNORM_ORG, "电工电工", small, sizeof small));
}

static void test_distance(void **state)
{
	(void)state;
	assert_int_equal(textnorm_distance("电工", "电工", 5), 0);
	assert_int_equal(textnorm_distance("维修电工", "电工", 5), 2);
	assert_int_equal(textnorm_distance("焊工", "电工", 5), 1);
	assert_int_equal(textnorm_distance("", "abc", 5), 3);
	/* Past the limit: limit + 1, whatever the true distance. */
	assert_int_equal(textnorm_distance("abcdef", "uvwxyz", 2), 3);
	assert_int_equal(textnorm_distance("a", "abcdef", 2), 3);
	assert_int_equal(textnorm_chars("维修电工x"), 5);
}

static void test_near(void **state)
{
	(void)state;
	const char *keys[] = {"焊工", "电工", "维修电工", "汽车维修工",
	                      "育婴员", "电子商务师"};
	struct textnorm_near n;
	textnorm_near_init(&n);
	for (size_t i = 0; i < 6; i++)
		textnorm_near_offer(&n, "电工", keys[i], i);
	assert_int_equal(n.n, 3);
	assert_int_equal(n.index[0], 1); /* 电工, 0 */
	assert_int_equal(n.index[1], 0); /* 焊工, 1 */
	assert_int_equal(n.index[2], 2); /* 维修电工, 2 */
	assert_int_equal(n.distance[2], 2);
	/* Nothing near: an empty list. */
	textnorm_near_init(&n);
	for (size_t i = 0; i < 6; i++)
		textnorm_near_offer(&n, "计算机程序设计员", keys[i], i);
	assert_int_equal(n.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_width_forms),
		cmocka_unit_test(test_brackets),
		cmocka_unit_test(test_spaces),
		cmocka_unit_test(test_ascii_case),
		cmocka_unit_test(test_guangzhou_prefix),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_near),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
