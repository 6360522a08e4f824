"""A designated leader (issue #11 item 5; DRAW.md 3.6): an operator names
the leader of a task instead of drawing one, with a reason. The daemon
holds the designee to every rule of the candidate list and to leader
eligibility, refuses otherwise without recording anything, seats the
designee first, keeps their employer off the panel, records the
designation in the transcript, and `audit verify` replays it. Redraws keep
the designation; a freed leader seat is filled at random. A bureau may not
designate (secure mode, for roles).
"""
import os
import time
import unittest

from harness import Ctl, DaemonTest, RawClient, free_tcp_port, keygen
from assign_base import resident_id

DAY = 86400
SPEC = "电工"
SCHOOL = "广州市穗华职业培训学校"
SHARED = "广州市电力技工学校"
HEAD = ("姓名,性别,公民身份号码,移动电话,工作单位,推荐单位,申请专家组专业,专家组类型,"
        "承担任务类型,专业技术职称,职业资格等级,考评工作年限,培训工作年限\n")
POOL = 20
AT_SCHOOL = [1, 2, 3]           # employed by the reviewed school
NOT_LEADERS = [4, 5, 6]         # 中级 and 技师: eligible, cannot lead
DESIGNEE = 8                    # may lead; 9 shares their employer
SAME_EMPLOYER = 9
REASON = "中心指定：熟悉该校历年评审情况"
NO_ROTATION = "[draw]\nrotation_days = 0\n"


def employer_of(i):
    if i in AT_SCHOOL:
        return SCHOOL
    if i in (DESIGNEE, SAME_EMPLOYER):
        return SHARED
    return "广州市第%d技工学校" % i


def write_roster(path):
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for i in range(1, POOL + 1):
            title, qual = ("中级", "技师") if i in NOT_LEADERS else ("副高级", "高级技师")
            f.write("专家%d,%s,%s,1390000%04d,%s,广州市电工行业协会,%s,培训评审,"
                    "培训机构评审,%s,%s,10,10\n"
                    % (i, "男" if i % 2 else "女", resident_id(i), i, employer_of(i),
                       SPEC, title, qual))


def setup_pool(test, ctl):
    test.open_term(ctl)
    path = os.path.join(test.dir, "roster.csv")
    write_roster(path)
    res = ctl.json("pool", "import", "--appointed", path)
    test.assertEqual(res["inserted"], POOL, res)


class LeaderTest(DaemonTest):
    def setUp(self):
        super().setUp()
        conf = self.write_config(NO_ROTATION)
        self.d = self.start_daemon(extra=["--config", conf])
        self.ctl = Ctl(self.d)
        setup_pool(self, self.ctl)
        self.conn = RawClient(self.d.endpoint)
        self.addCleanup(self.conn.close)
        self.days = 0

    def review(self, members=5, backups=2, **extra):
        """The args of a review of SCHOOL on a day of its own."""
        self.days += 1
        start = int(time.time()) + self.days * DAY
        args = {"kind": "review", "specialty": SPEC, "members": members,
                "backups": backups, "orgs": [SCHOOL], "start": start,
                "end": start + 8 * 3600,
                "nonce": "leader-test-nonce-%06d" % self.days}
        args.update(extra)
        return args

    def last_seq(self):
        rep = self.conn.call("audit.entries", {"limit": 1})
        self.assertEqual(rep["status"], "ok", rep)
        return rep["result"]["last"]

    def verify(self):
        v = self.ctl.run("audit", "verify", json_out=True, check=False, timeout=120000)
        self.assertEqual(v.rc, 0, v)
        self.assertTrue(v.json["ok"], v)

    def assert_refused(self, args, status, field, words):
        """Refused with status/field, the message naming the cause, and
        nothing recorded: no entry, no secret consumed."""
        before = self.last_seq()
        rep = self.conn.call("draw", args)
        self.assertEqual((rep["status"], rep.get("field")), (status, field), rep)
        for w in words:
            self.assertIn(w, rep["message"])
        self.assertEqual(self.last_seq(), before, "a refused designation recorded")
        return rep

    def test_designated_leader_takes_seat_0_and_verifies(self):
        for _ in range(8):
            rep = self.conn.call("draw", self.review(leader_expert=DESIGNEE,
                                                     leader_reason=REASON))
            self.assertEqual(rep["status"], "ok", rep)
            panel = rep["result"]["panel"]
            self.assertEqual((panel[0]["expert"], panel[0]["role"]), (DESIGNEE, "leader"))
            self.assertEqual([p["role"] for p in panel[1:]], ["member"] * 5 + ["backup"] * 2)
            drawn = {p["expert"] for p in panel}
            self.assertEqual(len(drawn), 8)
            # Diversity: the designee's employer counts as seated.
            self.assertNotIn(SAME_EMPLOYER, drawn)
            self.assertFalse(drawn & set(AT_SCHOOL))
        task = rep["result"]["task"]
        shown = self.ctl.json("task", "show", str(task))["task"]
        self.assertTrue(shown["leader"])
        self.assertEqual(shown["designated"], {"expert": DESIGNEE, "reason": REASON})
        text = self.ctl.run("task", "show", str(task)).out
        self.assertIn("leader designated by", text)
        self.assertIn(REASON, text)
        audit = self.ctl.run("audit", "show", str(task)).out
        self.assertIn("expert %d, leader designated by" % DESIGNEE, audit)
        entries = self.ctl.json("audit", "show", str(task))["entries"]
        self.assertEqual(entries[0]["transcript"]["designated"],
                         {"expert": DESIGNEE, "reason": REASON})
        # A random draw keeps the old layout: no designated key.
        plain = self.conn.call("draw", self.review(leader=True))
        self.assertEqual(plain["status"], "ok", plain)
        t = self.ctl.json("audit", "show", str(plain["result"]["task"]))
        self.assertNotIn("designated", t["entries"][0]["transcript"])
        self.assertIsNone(self.ctl.json("task", "show", str(plain["result"]["task"]))
                          ["task"]["designated"])
        self.verify()

    def test_expertctl_draw_names_the_leader(self):
        def args(day):
            start = int(time.time()) + day * DAY
            return ["draw", "--kind", "review", "--specialty", SPEC, "--members", "3",
                    "--org", SCHOOL, "--start", str(start), "--end", str(start + 3600),
                    "--leader-expert", str(DESIGNEE), "--leader-reason", REASON]
        r = self.ctl.run(*args(3))
        self.assertIn("named, not drawn", r.out)
        self.assertIn(REASON, r.out)
        self.assertIn("a replacement is drawn at random", r.out)
        res = self.ctl.json(*args(4), "--nonce", "x" * 32)
        self.assertEqual(res["panel"][0]["expert"], DESIGNEE)
        for partial in (args(5)[:-2], args(5)[:-4] + ["--leader-reason", REASON]):
            bad = self.ctl.run(*partial, check=False)
            self.assertEqual(bad.rc, 2, bad)
            self.assertIn("go together", bad.err)
        self.verify()

    def test_employee_of_the_task_organisation_is_refused(self):
        self.assert_refused(self.review(leader_expert=AT_SCHOOL[0], leader_reason=REASON),
                            "invalid_field", "leader_expert",
                            ["expert %d" % AT_SCHOOL[0], "rule employer",
                             "works for an organisation of the task"])

    def test_non_leader_is_refused(self):
        self.assert_refused(self.review(leader_expert=NOT_LEADERS[0], leader_reason=REASON),
                            "invalid_field", "leader_expert",
                            ["expert %d" % NOT_LEADERS[0], "not leader-eligible"])

    def test_other_causes_are_named(self):
        self.assert_refused(self.review(leader_expert=10, leader_reason=REASON,
                                        exclude=[10]),
                            "invalid_field", "leader_expert", ["rule excluded"])
        self.assert_refused(self.review(leader_expert=999, leader_reason=REASON),
                            "invalid_field", "leader_expert", ["no expert 999"])
        self.assert_refused(self.review(leader_expert=DESIGNEE, leader_reason=REASON,
                                        group_type="skill_evaluation"),
                            "invalid_field", "leader_expert", ["outside_group"])

    def test_fields_go_together(self):
        self.assert_refused(self.review(leader_expert=DESIGNEE), "invalid_field",
                            "leader_reason", ["needs a reason"])
        self.assert_refused(self.review(leader_reason=REASON), "invalid_field",
                            "leader_reason", ["goes with leader_expert"])
        self.assert_refused(self.review(leader_expert=DESIGNEE, leader_reason=REASON,
                                        leader=False),
                            "invalid_field", "leader", ["cannot be false"])
        self.assert_refused(self.review(leader_expert=DESIGNEE, leader_reason=""),
                            "invalid_field", "leader_reason", [])

    def test_redraw_keeps_the_designee_while_eligible(self):
        rep = self.conn.call("draw", self.review(leader_expert=DESIGNEE,
                                                 leader_reason=REASON))
        task = rep["result"]["task"]
        again = self.ctl.json("redraw", str(task), "--reason", "bureau asked")
        self.assertEqual(again["panel"][0]["expert"], DESIGNEE)
        entries = self.ctl.json("audit", "show", str(task))["entries"]
        self.assertEqual([e["transcript"].get("designated") for e in entries],
                         [{"expert": DESIGNEE, "reason": REASON}] * 2)
        self.assertIn("kept by", self.ctl.run("audit", "show", str(task)).out)
        self.verify()
        # Once the designee may not lead, the redraw is refused, unrecorded.
        self.ctl.json("pool", "suspend", str(DESIGNEE), "--reason", "on leave")
        before = self.last_seq()
        r = self.ctl.run("redraw", str(task), "--reason", "again", json_out=True,
                         check=False)
        self.assertEqual((r.json["status"], r.json["field"]), ("invalid_state", "task"), r)
        self.assertIn("rule status", r.json["message"])
        self.assertEqual(self.last_seq(), before)
        self.verify()

    def test_declined_designee_is_replaced_at_random(self):
        rep = self.conn.call("draw", self.review(members=3, backups=0,
                                                 leader_expert=DESIGNEE,
                                                 leader_reason=REASON))
        self.assertEqual(rep["status"], "ok", rep)
        res = rep["result"]
        lead = res["panel"][0]
        self.ctl.json("answer", str(lead["assignment"]), "decline", "--channel", "phone",
                      "--reason", "illness")
        seats = self.ctl.json("task", "show", str(res["task"]))["seats"]
        leaders = [s for s in seats if s["role"] == "leader"]
        self.assertEqual([s["state"] for s in leaders], ["declined", "offered"], seats)
        self.assertNotEqual(leaders[1]["expert"], DESIGNEE)
        self.assertNotIn(leaders[1]["expert"], NOT_LEADERS + AT_SCHOOL)
        entries = self.ctl.json("audit", "show", str(res["task"]))["entries"]
        kinds = [(e["transcript"]["kind"], "designated" in e["transcript"])
                 for e in entries]
        self.assertEqual(kinds, [("draw", True), ("replacement", False)])
        out = self.ctl.run("audit", "show", str(res["task"])).out
        self.assertIn("a leader seat, drawn at random", out)
        self.verify()


class LeaderRoleTest(DaemonTest):
    """Roles need CURVE keys: a bureau may draw, not designate."""

    def setUp(self):
        super().setUp()
        server_key, _, _, _ = keygen(self.dir, "server")
        self.server_pub = os.path.join(self.dir, "server.pub")
        keys = {}
        with open(os.path.join(self.dir, "allowlist"), "w") as f:
            for name, rest in (("ops", "center-ops operator"),
                               ("haizhu", "gz-haizhu bureau 440105")):
                keys[name], _, pub, _ = keygen(self.dir, name)
                f.write("%s %s\n" % (pub, rest))
        self.d = self.start_daemon(
            secure={"server_key": server_key,
                    "allowlist": os.path.join(self.dir, "allowlist")},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, keys["ops"], self.server_pub))
        self.ops = Ctl(self.d, keys["ops"], self.server_pub)
        self.bureau = Ctl(self.d, keys["haizhu"], self.server_pub)
        setup_pool(self, self.ops)

    def draw_args(self, day):
        start = int(time.time()) + day * DAY
        return ["draw", "--kind", "review", "--specialty", SPEC, "--members", "3",
                "--org", SCHOOL, "--start", str(start), "--end", str(start + 3600),
                "--leader-expert", str(DESIGNEE), "--leader-reason", REASON]

    def test_a_bureau_may_not_designate(self):
        r = self.bureau.run(*self.draw_args(2), json_out=True, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual((r.json["status"], r.json["field"]),
                         ("forbidden", "leader_expert"), r)
        self.assertIn("only an operator", r.json["message"])
        # It may draw the same task with a drawn leader; an operator may name
        # one. (The bureau's panel leaves the designee out: serving on it
        # would recuse the designee from the school's next task, rule rotation.)
        plain = self.bureau.json(*self.draw_args(2)[:-4], "--leader",
                                 "--exclude", str(DESIGNEE))
        self.assertEqual(plain["panel"][0]["role"], "leader")
        named = self.ops.json(*self.draw_args(3))
        self.assertEqual(named["panel"][0]["expert"], DESIGNEE)
        v = self.ops.run("audit", "verify", json_out=True, check=False, timeout=120000)
        self.assertTrue(v.json and v.json["ok"], v)


if __name__ == "__main__":
    unittest.main()
