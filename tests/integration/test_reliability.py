"""Durability, idempotent retries, bursts, malformed input and start-up
errors, against the real daemon."""
import os
import re
import socket
import sqlite3
import subprocess
import unittest

from harness import EXPERTD, Ctl, DaemonTest, RawClient, pack_request, sqlite_only


class ReliabilityTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)

    def test_acknowledged_change_survives_kill_9(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 50)
        self.ctl.json("pool", "suspend", "12", "--reason", "acked before the crash")
        self.ctl.json("conflict", "add", "13", "--org", "91350100M000100Y43",
                      "--kind", "interest")
        self.d.kill9()
        self.d.start()
        shown = self.ctl.json("pool", "show", "12")
        self.assertEqual(shown["expert"]["status"], "suspended")
        self.assertEqual(shown["history"][-1]["reason"], "acked before the crash")
        self.assertEqual(self.ctl.json("pool", "list")["total"], 50)
        self.assertEqual(len(self.ctl.json("conflict", "list")["conflicts"]), 1)

    def test_data_survives_a_clean_restart(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 30)
        self.assertEqual(self.d.stop(), 0)
        self.d.start()
        self.assertEqual(self.ctl.json("pool", "list")["total"], 30)
        self.assertEqual(self.ctl.json("ping")["experts"], 30)

    def test_retried_request_id_applies_once(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 5)
        first = self.ctl.json("pool", "suspend", "2", "--reason", "r1",
                              request_id="retry-0001")
        second = self.ctl.json("pool", "suspend", "2", "--reason", "r1",
                               request_id="retry-0001")
        self.assertEqual(first, second)   # the first reply, not invalid_state
        events = [h["event"] for h in self.ctl.json("pool", "show", "2")["history"]]
        self.assertEqual(events.count("suspended"), 1)
        reused = self.ctl.run("pool", "suspend", "3", "--reason", "r1",
                              request_id="retry-0001", check=False)
        self.assertIn("request_id_reused", reused.err)
        self.assertEqual(self.ctl.json("pool", "show", "3")["expert"]["status"], "active")

    def test_retry_of_term_open_does_not_open_two_terms(self):
        a = self.ctl.json("term", "open", "--start", "2025-01-01", request_id="t-1")
        b = self.ctl.json("term", "open", "--start", "2025-01-01", request_id="t-1")
        self.assertEqual(a, b)
        self.assertEqual(len(self.ctl.json("term", "list")["terms"]), 1)

    def test_burst_of_requests_all_answered(self):
        raw = RawClient(self.d.endpoint)
        try:
            n = 2000
            for i in range(n):
                op = "term.list" if i % 2 else "ping"
                raw.send(b"", pack_request(op, "burst-%d" % i))
            seen = {}
            for _ in range(n):
                rep = raw.recv()
                self.assertIsNotNone(rep, "missing replies after %d" % len(seen))
                seen[rep["id"]] = rep["status"]
            self.assertEqual(len(seen), n)
            self.assertTrue(all(s == "ok" for s in seen.values()))
        finally:
            raw.close()

    def test_malformed_messages_get_error_replies_and_daemon_serves_on(self):
        raw = RawClient(self.d.endpoint)
        try:
            cases = [
                (b"\xc1", "malformed"),                                   # never-used byte
                (b"\x91\x01", "malformed"),                               # not a map
                (b"\xdd\xff\xff\xff\xff", "malformed"),                   # 4G-element array
                (b"\xdf\xff\xff\xff\xff", "malformed"),                   # 4G-pair map
                (pack_request("ping", "x")[:-1], "malformed"),            # truncated
                (pack_request("ping", "x") + b"\x00", "malformed"),       # trailing byte
                (pack_request("nope", "u1"), "unknown_op"),
                (pack_request("ping", "v2", v=2), "unsupported_version"),
                (pack_request("pool.list", "l1", {"limit": 0}), "invalid_field"),
                (pack_request("pool.list", "l2", {"colour": "red"}), "invalid_field"),
                (pack_request("pool.suspend", "s1", {"expert": 1}), "invalid_field"),
                (pack_request("log.query", "d1"), "not_implemented"),
            ]
            for body, status in cases:
                raw.send(b"", body)
                rep = raw.recv()
                self.assertIsNotNone(rep, body)
                self.assertEqual(rep["status"], status, (body, rep))
                self.assertTrue(rep.get("message"), rep)
            rep = None
            raw.send(b"", pack_request("pool.list", "l3", {"limit": 0}))
            rep = raw.recv()
            self.assertEqual(rep["field"], "limit")
            self.assertEqual(rep["id"], "l3")
            # Wrong framing: no empty delimiter frame.
            raw.send(pack_request("ping", "nodelim"))
            self.assertEqual(raw.recv()["status"], "malformed")
            # A frame over the size limit drops that connection...
            raw.send(b"", b"\x00" * (5 * 1024 * 1024))
            self.assertIsNone(raw.recv(timeout_ms=1500))
        finally:
            raw.close()
        # ...and the daemon serves everyone else.
        self.assertEqual(self.ctl.json("ping")["role"], "operator")

    @sqlite_only("its store cases are SQLite files (a newer user_version, an unwritable path)")
    def test_startup_errors_exit_with_sysexits_codes(self):
        cases = []
        bad_cfg = os.path.join(self.dir, "bad.conf")
        with open(bad_cfg, "w") as f:
            f.write("[server]\nbatch_max = lots\n")
        cases.append(([EXPERTD, "--config", bad_cfg], 78, "batch_max"))
        cases.append(([EXPERTD, "--config", os.path.join(self.dir, "none.conf")],
                      66, "none.conf"))
        cases.append(([EXPERTD, "--bogus"], 64, "bogus"))
        # A port someone else holds cannot be bound.
        holder = socket.socket()
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        cases.append(([EXPERTD, "--insecure", "--db", os.path.join(self.dir, "2.db"),
                       "--sign-key", self.d.sign_key,
                       "--listen", "tcp://127.0.0.1:%d" % port], 69, str(port)))
        # No signing key (PROTOCOL.md 4.3.1).
        cases.append(([EXPERTD, "--insecure", "--db", os.path.join(self.dir, "3.db"),
                       "--listen", "ipc://" + os.path.join(self.dir, "k.sock")], 78,
                      "sign_key"))
        newer = os.path.join(self.dir, "newer.db")
        with sqlite3.connect(newer) as c:
            c.execute("PRAGMA user_version = 99")
        cases.append(([EXPERTD, "--insecure", "--db", newer, "--listen",
                       "ipc://" + os.path.join(self.dir, "n.sock")], 65, "newer"))
        cases.append(([EXPERTD, "--insecure", "--db",
                       os.path.join(self.dir, "no/such/dir/x.db"), "--listen",
                       "ipc://" + os.path.join(self.dir, "m.sock")], 73, "x.db"))
        try:
            for argv, code, word in cases:
                p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
                self.assertEqual(p.returncode, code, (argv, p.stderr))
                lines = [l for l in p.stderr.splitlines() if l.strip()]
                self.assertEqual(len(lines), 1, p.stderr)
                self.assertIn(word, p.stderr)
        finally:
            holder.close()

    def test_check_config(self):
        good = os.path.join(self.dir, "good.conf")
        with open(good, "w") as f:
            f.write(self.d.store_config() + "[server]\nlisten = ipc://%s/c.sock\n"
                    "[security]\ninsecure = true\nsign_key = %s\n"
                    % (self.dir, self.d.sign_key))
        p = subprocess.run([EXPERTD, "--config", good, "--check-config"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        # The signing key is checked too: the public half is not enough.
        pub = os.path.join(self.dir, "pub.conf")
        with open(pub, "w") as f:
            f.write(self.d.store_config() + "[server]\nlisten = ipc://%s/c.sock\n"
                    "[security]\ninsecure = true\nsign_key = %s\n"
                    % (self.dir, self.d.sign_key[:-4] + ".pub"))
        p = subprocess.run([EXPERTD, "--config", pub, "--check-config"],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn("no seed", p.stderr)

    def test_every_option_the_help_names_is_taken(self):
        """An option listed by --help but missing from the parser's table
        would be refused as unknown (exit 64), as --store-url once was."""
        usage = subprocess.run([EXPERTD, "--help"], capture_output=True, text=True,
                               timeout=30).stdout
        options = re.findall(r"^  (--[a-z][a-z-]+)( [A-Z][A-Z:]*)?", usage, re.M)
        self.assertIn(("--store-url", " URL"), options)
        for opt, arg in options:
            argv = [EXPERTD, "--insecure", "--sign-key", self.d.sign_key,
                    "--check-config", opt] + (["x"] if arg else [])
            p = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(p.returncode, 64, (opt, p.stderr))
            self.assertNotIn("unknown", p.stderr, (opt, p.stderr))


if __name__ == "__main__":
    unittest.main()
