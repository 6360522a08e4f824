"""Secure mode: CURVE with the ZAP allowlist, roles from the connection."""
import os
import subprocess
import unittest

from harness import Ctl, DaemonTest, free_tcp_port, keygen



class SecureTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.server_key, self.server_pub, _, _ = keygen(self.dir, "server")
        self.op_key, _, op_pub, _ = keygen(self.dir, "ops")
        self.bureau_key, _, bureau_pub, _ = keygen(self.dir, "haizhu")
        self.stranger_key, _, _, _ = keygen(self.dir, "stranger")
        self.allowlist = os.path.join(self.dir, "allowlist")
        with open(self.allowlist, "w") as f:
            f.write("# test allowlist\n")
            f.write("%s center-ops operator\n" % op_pub)
            f.write("%s gz-haizhu bureau 440105\n" % bureau_pub)
        self.endpoint = "tcp://127.0.0.1:%d" % free_tcp_port()
        secure = {"server_key": self.server_key, "allowlist": self.allowlist}
        self.d = self.start_daemon(
            secure=secure, endpoint=self.endpoint,
            client=lambda d: Ctl(d, self.op_key, self.server_pub))

    def ctl(self, key):
        return Ctl(self.d, key, self.server_pub)

    def test_keygen_secret_file_is_private(self):
        mode = os.stat(self.op_key).st_mode & 0o777
        self.assertEqual(mode, 0o600)
        self.assertNotIn("secret", open(self.op_key.replace(".key", ".pub")).read())

    def test_allowlisted_operator_is_served_with_its_principal(self):
        pong = self.ctl(self.op_key).json("ping")
        self.assertEqual(pong["principal"], "center-ops")
        self.assertEqual(pong["role"], "operator")

    # The two refusals below wait up to 60 s for a reply: only the
    # socket's handshake events, which arrive at once, can end them with
    # these statuses and messages (a timeout gives 69, "no reply").
    def test_unknown_key_is_refused_at_the_handshake(self):
        r = self.ctl(self.stranger_key).run("ping", timeout=60000, retries=0,
                                            check=False)
        self.assertEqual(r.rc, 77, r)                    # EX_NOPERM
        self.assertIn("refused this client's key", r.err)
        self.assertIn(self.endpoint, r.err)
        # The daemon still serves allowlisted clients afterwards.
        self.ctl(self.op_key).json("ping")

    def test_plain_client_is_refused(self):
        r = Ctl(self.d).run("ping", timeout=60000, retries=0, check=False)
        self.assertEqual(r.rc, 76, r)                    # EX_PROTOCOL
        self.assertIn("plain client", r.err)

    def test_wrong_server_key_is_named_when_the_attempt_ends(self):
        # A server that cannot read our hello closes the connection, as a
        # daemon at its connection budget does (a retry may get in there),
        # so the closes are named when the attempt ends, not as "no reply".
        _, other_pub, _, _ = keygen(self.dir, "other-server")
        r = Ctl(self.d, self.op_key, other_pub).run("ping", timeout=2000, retries=0,
                                                    check=False)
        self.assertEqual(r.rc, 76, r)                    # EX_PROTOCOL
        self.assertIn("wrong server key", r.err)
        self.assertIn("connection limit", r.err)
        self.ctl(self.op_key).json("ping")

    def test_refusal_is_reported_in_chinese(self):
        r = self.ctl(self.stranger_key).run("ping", timeout=60000, retries=0,
                                            check=False, env={"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"})
        self.assertEqual(r.rc, 77, r)
        self.assertIn("拒绝", r.err)

    def test_bureau_gets_forbidden_on_pool_admin(self):
        b = self.ctl(self.bureau_key)
        pong = b.json("ping")
        self.assertEqual((pong["principal"], pong["role"]), ("gz-haizhu", "bureau"))
        for args in (["pool", "list"], ["pool", "suspend", "1", "--reason", "x"],
                     ["term", "open", "--start", "2025-01-01"],
                     ["conflict", "list"]):
            r = b.run(*args, check=False)
            self.assertNotEqual(r.rc, 0, args)
            self.assertIn("forbidden", r.err, args)
        ok = self.ctl(self.op_key).json("term", "open", "--start", "2025-01-01")
        self.assertEqual(ok["term"], 1)


class InsecureRulesTest(DaemonTest):
    def test_insecure_refused_on_a_public_address(self):
        from harness import EXPERTD
        p = subprocess.run([EXPERTD, "--insecure", "--db", os.path.join(self.dir, "x.db"),
                            "--listen", "tcp://0.0.0.0:%d" % free_tcp_port()],
                           capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 78, p.stderr)   # EX_CONFIG
        self.assertIn("insecure", p.stderr)


if __name__ == "__main__":
    unittest.main()
