"""Rosters as the Center types them (issue #12): the 推荐表's own labels,
GB18030, Chinese values, phones and IDs as people write them; every
problem of every row in one pass; one ID is one person."""
import os
import unittest

from harness import Ctl, DaemonTest, RawClient, unpack

# The recommendation form's labels (穗人社职建函〔2022〕53号 附件), verbatim.
FORM_HEAD = ["姓名", "性别", "出生年月", "政治面貌", "民族", "学历", "从事职业",
             "申请专家组专业（不超过3个）", "职业资格", "职称", "工作单位", "职务",
             "身份证号", "手机", "联系电话", "电子信箱", "承担任务类型",
             "从事职业技能评价考评工作年限", "从事职业技能培训相关工作年限"]

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def resident_id(birth, seq, want_check=None):
    """A valid ID born on birth (YYYYMMDD) with sequence digits seq (the
    last of them gives the sex: odd male); with want_check, the first seq
    from seq upward of the same parity whose check character is it."""
    while True:
        body = "440106" + birth + "%03d" % seq
        check = "10X98765432"[sum(int(c) * w for c, w in zip(body, W)) % 11]
        if want_check is None or check == want_check:
            return body + check
        seq += 2


def write_csv(path, rows, encoding):
    def cell(v):
        v = str(v)
        return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\n') else v
    text = "\r\n".join(",".join(cell(v) for v in r) for r in rows) + "\r\n"
    with open(path, "wb") as f:
        f.write(text.encode(encoding))


def form_row(**kw):
    base = {"姓名": "张伟", "性别": "男", "出生年月": "", "政治面貌": "群众",
            "民族": "汉族", "学历": "本科", "从事职业": "焊工",
            "申请专家组专业（不超过3个）": "焊工", "职业资格": "技师", "职称": "",
            "工作单位": "广州某机械公司", "职务": "", "身份证号": "", "手机": "",
            "联系电话": "", "电子信箱": "",
            "承担任务类型": "职业技能等级认定、专项能力考核考评员培训指导",
            "从事职业技能评价考评工作年限": "3",
            "从事职业技能培训相关工作年限": "12"}
    base.update(kw)
    return [base[h] for h in FORM_HEAD]


class RosterFormTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)

    def reveal(self, expert_id):
        return self.ctl.json("pool", "show", str(expert_id), "--reveal",
                             "--reason", "test")["expert"]

    def test_form_roster_in_gb18030_with_chinese_values_imports(self):
        id_lower_x = resident_id("19800115", 11, "X")   # male, typed with x
        id_wide_x = resident_id("19850302", 22, "X")    # female, typed with Ｘ
        id_plain = resident_id("19760920", 31)
        typed_wide = id_wide_x[:-1].translate(
            {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}) + "Ｘ"
        rows = [FORM_HEAD,
                form_row(姓名="张伟", 性别="男", 出生年月="1980.01",
                         身份证号=id_lower_x.lower(), 手机="+86 138 0013 8000",
                         职业资格="高级技师", 职称="高级工程师",
                         电子信箱="zhang@example.cn"),
                form_row(姓名="李娜", 性别="女", 出生年月="1985年3月",
                         身份证号=typed_wide, 手机="139-0013-9000",
                         职业资格="特级技师", 职称="工程师",
                         承担任务类型="职业技能培训机构评审"),
                form_row(姓名="王强", 性别="男", 出生年月="197609",
                         身份证号=id_plain, 手机="１３７００１３７０００",
                         职业资格="", 职称="教授级高级工程师",
                         承担任务类型="职业技能等级认定方案评审专家、方式方法指导")]
        path = os.path.join(self.dir, "推荐表.csv")
        write_csv(path, rows, "gb18030")
        with open(path, "rb") as f:
            with self.assertRaises(UnicodeDecodeError):
                f.read().decode("utf-8")        # really GB18030
        out = self.ctl.json("pool", "import", path)
        self.assertEqual(out["encoding"], "gb18030")
        self.assertEqual(out["errors"], [])
        self.assertEqual(out["inserted"], 3, out)
        # The form's other fields are kept since draft 13 (PROTOCOL.md
        # 7.5.2): no column is left unread.
        self.assertEqual(out["warnings"], [])
        form = self.ctl.json("pool", "show", "1")["form"]
        self.assertEqual((form["politics"], form["ethnicity"], form["education"],
                          form["occupation"]), ("群众", "汉族", "本科", "焊工"))

        zhang, li, wang = self.reveal(1), self.reveal(2), self.reveal(3)
        self.assertEqual(zhang["resident_id"], id_lower_x)
        self.assertEqual(zhang["phone"], "13800138000")
        self.assertEqual(zhang["title"], "deputy_senior")
        self.assertEqual(zhang["qualification"], "senior_technician")
        self.assertEqual(zhang["email"], "zhang@example.cn")
        self.assertEqual(zhang["group_types"], ["skill_evaluation"])   # 第八条
        self.assertEqual(li["resident_id"], id_wide_x)
        self.assertEqual(li["phone"], "13900139000")
        self.assertEqual(li["sex"], "female")
        self.assertEqual(li["title"], "intermediate")
        self.assertEqual(li["qualification"], "senior_technician")     # 特级技师
        self.assertEqual(li["group_types"], ["training_review"])
        self.assertEqual(wang["phone"], "13700137000")
        self.assertEqual(wang["title"], "senior")
        self.assertEqual(wang["group_types"], ["methods"])

    def test_ten_problems_are_all_reported_in_one_pass(self):
        good = resident_id("19800115", 11)
        female = resident_id("19820704", 22)
        bad_check = good[:-1] + ("0" if good[-1] != "0" else "1")
        rows = [FORM_HEAD,
                form_row(身份证号=good, 手机="13800138000"),                   # line 2
                form_row(姓名="李娜", 性别="男", 身份证号=female,               # line 3
                         手机="12345", 职称="大师级", 出生年月="1990.01",
                         承担任务类型="职业技能培训机构评审"),
                form_row(姓名="王强", 身份证号=good.lower(), 手机="13800138001",  # line 4
                         电子信箱="not-an-email",
                         从事职业技能评价考评工作年限="三年",
                         承担任务类型="职业技能培训机构评审"),
                form_row(姓名="赵敏", 身份证号=bad_check, 手机="13800138002",   # line 5
                         职称="工程师", 承担任务类型="",
                         **{"申请专家组专业（不超过3个）": "不存在的工种"})]
        path = os.path.join(self.dir, "ten.csv")
        write_csv(path, rows, "utf-8")
        r = self.ctl.run("--json", "pool", "import", path, check=False)
        self.assertEqual(r.rc, 65, r)
        import json
        out = json.loads(r.out)
        got = sorted((e["line"], e["column"]) for e in out["errors"])
        want = sorted([
            (3, "性别"),                 # 男, but the ID says female
            (3, "手机"),                 # not a mobile
            (3, "职称"),                 # no such title
            (3, "出生年月"),             # not the ID's birth month
            (4, "身份证号"),             # the same ID as line 2 (typed with x)
            (4, "电子信箱"),             # no @
            (4, "从事职业技能评价考评工作年限"),   # 三年 is not a number
            (5, "身份证号"),             # check digit
            (5, "申请专家组专业（不超过3个）"),   # not in the catalogue
            (5, "专家组类型"),           # no group and no task types (第八条)
        ])
        # The row has no 专家组类型 column: the field's wire name stands in.
        want = [(l, "group_types" if c == "专家组类型" else c) for l, c in want]
        self.assertEqual(got, sorted(want), out["errors"])
        reasons = {(e["line"], e["column"]): e["reason"] for e in out["errors"]}
        # In Chinese, as the headers are.
        self.assertIn("第17位表示女性", reasons[(3, "性别")])
        self.assertIn("无法识别“大师级”", reasons[(3, "职称")])
        self.assertIn("行号 2", reasons[(4, "身份证号")])
        self.assertIn("不是整数", reasons[(4, "从事职业技能评价考评工作年限")])
        self.assertIn("第八条", reasons[(5, "group_types")])
        self.assertIn("职业目录中没有“不存在的工种”",
                      reasons[(5, "申请专家组专业（不超过3个）")])
        self.assertFalse(out["committed"])
        self.assertEqual(self.ctl.json("pool", "list")["total"], 0)

    def test_id_reuse_is_refused_naming_both_people(self):
        rid = resident_id("19800115", 11)
        first = os.path.join(self.dir, "first.csv")
        write_csv(first, [FORM_HEAD, form_row(姓名="张伟", 身份证号=rid,
                                              手机="13800138000")], "gb18030")
        self.assertEqual(self.ctl.json("pool", "import", first)["inserted"], 1)
        again = os.path.join(self.dir, "again.csv")
        write_csv(again, [FORM_HEAD, form_row(姓名="陈志强", 身份证号=rid,
                                              手机="13800138000")], "gb18030")
        r = self.ctl.run("pool", "import", again, check=False)
        self.assertEqual(r.rc, 65, r)
        self.assertIn("第 2 行，“姓名”", r.err)
        self.assertIn("张伟", r.err)       # the stored person
        self.assertIn("陈志强", r.err)     # the row's
        self.assertIn("同一身份证号码只能是同一人", r.err)   # in Chinese, as the headers
        self.assertNotIn(rid, r.err)
        self.assertEqual(self.reveal(1)["name"], "张伟")

    def last_expert_entry(self):
        conn = RawClient(self.d.endpoint)
        self.addCleanup(conn.close)
        rep = conn.call("audit.entries", {"after": 0, "limit": 1000})
        self.assertEqual(rep["status"], "ok", rep)
        entries = [e for e in rep["result"]["entries"] if e["type"] == "pool.expert"]
        body = entries[-1]["body"]
        return unpack(body) if isinstance(body, bytes) else body

    def test_update_records_a_field_by_field_diff(self):
        rid = resident_id("19800115", 11)
        first = os.path.join(self.dir, "first.csv")
        write_csv(first, [FORM_HEAD, form_row(身份证号=rid, 手机="13800138000",
                                              职称="工程师")], "gb18030")
        self.ctl.json("pool", "import", first)
        again = os.path.join(self.dir, "again.csv")
        write_csv(again, [FORM_HEAD, form_row(身份证号=rid, 手机="13912345678",
                                              职称="高级工程师",
                                              从事职业技能评价考评工作年限="5")],
                  "gb18030")
        out = self.ctl.json("pool", "import", again)
        self.assertEqual(out["updated"], 1, out)
        history = self.ctl.json("pool", "show", "1")["history"]
        self.assertEqual([h["event"] for h in history], ["imported", "updated"])
        detail = history[-1]["detail"]
        self.assertIn("title intermediate → deputy_senior", detail)
        self.assertIn("assess_years 3 → 5", detail)
        self.assertIn("phone changed", detail)
        self.assertNotIn("13912345678", detail)    # personal data stays out
        self.assertNotIn("13800138000", detail)
        self.assertNotIn("name", detail)           # only what changed
        # The audit log names the changed fields, never their values.
        entry = self.last_expert_entry()
        self.assertEqual(entry["event"], "updated")
        self.assertEqual(entry["changed"], ["phone", "title", "assess_years"])
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])

    def test_identity_correction_needs_a_stated_reason(self):
        rid = resident_id("19800115", 11)
        first = os.path.join(self.dir, "first.csv")
        write_csv(first, [FORM_HEAD, form_row(姓名="张伟", 身份证号=rid,
                                              手机="13800138000")], "gb18030")
        self.ctl.json("pool", "import", first)
        fixed = os.path.join(self.dir, "fixed.csv")
        write_csv(fixed, [FORM_HEAD, form_row(姓名="张玮", 身份证号=rid,
                                              手机="13800138000")], "gb18030")
        r = self.ctl.run("pool", "import", fixed, check=False)
        self.assertEqual(r.rc, 65, r)
        self.assertEqual(self.reveal(1)["name"], "张伟")
        why = "姓名录入有误，依身份证更正"
        out = self.ctl.json("pool", "import", fixed, "--identity-reason", why)
        self.assertEqual(out["updated"], 1, out)
        row_warnings = [w for w in out["warnings"] if w["line"] == 2]
        self.assertEqual(len(row_warnings), 1, out["warnings"])
        self.assertIn("张伟", row_warnings[0]["reason"])
        self.assertIn("已按所给理由更正", row_warnings[0]["reason"])
        self.assertEqual(self.reveal(1)["name"], "张玮")
        updates = [h for h in self.ctl.json("pool", "show", "1")["history"]
                   if h["event"] == "updated"]
        self.assertEqual(len(updates), 1, updates)
        last = updates[0]
        self.assertEqual(last["reason"], why)
        self.assertIn("name 张伟 → 张玮", last["detail"])
        entry = self.last_expert_entry()
        self.assertEqual(entry["event"], "updated")
        self.assertEqual(entry["reason"], why)
        self.assertEqual(entry["changed"], ["name"])
        # The option is for identity corrections: other rows still need
        # nothing, and the log still verifies.
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])


if __name__ == "__main__":
    unittest.main()
