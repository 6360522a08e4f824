/*
 * test_ident.c - day numbers, dates, ages and the three identifier
 * validators, against published examples and hand-made defects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ident.h"

/* 2024-06-15, the "today" of these tests. */
static int32_t test_today(void)
{
	return ident_days_from_civil(2024, 6, 15);
}

static enum ident_result test_rid(const char *s, const char **why)
{
	return ident_resident_id(s, strlen(s), test_today(), NULL, why);
}

static enum ident_result test_cc(const char *s, const char **why)
{
	return ident_credit_code(s, strlen(s), why);
}

static enum ident_result test_mobile(const char *s, const char **why)
{
	return ident_mobile(s, strlen(s), why);
}

/* ---- day numbers ---- */

static void test_days_known_values(void **state)
{
	(void)state;
	assert_int_equal(ident_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(ident_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(ident_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(ident_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(ident_days_from_civil(1900, 1, 1), -25567);
	assert_int_equal(ident_days_from_civil(2199, 12, 31), 84005);
	/* A leap day exists in 2000 and 2024, not in 1900 or 2100. */
	assert_int_equal(ident_days_from_civil(2000, 3, 1) - ident_days_from_civil(2000, 2, 28), 2);
	assert_int_equal(ident_days_from_civil(1900, 3, 1) - ident_days_from_civil(1900, 2, 28), 1);
	assert_int_equal(ident_days_from_civil(2100, 3, 1) - ident_days_from_civil(2100, 2, 28), 1);
	assert_int_equal(ident_days_from_civil(2024, 3, 1) - ident_days_from_civil(2024, 2, 28), 2);
}

static void test_days_round_trip(void **state)
{
	(void)state;
	int py = 1899, pm = 12, pd = 31;
	const int32_t first = ident_days_from_civil(1900, 1, 1);
	const int32_t last = ident_days_from_civil(2199, 12, 31);
	for (int32_t days = first; days <= last; days++) {
		int y, m, d;
		ident_civil_from_days(days, &y, &m, &d);
		assert_int_equal(ident_days_from_civil(y, m, d), days);
		/* Consecutive days: same month and d+1, or the 1st after a change. */
		if (d == pd + 1) {
			assert_int_equal(m, pm);
			assert_int_equal(y, py);
		} else {
			assert_int_equal(d, 1);
			assert_true(m == pm + 1 || (m == 1 && pm == 12 && y == py + 1));
		}
		py = y, pm = m, pd = d;
	}
	assert_int_equal(py, 2199);
}

/* ---- date strings ---- */

static void test_date_parse_format_round_trip(void **state)
{
	(void)state;
	const int32_t first = ident_days_from_civil(1900, 1, 1);
	const int32_t last = ident_days_from_civil(2199, 12, 31);
	for (int32_t days = first; days <= last; days += 7) {
		char buf[11];
		int32_t back = INT32_MIN;
		ident_date_format(days, buf);
		assert_int_equal(strlen(buf), 10);
		assert_true(ident_date_parse(buf, 10, &back));
		assert_int_equal(back, days);
	}
	char buf[11];
	ident_date_format(ident_days_from_civil(1949, 10, 1), buf);
	assert_string_equal(buf, "1949-10-01");
	ident_date_format(last, buf);
	assert_string_equal(buf, "2199-12-31");
}

static void test_date_parse_accepts(void **state)
{
	(void)state;
	int32_t d;
	assert_true(ident_date_parse("1970-01-01", 10, &d));
	assert_int_equal(d, 0);
	assert_true(ident_date_parse("2024-02-29", 10, &d));
	assert_int_equal(d, ident_days_from_civil(2024, 2, 29));
	assert_true(ident_date_parse("2000-02-29", 10, &d));
	assert_true(ident_date_parse("1900-01-01", 10, &d));
	assert_true(ident_date_parse("2199-12-31", 10, &d));
	/* Only the first len bytes count. */
	assert_true(ident_date_parse("2024-06-15trailing", 10, &d));
	assert_int_equal(d, test_today());
}

static void test_date_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"2023-02-29", "1900-02-29", "2100-02-29", "2024-02-30", "2024-04-31",
		"2024-13-01", "2024-00-10", "2024-01-00", "2024-01-32", "1899-12-31",
		"2200-01-01", "2024/01/01", "2024-1-01", "24-01-01", "2024-01-1",
		"2024-01-01 ", "+024-01-01", "2024-0a-01", "20240101", "", "abcd-ef-gh",
		"2024--1-01",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int32_t d = 12345;
		assert_false(ident_date_parse(bad[i], strlen(bad[i]), &d));
		assert_int_equal(d, 12345); /* untouched on failure */
	}
	int32_t d;
	assert_false(ident_date_parse("2024-06-15", 9, &d));
	assert_false(ident_date_parse(NULL, 10, &d));
}

/* ---- ages ---- */

static void test_age_on_birthdays(void **state)
{
	(void)state;
	const int32_t born = ident_days_from_civil(1959, 6, 15);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 6, 14)), 64);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 6, 15)), 65);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2025, 6, 14)), 65);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2025, 6, 15)), 66);
	assert_int_equal(ident_age_on(born, born), 0);
	assert_int_equal(ident_age_on(born, born + 364), 0);
	/* Month decides before day. */
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 5, 31)), 64);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 7, 1)), 65);
	/* Born on the last day of a year. */
	const int32_t nye = ident_days_from_civil(1990, 12, 31);
	assert_int_equal(ident_age_on(nye, ident_days_from_civil(2000, 12, 30)), 9);
	assert_int_equal(ident_age_on(nye, ident_days_from_civil(2000, 12, 31)), 10);
}

static void test_age_on_leap_day(void **state)
{
	(void)state;
	const int32_t born = ident_days_from_civil(1960, 2, 29);
	/* Common year: a year older on 1 March, not on 28 February. */
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2025, 2, 28)), 64);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2025, 3, 1)), 65);
	/* Leap year: on 29 February itself. */
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 2, 28)), 63);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(2024, 2, 29)), 64);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(1961, 2, 28)), 0);
	assert_int_equal(ident_age_on(born, ident_days_from_civil(1961, 3, 1)), 1);
}

/* ---- resident ID ---- */

static void test_rid_standard_example(void **state)
{
	(void)state;
	const char *why = "untouched";
	int32_t birth = 0;
	/* The example printed in GB 11643-1999 itself. */
	assert_int_equal(ident_resident_id("11010519491231002X", 18, test_today(), &birth, &why),
	                 IDENT_OK);
	assert_int_equal(birth, ident_days_from_civil(1949, 12, 31));
	assert_string_equal(why, "untouched"); /* not set on OK */
	assert_int_equal(test_rid("11010519491231002x", NULL), IDENT_OK);
	assert_int_equal(ident_resident_id_check_char("11010519491231002"), 'X');
	/* A Guangzhou (Tianhe) number built with the algorithm. */
	assert_int_equal(ident_resident_id_check_char("44010619900307123"), '1');
	assert_int_equal(test_rid("440106199003071231", NULL), IDENT_OK);
	/* The weights give sum 0 for seventeen zeros: check character '1'. */
	assert_int_equal(ident_resident_id_check_char("00000000000000000"), '1');
}

static void test_rid_check_digit(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(test_rid("110105194912310021", &why), IDENT_INVALID);
	assert_string_equal(why, "check digit should be X");
	assert_int_equal(test_rid("440106199003071232", &why), IDENT_INVALID);
	assert_string_equal(why, "check digit should be 1");
	/* A swap of two neighbouring digits is caught. */
	assert_int_equal(test_rid("440106199003071321", &why), IDENT_INVALID);
	assert_string_equal(why, "check digit should be X");
	/* Every wrong last character is rejected, the right one accepted. */
	const char *digits = "0123456789X";
	for (const char *c = digits; *c; c++) {
		char id[19] = "11010519491231002X";
		id[17] = *c;
		assert_int_equal(test_rid(id, NULL), *c == 'X' ? IDENT_OK : IDENT_INVALID);
	}
}

static void test_rid_shape(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(test_rid("11010519491231002", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 18 characters");
	assert_int_equal(test_rid("11010519491231002X0", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 18 characters");
	assert_int_equal(test_rid("", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 18 characters");
	assert_int_equal(test_rid("1101051949123100AX", &why), IDENT_INVALID);
	assert_string_equal(why, "first 17 characters must be digits");
	assert_int_equal(test_rid("X10105194912310021", &why), IDENT_INVALID);
	assert_string_equal(why, "first 17 characters must be digits");
	assert_int_equal(test_rid("11010519491231002Y", &why), IDENT_INVALID);
	assert_string_equal(why, "last character must be a digit or X");
	/* 15-digit first-generation numbers are not accepted. */
	assert_int_equal(test_rid("110105491231002", &why), IDENT_INVALID);
	assert_int_equal(ident_resident_id(NULL, 18, test_today(), NULL, &why), IDENT_INVALID);
	assert_int_equal(test_rid("11010519491231002X", NULL), IDENT_OK);
}

/* Make a valid-check ID from 17 digits. */
static void test_rid_make(const char *first17, char out[19])
{
	memcpy(out, first17, 17);
	out[17] = ident_resident_id_check_char(first17);
	out[18] = '\0';
}

static void test_rid_birth_dates(void **state)
{
	(void)state;
	const char *why = NULL;
	char id[19];

	test_rid_make("44010619900230123", id);
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	assert_string_equal(why, "birth date (digits 7-14) is not a real date");
	test_rid_make("44010619830229123", id); /* 1983 is not a leap year */
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	assert_string_equal(why, "birth date (digits 7-14) is not a real date");
	test_rid_make("44010619000229123", id); /* nor is 1900 */
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	test_rid_make("44010619841329123", id);
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	test_rid_make("44010619840100123", id);
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	test_rid_make("44010619840229123", id); /* 1984 is */
	assert_int_equal(test_rid(id, &why), IDENT_OK);
	test_rid_make("44010620000229123", id); /* and 2000 is */
	assert_int_equal(test_rid(id, &why), IDENT_OK);

	test_rid_make("44052418991231001", id);
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	assert_string_equal(why, "birth date (digits 7-14) is before 1900");
	test_rid_make("44052419000101001", id);
	assert_int_equal(test_rid(id, &why), IDENT_OK);
}

static void test_rid_future_birth(void **state)
{
	(void)state;
	const char *why = NULL;
	char id[19];
	int32_t birth = 0;

	test_rid_make("44010620240615123", id); /* born today: fine */
	assert_int_equal(ident_resident_id(id, 18, test_today(), &birth, &why), IDENT_OK);
	assert_int_equal(birth, test_today());
	test_rid_make("44010620240616123", id); /* tomorrow */
	birth = 7;
	assert_int_equal(ident_resident_id(id, 18, test_today(), &birth, &why), IDENT_INVALID);
	assert_string_equal(why, "birth date (digits 7-14) is in the future");
	assert_int_equal(birth, 7); /* untouched when invalid */
	test_rid_make("44010630000101123", id);
	assert_int_equal(test_rid(id, &why), IDENT_INVALID);
	assert_string_equal(why, "birth date (digits 7-14) is in the future");
}

static void test_rid_province(void **state)
{
	(void)state;
	static const int known[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34,
	                            35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
	                            53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 91};
	int n_known = 0;
	for (int p = 0; p < 100; p++) {
		char first17[18], id[19];
		const char *why = NULL;
		int32_t birth = 0;
		first17[0] = (char)('0' + p / 10);
		first17[1] = (char)('0' + p % 10);
		memcpy(first17 + 2, "010619900307123", 16);
		test_rid_make(first17, id);
		bool is_known = false;
		for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
			is_known |= known[i] == p;
		enum ident_result r = ident_resident_id(id, 18, test_today(), &birth, &why);
		if (is_known) {
			assert_int_equal(r, IDENT_OK);
			n_known++;
		} else {
			assert_int_equal(r, IDENT_WARN);
			assert_string_equal(why, "unknown province code (digits 1-2)");
			/* A warning still yields the birth date. */
			assert_int_equal(birth, ident_days_from_civil(1990, 3, 7));
		}
	}
	assert_int_equal(n_known, 35);
}

/* ---- credit code ---- */

static void test_cc_published(void **state)
{
	(void)state;
	const char *why = "untouched";
	assert_int_equal(test_cc("91350100M000100Y43", &why), IDENT_OK);
	assert_string_equal(why, "untouched");
	assert_int_equal(test_cc("911100001000079554", &why), IDENT_OK);
	assert_int_equal(test_cc("914403001922038216", &why), IDENT_OK);
	assert_int_equal(ident_credit_code_check_char("91350100M000100Y4"), '3');
	assert_int_equal(ident_credit_code_check_char("91110000100007955"), '4');
}

static void test_cc_check_char(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(test_cc("91350100M000100Y44", &why), IDENT_INVALID);
	assert_string_equal(why, "check character should be 3");
	assert_int_equal(test_cc("911100001000079555", &why), IDENT_INVALID);
	assert_string_equal(why, "check character should be 4");
	/* sum % 31 == 0 gives check value 0, not 31: seventeen zeros. */
	assert_int_equal(ident_credit_code_check_char("00000000000000000"), '0');
	assert_int_equal(test_cc("000000000000000000", NULL), IDENT_OK);
	/* Check value 30 is the last character of the alphabet, Y. */
	assert_int_equal(ident_credit_code_check_char("10000000000000000"), 'Y');
	assert_int_equal(test_cc("10000000000000000Y", NULL), IDENT_OK);
	/* Every other last character is rejected. */
	const char *alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	int ok = 0;
	for (const char *c = alphabet; *c; c++) {
		char code[19] = "91350100M000100Y43";
		code[17] = *c;
		if (test_cc(code, NULL) == IDENT_OK)
			ok++;
	}
	assert_int_equal(ok, 1);
}

static void test_cc_charset(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(test_cc("91350100m000100Y43", &why), IDENT_INVALID);
	assert_string_equal(why, "letters must be upper-case");
	static const char *const bad[] = {
		"91350100I000100Y43", "91350100O000100Y43", "91350100S000100Y43",
		"91350100V000100Y43", "91350100Z000100Y43", "91350100-000100Y43",
		"91350100 000100Y43",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(test_cc(bad[i], &why), IDENT_INVALID);
		assert_string_equal(why, "only digits and upper-case letters "
		                         "other than I, O, S, V, Z are allowed");
	}
	assert_int_equal(ident_credit_code_check_char("91350100I000100Y4"), '\0');
	assert_int_equal(test_cc("91350100M000100Y4", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 18 characters");
	assert_int_equal(test_cc("", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 18 characters");
	/* An embedded NUL is not a character of the alphabet. */
	assert_int_equal(ident_credit_code("91350100\0000100Y43", 18, &why), IDENT_INVALID);
	assert_int_equal(ident_credit_code(NULL, 18, &why), IDENT_INVALID);
}

/* ---- organisation key ---- */

static void test_org_key(void **state)
{
	(void)state;
	const char *why = NULL;
	static const char *const good[] = {
		"org:1", "org:17", "org:1000000000", "org:9999999999",
		"91350100M000100Y43",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		assert_int_equal(ident_org_key(good[i], strlen(good[i]), &why), IDENT_OK);
	static const struct { const char *key, *why; } bad[] = {
		{"org:", "org: must be followed by 1 to 10 digits"},
		{"org:12345678901", "org: must be followed by 1 to 10 digits"},
		{"org:1a", "org: must be followed by 1 to 10 digits"},
		{"org:-1", "org: must be followed by 1 to 10 digits"},
		{"org: 1", "org: must be followed by 1 to 10 digits"},
		{"org:0", "the number after org: must not start with 0"},
		{"org:017", "the number after org: must not start with 0"},
		{"ORG:1", "must be 18 characters"},
		{"org1", "must be 18 characters"},
		{"", "must be 18 characters"},
		{"91350100M000100Y44", "check character should be 3"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(ident_org_key(bad[i].key, strlen(bad[i].key), &why),
		                 IDENT_INVALID);
		assert_string_equal(why, bad[i].why);
	}
	assert_int_equal(ident_org_key("org:1\0", 6, &why), IDENT_INVALID);
	assert_int_equal(ident_org_key(NULL, 5, &why), IDENT_INVALID);
}

/* ---- mobile ---- */

static void test_mobile_cases(void **state)
{
	(void)state;
	const char *why = NULL;
	assert_int_equal(test_mobile("13800138000", &why), IDENT_OK);
	assert_int_equal(test_mobile("19912345678", &why), IDENT_OK);
	assert_int_equal(test_mobile("13000000000", &why), IDENT_OK);
	assert_int_equal(test_mobile("12800138000", &why), IDENT_INVALID);
	assert_string_equal(why, "second digit must be 3-9");
	assert_int_equal(test_mobile("10800138000", &why), IDENT_INVALID);
	assert_string_equal(why, "second digit must be 3-9");
	assert_int_equal(test_mobile("23800138000", &why), IDENT_INVALID);
	assert_string_equal(why, "must start with 1");
	assert_int_equal(test_mobile("1380013800", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 11 digits");
	assert_int_equal(test_mobile("138001380001", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 11 digits");
	assert_int_equal(test_mobile("", &why), IDENT_INVALID);
	assert_string_equal(why, "must be 11 digits");
	assert_int_equal(test_mobile("1380013800a", &why), IDENT_INVALID);
	assert_string_equal(why, "must contain only digits");
	assert_int_equal(test_mobile("138 0013800", &why), IDENT_INVALID);
	assert_string_equal(why, "must contain only digits");
	assert_int_equal(test_mobile("+8613800138", &why), IDENT_INVALID);
	assert_string_equal(why, "must contain only digits");
	assert_int_equal(ident_mobile(NULL, 11, &why), IDENT_INVALID);
	for (char c = '0'; c <= '9'; c++) {
		char m[12] = "13800138000";
		m[1] = c;
		assert_int_equal(test_mobile(m, NULL), c >= '3' ? IDENT_OK : IDENT_INVALID);
	}
}

/* Days change at midnight Beijing time, whatever the host's zone. */
static void test_day_cst(void **state)
{
	(void)state;
	int32_t d20250101 = ident_days_from_civil(2025, 1, 1);
	/* 2024-12-31T16:00:00Z is 2025-01-01T00:00 in Beijing. */
	assert_int_equal(ident_day_cst(1735660800), d20250101);
	assert_int_equal(ident_day_cst(1735660799), d20250101 - 1);
	assert_int_equal(ident_day_cst(0), 0);
	assert_int_equal(ident_day_cst(-8 * 3600), 0);
	assert_int_equal(ident_day_cst(-8 * 3600 - 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_known_values),
		cmocka_unit_test(test_days_round_trip),
		cmocka_unit_test(test_date_parse_format_round_trip),
		cmocka_unit_test(test_date_parse_accepts),
		cmocka_unit_test(test_date_parse_rejects),
		cmocka_unit_test(test_age_on_birthdays),
		cmocka_unit_test(test_age_on_leap_day),
		cmocka_unit_test(test_rid_standard_example),
		cmocka_unit_test(test_rid_check_digit),
		cmocka_unit_test(test_rid_shape),
		cmocka_unit_test(test_rid_birth_dates),
		cmocka_unit_test(test_rid_future_birth),
		cmocka_unit_test(test_rid_province),
		cmocka_unit_test(test_cc_published),
		cmocka_unit_test(test_cc_check_char),
		cmocka_unit_test(test_cc_charset),
		cmocka_unit_test(test_org_key),
		cmocka_unit_test(test_mobile_cases),
		cmocka_unit_test(test_day_cst),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
