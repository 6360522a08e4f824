"""The candidate-list hash's encodings (DRAW.md 3.3, draft 16): a store an
expertd from before draft 16 wrote, its lists hashed as 8-byte ids
(fixtures/draft15_log.sql, made by fixtures/make_draft15_log.py with such
a daemon: one-specialty and mixed draws, a failed attempt, a promotion, a
replacement, a redraw), is carried on by today's daemon: the old log
still verifies and replays; every transcript the new daemon writes hashes
its lists as gaps and says so (`candidates_encoding` 2), a redraw of an
old task and the refills of its expired offers included; and the whole
log, both encodings, verifies.

The fixture's one term runs from 2026-11-01 to 2029-10-31 (a term is 3
years, PROTOCOL.md 7.4): new draws need it in force, so from 2029-10 on
the test says to make the fixture again (make_draft15_log.py, with a
daemon from before draft 16, on a later term) rather than fail obscurely.
"""
import datetime
import os
import sqlite3
import unittest

from harness import Ctl, DaemonTest, cst, sqlite_only, store_rows, unpack
from fixtures.make_draft15_log import write_sign_key
from test_quotas import SCHOOL

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures",
                       "draft15_log.sql")
DRAWS = ("draw", "draw.failed")


@sqlite_only("the store is a SQLite file written by an expertd before draft 16")
class OldLogTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.assertLess(datetime.date.today(), datetime.date(2029, 10, 20),
                        "the fixture's term ends on 2029-10-31: make the fixture "
                        "again on a later term (fixtures/make_draft15_log.py)")
        write_sign_key(self.dir)
        with open(FIXTURE) as f:
            script = f.read()
        conn = sqlite3.connect(os.path.join(self.dir, "expertd.db"))
        with conn:
            conn.executescript(script)
        self.old_last = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
        conn.close()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)

    def transcripts(self):
        """(seq, kind, task, candidates_encoding or None) of every attempt."""
        rows = store_rows(self.d, "SELECT seq, type, body FROM audit ORDER BY seq")
        out = []
        for seq, typ, body in rows:
            if typ in DRAWS:
                tr = unpack(bytes(body))
                out.append((seq, tr["kind"], tr["task"], tr.get("candidates_encoding")))
        return out

    def verify(self):
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        return v

    def test_old_log_verifies_and_new_draws_hash_gaps(self):
        old = [t for t in self.transcripts() if t[0] <= self.old_last]
        # What the fixture holds: 8-byte ids everywhere, every kind.
        self.assertEqual({t[3] for t in old}, {None}, old)
        self.assertEqual(sorted({t[1] for t in old}), ["draw", "redraw", "replacement"])
        self.assertEqual(len(old), 6, old)
        self.verify()

        # New attempts: a one-specialty draw, a mixed one, a redraw of a
        # task the old daemon drew, one that fails.
        one = self.ctl.json("draw", "--kind", "review", "--org", SCHOOL, "--leader",
                            "--specialty", "电工", "--members", "3", "--backups", "1",
                            "--start", cst(5, 9), "--end", cst(5, 17))
        mixed = self.ctl.json("draw", "--kind", "review", "--org", SCHOOL, "--leader",
                              "--quota", "电工:2::1", "--quota", "焊工:2:技能评价:1",
                              "--start", cst(6, 9), "--end", cst(6, 17))
        first_task = old[0][2]
        self.ctl.json("redraw", str(first_task), "--reason", "复核")
        failed = self.ctl.run("draw", "--kind", "competition", "--specialty", "钳工",
                              "--members", "6", "--start", cst(7, 9), "--end", cst(7, 17),
                              check=False)
        self.assertNotEqual(failed.rc, 0)

        now = self.transcripts()
        self.assertEqual([t for t in now if t[0] <= self.old_last], old)
        new = [t for t in now if t[0] > self.old_last]
        self.assertEqual({t[3] for t in new}, {2}, new)
        self.assertGreaterEqual(len(new), 4)
        self.assertIn((one["task"], "draw"), [(t[2], t[1]) for t in new])
        self.assertIn((mixed["task"], "draw"), [(t[2], t[1]) for t in new])
        self.assertIn((first_task, "redraw"), [(t[2], t[1]) for t in new])
        v = self.verify()
        self.assertGreaterEqual(v["draws"], len(old) + 4, v)

        # audit show says which encoding a transcript's hash is in.
        shown = self.ctl.json("audit", "show", str(one["task"]))["entries"]
        self.assertEqual(shown[-1]["transcript"]["candidates_encoding"], 2)
        text = self.ctl.run("audit", "show", str(one["task"])).out
        self.assertRegex(text, r"(?m)^candidates_encoding\s+gaps between ids")
        second_task = old[1][2]
        text = self.ctl.run("audit", "show", str(second_task)).out
        self.assertNotIn("candidates_encoding", text)

    def test_old_log_survives_a_restart_then_verifies(self):
        """The start-up chain check and signed head take the old log as
        it is; a new daemon start changes nothing in it."""
        self.d.stop()
        self.d.start()
        self.assertEqual({t[3] for t in self.transcripts() if t[0] <= self.old_last},
                         {None})
        self.verify()


if __name__ == "__main__":
    unittest.main()
