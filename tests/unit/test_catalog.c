/*
 * test_catalog.c - the occupation catalogue (REGISTRY.md section 3):
 * finding entries by any spelling of their names, updates and the clashes
 * that refuse them whole, making names experts already hold canonical,
 * suggestions, mapping a row's specialties, and the embedded starter list
 * (which must cover every occupation the synthetic rosters use).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "catalog.h"
#include "genroster_data.h"

static struct catalog_entry entry(const char *name, const char *code,
                                  const char *alias1, const char *alias2)
{
	struct catalog_entry e;
	memset(&e, 0, sizeof e);
	snprintf(e.name, sizeof e.name, "%s", name);
	snprintf(e.code, sizeof e.code, "%s", code);
	if (alias1)
		snprintf(e.aliases[e.n_aliases++], sizeof e.aliases[0], "%s", alias1);
	if (alias2)
		snprintf(e.aliases[e.n_aliases++], sizeof e.aliases[0], "%s", alias2);
	e.group_types = GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION;
	return e;
}

static enum catalog_result put(struct catalog *c, struct catalog_entry e,
                               struct catalog_problem *p)
{
	struct catalog_problem scratch;
	return catalog_put(c, &e, NULL, NULL, p ? p : &scratch);
}

static void assert_found(const struct catalog *c, const char *typed, const char *name)
{
	const struct catalog_entry *e = catalog_find(c, typed);
	assert_non_null(e);
	assert_string_equal(e->name, name);
}

/* 电工 (alias 维修电工) and 焊工. */
static struct catalog *two(void)
{
	struct catalog *c = catalog_new();
	assert_non_null(c);
	assert_int_equal(put(c, entry("电工", "6-31-01-03", "维修电工", NULL), NULL),
	                 CATALOG_OK);
	assert_int_equal(put(c, entry("焊工", "", NULL, NULL), NULL), CATALOG_OK);
	return c;
}

static void test_find_by_name_alias_and_key(void **state)
{
	(void)state;
	struct catalog *c = two();
	assert_found(c, "电工", "电工");
	assert_found(c, "维修电工", "电工");
	assert_found(c, " 维修\u3000电工 ", "电工");   /* white space is no part of a key */
	assert_found(c, "焊工", "焊工");
	assert_null(catalog_find(c, "车工"));
	assert_null(catalog_find(c, "   "));
	assert_int_equal(catalog_count(c), 2);
	assert_int_equal(catalog_at(c, 0)->id, 1);
	assert_int_equal(catalog_at(c, 1)->id, 2);
	catalog_destroy(&c);
	assert_null(c);
	catalog_destroy(&c);
}

static void test_update_keeps_the_name_replaces_the_rest(void **state)
{
	(void)state;
	struct catalog *c = two();
	const struct catalog_entry *out;
	bool created = true;
	struct catalog_problem p;
	struct catalog_entry e = entry("电　工", "", "电工（维修）", NULL);  /* key 电工 */
	e.group_types = GROUP_METHODS;
	assert_int_equal(catalog_put(c, &e, &out, &created, &p), CATALOG_OK);
	assert_false(created);
	assert_int_equal(out->id, 1);
	assert_string_equal(out->name, "电工");       /* as first written */
	assert_string_equal(out->code, "");
	assert_int_equal(out->n_aliases, 1);
	assert_int_equal(out->group_types, GROUP_METHODS);
	assert_found(c, "电工(维修)", "电工");
	assert_null(catalog_find(c, "维修电工"));     /* the old alias is free again */
	assert_int_equal(put(c, entry("维修电工", "", NULL, NULL), NULL), CATALOG_OK);
	assert_int_equal(catalog_count(c), 3);
	catalog_destroy(&c);
}

static void test_clashes_change_nothing(void **state)
{
	(void)state;
	struct catalog *c = two();
	struct catalog_problem p;
	/* An alias that is another entry's alias, or another entry's name. */
	assert_int_equal(put(c, entry("焊工", "", "气焊工", "维修电工"), &p), CATALOG_CLASH);
	assert_int_equal(p.alias, 1);
	assert_string_equal(p.other->name, "电工");
	assert_int_equal(put(c, entry("车工", "", "ＣＡＤ", "电工"), &p), CATALOG_CLASH);
	assert_int_equal(p.alias, 1);
	/* A name that is another entry's alias. */
	assert_int_equal(put(c, entry("维修 电工", "", NULL, NULL), &p), CATALOG_CLASH);
	assert_int_equal(p.alias, -1);
	assert_string_equal(p.other->name, "电工");
	/* An alias repeating the name, or another alias, by key. */
	assert_int_equal(put(c, entry("车工", "", "车 工", NULL), &p), CATALOG_TWICE);
	assert_int_equal(p.alias, 0);
	assert_int_equal(put(c, entry("车工", "", "数控车工", "数控 车工"), &p), CATALOG_TWICE);
	assert_int_equal(p.alias, 1);
	assert_int_equal(put(c, entry("车|工", "", NULL, NULL), &p), CATALOG_BAD_NAME);
	assert_int_equal(put(c, entry("车工", "", " ", NULL), &p), CATALOG_BAD_NAME);
	assert_int_equal(p.alias, 0);
	assert_int_equal(put(c, entry("车工", "6-31", NULL, NULL), &p), CATALOG_BAD_CODE);
	assert_int_equal(catalog_count(c), 2);
	assert_null(catalog_find(c, "气焊工"));
	assert_null(catalog_find(c, "车工"));
	assert_found(c, "维修电工", "电工");
	catalog_destroy(&c);
}

static void test_codes(void **state)
{
	(void)state;
	assert_true(catalog_code_ok(""));
	assert_true(catalog_code_ok("6-31-01-03"));
	assert_true(catalog_code_ok("6-31-01-03-01"));
	assert_false(catalog_code_ok("9-31-01-03"));
	assert_false(catalog_code_ok("6-31-01"));
	assert_false(catalog_code_ok("6-31-01-3"));
	assert_false(catalog_code_ok("6-31-01-03-01-01"));
	assert_false(catalog_code_ok("6-31-01-03 "));
	assert_false(catalog_code_ok("６-31-01-03"));
}

/* Held names, as the store passes them: distinct, in byte order. */
static void test_adopt_keeps_every_held_name_reachable(void **state)
{
	(void)state;
	struct catalog *c = two();
	assert_int_equal(put(c, entry("车工", "", NULL, NULL), NULL), CATALOG_OK);
	/* 焊工: an entry's name; 维修电工: an alias of 电工; ＣＡＤ制图员 and
	 * cad制图员: new, one key; 车 工: 车工's key while 车工 is not held. */
	const char *names[] = {"cad制图员", "焊工", "维修电工", "车 工", "ＣＡＤ制图员"};
	unsigned groups[] = {GROUP_METHODS, 1, 2, 3, 4};
	size_t lost;
	assert_int_equal(catalog_adopt(c, names, groups, 5, &lost), CATALOG_OK);
	assert_int_equal(lost, 1);                 /* ＣＡＤ制图员: cad制图员 has its key */
	assert_found(c, "cad制图员", "cad制图员");
	assert_int_equal(catalog_find(c, "cad制图员")->group_types, GROUP_METHODS);
	assert_int_equal(catalog_find(c, "cad制图员")->n_aliases, 0);
	assert_found(c, "维修电工", "维修电工");   /* its own entry now */
	assert_int_equal(catalog_find(c, "电工")->n_aliases, 0);
	assert_found(c, "车工", "车 工");          /* renamed: experts hold 车 工 */
	assert_int_equal(catalog_count(c), 5);
	catalog_destroy(&c);
}

static void test_adopt_leaves_a_held_entry_name(void **state)
{
	(void)state;
	struct catalog *c = two();
	const char *names[] = {"焊 工", "焊工"};
	unsigned groups[] = {1, 1};
	size_t lost;
	assert_int_equal(catalog_adopt(c, names, groups, 2, &lost), CATALOG_OK);
	assert_int_equal(lost, 1);
	assert_found(c, "焊 工", "焊工");
	assert_found(c, "维修电工", "电工");       /* no held name took it */
	catalog_destroy(&c);
}

static void test_near_and_the_message(void **state)
{
	(void)state;
	struct catalog *c = two();
	assert_int_equal(put(c, entry("汽车维修工", "", "汽车修理工", NULL), NULL),
	                 CATALOG_OK);
	const struct catalog_entry *near[TEXTNORM_NEAR_MAX];
	/* 维修电工x is one away from an alias of 电工: 电工 is listed once. */
	size_t n = catalog_near(c, "维修电工x", near);
	assert_true(n >= 1);
	assert_string_equal(near[0]->name, "电工");
	for (size_t i = 1; i < n; i++)
		assert_string_not_equal(near[i]->name, "电工");
	char msg[160];
	catalog_unknown_message(c, "汽车修理", msg, sizeof msg);
	assert_string_equal(msg, "no occupation is named '汽车修理' in the catalogue; "
	                         "closest: 汽车维修工");
	catalog_unknown_message(c, "完全无关的名称", msg, sizeof msg);
	assert_string_equal(msg, "no occupation is named '完全无关的名称' in the catalogue");
	/* Too long for the buffer: cut between characters, never inside one. */
	char small[40];
	catalog_unknown_message(c, "维修电工维修电工维修电工维修电工", small, sizeof small);
	assert_true(strlen(small) < sizeof small);
	char key[TEXTNORM_KEY_SIZE];
	assert_true(textnorm_key(TEXTNORM_OCCUPATION, small, key, sizeof key));
	catalog_destroy(&c);
}

static void test_map_specialties(void **state)
{
	(void)state;
	struct catalog *c = two();
	struct expert e, same;
	memset(&e, 0, sizeof e);
	strcpy(e.specialties[0], "维修电工");
	strcpy(e.specialties[1], "焊工");
	strcpy(e.specialties[2], "电工");
	e.n_specialties = 3;
	char why[160];
	assert_true(catalog_map_specialties(c, &e, why, sizeof why));
	assert_int_equal(e.n_specialties, 2);      /* 维修电工 and 电工 are one */
	assert_string_equal(e.specialties[0], "电工");
	assert_string_equal(e.specialties[1], "焊工");
	/* The record another spelling gives is the same bytes. */
	memset(&same, 0, sizeof same);
	strcpy(same.specialties[0], "电工");
	strcpy(same.specialties[1], "焊 工");
	same.n_specialties = 2;
	assert_true(catalog_map_specialties(c, &same, why, sizeof why));
	assert_memory_equal(&e, &same, sizeof e);
	strcpy(e.specialties[1], "焊接工");
	assert_false(catalog_map_specialties(c, &e, why, sizeof why));
	assert_string_equal(why, "no occupation is named '焊接工' in the catalogue; "
	                         "closest: 焊工");
	catalog_destroy(&c);
}

static struct catalog *starter(void)
{
	struct catalog *c = catalog_new();
	size_t line = 0;
	assert_int_equal(catalog_parse_starter(c, (const char *)catalog_starter_csv,
	                                       catalog_starter_csv_len, &line),
	                 CATALOG_OK);
	return c;
}

static void test_starter_list(void **state)
{
	(void)state;
	struct catalog *c = starter();
	assert_true(catalog_count(c) >= genroster_n_occupations);
	for (size_t i = 0; i < genroster_n_occupations; i++)
		assert_found(c, genroster_occupations[i], genroster_occupations[i]);
	/* The occupations the tests and the demo name, and 维修电工 → 电工. */
	const char *used[] = {"电工", "焊工", "钳工", "车工", "育婴员"};
	for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
		assert_found(c, used[i], used[i]);
	const struct catalog_entry *e = catalog_find(c, "维修电工");
	assert_non_null(e);
	assert_string_equal(e->name, "电工");
	assert_string_equal(e->code, "6-31-01-03");
	assert_int_equal(e->group_types, GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION);
	assert_int_equal(catalog_at(c, 0)->id, 1);
	catalog_destroy(&c);
}

static void test_starter_format(void **state)
{
	(void)state;
	struct catalog *c = catalog_new();
	size_t line;
	const char ok[] = "\xef\xbb\xbf工种,职业编码,别名,专家组类型\r\n\r\n"
	                  "电工,6-31-01-03,维修电工|电工（旧）,培训评审、methods\r\n"
	                  "焊工\n";
	assert_int_equal(catalog_parse_starter(c, ok, sizeof ok - 1, &line), CATALOG_OK);
	assert_found(c, "电工(旧)", "电工");
	assert_int_equal(catalog_find(c, "电工")->group_types,
	                 GROUP_TRAINING_REVIEW | GROUP_METHODS);
	assert_int_equal(catalog_find(c, "焊工")->group_types, 0);
	const char *bad[] = {"h\n车工,,,培训\n", "h\n\"车工\",,,\n", "h\n车工,,,,\n",
	                     "h\n车工,1-2,,\n", "h\n车工,,电工,\n"};
	const enum catalog_result why[] = {CATALOG_BAD_NAME, CATALOG_BAD_NAME,
	                                   CATALOG_BAD_NAME, CATALOG_BAD_CODE,
	                                   CATALOG_CLASH};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(catalog_parse_starter(c, bad[i], strlen(bad[i]), &line),
		                 why[i]);
		assert_int_equal(line, 2);
	}
	catalog_destroy(&c);
}

static void test_clear_and_reload_ids(void **state)
{
	(void)state;
	struct catalog *c = two();
	catalog_clear(c);
	assert_int_equal(catalog_count(c), 0);
	assert_null(catalog_find(c, "维修电工"));
	struct catalog_entry e = entry("焊工", "", NULL, NULL);
	e.id = 7;   /* as loaded from the store */
	assert_int_equal(put(c, e, NULL), CATALOG_OK);
	assert_int_equal(put(c, entry("车工", "", NULL, NULL), NULL), CATALOG_OK);
	assert_int_equal(catalog_find(c, "焊工")->id, 7);
	assert_int_equal(catalog_find(c, "车工")->id, 8);
	catalog_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_by_name_alias_and_key),
		cmocka_unit_test(test_update_keeps_the_name_replaces_the_rest),
		cmocka_unit_test(test_clashes_change_nothing),
		cmocka_unit_test(test_codes),
		cmocka_unit_test(test_adopt_keeps_every_held_name_reachable),
		cmocka_unit_test(test_adopt_leaves_a_held_entry_name),
		cmocka_unit_test(test_near_and_the_message),
		cmocka_unit_test(test_map_specialties),
		cmocka_unit_test(test_starter_list),
		cmocka_unit_test(test_starter_format),
		cmocka_unit_test(test_clear_and_reload_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
