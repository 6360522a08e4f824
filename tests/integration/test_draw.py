"""Draws through expertctl against a real daemon (issue #3): the panel and
its roles, idempotent retries, every recusal rule, insufficient candidates,
errors naming fields, bureaus seeing only their own tasks, and redraws.

The roster comes from genroster with a fixed seed, so the pool is the same
on every run; the daemon's draw secret is random, so tests never depend on
which experts are drawn, only on which may and may not be. Rule tests ask
for every candidate at once (members = the number found), which turns
"never drawn" and "drawn" into exact set comparisons.
"""
import datetime
import os
import time
import unittest

from harness import CST, Ctl, DaemonTest, cst, cst_day, draw_args, keygen

ROSTER_SIZE = 300
ROSTER_SEED = 1
MAX_MEMBERS = 30

# A test config: diversity off, so that every candidate can be seated at
# once (two candidates of one employer would otherwise block that).
NO_DIVERSITY = "[draw]\ndiversity = false\n"

CC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(first17):
    """A unified social credit code (GB 32100) with its check character."""
    s = sum(CC_CHARS.index(c) * w for c, w in zip(first17, CC_WEIGHTS))
    return first17 + CC_CHARS[(31 - s % 31) % 31]


# Organisations no expert of the generated roster works for.
ORG_A = credit_code("91440101MA00XY0A1")
ORG_B = credit_code("91440101MA00XY0A2")
ORG_C = credit_code("91440101MA00XY0A3")
ORG_D = credit_code("91440101MA00XY0A4")
# Well formed, wrong check character.
BAD_ORG = ORG_A[:17] + ("0" if ORG_A[17] != "0" else "1")


def epoch(text):
    """Unix seconds of a "YYYY-MM-DD HH:MM" Beijing time."""
    t = datetime.datetime.strptime(text.replace("T", " "), "%Y-%m-%d %H:%M")
    return int(t.replace(tzinfo=CST).timestamp())


def panel_ids(res):
    return [p["expert"] for p in res["panel"]]


class DrawTestBase(DaemonTest):
    CONFIG = None          # INI text for --config, or None

    def setUp(self):
        super().setUp()
        extra = []
        if self.CONFIG:
            extra = ["--config", self.write_config(self.CONFIG)]
        self._experts = {}
        self.d, state = self.start_from_template(self.prepare, extra=extra)
        self.__dict__.update(state)
        self.ctl = Ctl(self.d)
        self.check_prepared()

    def check_prepared(self):
        """What every test asserts of the state prepare made."""

    def prepare(self, ctl):
        """What every test of the class starts from (made once per class,
        see start_from_template): the term and the roster; returns the
        attributes it sets (here how many experts each specialty has)."""
        self.ctl = ctl
        self.open_term(ctl)
        self.import_roster(ctl, ROSTER_SIZE, seed=ROSTER_SEED)
        self.counts = {}
        for e in ctl.json("pool", "list", "--limit", "1000")["experts"]:
            for s in e["specialties"]:
                self.counts[s] = self.counts.get(s, 0) + 1
        return {"counts": self.counts}

    # ---- helpers ----

    def top_specialty(self):
        return max(self.counts, key=self.counts.get)

    def small_specialty(self):
        """The largest specialty that cannot fill MAX_MEMBERS seats."""
        small = [s for s, n in self.counts.items() if n < MAX_MEMBERS]
        return max(small, key=lambda s: (self.counts[s], s))

    def expert(self, eid):
        if eid not in self._experts:
            self._experts[eid] = self.ctl.json("pool", "show", str(eid))["expert"]
        return self._experts[eid]

    def draw(self, specialty, members, day, *extra, **kw):
        return self.ctl.json(*draw_args(specialty, members, day, *extra, **kw))

    def failed_draw(self, specialty, members, day, *extra, **kw):
        """A draw that must fail with insufficient_candidates; its result."""
        r = self.ctl.run(*draw_args(specialty, members, day, *extra, **kw),
                         json_out=True, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual(r.json["status"], "insufficient_candidates", r)
        return r.json["result"]

    def draw_all(self, specialty, day, *extra, **kw):
        """Seat every candidate: ask for more than the specialty holds to
        learn how many there are, then for exactly that many. Returns the
        set of experts drawn and the draw's result."""
        found = self.failed_draw(specialty, MAX_MEMBERS, day, *extra, **kw)["found"]
        self.assertGreater(found, 0)
        res = self.draw(specialty, found, day, *extra, **kw)
        ids = panel_ids(res)
        self.assertEqual(len(ids), found)
        return set(ids), res

    def transcript(self, task):
        """The last transcript of a task, decoded by audit show --json."""
        return self.ctl.json("audit", "show", str(task))["entries"][-1]["transcript"]

    def verify(self):
        return self.ctl.json("audit", "verify")


class DrawTest(DrawTestBase):
    """The default rules (diversity on)."""

    def test_panel_has_leader_members_backups_all_distinct(self):
        spec = self.top_specialty()
        res = self.draw(spec, 3, 10, "--leader", "--backups", "2", "--org", ORG_A,
                        kind="review")
        self.assertEqual([p["role"] for p in res["panel"]],
                         ["leader", "member", "member", "member", "backup", "backup"])
        self.assertEqual([p["seat"] for p in res["panel"]], list(range(6)))
        ids = panel_ids(res)
        self.assertEqual(len(set(ids)), 6, ids)
        self.assertTrue(self.expert(ids[0])["leader"], "the leader must be leader-eligible")
        for eid in ids:
            self.assertIn(spec, self.expert(eid)["specialties"])
            self.assertIn("training_review", self.expert(eid)["group_types"])
        self.assertRegex(res["transcript_hash"], r"^[0-9a-f]{64}$")
        self.assertGreaterEqual(res["candidates"], 6)
        # The bureau gets full contacts.
        self.assertTrue(all(len(p["phone"]) == 11 for p in res["panel"]))
        shown = self.ctl.json("task", "show", str(res["task"]))
        self.assertEqual([(s["expert"], s["role"], s["state"]) for s in shown["seats"]],
                         [(e, r, "standby" if r == "backup" else "offered")
                          for e, r in zip(ids, [p["role"] for p in res["panel"]])])
        shown = self.ctl.json("audit", "show", str(res["task"]))["entries"]
        self.assertEqual(len(shown), 1)
        self.assertEqual(shown[0]["hash"], res["transcript_hash"])
        self.assertEqual(shown[0]["seq"], res["seq"])
        tr = shown[0]["transcript"]
        self.assertEqual((tr["panel"], tr["task"], tr["kind"], tr["ok"]),
                         (ids, res["task"], "draw", True))
        self.assertEqual(tr["candidates"], res["candidates"])
        for k in ("secret", "next_commit", "seed", "candidates_hash"):
            self.assertRegex(tr[k], r"^[0-9a-f]{64}$", k)
        text = self.ctl.run("audit", "show", str(res["task"])).out
        self.assertRegex(text, r"(?m)^hash\s+%s$" % res["transcript_hash"])
        self.assertRegex(text, r"(?m)^\s+seats\s+a leader, 3 members, 2 backups$")
        self.assertRegex(text, r"(?m)^candidates\s+%d$" % res["candidates"])
        self.assertRegex(text, r"(?m)^seed\s+%s$" % tr["seed"])
        self.assertRegex(text, r"(?m)^0\s+leader\s+%d$" % ids[0])

    def test_text_output_and_beijing_times_whatever_the_host_zone(self):
        os.environ["TZ"] = "America/New_York"
        self.addCleanup(os.environ.pop, "TZ", None)
        spec = self.top_specialty()
        start = cst(20, 9, 30)
        r = self.ctl.run(*["draw", "--kind", "competition", "--specialty", spec,
                           "--members", "2", "--start", start.replace(" ", "T"),
                           "--end", str(epoch(cst(20, 17)))])
        self.assertRegex(r.out, r"(?m)^task\s+1$")
        self.assertRegex(r.out, r"(?m)^transcript hash\s+[0-9a-f]{64}$")
        self.assertRegex(r.out, r"(?m)^nonce\s+[0-9a-f]{32} \(your contribution")
        self.assertRegex(r.out, r"(?m)^SEAT\s+ROLE\s+EXPERT\s+NAME\s+PHONE\s+EMPLOYER"
                                r"\s+ASSIGNMENT\s+STATE\s+ANSWER BY \(CST\)\s+TOKEN$")
        task = self.ctl.json("task", "show", "1")["task"]
        self.assertEqual(task["start"], epoch(start))
        self.assertEqual(task["end"], epoch(cst(20, 17)))
        text = self.ctl.run("task", "show", "1").out
        self.assertIn("start             %s CST" % start, text)
        listed = self.ctl.run("task", "list").out
        self.assertIn(start, listed)
        bad = self.ctl.run("draw", "--kind", "review", "--specialty", spec, "--members",
                           "1", "--start", "tomorrow", "--end", start, check=False)
        self.assertEqual(bad.rc, 2, bad)
        self.assertIn("--start", bad.err)

    def test_retried_request_id_returns_the_same_panel_and_no_new_draw(self):
        args = draw_args(self.top_specialty(), 4, 10, "--backups", "1")
        first = self.ctl.json(*args, request_id="bureau-req-1")
        again = self.ctl.json(*args, request_id="bureau-req-1")
        # Tokens are shown once (PROTOCOL.md 7.12.3): the retry gets the
        # recorded reply, the same in everything but the tokens.
        self.assertEqual(sorted(first.pop("tokens")),
                         sorted(str(s["assignment"]) for s in first["panel"]
                                if s["state"] == "offered"))
        self.assertEqual(again.pop("tokens"), {})
        self.assertEqual(first, again)
        listing = self.ctl.json("task", "list")
        self.assertEqual(listing["total"], 1)
        self.assertEqual(len(self.ctl.json("task", "show", "1")["draws"]), 1)
        other = self.ctl.run(*draw_args(self.top_specialty(), 5, 10),
                             request_id="bureau-req-1", check=False)
        self.assertEqual(other.rc, 1, other)
        self.assertIn("request_id_reused", other.err)
        self.assertEqual(self.verify()["draws"], 1)

    def test_diversity_no_two_members_share_an_employer(self):
        # The candidates are worked out here from pool show and checked
        # against the daemon's count, so the test knows the largest panel
        # diversity allows: one per employer.
        chosen = None
        for spec in sorted(self.counts, key=lambda s: -self.counts[s]):
            if self.counts[spec] >= MAX_MEMBERS:
                continue
            ids = [e["id"] for e in self.ctl.json(
                "pool", "list", "--specialty", spec, "--limit", "1000")["experts"]]
            cands = [self.expert(i) for i in ids]
            cands = [e for e in cands if "skill_evaluation" in e["group_types"] and
                     (e["age"] <= 65 or e.get("age_exception"))]
            employers = [e.get("employer_code") or "none-%d" % e["id"] for e in cands]
            if len(set(employers)) < len(cands) and len(set(employers)) >= 3:
                chosen = spec, cands, len(set(employers))
                break
        self.assertIsNotNone(chosen, "no specialty with a shared employer")
        spec, cands, distinct = chosen
        probe = self.failed_draw(spec, MAX_MEMBERS, 10)
        self.assertEqual(probe["found"], len(cands), "candidates worked out wrongly")
        res = self.draw(spec, distinct, 10)
        codes = [self.expert(i).get("employer_code") for i in panel_ids(res)]
        codes = [c for c in codes if c]
        self.assertEqual(len(codes), len(set(codes)), codes)
        # One more seat than there are employers cannot be filled.
        too_many = self.failed_draw(spec, distinct + 1, 20)
        self.assertEqual(too_many["found"], len(cands))
        self.assertGreater(too_many["excluded"]["diversity"], 0)

    def test_insufficient_candidates_commits_only_the_attempt(self):
        spec = self.small_specialty()
        self.draw(spec, 2, 10)
        before = self.verify()
        r = self.ctl.run(*draw_args(spec, MAX_MEMBERS, 10), check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.err, r"insufficient_candidates: needed 30 candidates, "
                                r"found \d+ after recusal")
        self.assertRegex(r.out, r"(?m)^needed 30, found \d+$")
        self.assertRegex(r.out, r"(?m)^outside_specialty\s+\d+$")
        self.assertRegex(r.out, r"(?m)^overlap\s+2$")
        self.assertEqual(self.ctl.json("task", "list")["total"], 1)
        after = self.verify()
        self.assertEqual(after["entries"], before["entries"] + 1)
        self.assertEqual(after["failed_draws"], before["failed_draws"] + 1)
        self.assertEqual(after["tasks"], 1)
        self.ctl.run("audit", "verify")

    def test_errors_name_the_field(self):
        spec = self.top_specialty()
        cases = [
            (["--start", cst(-1), "--end", cst(1)], "start"),
            (["--start", cst(5, 17), "--end", cst(5, 9)], "end"),
            (["--start", cst(5, 9), "--end", cst(5, 9)], "end"),
            # Longer than [draw] max_task_days (31 by default).
            (["--start", cst(5, 9), "--end", cst(37, 9)], "end"),
            (["--start", cst(5, 9), "--end", cst(5, 17), "--org", BAD_ORG],
             "orgs[0]"),
        ]
        for extra, field in cases:
            r = self.ctl.run("draw", "--kind", "review", "--specialty", spec,
                             "--members", "1", *extra, check=False)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("invalid_field", r.err)
            self.assertIn("(field: %s)" % field, r.err)
        r = self.ctl.run(*draw_args("没有这个工种", 1, 5), check=False)
        self.assertIn("(field: specialty)", r.err)
        r = self.ctl.run(*draw_args(spec, 1, 5, "--org", ORG_A, "--org", "bad"),
                         check=False)
        self.assertIn("(field: orgs[1])", r.err)
        r = self.ctl.run(*draw_args(spec, 1, 5, "--kind", "party"), check=False)
        self.assertIn("(field: kind)", r.err)
        self.assertEqual(self.ctl.json("task", "list")["total"], 0)
        usage = self.ctl.run("draw", "--kind", "review", check=False)
        self.assertEqual(usage.rc, 2)

    def test_redraw_is_recorded_and_cancels_the_open_seats(self):
        spec = self.top_specialty()
        first = self.draw(spec, 3, 10, "--backups", "1")
        r = self.ctl.json("redraw", str(first["task"]), "--reason", "a member fell ill")
        self.assertEqual(r["task"], first["task"])
        self.assertEqual(r["draw"], 2)
        shown = self.ctl.json("task", "show", str(first["task"]))
        self.assertEqual([(d["draw"], d["kind"], d["ok"]) for d in shown["draws"]],
                         [(1, "draw", True), (2, "redraw", True)])
        old = [s for s in shown["seats"] if s["draw"] == 1]
        new = [s for s in shown["seats"] if s["draw"] == 2]
        self.assertEqual([s["state"] for s in old], ["cancelled"] * 4)
        self.assertEqual([s["state"] for s in new], ["offered"] * 3 + ["standby"])
        self.assertEqual([s["expert"] for s in new], panel_ids(r))
        tr = self.transcript(first["task"])
        self.assertEqual((tr["kind"], tr["reason"]), ("redraw", "a member fell ill"))
        text = self.ctl.run("audit", "show", str(first["task"])).out
        self.assertIn("a member fell ill", text)
        self.assertEqual(self.verify()["redraws"], 1)

        missing = self.ctl.run("redraw", "99", "--reason", "x", check=False)
        self.assertEqual(missing.rc, 1)
        self.assertIn("not_found", missing.err)
        self.assertIn("(field: task)", missing.err)
        no_reason = self.ctl.run("redraw", str(first["task"]), check=False)
        self.assertEqual(no_reason.rc, 2)

    def test_redraw_refused_once_the_task_has_started(self):
        # Unix seconds let the task start three seconds from now; waiting
        # for the clock is the behaviour under test, not synchronisation.
        start = int(time.time()) + 3
        res = self.ctl.json("draw", "--kind", "review", "--specialty",
                            self.top_specialty(), "--members", "1", "--org", ORG_A,
                            "--start", str(start), "--end", str(start + 3600))
        time.sleep(max(0.0, start + 1 - time.time()))
        r = self.ctl.run("redraw", str(res["task"]), "--reason", "late", check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("invalid_state", r.err)
        self.assertIn("started", r.err)


class DrawRulesTest(DrawTestBase):
    """Each recusal rule through the daemon, with diversity off so that
    whole candidate lists can be drawn and compared."""
    CONFIG = NO_DIVERSITY

    def prepare(self, ctl):
        state = super().prepare(ctl)
        self.spec = self.small_specialty()
        # Everyone who may serve, on a day no other task touches.
        self.all, _ = self.draw_all(self.spec, 7)
        return dict(state, spec=self.spec, all=self.all)

    def check_prepared(self):
        self.assertGreaterEqual(len(self.all), 8, self.spec)

    def removed_by_org(self, org):
        emp = {e for e in self.all if self.expert(e).get("employer_code") == org}
        rec = {e for e in self.all - emp
               if self.expert(e).get("recommender_code") == org}
        return emp, rec

    def test_employer_of_an_organisation_concerned_is_never_drawn(self):
        x = min(e for e in self.all if self.expert(e).get("employer_code"))
        org = self.expert(x)["employer_code"]
        emp, rec = self.removed_by_org(org)
        drawn, res = self.draw_all(self.spec, 10, "--org", org)
        self.assertNotIn(x, drawn)
        self.assertEqual(drawn, self.all - emp - rec)
        tr = self.transcript(res["task"])
        self.assertGreaterEqual(tr["excluded"]["employer"], 1)
        self.assertEqual(tr["excluded"]["employer"], len(emp))
        self.assertEqual(tr["excluded"]["recommender"], len(rec))

    def test_recommended_by_an_organisation_concerned_is_never_drawn(self):
        y = min(e for e in self.all if self.expert(e).get("recommender_code") and
                self.expert(e)["recommender_code"] != self.expert(e).get("employer_code"))
        org = self.expert(y)["recommender_code"]
        emp, rec = self.removed_by_org(org)
        self.assertIn(y, rec)
        drawn, res = self.draw_all(self.spec, 10, "--org", org)
        self.assertNotIn(y, drawn)
        self.assertEqual(drawn, self.all - emp - rec)
        tr = self.transcript(res["task"])
        self.assertGreaterEqual(tr["excluded"]["recommender"], 1)
        self.assertEqual(tr["excluded"]["recommender"], len(rec))

    def test_declared_conflict_applies_only_while_valid(self):
        x, z = sorted(self.all)[:2]
        today = cst_day(0).isoformat()
        self.ctl.json("conflict", "add", str(x), "--org", ORG_A, "--kind", "interest",
                      "--from", today, "--to", cst_day(15).isoformat())
        # Ends before the task starts: no longer a reason to recuse.
        self.ctl.json("conflict", "add", str(z), "--org", ORG_B, "--kind", "relative",
                      "--from", today, "--to", cst_day(5).isoformat())
        drawn, res = self.draw_all(self.spec, 10, "--org", ORG_A)
        self.assertEqual(drawn, self.all - {x})
        self.assertEqual(self.transcript(res["task"])["excluded"]["conflict"], 1)
        drawn, res = self.draw_all(self.spec, 12, "--org", ORG_B)
        self.assertIn(z, drawn)
        self.assertEqual(drawn, self.all)
        self.assertEqual(self.transcript(res["task"])["excluded"]["conflict"], 0)

    def test_overlapping_tasks_never_share_an_expert(self):
        half = len(self.all) // 2
        first = set(panel_ids(self.draw(self.spec, half, 12)))
        # 12:00-18:00 overlaps 09:00-17:00: the first panel is busy.
        probe = self.failed_draw(self.spec, MAX_MEMBERS, 12, hours=(12, 18))
        self.assertEqual(probe["excluded"]["overlap"], half)
        self.assertEqual(probe["found"], len(self.all) - half)
        second, _ = self.draw_all(self.spec, 12, hours=(12, 18))
        self.assertFalse(first & second)
        self.assertEqual(first | second, self.all)
        # The next day overlaps neither: everyone is free again.
        third, res = self.draw_all(self.spec, 13)
        self.assertEqual(third, self.all)
        self.assertEqual(self.transcript(res["task"])["excluded"]["overlap"], 0)

    def test_rotation_excludes_the_last_panel_for_the_same_organisation(self):
        first = set(panel_ids(self.draw(self.spec, 3, 10, "--org", ORG_C)))
        probe = self.failed_draw(self.spec, MAX_MEMBERS, 20, "--org", ORG_C)
        self.assertEqual(probe["excluded"]["rotation"], len(first))
        second, _ = self.draw_all(self.spec, 20, "--org", ORG_C)
        self.assertEqual(second, self.all - first)
        other, res = self.draw_all(self.spec, 30, "--org", ORG_D)
        self.assertEqual(other, self.all)
        self.assertEqual(self.transcript(res["task"])["excluded"]["rotation"], 0)

    def test_exclude_option(self):
        x, y = sorted(self.all)[-2:]
        drawn, res = self.draw_all(self.spec, 10, "--exclude", str(x), "--exclude", str(y))
        self.assertEqual(drawn, self.all - {x, y})
        tr = self.transcript(res["task"])
        self.assertEqual(tr["excluded"]["excluded"], 2)
        self.assertEqual(tr["request"]["exclude"], [x, y])

    def test_suspended_and_revoked_experts_are_never_drawn(self):
        x, y = sorted(self.all)[1:3]
        self.ctl.json("pool", "suspend", str(x), "--reason", "under investigation")
        self.ctl.json("pool", "revoke", str(y), "--reason", "breach")
        drawn, res = self.draw_all(self.spec, 10)
        self.assertEqual(drawn, self.all - {x, y})
        self.assertEqual(self.transcript(res["task"])["excluded"]["status"], 2)
        self.ctl.json("pool", "reinstate", str(x), "--reason", "cleared")
        drawn, _ = self.draw_all(self.spec, 11)
        self.assertEqual(drawn, self.all - {y})
        self.assertTrue(self.verify()["ok"])


class ExposureCapTest(DrawTestBase):
    CONFIG = NO_DIVERSITY + "exposure_cap = 1\n"

    def test_expert_drawn_once_is_excluded_next_time(self):
        spec = self.small_specialty()
        first = set(panel_ids(self.draw(spec, 3, 10)))
        probe = self.failed_draw(spec, MAX_MEMBERS, 20)
        self.assertEqual(probe["excluded"]["exposure"], 3)
        second, res = self.draw_all(spec, 20)
        self.assertFalse(first & second)
        tr = self.transcript(res["task"])
        self.assertEqual(tr["rules"]["exposure_cap"], 1)
        self.assertEqual(tr["excluded"]["exposure"], 3)
        self.assertTrue(self.verify()["ok"])



class BureauDrawTest(DaemonTest):
    """Secure mode: a bureau draws for itself and sees only its own tasks."""

    def setUp(self):
        super().setUp()
        from harness import free_tcp_port
        server_key, self.server_pub, _, _ = keygen(self.dir, "server")
        self.op_key, _, op_pub, _ = keygen(self.dir, "ops")
        self.haizhu_key, _, haizhu_pub, _ = keygen(self.dir, "haizhu")
        self.tianhe_key, _, tianhe_pub, _ = keygen(self.dir, "tianhe")
        allowlist = os.path.join(self.dir, "allowlist")
        with open(allowlist, "w") as f:
            f.write("%s center-ops operator\n" % op_pub)
            f.write("%s gz-haizhu bureau 440105\n" % haizhu_pub)
            f.write("%s gz-tianhe bureau 440106\n" % tianhe_pub)
        self.d = self.start_daemon(
            secure={"server_key": server_key, "allowlist": allowlist},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, self.op_key, self.server_pub))
        self.op = Ctl(self.d, self.op_key, self.server_pub)
        self.haizhu = Ctl(self.d, self.haizhu_key, self.server_pub)
        self.tianhe = Ctl(self.d, self.tianhe_key, self.server_pub)
        self.open_term(self.op)
        self.import_roster(self.op, 120, seed=ROSTER_SEED)
        experts = self.op.json("pool", "list", "--limit", "1000")["experts"]
        counts = {}
        for e in experts:
            for s in e["specialties"]:
                counts[s] = counts.get(s, 0) + 1
        self.spec = max(counts, key=counts.get)

    def test_bureau_draws_and_sees_only_its_own_tasks(self):
        mine = self.haizhu.json(*draw_args(self.spec, 2, 10, "--bureau", "440106"))
        theirs = self.tianhe.json(*draw_args(self.spec, 2, 11))
        ops = self.op.json(*draw_args(self.spec, 1, 12))
        shown = self.haizhu.json("task", "show", str(mine["task"]))
        # A bureau cannot draw in another bureau's name.
        self.assertEqual(shown["task"]["bureau"], "440105")
        self.assertEqual(shown["task"]["created_by"], "gz-haizhu")
        self.assertEqual([t["id"] for t in self.haizhu.json("task", "list")["tasks"]],
                         [mine["task"]])
        for args in (["task", "show", str(theirs["task"])],
                     ["task", "show", str(ops["task"])],
                     ["audit", "show", str(theirs["task"])]):
            r = self.haizhu.run(*args, check=False)
            self.assertEqual(r.rc, 1, r)
            self.assertIn("not_found", r.err)
        self.assertEqual(self.haizhu.json("audit", "show", str(mine["task"]))
                         ["entries"][0]["transcript"]["request"]["bureau"], "440105")
        r = self.haizhu.run("redraw", str(mine["task"]), "--reason", "x", check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("forbidden", r.err)
        r = self.haizhu.run("audit", "verify", check=False)
        self.assertIn("forbidden", r.err)
        everything = self.op.json("task", "list")
        self.assertEqual(everything["total"], 3)
        self.assertEqual(self.op.json("task", "list", "--bureau", "440106")["total"], 1)
        self.assertTrue(self.op.json("audit", "verify")["ok"])


if __name__ == "__main__":
    unittest.main()
