/*
 * test_db_pg_translate.c - the store's SQLite dialect as PostgreSQL reads
 * it (db_pg_translate(), db.h): each rewrite, what it must leave alone
 * (literals, quoted names, comments, longer words), and every statement
 * of STORE_STATEMENTS free of the SQLite-only forms. Pure: no server.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "db.h"
#include "store_int.h"

static void expect(const char *sqlite, const char *pg)
{
	char *got = db_pg_translate(sqlite);
	assert_non_null(got);
	assert_string_equal(got, pg);
	free(got);
}

static void test_params(void **state)
{
	(void)state;
	expect("SELECT a FROM t WHERE x = ?1 AND y = ?12",
	       "SELECT a FROM t WHERE x = $1 AND y = $12");
	/* out of order and repeated, as STMT_EXPERT_INSERT numbers them */
	expect("VALUES (?35, ?1, ?35)", "VALUES ($35, $1, $35)");
	/* a bare ? takes the number after the highest so far, as in SQLite */
	expect("VALUES (?, ?, ?5, ?)", "VALUES ($1, $2, $5, $6)");
}

static void test_literals_left_alone(void **state)
{
	(void)state;
	expect("SELECT '?1', \"?2\" FROM t WHERE a = ?3 AND b = 'it''s ?4 instr(x'''",
	       "SELECT '?1', \"?2\" FROM t WHERE a = $3 AND b = 'it''s ?4 instr(x'''");
	expect("SELECT 1 -- ?1 instr(\nFROM t /* INDEXED BY i ?2 */ WHERE a = ?3",
	       "SELECT 1 -- ?1 instr(\nFROM t /* INDEXED BY i ?2 */ WHERE a = $3");
	/* words that only begin like a rewritten one */
	expect("SELECT instr_count, begin_day, indexed FROM tx",
	       "SELECT instr_count, begin_day, indexed FROM tx");
}

static void test_indexed_by(void **state)
{
	(void)state;
	expect("SELECT line FROM import_rows INDEXED BY import_rows_by_resident"
	       " WHERE import_id = ?1",
	       "SELECT line FROM import_rows WHERE import_id = $1");
	expect("SELECT 1 FROM a indexed  by \"Odd Name\" WHERE b",
	       "SELECT 1 FROM a WHERE b");
}

static void test_functions(void **state)
{
	(void)state;
	expect("SELECT 1 WHERE instr(n.match, ?1) > 0 AND INSTR (a, 'b')",
	       "SELECT 1 WHERE strpos(n.match, $1) > 0 AND strpos (a, 'b')");
	expect("SELECT ifnull(a, 0), ifnull FROM t", "SELECT coalesce(a, 0), ifnull FROM t");
	/* PostgreSQL's grammar reads trim(x, '|') as btrim(x, '|'): kept */
	expect("SET orgs = trim(replace(o, '|' || ?1, ''), '|')",
	       "SET orgs = trim(replace(o, '|' || $1, ''), '|')");
}

static void test_blob_literals(void **state)
{
	(void)state;
	expect("UPDATE import_rows SET resident_id = x'', row = x'' WHERE import_id = ?1",
	       "UPDATE import_rows SET resident_id = '\\x'::bytea, row = '\\x'::bytea"
	       " WHERE import_id = $1");
	expect("SELECT X'00fF'", "SELECT '\\x00fF'::bytea");
	expect("SELECT tax'1'", "SELECT tax'1'");
}

static void test_transactions_and_pragmas(void **state)
{
	(void)state;
	expect("BEGIN IMMEDIATE", "BEGIN");
	expect("begin deferred", "BEGIN");
	expect("BEGIN EXCLUSIVE TRANSACTION", "BEGIN TRANSACTION");
	expect("BEGIN", "BEGIN");
	expect("SAVEPOINT request", "SAVEPOINT request");
	expect("PRAGMA user_version", "SELECT version FROM expertd_schema");
	expect("PRAGMA user_version = 16", "UPDATE expertd_schema SET version = 16");
	expect("PRAGMA query_only=ON", "SET default_transaction_read_only = on");
	expect("PRAGMA query_only = 0", "SET default_transaction_read_only = off");
	/* the file's own settings mean nothing on a server: left to fail */
	expect("PRAGMA secure_delete = ON", "PRAGMA secure_delete = ON");
}

static void test_insert_or_ignore(void **state)
{
	(void)state;
	expect("INSERT OR IGNORE INTO org_names(match, org, name) VALUES (?1, ?2, ?3)",
	       "INSERT INTO org_names(match, org, name) VALUES ($1, $2, $3)"
	       " ON CONFLICT DO NOTHING");
	expect("INSERT OR IGNORE INTO a SELECT x FROM b; INSERT INTO c VALUES (1);"
	       " insert or ignore into d VALUES ('a;b') ;",
	       "INSERT INTO a SELECT x FROM b ON CONFLICT DO NOTHING; INSERT INTO c"
	       " VALUES (1); INSERT into d VALUES ('a;b') ON CONFLICT DO NOTHING;");
}

static void test_subquery_alias(void **state)
{
	(void)state;
	/* STMT_REQUEST_PRUNE: PostgreSQL 15 wants a name for the inner one */
	expect("DELETE FROM requests WHERE id IN (SELECT id FROM"
	       " (SELECT id, at FROM requests ORDER BY id LIMIT ?2) WHERE at < ?1)",
	       "DELETE FROM requests WHERE id IN (SELECT id FROM"
	       " (SELECT id, at FROM requests ORDER BY id LIMIT $2) AS dbpg_sub1"
	       " WHERE at < $1)");
	expect("SELECT * FROM (SELECT 1) AS s, (SELECT 2) t JOIN (VALUES (3)) ON true",
	       "SELECT * FROM (SELECT 1) AS s, (SELECT 2) t JOIN (VALUES (3)) AS dbpg_sub1"
	       " ON true");
	expect("SELECT * FROM (SELECT 1)", "SELECT * FROM (SELECT 1) AS dbpg_sub1");
	/* a parenthesised expression is no subquery */
	expect("SELECT (a) FROM t WHERE (b)", "SELECT (a) FROM t WHERE (b)");
}

/* No statement the store runs keeps a form PostgreSQL does not read. */
static void test_store_statements(void **state)
{
	(void)state;
	static const char *const sql[] = {
#define X(id, text) text,
		STORE_STATEMENTS(X)
#undef X
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		char *pg = db_pg_translate(sql[i]);
		assert_non_null(pg);
		/* outside literals: the store's literals hold none of these */
		for (const char *p = pg; *p; p++) {
			if (*p == '\'') {
				p = strchr(p + 1, '\'');
				assert_non_null(p);
				continue;
			}
			if (*p == '?' || strncmp(p, "INDEXED BY", 10) == 0 ||
			    strncmp(p, "instr(", 6) == 0 || strncmp(p, "x''", 3) == 0 ||
			    strncmp(p, "PRAGMA", 6) == 0 || strncmp(p, "IMMEDIATE", 9) == 0 ||
			    strncmp(p, "DEFERRED", 8) == 0)
				fail_msg("statement %zu keeps SQLite at \"%.20s\": %s", i, p, pg);
		}
		free(pg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_literals_left_alone),
		cmocka_unit_test(test_indexed_by),
		cmocka_unit_test(test_functions),
		cmocka_unit_test(test_blob_literals),
		cmocka_unit_test(test_transactions_and_pragmas),
		cmocka_unit_test(test_insert_or_ignore),
		cmocka_unit_test(test_subquery_alias),
		cmocka_unit_test(test_store_statements),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
