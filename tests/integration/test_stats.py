"""`stats` (PROTOCOL.md 7.12.8) end to end: every number `expertctl --json
stats` prints is recomputed here from what the test did and from the
daemon's own records read through other operations (pool list, task list,
task show, the audit log), so a wrong count, rate or expected share fails.

- The pool by status and by specialty, tasks by fill state, seats by state.
  Only appointed experts are the pool (PROTOCOL.md 7.17): those still
  recommended or under review are counted apart (`appointments`, each
  specialty's `pending`), as `term list` counts them apart too.
- Answers, declines by reason and the two rates, after staff answers by
  phone, an expiry, a redraw, a replacement draw and a cancellation.
- The most-drawn experts: seats (every state) and the expected seats of
  uniform draws, computed from the transcripts; experts imported after a
  draw get nothing from it.
- `--top`, the readable tables (each section named), names masked; a
  bureau key gets `forbidden` (secure mode).
"""
import collections
import os
import time
import unittest

from harness import Ctl, DaemonTest, free_tcp_port
from assign_base import WAIT, AssignBase, resident_id
from harness import RawClient, keygen

SECTIONS = ("Appointed experts by status", "Appointments", "Specialties", "Tasks by fill state",
            "Seats by state", "Draws and answers", "Most drawn")
ANSWERS = ("accept", "decline", "expire")
REASONS = ("conflict", "illness", "official_duty", "schedule", "other")
# Experts imported after the first draws: 电工 ids 22.. (the roster of
# assign_base holds 21).
LATE = [("晚来一", 22), ("晚来二", 23), ("晚来三", 24)]
# Imported last, not appointed: recommended, under review, rejected.
PENDING = [("候选一", 25, "电工"), ("候选二", 26, "电工"), ("候选三", 27, "焊工")]


def mask(name):
    return name[0] + "*" + name[-1] if len(name) >= 3 else name[0] + "*"


class StatsTest(AssignBase):
    # Deadlines of seconds, so that they pass within the test: no minimum
    # window (POLICY.md 6.1), and their expiries count as any.
    CONFIG = "[assign]\nmin_response_minutes = 0\n"

    def import_people(self, people, *appointed):
        path = os.path.join(self.dir, "late.csv")
        with open(path, "w", encoding="utf-8") as f:
            f.write("name,sex,resident_id,phone,specialties,group_types,title,"
                    "qualification,assess_years,training_years\n")
            for name, i, spec in people:
                # 性别 agrees with the ID's sex digit (i's last digit).
                f.write("%s,%s,%s,1390000%04d,%s,skill_evaluation,intermediate,"
                        "technician,3,0\n" % (name, "male" if i % 2 else "female",
                                              resident_id(i), i, spec))
        self.ctl.json("pool", "import", *appointed, path)

    def import_late(self):
        self.import_people([(name, i, "电工") for name, i in LATE], "--appointed")

    def import_pending(self):
        """PENDING: recommended, under review, rejected."""
        self.import_people(PENDING)
        (_, a, _), (_, b, _), (_, c, _) = PENDING
        for e in (b, c):
            self.ctl.json("appointment", "review", str(e), "--opinion", "资格审查")
        self.ctl.json("appointment", "decide", str(c), "--reject", "--opinion", "不符合条件")

    def scenario(self):
        """Every kind of seat, answer and draw; returns {expert id: name}."""
        ctl = self.ctl
        ctl.run("pool", "suspend", "12", "--reason", "leave")     # 电工
        ctl.run("pool", "revoke", "18", "--reason", "retired")    # 焊工
        t1 = self.draw("电工", 3, 10, backups=2)
        t2 = self.draw("电工", 2, 12)
        t3 = self.draw("焊工", 2, 10)
        # Too few 钳工: a failed first draw, in the log only.
        r = ctl.run(*["draw", "--kind", "competition", "--specialty", "钳工",
                      "--members", "2", "--start", str(self.start_at(10)),
                      "--end", str(self.start_at(10) + 3600)],
                    json_out=True, check=False)
        self.assertEqual(r.json["status"], "insufficient_candidates", r)
        a1 = [p["assignment"] for p in t1["panel"]]
        a3 = [p["assignment"] for p in t3["panel"]]
        self.staff(a1[0], "accept", "--channel", "phone")
        self.staff(a1[1], "decline", "--channel", "phone", "--reason", "illness")
        self.staff(a1[2], "decline", "--channel", "phone", "--reason", "schedule")
        # No backup on t3: a replacement draw takes the freed seat.
        out = self.staff(a3[0], "decline", "--channel", "phone", "--reason",
                         "official_duty")
        self.assertEqual(out["filled_by"]["how"], "drawn")
        self.staff(a3[1], "accept", "--channel", "phone")
        self.staff(out["filled_by"]["assignment"], "accept", "--channel", "phone")
        self.staff(a1[3], "accept", "--channel", "phone")   # the promoted backup
        ctl.json("redraw", str(t2["task"]), "--reason", "venue changed")
        self.import_late()
        # Only the late experts and 10, 11 may be drawn: some late ones are.
        t4 = ctl.json(*(["draw", "--kind", "competition", "--specialty", "电工",
                         "--members", "4", "--start", str(self.start_at(14)),
                         "--end", str(self.start_at(14) + 3600)] +
                        sum((["--exclude", str(i)] for i in range(1, 10)), [])))
        self.assertTrue({p["expert"] for p in t4["panel"]} & {i for _, i in LATE})
        # The only 车工 lets the offer expire; nobody is left to replace him.
        t5 = self.draw("车工", 1, 20, respond=1)
        time.sleep(1.5)
        deadline = time.monotonic() + WAIT
        while self.show(t5["task"])["task"]["fill"] != "short":
            self.assertLess(time.monotonic(), deadline, "the offer never expired")
            time.sleep(0.2)
        ctl.run("task", "cancel", str(t1["task"]), "--reason", "postponed")
        self.import_pending()
        names = {}
        for spec, ps in self.people.items():
            for i, name, _, _ in ps:
                names[i] = name
        names.update({i: n for n, i in LATE})
        return names

    def expected_stats(self, names, top):
        """The whole result, recomputed from other operations."""
        ctl = self.ctl
        experts = ctl.json("pool", "list", "--limit", "1000")["experts"]
        tasks = ctl.json("task", "list", "--limit", "1000")["tasks"]
        shown = [self.show(t["id"]) for t in tasks]
        log = self.entries()
        appointed = [e for e in experts if e["appointment"] == "appointed"]
        want = {"experts": collections.Counter(e["status"] for e in appointed),
                "appointments": collections.Counter(e["appointment"] for e in experts)}
        spec = collections.defaultdict(lambda: [0, 0, 0])
        for e in experts:
            for s in e["specialties"]:
                spec[s][0] += e in appointed and e["status"] == "active"
                spec[s][1] += e in appointed
                spec[s][2] += e["appointment"] in ("recommended", "under_review")
        # Byte order of the UTF-8 names, as the daemon sorts.
        want["specialties"] = [{"specialty": s, "active": a, "total": t, "pending": p}
                               for s, (a, t, p) in sorted(spec.items(),
                                                          key=lambda kv: kv[0].encode())]
        want["tasks"] = collections.Counter(t["fill"] for t in tasks)
        seats = [s for sh in shown for s in sh["seats"]]
        want["assignments"] = collections.Counter(s["state"] for s in seats)
        draws = [e for e in log if e["type"] in ("draw", "draw.failed")]
        want["draws"] = {"ok": sum(e["type"] == "draw" for e in draws),
                         "failed": sum(e["type"] == "draw.failed" for e in draws)}
        hist = [h for sh in shown for h in sh["history"]]
        want["answers"] = {a: sum(h["event"] == a for h in hist) for a in ANSWERS}
        want["declines"] = {r: sum(h["event"] == "decline" and h["reason"] == r
                                   for h in hist) for r in REASONS}
        n = want["answers"]
        answered = n["accept"] + n["decline"]
        want["rates"] = {"decline": n["decline"] / answered if answered else 0.0,
                         "expiry": (n["expire"] / (answered + n["expire"])
                                    if answered + n["expire"] else 0.0)}
        per = collections.Counter(s["expert"] for s in seats)
        ranked = sorted(per.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        # Expected seats: each successful draw gives panel / candidates to
        # every expert of its bucket that existed then (ids 1 .. pool size).
        by_id = {e["id"]: e for e in experts}
        expected = collections.defaultdict(float)
        ok = sorted((e["entry"] for e in draws if e["type"] == "draw"),
                    key=lambda x: x["draw"])
        for tr in ok:
            present = tr["candidates"] + sum(tr["excluded"].values())
            share = len(tr["panel"]) / tr["candidates"]
            for i, e in sorted(by_id.items()):
                if (i <= present and tr["request"]["specialty"] in e["specialties"]
                        and tr["request"]["group"] in e["group_types"]):
                    expected[i] += share
        want["most_drawn"] = [{"expert": i, "name": mask(names[i]), "seats": k,
                               "expected": expected[i]} for i, k in ranked]
        want["expected_all"] = expected
        return want, ok

    def assert_stats(self, got, want):
        self.assertEqual(set(got), {"experts", "appointments", "specialties", "tasks",
                                    "assignments", "draws", "answers", "declines",
                                    "rates", "most_drawn"})
        for key, names in (("experts", ("active", "suspended", "flagged", "revoked")),
                           ("appointments", ("recommended", "under_review", "appointed",
                                             "rejected")),
                           ("tasks", ("filling", "filled", "short", "cancelled")),
                           ("assignments", ("offered", "standby", "accepted",
                                            "declined", "expired", "completed",
                                            "no_show", "withdrawn", "cancelled"))):
            self.assertEqual(list(got[key]), list(names), key)   # every key, in order
            self.assertEqual(got[key], {k: want[key].get(k, 0) for k in names}, key)
        for key in ("specialties", "draws", "answers", "declines"):
            self.assertEqual(got[key], want[key], key)
        for key in ("decline", "expiry"):
            self.assertIsInstance(got["rates"][key], float)
            self.assertAlmostEqual(got["rates"][key], want["rates"][key], places=12)
        self.assertEqual([(e["expert"], e["name"], e["seats"]) for e in got["most_drawn"]],
                         [(e["expert"], e["name"], e["seats"])
                          for e in want["most_drawn"]])
        for g, w in zip(got["most_drawn"], want["most_drawn"]):
            self.assertAlmostEqual(g["expected"], w["expected"], places=9, msg=g)

    def test_every_number(self):
        names = self.scenario()
        got = self.ctl.json("stats", "--top", "100")
        want, ok = self.expected_stats(names, 100)
        self.assert_stats(got, want)
        # The scenario reached every case it means to check.
        self.assertEqual(got["experts"]["suspended"], 1)
        self.assertEqual(got["experts"]["revoked"], 1)
        # Those still being appointed are not the pool; they are counted apart.
        self.assertEqual(sum(got["experts"].values()), 24)
        self.assertEqual(got["appointments"], {"recommended": 1, "under_review": 1,
                                               "appointed": 24, "rejected": 1})
        by_spec = {s["specialty"]: s for s in got["specialties"]}
        self.assertEqual((by_spec["电工"]["total"], by_spec["电工"]["pending"]),
                         (12 + len(LATE), 2))
        self.assertEqual(by_spec["焊工"]["pending"], 0)       # the rejected one
        (t1,) = self.ctl.json("term", "list")["terms"]
        self.assertEqual((t1["experts"], t1["pending"]), (24, 2))
        self.assertEqual(got["draws"]["failed"], 2)     # 钳工, 车工's replacement
        self.assertEqual(got["answers"], {"accept": 4, "decline": 3, "expire": 1})
        self.assertEqual(got["declines"]["illness"], 1)
        self.assertAlmostEqual(got["rates"]["decline"], 3 / 7)
        self.assertAlmostEqual(got["rates"]["expiry"], 1 / 8)
        for k in ("filling", "short", "cancelled"):
            self.assertGreater(got["tasks"][k], 0, k)
        self.assertGreater(got["assignments"]["cancelled"], 0)
        self.assertIn("replacement", [tr["kind"] for tr in ok])
        self.assertIn("redraw", [tr["kind"] for tr in ok])
        # Seats of every state count: they add up to every panel place.
        self.assertEqual(sum(e["seats"] for e in got["most_drawn"]),
                         sum(len(tr["panel"]) for tr in ok))
        self.assertEqual(sum(got["assignments"].values()),
                         sum(len(tr["panel"]) for tr in ok))
        # A late expert gets only the draws after its import: t4 (4 seats
        # among 10, 11 and the three late ones).
        late = [e for e in got["most_drawn"] if e["expert"] in dict(map(reversed, LATE))]
        self.assertTrue(late)
        for e in late:
            self.assertAlmostEqual(e["expected"], 4 / 5, msg=e)
        # Over every expert, expected seats are at least the seats drawn
        # (each draw hands out panel x bucket / candidates >= panel).
        self.assertGreaterEqual(sum(want["expected_all"].values()) + 1e-9,
                                sum(len(tr["panel"]) for tr in ok))
        # --top keeps the first N of the same ranking; the default is 10.
        self.assertEqual(self.ctl.json("stats")["most_drawn"], got["most_drawn"][:10])
        self.assertEqual(self.ctl.json("stats", "--top", "3")["most_drawn"],
                         got["most_drawn"][:3])

    def test_tables_name_each_section(self):
        names = self.scenario()
        got = self.ctl.json("stats")
        out = self.ctl.run("stats").out
        at = [out.find(s) for s in SECTIONS]
        self.assertTrue(all(i >= 0 for i in at), out)
        self.assertEqual(at, sorted(at), out)
        lines = out.splitlines()
        self.assertIn(["电工", str(12 - 1 + len(LATE)), str(12 + len(LATE)), "2"],
                      [l.split() for l in lines])
        self.assertIn(["under_review", "1"], [l.split() for l in lines])
        self.assertIn("Appointments (only appointed experts are drawn)", out)
        term = [l.split() for l in self.ctl.run("term", "list").out.splitlines()]
        self.assertEqual(term[0][:5], ["TERM", "START", "END", "APPOINTED", "PENDING"])
        self.assertEqual(term[1][3:5], ["24", "2"])
        self.assertIn(["total", str(sum(got["assignments"].values()))],
                      [l.split() for l in lines])
        self.assertIn("decline rate: %.1f%%" % (100 * got["rates"]["decline"]), out)
        top = got["most_drawn"][0]
        row = [l.split() for l in lines if l.split()[:1] == [str(top["expert"])]]
        self.assertEqual(row[-1][:3], [str(top["expert"]), top["name"], str(top["seats"])])
        # Names only masked.
        for name in names.values():
            self.assertNotIn(name, out)

    def test_empty_daemon_and_arguments(self):
        got = self.ctl.json("stats")
        self.assertEqual(got["most_drawn"], [])
        self.assertEqual(got["draws"], {"ok": 0, "failed": 0})
        self.assertEqual(got["rates"], {"decline": 0.0, "expiry": 0.0})
        self.assertEqual(got["answers"], {"accept": 0, "decline": 0, "expire": 0})
        self.assertEqual(sum(got["experts"].values()), 21)
        self.assertIn("(nobody drawn yet)", self.ctl.run("stats").out)
        for bad in (["--top", "0"], ["--top", "101"], ["extra"]):
            r = self.ctl.run("stats", *bad, check=False)
            self.assertEqual(r.rc, 2, (bad, r))
        # The daemon checks too: top is 1..100, no other field.
        d = RawClient(self.d.endpoint)
        try:
            for args, field in (({"top": 0}, "top"), ({"top": 101}, "top"),
                                ({"top": "5"}, "top"), ({"limit": 5}, "limit")):
                rep = d.call("stats", args)
                self.assertEqual((rep["status"], rep.get("field")),
                                 ("invalid_field", field), args)
            rep = d.call("stats", {"top": 1})
            self.assertEqual(rep["status"], "ok")
        finally:
            d.close()


class StatsSecureTest(DaemonTest):
    def test_operators_only(self):
        server_key, server_pub, _, _ = keygen(self.dir, "server")
        op_key, _, op_pub, _ = keygen(self.dir, "ops")
        bureau_key, _, bureau_pub, _ = keygen(self.dir, "haizhu")
        clerk_key, _, clerk_pub, _ = keygen(self.dir, "clerk")
        allow = os.path.join(self.dir, "allowlist")
        with open(allow, "w") as f:
            f.write("%s center-ops operator\n" % op_pub)
            f.write("%s gz-haizhu bureau 440105\n" % bureau_pub)
            f.write("%s haizhu-desk clerk 440105\n" % clerk_pub)
        d = self.start_daemon(secure={"server_key": server_key, "allowlist": allow},
                              endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
                              client=lambda d: Ctl(d, op_key, server_pub))
        self.assertIn("experts", Ctl(d, op_key, server_pub).json("stats"))
        for key in (bureau_key, clerk_key):
            r = Ctl(d, key, server_pub).run("stats", json_out=True, check=False)
            self.assertEqual(r.rc, 1, r)
            self.assertEqual(r.json["status"], "forbidden", r)
            self.assertIn("forbidden", r.err)


if __name__ == "__main__":
    unittest.main()
