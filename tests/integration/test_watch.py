"""The live dispatch log (issue #5): the daemon's PUB endpoint and
`expertctl watch` / `expertctl log` against a real daemon.

- A watcher started mid-stream with --since prints every entry exactly
  once and in order while draws run concurrently.
- Personal data: no resident ID, phone number or full name in the PUB
  stream (read raw here), the watch output, the daemon log or /metrics.
- A slow subscriber whose messages the PUB dropped says so on stderr and
  re-fetches: its output still has every entry exactly once.
- Secure mode: operator and notifier keys may subscribe; a bureau key or
  an unknown key is refused at the handshake.
- Signed heads (--sign-key): verified under the published key and marked;
  under another key, or altered on the way (relayed through a PUB socket
  of the test's), said loudly on stderr, marked, and the exit status is 1.

Nothing sleeps to synchronise: watchers run until they have printed what
they were asked for (--count), with --wait as the bound.
"""
import json
import os
import signal
import threading
import time
import unittest
import urllib.request

import msgpack
import zmq

from harness import (Ctl, CtlProcess, DaemonTest, RawClient, draw_args, free_tcp_port,
                     genroster, keygen, read_roster, roster_secrets, sign_keygen,
                     top_specialty, unpack)

CTL_ENV_DROP = ("EXPERTD_ENDPOINT", "EXPERTCTL_KEY", "EXPERTD_SERVER_KEY",
                "EXPERTD_PUB_ENDPOINT", "EXPERTCTL_SUB_HWM", "EXPERTCTL_WATCH_STALL_MS",
                "EXPERTCTL_WATCH_IDLE_MS")
WAIT = 90          # seconds: the bound on every watcher (ASan builds are slow)



def mask_name(name):
    """daemon/core/mask.c's rule: 张三明 -> 张*明, 张三 -> 张*."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


class Watcher(CtlProcess):
    """One `expertctl [--json] watch ...` process (harness.CtlProcess)."""

    def __init__(self, ctl, *args, env=None, json_out=True, timeout=5000,
                 retries=2):
        a = ctl.base(timeout, retries)
        if json_out:
            a.append("--json")
        a += ["watch", "--pub-endpoint", ctl.daemon.pub, "--wait", str(WAIT)]
        a += list(args)
        e = {k: v for k, v in os.environ.items() if k not in CTL_ENV_DROP}
        e.update(env or {})
        super().__init__(a, e)

    def read_lines(self, n, timeout=WAIT):
        return super().read_lines(n, timeout)

    def finish(self, timeout=WAIT + 30):
        return super().finish(timeout)

    def events(self):
        return [json.loads(l) for l in self.lines if l.strip()]


class WatchTestBase(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)

    def watcher(self, *args, **kw):
        w = Watcher(self.ctl, *args, **kw)
        self.addCleanup(w.kill)
        return w

    def raw_sub(self, topic=b""):
        """A raw SUB socket on the daemon's PUB endpoint, and its context
        (both closed at cleanup): the bytes the endpoint sends."""
        ctx = zmq.Context()
        self.addCleanup(ctx.term)
        sub = ctx.socket(zmq.SUB)
        self.addCleanup(sub.close, 0)
        sub.setsockopt(zmq.SUBSCRIBE, topic)
        sub.connect(self.d.pub)
        return ctx, sub

    def head(self):
        """The last seq, from `expertctl log`."""
        evs = [json.loads(l) for l in self.ctl.run(
            "--json", "log", "--since", "1", "--limit", "1000000").out.splitlines()]
        return evs[-1]["seq"] if evs else 0

    def top_specialty(self):
        return top_specialty(self.ctl)

    def assert_exactly(self, w, first, last):
        seqs = [e["seq"] for e in w.events()]
        self.assertEqual(seqs, list(range(first, last + 1)),
                         "stderr: %s" % getattr(w, "err", ""))


class MidStreamTest(WatchTestBase):
    DRAWS = 40

    def test_since_mid_stream_prints_every_entry_once_in_order(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 300, seed=1)
        base = self.head()
        # genesis, term, 300 experts, and the merges of codes seen alone
        # (as a recommender) into the organisation a later row names
        # (REGISTRY.md 2.3)
        merges = sum(1 for l in self.ctl.run("--json", "log", "--since", "1",
                                              "--limit", "1000000").out.splitlines()
                     if json.loads(l).get("type") == "org.merged")
        self.assertEqual(base, 302 + merges)
        spec = self.top_specialty()
        done, lock = [], threading.Lock()
        ten_done, started = threading.Event(), threading.Event()

        def drawer(days):
            for i, day in enumerate(days):
                if i == 5:
                    started.wait(WAIT)            # let the watcher join mid-stream
                r = self.ctl.run(*draw_args(spec, 1, day), json_out=True, check=False)
                with lock:
                    done.append(r)
                    if len(done) >= 10:
                        ten_done.set()

        half = self.DRAWS // 2
        threads = [threading.Thread(target=drawer,
                                    args=(range(10 + k, 10 + k + 2 * half, 2),))
                   for k in (0, 1)]
        for t in threads:
            t.start()
        try:
            self.assertTrue(ten_done.wait(WAIT))
            since = base + 5                     # already in the log: history
            last = base + self.DRAWS             # each attempt is one entry
            w = self.watcher("--since", str(since), "--count", str(last - since + 1))
        finally:
            started.set()
            for t in threads:
                t.join(WAIT * 2)
        self.assertEqual(len(done), self.DRAWS)
        # Every attempt appended one entry (draw or draw.failed).
        for r in done:
            self.assertIn(r.rc, (0, 1), r)
            if r.rc:
                self.assertEqual(r.json["status"], "insufficient_candidates", r)
        self.assertEqual(w.finish(), 0, w.err)
        self.assert_exactly(w, since, last)
        types = {e["type"] for e in w.events()}
        self.assertTrue(types <= {"draw", "draw.failed"}, types)
        # The same history through `log`, with a filter.
        logged = [json.loads(l) for l in self.ctl.run(
            "--json", "log", "--since", str(since), "--topic", "draw",
            "--limit", "1000").out.splitlines()]
        self.assertEqual([e["seq"] for e in logged], list(range(since, last + 1)))

    def test_duration_since_and_filters(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 30, seed=2)
        # All of it happened within the last hour; none of it in the future.
        w = self.watcher("--since", "1h", "--count", "32")
        self.assertEqual(w.finish(), 0, w.err)
        self.assert_exactly(w, 1, 32)
        # --topic filters the history (and the count counts what is printed).
        w = self.watcher("--since", "1", "--topic", "term", "--count", "1")
        self.assertEqual(w.finish(), 0, w.err)
        self.assertEqual([e["type"] for e in w.events()], ["term.opened"])
        # Text lines: the column headings, then one per entry, the type
        # and the outcome on it, the time in China Standard Time.
        r = self.ctl.run("log", "--since", "2", "--limit", "2")
        head, *lines = r.out.splitlines()
        self.assertEqual(len(lines), 2, r)
        self.assertEqual(head.split()[:4], ["TIME", "(CST)", "SEQ", "TYPE"])
        self.assertIn("term.opened", lines[0])
        self.assertIn("pool.expert", lines[1])
        self.assertIn("imported", lines[1])
        cst = time.strftime("%Y-%m-%d %H:%M", time.gmtime(json.loads(
            self.ctl.run("--json", "log", "--since", "2", "--limit", "1").out)["at"]
            + 8 * 3600))
        self.assertTrue(lines[0].startswith(cst), (cst, lines[0]))
        zh = self.ctl.run("log", "--since", "2", "--limit", "2",
                          env={"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}).out
        self.assertTrue(zh.startswith("时间（北京时间）"), zh)
        self.assertIn("开启一届", zh)
        self.assertIn("导入", zh)
        self.assertIn("log --since 4", r.err)    # where the next page starts
        self.assertNotIn("\033[", r.out)          # no colour into a pipe


class MaskingTest(WatchTestBase):
    def test_no_personal_data_in_stream_log_or_metrics(self):
        path = os.path.join(self.dir, "roster.csv")
        genroster(path, 30, seed=3)
        people = read_roster(path)
        secrets = roster_secrets(people)
        self.assertEqual(len(people), 30)

        # A raw subscriber: the bytes the PUB endpoint sends.
        _, sub = self.raw_sub()
        watch = self.watcher("--since", "1", "--count", "35", json_out=False)

        self.open_term(self.ctl)
        self.ctl.json("pool", "import", "--appointed", path)
        spec = self.top_specialty()
        drawn = self.ctl.json(*draw_args(spec, 2, 20))
        first = drawn["panel"][0]["expert"]
        shown = self.ctl.json("pool", "show", str(first), "--reveal", "--reason", "test")
        self.assertIn(shown["expert"]["resident_id"], secrets)   # revealed in full
        self.ctl.run("pool", "suspend", str(first), "--reason", "test")
        self.ctl.run("pool", "reinstate", str(first), "--reason", "test")
        # 1 genesis + 1 term + 30 experts + 1 draw + suspend + reinstate = 35

        raw, msgs = [], {}
        deadline = time.monotonic() + WAIT
        while 35 not in msgs and time.monotonic() < deadline:
            if not sub.poll(1000):
                continue
            frames = sub.recv_multipart()
            self.assertEqual(len(frames), 2)
            raw.append(b"".join(frames))
            body = msgpack.unpackb(frames[1], raw=False)
            self.assertEqual(frames[0].decode(), body["type"])
            # The last entry of a batch carries its signed head too
            # (test_receipts checks it).
            self.assertEqual(sorted(set(body) - {"head"}),
                             ["at", "entry", "hash", "seq", "type"])
            self.assertEqual(len(body["hash"]), 32)
            msgs[body["seq"]] = body
        # The subscription may take effect after the first entries went out;
        # everything from the draw on was sent after the import.
        self.assertIn(33, msgs)
        self.assertIn(35, msgs)
        draw = msgs[33]["entry"]
        self.assertEqual(msgs[33]["type"], "draw")
        by_id = {i + 1: p for i, p in enumerate(people)}    # ids in line order
        self.assertEqual(draw["panel_names"],
                         [mask_name(by_id[e]["姓名"]) for e in draw["panel"]])
        experts = [m["entry"]["expert"] for s, m in msgs.items()
                   if m["type"] == "pool.expert"]
        self.assertGreater(len(experts), 0)
        for x in experts:
            self.assertNotIn("birth", x)
            self.assertEqual(x["name"], mask_name(by_id[x["id"]]["姓名"]))
        # Read back with `masked` (PROTOCOL.md 7.11.1), the log gives the
        # very messages the endpoint sent, names included, heads aside.
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        rep = conn.call("audit.entries", {"after": 32, "limit": 3, "masked": True})
        self.assertEqual(rep["status"], "ok", rep)
        back = [unpack(b) for b in rep["result"]["entries"]]
        self.assertEqual(back, [{k: v for k, v in msgs[s].items() if k != "head"}
                                for s in (33, 34, 35)])
        self.assertEqual(back[0]["entry"]["panel_names"], draw["panel_names"])

        self.assertEqual(watch.finish(), 0, watch.err)
        text = "".join(watch.lines)
        self.assertEqual(len(watch.lines), 1 + 35, text)    # headings, 35 entries
        self.assertTrue(watch.lines[0].startswith("TIME (CST)"), watch.lines[0])
        self.assertIn(mask_name(by_id[first]["姓名"]), text)
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics,
                                    timeout=10) as r:
            metrics = r.read().decode()
        log = self.d.read_log()
        stream = b"".join(raw).decode("utf-8", "replace")
        for s in sorted(secrets):
            for where, what in (("PUB stream", stream), ("watch output", text),
                                ("daemon log", log), ("metrics", metrics)):
                self.assertNotIn(s, what, "%s shows %s" % (where, s))


class SlowSubscriberTest(WatchTestBase):
    BURST = 3000

    def test_gap_is_reported_and_refetched(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 10, seed=4)
        total = 2 + 10 + self.BURST
        # A one-message receive queue and a stall at the first live entry:
        # the burst overflows the daemon's send queue (1000 messages), which
        # drops the rest. Watcher `gap` never looks at the log when idle, so
        # only the next live entry shows it the gap; `tail` looks after a
        # second of quiet, which finds the dropped tail of the burst (or,
        # if it looks while the burst commits, the whole burst).
        slow = {"EXPERTCTL_SUB_HWM": "1", "EXPERTCTL_WATCH_STALL_MS": "3000"}
        gap = self.watcher("--since", "1", "--count", str(total + 1),
                           env=dict(slow, EXPERTCTL_WATCH_IDLE_MS="3600000"))
        tail = self.watcher("--since", "1", "--count", str(total), env=slow)
        for w in (gap, tail):
            self.assertEqual(len(w.read_lines(12)), 12)   # history printed
        self.import_roster(self.ctl, self.BURST, seed=5)  # one commit, one burst

        self.assertEqual(tail.finish(), 0, tail.err)
        self.assert_exactly(tail, 1, total)
        self.assertIn("fetched", tail.err)

        # The next entry shows `gap` the gap. It may itself be dropped if
        # `gap` is still catching up, so make entries (bounded) until it
        # has printed its count; it stops at the first of them.
        for i in range(20):
            if not gap.running():
                break
            self.ctl.run("pool", "suspend" if i % 2 == 0 else "reinstate", "1",
                         "--reason", "the next entry")
            gap.read_lines(total + 1, timeout=2)
        self.assertEqual(gap.finish(), 0, gap.err)
        self.assert_exactly(gap, 1, total + 1)
        self.assertIn("re-fetched", gap.err)
        self.assertIn("after a gap", gap.err)
        self.assertEqual(gap.events()[-1]["entry"]["event"], "suspended")


class SignedHeadTest(WatchTestBase):
    """watch --sign-key: each signed head the stream carries (STREAMS.md 3)
    checked against the published key (DRAW.md 4.7.1)."""

    def stop(self, w):
        """SIGINT, as a person stops a watch; the exit status."""
        w.proc.send_signal(signal.SIGINT)
        return w.finish()

    def test_heads_verify_under_the_published_key_and_not_under_another(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 30, seed=2)
        spec = self.top_specialty()
        sign_keygen(self.dir, "other")
        good = self.watcher("--sign-key", os.path.join(self.dir, "sign.pub"),
                            json_out=False)
        bad = self.watcher("--sign-key", os.path.join(self.dir, "other.pub"),
                           json_out=False)
        # Each draw is a batch of its own, so its entry is the signed head;
        # draw until both watchers heard one live (the subscription takes
        # effect some time after the watcher starts).
        marked = lambda l: "[signed head:" in l
        for k in range(20):
            self.ctl.json(*draw_args(spec, 1, 20 + k))
            if good.wait_for(marked, 2) and bad.wait_for(marked, 2):
                break
        self.assertEqual(self.stop(good), 0, good.err)
        self.assertEqual(self.stop(bad), 1, bad.err)
        heard = [l for l in good.lines if marked(l)]
        self.assertTrue(heard, good.lines)
        self.assertTrue(all(l.rstrip().endswith("[signed head: verified]")
                            for l in heard), heard)
        self.assertNotIn("BAD", good.err)
        wrong = [l for l in bad.lines if marked(l)]
        self.assertTrue(wrong, bad.lines)
        self.assertTrue(all("[signed head: BAD SIGNATURE]" in l for l in wrong), wrong)
        self.assertRegex(bad.err, r"BAD SIGNED HEAD at seq \d+: it is signed by "
                         r"another key than the signing key given")
        self.assertNotIn("verified", "".join(bad.lines))

    def test_an_altered_head_is_reported_loudly(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 30, seed=2)
        spec = self.top_specialty()
        ctx, sub = self.raw_sub(b"draw")
        # What the daemon publishes, relayed by the test, as a machine
        # between the daemon and the watcher could.
        relay = ctx.socket(zmq.PUB)
        self.addCleanup(relay.close, 0)
        relay_ep = "tcp://127.0.0.1:%d" % free_tcp_port()
        relay.bind(relay_ep)
        first = self.head() + 1
        w = self.watcher("--pub-endpoint", relay_ep, "--since", str(first),
                         "--sign-key", os.path.join(self.dir, "sign.pub"),
                         env={"EXPERTCTL_WATCH_IDLE_MS": "600000"})
        days = iter(range(20, 200))

        def captured():
            """A draw's message as the daemon sent it: [topic, body]."""
            for _ in range(20):
                seq = self.ctl.json(*draw_args(spec, 1, next(days)))["seq"]
                deadline = time.monotonic() + 2
                while time.monotonic() < deadline and sub.poll(200):
                    frames = sub.recv_multipart()
                    body = msgpack.unpackb(frames[1], raw=False)
                    if body["seq"] == seq:
                        self.assertIn("head", body)
                        return frames[0], body
            self.fail("the daemon's draws never arrived")

        def relayed(topic, body):
            """Send until the watcher printed it (gaps it fetches itself)."""
            data = msgpack.packb(body, use_bin_type=True)
            for _ in range(WAIT * 5):
                relay.send_multipart([topic, data])
                got = w.wait_for(lambda l: json.loads(l)["seq"] == body["seq"], 0.2)
                if got:
                    return json.loads(got[0])
            self.fail("the watcher never printed seq %d" % body["seq"])

        # Printed from the history or relayed: either way the watcher has
        # read its history, so what is drawn from here on comes live.
        started = relayed(*captured())["seq"]
        topic, genuine = captured()
        self.assertEqual(relayed(topic, genuine)["signed_head"], "verified")
        topic, forged = captured()
        sig = bytearray(forged["head"]["sig"])
        sig[7] ^= 0x01
        forged["head"]["sig"] = bytes(sig)
        self.assertEqual(relayed(topic, forged)["signed_head"], "bad")
        topic, moved = captured()
        moved["head"]["hash"] = genuine["hash"]    # a head of another entry
        self.assertEqual(relayed(topic, moved)["signed_head"], "bad")
        self.assertEqual(self.stop(w), 1, w.err)
        self.assertIn("BAD SIGNED HEAD at seq %d: its signature does not verify under "
                      "the signing key" % forged["seq"], w.err)
        self.assertIn("BAD SIGNED HEAD at seq %d: it does not name the entry it came "
                      "with" % moved["seq"], w.err)
        # Every entry once, in order; only the relayed heads are marked.
        evs = w.events()
        self.assertEqual([e["seq"] for e in evs], list(range(first, moved["seq"] + 1)))
        self.assertEqual({e["seq"]: e["signed_head"] for e in evs
                          if "signed_head" in e and e["seq"] > started},
                         {genuine["seq"]: "verified", forged["seq"]: "bad",
                          moved["seq"]: "bad"})


class SecureWatchTest(DaemonTest):
    def setUp(self):
        super().setUp()
        server_key, self.server_pub, _, _ = keygen(self.dir, "server")
        self.op_key, _, op_pub, _ = keygen(self.dir, "ops")
        self.bureau_key, _, bureau_pub, _ = keygen(self.dir, "haizhu")
        self.sms_key, _, sms_pub, _ = keygen(self.dir, "sms")
        self.stranger_key, _, _, _ = keygen(self.dir, "stranger")
        allowlist = os.path.join(self.dir, "allowlist")
        with open(allowlist, "w") as f:
            f.write("%s center-ops operator\n" % op_pub)
            f.write("%s gz-haizhu bureau 440105\n" % bureau_pub)
            f.write("%s sms-gateway notifier\n" % sms_pub)
        self.d = self.start_daemon(
            secure={"server_key": server_key, "allowlist": allowlist},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, self.op_key, self.server_pub))
        self.op = Ctl(self.d, self.op_key, self.server_pub)

    def watcher(self, key, *args, **kw):
        w = Watcher(Ctl(self.d, key, self.server_pub), *args, **kw)
        self.addCleanup(w.kill)
        return w

    def test_operator_and_notifier_watch_bureau_refused(self):
        self.open_term(self.op)
        self.import_roster(self.op, 3, seed=6)
        # A bureau key is served on the request endpoint, refused here.
        bureau = self.watcher(self.bureau_key, "--count", "1")
        self.assertEqual(bureau.finish(), 77, bureau.err)     # EX_NOPERM
        self.assertIn("refused this key", bureau.err)
        self.assertEqual(bureau.lines, [])
        self.assertIn("Role not allowed (domain 'expertd-pub'", self.d.read_log())
        # An unknown key gets nowhere: refused at the request endpoint's
        # handshake, and told so at once (not after the 60 s timeout).
        stranger = self.watcher(self.stranger_key, "--count", "1", timeout=60000,
                                retries=0)
        self.assertEqual(stranger.finish(), 77, stranger.err)  # EX_NOPERM
        self.assertIn("refused this client's key", stranger.err)
        self.assertEqual(stranger.lines, [])

        # Live only: the operator's watcher never looks at the log when
        # quiet (an entry fetched from audit.entries carries no name, and on
        # a loaded machine the fetch could win the race with the stream).
        live = {"EXPERTCTL_WATCH_IDLE_MS": "3600000"}
        op = self.watcher(self.op_key, "--count", "3", env=live)
        sms = self.watcher(self.sms_key, "--count", "3")
        # Keep making entries until both have three (bounded).
        for i in range(20):
            if not op.running() and not sms.running():
                break
            self.op.run("pool", "suspend" if i % 2 == 0 else "reinstate", "1",
                        "--reason", "watch test")
            op.read_lines(i + 1, timeout=2)
            sms.read_lines(i + 1, timeout=2)
        self.assertEqual(op.finish(), 0, op.err)
        self.assertEqual(sms.finish(), 0, sms.err)
        for w in (op, sms):
            evs = w.events()
            self.assertEqual(len(evs), 3, w.err)
            self.assertTrue(all(e["type"] == "pool.expert" for e in evs))
            self.assertTrue(all(e["entry"]["expert"]["name"] for e in evs))
        # The operator started from the head as it found it (the loop may
        # have added an entry by then) and saw an unbroken run.
        seqs = [e["seq"] for e in op.events()]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] + 3)))
        self.assertGreaterEqual(seqs[0], 2 + 3 + 1)
        # The notifier may not read history: --since is refused.
        r = Ctl(self.d, self.sms_key, self.server_pub).run(
            "watch", "--pub-endpoint", self.d.pub, "--since", "1", "--count", "1",
            check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("forbidden", r.err)


if __name__ == "__main__":
    unittest.main()
