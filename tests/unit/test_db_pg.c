/*
 * test_db_pg.c - db.h on a real PostgreSQL server (issue #15): values
 * through bind, step and the column readers, error codes as the store
 * reads them, transactions and savepoints, the advisory lock between two
 * sessions, a session the server ends, and a batch in pipeline mode. Needs EXPERTD_TEST_PG_URL, the
 * URL of a throw-away cluster a superuser can use; fails without it.
 * Every table is a temporary one of its own session, but one, which its
 * test drops.
 */
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"

static const char *pg_url(void)
{
	return getenv("EXPERTD_TEST_PG_URL");
}

static struct db *connect_ok(void)
{
	struct db *db = NULL;
	char err[256] = "";
	int rc = db_connect_pg(pg_url(), &db, err, sizeof err);
	if (rc != 0)
		fail_msg("db_connect_pg: %d %s", rc, err);
	assert_int_equal(db_engine(db), DB_POSTGRES);
	assert_null(db_sqlite(db));
	return db;
}

static void exec_ok(struct db *db, const char *sql)
{
	int rc = db_exec(db, sql);
	if (rc != SQLITE_OK)
		fail_msg("%s: %d %s", sql, rc, db_errmsg(db));
}

static struct db_stmt *prepare_ok(struct db *db, const char *sql)
{
	struct db_stmt *st = NULL;
	assert_int_equal(db_prepare(db, sql, &st), SQLITE_OK);
	assert_non_null(st);
	return st;
}

/* The single integer a query returns. */
static int64_t query_int(struct db *db, const char *sql)
{
	struct db_stmt *st = prepare_ok(db, sql);
	int rc = db_step(st);
	if (rc != SQLITE_ROW)
		fail_msg("%s: %d %s", sql, rc, db_errmsg(db));
	int64_t v = db_column_int64(st, 0);
	assert_int_equal(db_step(st), SQLITE_DONE);
	db_finalize(st);
	return v;
}

static const unsigned char zeros_blob[] = { 0, 1, 0, 0xff, '\\', 'x', 0 };

static void insert_row(struct db_stmt *ins, int64_t id, const int64_t *n,
                       const char *t, const void *b, size_t blen)
{
	db_reset(ins);
	db_bind_int64(ins, 1, id);
	if (n)
		db_bind_int64(ins, 2, *n);
	else
		db_bind_null(ins, 2);
	db_bind_text(ins, 3, t);
	db_bind_blob(ins, 4, b, blen);
	assert_int_equal(db_step(ins), SQLITE_DONE);
}

static void test_values_round_trip(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, n bigint, t text, b bytea)");
	struct db_stmt *ins = prepare_ok(db, "INSERT INTO r(id, n, t, b) VALUES (?1, ?2, ?3, ?4)");
	int64_t big = INT64_MIN, answer = 42;
	insert_row(ins, 1, &answer, "héllo 专家 'quoted' ?1", zeros_blob, sizeof zeros_blob);
	assert_int_equal(db_changes(db), 1);
	insert_row(ins, 2, NULL, NULL, "", 0);          /* empty blob, not NULL */
	insert_row(ins, 3, &big, "", NULL, 0);          /* NULL pointer binds NULL */
	db_finalize(ins);

	struct db_stmt *sel = prepare_ok(db, "SELECT id, n, t, b FROM r WHERE id >= ?1 ORDER BY id");
	db_bind_int(sel, 1, 1);
	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_int_equal(db_column_int(sel, 0), 1);
	assert_int_equal(db_column_int64(sel, 1), 42);
	assert_string_equal((const char *)db_column_text(sel, 2), "héllo 专家 'quoted' ?1");
	assert_int_equal(db_column_bytes(sel, 3), sizeof zeros_blob);
	assert_memory_equal(db_column_blob(sel, 3), zeros_blob, sizeof zeros_blob);
	/* a bytea read as text: its bytes, NUL-terminated */
	assert_memory_equal(db_column_text(sel, 3), zeros_blob, sizeof zeros_blob);
	assert_false(db_column_is_null(sel, 3));

	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_true(db_column_is_null(sel, 1));
	assert_int_equal(db_column_int64(sel, 1), 0);
	assert_true(db_column_is_null(sel, 2));
	assert_null(db_column_text(sel, 2));   /* NULL, as sqlite3_column_text() */
	assert_false(db_column_is_null(sel, 3));
	assert_int_equal(db_column_bytes(sel, 3), 0);

	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_int_equal(db_column_int64(sel, 1), INT64_MIN);
	assert_false(db_column_is_null(sel, 2));
	assert_string_equal((const char *)db_column_text(sel, 2), "");
	assert_true(db_column_is_null(sel, 3));
	assert_null(db_column_blob(sel, 3));
	assert_int_equal(db_column_bytes(sel, 3), 0);
	/* no such column reads as NULL, as in SQLite */
	assert_true(db_column_is_null(sel, 9));
	assert_int_equal(db_step(sel), SQLITE_DONE);

	/* reset clears the bindings and runs again */
	db_reset(sel);
	db_bind_int64(sel, 1, 3);
	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_int_equal(db_column_int64(sel, 0), 3);
	assert_int_equal(db_step(sel), SQLITE_DONE);
	db_reset(sel);
	db_bind_int64(sel, 1, 4);
	assert_int_equal(db_step(sel), SQLITE_DONE);
	db_finalize(sel);
	db_close(db);
}

static void test_types_follow_bindings(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, b bytea)");
	exec_ok(db, "INSERT INTO r VALUES (1, NULL)");
	/* prepared with ?2 NULL (the server infers bytea), then given text:
	 * its bytes are stored as they are, backslashes included */
	struct db_stmt *upd = prepare_ok(db, "UPDATE r SET b = ?2 WHERE id = ?1");
	db_bind_int64(upd, 1, 1);
	db_bind_null(upd, 2);
	assert_int_equal(db_step(upd), SQLITE_DONE);
	db_reset(upd);
	db_bind_int64(upd, 1, 1);
	db_bind_text(upd, 2, "a\\x00");
	assert_int_equal(db_step(upd), SQLITE_DONE);
	db_finalize(upd);
	struct db_stmt *sel = prepare_ok(db, "SELECT b FROM r WHERE id = 1");
	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_int_equal(db_column_bytes(sel, 0), 5);
	assert_memory_equal(db_column_blob(sel, 0), "a\\x00", 5);
	db_finalize(sel);

	/* an integer first, then a blob: prepared again for the blob */
	struct db_stmt *echo = prepare_ok(db, "SELECT ?1");
	db_bind_int64(echo, 1, 7);
	assert_int_equal(db_step(echo), SQLITE_ROW);
	assert_int_equal(db_column_int64(echo, 0), 7);
	db_reset(echo);
	db_bind_blob(echo, 1, zeros_blob, sizeof zeros_blob);
	assert_int_equal(db_step(echo), SQLITE_ROW);
	assert_int_equal(db_column_bytes(echo, 0), sizeof zeros_blob);
	assert_memory_equal(db_column_blob(echo, 0), zeros_blob, sizeof zeros_blob);
	db_finalize(echo);

	/* a parameter the text never names (STMT_TASK_LIST_ALL skips ?1) */
	struct db_stmt *page = prepare_ok(db, "SELECT id FROM r ORDER BY id LIMIT ?3 OFFSET ?2");
	db_bind_int64(page, 2, 0);
	db_bind_int64(page, 3, 10);
	assert_int_equal(db_step(page), SQLITE_ROW);
	assert_int_equal(db_column_int64(page, 0), 1);
	db_finalize(page);
	/* booleans read as 1 and 0 */
	assert_int_equal(query_int(db, "SELECT 1 = 1"), 1);
	assert_int_equal(query_int(db, "SELECT 1 = 2"), 0);
	db_close(db);
}

static void test_errors(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, t text NOT NULL)");
	exec_ok(db, "INSERT INTO r VALUES (1, 'a')");
	struct db_stmt *ins = prepare_ok(db, "INSERT INTO r(id, t) VALUES (?1, ?2)");
	db_bind_int64(ins, 1, 1);
	db_bind_text(ins, 2, "b");
	assert_int_equal(db_step(ins), SQLITE_CONSTRAINT);
	assert_int_equal(db_errcode(db), SQLITE_CONSTRAINT);
	assert_non_null(strstr(db_errmsg(db), "duplicate key"));
	/* not the DETAIL, which quotes the values */
	assert_null(strstr(db_errmsg(db), "Key ("));
	db_reset(ins);
	db_bind_int64(ins, 1, 2);
	db_bind_null(ins, 2);
	assert_int_equal(db_step(ins), SQLITE_CONSTRAINT);
	db_finalize(ins);
	assert_int_equal(db_exec(db, "INSERT INTO r VALUES (1, 'c')"), SQLITE_CONSTRAINT);
	/* a statement that does not parse fails at its first step */
	struct db_stmt *bad = prepare_ok(db, "SELEC 1");
	assert_int_equal(db_step(bad), SQLITE_ERROR);
	assert_int_equal(db_errcode(db), SQLITE_ERROR);
	assert_non_null(strstr(db_errmsg(db), "syntax"));
	db_finalize(bad);
	assert_false(db_lost(db));
	/* the session goes on */
	assert_int_equal(query_int(db, "SELECT count(*) FROM r"), 1);
	db_close(db);
}

static void test_changes(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, n bigint)");
	exec_ok(db, "INSERT INTO r VALUES (1, 0), (2, 0), (3, 0)");
	assert_int_equal(db_changes(db), 3);
	struct db_stmt *upd = prepare_ok(db, "UPDATE r SET n = n + 1 WHERE id <= ?1");
	db_bind_int64(upd, 1, 2);
	assert_int_equal(db_step(upd), SQLITE_DONE);
	assert_int_equal(db_changes(db), 2);
	db_finalize(upd);
	/* a SELECT leaves the count of the last write */
	assert_int_equal(query_int(db, "SELECT sum(n) FROM r"), 2);
	assert_int_equal(db_changes(db), 2);
	exec_ok(db, "DELETE FROM r WHERE id > 10");
	assert_int_equal(db_changes(db), 0);
	exec_ok(db, "INSERT OR IGNORE INTO r VALUES (1, 5)");
	assert_int_equal(db_changes(db), 0);
	exec_ok(db, "INSERT OR IGNORE INTO r VALUES (4, 5)");
	assert_int_equal(db_changes(db), 1);
	db_close(db);
}

static void test_transactions(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY)");
	assert_false(db_in_transaction(db));
	exec_ok(db, "BEGIN IMMEDIATE");
	assert_true(db_in_transaction(db));
	exec_ok(db, "INSERT INTO r VALUES (1)");
	exec_ok(db, "SAVEPOINT request");
	exec_ok(db, "INSERT INTO r VALUES (2)");
	assert_int_equal(db_exec(db, "INSERT INTO r VALUES (1)"), SQLITE_CONSTRAINT);
	/* failed: inside still, and nothing runs until the rollback */
	assert_true(db_in_transaction(db));
	assert_int_equal(db_exec(db, "INSERT INTO r VALUES (3)"), SQLITE_ERROR);
	exec_ok(db, "ROLLBACK TO request");
	exec_ok(db, "RELEASE request");
	exec_ok(db, "INSERT INTO r VALUES (4)");
	/* COMMIT as the store runs it: a prepared statement */
	struct db_stmt *commit = prepare_ok(db, "COMMIT");
	assert_int_equal(db_step(commit), SQLITE_DONE);
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) * 10 + max(id) FROM r"), 24);

	/* the read snapshot: BEGIN DEFERRED ... COMMIT */
	struct db_stmt *begin = prepare_ok(db, "BEGIN DEFERRED");
	assert_int_equal(db_step(begin), SQLITE_DONE);
	assert_true(db_in_transaction(db));
	db_reset(commit);
	assert_int_equal(db_step(commit), SQLITE_DONE);
	assert_false(db_in_transaction(db));
	db_finalize(begin);
	db_finalize(commit);
	db_close(db);
}

/* PostgreSQL answers the COMMIT of a failed transaction with "ROLLBACK"
 * and no error: it did not commit, and the store must hear so. */
static void test_commit_of_failed_transaction(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY)");
	exec_ok(db, "INSERT INTO r VALUES (1)");
	exec_ok(db, "BEGIN");
	exec_ok(db, "INSERT INTO r VALUES (2)");
	assert_int_equal(db_exec(db, "INSERT INTO r VALUES (1)"), SQLITE_CONSTRAINT);
	assert_int_equal(db_exec(db, "COMMIT"), SQLITE_ERROR);
	assert_false(db_in_transaction(db));
	assert_false(db_lost(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM r"), 1);

	struct db_stmt *commit = prepare_ok(db, "COMMIT");
	exec_ok(db, "BEGIN");
	assert_int_equal(db_exec(db, "SELEC"), SQLITE_ERROR);
	assert_true(db_in_transaction(db));
	assert_int_equal(db_step(commit), SQLITE_ERROR);
	assert_int_equal(db_errcode(db), SQLITE_ERROR);
	assert_false(db_in_transaction(db));
	db_finalize(commit);
	db_close(db);
}

static void test_advisory_lock(void **state)
{
	(void)state;
	struct db *a = connect_ok(), *b = connect_ok();
	char err[256] = "";
	const int64_t key = INT64_C(0x6578706572746400);
	assert_int_equal(db_pg_try_lock(a, key, err, sizeof err), 1);
	assert_int_equal(db_pg_try_lock(b, key, err, sizeof err), 0);
	assert_int_equal(db_pg_try_lock(b, key + 1, err, sizeof err), 1);
	/* a's session ends: b waits for the lock on the server (no sleep
	 * here), then holds it */
	exec_ok(b, "SET lock_timeout = '60s'");
	db_close(a);
	struct db_stmt *wait = prepare_ok(b, "SELECT pg_advisory_lock(?1)");
	db_bind_int64(wait, 1, key);
	assert_int_equal(db_step(wait), SQLITE_ROW);
	db_finalize(wait);
	assert_int_equal(db_pg_try_lock(b, key, err, sizeof err), 1);
	struct db *c = connect_ok();
	assert_int_equal(db_pg_try_lock(c, key, err, sizeof err), 0);
	db_close(c);
	db_close(b);
}

/* The server ends the session (pg_terminate_backend, waiting for it):
 * the next call fails with SQLITE_IOERR, db_lost() says so, and a COMMIT
 * on it is SQLITE_IOERR (outcome unknown). */
static void test_lost_session(void **state)
{
	(void)state;
	struct db *db = connect_ok(), *admin = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY)");
	struct db_stmt *sel = prepare_ok(db, "SELECT count(*) FROM r");
	assert_int_equal(db_step(sel), SQLITE_ROW);
	db_reset(sel);
	exec_ok(db, "BEGIN");
	exec_ok(db, "INSERT INTO r VALUES (1)");
	int64_t pid = query_int(db, "SELECT pg_backend_pid()");
	struct db_stmt *kill = prepare_ok(admin, "SELECT pg_terminate_backend(?1::int, 60000)");
	db_bind_int64(kill, 1, pid);
	assert_int_equal(db_step(kill), SQLITE_ROW);
	assert_int_equal(db_column_int(kill, 0), 1);
	db_finalize(kill);

	assert_int_equal(db_step(sel), SQLITE_IOERR);
	assert_int_equal(db_errcode(db), SQLITE_IOERR);
	assert_true(db_lost(db));
	assert_true(db_in_transaction(db));
	assert_int_equal(db_exec(db, "COMMIT"), SQLITE_IOERR);
	assert_int_equal(db_exec(db, "SELECT 1"), SQLITE_IOERR);
	char err[256] = "";
	assert_int_equal(db_pg_try_lock(db, 1, err, sizeof err), -1);
	assert_true(err[0] != '\0');
	db_finalize(sel);
	db_close(db);
	db_close(admin);
}

/* A COMMIT that fails in flight is SQLITE_IOERR, lost or not. */
static void test_commit_fails(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE p(id bigint PRIMARY KEY)");
	exec_ok(db, "CREATE TEMP TABLE c(p bigint REFERENCES p(id)"
	            " DEFERRABLE INITIALLY DEFERRED)");
	exec_ok(db, "BEGIN");
	exec_ok(db, "INSERT INTO c VALUES (7)");
	assert_int_equal(db_exec(db, "COMMIT"), SQLITE_IOERR);
	assert_false(db_in_transaction(db));
	assert_false(db_lost(db));
	db_close(db);
}

static void test_connect(void **state)
{
	(void)state;
	struct db *db = (struct db *)1;
	char err[256] = "";
	assert_int_equal(db_connect_pg("host=/nonexistent/expertd port=1 nosuchkey=1",
	                               &db, err, sizeof err), EX_CONFIG);
	assert_null(db);
	assert_non_null(strstr(err, "nosuchkey"));
	assert_int_equal(db_connect_pg("postgresql:///postgres?host=/nonexistent/expertd&port=1",
	                               &db, err, sizeof err), EX_UNAVAILABLE);
	assert_null(db);
	assert_non_null(strstr(err, "PostgreSQL"));
	assert_null(strchr(err, '\n'));
	/* application_name: expertd unless the URL names one */
	db = connect_ok();
	struct db_stmt *st = prepare_ok(db, "SELECT current_setting('application_name')");
	assert_int_equal(db_step(st), SQLITE_ROW);
	assert_string_equal((const char *)db_column_text(st, 0), "expertd");
	db_finalize(st);
	db_close(db);
	char url[1024];
	snprintf(url, sizeof url, "%s%sapplication_name=other", pg_url(),
	         !strstr(pg_url(), "://") ? " " : strchr(pg_url(), '?') ? "&" : "?");
	assert_int_equal(db_connect_pg(url, &db, err, sizeof err), 0);
	st = prepare_ok(db, "SELECT current_setting('application_name')");
	assert_int_equal(db_step(st), SQLITE_ROW);
	assert_string_equal((const char *)db_column_text(st, 0), "other");
	db_finalize(st);
	db_close(db);
	db_close(NULL);
}

/* Statements finalized inside a transaction are deallocated on the
 * server once it is idle; the caller's transaction is never touched. */
static void test_finalize_deallocates(void **state)
{
	(void)state;
	struct db *db = connect_ok();
	struct db_stmt *count = prepare_ok(db, "SELECT count(*) FROM pg_prepared_statements");
	assert_int_equal(db_step(count), SQLITE_ROW);
	assert_int_equal(db_column_int64(count, 0), 1);   /* itself */
	db_reset(count);
	exec_ok(db, "BEGIN");
	for (int i = 0; i < 3; i++) {
		struct db_stmt *st = prepare_ok(db, "SELECT 1");
		assert_int_equal(db_step(st), SQLITE_ROW);
		db_finalize(st);
	}
	assert_int_equal(db_step(count), SQLITE_ROW);
	assert_int_equal(db_column_int64(count, 0), 4);
	db_reset(count);
	exec_ok(db, "COMMIT");
	assert_int_equal(db_step(count), SQLITE_ROW);
	assert_int_equal(db_column_int64(count, 0), 1);
	db_finalize(count);
	db_close(db);
}

/* --- one scenario on both engines ------------------------------------ */

/* The same statements, in the store's dialect, read back the same way on
 * SQLite and on PostgreSQL; ddl is the engine's own. */
static void same_scenario(struct db *db, const char *ddl)
{
	exec_ok(db, ddl);
	exec_ok(db, "BEGIN IMMEDIATE");
	struct db_stmt *ins = prepare_ok(db, "INSERT OR IGNORE INTO r(id, n, t, b)"
	                                     " VALUES (?1, ?2, ?3, ?4)");
	int64_t n = -5;
	insert_row(ins, 1, &n, "专家", zeros_blob, sizeof zeros_blob);
	insert_row(ins, 2, NULL, NULL, "", 0);
	insert_row(ins, 1, &n, "again", NULL, 0);   /* ignored */
	assert_int_equal(db_changes(db), 0);
	db_finalize(ins);
	exec_ok(db, "SAVEPOINT request");
	assert_int_equal(db_exec(db, "INSERT INTO r(id) VALUES (2)"), SQLITE_CONSTRAINT);
	exec_ok(db, "ROLLBACK TO request");
	exec_ok(db, "RELEASE request");
	exec_ok(db, "COMMIT");
	assert_false(db_in_transaction(db));

	struct db_stmt *sel = prepare_ok(db, "SELECT id, n, t, b, instr(t, ?1)"
	                                     " FROM r INDEXED BY r_by_t ORDER BY id");
	db_bind_text(sel, 1, "家");
	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_int_equal(db_column_int64(sel, 1), -5);
	assert_string_equal((const char *)db_column_text(sel, 2), "专家");
	assert_int_equal(db_column_bytes(sel, 3), sizeof zeros_blob);
	assert_memory_equal(db_column_blob(sel, 3), zeros_blob, sizeof zeros_blob);
	assert_int_equal(db_column_int(sel, 4), 2);
	assert_int_equal(db_step(sel), SQLITE_ROW);
	assert_true(db_column_is_null(sel, 1));
	assert_true(db_column_is_null(sel, 2));
	assert_null(db_column_text(sel, 2));   /* NULL, as sqlite3_column_text() */
	assert_false(db_column_is_null(sel, 3));
	assert_int_equal(db_column_bytes(sel, 3), 0);
	assert_int_equal(db_step(sel), SQLITE_DONE);
	db_finalize(sel);
	exec_ok(db, "UPDATE r SET b = x'' WHERE id <= 2");
	assert_int_equal(db_changes(db), 2);
	assert_false(db_lost(db));
	char err[128];
	assert_int_equal(db_pg_try_lock(db, 1, err, sizeof err),
	                 db_engine(db) == DB_POSTGRES ? 1 : -1);
}

static void test_same_on_both_engines(void **state)
{
	(void)state;
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
	struct db *lite = NULL;
	char err[128];
	assert_int_equal(db_wrap_sqlite(h, &lite, err, sizeof err), 0);
	assert_int_equal(db_engine(lite), DB_SQLITE);
	assert_ptr_equal(db_sqlite(lite), h);
	same_scenario(lite, "CREATE TABLE r(id INTEGER PRIMARY KEY, n INTEGER,"
	                    " t TEXT, b BLOB); CREATE INDEX r_by_t ON r(t)");
	db_close(lite);
	struct db *pg = connect_ok();
	same_scenario(pg, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, n bigint,"
	                  " t text, b bytea); CREATE INDEX r_by_t ON r(t)");
	db_close(pg);
}

/* Where they differ, and the store must know it: after a failed
 * statement SQLite's transaction goes on, PostgreSQL's refuses every
 * statement until a ROLLBACK (TO a savepoint). */
static void test_failed_statement_differs(void **state)
{
	(void)state;
	sqlite3 *h = NULL;
	assert_int_equal(sqlite3_open(":memory:", &h), SQLITE_OK);
	struct db *lite = NULL;
	char err[128];
	assert_int_equal(db_wrap_sqlite(h, &lite, err, sizeof err), 0);
	struct db *pg = connect_ok();
	struct db *both[] = { lite, pg };
	for (int e = 0; e < 2; e++) {
		struct db *db = both[e];
		exec_ok(db, "CREATE TEMP TABLE f(id bigint PRIMARY KEY)");
		exec_ok(db, "BEGIN");
		exec_ok(db, "INSERT INTO f VALUES (1)");
		assert_int_equal(db_exec(db, "INSERT INTO f VALUES (1)"), SQLITE_CONSTRAINT);
		assert_int_equal(db_exec(db, "INSERT INTO f VALUES (2)"),
		                 e == 0 ? SQLITE_OK : SQLITE_ERROR);
		assert_int_equal(db_exec(db, "COMMIT"), e == 0 ? SQLITE_OK : SQLITE_ERROR);
		assert_false(db_in_transaction(db));
		db_close(db);
	}
}

/* A database not in UTF8 cannot hold the Center's names: refused at
 * connect, as a setting to fix (EX_CONFIG), naming the encoding. */
static void test_refuses_a_database_not_in_utf8(void **state)
{
	(void)state;
	struct db *admin = connect_ok();
	exec_ok(admin, "DROP DATABASE IF EXISTS latin");
	exec_ok(admin, "CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C'"
	               " LC_CTYPE 'C' TEMPLATE template0");
	char url[1024], err[256] = "";
	const char *base = pg_url(), *q = strchr(base, '?');
	assert_non_null(q);
	snprintf(url, sizeof url, "postgresql:///latin%s", q);
	struct db *db = NULL;
	assert_int_equal(db_connect_pg(url, &db, err, sizeof err), EX_CONFIG);
	assert_null(db);
	assert_non_null(strstr(err, "LATIN1"));
	exec_ok(admin, "DROP DATABASE latin");
	db_close(admin);
}

/* The canceller: waits (bounded) until a session waits for its
 * synchronous standby, then cancels that wait, as an operator's
 * pg_cancel_backend or a "kill long queries" job does. */
static void *cancel_sync_wait(void *arg)
{
	struct db *other = arg;
	for (int i = 0; i < 600; i++) {
		if (query_int(other, "SELECT count(*) FROM pg_stat_activity"
		                     " WHERE wait_event = 'SyncRep'") > 0) {
			query_int(other, "SELECT count(pg_cancel_backend(pid)) FROM"
			                 " pg_stat_activity WHERE wait_event = 'SyncRep'");
			return NULL;
		}
		usleep(50 * 1000);
	}
	return NULL;
}

/* A COMMIT whose wait for the synchronous standby is cancelled succeeds
 * with only a WARNING ("committed locally, but might not have been
 * replicated"): the outcome a failover would keep is unknown, so it is
 * SQLITE_IOERR and the session is lost (the daemon stops). */
static void test_cancelled_sync_commit_is_unknown(void **state)
{
	(void)state;
	struct db *admin = connect_ok(), *db = connect_ok(), *other = connect_ok();
	exec_ok(admin, "ALTER SYSTEM SET synchronous_standby_names = 'nobody'");
	assert_int_equal(query_int(admin, "SELECT pg_reload_conf()::int"), 1);
	/* The checkpointer turns the setting on for commits when it has read
	 * the reloaded file; nothing shows when: give it a second. */
	sleep(1);
	/* Not a temporary table: a transaction that wrote no WAL (temporary
	 * tables write none) never waits for a standby. */
	exec_ok(db, "CREATE TABLE sync_c(id bigint)");
	exec_ok(db, "BEGIN");
	exec_ok(db, "INSERT INTO sync_c VALUES (1)");
	/* This COMMIT alone waits (the cluster runs with it off). */
	exec_ok(db, "SET LOCAL synchronous_commit = on");
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, cancel_sync_wait, other), 0);
	int rc = db_exec(db, "COMMIT");
	pthread_join(t, NULL);
	exec_ok(admin, "ALTER SYSTEM RESET synchronous_standby_names");
	query_int(admin, "SELECT pg_reload_conf()::int");
	exec_ok(admin, "DROP TABLE sync_c");
	assert_int_equal(rc, SQLITE_IOERR);
	assert_true(db_lost(db));
	assert_non_null(strstr(db_errmsg(db), "synchronous standby"));
	db_close(other);
	db_close(db);
	db_close(admin);
}

/* --- a batch in pipeline mode (db_pipeline_begin) ----------------------- */

/* A pipelined batch as the store begins it, on table r(id PRIMARY KEY). */
static void pipe_begin(struct db *db)
{
	db_pipeline_begin(db);
	assert_int_equal(db_exec_deferred(db, "BEGIN IMMEDIATE"), SQLITE_OK);
	assert_true(db_in_transaction(db));
}

/* A session with table r(id PRIMARY KEY, n) and its INSERT prepared. */
static struct db *pipe_session(struct db_stmt **ins)
{
	struct db *db = connect_ok();
	exec_ok(db, "CREATE TEMP TABLE r(id bigint PRIMARY KEY, n bigint)");
	*ins = prepare_ok(db, "INSERT INTO r(id) VALUES (?1)");
	return db;
}

static int insert_deferred(struct db_stmt *ins, int64_t id)
{
	db_reset(ins);
	db_bind_int64(ins, 1, id);
	return db_step_deferred(ins);
}

/* Deferred writes are applied, in order, before a read that follows;
 * more of them than a pipeline holds before a sync of its own; after the
 * COMMIT statements are synchronous again (several in one exec, which
 * pipeline mode refuses). */
static void test_pipeline_defers_writes(void **state)
{
	(void)state;
	struct db_stmt *ins;
	struct db *db = pipe_session(&ins);
	pipe_begin(db);
	struct db_stmt *upd = prepare_ok(db, "UPDATE r SET n = id * 2 WHERE id <= ?1");
	for (int64_t i = 1; i <= 600; i++)
		assert_int_equal(insert_deferred(ins, i), SQLITE_DONE);
	db_bind_int64(upd, 1, 3);
	assert_int_equal(db_step_deferred(upd), SQLITE_DONE);
	assert_int_equal(query_int(db, "SELECT count(*) * 1000 + sum(n) FROM r"), 600012);
	assert_false(db_in_failed_transaction(db));
	struct db_stmt *commit = prepare_ok(db, "COMMIT");
	assert_int_equal(db_step_deferred(commit), SQLITE_DONE);   /* never deferred */
	assert_false(db_in_transaction(db));
	exec_ok(db, "CREATE TEMP TABLE s(a int); DROP TABLE s");
	assert_int_equal(query_int(db, "SELECT count(*) FROM r"), 600);
	/* a second batch on the same statements */
	pipe_begin(db);
	assert_int_equal(insert_deferred(ins, 601), SQLITE_DONE);
	exec_ok(db, "COMMIT");
	assert_int_equal(query_int(db, "SELECT max(id) FROM r"), 601);
	db_finalize(commit);
	db_finalize(upd);
	db_finalize(ins);
	db_close(db);
}

/* A deferred write that fails breaks the batch: its step said done,
 * every later statement is refused with its message (a savepoint
 * rolled back cannot repair it: what followed it was skipped), and the
 * COMMIT fails as "not committed" (SQLITE_ERROR, not "unknown"), whether
 * a read found the failure first or the COMMIT itself did. */
static void test_pipeline_failed_write_breaks_batch(void **state)
{
	(void)state;
	struct db_stmt *ins;
	struct db *db = pipe_session(&ins);
	exec_ok(db, "INSERT INTO r(id) VALUES (1)");
	pipe_begin(db);
	assert_int_equal(db_exec_deferred(db, "SAVEPOINT request"), SQLITE_OK);
	assert_int_equal(insert_deferred(ins, 2), SQLITE_DONE);
	assert_int_equal(insert_deferred(ins, 1), SQLITE_DONE);   /* a duplicate */
	assert_int_equal(insert_deferred(ins, 3), SQLITE_DONE);
	struct db_stmt *count = prepare_ok(db, "SELECT count(*) FROM r");
	assert_int_equal(db_step(count), SQLITE_ERROR);
	assert_non_null(strstr(db_errmsg(db), "an earlier write of the batch failed"));
	assert_non_null(strstr(db_errmsg(db), "duplicate key"));
	assert_true(db_in_failed_transaction(db));
	assert_int_equal(db_exec_deferred(db, "ROLLBACK TO request"), SQLITE_ERROR);
	assert_int_equal(db_exec(db, "ROLLBACK TO request"), SQLITE_ERROR);
	assert_int_equal(insert_deferred(ins, 4), SQLITE_ERROR);
	assert_true(db_in_failed_transaction(db));
	assert_int_equal(db_exec(db, "COMMIT"), SQLITE_ERROR);
	assert_false(db_lost(db));
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) * 10 + max(id) FROM r"), 11);

	/* found by the COMMIT, which the server skipped: still open */
	pipe_begin(db);
	assert_false(db_in_failed_transaction(db));   /* a new batch */
	assert_int_equal(insert_deferred(ins, 5), SQLITE_DONE);
	assert_int_equal(insert_deferred(ins, 1), SQLITE_DONE);
	assert_int_equal(db_exec(db, "COMMIT"), SQLITE_ERROR);
	assert_false(db_lost(db));
	assert_true(db_in_failed_transaction(db));
	assert_true(db_in_transaction(db));
	exec_ok(db, "ROLLBACK");
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) * 10 + max(id) FROM r"), 11);
	db_finalize(count);
	db_finalize(ins);
	db_close(db);
}

/* Savepoints in a pipeline, as the store runs requests: one rolled back
 * after its own failed (waited-for) statement, one rolled back without
 * an error, one kept; the batch commits what was kept. */
static void test_pipeline_savepoint_rollback(void **state)
{
	(void)state;
	struct db_stmt *ins;
	struct db *db = pipe_session(&ins);
	pipe_begin(db);
	assert_int_equal(insert_deferred(ins, 1), SQLITE_DONE);
	/* a request whose statement fails, and is rolled back */
	assert_int_equal(db_exec_deferred(db, "SAVEPOINT request"), SQLITE_OK);
	assert_int_equal(insert_deferred(ins, 2), SQLITE_DONE);
	db_reset(ins);
	db_bind_int64(ins, 1, 1);
	assert_int_equal(db_step(ins), SQLITE_CONSTRAINT);   /* waited for */
	assert_true(db_in_failed_transaction(db));
	assert_int_equal(db_exec_deferred(db, "ROLLBACK TO request"), SQLITE_OK);
	assert_int_equal(db_exec_deferred(db, "RELEASE request"), SQLITE_OK);
	/* a request rolled back without an error */
	assert_int_equal(db_exec_deferred(db, "SAVEPOINT request"), SQLITE_OK);
	assert_int_equal(insert_deferred(ins, 4), SQLITE_DONE);
	assert_int_equal(db_exec_deferred(db, "ROLLBACK TO request"), SQLITE_OK);
	assert_int_equal(db_exec_deferred(db, "RELEASE request"), SQLITE_OK);
	/* a request kept */
	assert_int_equal(db_exec_deferred(db, "SAVEPOINT request"), SQLITE_OK);
	assert_int_equal(insert_deferred(ins, 3), SQLITE_DONE);
	assert_int_equal(db_exec_deferred(db, "RELEASE request"), SQLITE_OK);
	assert_int_equal(query_int(db, "SELECT count(*) * 10 + max(id) FROM r"), 23);
	assert_false(db_in_failed_transaction(db));
	exec_ok(db, "COMMIT");
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT sum(id) FROM r"), 4);
	db_finalize(ins);
	db_close(db);
}

/* The server ends the session mid-pipeline: deferred writes sent after
 * it, then the COMMIT, which is SQLITE_IOERR (outcome unknown), and the
 * connection is lost; a read is SQLITE_IOERR too. */
static void test_pipeline_lost_session(void **state)
{
	(void)state;
	for (int read_first = 0; read_first <= 1; read_first++) {
		struct db_stmt *ins;
		struct db *db = pipe_session(&ins), *admin = connect_ok();
		pipe_begin(db);
		assert_int_equal(insert_deferred(ins, 1), SQLITE_DONE);
		int64_t pid = query_int(db, "SELECT pg_backend_pid()");
		struct db_stmt *kill = prepare_ok(admin,
		                                  "SELECT pg_terminate_backend(?1::int, 60000)");
		db_bind_int64(kill, 1, pid);
		assert_int_equal(db_step(kill), SQLITE_ROW);
		assert_int_equal(db_column_int(kill, 0), 1);
		db_finalize(kill);
		/* sent or not (libpq buffers it): never an error but a loss */
		int rc = insert_deferred(ins, 2);
		assert_true(rc == SQLITE_DONE || rc == SQLITE_IOERR);
		if (read_first) {
			struct db_stmt *count = prepare_ok(db, "SELECT count(*) FROM r");
			assert_int_equal(db_step(count), SQLITE_IOERR);
			db_finalize(count);
		}
		assert_int_equal(db_exec(db, "COMMIT"), SQLITE_IOERR);
		assert_true(db_lost(db));
		assert_int_equal(db_step_deferred(ins), SQLITE_IOERR);
		db_finalize(ins);
		db_close(db);
		db_close(admin);
	}
}

/* The COMMIT's answer awaited as an event loop awaits it: poll() on
 * db_socket(), then db_commit_poll() until it is no longer pending. */
static int commit_awaited(struct db *db)
{
	bool pending = false;
	int rc = db_commit_send(db, &pending);
	for (int turns = 0; pending; turns++) {
		assert_true(turns < 100000);
		struct pollfd p = { .fd = db_socket(db), .events = POLLIN };
		assert_true(p.fd >= 0);
		assert_true(poll(&p, 1, 60000) >= 0);
		rc = db_commit_poll(db, &pending);
	}
	return rc;
}

/* A pipelined COMMIT sent without waiting: pending at first (its answer
 * cannot have come yet), then what a waited COMMIT would say: committed;
 * not committed after a deferred write failed; unknown on a lost
 * session. */
static void test_pipeline_commit_awaited(void **state)
{
	(void)state;
	struct db_stmt *ins;
	struct db *db = pipe_session(&ins), *admin = connect_ok();
	pipe_begin(db);
	for (int64_t i = 1; i <= 3; i++)
		assert_int_equal(insert_deferred(ins, i), SQLITE_DONE);
	bool pending = false;
	assert_int_equal(db_commit_send(db, &pending), SQLITE_OK);
	assert_true(pending);
	assert_true(db_in_transaction(db));
	int rc = SQLITE_OK;
	while (pending) {
		struct pollfd p = { .fd = db_socket(db), .events = POLLIN };
		assert_true(poll(&p, 1, 60000) >= 0);
		rc = db_commit_poll(db, &pending);
	}
	assert_int_equal(rc, SQLITE_OK);
	assert_false(db_in_transaction(db));
	exec_ok(db, "CREATE TEMP TABLE s(a int); DROP TABLE s");   /* out of the pipeline */
	assert_int_equal(query_int(db, "SELECT count(*) FROM r"), 3);

	pipe_begin(db);
	assert_int_equal(insert_deferred(ins, 4), SQLITE_DONE);
	assert_int_equal(insert_deferred(ins, 1), SQLITE_DONE);
	assert_int_equal(commit_awaited(db), SQLITE_ERROR);
	assert_false(db_lost(db));
	exec_ok(db, "ROLLBACK");
	assert_false(db_in_transaction(db));
	assert_int_equal(query_int(db, "SELECT count(*) FROM r"), 3);

	pipe_begin(db);
	assert_int_equal(insert_deferred(ins, 5), SQLITE_DONE);
	struct db_stmt *kill = prepare_ok(admin, "SELECT pg_terminate_backend(?1::int, 60000)");
	db_bind_int64(kill, 1, query_int(db, "SELECT pg_backend_pid()"));
	assert_int_equal(db_step(kill), SQLITE_ROW);
	db_finalize(kill);
	assert_int_equal(commit_awaited(db), SQLITE_IOERR);
	assert_true(db_lost(db));
	db_finalize(ins);
	db_close(db);
	db_close(admin);
}

int main(void)
{
	if (!pg_url() || !*pg_url()) {
		fprintf(stderr, "test_db_pg: set EXPERTD_TEST_PG_URL to a throw-away"
		        " PostgreSQL (tests/pgtmp.py run -- ...)\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_values_round_trip),
		cmocka_unit_test(test_types_follow_bindings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_changes),
		cmocka_unit_test(test_transactions),
		cmocka_unit_test(test_commit_of_failed_transaction),
		cmocka_unit_test(test_commit_fails),
		cmocka_unit_test(test_advisory_lock),
		cmocka_unit_test(test_lost_session),
		cmocka_unit_test(test_cancelled_sync_commit_is_unknown),
		cmocka_unit_test(test_refuses_a_database_not_in_utf8),
		cmocka_unit_test(test_finalize_deallocates),
		cmocka_unit_test(test_same_on_both_engines),
		cmocka_unit_test(test_failed_statement_differs),
		cmocka_unit_test(test_pipeline_defers_writes),
		cmocka_unit_test(test_pipeline_failed_write_breaks_batch),
		cmocka_unit_test(test_pipeline_savepoint_rollback),
		cmocka_unit_test(test_pipeline_lost_session),
		cmocka_unit_test(test_pipeline_commit_awaited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
