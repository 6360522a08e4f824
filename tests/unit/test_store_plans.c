/*
 * test_store_plans.c - no statement of the store walks a whole table by
 * accident. Every statement of STORE_STATEMENTS is planned (EXPLAIN QUERY
 * PLAN) on a freshly migrated database; a plan that scans a table must be
 * one of the few listed below, each with why a scan is what it needs (a
 * listing, a load at start-up, a bounded walk). A lookup that lost its
 * index (a partial index the WHERE clause does not imply, a changed
 * column) costs every draw a table scan and fails here by name. Uses
 * store internals (the sqlite3 handle and the statement texts).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit_db.h"

#include "store_int.h"

struct plan_stmt {
	const char *name, *sql;
};

#define PLAN_STMT(name, sql) {#name, sql},
static const struct plan_stmt plan_stmts[] = {STORE_STATEMENTS(PLAN_STMT)};

/* Statements that read a whole table on purpose, and why. */
static const char *const plan_may_scan[] = {
	"STMT_TERM_LIST",            /* every term: a handful of rows */
	"STMT_EXPERT_POOL",          /* the pool's load at start-up */
	"STMT_EXPERT_BY_STATUS",     /* aging: once a day */
	"STMT_AWAY_LIST",            /* a listing, all experts or one */
	"STMT_CONFLICT_LIST",        /* a listing, filtered or not */
	"STMT_CONFLICT_ALL",         /* the load at start-up */
	"STMT_ORG_NAME_ALL",         /* the load at start-up */
	"STMT_ORG_LIST",             /* org.list, paged */
	"STMT_ORG_LIST_COUNT",       /* org.list's total */
	"STMT_ORG_MERGE_TASKS",      /* org.merge: rare, by an operator */
	"STMT_AUDIT_LAST",           /* the last rowid, read backwards: one row */
	"STMT_TASK_ALL",             /* the load at start-up */
	"STMT_TASK_LIST_ALL",        /* task.list of every bureau, paged */
	"STMT_TASK_COUNT_ALL",       /* its total */
	"STMT_TASK_COUNT_FILLS",     /* stats */
	"STMT_ASSIGN_ALL",           /* the load at start-up */
	"STMT_ASSIGN_COUNT_STATES",  /* stats */
	"STMT_STATS_MOST_DRAWN",     /* stats */
	"STMT_STATS_SEAT_EVENTS",    /* stats */
	"STMT_STATS_DRAWS",          /* stats */
	"STMT_STATS_DRAW_BODIES",    /* stats */
	"STMT_CATALOG_ALL",          /* the load at start-up */
	"STMT_REQUEST_PRUNE",        /* the oldest records, LIMIT bounded */
};

static bool plan_is_allowed(const char *name)
{
	for (size_t i = 0; i < sizeof plan_may_scan / sizeof *plan_may_scan; i++)
		if (strcmp(plan_may_scan[i], name) == 0)
			return true;
	return false;
}

/* True when a row of the plan of sql scans a table (SCAN without an
 * index; a covering index walked in full counts too). */
static bool plan_scans(sqlite3 *db, const char *sql, char *detail, size_t size)
{
	char *q = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	assert_non_null(q);
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, q, -1, &st, NULL);
	sqlite3_free(q);
	if (rc != SQLITE_OK)
		fail_msg("cannot plan %s: %s", sql, sqlite3_errmsg(db));
	bool scans = false;
	detail[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		if (d && strncmp(d, "SCAN ", 5) == 0 && !scans) {
			scans = true;
			snprintf(detail, size, "%s", d);
		}
	}
	sqlite3_finalize(st);
	return scans;
}

/* A migrated store, as the daemon opens one (unit_db.h). */
static int setup(void **state)
{
	struct unit_dispatch *u = calloc(1, sizeof *u);
	assert_non_null(u);
	assert_true(unit_dispatch_open(u, "plans"));
	*state = u;
	return 0;
}

static int teardown(void **state)
{
	unit_dispatch_close(*state);
	free(*state);
	return 0;
}

static void test_no_statement_scans_by_accident(void **state)
{
	struct unit_dispatch *u = *state;
	int bad = 0;
	for (size_t i = 0; i < sizeof plan_stmts / sizeof *plan_stmts; i++) {
		char detail[256];
		if (plan_scans(db_sqlite(u->store->db), plan_stmts[i].sql, detail, sizeof detail) &&
		    !plan_is_allowed(plan_stmts[i].name)) {
			print_error("%s scans a table (%s): %s\n", plan_stmts[i].name, detail,
			            plan_stmts[i].sql);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
}

/* The list above names only statements that exist, so a renamed one
 * cannot keep an exemption it no longer needs. */
static void test_every_exemption_names_a_statement(void **state)
{
	(void)state;
	for (size_t k = 0; k < sizeof plan_may_scan / sizeof *plan_may_scan; k++) {
		bool found = false;
		for (size_t i = 0; i < sizeof plan_stmts / sizeof *plan_stmts && !found; i++)
			found = strcmp(plan_stmts[i].name, plan_may_scan[k]) == 0;
		if (!found)
			fail_msg("%s is exempted but is no statement", plan_may_scan[k]);
	}
}

/* The organisation lookup by code (now by the partial index) still finds
 * a coded organisation, and an empty code names none, also when an
 * organisation without a code exists. */
static void test_org_by_code(void **state)
{
	struct store *s = ((struct unit_dispatch *)*state)->store;
	struct store_org a = {.kinds = 1}, b = {.kinds = 1}, got;
	snprintf(a.name, sizeof a.name, "甲公司");
	snprintf(a.code, sizeof a.code, "91440101MA59XXXX1X");
	snprintf(b.name, sizeof b.name, "无代码单位");
	assert_int_equal(store_batch_begin(s), STORE_OK);
	assert_int_equal(store_org_insert(s, &a, 1), STORE_OK);
	assert_int_equal(store_org_insert(s, &b, 1), STORE_OK);
	assert_int_equal(store_batch_commit(s), STORE_OK);
	assert_int_equal(store_org_by_code(s, "91440101MA59XXXX1X", &got), STORE_OK);
	assert_int_equal(got.id, a.id);
	assert_string_equal(got.name, "甲公司");
	assert_int_equal(store_org_by_code(s, "", &got), STORE_NOT_FOUND);
	assert_int_equal(store_org_by_code(s, "91440101MA59XXXX2X", &got),
	                 STORE_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_no_statement_scans_by_accident, setup,
		                                teardown),
		cmocka_unit_test(test_every_exemption_names_a_statement),
		cmocka_unit_test_setup_teardown(test_org_by_code, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
