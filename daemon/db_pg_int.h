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

struct dbpg {
	PGconn *conn;
	bool lost;            /* for good: never reset behind the caller */
	uint64_t next_name;   /* server statements are "expertd_<n>" */
	/* Server statements finalized inside a transaction, deallocated at
	 * the next moment the session is idle (a DEALLOCATE that failed
	 * there would abort the caller's transaction). */
	uint64_t *zombies;
	size_t n_zombies, zombies_cap;
	char errmsg[512];
};

/* --- db_pg.c */
/* SQLITE_OK for a result that succeeded (counting its changes), else the
 * mapped error (db.h), marking the connection lost when it is. A COMMIT
 * that did not succeed is SQLITE_IOERR, one the server turned into a
 * ROLLBACK is SQLITE_ERROR. res may be NULL. */
int dbpg_outcome(struct db *db, const PGresult *res, bool is_commit);
/* The name of server statement n. */
void dbpg_name(char buf[DBPG_NAME_MAX], uint64_t n);
/* Deallocate server statement n now if the session is idle, else later. */
void dbpg_forget(struct db *db, uint64_t n);
/* Deallocate what dbpg_forget() left, if the session is idle. */
void dbpg_flush(struct db *db);

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

#endif
