"""Clients that fail over (issue #15 item 3, PROTOCOL.md 6.4): expertctl and
the client library take a list of daemons and, for each, its server key;
a timeout, a failed handshake or `unavailable` moves the request to the
next daemon with the same id and bytes, so it is applied once."""
import os
import unittest

from harness import Ctl, Daemon, DaemonTest, keygen


class FailoverTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.a = self.start_daemon()
        # B: a daemon of its own that serves reads only, so it answers every
        # recorded request `unavailable` ("nothing was applied").
        bdir = os.path.join(self.dir, "b")
        os.mkdir(bdir)
        b = Daemon(bdir).start()
        b.stop()
        self.b = Daemon(bdir, extra=["--read-only"])
        self.addCleanup(self.stop_daemon, self.b)
        self.b.start()
        self.dead = "ipc://" + os.path.join(self.dir, "nobody-here.sock")

    def terms(self, d):
        return Ctl(d).json("term", "list")["terms"]

    def test_a_dead_daemon_is_passed_over(self):
        c = Ctl(self.a, endpoints="%s,%s" % (self.dead, self.a.endpoint))
        pong = c.json("ping", timeout=1000, retries=0)
        self.assertEqual(pong["role"], "operator")

    def test_unavailable_moves_on_and_the_request_applies_once(self):
        c = Ctl(self.a, endpoints="%s,%s" % (self.b.endpoint, self.a.endpoint))
        first = c.json("term", "open", "--start", "2025-01-01", request_id="fo-1")
        self.assertEqual(first["term"], 1)
        self.assertEqual(len(self.terms(self.a)), 1)
        self.assertEqual(self.terms(self.b), [])
        # The same id and bytes again, from a client that starts at B: B
        # says unavailable, A gives the first reply and applies nothing.
        again = Ctl(self.a, endpoints="%s,%s" % (self.b.endpoint, self.a.endpoint))
        self.assertEqual(again.json("term", "open", "--start", "2025-01-01",
                                    request_id="fo-1"), first)
        self.assertEqual(len(self.terms(self.a)), 1)
        # Every daemon down or unwilling: the last reply is what is said.
        r = Ctl(self.a, endpoints="%s,%s" % (self.dead, self.b.endpoint)).run(
            "term", "open", "--start", "2026-01-01", timeout=1000, retries=0,
            check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("unavailable", r.err)
        self.assertEqual(len(self.terms(self.a)), 1)

    def test_no_daemon_answers(self):
        other = "ipc://" + os.path.join(self.dir, "nobody-either.sock")
        r = Ctl(self.a, endpoints="%s,%s" % (self.dead, other)).run(
            "ping", timeout=300, retries=0, check=False)
        self.assertEqual(r.rc, 69, r)
        self.assertIn("no reply from any of the endpoints after 2 attempts", r.err)

    def test_bad_lists_are_refused(self):
        for bad in ("%s,," % self.a.endpoint, ",".join([self.a.endpoint] * 9)):
            r = Ctl(self.a, endpoints=bad).run("ping", check=False)
            self.assertEqual(r.rc, 78, (bad, r))     # EX_CONFIG
        # Server keys: one for all, or one per endpoint.
        key, pub, _, _ = keygen(self.dir, "k")
        keys = Ctl(self.a, key, "%s,%s,%s" % (pub, pub, pub),
                   endpoints="%s,%s" % (self.dead, self.a.endpoint))
        r = keys.run("ping", check=False)
        self.assertEqual(r.rc, 78, r)
        self.assertIn("3 server keys for 2 endpoints", r.err)



class SecureFailoverTest(DaemonTest):
    def test_one_server_key_per_daemon(self):
        d, _ = self.start_secure_daemon([("ops", "center-ops operator")])
        _, other_pub, _, _ = keygen(self.dir, "other")
        ep, op_key = d.endpoint, self.keys["ops"]
        # The first entry holds the wrong key for that daemon: its
        # handshake fails, and the second entry, with the right key, serves.
        c = Ctl(d, op_key, "%s,%s" % (other_pub, self.server_pub),
                endpoints="%s,%s" % (ep, ep))
        pong = c.json("ping", timeout=2000, retries=0)
        self.assertEqual(pong["principal"], "center-ops")
        # One key for every daemon of the list.
        c = Ctl(d, op_key, self.server_pub, endpoints="%s,%s" % (ep, ep))
        self.assertEqual(c.json("ping")["role"], "operator")
        # What is said is the last daemon's failure: the first refuses an
        # unknown key (alone: 77), the second never answers, so 69.
        stranger, _, _, _ = keygen(self.dir, "stranger")
        dead = "ipc://" + os.path.join(self.dir, "nobody-here.sock")
        r = Ctl(d, stranger, self.server_pub, endpoints="%s,%s" % (ep, dead)).run(
            "ping", timeout=500, retries=0, check=False)
        self.assertEqual(r.rc, 69, r)
        self.assertIn("no reply from any of the endpoints", r.err)

if __name__ == "__main__":
    unittest.main()
