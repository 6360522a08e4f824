/*
 * test_detail.c - every history detail pattern of PROTOCOL.md 7.2 read
 * back in the reader's words: with no translation it comes back byte for
 * byte; with Chinese words each value lands where the translation puts
 * it, codes through the catalog; unknown text and near misses as they are.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "detail.h"

static const char *same_text(const char *msgid)
{
	return msgid;
}

static const char *same_value(const char *key, const char *value, char *buf, size_t size)
{
	(void)key, (void)buf, (void)size;
	return value;
}

/* A stand-in for the catalogs: msgid (or key EOT code) and its Chinese. */
static const char *const zh[][2] = {
	{"import {1} line {2}", "导入 {1} 第 {2} 行"},
	{": ", "："},
	{"; ", "；"},
	{"{1} {2} \xe2\x86\x92 {3}", "{1} {2} → {3}"},
	{"{1} changed", "{1}已更改"},
	{"form fields changed", "登记表字段已更改"},
	{"term {1} -> {2}", "届次 {1} → {2}"},
	{"conflict {1} with {2} ({3})", "与 {2} 的回避关系 {1}（{3}）"},
	{"unavailable {1}: {2} .. {3} withdrawn", "不能参加时段 {1}：{2} 至 {3} 已撤回"},
	{"unavailable {1}: {2} .. {3} -> {4} .. {5}", "不能参加时段 {1}：{2} 至 {3} → {4} 至 {5}"},
	{"unavailable {1}: {2} .. {3} ({4})", "不能参加时段 {1}：{2} 至 {3}（{4}）"},
	{"certificate {1} of {2}", "聘书 {1}（{2}）"},
	{"pool.export", "导出专家库"},
	{"assignment {1} of task {2}: {3} -> {4}", "任务 {2} 的选派 {1}：{3} → {4}"},
	{"{1} ({2})", "{1}（{2}）"},
	{"label\004title", "职称"},
	{"label\004phone", "手机号"},
	{"label\004name", "姓名"},
	{"label\004group_types", "组别"},
	{"title\004intermediate", "中级"},
	{"title\004deputy_senior", "副高级"},
	{"group_types\004methods", "方法"},
	{"group_types\004skill_evaluation", "技能评价"},
	{"kind\004relative", "亲属"},
	{"channel\004token", "短信链接"},
	{"state\004declined", "已拒绝"},
	{"state\004completed", "已完成"},
	{"decline_reason\004schedule", "时间冲突"},
};

static const char *zh_lookup(const char *id)
{
	for (size_t i = 0; i < sizeof zh / sizeof zh[0]; i++)
		if (strcmp(zh[i][0], id) == 0)
			return zh[i][1];
	return NULL;
}

static const char *zh_text(const char *msgid)
{
	const char *t = zh_lookup(msgid);
	return t ? t : msgid;
}

static const char *zh_value(const char *key, const char *value, char *buf, size_t size)
{
	snprintf(buf, size, "%s\004%s", key, value);
	const char *t = zh_lookup(buf);
	return t ? t : value;
}

static const struct detail_words same = {same_text, same_value};
static const struct detail_words chinese = {zh_text, zh_value};

/* detail in Chinese is want, known or not; in English, itself. */
static void expect(const char *detail, const char *want, bool known)
{
	char out[1200];
	memset(out, 'J', sizeof out);
	assert_int_equal(detail_words(detail, &same, out, sizeof out), known);
	assert_string_equal(out, detail);
	memset(out, 'J', sizeof out);
	assert_int_equal(detail_words(detail, &chinese, out, sizeof out), known);
	assert_string_equal(out, want);
}

static void test_import(void **state)
{
	(void)state;
	expect("import 2 line 5", "导入 2 第 5 行", true);
	expect("import 3 line 5: title intermediate \xe2\x86\x92 deputy_senior; phone changed",
	       "导入 3 第 5 行：职称 中级 → 副高级；手机号已更改", true);
	expect("import 3 line 7: form fields changed", "导入 3 第 7 行：登记表字段已更改", true);
	expect("import 3 line 7: name 张三 \xe2\x86\x92 张叁; form fields changed",
	       "导入 3 第 7 行：姓名 张三 → 张叁；登记表字段已更改", true);
	expect("import 4 line 2; form fields changed", "导入 4 第 2 行；登记表字段已更改", true);
	/* Sets: each code; empty values as the daemon writes them. */
	expect("import 4 line 9: group_types methods \xe2\x86\x92 methods|skill_evaluation",
	       "导入 4 第 9 行：组别 方法 → 方法|技能评价", true);
	expect("import 4 line 9: title \"\" \xe2\x86\x92 intermediate",
	       "导入 4 第 9 行：职称 \"\" → 中级", true);
	/* A change the module does not know (the daemon cut the list): as is. */
	expect("import 4 line 9: phone changed; ti\xe2\x80\xa6",
	       "导入 4 第 9 行：手机号已更改；ti\xe2\x80\xa6", true);
}

static void test_term_conflict_certificate_export(void **state)
{
	(void)state;
	expect("term 1 -> 2", "届次 1 → 2", true);
	expect("conflict 1 with 91350100M000100Y43 (relative)",
	       "与 91350100M000100Y43 的回避关系 1（亲属）", true);
	expect("certificate 穗人社专字〔2026〕12号 of 2026-12-01",
	       "聘书 穗人社专字〔2026〕12号（2026-12-01）", true);
	expect("pool.export", "导出专家库", true);
}

static void test_unavailable(void **state)
{
	(void)state;
	expect("unavailable 4: 2026-12-01 .. 2026-12-05 (token)",
	       "不能参加时段 4：2026-12-01 至 2026-12-05（短信链接）", true);
	expect("unavailable 4: 2026-12-01 .. 2026-12-05 withdrawn",
	       "不能参加时段 4：2026-12-01 至 2026-12-05 已撤回", true);
	expect("unavailable 4: 2026-12-01 .. 2026-12-05 -> 2026-12-01 .. 2026-12-03",
	       "不能参加时段 4：2026-12-01 至 2026-12-05 → 2026-12-01 至 2026-12-03", true);
}

static void test_correction(void **state)
{
	(void)state;
	expect("assignment 12 of task 3: declined (schedule) -> completed",
	       "任务 3 的选派 12：已拒绝（时间冲突） → 已完成", true);
}

static void test_unknown_as_it_is(void **state)
{
	(void)state;
	expect("", "", false);
	expect("-", "-", false);
	expect("something the daemon never wrote", "something the daemon never wrote", false);
	expect("term 1 -> ", "term 1 -> ", false);
	expect("import x line 5", "import x line 5", false);
	expect("import 2 line 5 and more", "import 2 line 5 and more", false);
	expect("pool.export!", "pool.export!", false);
	expect("unavailable 4: 2026-12-01 .. 2026-12-05", "unavailable 4: 2026-12-01 .. 2026-12-05",
	       false);
}

/* A small buffer: cut at a character boundary, always terminated. */
static void test_cut(void **state)
{
	(void)state;
	char out[12];
	memset(out, 'J', sizeof out);
	detail_words("term 1 -> 2", &chinese, out, sizeof out);
	assert_string_equal(out, "届次 1 "); /* 3 + 1 + 3 bytes, the arrow does not fit */
	detail_words("term 1 -> 2", &chinese, out, 1);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import),
		cmocka_unit_test(test_term_conflict_certificate_export),
		cmocka_unit_test(test_unavailable),
		cmocka_unit_test(test_correction),
		cmocka_unit_test(test_unknown_as_it_is),
		cmocka_unit_test(test_cut),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
