/*
 * store_pg.c - opening the store on PostgreSQL (issue #15). Everything
 * after the open is store*.c through db.h, as on SQLite; what differs is
 * here: the connection, the one-writer lock and the schema's creation.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "log.h"
#include "store_int.h"

/* The one-writer lock: a session advisory lock, in the key space of the
 * database the URL names, so one cluster can hold several pools. The
 * key is "expertd" in ASCII. */
#define STORE_PG_LOCK_KEY INT64_C(0x0065787065727464)

/* url without a password, for logs and errors: "postgresql://u:pw@h/db"
 * becomes "postgresql://u@h/db"; a key=value "password=..." is cut. */
static void store_url_redacted(const char *url, char *buf, size_t size)
{
	snprintf(buf, size, "%s", url);
	char *at = strchr(buf, '@');
	char *scheme = strstr(buf, "://");
	if (at && scheme) {
		char *colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3));
		if (colon)
			memmove(colon, at, strlen(at) + 1);
	}
	char *pw = strstr(buf, "password=");
	if (pw)
		*pw = '\0';
}

static int store_pg_lock(struct store *s, const char *shown, char *err, size_t errsz)
{
	char why[256];
	int got = db_pg_try_lock(s->db, STORE_PG_LOCK_KEY, why, sizeof why);
	if (got == 1)
		return 0;
	if (got == 0)
		snprintf(err, errsz, "database %s is in use by another expertd (it holds "
		         "PostgreSQL advisory lock %lld)", shown,
		         (long long)STORE_PG_LOCK_KEY);
	else
		snprintf(err, errsz, "cannot take the lock of database %s: %s", shown, why);
	return got == 0 ? EX_TEMPFAIL : EX_IOERR;
}

int store_open_url(const char *url, struct store **out, char *err, size_t errsz)
{
	char shown[512];
	store_url_redacted(url, shown, sizeof shown);
	struct store *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return EX_OSERR;
	}
	s->lock_fd = -1;
	char why[512];
	int code = db_connect_pg(url, &s->db, why, sizeof why);
	if (code) {
		snprintf(err, errsz, "cannot reach a writable PostgreSQL at %s: %s", shown,
		         why);
		free(s);
		/* A cluster between primaries is a wait, as a lock held is. */
		return code == EX_UNAVAILABLE ? EX_TEMPFAIL : code;
	}
	code = store_pg_lock(s, shown, err, errsz);
	if (!code)
		code = store_pg_migrate(s->db, err, errsz);
	if (!code)
		code = store_catalog_seed(s, err, errsz);
	if (code) {
		store_close(&s);
		return code;
	}
	log_info("store: PostgreSQL %s, holding the one-writer lock", shown);
	*out = s;
	return 0;
}

bool store_lost(struct store *s)
{
	return s && db_lost(s->db);
}

void store_probe(struct store *s)
{
	if (s && db_engine(s->db) == DB_POSTGRES && !db_in_transaction(s->db))
		db_exec(s->db, "SELECT 1");
}
