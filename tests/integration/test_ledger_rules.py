"""第十七条 in the ledger's rules (issue #12 item 5): the real daemon in
secure mode, driven by expertctl as a bureau and as an operator.

- Response windows: a bureau's `--respond-within` below [assign]
  min_response_minutes is refused naming the minimum; an operator may,
  with a reason, and those expiries never count, however far the
  replacements cascade.

The daemon, its roster and the helpers are assign_base's; waits are
bounded polls (the two-second deadlines are real and must pass).
"""
import os
import time
import unittest

from harness import Ctl, DaemonTest, draw_args, free_tcp_port, keygen
from assign_base import WAIT, AssignBase


class SecureLedgerBase(AssignBase):
    """Roles need CURVE keys: an operator, a bureau and its clerk."""

    def setUp(self):
        DaemonTest.setUp(self)
        server_key, _, _, _ = keygen(self.dir, "server")
        self.server_pub = os.path.join(self.dir, "server.pub")
        keys = {}
        with open(os.path.join(self.dir, "allowlist"), "w") as f:
            for name, rest in (("ops", "center-ops operator"),
                               ("haizhu", "gz-haizhu bureau 440105"),
                               ("clerk", "haizhu-clerk clerk 440105")):
                keys[name], _, pub, _ = keygen(self.dir, name)
                f.write("%s %s\n" % (pub, rest))
        self.d = self.start_daemon(
            secure={"server_key": server_key,
                    "allowlist": os.path.join(self.dir, "allowlist")},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, keys["ops"], self.server_pub))
        self.as_ = {k: Ctl(self.d, v, self.server_pub) for k, v in keys.items()}
        self.ctl = self.as_["ops"]
        self.setup_pool(self.ctl)

    def draw_as(self, who, spec, members, day, *extra):
        return self.as_[who].run(*draw_args(spec, members, start=self.start_at(day)),
                                 *extra, json_out=True, check=False)

    def task_ids(self):
        return [t["id"] for t in self.ctl.json("task", "list")["tasks"]]


class RespondWithinTest(SecureLedgerBase):
    def test_bureau_below_the_minimum_is_refused(self):
        before = len(self.entries())
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "invalid_field", "respond_within")
        self.assertIn("3600", r.json["message"])
        self.assertIn("60 minutes", r.json["message"])
        # A clerk does not draw at all.
        r = self.draw_as("clerk", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "forbidden")
        # One second short of the minimum, too; and a reason does not help.
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3599",
                         "--respond-reason", "urgent")
        self.assert_error(r, "invalid_field", "respond_within")
        # Nothing was recorded.
        self.assertEqual(self.task_ids(), [])
        self.assertEqual(len(self.entries()), before)
        # At the minimum a bureau draws; a reason then has nothing to explain.
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3600",
                         "--respond-reason", "urgent")
        self.assert_error(r, "invalid_field", "respond_reason")
        r = self.draw_as("haizhu", "焊工", 1, 10, "--respond-within", "3600")
        self.assertEqual(r.rc, 0, r)
        task = self.show(r.json["task"])["task"]
        self.assertEqual((task["respond_within"], task["respond_reason"]), (3600, ""))
        # An operator below the minimum needs a reason.
        r = self.draw_as("ops", "焊工", 1, 10, "--respond-within", "1")
        self.assert_error(r, "invalid_field", "respond_reason")
        self.assertEqual(len(self.task_ids()), 1)
        self.verify()

    def test_operator_short_window_expiries_never_count(self):
        spec = "焊工"
        experts = [p[0] for p in self.people[spec]]
        r = self.draw_as("ops", spec, 1, 10, "--respond-within", "2",
                         "--respond-reason", "演练: 通知系统测试")
        self.assertEqual(r.rc, 0, r)
        task = r.json["task"]
        shown = self.show(task)["task"]
        self.assertEqual((shown["respond_within"], shown["respond_reason"]),
                         (2, "演练: 通知系统测试"))
        self.assertIn("演练: 通知系统测试", self.ctl.run("task", "show", str(task)).out)
        # Nobody answers: every offer and every replacement's offer expires,
        # through the whole specialty, until the task is short.
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            seats = self.show(task)["seats"]
            if len(seats) == len(experts) and all(s["state"] == "expired" for s in seats):
                break
            time.sleep(0.2)
        seats = self.show(task)["seats"]
        self.assertEqual(sorted(s["expert"] for s in seats), experts)
        self.assertTrue(all(s["state"] == "expired" for s in seats), seats)
        self.assertEqual(self.show(task)["task"]["fill"], "short")
        for x in experts:
            self.assertEqual(self.ledger(x)["events"], [], "expert %d" % x)
        expired = [e["entry"] for e in self.entries()
                   if e["type"] == "assignment.expired"]
        self.assertEqual(len(expired), len(experts))
        self.verify()


if __name__ == "__main__":
    unittest.main()
