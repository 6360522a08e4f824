"""Attendance and the ledger (issue #4): the real daemon driven by expertctl.

- task attendance after the start.
- The ledger: warn and flag, flagged experts not drawn, reinstate, revoke.

The daemon, its roster and the helpers are assign_base's; sleeps only let
a deadline pass.
"""
import sqlite3
import time
import unittest

from harness import draw_args, sqlite_only
from assign_base import AssignBase


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
    # The score's rules; the span a flag needs is LedgerSpanTest's, so off here.
    CONFIG = ("[ledger]\nweight_decline = 1\nweight_excused = 2\nexcused_free = 1\n"
              "warn_at = 2\nflag_at = 3\nflag_span_days = 0\n")

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


class LedgerSpanTest(AssignBase):
    """第十七条's 长期 (POLICY.md 6.2): a flag needs the counted events to
    span flag_span_days (default 90), not a burst."""
    CONFIG = "[ledger]\nwarn_at = 2\nflag_at = 3\n"

    def decline_tasks(self, spec, days):
        """The specialty's only expert declines one new task per day given."""
        for day in days:
            res = self.draw(spec, 1, day)
            self.decline(list(self.tokens(res).values())[0], "schedule")

    def status(self, expert):
        return self.ctl.json("pool", "show", str(expert))["expert"]["status"]

    def flagged_entries(self, expert):
        return [e["entry"] for e in self.entries()
                if e["type"] == "expert.flagged" and e["entry"]["expert"]["id"] == expert]

    def age_ledger(self, expert, days):
        """Move the expert's ledger `days` back in time, as if the events
        had happened then: the daemon stopped, the never-edit trigger
        lifted for the one UPDATE and put back as it was."""
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        try:
            trig = conn.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                "AND name = 'ledger_fixed'").fetchone()[0]
            conn.execute("DROP TRIGGER ledger_fixed")
            n = conn.execute("UPDATE ledger SET at = at - ? WHERE expert_id = ?",
                             (days * 86400, expert)).rowcount
            conn.execute(trig)
            conn.commit()
        finally:
            conn.close()
        self.d.start()
        return n

    def test_five_declines_in_a_minute_do_not_flag(self):
        (x, _, _, _), = self.people["钳工"]
        self.decline_tasks("钳工", range(10, 15))
        led = self.ledger(x)
        self.assertEqual((led["score"], led["level"], led["flag_span_days"]),
                         (5, "warn", 90))
        self.assertTrue(all(e["counts"] for e in led["events"]))
        self.assertEqual(self.status(x), "active")
        self.assertEqual(self.flagged_entries(x), [])
        self.assertEqual(self.ctl.json("flagged")["experts"], [])
        # Still drawn.
        self.assertEqual(len(self.draw("钳工", 1, 20)["panel"]), 1)
        shown = self.ctl.run("pool", "show", str(x)).out
        self.assertIn("a flag needs events over 90 days", shown)
        self.verify()

    @sqlite_only("ages the ledger in the SQLite file, its trigger lifted")
    def test_declines_spread_over_the_period_flag(self):
        (x, _, _, _), = self.people["钳工"]
        self.decline_tasks("钳工", [10, 11])
        self.assertEqual(self.age_ledger(x, 89), 2)
        # 89 days back, then one more today: short of the span by a day.
        self.decline_tasks("钳工", [12])
        led = self.ledger(x)
        self.assertEqual((led["score"], led["level"]), (3, "warn"))
        self.assertEqual(self.status(x), "active")
        # The same three, now 100 and 11 days back, and a fourth today:
        # the counted events span more than 90 days.
        self.assertEqual(self.age_ledger(x, 11), 3)
        self.decline_tasks("钳工", [13])
        led = self.ledger(x)
        self.assertEqual((led["score"], led["level"]), (4, "flag"))
        self.assertEqual(self.status(x), "flagged")
        fl = self.flagged_entries(x)
        self.assertEqual(len(fl), 1)
        self.assertEqual((fl[0]["event"], fl[0]["actor"]), ("flagged", "expertd"))
        self.assertIn("over at least 90 days", fl[0]["reason"])
        r = self.ctl.run(*draw_args("钳工", 1, start=self.start_at(20)), json_out=True,
                         check=False)
        self.assert_error(r, "insufficient_candidates")
        self.verify()


if __name__ == "__main__":
    unittest.main()
