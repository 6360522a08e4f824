/*
 * test_sb_render.c - expertd-smsbridge's texts (expertd-smsbridge(8),
 * TEMPLATES): placeholders filled, times in China Standard Time and
 * labelled, a line of empty placeholders left out, other braces kept,
 * control characters from spreadsheets blanked; the provider's body
 * JSON-escaped; delivery keys that tell tokens apart without holding them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "smsbridge.h"

/* 2026-12-10 01:00 UTC = 09:00 in Beijing. */
#define T0 1796864400

static struct sb_note offer(void)
{
	struct sb_note n;
	memset(&n, 0, sizeof n);
	n.offer = true;
	n.assignment = 42;
	n.task = 7;
	n.start = T0;
	n.end = T0 + 8 * 3600;
	n.deadline = T0 - 86400 + 3 * 3600;
	snprintf(n.name, sizeof n.name, "王建国");
	snprintf(n.kind, sizeof n.kind, "competition");
	snprintf(n.role, sizeof n.role, "leader");
	snprintf(n.token, sizeof n.token, "42.rTw0qZ3g1vX9bE2mK8pL4w");
	snprintf(n.organiser, sizeof n.organiser, "海珠区人社局");
	return n;
}

static void test_placeholders_and_times(void **state)
{
	(void)state;
	struct sb_note n = offer();
	char *t = sb_render("{name}：{organiser}{kind}{role}\n{period}\n{deadline}前 {link}",
	                    &n, "https://a.example");
	assert_non_null(t);
	assert_string_equal(t, "王建国：海珠区人社局竞赛组长\n"
	                    "2026-12-10 09:00至17:00 (北京时间)\n"
	                    "2026-12-09 12:00 (北京时间)前 "
	                    "https://a.example/a/42.rTw0qZ3g1vX9bE2mK8pL4w");
	free(t);
	/* A task over two days gives the end's date too. */
	n.end = T0 + 30 * 3600;
	t = sb_render("{period}|{start}|{end}", &n, "x");
	assert_string_equal(t, "2026-12-10 09:00至2026-12-11 15:00 (北京时间)|"
	                    "2026-12-10 09:00 (北京时间)|2026-12-11 15:00 (北京时间)");
	free(t);
}

static void test_empty_lines_left_out_other_braces_kept(void **state)
{
	(void)state;
	struct sb_note n = offer();
	char *t = sb_render("a {unknown} {}\n备注：{note}\n地点：{district}{note}\nz", &n, "x");
	assert_string_equal(t, "a {unknown} {}\nz");
	free(t);
	snprintf(n.note, sizeof n.note, "带证");
	t = sb_render("备注：{note}\n{note}", &n, "x");
	assert_string_equal(t, "备注：带证\n带证");
	free(t);
	/* Only empty placeholders on the first line: it goes, with its newline. */
	n.note[0] = '\0';
	t = sb_render("{note}\n{name}", &n, "x");
	assert_string_equal(t, "王建国");
	free(t);
}

static void test_control_characters_blanked(void **state)
{
	(void)state;
	struct sb_note n = offer();
	snprintf(n.name, sizeof n.name, "王\n建\t国\x7f");
	char *t = sb_render("{name}!", &n, "x");
	assert_string_equal(t, "王 建 国 !");
	free(t);
}

static void test_closing_words(void **state)
{
	(void)state;
	struct sb_note n = offer();
	n.offer = false;
	snprintf(n.state, sizeof n.state, "cancelled");
	char *t = sb_render("任务{task}{state}", &n, "x");
	assert_string_equal(t, "任务7已取消");
	free(t);
	snprintf(n.state, sizeof n.state, "expired");
	t = sb_render("{state}", &n, "x");
	assert_string_equal(t, "已过答复期限");
	free(t);
}

static void test_body_is_escaped_json(void **state)
{
	(void)state;
	char *b = sb_render_body("{\"to\": \"{phone}\", \"m\": \"{text}\", \"id\": \"{id}\", "
	                         "\"k\": \"{kept}\"}", "13900000001", "a\"b\\c\n王",
	                         "00ff");
	assert_string_equal(b, "{\"to\": \"13900000001\", \"m\": \"a\\\"b\\\\c\\n王\", "
	                    "\"id\": \"00ff\", \"k\": \"{kept}\"}");
	free(b);
}

static void test_keys_tell_tokens_apart_without_them(void **state)
{
	(void)state;
	struct sb_note n = offer();
	char k1[SB_KEY_LEN], k2[SB_KEY_LEN], id1[33], id2[33];
	sb_note_key(&n, k1);
	assert_memory_equal(k1, "offer:42:", 9);
	assert_int_equal(strlen(k1), 9 + 32);
	assert_null(strstr(k1, "rTw0"));
	snprintf(n.token, sizeof n.token, "42.AAAAqZ3g1vX9bE2mK8pL4w");
	sb_note_key(&n, k2);
	assert_string_not_equal(k1, k2);
	sb_message_id(k1, id1);
	sb_message_id(k2, id2);
	assert_int_equal(strlen(id1), 32);
	assert_string_not_equal(id1, id2);
	n.offer = false;
	snprintf(n.state, sizeof n.state, "expired");
	sb_note_key(&n, k1);
	assert_string_equal(k1, "closed:42:expired");
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_placeholders_and_times),
		cmocka_unit_test(test_empty_lines_left_out_other_braces_kept),
		cmocka_unit_test(test_control_characters_blanked),
		cmocka_unit_test(test_closing_words),
		cmocka_unit_test(test_body_is_escaped_json),
		cmocka_unit_test(test_keys_tell_tokens_apart_without_them),
	};
	/* The words come from the codes catalog, in Chinese whatever the
	 * locale (EXPERTD_LOCALEDIR: the build's, as ctest sets it). */
	char err[256];
	locale_t zh;
	if (!sb_words_open(&zh, err, sizeof err)) {
		fprintf(stderr, "test_sb_render: %s\n", err);
		return 1;
	}
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	sb_words_close(zh);
	return rc;
}
