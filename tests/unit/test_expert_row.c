/*
 * test_expert_row.c - a roster row to an expert: every problem of a row
 * is reported, not the first (issue #12); group types follow from task
 * types when the row has none (第八条); 性别 must agree with the ID.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "audit.h"
#include "expert_diff.h"
#include "expert_row.h"
#include "proto.h"

#define TODAY ident_days_from_civil(2026, 12, 7)

/* An ID born 1980-01-01 whose 17th digit is seq's last digit. */
static void make_id(int seq, char out[19])
{
	snprintf(out, 19, "44010619800101%03d", seq);
	out[17] = ident_resident_id_check_char(out);
	out[18] = '\0';
}

struct row {
	msgpack_sbuffer sb;
	msgpack_unpacked u;
};

/* kv: key, value pairs of strings; a value starting with '[' is a one-
 * item array of the rest; "#" then a number is an int. */
static const msgpack_object *row_build(struct row *r, const char *const *kv, size_t n)
{
	msgpack_packer pk;
	msgpack_sbuffer_init(&r->sb);
	msgpack_packer_init(&pk, &r->sb, msgpack_sbuffer_write);
	msgpack_pack_map(&pk, (uint32_t)(n / 2 + 1));
	proto_pack_kv_int(&pk, "line", 2);
	for (size_t i = 0; i + 1 < n; i += 2) {
		proto_pack_str(&pk, kv[i]);
		const char *v = kv[i + 1];
		if (v[0] == '[') {
			msgpack_pack_array(&pk, 1);
			proto_pack_str(&pk, v + 1);
		} else if (v[0] == '#') {
			msgpack_pack_int64(&pk, atoi(v + 1));
		} else {
			proto_pack_str(&pk, v);
		}
	}
	msgpack_unpacked_init(&r->u);
	assert_int_equal(msgpack_unpack_next(&r->u, r->sb.data, r->sb.size, NULL),
	                 MSGPACK_UNPACK_SUCCESS);
	return &r->u.data;
}

static void row_free(struct row *r)
{
	msgpack_unpacked_destroy(&r->u);
	msgpack_sbuffer_destroy(&r->sb);
}

static bool has(const struct expert_row_problems *p, const char *field,
                const char *words)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].field, field) == 0 && strstr(p->v[i].why, words))
			return true;
	return false;
}

static void test_every_problem_is_reported(void **state)
{
	(void)state;
	char female[19];
	make_id(22, female);
	const char *kv[] = {"name", "李娜", "sex", "male", "resident_id", female,
	                    "phone", "12345", "email", "nope", "employer_code", "123",
	                    "title", "none", "task_types", "[assessor_training"};
	struct row r;
	struct expert e;
	struct expert_row_problems errs, warns;
	const msgpack_object *row = row_build(&r, kv, sizeof kv / sizeof kv[0]);
	assert_int_equal(expert_from_row(row, TODAY, false, &e, &errs, &warns), IDENT_INVALID);
	assert_true(has(&errs, "sex", "17th digit says female"));
	assert_true(has(&errs, "phone", ""));
	assert_true(has(&errs, "email", "e-mail"));
	assert_true(has(&errs, "employer_code", ""));
	assert_true(has(&errs, "specialties", "required"));
	/* Eligibility: both the title and the years, not only the first. */
	assert_true(has(&errs, "title", "第十一条"));
	assert_true(has(&errs, "assess_years", "第十一条"));
	assert_int_equal(errs.n, 7);
	/* The ID itself is valid: kept for the repeat check. */
	assert_string_equal(e.resident_id, female);
	row_free(&r);

	/* Nothing at all: each required field named once. */
	const char *none[] = {"position", "x"};
	row = row_build(&r, none, 2);
	assert_int_equal(expert_from_row(row, TODAY, false, &e, &errs, NULL), IDENT_INVALID);
	const char *required[] = {"name", "sex", "resident_id", "phone", "specialties"};
	for (size_t i = 0; i < 5; i++)
		assert_true(has(&errs, required[i], "required"));
	assert_true(has(&errs, "group_types", "第八条"));
	assert_string_equal(e.resident_id, "");
	row_free(&r);
}

static void test_group_types_follow_task_types(void **state)
{
	(void)state;
	char male[19];
	make_id(11, male);
	const char *kv[] = {"name", "张伟", "sex", "male", "resident_id", male,
	                    "phone", "13800138000", "specialties", "[焊工",
	                    "title", "intermediate", "training_years", "#12",
	                    "task_types", "[institution_review"};
	struct row r;
	struct expert e;
	struct expert_row_problems errs;
	const msgpack_object *row = row_build(&r, kv, sizeof kv / sizeof kv[0]);
	assert_int_equal(expert_from_row(row, TODAY, false, &e, &errs, NULL), IDENT_OK);
	assert_int_equal(e.group_types, GROUP_TRAINING_REVIEW);
	row_free(&r);

	assert_int_equal(expert_row_groups_of_tasks(1u << 0), GROUP_TRAINING_REVIEW);
	assert_int_equal(expert_row_groups_of_tasks(1u << 1), GROUP_SKILL_EVALUATION);
	assert_int_equal(expert_row_groups_of_tasks(1u << 2), GROUP_METHODS);
	assert_int_equal(expert_row_groups_of_tasks(1u << 3), GROUP_SKILL_EVALUATION);
	assert_int_equal(expert_row_groups_of_tasks(1u << 4), GROUP_SKILL_EVALUATION);
	assert_int_equal(expert_row_groups_of_tasks(0x1f),
	                 GROUP_TRAINING_REVIEW | GROUP_SKILL_EVALUATION | GROUP_METHODS);
	assert_int_equal(expert_row_groups_of_tasks(0), 0);

	/* Given group types win over the task types. */
	const char *given[] = {"name", "张伟", "sex", "male", "resident_id", male,
	                       "phone", "13800138000", "specialties", "[焊工",
	                       "title", "intermediate", "group_types", "[methods",
	                       "task_types", "[institution_review"};
	row = row_build(&r, given, sizeof given / sizeof given[0]);
	assert_int_equal(expert_from_row(row, TODAY, false, &e, &errs, NULL), IDENT_OK);
	assert_int_equal(e.group_types, GROUP_METHODS);
	row_free(&r);
}

static void test_diff_names_fields_and_hides_personal_data(void **state)
{
	(void)state;
	struct expert a, b;
	char out[1000];
	memset(&a, 0, sizeof a);
	snprintf(a.name, sizeof a.name, "张伟");
	snprintf(a.phone, sizeof a.phone, "13800138000");
	snprintf(a.specialties[0], sizeof a.specialties[0], "焊工");
	a.n_specialties = 1;
	a.title = TITLE_INTERMEDIATE;
	a.group_types = GROUP_METHODS;
	b = a;
	assert_int_equal(expert_diff(&a, &b, out, sizeof out, NULL), 0);
	assert_string_equal(out, "");
	snprintf(b.name, sizeof b.name, "张玮");
	snprintf(b.phone, sizeof b.phone, "13912345678");
	snprintf(b.specialties[1], sizeof b.specialties[1], "电工");
	b.n_specialties = 2;
	b.title = TITLE_DEPUTY_SENIOR;
	b.group_types = GROUP_METHODS | GROUP_TRAINING_REVIEW;
	b.assess_years = 4;
	unsigned mask = 0;
	assert_int_equal(expert_diff(&a, &b, out, sizeof out, &mask), 6);
	/* name, phone, specialties, group_types, title, assess_years */
	assert_int_equal(mask, (1u << 0) | (1u << 3) | (1u << 7) | (1u << 8) | (1u << 10) |
	                       (1u << 12));
	assert_string_equal(out, "name 张伟 → 张玮; phone changed; specialties 焊工 → 焊工|电工; "
	                    "group_types methods → training_review|methods; "
	                    "title intermediate → deputy_senior; assess_years 0 → 4");
	assert_null(strstr(out, "139"));
	/* Cut short, at a character boundary, and marked. */
	char small[24];
	assert_int_equal(expert_diff(&a, &b, small, sizeof small, NULL), 6);
	assert_true(strlen(small) < sizeof small);
	assert_non_null(strstr(small, "…"));
}

/* The pool.expert body of an update names what changed (DRAW.md 4.2),
 * and the verifier's reader holds it to its layout. */
static void test_audit_body_names_changed_fields(void **state)
{
	(void)state;
	struct expert e, back;
	memset(&e, 0, sizeof e);
	e.id = 1;
	e.n_specialties = 1;
	snprintf(e.specialties[0], sizeof e.specialties[0], "焊工");
	e.group_types = GROUP_METHODS;
	unsigned mask = (1u << 3) | (1u << 10), got = 99;   /* phone, title */
	msgpack_sbuffer sb;
	msgpack_packer pk;
	msgpack_unpacked u;
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	audit_pack_expert_changed(&pk, "updated", "op", "", mask, &e);
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL),
	                 MSGPACK_UNPACK_SUCCESS);
	msgpack_object *body = &u.data;
	assert_int_equal(body->via.map.size, 4);
	assert_true(audit_read_expert_changes(body, &back, &got));
	assert_int_equal(got, mask);
	assert_int_equal(back.id, 1);
	const msgpack_object *names = proto_map_get(body, "changed");
	assert_non_null(names);
	assert_int_equal(names->via.array.size, 2);
	assert_memory_equal(names->via.array.ptr[0].via.str.ptr, "phone", 5);

	/* Out of order, or on another event: not the layout. */
	msgpack_object first = names->via.array.ptr[0];
	names->via.array.ptr[0] = names->via.array.ptr[1];
	names->via.array.ptr[1] = first;
	assert_false(audit_read_expert_changes(body, &back, &got));
	names->via.array.ptr[1] = names->via.array.ptr[0];
	names->via.array.ptr[0] = first;
	assert_true(audit_read_expert_changes(body, &back, &got));
	body->via.map.ptr[0].val.via.str.ptr = "imported";
	body->via.map.ptr[0].val.via.str.size = 8;
	assert_false(audit_read_expert_changes(body, &back, &got));
	msgpack_unpacked_destroy(&u);

	/* No changes: the old 3-key layout, which still reads. */
	msgpack_sbuffer_clear(&sb);
	audit_pack_expert_changed(&pk, "imported", "op", NULL, 0, &e);
	msgpack_unpacked_init(&u);
	assert_int_equal(msgpack_unpack_next(&u, sb.data, sb.size, NULL),
	                 MSGPACK_UNPACK_SUCCESS);
	assert_int_equal(u.data.via.map.size, 3);
	assert_true(audit_read_expert_changes(&u.data, &back, &got));
	assert_int_equal(got, 0);
	msgpack_unpacked_destroy(&u);
	msgpack_sbuffer_destroy(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_problem_is_reported),
		cmocka_unit_test(test_group_types_follow_task_types),
		cmocka_unit_test(test_diff_names_fields_and_hides_personal_data),
		cmocka_unit_test(test_audit_body_names_changed_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
