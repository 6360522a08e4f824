/*
 * db.c - db.h's public functions: each hands its call to the engine of
 * the connection, SQLite directly, PostgreSQL through db_pg*.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>

#include "db_int.h"

static struct db *db_new(enum db_engine engine, char *err, size_t errsz)
{
	struct db *db = calloc(1, sizeof *db);
	if (db)
		db->engine = engine;
	else
		snprintf(err, errsz, "out of memory");
	return db;
}

int db_wrap_sqlite(sqlite3 *h, struct db **out, char *err, size_t errsz)
{
	*out = db_new(DB_SQLITE, err, errsz);
	if (!*out)
		return EX_OSERR;
	(*out)->lite = h;
	return 0;
}

int db_connect_pg(const char *url, struct db **out, char *err, size_t errsz)
{
	struct db *db = db_new(DB_POSTGRES, err, errsz);
	if (!db)
		return EX_OSERR;
	int rc = dbpg_connect(db, url, err, errsz);
	if (rc != 0) {
		free(db);
		db = NULL;
	}
	*out = db;
	return rc;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->pg)
		dbpg_close(db);
	else
		sqlite3_close(db->lite);
	free(db);
}

enum db_engine db_engine(const struct db *db)
{
	return db->engine;
}

sqlite3 *db_sqlite(struct db *db)
{
	return db->lite;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	struct db_stmt *st = calloc(1, sizeof *st);
	*out = NULL;
	if (!st)
		return db->pg ? dbpg_fail(db, SQLITE_NOMEM, "out of memory") : SQLITE_NOMEM;
	st->db = db;
	int rc = db->pg ? dbpg_prepare(st, sql)
	                : sqlite3_prepare_v2(db->lite, sql, -1, &st->lite, NULL);
	if (rc != SQLITE_OK) {
		free(st);
		return rc;
	}
	*out = st;
	return SQLITE_OK;
}

void db_finalize(struct db_stmt *st)
{
	if (!st)
		return;
	if (st->pg)
		dbpg_finalize(st);
	else
		sqlite3_finalize(st->lite);
	free(st);
}

void db_reset(struct db_stmt *st)
{
	if (st->pg) {
		dbpg_reset(st);
		return;
	}
	sqlite3_reset(st->lite);
	sqlite3_clear_bindings(st->lite);
}

void db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	if (st->pg)
		dbpg_bind_int64(st, i, v);
	else
		sqlite3_bind_int64(st->lite, i, v);
}

void db_bind_int(struct db_stmt *st, int i, int v)
{
	db_bind_int64(st, i, v);
}

void db_bind_text(struct db_stmt *st, int i, const char *s)
{
	if (st->pg)
		dbpg_bind_text(st, i, s);
	else
		sqlite3_bind_text(st->lite, i, s, -1, SQLITE_TRANSIENT);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	if (st->pg)
		dbpg_bind_blob(st, i, p, n);
	else
		sqlite3_bind_blob64(st->lite, i, p, n, SQLITE_TRANSIENT);
}

void db_bind_null(struct db_stmt *st, int i)
{
	if (st->pg)
		dbpg_bind_null(st, i);
	else
		sqlite3_bind_null(st->lite, i);
}

int db_step(struct db_stmt *st)
{
	if (st->pg)
		return dbpg_step(st);
	return sqlite3_step(st->lite);
}

int db_step_deferred(struct db_stmt *st)
{
	if (st->pg)
		return dbpg_step_deferred(st);
	return sqlite3_step(st->lite);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
	if (st->pg)
		return dbpg_column_int64(st, i);
	return sqlite3_column_int64(st->lite, i);
}

int db_column_int(struct db_stmt *st, int i)
{
	return (int)db_column_int64(st, i);
}

const unsigned char *db_column_text(struct db_stmt *st, int i)
{
	if (st->pg)
		return dbpg_column_text(st, i);
	return sqlite3_column_text(st->lite, i);
}

const void *db_column_blob(struct db_stmt *st, int i)
{
	if (st->pg)
		return dbpg_column_blob(st, i);
	return sqlite3_column_blob(st->lite, i);
}

int db_column_bytes(struct db_stmt *st, int i)
{
	if (st->pg)
		return dbpg_column_bytes(st, i);
	return sqlite3_column_bytes(st->lite, i);
}

bool db_column_is_null(struct db_stmt *st, int i)
{
	if (st->pg)
		return dbpg_column_is_null(st, i);
	return sqlite3_column_type(st->lite, i) == SQLITE_NULL;
}

int db_exec(struct db *db, const char *sql)
{
	if (db->pg)
		return dbpg_exec(db, sql);
	return sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
}

int db_exec_deferred(struct db *db, const char *sql)
{
	if (db->pg)
		return dbpg_exec_deferred(db, sql);
	return sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
}

void db_pipeline_begin(struct db *db)
{
	if (db->pg)
		dbpg_pipe_enter(db);
}

int db_commit_send(struct db *db, bool *pending)
{
	if (db->pg)
		return dbpg_commit_send(db, pending);
	*pending = false;
	return sqlite3_exec(db->lite, "COMMIT", NULL, NULL, NULL);
}

int db_commit_poll(struct db *db, bool *pending)
{
	if (db->pg)
		return dbpg_commit_poll(db, pending);
	*pending = false;
	return SQLITE_MISUSE;   /* SQLite never leaves a COMMIT pending */
}

int db_socket(struct db *db)
{
	return db->pg ? dbpg_socket(db) : -1;
}

int db_changes(struct db *db)
{
	if (db->pg)
		return db->changes;
	return sqlite3_changes(db->lite);
}

bool db_in_transaction(struct db *db)
{
	if (db->pg)
		return dbpg_in_transaction(db);
	return !sqlite3_get_autocommit(db->lite);
}

const char *db_errmsg(struct db *db)
{
	if (db->pg)
		return dbpg_errmsg(db);
	return sqlite3_errmsg(db->lite);
}

int db_errcode(struct db *db)
{
	if (db->pg)
		return db->last_rc;
	return sqlite3_extended_errcode(db->lite);
}

bool db_in_failed_transaction(struct db *db)
{
	return db->pg && dbpg_in_failed_transaction(db);
}

bool db_lost(struct db *db)
{
	if (db->pg)
		return dbpg_lost(db);
	return false;
}

int db_pg_try_lock(struct db *db, int64_t key, char *err, size_t errsz)
{
	if (db->pg)
		return dbpg_try_lock(db, key, err, errsz);
	snprintf(err, errsz, "advisory lock: not a PostgreSQL store");
	return -1;
}
