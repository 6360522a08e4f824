"""Recusal by organisation name (issue #11): a roster from the form gives
employers and recommenders by name only; draws name the organisation by
name in its several spellings; nobody linked to it is ever drawn, and the
per-rule counts are exactly the test's own. Also: reviews must name the
institution, unknown names list the closest, conflicts by name, the
registry's operations, near-misses and merges, and audit verify.
"""
import os
import sqlite3
import time
import unittest

from harness import DaemonTest, Ctl, RawClient, sqlite_only
from assign_base import resident_id
from schema_undo import downgrade

DAY = 86400
SPEC = "电工"
SCHOOL = "广州市穗华职业培训学校(天河校区)"
# The same school as people write it: full-width brackets, prefix or not.
SPELLINGS = ["穗华职业培训学校（天河校区）",
             "广州市穗华职业培训学校（天河校区）",
             "广东省广州市穗华职业培训学校 (天河校区)"]
EMPLOYED = [1, 2, 3, 4, 5, 6, 11]
RECOMMENDED_ONLY = [7, 8, 9, 10]
POOL = 40
HEAD = ("姓名,性别,公民身份号码,移动电话,工作单位,推荐单位,申请专家组专业,专家组类型,"
        "承担任务类型,专业技术职称,职业资格等级,考评工作年限,培训工作年限\n")
NO_ROTATION = "[draw]\nrotation_days = 0\n"


def credit_code(first17):
    """A unified social credit code (GB 32100) with its check character."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    s = sum(chars.index(c) * k for c, k in zip(first17, w))
    return first17 + chars[(31 - s % 31) % 31]


def employer_of(i):
    if i <= 3 or i == 11:
        return SCHOOL
    if i <= 6:
        return "穗华职业培训学校（天河校区）"
    return "广州市第%d技工学校" % i


def recommender_of(i):
    if 7 <= i <= 11:
        return "广州穗华职业培训学校【天河校区】"
    return "广州市电工行业协会"


def write_roster(path, rows):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for i, employer, recommender in rows:
            f.write("专家%d,%s,%s,1390000%04d,%s,%s,%s,培训评审,培训机构评审,副高级,"
                    "高级技师,10,10\n" % (i, "男" if i % 2 else "女", resident_id(i), i,
                                          employer, recommender, SPEC))


class OrgTest(DaemonTest):
    def setUp(self):
        super().setUp()
        conf = self.write_config(NO_ROTATION)
        self.d = self.start_daemon(extra=["--config", conf])
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        write_roster(path, [(i, employer_of(i), recommender_of(i))
                            for i in range(1, POOL + 1)])
        res = self.ctl.json("pool", "import", "--appointed", path)
        self.assertEqual(res["inserted"], POOL, res)
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)

    def review(self, orgs, day, tag, members=5):
        start = int(time.time()) + day * DAY
        return ("%s-%d" % (tag, day), "draw",
                {"kind": "review", "specialty": SPEC, "members": members,
                 "orgs": orgs, "start": start, "end": start + 8 * 3600,
                 "nonce": "orgs-test-nonce-%s-%06d" % (tag, day)})

    def test_names_only_roster_recuses_by_name_in_every_spelling(self):
        school = self.ctl.json("org", "show", SPELLINGS[0])["org"]
        self.assertEqual(school["name"], SCHOOL)
        self.assertEqual(school["code"], "")
        self.assertTrue(school["key"].startswith("org:"), school)
        self.assertEqual(school["employees"], len(EMPLOYED))
        self.assertEqual(school["recommended"], len(RECOMMENDED_ONLY) + 1)
        linked = set(EMPLOYED) | set(RECOMMENDED_ONLY)
        day = 0
        for k, spelling in enumerate(SPELLINGS):
            reqs = []
            for _ in range(200):
                day += 1
                reqs.append(self.review([spelling], day, "s%d" % k))
            replies = self.conn.pipeline(reqs)
            self.assertEqual(len(replies), 200)
            for rid, rep in replies.items():
                self.assertEqual(rep["status"], "ok", rep)
                res = rep["result"]
                drawn = {p["expert"] for p in res["panel"]}
                self.assertFalse(drawn & linked, (spelling, rid, drawn))
                self.assertEqual(res["candidates"], POOL - len(linked), res)
                ex = res["excluded"]
                self.assertEqual(ex["employer"], len(EMPLOYED), ex)
                self.assertEqual(ex["recommender"], len(RECOMMENDED_ONLY), ex)
                self.assertEqual(sum(ex.values()) + res["candidates"], POOL, ex)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_a_review_must_name_the_institution(self):
        start = int(time.time()) + 3 * DAY
        rep = self.conn.call("draw", {"kind": "review", "specialty": SPEC,
                                      "members": 3, "start": start,
                                      "end": start + 3600,
                                      "nonce": "orgs-test-no-org-nonce"})
        self.assertEqual(rep["status"], "invalid_field", rep)
        self.assertEqual(rep["field"], "orgs")
        self.assertIn("concerns an institution: name it in orgs", rep["message"])
        r = self.ctl.run("draw", "--kind", "inspection", "--subject", "evaluation",
                         "--specialty", SPEC, "--members", "2",
                         "--start", str(start), "--end", str(start + 3600), check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("orgs", r.err)
        # A competition concerns no institution: no org needed.
        rep = self.conn.call("draw", {"kind": "competition", "specialty": SPEC,
                                      "group_type": "training_review",
                                      "members": 3, "start": start,
                                      "end": start + 3600,
                                      "nonce": "orgs-test-competition-nonce"})
        self.assertEqual(rep["status"], "ok", rep)

    def test_an_unknown_name_lists_the_closest(self):
        _, _, args = self.review(["穗华职业学校(天河校区)"], 5, "unknown")
        rep = self.conn.call("draw", args)
        self.assertEqual(rep["status"], "invalid_field", rep)
        self.assertEqual(rep["field"], "orgs[0]")
        msg = rep["message"]
        self.assertIn("no organisation is named", msg)
        self.assertIn("closest", msg)
        self.assertIn(SCHOOL, msg)
        # Nothing close at all: says how to register it.
        _, _, args = self.review(["完全不同的某某单位名称"], 5, "unknown2")
        rep = self.conn.call("draw", args)
        self.assertEqual(rep["status"], "invalid_field", rep)
        self.assertIn("org.add", rep["message"])

    def test_conflict_by_name(self):
        self.ctl.json("conflict", "add", "12", "--org", SPELLINGS[1],
                      "--kind", "relative")
        listed = self.ctl.json("conflict", "list", "--org", SPELLINGS[2])
        self.assertEqual([c["expert"] for c in listed["conflicts"]], [12])
        rep = self.conn.call(*self.review([SPELLINGS[0]], 9, "conflict")[1:])
        self.assertEqual(rep["status"], "ok", rep)
        self.assertEqual(rep["result"]["excluded"]["conflict"], 1, rep)
        self.assertNotIn(12, [p["expert"] for p in rep["result"]["panel"]])

    def test_registered_institution_by_name_and_code(self):
        code = credit_code("91440101MA5CXY012")
        org = self.ctl.json("org", "add", "广州市某某评价机构", "--code", code,
                            "--kind", "evaluation_institution")["org"]
        self.assertEqual(org["key"], code)
        self.assertEqual(org["kinds"], ["evaluation_institution"])
        again = self.ctl.run("org", "add", "某某评价机构", check=False)
        self.assertEqual(again.rc, 1)
        self.assertIn("already a name of", again.err)
        # by name and by code: the same key in the task
        for i, ref in enumerate(["某某评价机构", code]):
            _, _, args = self.review([ref], 20 + i, "reg")
            rep = self.conn.call("draw", args)
            self.assertEqual(rep["status"], "ok", rep)
            task = self.ctl.json("task", "show", str(rep["result"]["task"]))
            self.assertEqual(task["task"]["orgs"], [code], task)
        alias = self.ctl.json("org", "alias", code, "广州某某技能评价中心")["org"]
        self.assertEqual(alias["aliases"], ["广州某某技能评价中心"])
        listed = self.ctl.json("org", "list", "--query", "技能评价中心")
        self.assertEqual([o["key"] for o in listed["orgs"]], [code])

    def test_near_miss_is_reported_and_merge_relinks(self):
        path = os.path.join(self.dir, "more.csv")
        write_roster(path, [(41, "广州市穗华职业培训学校", "广州市电工行业协会")])
        res = self.ctl.json("pool", "import", "--appointed", path)
        self.assertEqual(res["orgs_created"], 1, res)
        self.assertEqual(len(res["orgs_close"]), 1, res)
        close = res["orgs_close"][0]["reason"]
        self.assertIn(SCHOOL, close)
        new_key = close.split("(", 1)[1].split(")", 1)[0]
        self.assertTrue(new_key.startswith("org:"), close)
        school = self.ctl.json("org", "show", SCHOOL)["org"]
        # Before the merge, expert 41 is not recused from the school.
        rep = self.conn.call(*self.review([SCHOOL], 30, "premerge", members=1)[1:])
        self.assertEqual(rep["result"]["excluded"]["employer"], len(EMPLOYED))
        merged = self.ctl.json("org", "merge", new_key, SCHOOL,
                               "--reason", "same school, campus omitted")["org"]
        self.assertEqual(merged["key"], school["key"])
        self.assertIn("广州市穗华职业培训学校", merged["aliases"])
        self.assertEqual(merged["employees"], len(EMPLOYED) + 1)
        rep = self.conn.call(*self.review([SCHOOL], 31, "postmerge", members=1)[1:])
        self.assertEqual(rep["result"]["excluded"]["employer"], len(EMPLOYED) + 1)
        gone = self.ctl.json("org", "show", new_key)["org"]
        self.assertEqual(gone["key"], school["key"])  # the key resolves to the survivor
        # the merge is in the log, and the log verifies; also after a restart
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)
        self.d.stop()
        self.d.start()
        rep = self.conn.call(*self.review([new_key], 32, "restart", members=1)[1:])
        self.assertEqual(rep["result"]["excluded"]["employer"], len(EMPLOYED) + 1)



@sqlite_only("makes the SQLite file schema 3's (schema_undo)")
class LegacyUpgradeTest(DaemonTest):
    """A database from before the registry (schema 3): experts linked by
    credit code only. The upgrade registers each code as an organisation
    keyed by itself, named by its employees' employer names, so draws by
    name recuse the same experts, and the old log still verifies."""

    def test_upgrade_keys_organisations_by_their_codes(self):
        conf = self.write_config(NO_ROTATION)
        d = self.start_daemon(extra=["--config", conf])
        ctl = Ctl(d)
        self.open_term(ctl)
        path = os.path.join(self.dir, "coded.csv")
        code = credit_code("91440101MA5CXY013")
        with open(path, "w", encoding="utf-8") as f:
            f.write("姓名,性别,公民身份号码,移动电话,工作单位,统一社会信用代码,申请专家组专业,"
                    "专家组类型,承担任务类型,专业技术职称,职业资格等级,考评工作年限,培训工作年限\n")
            for i in range(1, 13):
                employer, c = ("广州市穗华职业培训学校", code) if i <= 4 else \
                              ("广州市第%d技工学校" % i, credit_code("12440100MA5CX%04d" % i))
                f.write("专家%d,%s,%s,1390000%04d,%s,%s,%s,培训评审,培训机构评审,副高级,"
                        "高级技师,10,10\n" % (i, "男" if i % 2 else "女", resident_id(i), i,
                                              employer, c, SPEC))
        ctl.json("pool", "import", "--appointed", path)
        before = ctl.json("draw", "--kind", "review", "--specialty", SPEC, "--members", "2",
                          "--org", code, "--start", str(int(time.time()) + 5 * DAY),
                          "--end", str(int(time.time()) + 5 * DAY + 3600))
        self.assertEqual(before["excluded"]["employer"], 4)
        self.assertEqual(d.stop(), 0)

        with sqlite3.connect(d.db) as conn:
            downgrade(conn, 3)
        d.start()
        org = ctl.json("org", "show", "穗华职业培训学校")["org"]
        self.assertEqual((org["key"], org["code"], org["employees"]), (code, code, 4))
        start = int(time.time()) + 6 * DAY
        after = ctl.json("draw", "--kind", "review", "--specialty", SPEC, "--members", "2",
                         "--org", "广东省广州市穗华职业培训学校", "--start", str(start),
                         "--end", str(start + 3600))
        self.assertEqual(after["excluded"]["employer"], 4)
        v = ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


if __name__ == "__main__":
    unittest.main()
