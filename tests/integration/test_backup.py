"""Backup and restore (issue #16 item 6) against the real daemon:
`expertctl backup FILE` taken while another client draws in a loop gives a
file whose BLAKE2b-256 is the one announced; a daemon started on a copy of
it passes the start-up chain check and `audit verify`, holds the log up to
the announced entry, and answers a retried request with its recorded reply.
The protocol's edges (PROTOCOL.md 7.15): pieces read out of order, an
offset past the end, a copy already fetched, FILE that exists."""
import hashlib
import json
import os
import shutil
import stat
import threading
import time
import unittest

from harness import Ctl, Daemon, DaemonTest, RawClient, draw_args, sqlite_only

ROSTER = 700


def specialty_counts(ctl):
    counts = {}
    for e in ctl.json("pool", "list", "--limit", "1000")["experts"]:
        for s in e["specialties"]:
            counts[s] = counts.get(s, 0) + 1
    return counts


@sqlite_only("store.backup copies the SQLite file; PostgreSQL is backed up by its own tools")
class BackupTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, ROSTER, seed=7)
        counts = specialty_counts(self.ctl)
        self.top = max(counts, key=counts.get)

    def leftovers(self):
        """Copies the daemon still keeps beside its database."""
        base = os.path.basename(self.d.db) + ".backup-"
        return [n for n in os.listdir(os.path.dirname(self.d.db)) if n.startswith(base)]

    def test_backup_under_load_restores_to_a_daemon_that_verifies(self):
        args = draw_args(self.top, 2, 10, "--backups", "1")
        first = self.ctl.json(*args, request_id="before-backup")
        stop, done = threading.Event(), []
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)

        def load():
            i = 0
            while not stop.is_set():
                i += 1
                start = int(time.time()) + 86400 * (20 + i % 900)
                rep = conn.call("draw", {"kind": "competition", "specialty": self.top,
                                         "members": 1, "start": start,
                                         "end": start + 3600,
                                         "nonce": "backup-load-%08d" % i})
                done.append(rep["status"])
        t = threading.Thread(target=load, daemon=True)
        t.start()
        try:
            while len(done) < 5:          # the load is running
                time.sleep(0.05)
            path = os.path.join(self.dir, "copy.db")
            made = self.ctl.json("backup", path, timeout=60000)
            during = len(done)
            while len(done) < during + 5:  # and runs on after the copy
                time.sleep(0.05)
        finally:
            stop.set()
            t.join(60)
        self.assertEqual(set(done), {"ok"})

        with open(path, "rb") as f:
            data = f.read()
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual((made["file"], made["size"]), (path, len(data)))
        self.assertEqual(made["hash"], hashlib.blake2b(data, digest_size=32).hexdigest())
        self.assertGreater(made["seq"], 0)
        self.assertEqual(self.leftovers(), [])          # fetched: not kept

        # Restore: a daemon of its own on the copy, as an operator would.
        sub = os.path.join(self.dir, "restored")
        os.makedirs(sub)
        shutil.copyfile(path, os.path.join(sub, "expertd.db"))
        # The copy holds no key: it is restored under the key that signed
        # it (PROTOCOL.md 4.3.1).
        shutil.copyfile(self.d.sign_key, os.path.join(sub, "sign.key"))
        r = Daemon(sub)
        self.addCleanup(self.stop_daemon, r)
        r.start()
        self.assertIn("audit log intact", r.read_log())   # the chain check passed
        rctl = Ctl(r)
        v = rctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["head_seq"], made["seq"])    # nothing after the copy
        again = rctl.json(*args, request_id="before-backup")
        self.assertEqual((again["task"], again["panel"]), (first["task"], first["panel"]))
        self.assertEqual(len(rctl.json("task", "show", str(first["task"]))["draws"]), 1)
        # The original serves on, and its log went past the copy's.
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertGreater(v["head_seq"], made["seq"])

    def test_pieces_and_their_edges(self):
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        first = conn.call("store.backup")
        self.assertEqual(first["status"], "ok", first)
        res = first["result"]
        size, bid = res["size"], res["backup"]
        self.assertGreater(size, 1024 * 1024)            # more than one piece
        self.assertEqual((res["offset"], len(res["data"]), res["eof"]),
                         (0, 1024 * 1024, False))
        self.assertEqual(len(self.leftovers()), 1)
        # Any offset may be read again, in any order, until the end is read.
        mid = conn.call("store.backup", {"backup": bid, "offset": 1})["result"]
        self.assertEqual((mid["offset"], mid["size"], mid["eof"]), (1, size, False))
        self.assertEqual(mid["data"][:100], res["data"][1:101])
        whole = bytearray(res["data"])
        while len(whole) < size:
            piece = conn.call("store.backup", {"backup": bid, "offset": len(whole)})
            self.assertEqual(piece["status"], "ok", piece)
            whole += piece["result"]["data"]
        self.assertTrue(piece["result"]["eof"])
        self.assertEqual(hashlib.blake2b(bytes(whole), digest_size=32).digest(), res["hash"])
        self.assertEqual(self.leftovers(), [])
        gone = conn.call("store.backup", {"backup": bid, "offset": 0})
        self.assertEqual((gone["status"], gone["field"]), ("not_found", "backup"), gone)
        self.assertIn("take a new one", gone["message"])
        # A new backup replaces an unfinished one; an offset past the end
        # is named.
        one = conn.call("store.backup")["result"]["backup"]
        two = conn.call("store.backup")["result"]
        self.assertEqual(conn.call("store.backup", {"backup": one})["status"], "not_found")
        past = conn.call("store.backup", {"backup": two["backup"],
                                          "offset": two["size"] + 1})
        self.assertEqual((past["status"], past["field"]), ("invalid_field", "offset"), past)
        bad = conn.call("store.backup", {"backup": "z" * 32})
        self.assertEqual((bad["status"], bad["field"]), ("invalid_field", "backup"), bad)
        stray = conn.call("store.backup", {"offset": 5})
        self.assertEqual((stray["status"], stray["field"]), ("invalid_field", "offset"))

    def test_never_overwrites_a_file(self):
        path = os.path.join(self.dir, "keep.db")
        with open(path, "w") as f:
            f.write("precious")
        r = self.ctl.run("backup", path, check=False)
        self.assertEqual(r.rc, 73, r)                   # EX_CANTCREAT
        self.assertIn("never overwrites", r.err)
        with open(path) as f:
            self.assertEqual(f.read(), "precious")
        self.assertEqual(self.leftovers(), [])          # nothing was taken


if __name__ == "__main__":
    unittest.main()
