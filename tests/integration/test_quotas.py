"""Mixed panels (issue #11 item 4, DRAW.md 3.7): one draw seats several
quotas, each a specialty and group type with its own members and backups,
with one leader for the whole panel. Every seat comes from its quota's
specialty; recusal holds across the panel (the reviewed school's staff are
never seated, whichever quota); no employer sits twice, also across
quotas; an expert holding both specialties sits once; a declined seat is
refilled from its own quota (a backup of that quota, then a replacement
draw); redraws repeat the quotas; a quota that runs dry leaves the task
short with that quota's counts; `audit verify` replays all of it. And the
draw is uniform within each quota: chi-square over 2,000 draws.
"""
import json
import math
import os
import time
import unittest

from harness import Ctl, DaemonTest, RawClient, cst
from assign_base import resident_id

DAY = 86400
HOUR = 3600
SCHOOL = "广州市穗华职业培训学校"
SHARED = "广州市共同机电公司"
HEAD = ("姓名,性别,公民身份号码,移动电话,工作单位,推荐单位,申请专家组专业,专家组类型,"
        "承担任务类型,专业技术职称,职业资格等级,考评工作年限,培训工作年限\n")
TASK_TYPES = "培训机构评审、评价机构评估、考评人员培训"
NO_ROTATION = "[draw]\nrotation_days = 0\n"
ALPHA = 0.001      # the chi-square tests' significance level

# id -> (specialties, group types, employer); leaders: every third id.
ELECTRIC = list(range(1, 17))      # 电工, 培训评审
WELDER = list(range(17, 33))       # 焊工, 技能评价
BOTH = list(range(33, 37))         # both, in both groups
OTHER = list(range(37, 41))        # 钳工: never in a bucket here
AT_SCHOOL = {1, 2, 17}             # employed by the reviewed school
AT_SHARED = {3, 4, 20, 33}         # one employer, across both specialties


def expert_row(i):
    if i in ELECTRIC:
        spec, groups = "电工", "培训评审"
    elif i in WELDER:
        spec, groups = "焊工", "技能评价"
    elif i in BOTH:
        spec, groups = "电工、焊工", "培训评审、技能评价"
    else:
        spec, groups = "钳工", "技能评价"
    employer = (SCHOOL if i in AT_SCHOOL else SHARED if i in AT_SHARED
                else "广州市第%d机电厂" % i)
    title = "副高级" if i % 3 == 0 else "中级"
    return ("专家%d,%s,%s,1380000%04d,%s,广州市机电行业协会,%s,%s,%s,%s,技师,10,10\n"
            % (i, "男" if i % 2 else "女", resident_id(i), i, employer, spec, groups,
               TASK_TYPES, title))


def specialties_of(i):
    return ({"电工"} if i in ELECTRIC else {"焊工"} if i in WELDER
            else {"电工", "焊工"} if i in BOTH else {"钳工"})


def employer_of(i):
    return SCHOOL if i in AT_SCHOOL else SHARED if i in AT_SHARED else "e%d" % i


QUOTAS = [{"specialty": "电工", "members": 3, "backups": 1},
          {"specialty": "焊工", "group_type": "skill_evaluation", "members": 2,
           "backups": 2}]
SPEC = ["电工", "焊工"]


class MixedPanelTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon(extra=["--config", self.write_config(NO_ROTATION)])
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEAD)
            for i in range(1, 41):
                f.write(expert_row(i))
        self.assertEqual(self.ctl.json("pool", "import", "--appointed", path)["inserted"], 40)
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)

    def review(self, day, tag, quotas=QUOTAS, leader=True):
        start = int(time.time()) + day * DAY
        return ("%s-%d" % (tag, day), "draw",
                {"kind": "review", "quotas": quotas, "leader": leader,
                 "orgs": [SCHOOL], "start": start, "end": start + 8 * HOUR,
                 "nonce": "quota-test-nonce-%s-%06d" % (tag, day)})

    def check_panel(self, res, quotas=QUOTAS, leader=True):
        """Each seat from its quota's specialty, in the seat order of
        DRAW.md 3.7; nobody twice; no employer twice; nobody from the
        school."""
        want = ([0] if leader else []) + [q for q, x in enumerate(quotas)
                                          for _ in range(x["members"])] \
            + [q for q, x in enumerate(quotas) for _ in range(x.get("backups", 0))]
        seats = res["panel"]
        self.assertEqual([s["quota"] for s in seats], want, res)
        ids = [s["expert"] for s in seats]
        self.assertEqual(len(set(ids)), len(ids), ids)
        employers = [employer_of(i) for i in ids]
        self.assertEqual(len(set(employers)), len(employers), ids)
        self.assertFalse(set(ids) & AT_SCHOOL, ids)
        for s in seats:
            self.assertIn(quotas[s["quota"]]["specialty"], specialties_of(s["expert"]), s)
        # At most one leader for the whole panel, from quota 0, one who may
        # lead (every third id has a senior title here).
        roles = [s["role"] for s in seats]
        self.assertEqual(roles.count("leader"), 1 if leader else 0, roles)
        if leader:
            self.assertEqual(seats[0]["role"], "leader")
            self.assertEqual(seats[0]["expert"] % 3, 0, seats[0])
        return ids

    def test_mixed_panels_hold_every_rule_across_the_panel(self):
        reqs = [self.review(day, "m") for day in range(1, 61)]
        replies = self.conn.pipeline(reqs)
        seated_both = 0
        for rid, rep in replies.items():
            self.assertEqual(rep["status"], "ok", rep)
            res = rep["result"]
            ids = self.check_panel(res)
            seated_both += len(set(ids) & set(BOTH))
            quotas = res["quotas"]
            self.assertEqual([q["specialty"] for q in quotas], SPEC)
            self.assertEqual([q["group"] for q in quotas],
                             ["training_review", "skill_evaluation"])
            # 电工: 16 + 4 in the bucket, 2 of them at the school.
            self.assertEqual(quotas[0]["candidates"], 18, quotas[0])
            self.assertEqual(quotas[0]["excluded"]["employer"], 2)
            self.assertEqual(quotas[1]["candidates"], 19, quotas[1])
            self.assertEqual(quotas[1]["excluded"]["employer"], 1)
            self.assertEqual(res["candidates"], 37)
        self.assertGreater(seated_both, 0)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_overlap_holds_across_quotas(self):
        """Task A's 焊工 quota can only take experts who hold both
        specialties (every 焊工-only expert is excluded); task B, at the
        same time, must then leave them out of its 电工 quota too, as it
        leaves out A's 电工 members: overlap by person, whatever quota
        seated them."""
        a_quotas = [{"specialty": "电工", "members": 3},
                    {"specialty": "焊工", "group_type": "skill_evaluation", "members": 1}]
        rid, op, args = self.review(11, "a", quotas=a_quotas, leader=False)
        args["exclude"] = WELDER
        a = self.conn.call(op, args, rid=rid)
        self.assertEqual(a["status"], "ok", a)
        a_ids = self.check_panel(a["result"], a_quotas, leader=False)
        self.assertIn(a_ids[-1], BOTH)
        b = self.conn.call(*self.review(11, "b")[1:], rid="b-11")
        self.assertEqual(b["status"], "ok", b)
        b_ids = self.check_panel(b["result"])
        self.assertFalse(set(a_ids) & set(b_ids), (a_ids, b_ids))
        lists = b["result"]["quotas"]
        # All four of A's seats hold 电工; those who hold both, 焊工 too.
        self.assertEqual(lists[0]["excluded"]["overlap"], 4)
        self.assertEqual(lists[1]["excluded"]["overlap"], len(set(a_ids) & set(BOTH)))
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_expertctl_draw_show_decline_replace_redraw_verify(self):
        args = ["draw", "--kind", "review", "--org", SCHOOL, "--leader",
                "--quota", "电工:3::1", "--quota", "焊工:2:技能评价:2",
                "--start", cst(3, 9), "--end", cst(3, 17)]
        res = self.ctl.json(*args)
        ids = self.check_panel(res)
        text = self.ctl.run("task", "show", str(res["task"])).out
        self.assertIn("焊工", text)
        task = self.ctl.json("task", "show", str(res["task"]))
        self.assertEqual([(q["specialty"], q["group_type"], q["members"], q["backups"])
                          for q in task["task"]["quotas"]],
                         [("电工", "training_review", 3, 1),
                          ("焊工", "skill_evaluation", 2, 2)])
        self.assertEqual(task["task"]["members"], 5)
        self.assertEqual(task["task"]["backups"], 3)
        self.assertEqual([s["quota"] for s in task["seats"]],
                         [s["quota"] for s in res["panel"]])

        # A 焊工 member declines: a 焊工 backup (quota 1) is promoted,
        # never the 电工 backup, which comes first in seat order.
        seats = res["panel"]
        welders = [s for s in seats if s["quota"] == 1 and s["role"] == "member"]
        backups1 = [s["expert"] for s in seats if s["quota"] == 1 and s["role"] == "backup"]
        for n, seat in enumerate(welders):
            out = self.ctl.json("answer", str(seat["assignment"]), "decline",
                                "--channel", "phone", "--reason", "schedule")
            self.assertEqual(out["filled_by"]["how"], "promoted", out)
            self.assertEqual(out["filled_by"]["expert"], backups1[n])
        # Both 焊工 backups are used: the next decline draws from quota 1.
        now = self.ctl.json("task", "show", str(res["task"]))["seats"]
        promoted = [s for s in now if s["expert"] in backups1]
        out = self.ctl.json("answer", str(promoted[0]["assignment"]), "decline",
                            "--channel", "phone", "--reason", "schedule")
        self.assertEqual(out["filled_by"]["how"], "drawn", out)
        new = out["filled_by"]["expert"]
        self.assertIn("焊工", specialties_of(new))
        self.assertNotIn(new, ids)
        self.assertFalse({new} & AT_SCHOOL)
        seat = [s for s in self.ctl.json("task", "show", str(res["task"]))["seats"]
                if s["assignment"] == out["filled_by"]["assignment"]][0]
        self.assertEqual(seat["quota"], 1)
        # The leader declines: quota 0's list gives the new leader.
        out = self.ctl.json("answer", str(seats[0]["assignment"]), "decline",
                            "--channel", "phone", "--reason", "schedule")
        self.assertEqual(out["filled_by"]["role"], "leader", out)
        self.assertIn("电工", specialties_of(out["filled_by"]["expert"]))
        # A redraw repeats the quotas.
        again = self.ctl.json("redraw", str(res["task"]), "--reason", "复核")
        self.check_panel(again)
        shown = self.ctl.run("audit", "show", str(res["task"])).out
        self.assertIn("quota 1", shown)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)

    def test_requests_take_one_form_or_the_other(self):
        start = int(time.time()) + 5 * DAY
        base = {"kind": "competition", "start": start, "end": start + HOUR,
                "nonce": "quota-test-form-nonce"}
        cases = [
            ({"quotas": QUOTAS, "specialty": "电工"}, "specialty"),
            ({"quotas": QUOTAS, "backups": 1}, "backups"),
            ({}, "specialty"),
            ({"specialty": "电工"}, "members"),
            ({"quotas": [QUOTAS[0], dict(QUOTAS[0], backups=0)]}, "quotas[1].specialty"),
            ({"quotas": [QUOTAS[0], {"specialty": "木工", "members": 1}]},
             "quotas[1].specialty"),
            ({"quotas": [dict(QUOTAS[0], members=20), dict(QUOTAS[1], members=11)]},
             "quotas"),
            ({"quotas": [QUOTAS[0]]}, "quotas"),
            # A mixed panel's leader is drawn from quota 0, never named.
            ({"quotas": QUOTAS, "leader_expert": 3, "leader_reason": "指定"},
             "leader_expert"),
        ]
        for extra, field in cases:
            rep = self.conn.call("draw", dict(base, **extra))
            self.assertEqual(rep["status"], "invalid_field", (extra, rep))
            self.assertEqual(rep["field"], field, (extra, rep))
        # 电工 twice is fine in two group types.
        rep = self.conn.call("draw", dict(base, quotas=[
            {"specialty": "电工", "members": 1},
            {"specialty": "电工", "group_type": "training_review", "members": 1}]))
        self.assertEqual(rep["status"], "ok", rep)

    def test_a_short_quota_is_named(self):
        rep = self.conn.call(*self.review(7, "short", quotas=[
            QUOTAS[0], {"specialty": "焊工", "group_type": "skill_evaluation",
                        "members": 19}])[1:])
        self.assertEqual(rep["status"], "insufficient_candidates", rep)
        res = rep["result"]
        self.assertEqual(res["quota"], 1)
        self.assertEqual(res["specialty"], "焊工")
        self.assertEqual(res["needed"], 19)
        self.assertEqual(res["found"], 19)
        self.assertIn("quota 1 (焊工)", rep["message"])
        out = self.ctl.run("draw", "--kind", "competition", "--quota", "电工:2",
                           "--quota", "焊工:25:skill_evaluation",
                           "--start", str(int(time.time()) + 9 * DAY),
                           "--end", str(int(time.time()) + 9 * DAY + HOUR), check=False)
        self.assertEqual(out.rc, 1, out)
        self.assertIn("quota 1", out.err)
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


def chi2_sf(x, df):
    """P(X >= x) for X chi-square with df degrees of freedom: one minus
    the series of the regularized lower incomplete gamma P(df/2, x/2)."""
    a, h = df / 2.0, x / 2.0
    if h <= 0:
        return 1.0
    term = math.exp(a * math.log(h) - h - math.lgamma(a + 1))
    total, n = term, 1
    while term > 1e-17 * total:
        term *= h / (a + n)
        total += term
        n += 1
    return max(0.0, 1.0 - total)


class DisjointPoolTest(DaemonTest):
    """10 电工 (培训评审) and 7 焊工 (技能评价), every employer distinct, no
    leaders, rotation off: nobody is ever recused or dropped, so each
    quota's list is its whole bucket."""

    DRAWS = 2000
    E, W = 10, 7     # 电工 and 焊工 experts, disjoint

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon(extra=["--config", self.write_config(NO_ROTATION)])
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write(HEAD)
            for i in range(1, self.E + self.W + 1):
                spec, group = ("电工", "培训评审") if i <= self.E else ("焊工", "技能评价")
                # 性别 as the ID's sex digit says (resident_id: odd i, male).
                f.write("专家%d,%s,%s,1380000%04d,广州市第%d厂,,%s,%s,%s,中级,技师,10,10\n"
                        % (i, "男" if i % 2 else "女", resident_id(i), i, i, spec,
                           group, TASK_TYPES))
        self.assertEqual(self.ctl.json("pool", "import", "--appointed", path)["inserted"],
                         self.E + self.W)
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)

    def test_uniform_within_each_quota(self):
        """2,000 mixed draws, one hour apart (no overlap), for a task
        concerning the employers of experts 3 (电工) and 12 (焊工), who are
        recused: within each quota every other candidate is seated equally
        often (chi-square, alpha = 0.001)."""
        quotas = [{"specialty": "电工", "group_type": "training_review",
                   "members": 3, "backups": 1},
                  {"specialty": "焊工", "members": 2, "backups": 1}]
        recused = {3, 12}
        eligible = [[i for i in range(1, self.E + 1) if i not in recused],
                    [i for i in range(self.E + 1, self.E + self.W + 1)
                     if i not in recused]]
        first = int(time.time()) + DAY
        reqs = [("u-%d" % k, "draw",
                 {"kind": "competition", "quotas": quotas,
                  "orgs": ["广州市第%d厂" % i for i in sorted(recused)],
                  "start": first + k * HOUR, "end": first + (k + 1) * HOUR,
                  "nonce": "uniform-nonce-%06d" % k})
                for k in range(self.DRAWS)]
        replies = self.conn.pipeline(reqs)
        counts = [dict.fromkeys(ids, 0) for ids in eligible]
        for rep in replies.values():
            self.assertEqual(rep["status"], "ok", rep)
            lists = rep["result"]["quotas"]
            self.assertEqual([q["candidates"] for q in lists], [len(x) for x in eligible])
            self.assertEqual([q["excluded"]["employer"] for q in lists], [1, 1])
            for s in rep["result"]["panel"]:
                self.assertIn(s["expert"], counts[s["quota"]], s)
                counts[s["quota"]][s["expert"]] += 1
        for q in (0, 1):
            n, k = len(eligible[q]), quotas[q]["members"] + quotas[q]["backups"]
            expected = self.DRAWS * k / n
            self.assertEqual(sum(counts[q].values()), self.DRAWS * k)
            # Each draw seats k distinct experts of n, so the counts vary
            # less than multinomial ones: Pearson's sum times (n-1)/(n-k)
            # is chi-square with n-1 degrees of freedom.
            x = sum((c - expected) ** 2 / expected
                    for c in counts[q].values()) * (n - 1) / (n - k)
            p = chi2_sf(x, n - 1)
            print("chi2 quota %d df=%d %.2f p=%.4f" % (q, n - 1, x, p))
            self.assertGreater(p, ALPHA, counts[q])
        v = self.ctl.json("audit", "verify", timeout=300000)
        self.assertTrue(v["ok"], v)

    def test_a_dry_quota_leaves_the_task_short(self):
        """Quota 1 seats every 焊工; one declines: no standby and nobody
        left in quota 1, though 电工 remain. The replacement draws from
        quota 1 alone and fails; task.short counts that list."""
        start = int(time.time()) + 3 * DAY
        rep = self.conn.call("draw", {
            "kind": "competition", "start": start, "end": start + HOUR,
            "nonce": "dry-quota-nonce-0001",
            "quotas": [{"specialty": "电工", "group_type": "training_review",
                        "members": 1},
                       {"specialty": "焊工", "members": self.W}]})
        self.assertEqual(rep["status"], "ok", rep)
        task = rep["result"]["task"]
        seat = [s for s in rep["result"]["panel"] if s["quota"] == 1][0]
        out = self.ctl.json("answer", str(seat["assignment"]), "decline",
                            "--channel", "phone", "--reason", "schedule")
        self.assertIsNone(out["filled_by"], out)
        shown = self.ctl.json("task", "show", str(task))
        self.assertEqual(shown["task"]["fill"], "short")
        self.assertEqual([(d["kind"], d["ok"]) for d in shown["draws"]],
                         [("draw", True), ("replacement", False)])
        out = self.ctl.run("--json", "log", "--since", "1", "--limit", "1000000").out
        log = [json.loads(line) for line in out.splitlines() if line.strip()]
        failed, short = [e["entry"] for e in log
                         if e.get("entry") and e["entry"].get("task") == task
                         and e["type"] in ("draw.failed", "task.short")]
        self.assertEqual((failed["kind"], failed["quota"], failed["replaces"]),
                         ("replacement", 1, seat["assignment"]))
        self.assertEqual([q["candidates"] for q in failed["quotas"]], [0])
        # Everyone seated was drawn already: the 7 焊工 count under
        # excluded, the 10 电工 outside the specialty.
        self.assertEqual(short["excluded"]["excluded"], self.W)
        self.assertEqual(short["excluded"]["outside_specialty"], self.E)
        self.assertEqual((short["draw"], short["empty"]), (failed["draw"], 1))
        v = self.ctl.json("audit", "verify", timeout=120000)
        self.assertTrue(v["ok"], v)


if __name__ == "__main__":
    unittest.main()
