/*
 * store_pii.c - personal data sealed at rest (pii.h): binding and reading
 * sealed columns, and, at start, sealing what an older database kept
 * clear or resealing what the previous signing key sealed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <sodium.h>

#include "pii.h"
#include "store_int.h"

/* What the meta table says the personal data is sealed under. */
#define PII_KEY_META "pii.key_id"

/* The largest value sealed in a column: an e-mail address or a staged
 * roster row is bigger than this only when something is wrong. */
#define PII_COLUMN_MAX 1024

bool store_bind_sealed(struct store *s, struct db_stmt *st, int i, const char *ad,
                       const void *m, size_t n)
{
	if (!s->pii_write)
		return false;
	uint8_t *c = malloc(n + PII_OVERHEAD);
	if (!c)
		return false;
	pii_seal(s->pii_write, ad, m, n, c);
	db_bind_blob(st, i, c, n + PII_OVERHEAD);
	sodium_memzero(c, n + PII_OVERHEAD);
	free(c);
	return true;
}

bool store_bind_index(struct store *s, struct db_stmt *st, int i, const char *what,
                      const char *value)
{
	if (!s->pii_write)
		return false;
	uint8_t ix[PII_INDEX_LEN];
	pii_index(s->pii_write, what, value, ix);
	db_bind_blob(st, i, ix, sizeof ix);
	return true;
}

/* Open (or copy, when clear) column i under key k. */
static bool column_opened_by(const struct sign_key *k, struct db_stmt *st, int i,
                             const char *ad, void *buf, size_t size, size_t *len)
{
	const uint8_t *b = db_column_blob(st, i);
	size_t n = (size_t)db_column_bytes(st, i);
	*len = 0;
	if (size == 0)
		return false;
	if (!pii_is_sealed(b, n)) {
		if (n >= size)
			return false;
		if (n)
			memcpy(buf, b, n);
		*len = n;
	} else if (!k || !pii_open(k, ad, b, n, buf, size - 1, len)) {
		return false;
	}
	((char *)buf)[*len] = '\0';
	return true;
}

bool store_column_opened(struct store *s, struct db_stmt *st, int i, const char *ad,
                         void *buf, size_t size, size_t *len)
{
	return column_opened_by(s->pii_read, st, i, ad, buf, size, len);
}

/* --- sealing at start -------------------------------------------------- */

static int pii_prepare(struct store *s, const char *sql, struct db_stmt **st)
{
	return db_prepare(s->db, sql, st);
}

/* One expert's three sealed columns, opened under from and sealed again
 * under the write key, with the blind index the ID has under it. */
static bool reseal_expert(struct store *s, const struct sign_key *from,
                          struct db_stmt *sel, struct db_stmt *upd)
{
	static const char *const cols[] = { "resident_id", "phone", "email" };
	int64_t id = db_column_int64(sel, 0);
	char v[3][PII_COLUMN_MAX + 1];
	bool ok = true;
	for (int c = 0; c < 3 && ok; c++) {
		char ad[STORE_PII_AD_MAX];
		size_t n;
		snprintf(ad, sizeof ad, "experts.%s:%lld", cols[c], (long long)id);
		ok = column_opened_by(from, sel, c + 1, ad, v[c], sizeof v[c], &n) &&
		     store_bind_sealed(s, upd, c + 1, ad, v[c], n);
	}
	if (ok)
		db_bind_int64(upd, 5, id);
	ok = ok && store_bind_index(s, upd, 4, "resident_id", v[0]) &&
	     db_step(upd) == SQLITE_DONE;
	sodium_memzero(v, sizeof v);
	db_reset(upd);
	return ok;
}

static bool reseal_experts(struct store *s, const struct sign_key *from)
{
	struct db_stmt *sel = NULL, *upd = NULL;
	bool ok = pii_prepare(s, "SELECT id, resident_id, phone, email FROM experts",
	                      &sel) == SQLITE_OK &&
	          pii_prepare(s, "UPDATE experts SET resident_id = ?1, phone = ?2,"
	                      " email = ?3, resident_ix = ?4 WHERE id = ?5",
	                      &upd) == SQLITE_OK;
	int rc = SQLITE_ROW;
	while (ok && (rc = db_step(sel)) == SQLITE_ROW)
		ok = reseal_expert(s, from, sel, upd);
	db_finalize(sel);
	db_finalize(upd);
	return ok && rc == SQLITE_DONE;
}

static bool reseal_reply(struct store *s, const struct sign_key *from,
                         struct db_stmt *sel, struct db_stmt *upd)
{
	char ad[STORE_PII_AD_MAX];
	store_request_ad(ad, (const char *)db_column_text(sel, 1),
	                 (const char *)db_column_text(sel, 2));
	size_t size = (size_t)db_column_bytes(sel, 3) + 1, n;
	uint8_t *m = malloc(size);
	db_bind_int64(upd, 2, db_column_int64(sel, 0));
	bool ok = m && column_opened_by(from, sel, 3, ad, m, size, &n) &&
	          store_bind_sealed(s, upd, 1, ad, m, n) &&
	          db_step(upd) == SQLITE_DONE;
	if (m)
		sodium_memzero(m, size);
	free(m);
	db_reset(upd);
	return ok;
}

static bool reseal_replies(struct store *s, const struct sign_key *from)
{
	struct db_stmt *sel = NULL, *upd = NULL;
	bool ok = pii_prepare(s, "SELECT id, principal, request_id, reply FROM requests",
	                      &sel) == SQLITE_OK &&
	          pii_prepare(s, "UPDATE requests SET reply = ?1 WHERE id = ?2",
	                      &upd) == SQLITE_OK;
	int rc = SQLITE_ROW;
	while (ok && (rc = db_step(sel)) == SQLITE_ROW)
		ok = reseal_reply(s, from, sel, upd);
	db_finalize(sel);
	db_finalize(upd);
	return ok && rc == SQLITE_DONE;
}

/* Staged rows are never resealed: an import still open is aborted (its
 * client starts it again) and every staged row loses its personal data,
 * as it does whenever an import ends. */
static bool purge_imports(struct store *s, int64_t now)
{
	char sql[256];
	snprintf(sql, sizeof sql, "UPDATE imports SET state = %d, finished_at = %lld"
	         " WHERE state = %d;", STORE_IMPORT_ABORTED, (long long)now,
	         STORE_IMPORT_OPEN);
	return db_exec(s->db, sql) == SQLITE_OK &&
	       db_exec(s->db, "UPDATE import_rows SET resident_id = x'', row = x''"
	                      " WHERE length(row) > 0") == SQLITE_OK;
}

/* Seal everything under the write key, from clear or from the previous
 * key, in one transaction; then rebuild and checkpoint, so neither the
 * file nor the WAL keeps the old bytes. */
static bool pii_reseal(struct store *s, const struct sign_key *from, int64_t now)
{
	uint8_t id[PII_KEY_ID_LEN];
	pii_key_id(s->pii_write, id);
	/* PostgreSQL has neither secure_delete nor a file to rebuild: its
	 * old row versions go with VACUUM, which autovacuum runs. */
	bool lite = db_engine(s->db) == DB_SQLITE;
	bool ok = (!lite || db_exec(s->db, "PRAGMA secure_delete = ON") == SQLITE_OK) &&
	          db_exec(s->db, "BEGIN IMMEDIATE") == SQLITE_OK &&
	          reseal_experts(s, from) && reseal_replies(s, from) &&
	          store_forms_reseal(s) &&
	          purge_imports(s, now) &&
	          store_meta_put(s, PII_KEY_META, id, sizeof id) == STORE_OK &&
	          db_exec(s->db, "COMMIT") == SQLITE_OK;
	if (!ok && db_in_transaction(s->db))
		db_exec(s->db, "ROLLBACK");
	/* secure_delete zeroes deleted cells, but a b-tree rebalanced
	 * during the rewrite can keep old bytes in a page's unused space
	 * (found by the test): rebuild the file, once per key. */
	if (ok && lite)
		ok = db_exec(s->db, "VACUUM; PRAGMA wal_checkpoint(TRUNCATE)") == SQLITE_OK;
	if (lite)
		db_exec(s->db, "PRAGMA secure_delete = FAST");
	return ok;
}

/* Which key the database's personal data is sealed under: 0 none (clear,
 * or nothing yet), 1 cur, 2 previous, -1 another, -2 unreadable. */
static int pii_sealed_under(struct store *s, const struct sign_key *cur,
                            const struct sign_key *previous)
{
	uint8_t stored[PII_KEY_ID_LEN], id[PII_KEY_ID_LEN];
	size_t len = 0;
	enum store_result r = store_meta_get(s, PII_KEY_META, stored, sizeof stored, &len);
	if (r == STORE_NOT_FOUND)
		return 0;
	if (r != STORE_OK || len != sizeof stored)
		return -2;
	pii_key_id(cur, id);
	if (sodium_memcmp(id, stored, sizeof id) == 0)
		return 1;
	if (previous) {
		pii_key_id(previous, id);
		if (sodium_memcmp(id, stored, sizeof id) == 0)
			return 2;
	}
	return -1;
}

int store_pii_start(struct store *s, const struct sign_key *cur,
                    const struct sign_key *previous, bool read_only, int64_t now,
                    char *err, size_t errsz)
{
	int under = pii_sealed_under(s, cur, previous);
	if (under == -2) {
		snprintf(err, errsz, "cannot read %s: %s", PII_KEY_META, db_errmsg(s->db));
		return EX_IOERR;
	}
	if (under == -1) {
		snprintf(err, errsz, "the personal data in this database is sealed under "
		         "another signing key: start with the key it was written under "
		         "(or give it as --previous-sign-key to reseal)");
		return EX_CONFIG;
	}
	/* Nothing said (a database from before schema 10): its values are
	 * clear, which opening copies, or sealed under cur by a daemon whose
	 * note was lost with a downgrade. */
	const struct sign_key *from = under == 2 ? previous : cur;
	s->pii_read = from;
	if (read_only)
		return 0;
	s->pii_write = cur;
	if (under != 1 && !pii_reseal(s, from, now)) {
		snprintf(err, errsz, "cannot seal the personal data: %s", db_errmsg(s->db));
		s->pii_write = NULL;
		return EX_IOERR;
	}
	s->pii_read = cur;
	return 0;
}
