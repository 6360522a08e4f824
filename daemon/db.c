/*
 * db.c - db.h's engine dispatch, and its SQLite half: each call is
 * SQLite's own, one branch away. The PostgreSQL half is db_pg.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db_int.h"
#include "db_pg.h"

int db_wrap_sqlite(sqlite3 *h, struct db **out, char *err, size_t errsz)
{
	(void)err;
	(void)errsz;
	struct db *db = calloc(1, sizeof *db);
	if (!db)
		return EX_OSERR;
	db->engine = DB_SQLITE;
	db->lite = h;
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->pg)
		dbpg_close(db->pg);
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
	*out = NULL;
	struct db_stmt *st = calloc(1, sizeof *st);
	if (!st)
		return SQLITE_NOMEM;
	st->db = db;
	int rc = db->pg ? dbpg_prepare(db->pg, sql, &st->pg)
	                : sqlite3_prepare_v3(db->lite, sql, -1,
	                                     SQLITE_PREPARE_PERSISTENT, &st->lite, NULL);
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
		dbpg_finalize(st->pg);
	else
		sqlite3_finalize(st->lite);
	free(st);
}

void db_reset(struct db_stmt *st)
{
	if (st->pg) {
		dbpg_reset(st->pg);
		return;
	}
	sqlite3_reset(st->lite);
	sqlite3_clear_bindings(st->lite);
}

void db_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	if (st->pg)
		dbpg_bind_int64(st->pg, i, v);
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
		dbpg_bind_text(st->pg, i, s);
	else
		sqlite3_bind_text(st->lite, i, s, -1, SQLITE_TRANSIENT);
}

void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n)
{
	if (st->pg)
		dbpg_bind_blob(st->pg, i, p, n);
	else if (n == 0)   /* a zero-length blob, never NULL, as p may be */
		sqlite3_bind_zeroblob(st->lite, i, 0);
	else
		sqlite3_bind_blob(st->lite, i, p, (int)n, SQLITE_TRANSIENT);
}

void db_bind_null(struct db_stmt *st, int i)
{
	if (st->pg)
		dbpg_bind_null(st->pg, i);
	else
		sqlite3_bind_null(st->lite, i);
}

int db_step(struct db_stmt *st)
{
	return st->pg ? dbpg_step(st->pg) : sqlite3_step(st->lite);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
	return st->pg ? dbpg_column_int64(st->pg, i) : sqlite3_column_int64(st->lite, i);
}

int db_column_int(struct db_stmt *st, int i)
{
	return st->pg ? (int)dbpg_column_int64(st->pg, i) : sqlite3_column_int(st->lite, i);
}

const unsigned char *db_column_text(struct db_stmt *st, int i)
{
	return st->pg ? dbpg_column_text(st->pg, i) : sqlite3_column_text(st->lite, i);
}

const void *db_column_blob(struct db_stmt *st, int i)
{
	return st->pg ? dbpg_column_blob(st->pg, i) : sqlite3_column_blob(st->lite, i);
}

int db_column_bytes(struct db_stmt *st, int i)
{
	return st->pg ? dbpg_column_bytes(st->pg, i) : sqlite3_column_bytes(st->lite, i);
}

bool db_column_is_null(struct db_stmt *st, int i)
{
	return st->pg ? dbpg_column_is_null(st->pg, i)
	              : sqlite3_column_type(st->lite, i) == SQLITE_NULL;
}

int db_exec(struct db *db, const char *sql)
{
	return db->pg ? dbpg_exec(db->pg, sql)
	              : sqlite3_exec(db->lite, sql, NULL, NULL, NULL);
}

int db_changes(struct db *db)
{
	return db->pg ? dbpg_changes(db->pg) : sqlite3_changes(db->lite);
}

bool db_in_transaction(struct db *db)
{
	return db->pg ? dbpg_in_transaction(db->pg) : !sqlite3_get_autocommit(db->lite);
}

const char *db_errmsg(struct db *db)
{
	return db->pg ? dbpg_errmsg(db->pg) : sqlite3_errmsg(db->lite);
}

int db_errcode(struct db *db)
{
	return db->pg ? dbpg_errcode(db->pg) : sqlite3_extended_errcode(db->lite);
}

bool db_lost(struct db *db)
{
	return db->pg && dbpg_lost(db->pg);
}
