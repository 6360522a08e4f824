/*
 * test_mask.c - exact masked forms of IDs, phones and names, including
 * hostile input: empty, NULL, over-long, control bytes, invalid UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mask.h"

typedef void (*mask_fn)(const char *, char[MASK_BUF]);

/* Run f into a buffer pre-filled with junk so a missing NUL shows. */
static void expect(mask_fn f, const char *in, const char *want)
{
	char out[MASK_BUF];
	memset(out, 'J', sizeof out);
	f(in, out);
	assert_non_null(memchr(out, '\0', sizeof out));
	assert_string_equal(out, want);
}

static void test_resident_id(void **state)
{
	(void)state;
	expect(mask_resident_id, "440106199001011234", "440106********1234");
	expect(mask_resident_id, "11010519491231002X", "110105********002X");
	expect(mask_resident_id, "11010519491231002x", "110105********002x");
}

static void test_resident_id_other_lengths(void **state)
{
	(void)state;
	expect(mask_resident_id, NULL, "");
	expect(mask_resident_id, "", "");
	expect(mask_resident_id, "7", "*");
	expect(mask_resident_id, "123", "***");
	expect(mask_resident_id, "abcd", "a***");
	expect(mask_resident_id, "12345", "1***5");
	expect(mask_resident_id, "1234567890", "12******90");
	/* First-generation 15 digits: 3 and 2 kept. */
	expect(mask_resident_id, "110105491231002", "110**********02");
	expect(mask_resident_id, "4401061990010112345", "440**************45");
}

static void test_resident_id_hostile(void **state)
{
	(void)state;
	/* Unprintable bytes in kept positions are starred, not copied. */
	expect(mask_resident_id, "\n40106199001011234", "*40106********1234");
	expect(mask_resident_id, "44010619900101123\x1b", "440106********123*");
	/* 18 bytes of which the first six are two Chinese characters: no
	 * fragment of a UTF-8 sequence leaks out. */
	expect(mask_resident_id, "张三1990010112XY", "**************12XY");

	char longid[300];
	memset(longid, '9', sizeof longid - 1);
	longid[sizeof longid - 1] = '\0';
	longid[0] = '1';
	longid[sizeof longid - 2] = '2';
	char out[MASK_BUF];
	mask_resident_id(longid, out);
	assert_true(strlen(out) < MASK_BUF);
	assert_int_equal(strncmp(out, "199*", 4), 0);
	assert_int_equal(strcmp(out + strlen(out) - 3, "*92"), 0);
	assert_int_equal(strspn(out + 3, "*"), strlen(out) - 5);
}

static void test_phone(void **state)
{
	(void)state;
	expect(mask_phone, "13812345678", "138****5678");
	expect(mask_phone, "19900000001", "199****0001");
	expect(mask_phone, NULL, "");
	expect(mask_phone, "", "");
	expect(mask_phone, "110", "***");
	expect(mask_phone, "+8613812345678", "+86*********78");
	expect(mask_phone, "020-87654321", "020*******21");
	expect(mask_phone, "138\x7f" "2345678", "138****5678");
	expect(mask_phone, "\x01\x02\x03" "12345678", "***" "****" "5678");
}

static void test_email(void **state)
{
	(void)state;
	expect(mask_email, "zhang.san@example.com", "z***@example.com");
	expect(mask_email, "4868388@qq.com", "4***@qq.com");
	expect(mask_email, "a@b", "a***@b");
	expect(mask_email, "", "");
	expect(mask_email, NULL, "");
	/* No local part, or no '@': an identifier of unexpected length. */
	expect(mask_email, "@example.com", "@ex*******om");
	expect(mask_email, "nobody", "n****y");
	/* The local part's first byte only when printable ASCII; the domain
	 * shown, unprintable bytes as '?'. */
	expect(mask_email, "\xe5\xbc\xa0@x.cn", "****@x.cn");
	expect(mask_email, "a@x\x1b.cn", "a***@x?.cn");
	char longmail[130], out[MASK_BUF];
	memset(longmail, 'd', sizeof longmail - 1);
	longmail[sizeof longmail - 1] = '\0';
	longmail[1] = '@';
	mask_email(longmail, out);
	assert_int_equal(strlen(out), MASK_BUF - 1);
	assert_int_equal(strncmp(out, "d***@ddd", 8), 0);
}

static void test_name(void **state)
{
	(void)state;
	expect(mask_name, "张三明", "张*明");
	expect(mask_name, "张三", "张*");
	expect(mask_name, "欧阳娜娜", "欧**娜");
	expect(mask_name, "司徒志明", "司**明");
	expect(mask_name, "陈", "*");
	expect(mask_name, "A", "*");
	expect(mask_name, "Li", "L*");
	expect(mask_name, "Li Lei", "L****i");
	expect(mask_name, "", "");
	expect(mask_name, NULL, "");
	/* Four-byte characters are whole characters too. */
	expect(mask_name, "\xf0\x9f\x98\x80" "ab", "\xf0\x9f\x98\x80" "*b");
	expect(mask_name, "𠀀𠀁𠀂", "𠀀*𠀂");
}

static void test_name_invalid_utf8(void **state)
{
	(void)state;
	/* Each malformed byte is one character, shown as '?' when kept. */
	expect(mask_name, "\xff", "*");
	expect(mask_name, "\xff\xfe", "?*");
	expect(mask_name, "张\xff明", "张*明");
	expect(mask_name, "\xe5\xbc", "?*");             /* 张 cut short */
	expect(mask_name, "明\xe5\xbc", "明*?");         /* ... at the end */
	expect(mask_name, "明王\xe5\xbc", "明**?");
	expect(mask_name, "\xc0\xaf" "x", "?*x");       /* overlong '/' */
	expect(mask_name, "\xed\xa0\x80" "x", "?**x");  /* a surrogate */
	expect(mask_name, "\xf4\x90\x80\x80" "x", "?***x"); /* above U+10FFFF */
	expect(mask_name, "a\x80", "a*");
}

static void test_name_unprintable(void **state)
{
	(void)state;
	expect(mask_name, "\x1b[31m张三", "?*****三");
	expect(mask_name, "张三\n", "张*?");
	expect(mask_name, "\xe2\x80\xae" "abc", "?**c"); /* U+202E */
	expect(mask_name, "\xc2\x85" "ab", "?*b");      /* U+0085 (C1) */
	expect(mask_name, "ab\x7f", "a*?");
}

static void test_name_long(void **state)
{
	(void)state;
	char name[3 * 200 + 1];
	for (int i = 0; i < 200; i++)
		memcpy(name + 3 * i, "字", 3);
	name[sizeof name - 1] = '\0';
	memcpy(name + 3 * 199, "末", 3);
	char out[MASK_BUF];
	memset(out, 'J', sizeof out);
	mask_name(name, out);
	const size_t n = strlen(out);
	assert_true(n < MASK_BUF);
	assert_int_equal(memcmp(out, "字", 3), 0);
	assert_int_equal(memcmp(out + n - 3, "末", 3), 0);
	assert_int_equal(strspn(out + 3, "*"), n - 6);
	assert_true(n - 6 > 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resident_id),
		cmocka_unit_test(test_resident_id_other_lengths),
		cmocka_unit_test(test_resident_id_hostile),
		cmocka_unit_test(test_phone),
		cmocka_unit_test(test_email),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_name_invalid_utf8),
		cmocka_unit_test(test_name_unprintable),
		cmocka_unit_test(test_name_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
