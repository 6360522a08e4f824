/*
 * db_pq_shim.c - just enough of db.h's PostgreSQL half, over libpq, for
 * pg_schema_tool to run store_pg_migrate() against a real server before
 * daemon/db_pg.c is merged (issue #15). Statements run whole through
 * PQexec, without parameters (store_pg_migrate binds none); nothing here
 * translates, so the tool also shows that the schema's SQL needs none.
 * Once db_pg.c is in the tree, link it instead and delete this file.
 */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db.h"

struct db {
	PGconn *conn;
	char err[512];
	int code;
};

struct db_stmt {
	struct db *db;
	char *sql;
	PGresult *res;
	int row;
};

int db_connect_pg(const char *url, struct db **out, char *err, size_t errsz)
{
	struct db *db = calloc(1, sizeof *db);
	if (!db) {
		snprintf(err, errsz, "out of memory");
		return EX_OSERR;
	}
	db->conn = PQconnectdb(url);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		snprintf(err, errsz, "%s", PQerrorMessage(db->conn));
		db_close(db);
		return EX_UNAVAILABLE;
	}
	*out = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	PQfinish(db->conn);
	free(db);
}

/* A result's code as db.h reports it; the message kept. */
static int shim_result(struct db *db, PGresult *res)
{
	ExecStatusType s = PQresultStatus(res);
	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK)
		return db->code = SQLITE_OK;
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	snprintf(db->err, sizeof db->err, "%s", PQresultErrorMessage(res));
	db->err[strcspn(db->err, "\n")] = '\0';
	if (PQstatus(db->conn) == CONNECTION_BAD)
		return db->code = SQLITE_IOERR;
	return db->code = state && !strncmp(state, "23", 2) ? SQLITE_CONSTRAINT
	                                                   : SQLITE_ERROR;
}

int db_exec(struct db *db, const char *sql)
{
	PGresult *res = PQexec(db->conn, sql);
	int rc = shim_result(db, res);
	PQclear(res);
	return rc;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out)
{
	*out = calloc(1, sizeof **out);
	if (!*out || !((*out)->sql = strdup(sql))) {
		free(*out);
		*out = NULL;
		return SQLITE_NOMEM;
	}
	(*out)->db = db;
	return SQLITE_OK;
}

void db_finalize(struct db_stmt *st)
{
	if (!st)
		return;
	PQclear(st->res);
	free(st->sql);
	free(st);
}

int db_step(struct db_stmt *st)
{
	if (!st->res) {
		st->res = PQexec(st->db->conn, st->sql);
		st->row = -1;
		int rc = shim_result(st->db, st->res);
		if (rc != SQLITE_OK)
			return rc;
	}
	return ++st->row < PQntuples(st->res) ? SQLITE_ROW : SQLITE_DONE;
}

const unsigned char *db_column_text(struct db_stmt *st, int i)
{
	return (const unsigned char *)PQgetvalue(st->res, st->row, i);
}

int64_t db_column_int64(struct db_stmt *st, int i)
{
	return strtoll(PQgetvalue(st->res, st->row, i), NULL, 10);
}

const char *db_errmsg(struct db *db)
{
	return db->err;
}

bool db_lost(struct db *db)
{
	return PQstatus(db->conn) == CONNECTION_BAD;
}
