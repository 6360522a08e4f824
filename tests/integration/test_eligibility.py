"""第十一条 as the guideline writes it (issue #12 item 3), against the real
daemon: a relaxation ground (七) relaxes (二)(三)(四) and never the age
rule (六); an 80-year-old with a ground and no title, and a 76-year-old
第十三条 leader, are refused until an operator records an age exception
with a reason; the ground needs its evidence; `pool show` names who
approved the ground and the exception, and when; an excepted leader is
drawn and the draw replays under `audit verify`."""
import os
import sqlite3
import unittest

from harness import Ctl, DaemonTest, cst_day, draw_args

HEAD = ("姓名,性别,身份证号,手机,申请专家组专业,专家组类型,专业技术职称,"
        "职业资格等级,考评工作年限,培训工作年限,放宽条件,放宽条件依据\n")
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def rid(age, i):
    """A male resident ID of someone `age` years old today (born a month
    ago in the calendar year, so the age holds all month)."""
    d = cst_day(-30)
    body = "440106%04d%02d%02d%03d" % (d.year - age, d.month, min(d.day, 28), 2 * i + 1)
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, W)) % 11]


# line: (name, age, title, qualification, relaxation, evidence)
ROWS = {
    2: ("王建国", 45, "中级", "技师", "", ""),
    3: ("李长青", 80, "无", "无", "获奖者", "获省级技术能手称号"),        # the 80-year-old
    4: ("赵德林", 76, "无", "无", "部省级专家", "省级培训评价专家聘书"),  # the 76-year-old leader
    5: ("陈志远", 50, "中级", "技师", "", ""),
    6: ("周明华", 48, "中级", "技师", "", ""),
}


def write(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for line in sorted(rows):
            name, age, title, qual, relax, evidence = rows[line]
            f.write("%s,男,%s,1390000%04d,电工,技能评价,%s,%s,5,0,%s,%s\n"
                    % (name, rid(age, line), line, title, qual, relax, evidence))
    return path


class EligibilityTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.roster = write(os.path.join(self.dir, "roster.csv"), ROWS)

    def find(self, name):
        for e in self.ctl.json("pool", "list", "--limit", "1000")["experts"]:
            if e["name"] == name:
                return self.ctl.json("pool", "show", str(e["id"]))["expert"]
        return None

    def test_age_bends_only_for_a_recorded_exception(self):
        r = self.ctl.run("pool", "import", "--appointed", self.roster, json_out=True, check=False)
        self.assertEqual(r.rc, 65, r)
        errors = {e["line"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(errors), [3, 4], r.out)
        for line in (3, 4):
            self.assertEqual(errors[line]["column"], "身份证号")
            # A roster with Chinese headers gets the reasons in Chinese.
            self.assertEqual(errors[line]["reason"],
                             "年龄超过65周岁（第十一条（六））；放宽条件不放宽年龄，"
                             "须经中心批准年龄例外")
        self.assertIsNone(self.find("王建国"))            # nothing was imported

        # Half a pair is a usage error, before anything is sent.
        half = self.ctl.run("pool", "import", "--appointed", self.roster, "--age-exception", "3",
                            check=False)
        self.assertEqual(half.rc, 2, half)
        why = "中心批准：行业稀缺，延聘一届"
        done = self.ctl.json("pool", "import", "--appointed", self.roster, "--age-exception", "3",
                             "--age-exception", "4", "--age-exception-reason", why)
        self.assertEqual(done["inserted"], 5, done)
        me = self.ctl.json("ping")["principal"]
        old = self.find("李长青")
        self.assertEqual(old["age"], 80)
        self.assertEqual((old["age_exception"]["basis"], old["age_exception"]["approved_by"]),
                         (why, me))
        self.assertGreater(old["age_exception"]["approved_at"], 0)
        self.assertEqual(old["relaxation"]["basis"], "获省级技术能手称号")
        self.assertEqual(old["relaxation"]["approved_by"], me)
        self.assertIsNone(self.find("王建国")["age_exception"])
        self.assertIsNone(self.find("王建国")["relaxation"])
        text = self.ctl.run("pool", "show", str(old["id"])).out
        self.assertIn("age exception (第十一条(六)) approved by %s" % me, text)
        self.assertIn("relaxation grounds approved by %s" % me, text)

        # The excepted 第十三条 leader is the only one who may lead: drawn as
        # leader, and the draw replays with the rule of its transcript.
        lead = self.find("赵德林")
        self.assertTrue(lead["leader"])
        res = self.ctl.json(*draw_args("电工", 2, 10, "--leader"))
        self.assertEqual(res["panel"][0]["expert"], lead["id"])
        self.assertEqual(res["panel"][0]["role"], "leader")
        shown = self.ctl.json("audit", "show", str(res["task"]))
        self.assertTrue(shown["entries"][-1]["transcript"]["rules"]["age_exception_only"], shown)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

        # A re-import without the exception takes it away: refused again.
        again = self.ctl.run("pool", "import", "--appointed", self.roster, json_out=True, check=False)
        self.assertEqual(again.rc, 65, again)
        self.assertEqual(sorted(e["line"] for e in again.json["errors"]), [3, 4])

    def test_an_expert_over_65_without_an_exception_gets_a_history_event(self):
        """An expert over 65 with no exception on record (as the grounds let
        in before draft 11) is noted once, by expertd, at the first batch
        of the day, and not again after a restart."""
        self.ctl.json("pool", "import", "--appointed", self.roster, "--age-exception", "3",
                      "--age-exception", "4", "--age-exception-reason", "中心批准")
        old = self.find("李长青")
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:    # a record from before draft 11
            conn.execute("UPDATE experts SET age_exception = 0, age_reason = '',"
                         " age_by = '', age_at = 0 WHERE id = ?", (old["id"],))
        conn.close()
        for _ in range(2):
            self.d.start()
            shown = self.ctl.json("pool", "show", str(old["id"]))
            noted = [h for h in shown["history"] if h["event"] == "over_age"]
            self.assertEqual(len(noted), 1, shown["history"])
            self.assertEqual(noted[0]["actor"], "expertd")
            self.assertEqual(noted[0]["reason"],
                             "已超过65周岁且无年龄例外（第十一条（六）），不再参加抽取")
            self.assertEqual(self.d.stop(), 0)
        self.assertIn("1 expert(s) passed 65", self.d.read_log())
        # The excepted one and the young ones are not noted.
        self.d.start()
        for name in ("赵德林", "王建国"):
            h = self.ctl.json("pool", "show", str(self.find(name)["id"]))["history"]
            self.assertNotIn("over_age", [e["event"] for e in h])

    def test_a_ground_needs_its_evidence(self):
        rows = dict(ROWS)
        rows[3] = ("李长青", 60, "无", "无", "获奖者", "")
        del rows[4]
        r = self.ctl.run("pool", "import", "--appointed", write(os.path.join(self.dir, "bare.csv"), rows),
                         json_out=True, check=False)
        self.assertEqual(r.rc, 65, r)
        self.assertEqual([(e["line"], e["column"]) for e in r.json["errors"]],
                         [(3, "放宽条件依据")])
        self.assertIn("须同时填写放宽条件依据", r.json["errors"][0]["reason"])
        # With it, the ground relaxes (二): no title, no qualification.
        rows[3] = ("李长青", 60, "无", "无", "获奖者", "获省级技术能手称号")
        self.ctl.json("pool", "import", "--appointed", write(os.path.join(self.dir, "ok.csv"), rows))
        self.assertEqual(self.find("李长青")["relaxations"], ["award_winner"])


if __name__ == "__main__":
    unittest.main()
