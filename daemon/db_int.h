/*
 * db_int.h - private to db*.c: the connection and statement objects of
 * db.h, and the PostgreSQL half (db_pg*.c) that db.c dispatches to.
 * Nothing outside db*.c includes this.
 */
#ifndef EXPERTD_DB_INT_H
#define EXPERTD_DB_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "db.h"

struct dbpg;        /* a libpq connection and what goes with it (db_pg.c) */
struct dbpg_stmt;   /* a translated statement and its last result */

/* Exactly one of lite and pg is set. last_rc and changes are kept by the
 * PostgreSQL half (SQLite keeps its own). */
struct db {
	enum db_engine engine;
	sqlite3 *lite;
	struct dbpg *pg;
	int last_rc;
	int changes;
};

struct db_stmt {
	struct db *db;
	sqlite3_stmt *lite;
	struct dbpg_stmt *pg;
};

/* --- db_pg.c: the connection. Semantics are db.h's. */
int dbpg_connect(struct db *db, const char *url, char *err, size_t errsz);
void dbpg_close(struct db *db);
int dbpg_exec(struct db *db, const char *sql);
int dbpg_exec_deferred(struct db *db, const char *sql);
bool dbpg_in_transaction(struct db *db);
bool dbpg_in_failed_transaction(struct db *db);
const char *dbpg_errmsg(struct db *db);
bool dbpg_lost(struct db *db);
int dbpg_try_lock(struct db *db, int64_t key, char *err, size_t errsz);
/* Set the error (db_errcode, db_errmsg) and return rc. */
int dbpg_fail(struct db *db, int rc, const char *msg);

/* --- db_pg_pipe.c */
void dbpg_pipe_enter(struct db *db);
int dbpg_commit_send(struct db *db, bool *pending);
int dbpg_commit_poll(struct db *db, bool *pending);
int dbpg_socket(struct db *db);

/* --- db_pg_stmt.c: statements. st->db is set; dbpg_prepare sets st->pg. */
int dbpg_prepare(struct db_stmt *st, const char *sql);
void dbpg_finalize(struct db_stmt *st);
void dbpg_reset(struct db_stmt *st);
void dbpg_bind_int64(struct db_stmt *st, int i, int64_t v);
void dbpg_bind_text(struct db_stmt *st, int i, const char *s);
void dbpg_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
void dbpg_bind_null(struct db_stmt *st, int i);
int dbpg_step(struct db_stmt *st);
int dbpg_step_deferred(struct db_stmt *st);
int64_t dbpg_column_int64(struct db_stmt *st, int i);
const unsigned char *dbpg_column_text(struct db_stmt *st, int i);
const void *dbpg_column_blob(struct db_stmt *st, int i);
int dbpg_column_bytes(struct db_stmt *st, int i);
bool dbpg_column_is_null(struct db_stmt *st, int i);

#endif
