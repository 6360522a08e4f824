"""expertctl's manners without a daemon (issue #13 item 5, in part):
--version names the project's version, `help COMMAND` shows the
command's own --help text on stdout, and an unknown command exits 2 with
the usage on stderr."""
import os
import re
import subprocess
import unittest

from harness import EXPERTCTL, DaemonTest

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")


def run(*args):
    return subprocess.run([EXPERTCTL, *args], capture_output=True, text=True,
                          timeout=60)


class CliTest(unittest.TestCase):
    def test_version_is_the_projects(self):
        with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
            version = re.search(r"project\(expertd VERSION (\S+)", f.read()).group(1)
        for flag in ("--version", "-V"):
            r = run(flag)
            self.assertEqual((r.returncode, r.stdout), (0, "expertctl %s\n" % version), r)

    def test_help_command_is_the_commands_help(self):
        for words in (["backup"], ["pool", "import"], ["draw"]):
            r = run("help", *words)
            self.assertEqual(r.returncode, 0, r)
            self.assertEqual(r.stdout, run(*words, "--help").stdout)
            self.assertIn("usage: expertctl [global options] %s" % " ".join(words),
                          r.stdout)
        group = run("help", "pool")
        self.assertEqual(group.returncode, 0, group)
        self.assertIn("pool import", group.stdout)
        top = run("help")
        self.assertEqual((top.returncode, top.stdout), (0, run("--help").stdout))

    def test_bash_completion_reads_expertctl(self):
        script = os.path.join(ROOT, "clients", "completion", "expertctl.bash")
        cases = [(["po"], "pool"), (["pool", "i"], "import"),
                 (["pool", "import", "--age"], "--age-exception --age-exception-reason"),
                 (["--json", "draw", "--qu"], "--quota"), (["help", "ba"], "backup"),
                 (["--vers"], "--version")]
        lines = ['source "%s"' % script,
                 't() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); '
                 '_expertctl; echo "${COMPREPLY[*]}"; }']
        lines += ["t '%s' %s" % (EXPERTCTL, " ".join("'%s'" % w for w in words))
                  for words, _ in cases]
        r = subprocess.run(["bash", "-c", "\n".join(lines)], capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r)
        self.assertEqual(r.stdout.splitlines(), [want for _, want in cases], r)

    def test_unknown_command_exits_2(self):
        r = run("help", "nope")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn('help: no command "nope"', r.stderr)
        self.assertIn("usage: expertctl", r.stderr)
        self.assertEqual(r.stdout, "")


class GlobalOptionsTest(DaemonTest):
    """Global options anywhere: after the command words as before them."""

    def test_global_options_after_the_command(self):
        d = self.start_daemon()
        env = dict(os.environ)
        env.pop("EXPERTD_ENDPOINT", None)

        def ctl(*args):
            return subprocess.run([EXPERTCTL, *args], capture_output=True, text=True,
                                  timeout=60, env=env)
        first = ctl("--json", "--endpoint", d.endpoint, "--timeout", "5000", "term",
                    "list")
        self.assertEqual(first.returncode, 0, first)
        for args in (["term", "list", "--json", "--endpoint", d.endpoint],
                     ["term", "list", "--endpoint=%s" % d.endpoint, "--json"],
                     ["--json", "term", "list", "--timeout=5000", "--endpoint",
                      d.endpoint]):
            r = ctl(*args)
            self.assertEqual((r.returncode, r.stdout), (0, first.stdout), (args, r))
        # After "--" they are the command's arguments again.
        r = ctl("--endpoint", d.endpoint, "term", "list", "--", "--json")
        self.assertEqual(r.returncode, 2, r)
        r = ctl("term", "list", "--endpoint")
        self.assertEqual(r.returncode, 2, r)
        self.assertIn("--endpoint", r.stderr)


if __name__ == "__main__":
    unittest.main()
