/*
 * db_pg_pipe.c - a batch's transaction in libpq's pipeline mode (issue
 * #15): from db_pipeline_begin() to the COMMIT or ROLLBACK that ends the
 * transaction, a statement the store marks deferred (db_step_deferred(),
 * db_exec_deferred()) is sent without waiting for its result; one that
 * needs its result is sent with a sync, and every result owed is read
 * first, in order. The first deferred statement that failed breaks the
 * batch: the server skips everything after it up to the sync, so nothing
 * more of the batch may run (only its COMMIT, which the server then
 * refuses, or its ROLLBACK), and its message is kept for the log.
 */
#include <stdio.h>
#include <string.h>

#include "db_pg_int.h"

void dbpg_pipe_enter(struct db *db)
{
	struct dbpg *pg = db->pg;
	pg->broken_rc = SQLITE_OK;
	pg->broken[0] = '\0';
	pg->owed = 0;
	if (pg->lost || pg->piped)
		return;
	dbpg_flush(db);   /* DEALLOCATE is synchronous: before, not inside */
	/* Not entered (a connection gone): statements run one by one, as
	 * outside batches, and find the loss themselves. */
	pg->piped = PQenterPipelineMode(pg->conn) == 1;
}

/* A send libpq refused: the socket failed (or, short of a programmer
 * error, memory did). Either way nothing after it can be trusted, a
 * COMMIT least of all: lost, as when the server closes. */
static int send_failed(struct db *db)
{
	struct dbpg *pg = db->pg;
	pg->lost = true;
	return dbpg_fail(db, SQLITE_IOERR, PQerrorMessage(pg->conn));
}

int dbpg_pipe_idle(struct db *db)
{
	if (!db->pg->committing)
		return SQLITE_OK;
	return dbpg_fail(db, SQLITE_MISUSE, "a COMMIT is in flight on this connection");
}

int dbpg_pipe_refused(struct db *db)
{
	struct dbpg *pg = db->pg;
	char msg[sizeof pg->broken + 64];
	snprintf(msg, sizeof msg, "an earlier write of the batch failed: %s", pg->broken);
	return dbpg_fail(db, pg->lost ? SQLITE_IOERR : SQLITE_ERROR, msg);
}

/* A deferred statement's result: the first failure breaks the batch. */
static void note_owed(struct db *db, const PGresult *res)
{
	struct dbpg *pg = db->pg;
	ExecStatusType s = PQresultStatus(res);
	if (pg->broken_rc != SQLITE_OK || s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return;
	int rc = dbpg_outcome(db, res, false);
	pg->broken_rc = rc == SQLITE_OK ? SQLITE_ERROR : rc;
	snprintf(pg->broken, sizeof pg->broken, "%s", pg->errmsg);
}

/* What reading up to a sync came to. */
enum pipe_read { PIPE_SYNCED, PIPE_AGAIN, PIPE_LOST };

/* Reading starts: the owed results come first, then, when want, the
 * result of the statement sent last. */
static void read_begin(struct dbpg *pg, bool want)
{
	pg->rq = 0;
	pg->rgot = false;
	pg->want = want;
	pg->mine = NULL;
}

static enum pipe_read read_lost(struct dbpg *pg)
{
	pg->lost = true;
	if (pg->broken_rc == SQLITE_OK) {
		pg->broken_rc = SQLITE_IOERR;
		snprintf(pg->broken, sizeof pg->broken, "the connection to PostgreSQL was lost");
	}
	return PIPE_LOST;
}

/*
 * Read results up to the sync's, waiting for them (block) or only as far
 * as libpq has them (PIPE_AGAIN then: call again when the socket is
 * readable, after PQconsumeInput()). PIPE_LOST when the connection went,
 * or libpq ended the stream before the sync (nothing it said can be
 * trusted then). A WARNING of a deferred statement read with a COMMIT's
 * answer counts as the COMMIT's (dbpg_outcome(): unknown): libpq handles
 * notices as they arrive, ahead of the results they follow, so they
 * cannot be told apart; the store's writes raise none.
 */
static enum pipe_read read_some(struct db *db, bool block)
{
	struct dbpg *pg = db->pg;
	for (;;) {
		if (!block && PQisBusy(pg->conn))
			return PIPE_AGAIN;
		PGresult *res = PQgetResult(pg->conn);
		if (!res) {
			if (!pg->rgot || PQstatus(pg->conn) != CONNECTION_OK)
				return read_lost(pg);
			pg->rq++;   /* the next statement's results */
			pg->rgot = false;
			continue;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			return PIPE_SYNCED;
		}
		pg->rgot = true;
		if (pg->rq < pg->owed)
			note_owed(db, res);
		if (pg->rq == pg->owed && pg->want && !pg->mine)
			pg->mine = res;
		else
			PQclear(res);
	}
}

/* Reading ended: nothing is owed, pipeline mode ends with the transaction
 * (COMMIT, ROLLBACK, or a BEGIN that failed), and the result wanted goes
 * to *mine (may be NULL) unless the batch is broken. */
static int read_end(struct db *db, enum pipe_read how, PGresult **mine)
{
	struct dbpg *pg = db->pg;
	pg->owed = 0;
	if (how == PIPE_SYNCED && PQtransactionStatus(pg->conn) == PQTRANS_IDLE &&
	    PQexitPipelineMode(pg->conn) == 1)
		pg->piped = false;
	PGresult *res = pg->mine;
	pg->mine = NULL;
	if (pg->broken_rc != SQLITE_OK) {
		PQclear(res);
		return dbpg_pipe_refused(db);
	}
	if (mine)
		*mine = res;
	else
		PQclear(res);
	return SQLITE_OK;
}

int dbpg_pipe_sync(struct db *db, PGresult **mine)
{
	struct dbpg *pg = db->pg;
	if (mine)
		*mine = NULL;
	read_begin(pg, mine != NULL);
	if (PQpipelineSync(pg->conn) != 1) {
		pg->owed = 0;
		return send_failed(db);
	}
	return read_end(db, read_some(db, true), mine);
}

void dbpg_pipe_settle(struct db *db)
{
	struct dbpg *pg = db->pg;
	if (pg->owed)
		dbpg_pipe_sync(db, NULL);
	if (!pg->lost)
		pg->broken_rc = SQLITE_OK;
}

int dbpg_pipe_wait(struct db *db, int sent, PGresult **res)
{
	*res = NULL;
	if (sent != 1)
		return send_failed(db);
	return dbpg_pipe_sync(db, res);
}

int dbpg_pipe_owe(struct db *db, int sent)
{
	struct dbpg *pg = db->pg;
	if (sent != 1)
		return send_failed(db);
	/* Results wait in the server's socket and in libpq: bounded, so a
	 * long import does not hold thousands. */
	if (++pg->owed >= DBPG_PIPE_MAX)
		return dbpg_pipe_sync(db, NULL) == SQLITE_OK ? SQLITE_DONE : db->last_rc;
	return SQLITE_DONE;
}

int dbpg_commit_send(struct db *db, bool *pending)
{
	struct dbpg *pg = db->pg;
	*pending = false;
	if (!pg->piped || pg->lost || pg->committing)
		return dbpg_exec(db, "COMMIT");
	dbpg_before_commit(db);
	if (PQsendQueryParams(pg->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 0) != 1)
		return send_failed(db);
	read_begin(pg, true);
	if (PQpipelineSync(pg->conn) != 1) {
		pg->owed = 0;
		return send_failed(db);
	}
	*pending = pg->committing = true;
	return SQLITE_OK;
}

int dbpg_commit_poll(struct db *db, bool *pending)
{
	struct dbpg *pg = db->pg;
	*pending = false;
	if (!pg->committing)
		return dbpg_fail(db, SQLITE_MISUSE, "no COMMIT is in flight");
	enum pipe_read how = PQconsumeInput(pg->conn) == 1 ? read_some(db, false)
	                                                  : read_lost(pg);
	*pending = how == PIPE_AGAIN;
	if (*pending)
		return SQLITE_OK;
	pg->committing = false;
	PGresult *res = NULL;
	int rc = read_end(db, how, &res);
	if (rc == SQLITE_OK)
		rc = dbpg_outcome(db, res, true);
	PQclear(res);
	return rc;
}

int dbpg_socket(struct db *db)
{
	return PQsocket(db->pg->conn);
}
