/*
 * db_int.h - private to db*.c: the two engines' objects, and the
 * PostgreSQL half that db.c dispatches to (db_pg.c).
 */
#ifndef EXPERTD_DB_INT_H
#define EXPERTD_DB_INT_H

#include "db.h"

struct dbpg;        /* db_pg.c: a PostgreSQL connection */
struct dbpg_stmt;   /* db_pg.c: a statement of one */

struct db {
	enum db_engine engine;
	sqlite3 *lite;
	struct dbpg *pg;
};

struct db_stmt {
	struct db *db;
	sqlite3_stmt *lite;
	struct dbpg_stmt *pg;
};

#endif
