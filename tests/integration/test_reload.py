"""SIGHUP under load (issue #5): the daemon re-reads its configuration and
key allowlist while two operators keep requests in flight, and nothing in
flight is lost.

Two raw CURVE DEALER connections, one per operator key, each keep a window
of pings and draws in flight. Mid-load the test tightens the draw rules
(exposure_cap 0 -> 2, rotation_days 365 -> 30), removes key B from the
allowlist and sends SIGHUP. Every request must get exactly one reply: A's
all ok; B's ok, then `forbidden` from the reload on, on the same open
connection. Draws record the rules in force when they ran, and the whole
log still verifies. A bad configuration file on SIGHUP keeps the old
settings and the daemon keeps serving.

Nothing sleeps to synchronise: the load loop waits on zmq poll with
deadlines, and the reload is seen through the daemon's log.
"""
import os
import random
import signal
import subprocess
import time
import unittest

import msgpack
import zmq

from harness import Ctl, DaemonTest, RawClient, cst_day, free_tcp_port, unpack
from test_draw import ROSTER_SEED, epoch
from harness import keygen, secret_of

WINDOW = 32                 # requests each connection keeps in flight
ROSTER = 600
PHASE_REPLIES = 300         # replies per connection before, and after, the reload
PHASE_SECONDS = 1.5         # and at least this long each
# Draws per connection and phase; then only pings. At most 240 one-seat
# draws, each in one of the largest specialties (some 330 experts) chosen in
# proportion to its size: under one assignment per expert on average, so
# the new cap of two (which counts assignments in any specialty) never
# leaves a draw without candidates.
DRAW_BUDGET = {"before": 60, "during": 30, "after": 60}
SPECIALTIES = 5
LOAD_DEADLINE = 60.0        # seconds for each phase of the load, ASan included
DRAIN_DEADLINE = 30.0
LOG_DEADLINE = 15.0

OLD_RULES = {"rotation_days": 365, "exposure_cap": 0}
NEW_RULES = {"rotation_days": 30, "exposure_cap": 2}


class Loader:
    """One CURVE DEALER connection keeping up to WINDOW requests in flight:
    pings and one-seat draws on distinct hours, so the pool never runs dry.
    Records what it sent, when, and every reply in arrival order."""

    def __init__(self, ctx, endpoint, key_file, server_pub, tag, specs, first_hour):
        """specs: {specialty: size}; draws pick one in proportion to size."""
        self.conn = RawClient(endpoint, curve_server=server_pub,
                              curve_keys=secret_of(key_file), ctx=ctx)
        self.sock = self.conn.sock
        self.tag = tag
        self.specs = sorted(specs)
        self.weights = [specs[s] for s in self.specs]
        self.budget = dict(DRAW_BUDGET)
        self.rng = random.Random(tag)
        self.hour = first_hour      # each draw its own hour: no overlaps
        self.n = 0
        self.sent = {}              # id -> dict(op, mark at sending)
        self.replies = []           # (id, reply, mark at arrival) in arrival order
        self.inflight = 0

    def request(self, mark):
        rid = "%s-%d" % (self.tag, self.n)
        self.n += 1
        if self.n % 3 == 0 and self.budget[mark] > 0:
            self.budget[mark] -= 1
            start = self.base + 3600 * self.hour
            self.hour += 2
            spec = self.rng.choices(self.specs, self.weights)[0]
            args = {"kind": "competition", "specialty": spec, "members": 1,
                    "start": start, "end": start + 3600,
                    "nonce": "%s-nonce-%08d" % (rid, self.rng.getrandbits(24))}
            return rid, "draw", args
        return rid, "ping", {}

    def top_up(self, mark):
        while self.inflight < WINDOW:
            rid, op, args = self.request(mark)
            self.conn.send_request(op, args, rid)
            self.sent[rid] = {"op": op, "mark": mark}
            self.inflight += 1

    def receive(self, mark):
        """Take every reply waiting, without blocking."""
        while True:
            try:
                frames = self.sock.recv_multipart(zmq.NOBLOCK)
            except zmq.Again:
                return
            rep = unpack(frames[-1])
            self.replies.append((rep.get("id"), rep, mark))
            self.inflight -= 1

    def count(self, status=None, mark=None):
        return sum(1 for _, r, m in self.replies
                   if (status is None or r["status"] == status) and
                   (mark is None or m == mark))


class ReloadTestBase(DaemonTest):
    def setUp(self):
        super().setUp()
        self.server_key, self.server_pub_file, self.server_pub, _ = \
            keygen(self.dir, "server")
        self.a_key, _, self.a_pub, _ = keygen(self.dir, "ops-a")
        self.b_key, _, self.b_pub, _ = keygen(self.dir, "ops-b")
        self.allowlist = os.path.join(self.dir, "allowlist")
        self.write_allowlist(self.a_pub, self.b_pub)
        self.config = self.write_config(self.config_text(0, 365))
        self.d = self.start_daemon(
            secure={"server_key": self.server_key, "allowlist": self.allowlist},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            extra=["--config", self.config],
            client=lambda d: Ctl(d, self.a_key, self.server_pub_file))
        self.a = Ctl(self.d, self.a_key, self.server_pub_file)
        self.b = Ctl(self.d, self.b_key, self.server_pub_file)
        self.open_term(self.a)

    def config_text(self, exposure_cap, rotation_days, response_hours=24, flag_at=5):
        return ("[draw]\nexposure_cap = %d\nrotation_days = %d\n"
                "[assign]\nresponse_hours = %d\n"
                "[ledger]\nwarn_at = %d\nflag_at = %d\n"
                "[security]\nsecret_key = %s\nallowlist = %s\n"
                % (exposure_cap, rotation_days, response_hours, min(3, flag_at),
                   flag_at, self.server_key, self.allowlist))

    def respond_hours(self, task):
        """How long the task's offered seats were given to answer."""
        t = self.a.json("task", "show", str(task))
        return {(s["deadline"] - t["task"]["created_at"]) // 3600
                for s in t["seats"] if s["deadline"] is not None}

    def replace(self, path, text):
        """Write a file whole, so a reload never reads half of it."""
        with open(path + ".new", "w") as f:
            f.write(text)
        os.replace(path + ".new", path)

    def write_allowlist(self, *operator_keys):
        self.replace(self.allowlist, "# reload test\n" + "".join(
            "%s ops-%d operator\n" % (k, i) for i, k in enumerate(operator_keys)))

    def log_count(self, text):
        return self.d.read_log().count(text)

    def wait_log(self, text, count, deadline=LOG_DEADLINE):
        """Bounded poll until text appears `count` times in the log."""
        end = time.monotonic() + deadline
        while self.log_count(text) < count:
            self.assertLess(time.monotonic(), end, "no %r in the log: %s"
                            % (text, self.d.read_log()[-3000:]))
            try:    # paces the poll; returns early only if expertd dies
                self.d.proc.wait(timeout=0.05)
            except subprocess.TimeoutExpired:
                continue
            self.fail("expertd died: " + self.d.read_log())

    def rules(self, ctl, task):
        """Rules recorded by the last transcript of task (expertctl audit show)."""
        tr = ctl.json("audit", "show", str(task))["entries"][-1]["transcript"]
        return {k: tr["rules"][k] for k in OLD_RULES}

    def specialties(self, limit):
        """{specialty: experts} of the `limit` largest specialties."""
        counts = {}
        for e in self.a.json("pool", "list", "--limit", "1000")["experts"]:
            for s in e["specialties"]:
                counts[s] = counts.get(s, 0) + 1
        top = sorted(counts, key=lambda s: (-counts[s], s))[:limit]
        return {s: counts[s] for s in top}


class ReloadUnderLoadTest(ReloadTestBase):
    def setUp(self):
        super().setUp()
        self.import_roster(self.a, ROSTER, seed=ROSTER_SEED)
        self.specs = self.specialties(SPECIALTIES)
        self.ctx = zmq.Context()
        self.addCleanup(self.ctx.term)
        base = epoch("%s 00:00" % cst_day(5))
        self.la = Loader(self.ctx, self.d.endpoint, self.a_key, self.server_pub, "A",
                         self.specs, 0)
        self.lb = Loader(self.ctx, self.d.endpoint, self.b_key, self.server_pub, "B",
                         self.specs, 1)
        for ld in (self.la, self.lb):
            ld.base = base
            self.addCleanup(ld.conn.close)
        self.poller = zmq.Poller()
        for ld in (self.la, self.lb):
            self.poller.register(ld.sock, zmq.POLLIN)

    def pump(self, mark, done, deadline, send=True, min_seconds=0.0):
        """Keep both windows full (if send) and collect replies, marked
        `mark`, for at least min_seconds and until done(), or until the
        deadline fails the test."""
        t0 = time.monotonic()
        end = t0 + deadline
        while time.monotonic() - t0 < min_seconds or not done():
            left = end - time.monotonic()
            self.assertGreater(left, 0, "load phase %r timed out: A %d/%d, B %d/%d "
                               "replies; log: %s" % (
                                   mark, len(self.la.replies), self.la.n,
                                   len(self.lb.replies), self.lb.n,
                                   self.d.read_log()[-3000:]))
            if send:
                for ld in (self.la, self.lb):
                    ld.top_up(mark)
            for sock, _ in self.poller.poll(min(100, int(left * 1000) + 1)):
                (self.la if sock is self.la.sock else self.lb).receive(mark)

    @staticmethod
    def throttled(check, every=0.05):
        """check() at most every `every` seconds (the log grows fast at
        debug level); False in between."""
        last = [0.0]

        def f():
            now = time.monotonic()
            if now - last[0] < every:
                return False
            last[0] = now
            return check()
        return f

    def test_reload_under_load_loses_nothing(self):
        la, lb = self.la, self.lb
        # Before: both keys served under the old rules.
        self.pump("before", lambda: min(la.count(mark="before"),
                                        lb.count(mark="before")) >= PHASE_REPLIES,
                  LOAD_DEADLINE, min_seconds=PHASE_SECONDS)

        # Reload: tighter rules, key B gone. Replies arriving from now until
        # the log shows the reload done may come from either side of it.
        hups = self.log_count("SIGHUP: configuration reloaded")
        self.replace(self.config, self.config_text(2, 30, response_hours=48, flag_at=2))
        self.write_allowlist(self.a_pub)
        for ld in (la, lb):         # full windows in flight as the signal lands
            ld.top_up("during")
        self.d.proc.send_signal(signal.SIGHUP)
        done_line = "SIGHUP: allowlist reloaded, 1 keys"
        self.pump("during", self.throttled(lambda: self.log_count(done_line) >= 1),
                  LOG_DEADLINE)
        self.assertEqual(self.log_count("SIGHUP: configuration reloaded"), hups + 1)
        self.assertIn("SIGHUP: configuration reloaded (rotation 30 days, exposure cap 2",
                      self.d.read_log())
        self.assertIn("answers within 48 h; ledger warns at 2, flags at 2",
                      self.d.read_log())

        # After: only requests sent from here on are known to postdate it.
        self.pump("after", lambda: la.count(mark="after") >= PHASE_REPLIES and
                  lb.count(mark="after") >= 50, LOAD_DEADLINE,
                  min_seconds=PHASE_SECONDS)
        # Stop sending; collect everything outstanding.
        self.pump("drain", lambda: la.inflight == 0 and lb.inflight == 0,
                  DRAIN_DEADLINE, send=False)
        self.assertIsNone(self.d.proc.poll(), "expertd died: " + self.d.read_log())

        # Exactly one reply per request sent, none unknown, none twice.
        for ld in (la, lb):
            ids = [rid for rid, _, _ in ld.replies]
            self.assertEqual(len(ids), len(set(ids)), "%s: duplicated replies" % ld.tag)
            self.assertEqual(set(ids), set(ld.sent), "%s: lost or unknown replies"
                             % ld.tag)
            self.assertEqual(ld.inflight, 0)

        # A: everything ok, pings and draws alike.
        bad = [(rid, r) for rid, r, _ in la.replies if r["status"] != "ok"]
        self.assertEqual(bad, [], "key A got errors")
        self.assertTrue(all(r["result"]["principal"] == "ops-0" for rid, r, _ in la.replies
                            if la.sent[rid]["op"] == "ping"))

        # B: ok until the reload, forbidden from it on, on this one connection.
        statuses = [r["status"] for _, r, _ in lb.replies]
        self.assertEqual(set(statuses), {"ok", "forbidden"}, statuses[:50])
        first_forbidden = statuses.index("forbidden")
        self.assertNotIn("ok", statuses[first_forbidden:],
                         "key B served again after it was refused")
        for rid, r, mark in lb.replies:
            if mark == "before":        # answered before SIGHUP was sent
                self.assertEqual(r["status"], "ok", (rid, r))
            if lb.sent[rid]["mark"] in ("after", "drain"):   # sent after the reload
                self.assertEqual(r["status"], "forbidden", (rid, r))
                self.assertIn("no longer allowed", r["message"])
        self.assertGreaterEqual(lb.count("ok"), PHASE_REPLIES)
        self.assertGreaterEqual(lb.count("forbidden"), 50)

        # Draws record the rules in force when they ran: old before the
        # reload, new after, switching once.
        draws = [(rid, r["result"]["task"], mark) for rid, r, mark in la.replies
                 if la.sent[rid]["op"] == "draw"]
        before = [t for rid, t, mark in draws if mark == "before"]
        after = [t for rid, t, mark in draws if la.sent[rid]["mark"] == "after"]
        self.assertGreater(len(before), 20)
        self.assertGreater(len(after), 20)
        rules = self.rules_raw([t for _, t, _ in draws])
        seen = [rules[t] for _, t, _ in draws]
        self.assertTrue(all(r in (OLD_RULES, NEW_RULES) for r in seen), seen)
        self.assertIn(NEW_RULES, seen, "no draw ran under the new rules")
        switch = seen.index(NEW_RULES)
        self.assertTrue(all(r == NEW_RULES for r in seen[switch:]),
                        "a draw after the reload ran under the old rules")
        self.assertTrue(all(rules[t] == OLD_RULES for t in before))
        self.assertTrue(all(rules[t] == NEW_RULES for t in after))
        # And as an operator reads them through expertctl.
        self.assertEqual(self.rules(self.a, before[-1]), OLD_RULES)
        self.assertEqual(self.rules(self.a, after[0]), NEW_RULES)
        # The assignment settings switched too: seats offered after the
        # reload have 48 hours to answer, not 24.
        self.assertEqual(self.respond_hours(before[-1]), {24})
        self.assertEqual(self.respond_hours(after[0]), {48})

        # The whole log replays, both rule sets and B's draws included.
        b_draws = sum(1 for rid, r, _ in lb.replies
                      if lb.sent[rid]["op"] == "draw" and r["status"] == "ok")
        v = self.a.json("audit", "verify", timeout=300000)
        self.assertTrue(v["ok"], v)
        self.assertEqual(v["draws"], len(draws) + b_draws)
        self.assertEqual(v["failed_draws"], 0)
        # B cannot even start a new connection now: refused at the handshake.
        r = self.b.run("ping", timeout=60000, retries=0, check=False)
        self.assertEqual(r.rc, 77, r)                    # EX_NOPERM
        self.assertIn("refused this client's key", r.err)

    def rules_raw(self, tasks):
        """{task: rules} for many tasks, pipelined over A's connection."""
        out = {}
        replies = self.la.conn.pipeline(
            [("show-%d" % t, "audit.show", {"task": t}) for t in tasks],
            window=WINDOW, timeout_ms=30000)
        for rep in replies.values():
            self.assertEqual(rep["status"], "ok", rep)
            entries = rep["result"]["entries"]
            self.assertEqual(len(entries), 1, rep)
            body = msgpack.unpackb(entries[0]["body"], raw=False)
            out[rep["result"]["task"]] = {k: body["rules"][k] for k in OLD_RULES}
        return out


class BadReloadTest(ReloadTestBase):
    def test_bad_config_keeps_the_old_settings_and_serving(self):
        self.import_roster(self.a, 60, seed=ROSTER_SEED)
        spec, = self.specialties(1)
        before = self.a.json("draw", "--kind", "competition", "--specialty", spec,
                             "--members", "1", "--start", "%s 09:00" % cst_day(10),
                             "--end", "%s 17:00" % cst_day(10))
        # A value out of range: the whole file is refused, nothing applied,
        # not even the valid lines around it.
        self.replace(self.config, self.config_text(2, 30) + "[draw]\nexposure_days = 0\n")
        self.write_allowlist(self.a_pub)
        self.d.proc.send_signal(signal.SIGHUP)
        self.wait_log("SIGHUP: keeping the old configuration", 1)
        # The allowlist is a file of its own and does reload.
        self.wait_log("SIGHUP: allowlist reloaded, 1 keys", 1)
        self.assertEqual(self.log_count("SIGHUP: configuration reloaded"), 0)
        refused = [l for l in self.d.read_log().splitlines()
                   if "SIGHUP: keeping the old configuration" in l]
        self.assertIn("exposure_days", refused[0])
        pong = self.a.json("ping")
        self.assertEqual(pong["principal"], "ops-0")
        after = self.a.json("draw", "--kind", "competition", "--specialty", spec,
                            "--members", "1", "--start", "%s 09:00" % cst_day(11),
                            "--end", "%s 17:00" % cst_day(11))
        self.assertEqual(self.rules(self.a, before["task"]), OLD_RULES)
        self.assertEqual(self.rules(self.a, after["task"]), OLD_RULES)
        # A missing file is refused the same way.
        os.remove(self.config)
        self.d.proc.send_signal(signal.SIGHUP)
        self.wait_log("SIGHUP: keeping the old configuration", 2)
        self.a.json("ping")
        # Fixed, the next SIGHUP applies it.
        self.replace(self.config, self.config_text(2, 30, response_hours=48, flag_at=2))
        self.d.proc.send_signal(signal.SIGHUP)
        self.wait_log("SIGHUP: configuration reloaded", 1)
        fixed = self.a.json("draw", "--kind", "competition", "--specialty", spec,
                            "--members", "1", "--start", "%s 09:00" % cst_day(12),
                            "--end", "%s 17:00" % cst_day(12))
        self.assertEqual(self.rules(self.a, fixed["task"]), NEW_RULES)
        self.assertTrue(self.a.json("audit", "verify")["ok"])


if __name__ == "__main__":
    unittest.main()
