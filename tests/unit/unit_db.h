/*
 * unit_db.h - a throwaway SQLite database for the unit tests that open a
 * real store: a fresh directory under /tmp, and its removal with the
 * WAL, shared-memory and journal files SQLite leaves beside it.
 */
#ifndef EXPERTD_UNIT_DB_H
#define EXPERTD_UNIT_DB_H

#include <stdbool.h>

/* The fixture's paths: dir is made by unit_db_make, path is dir/store.db. */
struct unit_db {
	char dir[64];
	char path[128];
};

/* A new empty directory named after tag; false if it cannot be made. */
bool unit_db_make(struct unit_db *db, const char *tag);
/* Delete the database, its side files and the directory. */
void unit_db_remove(const struct unit_db *db);

#endif
