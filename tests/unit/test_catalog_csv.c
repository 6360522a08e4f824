/*
 * test_catalog_csv.c - expertctl's occupation list parser: header names
 * (Chinese, wire names in any case), the roster's encodings, group type
 * labels and alias splitting, the lines rows start on, and the problems
 * that refuse the file or a row.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "catalog_csv.h"
#include "proto.h"

static struct catalog_csv *parse_ok(const char *text)
{
	char err[256] = "";
	struct catalog_csv *c = catalog_csv_parse(text, strlen(text), ROSTER_ENC_AUTO,
	                                          err, sizeof err);
	if (!c)
		print_error("catalog_csv_parse failed: %s\n", err);
	assert_non_null(c);
	return c;
}

/* Row i, unpacked into u (the caller destroys it). */
static const msgpack_object *row(const struct catalog_csv *c, size_t i,
                                 msgpack_unpacked *u)
{
	size_t off = 0;
	msgpack_unpacked_init(u);
	for (size_t k = 0; k <= i; k++)
		assert_int_equal(msgpack_unpack_next(u, c->rows.data, c->rows.size, &off),
		                 MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(u->data.type, MSGPACK_OBJECT_MAP);
	return &u->data;
}

static void assert_str(const msgpack_object *o, const char *want)
{
	assert_int_equal(o->type, MSGPACK_OBJECT_STR);
	assert_int_equal(o->via.str.size, strlen(want));
	assert_memory_equal(o->via.str.ptr, want, strlen(want));
}

static void test_chinese_headers_labels_and_lines(void **state)
{
	(void)state;
	struct catalog_csv *c = parse_ok(
		"中心工种目录\n"
		"工种,备注,别名,职业编码,专家组类型\n"
		"电工,x,维修电工、电工（旧）,6-31-01-03,培训评审专家组、方式方法\n"
		"\n"
		"\"焊\n工\",,,,\n"
		"钳工\n");
	assert_int_equal(c->nrows, 3);
	assert_int_equal(c->lines[0], 3);
	assert_int_equal(c->lines[1], 5);   /* a record spanning lines: where it starts */
	assert_int_equal(c->lines[2], 7);
	assert_int_equal(c->nwarnings, 2);  /* the title line, and 备注 */
	assert_int_equal(c->nerrors, 0);
	msgpack_unpacked u;
	const msgpack_object *r = row(c, 0, &u);
	assert_int_equal(r->via.map.size, 4);
	assert_str(proto_map_get(r, "name"), "电工");
	assert_str(proto_map_get(r, "code"), "6-31-01-03");
	const msgpack_object *a = proto_map_get(r, "aliases");
	assert_int_equal(a->via.array.size, 2);
	assert_str(&a->via.array.ptr[1], "电工（旧）");
	const msgpack_object *g = proto_map_get(r, "group_types");
	assert_int_equal(g->via.array.size, 2);
	assert_str(&g->via.array.ptr[0], "training_review");
	assert_str(&g->via.array.ptr[1], "methods");
	msgpack_unpacked_destroy(&u);
	r = row(c, 2, &u);
	assert_int_equal(r->via.map.size, 1);      /* empty cells are left out */
	msgpack_unpacked_destroy(&u);
	assert_string_equal(catalog_csv_column(c, "aliases[1]"), "别名");
	assert_string_equal(catalog_csv_column(c, "line"), "line");
	catalog_csv_destroy(&c);
	assert_null(c);
}

static void test_wire_headers_and_gb18030(void **state)
{
	(void)state;
	/* "NAME,Group_Types\n焊工,技能评价\n" in GB18030. */
	const char gb[] = "NAME,Group_Types\n\xba\xb8\xb9\xa4,\xbc\xbc\xc4\xdc\xc6\xc0\xbc\xdb\n";
	char err[256];
	struct catalog_csv *c = catalog_csv_parse(gb, sizeof gb - 1, ROSTER_ENC_AUTO, err,
	                                          sizeof err);
	assert_non_null(c);
	assert_int_equal(c->encoding, ROSTER_ENC_GB18030);
	msgpack_unpacked u;
	const msgpack_object *r = row(c, 0, &u);
	assert_str(proto_map_get(r, "name"), "焊工");
	assert_str(&proto_map_get(r, "group_types")->via.array.ptr[0], "skill_evaluation");
	msgpack_unpacked_destroy(&u);
	catalog_csv_destroy(&c);
}

static void test_problems(void **state)
{
	(void)state;
	char err[256];
	const char *no_header = "电工\n焊工\n";
	assert_null(catalog_csv_parse(no_header, strlen(no_header), ROSTER_ENC_AUTO, err,
	                              sizeof err));
	assert_non_null(strstr(err, "no header row"));
	const char *no_name = "别名,职业编码\n维修电工,\n";
	assert_null(catalog_csv_parse(no_name, strlen(no_name), ROSTER_ENC_AUTO, err,
	                              sizeof err));
	assert_non_null(strstr(err, "工种"));
	struct catalog_csv *c = parse_ok("工种,别名\n,维修电工\n焊工,\n");
	assert_int_equal(c->nrows, 1);
	assert_int_equal(c->nerrors, 1);
	assert_int_equal(c->errors[0].line, 2);
	assert_string_equal(c->errors[0].column, "工种");
	catalog_csv_destroy(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chinese_headers_labels_and_lines),
		cmocka_unit_test(test_wire_headers_and_gb18030),
		cmocka_unit_test(test_problems),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
