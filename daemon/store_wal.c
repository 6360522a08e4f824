/*
 * store_wal.c - giving back the write-ahead log. SQLite's automatic
 * checkpoints restart the WAL from its start once no reader needs it, but
 * never shrink the file: a long reader under write load leaves it at the
 * size it grew to. This truncates it, without waiting for any lock.
 */
#include <sys/stat.h>

#include "store_int.h"

int64_t store_wal_bytes(struct store *s)
{
	sqlite3 *h = db_sqlite(s->db);
	if (!h)
		return -1;   /* PostgreSQL: its WAL is the server's */
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(h, "main"));
	struct stat st;
	if (!wal || stat(wal, &st) != 0)
		return -1;
	return (int64_t)st.st_size;
}

enum store_result store_wal_truncate(struct store *s)
{
	/* A checkpoint cannot run inside a transaction; the batch's commit
	 * is the daemon's only writer, so none runs now. */
	sqlite3 *h = db_sqlite(s->db);
	if (!h)
		return STORE_OK;   /* PostgreSQL: its WAL is the server's */
	if (!sqlite3_get_autocommit(h))
		return STORE_NOT_WRITABLE;
	/* TRUNCATE waits for readers through the busy handler, which the
	 * serving store does not have (store_serving()): a reader on an old
	 * snapshot makes it return SQLITE_BUSY at once, having copied what
	 * it could. */
	int rc = sqlite3_wal_checkpoint_v2(h, "main", SQLITE_CHECKPOINT_TRUNCATE,
	                                   NULL, NULL);
	return store_result_of(rc);
}
