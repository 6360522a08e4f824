"""Endpoints as PROTOCOL.md 4.5 allows them: tcp://localhost:P and
tcp://[::1]:P bind and answer, on all four endpoints (issue #16)."""
import unittest

from harness import Ctl, Daemon, DaemonTest, free_tcp_port


class EndpointTest(DaemonTest):
    def start_on(self, host):
        ports = [free_tcp_port() for _ in range(4)]
        eps = ["tcp://%s:%d" % (host, p) for p in ports]
        d = Daemon(self.dir, endpoint=eps[0])
        d.pub, d.answer, d.notify = eps[1], eps[2], eps[3]
        self.addCleanup(self.stop_daemon, d)
        d.start()
        return d

    def check(self, host):
        d = self.start_on(host)
        ctl = Ctl(d)
        self.assertEqual(ctl.run("ping").rc, 0)
        # The answer endpoint answers too: a made-up token is refused there.
        r = ctl.run("confirm", "1.AAAAAAAAAAAAAAAAAAAAAA", "--answer-endpoint",
                    d.answer, check=False)
        self.assertIn("invalid_token", r.err + r.out)
        self.assertIn("listening", d.read_log())

    def test_localhost(self):
        self.check("localhost")

    def test_ipv6_loopback(self):
        self.check("[::1]")


if __name__ == "__main__":
    unittest.main()
