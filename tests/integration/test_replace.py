"""Seats refilled (issue #4): the real daemon driven by expertctl.

- Replacement: backups promoted in order, then replacement draws, then
  `short`; nobody twice on a task.
- Deadlines: expiry by the timer while running, expiry of deadlines passed
  while the daemon was stopped, an answer racing the expiry; schema
  upgrades keep the seats and their deadlines.

The daemon, its roster and the helpers are assign_base's; sleeps only let
a deadline pass.
"""
import sqlite3
import time
import unittest

from harness import RawClient, draw_args, sqlite_only
from assign_base import TOKEN_RE, AssignBase
from test_draw import ORG_A
from schema_undo import LATEST, undo_to


class ReplacementTest(AssignBase):
    def test_a_redraw_recomputes_the_fill(self):
        res = self.draw("电工", 1, 10)
        task, a = res["task"], res["panel"][0]["assignment"]
        self.staff(a, "accept", "--channel", "phone")
        self.assertEqual(self.show(task)["task"]["fill"], "filled")
        self.ctl.run("redraw", str(task), "--reason", "venue changed")
        shown = self.show(task)
        self.assertEqual(shown["task"]["fill"], "filling")
        fresh = [s for s in shown["seats"] if s["state"] == "offered"]
        self.assertEqual(len(fresh), 1)
        self.staff(fresh[0]["assignment"], "accept", "--channel", "phone")
        self.assertEqual(self.show(task)["task"]["fill"], "filled")
        filled = [e for e in self.entries() if e["type"] == "task.filled"]
        self.assertEqual(len(filled), 2)
        self.verify()

    def test_backups_in_order_then_replacement_draws_then_short(self):
        welders = [p[0] for p in self.people["焊工"]]
        res = self.draw("焊工", 2, 10, backups=2)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        seated = [p["expert"] for p in res["panel"]]
        # Staff declines: each reply names the seat that took the place.
        fills = []
        for victim in (a[0], a[1]):
            out = self.staff(victim, "decline", "--channel", "phone", "--reason",
                             "schedule")
            self.assertEqual(out["state"], "declined")
            fills.append(out["filled_by"])
            tok = self.tokens(out)
            self.assertEqual(list(tok), [out["filled_by"]["assignment"]])
        # Backups in order of their assignment ids, taking the member role.
        self.assertEqual([(f["assignment"], f["how"], f["role"]) for f in fills],
                         [(a[2], "promoted", "member"), (a[3], "promoted", "member")])
        seats = self.seats(task)
        self.assertEqual([(seats[x]["state"], seats[x]["role"]) for x in a[2:]],
                         [("offered", "member")] * 2)
        self.assertTrue(all(seats[x]["deadline"] for x in a[2:]))
        # No backup left: replacement draws, never anyone already seated.
        drawn = []
        for victim in (a[2], a[3]):
            out = self.staff(victim, "decline", "--channel", "sms", "--reason", "other",
                             "--note", "abroad")
            f = out["filled_by"]
            self.assertEqual((f["how"], f["role"]), ("drawn", "member"))
            self.assertNotIn(f["expert"], seated)
            self.assertIn(f["expert"], welders)
            seated.append(f["expert"])
            drawn.append((f["assignment"], self.tokens(out)[f["assignment"]]))
        self.assertEqual(sorted(seated), sorted(welders))   # all six used
        # The pool is exhausted: the next freed seat leaves the task short.
        out = self.staff(drawn[0][0], "decline", "--channel", "email", "--reason",
                         "schedule")
        self.assertIsNone(out["filled_by"])
        self.assertEqual(out["tokens"], {})
        shown = self.show(task)
        self.assertEqual(shown["task"]["fill"], "short")
        experts = [s["expert"] for s in shown["seats"]]
        self.assertEqual(len(experts), len(set(experts)), "drawn twice for one task")
        self.assertEqual([(d["kind"], d["ok"]) for d in shown["draws"]],
                         [("draw", True), ("replacement", True), ("replacement", True),
                          ("replacement", False)])
        promotes = [h for h in shown["history"] if h["event"] == "promote"]
        self.assertEqual([(h["assignment"], h["from"], h["to"], h["actor"])
                          for h in promotes],
                         [(a[2], "standby", "offered", "expertd"),
                          (a[3], "standby", "offered", "expertd")])
        # The daemon fills seats, whoever freed them (PROTOCOL.md 7.12.2).
        self.assertEqual({d["actor"] for d in shown["draws"]
                          if d["kind"] == "replacement"}, {"expertd"})
        log = [e for e in self.entries() if e["entry"] and e["entry"].get("task") == task]
        short = [e for e in log if e["type"] == "task.short"]
        self.assertEqual(len(short), 1)
        self.assertEqual(short[0]["entry"]["draw"], shown["draws"][-1]["draw"])
        self.assertEqual(short[0]["entry"]["empty"], 1)
        self.assertEqual(short[0]["entry"]["excluded"]["excluded"], 6)
        repl = [e["entry"] for e in log if e["type"] in ("draw", "draw.failed") and
                e["entry"]["kind"] == "replacement"]
        self.assertEqual([r["replaces"] for r in repl], [a[2], a[3], drawn[0][0]])
        self.assertEqual(repl[-1]["already_drawn"], seated)
        # The last drawn seat answers by the token its reply carried.
        self.assertEqual(self.confirm(drawn[1][1])["state"], "accepted")
        self.assertEqual(self.show(task)["task"]["fill"], "short")
        v = self.verify()
        self.assertGreaterEqual(v["failed_draws"], 1)
        self.assertEqual(v["freed"], 5)
        self.assertEqual(self.assert_fills_follow(self.entries()), 5)

    # Entries a transition sets off before its seat's fill (DRAW.md 4.2).
    CAUSED = ("pool.conflict", "expert.warned", "expert.flagged")

    def assert_fills_follow(self, log):
        """Every seat freed before its task's start is followed, after the
        entries it causes, by its fill: a promotion to its role, or a
        replacement draw for it (DRAW.md 5 step 7). Returns how many."""
        starts = {e["entry"]["task"]: e["entry"]["request"]["start"] for e in log
                  if e["type"] == "draw" and e["entry"]["kind"] == "draw"}
        freed = 0
        for i, e in enumerate(log):
            b = e["entry"]
            if (e["type"] not in ("assignment.declined", "assignment.expired",
                                  "assignment.withdrawn") or b["role"] == "backup"
                    or e["at"] >= starts[b["task"]]):
                continue
            freed += 1
            j = i + 1
            while log[j]["type"] in self.CAUSED:
                j += 1
            fill, f = log[j]["type"], log[j]["entry"]
            if fill == "assignment.offered":
                self.assertEqual((f["event"], f["task"], f["role"]),
                                 ("promote", b["task"], b["role"]), log[j])
            else:
                self.assertIn(fill, ("draw", "draw.failed"), log[j])
                self.assertEqual((f["kind"], f["replaces"], f["role"]),
                                 ("replacement", b["assignment"], b["role"]), log[j])
        return freed

    def test_each_freed_seat_is_followed_by_its_fill(self):
        # A real daemon's log: a decline that declares a conflict (its
        # pool.conflict comes before the promotion), three accepts (then
        # task.filled), a withdrawal refilled by a replacement draw that
        # repeats the request. audit verify checks the same and counts them.
        res = self.draw("电工", 3, 10, backups=1, orgs=(ORG_A,))
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        toks = self.tokens(res)
        first = len(self.entries())
        # The expert's own answer (the answer endpoint shows no fill).
        self.assertEqual(self.decline(toks[a[0]], "conflict", "--org", ORG_A)["state"],
                         "declined")
        self.assertEqual(self.seats(task)[a[3]]["state"], "offered")   # promoted
        for x in a[1:]:
            self.staff(x, "accept", "--channel", "phone")
        out = self.staff(a[1], "withdraw", "--channel", "phone", "--reason", "illness")
        self.assertEqual(out["filled_by"]["how"], "drawn")
        log = self.entries()
        self.assertEqual([e["type"] for e in log[first:]],
                         ["assignment.declined", "pool.conflict", "assignment.offered",
                          "assignment.accepted", "assignment.accepted",
                          "assignment.accepted", "task.filled", "assignment.withdrawn",
                          "draw"])
        self.assertEqual(self.assert_fills_follow(log), 2)
        drawn = [e["entry"] for e in log if e["type"] == "draw" and e["entry"]["task"] == task]
        first_req = dict(drawn[0]["request"])
        repl = drawn[-1]
        self.assertEqual((repl["kind"], repl["actor"]), ("replacement", "expertd"))
        self.assertNotIn("reason", repl)
        self.assertEqual(repl["request"], first_req)   # the nonce too
        v = self.verify()
        self.assertEqual(v["freed"], 2)

    def test_a_backup_the_rules_now_keep_off_is_skipped(self):
        welders = [p[0] for p in self.people["焊工"]]
        res = self.draw("焊工", 1, 10, backups=2)
        task = res["task"]
        a = [p["assignment"] for p in res["panel"]]
        first_backup = res["panel"][1]["expert"]
        # Standby blocks nothing: the first backup is drawn for another
        # task at the same time (everyone else excluded), and offered.
        excl = []
        for x in welders:
            if x != first_backup:
                excl += ["--exclude", str(x)]
        other = self.ctl.json(*draw_args("焊工", 1, start=self.start_at(10)), *excl)
        self.assertEqual(other["panel"][0]["expert"], first_backup)
        # Promoting that backup would seat them twice at once (rule 4):
        # the next backup takes the place, and the first stays on standby.
        out = self.staff(a[0], "decline", "--channel", "phone", "--reason",
                         "schedule")
        self.assertEqual((out["filled_by"]["assignment"], out["filled_by"]["how"]),
                         (a[2], "promoted"))
        seats = self.seats(task)
        self.assertEqual((seats[a[1]]["state"], seats[a[2]]["state"]),
                         ("standby", "offered"))
        # With no backup the rules allow, a replacement is drawn instead.
        out = self.staff(a[2], "decline", "--channel", "phone", "--reason",
                         "schedule")
        self.assertEqual(out["filled_by"]["how"], "drawn")
        self.assertNotEqual(out["filled_by"]["expert"], first_backup)
        self.assertEqual(self.seats(task)[a[1]]["state"], "standby")
        self.verify()

    def test_all_accept_fills_the_task(self):
        res = self.draw("电工", 2, 10, backups=1)
        self.assertEqual(self.show(res["task"])["task"]["fill"], "filling")
        for t in self.tokens(res).values():
            self.confirm(t)
        shown = self.show(res["task"])
        self.assertEqual(shown["task"]["fill"], "filled")
        self.assertEqual([s["state"] for s in shown["seats"]],
                         ["accepted", "accepted", "standby"])
        filled = [e for e in self.entries() if e["type"] == "task.filled"]
        self.assertEqual([e["entry"] for e in filled], [{"task": res["task"]}])
        text = self.ctl.run("task", "show", str(res["task"])).out
        self.assertRegex(text, r"(?m)^fill\s+filled$")
        self.assertRegex(text, r"(?m)^history:$")
        self.assertRegex(text, r"(?m)^AT \(CST\)\s+ASSIGNMENT\s+EVENT\s+FROM\s+TO\s+ACTOR")


class DeadlineTest(AssignBase):
    # Deadlines of seconds, so that they pass within the test: no minimum
    # window (POLICY.md 6.1), and their expiries count as any.
    CONFIG = "[assign]\nmin_response_minutes = 0\n"

    def test_expiry_while_running_promotes_then_draws(self):
        pub = self.stream(self.d.pub)
        note = self.stream(self.d.notify, b"notify.")
        self.probe(streams=[pub, note])
        res = self.draw("电工", 1, 10, backups=1, respond=2)
        task = res["task"]
        a1, a2 = [p["assignment"] for p in res["panel"]]
        # No request from here on: only the daemon's timer can act.
        def on_task(type_):
            return lambda t, b: t == type_ and b["entry"]["task"] == task
        exp = pub.wait_for(on_task("assignment.expired"), n=2)
        self.assertEqual([b["entry"]["assignment"] for t, b in exp[:2]], [a1, a2])
        for t, b in exp[:2]:
            e = b["entry"]
            self.assertEqual((e["event"], e["from"], e["to"], e["actor"], e["channel"],
                              e["ledger"]),
                             ("expire", "offered", "expired", "expertd", "system", "expiry"))
        promoted = pub.wait_for(on_task("assignment.offered"))[0][1]["entry"]
        self.assertEqual((promoted["assignment"], promoted["event"], promoted["role"]),
                         (a2, "promote", "member"))
        repl = pub.wait_for(lambda t, b: t == "draw" and b["entry"]["task"] == task and
                            b["entry"]["kind"] == "replacement")[0][1]["entry"]
        self.assertEqual((repl["replaces"], repl["actor"]), (a2, "expertd"))
        closed = note.wait_for(lambda t, b: t == "notify.closed" and b["task"] == task, n=2)
        self.assertEqual([(b["assignment"], b["state"]) for t, b in closed[:2]],
                         [(a1, "expired"), (a2, "expired")])
        offers = note.wait_for(lambda t, b: t == "notify.offer" and b["task"] == task, n=3)
        self.assertEqual([b["assignment"] for t, b in offers[:2]], [a1, a2])
        # The promoted seat's offer came with a fresh deadline and token.
        self.assertGreater(offers[1][1]["deadline"], res["panel"][0]["deadline"])
        self.assertTrue(TOKEN_RE.match(offers[1][1]["token"]))
        # Its token died with the expiry.
        self.assert_error(self.expert_run("confirm", offers[1][1]["token"]),
                          "invalid_token", "token")
        for p in res["panel"]:
            led = self.ledger(p["expert"])
            self.assertEqual(([e["kind"] for e in led["events"]], led["score"]),
                             (["expiry"], 1))
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()

    def test_deadlines_passed_while_stopped_expire_at_start(self):
        res = self.draw("电工", 2, 10, backups=1, respond=2)
        task = res["task"]
        a1, a2, a3 = [p["assignment"] for p in res["panel"]]
        deadline = res["panel"][0]["deadline"]
        self.assertEqual(self.d.stop(), 0)
        while time.time() < deadline + 1.5:     # let the deadline pass
            time.sleep(0.2)
        restarted = int(time.time())
        self.d.start()
        shown = self.show(task)
        hist = shown["history"]
        expired = [h for h in hist if h["event"] == "expire"]
        self.assertEqual([h["assignment"] for h in expired[:2]], [a1, a2])
        self.assertTrue(all(h["at"] >= restarted and h["actor"] == "expertd"
                            for h in expired[:2]))
        # In (deadline, id) order: the first freed seat takes the backup,
        # the second a replacement draw.
        promote = [h for h in hist if h["event"] == "promote"]
        self.assertEqual([h["assignment"] for h in promote], [a3])
        self.assertEqual([(d["kind"], d["ok"]) for d in shown["draws"]][:2],
                         [("draw", True), ("replacement", True)])
        firsts = [h["to"] for h in hist if h["assignment"] in (a1, a2)]
        self.assertEqual(firsts, ["offered", "offered", "expired", "expired"])
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()

    def test_acknowledged_answers_survive_kill_9(self):
        # Every answer the daemon acknowledged is on disk: after kill -9
        # the seats are as answered, the replacement stands, the used
        # tokens stay dead and the log replays.
        res = self.draw("电工", 2, 10, backups=1)
        task = res["task"]
        toks = self.tokens(res)
        a1, a2, a3 = [p["assignment"] for p in res["panel"]]
        self.assertEqual(self.confirm(toks[a1])["state"], "accepted")
        self.assertEqual(self.decline(toks[a2], "schedule")["state"], "declined")
        self.d.kill9()
        self.d.start()
        seats = self.seats(task)
        self.assertEqual((seats[a1]["state"], seats[a2]["state"], seats[a3]["state"]),
                         ("accepted", "declined", "offered"))
        for a in (a1, a2):
            self.assert_error(self.expert_run("confirm", toks[a]), "invalid_token", "token")
        self.assertEqual([e["kind"] for e in self.ledger(res["panel"][1]["expert"])
                          ["events"]], ["decline"])
        self.verify()

    # What versions 3 and later changed, put back as version 2 had it.
    SCHEMA_2 = undo_to(3) + (
        "CREATE INDEX assignments_by_expert ON assignments(expert_id)",
        "CREATE TABLE requests_v2(principal TEXT NOT NULL,"
        " request_id TEXT NOT NULL, op TEXT NOT NULL, body_hash BLOB NOT NULL,"
        " reply BLOB NOT NULL, at INTEGER NOT NULL,"
        " PRIMARY KEY(principal, request_id)) WITHOUT ROWID",
        "INSERT INTO requests_v2 SELECT principal, request_id, op, body_hash,"
        " reply, at FROM requests",
        "DROP TABLE requests",
        "ALTER TABLE requests_v2 RENAME TO requests",
        "PRAGMA user_version = 2")

    @sqlite_only("makes the SQLite file schema 2's (schema_undo)")
    def test_upgrade_from_schema_2_keeps_retries_and_seat_lists(self):
        args = draw_args("电工", 3, start=self.start_at(10), backups=1)
        first = self.ctl.json(*args, request_id="before-upgrade")
        expert = first["panel"][0]["expert"]
        seats_before = self.ctl.json("pool", "show", str(expert))["assignments"]
        self.assertEqual(len(seats_before), 1)
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:
            for sql in self.SCHEMA_2:
                conn.execute(sql)
        self.d.start()
        with sqlite3.connect(self.d.db) as conn:
            self.assertEqual(conn.execute("PRAGMA user_version").fetchone()[0], LATEST)
            indexes = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index'")}
            columns = {r[1] for r in conn.execute("PRAGMA table_info(tasks)")}
        self.assertLessEqual({"leader_expert", "leader_reason"}, columns)
        self.assertNotIn("assignments_by_expert", indexes)
        self.assertIn("requests_by_id", indexes)
        # The retry record survived the move: same panel, no new draw.
        again = self.ctl.json(*args, request_id="before-upgrade")
        self.assertEqual(again["task"], first["task"])
        self.assertEqual(again["panel"], first["panel"])
        self.assertEqual(len(self.show(first["task"])["draws"]), 1)
        # pool.show still lists the expert's seats, now from memory, and
        # a new seat joins the list in assignment order.
        self.assertEqual(self.ctl.json("pool", "show", str(expert))["assignments"],
                         seats_before)
        later = self.ctl.json(*draw_args("电工", 3, start=self.start_at(20)),
                              "--exclude", str(expert))
        self.assertNotIn(expert, [p["expert"] for p in later["panel"]])
        other = later["panel"][0]["expert"]
        listed = self.ctl.json("pool", "show", str(other))["assignments"]
        ids = [s["assignment"] for s in listed]
        self.assertEqual(ids, sorted(ids))
        self.assertIn(later["panel"][0]["assignment"], ids)
        self.verify()

    @sqlite_only("makes the SQLite file schema 1's (schema_undo)")
    def test_upgrade_from_schema_1_gives_waiting_offers_a_deadline(self):
        # A database of schema 1 had offered seats without deadlines or
        # tokens. Make one (drop what version 2 added), then upgrade.
        res = self.draw("电工", 2, 10)
        task, other = res["task"], self.draw("电工", 1, 11)["task"]
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:
            # Latest changes first: later versions' triggers name columns
            # version 2 added (schema 11's tokens_spent, token_hash).
            for sql in self.SCHEMA_2[:-1] + (
                        "DROP INDEX assignments_due",
                        "DROP TABLE assignment_events", "DROP TABLE ledger",
                        "ALTER TABLE assignments DROP COLUMN deadline",
                        "ALTER TABLE assignments DROP COLUMN token_hash",
                        "ALTER TABLE tasks DROP COLUMN respond_within",
                        "ALTER TABLE tasks DROP COLUMN fill",
                        "ALTER TABLE tasks DROP COLUMN cancel_reason",
                        "PRAGMA user_version = 1"):
                conn.execute(sql)
        upgraded = int(time.time())
        self.d.start()
        seats = self.show(task)["seats"]
        self.assertEqual({s["state"] for s in seats}, {"offered"})
        # 24 hours from the upgrade (the task starts later than that) ...
        upgrade_deadline = upgraded + 86400
        self.assertLess(upgrade_deadline, self.show(task)["task"]["start"])
        for s in seats:
            self.assertLessEqual(abs(s["deadline"] - upgrade_deadline), 5, s)
        # ... so the expiry timer still works for everyone else.
        fresh = self.draw("电工", 1, 12, respond=2)
        a = fresh["panel"][0]["assignment"]
        end = time.monotonic() + 15
        while self.seats(fresh["task"])[a]["state"] == "offered":
            self.assertLess(time.monotonic(), end, "a new seat never expired")
            time.sleep(0.2)
        # Old seats hold no token: staff answer for them, or give one.
        out = self.staff(seats[0]["assignment"], "accept", "--channel", "phone")
        self.assertEqual(out["state"], "accepted")
        given = self.reissue(seats[1]["assignment"], "no token before the upgrade")
        tok = self.tokens(given)[seats[1]["assignment"]]
        self.assertEqual(self.confirm(tok)["state"], "accepted")
        self.assertEqual(self.show(other)["task"]["fill"], "filling")
        self.verify()

    def test_an_answer_racing_the_expiry_has_one_outcome(self):
        res = self.draw("电工", 6, 10, respond=3)
        task = res["task"]
        deadline = res["panel"][0]["deadline"]
        toks = self.tokens(res)
        seats = [p["assignment"] for p in res["panel"]]
        offsets = [-1.5, -0.4, -0.1, 0.0, 0.1, 1.5]
        replies = {}
        for a, off in zip(seats, offsets):
            while time.time() < deadline + off:
                time.sleep(0.01)
            conn = RawClient(self.d.answer)     # one connection each: no throttling
            replies[a] = conn.call("assignment.answer",
                                   {"token": toks[a], "answer": "accept"})
            conn.close()
        self.assertEqual(replies[seats[0]]["status"], "ok")
        self.assertEqual(replies[seats[-1]]["status"], "invalid_token")
        # Make sure every deadline has been handled, then look.
        while time.time() < deadline + 1:
            time.sleep(0.05)
        shown = self.show(task)
        state = {s["assignment"]: s["state"] for s in shown["seats"]}
        for a in seats:
            events = [h["event"] for h in shown["history"]
                      if h["assignment"] == a and h["from"] == "offered"]
            if replies[a]["status"] == "ok":
                self.assertEqual((state[a], events), ("accepted", ["accept"]), a)
            else:
                self.assertEqual(replies[a]["status"], "invalid_token", replies[a])
                self.assertEqual((state[a], events), ("expired", ["expire"]), a)
        # Staff cannot answer an expired seat either.
        late = self.staff(seats[-1], "accept", "--channel", "phone", check=False)
        self.assert_error(late, "invalid_state", "assignment")
        self.assertIn("expired", late.json["message"])
        self.ctl.run("task", "cancel", str(task), "--reason", "stop the chain")
        self.verify()


if __name__ == "__main__":
    unittest.main()
