"""The PostgreSQL schema (daemon/store_pg_schema.c, issue #15) against the
SQLite one a real expertd makes: every table and column in the same order,
the same keys, foreign keys, indexes and defaults; each trigger refusing
what its SQLite twin refuses, with the same message; store_pg_migrate()
creating the schema once, leaving it alone at 15, and refusing another
application's database and a newer schema.

Runs on a throw-away PostgreSQL (tests/pgtmp.py); PG_SCHEMA_TOOL is
tests/pg/pg_schema_tool, which prints store_pg_ddl[] and runs
store_pg_migrate() (through a libpq shim of db.h until db_pg.c is merged).
"""
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import shutil
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import pgtmp  # noqa: E402

import harness  # noqa: E402

TOOL = os.environ.get("PG_SCHEMA_TOOL", "")
EX_DATAERR = 65
LOCK_KEY = 8678546928694748525   # STORE_PG_SCHEMA_LOCK

# Declared TEXT on SQLite, filled only with blobs by the store (sealed
# personal data, pii.h; a staged row's blind index): BYTEA on PostgreSQL.
SEALED_TEXT = {("experts", "resident_id"), ("experts", "phone"),
               ("experts", "email"), ("import_rows", "resident_id")}
# Tables whose inserts leave the id to the database (a rowid alias).
IDENTITY = {"requests", "expert_events", "org_names", "assignment_events", "ledger"}
PG_TYPE = {"INTEGER": "bigint", "TEXT": "text", "BLOB": "bytea"}

# One row in every table, so that each trigger has something to refuse.
FIXTURE = r"""
INSERT INTO terms VALUES (1, 0, 1000, 0, 'ops');
INSERT INTO experts(id, resident_id, name, sex, phone, birth_day, employer,
  employer_code, recommender_code, specialties, group_types, task_types, title,
  qualification, assess_years, training_years, relaxations, leader, position,
  email, status, suspended_until, term, created_at, updated_at, joined_term)
  VALUES (1, '\x01', 'n', 1, '\x02', 0, 'e', 'E1', 'R1', 's', 1, 1, 1, 1, 1, 1,
  0, 0, 'p', '\x03', 0, 0, 1, 0, 0, 1);
INSERT INTO expert_events(expert_id, at, actor, event, reason, until_day, detail)
  VALUES (1, 0, 'ops', 'add', '', 0, '');
INSERT INTO conflicts VALUES (1, 1, 'E1', 0, 0, 10, 'r', 0, 'ops');
INSERT INTO imports(id, principal, skip_invalid, state, created_at, finished_at)
  VALUES (1, 'ops', 0, 0, 0, 0);
INSERT INTO import_rows VALUES (1, 1, '\x04', '\x05', NULL, NULL);
INSERT INTO tasks(id, bureau, created_by, kind, subject, specialty, group_type,
  members, leader, backups, orgs, start_at, end_at, district, exclude, note, nonce,
  state, created_at) VALUES (1, 'b', 'ops', 0, 0, 's', 1, 1, 0, 0, '', 0, 1, '',
  '', '', '\x06', 0, 0);
INSERT INTO draws VALUES (1, 1, 'draw', 1, 1, 'ops', 0);
INSERT INTO assignments(id, task_id, expert_id, draw_id, role, seat, state,
  created_at, updated_at, token_hash) VALUES (1, 1, 1, 1, 0, 0, 0, 0, 0, '\x07');
INSERT INTO audit VALUES (1, 0, 't', '\x08', '\x09', '\x0a');
INSERT INTO assignment_events(assignment_id, task_id, at, actor, channel, event,
  to_state, reason, note) VALUES (1, 1, 0, 'ops', 0, 'offer', 0, '', '');
INSERT INTO ledger(expert_id, at, kind, assignment_id, task_id, reason)
  VALUES (1, 0, 0, 1, 1, '');
INSERT INTO requests(principal, request_id, op, body_hash, reply, at)
  VALUES ('ops', 'r1', 'ping', '\x0b', '\x0c', 0);
INSERT INTO orgs VALUES (1, 'E1', 'e', 'E1', 1, 0, 0);
INSERT INTO org_names(match, org, name) VALUES ('e', 1, 'e');
INSERT INTO occupations VALUES (1, 'o', '', 1, 0, '');
INSERT INTO occupation_aliases VALUES (1, 1, 'a');
INSERT INTO unavailability(id, expert_id, from_day, to_day, reason, channel,
  created_at, created_by) VALUES (1, 1, 10, 20, 'r', 'c', 0, 'ops');
INSERT INTO task_quotas VALUES (1, 0, 's', 1, 1, 0);
INSERT INTO spent_tokens VALUES ('\x0d', 1, 'replaced');
INSERT INTO appointments VALUES (1, -1, '', 0, '', '', 0, '', '', 0);
INSERT INTO expert_forms VALUES (1, '', '', '', '', '', '', '\x0e', '', '\x0f',
  '', '', '');
INSERT INTO ledger_withdrawn VALUES (1, 0, 'ops');
"""


def sqlite_triggers(db):
    """(name, table, 'DELETE'|'UPDATE', columns or None, message) of each
    RAISE(ABORT) trigger of the SQLite schema."""
    out = []
    for name, table, sql in db.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"):
        m = re.search(r"RAISE\(ABORT, '([^']*)'\)", sql)
        if not m:
            continue
        ev = re.search(r"BEFORE (DELETE|UPDATE)(?: OF (.*?) ON)?", sql, re.S)
        cols = [c.strip() for c in ev.group(2).split(",")] if ev.group(2) else None
        out.append((name, table, ev.group(1), cols, m.group(1)))
    return out


@unittest.skipUnless(pgtmp.available() and TOOL, "needs PostgreSQL 15 and PG_SCHEMA_TOOL")
class PgSchemaTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.pg = pgtmp.Cluster().start()
        cls.addClassCleanup(cls.pg.stop)
        cls.ddl = subprocess.run([TOOL, "print"], capture_output=True, text=True,
                                 check=True).stdout
        # The SQLite schema as a real expertd leaves it (catalog seeded).
        cls.sqdir = tempfile.mkdtemp(prefix="expertd-test-")
        cls.addClassCleanup(shutil.rmtree, cls.sqdir, True)
        d = harness.Daemon(cls.sqdir).start()
        assert d.stop() == 0
        cls.sq = sqlite3.connect(d.db)
        cls.addClassCleanup(cls.sq.close)

    def fresh(self, load=True):
        """A new database, the DDL loaded into it unless load is false."""
        name = "t%d" % int(time.monotonic_ns())
        self.pg.create_database(name)
        if load:
            self.pg.psql(self.ddl, name)
        return name

    def psql_fails(self, db, sql):
        """Run sql, which must fail; its error line ("ERROR:  SQLSTATE: msg")."""
        r = self.pg.psql("\\set VERBOSITY verbose\n" + sql, db, check=False)
        self.assertNotEqual(r.returncode, 0, "accepted: " + sql)
        return [e for e in r.stderr.splitlines() if e.startswith("ERROR:")][0]

    def test_statements_need_no_translation(self):
        # db_pg_translate() rewrites these; the schema must hold none.
        for bad in ("?", "x'", "instr(", "INDEXED BY", "IMMEDIATE", "DEFERRED"):
            self.assertNotIn(bad, self.ddl)

    def test_tables_and_columns_match_sqlite(self):
        db = self.fresh()
        tables = [r[0] for r in self.sq.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        pg_tables = self.pg.psql("SELECT table_name FROM information_schema.tables"
                                 " WHERE table_schema = 'public' ORDER BY 1", db).split()
        self.assertEqual(sorted(tables + ["expertd_schema"]), pg_tables)
        for t in tables:
            want = []
            for _, name, typ, notnull, dflt, pk in self.sq.execute(
                    "PRAGMA table_info(%s)" % t):
                typ = "bytea" if (t, name) in SEALED_TEXT else PG_TYPE[typ]
                nullable = "NO" if (notnull or pk) else "YES"
                ident = "YES" if pk and name == "id" and t in IDENTITY else "NO"
                want.append("%s|%s|%s|%s|%s" % (name, typ, nullable, dflt or "", ident))
            got = self.pg.psql(
                "SELECT column_name, data_type, is_nullable,"
                " coalesce(regexp_replace(column_default, '::[a-z ]+$', ''), ''),"
                " is_identity FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = '%s'"
                " ORDER BY ordinal_position" % t, db).splitlines()
            self.assertEqual(want, got, t)

    def test_keys_match_sqlite(self):
        db = self.fresh()
        for t, in self.sq.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            info = self.sq.execute("PRAGMA table_info(%s)" % t).fetchall()
            pk = [r[1] for r in sorted(info, key=lambda r: r[5]) if r[5]]
            self.assertEqual(pk, self.constrained(db, t, "p"), t)
            fks = sorted("%s>%s.%s" % (r[3], r[2], r[4]) for r in
                         self.sq.execute("PRAGMA foreign_key_list(%s)" % t))
            got = self.pg.psql(
                "SELECT a.attname || '>' || f.relname || '.' || fa.attname"
                " FROM pg_constraint c JOIN pg_class f ON f.oid = c.confrelid"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
                " JOIN pg_attribute fa ON fa.attrelid = c.confrelid"
                " AND fa.attnum = c.confkey[1]"
                " WHERE c.conrelid = 'public.%s'::regclass AND c.contype = 'f'"
                " ORDER BY 1" % t, db).split()
            self.assertEqual(fks, got, t)
            # Column-level UNIQUE: SQLite's autoindexes, PostgreSQL's constraints.
            uniq = sorted(self.sq.execute("PRAGMA index_info(%s)" % ix[1]).fetchone()[2]
                          for ix in self.sq.execute("PRAGMA index_list(%s)" % t)
                          if ix[3] == "u")
            self.assertEqual(uniq, sorted(self.constrained(db, t, "u")), t)

    def constrained(self, db, table, contype):
        """The columns of table's constraints of a type, in key order."""
        return self.pg.psql(
            "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a"
            " ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)"
            " WHERE c.conrelid = 'public.%s'::regclass AND c.contype = '%s'"
            " ORDER BY array_position(c.conkey, a.attnum)" % (table, contype), db).split()

    def test_indexes_match_sqlite(self):
        db = self.fresh()
        want = []
        for name, table, sql in self.sq.execute(
                "SELECT name, tbl_name, sql FROM sqlite_master"
                " WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"):
            cols = ",".join(r[2] for r in self.sq.execute("PRAGMA index_info(%s)" % name))
            where = re.search(r"WHERE (.*)$", sql)
            want.append("%s|%s|%s|%s|%s" % (name, table, cols,
                                             "UNIQUE" in sql.upper().split("INDEX")[0],
                                             where.group(1).replace(" ", "") if where else ""))
        got = self.pg.psql(
            "SELECT c.relname, t.relname,"
            " (SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM unnest(i.indkey)"
            "  WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a"
            "  ON a.attrelid = t.oid AND a.attnum = k.attnum),"
            " CASE WHEN i.indisunique THEN 'True' ELSE 'False' END,"
            " coalesce(replace(replace(replace(replace(pg_get_expr(i.indpred, t.oid),"
            "  ' ', ''), '::text', ''), '(', ''), ')', ''), '')"
            " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " JOIN pg_class t ON t.oid = i.indrelid"
            " JOIN pg_namespace n ON n.oid = t.relnamespace"
            " WHERE n.nspname = 'public' AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)"
            " ORDER BY 1", db).splitlines()
        want = [w.replace("!=", "<>") for w in want]
        self.assertEqual(want, got)

    def test_every_trigger_refuses_with_its_message(self):
        db = self.fresh()
        self.pg.psql(FIXTURE, db)
        checked = 0
        for name, table, event, cols, msg in sqlite_triggers(self.sq):
            if name == "unavailability_shrinks":
                continue                      # a condition: its own test
            if event == "DELETE":
                sqls = ["DELETE FROM %s" % table, "TRUNCATE %s CASCADE" % table]
            else:       # each column it names, or its first
                cols = cols or [self.sq.execute("PRAGMA table_info(%s)" % table)
                                .fetchone()[1]]
                sqls = ["UPDATE %s SET %s = %s" % (table, c, c) for c in cols]
            for sql in sqls:
                with self.subTest(trigger=name, sql=sql):
                    self.assertEqual("ERROR:  23000: " + msg, self.psql_fails(db, sql))
            checked += 1
        self.assertGreaterEqual(checked, 20)
        # Every row is still there.
        for t, in self.sq.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            self.assertEqual("1", self.pg.psql("SELECT count(*) FROM %s" % t, db).strip(), t)

    def test_periods_only_shrink(self):
        db = self.fresh()
        self.pg.psql(FIXTURE, db)
        msg = "ERROR:  23000: a period only shrinks or is withdrawn"
        for change in ("from_day = 9", "to_day = 21", "from_day = 21"):
            self.assertEqual(msg, self.psql_fails(
                db, "UPDATE unavailability SET %s WHERE id = 1" % change))
        self.pg.psql("UPDATE unavailability SET from_day = 11, to_day = 19", db)
        self.pg.psql("UPDATE unavailability SET withdrawn = 1", db)
        self.assertEqual(msg, self.psql_fails(db, "UPDATE unavailability SET to_day = 18"))
        self.assertEqual("11|19|1", self.pg.psql(
            "SELECT from_day, to_day, withdrawn FROM unavailability", db).strip())

    def test_spent_tokens_kept_by_trigger(self):
        db = self.fresh()
        self.pg.psql(FIXTURE, db)
        # (change to seat 1, spent tokens it adds); the seat's token is \x07
        steps = [("token_hash = '\\x10'", 1),                # replaced
                 ("token_hash = '\\x10', state = 1", 0),     # unchanged
                 ("token_hash = NULL, state = 2", 1),         # answered
                 ("token_hash = '\\x07'", 0),                # none was live
                 ("token_hash = NULL, state = 8", 0)]         # \x07 spent already
        count = "SELECT count(*) FROM spent_tokens"
        for change, added in steps:
            before = int(self.pg.psql(count, db))
            self.pg.psql("UPDATE assignments SET %s WHERE id = 1" % change, db)
            self.assertEqual(before + added, int(self.pg.psql(count, db)), change)
        self.assertEqual(["\\x07|1|replaced", "\\x0d|1|replaced", "\\x10|1|answered"],
                         self.pg.psql("SELECT hash, assignment_id, why FROM spent_tokens"
                                      " ORDER BY hash", db).splitlines())

    def test_seeded_rows(self):
        db = self.fresh()
        self.assertEqual("16", self.pg.psql("SELECT version FROM expertd_schema", db).strip())
        self.assertEqual("catalog.seed|pending", self.pg.psql(
            "SELECT key, convert_from(value, 'UTF8') FROM meta", db).strip())

    # -- store_pg_migrate() ----------------------------------------------------

    def migrate(self, db):
        return subprocess.run([TOOL, "migrate", self.pg.url(db)], capture_output=True,
                              text=True, timeout=60)

    def objects(self, db):
        return self.pg.psql("SELECT count(*) FROM pg_class c JOIN pg_namespace n"
                            " ON n.oid = c.relnamespace WHERE n.nspname = 'public'", db)

    def test_migrate_creates_once_then_leaves_alone(self):
        db = self.fresh(load=False)
        r = self.migrate(db)
        self.assertEqual(0, r.returncode, r.stderr)
        loaded = self.fresh()
        self.assertEqual(self.objects(loaded), self.objects(db))
        self.assertEqual("16", self.pg.psql("SELECT version FROM expertd_schema", db).strip())
        self.pg.psql("INSERT INTO terms VALUES (1, 0, 1, 0, 'ops')", db)
        r = self.migrate(db)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual("1", self.pg.psql("SELECT count(*) FROM terms", db).strip())
        self.assertEqual("1", self.pg.psql("SELECT count(*) FROM expertd_schema", db).strip())

    def test_migrate_refuses_another_applications_database(self):
        db = self.fresh(load=False)
        self.pg.psql("CREATE TABLE accounts(id int); INSERT INTO accounts VALUES (7)", db)
        r = self.migrate(db)
        self.assertEqual(EX_DATAERR, r.returncode)
        self.assertIn("database %s holds another application's tables (accounts" % db,
                      r.stderr)
        self.assertIn("expertd leaves it alone", r.stderr)
        self.assertEqual("accounts", self.pg.psql(
            "SELECT string_agg(table_name, ',') FROM information_schema.tables"
            " WHERE table_schema = 'public'", db).strip())

    def test_migrate_refuses_a_newer_schema(self):
        db = self.fresh()
        self.pg.psql("UPDATE expertd_schema SET version = 17", db)
        r = self.migrate(db)
        self.assertEqual(EX_DATAERR, r.returncode)
        self.assertIn("database schema version 17 is newer than this expertd "
                      "understands (16); upgrade expertd", r.stderr)
        self.pg.psql("UPDATE expertd_schema SET version = 16;"
                     " INSERT INTO expertd_schema VALUES (16)", db)
        r = self.migrate(db)
        self.assertEqual(EX_DATAERR, r.returncode, "two version rows")

    def test_migrate_brings_schema_15_to_16_and_keeps_the_rows(self):
        """Schema 16 (draft 16) changes no table: a database an expertd of
        draft 15 wrote is upgraded in place, its rows kept; an older
        version was never written on PostgreSQL and is refused."""
        db = self.fresh()
        self.pg.psql("UPDATE expertd_schema SET version = 15;"
                     " INSERT INTO terms VALUES (1, 0, 1, 0, 'ops')", db)
        before = self.objects(db)
        r = self.migrate(db)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual("16", self.pg.psql("SELECT version FROM expertd_schema", db).strip())
        self.assertEqual("1", self.pg.psql("SELECT count(*) FROM terms", db).strip())
        self.assertEqual(before, self.objects(db))
        self.pg.psql("UPDATE expertd_schema SET version = 14", db)
        r = self.migrate(db)
        self.assertEqual(EX_DATAERR, r.returncode)
        self.assertIn("expertd_schema does not hold one version expertd on PostgreSQL"
                      " writes (14)", r.stderr)

    def test_two_daemons_starting_together_create_it_once(self):
        """Both migrations wait on the schema lock; released, one creates
        and the other finds schema 16."""
        db = self.fresh(load=False)
        holder = subprocess.Popen(
            ["psql", "-X", "-q", "-A", "-t", "-d", self.pg.url(db)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.addCleanup(holder.stdout.close)
        self.addCleanup(holder.kill)
        holder.stdin.write("BEGIN; SELECT pg_advisory_xact_lock(%d); SELECT 'held';\n"
                           % LOCK_KEY)
        holder.stdin.flush()
        self.assertEqual("held", holder.stdout.readline().strip() or
                         holder.stdout.readline().strip())
        runs = [subprocess.Popen([TOOL, "migrate", self.pg.url(db)],
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        waiting = ""
        for _ in range(3000):     # bounded: until both wait on the lock
            waiting = self.pg.psql("SELECT count(*) FROM pg_locks WHERE NOT granted"
                                   " AND locktype = 'advisory'", db).strip()
            if waiting == "2" or any(p.poll() is not None for p in runs):
                break
            time.sleep(0.01)
        self.assertEqual("2", waiting, "both migrations wait on the schema lock")
        holder.stdin.write("COMMIT;\n")
        holder.stdin.close()
        holder.wait(timeout=30)
        for p in runs:
            _, err = p.communicate(timeout=60)
            self.assertEqual(0, p.returncode, err)
        self.assertEqual("1", self.pg.psql("SELECT count(*) FROM expertd_schema", db).strip())


if __name__ == "__main__":
    unittest.main()
