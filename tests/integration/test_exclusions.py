"""Exclusion counts by true cause (issue #11 item 3): a draw that comes up
short says how many experts of the pool lack the specialty, how many hold
it but not the group type, and how many lack the task-type capability,
and expertctl says which of them to change.

The roster is written here, so the test knows each expert's specialties,
group types and task types and works out every count itself from them
(DRAW.md 3.1); the daemon's counts must equal it exactly.
"""
import os

from assign_base import resident_id
from harness import Ctl, DaemonTest, cst

SPECIALTY = "焊工"
# A review of an evaluation institution: by default drawn from the
# skill_evaluation group, and needs the evaluation_review capability
# (POLICY.md 3.2).
KIND, SUBJECT = "review", "evaluation"
INSTITUTION = "91440101MA5CXY014A"   # a valid credit code no roster row names
GROUP, CAPABILITY = "skill_evaluation", "evaluation_review"
OTHER_GROUP = "training_review"

# (count, specialties, group types, task types): who is in the pool.
ROSTER = [
    (3, ["焊工"], ["skill_evaluation"], ["evaluation_review"]),
    (1, ["电工", "焊工"], ["skill_evaluation"], ["evaluation_review", "institution_review"]),
    (4, ["焊工"], ["skill_evaluation"], ["institution_review"]),
    (5, ["焊工"], ["training_review"], ["evaluation_review"]),
    (1, ["焊工"], ["methods", "training_review"], ["evaluation_review"]),
    (7, ["电工"], ["skill_evaluation"], ["evaluation_review"]),
    (2, ["钳工", "电工"], ["training_review"], []),
]

RULES = ["status", "term", "capability", "age", "excluded", "employer",
         "recommender", "conflict", "overlap", "rotation", "exposure"]


def write_roster(path):
    """The roster as a CSV file; returns the experts in id order as
    (specialties, group types, task types)."""
    experts = []
    with open(path, "w", encoding="utf-8") as f:
        f.write("name,sex,resident_id,phone,specialties,group_types,task_types,"
                "title,qualification,assess_years,training_years\n")
        for n, specs, groups, tasks in ROSTER:
            for _ in range(n):
                i = len(experts) + 1
                f.write("专家%s,%s,%s,1390000%04d,%s,%s,%s,intermediate,technician,3,12\n"
                        % ("甲乙丙丁戊己庚辛壬癸"[i % 10] + "一二三四五六七八九十"[i // 10],
                           "male" if i % 2 else "female", resident_id(i), i,
                           "|".join(specs), "|".join(groups), "|".join(tasks)))
                experts.append((specs, groups, tasks))
    return experts


def expected_counts(experts, specialty, group, capability):
    """DRAW.md 3.1 for this pool (everyone active, serving, under 65, no
    organisations): the candidates, and the excluded map in its order."""
    counts = dict.fromkeys(["outside_specialty", "outside_group"] + RULES, 0)
    found = 0
    for specs, groups, tasks in experts:
        if specialty not in specs:
            counts["outside_specialty"] += 1
        elif group not in groups:
            counts["outside_group"] += 1
        elif capability not in tasks:
            counts["capability"] += 1
        else:
            found += 1
    return found, counts


class ExclusionCountsTest(DaemonTest):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        self.experts = write_roster(path)
        self.ctl.json("pool", "import", "--appointed", path)

    def draw_args(self, members, day, *extra):
        # The reviewed institution: a registered one no expert works for.
        return ["draw", "--kind", KIND, "--subject", SUBJECT, "--specialty", SPECIALTY,
                "--members", str(members), "--org", INSTITUTION, "--start", cst(day, 9),
                "--end", cst(day, 17)] + list(extra)

    def test_failed_draw_counts_each_cause(self):
        found, counts = expected_counts(self.experts, SPECIALTY, GROUP, CAPABILITY)
        self.assertGreater(counts["outside_group"], found)   # what the hint is for
        self.assertGreater(counts["capability"], 0)
        self.assertGreater(counts["outside_specialty"], 0)
        members = found + 2

        r = self.ctl.run(*self.draw_args(members, 10), json_out=True, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.json["status"], "insufficient_candidates", r)
        res = r.json["result"]
        self.assertEqual(res["needed"], members)
        self.assertEqual(res["found"], found)
        want = dict(counts, diversity=0)
        self.assertEqual(list(res["excluded"].items()), list(want.items()))
        self.assertEqual(res["found"] + sum(counts.values()), len(self.experts))
        self.assertEqual((res["specialty"], res["group"], res["capability"]),
                         (SPECIALTY, GROUP, CAPABILITY))

        # For people: the counts, and which of them to change.
        r = self.ctl.run(*self.draw_args(members, 11), check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"(?m)^outside_specialty\s+%d$" % counts["outside_specialty"])
        self.assertRegex(r.out, r"(?m)^outside_group\s+%d$" % counts["outside_group"])
        self.assertRegex(r.out, r"(?m)^capability\s+%d$" % counts["capability"])
        self.assertIn("%d experts hold the specialty %s but not group type %s: "
                      "check --group-type\n" % (counts["outside_group"], SPECIALTY, GROUP),
                      r.out)
        self.assertIn("%d lack the task-type capability %s (the form's 承担任务类型 box)\n"
                      % (counts["capability"], CAPABILITY), r.out)

        # The hint was right: the other group type has the experts.
        found2, _ = expected_counts(self.experts, SPECIALTY, OTHER_GROUP, CAPABILITY)
        self.assertGreaterEqual(found2, members)
        ok = self.ctl.json(*self.draw_args(members, 12, "--group-type", OTHER_GROUP))
        self.assertEqual(len(ok["panel"]), members)

        v = self.ctl.json("audit", "verify")
        self.assertEqual((v["draws"], v["failed_draws"]), (3, 2))

    def test_failed_redraw_shows_hints_in_audit_show(self):
        members = 5
        task = self.ctl.json(*self.draw_args(members, 10, "--group-type", OTHER_GROUP))["task"]
        # Two of the other group's experts leave: the redraw comes up short.
        ids = [i + 1 for i, (specs, groups, tasks) in enumerate(self.experts)
               if SPECIALTY in specs and OTHER_GROUP in groups and CAPABILITY in tasks]
        for eid in ids[:2]:
            self.ctl.json("pool", "suspend", str(eid), "--reason", "ill")
        found, counts = expected_counts(self.experts, SPECIALTY, OTHER_GROUP, CAPABILITY)
        found, counts["status"] = found - 2, 2
        self.assertLess(found, members)
        r = self.ctl.run("redraw", str(task), "--reason", "a member withdrew",
                         json_out=True, check=False)
        self.assertEqual(r.json["status"], "insufficient_candidates", r)
        self.assertEqual(list(r.json["result"]["excluded"].items()),
                         list(dict(counts, diversity=0).items()))
        self.assertEqual(r.json["result"]["group"], OTHER_GROUP)

        tr = self.ctl.json("audit", "show", str(task))["entries"][-1]["transcript"]
        self.assertFalse(tr["ok"])
        self.assertEqual(list(tr["excluded"].items()), list(counts.items()))
        shown = self.ctl.run("audit", "show", str(task)).out
        self.assertRegex(shown, r"(?m)^\s+outside_group\s+%d$" % counts["outside_group"])
        self.assertIn("%d experts hold the specialty %s but not group type %s: "
                      "check --group-type\n"
                      % (counts["outside_group"], SPECIALTY, OTHER_GROUP), shown)
        # No expert of the other group lacks the capability: no such hint.
        self.assertEqual(counts["capability"], 0)
        self.assertNotIn("task-type capability", shown)
        self.ctl.run("audit", "verify")


if __name__ == "__main__":
    import unittest
    unittest.main()
