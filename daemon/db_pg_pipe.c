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

/*
 * Read results up to the sync's: the owed ones first, then the first
 * result of each of the nmine statements sent last, into mine[]. False
 * when the connection went, or libpq ended the stream before the sync
 * (then nothing it said can be trusted: lost). A WARNING of a deferred
 * statement read with a COMMIT's answer counts as the COMMIT's
 * (dbpg_outcome(): unknown): libpq handles notices as they arrive, ahead
 * of the results they follow, so they cannot be told apart; the store's
 * writes raise none.
 */
static bool read_to_sync(struct db *db, PGresult **mine, int nmine)
{
	struct dbpg *pg = db->pg;
	int q = 0;          /* the statement whose results come now */
	bool got = false;   /* it gave a result */
	for (;;) {
		PGresult *res = PQgetResult(pg->conn);
		if (!res) {
			if (!got || PQstatus(pg->conn) != CONNECTION_OK)
				break;
			q++;
			got = false;
			continue;
		}
		ExecStatusType s = PQresultStatus(res);
		if (s == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			return true;
		}
		got = true;
		if (q < pg->owed)
			note_owed(db, res);
		if (q >= pg->owed && q - pg->owed < nmine && !mine[q - pg->owed])
			mine[q - pg->owed] = res;
		else
			PQclear(res);
	}
	pg->lost = true;
	if (pg->broken_rc == SQLITE_OK) {
		pg->broken_rc = SQLITE_IOERR;
		snprintf(pg->broken, sizeof pg->broken, "the connection to PostgreSQL was lost");
	}
	return false;
}

int dbpg_pipe_sync(struct db *db, PGresult **mine, int nmine)
{
	struct dbpg *pg = db->pg;
	for (int i = 0; i < nmine; i++)
		mine[i] = NULL;
	if (PQpipelineSync(pg->conn) != 1) {
		pg->owed = 0;
		return send_failed(db);
	}
	bool synced = read_to_sync(db, mine, nmine);
	pg->owed = 0;
	/* The transaction ended (COMMIT, ROLLBACK, or a BEGIN that failed):
	 * so does pipeline mode, and statements are synchronous again. */
	if (synced && PQtransactionStatus(pg->conn) == PQTRANS_IDLE &&
	    PQexitPipelineMode(pg->conn) == 1)
		pg->piped = false;
	if (pg->broken_rc == SQLITE_OK)
		return SQLITE_OK;
	for (int i = 0; i < nmine; i++) {
		PQclear(mine[i]);
		mine[i] = NULL;
	}
	return dbpg_pipe_refused(db);
}

void dbpg_pipe_settle(struct db *db)
{
	struct dbpg *pg = db->pg;
	if (pg->owed)
		dbpg_pipe_sync(db, NULL, 0);
	if (!pg->lost)
		pg->broken_rc = SQLITE_OK;
}

int dbpg_pipe_wait(struct db *db, int sent, PGresult **res)
{
	*res = NULL;
	if (sent != 1)
		return send_failed(db);
	return dbpg_pipe_sync(db, res, 1);
}

int dbpg_pipe_owe(struct db *db, int sent)
{
	struct dbpg *pg = db->pg;
	if (sent != 1)
		return send_failed(db);
	/* Results wait in the server's socket and in libpq: bounded, so a
	 * long import does not hold thousands. */
	if (++pg->owed >= DBPG_PIPE_MAX)
		return dbpg_pipe_sync(db, NULL, 0) == SQLITE_OK ? SQLITE_DONE : db->last_rc;
	return SQLITE_DONE;
}
