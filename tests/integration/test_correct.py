"""Corrections of a recorded outcome (issue #12 item 5, PROTOCOL.md 7.12.16):
the real daemon in secure mode, driven by expertctl as an operator, a
bureau and its clerk.

- A wrong no_show warns and flags an expert; the operator corrects it to
  completed: the seat, task.sheet and ledger.work say completed, the
  no_show no longer counts, the flag is lifted, both outcomes stay in
  the seat's and the expert's history and in the audit log, which
  verifies. Corrected back, the ledger counts it again and flags again.
- A decline's reason corrected: the ledger kind follows the reason; a
  withdrawal corrected to the decline it was; a decline corrected to an
  acceptance while its place is empty (the task is then filled), and
  refused once another expert holds the place.
- Refusals: bureau and clerk, a missing reason, unsettled and unknown
  seats, a no-op, conflict, both or neither outcome.
- A tampered correction entry fails `audit verify` at that entry.

The daemon's roster and helpers are assign_base's; waits are bounded
polls, and the one sleep lets a real task start pass.
"""
import sqlite3
import time
import unittest

import datetime

from harness import CST, DaemonTest, draw_args, sqlite_only
from assign_base import AssignBase
import test_audit

# A no_show (weight 3) warns and flags at once: no span is needed here.
CONFIG = "[ledger]\nwarn_at = 2\nflag_at = 3\nflag_span_days = 0\n"


class CorrectTest(AssignBase):
    def setUp(self):
        DaemonTest.setUp(self)
        self.d, self.as_ = self.start_secure_daemon(
            (("ops", "center-ops operator"), ("haizhu", "gz-haizhu bureau 440105"),
             ("clerk", "haizhu-clerk clerk 440105")),
            extra=["--config", self.write_config(CONFIG)], prepare=self.prepare_pool)
        self.__dict__.update(self.prepared)
        self.ctl = self.as_["ops"]

    # ---- helpers ----

    def correct(self, assignment, *args, ctl=None, check=True):
        r = (ctl or self.ctl).run("seat", "correct", str(assignment), *args,
                                  json_out=True, check=False)
        if check:
            self.assertEqual(r.rc, 0, r)
            return r.json
        return r

    def expert(self, expert):
        return self.ctl.json("pool", "show", str(expert))

    def of_type(self, type_):
        return [e for e in self.entries() if e["type"] == type_]

    def attended(self, spec, outcome):
        """A task of the specialty's first expert, accepted, started and
        recorded with outcome; returns (task, assignment, expert, start)."""
        start = int(time.time()) + 5
        res = self.ctl.json(*draw_args(spec, 1, start=start, respond=3600))
        (a, tok), = self.tokens(res).items()
        self.confirm(tok)
        while time.time() < start + 1:
            time.sleep(0.1)
        self.ctl.json("task", "attendance", str(res["task"]), "%d=%s" % (a, outcome))
        return res["task"], a, res["panel"][0]["expert"], start

    # ---- the tests ----

    def test_wrong_no_show_corrected_to_completed_and_back(self):
        task, a, x, start = self.attended("钳工", "no_show")
        led = self.expert(x)["ledger"]
        self.assertEqual((led["score"], led["level"]), (3, "flag"))
        self.assertEqual(self.expert(x)["expert"]["status"], "flagged")
        self.assertEqual(len(self.of_type("expert.warned")), 1)
        day = datetime.datetime.fromtimestamp(start, CST).date().isoformat()
        work = self.ctl.json("ledger", "work", "--from", day, "--to", day)
        self.assertEqual(work["lines"], [])

        out = self.correct(a, "--attendance", "completed", "--reason", "签到表漏记")
        self.assertEqual(out, {"assignment": a, "task": task, "expert": x,
                               "state": "completed", "decline_reason": "",
                               "expert_status": "active"})
        # The ledger: the no_show stays, withdrawn, and no longer counts.
        led = self.expert(x)["ledger"]
        self.assertEqual((led["score"], led["level"]), (0, "ok"))
        (ev,), = [led["events"]]
        self.assertEqual((ev["kind"], ev["assignment"], ev["counts"]), ("no_show", a, False))
        self.assertIsNotNone(ev["withdrawn"])
        self.assertEqual(self.ctl.json("flagged")["experts"], [])
        # The seat, the sheet and the work-done ledger say completed.
        self.assertEqual(self.seats(task)[a]["state"], "completed")
        sheet = self.ctl.json("task", "sheet", str(task))
        (seat,) = sheet["seats"]
        self.assertEqual((seat["state"], seat["attendance"]), ("completed", "complete"))
        work = self.ctl.json("ledger", "work", "--from", day, "--to", day)
        self.assertEqual([(l["expert"], l["seats"]) for l in work["lines"]], [(x, 1)])
        # History keeps both: the seat's and the expert's, and the log.
        hist = [h for h in self.show(task)["history"] if h["assignment"] == a]
        self.assertEqual([h["event"] for h in hist][-2:], ["no_show", "correct"])
        self.assertEqual((hist[-1]["from"], hist[-1]["to"], hist[-1]["note"]),
                         ("no_show", "completed", "签到表漏记"))
        events = self.expert(x)["history"]
        corrected = [h for h in events if h["event"] == "corrected"]
        self.assertEqual(len(corrected), 1)
        self.assertEqual(corrected[0]["reason"], "签到表漏记")
        self.assertEqual(corrected[0]["actor"], "center-ops")
        self.assertIn("no_show -> completed", corrected[0]["detail"])
        self.assertEqual(events[-1]["event"], "reinstated")
        self.assertEqual(events[-1]["actor"], "expertd")
        (entry,), = [[e["entry"] for e in self.of_type("assignment.corrected")]]
        self.assertEqual(entry, {"assignment": a, "task": task, "expert": x,
                                 "from": "no_show", "to": "completed",
                                 "actor": "center-ops", "reason": "签到表漏记",
                                 "withdrawn": "no_show"})
        lifted = [e["entry"] for e in self.of_type("pool.expert")
                  if e["entry"]["event"] == "reinstated"]
        self.assertEqual([(e["actor"], e["expert"]["status"]) for e in lifted],
                         [("expertd", 0)])
        self.verify()

        # Drawable again; then corrected back: the no_show counts again, at
        # the time it was first recorded, and flags again.
        out = self.correct(a, "--attendance", "no_show", "--reason", "核实后确未到场")
        self.assertEqual((out["state"], out["expert_status"]), ("no_show", "flagged"))
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["counts"], e["withdrawn"] is not None)
                          for e in led["events"]],
                         [("no_show", False, True), ("no_show", True, False)])
        self.assertEqual(led["events"][0]["at"], led["events"][1]["at"])
        self.assertEqual(led["score"], 3)
        self.assertEqual(self.ctl.json("ledger", "work", "--from", day, "--to", day)
                         ["lines"], [])
        self.assertEqual(self.ctl.json("task", "sheet", str(task))["seats"][0]
                         ["attendance"], "no_show")
        self.assertEqual(len(self.of_type("expert.flagged")), 2)
        self.verify()

    def test_decline_reason_corrected(self):
        (x, _, _, _), = self.people["车工"]
        res = self.draw("车工", 1, 10)
        a = res["panel"][0]["assignment"]
        self.decline(list(self.tokens(res).values())[0], "schedule")
        led = self.expert(x)["ledger"]
        self.assertEqual(([e["kind"] for e in led["events"]], led["score"]),
                         (["decline"], 1))
        out = self.correct(a, "--decline-reason", "illness", "--reason",
                           "病假条补交")
        self.assertEqual((out["state"], out["decline_reason"], out["expert_status"]),
                         ("declined", "illness", "active"))
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["reason"], e["counts"]) for e in led["events"]],
                         [("decline", "schedule", False),
                          ("excused_decline", "illness", True)])
        self.assertEqual(led["score"], 0)     # the first excused decline is free
        sheet = self.ctl.json("task", "sheet", str(res["task"]))
        mine = [s for s in sheet["seats"] if s["assignment"] == a]
        self.assertEqual((mine[0]["answer"], mine[0]["answer_reason"]),
                         ("decline", "illness"))
        (entry,), = [[e["entry"] for e in self.of_type("assignment.corrected")]]
        self.assertEqual((entry["from"], entry["to"], entry["from_reason"],
                          entry["to_reason"], entry["withdrawn"], entry["ledger"]),
                         ("declined", "declined", "schedule", "illness", "decline",
                          "excused_decline"))
        # The same reason again is no correction; conflict is never given.
        r = self.correct(a, "--decline-reason", "illness", "--reason", "again",
                         check=False)
        self.assert_error(r, "invalid_state", "assignment")
        self.assertIn("illness", r.json["message"])
        r = self.correct(a, "--decline-reason", "conflict", "--reason", "x", check=False)
        self.assert_error(r, "invalid_field", "decline_reason")
        r = self.ctl.run("seat", "correct", str(a), "--decline-reason", "conflict",
                         "--reason", "x", check=False)
        self.assertIn("conflict.add", r.err)
        # In words: the seat as corrected, the expert's status.
        out = self.ctl.run("seat", "correct", str(a), "--decline-reason", "other",
                           "--reason", "实为家事").out
        self.assertRegex(out, r"(?m)^decline reason\s+other$")
        self.assertRegex(out, r"(?m)^expert status\s+active$")
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["reason"], e["counts"]) for e in led["events"]],
                         [("decline", "schedule", False),
                          ("excused_decline", "illness", False),
                          ("decline", "other", True)])
        self.assertEqual(led["score"], 1)
        shown = self.ctl.run("pool", "show", str(x)).out
        self.assertIn("WITHDRAWN (CST)", shown)
        # An attendance is not a declined seat's.
        r = self.correct(a, "--attendance", "completed", "--reason", "x", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        self.assertIn("declined", r.json["message"])
        self.verify()

    def test_a_flag_the_corrected_ledger_still_reaches_stands(self):
        # A decline, then a no_show that flags (1 + 3 >= 3). The decline
        # corrected to an excused reason: at the flag's time the no_show
        # alone reaches flag_at, so the flag stands for an operator.
        res = self.draw("钳工", 1, 10)
        a = res["panel"][0]["assignment"]
        self.decline(list(self.tokens(res).values())[0], "schedule")
        _, _, x, _ = self.attended("钳工", "no_show")
        self.assertEqual(self.expert(x)["expert"]["status"], "flagged")
        out = self.correct(a, "--decline-reason", "official_duty", "--reason", "出差证明")
        self.assertEqual(out["expert_status"], "flagged")
        self.assertEqual(self.expert(x)["ledger"]["score"], 3)
        self.assertEqual([e["event"] for e in self.expert(x)["history"]][-1], "corrected")
        self.verify()

    def test_withdrawal_reason_corrected(self):
        res = self.draw("车工", 1, 10)
        a, x = res["panel"][0]["assignment"], res["panel"][0]["expert"]
        self.confirm(list(self.tokens(res).values())[0])
        self.staff(a, "withdraw", "--channel", "phone", "--reason", "schedule")
        out = self.correct(a, "--decline-reason", "illness", "--reason", "住院")
        self.assertEqual((out["state"], out["decline_reason"]), ("withdrawn", "illness"))
        # A withdrawal weighs the same whatever its reason: withdrawn, added.
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["reason"], e["counts"]) for e in led["events"]],
                         [("withdrawal", "schedule", False),
                          ("withdrawal", "illness", True)])
        self.assertEqual(led["score"], 2)
        self.verify()

    def test_decline_corrected_to_acceptance_while_its_place_is_empty(self):
        # The specialty's only expert declines: no one can be drawn in his
        # place, and the task is short. In fact he had accepted.
        res = self.draw("钳工", 1, 10)
        task, a = res["task"], res["panel"][0]["assignment"]
        x = res["panel"][0]["expert"]
        self.decline(list(self.tokens(res).values())[0], "schedule")
        self.assertEqual(self.show(task)["task"]["fill"], "short")
        out = self.correct(a, "--answer", "accept", "--reason", "电话中已答应，误录")
        self.assertEqual((out["state"], out["decline_reason"]), ("accepted", ""))
        self.assertEqual(self.show(task)["task"]["fill"], "filled")
        types = [e["type"] for e in self.entries()]
        i = types.index("assignment.corrected")
        self.assertEqual(types[i + 1], "task.filled")
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["counts"]) for e in led["events"]],
                         [("decline", False)])
        sheet = self.ctl.json("task", "sheet", str(task))["seats"]
        self.assertEqual([(s["answer"], s["answer_reason"]) for s in sheet
                          if s["assignment"] == a], [("accept", "")])
        # An accepted seat is answered, not corrected.
        r = self.correct(a, "--answer", "decline", "--reason", "x", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        self.verify()

    def test_decline_whose_place_was_filled_stays_a_decline(self):
        res = self.draw("电工", 1, 10)
        task, a = res["task"], res["panel"][0]["assignment"]
        filled = self.staff(a, "decline", "--channel", "phone", "--reason", "schedule")
        self.assertEqual(filled["filled_by"]["how"], "drawn")
        r = self.correct(a, "--answer", "accept", "--reason", "x", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        self.assertIn("every member place of task %d is held" % task, r.json["message"])
        r = self.ctl.run("seat", "correct", str(a), "--answer", "accept", "--reason", "x",
                         check=False)
        self.assertEqual(r.rc, 1, r)
        # With a reason an acceptance has none.
        r = self.correct(a, "--answer", "accept", "--decline-reason", "illness",
                         "--reason", "x", check=False)
        self.assert_error(r, "invalid_field", "decline_reason")
        self.verify()

    def test_withdrawal_corrected_to_a_decline(self):
        # Staff recorded an acceptance the expert never gave, then withdrew
        # it: a withdrawal weighs 2, the decline it was weighs 1.
        res = self.draw("车工", 1, 10)
        a, x = res["panel"][0]["assignment"], res["panel"][0]["expert"]
        self.staff(a, "accept", "--channel", "phone")
        self.staff(a, "withdraw", "--channel", "phone", "--reason", "schedule")
        self.assertEqual(self.expert(x)["ledger"]["score"], 2)
        out = self.correct(a, "--answer", "decline", "--reason", "当时即已拒绝")
        self.assertEqual((out["state"], out["decline_reason"]), ("declined", "schedule"))
        led = self.expert(x)["ledger"]
        self.assertEqual([(e["kind"], e["reason"], e["counts"]) for e in led["events"]],
                         [("withdrawal", "schedule", False),
                          ("decline", "schedule", True)])
        self.assertEqual(led["score"], 1)
        (entry,), = [[e["entry"] for e in self.of_type("assignment.corrected")]]
        self.assertEqual((entry["from"], entry["to"], entry["from_reason"],
                          entry["to_reason"], entry["withdrawn"], entry["ledger"]),
                         ("withdrawn", "declined", "schedule", "schedule", "withdrawal",
                          "decline"))
        self.verify()

    def test_refusals(self):
        res = self.draw("电工", 2, 10)
        a, b = [p["assignment"] for p in res["panel"]]
        self.confirm(self.tokens(res)[a])
        before = len(self.entries())
        # Only operators correct.
        for who in ("haizhu", "clerk"):
            r = self.correct(a, "--attendance", "completed", "--reason", "x",
                             ctl=self.as_[who], check=False)
            self.assert_error(r, "forbidden")
        # Unsettled seats: accepted, offered. (In words too: the sweep
        # reruns a failure under zh_CN and wants it in Chinese.)
        r = self.correct(a, "--attendance", "completed", "--reason", "x", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        r = self.ctl.run("seat", "correct", str(a), "--attendance", "completed",
                         "--reason", "x", check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("assignment %d is accepted; only a completed or no_show seat's "
                      "attendance is corrected" % a, r.err)
        r = self.correct(b, "--decline-reason", "illness", "--reason", "x", check=False)
        self.assert_error(r, "invalid_state", "assignment")
        r = self.correct(999999, "--attendance", "completed", "--reason", "x",
                         check=False)
        self.assert_error(r, "not_found", "assignment")
        # expertctl asks for a reason and for one outcome before any request.
        for args in (("--attendance", "completed"), ("--reason", "x"),
                     ("--attendance", "completed", "--decline-reason", "illness",
                      "--reason", "x")):
            r = self.ctl.run("seat", "correct", str(a), *args, check=False)
            self.assertEqual(r.rc, 2, r)
        # On the wire: no reason, an empty one, neither or both outcomes.
        c = self.raw("ops")
        for args, field in (({"assignment": a, "attendance": "completed"}, "reason"),
                            ({"assignment": a, "attendance": "completed", "reason": ""},
                             "reason"),
                            ({"assignment": a, "reason": "x"}, "attendance"),
                            ({"assignment": a, "attendance": "completed",
                              "decline_reason": "illness", "reason": "x"},
                             "attendance"),
                            ({"assignment": a, "attendance": "completed",
                              "answer": "accept", "reason": "x"}, "attendance")):
            c.send_request("assignment.correct", args)
            rep = c.recv()
            self.assertEqual((rep["status"], rep.get("field")), ("invalid_field", field),
                             rep)
        self.assertEqual(len(self.entries()), before)
        self.verify()


@sqlite_only("tampers with the SQLite file (audit entries rewritten)")
class CorrectTamperTest(AssignBase):
    """A correction entry rewritten, the chain recomputed: verify names it."""
    CONFIG = CONFIG

    # test_audit's tampering helpers (the class itself is not imported,
    # so its tests do not run here).
    tamper = test_audit.AuditTamperTest.tamper
    rehash = staticmethod(test_audit.AuditTamperTest.rehash)
    rewrite_body = staticmethod(test_audit.AuditTamperTest.rewrite_body)
    failed_verify = test_audit.AuditTamperTest.failed_verify
    assert_fails_at = test_audit.AuditTamperTest.assert_fails_at

    def setUp(self):
        super().setUp()
        res = self.draw("车工", 1, 10)
        self.a, self.task = res["panel"][0]["assignment"], res["task"]
        self.decline(list(self.tokens(res).values())[0], "schedule")
        self.ctl.json("seat", "correct", str(self.a), "--decline-reason", "illness",
                      "--reason", "病假条补交")
        self.verify()
        conn = sqlite3.connect(self.d.db)
        (self.seq,) = conn.execute("SELECT seq FROM audit WHERE type = "
                                   "'assignment.corrected'").fetchone()
        conn.close()

    def forge(self, change):
        self.tamper(edit=lambda conn: self.rewrite_body(conn, self.seq, change),
                    rehash_from=self.seq)

    def test_forged_reason_before_the_correction(self):
        self.forge(lambda o: o.__setitem__("from_reason", "other"))
        self.assert_fails_at(self.seq, r"assignment %d: the correction is from reason "
                             r"other; the seat's is schedule" % self.a)

    def test_forged_ledger_withdrawal(self):
        self.forge(lambda o: o.__setitem__("withdrawn", "no_show"))
        self.assert_fails_at(self.seq, r"assignment %d: the correction withdraws a "
                             r"no_show ledger event; the seat's is decline" % self.a)

    def test_forged_acceptance_owes_the_fill(self):
        # Rewritten as an acceptance the table allows (the task's only
        # place is empty): the task would be filled, and no task.filled
        # follows in the log.
        def accept(o):
            o["to"] = "accepted"
            del o["to_reason"], o["ledger"]
        self.forge(accept)
        self.assert_fails_at(self.seq, r"task %d is filled after this entry, and the "
                             r"log ends without task.filled" % self.task)

    def test_forged_outcome(self):
        self.forge(lambda o: o.__setitem__("to", "accepted"))
        self.assert_fails_at(self.seq, r"assignment %d: declined to accepted is not a "
                             r"correction" % self.a)


if __name__ == "__main__":
    unittest.main()
