"""The assignment lifecycle (issue #4) end to end, answers and tokens: the
real daemon driven by expertctl, plus raw ZeroMQ where a test needs one
connection or the bytes.

- Tokens: right, wrong, reused, after the deadline, for a cancelled task,
  all dead ones refused alike (invalid_token), with `why` telling their
  holder what became of the seat; shown once; throttling after 5 invalid
  tokens for one target (seat), never per connection.
- Declines with every reason; conflict records the conflict.
- task cancel (nothing counts against the experts).
- The end-to-end scenario of the issue, after which no token is in the
  daemon log, the event stream or the audit log, and audit verify passes.

The daemon, its roster and the helpers are assign_base's; sleeps only let
a deadline pass.
"""
import json
import re
import time
import unittest
import urllib.request

from harness import RawClient, Sealed, draw_args, store_rows, unpack
from test_draw import ORG_A, ORG_B, ORG_C
from assign_base import DAY, TOKEN_RE, WAIT, AssignBase


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
        # Only the holder of the used token learns why (PROTOCOL.md 7.12.3).
        self.assertEqual([r.json.get("result") for r in refusals],
                         [{"why": "answered", "assignment": a1, "task": res["task"],
                           "state": "accepted"}] * 2 + [{"why": "unknown"}] * 3)
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
    def test_five_invalid_tokens_throttle_their_target_not_the_connection(self):
        # PROTOCOL.md 7.12.9: failures count per target (the seat a token
        # names), so one connection relaying many experts (a gateway, the
        # answer page) is not locked out by one person's mistakes.
        res = self.draw("电工", 3, 10)
        toks = self.tokens(res)
        a1, a2, a3 = sorted(toks)
        wrong = lambda a: "%d.%s" % (a, "A" * 22)
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        for _ in range(5):
            rep = conn.call("assignment.answer", {"token": wrong(a1), "answer": "accept"})
            self.assertEqual((rep["status"], rep.get("field")), ("invalid_token", "token"))
            self.assertEqual(rep["result"], {"why": "unknown"})
            self.assertNotIn("tokens", rep)
        # The sixth wrong token for the same seat is throttled, and says
        # no more than that ...
        rep = conn.call("assignment.answer", {"token": wrong(a1), "answer": "accept"})
        self.assertEqual(rep["status"], "throttled", rep)
        self.assertNotIn("result", rep)
        rep = conn.call("assignment.offer", {"token": wrong(a1) + "\u3002"})
        self.assertEqual(rep["status"], "throttled", rep)
        # In the language the request asks for (PROTOCOL.md 5.3).
        rep = conn.call_envelope({"v": 1, "id": "zh-throttled", "op": "assignment.offer",
                                  "lang": "zh-CN", "args": {"token": wrong(a1)}})
        self.assertEqual(rep["status"], "throttled", rep)
        self.assertIn("10 分钟后再试", rep["message"])
        # ... but on the same connection a wrong token for another seat is
        # still merely wrong, and another expert's good token works.
        rep = conn.call("assignment.answer", {"token": wrong(a2), "answer": "accept"})
        self.assertEqual(rep["status"], "invalid_token", rep)
        rep = conn.call("assignment.answer", {"token": toks[a2], "answer": "decline",
                                              "reason": "illness"})
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "declined"), rep)
        # Nobody can lock an expert out by guessing at their seat: the
        # right token for the throttled seat is served, on this connection.
        rep = conn.call("assignment.answer", {"token": toks[a1], "answer": "accept"})
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "accepted"), rep)
        # Tokens that name no seat share one target of their own.
        for i in range(5):
            rep = conn.call("assignment.answer", {"token": "x" * (10 + i),
                                                  "answer": "accept"})
            self.assertEqual(rep["status"], "invalid_token", rep)
        rep = conn.call("assignment.answer", {"token": "junk", "answer": "accept"})
        self.assertEqual(rep["status"], "throttled", rep)
        self.assertEqual(self.confirm(toks[a3])["state"], "accepted")
        # The answer endpoint serves only the expert's operations, and the
        # request endpoint never serves them.
        other = RawClient(self.d.answer)
        self.addCleanup(other.close)
        self.assertEqual(other.call("ping", {})["status"], "forbidden")
        req = RawClient(self.d.endpoint)
        self.addCleanup(req.close)
        for op in ("assignment.answer", "assignment.offer"):
            args = {"token": toks[a1]}
            if op == "assignment.answer":
                args["answer"] = "accept"
            rep = req.call(op, args)
            self.assertEqual(rep["status"], "forbidden", rep)
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics,
                                    timeout=10) as r:
            metrics = r.read().decode()
        m = re.search(r"(?m)^expertd_token_failures_total(?:\{[^}]*\})? (\d+)", metrics)
        self.assertIsNotNone(m, "no expertd_token_failures_total in /metrics")
        self.assertGreaterEqual(int(m.group(1)), 13)

    def test_invalid_tokens_leave_no_retry_record(self):
        res = self.draw("电工", 1, 10)
        tok = list(self.tokens(res).values())[0]

        def records():
            return store_rows(self.d, "SELECT count(*) FROM requests")[0][0]

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
        # no more than 5 guesses at one seat are answered invalid_token,
        # the rest throttled.
        res = self.draw("电工", 1, 10)
        seat = list(self.tokens(res))[0]
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        ids = []
        for i in range(40):
            guess = {"token": "%d.%s%02d" % (seat, "B" * 20, i), "answer": "accept"}
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


class ScenarioTest(AssignBase):
    """Issue #4's end-to-end scenario through expertctl: draw 5 + 2 backups,
    two decline, one stays silent past the deadline, the panel fills from
    the backups and a fresh draw, one accepted expert is a no-show."""

    RESPOND = 5
    # Deadlines of seconds, so that they pass within the test: no minimum
    # window (POLICY.md 6.1), and their expiries count as any.
    CONFIG = "[assign]\nmin_response_minutes = 0\n"

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
        # (Sealed at rest: opened here, so the check still looks inside.)
        stored = b"".join(Sealed(self.d.sign_key).replies(self.d))
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
