/*
 * db_pg_none.c - TEMPORARY: the PostgreSQL half of db.h before db_pg.c
 * lands (same session, issue #15). No connection is ever made, so none
 * of these runs; db_connect_pg() says the engine is missing.
 */
#include <stdio.h>
#include <sysexits.h>

#include "db_pg.h"

int db_connect_pg(const char *url, struct db **out, char *err, size_t errsz)
{
	(void)url;
	*out = NULL;
	snprintf(err, errsz, "this expertd was built without PostgreSQL");
	return EX_UNAVAILABLE;
}

int db_pg_try_lock(struct db *db, int64_t key, char *err, size_t errsz)
{
	(void)db;
	(void)key;
	snprintf(err, errsz, "this expertd was built without PostgreSQL");
	return -1;
}

void dbpg_close(struct dbpg *pg) { (void)pg; }
int dbpg_prepare(struct dbpg *pg, const char *sql, struct dbpg_stmt **out) { (void)pg; (void)sql; *out = NULL; return SQLITE_ERROR; }
void dbpg_finalize(struct dbpg_stmt *st) { (void)st; }
void dbpg_reset(struct dbpg_stmt *st) { (void)st; }
void dbpg_bind_int64(struct dbpg_stmt *st, int i, int64_t v) { (void)st; (void)i; (void)v; }
void dbpg_bind_text(struct dbpg_stmt *st, int i, const char *s) { (void)st; (void)i; (void)s; }
void dbpg_bind_blob(struct dbpg_stmt *st, int i, const void *p, size_t n) { (void)st; (void)i; (void)p; (void)n; }
void dbpg_bind_null(struct dbpg_stmt *st, int i) { (void)st; (void)i; }
int dbpg_step(struct dbpg_stmt *st) { (void)st; return SQLITE_ERROR; }
int64_t dbpg_column_int64(struct dbpg_stmt *st, int i) { (void)st; (void)i; return 0; }
const unsigned char *dbpg_column_text(struct dbpg_stmt *st, int i) { (void)st; (void)i; return NULL; }
const void *dbpg_column_blob(struct dbpg_stmt *st, int i) { (void)st; (void)i; return NULL; }
int dbpg_column_bytes(struct dbpg_stmt *st, int i) { (void)st; (void)i; return 0; }
bool dbpg_column_is_null(struct dbpg_stmt *st, int i) { (void)st; (void)i; return true; }
int dbpg_exec(struct dbpg *pg, const char *sql) { (void)pg; (void)sql; return SQLITE_ERROR; }
int dbpg_changes(struct dbpg *pg) { (void)pg; return 0; }
bool dbpg_in_transaction(struct dbpg *pg) { (void)pg; return false; }
const char *dbpg_errmsg(struct dbpg *pg) { (void)pg; return "no PostgreSQL"; }
int dbpg_errcode(struct dbpg *pg) { (void)pg; return SQLITE_ERROR; }
bool dbpg_lost(struct dbpg *pg) { (void)pg; return true; }
int store_pg_migrate(struct db *db, char *err, size_t errsz);
int store_pg_migrate(struct db *db, char *err, size_t errsz)
{
	(void)db;
	snprintf(err, errsz, "this expertd was built without PostgreSQL");
	return EX_UNAVAILABLE;
}
