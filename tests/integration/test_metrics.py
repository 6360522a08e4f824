"""The operators' HTTP endpoint: /metrics in the Prometheus text format
(checked with promtool), /livez, /readyz, and nothing but GET and HEAD."""
import shutil
import subprocess
import unittest
import urllib.error
import urllib.request

from harness import Ctl, DaemonTest

PROMTOOL = shutil.which("promtool")


class MetricsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.ctl.sweep = False     # these tests count every request
        self.base = "http://%s" % self.d.metrics

    def get(self, path, method="GET"):
        req = urllib.request.Request(self.base + path, method=method)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_health(self):
        self.assertEqual(self.get("/livez"), (200, "ok\n"))
        self.assertEqual(self.get("/readyz"), (200, "ready\n"))
        self.assertEqual(self.get("/nope")[0], 404)
        self.assertEqual(self.get("/metrics", method="POST")[0], 405)
        self.assertEqual(self.get("/metrics", method="HEAD")[0], 200)

    def test_metrics_count_what_happened(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 40)
        self.ctl.run("pool", "suspend", "3", "--reason", "r")
        self.ctl.run("pool", "revoke", "4", "--reason", "r")
        bad = self.ctl.run("pool", "suspend", "999", "--reason", "r", check=False)
        self.assertNotEqual(bad.rc, 0)
        status, text = self.get("/metrics")
        self.assertEqual(status, 200)
        lines = text.splitlines()
        self.assertIn('expertd_experts{status="active"} 38', lines)
        self.assertIn('expertd_experts{status="suspended"} 1', lines)
        self.assertIn('expertd_experts{status="revoked"} 1', lines)
        self.assertIn('expertd_requests_total{op="pool.suspend",result="ok"} 1', lines)
        self.assertIn('expertd_requests_total{op="pool.suspend",result="not_found"} 1',
                      lines)
        self.assertTrue(any(l.startswith("expertd_commit_duration_seconds_count ")
                            for l in lines))
        audit = [l for l in lines if l.startswith("expertd_audit_log_entries ")]
        self.assertEqual(len(audit), 1)
        self.assertGreaterEqual(int(audit[0].split()[1]), 43)
        # Personal data never appears in the metrics.
        shown = self.ctl.json("pool", "show", "5", "--reveal", "--reason", "t")
        self.assertNotIn(shown["expert"]["resident_id"], text)
        self.assertNotIn(shown["expert"]["phone"], text)
        if PROMTOOL is None:
            self.fail("promtool is missing: scripts/deps installs Debian's prometheus")
        p = subprocess.run([PROMTOOL, "check", "metrics"], input=text,
                           capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
