/*
 * db_pg_int.h - private to db_pg*.c: the libpq connection object, the
 * error mapping every PostgreSQL call goes through, and the translation
 * of the store's SQLite dialect.
 */
#ifndef EXPERTD_DB_PG_INT_H
#define EXPERTD_DB_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "db_int.h"

/* Type OIDs of pg_type.h (server headers are not installed with libpq). */
#define DBPG_BOOLOID 16
#define DBPG_BYTEAOID 17
#define DBPG_INT8OID 20
#define DBPG_TEXTOID 25
#define DBPG_VARCHAROID 1043

/* Parameters a statement may number (SQLite allows more; the store uses
 * fewer than 40). */
#define DBPG_MAX_PARAMS 999
#define DBPG_NAME_MAX 32
/* Deferred statements sent before a sync reads their results anyway. */
#define DBPG_PIPE_MAX 512

struct dbpg {
	PGconn *conn;
	bool lost;            /* for good: never reset behind the caller */
	uint64_t next_name;   /* server statements are "expertd_<n>" */
	/* Server statements finalized inside a transaction, deallocated at
	 * the next moment the session is idle (a DEALLOCATE that failed
	 * there would abort the caller's transaction). */
	uint64_t *zombies;
	size_t n_zombies, zombies_cap;
	/* A WARNING came since the last COMMIT was sent: a COMMIT the server
	 * stopped waiting for its synchronous standby on (cancelled) says
	 * "committed locally, but might not have been replicated" as a
	 * warning beside a successful result. */
	bool warned;
	char errmsg[512];
	/* A batch's transaction in pipeline mode (db_pg_pipe.c): deferred
	 * statements sent whose results are unread, and the first of them
	 * that failed (SQLITE_OK: none), its message kept for the log. */
	bool piped;
	int owed;
	int broken_rc;
	char broken[512];
	/* Reading up to a sync, perhaps over several turns of the loop (a
	 * COMMIT awaited there): the statement whose results come (the owed
	 * ones count from 0), whether it gave one yet, and the first result
	 * of the statement sent last, when wanted. */
	int rq;
	bool rgot, want;
	PGresult *mine;
	bool committing;   /* a COMMIT sent, its answer not read: nothing runs */
};

/* --- db_pg.c */
/* SQLITE_OK for a result that succeeded (counting its changes), else the
 * mapped error (db.h), marking the connection lost when it is. A COMMIT
 * that did not succeed is SQLITE_IOERR, one the server turned into a
 * ROLLBACK is SQLITE_ERROR. res may be NULL. */
int dbpg_outcome(struct db *db, const PGresult *res, bool is_commit);
/* A COMMIT is about to be sent: forget earlier warnings. */
void dbpg_before_commit(struct db *db);
/* The name of server statement n. */
void dbpg_name(char buf[DBPG_NAME_MAX], uint64_t n);
/* Deallocate server statement n now if the session is idle, else later. */
void dbpg_forget(struct db *db, uint64_t n);
/* Deallocate what dbpg_forget() left, if the session is idle. */
void dbpg_flush(struct db *db);

/* --- db_pg_pipe.c: pipeline mode, between db_pipeline_begin() and the
 * end of the transaction. The send functions' return value is passed as
 * sent (1: sent). */
void dbpg_pipe_enter(struct db *db);
/* A deferred statement was sent: SQLITE_DONE, or an error. */
int dbpg_pipe_owe(struct db *db, int sent);
/* A statement that needs its result was sent: a sync, every owed result
 * read, then its own into *res (for dbpg_outcome()). SQLITE_OK, or the
 * error of an earlier deferred statement (the batch is broken; *res
 * NULL) or of the connection. */
int dbpg_pipe_wait(struct db *db, int sent, PGresult **res);
/* A sync and every owed result read, then the result of the statement
 * sent last into *mine (mine NULL: none). SQLITE_OK or, as
 * dbpg_pipe_wait(), the error that broke the batch. Pipeline mode ends
 * with the transaction. */
int dbpg_pipe_sync(struct db *db, PGresult **mine);
/* Before a ROLLBACK: every owed result read (a ROLLBACK behind a failed
 * statement would be skipped with the rest), and the break forgotten:
 * the ROLLBACK's own result decides. */
void dbpg_pipe_settle(struct db *db);
/* SQLITE_OK, or SQLITE_MISUSE (set) while a COMMIT's answer is awaited:
 * a statement sent now would take its place in the pipeline. */
int dbpg_pipe_idle(struct db *db);
/* The error every statement of a broken batch gets (set, and returned). */
int dbpg_pipe_refused(struct db *db);

/* --- db_pg_translate.c */
struct dbpg_params {
	int n;            /* the highest parameter number used */
	bool too_many;    /* one above DBPG_MAX_PARAMS */
	bool used[DBPG_MAX_PARAMS + 1];
};
/* db_pg_translate(), also telling which parameters the text uses
 * (params may be NULL). */
char *dbpg_translate(const char *sql, struct dbpg_params *params);
/* sql (PostgreSQL text) is one COMMIT (or END). */
bool dbpg_is_commit(const char *sql);
/* sql (PostgreSQL text) is one ROLLBACK of the whole transaction (not
 * ROLLBACK TO a savepoint). */
bool dbpg_is_rollback(const char *sql);

#endif
