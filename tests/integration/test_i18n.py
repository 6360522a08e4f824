"""People read Chinese; programs read codes (issue #13 item 1, PROTOCOL.md
5.3). Under LANG=zh_CN.UTF-8 every message expertctl prints for the
commands below — its own and the daemon's, on success and on each kind of
error — is in Simplified Chinese; with --json the output is the same
bytes whatever the locale.

Beyond these: with EXPERTD_I18N_SWEEP set (ctest sets it for every
integration test), the harness repeats under zh_CN every failure of a
non-JSON expertctl run that changes nothing when repeated, and fails the
test that provoked it if English is left (harness.Ctl.chinese_too)."""
import os
import subprocess
import unittest

from harness import (CJK, ZH, Ctl, DaemonTest, RawClient, draw_args, genroster,
                     untranslated)

C = {"LANG": "C", "LC_ALL": "C"}


class ChineseTest(DaemonTest):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.roster = os.path.join(self.dir, "roster.csv")
        genroster(self.roster, 60, seed=3)
        self.ctl.json("pool", "import", "--appointed", self.roster)
        self.bad = os.path.join(self.dir, "bad.csv")
        genroster(self.bad, 5, seed=4, invalid=2)

    def run_ctl(self, env, *args):
        """expertctl with the given locale; (status, stdout, stderr)."""
        e = dict(os.environ, **env)
        for k in ("EXPERTD_ENDPOINT", "EXPERTCTL_KEY", "EXPERTD_SERVER_KEY", "LANGUAGE"):
            e.pop(k, None)
        p = subprocess.run(self.ctl.base() + list(args), env=e, capture_output=True,
                           text=True, timeout=120)
        return p.returncode, p.stdout, p.stderr

    def specialty(self):
        counts = {}
        for e in self.ctl.json("pool", "list", "--limit", "1000")["experts"]:
            for s in e["specialties"]:
                counts[s] = counts.get(s, 0) + 1
        return max(counts, key=counts.get)

    def commands(self):
        """What the integration tests do most, succeeding and failing."""
        top = self.specialty()
        drawn = self.ctl.json(*draw_args(top, 2, 30, backups=1))
        token = list(drawn["tokens"].values())[0]
        task = str(drawn["task"])
        return [
            ("ping",),
            ("term", "list"),
            ("term", "open", "--start", "2020-01-01"),
            ("pool", "import", "--appointed", self.bad),
            ("pool", "list", "--limit", "3"),
            ("pool", "show", "2"),
            ("pool", "show", "999"),
            ("pool", "show", "2", "--reveal"),
            ("pool", "suspend", "3"),
            ("draw", "--kind", "competition", "--specialty", top, "--members", "40",
             "--start", "2027-03-05 09:00", "--end", "2027-03-05 17:00"),
            ("draw", "--kind", "review", "--specialty", top, "--members", "2",
             "--start", "2027-03-05 09:00", "--end", "2027-03-05 17:00"),
            ("draw", "--kind", "competition", "--specialty", top, "--members", "2",
             "--start", "2020-03-05 09:00", "--end", "2020-03-05 17:00"),
            ("draw", "--kind", "competition", "--members", "2"),
            ("task", "list"),
            ("task", "show", task),
            ("task", "show", "9999"),
            ("audit", "show", task),
            ("org", "list", "--limit", "3"),
            ("confirm", "1.abcdefghijklmnopqrstuv", "--answer-endpoint", self.d.answer),
            ("decline", token, "--answer-endpoint", self.d.answer),
            ("audit", "verify"),
            ("stats",),
            ("flagged",),
            ("nosuch",),
            ("pool", "frobnicate"),
            ("draw", "--members", "x"),
        ]

    def test_every_message_is_chinese_and_json_does_not_change(self):
        seen, bad = 0, []
        for args in self.commands():
            rc_zh, out_zh, err_zh = self.run_ctl(ZH, *args)
            text = out_zh + err_zh
            self.assertTrue(CJK.search(text), "no Chinese in %r: %r" % (args, text))
            left = untranslated(text)
            if left:
                bad.append((args, left))
            # The exit status is the same whatever the language.
            rc_c, _, _ = self.run_ctl(C, *args)
            self.assertEqual(rc_zh, rc_c, args)
            seen += 1
        self.assertEqual(bad, [])
        self.assertEqual(seen, 26)

    def test_json_is_the_same_bytes_with_and_without_a_chinese_locale(self):
        top = self.specialty()
        drawn = self.ctl.json(*draw_args(top, 2, 40, backups=1))
        for args in (("ping",), ("pool", "list"), ("pool", "show", "2"),
                     ("task", "show", str(drawn["task"])), ("task", "list"),
                     ("audit", "show", str(drawn["task"])), ("stats",),
                     ("audit", "verify"), ("pool", "show", "999"),
                     ("draw", "--kind", "review", "--specialty", top, "--members", "2",
                      "--start", "2027-03-05 09:00", "--end", "2027-03-05 17:00"),
                     ("confirm", "1.abcdefghijklmnopqrstuv", "--answer-endpoint",
                      self.d.answer)):
            # One request id for both: an error reply repeats it.
            rid = "i18n-%d" % len(args[0]) + "-".join(a for a in args if a.isalnum())
            a = self.run_ctl(C, "--json", "--request-id", rid[:60], *args)
            b = self.run_ctl(ZH, "--json", "--request-id", rid[:60], *args)
            self.assertEqual(a, b, args)
        self.assertEqual(self.run_ctl(C, "log", "--json", "--limit", "5"),
                         self.run_ctl(ZH, "log", "--json", "--limit", "5"))

    def test_the_daemon_answers_in_the_language_asked_for(self):
        rc = RawClient(self.d.endpoint)
        self.addCleanup(rc.close)
        for lang, want in (("zh-CN", "没有编号为 999 的专家"), ("en", "no expert with id 999"),
                           (None, "no expert with id 999")):
            env = {"v": 1, "id": "l-%s" % lang, "op": "pool.show",
                   "args": {"expert": 999}}
            if lang:
                env["lang"] = lang
            rep = rc.call_envelope(env)
            self.assertEqual(rep["status"], "not_found")
            self.assertEqual(rep["field"], "expert")
            self.assertEqual(rep["message"], want)
        # A refused envelope that named its language is refused in it.
        rep = rc.call_envelope({"v": 1, "id": "l-x", "op": "ping", "lang": "zh-CN",
                                "extra": 1})
        self.assertEqual((rep["status"], rep["field"]), ("malformed", "extra"))
        self.assertTrue(CJK.search(rep["message"]), rep)


if __name__ == "__main__":
    unittest.main()
