"""Connection budgets (issue #16 item 7) against the real daemon: 2,000
connections held open on the answer endpoint leave a staff client's ping
answered; with a budget of 20, the answer endpoint holds 20, shuts the rest
at once, says so in its log and in /metrics, serves the staff endpoint
throughout, and takes new connections again once the crowd has gone."""
import re
import resource
import time
import unittest
import urllib.request

import zmq

from harness import Ctl, DaemonTest, RawClient

CROWD = 2000
DEADLINE = 60


class BudgetTest(DaemonTest):
    def start(self, config=None):
        # The crowd is this process's descriptors: as many as allowed.
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != resource.RLIM_INFINITY and soft < CROWD + 200:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        extra = ["--config", self.write_config(config)] if config else []
        self.d = self.start_daemon(extra=extra)
        self.ctl = Ctl(self.d)
        self.ctx = zmq.Context()
        self.ctx.set(zmq.MAX_SOCKETS, CROWD + 100)
        self.crowd = []
        self.addCleanup(self.disperse)

    def disperse(self):
        for s in self.crowd:
            s.close(linger=0)
        self.crowd = []
        self.ctx.term()

    def gather(self, n, patient=False):
        """n connections to the answer endpoint that never send; patient
        ones wait a minute before they try again once refused."""
        for _ in range(n):
            s = self.ctx.socket(zmq.DEALER)
            if patient:
                s.setsockopt(zmq.RECONNECT_IVL, 60000)
                s.setsockopt(zmq.RECONNECT_IVL_MAX, 60000)
            s.connect(self.d.answer)
            self.crowd.append(s)

    def metric(self, name, endpoint):
        with urllib.request.urlopen("http://%s/metrics" % self.d.metrics, timeout=10) as r:
            text = r.read().decode()
        m = re.search(r'(?m)^%s\{endpoint="%s"\} (\d+)$' % (name, endpoint), text)
        self.assertIsNotNone(m, name)
        return int(m.group(1))

    def wait_for(self, pred, what):
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            if pred():
                return
            time.sleep(0.2)
        self.fail("not within %ss: %s" % (DEADLINE, what() if callable(what) else what))

    def test_two_thousand_answer_connections_leave_staff_served(self):
        self.start()
        self.gather(CROWD)
        self.wait_for(lambda: self.metric("expertd_connections", "answer") == CROWD,
                      lambda: "%d answer connections open (%d are)"
                      % (CROWD, self.metric("expertd_connections", "answer")))
        self.assertEqual(self.metric("expertd_connection_budget", "answer"), 8192)
        self.assertEqual(self.ctl.run("ping").rc, 0)
        self.assertEqual(self.metric("expertd_connections_refused_total", "answer"), 0)

    def test_a_full_budget_refuses_and_recovers(self):
        self.start("[server]\nanswer_max_connections = 20\n")
        self.gather(200, patient=True)
        self.wait_for(lambda: self.metric("expertd_connections_refused_total",
                                          "answer") >= 180,
                      "the 180 past the budget refused")
        self.assertEqual(self.metric("expertd_connections", "answer"), 20)
        self.assertEqual(self.ctl.run("ping").rc, 0)   # staff served
        self.assertEqual(self.metric("expertd_connections_refused_total", "request"), 0)
        self.assertIn("answer endpoint: all 20 connections of its budget are open; "
                      "refusing new ones", self.d.read_log())
        self.disperse()
        self.wait_for(lambda: self.metric("expertd_connections", "answer") == 0,
                      "the crowd gone")
        self.assertIn("answer endpoint: below its budget of 20 connections again",
                      self.d.read_log())
        # An expert's phone gets through again: its request is answered.
        conn = RawClient(self.d.answer)
        self.addCleanup(conn.close)
        rep = conn.call("assignment.answer", {"token": "1." + "A" * 22, "answer": "accept"})
        self.assertEqual(rep["status"], "invalid_token", rep)


if __name__ == "__main__":
    unittest.main()
