/*
 * store_backup.c - a consistent copy of the database while the daemon
 * serves (PROTOCOL.md 7.15): SQLite's online backup, read through a
 * connection of its own, so the copy holds exactly the last committed
 * state (WAL readers never see the open batch) and the daemon's own
 * connection keeps its write transaction.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "store_int.h"

const char *store_path(struct store *s)
{
	sqlite3 *h = db_sqlite(s->db);
	const char *p = h ? sqlite3_db_filename(h, "main") : NULL;
	return p ? p : "";
}

bool store_can_backup(struct store *s)
{
	return db_sqlite(s->db) != NULL;
}

/* The copy's last audit entry: what the copy proves up to. */
static bool backup_head(sqlite3 *db, int64_t *seq, uint8_t hash[STORE_AUDIT_HASH_LEN])
{
	sqlite3_stmt *st = NULL;
	bool ok = false;
	*seq = 0;
	memset(hash, 0, STORE_AUDIT_HASH_LEN);
	if (sqlite3_prepare_v2(db, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
	                       -1, &st, NULL) != SQLITE_OK)
		return false;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_bytes(st, 1) == STORE_AUDIT_HASH_LEN) {
		*seq = sqlite3_column_int64(st, 0);
		memcpy(hash, sqlite3_column_blob(st, 1), STORE_AUDIT_HASH_LEN);
		ok = true;
	} else {
		ok = rc == SQLITE_DONE;  /* an empty log */
	}
	sqlite3_finalize(st);
	return ok;
}

enum store_result store_backup(struct store *s, const char *dest, int64_t *seq,
                               uint8_t head[STORE_AUDIT_HASH_LEN], char *err,
                               size_t errsz)
{
	sqlite3 *src = NULL, *dst = NULL;
	enum store_result r = STORE_NOT_WRITABLE;
	if (!db_sqlite(s->db)) {
		snprintf(err, errsz, "the database is PostgreSQL: back it up with "
		         "pg_basebackup or a Patroni replica (expertd(8), CLUSTER)");
		return STORE_NOT_WRITABLE;
	}
	int rc = sqlite3_open_v2(store_path(s), &src,
	                         SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_open_v2(dest, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		                     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "cannot open %s: %s", dst ? dest : store_path(s),
		         sqlite3_errstr(rc));
		goto out;
	}
	sqlite3_busy_timeout(src, 2000);
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		snprintf(err, errsz, "cannot start the copy: %s", sqlite3_errmsg(dst));
		goto out;
	}
	/* One step: the whole copy under one read lock, one snapshot. */
	rc = sqlite3_backup_step(b, -1);
	int fin = sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE || fin != SQLITE_OK) {
		snprintf(err, errsz, "the copy failed: %s",
		         sqlite3_errstr(rc != SQLITE_DONE ? rc : fin));
		goto out;
	}
	/* A file that stands alone: no -wal beside it to carry along. */
	if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK ||
	    !backup_head(dst, seq, head)) {
		snprintf(err, errsz, "cannot read the copy: %s", sqlite3_errmsg(dst));
		goto out;
	}
	r = STORE_OK;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	return r;
}
