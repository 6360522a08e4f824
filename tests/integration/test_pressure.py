"""Serving under pressure (issue #16 item 7) against the real daemon: a
flood is answered busy past the queue's bound (PROTOCOL.md 6.5) while a
polite client is served and nothing acknowledged is lost; another process
holding the database's write lock leaves reads served and writes answered
unavailable, never waited for on the event loop (6.3); a WAL that a long
reader let grow is truncated once the reader ends (expertd(8)); a corrupt
page is answered internal, stops every write and is named in the log."""
import os
import re
import sqlite3
import time
import unittest
import urllib.error
import urllib.request

import msgpack
import zmq

from harness import Ctl, DaemonTest, RawClient, pack_request, sqlite_only, unpack
from test_audit import specialty_counts

DEADLINE = 120          # seconds a bounded poll waits at most (ASan is slow)


class PressureTest(DaemonTest):
    def start(self, *extra):
        self.d = self.start_daemon(extra=list(extra))
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 120, seed=11)
        counts = specialty_counts(self.ctl)
        self.top = max(counts, key=counts.get)

    def metrics(self):
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics,
                                    timeout=10) as r:
            return r.read().decode()

    def metric(self, pattern):
        m = re.search(r"(?m)^%s (\d+)$" % pattern, self.metrics())
        self.assertIsNotNone(m, pattern)
        return int(m.group(1))

    def draw_body(self, rid, day, lang=None):
        start = int(time.time()) + 86400 * (20 + day)
        args = {"kind": "competition", "specialty": self.top, "members": 1,
                "start": start, "end": start + 3600, "nonce": "pressure-%s" % rid}
        if not lang:
            return pack_request("draw", rid, args)
        return msgpack.packb({"v": 1, "id": rid, "op": "draw", "lang": lang,
                              "args": args}, use_bin_type=True)


def collect(conn, n):
    """n replies from conn, by id; fails if one takes longer than DEADLINE."""
    got = {}
    while len(got) < n:
        rep = conn.recv(DEADLINE * 1000)
        if rep is None:
            raise AssertionError("no reply after %d of %d" % (len(got), n))
        got[rep["id"]] = rep
    return got


class OverloadTest(PressureTest):
    SOCKETS = 16
    EACH = 20

    def test_a_flood_is_answered_busy_and_a_polite_client_is_served(self):
        self.start("--queue-max", "8", "--batch-max", "4")
        ctx = zmq.Context()
        self.addCleanup(ctx.term)
        conns = [RawClient(self.d.endpoint, ctx=ctx) for _ in range(self.SOCKETS)]
        for c in conns:
            self.addCleanup(c.close)
        bodies = {}
        for c, conn in enumerate(conns):          # everything in flight at once
            for i in range(self.EACH):
                rid = "flood-%02d-%03d" % (c, i)
                # Half the connections ask for Chinese (PROTOCOL.md 5.3).
                lang = "zh-CN" if c % 2 else None
                bodies[rid] = (conn, self.draw_body(rid, c * self.EACH + i, lang))
                conn.send(b"", bodies[rid][1])
        # A polite client during the flood: its ping is answered, not busy
        # (pings are exempt, PROTOCOL.md 6.5), and it never needs a retry.
        self.assertEqual(self.ctl.run("ping", retries=0).rc, 0)
        first = {}
        for conn in conns:
            first.update(collect(conn, self.EACH))
        busy = [rid for rid, r in first.items() if r["status"] == "busy"]
        acked = {rid: r for rid, r in first.items() if r["status"] != "busy"}
        self.assertTrue(busy, "a flood past queue_max 8 gets busy replies")
        self.assertTrue(acked, "and the queued requests run")
        self.assertTrue(all(r["status"] in ("ok", "insufficient_candidates")
                            for r in acked.values()), list(acked.values())[:3])
        self.assertEqual({int(rid.split("-")[1]) % 2 for rid in busy}, {0, 1},
                         "busy replies in both languages")
        for rid in busy:
            chinese = int(rid.split("-")[1]) % 2
            self.assertRegex(first[rid]["message"], "服务繁忙" if chinese else "busy")
            self.assertNotIn("result", first[rid])
        self.assertGreaterEqual(
            self.metric(r'expertd_busy_total\{endpoint="request"\}'), len(busy))
        self.assertGreaterEqual(
            self.metric(r'expertd_requests_total\{op="draw",result="busy"\}'),
            len(busy))
        # A polite draw through expertctl, which backs off on busy.
        polite = self.ctl.json("draw", "--kind", "competition", "--specialty",
                               self.top, "--members", "1", "--start",
                               str(int(time.time()) + 86400 * 900), "--end",
                               str(int(time.time()) + 86400 * 900 + 3600),
                               retries=8)
        self.assertIn("task", polite)
        # The busy ones, retried politely with the same id and bytes, run
        # now (nothing of them was applied before: no request_id_reused).
        retried = {}
        for rid in busy:
            conn, body = bodies[rid]
            conn.send(b"", body)
            retried[rid] = collect(conn, 1)[rid]
        self.assertTrue(all(r["status"] in ("ok", "insufficient_candidates")
                            for r in retried.values()), list(retried.values())[:3])
        # Nothing acknowledged is lost: each retry of an answered draw gets
        # its recorded reply, the same task, and draws nothing new.
        for rid, rep in acked.items():
            conn, body = bodies[rid]
            conn.send(b"", body)
            again = collect(conn, 1)[rid]
            self.assertEqual(again["status"], rep["status"])
            self.assertEqual(again.get("result", {}).get("task"),
                             rep.get("result", {}).get("task"))
        done = list(acked.values()) + list(retried.values())
        tasks = sum(r["status"] == "ok" for r in done) + 1     # + the polite one
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["tasks"], tasks)
        self.assertIn("endpoint overloaded", self.d.read_log())


@sqlite_only("another process holds SQLite's write lock on the file")
class ExternalLockTest(PressureTest):
    def test_an_external_write_lock_leaves_reads_served(self):
        self.start()
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        draw = self.draw_body("locked-draw", 1)
        other = sqlite3.connect(self.d.db, isolation_level=None, timeout=0)
        self.addCleanup(other.close)
        other.execute("BEGIN IMMEDIATE")       # another process's write lock
        try:
            for _ in range(3):
                self.assertEqual(conn.call("ping")["status"], "ok")
                self.assertEqual(conn.call("pool.list", {"limit": 5})["status"], "ok")
                conn.send(b"", draw)
                rep = collect(conn, 1)["locked-draw"]
                self.assertEqual(rep["status"], "unavailable", rep)
                self.assertIn("cannot write now", rep["message"])
            conn.send(b"", msgpack.packb({"v": 1, "id": "zh-locked", "op": "draw",
                                          "lang": "zh-CN",
                                          "args": unpack(draw)["args"]},
                                         use_bin_type=True))
            rep = collect(conn, 1)["zh-locked"]
            self.assertEqual(rep["status"], "unavailable", rep)
            self.assertIn("数据库暂时无法写入（database is locked）", rep["message"])
            # Still the other process's: nothing of the draw was written.
            self.assertEqual(other.execute("SELECT count(*) FROM requests WHERE "
                                           "request_id = 'locked-draw'").fetchone(),
                             (0,))
        finally:
            other.execute("ROLLBACK")
        # Released: the same id and bytes now draw, once.
        conn.send(b"", draw)
        rep = collect(conn, 1)["locked-draw"]
        self.assertEqual(rep["status"], "ok", rep)
        conn.send(b"", draw)
        again = collect(conn, 1)["locked-draw"]
        self.assertEqual(again["result"]["task"], rep["result"]["task"])
        log = self.d.read_log()
        self.assertIn("the store cannot write now (database is locked)", log)
        self.assertIn("the store accepts writes again", log)
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])


@sqlite_only("SQLite's WAL file grown under a long reader")
class WalTest(PressureTest):
    GROWN = 12 << 20    # past the daemon's 8 MiB: only a held-back WAL gets there
    SMALL = 1 << 20     # what the WAL may hold again once truncated
    DRAWS = 2000        # at most, to grow it

    def test_a_wal_grown_under_a_long_reader_is_truncated_when_it_ends(self):
        self.start()
        wal = self.d.db + "-wal"
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        reader = sqlite3.connect(self.d.db, isolation_level=None)
        self.addCleanup(reader.close)
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM experts").fetchone()  # holds a snapshot
        i = 0
        while os.path.getsize(wal) <= self.GROWN and i < self.DRAWS:
            i += 1
            body = self.draw_body("wal-%06d" % i, i % 900)
            conn.send(b"", body)
            rep = collect(conn, 1)["wal-%06d" % i]
            self.assertIn(rep["status"], ("ok", "insufficient_candidates"), rep)
        grown = os.path.getsize(wal)
        self.assertGreater(grown, self.GROWN, "the reader holds the WAL back")
        # Still held: the daemon serves on and the WAL stays.
        self.assertEqual(conn.call("ping")["status"], "ok")
        self.assertGreater(os.path.getsize(wal), self.GROWN)
        reader.execute("COMMIT")
        end = time.monotonic() + DEADLINE
        while os.path.getsize(wal) > self.SMALL and time.monotonic() < end:
            self.assertEqual(conn.call("ping")["status"], "ok")   # serving on
            time.sleep(0.1)
        self.assertLessEqual(os.path.getsize(wal), self.SMALL)
        self.assertIn("checkpointed and truncated", self.d.read_log())
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])


def corrupt_table(db, table):
    """Break the b-tree root page of `table` (and of its indexes) in the
    database file, as a failing disk would: the page header becomes a page
    type SQLite does not know. The WAL is checkpointed into the file first,
    so the file holds the pages SQLite will read."""
    con = sqlite3.connect(db, isolation_level=None)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = con.execute("PRAGMA page_size").fetchone()[0]
    roots = [r for (r,) in con.execute(
        "SELECT rootpage FROM sqlite_schema WHERE tbl_name = ? AND rootpage > 1",
        (table,))]
    con.close()
    with open(db, "r+b") as f:
        for root in roots:
            f.seek((root - 1) * size)
            f.write(b"\x77" * 16)
    return roots


def written(db):
    """What draws leave: tasks, draws and audit entries (tables the test
    leaves sound)."""
    con = sqlite3.connect(db)
    try:
        return tuple(con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                     for t in ("tasks", "draws", "audit"))
    finally:
        con.close()


@sqlite_only("corrupts a page of the SQLite file")
class CorruptionTest(PressureTest):
    def test_a_corrupt_page_is_internal_stops_writes_and_is_named(self):
        self.start()
        for i in range(20):                    # records for the requests table
            self.ctl.json("draw", "--kind", "competition", "--specialty", self.top,
                          "--members", "1", "--start", str(int(time.time()) + 86400 * (30 + i)),
                          "--end", str(int(time.time()) + 86400 * (30 + i) + 3600))
        self.assertEqual(self.d.stop(), 0)
        before = written(self.d.db)
        self.assertTrue(corrupt_table(self.d.db, "requests"))
        self.d.start()
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        # A recorded request reads its retry record first: it meets the
        # damage, and is told so, not to retry.
        conn.send(b"", self.draw_body("meets-damage", 100))
        rep = collect(conn, 1)["meets-damage"]
        self.assertEqual(rep["status"], "internal", rep)
        self.assertIn("corrupt", rep["message"])
        # Every later write is refused, even one that would not read it.
        conn.send(b"", self.draw_body("after-damage", 101))
        rep = collect(conn, 1)["after-damage"]
        self.assertEqual(rep["status"], "internal", rep)
        self.assertIn("accepts no writes", rep["message"])
        # In the reader's language when asked (PROTOCOL.md 5.3).
        conn.send(b"", msgpack.packb({"v": 1, "id": "zh-after-damage", "op": "draw",
                                      "lang": "zh-CN",
                                      "args": unpack(self.draw_body("zh-after-damage", 102))["args"]},
                                     use_bin_type=True))
        rep = collect(conn, 1)["zh-after-damage"]
        self.assertEqual(rep["status"], "internal", rep)
        self.assertIn("数据库已损坏", rep["message"])
        # What is sound is still served, and the daemon says where it is.
        self.assertEqual(conn.call("ping")["status"], "ok")
        self.assertEqual(conn.call("pool.list", {"limit": 5})["status"], "ok")
        with self.assertRaises(urllib.error.HTTPError) as e:
            urllib.request.urlopen("http://%s/readyz" % self.d.metrics, timeout=10)
        self.assertEqual(e.exception.code, 503)
        self.assertIn("the database is corrupt: table requests",
                      e.exception.read().decode())
        log = self.d.read_log()
        self.assertRegex(log, r"the database is corrupt: table requests: .*malformed"
                              r".* while [a-z]")
        self.assertIn("refusing every write", log)
        # Nothing was written onto the damaged file: no task, no entry.
        self.assertEqual(self.d.stop(), 0)
        self.assertEqual(written(self.d.db), before)


if __name__ == "__main__":
    unittest.main()
