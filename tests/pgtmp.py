#!/usr/bin/env python3
"""A throw-away PostgreSQL 15 for tests (issue #15).

    with pgtmp.Cluster() as pg:
        pg.create_database("t1")
        url = pg.url("t1")      # postgresql:///t1?host=DIR&port=PORT&user=postgres

    python3 tests/pgtmp.py run -- CMD ARGS...

The cluster lives in a fresh temp dir of its own: initdb, trust auth for
the superuser "postgres", no TCP (listen_addresses=''), the unix socket in
that dir under a port number free on loopback, fsync and full-page writes
off (a test database need not survive a power cut), the C locale (so text
sorts bytewise, as SQLite's BINARY collation does). When we are root the
server runs as the user "postgres" (initdb and postgres refuse root) and
the dir is handed to that user.

Cleanup: leaving the block (or the CLI's command ending, crashing, or the
CLI getting SIGTERM/SIGINT/SIGHUP, passed on to the command's process
group; what the command leaves in its group is killed) stops the server (fast shutdown, then
immediate, then SIGKILL, by the postmaster's pid) and removes the dir.
The postmaster also has a parent-death signal (SIGQUIT: immediate
shutdown), so if the process that started it is killed outright, the
server goes with it. Only this cluster's own dir and processes are
touched. Set PGTMP_KEEP=1 to keep the dir (logs, data) for a post-mortem.

The server is started with subprocess's user=/group= rather than through
`runuser -u postgres --`: that way the pid we hold is the postmaster's own
(runuser would stand between) and the parent-death signal reaches it.
"""
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse

PG_BIN = os.environ.get("PGTMP_BIN", "/usr/lib/postgresql/15/bin")
START_DEADLINE = 60.0    # seconds for the server to accept connections
STOP_DEADLINE = 15.0     # seconds for each stage of the shutdown
PR_SET_PDEATHSIG = 1


def available():
    """True when the PostgreSQL 15 server binaries are installed."""
    return os.access(os.path.join(PG_BIN, "initdb"), os.X_OK)


def _free_port():
    """A port number no one uses on loopback now. The server does not
    listen on TCP: the number only names its socket file (in our own
    dir) and its shared-memory key, so the kernel's pick will do."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent():
    """preexec_fn of the postmaster: immediate shutdown when the thread
    that started it dies. Runs after the uid change, which would clear it."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGQUIT, 0, 0, 0)


class Cluster:
    """One throw-away PostgreSQL cluster; a context manager."""

    def __init__(self, prefix="expertd-pg-"):
        self.prefix = prefix
        self.dir = None
        self.port = None
        self.proc = None
        self.log = None

    # -- running things as the server's user ---------------------------

    def _as_server(self):
        """Popen keyword arguments that run a program as the server's
        owner: "postgres" when we are root, ourselves otherwise."""
        env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C", "TZ": "UTC"}
        if os.geteuid() != 0:
            return {"env": dict(os.environ, LC_ALL="C")}
        return {"user": "postgres", "group": "postgres", "extra_groups": [],
                "env": dict(env, HOME=self.dir, USER="postgres")}

    def _check(self, argv, what):
        r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, cwd=self.dir, **self._as_server())
        if r.returncode != 0:
            raise RuntimeError("pgtmp: %s failed (%d): %s%s"
                               % (what, r.returncode, r.stdout, r.stderr))

    # -- start and stop --------------------------------------------------

    def start(self):
        base = tempfile.gettempdir()
        if len(base) > 60:     # a unix socket path has 107 bytes
            base = "/tmp"
        self.dir = tempfile.mkdtemp(prefix=self.prefix, dir=base)
        try:
            if os.geteuid() == 0:
                shutil.chown(self.dir, "postgres", "postgres")
            self._check([os.path.join(PG_BIN, "initdb"), "-D", self.data,
                         "-U", "postgres", "--auth=trust", "-E", "UTF8",
                         "--locale=C", "--no-sync", "--no-instructions"],
                        "initdb")
            self.port = _free_port()
            self._spawn()
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def data(self):
        return os.path.join(self.dir, "data")

    def _spawn(self):
        opts = {"listen_addresses": "", "unix_socket_directories": self.dir,
                "port": str(self.port), "fsync": "off",
                "full_page_writes": "off", "synchronous_commit": "off",
                "max_connections": "200", "logging_collector": "off",
                "log_min_messages": "warning", "TimeZone": "UTC"}
        argv = [os.path.join(PG_BIN, "postgres"), "-D", self.data]
        for k, v in opts.items():
            argv += ["-c", "%s=%s" % (k, v)]
        self.log = open(os.path.join(self.dir, "server.log"), "ab")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log,
                                     cwd=self.dir, preexec_fn=_die_with_parent,
                                     **self._as_server())

    def _wait_ready(self):
        """Until postmaster.pid says "ready" (PostgreSQL 10+ writes the
        status on its 8th line once it accepts connections)."""
        pidfile = os.path.join(self.data, "postmaster.pid")
        deadline = time.monotonic() + START_DEADLINE
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("pgtmp: postgres exited (%d): %s"
                                   % (self.proc.returncode, self.server_log()))
            try:
                with open(pidfile) as f:
                    lines = f.read().split("\n")
                if len(lines) > 7 and lines[7].strip() == "ready":
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("pgtmp: postgres not ready in %ds: %s"
                           % (START_DEADLINE, self.server_log()))

    def server_log(self):
        try:
            with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
                return f.read()[-4000:]
        except (OSError, TypeError):
            return ""

    def stop(self):
        """Stop the server (fast, then immediate, then SIGKILL) and remove
        the dir. Safe to call twice, and on a half-started cluster."""
        if self.proc is not None:
            for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGKILL):
                if self.proc.poll() is not None:
                    break
                try:
                    self.proc.send_signal(sig)
                    self.proc.wait(STOP_DEADLINE)
                except subprocess.TimeoutExpired:
                    continue
                except ProcessLookupError:
                    break
            self.proc = None
        if self.log is not None:
            self.log.close()
            self.log = None
        if self.dir is not None and not os.environ.get("PGTMP_KEEP"):
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- clients -----------------------------------------------------------

    def url(self, dbname="postgres"):
        """A libpq URL of database dbname on this cluster."""
        q = urllib.parse.urlencode({"host": self.dir, "port": self.port,
                                    "user": "postgres"}, safe="/")
        return "postgresql:///%s?%s" % (urllib.parse.quote(dbname, safe=""), q)

    def psql(self, sql, dbname="postgres", check=True):
        """Run sql through psql (ON_ERROR_STOP, unaligned, tuples only);
        its stdout. check=False returns the CompletedProcess instead."""
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v",
                            "ON_ERROR_STOP=1", "-d", self.url(dbname)],
                           input=sql, capture_output=True, text=True)
        if not check:
            return r
        if r.returncode != 0:
            raise RuntimeError("pgtmp: psql failed (%d): %s"
                               % (r.returncode, r.stderr))
        return r.stdout

    def create_database(self, name):
        """A fresh, empty database; its URL."""
        self.psql('CREATE DATABASE "%s"' % name.replace('"', '""'))
        return self.url(name)


# -- the command line ---------------------------------------------------------

def _run(cmd):
    """Start a cluster, run cmd with EXPERTD_TEST_PG_URL set, stop; cmd's
    status (128+N if a signal ended it or us)."""
    got = []
    armed = [True]      # a signal interrupts only once, and not the cleanup

    def on_signal(signo, _frame):
        got.append(signo)
        if armed[0]:
            armed[0] = False
            raise KeyboardInterrupt

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    child = None
    try:
        with Cluster() as pg:
            env = dict(os.environ, EXPERTD_TEST_PG_URL=pg.url("postgres"))
            try:
                child = subprocess.Popen(cmd, env=env, process_group=0)
                rc = child.wait()
                armed[0] = False
                _end_group(child)
                return _exit_status(rc)
            except OSError as e:
                armed[0] = False
                print("pgtmp: %s: %s" % (cmd[0], e), file=sys.stderr)
                return 127
            except KeyboardInterrupt:    # the command first, then the server
                _end_child(child, got[0] if got else signal.SIGTERM)
                return 128 + (got[0] if got else signal.SIGINT)
    except KeyboardInterrupt:            # while the server was starting
        return 128 + (got[0] if got else signal.SIGINT)


def _end_child(child, signo):
    """Pass the signal on to the command's process group, wait for the
    command (SIGKILL if it does not end), then end what it left."""
    if child is None:
        return
    if child.poll() is None:
        _signal_group(child, signo)
        try:
            child.wait(STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    _end_group(child)


def _end_group(child):
    """SIGKILL what is left of the command's process group (its own: the
    command runs as a group leader), before the server stops under it."""
    _signal_group(child, signal.SIGKILL)


def _signal_group(child, signo):
    try:
        os.killpg(child.pid, signo)
    except ProcessLookupError:
        pass


def _exit_status(rc):
    return 128 - rc if rc < 0 else rc


def main(argv):
    if len(argv) < 3 or argv[0] != "run" or argv[1] != "--":
        print("usage: pgtmp.py run -- CMD [ARGS...]", file=sys.stderr)
        return 64
    if not available():
        print("pgtmp: no PostgreSQL 15 in %s" % PG_BIN, file=sys.stderr)
        return 69
    try:
        return _run(argv[2:])
    except RuntimeError as e:
        print(e, file=sys.stderr)
        return 70


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
