"""What the expert's answer page asks the daemon (issue #13 item 2):
assignment.offer shows an offer by token and nothing more (PROTOCOL.md
7.12.14); a dead token's refusal says why to its holder only (7.12.3:
answered, expired, cancelled, replaced; a guess learns `unknown`); and
tokens are read as an SMS app hands them over (spaces, a trailing 。,
full-width forms).

The daemon and roster are assign_base's; a sleep-free bounded poll waits
for one short deadline to pass.
"""
import time

from harness import RawClient, draw_args
from test_draw import ORG_A, ORG_B
from assign_base import WAIT, AssignBase

OFFER_KEYS = {"assignment", "task", "role", "state", "deadline", "kind", "specialty",
              "start", "end", "district", "note", "organiser", "orgs"}


def full_width(token):
    """The token as a Chinese input method might type it."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in token)


class OfferTest(AssignBase):
    CONFIG = "[assign]\nmin_response_minutes = 0\n"

    def setUp(self):
        super().setUp()
        self.conn = RawClient(self.d.answer)
        self.addCleanup(self.conn.close)

    def offer(self, token):
        return self.conn.call("assignment.offer", {"token": token})

    def answer(self, token, answer, **extra):
        return self.conn.call("assignment.answer", dict(token=token, answer=answer, **extra))

    def assert_why(self, rep, why, **seat):
        self.assertEqual((rep["status"], rep.get("field")), ("invalid_token", "token"), rep)
        self.assertEqual(rep["result"], dict(why=why, **seat), rep)

    def test_offer_shows_the_task_and_nothing_more(self):
        res = self.ctl.json(*draw_args("电工", 2, start=self.start_at(10), backups=1,
                                       orgs=(ORG_A, ORG_B)),
                            "--district", "天河区", "--note", "请携带身份证")
        toks = self.tokens(res)
        a1, a2 = sorted(toks)
        task = self.show(res["task"])["task"]
        seat = self.seats(res["task"])[a1]
        rep = self.offer(toks[a1] + "\u3002")     # as pasted from the SMS
        self.assertEqual(rep["status"], "ok", rep)
        got = rep["result"]
        self.assertEqual(set(got), OFFER_KEYS)
        self.assertEqual((got["assignment"], got["task"], got["role"], got["state"]),
                         (a1, res["task"], "member", "offered"))
        self.assertEqual((got["kind"], got["specialty"], got["district"], got["note"]),
                         ("competition", "电工", "天河区", "请携带身份证"))
        self.assertEqual((got["start"], got["end"], got["deadline"]),
                         (task["start"], task["end"], seat["deadline"]))
        self.assertEqual(got["organiser"], task["bureau"])
        self.assertEqual(len(got["orgs"]), 2)
        # Nothing about the expert or anyone else: no names, phones, ids.
        flat = repr(got)
        for people in self.people.values():
            for _, name, phone, rid in people:
                for secret in (name, phone, rid):
                    self.assertNotIn(secret, flat)
        # Reading changes nothing and is not recorded: ask again, then answer.
        self.assertEqual(self.offer(toks[a1])["result"], got)
        self.assertEqual(self.seats(res["task"])[a1]["state"], "offered")
        # The answer takes the token as a phone hands it over too.
        rep = self.answer(" " + full_width(toks[a1]) + "\uff01 ", "accept")
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "accepted"), rep)
        rep = self.answer(toks[a2] + "\uff09", "decline", reason="conflict",
                          org_code=got["orgs"][1])
        self.assertEqual((rep["status"], rep["result"]["state"]), ("ok", "declined"), rep)
        # expertctl reads a pasted token the same way.
        res2 = self.draw("电工", 1, 11)
        (a3, tok3), = self.tokens(res2).items()
        self.assertEqual(self.confirm(" " + full_width(tok3) + "\u3002")["state"],
                         "accepted")
        # Now each token's holder learns it was answered, and how.
        self.assert_why(self.offer(toks[a1]), "answered", assignment=a1,
                        task=res["task"], state="accepted")
        self.assert_why(self.answer(toks[a2], "accept"), "answered", assignment=a2,
                        task=res["task"], state="declined")

    def test_why_for_each_dead_token_and_nothing_for_a_guess(self):
        res = self.draw("电工", 3, 10)
        toks = self.tokens(res)
        a1, a2, a3 = sorted(toks)
        task = res["task"]
        # Replaced: the old token says so, the seat is still offered, the
        # new one works.
        new = self.tokens(self.reissue(a1))[a1]
        self.assert_why(self.offer(toks[a1]), "replaced", assignment=a1, task=task,
                        state="offered")
        self.assertEqual(self.offer(new)["status"], "ok")
        # A guess at a real seat, a made-up seat, garbage: `unknown` only.
        guess = toks[a2][:-2] + ("AA" if toks[a2][-2:] != "AA" else "BB")
        for t in (guess, "999999.AAAAAAAAAAAAAAAAAAAAAA", "abc", "。。。"):
            self.assert_why(self.offer(t), "unknown")
        # A declined seat's token: answered, declined.
        self.assertEqual(self.answer(toks[a2], "decline", reason="illness")["status"], "ok")
        self.assert_why(self.offer(toks[a2]), "answered", assignment=a2, task=task,
                        state="declined")
        # Cancelled: every live token of the task, and the replaced one
        # stays `replaced`.
        self.ctl.json("task", "cancel", str(task), "--reason", "venue closed")
        for a, t in ((a1, new), (a3, toks[a3])):
            self.assert_why(self.offer(t), "cancelled", assignment=a, task=task,
                            state="cancelled")
            self.assert_why(self.answer(t, "accept"), "cancelled", assignment=a,
                            task=task, state="cancelled")
        self.assert_why(self.offer(toks[a1]), "replaced", assignment=a1, task=task,
                        state="cancelled")
        # assignment.unavailable refuses dead tokens the same way.
        rep = self.conn.call("assignment.unavailable", {
            "token": toks[a3], "from": time.strftime("%Y-%m-%d"),
            "to": time.strftime("%Y-%m-%d")})
        self.assert_why(rep, "cancelled", assignment=a3, task=task, state="cancelled")
        self.verify()

    def test_expired_token(self):
        res = self.draw("电工", 1, 10, respond=2)
        (a, tok), = self.tokens(res).items()
        deadline = time.time() + WAIT
        while self.offer(tok)["status"] == "ok":   # bounded: the deadline is 2 s
            self.assertLess(time.time(), deadline, "the offer never expired")
            time.sleep(0.2)
        self.assert_why(self.offer(tok), "expired", assignment=a, task=res["task"],
                        state="expired")
        self.assert_why(self.answer(tok, "accept"), "expired", assignment=a,
                        task=res["task"], state="expired")
