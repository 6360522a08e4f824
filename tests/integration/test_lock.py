"""One writer per database and no stolen ipc:// path (issue #16, item 1),
against the real daemon: a second expertd on the same database (by any
spelling of its path) exits 75 (EX_TEMPFAIL) naming the holder, a second
one on a live ipc:// path exits 69 (EX_UNAVAILABLE), and in both cases the
first serves on; after a SIGKILL the lock and the stale socket files are no
obstacle."""
import os
import socket
import sqlite3
import subprocess
import unittest

from harness import START_DEADLINE, Ctl, Daemon, DaemonTest, sqlite_only

EX_DATAERR = 65
EX_UNAVAILABLE = 69
EX_TEMPFAIL = 75


class LockTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.a = self.start_daemon()
        self.ctl = Ctl(self.a)
        self.open_term(self.ctl)

    def twin(self, name, db=None, endpoint=None):
        """A second daemon with its own folder and endpoints, on db (default:
        its own database) and endpoint (default: its own socket)."""
        sub = os.path.join(self.dir, name)
        os.makedirs(sub, exist_ok=True)
        b = Daemon(sub, endpoint=endpoint)
        if db:
            b.db = db
        return b

    def run_refused(self, b, code):
        """Run b to its exit (it must not serve); its stderr."""
        try:
            p = subprocess.run(b.argv(), capture_output=True, text=True,
                               timeout=START_DEADLINE)
        except subprocess.TimeoutExpired as e:
            self.fail("the second expertd was not refused: it was still "
                      "running after %ss (%s)" % (START_DEADLINE, e.stderr))
        self.assertEqual(p.returncode, code, p.stderr)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, p.stderr)
        return p.stderr

    def assert_first_serves(self):
        """The first daemon answers on its own path, still writes, and its
        audit chain verifies."""
        self.ctl.run("ping", retries=0)
        self.assertEqual(self.import_roster(self.ctl, 5)["inserted"], 5)
        v = self.ctl.json("audit", "verify")
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["experts"], 5)

    @sqlite_only("the SQLite lock file (PATH.lock); PostgreSQL's advisory lock is test_standby's")
    def test_second_daemon_on_same_database_refused(self):
        lock = os.path.realpath(self.a.db) + ".lock"
        with open(lock) as f:
            self.assertEqual(int(f.read()), self.a.proc.pid)
        b = self.twin("b", db=self.a.db)
        err = self.run_refused(b, EX_TEMPFAIL)
        self.assertIn("expertd: database %s is in use by another expertd "
                      "(pid %d holds %s); refusing to start a second writer"
                      % (self.a.db, self.a.proc.pid, lock), err)
        # Refused before it bound anything or touched the database.
        self.assertFalse(os.path.exists(b.endpoint[len("ipc://"):]))
        self.assert_first_serves()

    @sqlite_only("another application's SQLite file; PostgreSQL's is integration.pg_schema's")
    def test_foreign_database_is_refused_and_left_as_it_was(self):
        path = os.path.join(self.dir, "other-app.db")
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE invoices(id INTEGER PRIMARY KEY, total INT)")
            conn.execute("INSERT INTO invoices(total) VALUES (42)")
        with open(path, "rb") as f:
            before = f.read()
        b = self.twin("foreign", db=path)
        err = self.run_refused(b, EX_DATAERR)
        self.assertIn("not an expertd database: it holds other tables (invoices", err)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(path + "-wal"))
        self.assert_first_serves()

    @sqlite_only("spellings of the SQLite file's path")
    def test_other_spellings_of_the_database_meet_the_lock(self):
        os.symlink(self.dir, os.path.join(self.dir, "dirlink"))
        os.symlink(self.a.db, os.path.join(self.dir, "alias.db"))
        os.makedirs(os.path.join(self.dir, "sub"))
        spellings = [os.path.join(self.dir, "dirlink", "expertd.db"),
                     os.path.join(self.dir, "alias.db"),
                     os.path.join(self.dir, "sub", "..", "expertd.db")]
        for i, spelling in enumerate(spellings):
            b = self.twin("b%d" % i, db=spelling)
            err = self.run_refused(b, EX_TEMPFAIL)
            self.assertIn("database %s is in use" % spelling, err)
            self.assertIn("pid %d" % self.a.proc.pid, err)
        self.assert_first_serves()

    def test_second_daemon_on_live_ipc_path_refused(self):
        path = self.a.endpoint[len("ipc://"):]
        before = os.stat(path).st_ino
        b = self.twin("b", endpoint=self.a.endpoint)
        err = self.run_refused(b, EX_UNAVAILABLE)
        self.assertIn("expertd: cannot listen on %s: pid %d (another expertd?) "
                      "answers on %s; refusing to take the path over"
                      % (self.a.endpoint, self.a.proc.pid, path), err)
        self.assertEqual(os.stat(path).st_ino, before, "the socket file was replaced")
        self.assert_first_serves()

    def test_event_endpoint_is_guarded_too(self):
        b = self.twin("b")
        b.pub = self.a.pub
        err = self.run_refused(b, EX_UNAVAILABLE)
        self.assertIn("answers on %s" % self.a.pub[len("ipc://"):], err)
        self.assert_first_serves()

    def test_foreign_listener_on_ipc_path_refused(self):
        path = os.path.join(self.dir, "foreign.sock")
        holder = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.addCleanup(holder.close)
        holder.bind(path)
        holder.listen(1)
        b = self.twin("b", endpoint="ipc://" + path)
        err = self.run_refused(b, EX_UNAVAILABLE)
        self.assertIn("pid %d" % os.getpid(), err)
        self.assertIn("refusing to take the path over", err)

    @sqlite_only("reads the SQLite lock file left by the killed daemon")
    def test_restart_after_sigkill(self):
        old_pid = self.a.proc.pid
        self.a.kill9()
        # The dead holder's pid and its socket files are still there.
        with open(os.path.realpath(self.a.db) + ".lock") as f:
            self.assertEqual(int(f.read()), old_pid)
        self.assertTrue(os.path.exists(self.a.endpoint[len("ipc://"):]))
        self.a.start()
        with open(os.path.realpath(self.a.db) + ".lock") as f:
            self.assertEqual(int(f.read()), self.a.proc.pid)
        self.assertEqual(self.ctl.json("term", "list")["current"], 1)
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])


if __name__ == "__main__":
    unittest.main()
