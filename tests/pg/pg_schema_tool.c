/*
 * pg_schema_tool - the PostgreSQL schema for tests (issue #15).
 *   pg_schema_tool print        store_pg_ddl[], one statement a line
 *                               group, each ended by ';', for psql
 *   pg_schema_tool migrate URL  store_pg_migrate() on the database at URL;
 *                               exits with its code, the message on stderr
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "db.h"
#include "store_int.h"

extern const char *const store_pg_ddl[];

static int migrate(const char *url)
{
	struct db *db = NULL;
	char err[512] = "";
	int code = db_connect_pg(url, &db, err, sizeof err);
	if (!code)
		code = store_pg_migrate(db, err, sizeof err);
	if (code)
		fprintf(stderr, "pg_schema_tool: %s\n", err);
	db_close(db);
	return code;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "print")) {
		for (const char *const *sql = store_pg_ddl; *sql; sql++)
			printf("%s;\n", *sql);
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "migrate"))
		return migrate(argv[2]);
	fprintf(stderr, "usage: pg_schema_tool print | migrate URL\n");
	return EX_USAGE;
}
