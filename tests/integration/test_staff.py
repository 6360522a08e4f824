"""Staff in secure mode (issue #4): the real daemon driven by expertctl.

- Staff answers: a clerk and a bureau answer for their own bureau's tasks
  only; an expert answers with a key made for the run.
- The notification stream: notify.offer carries the token and it works;
  only notifiers may read it.
- assignment.reissue: a new token for an offered seat, for staff of the
  seat's own bureau only.
- notify.resync: a gateway's missed offers again, with fresh tokens, for
  notifier keys only.

The daemon, its roster and the helpers are assign_base's; sleeps only let
a deadline pass.
"""
import json
import re
import time
import unittest

from harness import Ctl, RawClient, Sealed, store_rows
from assign_base import TOKEN_RE, AssignBase


class SecureStaffTest(AssignBase):
    """Roles and bureau isolation need CURVE keys."""

    def setUp(self):
        self.start_secure((("ops", "center-ops operator"),
                           ("haizhu", "gz-haizhu bureau 440105"),
                           ("clerk", "haizhu-clerk clerk 440105"),
                           ("tianhe", "gz-tianhe bureau 440106"),
                           ("sms", "sms-gateway notifier")))

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
        # People read who answered, not the answering connection's key.
        text = self.ctl.run("task", "show", str(task)).out
        self.assertNotIn(last["actor"], text)
        self.assertIn("the expert (own token)", text)
        # Without the server's key, the answer endpoint never answers, and
        # the client says why at once (not after the 60 s timeout).
        plain = Ctl(self.d).run("confirm", token, "--answer-endpoint", self.d.answer,
                                timeout=60000, retries=0, check=False)
        self.assertEqual(plain.rc, 76, plain)            # EX_PROTOCOL
        self.assertIn("plain client", plain.err)
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
                                       "kind", "specialty", "start", "end", "district",
                                       "note", "organiser", "issued"])
        self.assertEqual((offer["topic"], offer["assignment"], offer["expert"],
                          offer["name"], offer["phone"], offer["deadline"]),
                         ("notify.offer", seat["assignment"], seat["expert"],
                          seat["name"], seat["phone"], seat["deadline"]))
        self.assertEqual(offer["token"], self.tokens(res)[seat["assignment"]])
        self.assertEqual(self.confirm(offer["token"], ctl=self.expert_ctl())["state"],
                         "accepted")


    def test_resync_reissues_recent_offers_for_notifiers_and_operators(self):
        w = self.notify_watcher(self.as_["sms"])
        self.probe(watchers=[w])
        old_task = self.draw("焊工", 1, 11, ctl=self.as_["haizhu"])
        # Tokens carry the server's second; the next draw is in a later one
        # (a bounded wait for the clock, at most a second).
        since = max(m["issued"] for m in
                    w.wait_for(lambda m: m["task"] == old_task["task"]))
        while int(time.time()) <= since:
            time.sleep(0.05)
        res = self.draw("电工", 2, 10, ctl=self.as_["haizhu"])
        a = [p["assignment"] for p in res["panel"]]
        offers = w.wait_for(lambda m: m["task"] == res["task"])
        since = min(m["issued"] for m in offers)
        old = self.tokens(res)
        for who in ("haizhu", "clerk"):
            rep = self.raw(who).call("notify.resync", {"since": since})
            self.assertEqual(rep["status"], "forbidden", rep)
        sms = self.raw("sms")
        # One page at a time: a seat is listed once though its token is new.
        first = sms.call("notify.resync", {"since": since, "limit": 1}, rid="resync-1")
        self.assertEqual(first["status"], "ok", first)
        r = first["result"]
        self.assertEqual(([o["assignment"] for o in r["offers"]], r["next"], r["more"]),
                         ([a[0]], a[0], True))
        # A seat the gateway holds is passed over: not listed, not reissued.
        held = sms.call("notify.resync", {"since": since, "after": r["next"],
                                          "skip": [a[1]]})
        self.assertEqual((held["result"], held.get("tokens", {})),
                         ({"offers": [], "next": a[1], "more": False}, {}))
        second = sms.call("notify.resync", {"since": since, "after": r["next"]})
        r2 = second["result"]
        self.assertEqual(([o["assignment"] for o in r2["offers"]], r2["next"], r2["more"]),
                         ([a[1]], a[1], False))
        # The offer's keys, in notify.offer's order without the token.
        o = r["offers"][0]
        self.assertEqual(list(o), ["assignment", "task", "expert", "name", "phone", "role",
                                   "deadline", "bureau", "kind", "specialty", "start",
                                   "end", "district", "note", "organiser", "issued"])
        seat = res["panel"][0]
        self.assertEqual((o["task"], o["expert"], o["name"], o["phone"], o["deadline"],
                          o["bureau"], o["organiser"]),
                         (res["task"], seat["expert"], seat["name"], seat["phone"],
                          seat["deadline"], "440105", "440105"))
        new = {int(k): v for k, v in list(first["tokens"].items()) +
               list(second["tokens"].items())}
        self.assertEqual(sorted(new), a)
        # Each new token also went out on the stream, as a new offer.
        for seat_id in a:
            self.assertNotEqual(new[seat_id], old[seat_id])
            self.assertTrue(w.wait_for(lambda m: m.get("token") == new[seat_id]),
                            "no notify.offer with the resynced token")
        # A retry gets the recorded reply: no tokens, nothing reissued.
        again = sms.call("notify.resync", {"since": since, "limit": 1}, rid="resync-1")
        self.assertEqual(again["tokens"] if "tokens" in again else {}, {})
        self.assertEqual(again["result"], first["result"])
        # Old tokens are dead, new ones answer; the history says who and why.
        expert = self.expert_ctl()
        self.assert_error(self.expert_run("confirm", old[a[0]], ctl=expert),
                          "invalid_token", "token")
        self.assertEqual(self.confirm(new[a[0]], ctl=expert)["state"], "accepted")
        hist = [h for h in self.show(res["task"])["history"]
                if h["assignment"] == a[1] and h["event"] == "reissue"]
        self.assertEqual([(h["actor"], h["channel"], h["reason"]) for h in hist],
                         [("sms-gateway", "system", "notify.resync")])
        # The earlier task's offer was made before `since`: untouched.
        self.assertEqual(self.confirm(self.tokens(old_task)[
            old_task["panel"][0]["assignment"]], ctl=expert)["state"], "accepted")
        # Nothing was offered after now.
        later = sms.call("notify.resync", {"since": int(time.time()) + 3600})
        self.assertEqual((later["result"]["offers"], later["result"]["more"]), ([], False))
        self.verify()

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


class ReissueTest(AssignBase):
    """assignment.reissue (PROTOCOL.md 7.12.9): a new token for an offered
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
        # Recorded replies are sealed at rest: look inside them.
        stored = b"".join(Sealed(self.d.sign_key).replies(self.d))
        rows = store_rows(self.d, "SELECT * FROM assignment_events")
        self.assertGreaterEqual(len(seen), 6)
        for t in seen:
            secret = t.split(".", 1)[1]
            self.assertNotIn(secret, daemon_log, "token in the daemon log")
            self.assertNotIn(secret, log_text, "token in audit.entries")
            self.assertNotIn(secret, shows, "token in task show")
            self.assertNotIn(secret.encode(), stored, "token in a recorded reply")
            self.assertNotIn(secret, repr(rows), "token in the seat history")


if __name__ == "__main__":
    unittest.main()
