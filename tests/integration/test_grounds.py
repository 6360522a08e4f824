"""第十七条's loose ends (issue #12 item 5): the Center's own grounds and
withdrawn or shortened periods of unavailability, on the real daemon
driven by expertctl.

- Grounds: the Center configures further grounds in [grounds] (a code, a
  Chinese label, optionally an English one); pool.suspend and pool.revoke
  take them, the history keeps the labels it was recorded with, expertctl
  prints the label in the reader's language; an unknown code is refused
  naming `ground` and listing the accepted ones; SIGHUP adds and drops
  grounds, and a ground dropped from the settings still shows with its
  label; a bad [grounds] keeps the daemon from starting, and a reload
  with one keeps the old settings.
- Unavailability (PROTOCOL.md 7.6.6): an operator or a clerk withdraws a
  period or shortens it, with a reason; draws on the freed days may draw
  the expert again, on the days left they still may not; refusals name
  their field; the verifier replays the change; a restart reads it back.
  pool.show lists each period (7.6.2 `unavailable`) with its id and its
  days as they now are, newest first, at most 50 with the count of all;
  expertctl prints them under a Chinese heading.
"""
import os
import signal
import subprocess
import time
import unittest

from harness import EXPERTD, ZH, cst_day, draw_args
from assign_base import WAIT, AssignBase
from test_ledger_rules import SecureLedgerBase

GROUNDS = """[grounds]
bribery = 收受财物 | accepting gifts
leak_exam = 泄露试题
"""


class ConfiguredGroundsTest(AssignBase):
    CONFIG = GROUNDS

    def history(self, expert, event):
        h = self.ctl.json("pool", "show", str(expert))["history"]
        return [e for e in h if e["event"] == event]

    def codes(self):
        return [g["code"] for g in self.ctl.json("pool", "grounds")["grounds"]]

    def test_configured_ground_accepted_and_shown_with_its_label(self):
        grounds = self.ctl.json("pool", "grounds")["grounds"]
        self.assertEqual(grounds[4:], [
            {"code": "bribery", "label": "收受财物", "label_en": "accepting gifts",
             "configured": True},
            {"code": "leak_exam", "label": "泄露试题", "label_en": "", "configured": True}])
        self.assertEqual([(g["code"], g["configured"]) for g in grounds[:4]],
                         [("confidentiality", False), ("favouritism", False),
                          ("non_participation", False), ("other", False)])
        self.assertEqual(grounds[2]["label"], "长期不参加委派任务")
        x, y = [p[0] for p in self.people["焊工"][:2]]
        self.ctl.json("pool", "revoke", str(x), "--reason", "收受考生财物",
                      "--ground", "bribery", "--referral", "已移送纪检部门")
        (rev,) = self.history(x, "revoked")
        self.assertEqual((rev["ground"], rev["ground_label"], rev["ground_label_en"],
                          rev["referral"]),
                         ("bribery", "收受财物", "accepting gifts", "已移送纪检部门"))
        self.ctl.json("pool", "suspend", str(y), "--reason", "调查", "--ground",
                      "leak_exam")
        (sus,) = self.history(y, "suspended")
        self.assertEqual((sus["ground"], sus["ground_label"]), ("leak_exam", "泄露试题"))
        self.assertNotIn("ground_label_en", sus)
        # The audit log keeps the code; the verifier accepts it.
        (entry,) = [e["entry"] for e in self.entries() if e["type"] == "pool.expert"
                    and e["entry"]["event"] == "revoked"]
        self.assertEqual(entry["ground"], "bribery")
        self.verify()
        # People read the label, in their language; the code only in English
        # where the Center gave no English label.
        zh = self.ctl.run("pool", "show", str(x), env=ZH).out
        self.assertIn("收受财物", zh)
        self.assertNotIn("bribery", zh)
        self.assertIn("accepting gifts", self.ctl.run("pool", "show", str(x)).out)
        self.assertIn("泄露试题", self.ctl.run("pool", "show", str(y), env=ZH).out)
        self.assertIn("leak_exam", self.ctl.run("pool", "show", str(y)).out)
        listed = self.ctl.run("pool", "grounds", env=ZH).out
        for label in ("收受财物", "泄露试题", "长期不参加委派任务"):
            self.assertIn(label, listed)
        # A built-in ground is labelled too.
        z = self.people["焊工"][2][0]
        self.ctl.json("pool", "revoke", str(z), "--reason", "r", "--ground", "favouritism")
        self.assertIn("徇私舞弊", self.ctl.run("pool", "show", str(z), env=ZH).out)

    def test_unknown_ground_is_refused_naming_the_accepted_ones(self):
        x = self.people["焊工"][0][0]
        before = len(self.entries())
        for code in ("laziness", "other_reason"):
            r = self.ctl.run("pool", "revoke", str(x), "--reason", "r", "--ground", code,
                             json_out=True, check=False)
            self.assert_error(r, "invalid_field", "ground")
            self.assertIn(code, r.json["message"])
            for known in ("confidentiality", "non_participation", "bribery", "leak_exam"):
                self.assertIn(known, r.json["message"])
        # Not a code at all: expertctl refuses before sending.
        for code in ("Bribery", "收受", "9lives", "x" * 33):
            r = self.ctl.run("pool", "suspend", str(x), "--reason", "r", "--ground", code,
                             check=False)
            self.assertEqual(r.rc, 2, r)
        self.assertEqual(self.ctl.json("pool", "show", str(x))["expert"]["status"],
                         "active")
        self.assertEqual(len(self.entries()), before)
        # Under Chinese, the refusal reads in Chinese.
        r = self.ctl.run("pool", "revoke", str(x), "--reason", "r", "--ground",
                         "laziness", env=ZH, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("bribery", r.err)
        self.assertRegex(r.err, "[\u4e00-\u9fff]")

    def wait_codes(self, want):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.codes()[4:] == want:
                return
            time.sleep(0.05)
        self.fail("grounds after SIGHUP: %r, not %r" % (self.codes()[4:], want))

    def test_reload_adds_a_ground_and_a_dropped_one_keeps_its_label(self):
        x, y = [p[0] for p in self.people["焊工"][:2]]
        self.ctl.json("pool", "suspend", str(x), "--reason", "调查", "--ground", "bribery")
        self.write_config("[grounds]\nabsent_often = 多次无故缺席 | often absent\n")
        self.d.proc.send_signal(signal.SIGHUP)
        self.wait_codes(["absent_often"])
        self.ctl.json("pool", "revoke", str(y), "--reason", "r", "--ground", "absent_often")
        (rev,) = self.history(y, "revoked")
        self.assertEqual((rev["ground"], rev["ground_label"]), ("absent_often", "多次无故缺席"))
        r = self.ctl.run("pool", "revoke", str(x), "--reason", "r", "--ground", "bribery",
                         json_out=True, check=False)
        self.assert_error(r, "invalid_field", "ground")
        # Dropped from the settings, the recorded ground keeps its label.
        (sus,) = self.history(x, "suspended")
        self.assertEqual((sus["ground"], sus["ground_label"], sus["ground_label_en"]),
                         ("bribery", "收受财物", "accepting gifts"))
        self.assertIn("收受财物", self.ctl.run("pool", "show", str(x), env=ZH).out)
        # A bad [grounds] on reload keeps the settings there were.
        self.write_config("[grounds]\nother = 其他理由\n")
        self.d.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + WAIT
        while "keeping the old configuration" not in self.d.read_log():
            self.assertLess(time.monotonic(), deadline, self.d.read_log())
            time.sleep(0.05)
        self.assertEqual(self.codes()[4:], ["absent_often"])
        self.verify()

    def test_bad_grounds_settings_stop_the_start(self):
        cases = [("[grounds]\nother = 其他\n", "built-in"),
                 ("[grounds]\nBribery = 收受财物\n", "not a ground code"),
                 ("[grounds]\nbribery =  | gifts\n", "Chinese label"),
                 ("[grounds]\nbribery = 收受财物\nbribery = 又一次\n", "set twice")]
        for text, why in cases:
            path = self.write_config(text, "bad.conf")
            p = subprocess.run([EXPERTD, "--config", path, "--insecure", "--check-config"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 78, (text, p.stderr))
            self.assertIn(why, p.stderr, text)
            self.assertIn("bad.conf:", p.stderr)


class WithdrawUnavailableTest(SecureLedgerBase):
    def period(self, who, *args):
        return self.as_[who].run("pool", "unavailable", *args, json_out=True,
                                 check=False)

    def withdraw(self, who, *args):
        return self.as_[who].run("pool", "unavailable-withdraw", *args, json_out=True,
                                 check=False)

    def periods(self, expert):
        """pool.show's periods of the expert, as (id, from, to, withdrawn)."""
        shown = self.ctl.json("pool", "show", str(expert))
        self.assertEqual(shown["unavailable_count"], len(shown["unavailable"]))
        return [(p["id"], p["from"], p["to"], p["withdrawn"])
                for p in shown["unavailable"]]

    def drawn(self, members, day):
        r = self.as_["haizhu"].run(*draw_args("焊工", members, day), json_out=True,
                                   check=False)
        self.assertEqual(r.rc, 0, r)
        return {p["expert"] for p in r.json["panel"]}, r.json["excluded"]

    def test_withdrawn_and_shortened_periods_free_their_days(self):
        x, y, z = [p[0] for p in self.people["焊工"][:3]]
        day = {d: cst_day(d).isoformat() for d in (19, 20, 22, 24, 25, 27, 30, 31)}
        ids = {}
        for who, e in (("ops", x), ("clerk", y), ("ops", z)):
            r = self.period(who, str(e), "--from", day[20], "--to", day[30], "--reason",
                            "出差")
            self.assertEqual(r.rc, 0, r)
            ids[e] = r.json["id"]
        for e in (x, y, z):
            self.assertEqual(self.periods(e), [(ids[e], day[20], day[30], False)])
        (p,) = self.ctl.json("pool", "show", str(y))["unavailable"]
        self.assertEqual((p["reason"], p["channel"], p["created_by"]),
                         ("出差", "staff", "haizhu-clerk"))
        self.assertIsInstance(p["created_at"], int)
        # Refusals name their field and record nothing.
        before = len(self.entries())
        self.assert_error(self.withdraw("ops", "999", "--reason", "r"), "not_found", "id")
        self.assert_error(self.withdraw("haizhu", str(ids[x]), "--reason", "r"),
                          "forbidden")
        for args, field in (((("--from", day[19])), "from"),
                            ((("--to", day[31])), "to"),
                            ((("--from", day[25], "--to", day[22])), "to"),
                            ((("--from", day[20], "--to", day[30])), "to"),
                            ((("--from", day[20])), "from")):
            self.assert_error(self.withdraw("ops", str(ids[y]), "--reason", "r", *args),
                              "invalid_field", field)
        r = self.withdraw("ops", str(ids[y]))
        self.assertEqual(r.rc, 2, r)          # --reason is required
        self.assertEqual(len(self.entries()), before)
        # An operator withdraws x's period; a clerk shortens y's to 20..24.
        r = self.withdraw("ops", str(ids[x]), "--reason", "行程取消")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json, {"id": ids[x], "expert": x, "withdrawn": True,
                                  "from": None, "to": None})
        self.assert_error(self.withdraw("ops", str(ids[x]), "--reason", "again"),
                          "invalid_state", "id")
        # Withdrawn, it keeps the days it had, and says it covers none.
        self.assertEqual(self.periods(x), [(ids[x], day[20], day[30], True)])
        self.assertEqual(self.periods(y), [(ids[y], day[20], day[30], False)])
        r = self.withdraw("clerk", str(ids[y]), "--reason", "提前返回", "--to", day[24])
        self.assertEqual(r.rc, 0, r)
        self.assertEqual((r.json["withdrawn"], r.json["from"], r.json["to"]),
                         (False, day[20], day[24]))
        self.assertEqual(self.periods(y), [(ids[y], day[20], day[24], False)])
        self.assertEqual(self.periods(z), [(ids[z], day[20], day[30], False)])
        self.check_draws(x, y, z, 22, 27)
        # What was done, by whom and why: the history and the log.
        (h,) = [h for h in self.ctl.json("pool", "show", str(x))["history"]
                if h["event"] == "unavailable_withdrawn"]
        self.assertEqual((h["actor"], h["reason"]), ("center-ops", "行程取消"))
        (h,) = [h for h in self.ctl.json("pool", "show", str(y))["history"]
                if h["event"] == "unavailable_shortened"]
        self.assertEqual((h["actor"], h["reason"]), ("haizhu-clerk", "提前返回"))
        self.assertIn("%s .. %s -> %s .. %s" % (day[20], day[30], day[20], day[24]),
                      h["detail"])
        logged = [e["entry"] for e in self.entries()
                  if e["type"] == "pool.unavailable.changed"]
        self.assertEqual([(e["id"], e["expert"], e["from"], e["to"]) for e in logged],
                         [(ids[x], x, None, None), (ids[y], y, day[20], day[24])])
        log = self.ctl.run("log", "--since", "1", "--limit", "1000").out
        self.assertIn("unavailable %d: withdrawn" % ids[x], log)
        self.assertIn("unavailable %d: now %s .. %s" % (ids[y], day[20], day[24]), log)
        for e in (x, y, z):
            self.assertEqual(self.ledger(e)["events"], [], "expert %d" % e)
        self.verify()
        # A restart reads the periods back as they now are.
        self.d.stop()
        self.d.start(lambda d: type(self.ctl)(d, self.keys["ops"], self.server_pub))
        self.check_draws(x, y, z, 23, 28)
        self.assertEqual([self.periods(e) for e in (x, y, z)],
                         [[(ids[x], day[20], day[30], True)],
                          [(ids[y], day[20], day[24], False)],
                          [(ids[z], day[20], day[30], False)]])
        self.verify()

    def test_days_already_passed_stay(self):
        """A period under way keeps the days passed (PROTOCOL.md 7.6.6):
        its first day stays, it ends yesterday at the earliest, and a
        withdrawal shortens it to end yesterday."""
        x = self.people["焊工"][0][0]
        d = {k: cst_day(k).isoformat() for k in (-3, -2, -1, 0, 5)}
        r = self.period("ops", str(x), "--from", d[-3], "--to", d[5], "--reason", "出差")
        self.assertEqual(r.rc, 0, r)
        pid = str(r.json["id"])
        before = len(self.entries())
        self.assert_error(self.withdraw("ops", pid, "--reason", "r", "--from", d[-2]),
                          "invalid_field", "from")
        self.assert_error(self.withdraw("ops", pid, "--reason", "r", "--to", d[-2]),
                          "invalid_field", "to")
        self.assertEqual(len(self.entries()), before)
        r = self.withdraw("ops", pid, "--reason", "行程取消")
        self.assertEqual(r.rc, 0, r)
        self.assertEqual(r.json, {"id": int(pid), "expert": x, "withdrawn": False,
                                  "from": d[-3], "to": d[-1]})
        self.assertEqual(self.periods(x), [(int(pid), d[-3], d[-1], False)])
        (h,) = [h for h in self.ctl.json("pool", "show", str(x))["history"]
                if h["event"].startswith("unavailable_")]
        self.assertEqual(h["event"], "unavailable_shortened")
        # Nothing is left to take back: the period has ended.
        self.assert_error(self.withdraw("ops", pid, "--reason", "again"),
                          "invalid_state", "id")
        self.verify()

    def test_pool_show_lists_the_newest_periods(self):
        """Newest first, at most 50, with the count of all; expertctl prints
        them in a table under a Chinese heading, the time in 北京时间."""
        x, y = [p[0] for p in self.people["焊工"][:2]]
        self.assertEqual(self.periods(x), [])
        self.assertIn("(none)", self.ctl.run("pool", "show", str(x)).out)
        days = [cst_day(k).isoformat() for k in range(1, 53)]
        recorded = self.ctl.run_many(
            [("pool", "unavailable", str(x), "--from", d, "--to", d, "--reason",
              "开会 %d" % i) for i, d in enumerate(days)], json_out=True)
        for r in recorded:
            self.assertEqual(r.rc, 0, r)
        r = self.period("ops", str(y), "--from", days[0], "--to", days[3], "--reason",
                        "另一位专家")
        self.assertEqual(r.rc, 0, r)
        by_id = sorted((r.json["id"], r.json["from"]) for r in recorded)
        shown = self.ctl.json("pool", "show", str(x))
        self.assertEqual(shown["unavailable_count"], 52)
        self.assertEqual([(p["id"], p["from"], p["to"]) for p in shown["unavailable"]],
                         [(i, d, d) for i, d in reversed(by_id[2:])])
        self.assertEqual(self.periods(y), [(r.json["id"], days[0], days[3], False)])
        newest, oldest_shown = by_id[-1][0], by_id[2][0]
        out = self.ctl.run("pool", "show", str(x)).out
        self.assertIn("periods of unavailability:", out)
        self.assertIn("(the newest 50 of 52 periods)", out)
        rows = [l.split() for l in out.splitlines()]
        ids = [int(w[0]) for w in rows if len(w) > 3 and w[0].isdigit()
               and w[1] in days]
        self.assertEqual(ids[0], newest)
        self.assertEqual(ids[-1], oldest_shown)
        self.assertEqual(len(ids), 50)
        zh = self.ctl.run("pool", "show", str(x), env=ZH).out
        self.assertIn("不能参加时段：", zh)
        self.assertIn("记录时间（北京时间）", zh)
        self.assertIn("（最新的 50 个，共 52 个）", zh)

    def check_draws(self, x, y, z, away, back):
        """x is free every day, y from day 25, z never until day 31: six
        welders, so a draw of all those drawable must take exactly them
        (on day `away`, y is still away; on day `back`, y is back)."""
        welders = {p[0] for p in self.people["焊工"]}
        panel, excluded = self.drawn(4, away)
        self.assertEqual(panel, welders - {y, z})
        self.assertEqual(excluded["unavailable"], 2)
        panel, excluded = self.drawn(5, back)
        self.assertEqual(panel, welders - {z})
        self.assertEqual(excluded["unavailable"], 1)


if __name__ == "__main__":
    unittest.main()
