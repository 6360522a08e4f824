/*
 * db.h - the store's two database engines behind one statement interface:
 * SQLite (the embedded default, "[store] path") and PostgreSQL ("[store]
 * url", issue #15). Only store*.c includes this; nothing else names an
 * engine or SQL.
 *
 * The shape is SQLite's (prepare, bind, step, column, reset), so the store
 * reads as it always did, and its result codes are SQLite's: a PostgreSQL
 * error is reported as the SQLite code that means the same to the store
 * (SQLSTATE class 23 is SQLITE_CONSTRAINT; a lost connection or a COMMIT
 * that failed is SQLITE_IOERR, "outcome unknown"; 40001/40P01 and a lock
 * not granted are SQLITE_BUSY; anything else SQLITE_ERROR). Statements are
 * written once, in SQLite's dialect with numbered parameters ("?1"); the
 * PostgreSQL side translates them (db_pg_translate()).
 */
#ifndef EXPERTD_DB_H
#define EXPERTD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

struct db;        /* one connection */
struct db_stmt;   /* one prepared statement of a connection */

enum db_engine { DB_SQLITE, DB_POSTGRES };

/*
 * Wrap an open SQLite handle (the store opens it: it owns the pragmas and
 * the file lock), or connect to PostgreSQL at url (a libpq connection URI
 * or key=value string). Returns 0, or a <sysexits.h> code with err set:
 * EX_UNAVAILABLE when no server answers or none is writable, EX_CONFIG for
 * a URL libpq refuses, EX_OSERR out of memory.
 */
int db_wrap_sqlite(sqlite3 *h, struct db **out, char *err, size_t errsz);
int db_connect_pg(const char *url, struct db **out, char *err, size_t errsz);
/* Close: finalizes nothing (the caller finalizes its statements first);
 * for SQLite also closes the handle. NULL-safe. */
void db_close(struct db *db);

enum db_engine db_engine(const struct db *db);
/* The SQLite handle, NULL on PostgreSQL: for what only SQLite has
 * (backup, WAL checkpoint, its migrations). */
sqlite3 *db_sqlite(struct db *db);

/*
 * Prepare sql (SQLite dialect, "?N" parameters). On PostgreSQL the
 * statement is translated here and prepared on the server at its first
 * step, with the parameter types of that first binding. Returns
 * SQLITE_OK, or an error code (*out NULL).
 */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out);
void db_finalize(struct db_stmt *st);   /* NULL-safe */
/* Ready to run again: the rows of the last run dropped, bindings cleared. */
void db_reset(struct db_stmt *st);

/* Parameters count from 1. Text and blobs are copied. */
void db_bind_int64(struct db_stmt *st, int i, int64_t v);
void db_bind_int(struct db_stmt *st, int i, int v);
void db_bind_text(struct db_stmt *st, int i, const char *s);   /* NULL binds NULL */
void db_bind_blob(struct db_stmt *st, int i, const void *p, size_t n);
void db_bind_null(struct db_stmt *st, int i);

/* The next row: SQLITE_ROW, SQLITE_DONE, or an error code. */
int db_step(struct db_stmt *st);

/*
 * db_step() for a write whose result its caller only checks for "done,
 * else the batch fails": no rows, no db_changes(), no telling
 * SQLITE_CONSTRAINT from another error. Inside a pipelined transaction
 * (db_pipeline_begin()) it is sent without waiting and SQLITE_DONE comes
 * back at once; its result is read before the next statement that waits
 * for its own, and if it failed, the transaction is broken
 * (db_in_failed_transaction()): every later statement fails, and only
 * COMMIT (which then fails: nothing is committed) or ROLLBACK runs.
 * Elsewhere, and on SQLite, it is db_step().
 */
int db_step_deferred(struct db_stmt *st);

/* Columns of the current row count from 0; valid until the next step or
 * reset. NULL reads as 0, or NULL with 0 bytes (text, blob), as in SQLite. */
int64_t db_column_int64(struct db_stmt *st, int i);
int db_column_int(struct db_stmt *st, int i);
const unsigned char *db_column_text(struct db_stmt *st, int i);
const void *db_column_blob(struct db_stmt *st, int i);
int db_column_bytes(struct db_stmt *st, int i);
bool db_column_is_null(struct db_stmt *st, int i);

/* Run sql, which may hold several statements separated by ';' and
 * returns no rows. SQLITE_OK or an error code. */
int db_exec(struct db *db, const char *sql);
/* db_exec() of one statement, deferred as db_step_deferred() is: for
 * BEGIN, SAVEPOINT, RELEASE and ROLLBACK TO in a batch. SQLITE_OK. */
int db_exec_deferred(struct db *db, const char *sql);
/*
 * PostgreSQL: the transaction about to begin is pipelined (libpq's
 * pipeline mode) until the COMMIT or ROLLBACK that ends it, whose result
 * is read before this returns to ordinary round trips. Every statement
 * goes through the extended protocol meanwhile; one whose result is read
 * sends a sync, and every deferred result is read first, in order.
 * Nothing on SQLite.
 */
void db_pipeline_begin(struct db *db);
/*
 * COMMIT without waiting for the answer, for a loop that has other work:
 * in a pipelined PostgreSQL transaction it is sent with a sync and
 * *pending set; then db_commit_poll() whenever db_socket() is readable,
 * until it clears *pending and returns the COMMIT's result (what db_exec()
 * of COMMIT would have). Nothing else may run on db meanwhile. Elsewhere
 * (SQLite, or outside a pipeline) it commits at once, *pending false.
 */
int db_commit_send(struct db *db, bool *pending);
int db_commit_poll(struct db *db, bool *pending);
/* The connection's socket (PostgreSQL), -1 for SQLite. */
int db_socket(struct db *db);
/* Rows changed by the last INSERT, UPDATE or DELETE (not counting
 * deferred statements). */
int db_changes(struct db *db);
/* Inside a transaction (SQLite: !sqlite3_get_autocommit()). */
bool db_in_transaction(struct db *db);
/* Inside a transaction a statement failed in, outside any savepoint
 * rolled back since: PostgreSQL refuses every statement until a ROLLBACK
 * (TO a savepoint), and its COMMIT rolls back. Also a pipelined
 * transaction a deferred statement failed in, until it ends (no
 * savepoint repairs that: what ran after it was skipped). Never on
 * SQLite, whose transaction goes on after a failed statement. */
bool db_in_failed_transaction(struct db *db);
/* The last error's text, and its code (extended, for SQLite). */
const char *db_errmsg(struct db *db);
int db_errcode(struct db *db);
/* True once the connection is gone for good (PostgreSQL): the store
 * cannot know what its last COMMIT did, and must not serve on. */
bool db_lost(struct db *db);

/*
 * PostgreSQL only: take the session-level advisory lock key without
 * waiting (pg_try_advisory_lock). 1 taken, 0 another session holds it,
 * -1 error (err set). The lock is held until the connection closes,
 * also when this process is killed (the server ends the session).
 */
int db_pg_try_lock(struct db *db, int64_t key, char *err, size_t errsz);

/* The PostgreSQL text of a SQLite-dialect statement, malloc'd (NULL out
 * of memory): "?N" becomes "$N", "INDEXED BY name" is dropped, instr()
 * becomes strpos(), x'' becomes an empty bytea, BEGIN IMMEDIATE/DEFERRED
 * becomes BEGIN. Exposed for its unit test. */
char *db_pg_translate(const char *sql);

#endif
