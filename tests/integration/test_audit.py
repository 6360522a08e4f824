"""expertctl audit verify against a real daemon (issue #3): it passes on a
long mixed log (draws, redraws, failed attempts, pool changes, drawn
concurrently) across a restart, and it fails, naming the entry, after each
kind of tampering an attacker with the SQLite file could try: an edited
body, an edited assignment, draw or task row, a forged transcript with the
chain rehashed, a forged pool history, and deleted entries.

Tampering is done with the daemon stopped, through Python's sqlite3, the
way an attacker would: dropping the append-only triggers where needed and
recomputing hashes as daemon/core/audit.h defines them.
"""
import hashlib
import json
import random
import sqlite3
import subprocess
import threading
import time
import unittest

import msgpack

from harness import Ctl, DaemonTest, RawClient, cst, cst_day, draw_args, sqlite_only
from test_draw import MAX_MEMBERS, ORG_A, ORG_B, ORG_C, ROSTER_SEED, epoch, panel_ids


def entry_hash(prev, seq, at, type_, body):
    """hash = BLAKE2b-256("expertd-audit-v1" || prev || seq BE || at BE ||
    type || 0x00 || body), as in daemon/core/audit.h."""
    h = hashlib.blake2b(digest_size=32)
    h.update(b"expertd-audit-v1")
    h.update(prev)
    h.update(seq.to_bytes(8, "big"))
    h.update(at.to_bytes(8, "big", signed=True))
    h.update(type_.encode() + b"\0")
    h.update(body)
    return h.digest()


def specialty_counts(ctl):
    counts = {}
    for e in ctl.json("pool", "list", "--limit", "1000")["experts"]:
        for s in e["specialties"]:
            counts[s] = counts.get(s, 0) + 1
    return counts


class AuditBusyTest(DaemonTest):
    """audit verify while the daemon serves: a redraw or a new draw that
    commits during the run is no tamper alarm (issue #16)."""
    CHURN = 25     # redraws and draws sent, at most, while one verify runs

    def test_verify_never_cries_wolf_while_tasks_are_redrawn(self):
        d = self.start_daemon()
        ctl = Ctl(d)
        self.open_term(ctl)
        self.import_roster(ctl, 120, seed=ROSTER_SEED)
        counts = specialty_counts(ctl)
        top = max(counts, key=counts.get)
        task = ctl.json(*draw_args(top, 2, 10, "--backups", "1"))["task"]
        stop, done = threading.Event(), []
        # A busy office, not a flood: at most CHURN requests a verify run.
        # Unbounded, a loaded machine (-j2 beside another test) made each
        # run slower, so more entries came in during it, so the next run
        # was slower still: 150 s instead of 15 s, for the same check.
        budget = threading.Semaphore(0)
        conn = RawClient(d.endpoint)
        self.addCleanup(conn.close)

        def churn():
            i = 0
            while not stop.is_set():
                if not budget.acquire(timeout=0.1):
                    continue
                i += 1
                if i % 3:
                    rep = conn.call("draw.redraw", {"task": task, "reason": "churn",
                                                    "nonce": "busy-redraw-%08d" % i})
                else:
                    # days inside the term, at most two tasks a day
                    start = int(time.time()) + 86400 * (20 + i % 900)
                    rep = conn.call("draw", {"kind": "competition", "specialty": top,
                                             "members": 1, "start": start,
                                             "end": start + 3600,
                                             "nonce": "busy-draw-%08d" % i})
                done.append(rep["status"])
                stop.wait(0.01)   # a busy office, not a flood: task.show stays small
        t = threading.Thread(target=churn, daemon=True)
        t.start()
        try:
            results = []
            for _ in range(20):
                for _ in range(self.CHURN):
                    budget.release()
                results.append(ctl.run("--json", "audit", "verify", check=False,
                                       timeout=120000))
        finally:
            stop.set()
            t.join(60)
        for r in results:
            self.assertEqual(r.rc, 0, r)
            self.assertTrue(json.loads(r.out)["ok"], r.out)
        heads = {json.loads(r.out)["head_seq"] for r in results}
        self.assertGreater(len(heads), 5, "the log must grow while verify runs")
        self.assertEqual(set(done), {"ok"}, done)


class AuditVerifyTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 400, seed=ROSTER_SEED)
        counts = specialty_counts(self.ctl)
        self.specs = sorted(counts, key=lambda s: -counts[s])[:12]
        self.small = min(self.specs, key=lambda s: counts[s])
        self.assertLess(counts[self.small], MAX_MEMBERS)
        self.rng = random.Random(20240601)
        self.tally = {"ok": 0, "failed": 0, "redraws": 0, "tasks": []}
        self.suspended = []
        self.serial = 0
        self.connect()

    def connect(self):
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)

    def draw_requests(self, n, first_day):
        """n draw requests: varied kinds, sizes, days and organisations;
        about one in eight asks for more than a small specialty holds.
        Sent raw (RawClient.pipeline, 8 in flight), not one expertctl each:
        the same requests expertctl draw would send, without 300 ASan
        process starts (60 s of CPU)."""
        rng = self.rng
        reqs = []
        for i in range(n):
            self.serial += 1
            args = {"nonce": "audit-mixed-%08d" % self.serial}
            if i % 8 == 7:
                day, kind, members, spec, hours = first_day + i % 60, "competition", \
                    MAX_MEMBERS, self.small, (9, 17)
            else:
                if rng.random() < 0.3:
                    args["leader"] = True
                if rng.random() < 0.3:
                    args["backups"] = rng.randint(1, 2)
                kind = rng.choice(["review", "competition", "training", "inspection"])
                # A review or inspection names its institution (REGISTRY.md 2.2).
                if rng.random() < 0.4 or kind in ("review", "inspection"):
                    args["orgs"] = [rng.choice([ORG_A, ORG_B, ORG_C])]
                if rng.random() < 0.2:
                    args["exclude"] = [rng.randint(1, 400)]
                start = rng.randint(8, 15)
                spec, members = rng.choice(self.specs), rng.randint(1, 3)
                day = first_day + rng.randint(0, 120)
                hours = (start, start + rng.randint(1, 8))
            args.update(kind=kind, specialty=spec, members=members,
                        start=epoch(cst(day, hours[0])), end=epoch(cst(day, hours[1])))
            reqs.append(("mixed-%d" % self.serial, "draw", args))
        return reqs

    def run_batch(self, reqs, redraw=False):
        replies = self.conn.pipeline(reqs, window=8)
        for rid, _, _ in reqs:
            r = replies[rid]
            if r["status"] == "ok":
                self.tally["ok"] += 1
                if not redraw:
                    self.tally["tasks"].append(r["result"]["task"])
            else:
                self.assertEqual(r["status"], "insufficient_candidates", r)
                self.tally["failed"] += 1
            self.tally["redraws"] += redraw

    def pool_changes(self):
        """Suspensions, reinstatements and conflicts between the draws, so
        the replay must rebuild the pool as it was at each draw."""
        rng = self.rng
        for _ in range(3):
            eid = rng.randint(1, 400)
            if eid not in self.suspended:
                self.ctl.json("pool", "suspend", str(eid), "--reason", "check")
                self.suspended.append(eid)
        if self.suspended and rng.random() < 0.7:
            eid = self.suspended.pop(0)
            self.ctl.json("pool", "reinstate", str(eid), "--reason", "cleared")
        self.ctl.json("conflict", "add", str(rng.randint(1, 400)), "--org",
                      rng.choice([ORG_A, ORG_B]), "--kind", "interest",
                      "--from", cst_day(0).isoformat())

    def phase(self, rounds, first_day):
        for _ in range(rounds):
            self.run_batch(self.draw_requests(40, first_day))
            self.pool_changes()
            tasks = self.rng.sample(self.tally["tasks"], 6)
            reqs = []
            for k, t in enumerate(tasks):
                self.serial += 1
                reqs.append(("mixed-%d" % self.serial, "draw.redraw",
                             {"task": t, "reason": "round %d" % k,
                              "nonce": "audit-mixed-%08d" % self.serial}))
            self.run_batch(reqs, redraw=True)

    def check_verify(self):
        v = self.ctl.json("audit", "verify")
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["draws"], self.tally["ok"] + self.tally["failed"])
        self.assertEqual(v["failed_draws"], self.tally["failed"])
        self.assertEqual(v["redraws"], self.tally["redraws"])
        self.assertEqual(v["tasks"], len(self.tally["tasks"]))
        self.assertEqual(self.ctl.json("task", "list")["total"], len(self.tally["tasks"]))
        # Small pages cross every kind of entry boundary; same outcome.
        paged = self.ctl.json("audit", "verify", "--page", "7")
        self.assertEqual(paged, v)
        text = self.ctl.run("audit", "verify").out
        self.assertRegex(text, r"^audit verify: OK: %d entries \(\d+ expert changes, 1 "
                               r"terms, \d+ conflicts, %d draws of which %d failed and "
                               r"%d redraws, %d seat transitions\), head seq %d hash "
                               r"[0-9a-f]{64}\n$" %
                         (v["entries"], v["draws"], v["failed_draws"], v["redraws"],
                          v["transitions"], v["entries"]))
        return v

    def test_verify_passes_on_a_long_mixed_log_across_a_restart(self):
        self.phase(7, 5)
        first = self.check_verify()
        self.assertGreaterEqual(first["draws"], 300)
        self.assertGreater(first["failed_draws"], 30)
        self.assertGreater(first["conflicts"], 0)
        self.d.stop()
        self.d.start()
        self.connect()
        again = self.ctl.json("audit", "verify")
        self.assertEqual(again, first)
        self.phase(2, 130)
        after = self.check_verify()
        self.assertEqual(after["draws"], first["draws"] + 2 * 46)


class AuditThousandsTest(DaemonTest):
    """Thousands of draws, redraws and failed attempts, sent pipelined over
    one raw DEALER connection (spawning expertctl per draw would take
    minutes under ASan), then `expertctl audit verify` replays them all,
    across a restart."""

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 1500, seed=ROSTER_SEED)
        counts = {}
        for off in range(0, 1500, 1000):
            for e in self.ctl.json("pool", "list", "--offset", str(off),
                                   "--limit", "1000")["experts"]:
                for sp in e["specialties"]:
                    counts[sp] = counts.get(sp, 0) + 1
        self.specs = sorted(counts, key=lambda sp: -counts[sp])[:20]
        self.counts = counts
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)
        self.rng = random.Random(77)

    def draws(self, tag, n, first_day):
        rng, reqs = self.rng, []
        base = int(time.time()) + 86400 * first_day
        for i in range(n):
            spec = rng.choice(self.specs)
            members = rng.randint(1, 3)
            if i % 10 == 9:                      # more than the specialty holds
                members = 30
                spec = min(self.specs, key=lambda sp: self.counts[sp])
            start = base + 86400 * rng.randint(0, 700) + 3600 * rng.randint(0, 8)
            args = {"kind": rng.choice(["review", "competition", "training"]),
                    "specialty": spec, "members": members,
                    "leader": rng.random() < 0.3, "backups": rng.randint(0, 2),
                    "start": start, "end": start + 3600 * rng.randint(1, 8),
                    "nonce": "%s-nonce-%06d-%d" % (tag, i, rng.getrandbits(32))}
            if rng.random() < 0.3 or args["kind"] == "review":
                args["orgs"] = [rng.choice([ORG_A, ORG_B, ORG_C])]
            reqs.append(("%s-%d" % (tag, i), "draw", args))
        replies = self.conn.pipeline(reqs)
        ok = [r["result"]["task"] for r in replies.values() if r["status"] == "ok"]
        failed = [r for r in replies.values() if r["status"] != "ok"]
        self.assertTrue(all(r["status"] == "insufficient_candidates" for r in failed),
                        failed[:3])
        redraws = self.conn.pipeline([("%s-re-%d" % (tag, t), "draw.redraw",
                                       {"task": t, "reason": "check",
                                        "nonce": "%s-redraw-nonce-%d" % (tag, t)})
                                      for t in ok[::10]])
        return len(ok), len(failed), sum(r["status"] == "ok" for r in redraws.values())

    def test_thousands_of_draws_replay_across_a_restart(self):
        ok1, failed1, re1 = self.draws("a", 1800, 5)
        self.d.stop()
        self.d.start()
        ok2, failed2, re2 = self.draws("b", 1200, 5)
        v = self.ctl.json("audit", "verify", timeout=600000)
        self.assertTrue(v["ok"], v)
        self.assertGreaterEqual(v["draws"], 3000)
        self.assertEqual(v["failed_draws"], failed1 + failed2 + (v["redraws"] - re1 - re2))
        self.assertEqual(v["tasks"], ok1 + ok2)
        self.assertGreater(v["redraws"], 200)
        self.assertGreater(failed1 + failed2, 250)


@sqlite_only("tampers with the SQLite file (triggers dropped, rows rewritten)")
class AuditTamperTest(DaemonTest):
    """A small log with every kind of entry; each test tampers with it
    once, restarts the daemon and expects verify to name the entry."""

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 120, seed=ROSTER_SEED)
        counts = specialty_counts(self.ctl)
        top = max(counts, key=counts.get)
        small = min((s for s in counts if counts[s] >= 4), key=counts.get)
        self.t1 = self.ctl.json(*draw_args(top, 3, 10))
        self.t2 = self.ctl.json(*draw_args(top, 2, 11, "--leader", "--backups", "1",
                                           kind="review", orgs=[ORG_A]))
        r = self.ctl.run(*draw_args(small, MAX_MEMBERS, 12), check=False)
        self.assertIn("insufficient_candidates", r.err)
        outsider = max(set(range(1, 121)) - set(panel_ids(self.t1)) -
                       set(panel_ids(self.t2)))
        self.ctl.json("pool", "suspend", str(outsider), "--reason", "leave")
        self.ctl.json("conflict", "add", "5", "--org", ORG_A, "--kind", "relative")
        self.ctl.json("redraw", str(self.t2["task"]), "--reason", "clash")
        # A seat declined by phone: a transition entry, then the replacement
        # draw that fills the seat (task 1 has no backups).
        self.declined = self.t1["panel"][0]["assignment"]
        self.ctl.json("answer", str(self.declined), "decline", "--channel", "phone",
                      "--reason", "schedule")
        self.t3 = self.ctl.json(*draw_args(top, 2, 13, "--org", ORG_A))
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])
        self.seq1 = self.t1["seq"]

    # ---- tampering helpers ----

    def tamper(self, *statements, rehash_from=None, edit=None):
        """Stop the daemon, run SQL statements (each a string or a
        (sql, params) pair), optionally edit bodies (edit(conn)) and
        recompute the hashes from seq rehash_from on; then restart."""
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        for st in statements:
            if isinstance(st, str):
                conn.execute(st)
            else:
                conn.execute(*st)
        if edit:
            edit(conn)
        if rehash_from is not None:
            self.rehash(conn, rehash_from)
        conn.commit()
        conn.close()
        try:
            self.d.start()
            self.refused = None
        except AssertionError as e:
            # A chain broken since the last start: the daemon names the
            # entry and will not serve it (DRAW.md 4.1); --read-only lets
            # verify and audit show look at it.
            self.assertIn("the audit log is broken at entry", str(e))
            self.refused = str(e)
            self.d.extra.append("--read-only")
            self.d.start()

    @staticmethod
    def rehash(conn, first):
        conn.execute("DROP TRIGGER IF EXISTS audit_fixed")
        prev = conn.execute("SELECT hash FROM audit WHERE seq = ?", (first - 1,)
                            ).fetchone()[0] if first > 1 else bytes(32)
        rows = conn.execute("SELECT seq, at, type, body FROM audit WHERE seq >= ? "
                            "ORDER BY seq", (first,)).fetchall()
        for seq, at, type_, body in rows:
            h = entry_hash(prev, seq, at, type_, body)
            conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?",
                         (prev, h, seq))
            prev = h

    @staticmethod
    def rewrite_body(conn, seq, change):
        """Decode entry seq's body, apply change(obj), pack it back. The
        packing must reproduce the daemon's bytes when nothing changed."""
        conn.execute("DROP TRIGGER IF EXISTS audit_fixed")
        body = conn.execute("SELECT body FROM audit WHERE seq = ?", (seq,)).fetchone()[0]
        obj = msgpack.unpackb(body, raw=False)
        assert msgpack.packb(obj, use_bin_type=True) == body, "repacking changes bytes"
        change(obj)
        conn.execute("UPDATE audit SET body = ? WHERE seq = ?",
                     (msgpack.packb(obj, use_bin_type=True), seq))

    def failed_verify(self):
        r = self.ctl.run("audit", "verify", check=False)
        self.assertEqual(r.rc, 1, r)
        j = self.ctl.run("audit", "verify", json_out=True, check=False)
        self.assertEqual(j.rc, 1, j)
        self.assertFalse(j.json["ok"])
        return r.out.strip(), j.json

    def assert_fails_at(self, seq, pattern):
        line, j = self.failed_verify()
        self.assertRegex(line, r"^audit verify: FAILED at seq %d\b" % seq)
        self.assertRegex(line, pattern)
        self.assertEqual(j["seq"], seq)
        return line

    # ---- the tampering ----

    def test_one_byte_of_a_body_changed(self):
        seq = self.t2["seq"]

        def flip(conn):
            conn.execute("DROP TRIGGER audit_fixed")
            body = bytearray(conn.execute("SELECT body FROM audit WHERE seq = ?",
                                          (seq,)).fetchone()[0])
            body[len(body) // 2] ^= 0x01
            conn.execute("UPDATE audit SET body = ? WHERE seq = ?", (bytes(body), seq))
        self.tamper(edit=flip)
        self.assert_fails_at(seq, r"hash does not match its contents")
        # audit show flags the entry too.
        shown = self.ctl.run("audit", "show", str(self.t2["task"])).out
        self.assertRegex(shown, r"(?m)^hash\s+[0-9a-f]{64}  \(DOES NOT MATCH")

    def test_daemon_refuses_a_broken_chain_and_names_the_entry(self):
        seq = self.t2["seq"]

        def flip(conn):
            conn.execute("DROP TRIGGER audit_fixed")
            body = bytearray(conn.execute("SELECT body FROM audit WHERE seq = ?",
                                          (seq,)).fetchone()[0])
            body[len(body) // 2] ^= 0x01
            conn.execute("UPDATE audit SET body = ? WHERE seq = ?", (bytes(body), seq))
        self.tamper(edit=flip)
        self.assertRegex(self.refused, r"the audit log is broken at entry %d: its hash "
                         r"does not match its content" % seq)
        # Without --read-only it exits 65 (EX_DATAERR) every time.
        argv = [a for a in self.d.argv() if a != "--read-only"]
        self.d.stop()
        p = subprocess.run(argv, capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn(b"broken at entry %d" % seq, p.stderr)
        # Read-only: reads are served, nothing is written.
        self.d.start()
        self.assertTrue(self.ctl.json("ping"))
        r = self.ctl.run("conflict", "add", "6", "--org", ORG_A, "--kind", "relative",
                         check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unavailable", r.err)
        self.assertIn("read-only", r.err)
        self.assert_fails_at(seq, r"hash does not match its contents")

    def test_assignment_given_to_another_expert(self):
        seats = self.ctl.json("task", "show", str(self.t1["task"]))["seats"]
        victim = seats[1]
        other = min(set(range(1, 121)) - {s["expert"] for s in seats})
        self.tamper(("UPDATE assignments SET expert_id = ? WHERE id = ?",
                     (other, victim["assignment"])))
        line = self.assert_fails_at(self.seq1, r"task %d seat %d: daemon says expert %d "
                                    % (self.t1["task"], victim["seat"], other))
        self.assertIn("the log says expert %d" % victim["expert"], line)

    def test_draw_row_and_task_row_edited(self):
        self.tamper("UPDATE draws SET kind = 'redraw' WHERE id = 1")
        self.assert_fails_at(self.seq1, r"task 1 draw 1: daemon says .*redraw")
        self.tamper("UPDATE draws SET kind = 'draw' WHERE id = 1",
                    "UPDATE tasks SET start_at = start_at - 3600 WHERE id = 1")
        self.assert_fails_at(self.seq1, r"task 1 start: daemon says")

    def forge(self, seq, change, rehash_rest):
        """Rewrite entry seq's body with change(obj) and give it a matching
        hash; with rehash_rest, also relink every later entry."""
        def edit(conn):
            self.rewrite_body(conn, seq, change)
            prev, at, type_, body = conn.execute(
                "SELECT prev_hash, at, type, body FROM audit WHERE seq = ?",
                (seq,)).fetchone()
            conn.execute("UPDATE audit SET hash = ? WHERE seq = ?",
                         (entry_hash(prev, seq, at, type_, body), seq))
        self.tamper(edit=edit, rehash_from=seq + 1 if rehash_rest else None)

    def test_forged_actor_breaks_the_link_then_disagrees_with_the_draws_table(self):
        # The actor is replayed from nothing: only the chain and the draws
        # table hold it. Rehashing the entry alone breaks the next link.
        seq = self.seq1
        self.forge(seq, lambda o: o.__setitem__("actor", "mallory"), False)
        self.assert_fails_at(seq + 1, r"prev_hash is not the hash of entry %d" % seq)
        # Relinking the rest of the chain leaves the draws table to disagree.
        self.tamper(rehash_from=seq + 1)
        self.assert_fails_at(seq, r"task 1 draw 1: daemon says .*by local-operator.*"
                             r"the log says .*by mallory")

    def test_forged_panel_fails_at_the_draw_whether_or_not_the_chain_is_relinked(self):
        seq = self.seq1
        forged = min(set(range(1, 121)) - set(panel_ids(self.t1)))
        expect = (r"^audit verify: FAILED at seq %d \(draw 1\): panel differs at seat 0: "
                  r"transcript %d, replay %d$" % (seq, forged, self.t1["panel"][0]["expert"]))
        # The entry is replayed before the next link is even looked at.
        self.forge(seq, lambda o: o["panel"].__setitem__(0, forged), False)
        self.assert_fails_at(seq, expect)
        self.tamper(rehash_from=seq + 1)
        self.assert_fails_at(seq, expect)

    def test_forged_suspension_before_a_draw(self):
        x = self.t1["panel"][0]["expert"]
        conn = sqlite3.connect(self.d.db)
        seqs = [s for (s, b) in conn.execute(
            "SELECT seq, body FROM audit WHERE type = 'pool.expert' AND seq < ?",
            (self.seq1,)) if msgpack.unpackb(b)["expert"]["id"] == x]
        conn.close()
        self.assertTrue(seqs)
        target = seqs[-1]

        def suspend(conn):
            self.rewrite_body(conn, target,
                              lambda o: o["expert"].__setitem__("status", 1))
        self.tamper(("UPDATE experts SET status = 1 WHERE id = ?", (x,)),
                    edit=suspend, rehash_from=target)
        self.assert_fails_at(self.seq1, r"\(draw 1\): candidate list differs: .*"
                             r"excluded\[status\]: transcript 0, replay 1")

    def decline_seq(self):
        conn = sqlite3.connect(self.d.db)
        (seq,) = conn.execute("SELECT seq FROM audit WHERE type = "
                              "'assignment.declined'").fetchone()
        conn.close()
        return seq

    def test_forged_transition_fails_at_the_entry(self):
        # Claiming the declined seat had been accepted: the chain is
        # relinked, but the replayed seat was offered, and the table has no
        # decline from accepted anyway.
        seq = self.decline_seq()
        self.forge(seq, lambda o: o.__setitem__("from", "accepted"), True)
        self.assert_fails_at(seq, r"assignment %d is offered, not accepted"
                             % self.declined)

    def test_rewritten_transition_is_named_not_the_draw(self):
        # The decline rewritten as an expiry and the chain recomputed after
        # it: the log is consistent (an expired seat is refilled as a
        # declined one is), so only the daemon's seat disagrees, and the
        # entry named is the rewritten transition, not the draw that
        # seated the expert (issue #16 item 8: seq 736, not 726).
        seq = self.decline_seq()

        def expire(o):
            o.update(event="expire", to="expired", actor="expertd", channel="system")
            o.pop("reason", None)

        def edit(conn):
            self.rewrite_body(conn, seq, expire)
            conn.execute("UPDATE audit SET type = 'assignment.expired' WHERE seq = ?",
                         (seq,))
        self.tamper(edit=edit, rehash_from=seq)
        line = self.assert_fails_at(seq, r"task %d seat 0: daemon says expert \d+ "
                                    r"\(member, declined, draw 1 seat 0\), the log "
                                    r"says expert \d+ \(member, expired, draw 1 seat 0\)"
                                    % self.t1["task"])
        self.assertNotIn("seq %d:" % self.seq1, line)

    def test_seat_state_edited_disagrees_with_the_log(self):
        # Named by the entry that last changed the seat (the decline), not
        # by the draw that seated it (issue #16 item 8).
        seq = self.decline_seq()
        self.assertGreater(seq, self.seq1)
        self.tamper(("UPDATE assignments SET state = 2 WHERE id = ?",
                     (self.declined,)))
        line = self.assert_fails_at(seq, r"task %d seat 0: daemon says "
                                    r"expert \d+ \(member, accepted" % self.t1["task"])
        self.assertIn("declined, draw 1 seat 0", line)

    def test_deleted_entries(self):
        seq = self.t2["seq"]
        self.tamper("DROP TRIGGER audit_keep",
                    ("DELETE FROM audit WHERE seq = ?", (seq,)))
        self.assert_fails_at(seq + 1, r"expected seq %d after seq %d: an entry is "
                             r"missing" % (seq, seq - 1))

    def test_deleted_last_entry_is_a_draw_the_tables_still_list(self):
        last = self.t3["seq"]
        self.tamper("DROP TRIGGER audit_keep",
                    ("DELETE FROM audit WHERE seq = ?", (last,)))
        line, j = self.failed_verify()
        self.assertRegex(line, r"^audit verify: FAILED: the daemon has 3 tasks; the "
                               r"log created 2 \(task 3 has no draw in the log\)$")
        self.assertIsNone(j["seq"])


if __name__ == "__main__":
    unittest.main()
