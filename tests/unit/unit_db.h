/*
 * unit_db.h - a throwaway SQLite database for the unit tests that open a
 * real store: a fresh directory under /tmp, and its removal with the
 * WAL, shared-memory and journal files SQLite leaves beside it; and a
 * dispatcher on such a database, for the tests that run batches.
 */
#ifndef EXPERTD_UNIT_DB_H
#define EXPERTD_UNIT_DB_H

#include <stdbool.h>

#include "dispatch.h"

/* The fixture's paths: dir is made by unit_db_make, path is dir/store.db. */
struct unit_db {
	char dir[64];
	char path[128];
};

/* A new empty directory named after tag; false if it cannot be made. */
bool unit_db_make(struct unit_db *db, const char *tag);
/* Delete the directory with the database and the side files SQLite
 * leaves beside it (WAL, shared memory, journal). */
void unit_db_remove(const struct unit_db *db);

/* A dispatcher on a fresh database with an initialised audit log, an
 * empty pool and the default assignment rules, as expertd runs one. */
struct unit_dispatch {
	struct unit_db db;
	struct store *store;
	struct pool *pool;
	struct engage *engage;
	struct recusal_config rules;
	struct assign_rules assign;
	struct sign_key sign;           /* a fixed test key */
	struct dispatch *d;
};

/* False if any part cannot be made (what was made is closed again). */
bool unit_dispatch_open(struct unit_dispatch *u, const char *tag);
/* Destroys everything and removes the database. */
void unit_dispatch_close(struct unit_dispatch *u);

#endif
