/*
 * db_pg_stmt.c - db.h's statements on PostgreSQL: translated at prepare,
 * prepared on the server at the first step with the types of that first
 * binding, the whole result fetched by that step and walked by the next
 * ones. Values travel as text, blobs as binary; bytea columns are
 * decoded here, into buffers the statement owns until its next step.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db_pg_int.h"

enum param_kind { PARAM_NULL, PARAM_INT, PARAM_TEXT, PARAM_BLOB };

struct param {
	enum param_kind kind;
	char *data;       /* text or blob (owned); ints are in num */
	size_t len;
	char num[24];
};

/* A decoded bytea column of the current row. */
struct cell {
	unsigned char *buf;   /* NUL-terminated */
	size_t len;
	bool ready;
};

struct dbpg_stmt {
	char *sql;              /* PostgreSQL text */
	struct dbpg_params used;
	bool is_commit;
	bool prepared;
	uint64_t name;
	Oid *declared;          /* the types it was prepared with (0: inferred) */
	Oid *actual;            /* the types the server settled on */
	struct param *params;   /* [used.n + 1], from 1 */
	const char **values;    /* PQexecPrepared's arrays, [used.n] */
	int *lengths, *formats;
	int bind_rc;            /* a binding that failed (out of memory) */
	PGresult *res;
	int row, rows;
	bool done;
	struct cell *cells;     /* [PQnfields], made at the first bytea read */
};

static void drop_cells(struct dbpg_stmt *p)
{
	if (!p->cells || !p->res)
		return;
	for (int i = 0; i < PQnfields(p->res); i++) {
		free(p->cells[i].buf);
		p->cells[i] = (struct cell){ 0 };
	}
}

static void drop_result(struct dbpg_stmt *p)
{
	drop_cells(p);
	free(p->cells);
	p->cells = NULL;
	PQclear(p->res);
	p->res = NULL;
	p->row = p->rows = 0;
	p->done = false;
}

static void clear_param(struct param *q)
{
	free(q->data);
	*q = (struct param){ .kind = PARAM_NULL };
}

int dbpg_prepare(struct db_stmt *st, const char *sql)
{
	struct dbpg_stmt *p = calloc(1, sizeof *p);
	if (!p)
		return dbpg_fail(st->db, SQLITE_NOMEM, "out of memory");
	p->sql = dbpg_translate(sql, &p->used);
	size_t n = (size_t)p->used.n;
	p->declared = calloc(n + 1, sizeof *p->declared);
	p->actual = calloc(n + 1, sizeof *p->actual);
	p->params = calloc(n + 1, sizeof *p->params);
	p->values = calloc(n + 1, sizeof *p->values);
	p->lengths = calloc(n + 1, sizeof *p->lengths);
	p->formats = calloc(n + 1, sizeof *p->formats);
	st->pg = p;
	if (!p->sql || !p->declared || !p->actual || !p->params || !p->values ||
	    !p->lengths || !p->formats) {
		dbpg_finalize(st);
		return dbpg_fail(st->db, SQLITE_NOMEM, "out of memory");
	}
	if (p->used.too_many) {
		dbpg_finalize(st);
		return dbpg_fail(st->db, SQLITE_RANGE, "a parameter number out of range");
	}
	p->is_commit = dbpg_is_commit(p->sql);
	return SQLITE_OK;
}

void dbpg_finalize(struct db_stmt *st)
{
	struct dbpg_stmt *p = st->pg;
	if (!p)
		return;
	drop_result(p);
	if (p->prepared)
		dbpg_forget(st->db, p->name);
	for (int i = 1; p->params && i <= p->used.n; i++)
		clear_param(&p->params[i]);
	free(p->sql);
	free(p->declared);
	free(p->actual);
	free(p->params);
	free(p->values);
	free(p->lengths);
	free(p->formats);
	free(p);
	st->pg = NULL;
}

void dbpg_reset(struct db_stmt *st)
{
	struct dbpg_stmt *p = st->pg;
	drop_result(p);
	for (int i = 1; i <= p->used.n; i++)
		clear_param(&p->params[i]);
	p->bind_rc = SQLITE_OK;
}

/* The parameter i to bind, cleared; NULL when the text has no such
 * parameter (SQLite says SQLITE_RANGE, which the store never reads). */
static struct param *param_at(struct db_stmt *st, int i)
{
	struct dbpg_stmt *p = st->pg;
	if (i < 1 || i > p->used.n)
		return NULL;
	clear_param(&p->params[i]);
	return &p->params[i];
}

void dbpg_bind_int64(struct db_stmt *st, int i, int64_t v)
{
	struct param *q = param_at(st, i);
	if (!q)
		return;
	q->kind = PARAM_INT;
	snprintf(q->num, sizeof q->num, "%" PRId64, v);
	q->len = strlen(q->num);
}

/* Copy n bytes of v (NUL-terminated) into q as kind. */
static void bind_copy(struct db_stmt *st, struct param *q, enum param_kind kind,
                      const void *v, size_t n)
{
	q->data = malloc(n + 1);
	if (!q->data) {
		st->pg->bind_rc = SQLITE_NOMEM;
		return;
	}
	if (n)
		memcpy(q->data, v, n);
	q->data[n] = '\0';
	q->len = n;
	q->kind = kind;
}

void dbpg_bind_text(struct db_stmt *st, int i, const char *s)
{
	struct param *q = param_at(st, i);
	if (q && s)
		bind_copy(st, q, PARAM_TEXT, s, strlen(s));
}

void dbpg_bind_blob(struct db_stmt *st, int i, const void *v, size_t n)
{
	struct param *q = param_at(st, i);
	if (q && v)   /* as SQLite: a NULL pointer binds NULL */
		bind_copy(st, q, PARAM_BLOB, v, n);
}

void dbpg_bind_null(struct db_stmt *st, int i)
{
	param_at(st, i);
}

/* The type parameter i gets at prepare: from its binding, text for one
 * the text never uses (the server cannot infer it), 0 to infer. */
static Oid type_wanted(const struct dbpg_stmt *p, int i)
{
	static const Oid of_kind[] = {
		[PARAM_NULL] = 0, [PARAM_INT] = DBPG_INT8OID,
		[PARAM_TEXT] = DBPG_TEXTOID, [PARAM_BLOB] = DBPG_BYTEAOID,
	};
	return p->used.used[i] ? of_kind[p->params[i].kind] : DBPG_TEXTOID;
}

/* The prepared statement cannot take this binding as it is: a blob for
 * a parameter that is neither bytea nor text. */
static bool is_stale(const struct dbpg_stmt *p)
{
	for (int i = 1; i <= p->used.n; i++) {
		Oid t = p->actual[i];
		if (p->used.used[i] && p->params[i].kind == PARAM_BLOB &&
		    t != DBPG_BYTEAOID && t != DBPG_TEXTOID && t != DBPG_VARCHAROID)
			return true;
	}
	return false;
}

/* Learn the types the server inferred for the parameters given as 0. */
static int describe(struct db *db, struct dbpg_stmt *p, const char *name)
{
	bool inferred = false;
	for (int i = 1; i <= p->used.n; i++) {
		p->actual[i] = p->declared[i];
		inferred = inferred || p->declared[i] == 0;
	}
	if (!inferred)
		return SQLITE_OK;
	PGresult *res = NULL;
	int rc = db->pg->piped
	       ? dbpg_pipe_wait(db, PQsendDescribePrepared(db->pg->conn, name), &res)
	       : SQLITE_OK;
	if (!db->pg->piped)
		res = PQdescribePrepared(db->pg->conn, name);
	if (rc == SQLITE_OK)
		rc = dbpg_outcome(db, res, false);
	for (int i = 1; rc == SQLITE_OK && i <= p->used.n && i <= PQnparams(res); i++)
		p->actual[i] = PQparamtype(res, i - 1);
	PQclear(res);
	return rc;
}

/* Prepared on the server for the current bindings. */
static int ensure_prepared(struct db *db, struct dbpg_stmt *p)
{
	if (p->prepared && !is_stale(p))
		return SQLITE_OK;
	if (p->prepared)
		dbpg_forget(db, p->name);
	p->prepared = false;
	p->name = db->pg->next_name++;
	char name[DBPG_NAME_MAX];
	dbpg_name(name, p->name);
	for (int i = 1; i <= p->used.n; i++)
		p->declared[i] = type_wanted(p, i);
	const Oid *types = p->used.n ? p->declared + 1 : NULL;
	PGresult *res = NULL;
	/* In a batch's pipeline, a round trip of its own: once a statement
	 * for as long as the session lasts. */
	int rc = db->pg->piped
	       ? dbpg_pipe_wait(db, PQsendPrepare(db->pg->conn, name, p->sql, p->used.n,
	                                          types), &res)
	       : SQLITE_OK;
	if (!db->pg->piped)
		res = PQprepare(db->pg->conn, name, p->sql, p->used.n, types);
	if (rc == SQLITE_OK)
		rc = dbpg_outcome(db, res, false);
	PQclear(res);
	if (rc != SQLITE_OK)
		return rc;
	p->prepared = true;
	return describe(db, p, name);
}

/* Fill PQexecPrepared's arrays: numbers and text as text, except text
 * for a bytea parameter, and blobs, which go as they are (binary). */
static void fill_values(struct dbpg_stmt *p)
{
	for (int i = 1; i <= p->used.n; i++) {
		const struct param *q = &p->params[i];
		bool raw = q->kind == PARAM_BLOB ||
		           (q->kind == PARAM_TEXT && p->actual[i] == DBPG_BYTEAOID);
		p->values[i - 1] = !p->used.used[i] || q->kind == PARAM_NULL ? NULL
		                   : q->kind == PARAM_INT ? q->num : q->data;
		p->lengths[i - 1] = (int)q->len;
		p->formats[i - 1] = raw;
	}
}

/* Ready to send: the bindings good, the connection there, the batch not
 * broken, prepared on the server, the value arrays filled. */
static int ready_to_send(struct db *db, struct dbpg_stmt *p)
{
	if (p->bind_rc != SQLITE_OK)
		return dbpg_fail(db, p->bind_rc, "out of memory");
	if (dbpg_pipe_idle(db) != SQLITE_OK)
		return db->last_rc;
	if (db->pg->lost)
		return dbpg_fail(db, SQLITE_IOERR, "the connection to PostgreSQL was lost");
	if (db->pg->piped && db->pg->broken_rc != SQLITE_OK)
		return dbpg_pipe_refused(db);
	dbpg_flush(db);
	int rc = ensure_prepared(db, p);
	if (rc == SQLITE_OK)
		fill_values(p);
	return rc;
}

static int send_prepared(struct db *db, struct dbpg_stmt *p)
{
	char name[DBPG_NAME_MAX];
	dbpg_name(name, p->name);
	return PQsendQueryPrepared(db->pg->conn, name, p->used.n, p->values, p->lengths,
	                           p->formats, 0);
}

/* Run p now, its result into *res: at once, or in a batch's pipeline
 * after every result owed. SQLITE_OK, or an error before any result. */
static int run_prepared(struct db *db, struct dbpg_stmt *p, PGresult **res)
{
	if (db->pg->piped)
		return dbpg_pipe_wait(db, send_prepared(db, p), res);
	char name[DBPG_NAME_MAX];
	dbpg_name(name, p->name);
	*res = PQexecPrepared(db->pg->conn, name, p->used.n, p->values, p->lengths,
	                      p->formats, 0);
	return SQLITE_OK;
}

int dbpg_step(struct db_stmt *st)
{
	struct dbpg_stmt *p = st->pg;
	struct db *db = st->db;
	if (p->res && !p->done) {
		drop_cells(p);
		if (++p->row < p->rows)
			return SQLITE_ROW;
		p->done = true;
		return SQLITE_DONE;
	}
	drop_result(p);   /* stepped past the end: runs again, as in SQLite */
	int rc = ready_to_send(db, p);
	if (rc != SQLITE_OK)
		return rc;
	if (p->is_commit)
		dbpg_before_commit(db);
	PGresult *res = NULL;
	rc = run_prepared(db, p, &res);
	if (rc == SQLITE_OK)
		rc = dbpg_outcome(db, res, p->is_commit);
	if (rc != SQLITE_OK || PQresultStatus(res) != PGRES_TUPLES_OK) {
		PQclear(res);
		return rc == SQLITE_OK ? SQLITE_DONE : rc;
	}
	p->res = res;
	p->rows = PQntuples(res);
	p->done = p->rows == 0;
	return p->done ? SQLITE_DONE : SQLITE_ROW;
}

int dbpg_step_deferred(struct db_stmt *st)
{
	struct dbpg_stmt *p = st->pg;
	struct db *db = st->db;
	/* A COMMIT's result decides (never deferred); outside a batch
	 * every statement waits. */
	if (!db->pg->piped || p->is_commit)
		return dbpg_step(st);
	drop_result(p);
	int rc = ready_to_send(db, p);
	if (rc != SQLITE_OK)
		return rc;
	return dbpg_pipe_owe(db, send_prepared(db, p));
}

/* --- columns ------------------------------------------------------------ */

/* Column i of the current row as the server sent it; NULL for NULL, and
 * when there is no such row or column (as SQLite reads them). */
static const char *raw_value(const struct dbpg_stmt *p, int i)
{
	if (!p->res || p->done || p->row >= p->rows || i < 0 || i >= PQnfields(p->res) ||
	    PQgetisnull(p->res, p->row, i))
		return NULL;
	return PQgetvalue(p->res, p->row, i);
}

static unsigned hex_digit(char c)
{
	return c >= 'a' ? (unsigned)(c - 'a' + 10)
	     : c >= 'A' ? (unsigned)(c - 'A' + 10) : (unsigned)(c - '0');
}

/* Decode v, the text of a bytea ("\x" and hex, or the older escape
 * format), into c. False out of memory. */
static bool decode_bytea(struct cell *c, const char *v, size_t n)
{
	if (n >= 2 && v[0] == '\\' && v[1] == 'x') {
		c->buf = malloc((n - 2) / 2 + 1);
		if (!c->buf)
			return false;
		for (size_t j = 2; j + 1 < n; j += 2)
			c->buf[c->len++] = (unsigned char)(hex_digit(v[j]) << 4 | hex_digit(v[j + 1]));
	} else {
		size_t len;
		unsigned char *u = PQunescapeBytea((const unsigned char *)v, &len);
		c->buf = u ? malloc(len + 1) : NULL;
		if (c->buf)
			memcpy(c->buf, u, len);
		PQfreemem(u);
		if (!c->buf)
			return false;
		c->len = len;
	}
	c->buf[c->len] = '\0';
	return c->ready = true;
}

/* Column i's bytes and their count: a bytea decoded (once a row), any
 * other type as its text. NULL for NULL, or out of memory (as SQLite). */
static const char *column_value(struct db_stmt *st, int i, size_t *len)
{
	struct dbpg_stmt *p = st->pg;
	const char *v = raw_value(p, i);
	*len = 0;
	if (!v)
		return NULL;
	if (PQftype(p->res, i) != DBPG_BYTEAOID) {
		*len = (size_t)PQgetlength(p->res, p->row, i);
		return v;
	}
	if (!p->cells)
		p->cells = calloc((size_t)PQnfields(p->res), sizeof *p->cells);
	struct cell *c = p->cells ? &p->cells[i] : NULL;
	if (c && !c->ready && !decode_bytea(c, v, (size_t)PQgetlength(p->res, p->row, i))) {
		free(c->buf);
		*c = (struct cell){ 0 };
		c = NULL;
	}
	if (!c) {
		dbpg_fail(st->db, SQLITE_NOMEM, "out of memory");
		return NULL;
	}
	*len = c->len;
	return (const char *)c->buf;
}

int64_t dbpg_column_int64(struct db_stmt *st, int i)
{
	size_t len;
	const char *v = column_value(st, i, &len);
	if (!v)
		return 0;
	if (PQftype(st->pg->res, i) == DBPG_BOOLOID)
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

const unsigned char *dbpg_column_text(struct db_stmt *st, int i)
{
	size_t len;
	/* NULL for NULL, as sqlite3_column_text(): the store tells a
	 * missing problem (NULL) from an empty one. */
	return (const unsigned char *)column_value(st, i, &len);
}

const void *dbpg_column_blob(struct db_stmt *st, int i)
{
	size_t len;
	return column_value(st, i, &len);
}

int dbpg_column_bytes(struct db_stmt *st, int i)
{
	size_t len;
	column_value(st, i, &len);
	return (int)len;
}

bool dbpg_column_is_null(struct db_stmt *st, int i)
{
	return raw_value(st->pg, i) == NULL;
}
