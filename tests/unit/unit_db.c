/* unit_db.c - see unit_db.h. */
#include "unit_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

bool unit_db_make(struct unit_db *db, const char *tag)
{
	snprintf(db->dir, sizeof db->dir, "/tmp/expertd-%s-XXXXXX", tag);
	if (!mkdtemp(db->dir))
		return false;
	snprintf(db->path, sizeof db->path, "%s/store.db", db->dir);
	return true;
}

void unit_db_remove(const struct unit_db *db)
{
	static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
	for (size_t i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		char p[160];
		snprintf(p, sizeof p, "%s%s", db->path, sfx[i]);
		unlink(p);
	}
	rmdir(db->dir);
}
