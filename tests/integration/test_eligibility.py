"""第十一条 as the guideline writes it (issue #12 item 3), against the real
daemon: a relaxation ground (七) relaxes (二)(三)(四) and never the age
rule (六); an 80-year-old with a ground and no title, and a 76-year-old
第十三条 leader, are refused until an operator records an age exception
with a reason; the ground needs its evidence; `pool show` names who
approved the ground and the exception, and when; an excepted leader is
drawn and the draw replays under `audit verify`. 紧缺工种 and 新职业 name
their occupation and relax the rules there only (POLICY.md 4.2): such
an expert is drawn for it and never for its other specialty (rule 13,
`relaxation`), also as a backup promoted or a replacement drawn."""
import json
import os
import sqlite3
import unittest

from harness import Ctl, DaemonTest, RawClient, cst_day, draw_args, sqlite_only

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


def write_csv(path, head, lines):
    """A roster file: the header row, then the lines; returns its path."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        f.writelines(lines)
    return path


def write(path, rows):
    return write_csv(path, HEAD, (
        "%s,男,%s,1390000%04d,电工,技能评价,%s,%s,5,0,%s,%s\n"
        % (name, rid(age, line), line, title, qual, relax, evidence)
        for line, (name, age, title, qual, relax, evidence) in sorted(rows.items())))


def find_expert(ctl, name):
    """pool show's expert detail of the expert called name, or None."""
    for e in ctl.json("pool", "list", "--limit", "1000")["experts"]:
        if e["name"] == name:
            return ctl.json("pool", "show", str(e["id"]))["expert"]
    return None


class EligibilityTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.roster = write(os.path.join(self.dir, "roster.csv"), ROWS)

    def find(self, name):
        return find_expert(self.ctl, name)

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

    @sqlite_only("edits a row in the SQLite file as an expertd before draft 11 left it")
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


OCC_HEAD = HEAD.rstrip("\n") + ",放宽条件职业（工种）\n"

# line: (name, specialties, title, relaxation, evidence, its occupation)
OCC_ROWS = {
    2: ("林紧缺", "电工、焊工", "无", "紧缺工种", "列入广州市紧缺工种目录", "焊工"),
    3: ("黄获奖", "电工、焊工", "无", "获奖者", "获省级技术能手称号", ""),
    4: ("吴新职", "车工、焊工", "无", "新职业", "列入人社部新职业公告", "车工"),
    5: ("郑中级", "电工、焊工", "中级", "紧缺工种", "列入广州市紧缺工种目录", "焊工"),
}


def write_occ(path, rows):
    return write_csv(path, OCC_HEAD, (
        "%s,男,%s,1380000%04d,%s,技能评价,%s,无,5,0,%s,%s,%s\n"
        % (name, rid(40, line), line, specs, title, relax, evidence, occ)
        for line, (name, specs, title, relax, evidence, occ) in sorted(rows.items())))


class OccupationGroundTest(DaemonTest):
    """A 紧缺工种 or 新职业 ground names its occupation, and relaxes the
    rules only there (issue #12 item 3)."""

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)

    def show(self, name):
        return find_expert(self.ctl, name)

    def import_ok(self):
        done = self.ctl.json("pool", "import", "--appointed",
                             write_occ(os.path.join(self.dir, "occ.csv"), OCC_ROWS))
        self.assertEqual(done["inserted"], len(OCC_ROWS), done)
        return {n: self.show(n) for n, *_ in OCC_ROWS.values()}

    def test_missing_or_foreign_occupation_is_refused_naming_the_field(self):
        rows = {
            2: ("林紧缺", "电工、焊工", "无", "紧缺工种", "列入广州市紧缺工种目录", ""),
            3: ("吴新职", "电工、焊工", "无", "新职业", "列入人社部新职业公告", "钳工"),
            4: ("黄获奖", "电工、焊工", "无", "获奖者", "获省级技术能手称号", "焊工"),
            5: ("周无名", "电工", "无", "紧缺工种", "列入广州市紧缺工种目录", "无此工种甲"),
        }
        r = self.ctl.run("pool", "import", "--appointed",
                         write_occ(os.path.join(self.dir, "bad.csv"), rows),
                         json_out=True, check=False)
        self.assertEqual(r.rc, 65, r)
        # Every row's problem in one pass, each naming the column.
        got = {e["line"]: e for e in r.json["errors"]}
        self.assertEqual(sorted(got), [2, 3, 4, 5], r.json)
        for line in got:
            self.assertEqual(got[line]["column"], "放宽条件职业（工种）", got[line])
        self.assertIn("须同时填写其所涉职业（工种）", got[2]["reason"])
        self.assertIn("不是本人申请的专业之一", got[3]["reason"])
        self.assertIn("不应填写放宽条件职业（工种）", got[4]["reason"])
        self.assertIn("无此工种甲", got[5]["reason"])           # not a catalogue occupation
        self.assertEqual(self.ctl.json("pool", "list")["total"], 0)
        # The wire's field name and English reason, for programs.
        raw = RawClient(self.d.endpoint)
        imp = raw.call("pool.import.begin", {})["result"]["import"]
        rep = raw.call("pool.import.rows", {"import": imp, "rows": [{
            "line": 2, "name": "林紧缺", "sex": "male", "resident_id": rid(40, 2),
            "phone": "13800000002", "specialties": ["电工", "焊工"],
            "group_types": ["skill_evaluation"], "assess_years": 5,
            "relaxations": ["shortage_occupation"],
            "relaxation_evidence": "列入广州市紧缺工种目录",
            "relaxation_occupations": ["钳工"]}]})
        self.assertEqual(rep["status"], "ok", rep)
        self.assertEqual([(e["field"], e["reason"].split(":")[0])
                          for e in rep["result"]["errors"]],
                         [("relaxation_occupations",
                           "names an occupation that is not one of the row's specialties")])

    def test_shortage_expert_is_drawn_only_in_the_named_occupation(self):
        who = self.import_ok()
        lin, huang, wu, zheng = (who[n] for n in ("林紧缺", "黄获奖", "吴新职", "郑中级"))
        self.assertEqual(lin["relaxations"], ["shortage_occupation"])
        self.assertEqual(lin["relaxation_occupations"], ["焊工"])
        self.assertEqual(lin["eligible_specialties"], ["焊工"])
        self.assertEqual(wu["eligible_specialties"], ["车工"])
        # Another ground, or passing the rules, leaves every specialty.
        self.assertEqual(huang["relaxation_occupations"], [])
        self.assertEqual(huang["eligible_specialties"], ["电工", "焊工"])
        self.assertEqual(zheng["relaxation_occupations"], ["焊工"])
        self.assertEqual(zheng["eligible_specialties"], ["电工", "焊工"])
        text = self.ctl.run("pool", "show", str(lin["id"])).out
        self.assertRegex(text, r"(?m)^relaxation_occupations\s+焊工$")
        self.assertRegex(text, r"(?m)^eligible_specialties\s+焊工$")
        self.assertNotIn("eligible_specialties", self.ctl.run("pool", "show",
                                                              str(huang["id"])).out)

        # 焊工: 林 is drawn, by the ground that names it; 吴 holds 焊工
        # too, but his 新职业 ground names 车工.
        weld = self.ctl.json(*draw_args("焊工", 3, 10))
        self.assertEqual(sorted(p["expert"] for p in weld["panel"]),
                         sorted([lin["id"], huang["id"], zheng["id"]]))
        self.assertEqual(weld["excluded"]["relaxation"], 1)
        # 电工: 林 holds it but is not eligible there; never drawn, and the
        # counts say why. 黄 (award) and 郑 (passes) are.
        for day in range(11, 19):
            res = self.ctl.json(*draw_args("电工", 2, day))
            self.assertEqual(sorted(p["expert"] for p in res["panel"]),
                             sorted([huang["id"], zheng["id"]]))
            self.assertEqual(res["excluded"]["relaxation"], 1, res["excluded"])
            self.assertEqual(res["excluded"]["outside_specialty"], 1)   # 吴
        short = self.ctl.run(*draw_args("电工", 3, 20), json_out=True, check=False)
        self.assertEqual(short.json["status"], "insufficient_candidates", short)
        self.assertEqual(short.json["result"]["found"], 2)
        self.assertEqual(short.json["result"]["excluded"]["relaxation"], 1)
        text = self.ctl.run(*draw_args("电工", 3, 21), check=False).out
        self.assertRegex(text, r"(?m)^relaxation\s+1$")
        # 车工: 吴 alone, by the 新职业 ground that names it.
        lathe = self.ctl.json(*draw_args("车工", 1, 22))
        self.assertEqual([p["expert"] for p in lathe["panel"]], [wu["id"]])

        tr = self.ctl.json("audit", "show", str(res["task"]))["entries"][-1]["transcript"]
        self.assertEqual(tr["excluded"]["relaxation"], 1)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_promotion_and_replacement_skip_an_expert_limited_since_the_draw(self):
        """Three 电工 who pass the rules: one member and one backup are
        drawn. A re-import takes the titles of the two not seated as
        member and gives them 紧缺工种 naming 焊工: limited to 焊工 now.
        When the member declines, the backup is not promoted (rule 13 at
        promotion) and the replacement finds nobody (rule 13 in its list):
        the task is short, and the counts say why."""
        rows = {2: ("钱一", "电工、焊工", "中级", "", "", ""),
                3: ("孙二", "电工、焊工", "中级", "", "", ""),
                4: ("李三", "电工、焊工", "中级", "", "", "")}
        self.ctl.json("pool", "import", "--appointed",
                      write_occ(os.path.join(self.dir, "three.csv"), rows))
        res = self.ctl.json(*draw_args("电工", 1, 10, backups=1))
        task = res["task"]
        seat = {p["role"]: p for p in res["panel"]}
        member = seat["member"]["expert"]
        ids = {self.show(rows[line][0])["id"]: line for line in rows}
        for eid, line in ids.items():
            if eid != member:
                rows[line] = (rows[line][0], "电工、焊工", "无", "紧缺工种",
                              "列入广州市紧缺工种目录", "焊工")
        up = self.ctl.json("pool", "import", "--appointed",
                           write_occ(os.path.join(self.dir, "limited.csv"), rows))
        self.assertEqual(up["updated"], 2, up)
        out = self.ctl.run("answer", str(seat["member"]["assignment"]), "decline",
                           "--channel", "phone", "--reason", "schedule",
                           json_out=True, check=False)
        self.assertEqual(out.rc, 0, out)
        self.assertIsNone(out.json["filled_by"], out.json)
        shown = self.ctl.json("task", "show", str(task))
        self.assertEqual(shown["task"]["fill"], "short")
        backup = [s for s in shown["seats"] if s["expert"] == seat["backup"]["expert"]]
        self.assertEqual([s["state"] for s in backup], ["standby"])
        entries = [json.loads(x) for x in self.ctl.run(
            "--json", "log", "--since", "1", "--limit", "100000").out.splitlines() if x]
        failed, short = [e["entry"] for e in entries if e["type"] in ("draw.failed",
                                                                      "task.short")]
        self.assertEqual((failed["kind"], failed["candidates"]), ("replacement", 0))
        self.assertEqual(failed["excluded"]["relaxation"], 1, failed)
        self.assertEqual(short["excluded"]["relaxation"], 1, short)   # the third
        self.assertEqual(short["excluded"]["excluded"], 2, short)     # both seated
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


if __name__ == "__main__":
    unittest.main()
