"""One active daemon, standbys that wait (issue #15 item 2, on SQLite;
PROTOCOL.md 6.6): a second expertd started with --standby on the database
another holds answers every request `unavailable` at once and says
standby on /readyz; when the holder dies (kill -9) it takes the database
over and serves what was committed. A client given both daemons
(PROTOCOL.md 6.4) carries on; nothing acknowledged is lost or applied
twice, and the log verifies."""
import os
import subprocess
import unittest
import urllib.error
import urllib.request

from harness import Ctl, Daemon, DaemonTest, RawClient, draw_args
from test_audit import specialty_counts


def readyz(d):
    try:
        with urllib.request.urlopen("http://%s/readyz" % d.metrics, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


class StandbyTest(DaemonTest):
    def test_standby_takes_over_when_the_holder_dies(self):
        a = self.start_daemon()
        ctl = Ctl(a)
        self.open_term(ctl)
        self.import_roster(ctl, 60, seed=5)
        # B: the same database, its own endpoints, waiting.
        b = self.start_standby(a)
        raw = RawClient(b.endpoint)
        self.addCleanup(raw.close)
        rep = raw.call_envelope({"v": 1, "id": "sb-1", "op": "ping"})
        self.assertEqual(rep["status"], "unavailable", rep)
        self.assertIn("standby", rep["message"])
        rep = raw.call_envelope({"v": 1, "id": "sb-2", "op": "ping", "lang": "zh-CN"})
        self.assertIn("备用", rep["message"])
        self.assertEqual(readyz(b)[0], 503)
        self.assertIn("standby", readyz(b)[1])
        self.assertEqual(readyz(a)[0], 200)

        # Draws through a client that knows both: A serves them.
        both = Ctl(a, endpoints="%s,%s" % (a.endpoint, b.endpoint))
        counts = specialty_counts(ctl)
        top = max(counts, key=counts.get)
        acked = [both.json(*draw_args(top, 1, 10 + i), timeout=2000)["task"]
                 for i in range(3)]
        a.kill9()
        # B takes the database over; the client moves to it by itself.
        after = [both.json(*draw_args(top, 1, 20 + i), timeout=2000, retries=20)["task"]
                 for i in range(3)]
        tasks = {t["id"] for t in Ctl(b).json("task", "list")["tasks"]}
        self.assertTrue(set(acked) <= tasks, (acked, tasks))
        self.assertTrue(set(after) <= tasks, (after, tasks))
        self.assertEqual(len(tasks), 6)
        self.assertEqual(readyz(b)[0], 200)
        self.assertIn("taking over", b.read_log())
        v = Ctl(b).json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["draws"], 6)

    def test_without_standby_a_second_daemon_still_exits_75(self):
        a = self.start_daemon()
        bdir = os.path.join(self.dir, "b")
        os.mkdir(bdir)
        b = Daemon(bdir)
        b.share_store(a)
        p = subprocess.run(b.argv(), capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 75, p.stderr)


if __name__ == "__main__":
    unittest.main()
