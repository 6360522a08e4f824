/*
 * db_pg.h - private to db*.c: the PostgreSQL half of db.h (db_pg.c),
 * which db.c calls when a connection is PostgreSQL's. Same meanings and
 * result codes as the db.h function of the same name.
 */
#ifndef EXPERTD_DB_PG_H
#define EXPERTD_DB_PG_H

#include "db_int.h"

void dbpg_close(struct dbpg *pg);
int dbpg_prepare(struct dbpg *pg, const char *sql, struct dbpg_stmt **out);
void dbpg_finalize(struct dbpg_stmt *st);
void dbpg_reset(struct dbpg_stmt *st);
void dbpg_bind_int64(struct dbpg_stmt *st, int i, int64_t v);
void dbpg_bind_text(struct dbpg_stmt *st, int i, const char *s);
void dbpg_bind_blob(struct dbpg_stmt *st, int i, const void *p, size_t n);
void dbpg_bind_null(struct dbpg_stmt *st, int i);
int dbpg_step(struct dbpg_stmt *st);
int64_t dbpg_column_int64(struct dbpg_stmt *st, int i);
const unsigned char *dbpg_column_text(struct dbpg_stmt *st, int i);
const void *dbpg_column_blob(struct dbpg_stmt *st, int i);
int dbpg_column_bytes(struct dbpg_stmt *st, int i);
bool dbpg_column_is_null(struct dbpg_stmt *st, int i);
int dbpg_exec(struct dbpg *pg, const char *sql);
int dbpg_changes(struct dbpg *pg);
bool dbpg_in_transaction(struct dbpg *pg);
const char *dbpg_errmsg(struct dbpg *pg);
int dbpg_errcode(struct dbpg *pg);
bool dbpg_lost(struct dbpg *pg);

#endif
