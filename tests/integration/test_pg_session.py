"""The holder's PostgreSQL session (issue #15 item 2; PROTOCOL.md 6.6):
the one-writer lock is a session advisory lock, so a holder whose session
ends (the primary died, the server cut it) holds nothing any more. It must
stop at once (exit 75) rather than serve on from a pool whose last COMMIT
it cannot know, and the standby takes the lock and serves; a client given
both daemons carries on, nothing acknowledged is lost or applied twice,
and the log verifies. And the session's batch, pipelined: a write the
database refuses fails the whole batch and applies nothing, and its
COMMIT is awaited on the loop, which serves meanwhile. PostgreSQL only:
registered as integration_pg.NAME alone (tests/integration/CMakeLists.txt)."""
import json
import subprocess
import time
import unittest
import urllib.request

from harness import ON_POSTGRES, PG_STORE, Ctl, DaemonTest, draw_args, store_rows
from test_audit import specialty_counts

LOCK_KEY = 0x0065787065727464   # "expertd" in ASCII (PROTOCOL.md 6.6)


def lock_holders(url):
    """The backend pids holding expertd's advisory lock in url's database."""
    rows = PG_STORE.rows(url, "SELECT l.pid FROM pg_locks l JOIN pg_database d"
                              " ON d.oid = l.database WHERE l.locktype = 'advisory'"
                              " AND l.granted AND d.datname = current_database()"
                              " AND ((l.classid::bigint << 32) | l.objid::bigint) = %d"
                              % LOCK_KEY)
    return [r[0] for r in rows]


@unittest.skipUnless(ON_POSTGRES, "PostgreSQL only: a session advisory lock")
class PgSessionTest(DaemonTest):
    def test_holder_whose_session_ends_stops_and_the_standby_serves(self):
        a = self.start_daemon()
        ctl = Ctl(a)
        self.open_term(ctl)
        self.import_roster(ctl, 60, seed=7)
        holders = lock_holders(a.store_url)
        self.assertEqual(len(holders), 1, holders)
        b = self.start_standby(a)
        both = Ctl(a, endpoints="%s,%s" % (a.endpoint, b.endpoint))
        counts = specialty_counts(ctl)
        top = max(counts, key=counts.get)
        acked = [both.json(*draw_args(top, 1, 10 + i), timeout=2000)["task"]
                 for i in range(3)]
        # The server ends A's session, as a dead primary does.
        PG_STORE.rows(a.store_url, "SELECT pg_terminate_backend(%d)" % holders[0])
        # The next request finds it: A stops with 75, the client moves on.
        after = [both.json(*draw_args(top, 1, 20 + i), timeout=2000, retries=20)["task"]
                 for i in range(3)]
        self.assertEqual(a.proc.wait(timeout=60), 75, a.read_log())
        a.log.close()
        a.proc = None
        self.assertIn("the PostgreSQL connection is lost", a.read_log())
        self.assertIn("taking over", b.read_log())
        new = lock_holders(a.store_url)
        self.assertEqual(len(new), 1, new)
        self.assertNotEqual(new, holders)
        tasks = {t["id"] for t in Ctl(b).json("task", "list")["tasks"]}
        self.assertTrue(set(acked) <= tasks, (acked, tasks))
        self.assertTrue(set(after) <= tasks, (after, tasks))
        self.assertEqual(len(tasks), 6)
        v = Ctl(b).json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["draws"], 6)

    def test_idle_holder_finds_its_lost_session_by_itself(self):
        """No request comes: the status tick's probe (every 10 s) finds
        the session gone and the holder stops."""
        a = self.start_daemon()
        holders = lock_holders(a.store_url)
        self.assertEqual(len(holders), 1, holders)
        PG_STORE.rows(a.store_url, "SELECT pg_terminate_backend(%d)" % holders[0])
        self.assertEqual(a.proc.wait(timeout=60), 75, a.read_log())
        a.log.close()
        a.proc = None
        self.assertIn("the PostgreSQL connection is lost", a.read_log())

    def test_a_write_the_database_refuses_fails_the_batch_and_applies_nothing(self):
        """A draw's seat history rows go without waiting for their result
        (the batch is pipelined, PROTOCOL.md 6.3): one the database
        refuses (a trigger here) is found later in the batch, which is
        rolled back whole and answered unavailable; nothing of it is
        stored, the daemon serves on, and once the database accepts the
        write the retry with the same id and bytes draws."""
        a = self.start_daemon()
        ctl = Ctl(a)
        self.open_term(ctl)
        self.import_roster(ctl, 60, seed=7)
        top = max(specialty_counts(ctl), key=specialty_counts(ctl).get)
        entries = store_rows(a, "SELECT count(*) FROM audit")[0][0]
        PG_STORE.rows(a.store_url,
                      "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql"
                      " AS $$BEGIN RAISE EXCEPTION 'refused by the test'; END$$;"
                      " CREATE TRIGGER refuse BEFORE INSERT ON assignment_events"
                      " FOR EACH ROW EXECUTE FUNCTION refuse()")
        r = ctl.run(*draw_args(top, 1, 10), json_out=True, check=False,
                    request_id="refused-1")
        self.assertNotEqual(r.rc, 0, r)
        self.assertIn("unavailable", r.out + r.err)
        self.assertIn("nothing was applied", r.out + r.err)
        self.assertIn("an earlier write of the batch failed: refused by the test",
                      a.read_log())
        self.assertEqual(store_rows(a, "SELECT count(*) FROM tasks")[0][0], 0)
        self.assertEqual(store_rows(a, "SELECT count(*) FROM assignments")[0][0], 0)
        self.assertEqual(store_rows(a, "SELECT count(*) FROM audit")[0][0], entries)
        self.assertEqual(store_rows(a, "SELECT count(*) FROM requests"
                                       " WHERE request_id = 'refused-1'")[0][0], 0)
        self.assertEqual(ctl.json("task", "list")["tasks"], [])
        PG_STORE.rows(a.store_url, "DROP TRIGGER refuse ON assignment_events")
        task = ctl.json(*draw_args(top, 1, 10), request_id="refused-1")["task"]
        self.assertEqual([t["id"] for t in ctl.json("task", "list")["tasks"]], [task])
        self.assertGreater(store_rows(a, "SELECT count(*) FROM assignment_events")[0][0],
                           0)
        v = ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertIsNone(a.proc.poll())

    def test_the_loop_serves_while_a_commit_is_awaited(self):
        """A batch's COMMIT is awaited on the event loop, not in it: while
        one is held up on the server (a deferred trigger waits there for
        an advisory lock this test holds), /readyz and /metrics answer
        and requests are received; no other batch starts. Let go, the
        draw is committed and answered, then the ping that waited."""
        a = self.start_daemon()
        ctl = Ctl(a)
        self.open_term(ctl)
        self.import_roster(ctl, 60, seed=7)
        counts = specialty_counts(ctl)
        top = max(counts, key=counts.get)
        PG_STORE.rows(a.store_url,
                      "CREATE FUNCTION hold() RETURNS trigger LANGUAGE plpgsql AS"
                      " $$BEGIN PERFORM pg_advisory_lock(4242);"
                      " PERFORM pg_advisory_unlock(4242); RETURN NULL; END$$;"
                      " CREATE CONSTRAINT TRIGGER hold AFTER INSERT ON tasks"
                      " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                      " EXECUTE FUNCTION hold()")
        holder = subprocess.Popen(["psql", "-X", "-q", "-A", "-t", "-d", a.store_url],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True)
        self.addCleanup(holder.kill)
        holder.stdin.write("SELECT 'held', pg_advisory_lock(4242);\n")
        holder.stdin.flush()
        self.assertIn("held", holder.stdout.readline())
        draw = subprocess.Popen(ctl.base(timeout=600000, retries=0) + ["--json"] +
                                list(draw_args(top, 1, 10)), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(draw.kill)
        waiting = ("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                   " AND objid = 4242 AND NOT granted")
        for _ in range(6000):   # bounded: the draw's COMMIT waits for the lock
            if PG_STORE.rows(a.store_url, waiting)[0][0] == 1:
                break
            time.sleep(0.05)
        self.assertEqual(PG_STORE.rows(a.store_url, waiting)[0][0], 1)
        base = "http://%s" % a.metrics
        with urllib.request.urlopen(base + "/readyz", timeout=60) as r:
            self.assertEqual((r.status, r.read().decode()), (200, "ready\n"))
        with urllib.request.urlopen(base + "/metrics", timeout=60) as r:
            self.assertIn("expertd_", r.read().decode())
        ping = subprocess.Popen(ctl.base(timeout=600000, retries=0) + ["ping"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        self.addCleanup(ping.kill)
        self.assertIsNone(draw.poll())   # its COMMIT cannot have answered
        holder.stdin.write("SELECT pg_advisory_unlock(4242);\n\\q\n")
        holder.stdin.flush()
        out, err = draw.communicate(timeout=300)
        self.assertEqual(draw.returncode, 0, err)
        task = json.loads(out)["task"]
        out, err = ping.communicate(timeout=300)
        self.assertEqual(ping.returncode, 0, err)
        self.assertEqual([t["id"] for t in ctl.json("task", "list")["tasks"]], [task])
        v = ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


if __name__ == "__main__":
    unittest.main()
