"""第十七条 in the ledger's rules (issue #12 item 5): the real daemon in
secure mode, driven by expertctl as a bureau and as an operator.

- Response windows: a bureau's `--respond-within` below [assign]
  min_response_minutes is refused naming the minimum; an operator may,
  with a reason, and those expiries never count, however far the
  replacements cascade.
- Unavailability: the expert (by token), a clerk or an operator records
  a period; draws sharing a day with it never draw the expert, count
  them under `unavailable`, and write no ledger event; the log verifies.
- Grounds: a suspension or revocation names its ground under 第十七条
  and, if any, its referral to the judicial organs, in the history and
  the audit log; requests without them work as before.

The daemon, its roster and the helpers are assign_base's; waits are
bounded polls (the two-second deadlines are real and must pass).
"""
import time
import unittest

from harness import RawClient, cst_day, draw_args
from assign_base import WAIT, AssignBase


class SecureLedgerBase(AssignBase):
    """Roles need CURVE keys: an operator, a bureau and its clerk."""

    def setUp(self):
        self.start_secure((("ops", "center-ops operator"),
                           ("haizhu", "gz-haizhu bureau 440105"),
                           ("clerk", "haizhu-clerk clerk 440105")))

    def draw_as(self, who, spec, members, day, *extra):
        return self.as_[who].run(*draw_args(spec, members, start=self.start_at(day)),
                                 *extra, json_out=True, check=False)

    def task_ids(self):
        return [t["id"] for t in self.ctl.json("task", "list")["tasks"]]


class RespondWithinTest(SecureLedgerBase):
    def test_bureau_below_the_minimum_is_refused(self):
        before = len(self.entries())
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "invalid_field", "respond_within")
        self.assertIn("3600", r.json["message"])
        self.assertIn("60 minutes", r.json["message"])
        # A clerk does not draw at all.
        r = self.draw_as("clerk", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "forbidden")
        # One second short of the minimum, too; and a reason does not help.
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3599",
                         "--respond-reason", "urgent")
        self.assert_error(r, "invalid_field", "respond_within")
        # Nothing was recorded.
        self.assertEqual(self.task_ids(), [])
        self.assertEqual(len(self.entries()), before)
        # At the minimum a bureau draws; a reason then has nothing to explain.
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3600",
                         "--respond-reason", "urgent")
        self.assert_error(r, "invalid_field", "respond_reason")
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3600")
        self.assertEqual(r.rc, 0, r)
        task = self.show(r.json["task"])["task"]
        self.assertEqual((task["respond_within"], task["respond_reason"]), (3600, ""))
        # An operator below the minimum needs a reason.
        r = self.draw_as("ops", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "invalid_field", "respond_reason")
        self.assertEqual(len(self.task_ids()), 1)
        self.verify()

    def test_operator_short_window_expiries_never_count(self):
        spec = "焊工"
        experts = [p[0] for p in self.people[spec]]
        r = self.draw_as("ops", spec, 1, 10, "--respond-within", "2",
                         "--respond-reason", "演练: 通知系统测试")
        self.assertEqual(r.rc, 0, r)
        task = r.json["task"]
        shown = self.show(task)["task"]
        self.assertEqual((shown["respond_within"], shown["respond_reason"]),
                         (2, "演练: 通知系统测试"))
        self.assertIn("演练: 通知系统测试", self.ctl.run("task", "show", str(task)).out)
        # Nobody answers: every offer and every replacement's offer expires,
        # through the whole specialty, until the task is short.
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            seats = self.show(task)["seats"]
            if len(seats) == len(experts) and all(s["state"] == "expired" for s in seats):
                break
            time.sleep(0.2)
        seats = self.show(task)["seats"]
        self.assertEqual(sorted(s["expert"] for s in seats), experts)
        self.assertTrue(all(s["state"] == "expired" for s in seats), seats)
        self.assertEqual(self.show(task)["task"]["fill"], "short")
        for x in experts:
            self.assertEqual(self.ledger(x)["events"], [], "expert %d" % x)
        expired = [e["entry"] for e in self.entries()
                   if e["type"] == "assignment.expired"]
        self.assertEqual(len(expired), len(experts))
        self.verify()


class UnavailableTest(SecureLedgerBase):
    def period(self, who, *args):
        return self.as_[who].run("pool", "unavailable", *args, json_out=True,
                                 check=False)

    def test_unavailable_experts_are_never_drawn_in_the_period(self):
        spec = "焊工"
        experts = [p[0] for p in self.people[spec]]
        frm, to = cst_day(20).isoformat(), cst_day(30).isoformat()
        # The expert, with the token of an offer (the seat stays offered).
        res = self.draw(spec, 1, 10)
        (x,) = [p["expert"] for p in res["panel"]]
        token = list(self.tokens(res).values())[0]
        r = self.expert_run("unavailable", token, "--from", frm, "--to", to,
                            "--reason", "出国培训")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual((r.json["expert"], r.json["from"], r.json["to"]), (x, frm, to))
        self.assertEqual(self.seats(res["task"])[res["panel"][0]["assignment"]]["state"],
                         "offered")
        # A clerk and an operator, for two others; a bureau may not.
        y, z = [e for e in experts if e != x][:2]
        r = self.period("clerk", str(y), "--from", frm, "--to", to, "--reason", "电话告知")
        self.assertEqual(r.rc, 0, r)
        r = self.period("ops", str(z), "--from", frm, "--to", to, "--reason", "来函")
        self.assertEqual(r.rc, 0, r)
        self.assert_error(self.period("haizhu", str(z), "--from", frm, "--to", to,
                                      "--reason", "r"), "forbidden")
        # Bad periods are refused, naming the field, and record nothing.
        before = len(self.entries())
        self.assert_error(self.period("ops", str(z), "--from", to, "--to", frm,
                                      "--reason", "r"), "invalid_field", "to")
        self.assert_error(self.period("ops", str(z), "--from", cst_day(-9).isoformat(),
                                      "--to", cst_day(-2).isoformat(), "--reason", "r"),
                          "invalid_field", "to")
        self.assert_error(self.period("ops", "999", "--from", frm, "--to", to,
                                      "--reason", "r"), "not_found", "expert")
        self.assertEqual(len(self.entries()), before)
        away = {x, y, z}
        # Inside the period: never drawn, counted under unavailable.
        for day in (20, 25, 30):
            r = self.as_["haizhu"].run(*draw_args(spec, 3, day), json_out=True,
                                       check=False)
            self.assertEqual(r.rc, 0, r)
            self.assertFalse({p["expert"] for p in r.json["panel"]} & away, r.json)
            self.assertEqual(r.json["excluded"]["unavailable"], 3)
        r = self.as_["haizhu"].run(*draw_args(spec, 4, 26), json_out=True, check=False)
        self.assert_error(r, "insufficient_candidates")
        self.assertEqual(r.json["result"]["excluded"]["unavailable"], 3)
        # Outside it, drawn again; the map then names no such rule.
        r = self.as_["haizhu"].run(*draw_args(spec, 6, 31), json_out=True, check=False)
        self.assertEqual(r.rc, 0, r)
        self.assertTrue(away <= {p["expert"] for p in r.json["panel"]}, r.json)
        self.assertNotIn("unavailable", r.json["excluded"])
        # Nothing counts against them; the history says who recorded what.
        for e in away:
            self.assertEqual(self.ledger(e)["events"], [], "expert %d" % e)
        hist = [h for h in self.ctl.json("pool", "show", str(y))["history"]
                if h["event"] == "unavailable"]
        self.assertEqual([(h["actor"], h["reason"]) for h in hist],
                         [("haizhu-clerk", "电话告知")])
        # pool.show lists each period with who recorded it and how: the
        # expert's own by token, which expertctl shows as the expert.
        (p,) = self.ctl.json("pool", "show", str(x))["unavailable"]
        self.assertEqual((p["from"], p["to"], p["withdrawn"], p["channel"], p["reason"]),
                         (frm, to, False, "token", "出国培训"))
        self.assertTrue(p["created_by"].startswith("expert:"), p)
        shown = self.ctl.run("pool", "show", str(x)).out
        self.assertIn("the expert (own token)", shown)
        self.assertNotIn(p["created_by"], shown)
        logged = [e["entry"] for e in self.entries() if e["type"] == "pool.unavailable"]
        self.assertEqual([(e["expert"], e["from"], e["to"]) for e in logged],
                         [(x, frm, to), (y, frm, to), (z, frm, to)])
        self.assertIn("unavailable %s .. %s" % (frm, to),
                      self.ctl.run("log", "--since", "1", "--limit", "1000").out)
        self.verify()


class GroundsTest(AssignBase):
    """Roles do not matter here: the insecure daemon's caller is an operator."""

    def raw_call(self, op, args):
        conn = RawClient(self.d.endpoint)
        try:
            return conn.call(op, args)
        finally:
            conn.close()

    def history(self, expert, event):
        h = self.ctl.json("pool", "show", str(expert))["history"]
        return [e for e in h if e["event"] == event]

    def pool_entries(self, expert, event):
        return [e["entry"] for e in self.entries() if e["type"] == "pool.expert" and
                e["entry"]["expert"]["id"] == expert and e["entry"]["event"] == event]

    def test_suspend_and_revoke_with_grounds(self):
        x, y, z = [p[0] for p in self.people["焊工"][:3]]
        self.ctl.json("pool", "suspend", str(x), "--reason", "调查期间暂停",
                      "--ground", "confidentiality", "--until", "2099-12-31")
        self.ctl.json("pool", "revoke", str(x), "--reason", "泄露试题",
                      "--ground", "confidentiality",
                      "--referral", "已移送广州市公安局 (案号 2026-17)")
        (sus,) = self.history(x, "suspended")
        self.assertEqual((sus["ground"], sus["reason"], sus["until"]),
                         ("confidentiality", "调查期间暂停", "2099-12-31"))
        self.assertNotIn("referral", sus)
        (rev,) = self.history(x, "revoked")
        self.assertEqual((rev["ground"], rev["referral"]),
                         ("confidentiality", "已移送广州市公安局 (案号 2026-17)"))
        (entry,) = self.pool_entries(x, "revoked")
        self.assertEqual([k for k in entry],
                         ["event", "actor", "reason", "ground", "referral", "expert"])
        self.assertEqual((entry["ground"], entry["referral"]),
                         ("confidentiality", "已移送广州市公安局 (案号 2026-17)"))
        shown = self.ctl.run("pool", "show", str(x)).out
        self.assertRegex(shown, r"(?m)^AT\s+ACTOR\s+EVENT\s+UNTIL\s+GROUND\s+REASON\s+"
                                r"REFERRAL\s+DETAIL")
        self.assertIn("已移送广州市公安局", shown)

        self.ctl.json("pool", "revoke", str(y), "--reason", "多次评审中徇私",
                      "--ground", "favouritism")
        (entry,) = self.pool_entries(y, "revoked")
        self.assertEqual((entry["ground"], "referral" in entry), ("favouritism", False))
        # Without a ground, as before: no ground key in the history or the log.
        self.ctl.json("pool", "revoke", str(z), "--reason", "第十七条")
        (rev,) = self.history(z, "revoked")
        self.assertNotIn("ground", rev)
        (entry,) = self.pool_entries(z, "revoked")
        self.assertEqual([k for k in entry], ["event", "actor", "reason", "expert"])
        self.verify()

    def test_bad_grounds_are_refused_and_change_nothing(self):
        (x, _, _, _) = self.people["焊工"][0]
        before = len(self.entries())
        # Which grounds there are is the daemon's to say (the Center adds
        # its own, POLICY.md 6.3): it refuses, listing those it takes.
        r = self.ctl.run("pool", "revoke", str(x), "--reason", "r", "--ground", "laziness",
                         json_out=True, check=False)
        self.assert_error(r, "invalid_field", "ground")
        self.assertIn("non_participation", r.json["message"])
        # What is not a ground's code at all, expertctl refuses before sending.
        r = self.ctl.run("pool", "revoke", str(x), "--reason", "r", "--ground", "Laziness",
                         json_out=True, check=False)
        self.assertEqual(r.rc, 2, r)
        self.assertIn("non_participation", r.err)
        # The wire refuses it too, naming the field.
        rep = self.raw_call("pool.revoke", {"expert": x, "reason": "r",
                                            "ground": "laziness"})
        self.assertEqual((rep["status"], rep.get("field")), ("invalid_field", "ground"), rep)
        rep = self.raw_call("pool.reinstate", {"expert": x, "reason": "r",
                                               "ground": "other"})
        self.assertEqual((rep["status"], rep.get("field")), ("invalid_field", "ground"), rep)
        self.assertEqual(self.ctl.json("pool", "show", str(x))["expert"]["status"],
                         "active")
        self.assertEqual(len(self.entries()), before)


if __name__ == "__main__":
    unittest.main()
