/*
 * store.c - the SQLite store: opening, transactions (group commit with a
 * savepoint per request), reading rows (store_row*), idempotent request
 * records and terms. Experts, events, conflicts and imports are in
 * store_pool.c. Every statement is prepared once and bound; nothing here
 * is built from request text.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "dblock.h"
#include "log.h"
#include "store_int.h"
#include "textnorm.h"

static const char *const sql_text[STMT__COUNT] = {
#define X(id, sql) [id] = sql,
	STORE_STATEMENTS(X)
#undef X
};

struct db_stmt *store_stmt(struct store *s, enum store_stmt id)
{
	struct db_stmt *st = s->stmts[id];
	s->doing = sql_text[id];
	if (!st) {
		if (db_prepare(s->db, sql_text[id], &st) != SQLITE_OK)
			return NULL;
		s->stmts[id] = st;
	}
	db_reset(st);
	return st;
}

enum store_result store_result_of(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return STORE_OK;
	case SQLITE_CONSTRAINT:
		return STORE_DUPLICATE;
	case SQLITE_IOERR:
		return STORE_UNKNOWN;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return STORE_CORRUPT;
	default:
		return STORE_NOT_WRITABLE;
	}
}

static enum store_result step_with(struct db_stmt *st, int (*step)(struct db_stmt *))
{
	if (!st)
		return STORE_NOT_WRITABLE;
	int rc = step(st);
	db_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

enum store_result store_step_done(struct db_stmt *st)
{
	return step_with(st, db_step);
}

enum store_result store_step_deferred(struct db_stmt *st)
{
	return step_with(st, db_step_deferred);
}

void store_bind_text(struct db_stmt *st, int i, const char *s)
{
	db_bind_text(st, i, s);
}

void store_column_copy(struct db_stmt *st, int i, char *buf, size_t size)
{
	/* As snprintf(buf, size, "%s", t) would, without its cost: the
	 * pool's load copies a few columns of every expert. */
	const unsigned char *t = db_column_text(st, i);
	size_t n = t && size ? strnlen((const char *)t, size - 1) : 0;
	if (n)
		memcpy(buf, t, n);
	if (size)
		buf[n] = '\0';
}

/* Grow *arr by one element of size sz (doubling); the new slot or NULL. */
static void *store_grow(void **arr, size_t *n, size_t *cap, size_t sz)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		void *p = realloc(*arr, nc * sz);
		if (!p)
			return NULL;
		*arr = p;
		*cap = nc;
	}
	return (char *)*arr + (*n)++ * sz;
}

enum store_result store_row(struct db_stmt *st, store_row_fn fn, void *row)
{
	if (!st)
		return STORE_NOT_WRITABLE;
	int rc = db_step(st);
	if (rc == SQLITE_ROW && !fn(st, row))
		rc = SQLITE_NOMEM;
	db_reset(st);
	if (rc == SQLITE_ROW)
		return STORE_OK;
	return rc == SQLITE_DONE ? STORE_NOT_FOUND : store_result_of(rc);
}

enum store_result store_rows(struct db_stmt *st, size_t size, store_row_fn fn,
                             void **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	if (!st)
		return STORE_NOT_WRITABLE;
	size_t cap = 0;
	int rc;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		void *row = store_grow(out, n, &cap, size);
		if (!row || !fn(st, row)) {
			if (row)
				(*n)--;
			rc = SQLITE_NOMEM;
			break;
		}
	}
	db_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

enum store_result store_each_row(struct db_stmt *st, store_row_fn fn, void *row,
                                 bool (*cb)(const void *row, void *arg), void *arg)
{
	if (!st)
		return STORE_NOT_WRITABLE;
	int rc;
	while ((rc = db_step(st)) == SQLITE_ROW) {
		if (!fn(st, row)) {
			rc = SQLITE_NOMEM;
			break;
		}
		if (!cb(row, arg)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	db_reset(st);
	return rc == SQLITE_DONE ? STORE_OK : store_result_of(rc);
}

bool store_row_int64(struct db_stmt *st, void *row)
{
	*(int64_t *)row = db_column_int64(st, 0);
	return true;
}

int64_t store_single_int(struct store *s, enum store_stmt id)
{
	int64_t v = 0;
	store_row(store_stmt(s, id), store_row_int64, &v);
	return v;
}

/* match_key(kind, text): the matching key of a name (textnorm.h), for
 * migrations; NULL when the name has none. kind is 'org' or anything
 * else for an occupation. */
static void match_key_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *kind = sqlite3_value_text(argv[0]);
	const unsigned char *text = sqlite3_value_text(argv[1]);
	char key[TEXTNORM_KEY_SIZE];
	enum textnorm_kind k = kind && strcmp((const char *)kind, "org") == 0
	                               ? TEXTNORM_ORG : TEXTNORM_OCCUPATION;
	if (text && textnorm_key(k, (const char *)text, key, sizeof key))
		sqlite3_result_text(cx, key, -1, SQLITE_TRANSIENT);
	else
		sqlite3_result_null(cx);
}

static int exec(struct store *s, const char *sql)
{
	s->doing = sql;
	return db_exec(s->db, sql);
}

/* exec() of a statement whose result only the COMMIT needs (db.h). */
static int exec_deferred(struct store *s, const char *sql)
{
	s->doing = sql;
	return db_exec_deferred(s->db, sql);
}

/*
 * The database's folder, made (0700) when it is missing but its own
 * parent is there: the default ./var/expertd.db works in a fresh
 * checkout, and a mistyped deep path is still an error.
 */
static int store_make_dir(const char *path, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	struct stat st;
	if ((size_t)snprintf(dir, sizeof dir, "%s", path) >= sizeof dir)
		return 0;   /* dblock_acquire names the problem */
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &st) == 0 || errno != ENOENT)
		return 0;
	if (mkdir(dir, 0700) != 0) {
		if (errno == ENOENT)
			return 0;   /* its parent is missing too: dblock_acquire says so */
		snprintf(err, errsz, "cannot make the folder %s of database %s: %s", dir,
		         path, strerror(errno));
		return EX_CANTCREAT;
	}
	log_info("made the database's folder %s (mode 0700)", dir);
	return 0;
}

/* SQLite's page cache, 64 MiB; while one statement reads a whole table
 * once (store_cache_scan()), 1 MiB. */
#define STORE_CACHE_PRAGMA "PRAGMA cache_size=-65536"
#define STORE_CACHE_SCAN_PRAGMA "PRAGMA cache_size=-1024"

void store_cache_scan(struct store *s, bool scanning)
{
	s->scanning += scanning ? 1 : -1;
	assert(s->scanning >= 0);
	if ((s->scanning == 1 && scanning) || (s->scanning == 0 && !scanning)) {
		if (db_engine(s->db) == DB_SQLITE)
			sqlite3_exec(db_sqlite(s->db),
			             scanning ? STORE_CACHE_SCAN_PRAGMA : STORE_CACHE_PRAGMA,
			             NULL, NULL, NULL);
	}
}

/*
 * SQLite's own set-up of a handle h opened on path: errors, pragmas and
 * the migrations' match_key(). 0, or a <sysexits.h> code with err set.
 */
static int store_sqlite_setup(sqlite3 *h, const char *path, char *err, size_t errsz)
{
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_timeout(h, 2000);
	int foreign = store_schema_refuse_foreign(h, err, errsz);
	if (foreign)
		return foreign;
	/* WAL + synchronous=FULL: a COMMIT that returned is on disk.
	 * temp_store=MEMORY: each request's savepoint keeps a statement
	 * journal, which SQLite otherwise opens and deletes as a temp file
	 * per request (found by profiling draws). */
	char *msg = NULL;
	if (sqlite3_exec(h,
	                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                 "PRAGMA foreign_keys=ON; " STORE_CACHE_PRAGMA ";"
	                 "PRAGMA temp_store=MEMORY;"
	                 /* A WAL grown by a long reader shrinks back to this
	                  * once a checkpoint resets it, instead of staying at
	                  * its largest size for as long as the daemon runs. */
	                 "PRAGMA journal_size_limit=67108864;",
	                 NULL, NULL, &msg) != SQLITE_OK) {
		int code = (sqlite3_errcode(h) == SQLITE_NOTADB) ? EX_DATAERR
		                                                 : EX_CANTCREAT;
		snprintf(err, errsz, "cannot use database %s: %s", path,
		         msg ? msg : sqlite3_errmsg(h));
		sqlite3_free(msg);
		return code;
	}
	if (sqlite3_create_function(h, "match_key", 2,
	                            SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
	                            match_key_fn, NULL, NULL) != SQLITE_OK) {
		snprintf(err, errsz, "cannot register match_key: %s", sqlite3_errmsg(h));
		return EX_SOFTWARE;
	}
	return store_schema_migrate(h, err, errsz);
}

/* Open the SQLite file at path into s->db, set up and migrated. */
static int store_open_sqlite(struct store *s, const char *path, char *err,
                             size_t errsz)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	                         SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errsz, "cannot open database %s: %s", path,
		         h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return EX_CANTCREAT;
	}
	if (db_wrap_sqlite(h, &s->db, err, errsz) != 0) {
		sqlite3_close(h);
		snprintf(err, errsz, "out of memory");
		return EX_OSERR;
	}
	return store_sqlite_setup(h, path, err, errsz);
}

int store_open(const char *path, struct store **out, char *err, size_t errsz)
{
	int made = store_make_dir(path, err, errsz);
	if (made)
		return made;
	struct store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return EX_OSERR;
	}
	/* One writer: the lock comes before SQLite writes a byte (creating,
	 * WAL recovery, migrations), so a second daemon changes nothing. */
	s->lock_fd = -1;
	int lock = dblock_acquire(path, &s->lock_fd, err, errsz);
	if (lock) {
		free(s);
		return lock;
	}
	int code = store_open_sqlite(s, path, err, errsz);
	if (!code)
		code = store_catalog_seed(s, err, errsz);
	if (code) {
		store_close(&s);
		return code;
	}
	*out = s;
	return 0;
}

void store_close(struct store **sp)
{
	struct store *s = sp ? *sp : NULL;
	if (!s)
		return;
	if (s->db && db_in_transaction(s->db))
		exec(s, "ROLLBACK");
	for (int i = 0; i < STMT__COUNT; i++)
		db_finalize(s->stmts[i]);
	db_close(s->db);
	/* After the close: the last write is done before a next writer may
	 * start. */
	dblock_release(&s->lock_fd);
	free(s);
	*sp = NULL;
}

void store_serving(struct store *s)
{
	/* Start-up may wait out a short lock; the event loop never does. */
	if (db_sqlite(s->db))
		sqlite3_busy_timeout(db_sqlite(s->db), 0);
}

int store_schema_version(struct store *s)
{
	int64_t v = -1;
	store_row(store_stmt(s, STMT_USER_VERSION), store_row_int64, &v);
	return (int)v;
}

const char *store_errmsg(struct store *s)
{
	return db_errmsg(s->db);
}

/* The first table a statement names, into buf ("?" when none is found). */
static void store_sql_table(const char *sql, char *buf, size_t size)
{
	static const char *const before[] = {" FROM ", "INSERT INTO ", "UPDATE ",
	                                     "REPLACE INTO "};
	const char *t = NULL;
	for (size_t i = 0; !t && i < sizeof before / sizeof before[0]; i++)
		if ((t = strstr(sql, before[i])))
			t += strlen(before[i]);
	size_t n = 0;
	while (t && n + 1 < size && (t[n] == '_' || (t[n] >= 'a' && t[n] <= 'z') ||
	                             (t[n] >= '0' && t[n] <= '9')))
		n++;
	snprintf(buf, size, "%.*s", (int)n, n ? t : "?");
}

void store_describe_damage(struct store *s, char *buf, size_t size)
{
	const char *sql = s->doing ? s->doing : "";
	char table[64];
	store_sql_table(sql, table, sizeof table);
	int code = db_errcode(s->db);
	/* Something may have run since: then say what SQLite calls damage. */
	bool fresh = (code & 0xff) == SQLITE_CORRUPT || (code & 0xff) == SQLITE_NOTADB;
	snprintf(buf, size, "table %s: %s (SQLite code %d) in %.120s", table,
	         fresh ? db_errmsg(s->db) : sqlite3_errstr(SQLITE_CORRUPT),
	         fresh ? code : SQLITE_CORRUPT, sql);
}

void store_refuse_writes(struct store *s)
{
	exec(s, db_engine(s->db) == DB_POSTGRES
	                ? "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY"
	                : "PRAGMA query_only=ON");
}

/*
 * On PostgreSQL the batch is pipelined (db_pipeline_begin()): its BEGIN,
 * savepoints and the writes the store marks deferred (store_step_deferred())
 * go without waiting, so a draw's dozens of writes cost the round trips
 * of its reads and one COMMIT, not one each. A deferred statement that
 * failed breaks the batch (store_batch_broken()).
 */
enum store_result store_batch_begin(struct store *s)
{
	db_pipeline_begin(s->db);
	return store_result_of(exec_deferred(s, "BEGIN IMMEDIATE"));
}

enum store_result store_request_begin(struct store *s)
{
	return store_result_of(exec_deferred(s, "SAVEPOINT request"));
}

void store_request_end(struct store *s, bool keep)
{
	if (!keep)
		exec_deferred(s, "ROLLBACK TO request");
	exec_deferred(s, "RELEASE request");
}

/* What the COMMIT's result rc means; on failure the batch is rolled back. */
static enum store_result commit_outcome(struct store *s, int rc)
{
	if (rc == SQLITE_OK)
		return STORE_OK;
	enum store_result r = store_result_of(rc);
	if (db_in_transaction(s->db))
		exec(s, "ROLLBACK");
	return r == STORE_OK ? STORE_UNKNOWN : r;
}

enum store_result store_batch_commit(struct store *s)
{
	return commit_outcome(s, exec(s, "COMMIT"));
}

bool store_batch_commit_start(struct store *s, enum store_result *r)
{
	bool pending = false;
	s->doing = "COMMIT";
	int rc = db_commit_send(s->db, &pending);
	if (!pending)
		*r = commit_outcome(s, rc);
	return !pending;
}

bool store_batch_commit_poll(struct store *s, enum store_result *r)
{
	bool pending = false;
	int rc = db_commit_poll(s->db, &pending);
	if (!pending)
		*r = commit_outcome(s, rc);
	return !pending;
}

int store_socket(struct store *s)
{
	return db_socket(s->db);
}

bool store_in_batch(struct store *s)
{
	return db_in_transaction(s->db);
}

void store_batch_rollback(struct store *s)
{
	if (db_in_transaction(s->db))
		exec(s, "ROLLBACK");
}

/* Prepared once, not exec'd like the batch's statements: a snapshot
 * runs after nearly every batch, and is a few microseconds in all. */
bool store_read_begin(struct store *s)
{
	if (db_in_transaction(s->db))
		return false;
	return store_step_done(store_stmt(s, STMT_READ_BEGIN)) == STORE_OK;
}

void store_read_end(struct store *s, bool began)
{
	if (!began || !db_in_transaction(s->db))
		return;
	/* The next batch's BEGIN IMMEDIATE fails inside a transaction: never
	 * leave one open. */
	if (store_step_done(store_stmt(s, STMT_READ_END)) != STORE_OK &&
	    db_in_transaction(s->db))
		exec(s, "ROLLBACK");
}

/* --- idempotent requests ------------------------------------------------- */

/* Where store_request_find() puts what it reads. */
struct store_request_out {
	struct store *s;
	const char *ad;
	uint8_t *hash;
	void **reply;
	size_t *reply_len;
};

static bool store_column_request(struct db_stmt *st, void *row)
{
	struct store_request_out *o = row;
	const void *h = db_column_blob(st, 0);
	int hl = db_column_bytes(st, 0);
	size_t size = (size_t)db_column_bytes(st, 1) + 1;
	memset(o->hash, 0, STORE_HASH_LEN);
	if (h && hl == STORE_HASH_LEN)
		memcpy(o->hash, h, STORE_HASH_LEN);
	*o->reply = malloc(size);
	if (!*o->reply)
		return false;
	if (store_column_opened(o->s, st, 1, o->ad, *o->reply, size, o->reply_len))
		return true;
	free(*o->reply);
	*o->reply = NULL;
	return false;
}

/* A recorded reply is sealed (pii.h): a draw's reply holds phones. */
void store_request_ad(char ad[STORE_PII_AD_MAX], const char *principal,
                             const char *request_id)
{
	snprintf(ad, STORE_PII_AD_MAX, "requests.reply:%s\x1f%s", principal, request_id);
}

enum store_result store_request_find(struct store *s, const char *principal,
                                     const char *request_id,
                                     uint8_t hash[STORE_HASH_LEN],
                                     void **reply, size_t *reply_len)
{
	char ad[STORE_PII_AD_MAX];
	store_request_ad(ad, principal, request_id);
	struct store_request_out o = { s, ad, hash, reply, reply_len };
	struct db_stmt *st = store_stmt(s, STMT_REQUEST_FIND);
	if (st) {
		store_bind_text(st, 1, principal);
		store_bind_text(st, 2, request_id);
	}
	return store_row(st, store_column_request, &o);
}

enum store_result store_request_save(struct store *s, const char *principal,
                                     const char *request_id, const char *op,
                                     const uint8_t hash[STORE_HASH_LEN],
                                     const void *reply, size_t reply_len,
                                     int64_t at)
{
	char ad[STORE_PII_AD_MAX];
	struct db_stmt *st = store_stmt(s, STMT_REQUEST_SAVE);
	if (!st)
		return STORE_NOT_WRITABLE;
	store_request_ad(ad, principal, request_id);
	store_bind_text(st, 1, principal);
	store_bind_text(st, 2, request_id);
	store_bind_text(st, 3, op);
	db_bind_blob(st, 4, hash, STORE_HASH_LEN);
	if (!store_bind_sealed(s, st, 5, ad, reply, reply_len))
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 6, at);
	/* Deferred: a failure is "cannot write", never "already there" (a
	 * retry is answered from the record before it runs). */
	return store_step_deferred(st);
}

enum store_result store_request_prune(struct store *s, int64_t before, int limit,
                                      int *removed)
{
	struct db_stmt *st = store_stmt(s, STMT_REQUEST_PRUNE);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int64(st, 1, before);
	db_bind_int(st, 2, limit);
	enum store_result r = store_step_done(st);
	*removed = r == STORE_OK ? db_changes(s->db) : 0;
	return r;
}

/* --- terms ---------------------------------------------------------------- */

enum store_result store_term_insert(struct store *s, const struct store_term *t,
                                    const char *actor)
{
	struct db_stmt *st = store_stmt(s, STMT_TERM_INSERT);
	if (!st)
		return STORE_NOT_WRITABLE;
	db_bind_int(st, 1, t->number);
	db_bind_int(st, 2, t->start);
	db_bind_int(st, 3, t->end);
	db_bind_int64(st, 4, t->opened_at);
	store_bind_text(st, 5, actor);
	return store_step_done(st);
}

static bool store_column_term(struct db_stmt *st, void *row)
{
	struct store_term *t = row;
	t->number = db_column_int(st, 0);
	t->start = db_column_int(st, 1);
	t->end = db_column_int(st, 2);
	t->opened_at = db_column_int64(st, 3);
	t->experts = db_column_int64(st, 4);
	return true;
}

enum store_result store_term_list(struct store *s, struct store_term **out,
                                  size_t *n)
{
	return store_rows(store_stmt(s, STMT_TERM_LIST), sizeof **out,
	                  store_column_term, (void **)out, n);
}

