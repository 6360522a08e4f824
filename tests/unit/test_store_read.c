/*
 * test_store_read.c - the reads after a commit: the narrow readers give
 * exactly what the full rows hold (the published and notified bytes must
 * not change), and store_read_begin() makes the reads one snapshot, never
 * nests inside a batch, and falls back to plain reads when BEGIN fails.
 * Uses store internals (the sqlite3 handle) to write from a second
 * connection and to make BEGIN fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit_db.h"

#include "quota.h"
#include "store_int.h"

struct fx {
	struct unit_db db;
	struct store *store;
	struct sign_key sign;
};

/* A 64-byte name (21 three-byte characters and one more byte): the
 * longest an expert may have, so truncation would show. */
#define LONG_NAME "张三明张三明张三明张三明张三明张三明张三明X"

static void fx_expert(struct expert *e, int64_t id, const char *name,
                      const char *resident, const char *phone)
{
	memset(e, 0, sizeof *e);
	e->id = id;
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->resident_id, sizeof e->resident_id, "%s", resident);
	snprintf(e->phone, sizeof e->phone, "%s", phone);
	if (id == 1) /* the longest employer name the field holds */
		memset(e->employer, 'e', sizeof e->employer - 1);
	e->n_specialties = 1;
	snprintf(e->specialties[0], sizeof e->specialties[0], "焊工");
	e->term = e->joined_term = 1;
}

static void fx_task(struct task *t, int64_t id)
{
	memset(t, 0, sizeof *t);
	t->id = id;
	snprintf(t->bureau, sizeof t->bureau, "B440100");
	snprintf(t->created_by, sizeof t->created_by, "bureau-a");
	t->kind = 2;
	snprintf(t->specialty, sizeof t->specialty, "电工");
	t->members = 4;
	t->n_orgs = 1;
	snprintf(t->orgs[0], sizeof t->orgs[0], "91440101MA59XXXX1X");
	t->start_at = 1900000000;
	t->end_at = 1900086400;
	snprintf(t->district, sizeof t->district, "天河区");
	snprintf(t->note, sizeof t->note, "a note the brief leaves out");
	t->nonce_len = 4;
	memcpy(t->nonce, "abcd", 4);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_true(unit_db_make(&f->db, "read"));
	char err[256];
	assert_int_equal(store_open(f->db.path, &f->store, err, sizeof err), 0);
	static const uint8_t seed[SIGN_SEED_LEN] = {9, 8, 7};
	sign_key_from_seed(&f->sign, seed);
	assert_int_equal(store_pii_start(f->store, &f->sign, NULL, false, 1, err,
	                                 sizeof err), 0);
	struct store_term term = {.number = 1, .start = 19000, .end = 20000};
	struct expert e;
	struct task t;
	assert_int_equal(store_batch_begin(f->store), STORE_OK);
	assert_int_equal(store_term_insert(f->store, &term, "test"), STORE_OK);
	fx_expert(&e, 1, LONG_NAME, "440106199001011234", "13812345678");
	assert_int_equal(store_expert_insert(f->store, &e), STORE_OK);
	fx_expert(&e, 2, "李四", "440106199001015678", "");
	assert_int_equal(store_expert_insert(f->store, &e), STORE_OK);
	fx_task(&t, 7);
	assert_int_equal(store_task_insert(f->store, &t), STORE_OK);
	assert_int_equal(store_batch_commit(f->store), STORE_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(&f->store);
	unit_db_remove(&f->db);
	free(f);
	return 0;
}

/* The narrow readers agree with store_expert_get() byte for byte. */
static void test_expert_name_and_contact(void **state)
{
	struct fx *f = *state;
	struct expert *full = malloc(sizeof *full);
	struct store_contact c0;
	assert_non_null(full);
	for (int64_t id = 1; id <= 2; id++) {
		char name[EXPERT_NAME_MAX + 1];
		struct store_contact c;
		memset(name, 'x', sizeof name);
		assert_int_equal(store_expert_get(f->store, id, full), STORE_OK);
		assert_int_equal(store_expert_name(f->store, id, name), STORE_OK);
		assert_string_equal(name, full->name);
		assert_int_equal(store_expert_contact(f->store, id, &c), STORE_OK);
		assert_string_equal(c.name, full->name);
		assert_string_equal(c.phone, full->phone);
		assert_string_equal(c.employer, full->employer);
	}
	assert_int_equal(store_expert_contact(f->store, 1, &c0), STORE_OK);
	assert_int_equal(strlen(c0.employer), EXPERT_EMPLOYER_MAX);
	assert_int_equal(strlen(full->name), 2 * 3);   /* 李四 */
	assert_int_equal(store_expert_get(f->store, 1, full), STORE_OK);
	assert_int_equal(strlen(full->name), EXPERT_NAME_MAX);
	free(full);
	char name[EXPERT_NAME_MAX + 1];
	struct store_contact c;
	assert_int_equal(store_expert_name(f->store, 99, name), STORE_NOT_FOUND);
	assert_int_equal(store_expert_contact(f->store, 99, &c), STORE_NOT_FOUND);
}

/* The brief agrees with store_task_get() on every field it carries. */
static void test_task_brief(void **state)
{
	struct fx *f = *state;
	struct task *full = malloc(sizeof *full);
	assert_non_null(full);
	struct store_task_brief b;
	memset(&b, 'x', sizeof b);
	assert_int_equal(store_task_get(f->store, 7, full), STORE_OK);
	assert_int_equal(store_task_brief(f->store, 7, 0, &b), STORE_OK);
	assert_string_equal(b.bureau, full->bureau);
	assert_int_equal(b.kind, full->kind);
	assert_string_equal(b.specialty, full->specialty);
	assert_int_equal(b.start_at, full->start_at);
	assert_int_equal(b.end_at, full->end_at);
	assert_string_equal(b.district, full->district);
	assert_int_equal(b.kind, 2);
	assert_string_equal(b.district, "天河区");
	assert_int_equal(store_task_brief(f->store, 8, 0, &b), STORE_NOT_FOUND);
	free(full);
}

/* A mixed panel's task (DRAW.md 3.7) keeps its quotas in order, and the
 * brief of a seat names that seat's quota's specialty. */
static void test_task_quotas(void **state)
{
	struct fx *f = *state;
	struct task *t = malloc(sizeof *t), *back = malloc(sizeof *back);
	assert_non_null(t);
	assert_non_null(back);
	fx_task(t, 9);
	t->n_quotas = 3;
	static const char *const spec[] = {"电工", "焊工", "车工"};
	for (int q = 0; q < 3; q++) {
		snprintf(t->quotas[q].specialty, sizeof t->quotas[q].specialty, "%s", spec[q]);
		t->quotas[q].group = 2 - q;
		t->quotas[q].members = 1 + q;
		t->quotas[q].backups = q;
	}
	quota_task_totals(t);
	assert_int_equal(store_batch_begin(f->store), STORE_OK);
	assert_int_equal(store_task_insert(f->store, t), STORE_OK);
	assert_int_equal(store_batch_commit(f->store), STORE_OK);
	assert_int_equal(store_task_get(f->store, 9, back), STORE_OK);
	assert_int_equal(back->n_quotas, 3);
	assert_memory_equal(back->quotas, t->quotas, sizeof t->quotas);
	assert_int_equal(back->members, 6);
	assert_int_equal(back->backups, 3);
	assert_string_equal(back->specialty, "电工");
	struct store_task_brief b;
	for (int q = 0; q < 3; q++) {
		assert_int_equal(store_task_brief(f->store, 9, q, &b), STORE_OK);
		assert_string_equal(b.specialty, spec[q]);
	}
	/* A one-specialty task has none; any quota reads its specialty. */
	assert_int_equal(store_task_get(f->store, 7, back), STORE_OK);
	assert_int_equal(back->n_quotas, 0);
	assert_int_equal(store_task_brief(f->store, 7, 2, &b), STORE_OK);
	assert_string_equal(b.specialty, "电工");
	free(t);
	free(back);
}

/* Rename expert 2 from a second connection (another process, to SQLite). */
static void rename_elsewhere(const struct fx *f, const char *name)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_open(f->db.path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE experts SET name = ?1 WHERE id = 2",
	                                    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* Between begin and end the reads are one transaction: a commit from
 * elsewhere is not seen until the snapshot ends. Afterwards no
 * transaction is left open, and a batch can begin. */
static void test_read_snapshot(void **state)
{
	struct fx *f = *state;
	char name[EXPERT_NAME_MAX + 1];
	assert_true(store_read_begin(f->store));
	assert_true(store_in_batch(f->store));
	assert_int_equal(store_expert_name(f->store, 2, name), STORE_OK);
	assert_string_equal(name, "李四");
	rename_elsewhere(f, "王五");
	assert_int_equal(store_expert_name(f->store, 2, name), STORE_OK);
	assert_string_equal(name, "李四");
	store_read_end(f->store, true);
	assert_false(store_in_batch(f->store));
	assert_int_equal(store_expert_name(f->store, 2, name), STORE_OK);
	assert_string_equal(name, "王五");
	assert_int_equal(store_batch_begin(f->store), STORE_OK);
	assert_int_equal(store_batch_commit(f->store), STORE_OK);
}

/* Inside a batch there is no nesting: the reads see the batch's own
 * writes, and ending the (not begun) snapshot leaves the batch open. */
static void test_read_inside_batch(void **state)
{
	struct fx *f = *state;
	struct expert e;
	char name[EXPERT_NAME_MAX + 1];
	assert_int_equal(store_batch_begin(f->store), STORE_OK);
	fx_expert(&e, 3, "赵六", "440106199001019999", "13900000000");
	assert_int_equal(store_expert_insert(f->store, &e), STORE_OK);
	bool began = store_read_begin(f->store);
	assert_false(began);
	assert_int_equal(store_expert_name(f->store, 3, name), STORE_OK);
	assert_string_equal(name, "赵六");
	store_read_end(f->store, began);
	assert_true(store_in_batch(f->store));
	assert_int_equal(store_batch_commit(f->store), STORE_OK);
	assert_false(store_in_batch(f->store));
	assert_int_equal(store_expert_name(f->store, 3, name), STORE_OK);
}

static int deny_transactions_cb(void *arg, int action, const char *a,
                                const char *b, const char *c, const char *d)
{
	(void)arg, (void)a, (void)b, (void)c, (void)d;
	return action == SQLITE_TRANSACTION ? SQLITE_DENY : SQLITE_OK;
}

/* A BEGIN that fails leaves plain reads, each its own transaction. */
static void test_read_begin_fails(void **state)
{
	struct fx *f = *state;
	char name[EXPERT_NAME_MAX + 1];
	sqlite3_set_authorizer(db_sqlite(f->store->db), deny_transactions_cb, NULL);
	bool began = store_read_begin(f->store);
	sqlite3_set_authorizer(db_sqlite(f->store->db), NULL, NULL);
	assert_false(began);
	assert_false(store_in_batch(f->store));
	assert_int_equal(store_expert_name(f->store, 1, name), STORE_OK);
	assert_string_equal(name, LONG_NAME);
	store_read_end(f->store, began);
	assert_false(store_in_batch(f->store));
	/* And the statement, once it can be prepared, works again. */
	assert_true(store_read_begin(f->store));
	store_read_end(f->store, true);
	assert_false(store_in_batch(f->store));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_expert_name_and_contact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_brief, setup, teardown),
		cmocka_unit_test_setup_teardown(test_task_quotas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_inside_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_begin_fails, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
