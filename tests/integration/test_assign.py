"""The assignment lifecycle (issue #4) end to end: the real daemon driven by
expertctl, plus raw ZeroMQ where a test needs one connection or the bytes.

- Tokens: right, wrong, reused, after the deadline, for a cancelled task,
  all dead ones refused alike (invalid_token); shown once; throttling after
  5 invalid tokens on one connection of the answer endpoint.
- Staff answers (secure mode): a clerk and a bureau answer for their own
  bureau's tasks only; an expert answers with a key made for the run.
- Declines with every reason; conflict records the conflict.
- Replacement: backups promoted in order, then replacement draws, then
  `short`; nobody twice on a task.
- Deadlines: expiry by the timer while running, expiry of deadlines passed
  while the daemon was stopped, an answer racing the expiry.
- task cancel (nothing counts against the experts), task attendance.
- The ledger: warn and flag, flagged experts not drawn, reinstate, revoke.
- The notification stream: notify.offer carries the token and it works.
- The end-to-end scenario of the issue, after which no token is in the
  daemon log, the event stream or the audit log, and audit verify passes.

The roster is written here, so each specialty has a known number of
experts, all eligible for a competition and without employer codes (the
diversity rule never drops anyone). Nothing sleeps to synchronise: streams
are proven live with probe draws, waits are bounded polls; sleeps only let
a deadline pass.
"""
import json
import os
import re
import sqlite3
import threading
import time
import unittest
import urllib.request

import zmq

from harness import (Ctl, CtlProcess, DaemonTest, RawClient, draw_args,
                     free_tcp_port, keygen, unpack)
from test_draw import ORG_A, ORG_B, ORG_C

WAIT = 60            # seconds: the bound on every wait (ASan builds are slow)
DAY = 86400
TOKEN_RE = re.compile(r"^(\d+)\.[A-Za-z0-9_-]{22}$")

# specialty -> number of experts; ids are given in this order, from 1.
ROSTER = [("电工", 12), ("焊工", 6), ("钳工", 1), ("车工", 1), ("探针", 1)]
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "建国明华丽军芳伟秀英"


def resident_id(i):
    body = "440106%04d%02d%02d%03d" % (1975 + i % 20, 1 + i % 12, 1 + i % 28, i)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * k for d, k in zip(body, w)) % 11]


def write_roster(path):
    """The roster; returns {specialty: [(id, name, phone, resident_id)]}."""
    head = ("name,sex,resident_id,phone,specialties,group_types,title,"
            "qualification,assess_years,training_years\n")
    people, i = {}, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        for spec, n in ROSTER:
            for _ in range(n):
                i += 1
                name = SURNAMES[i % 10] + GIVEN[i // 10 % 10] + GIVEN[(i * 7) % 10]
                phone = "1390000%04d" % i
                rid = resident_id(i)
                f.write("%s,%s,%s,%s,%s,skill_evaluation,intermediate,technician,3,0\n"
                        % (name, "male" if i % 2 else "female", rid, phone, spec))
                people.setdefault(spec, []).append((i, name, phone, rid))
    return people


class Stream:
    """A raw SUB socket read by its own thread: every [topic][body]."""

    def __init__(self, endpoint, topic=b""):
        self.msgs, self.raw = [], []
        self.cond = threading.Condition()
        self.stop = False
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(endpoint, topic, ready),
                                       daemon=True)
        self.thread.start()
        ready.wait(WAIT)

    def _run(self, endpoint, topic, ready):
        ctx = zmq.Context()
        sock = ctx.socket(zmq.SUB)
        sock.setsockopt(zmq.SUBSCRIBE, topic)
        sock.connect(endpoint)
        ready.set()
        while not self.stop:
            if sock.poll(100):
                frames = sock.recv_multipart()
                with self.cond:
                    self.raw.append(b"".join(frames))
                    self.msgs.append((frames[0].decode(), unpack(frames[1])))
                    self.cond.notify_all()
        sock.close(0)
        ctx.term()

    def matching(self, pred):
        with self.cond:
            return [(t, b) for t, b in self.msgs if pred(t, b)]

    def wait_for(self, pred, n=1, timeout=WAIT):
        """Wait (bounded) until n messages match; returns those that do."""
        with self.cond:
            self.cond.wait_for(
                lambda: sum(1 for t, b in self.msgs if pred(t, b)) >= n, timeout)
            return [(t, b) for t, b in self.msgs if pred(t, b)]

    def close(self):
        self.stop = True
        self.thread.join(10)


class NotifyWatcher(CtlProcess):
    """`expertctl --json watch --notify ...`, each line a decoded message."""

    def __init__(self, ctl, *args):
        a = ctl.base() + ["--json", "watch", "--notify", "--notify-endpoint",
                          ctl.daemon.notify, "--wait", str(WAIT)] + list(args)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("EXPERTD_") and k != "EXPERTCTL_KEY"}
        super().__init__(a, env, parse=lambda raw: json.loads(raw.decode()))

    def wait_for(self, pred, timeout=WAIT):
        return super().wait_for(pred, timeout)


class AssignBase(DaemonTest):
    CONFIG = None        # INI text for --config

    def setUp(self):
        super().setUp()
        extra = ["--config", self.write_config(self.CONFIG)] if self.CONFIG else []
        self.d = self.start_daemon(extra=extra)
        self.ctl = Ctl(self.d)
        self.setup_pool(self.ctl)

    def setup_pool(self, ctl):
        self.open_term(ctl)
        self.people = write_roster(os.path.join(self.dir, "roster.csv"))
        ctl.json("pool", "import", os.path.join(self.dir, "roster.csv"))
        listed = ctl.json("pool", "list", "--limit", "1000")["experts"]
        for spec, ps in self.people.items():
            self.assertEqual(sorted(e["id"] for e in listed if e["specialties"] == [spec]),
                             [p[0] for p in ps], "ids are not in line order")
        self.probes = 0

    # ---- helpers ----

    def start_at(self, days):
        """A task start `days` days from now (whole seconds)."""
        return int(time.time()) + int(days * DAY)

    def draw(self, spec, members, days, ctl=None, **kw):
        return (ctl or self.ctl).json(*draw_args(spec, members, start=self.start_at(days),
                                                 **kw))

    def tokens(self, res):
        """The draw's tokens as {assignment id: token}."""
        return {int(k): v for k, v in res["tokens"].items()}

    def expert_run(self, verb, token, *extra, ctl=None):
        """confirm/decline TOKEN on the answer endpoint; the Result."""
        return (ctl or self.ctl).run(verb, token, "--answer-endpoint", self.d.answer,
                                     *extra, json_out=True, check=False)

    def confirm(self, token, **kw):
        r = self.expert_run("confirm", token, **kw)
        self.assertEqual(r.rc, 0, r)
        return r.json

    def decline(self, token, reason, *extra, **kw):
        r = self.expert_run("decline", token, "--reason", reason, *extra, **kw)
        self.assertEqual(r.rc, 0, r)
        return r.json

    def staff(self, assignment, answer, *extra, ctl=None, check=True):
        r = (ctl or self.ctl).run("answer", str(assignment), answer, *extra,
                                  json_out=True, check=False)
        if check:
            self.assertEqual(r.rc, 0, r)
            return r.json
        return r

    def reissue(self, assignment, reason="sms lost", ctl=None, check=True, **kw):
        r = (ctl or self.ctl).run("reissue", str(assignment), "--reason", reason,
                                  json_out=True, check=False, **kw)
        if check:
            self.assertEqual(r.rc, 0, r)
            return r.json
        return r

    def assert_error(self, r, status, field=None):
        self.assertEqual(r.rc, 1, r)
        self.assertIsNotNone(r.json, r)
        self.assertEqual(r.json["status"], status, r)
        if field is not None:
            self.assertEqual(r.json.get("field"), field, r)

    def show(self, task, ctl=None):
        return (ctl or self.ctl).json("task", "show", str(task))

    def seats(self, task):
        return {s["assignment"]: s for s in self.show(task)["seats"]}

    def ledger(self, expert):
        return self.ctl.json("pool", "show", str(expert))["ledger"]

    def entries(self):
        out = self.ctl.run("--json", "log", "--since", "1", "--limit", "1000000").out
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def verify(self):
        v = self.ctl.run("audit", "verify", json_out=True, check=False)
        self.assertEqual(v.rc, 0, v)
        self.assertTrue(v.json["ok"], v)
        return v.json

    def probe(self, streams=(), watchers=(), ctl=None):
        """Draw the probe expert until every stream and watcher has heard
        of the probe task: then their subscriptions are in effect."""
        for _ in range(20):
            self.probes += 1
            res = self.draw("探针", 1, 300 + self.probes, ctl=ctl)
            task = res["task"]
            heard = [s.wait_for(lambda t, b: b.get("task") == task or
                                (b.get("entry") or {}).get("task") == task, timeout=1)
                     for s in streams]
            heard += [w.wait_for(lambda m: m.get("task") == task, timeout=1)
                      for w in watchers]
            if all(heard):
                return res
        self.fail("the subscriptions never took effect")

    def stream(self, endpoint, topic=b""):
        s = Stream(endpoint, topic)
        self.addCleanup(s.close)
        return s

    def notify_watcher(self, ctl=None, *args):
        w = NotifyWatcher(ctl or self.ctl, *args)
        self.addCleanup(w.kill)
        return w


class TokenTest(AssignBase):
    def test_right_wrong_and_reused_tokens(self):
        res = self.draw("电工", 3, 10, backups=1, ctl=None)
        panel = res["panel"]
        self.assertEqual([(p["role"], p["state"]) for p in panel],
                         [("member", "offered")] * 3 + [("backup", "standby")])
        offered = [p["assignment"] for p in panel if p["state"] == "offered"]
        toks = self.tokens(res)
        # One token per offered seat, none for the backup; "<id>.<22>".
        self.assertEqual(sorted(toks), sorted(offered))
        for a, t in toks.items():
            self.assertEqual(int(TOKEN_RE.match(t).group(1)), a, t)
        self.assertEqual(len(set(toks.values())), 3)
        self.assertIsNone(panel[3]["deadline"])
        for p in panel[:3]:
            # The default response time is 24 hours.
            self.assertAlmostEqual(p["deadline"], int(time.time()) + DAY, delta=120)
        a1, a2, a3 = offered

        ok = self.confirm(toks[a1])
        self.assertEqual((ok["assignment"], ok["task"], ok["state"]),
                         (a1, res["task"], "accepted"))
        self.assertEqual((ok["kind"], ok["specialty"]), ("competition", "电工"))
        for k in ("start", "end", "district"):
            self.assertIn(k, ok)
        self.assertEqual(ok["tokens"], {}, "an expert's answer shows no tokens")

        # Reused, on this or the other verb; a wrong one; a made-up one:
        # the same refusal, so a caller cannot tell them apart.
        wrong = toks[a2][:-1] + ("A" if toks[a2][-1] != "A" else "B")
        refusals = [self.expert_run("confirm", toks[a1]),
                    self.expert_run("decline", toks[a1], "--reason", "schedule"),
                    self.expert_run("confirm", wrong),
                    self.expert_run("confirm", "999999.AAAAAAAAAAAAAAAAAAAAAA"),
                    self.expert_run("confirm", "abc")]
        for r in refusals:
            self.assert_error(r, "invalid_token", "token")
            self.assertIn("invalid_token", r.err)
        self.assertEqual(len({(r.json["message"], r.json.get("field")) for r in refusals}),
                         1, [r.json for r in refusals])
        # The wrong guesses changed nothing: the right token still works.
        self.assertEqual(self.confirm(toks[a2])["state"], "accepted")
        seats = self.seats(res["task"])
        self.assertEqual([seats[a]["state"] for a in (a1, a2, a3)],
                         ["accepted", "accepted", "offered"])
        self.assertIsNone(seats[a1]["deadline"])
        self.assertIsNotNone(seats[a3]["deadline"])
        # An accepted seat cannot be accepted again, by staff either.
        r = self.staff(a1, "accept", "--channel", "phone", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        self.assertIn("accepted", r.json["message"])
        hist = [h for h in self.show(res["task"])["history"] if h["assignment"] == a1]
        self.assertEqual([(h["event"], h["from"], h["to"]) for h in hist],
                         [("offer", None, "offered"), ("accept", "offered", "accepted")])
        self.assertEqual(hist[1]["channel"], "token")
        # Tokens are nowhere but in the reply that made them.
        shown = self.ctl.run("--json", "task", "show", str(res["task"])).out
        shown += self.ctl.run("task", "show", str(res["task"])).out
        for t in toks.values():
            self.assertNotIn(t.split(".")[1], shown)

    def test_tokens_are_shown_once(self):
        args = draw_args("电工", 2, start=self.start_at(11))
        first = self.ctl.json(*args, request_id="draw-once")
        again = self.ctl.json(*args, request_id="draw-once")
        self.assertEqual(len(first["tokens"]), 2)
        self.assertEqual(again["tokens"], {})
        self.assertEqual(again["panel"], first["panel"])
        text = self.ctl.run(*args, request_id="draw-once").out
        self.assertIn("no tokens: a repeated request gets the recorded reply", text)
        fresh = self.ctl.run(*draw_args("电工", 2, start=self.start_at(12)))
        self.assertIn("Tokens are shown this once", fresh.out)
        self.assertRegex(fresh.out, r"(?m)^SEAT\s+ROLE\s+.*ASSIGNMENT\s+STATE\s+"
                                    r"ANSWER BY \(CST\)\s+TOKEN$")
        self.assertRegex(fresh.out, r"(?m)\s\d+\s+offered\s+\d{4}-\d\d-\d\d \d\d:\d\d\s+"
                                    r"\d+\.[A-Za-z0-9_-]{22}$")

    def test_token_for_a_cancelled_task_and_cancel(self):
        res = self.draw("电工", 2, 10, backups=2)
        toks = self.tokens(res)
        a = [p["assignment"] for p in res["panel"]]
        self.confirm(toks[a[0]])
        out = self.ctl.json("task", "cancel", str(res["task"]), "--reason", "venue closed")
        self.assertEqual(out, {"task": res["task"], "cancelled": 4})
        for t in toks.values():
            self.assert_error(self.expert_run("confirm", t), "invalid_token", "token")
        shown = self.show(res["task"])
        self.assertEqual((shown["task"]["state"], shown["task"]["fill"],
                          shown["task"]["cancel_reason"]),
                         ("cancelled", "cancelled", "venue closed"))
        self.assertEqual([s["state"] for s in shown["seats"]], ["cancelled"] * 4)
        self.assertTrue(all(s["deadline"] is None for s in shown["seats"]))
        # Cancellation never counts against an expert.
        for p in res["panel"]:
            self.assertEqual(self.ledger(p["expert"])["events"], [])
        again = self.ctl.run("task", "cancel", str(res["task"]), "--reason", "x",
                             json_out=True, check=False)
        self.assert_error(again, "invalid_state", "task")
        r = self.staff(a[1], "accept", "--channel", "phone", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        # The log: one assignment.cancelled per seat, then task.cancelled.
        tail = [e for e in self.entries() if e["entry"] and
                e["entry"].get("task") == res["task"]][-5:]
        self.assertEqual([e["type"] for e in tail],
                         ["assignment.cancelled"] * 4 + ["task.cancelled"])
        self.assertEqual(sorted(e["entry"]["assignment"] for e in tail[:4]), sorted(a))
        self.assertTrue(all("ledger" not in e["entry"] for e in tail[:4]))
        self.assertEqual((tail[4]["entry"]["seats"], tail[4]["entry"]["reason"]),
                         (4, "venue closed"))
        self.verify()


class ThrottleTest(AssignBase):
    def test_five_invalid_tokens_throttle_one_connection(self):
        res = self.draw("电工", 2, 10)
        toks = list(self.tokens(res).values())
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        for i in range(5):
            rep = conn.call("assignment.answer",
                            {"token": "%d.%s" % (i + 1, "A" * 22), "answer": "accept"})
            self.assertEqual((rep["status"], rep.get("field")), ("invalid_token", "token"))
            self.assertNotIn("tokens", rep)
        rep = conn.call("assignment.answer", {"token": "x" * 10, "answer": "accept"})
        self.assertEqual(rep["status"], "throttled", rep)
        # A throttled request is not run, even with a good token ...
        rep = conn.call("assignment.answer", {"token": toks[0], "answer": "accept"})
        self.assertEqual(rep["status"], "throttled", rep)
        # ... which another connection can still use.
        self.assertEqual(self.confirm(toks[0])["state"], "accepted")
        other = RawClient(self.d.answer)
        self.addCleanup(other.close)
        rep = other.call("assignment.answer", {"token": toks[1], "answer": "decline",
                                               "reason": "illness"})
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "declined"), rep)
        # The answer endpoint serves only assignment.answer, and the request
        # endpoint never serves it.
        self.assertEqual(other.call("ping", {})["status"], "forbidden")
        req = RawClient(self.d.endpoint)
        self.addCleanup(req.close)
        rep = req.call("assignment.answer", {"token": toks[0], "answer": "accept"})
        self.assertEqual(rep["status"], "forbidden", rep)
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics,
                                    timeout=10) as r:
            metrics = r.read().decode()
        m = re.search(r"(?m)^expertd_token_failures_total(?:\{[^}]*\})? (\d+)", metrics)
        self.assertIsNotNone(m, "no expertd_token_failures_total in /metrics")
        self.assertGreaterEqual(int(m.group(1)), 5)


    def test_invalid_tokens_leave_no_retry_record(self):
        res = self.draw("电工", 1, 10)
        tok = list(self.tokens(res).values())[0]

        def records():
            with sqlite3.connect(self.d.db) as conn:
                return conn.execute("SELECT count(*) FROM requests").fetchone()[0]

        before = records()
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        guess = {"token": tok[:-1] + ("B" if tok[-1] != "B" else "C"),
                 "answer": "accept"}
        for _ in range(2):   # the same id and bytes: answered alike, twice
            rep = conn.call("assignment.answer", guess, rid="guess-1")
            self.assertEqual(rep["status"], "invalid_token", rep)
        self.assertEqual(records(), before)
        # The id was not taken by the guess: the real token may use it,
        # and that answer is recorded and replayed.
        good = {"token": tok, "answer": "accept"}
        rep = conn.call("assignment.answer", good, rid="guess-1")
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "accepted"), rep)
        self.assertEqual(records(), before + 1)
        again = conn.call("assignment.answer", good, rid="guess-1")
        self.assertEqual(again, rep)

    def test_pipelined_guesses_are_throttled_within_one_batch(self):
        # Sent without waiting, so most of them arrive in one batch: still
        # no more than 5 run as invalid_token, the rest are refused unrun.
        self.draw("电工", 1, 10)
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        ids = []
        for i in range(40):
            guess = {"token": "%d.%s" % (i + 1, "B" * 22), "answer": "accept"}
            ids.append(conn.send_request("assignment.answer", guess))
        statuses = {}
        while len(statuses) < len(ids):
            self.assertTrue(conn.sock.poll(WAIT * 1000), "replies missing: %d of %d"
                            % (len(statuses), len(ids)))
            rep = unpack(conn.sock.recv_multipart()[-1])
            statuses[rep["id"]] = rep["status"]
        self.assertEqual(set(statuses), set(ids), "a reply without its request id")
        counts = {st: list(statuses.values()).count(st) for st in set(statuses.values())}
        self.assertEqual(counts, {"invalid_token": 5, "throttled": 35})


class DeclineReasonsTest(AssignBase):
    def test_each_reason_and_conflict_records_the_conflict(self):
        res = self.draw("电工", 5, 20, orgs=(ORG_A, ORG_B))
        toks = self.tokens(res)
        a = [p["assignment"] for p in res["panel"]]
        e = [p["expert"] for p in res["panel"]]
        # conflict needs an organisation of the task when it has several.
        self.assert_error(self.expert_run("decline", toks[a[0]], "--reason", "conflict"),
                          "invalid_field", "org_code")
        self.assert_error(self.expert_run("decline", toks[a[0]], "--reason", "conflict",
                                          "--org", ORG_C), "invalid_field", "org_code")
        # other needs a note; accept takes no reason.
        self.assert_error(self.expert_run("decline", toks[a[4]], "--reason", "other"),
                          "invalid_field", "note")
        self.assert_error(self.staff(a[4], "accept", "--channel", "phone", "--reason",
                                     "illness", check=False), "invalid_field", "reason")
        # Refused requests changed nothing: the tokens still work.
        out = [self.decline(toks[a[0]], "conflict", "--org", ORG_B),
               self.decline(toks[a[1]], "illness"),
               self.decline(toks[a[2]], "official_duty"),
               self.decline(toks[a[3]], "schedule"),
               self.decline(toks[a[4]], "other", "--note", "moving house")]
        self.assertEqual([o["state"] for o in out], ["declined"] * 5)
        conflicts = self.ctl.json("conflict", "list", "--expert", str(e[0]))["conflicts"]
        self.assertEqual([(c["org_code"], c["kind"]) for c in conflicts], [(ORG_B, "other")])
        self.assertNotIn("valid_to", conflicts[0])
        # Defaults: conflict, illness and official_duty are excused, and
        # the first two excused declines in the window weigh nothing.
        kinds = [[ev["kind"] for ev in self.ledger(x)["events"]] for x in e]
        self.assertEqual(kinds, [["excused_decline"]] * 3 + [["decline"]] * 2)
        self.assertEqual([self.ledger(x)["score"] for x in e], [0, 0, 0, 1, 1])
        hist = {h["assignment"]: h for h in self.show(res["task"])["history"]
                if h["event"] == "decline"}
        self.assertEqual([(hist[x]["reason"], hist[x]["note"]) for x in a],
                         [("conflict", ""), ("illness", ""), ("official_duty", ""),
                          ("schedule", ""), ("other", "moving house")])
        # The log: the decline, then the conflict it declares.
        log = self.entries()
        i = next(k for k, x in enumerate(log) if x["type"] == "assignment.declined")
        self.assertEqual(log[i + 1]["type"], "pool.conflict")
        self.assertEqual(log[i + 1]["entry"]["expert"], e[0])
        self.assertNotIn("moving house", json.dumps(log, ensure_ascii=False))
        # The recorded conflict is a recusal rule for later draws.
        r = self.ctl.run(*draw_args("电工", 30, start=self.start_at(40), orgs=(ORG_B,)),
                         json_out=True, check=False)
        self.assert_error(r, "insufficient_candidates")
        self.assertEqual(r.json["result"]["excluded"]["conflict"], 1)
        self.verify()


class ReplacementTest(AssignBase):
    def test_a_redraw_recomputes_the_fill(self):
        res = self.draw("电工", 1, 10)
        task, a = res["task"], res["panel"][0]["assignment"]
        self.staff(a, "accept", "--channel", "phone")
        self.assertEqual(self.show(task)["task"]["fill"], "filled")
        self.ctl.run("redraw", str(task), "--reason", "venue changed")
        shown = self.show(task)
        self.assertEqual(shown["task"]["fill"], "filling")
        fresh = [s for s in shown["seats"] if s["state"] == "offered"]
        self.assertEqual(len(fresh), 1)
        self.staff(fresh[0]["assignment"], "accept", "--channel", "phone")
        self.assertEqual(self.show(task)["task"]["fill"], "filled")
        filled = [e for e in self.entries() if e["type"] == "task.filled"]
        self.assertEqual(len(filled), 2)
        self.verify()

    def test_backups_in_order_then_replacement_draws_then_short(self):
        welders = [p[0] for p in self.people["焊工"]]
        res = self.draw("焊工", 2, 10, backups=2)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        seated = [p["expert"] for p in res["panel"]]
        # Staff declines: each reply names the seat that took the place.
        fills = []
        for victim in (a[0], a[1]):
            out = self.staff(victim, "decline", "--channel", "phone", "--reason",
                             "schedule")
            self.assertEqual(out["state"], "declined")
            fills.append(out["filled_by"])
            tok = self.tokens(out)
            self.assertEqual(list(tok), [out["filled_by"]["assignment"]])
        # Backups in order of their assignment ids, taking the member role.
        self.assertEqual([(f["assignment"], f["how"], f["role"]) for f in fills],
                         [(a[2], "promoted", "member"), (a[3], "promoted", "member")])
        seats = self.seats(task)
        self.assertEqual([(seats[x]["state"], seats[x]["role"]) for x in a[2:]],
                         [("offered", "member")] * 2)
        self.assertTrue(all(seats[x]["deadline"] for x in a[2:]))
        # No backup left: replacement draws, never anyone already seated.
        drawn = []
        for victim in (a[2], a[3]):
            out = self.staff(victim, "decline", "--channel", "sms", "--reason", "other",
                             "--note", "abroad")
            f = out["filled_by"]
            self.assertEqual((f["how"], f["role"]), ("drawn", "member"))
            self.assertNotIn(f["expert"], seated)
            self.assertIn(f["expert"], welders)
            seated.append(f["expert"])
            drawn.append((f["assignment"], self.tokens(out)[f["assignment"]]))
        self.assertEqual(sorted(seated), sorted(welders))   # all six used
        # The pool is exhausted: the next freed seat leaves the task short.
        out = self.staff(drawn[0][0], "decline", "--channel", "email", "--reason",
                         "schedule")
        self.assertIsNone(out["filled_by"])
        self.assertEqual(out["tokens"], {})
        shown = self.show(task)
        self.assertEqual(shown["task"]["fill"], "short")
        experts = [s["expert"] for s in shown["seats"]]
        self.assertEqual(len(experts), len(set(experts)), "drawn twice for one task")
        self.assertEqual([(d["kind"], d["ok"]) for d in shown["draws"]],
                         [("draw", True), ("replacement", True), ("replacement", True),
                          ("replacement", False)])
        promotes = [h for h in shown["history"] if h["event"] == "promote"]
        self.assertEqual([(h["assignment"], h["from"], h["to"], h["actor"])
                          for h in promotes],
                         [(a[2], "standby", "offered", "expertd"),
                          (a[3], "standby", "offered", "expertd")])
        # The daemon fills seats, whoever freed them (PROTOCOL.md 7.12.2).
        self.assertEqual({d["actor"] for d in shown["draws"]
                          if d["kind"] == "replacement"}, {"expertd"})
        log = [e for e in self.entries() if e["entry"] and e["entry"].get("task") == task]
        short = [e for e in log if e["type"] == "task.short"]
        self.assertEqual(len(short), 1)
        self.assertEqual(short[0]["entry"]["draw"], shown["draws"][-1]["draw"])
        self.assertEqual(short[0]["entry"]["empty"], 1)
        self.assertEqual(short[0]["entry"]["excluded"]["excluded"], 6)
        repl = [e["entry"] for e in log if e["type"] in ("draw", "draw.failed") and
                e["entry"]["kind"] == "replacement"]
        self.assertEqual([r["replaces"] for r in repl], [a[2], a[3], drawn[0][0]])
        self.assertEqual(repl[-1]["already_drawn"], seated)
        # The last drawn seat answers by the token its reply carried.
        self.assertEqual(self.confirm(drawn[1][1])["state"], "accepted")
        self.assertEqual(self.show(task)["task"]["fill"], "short")
        v = self.verify()
        self.assertGreaterEqual(v["failed_draws"], 1)

    def test_a_backup_the_rules_now_keep_off_is_skipped(self):
        welders = [p[0] for p in self.people["焊工"]]
        res = self.draw("焊工", 1, 10, backups=2)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        first_backup = res["panel"][1]["expert"]
        # Standby blocks nothing: the first backup is drawn for another
        # task at the same time (everyone else excluded), and offered.
        excl = []
        for x in welders:
            if x != first_backup:
                excl += ["--exclude", str(x)]
        other = self.ctl.json(*draw_args("焊工", 1, start=self.start_at(10)), *excl)
        self.assertEqual(other["panel"][0]["expert"], first_backup)
        # Promoting that backup would seat them twice at once (rule 4):
        # the next backup takes the place, and the first stays on standby.
        out = self.staff(a[0], "decline", "--channel", "phone", "--reason",
                         "schedule")
        self.assertEqual((out["filled_by"]["assignment"], out["filled_by"]["how"]),
                         (a[2], "promoted"))
        seats = self.seats(task)
        self.assertEqual((seats[a[1]]["state"], seats[a[2]]["state"]),
                         ("standby", "offered"))
        # With no backup the rules allow, a replacement is drawn instead.
        out = self.staff(a[2], "decline", "--channel", "phone", "--reason",
                         "schedule")
        self.assertEqual(out["filled_by"]["how"], "drawn")
        self.assertNotEqual(out["filled_by"]["expert"], first_backup)
        self.assertEqual(self.seats(task)[a[1]]["state"], "standby")
        self.verify()

    def test_all_accept_fills_the_task(self):
        res = self.draw("电工", 2, 10, backups=1)
        self.assertEqual(self.show(res["task"])["task"]["fill"], "filling")
        for t in self.tokens(res).values():
            self.confirm(t)
        shown = self.show(res["task"])
        self.assertEqual(shown["task"]["fill"], "filled")
        self.assertEqual([s["state"] for s in shown["seats"]],
                         ["accepted", "accepted", "standby"])
        filled = [e for e in self.entries() if e["type"] == "task.filled"]
        self.assertEqual([e["entry"] for e in filled], [{"task": res["task"]}])
        text = self.ctl.run("task", "show", str(res["task"])).out
        self.assertRegex(text, r"(?m)^fill\s+filled$")
        self.assertRegex(text, r"(?m)^history:$")
        self.assertRegex(text, r"(?m)^AT \(CST\)\s+ASSIGNMENT\s+EVENT\s+FROM\s+TO\s+ACTOR")


class SecureStaffTest(AssignBase):
    """Roles and bureau isolation need CURVE keys."""

    def setUp(self):
        DaemonTest.setUp(self)
        server_key, _, _, _ = keygen(self.dir, "server")
        self.server_pub = os.path.join(self.dir, "server.pub")
        keys = {}
        with open(os.path.join(self.dir, "allowlist"), "w") as f:
            for name, rest in (("ops", "center-ops operator"),
                               ("haizhu", "gz-haizhu bureau 440105"),
                               ("clerk", "haizhu-clerk clerk 440105"),
                               ("tianhe", "gz-tianhe bureau 440106"),
                               ("sms", "sms-gateway notifier")):
                keys[name], _, pub, _ = keygen(self.dir, name)
                f.write("%s %s\n" % (pub, rest))
        self.d = self.start_daemon(
            secure={"server_key": server_key,
                    "allowlist": os.path.join(self.dir, "allowlist")},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, keys["ops"], self.server_pub))
        self.as_ = {k: Ctl(self.d, v, self.server_pub) for k, v in keys.items()}
        self.ctl = self.as_["ops"]
        self.setup_pool(self.ctl)

    def expert_ctl(self):
        """expertctl with the daemon's key and none of its own."""
        class Expert(Ctl):
            def base(inner, timeout=5000, retries=2):
                return Ctl.base(inner, timeout, retries) + ["--server-key",
                                                            self.server_pub]
        return Expert(self.d)

    def test_staff_answer_for_their_own_bureau_only(self):
        haizhu, clerk, tianhe = self.as_["haizhu"], self.as_["clerk"], self.as_["tianhe"]
        res = self.draw("电工", 2, 10, backups=1, ctl=haizhu)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        other = self.draw("电工", 1, 12, ctl=tianhe)

        out = self.staff(a[0], "accept", "--channel", "phone", ctl=clerk)
        self.assertEqual(out["state"], "accepted")
        last = self.show(task, ctl=clerk)["history"][-1]
        self.assertEqual((last["assignment"], last["actor"], last["channel"], last["event"]),
                         (a[0], "haizhu-clerk", "phone", "accept"))
        # Another bureau's seats and tasks do not exist for it.
        self.assert_error(self.staff(a[1], "decline", "--channel", "phone", "--reason",
                                     "illness", ctl=tianhe, check=False),
                          "not_found", "assignment")
        for args in (["task", "cancel", str(task), "--reason", "x"],
                     ["task", "attendance", str(task), "%d=completed" % a[0]]):
            self.assert_error(tianhe.run(*args, json_out=True, check=False),
                              "not_found", "task")
        self.assert_error(self.staff(other["panel"][0]["assignment"], "accept",
                                     "--channel", "phone", ctl=clerk, check=False),
                          "not_found", "assignment")
        # Clerks record answers; they do not cancel; only operators list flags.
        self.assert_error(clerk.run("task", "cancel", str(task), "--reason", "x",
                                    json_out=True, check=False), "forbidden")
        self.assert_error(haizhu.run("flagged", json_out=True, check=False), "forbidden")
        self.assertEqual(self.ctl.json("flagged")["experts"], [])

        # The bureau declines for an expert: the backup is offered, its
        # token in the reply.
        out = self.staff(a[1], "decline", "--channel", "sms", "--reason", "schedule",
                         ctl=haizhu)
        self.assertEqual((out["filled_by"]["assignment"], out["filled_by"]["how"]),
                         (a[2], "promoted"))
        token = self.tokens(out)[a[2]]
        # The expert answers with a key made for this run: no allowlist.
        expert = self.expert_ctl()
        ok = self.confirm(token, ctl=expert)
        self.assertEqual(ok["state"], "accepted")
        last = self.show(task)["history"][-1]
        self.assertEqual((last["assignment"], last["channel"]), (a[2], "token"))
        self.assertRegex(last["actor"], r"^expert:[0-9A-Za-z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}$")
        # Without the server's key, the answer endpoint never answers.
        plain = Ctl(self.d).run("confirm", token, "--answer-endpoint", self.d.answer,
                                timeout=1000, retries=0, check=False)
        self.assertEqual(plain.rc, 69, plain)
        # Withdrawal after accepting: no standby left, so a replacement draw.
        out = self.staff(a[0], "withdraw", "--channel", "phone", "--reason", "illness",
                         ctl=clerk)
        self.assertEqual((out["state"], out["filled_by"]["how"]), ("withdrawn", "drawn"))
        kinds = [ev["kind"] for ev in self.ledger(res["panel"][0]["expert"])["events"]]
        self.assertEqual(kinds, ["withdrawal"])
        self.verify()

    def test_notify_stream_is_for_notifiers_and_carries_working_tokens(self):
        for who in ("ops", "haizhu"):
            r = self.as_[who].run("watch", "--notify", "--notify-endpoint", self.d.notify,
                                  "--count", "1", "--wait", "20", check=False)
            self.assertEqual(r.rc, 77, r)          # EX_NOPERM
            self.assertIn("refused this key", r.err)
        w = self.notify_watcher(self.as_["sms"])
        res = self.probe(watchers=[w])
        offer = w.wait_for(lambda m: m["task"] == res["task"])[0]
        seat = res["panel"][0]
        self.assertEqual(list(offer), ["topic", "assignment", "task", "expert", "name",
                                       "phone", "role", "deadline", "token", "bureau",
                                       "kind", "specialty", "start", "end", "district"])
        self.assertEqual((offer["topic"], offer["assignment"], offer["expert"],
                          offer["name"], offer["phone"], offer["deadline"]),
                         ("notify.offer", seat["assignment"], seat["expert"],
                          seat["name"], seat["phone"], seat["deadline"]))
        self.assertEqual(offer["token"], self.tokens(res)[seat["assignment"]])
        self.assertEqual(self.confirm(offer["token"], ctl=self.expert_ctl())["state"],
                         "accepted")


    def test_reissue_for_their_own_bureau_only(self):
        haizhu, clerk, tianhe = self.as_["haizhu"], self.as_["clerk"], self.as_["tianhe"]
        res = self.draw("电工", 2, 10, ctl=haizhu)
        a = [p["assignment"] for p in res["panel"]]
        old = self.tokens(res)
        # Another bureau's seat does not exist for it; unknown seats neither.
        self.assert_error(self.reissue(a[0], ctl=tianhe, check=False),
                          "not_found", "assignment")
        self.assert_error(self.reissue(999999, ctl=haizhu, check=False),
                          "not_found", "assignment")
        # Experts' and the gateway's keys may not ask at all.
        self.assert_error(self.reissue(a[0], ctl=self.as_["sms"], check=False),
                          "forbidden")
        expert = self.expert_ctl()
        # The clerk and the bureau of the task may; so may an operator.
        for who, seat in ((clerk, a[0]), (haizhu, a[1]), (self.ctl, a[0])):
            out = self.reissue(seat, ctl=who)
            self.assertEqual((out["assignment"], out["state"]), (seat, "offered"))
            self.assertEqual(list(out["tokens"]), [str(seat)])
        last = self.show(res["task"])["history"][-1]
        self.assertEqual((last["event"], last["actor"], last["channel"]),
                         ("reissue", "center-ops", "system"))
        self.assert_error(self.expert_run("confirm", old[a[0]], ctl=expert),
                          "invalid_token", "token")
        self.verify()

class DeadlineTest(AssignBase):
    def test_expiry_while_running_promotes_then_draws(self):
        pub = self.stream(self.d.pub)
        note = self.stream(self.d.notify, b"notify.")
        self.probe(streams=[pub, note])
        res = self.draw("电工", 1, 10, backups=1, respond=2)
        task = res["task"]
        a1, a2 = [p["assignment"] for p in res["panel"]]
        # No request from here on: only the daemon's timer can act.
        def on_task(type_):
            return lambda t, b: t == type_ and b["entry"]["task"] == task
        exp = pub.wait_for(on_task("assignment.expired"), n=2)
        self.assertEqual([b["entry"]["assignment"] for t, b in exp[:2]], [a1, a2])
        for t, b in exp[:2]:
            e = b["entry"]
            self.assertEqual((e["event"], e["from"], e["to"], e["actor"], e["channel"],
                              e["ledger"]),
                             ("expire", "offered", "expired", "expertd", "system", "expiry"))
        promoted = pub.wait_for(on_task("assignment.offered"))[0][1]["entry"]
        self.assertEqual((promoted["assignment"], promoted["event"], promoted["role"]),
                         (a2, "promote", "member"))
        repl = pub.wait_for(lambda t, b: t == "draw" and b["entry"]["task"] == task and
                            b["entry"]["kind"] == "replacement")[0][1]["entry"]
        self.assertEqual((repl["replaces"], repl["actor"]), (a2, "expertd"))
        closed = note.wait_for(lambda t, b: t == "notify.closed" and b["task"] == task, n=2)
        self.assertEqual([(b["assignment"], b["state"]) for t, b in closed[:2]],
                         [(a1, "expired"), (a2, "expired")])
        offers = note.wait_for(lambda t, b: t == "notify.offer" and b["task"] == task, n=3)
        self.assertEqual([b["assignment"] for t, b in offers[:2]], [a1, a2])
        # The promoted seat's offer came with a fresh deadline and token.
        self.assertGreater(offers[1][1]["deadline"], res["panel"][0]["deadline"])
        self.assertTrue(TOKEN_RE.match(offers[1][1]["token"]))
        # Its token died with the expiry.
        self.assert_error(self.expert_run("confirm", offers[1][1]["token"]),
                          "invalid_token", "token")
        for p in res["panel"]:
            led = self.ledger(p["expert"])
            self.assertEqual(([e["kind"] for e in led["events"]], led["score"]),
                             (["expiry"], 1))
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()

    def test_deadlines_passed_while_stopped_expire_at_start(self):
        res = self.draw("电工", 2, 10, backups=1, respond=2)
        task = res["task"]
        a1, a2, a3 = [p["assignment"] for p in res["panel"]]
        deadline = res["panel"][0]["deadline"]
        self.assertEqual(self.d.stop(), 0)
        while time.time() < deadline + 1.5:     # let the deadline pass
            time.sleep(0.2)
        restarted = int(time.time())
        self.d.start()
        shown = self.show(task)
        hist = shown["history"]
        expired = [h for h in hist if h["event"] == "expire"]
        self.assertEqual([h["assignment"] for h in expired[:2]], [a1, a2])
        self.assertTrue(all(h["at"] >= restarted and h["actor"] == "expertd"
                            for h in expired[:2]))
        # In (deadline, id) order: the first freed seat takes the backup,
        # the second a replacement draw.
        promote = [h for h in hist if h["event"] == "promote"]
        self.assertEqual([h["assignment"] for h in promote], [a3])
        self.assertEqual([(d["kind"], d["ok"]) for d in shown["draws"]][:2],
                         [("draw", True), ("replacement", True)])
        firsts = [h["to"] for h in hist if h["assignment"] in (a1, a2)]
        self.assertEqual(firsts, ["offered", "offered", "expired", "expired"])
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()

    def test_acknowledged_answers_survive_kill_9(self):
        # Every answer the daemon acknowledged is on disk: after kill -9
        # the seats are as answered, the replacement stands, the used
        # tokens stay dead and the log replays.
        res = self.draw("电工", 2, 10, backups=1)
        task = res["task"]
        toks = self.tokens(res)
        a1, a2, a3 = [p["assignment"] for p in res["panel"]]
        self.assertEqual(self.confirm(toks[a1])["state"], "accepted")
        self.assertEqual(self.decline(toks[a2], "schedule")["state"], "declined")
        self.d.kill9()
        self.d.start()
        seats = self.seats(task)
        self.assertEqual((seats[a1]["state"], seats[a2]["state"], seats[a3]["state"]),
                         ("accepted", "declined", "offered"))
        for a in (a1, a2):
            self.assert_error(self.expert_run("confirm", toks[a]), "invalid_token", "token")
        self.assertEqual([e["kind"] for e in self.ledger(res["panel"][1]["expert"])
                          ["events"]], ["decline"])
        self.verify()

    # What version 3 changed, put back as version 2 had it.
    SCHEMA_2 = (
        "CREATE INDEX assignments_by_expert ON assignments(expert_id)",
        "CREATE TABLE requests_v2(principal TEXT NOT NULL,"
        " request_id TEXT NOT NULL, op TEXT NOT NULL, body_hash BLOB NOT NULL,"
        " reply BLOB NOT NULL, at INTEGER NOT NULL,"
        " PRIMARY KEY(principal, request_id)) WITHOUT ROWID",
        "INSERT INTO requests_v2 SELECT principal, request_id, op, body_hash,"
        " reply, at FROM requests",
        "DROP TABLE requests",
        "ALTER TABLE requests_v2 RENAME TO requests",
        "PRAGMA user_version = 2")

    def test_upgrade_from_schema_2_keeps_retries_and_seat_lists(self):
        args = draw_args("电工", 3, start=self.start_at(10), backups=1)
        first = self.ctl.json(*args, request_id="before-upgrade")
        expert = first["panel"][0]["expert"]
        seats_before = self.ctl.json("pool", "show", str(expert))["assignments"]
        self.assertEqual(len(seats_before), 1)
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:
            for sql in self.SCHEMA_2:
                conn.execute(sql)
        self.d.start()
        with sqlite3.connect(self.d.db) as conn:
            self.assertEqual(conn.execute("PRAGMA user_version").fetchone()[0], 3)
            indexes = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
        self.assertNotIn("assignments_by_expert", indexes)
        self.assertIn("requests_by_id", indexes)
        # The retry record survived the move: same panel, no new draw.
        again = self.ctl.json(*args, request_id="before-upgrade")
        self.assertEqual(again["task"], first["task"])
        self.assertEqual(again["panel"], first["panel"])
        self.assertEqual(len(self.show(first["task"])["draws"]), 1)
        # pool.show still lists the expert's seats, now from memory, and
        # a new seat joins the list in assignment order.
        self.assertEqual(self.ctl.json("pool", "show", str(expert))["assignments"],
                         seats_before)
        later = self.ctl.json(*draw_args("电工", 3, start=self.start_at(20)),
                              "--exclude", str(expert))
        self.assertNotIn(expert, [p["expert"] for p in later["panel"]])
        other = later["panel"][0]["expert"]
        listed = self.ctl.json("pool", "show", str(other))["assignments"]
        ids = [s["assignment"] for s in listed]
        self.assertEqual(ids, sorted(ids))
        self.assertIn(later["panel"][0]["assignment"], ids)
        self.verify()

    def test_upgrade_from_schema_1_gives_waiting_offers_a_deadline(self):
        # A database of schema 1 had offered seats without deadlines or
        # tokens. Make one (drop what version 2 added), then upgrade.
        res = self.draw("电工", 2, 10)
        task, other = res["task"], self.draw("电工", 1, 11)["task"]
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:
            for sql in ("DROP INDEX assignments_due",
                        "DROP TABLE assignment_events", "DROP TABLE ledger",
                        "ALTER TABLE assignments DROP COLUMN deadline",
                        "ALTER TABLE assignments DROP COLUMN token_hash",
                        "ALTER TABLE tasks DROP COLUMN respond_within",
                        "ALTER TABLE tasks DROP COLUMN fill",
                        "ALTER TABLE tasks DROP COLUMN cancel_reason") \
                    + self.SCHEMA_2[:-1] + ("PRAGMA user_version = 1",):
                conn.execute(sql)
        upgraded = int(time.time())
        self.d.start()
        seats = self.show(task)["seats"]
        self.assertEqual({s["state"] for s in seats}, {"offered"})
        # 24 hours from the upgrade (the task starts later than that) ...
        upgrade_deadline = upgraded + 86400
        self.assertLess(upgrade_deadline, self.show(task)["task"]["start"])
        for s in seats:
            self.assertLessEqual(abs(s["deadline"] - upgrade_deadline), 5, s)
        # ... so the expiry timer still works for everyone else.
        fresh = self.draw("电工", 1, 12, respond=2)
        a = fresh["panel"][0]["assignment"]
        end = time.monotonic() + 15
        while self.seats(fresh["task"])[a]["state"] == "offered":
            self.assertLess(time.monotonic(), end, "a new seat never expired")
            time.sleep(0.2)
        # Old seats hold no token: staff answer for them, or give one.
        out = self.staff(seats[0]["assignment"], "accept", "--channel", "phone")
        self.assertEqual(out["state"], "accepted")
        given = self.reissue(seats[1]["assignment"], "no token before the upgrade")
        tok = self.tokens(given)[seats[1]["assignment"]]
        self.assertEqual(self.confirm(tok)["state"], "accepted")
        self.assertEqual(self.show(other)["task"]["fill"], "filling")
        self.verify()

    def test_an_answer_racing_the_expiry_has_one_outcome(self):
        res = self.draw("电工", 6, 10, respond=3)
        task = res["task"]
        deadline = res["panel"][0]["deadline"]
        toks = self.tokens(res)
        seats = [p["assignment"] for p in res["panel"]]
        offsets = [-1.5, -0.4, -0.1, 0.0, 0.1, 1.5]
        replies = {}
        for a, off in zip(seats, offsets):
            while time.time() < deadline + off:
                time.sleep(0.01)
            conn = RawClient(self.d.answer)     # one connection each: no throttling
            replies[a] = conn.call("assignment.answer",
                                   {"token": toks[a], "answer": "accept"})
            conn.close()
        self.assertEqual(replies[seats[0]]["status"], "ok")
        self.assertEqual(replies[seats[-1]]["status"], "invalid_token")
        # Make sure every deadline has been handled, then look.
        while time.time() < deadline + 1:
            time.sleep(0.05)
        shown = self.show(task)
        state = {s["assignment"]: s["state"] for s in shown["seats"]}
        for a in seats:
            events = [h["event"] for h in shown["history"]
                      if h["assignment"] == a and h["from"] == "offered"]
            if replies[a]["status"] == "ok":
                self.assertEqual((state[a], events), ("accepted", ["accept"]), a)
            else:
                self.assertEqual(replies[a]["status"], "invalid_token", replies[a])
                self.assertEqual((state[a], events), ("expired", ["expire"]), a)
        # Staff cannot answer an expired seat either.
        late = self.staff(seats[-1], "accept", "--channel", "phone", check=False)
        self.assert_error(late, "invalid_state", "assignment")
        self.assertIn("expired", late.json["message"])
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()


class AttendanceTest(AssignBase):
    def test_attendance_after_the_start(self):
        start = int(time.time()) + 6
        res = self.ctl.json(*draw_args("电工", 3, start=start, respond=3600))
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        e = [p["expert"] for p in res["panel"]]
        # A deadline never passes the start.
        self.assertEqual({p["deadline"] for p in res["panel"]}, {start})
        for t in list(self.tokens(res).values())[:2]:
            self.confirm(t)
        early = self.ctl.run("task", "attendance", str(task), "%d=completed" % a[0],
                             json_out=True, check=False)
        self.assert_error(early, "invalid_state", "task")
        other = self.draw("电工", 1, 10)
        while time.time() < start + 1:
            time.sleep(0.1)
        # All or nothing: a seat of another task, or one not accepted.
        r = self.ctl.run("task", "attendance", str(task), "%d=completed" % a[0],
                         "%d=completed" % other["panel"][0]["assignment"],
                         json_out=True, check=False)
        self.assert_error(r, "invalid_field", "seats[1].assignment")
        r = self.ctl.run("task", "attendance", str(task), "%d=completed" % a[0],
                         "%d=no_show" % a[2], json_out=True, check=False)
        self.assert_error(r, "invalid_state", "seats[1].assignment")
        out = self.ctl.json("task", "attendance", str(task), "%d=completed" % a[0],
                            "%d=no_show" % a[1])
        self.assertEqual(out, {"task": task, "recorded": 2})
        seats = self.seats(task)
        # The third expert never answered: expired at the start, not replaced.
        self.assertEqual([seats[x]["state"] for x in a], ["completed", "no_show", "expired"])
        self.assertEqual(len(seats), 3)
        again = self.ctl.run("task", "attendance", str(task), "%d=completed" % a[0],
                             json_out=True, check=False)
        self.assert_error(again, "invalid_state", "seats[0].assignment")
        self.assertEqual(self.ledger(e[0])["events"], [])
        led = self.ledger(e[1])
        self.assertEqual(([x["kind"] for x in led["events"]], led["score"], led["level"]),
                         (["no_show"], 3, "warn"))
        warned = [x["entry"] for x in self.entries() if x["type"] == "expert.warned"]
        self.assertEqual(warned, [{"expert": e[1], "score": 3, "warn_at": 3,
                                   "flag_at": 5}])
        bad = self.ctl.run("task", "attendance", str(task), "%d=maybe" % a[0],
                           check=False)
        self.assertEqual(bad.rc, 2, bad)       # refused before any request
        self.verify()


class LedgerTest(AssignBase):
    CONFIG = ("[ledger]\nweight_decline = 1\nweight_excused = 2\nexcused_free = 1\n"
              "warn_at = 2\nflag_at = 3\n")

    def decline_once(self, spec, day, reason, *extra):
        """Draw the specialty's only expert, who declines."""
        res = self.draw(spec, 1, day)
        self.decline(list(self.tokens(res).values())[0], reason, *extra)
        return res

    def test_warn_flag_exclusion_reinstate_revoke(self):
        (x, name, _, _), = self.people["钳工"]
        levels = []
        for i, why in enumerate([["schedule"], ["schedule"], ["other", "--note", "n"]]):
            res = self.decline_once("钳工", 10 + i, *why)
            led = self.ledger(x)
            levels.append((led["score"], led["level"]))
            # Nobody else holds the specialty: the freed seat leaves it short.
            self.assertEqual(self.show(res["task"])["task"]["fill"], "short")
        self.assertEqual(levels, [(1, "ok"), (2, "warn"), (3, "flag")])
        self.assertEqual(self.ctl.json("pool", "show", str(x))["expert"]["status"],
                         "flagged")
        log = self.entries()
        self.assertEqual([e["entry"] for e in log if e["type"] == "expert.warned"],
                         [{"expert": x, "score": 2, "warn_at": 2, "flag_at": 3}])
        flagged_entries = [e["entry"] for e in log if e["type"] == "expert.flagged"]
        self.assertEqual(len(flagged_entries), 1)
        self.assertEqual((flagged_entries[0]["event"], flagged_entries[0]["actor"]),
                         ("flagged", "expertd"))
        fl = self.ctl.json("flagged")["experts"]
        self.assertEqual([(f["expert"], f["score"], f["level"]) for f in fl],
                         [(x, 3, "flag")])
        self.assertEqual(len(fl[0]["events"]), 3)
        self.assertEqual(fl[0]["window_days"], 365)
        self.assertNotEqual(fl[0]["name"], name, "names are masked in flagged.list")
        text = self.ctl.run("flagged").out
        self.assertRegex(text, r"(?m)^EXPERT\s+NAME\s+SCORE\s+LEVEL")
        self.assertIn("score 3, level flag", text)
        # Flagged experts are not drawn.
        r = self.ctl.run(*draw_args("钳工", 1, start=self.start_at(20)), json_out=True,
                         check=False)
        self.assert_error(r, "insufficient_candidates")
        self.assertEqual(r.json["result"]["excluded"]["status"], 1)
        # Reinstated: drawable again, the ledger stays, so the next counting
        # event flags again.
        self.ctl.run("pool", "reinstate", str(x), "--reason", "spoke with the expert")
        self.assertEqual(self.ctl.json("flagged")["experts"], [])
        self.assertEqual(len(self.ledger(x)["events"]), 3)
        self.decline_once("钳工", 21, "schedule")
        self.assertEqual(self.ctl.json("pool", "show", str(x))["expert"]["status"],
                         "flagged")
        self.ctl.run("pool", "revoke", str(x), "--reason", "第十七条")
        self.assertEqual(self.ctl.json("pool", "show", str(x))["expert"]["status"],
                         "revoked")
        self.assertEqual(self.ctl.json("flagged")["experts"], [])
        shown = self.ctl.run("pool", "show", str(x)).out
        self.assertIn("decline ledger: score 4, level flag", shown)
        self.assertRegex(shown, r"(?m)^assignments:$")

        # Excused declines: the first in the window is free, then 2 each.
        (y, _, _, _), = self.people["车工"]
        self.decline_once("车工", 30, "illness")
        self.assertEqual(self.ledger(y)["score"], 0)
        self.decline_once("车工", 31, "official_duty")
        led = self.ledger(y)
        self.assertEqual(([e["kind"] for e in led["events"]], led["score"], led["level"]),
                         (["excused_decline"] * 2, 2, "warn"))
        self.assertTrue(all(e["counts"] for e in led["events"]))
        self.verify()


class ReissueTest(AssignBase):
    """assignment.reissue (PROTOCOL.md 7.12.13): a new token for an offered
    seat whose first never reached the expert."""

    def test_reissue_replaces_the_token_and_notifies(self):
        watcher = self.notify_watcher()
        self.probe(watchers=[watcher])
        res = self.draw("电工", 2, 10, backups=2)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        old = self.tokens(res)
        deadline = res["panel"][0]["deadline"]
        seen = set(old.values())

        out = self.reissue(a[0], request_id="reissue-1")
        new = self.tokens(out)
        self.assertEqual(list(new), [a[0]])
        fresh = new[a[0]]
        seen.add(fresh)
        self.assertEqual(int(TOKEN_RE.match(fresh).group(1)), a[0], fresh)
        self.assertNotEqual(fresh, old[a[0]])
        self.assertEqual({k: out[k] for k in ("assignment", "task", "expert", "state",
                                              "deadline")},
                         {"assignment": a[0], "task": task,
                          "expert": res["panel"][0]["expert"], "state": "offered",
                          "deadline": deadline})
        # The gateway is sent the new token, as for a new offer.
        m = watcher.wait_for(lambda m: m["topic"] == "notify.offer" and
                             m["assignment"] == a[0] and m["token"] == fresh)
        self.assertTrue(m, "no notify.offer with the new token")
        self.assertEqual((m[0]["expert"], m[0]["deadline"]),
                         (res["panel"][0]["expert"], deadline))
        # A retry gets the recorded reply, without the token, and does not
        # issue another one.
        again = self.reissue(a[0], request_id="reissue-1")
        self.assertEqual(again["tokens"], {})
        self.assertEqual({k: v for k, v in again.items() if k != "tokens"},
                         {k: v for k, v in out.items() if k != "tokens"})
        text = self.ctl.run("reissue", str(a[0]), "--reason", "sms lost",
                            request_id="reissue-1").out
        self.assertIn("no token: a repeated request gets the recorded reply", text)
        # The old token is dead at once; the new one works.
        self.assert_error(self.expert_run("confirm", old[a[0]]), "invalid_token", "token")
        self.assertEqual(self.confirm(fresh)["state"], "accepted")
        hist = [h for h in self.show(task)["history"] if h["assignment"] == a[0]]
        self.assertEqual([(h["event"], h["from"], h["to"], h["channel"], h["reason"])
                          for h in hist],
                         [("offer", None, "offered", "system", ""),
                          ("reissue", "offered", "offered", "system", "sms lost"),
                          ("accept", "offered", "accepted", "token", "")])

        # Text output: the new token, shown once.
        text = self.ctl.run("reissue", str(a[1]), "--reason", "gateway down").out
        mt = re.search(r"(?m)^token\s+(\d+\.[A-Za-z0-9_-]{22})$", text)
        self.assertIsNotNone(mt, text)
        seen.add(mt.group(1))
        self.assertIn("shown this once", text)
        self.assertRegex(text, r"(?m)^state\s+offered$")

        # Only an offered seat gets a new token.
        self.decline(mt.group(1), "schedule")      # a[2] is promoted, a[3] waits
        seats = self.seats(task)
        self.assertEqual([seats[x]["state"] for x in a],
                         ["accepted", "declined", "offered", "standby"])
        for x, state in ((a[0], "accepted"), (a[1], "declined"), (a[3], "standby")):
            r = self.reissue(x, check=False)
            self.assert_error(r, "invalid_state", "assignment")
            self.assertIn("assignment %d is %s" % (x, state), r.json["message"])
        self.assert_error(self.reissue(999999, check=False), "not_found", "assignment")
        r = self.ctl.run("reissue", str(a[2]), json_out=True, check=False)
        self.assertEqual(r.rc, 2, r)               # --reason is required
        self.assertIn("--reason is required", r.err)
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        for args in ({"assignment": a[2], "reason": ""},
                     {"assignment": a[2], "reason": "x" * 513},
                     {"assignment": a[2]}):
            rep = conn.call("assignment.reissue", args)
            self.assertEqual((rep["status"], rep.get("field")),
                             ("invalid_field", "reason"), rep)
        # JSON as for a draw: the token under tokens.
        out = self.reissue(a[2], reason="lost")
        seen |= set(self.tokens(out).values())
        seen |= {x["token"] for x in watcher.lines if x["topic"] == "notify.offer"}

        # The audit log: one entry per reissue, never the token; verify passes.
        log = self.entries()
        re_entries = [x["entry"] for x in log if x["type"] == "assignment.reissued"]
        self.assertEqual([(e["assignment"], e["reason"]) for e in re_entries],
                         [(a[0], "sms lost"), (a[1], "gateway down"), (a[2], "lost")])
        self.assertEqual(sorted(re_entries[0]),
                         ["actor", "assignment", "deadline", "expert", "reason", "role",
                          "task"])
        self.assertEqual((re_entries[0]["task"], re_entries[0]["deadline"],
                          re_entries[0]["role"]), (task, deadline, "member"))
        text = self.ctl.run("log", "--since", "1", "--limit", "1000000").out
        self.assertIn("seat %d: new token (sms lost)" % a[0], text)
        v = self.verify()
        self.assertEqual(v["head_seq"], log[-1]["seq"])
        self.assertEqual(v["transitions"],
                         sum(1 for x in log if x["type"].startswith("assignment.")))
        # No new token anywhere but the reply and the notification.
        daemon_log = self.d.read_log()
        log_text = json.dumps(log, ensure_ascii=False)
        shows = self.ctl.run("--json", "task", "show", str(task)).out
        with sqlite3.connect(self.d.db) as conn_db:
            stored = b"".join(bytes(row[0]) for row in
                              conn_db.execute("SELECT reply FROM requests"))
            rows = conn_db.execute("SELECT * FROM assignment_events").fetchall()
        self.assertGreaterEqual(len(seen), 6)
        for t in seen:
            secret = t.split(".", 1)[1]
            self.assertNotIn(secret, daemon_log, "token in the daemon log")
            self.assertNotIn(secret, log_text, "token in audit.entries")
            self.assertNotIn(secret, shows, "token in task show")
            self.assertNotIn(secret.encode(), stored, "token in a recorded reply")
            self.assertNotIn(secret, repr(rows), "token in the seat history")


class ScenarioTest(AssignBase):
    """Issue #4's end-to-end scenario through expertctl: draw 5 + 2 backups,
    two decline, one stays silent past the deadline, the panel fills from
    the backups and a fresh draw, one accepted expert is a no-show."""

    RESPOND = 5

    def test_scenario(self):
        pub = self.stream(self.d.pub)
        watcher = self.notify_watcher()
        self.probe(streams=[pub], watchers=[watcher])
        seen_tokens = set()
        start = int(time.time()) + 16
        res = self.ctl.json(*draw_args("电工", 5, start=start, backups=2,
                                       respond=self.RESPOND))
        task = res["task"]
        toks = self.tokens(res)
        seen_tokens |= set(toks.values())
        a = [p["assignment"] for p in res["panel"]]
        e = [p["expert"] for p in res["panel"]]

        # Two decline: one by token, one through the bureau by phone.
        self.decline(toks[a[0]], "schedule")
        out = self.staff(a[1], "decline", "--channel", "phone", "--reason", "other",
                         "--note", "travelling")
        self.assertEqual(out["filled_by"]["assignment"], a[6])
        seen_tokens |= set(self.tokens(out).values())
        # Two accept; the fifth stays silent.
        self.confirm(toks[a[2]])
        self.confirm(toks[a[3]])
        # The promoted backups answer with the tokens the gateway got.
        offers = {}
        for b in (a[5], a[6]):
            m = watcher.wait_for(lambda m: m["topic"] == "notify.offer" and
                                 m["assignment"] == b)
            self.assertTrue(m, "no notify.offer for assignment %d" % b)
            offers[b] = m[0]["token"]
        self.assertEqual(offers[a[6]], self.tokens(out)[a[6]])
        for b in (a[5], a[6]):
            self.assertEqual(self.confirm(offers[b])["state"], "accepted")
        # The silent one expires; a fresh draw fills the seat, and that
        # expert accepts with the token from the notification.
        m = watcher.wait_for(lambda m: m["topic"] == "notify.offer" and
                             m["task"] == task and m["assignment"] > a[6])
        self.assertTrue(m, "no offer for the replacement")
        fresh = m[0]
        self.assertNotIn(fresh["expert"], e)
        self.assertEqual(self.confirm(fresh["token"])["state"], "accepted")
        seen_tokens |= {x["token"] for x in watcher.lines if x["topic"] == "notify.offer"}
        closed = watcher.wait_for(lambda m: m["topic"] == "notify.closed" and
                                  m["assignment"] == a[4])
        self.assertEqual(closed[0]["state"], "expired")
        shown = self.show(task)
        self.assertEqual(shown["task"]["fill"], "filled")

        # After the start, one accepted expert did not come.
        while time.time() < start + 1:
            time.sleep(0.2)
        came = [a[2], a[5], a[6], fresh["assignment"]]
        self.ctl.json("task", "attendance", str(task), *(["%d=completed" % x for x in came]
                                                         + ["%d=no_show" % a[3]]))
        final = {s["assignment"]: s["state"] for s in self.show(task)["seats"]}
        self.assertEqual([final[x] for x in a] + [final[fresh["assignment"]]],
                         ["declined", "declined", "completed", "no_show", "expired",
                          "completed", "completed", "completed"])

        # The ledger as the default policy says: 1, 1, 0, 3 (warned), 1.
        scores = [(self.ledger(x)["score"], [k["kind"] for k in self.ledger(x)["events"]])
                  for x in e[:5]]
        self.assertEqual(scores, [(1, ["decline"]), (1, ["decline"]), (0, []),
                                  (3, ["no_show"]), (1, ["expiry"])])
        self.assertEqual(self.ctl.json("flagged")["experts"], [])
        log = self.entries()
        self.assertEqual([x["entry"]["expert"] for x in log if x["type"] == "expert.warned"],
                         [e[3]])
        self.assertEqual([x["entry"]["task"] for x in log if x["type"] == "task.filled"],
                         [task])
        v = self.verify()
        self.assertEqual(v["head_seq"], log[-1]["seq"])
        self.assertEqual(v["transitions"],
                         sum(1 for x in log if x["type"].startswith("assignment.")))

        # No token anywhere but where it was handed out.
        self.assertGreaterEqual(len(seen_tokens), 8)
        pub_bytes = b"".join(pub.raw)
        daemon_log = self.d.read_log()
        log_text = json.dumps(log, ensure_ascii=False)
        shows = self.ctl.run("--json", "task", "show", str(task)).out
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics,
                                    timeout=10) as r:
            metrics = r.read().decode()
        # The database keeps hashes only; the retry records hold no token.
        with sqlite3.connect(self.d.db) as conn:
            stored = b"".join(bytes(row[0]) for row in
                              conn.execute("SELECT reply FROM requests"))
        for t in seen_tokens:
            secret = t.split(".", 1)[1]
            self.assertNotIn(secret.encode(), pub_bytes, "token in the event stream")
            self.assertNotIn(secret, daemon_log, "token in the daemon log")
            self.assertNotIn(secret, log_text, "token in audit.entries")
            self.assertNotIn(secret, shows, "token in task show")
            self.assertNotIn(secret, metrics, "token in /metrics")
            self.assertNotIn(secret.encode(), stored, "token in a recorded reply")


if __name__ == "__main__":
    unittest.main()
