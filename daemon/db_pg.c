/*
 * db_pg.c - the PostgreSQL connection of db.h over libpq: connecting,
 * running statements that return no rows, the advisory lock, and the one
 * mapping of server errors to the SQLite codes the store understands.
 * Statements are in db_pg_stmt.c, the dialect in db_pg_translate.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db_pg_int.h"

/* Copy msg into buf as one line (libpq's messages end in newlines and
 * may hold several). */
static void one_line(char *buf, size_t size, const char *msg)
{
	size_t n = 0;
	for (const char *p = msg ? msg : ""; *p && n + 1 < size; p++) {
		char c = *p == '\n' || *p == '\r' || *p == '\t' ? ' ' : *p;
		if (c == ' ' && (n == 0 || buf[n - 1] == ' '))
			continue;
		buf[n++] = c;
	}
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	if (size > 0)
		buf[n] = '\0';
}

int dbpg_fail(struct db *db, int rc, const char *msg)
{
	one_line(db->pg->errmsg, sizeof db->pg->errmsg, msg);
	db->last_rc = rc;
	return rc;
}

/* What a SQLSTATE (or its class: two characters) means to the store. */
static const struct {
	const char *state;
	int rc;
	bool lost;
} dbpg_states[] = {
	{ "23", SQLITE_CONSTRAINT, false },   /* integrity constraint violation */
	{ "40001", SQLITE_BUSY, false },      /* serialization failure */
	{ "40P01", SQLITE_BUSY, false },      /* deadlock detected */
	{ "55P03", SQLITE_BUSY, false },      /* lock not available */
	{ "08", SQLITE_IOERR, true },         /* connection exception */
	{ "57P01", SQLITE_IOERR, true },      /* admin shutdown */
	{ "57P02", SQLITE_IOERR, true },      /* crash shutdown */
	{ "57P03", SQLITE_IOERR, true },      /* cannot connect now */
	{ "25P02", SQLITE_ERROR, false },     /* in failed transaction */
};

static int rc_of_state(const char *state, bool *lost)
{
	for (size_t i = 0; state && i < sizeof dbpg_states / sizeof dbpg_states[0]; i++) {
		size_t n = strlen(dbpg_states[i].state);
		if (strncmp(state, dbpg_states[i].state, n) == 0 && (n == 5 || strlen(state) == 5)) {
			*lost = dbpg_states[i].lost;
			return dbpg_states[i].rc;
		}
	}
	*lost = false;
	return SQLITE_ERROR;
}

/* The error of a failed call (res NULL or not a success), mapped. */
static int dbpg_error(struct db *db, const PGresult *res)
{
	struct dbpg *pg = db->pg;
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	/* The primary message only, as short as SQLite's: the DETAIL of a
	 * constraint quotes the row's values, which are no log's business. */
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	if (!msg || !*msg)
		msg = PQerrorMessage(pg->conn);
	bool lost;
	int rc = rc_of_state(state, &lost);
	if (PQstatus(pg->conn) != CONNECTION_OK ||
	    PQtransactionStatus(pg->conn) == PQTRANS_UNKNOWN) {
		rc = SQLITE_IOERR;
		lost = true;
	} else if (!res) {
		rc = SQLITE_NOMEM;   /* libpq returns no result only out of memory */
		msg = "out of memory";
	} else if (PQresultStatus(res) != PGRES_FATAL_ERROR && !state) {
		msg = "unexpected result (COPY is not supported)";
	}
	pg->lost = pg->lost || lost;
	return dbpg_fail(db, rc, msg);
}

static void note_changes(struct db *db, const PGresult *res)
{
	static const char *const writes[] = { "INSERT ", "UPDATE ", "DELETE ", "MERGE " };
	const char *status = PQcmdStatus((PGresult *)res);
	for (size_t i = 0; status && i < sizeof writes / sizeof writes[0]; i++)
		if (strncmp(status, writes[i], strlen(writes[i])) == 0)
			db->changes = atoi(PQcmdTuples((PGresult *)res));
}

int dbpg_outcome(struct db *db, const PGresult *res, bool is_commit)
{
	ExecStatusType s = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY) {
		/* COMMIT of a transaction that had failed: the server rolls it
		 * back and says so in the command tag only. */
		if (is_commit && strcmp(PQcmdStatus((PGresult *)res), "ROLLBACK") == 0)
			return dbpg_fail(db, SQLITE_ERROR, "COMMIT rolled back: the"
			                 " transaction had failed before it");
		/* Committed on this server, perhaps not on the synchronous
		 * standby that a failover would promote: unknown, and this
		 * session cannot be trusted with the next one. */
		if (is_commit && db->pg->warned) {
			db->pg->lost = true;
			return dbpg_fail(db, SQLITE_IOERR, "COMMIT stopped waiting for the"
			                 " synchronous standby: committed here, perhaps not"
			                 " replicated");
		}
		note_changes(db, res);
		return dbpg_fail(db, SQLITE_OK, "not an error");
	}
	int rc = dbpg_error(db, res);
	/* Whatever went wrong, the store cannot know whether it committed. */
	return is_commit ? (db->last_rc = SQLITE_IOERR) : rc;
}

void dbpg_before_commit(struct db *db)
{
	db->pg->warned = false;
}

/* libpq's notices: a WARNING is remembered (struct dbpg's warned); none
 * goes to stderr, which is the journal's. */
static void dbpg_notice(void *arg, const PGresult *res)
{
	struct dbpg *pg = arg;
	const char *sev = PQresultErrorField(res, PG_DIAG_SEVERITY_NONLOCALIZED);
	if (sev && strcmp(sev, "WARNING") == 0)
		pg->warned = true;
}

/*
 * The session's own settings, after connecting: the server notices a
 * holder that vanished without closing (power cut, network cut) in
 * seconds, so its advisory lock is free for a standby (PROTOCOL.md 6.6),
 * not in the kernel's two hours (no effect over a unix socket); x''
 * means what the store means by it. 0, or EX_TEMPFAIL with err set when
 * the server is a read-only replica (the URL lacked
 * target_session_attrs=read-write, or named one host that is now a
 * standby): a wait, as for a held lock. EX_CONFIG when the database is
 * not UTF8, which the store's names need.
 */
static int dbpg_session(struct dbpg *pg, char *err, size_t errsz)
{
	PGresult *res = PQexec(pg->conn, "SET tcp_keepalives_idle = 10;"
	                       " SET tcp_keepalives_interval = 5;"
	                       " SET tcp_keepalives_count = 3; SET tcp_user_timeout = 30000;"
	                       " SET standard_conforming_strings = on");
	bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	res = ok ? PQexec(pg->conn, "SELECT pg_is_in_recovery(),"
	                  " current_setting('server_encoding')") : NULL;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		snprintf(err, errsz, "PostgreSQL: %s", PQerrorMessage(pg->conn));
		one_line(err, errsz, err);
		PQclear(res);
		return EX_TEMPFAIL;
	}
	int code = 0;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0) {
		snprintf(err, errsz, "the server is a read-only standby (add "
		         "target_session_attrs=read-write and every host to [store] url)");
		code = EX_TEMPFAIL;
	} else if (strcmp(PQgetvalue(res, 0, 1), "UTF8") != 0) {
		snprintf(err, errsz, "the database's encoding is %s; expertd needs UTF8 "
		         "(CREATE DATABASE ... ENCODING 'UTF8')", PQgetvalue(res, 0, 1));
		code = EX_CONFIG;
	}
	PQclear(res);
	return code;
}

void dbpg_name(char buf[DBPG_NAME_MAX], uint64_t n)
{
	snprintf(buf, DBPG_NAME_MAX, "expertd_%" PRIu64, n);
}

void dbpg_flush(struct db *db)
{
	struct dbpg *pg = db->pg;
	if (pg->n_zombies == 0 || pg->lost || pg->piped ||
	    PQtransactionStatus(pg->conn) != PQTRANS_IDLE)
		return;
	for (size_t i = 0; i < pg->n_zombies; i++) {
		char name[DBPG_NAME_MAX], sql[DBPG_NAME_MAX + 16];
		dbpg_name(name, pg->zombies[i]);
		snprintf(sql, sizeof sql, "DEALLOCATE %s", name);
		/* A failure leaves the statement until the session ends; the
		 * session goes on: nothing else to do. */
		PQclear(PQexec(pg->conn, sql));
	}
	pg->n_zombies = 0;
}

void dbpg_forget(struct db *db, uint64_t n)
{
	struct dbpg *pg = db->pg;
	if (pg->lost)
		return;   /* gone with the session */
	if (pg->n_zombies == pg->zombies_cap) {
		size_t cap = pg->zombies_cap ? 2 * pg->zombies_cap : 16;
		uint64_t *z = realloc(pg->zombies, cap * sizeof *z);
		if (!z)
			return;   /* leaks on the server until the session ends */
		pg->zombies = z;
		pg->zombies_cap = cap;
	}
	pg->zombies[pg->n_zombies++] = n;
	dbpg_flush(db);
}

int dbpg_connect(struct db *db, const char *url, char *err, size_t errsz)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(url, &why);
	if (!opts) {
		snprintf(err, errsz, "store url: %s", why ? why : "out of memory");
		int rc = why ? EX_CONFIG : EX_OSERR;
		PQfreemem(why);
		one_line(err, errsz, err);
		return rc;
	}
	PQconninfoFree(opts);
	struct dbpg *pg = calloc(1, sizeof *pg);
	if (!pg) {
		snprintf(err, errsz, "out of memory");
		return EX_OSERR;
	}
	/* Defaults the URL may override: libpq takes the last value of a
	 * key, and the URL (dbname, expanded) comes last. A server that
	 * stops answering (a host cut off, not one that closes) must turn
	 * into a lost connection in seconds, not in the kernel's two hours
	 * of keepalive: then the daemon exits and a standby takes over. */
	static const char *const keys[] = { "fallback_application_name",
		"client_encoding", "connect_timeout", "keepalives_idle",
		"keepalives_interval", "keepalives_count", "tcp_user_timeout",
		"dbname", "target_session_attrs", NULL };
	/* After the URL, so it always holds: the store writes, and a
	 * replica would take the advisory lock and serve stale reads. */
	const char *values[] = { "expertd", "UTF8", "10", "10", "5", "3", "30000",
		url, "read-write", NULL };
	pg->conn = PQconnectdbParams(keys, values, 1);
	if (!pg->conn || PQstatus(pg->conn) != CONNECTION_OK) {
		snprintf(err, errsz, "PostgreSQL: %s",
		         pg->conn ? PQerrorMessage(pg->conn) : "out of memory");
		one_line(err, errsz, err);
		int rc = pg->conn ? EX_UNAVAILABLE : EX_OSERR;
		PQfinish(pg->conn);
		free(pg);
		return rc;
	}
	PQsetNoticeReceiver(pg->conn, dbpg_notice, pg);
	int code = dbpg_session(pg, err, errsz);
	if (code) {
		PQfinish(pg->conn);
		free(pg);
		return code;
	}
	db->pg = pg;
	dbpg_fail(db, SQLITE_OK, "not an error");
	return 0;
}

void dbpg_close(struct db *db)
{
	/* Server statements die with the session. */
	PQclear(db->pg->mine);   /* a read the session ended in */
	PQfinish(db->pg->conn);
	free(db->pg->zombies);
	free(db->pg);
	db->pg = NULL;
}

/* The text of sql, translated, into *text; SQLITE_OK or the error (the
 * connection lost, out of memory). */
static int exec_text(struct db *db, const char *sql, char **text)
{
	*text = NULL;
	if (dbpg_pipe_idle(db) != SQLITE_OK)
		return db->last_rc;
	if (db->pg->lost)
		return dbpg_fail(db, SQLITE_IOERR, "the connection to PostgreSQL was lost");
	*text = dbpg_translate(sql, NULL);
	return *text ? SQLITE_OK : dbpg_fail(db, SQLITE_NOMEM, "out of memory");
}

/* One statement (pipeline mode takes no more) through the extended
 * protocol, with no parameters. */
static int send_text(struct dbpg *pg, const char *text)
{
	return PQsendQueryParams(pg->conn, text, 0, NULL, NULL, NULL, NULL, 0);
}

int dbpg_exec(struct db *db, const char *sql)
{
	struct dbpg *pg = db->pg;
	char *text;
	int rc = exec_text(db, sql, &text);
	if (rc != SQLITE_OK)
		return rc;
	bool commit = dbpg_is_commit(text);
	PGresult *res = NULL;
	if (pg->piped && dbpg_is_rollback(text))
		dbpg_pipe_settle(db);
	if (!pg->piped) {
		dbpg_flush(db);
		if (commit)
			dbpg_before_commit(db);
		res = PQexec(pg->conn, text);
	} else if (pg->broken_rc != SQLITE_OK && !commit) {
		rc = dbpg_pipe_refused(db);
	} else {
		if (commit)
			dbpg_before_commit(db);
		rc = dbpg_pipe_wait(db, send_text(pg, text), &res);
	}
	free(text);
	if (rc == SQLITE_OK)
		rc = dbpg_outcome(db, res, commit);
	PQclear(res);
	return rc;
}

int dbpg_exec_deferred(struct db *db, const char *sql)
{
	struct dbpg *pg = db->pg;
	if (!pg->piped)
		return dbpg_exec(db, sql);
	if (pg->broken_rc != SQLITE_OK)
		return dbpg_pipe_refused(db);
	char *text;
	int rc = exec_text(db, sql, &text);
	if (rc != SQLITE_OK)
		return rc;
	/* A COMMIT's result decides; it is never deferred. */
	rc = dbpg_is_commit(text) ? dbpg_exec(db, sql)
	                          : dbpg_pipe_owe(db, send_text(pg, text));
	free(text);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

bool dbpg_in_transaction(struct db *db)
{
	return PQtransactionStatus(db->pg->conn) != PQTRANS_IDLE;
}

bool dbpg_in_failed_transaction(struct db *db)
{
	struct dbpg *pg = db->pg;
	return (pg->piped && pg->broken_rc != SQLITE_OK) ||
	       PQtransactionStatus(pg->conn) == PQTRANS_INERROR;
}

const char *dbpg_errmsg(struct db *db)
{
	return db->pg->errmsg;
}

bool dbpg_lost(struct db *db)
{
	struct dbpg *pg = db->pg;
	pg->lost = pg->lost || PQstatus(pg->conn) != CONNECTION_OK;
	return pg->lost;
}

int dbpg_try_lock(struct db *db, int64_t key, char *err, size_t errsz)
{
	struct dbpg *pg = db->pg;
	if (pg->lost) {
		snprintf(err, errsz, "the connection to PostgreSQL was lost");
		return -1;
	}
	char v[24];
	snprintf(v, sizeof v, "%" PRId64, key);
	const char *values[] = { v };
	const Oid types[] = { DBPG_INT8OID };
	PGresult *res = PQexecParams(pg->conn, "SELECT pg_try_advisory_lock($1)", 1,
	                             types, values, NULL, NULL, 0);
	int taken = -1;
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	    PQnfields(res) == 1)
		taken = PQgetvalue(res, 0, 0)[0] == 't';
	else
		snprintf(err, errsz, "advisory lock: %s",
		         (dbpg_error(db, res), pg->errmsg));
	PQclear(res);
	return taken;
}
