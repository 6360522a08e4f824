/*
 * test_roster.c - roster parsing: header names (Chinese and wire names),
 * encodings (BOM, GB18030 detection and conversion), line numbers of
 * records that span lines, cell value mapping, and the file- and row-level
 * errors a user has to be told about.
 */
#include <iconv.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gb18030.h"
#include "proto.h"
#include "roster.h"
#include "import_zh.h"
#include "roster_fields.h"

#define HDR_ZH "姓名,性别,身份证号码,手机号码,申请专家组专业,专家组类型"
#define ROW_ZH_1 "张三,男,44010619800101001x,13800138000,焊工,技能评价"

struct row {
	msgpack_unpacked u;
	const msgpack_object *map;
};

static struct roster *parse(const char *text, enum roster_encoding enc, char *err,
                            size_t errsz)
{
	return roster_parse(text, strlen(text), enc, err, errsz);
}

static struct roster *parse_ok(const char *text)
{
	char err[512] = "";
	struct roster *r = parse(text, ROSTER_ENC_AUTO, err, sizeof err);
	if (!r)
		print_error("roster_parse failed: %s\n", err);
	assert_non_null(r);
	return r;
}

static void row_open(const struct roster *r, size_t i, struct row *row)
{
	assert_true(i < r->nrows);
	msgpack_unpacked_init(&row->u);
	assert_int_equal(msgpack_unpack_next(&row->u, r->rows[i].packed, r->rows[i].packed_len,
	                                     NULL),
	                 MSGPACK_UNPACK_SUCCESS);
	row->map = &row->u.data;
	assert_int_equal(row->map->type, MSGPACK_OBJECT_MAP);
	/* Every row is a valid pool.import.rows item as far as its shape goes. */
	assert_int_equal(proto_map_int(row->map, "line", -1), r->rows[i].line);
}

static void row_close(struct row *row)
{
	msgpack_unpacked_destroy(&row->u);
}

static void assert_str(const msgpack_object *map, const char *key, const char *want)
{
	const char *p;
	size_t n;
	if (!proto_map_str(map, key, &p, &n))
		fail_msg("field %s missing or not a string", key);
	if (n != strlen(want) || memcmp(p, want, n) != 0)
		fail_msg("field %s: got \"%.*s\", want \"%s\"", key, (int)n, p, want);
}

/* want: items separated by '|'. */
static void assert_strs(const msgpack_object *map, const char *key, const char *want)
{
	const msgpack_object *a = proto_map_get(map, key);
	char got[512] = "";
	size_t at = 0;
	assert_non_null(a);
	assert_int_equal(a->type, MSGPACK_OBJECT_ARRAY);
	for (uint32_t i = 0; i < a->via.array.size; i++) {
		const msgpack_object *o = &a->via.array.ptr[i];
		assert_int_equal(o->type, MSGPACK_OBJECT_STR);
		at += (size_t)snprintf(got + at, sizeof got - at, "%s%.*s", i ? "|" : "",
		                       (int)o->via.str.size, o->via.str.ptr);
	}
	assert_string_equal(got, want);
}

static void test_zh_headers_and_values(void **state)
{
	(void)state;
	const char *csv =
		"姓名,性别,公民身份号码,移动电话,工作单位,单位统一社会信用代码,推荐单位信用代码,"
		"专业,专家组类型,承担任务类型,职称,职业资格,考评工作年限,培训工作年限,"
		"放宽条件,职务,邮箱,备注\n"
		"\u3000李四 ,女,44010619800101001x,13800138000,广州某公司,"
		"91350100m000100y43,,焊工、电工，车工,培训评审专家组；方式方法,"
		"\"国家标准、题库、课程开发评审、考评人员培训\",副高级,高级技师,３,12,"
		"紧缺工种/获奖者,车间主任,li@example.cn,随便\n";
	struct roster *r = parse_ok(csv);
	struct row row;

	assert_int_equal(r->encoding, ROSTER_ENC_UTF8);
	assert_int_equal(r->header_line, 1);
	assert_string_equal(r->headers[ROSTER_F_RESIDENT_ID], "公民身份号码");
	assert_string_equal(r->headers[ROSTER_F_PHONE], "移动电话");
	assert_string_equal(r->headers[ROSTER_F_SPECIALTIES], "专业");
	assert_string_equal(r->headers[ROSTER_F_RECOMMENDER_CODE], "推荐单位信用代码");
	/* The unknown column is reported, not fatal. */
	assert_int_equal(r->nwarnings, 1);
	assert_string_equal(r->warnings[0].column, "备注");
	assert_int_equal(r->warnings[0].line, 1);

	assert_int_equal(r->records, 1);
	assert_int_equal(r->nerrors, 0);
	assert_int_equal(r->nrows, 1);
	row_open(r, 0, &row);
	assert_int_equal(proto_map_int(row.map, "line", 0), 2);
	assert_str(row.map, "name", "李四"); /* full-width space trimmed */
	assert_str(row.map, "sex", "female");
	assert_str(row.map, "resident_id", "44010619800101001X");
	assert_str(row.map, "phone", "13800138000");
	assert_str(row.map, "employer", "广州某公司");
	assert_str(row.map, "employer_code", "91350100M000100Y43");
	assert_null(proto_map_get(row.map, "recommender_code")); /* empty: omitted */
	assert_strs(row.map, "specialties", "焊工|电工|车工");
	assert_strs(row.map, "group_types", "training_review|methods");
	assert_strs(row.map, "task_types", "standards_review|assessor_training");
	assert_str(row.map, "title", "deputy_senior");
	assert_str(row.map, "qualification", "senior_technician");
	assert_int_equal(proto_map_int(row.map, "assess_years", -1), 3);
	assert_int_equal(proto_map_int(row.map, "training_years", -1), 12);
	assert_strs(row.map, "relaxations", "shortage_occupation|award_winner");
	assert_str(row.map, "position", "车间主任");
	assert_str(row.map, "email", "li@example.cn");
	assert_null(proto_map_get(row.map, "备注"));
	/* 17 keys: the 16 non-empty fields plus "line". */
	assert_int_equal(row.map->via.map.size, 17);
	row_close(&row);
	roster_destroy(&r);
	assert_null(r);
}

static void test_en_headers_pass_values_through(void **state)
{
	(void)state;
	const char *csv =
		"Name,SEX,resident_id,phone,specialties,group_types,title,qualification\n"
		"Wang Wu,male,440106198001010010,13800138000,welding,skill_evaluation;methods,"
		"intermediate,technician\n"
		"Zhao Liu,unknown,440106198001010010,13800138000,welding,astrology,高级,大师\n";
	struct roster *r = parse_ok(csv);
	struct row row;

	assert_string_equal(r->headers[ROSTER_F_NAME], "Name");
	assert_string_equal(r->headers[ROSTER_F_SEX], "SEX");
	assert_int_equal(r->nwarnings, 0);
	assert_int_equal(r->nrows, 2);
	row_open(r, 0, &row);
	assert_str(row.map, "sex", "male");
	assert_strs(row.map, "group_types", "skill_evaluation|methods");
	assert_str(row.map, "title", "intermediate");
	assert_str(row.map, "qualification", "technician");
	row_close(&row);
	/* What maps to no value is this side's row error, one per bad cell,
	 * in English as the headers are; the row goes on without those cells
	 * (so the daemon reports its own problems) and is marked. 高级 is a
	 * title level (副高级). */
	row_open(r, 1, &row);
	assert_null(proto_map_get(row.map, "sex"));
	assert_null(proto_map_get(row.map, "group_types"));
	assert_str(row.map, "title", "deputy_senior");
	assert_null(proto_map_get(row.map, "qualification"));
	row_close(&row);
	assert_false(r->rows[0].has_errors);
	assert_true(r->rows[1].has_errors);
	assert_false(r->zh);
	assert_int_equal(r->nerrors, 3);
	assert_string_equal(r->errors[0].column, "SEX");
	assert_non_null(strstr(r->errors[0].reason, "\"unknown\" is not a value"));
	assert_non_null(strstr(r->errors[0].reason, "male, female"));
	assert_string_equal(r->errors[1].column, "group_types");
	assert_string_equal(r->errors[2].column, "qualification");
	roster_destroy(&r);
}

static void test_form_labels_containing_separators(void **state)
{
	(void)state;
	/* The form's wording of some values contains 、 itself. */
	const char *csv = HDR_ZH ",放宽条件,职业资格\n"
	                  ROW_ZH_1 ",\"国家、省、市相关获奖者、新职业,工作业绩显著、公认有较高造诣\","
	                  "技师（二级）\n";
	struct roster *r = parse_ok(csv);
	struct row row;
	row_open(r, 0, &row);
	assert_strs(row.map, "relaxations",
	            "award_winner|new_occupation|outstanding_achievement");
	assert_str(row.map, "qualification", "technician");
	row_close(&row);
	roster_destroy(&r);
}

static void test_bom_is_stripped(void **state)
{
	(void)state;
	struct roster *r = parse_ok("\xef\xbb\xbf" HDR_ZH "\r\n" ROW_ZH_1 "\r\n");
	struct row row;
	assert_int_equal(r->encoding, ROSTER_ENC_UTF8);
	assert_string_equal(r->headers[ROSTER_F_NAME], "姓名");
	assert_int_equal(r->nwarnings, 0);
	assert_int_equal(r->nrows, 1);
	row_open(r, 0, &row);
	assert_str(row.map, "name", "张三");
	assert_str(row.map, "sex", "male");
	assert_strs(row.map, "group_types", "skill_evaluation");
	row_close(&row);
	roster_destroy(&r);
}

static void test_gb18030_detected_and_converted(void **state)
{
	(void)state;
	const char *utf8 = HDR_ZH "\r\n" ROW_ZH_1 "\r\n"
	                   "欧阳明,女,440106198001010010,13900139000,育婴员,培训评审\r\n";
	size_t len;
	char *gb = to_gb18030(utf8, strlen(utf8), &len);
	char err[512];
	struct row row;

	assert_false(roster_is_utf8(gb, len)); /* really not UTF-8 */
	struct roster *r = roster_parse(gb, len, ROSTER_ENC_AUTO, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->encoding, ROSTER_ENC_GB18030);
	assert_string_equal(r->headers[ROSTER_F_RESIDENT_ID], "身份证号码");
	assert_int_equal(r->nrows, 2);
	row_open(r, 1, &row);
	assert_str(row.map, "name", "欧阳明");
	assert_str(row.map, "sex", "female");
	assert_strs(row.map, "specialties", "育婴员");
	assert_strs(row.map, "group_types", "training_review");
	assert_int_equal(proto_map_int(row.map, "line", 0), 3);
	row_close(&row);
	roster_destroy(&r);

	/* Forcing UTF-8 on GB18030 bytes fails and says where. */
	r = roster_parse(gb, len, ROSTER_ENC_UTF8, err, sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "line 1: invalid UTF-8"));

	/* Forcing GB18030 on ASCII-only UTF-8 is harmless. */
	const char *ascii = "name,sex,resident_id,phone,specialties,group_types\n"
	                    "A,male,1,2,x,methods\n";
	r = roster_parse(ascii, strlen(ascii), ROSTER_ENC_GB18030, err, sizeof err);
	assert_non_null(r);
	assert_int_equal(r->encoding, ROSTER_ENC_GB18030);
	assert_int_equal(r->nrows, 1);
	roster_destroy(&r);
	free(gb);
}

static void test_multiline_cells_keep_line_numbers(void **state)
{
	(void)state;
	const char *crlf =
		HDR_ZH ",职务\r\n"                                        /* 1 */
		"张三,男,440106198001010010,13800138000,\"焊工\r\n"        /* 2 */
		"电工\",技能评价,\"车间\r\n"                              /* 3 */
		"主任\"\r\n"                                              /* 4 */
		"\r\n"                                                    /* 5 */
		",,,,,,\r\n"                                              /* 6 */
		"李四,女,440106198001010010,13800138000,车工,方式方法,\r\n" /* 7 */
		"王五,男,440106198001010010,13800138000,钳工,方式方法,";   /* 8: no EOL */
	struct roster *r = parse_ok(crlf);
	struct row row;

	assert_int_equal(r->records, 3); /* the blank and all-empty rows are not */
	assert_int_equal(r->nrows, 3);
	assert_int_equal(r->rows[0].line, 2);
	assert_int_equal(r->rows[1].line, 7);
	assert_int_equal(r->rows[2].line, 8);
	row_open(r, 0, &row);
	/* A line break inside a cell separates values too. */
	assert_strs(row.map, "specialties", "焊工|电工");
	assert_str(row.map, "position", "车间\r\n主任");
	row_close(&row);
	roster_destroy(&r);

	/* The same with LF only, and a title line above the header. */
	const char *lf =
		"广州市专家推荐名单,,,,,\n"                                 /* 1 */
		HDR_ZH "\n"                                               /* 2 */
		"\"张\n三\",男,440106198001010010,13800138000,焊工,技能评价\n" /* 3-4 */
		ROW_ZH_1 "\n";                                            /* 5 */
	r = parse_ok(lf);
	assert_int_equal(r->header_line, 2);
	assert_int_equal(r->nwarnings, 1);
	assert_int_equal(r->warnings[0].line, 1);
	assert_int_equal(r->nrows, 2);
	assert_int_equal(r->rows[0].line, 3);
	assert_int_equal(r->rows[1].line, 5);
	roster_destroy(&r);
}

static void test_missing_required_columns(void **state)
{
	(void)state;
	char err[512];
	struct roster *r = parse("姓名,性别,手机,工作单位\n张三,男,13800138000,x\n",
	                         ROSTER_ENC_AUTO, err, sizeof err);
	assert_null(r);
	/* Chinese headers, a Chinese message. */
	assert_non_null(strstr(err, "缺少必需的列"));
	assert_non_null(strstr(err, "身份证号 (resident_id)"));
	assert_non_null(strstr(err, "申请专家组专业 (specialties)"));
	/* The form has no group column (第八条): the daemon derives it. */
	assert_null(strstr(err, "group_types"));
	assert_null(strstr(err, "姓名"));
	assert_null(strstr(err, "(phone)"));

	/* Two columns for one field is ambiguous, not a guess. */
	r = parse(HDR_ZH ",手机\n", ROSTER_ENC_AUTO, err, sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "“手机号码”与“手机”两列是同一项"));

	/* No header at all. */
	r = parse("a,b\n1,2\n3,4\n5,6\n7,8\n9,10\n", ROSTER_ENC_AUTO, err, sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "no header row"));
}

static void test_non_integer_years_is_a_row_error(void **state)
{
	(void)state;
	const char *csv = HDR_ZH ",考评工作年限,培训工作年限\n"
	                  ROW_ZH_1 ",3.5,10\n"
	                  ROW_ZH_1 ",2,十年\n"
	                  ROW_ZH_1 ",,+4\n";
	struct roster *r = parse_ok(csv);
	struct row row;

	assert_int_equal(r->records, 3);
	assert_int_equal(r->nerrors, 2);
	assert_int_equal(r->errors[0].line, 2);
	assert_string_equal(r->errors[0].column, "考评工作年限");
	/* Chinese headers, Chinese messages. */
	assert_true(r->zh);
	assert_string_equal(r->errors[0].reason, "不是整数：“3.5”");
	assert_int_equal(r->errors[1].line, 3);
	assert_string_equal(r->errors[1].column, "培训工作年限");
	/* Every row is sent, the bad ones marked and without the bad cell. */
	assert_int_equal(r->nrows, 3);
	assert_true(r->rows[0].has_errors);
	assert_true(r->rows[1].has_errors);
	assert_false(r->rows[2].has_errors);
	row_open(r, 0, &row);
	assert_null(proto_map_get(row.map, "assess_years"));
	assert_int_equal(proto_map_int(row.map, "training_years", -1), 10);
	row_close(&row);
	row_open(r, 2, &row);
	assert_null(proto_map_get(row.map, "assess_years"));
	assert_int_equal(proto_map_int(row.map, "training_years", -1), 4);
	row_close(&row);
	roster_destroy(&r);
}

/* The form's 职业资格 and 职称 boxes each carry a level and an occupation
 * or field: typed in one cell, the level goes to its field and the rest is
 * kept (PROTOCOL.md 7.5.2), unless the roster has that column itself. */
static void test_level_cell_keeps_its_occupation(void **state)
{
	(void)state;
	const char *csv =
		"姓名,性别,申请专家组专业,职业资格,职称,身份证号,手机\n"
		"张三,男,焊工,高级技师（焊工）,高级工程师/机械,44010619800101001X,13800138000\n"
		"李四,男,焊工,等级：技师 职业（工种）：电工,工程师,44010619800101001X,13800138000\n"
		"王五,男,焊工,高级技师（一级）,中级,44010619800101001X,13800138000\n";
	struct roster *r = parse_ok(csv);
	struct row row;
	row_open(r, 0, &row);
	assert_str(row.map, "qualification", "senior_technician");
	assert_str(row.map, "qualification_occupation", "焊工");
	assert_str(row.map, "title", "deputy_senior");
	assert_str(row.map, "title_field", "机械");
	row_close(&row);
	row_open(r, 1, &row);
	assert_str(row.map, "qualification", "technician");
	assert_str(row.map, "qualification_occupation", "电工");
	assert_null(proto_map_get(row.map, "title_field"));
	row_close(&row);
	row_open(r, 2, &row);      /* a level's own wording carries no occupation */
	assert_str(row.map, "qualification", "senior_technician");
	assert_null(proto_map_get(row.map, "qualification_occupation"));
	row_close(&row);
	roster_destroy(&r);

	/* With a column of its own, the column is the value. */
	csv = "姓名,性别,申请专家组专业,职业资格,职业资格职业（工种）,身份证号,手机\n"
	      "张三,男,焊工,高级技师（焊工）,电焊工,44010619800101001X,13800138000\n";
	r = parse_ok(csv);
	row_open(r, 0, &row);
	assert_str(row.map, "qualification_occupation", "电焊工");
	row_close(&row);
	roster_destroy(&r);
}

/* The 推荐表's own labels, verbatim, and values as the Center types them. */
static void test_form_labels_and_values(void **state)
{
	(void)state;
	const char *csv =
		"姓名,性别,出生年月,申请专家组专业（不超过3个）,职业资格,职称,身份证号,手机,"
		"电子信箱,承担任务类型,从事职业技能评价考评工作年限,政治面貌\n"
		"张三,男,1980.01,焊工,特级技师,高级工程师,４４０１０６１９８００１０１００１ｘ,"
		"+86 138 0013 8000,z@example.cn,\"职业技能培训机构评审、"
		"国家职业标准、职业技能试题、课程标准开发评审\",3,群众\n"
		"李四,女,1981年2月,焊工,首席技师,工程师,44010619800101001x,"
		"0086-138-0013-8000,,,２,\n";
	struct roster *r = parse_ok(csv);
	struct row row;
	assert_int_equal(r->nerrors, 1);
	/* 出生年月 is checked against the ID's digits 7-12. */
	assert_int_equal(r->errors[0].line, 3);
	assert_string_equal(r->errors[0].column, "出生年月");
	assert_non_null(strstr(r->errors[0].reason, "1981年02月与身份证号码中的出生日期不符"));
	assert_int_equal(r->nwarnings, 0); /* 政治面貌: kept since draft 13 */
	row_open(r, 0, &row);
	assert_str(row.map, "politics", "群众");
	assert_str(row.map, "resident_id", "44010619800101001X");
	assert_str(row.map, "phone", "13800138000");
	assert_str(row.map, "qualification", "senior_technician");
	assert_str(row.map, "title", "deputy_senior");
	assert_str(row.map, "email", "z@example.cn");
	assert_strs(row.map, "specialties", "焊工");
	assert_strs(row.map, "task_types", "institution_review|standards_review");
	assert_int_equal(proto_map_int(row.map, "assess_years", -1), 3);
	assert_null(proto_map_get(row.map, "birth_month")); /* never sent */
	assert_null(proto_map_get(row.map, "group_types")); /* the daemon derives it */
	row_close(&row);
	row_open(r, 1, &row);
	assert_str(row.map, "phone", "13800138000");
	assert_str(row.map, "title", "intermediate");
	row_close(&row);
	roster_destroy(&r);
}

/* The form's 职业资格 and 职称 carry a level and an occupation or field;
 * a cell holding both gives its level. */
static void test_level_cells_with_occupation(void **state)
{
	(void)state;
	const char *csv = HDR_ZH ",职业资格,职称\n"
	                  ROW_ZH_1 ",高级技师（焊工）,高级工程师/机械制造\n"
	                  ROW_ZH_1 ",等级：技师 职业（工种）：电工,等级：工程师 专业：电气\n"
	                  ROW_ZH_1 ",技师（二级）,大师（焊接）\n";
	struct roster *r = parse_ok(csv);
	struct row row;
	row_open(r, 0, &row);
	assert_str(row.map, "qualification", "senior_technician");
	assert_str(row.map, "title", "deputy_senior");
	row_close(&row);
	row_open(r, 1, &row);
	assert_str(row.map, "qualification", "technician");
	assert_str(row.map, "title", "intermediate");
	row_close(&row);
	row_open(r, 2, &row);
	assert_str(row.map, "qualification", "technician");
	assert_null(proto_map_get(row.map, "title"));
	row_close(&row);
	assert_int_equal(r->nerrors, 1);
	assert_non_null(strstr(r->errors[0].reason, "大师（焊接）"));
	roster_destroy(&r);
}

/* Past the row schema's limits: the row's own error, not a refused call. */
static void test_limits_are_row_errors(void **state)
{
	(void)state;
	const char *csv = "姓名,性别,身份证号,手机,申请专家组专业,考评工作年限\n"
	                  "张三,男,44010619800101001x,13800138000,焊工、电工、车工、钳工,-1\n";
	struct roster *r = parse_ok(csv);
	struct row row;
	assert_int_equal(r->nerrors, 2);
	assert_string_equal(r->errors[0].column, "申请专家组专业");
	assert_non_null(strstr(r->errors[0].reason, "最多 3 个，此处有 4 个"));
	assert_string_equal(r->errors[1].column, "考评工作年限");
	assert_non_null(strstr(r->errors[1].reason, "应为 0 至 80"));
	assert_true(r->rows[0].has_errors);
	row_open(r, 0, &row);
	assert_null(proto_map_get(row.map, "specialties"));
	assert_null(proto_map_get(row.map, "assess_years"));
	assert_str(row.map, "name", "张三");
	row_close(&row);
	roster_destroy(&r);
}

static const char *zh(const char *en, char *buf, size_t bufsz)
{
	size_t n = strlen(en);
	const char *out = import_zh_reason(en, &n, buf, bufsz);
	assert_int_equal(strlen(out), n);
	return out;
}

/* The daemon's reasons for a Chinese roster: by prefix and by template. */
static void test_daemon_reasons_in_chinese(void **state)
{
	(void)state;
	char buf[600];
	assert_string_equal(zh("the same resident ID is on line 7", buf, sizeof buf),
	                    "与本表另一行身份证号码相同，行号 7");
	assert_string_equal(zh("resident ID 440106********0118 is expert 3, 张伟 (male); "
	                       "this row says 陈芳 (female): one ID is one person, so the "
	                       "row is refused (fix the row, or give a reason to correct "
	                       "the record)", buf, sizeof buf),
	                    "身份证号码 440106********0118 已是专家 3：张伟（男）；此行却是 "
	                    "陈芳（女）。同一身份证号码只能是同一人，此行不予导入（请改正此行，"
	                    "或说明理由以更正原记录）");
	assert_string_equal(zh("no occupation is named '焊接工' in the catalogue; closest: "
	                       "焊工, 电焊工", buf, sizeof buf),
	                    "职业目录中没有“焊接工”；相近的有：焊工, 电焊工");
	/* Unknown reasons, and near misses of a template, stay as they are. */
	const char *odd = "something new";
	assert_ptr_equal(zh(odd, buf, sizeof buf), odd);
	const char *near = "no occupation is named '焊接工' in the list";
	assert_ptr_equal(zh(near, buf, sizeof buf), near);
}

static const char *title(const char *s)
{
	return roster_fields_title((struct roster_span){s, strlen(s)});
}

static int birth(const char *s)
{
	return roster_fields_birth_month((struct roster_span){s, strlen(s)});
}

static void test_normalisers_and_titles(void **state)
{
	(void)state;
	char out[64];
	struct roster_span sp = {"+86 138 0013 8000", 17};
	assert_int_equal(roster_fields_phone(sp, out, sizeof out), 11);
	assert_string_equal(out, "13800138000");
	sp = (struct roster_span){"１３８-００１３-８０００", strlen("１３８-００１３-８０００")};
	roster_fields_phone(sp, out, sizeof out);
	assert_string_equal(out, "13800138000");
	sp = (struct roster_span){"8613800138000", strlen("8613800138000")};
	roster_fields_phone(sp, out, sizeof out);
	assert_string_equal(out, "13800138000");
	sp = (struct roster_span){"4401 0619 8001 0100 1ｘ", strlen("4401 0619 8001 0100 1ｘ")};
	roster_fields_code(sp, out, sizeof out);
	assert_string_equal(out, "44010619800101001X");
	sp = (struct roster_span){"９１３５０１００Ｍ０００１００Ｙ４３", strlen("９１３５０１００Ｍ０００１００Ｙ４３")};
	roster_fields_code(sp, out, sizeof out);
	assert_string_equal(out, "91350100M000100Y43");

	assert_string_equal(title("高级工程师"), "deputy_senior");
	assert_string_equal(title("高级"), "deputy_senior");
	assert_string_equal(title("正高级工程师"), "senior");
	assert_string_equal(title("教授级高级工程师"), "senior");
	assert_string_equal(title("工程师"), "intermediate");
	assert_string_equal(title("讲师"), "intermediate");
	assert_string_equal(title("助理工程师"), "junior");
	assert_string_equal(title("副教授"), "deputy_senior");
	assert_string_equal(title("教授"), "senior");
	assert_string_equal(title("副高级"), "deputy_senior");
	assert_null(title("高级技师")); /* a qualification, not a title */
	assert_null(title("大师"));

	assert_int_equal(birth("1980.01"), 198001);
	assert_int_equal(birth("1980-1"), 198001);
	assert_int_equal(birth("1980年1月"), 198001);
	assert_int_equal(birth("198001"), 198001);
	assert_int_equal(birth("1980/1/15"), 198001);
	assert_int_equal(birth("１９８０．１２"), 198012);
	assert_int_equal(birth("1980.13"), -1);
	assert_int_equal(birth("八零年"), -1);
}

static void test_quotes_and_binary_files(void **state)
{
	(void)state;
	char err[512];
	/* A stray quote inside an unquoted cell is kept, with a warning. */
	struct roster *r = parse_ok(HDR_ZH ",职务\n" ROW_ZH_1 ",12\"3\n" ROW_ZH_1 ",x\n");
	struct row row;
	assert_int_equal(r->nrows, 2);
	assert_int_equal(r->nwarnings, 1);
	assert_int_equal(r->warnings[0].line, 2);
	row_open(r, 0, &row);
	assert_str(row.map, "position", "12\"3");
	row_close(&row);
	roster_destroy(&r);

	/* A quote never closed swallows the file: refuse, naming its line. */
	r = parse(HDR_ZH "\n" ROW_ZH_1 "\n\"张三,男\n" ROW_ZH_1 "\n", ROSTER_ENC_AUTO, err,
	          sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "line 3: quoted cell is not closed"));
	/* Also on the last line, without a final line break. */
	r = parse(HDR_ZH "\n" ROW_ZH_1 "\n\"张三,男", ROSTER_ENC_AUTO, err, sizeof err);
	assert_null(r);
	assert_non_null(strstr(err, "line 3: quoted cell is not closed"));
	/* But a closed quote there is fine. */
	r = parse_ok(HDR_ZH "\n" ROW_ZH_1 "\n\"张三\",男,1,2,x,methods");
	assert_int_equal(r->nrows, 2);
	roster_destroy(&r);

	assert_null(roster_parse("PK\x03\x04zzzz", 8, ROSTER_ENC_AUTO, err, sizeof err));
	assert_non_null(strstr(err, ".xlsx"));
	assert_null(roster_parse("\xff\xfe" "a\0b\0", 6, ROSTER_ENC_AUTO, err, sizeof err));
	assert_non_null(strstr(err, "UTF-16"));
}

static void test_column_for_daemon_fields(void **state)
{
	(void)state;
	struct roster *r = parse_ok("姓名,性别,身份证号,手机,专业,专家组类型\n" ROW_ZH_1 "\n");
	assert_string_equal(roster_column_for(r, "resident_id"), "身份证号");
	assert_string_equal(roster_column_for(r, "specialties[1]"), "专业");
	assert_string_equal(roster_column_for(r, "email"), "email"); /* no such column */
	assert_string_equal(roster_column_for(r, "line"), "line");
	roster_destroy(&r);
	roster_destroy(&r); /* NULL-safe */

	enum roster_encoding e;
	assert_true(roster_encoding_parse("GBK", &e));
	assert_int_equal(e, ROSTER_ENC_GB18030);
	assert_true(roster_encoding_parse("utf-8", &e));
	assert_int_equal(e, ROSTER_ENC_UTF8);
	assert_false(roster_encoding_parse("latin1", &e));
}

/* pool export writes each enumerated value by roster_fields_label (PROTOCOL
 * 7.16.1): every value of every field with labels has one, and the import
 * reads that label back as the same value, so the export round-trips. */
static void test_export_labels_read_back(void **state)
{
	(void)state;
	size_t checked = 0;
	for (int f = 0; f < ROSTER_F__COUNT; f++) {
		const struct roster_field_info *fi = roster_field_info((enum roster_field)f);
		if (!fi->aliases || !fi->choices)
			continue;
		for (size_t i = 0; fi->choices[i]; i++) {
			const char *label = roster_fields_label((enum roster_field)f,
			                                        fi->choices[i]);
			assert_non_null(label);
			struct roster_span sp = {label, strlen(label)};
			struct roster_span items[ROSTER_MAX_ITEMS];
			/* One item: the label holds no separator the split obeys. */
			assert_int_equal(roster_fields_split((enum roster_field)f, sp, items,
			                                     ROSTER_MAX_ITEMS), 1);
			assert_string_equal(roster_fields_alias((enum roster_field)f, sp),
			                    fi->choices[i]);
			checked++;
		}
	}
	assert_true(checked >= 2 + 3 + 5 + 5 + 6 + 5);
	assert_null(roster_fields_label(ROSTER_F_SEX, "unknown"));
	assert_null(roster_fields_label(ROSTER_F_NAME, "male"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zh_headers_and_values),
		cmocka_unit_test(test_en_headers_pass_values_through),
		cmocka_unit_test(test_form_labels_containing_separators),
		cmocka_unit_test(test_bom_is_stripped),
		cmocka_unit_test(test_gb18030_detected_and_converted),
		cmocka_unit_test(test_multiline_cells_keep_line_numbers),
		cmocka_unit_test(test_missing_required_columns),
		cmocka_unit_test(test_non_integer_years_is_a_row_error),
		cmocka_unit_test(test_form_labels_and_values),
		cmocka_unit_test(test_level_cell_keeps_its_occupation),
		cmocka_unit_test(test_normalisers_and_titles),
		cmocka_unit_test(test_level_cells_with_occupation),
		cmocka_unit_test(test_limits_are_row_errors),
		cmocka_unit_test(test_daemon_reasons_in_chinese),
		cmocka_unit_test(test_quotes_and_binary_files),
		cmocka_unit_test(test_column_for_daemon_fields),
		cmocka_unit_test(test_export_labels_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
