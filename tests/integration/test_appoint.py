"""The appointment (第十四–十六条, issue #12 item 4), against the real
daemon: an imported expert is recommended and never drawn; after the
资格审查 and the appointment with a 聘书 it is; a rejected one never is;
the verifier replays every draw with the pool the log describes. Term
renewal re-checks 第十一条 and names who is not renewed and why (the one
who will be over 65 by the new term's end); a task on a day no term
covers draws nobody. The 推荐表's kept fields survive the import and show
in `pool show`; an older database's experts stay appointed."""
import datetime
import os
import sqlite3
import subprocess
import unittest

from harness import (CST, EXPERTCTL, Ctl, DaemonTest, cst_day, draw_args, sqlite_only,
                     store_rows, untranslated)
from schema_undo import downgrade

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}

# The 推荐表's labels (穗人社职建函〔2022〕53号 附件), the kept fields with them.
HEAD = ["姓名", "性别", "出生年月", "政治面貌", "民族", "学历", "从事职业",
        "申请专家组专业（不超过3个）", "职业资格", "职业资格职业（工种）", "职称",
        "职称专业", "工作单位", "职务", "通讯地址", "邮编", "身份证号", "手机",
        "联系电话", "电子信箱", "承担任务类型", "从事职业技能评价考评工作年限",
        "职业技能培训评价工作经历", "熟悉何种业务与技术，有何业绩、发明、成果和著作",
        "推荐方式", "推荐单位", "推荐单位意见"]


def rid(birth, seq):
    """A male resident ID born on `birth` (a date), sequence seq (odd)."""
    body = "440106%s%03d" % (birth.strftime("%Y%m%d"), seq)
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, W)) % 11]


def person(i, birth=None, **kw):
    birth = birth or datetime.date(1975, 3, 10 + i)
    row = {"姓名": "专家%d" % i, "性别": "男", "出生年月": birth.strftime("%Y.%m"),
           "政治面貌": "中共党员", "民族": "汉族", "学历": "大学本科",
           "从事职业": "电工技术管理", "申请专家组专业（不超过3个）": "电工",
           "职业资格": "高级技师", "职业资格职业（工种）": "电工", "职称": "高级工程师",
           "职称专业": "电气工程", "工作单位": "", "职务": "", "通讯地址":
           "广州市天河区体育西路%d号" % (100 + i), "邮编": "510620",
           "身份证号": rid(birth, 2 * i + 1), "手机": "1390000%04d" % i,
           "联系电话": "020-8383%04d" % i, "电子信箱": "",
           "承担任务类型": "职业技能等级认定、专项能力考核考评员培训指导",
           "从事职业技能评价考评工作年限": "6",
           "职业技能培训评价工作经历": "2010年起任电工考评员，\n2018年起任督导员",
           "熟悉何种业务与技术，有何业绩、发明、成果和著作": "高压电工实操考核方案",
           "推荐方式": "所在单位", "推荐单位": "", "推荐单位意见": "同意推荐"}
    row.update(kw)
    return [row[h] for h in HEAD]


def write_csv(path, rows):
    def cell(v):
        v = str(v)
        return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\n') else v
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\r\n".join(",".join(cell(v) for v in r) for r in [HEAD] + rows) + "\r\n")
    return path


class AppointTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)

    def run_zh(self, *args):
        """expertctl under a Chinese locale: every line in Chinese."""
        e = dict(os.environ, **ZH)
        for k in ("EXPERTD_ENDPOINT", "EXPERTCTL_KEY", "EXPERTD_SERVER_KEY", "LANGUAGE"):
            e.pop(k, None)
        p = subprocess.run(self.ctl.base() + list(args), env=e, capture_output=True,
                           text=True, timeout=120)
        self.assertEqual(untranslated(p.stdout + p.stderr), [], args)
        return p.returncode, p.stdout, p.stderr

    def ids(self, **filters):
        args = ["pool", "list", "--limit", "1000"]
        for k, v in filters.items():
            args += ["--" + k, v]
        return sorted(e["id"] for e in self.ctl.json(*args)["experts"])

    def drawable(self, n):
        """Everyone a draw of n members may seat on day 10 (ask for all)."""
        r = self.ctl.run(*draw_args("电工", n, 10), json_out=True, check=False)
        return r

    def appoint(self, eid, cert="穗职建聘〔2026〕%d号"):
        self.ctl.json("appointment", "review", str(eid), "--opinion", "资格审查合格")
        return self.ctl.json("appointment", "decide", str(eid), "--appoint",
                             "--certificate", cert % eid, "--certificate-date",
                             cst_day(0).isoformat(), "--opinion", "同意聘任")

    def test_only_appointed_experts_are_drawn(self):
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(i) for i in range(1, 5)])
        self.assertEqual(self.ctl.json("pool", "import", path)["inserted"], 4)
        everyone = self.ids()
        self.assertEqual(self.ids(appointment="recommended"), everyone)
        self.assertEqual(self.ids(appointment="appointed"), [])
        # A recommended expert is never drawn: all four fall to rule 1.
        r = self.drawable(1)
        self.assertEqual(r.json["status"], "insufficient_candidates", r)
        self.assertEqual(r.json["result"]["excluded"]["status"], 4, r.json)

        a, b, c, d = everyone
        # Review before appointment, appointment with its 聘书 only.
        early = self.ctl.run("appointment", "decide", str(a), "--appoint", "--certificate",
                             "X1", "--certificate-date", cst_day(0).isoformat(),
                             "--opinion", "同意", json_out=True, check=False)
        self.assertEqual(early.json["status"], "invalid_state", early)
        self.ctl.json("appointment", "review", str(a), "--opinion", "资格审查合格")
        self.assertEqual(self.ids(appointment="under_review"), [a])
        bare = self.ctl.run("appointment", "decide", str(a), "--appoint", "--opinion", "同意",
                            json_out=True, check=False)
        self.assertEqual((bare.json["status"], bare.json["field"]),
                         ("invalid_field", "certificate"), bare)
        # Under review is not yet appointed: still nobody to draw.
        self.assertEqual(self.drawable(1).json["status"], "insufficient_candidates")
        done = self.ctl.json("appointment", "decide", str(a), "--appoint", "--certificate",
                             "穗职建聘〔2026〕1号", "--certificate-date",
                             cst_day(0).isoformat(), "--opinion", "同意聘任")
        self.assertEqual(done, {"expert": a, "appointment": "appointed"})
        self.appoint(b)
        self.ctl.json("appointment", "review", str(c), "--opinion", "业绩材料不足")
        self.ctl.json("appointment", "decide", str(c), "--reject", "--opinion", "不予聘任")
        self.assertEqual(self.ids(appointment="rejected"), [c])
        again = self.ctl.run("appointment", "review", str(c), "--opinion", "再审",
                             json_out=True, check=False)
        self.assertEqual(again.json["status"], "invalid_state", again)
        rc, out, err = self.run_zh("appointment", "review", str(c), "--opinion", "再审")
        self.assertEqual(rc, 1, err)
        self.assertIn("聘任状态为“不予聘任”", err)

        # Appointed are drawn; rejected and recommended never: ask for all.
        panel = self.ctl.json(*draw_args("电工", 2, 10))["panel"]
        self.assertEqual(sorted(s["expert"] for s in panel), [a, b])
        short = self.ctl.run(*draw_args("电工", 3, 20), json_out=True, check=False)
        self.assertEqual(short.json["status"], "insufficient_candidates", short)
        self.assertEqual(short.json["result"]["excluded"]["status"], 2, short.json)

        shown = self.ctl.json("pool", "show", str(a))
        rec = shown["appointment"]
        self.assertEqual((rec["state"], rec["recommender_kind"], rec["certificate"],
                          rec["certificate_date"]),
                         ("appointed", "employer", "穗职建聘〔2026〕1号",
                          cst_day(0).isoformat()))
        me = self.ctl.json("ping")["principal"]
        self.assertEqual((rec["review"]["by"], rec["review"]["opinion"]), (me, "资格审查合格"))
        self.assertEqual(rec["decision"]["opinion"], "同意聘任")
        self.assertEqual([h["event"] for h in shown["history"]],
                         ["imported", "reviewed", "appointed"])
        self.assertEqual(self.ctl.json("pool", "show", str(d))["appointment"]["review"], None)
        rc, out, err = self.run_zh("pool", "show", str(c))
        self.assertEqual(rc, 0, err)
        self.assertIn("不予聘任", out)

        # The verifier replays every draw from the pool the log describes.
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_an_appointed_roster_is_drawn_at_once(self):
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(i) for i in range(1, 3)])
        self.ctl.json("pool", "import", "--appointed", path)
        ids = self.ids()
        self.assertEqual(self.ids(appointment="appointed"), ids)
        rec = self.ctl.json("pool", "show", str(ids[0]))["appointment"]
        self.assertRegex(rec["decision"]["opinion"], r"^import \d+ line [23]: appointed$")
        panel = self.ctl.json(*draw_args("电工", 2, 10))["panel"]
        self.assertEqual(sorted(s["expert"] for s in panel), ids)

    def test_kept_form_fields_survive_import_and_show(self):
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(1)])
        self.ctl.json("pool", "import", path)
        eid = self.ids()[0]
        form = self.ctl.json("pool", "show", str(eid))["form"]
        want = {"education": "大学本科", "politics": "中共党员", "ethnicity": "汉族",
                "occupation": "电工技术管理", "qualification_occupation": "电工",
                "title_field": "电气工程", "postcode": "510620",
                "experience": "2010年起任电工考评员，\n2018年起任督导员",
                "achievements": "高压电工实操考核方案", "recommendation": "同意推荐"}
        for k, v in want.items():
            self.assertEqual(form[k], v, k)
        # Address and landline are personal data: masked unless revealed.
        self.assertNotIn("体育西路101号", form["address"])
        self.assertNotEqual(form["landline"], "020-83830001")
        shown = self.ctl.json("pool", "show", str(eid), "--reveal", "--reason", "核对推荐表")
        self.assertEqual(shown["form"]["address"], "广州市天河区体育西路101号")
        self.assertEqual(shown["form"]["landline"], "020-83830001")
        blob, = store_rows(self.d, "SELECT address FROM expert_forms")[0]
        self.assertNotIn("体育西路".encode(), bytes(blob))       # sealed at rest
        # A key rotation reseals them with the rest: the new key alone
        # still opens the address and the landline (review of the merge).
        old = self.d.sign_key
        self.assertEqual(self.d.stop(), 0)
        subprocess.run([EXPERTCTL, "keygen", "--sign", os.path.join(self.dir, "sign2")],
                       check=True, capture_output=True)
        self.d.sign_key = os.path.join(self.dir, "sign2.key")
        self.d.extra += ["--previous-sign-key", old]
        self.d.start()
        self.assertEqual(self.d.stop(), 0)
        self.d.extra = [a for a in self.d.extra if a not in ("--previous-sign-key", old)]
        self.d.start()
        shown = self.ctl.json("pool", "show", str(eid), "--reveal", "--reason", "轮换后核对")
        self.assertEqual(shown["form"]["address"], "广州市天河区体育西路101号")
        self.assertEqual(shown["form"]["landline"], "020-83830001")
        # A roster without the form's columns (the export's own format)
        # imported again leaves them as they are.
        exported = os.path.join(self.dir, "export.csv")
        out = subprocess.run(self.ctl.base() + ["pool", "export", "--reveal", "--reason",
                                                "归档"], capture_output=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(exported, "wb") as f:
            f.write(out.stdout)
        self.ctl.json("pool", "import", exported)
        again = self.ctl.json("pool", "show", str(eid), "--reveal", "--reason", "核对")
        self.assertEqual(again["form"], shown["form"])
        rc, out, err = self.run_zh("pool", "show", str(eid))
        self.assertEqual(rc, 0, err)
        for text in ("大学本科", "电气工程", "高压电工实操考核方案", "所在单位"):
            self.assertIn(text, out)

        # A re-import that changes only a kept field updates it, no audit entry.
        before = self.last_seq()
        write_csv(path, [person(1, **{"学历": "硕士研究生"})])
        self.assertEqual(self.ctl.json("pool", "import", path)["updated"], 1)
        shown = self.ctl.json("pool", "show", str(eid))
        self.assertEqual(shown["form"]["education"], "硕士研究生")
        self.assertEqual(shown["history"][-1]["event"], "updated")
        self.assertEqual(self.last_seq(), before)
        self.assertEqual(self.ctl.json("pool", "import", path)["unchanged"], 1)

    def test_renewal_rechecks_eligibility_and_says_why(self):
        today = cst_day(0)
        # Term 1 began 30 days ago; term 2 begins the day after it ends.
        t1 = self.ctl.json("term", "list")["terms"][0]
        t2_start = datetime.date.fromisoformat(t1["end"]) + datetime.timedelta(days=1)
        t2_end = datetime.date(t2_start.year + 3, t2_start.month, t2_start.day) \
            - datetime.timedelta(days=1)
        # 62 or 63 today: within the limit now, over 65 on term 2's last
        # day, so not renewed (第十一条(六) read for the whole new term).
        old = datetime.date(today.year - 63, 1, 1)
        self.assertGreater(t2_end.year - old.year - 1, 65)
        rows = [person(1), person(2, birth=old), person(3)]
        self.ctl.json("pool", "import", "--appointed",
                      write_csv(os.path.join(self.dir, "form.csv"), rows))
        young, aging, third = self.ids()
        self.ctl.json("term", "open", "--start", t2_start.isoformat())
        res = self.ctl.json("term", "renew", "--term", "2", "--reason", "第二届")
        self.assertEqual(res["renewed"], 2, res)
        self.assertEqual([s["expert"] for s in res["not_renewed"]], [aging], res)
        why = res["not_renewed"][0]["reasons"]
        self.assertEqual([w["field"] for w in why], ["resident_id"], why)
        self.assertIn(t2_end.isoformat(), why[0]["reason"])
        self.assertIn("65", why[0]["reason"])
        self.assertEqual({e["id"]: e["term"] for e in
                          self.ctl.json("pool", "list")["experts"]},
                         {young: 2, aging: 1, third: 2})
        self.assertNotIn("renewed", [h["event"] for h in
                                     self.ctl.json("pool", "show", str(aging))["history"]])
        # Asked for by id, the same: listed, not an error, nothing moved.
        res = self.ctl.json("term", "renew", "--term", "2", "--expert", str(aging))
        self.assertEqual((res["renewed"], len(res["not_renewed"])), (0, 1), res)
        # In Chinese, naming him and the reason.
        rc, out, err = self.run_zh("term", "renew", "--term", "2", "--expert", str(aging))
        self.assertEqual(rc, 0, err)
        self.assertIn("专家2", out)
        self.assertIn("未续聘", out)
        self.assertIn("到第 2 届聘期最后一天 %s 将满" % t2_end.isoformat(), out)
        self.assertIn("超过 65 岁", out)

    def test_renewal_leaves_out_who_is_not_appointed(self):
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(1), person(2)])
        self.ctl.json("pool", "import", path)
        a, b = self.ids()
        self.appoint(a)
        t1 = self.ctl.json("term", "list")["terms"][0]
        start = datetime.date.fromisoformat(t1["end"]) + datetime.timedelta(days=1)
        self.ctl.json("term", "open", "--start", start.isoformat())
        res = self.ctl.json("term", "renew", "--term", "2")
        self.assertEqual(res["renewed"], 1, res)
        self.assertEqual([(s["expert"], s["reasons"][0]["field"])
                          for s in res["not_renewed"]], [(b, "appointment")], res)

    def test_a_day_no_term_covers_draws_nobody(self):
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(i) for i in range(1, 4)])
        self.ctl.json("pool", "import", "--appointed", path)
        t1 = self.ctl.json("term", "list")["terms"][0]
        end1 = datetime.date.fromisoformat(t1["end"])
        # Term 2 opens 30 days after term 1 ends: a gap of 30 days.
        start2 = end1 + datetime.timedelta(days=31)
        self.ctl.json("term", "open", "--start", start2.isoformat())
        self.assertEqual(self.ctl.json("term", "renew", "--term", "2")["renewed"], 3)
        gap = end1 + datetime.timedelta(days=10)
        days = (gap - cst_day(0)).days
        r = self.ctl.run(*draw_args("电工", 1, days), json_out=True, check=False)
        self.assertEqual((r.json["status"], r.json["field"]), ("invalid_field", "start"), r)
        self.assertIn(gap.isoformat(), r.json["message"])
        # A task running from the last day of term 1 into the gap: refused on `end`.
        r = self.ctl.run(*draw_args("电工", 1, None, start=self.unix(end1, 9),
                                    end=self.unix(end1 + datetime.timedelta(days=1), 12)),
                         json_out=True, check=False)
        self.assertEqual((r.json["status"], r.json["field"]), ("invalid_field", "end"), r)
        # After the last term's end: refused as well.
        t2_end = datetime.date.fromisoformat(self.ctl.json("term", "list")["terms"][1]["end"])
        after = (t2_end - cst_day(0)).days + 5
        r = self.ctl.run(*draw_args("电工", 1, after), json_out=True, check=False)
        self.assertEqual(r.json["status"], "invalid_field", r)
        # Nothing was recorded; inside term 2 the renewed experts are drawn.
        self.assertEqual(self.ctl.json("task", "list")["tasks"], [])
        inside = (start2 - cst_day(0)).days + 3
        self.assertEqual(len(self.ctl.json(*draw_args("电工", 3, inside))["panel"]), 3)

    def last_seq(self):
        return store_rows(self.d, "SELECT max(seq) FROM audit")[0][0]

    @staticmethod
    def unix(day, hour):
        return int(datetime.datetime(day.year, day.month, day.day, hour,
                                     tzinfo=CST).timestamp())

    @sqlite_only("makes the SQLite file an older schema's (schema_undo)")
    def test_an_older_database_keeps_its_experts_drawable(self):
        # What an older expertd imported: no appointment in the log or the row.
        path = write_csv(os.path.join(self.dir, "form.csv"), [person(i) for i in range(1, 3)])
        self.ctl.json("pool", "import", "--appointed", path)
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:      # as an expertd of schema 11 left it
            downgrade(conn, 11)
        conn.close()
        self.d.start()
        ids = self.ids()
        self.assertEqual(self.ids(appointment="appointed"), ids)
        panel = self.ctl.json(*draw_args("电工", 2, 10))["panel"]
        self.assertEqual(sorted(s["expert"] for s in panel), ids)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


if __name__ == "__main__":
    unittest.main()
