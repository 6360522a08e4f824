"""Integration test harness: the real expertd on real sockets in a temp dir,
driven through the real expertctl (and raw ZeroMQ, through RawClient, for
what expertctl would not send).

Binaries come from the environment (set by CTest): EXPERTD, EXPERTCTL,
GENROSTER. Nothing sleeps to synchronise: readiness is a bounded ping loop.

EXPERTD_TEST_STORE=postgresql (ctest's integration_pg.NAME) runs every
daemon on PostgreSQL (--store-url, a database per daemon directory); a
test that can only mean SQLite is marked sqlite_only(why), and one that
opens the SQLite file unmarked fails there (Daemon.db). store_rows()
reads what was stored on either.
"""
import atexit
import copy
import csv
import datetime
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

import msgpack
import zmq

EXPERTD = os.environ.get("EXPERTD", "expertd")
EXPERTCTL = os.environ.get("EXPERTCTL", "expertctl")
GENROSTER = os.environ.get("GENROSTER", "expert-genroster")

# The store the daemons run on (issue #15): SQLite files (the default), or
# "postgresql": one throw-away cluster per test process (tests/pgtmp.py),
# started on first use, and a fresh database per daemon directory.
STORE = os.environ.get("EXPERTD_TEST_STORE", "sqlite")
ON_POSTGRES = STORE == "postgresql"

START_DEADLINE = 30.0   # seconds; ASan builds start slowly
REPLY_WAIT = 60.0       # seconds a RawClient call waits; ASan builds are slow

CST = datetime.timezone(datetime.timedelta(hours=8))


def _ephemeral_range():
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            lo, hi = (int(x) for x in f.read().split())
            return lo, hi
    except (OSError, ValueError):
        return 32768, 60999


def free_tcp_port():
    """A loopback port that is free now, chosen below the kernel's
    ephemeral range: port 0 would hand out an ephemeral port, which the
    many client connections of parallel tests also draw their source
    ports from, so the daemon could find it taken by the time it binds."""
    lo, _ = _ephemeral_range()
    top = max(lo - 1, 10000)
    for _ in range(200):
        port = random.randint(max(top - 12000, 1024), top)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("no free loopback port below %d" % lo)


def cst_day(days):
    """The date `days` days from today in Beijing."""
    return datetime.datetime.now(CST).date() + datetime.timedelta(days=days)


def cst(days, hour=9, minute=0):
    """A time `days` days after today in Beijing, as expertctl takes it."""
    return "%s %02d:%02d" % (cst_day(days).isoformat(), hour, minute)


def draw_args(specialty, members, day=None, *extra, start=None, end=None,
              hours=(9, 17), kind="competition", backups=0, respond=None, orgs=()):
    """The arguments of `expertctl draw`. The task runs on the day `day`
    days from today in Beijing, from hours[0] to hours[1] o'clock; or, if
    start is given, from start to end (unix seconds; end defaults to eight
    hours later). backups, respond (--respond-within, seconds) and orgs
    add their options when given; extra is appended as it is."""
    if start is None:
        start, end = cst(day, hours[0]), cst(day, hours[1])
    elif end is None:
        end = start + 8 * 3600
    a = ["draw", "--kind", kind, "--specialty", specialty, "--members",
         str(members), "--start", str(start), "--end", str(end)]
    if backups:
        a += ["--backups", str(backups)]
    if respond:
        a += ["--respond-within", str(respond)]
    for o in orgs:
        a += ["--org", o]
    return a + list(extra)


def unpack(data):
    """A reply or event body: str keys and values, int keys allowed."""
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def pack_request(op, rid, args=None, v=1):
    """A request body as PROTOCOL.md 5.3 frames it."""
    return msgpack.packb({"v": v, "id": rid, "op": op, "args": args or {}},
                         use_bin_type=True)


class RawClient:
    """One DEALER connection of its own, for what expertctl would not do:
    send bytes it never frames, keep many requests in flight, or hold one
    connection open across requests (throttling, forbidden after a
    reload). Frames are [empty][body] both ways (PROTOCOL.md 5.3).

    curve_server: the server's public key (Z85 str) for a CURVE
    connection; curve_keys: (public, secret) bytes of the client, or a
    fresh pair if None. ctx: a zmq.Context to share; by default its own,
    which close() terminates. ipv6: allow an IPv6 endpoint."""

    def __init__(self, endpoint, curve_server=None, curve_keys=None, ctx=None, ipv6=False):
        self.own_ctx = ctx is None
        self.ctx = zmq.Context() if ctx is None else ctx
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if ipv6:      # to reach tcp://[::1]:PORT, as expertctl can
            self.sock.setsockopt(zmq.IPV6, 1)
        if curve_server:
            pub, sec = curve_keys or zmq.curve_keypair()
            self.sock.curve_serverkey = curve_server.encode()
            self.sock.curve_publickey = pub
            self.sock.curve_secretkey = sec
        self.sock.connect(endpoint)

    def send(self, *frames):
        """Send the frames exactly as given (framing included)."""
        self.sock.send_multipart(list(frames))

    def send_request(self, op, args=None, rid=None):
        """Send one request without waiting; returns its id."""
        rid = rid or os.urandom(12).hex()
        self.send(b"", pack_request(op, rid, args))
        return rid

    def recv(self, timeout_ms=10000):
        """The next reply, decoded, or None if none came in time."""
        if not self.sock.poll(timeout_ms):
            return None
        frames = self.sock.recv_multipart()
        assert frames[0] == b"", frames
        return unpack(frames[-1])

    def call_envelope(self, env):
        """Send the request envelope env (a dict, packed as it is) and
        return its reply; fails if none comes in REPLY_WAIT."""
        self.send(b"", msgpack.packb(env))
        rep = self.recv(int(REPLY_WAIT * 1000))
        if rep is None:
            raise AssertionError("no reply to %r" % (env,))
        return rep

    def call(self, op, args=None, rid=None):
        """One request and its reply; fails if none comes in REPLY_WAIT."""
        rid = self.send_request(op, args, rid)
        rep = self.recv(int(REPLY_WAIT * 1000))
        if rep is None:
            raise AssertionError("no reply to %s" % op)
        assert rep["id"] == rid, rep
        return rep

    def pipeline(self, requests, window=64, timeout_ms=60000):
        """Send (id, op, args) requests with up to `window` in flight, in
        the order given; returns {id: reply}. Fails if any reply takes
        longer than timeout_ms."""
        replies, pending = {}, list(requests)
        inflight = 0
        while pending or inflight:
            while pending and inflight < window:
                rid, op, args = pending.pop(0)
                self.send_request(op, args, rid)
                inflight += 1
            rep = self.recv(timeout_ms)
            if rep is None:
                raise AssertionError("no reply within %d ms" % timeout_ms)
            replies[rep["id"]] = rep
            inflight -= 1
        return replies

    def close(self):
        self.sock.close(0)
        if self.own_ctx:
            self.ctx.term()


class Result:
    def __init__(self, proc):
        self.rc = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.json = None
        if self.out.strip().startswith(("{", "[")):
            try:
                self.json = json.loads(self.out)
            except ValueError:
                self.json = None

    def __repr__(self):
        return "rc=%d out=%r err=%r" % (self.rc, self.out[:2000], self.err[:2000])


def sqlite_only(reason):
    """Skip a test (or a class) on PostgreSQL: what it checks can only
    mean SQLite; reason says why."""
    return unittest.skipIf(ON_POSTGRES, "SQLite only: " + reason)


class PgStore:
    """The test process's PostgreSQL: one cluster, started on first use
    and stopped at exit, and one database per daemon directory, so two
    daemons in one directory share it as they would share the file.
    Under `tests/pgtmp.py run -- ctest ...` (EXPERTD_TEST_PG_URL set) the
    whole run shares that one cluster instead: no start per test."""

    def __init__(self):
        self.cluster = None
        self.urls = {}

    def url(self, workdir):
        key = os.path.realpath(workdir)
        if key not in self.urls:
            name = "expertd_%d_%d" % (os.getpid(), len(self.urls))
            shared = os.environ.get("EXPERTD_TEST_PG_URL")
            if shared:
                self.urls[key] = self.create_shared(shared, name)
            else:
                self.urls[key] = self.own_cluster().create_database(name)
        return self.urls[key]

    def own_cluster(self):
        if self.cluster is None:
            sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                            ".."))
            import pgtmp
            self.cluster = pgtmp.Cluster().start()
            atexit.register(self.cluster.stop)
        return self.cluster

    def copy(self, template_dir, workdir):
        """Give workdir a database of its own that is a copy of
        template_dir's (CREATE DATABASE ... TEMPLATE: no daemon may be
        connected to that one); its URL."""
        key = os.path.realpath(workdir)
        assert key not in self.urls, "workdir already has a database"
        source = self.urls[os.path.realpath(template_dir)]
        name = "expertd_%d_%d" % (os.getpid(), len(self.urls))
        template = urllib.parse.urlsplit(source).path.lstrip("/")
        shared = os.environ.get("EXPERTD_TEST_PG_URL")
        any_db = shared or self.own_cluster().url("postgres")
        self.urls[key] = self.create_shared(any_db, name, template)
        return self.urls[key]

    @staticmethod
    def create_shared(url, name, template=None):
        """A new database on the cluster at url (which names another), empty
        or a copy of the database template; its URL."""
        sql = 'CREATE DATABASE "%s"' % name
        if template:
            sql += ' TEMPLATE "%s"' % template
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url,
                            "-c", sql], capture_output=True, text=True)
        if r.returncode != 0:
            raise AssertionError("psql: %s" % r.stderr)
        scheme, _, rest = url.partition(":///")
        return "%s:///%s?%s" % (scheme, name, rest.partition("?")[2])

    @staticmethod
    def rows(url, sql):
        """The rows of sql, bytea as bytes, integers as int, NULL as None."""
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-P", "null=\x1d", "-F", "\x1f", "-R", "\x1e",
                            "-d", url, "-c", sql], capture_output=True)
        if r.returncode != 0:
            raise AssertionError("psql: %s" % r.stderr.decode(errors="replace"))

        def value(v):
            t = v.decode()
            if t == "\x1d":
                return None
            if re.fullmatch(r"\\x(?:[0-9a-f]{2})*", t):
                return bytes.fromhex(t[2:])
            return int(t) if re.fullmatch(r"-?[0-9]+", t) else t
        out = r.stdout.rstrip(b"\n")
        return [tuple(value(v) for v in row.split(b"\x1f"))
                for row in out.split(b"\x1e") if row] if out else []


PG_STORE = PgStore()


def store_argv(workdir, path):
    """The options of a daemon started by hand in workdir: its SQLite file
    path, or on PostgreSQL the database of workdir."""
    if ON_POSTGRES:
        return ["--store-url", PG_STORE.url(workdir)]
    return ["--db", path]


def store_rows(daemon, sql, params=()):
    """The rows of a query on daemon's store, whichever it is: for tests
    that look at what was stored (sealed data, the seat history). Blobs
    are bytes on both."""
    if not ON_POSTGRES:
        import sqlite3
        with sqlite3.connect(daemon.db) as conn:
            rows = conn.execute(sql, params).fetchall()
        conn.close()
        return rows
    assert not params, "no parameters on PostgreSQL"
    return PG_STORE.rows(daemon.store_url, sql)


class Daemon:
    """One expertd process with its own directory, database and socket."""

    def __init__(self, workdir, secure=None, endpoint=None, extra=()):
        self.dir = workdir
        self._db = os.path.join(workdir, "expertd.db")
        self._url = None
        self.endpoint = endpoint or "ipc://" + os.path.join(workdir, "expertd.sock")
        self.secure = secure      # dict(server_key=..., allowlist=...) or None
        self.extra = list(extra)
        self.proc = None
        self.log_path = os.path.join(workdir, "expertd.log")
        # Tests run in parallel: never the default metrics port.
        self.metrics = "127.0.0.1:%d" % free_tcp_port()
        # Nor the default event, answer and notification endpoints.
        self.pub = "ipc://" + os.path.join(workdir, "pub.sock")
        self.answer = "ipc://" + os.path.join(workdir, "answer.sock")
        self.notify = "ipc://" + os.path.join(workdir, "notify.sock")
        # The signing key (PROTOCOL.md 4.3.1), in the file expertctl keygen
        # --sign writes (see fast_sign_key); a second daemon in the same
        # directory shares it.
        self.sign_key = os.path.join(workdir, "sign.key")
        if not os.path.exists(self.sign_key):
            fast_sign_key(workdir)

    @property
    def db(self):
        """The SQLite file. A test that opens it can only mean SQLite: on
        PostgreSQL it fails here, to be marked sqlite_only(why)."""
        if ON_POSTGRES:
            raise AssertionError("this test uses the daemon's SQLite file but runs on "
                                 "PostgreSQL: mark it harness.sqlite_only(why)")
        return self._db

    @db.setter
    def db(self, path):
        self._db = path

    @property
    def store_url(self):
        """The PostgreSQL URL of this daemon's database (made on first use)."""
        if self._url is None:
            self._url = PG_STORE.url(self.dir)
        return self._url

    def share_store(self, other):
        """Run on other's database (a standby, a twin)."""
        self._db = other._db
        self._url = other.store_url if ON_POSTGRES else None

    def store_argv(self):
        """The options naming the store: --store-url on PostgreSQL."""
        if ON_POSTGRES:
            return ["--store-url", self.store_url]
        return ["--db", self._db]

    def store_config(self):
        """The [store] section of an INI file naming the same store."""
        if ON_POSTGRES:
            return "[store]\nurl = %s\n" % self.store_url
        return "[store]\npath = %s\n" % self._db

    def argv(self):
        a = [EXPERTD] + self.store_argv() + ["--listen", self.endpoint,
             "--log-level", "debug", "--metrics-listen", self.metrics,
             "--pub-listen", self.pub, "--answer-listen", self.answer,
             "--notify-listen", self.notify, "--sign-key", self.sign_key]
        if self.secure:
            a += ["--secret-key", self.secure["server_key"],
                  "--allowlist", self.secure["allowlist"]]
        else:
            a += ["--insecure"]
        return a + self.extra

    def start(self, client=None):
        """Start and wait (bounded) until a ping through client(daemon)
        answers."""
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.argv(), stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + START_DEADLINE
        ctl = (client or Ctl)(self)
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                self.proc = None
                raise AssertionError("expertd exited at start: %s" % self.read_log())
            if self.ping(ctl, 500):
                return self
        self.kill9()
        raise AssertionError("expertd did not answer within %ss: %s" %
                             (START_DEADLINE, self.read_log()))

    def ping(self, ctl, timeout_ms):
        """Whether a ping as ctl's principal is answered ok within
        timeout_ms: one connection of its own, closed after (unsent
        requests dropped), as one `expertctl --retries 0 ping` would do,
        but without an ASan process start for each of the two or three
        tries a start takes (the daemon's own start is what is waited
        for). A ctl on other endpoints than this daemon's runs expertctl."""
        if ctl.endpoints != self.endpoint:
            return ctl.run("ping", timeout=timeout_ms, retries=0, check=False).rc == 0
        curve = {}
        if ctl.key:
            curve = {"curve_server": secret_of(ctl.server_pub)[0].decode(),
                     "curve_keys": secret_of(ctl.key)}
        conn = RawClient(self.endpoint, ipv6=True, **curve)
        try:
            rid = conn.send_request("ping")
            rep = conn.recv(timeout_ms)
            return rep is not None and rep["id"] == rid and rep["status"] == "ok"
        finally:
            conn.close()

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def stop(self):
        """SIGTERM; expertd must exit 0."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            rc = self.proc.wait(timeout=30)
            self.log.close()
            self.proc = None
            return rc
        return None

    def kill9(self):
        self.proc.kill()
        self.proc.wait(timeout=30)
        self.log.close()
        self.proc = None


# ---- Chinese for people (issue #13 item 1) --------------------------------

ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8"}
CJK = re.compile(r"[\u4e00-\u9fff]")
# Three or more English words in a row: a sentence left untranslated.
ENGLISH = re.compile(r"\b[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,}){2,}\b")
# What stays English on purpose: commands, options and codes people type,
# the synopsis, and data (names of principals, file names, stored history).
KEEP = re.compile(
    r"`[^`]*`|expertctl(?: [a-z][a-z-]*)*|--[a-z-]+(?: [A-Z][A-Z_]*)?|"
    r"\([a-z_]+\)|local-operator|import \d+ line \d+[^\n]*|"
    r"[\w./-]+\.(?:csv|sock|db)|\b[A-Z]{2,}\b|\[[^\]]*\]|"
    r"之一：[a-z_]+(?:, [a-z_]+)*|"  # the values an option takes, as typed
    r"(?:ipc|tcp)://[^\s,，：]+")      # endpoints


def untranslated(text):
    """The lines of text with an English sentence left in them."""
    bad = []
    for line in text.splitlines():
        if line.startswith(("用法：", "usage:")):
            continue          # a synopsis names options, which stay as typed
        rest = KEEP.sub(" ", line)
        if ENGLISH.search(rest):
            bad.append(line)
    return bad


# Failures that change nothing when run again: usage (2) and the client's
# own refusals (66, 73, 76, 77, 78), and the daemon's error replies (1)
# except those that leave a trace: a failed draw is recorded, a bad token
# counts against its target, busy/unavailable/internal are the moment's.
SWEEP_CLIENT_RC = {2, 66, 73, 76, 77, 78}
SWEEP_SKIP_STATUS = ("insufficient_candidates", "invalid_token", "throttled", "busy",
                     "unavailable", "internal", "expired", "already_answered",
                     "replaced", "cancelled")
SWEEP_SKIP_ARGS = {"confirm", "decline", "answer", "unavailable", "--answer-endpoint"}


def sweep_rerun(args, rc, err):
    """Whether a failed non-JSON expertctl run is worth repeating in Chinese
    (EXPERTD_I18N_SWEEP): its failure must change nothing."""
    if rc in SWEEP_CLIENT_RC:
        return True
    if rc != 1 or SWEEP_SKIP_ARGS & set(args):
        return False
    m = re.match(r"expertctl: ([a-z_]+): ", err)
    return bool(m) and m.group(1) not in SWEEP_SKIP_STATUS


class Ctl:
    """expertctl bound to one daemon (and, in secure mode, one client key)."""

    def __init__(self, daemon, key=None, server_pub=None, endpoints=None):
        """endpoints: a comma-separated list of daemons (PROTOCOL.md 6.4)
        instead of daemon's; server_pub may then be a list too."""
        self.daemon = daemon
        self.key = key
        self.server_pub = server_pub
        self.endpoints = endpoints or daemon.endpoint
        # Repeat failures in Chinese (EXPERTD_I18N_SWEEP); off where a
        # test counts the requests themselves.
        self.sweep = True

    def base(self, timeout=5000, retries=2):
        a = [EXPERTCTL, "--endpoint", self.endpoints,
             "--timeout", str(timeout), "--retries", str(retries)]
        if self.key:
            a += ["--key", self.key, "--server-key", self.server_pub]
        return a

    def run(self, *args, json_out=False, timeout=10000, retries=2, check=True,
            request_id=None, input=None, env=None):
        a = self.base(timeout, retries)
        extra = env or {}
        if json_out:
            a.append("--json")
        if request_id:
            a += ["--request-id", request_id]
        a += list(args)
        env = ctl_env()
        env.update(extra)
        p = subprocess.run(a, capture_output=True, text=True, env=env, input=input,
                           timeout=600)
        r = Result(p)
        if (self.sweep and os.environ.get("EXPERTD_I18N_SWEEP") and not json_out
                and not extra
                and sweep_rerun(args, r.rc, r.err)):
            self.chinese_too(a, env, input, r)
        if check and r.rc != 0:
            raise AssertionError("expertctl %s failed: %r" % (" ".join(args), r))
        return r

    @staticmethod
    def chinese_too(a, env, input, first):
        """The same failure under a Chinese locale must read in Chinese and
        end with the same status (every failure any test provokes, with
        EXPERTD_I18N_SWEEP set, as ctest sets it)."""
        p = subprocess.run(a, capture_output=True, text=True, env=dict(env, **ZH),
                           input=input, timeout=600)
        text = p.stdout + p.stderr
        where = "expertctl %s under zh_CN" % " ".join(a[1:])
        if os.environ.get("EXPERTD_I18N_SWEEP_LOG"):   # what the sweep saw
            with open(os.environ["EXPERTD_I18N_SWEEP_LOG"], "a") as f:
                f.write(text.replace("\n", " | ") + "\n")
        if p.returncode != first.rc:
            raise AssertionError("%s: status %d, %d in English" % (where, p.returncode,
                                                                   first.rc))
        if not CJK.search(text) or untranslated(text):
            raise AssertionError("%s: English left: %r" % (where,
                                 untranslated(text) or text))

    def run_many(self, arg_lists, parallel=8, json_out=False, timeout=10000):
        """Run several expertctl commands, up to `parallel` at a time;
        returns their Results in the order given (none is checked)."""
        env = ctl_env()
        results = [None] * len(arg_lists)
        pending = list(enumerate(arg_lists))
        running = []
        while pending or running:
            while pending and len(running) < parallel:
                i, args = pending.pop(0)
                a = self.base(timeout) + (["--json"] if json_out else []) + list(args)
                running.append((i, subprocess.Popen(
                    a, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                    env=env)))
            i, p = running.pop(0)
            out, err = p.communicate(timeout=600)
            results[i] = Result(subprocess.CompletedProcess(p.args, p.returncode,
                                                            out, err))
        return results

    def json(self, *args, **kw):
        r = self.run(*args, json_out=True, **kw)
        if r.json is None:
            raise AssertionError("expertctl %s printed no JSON: %r" % (" ".join(args), r))
        return r.json


def ctl_env():
    """The environment of an expertctl the harness runs: none of the
    variables that would name another daemon or key, and
    EXPERTCTL_ASAN_OPTIONS, when set, as its ASAN_OPTIONS. The PostgreSQL
    twins set detect_leaks=0 there: they run the same expertctl commands
    as the SQLite tests, which check them for leaks, and the leak check at
    each exit was half of an expertctl's CPU (expertd's own leak check
    stays on in both)."""
    env = dict(os.environ)
    for k in ("EXPERTD_ENDPOINT", "EXPERTCTL_KEY", "EXPERTD_SERVER_KEY"):
        env.pop(k, None)
    if env.get("EXPERTCTL_ASAN_OPTIONS"):
        env["ASAN_OPTIONS"] = env["EXPERTCTL_ASAN_OPTIONS"]
    return env


def sign_keygen(dirname, name="sign"):
    """`expertctl keygen --sign DIR/NAME`: the signing key file's path."""
    base = os.path.join(dirname, name)
    subprocess.run([EXPERTCTL, "keygen", "--sign", base], capture_output=True,
                   check=True)
    return base + ".key"


def _sign_key_files(seed_hex, public_hex):
    """The text of DIR/NAME.key and DIR/NAME.pub as fast_sign_key writes them."""
    return ("# expertd signing key: keep this file private\n[sign]\n"
            "public-key = %s\nseed = %s\n" % (public_hex, seed_hex),
            "# expertd signing public key\n[sign]\npublic-key = %s\n" % public_hex)


def _checked_sign_key_format(_checked=[]):
    """Once per process: fast_sign_key's files must be exactly what
    `expertctl keygen --sign` writes for the same key (text and modes)."""
    if _checked:
        return
    d = tempfile.mkdtemp(prefix="expertd-test-")
    try:
        key = sign_keygen(d)
        with open(key) as f:
            text = f.read()
        seed = re.search(r"(?m)^seed = ([0-9a-f]{64})$", text).group(1)
        public = re.search(r"(?m)^public-key = ([0-9a-f]{64})$", text).group(1)
        with open(os.path.join(d, "sign.pub")) as f:
            pub_text = f.read()
        ours = _sign_key_files(seed, _sign_public(bytes.fromhex(seed)).hex())
        modes = (os.stat(key).st_mode & 0o777, os.stat(os.path.join(d, "sign.pub")).st_mode
                 & 0o777)
        if (text, pub_text) != ours or modes != (0o600, 0o644):
            raise AssertionError("expertctl keygen --sign no longer writes what "
                                 "harness.fast_sign_key writes: %r %r %o %o"
                                 % (text, pub_text, *modes))
        _checked.append(True)
    finally:
        shutil.rmtree(d, True)


def _sign_public(seed):
    """The Ed25519 public key of a 32-byte seed (libsodium)."""
    import ctypes
    na = ctypes.CDLL("libsodium.so.23")
    pk, sk = ctypes.create_string_buffer(32), ctypes.create_string_buffer(64)
    if na.crypto_sign_seed_keypair(pk, sk, seed) != 0:
        raise AssertionError("crypto_sign_seed_keypair failed")
    return pk.raw


def fast_sign_key(dirname, name="sign"):
    """A fresh signing key in the files `expertctl keygen --sign DIR/NAME`
    writes (a random seed, its Ed25519 public key), made here: an ASan
    process start per test saved. The format is checked against the real
    keygen once per process (_checked_sign_key_format). Returns the .key path."""
    _checked_sign_key_format()
    base = os.path.join(dirname, name)
    seed = os.urandom(32)
    key_text, pub_text = _sign_key_files(seed.hex(), _sign_public(seed).hex())
    fd = os.open(base + ".key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key_text)
    fd = os.open(base + ".pub", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "w") as f:
        f.write(pub_text)
    return base + ".key"


class Sealed:
    """Personal data sealed at rest (expertd(8), PERSONAL DATA AT REST),
    opened here from the signing key file alone, with libsodium itself:
    what a test needs to look inside what the daemon stored."""

    def __init__(self, sign_key_path):
        import ctypes
        import hashlib
        with open(sign_key_path) as f:
            seed = bytes.fromhex(next(line.split("=", 1)[1].strip() for line in f
                                      if line.strip().startswith("seed")))
        self.data_key = hashlib.blake2b(b"expertd-data-key-v1", key=seed,
                                        digest_size=32).digest()
        self.index_key = hashlib.blake2b(b"expertd-index-key-v1", key=seed,
                                         digest_size=32).digest()
        self._na = ctypes.CDLL("libsodium.so.23")
        self._ct = ctypes

    @staticmethod
    def is_sealed(blob):
        return isinstance(blob, (bytes, memoryview)) and len(blob) >= 41 \
            and bytes(blob[:1]) == b"\xc1"

    def open(self, ad, blob):
        """The clear bytes of a sealed value, or None if it does not open."""
        blob = bytes(blob)
        ct = self._ct
        nonce, c = blob[1:25], blob[25:]
        out = ct.create_string_buffer(len(c))
        n = ct.c_ulonglong(0)
        rc = self._na.crypto_aead_xchacha20poly1305_ietf_decrypt(
            out, ct.byref(n), None, c, ct.c_ulonglong(len(c)), ad.encode(),
            ct.c_ulonglong(len(ad.encode())), nonce, self.data_key)
        return out.raw[:n.value] if rc == 0 else None

    def index(self, what, value):
        import hashlib
        return hashlib.blake2b(what.encode() + b"\0" + value.encode(),
                               key=self.index_key, digest_size=16).digest()

    def replies(self, daemon):
        """Every recorded reply (PROTOCOL.md 6.2) of daemon's store,
        opened: the test fails if one does not open."""
        out = []
        for principal, rid, reply in store_rows(
                daemon, "SELECT principal, request_id, reply FROM requests"):
            clear = self.open("requests.reply:%s\x1f%s" % (principal, rid), reply)
            if clear is None:
                raise AssertionError("recorded reply %s/%s does not open"
                                     % (principal, rid))
            out.append(clear)
        return out


def secret_of(key_file):
    """(public, secret) Z85 bytes of an expertctl keygen .key file (a
    .pub file has no secret: then (public, None))."""
    kv = {}
    with open(key_file) as f:
        for line in f:
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.split("=", 1)
                kv[k.strip()] = v.strip()
    sec = kv.get("secret-key")
    return kv["public-key"].encode(), sec.encode() if sec else None


def keygen(dirname, name):
    """`expertctl keygen DIR/NAME`: (secret key file, public key file,
    public key in Z85, what keygen printed)."""
    base = os.path.join(dirname, name)
    p = subprocess.run([EXPERTCTL, "keygen", base], capture_output=True, text=True,
                       check=True)
    with open(base + ".pub") as f:
        pub = [l.split("=", 1)[1].strip() for l in f if l.strip().startswith("public-key")]
    return base + ".key", base + ".pub", pub[0], p.stdout


class CtlProcess:
    """A long-running expertctl (a watch). A thread keeps reading its
    stdout, so a full pipe never stalls it (that would make it a slow
    subscriber by accident); each line goes through parse() into lines."""

    def __init__(self, argv, env, parse=None):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.parse = parse or (lambda raw: raw.decode("utf-8", "replace"))
        self.lines = []
        self.err = ""
        self.cond = threading.Condition()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            with self.cond:
                self.lines.append(self.parse(line))
                self.cond.notify_all()

    def read_lines(self, n, timeout):
        """Wait (bounded) until n lines were printed; returns the lines."""
        with self.cond:
            self.cond.wait_for(lambda: len(self.lines) >= n, timeout)
            return list(self.lines)

    def wait_for(self, pred, timeout):
        """Wait (bounded) until a line satisfies pred; returns all that do."""
        with self.cond:
            self.cond.wait_for(lambda: any(pred(m) for m in self.lines), timeout)
            return [m for m in self.lines if pred(m)]

    def running(self):
        return self.proc.poll() is None

    def finish(self, timeout):
        """Wait for the exit; keeps stderr in self.err; returns the status."""
        self.err = self.proc.stderr.read().decode("utf-8", "replace")
        rc = self.proc.wait(timeout)
        self.reader.join(timeout)
        return rc

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(10)
        self.proc.stdout.close()
        self.proc.stderr.close()


def genroster(path, count, seed=1, encoding="utf8", headers="zh", invalid=0):
    """Write a roster; returns the generator's stderr (invalid-row report)."""
    a = [GENROSTER, "--count", str(count), "--seed", str(seed),
         "--encoding", encoding, "--headers", headers, "--out", path]
    if invalid:
        a += ["--invalid", str(invalid)]
    p = subprocess.run(a, capture_output=True, text=True, check=True)
    return p.stderr


def today():
    return datetime.date.today().isoformat()


def read_roster(path):
    """A genroster CSV as one dict a row, by its header."""
    with open(path, encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def roster_secrets(people):
    """What no stream, log or page may show of read_roster()'s people:
    their resident IDs, phone numbers and full names."""
    secrets = set()
    for p in people:
        secrets |= {p["身份证号"], p["手机"], p["姓名"]}
    return secrets


def top_specialty(ctl):
    """The specialty most experts of the pool have (a tie: the greatest)."""
    counts = {}
    for e in ctl.json("pool", "list", "--limit", "1000")["experts"]:
        for s in e["specialties"]:
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=lambda s: (counts[s], s))


def start_chromium(window, wait, browser_log=False):
    """Headless Chromium through Selenium (Debian chromium, chromium-driver,
    python3-selenium) with a profile of its own, its languages Chinese
    first, the window `window` ("W,H"); with browser_log, the console's
    messages kept for get_log("browser"). Returns (driver, profile dir):
    quit the one and remove the other when done."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    profile = tempfile.mkdtemp(prefix="expertd-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for a in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
              "--no-first-run", "--disable-background-networking",
              "--disable-component-update", "--disable-sync",
              "--disable-dev-shm-usage", "--window-size=" + window,
              "--lang=zh-CN", "--user-data-dir=" + profile):
        opts.add_argument(a)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    if browser_log:
        opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.set_page_load_timeout(wait)
    return driver, profile


class WebProgram:
    """One of the web programs of clients/ (expertd-answer, expertd-console):
    argv plus --port, on a free loopback port, waited for (bounded by wait)
    until it accepts connections, stopped at the test's cleanup; its exit
    status must be 0 (ASan reports leaks through it)."""

    def __init__(self, test, name, argv, wait):
        self.name, self.wait = "expertd-" + name, wait
        self.port = free_tcp_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.path.join(test.dir, "%s-%d.log" % (name, self.port)), "w+b")
        self.proc = subprocess.Popen(argv + ["--port", str(self.port)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        test.addCleanup(self.stop, test)
        deadline = time.time() + wait
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                conn.connect()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    raise AssertionError("%s did not start: %s" % (self.name, self.output()))
                time.sleep(0.05)
            finally:
                conn.close()

    def output(self):
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self, test):
        self.proc.terminate()
        rc = self.proc.wait(self.wait)
        test.assertEqual(rc, 0, "%s exited %d: %s" % (self.name, rc, self.output()))
        self.log.close()

    def request(self, method, path, body=None, headers=None):
        """(status, headers, text) of one request on its own connection."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.wait)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, dict(r.getheaders()), r.read().decode("utf-8", "replace")
        finally:
            conn.close()


class DaemonTest(unittest.TestCase):
    """A fresh temp dir per test; daemons started in it are stopped at the
    end, and must exit 0 on SIGTERM."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="expertd-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)

    def stop_daemon(self, d):
        # Cleanups also run when setUp fails, so no daemon outlives a test.
        if d.proc is not None:
            rc = d.stop()
            self.assertEqual(rc, 0, "expertd exit status on SIGTERM: " + d.read_log())

    def start_daemon(self, client=None, **kw):
        d = Daemon(self.dir, **kw)
        self.addCleanup(self.stop_daemon, d)
        return d.start(client)

    # The stores made once per class by start_from_template: (class, tag)
    # -> (directory, what build returned).
    _templates = {}

    def start_from_template(self, build, tag="", client=None, files=None, options=None,
                            **kw):
        """A daemon (Daemon(self.dir, **kw), started as start_daemon starts
        it) on a copy of the store build(ctl) made once for this class, and
        a copy of what build returned: each test starts from the very same
        state, as if it had run build itself, without paying for it again.
        The template is made the first time, by a daemon of its own in a
        directory of its own (build may use self.dir-relative helpers such
        as import_roster: self.dir names that directory meanwhile), stopped
        (it must exit 0) before anything is copied; the copy takes every
        file the daemon made there (store, signing key, rosters, log) and,
        on PostgreSQL, the database (CREATE DATABASE ... TEMPLATE).

        files(dir), if given, makes files the daemon needs before it starts
        (keys, an allowlist) in the template's directory; options(dir), if
        given, returns more Daemon keywords and the client for dir.

        Not for a test of the start-time chain check (DRAW.md 4.1): the
        copy's daemon starts on a log it did not write, already checked."""
        key = (type(self), tag)
        if key not in DaemonTest._templates:
            DaemonTest._templates[key] = self.make_template(build, client, files, options,
                                                            kw)
        tdir, state = DaemonTest._templates[key]
        shutil.copytree(tdir, self.dir, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("*.sock", "*.lock"))
        if ON_POSTGRES:
            PG_STORE.copy(tdir, self.dir)
        client, kw = self.template_options(self.dir, client, options, kw)
        d = Daemon(self.dir, **kw)
        self.addCleanup(self.stop_daemon, d)
        return d.start(client), copy.deepcopy(state)

    @staticmethod
    def template_options(dirname, client, options, kw):
        if options is None:
            return client, kw
        more = dict(options(dirname))
        return more.pop("client", client), dict(kw, **more)

    def make_template(self, build, client, files, options, kw):
        tdir = tempfile.mkdtemp(prefix="expertd-test-")
        type(self).addClassCleanup(shutil.rmtree, tdir, True)
        if files:
            files(tdir)
        client, kw = self.template_options(tdir, client, options, kw)
        test_dir, self.dir = self.dir, tdir
        d = Daemon(tdir, **kw)
        try:
            d.start(client)
            state = build((client or Ctl)(d))
        finally:
            self.dir = test_dir
            rc = d.stop()
        self.assertEqual(rc, 0, "expertd exit status on SIGTERM: " + d.read_log())
        return tdir, state

    def start_standby(self, holder, name="b"):
        """A --standby daemon in its own directory on holder's store, with
        holder's signing key; returned once it listens (bounded). It
        answers unavailable, so no ping can tell when it is up."""
        bdir = os.path.join(self.dir, name)
        os.mkdir(bdir)
        b = Daemon(bdir, extra=["--standby"])
        b.share_store(holder)
        b.sign_key = holder.sign_key
        self.addCleanup(self.stop_daemon, b)
        b.log = open(b.log_path, "ab")
        b.proc = subprocess.Popen(b.argv(), stdout=b.log, stderr=b.log)
        for _ in range(400):
            if b.proc.poll() is not None:
                self.fail("the standby exited: %s" % b.read_log())
            if os.path.exists(b.endpoint[len("ipc://"):]):
                return b
            time.sleep(0.05)
        self.fail("the standby never listened: %s" % b.read_log())

    def start_secure_daemon(self, principals, extra=(), prepare=None):
        """A daemon on CURVE whose allowlist holds (name, "principal role
        [bureau]") pairs, each with a key made here; its start is checked
        with the key named "ops" (an operator). Sets self.server_pub (the
        daemon's public key file) and self.keys (name -> secret key file);
        returns the daemon and name -> Ctl. With prepare, the keys, the
        allowlist and the store prepare(ctl) makes come from a template
        (start_from_template; prepare's result is then in self.prepared)."""
        names = [name for name, _ in principals]
        if prepare is None:
            self.secure_files(self.dir, principals)
            opts = self.secure_options(self.dir, extra)
            d = self.start_daemon(client=opts.pop("client"), **opts)
        else:
            d, self.prepared = self.start_from_template(
                prepare, tag=repr(principals),
                files=lambda dirname: self.secure_files(dirname, principals),
                options=lambda dirname: self.secure_options(dirname, extra))
        self.server_pub = os.path.join(self.dir, "server.pub")
        self.keys = {name: os.path.join(self.dir, name + ".key") for name in names}
        return d, {k: Ctl(d, v, self.server_pub) for k, v in self.keys.items()}

    @staticmethod
    def secure_files(dirname, principals):
        """The server's key, a key for each principal and the allowlist."""
        keygen(dirname, "server")
        with open(os.path.join(dirname, "allowlist"), "w") as f:
            for name, rest in principals:
                _, _, pub, _ = keygen(dirname, name)
                f.write("%s %s\n" % (pub, rest))

    @staticmethod
    def secure_options(dirname, extra):
        """start_daemon's keywords for the daemon of secure_files(dirname)."""
        key, pub = (os.path.join(dirname, n) for n in ("ops.key", "server.pub"))
        return {"secure": {"server_key": os.path.join(dirname, "server.key"),
                           "allowlist": os.path.join(dirname, "allowlist")},
                "endpoint": "tcp://127.0.0.1:%d" % free_tcp_port(), "extra": extra,
                "client": lambda d: Ctl(d, key, pub)}

    def write_config(self, text, name="expertd.conf"):
        """An INI file for `Daemon(extra=["--config", path])`; returns path."""
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def open_term(self, ctl, start=None):
        start = start or (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
        return ctl.json("term", "open", "--start", start)

    def import_roster(self, ctl, count, seed=1, encoding="utf8", headers="zh"):
        path = os.path.join(self.dir, "roster-%d-%d.csv" % (count, seed))
        genroster(path, count, seed=seed, encoding=encoding, headers=headers)
        return ctl.json("pool", "import", "--appointed", path)
