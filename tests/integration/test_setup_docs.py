"""The secure set-up as the README writes it, on a fresh directory (issue
#13 item 5): keys made with expertctl keygen, the allowlist line, expertd
started with the README's options and no --db (its ./var is made), a
client served; and the shipped example configuration checks clean with
the command its header gives."""
import os
import subprocess
import time
import unittest

from harness import EXPERTCTL, EXPERTD, DaemonTest, free_tcp_port, sqlite_only

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


class SetupDocsTest(DaemonTest):
    def sh(self, *args, check=True, **kw):
        p = subprocess.run(list(args), capture_output=True, text=True, timeout=60,
                           cwd=self.work, **kw)
        if check:
            self.assertEqual(p.returncode, 0, (args, p.stdout, p.stderr))
        return p

    @sqlite_only("the README's setup makes ./var/expertd.db")
    def test_readme_secure_setup_works_as_written(self):
        self.work = os.path.join(self.dir, "fresh")
        os.mkdir(self.work)
        self.sh(EXPERTCTL, "keygen", "server")
        self.sh(EXPERTCTL, "keygen", "--sign", "sign")
        bureau_pub = self.sh(EXPERTCTL, "keygen", "bureau-haizhu").stdout.split()[0]
        with open(os.path.join(self.work, "allowlist"), "w") as f:
            f.write("%s  gz-haizhu   bureau   440105\n" % bureau_pub)
        ep = "tcp://127.0.0.1:%d" % free_tcp_port()   # the README: tcp://*:5570
        log = open(os.path.join(self.dir, "fresh.log"), "wb")
        d = subprocess.Popen([EXPERTD, "--secret-key", "server.key", "--sign-key",
                              "sign.key", "--allowlist", "allowlist", "--listen", ep,
                              "--metrics-listen", "127.0.0.1:%d" % free_tcp_port(),
                              "--pub-listen", "ipc://%s/p.sock" % self.work,
                              "--answer-listen", "ipc://%s/a.sock" % self.work,
                              "--notify-listen", "ipc://%s/n.sock" % self.work],
                             cwd=self.work, stdout=log, stderr=log)
        self.addCleanup(lambda: (d.poll() is None and d.kill(), d.wait(), log.close()))
        for _ in range(100):
            r = self.sh(EXPERTCTL, "--key", "bureau-haizhu.key", "--server-key",
                        "server.pub", "--endpoint", ep, "--json", "ping", "--timeout",
                        "1000", "--retries", "0", check=False)
            if r.returncode == 0 or d.poll() is not None:
                break
            time.sleep(0.1)
        self.assertIsNone(d.poll(), open(os.path.join(self.dir, "fresh.log")).read())
        self.assertEqual(r.returncode, 0, r)
        self.assertIn('"role": "bureau"', r.stdout)
        self.assertTrue(os.path.isfile(os.path.join(self.work, "var", "expertd.db")))
        self.assertEqual(os.stat(os.path.join(self.work, "var")).st_mode & 0o777, 0o700)

    def test_shipped_example_checks_clean(self):
        self.work = os.path.join(self.dir, "etc")
        os.mkdir(self.work)
        with open(os.path.join(ROOT, "systemd", "expertd.conf.example")) as f:
            text = f.read()
        # The header's command, with /etc/expertd and /var/lib/expertd here.
        header = [l for l in text.splitlines() if "--check-config" in l]
        self.assertTrue(header, "the example says how to check it")
        text = text.replace("/etc/expertd/", self.work + "/").replace(
            "/var/lib/expertd/", self.work + "/")
        conf = os.path.join(self.work, "expertd.conf")
        with open(conf, "w") as f:
            f.write(text)
        self.sh(EXPERTCTL, "keygen", "server")
        self.sh(EXPERTCTL, "keygen", "--sign", "sign")
        open(os.path.join(self.work, "allowlist"), "w").close()
        p = self.sh(EXPERTD, "--config", conf, "--secret-key", "server.key",
                    "--sign-key", "sign.key", "--check-config", check=False)
        self.assertEqual(p.returncode, 0, p.stderr)


if __name__ == "__main__":
    unittest.main()
