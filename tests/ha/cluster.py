"""One etcd and three Patroni-managed PostgreSQL 15 nodes on loopback, in a
directory of their own (scripts/ha-test; the settings are the ones
expertd(8), CLUSTER, and the README explain).

etcd-server is 3.4, whose v2 API is off unless asked for; Patroni 3.0.2
reaches it through its `etcd3` section (the v3 API over etcd's HTTP
gateway; python3-etcd supplies the client classes it builds on), so the
v2 API stays off. Patroni runs as the `postgres` user, which owns each
node's directory, since initdb and postgres refuse to run as root."""
import hashlib
import json
import os
import pwd
import shutil
import subprocess
import time
import urllib.error
import urllib.request

import procs

PG_BIN = "/usr/lib/postgresql/15/bin"
SCOPE = "expertd-ha"

# Patroni's timing (its dynamic configuration, kept in etcd). A primary
# renews its leader key every loop; when it dies the key lives on for at
# most TTL seconds, and only then may the synchronous standby take the
# lock and promote, so TTL bounds the failover time from below. Patroni
# requires loop_wait + 2 * retry_timeout <= ttl (1 + 2*4 = 9 <= 10): a
# primary that cannot reach etcd gives up after retry_timeout, twice at
# worst, and demotes itself before its key can expire and another node
# promote, so there are never two primaries. Its defaults (30/10/10) are
# for slow or distant networks; on loopback, or a LAN, ten seconds is
# enough, and a shorter ttl would turn a slow disk (etcd fsyncs each
# write) into a needless failover.
TTL = 10
LOOP_WAIT = 1
RETRY_TIMEOUT = 4


def http_status(url, timeout=2.0):
    """(HTTP status, body text) of a GET; (None, "") when nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except OSError:
        return None, ""


def http_json(url, timeout=2.0):
    """(status, decoded JSON body or None) of a GET; (None, None) when
    nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as e:
        try:
            return e.code, json.loads(e.read() or b"null")
        except ValueError:
            return e.code, None
    except (OSError, ValueError):
        return None, None


def wait_until(what, pred, timeout, step=0.2):
    """Poll pred() until it returns something true (returned), or fail
    after timeout seconds naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise RuntimeError("timed out after %ds waiting for %s" % (timeout, what))
        time.sleep(step)


class Etcd:
    """One etcd member: a single-node DCS is enough to test a failover of
    PostgreSQL (production runs three or five, on three hosts)."""

    def __init__(self, base, ports, registry):
        self.dir = os.path.join(base, "etcd")
        self.client, self.peer = ports
        self.registry = registry
        self.proc = None

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.client

    def start(self):
        os.makedirs(self.dir, mode=0o700)
        peer = "http://127.0.0.1:%d" % self.peer
        self.proc = self.registry.popen(
            ["etcd", "--name", "ha", "--data-dir", os.path.join(self.dir, "data"),
             "--listen-client-urls", self.url, "--advertise-client-urls", self.url,
             "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
             "--initial-cluster", "ha=" + peer, "--initial-cluster-state", "new",
             "--initial-cluster-token", "expertd-ha"],
            os.path.join(self.dir, "etcd.log"), "etcd")
        wait_until("etcd at " + self.url,
                   lambda: self._healthy() or self._exited(), 30)
        if self.proc.poll() is not None:
            raise RuntimeError("etcd exited %s (see %s/etcd.log)"
                               % (self.proc.returncode, self.dir))

    def _healthy(self):
        status, body = http_json(self.url + "/health")
        return status == 200 and body and body.get("health") == "true"

    def _exited(self):
        return self.proc.poll() is not None


class Node:
    """One PostgreSQL 15 server under its own Patroni."""

    def __init__(self, cluster, name, pg_port, api_port):
        self.cluster = cluster
        self.name = name
        self.pg_port = pg_port
        self.api_port = api_port
        self.dir = os.path.join(cluster.base, name)
        self.data = os.path.join(self.dir, "data")
        self.config_path = os.path.join(self.dir, "patroni.yml")
        self.log_path = os.path.join(self.dir, "patroni.log")
        self.proc = None

    @property
    def api(self):
        return "http://127.0.0.1:%d" % self.api_port

    def config(self):
        """The node's Patroni configuration (what an operator writes in
        /etc/patroni/config.yml; expertd(8), CLUSTER, explains each)."""
        c = self.cluster
        return {
            "scope": SCOPE,
            "namespace": "/expertd-ha/",
            "name": self.name,
            "restapi": {"listen": "127.0.0.1:%d" % self.api_port,
                        "connect_address": "127.0.0.1:%d" % self.api_port},
            "etcd3": {"hosts": ["127.0.0.1:%d" % c.etcd.client]},
            "bootstrap": {"dcs": c.dcs_settings(),
                          "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"},
                                     "data-checksums"]},
            "postgresql": {
                "listen": "127.0.0.1:%d" % self.pg_port,
                "connect_address": "127.0.0.1:%d" % self.pg_port,
                "data_dir": self.data,
                "bin_dir": PG_BIN,
                "pgpass": os.path.join(self.dir, "pgpass"),
                "authentication": {
                    "superuser": {"username": "postgres", "password": c.passwords["postgres"]},
                    "replication": {"username": "replicator",
                                    "password": c.passwords["replicator"]},
                    "rewind": {"username": "rewinder", "password": c.passwords["rewinder"]},
                },
                # Passwords (SCRAM) even on loopback: what production does.
                "pg_hba": ["local all postgres peer",
                           "host all all 127.0.0.1/32 scram-sha-256",
                           "host replication replicator 127.0.0.1/32 scram-sha-256"],
                "parameters": {"unix_socket_directories": self.dir},
            },
        }

    def start(self):
        """Start (or restart, after a kill) this node's Patroni."""
        pw = pwd.getpwnam("postgres")
        if not os.path.isdir(self.dir):
            os.makedirs(self.dir, mode=0o700)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        with open(self.config_path, "w") as f:
            json.dump(self.config(), f, indent=2)     # JSON is YAML
        os.chown(self.config_path, pw.pw_uid, pw.pw_gid)
        os.chmod(self.config_path, 0o600)
        env = {"PATH": "/usr/bin:/bin", "HOME": self.dir, "LANG": "C.UTF-8",
               "PYTHONUNBUFFERED": "1"}
        self.proc = self.cluster.registry.popen(
            ["patroni", self.config_path], self.log_path, "patroni", cwd=self.dir, env=env,
            user=pw.pw_uid, group=pw.pw_gid, extra_groups=[])

    def postmaster_pid(self):
        """The postmaster's PID from its pid file, if it is one of ours
        (its data directory is this node's) and alive; else None."""
        try:
            with open(os.path.join(self.data, "postmaster.pid")) as f:
                pid = int(f.readline())
            with open("/proc/%d/cmdline" % pid, "rb") as f:
                if self.data.encode() not in f.read():
                    return None
        except (OSError, ValueError):
            return None
        if not procs.is_alive(pid, reap=True):
            return None
        self.cluster.registry.adopt(pid, "postmaster of " + self.name)
        return pid

    def kill9(self):
        """kill -9 the node as a host dies: its Patroni, its postmaster and
        every backend at once. Returns the PIDs killed."""
        pm = self.postmaster_pid()
        orphans = [pm] + procs.children(pm) if pm else []
        patroni = [self.proc.pid] if self.proc and self.proc.poll() is None else []
        # The postmaster and (once it is gone) its backends are orphans
        # handed to us as the subreaper; Patroni is a Popen of ours.
        procs.kill9(patroni + orphans, reap=set(orphans))
        if self.proc:
            self.proc.wait(10)
        return patroni + orphans

    def role(self):
        status, body = http_json(self.api + "/patroni", timeout=1.0)
        return body.get("role") if status and body else None

    def psql(self, sql, db="postgres", user="postgres", check=True):
        """One SQL command on this node over TCP; its stdout (unaligned,
        tuples only)."""
        env = dict(os.environ, PGPASSWORD=self.cluster.passwords[user],
                   PGCONNECT_TIMEOUT="3")
        p = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", user,
                            "-d", db, "-c", sql],
                           capture_output=True, text=True, env=env, timeout=60)
        if check and p.returncode != 0:
            raise RuntimeError("psql on %s: %s" % (self.name, p.stderr.strip()))
        return p.stdout.strip()


    def data_digest(self, db):
        """SHA-256 of pg_dump --data-only of db on this node, or None if
        it does not answer. A physical replica holds the primary's pages,
        so the same rows come out in the same order on every node that
        has replayed everything."""
        env = dict(os.environ, PGPASSWORD=self.cluster.passwords["postgres"],
                   PGCONNECT_TIMEOUT="3")
        p = subprocess.run(["pg_dump", "--data-only", "--no-owner", "-h", "127.0.0.1",
                            "-p", str(self.pg_port), "-U", "postgres", db],
                           capture_output=True, env=env, timeout=300)
        if p.returncode != 0:
            return None
        # Not data: pg_dump (15.14 on) brackets its output in \restrict
        # KEY and \unrestrict KEY with a random key of each run; and a
        # sequence's position, which a primary logs 32 values ahead, so
        # a replica reads the logged value and the primary its own.
        lines = [l for l in p.stdout.splitlines(keepends=True)
                 if not l.startswith((b"\\restrict ", b"\\unrestrict ",
                                      b"SELECT pg_catalog.setval("))]
        return hashlib.sha256(b"".join(lines)).hexdigest()


class Cluster:
    """etcd plus three Patroni nodes, in base (a directory of ours)."""

    def __init__(self, base, ports, registry):
        """ports: a callable giving a free loopback port each call."""
        self.base = base
        self.registry = registry
        self.passwords = {u: os.urandom(12).hex()
                          for u in ("postgres", "replicator", "rewinder", "expertd")}
        self.etcd = Etcd(base, (ports(), ports()), registry)
        self.nodes = [Node(self, "pg%d" % i, ports(), ports()) for i in (1, 2, 3)]

    @staticmethod
    def dcs_settings():
        """What the first node writes to etcd at bootstrap (Patroni's
        dynamic configuration, the same for every node)."""
        return {
            "ttl": TTL, "loop_wait": LOOP_WAIT, "retry_timeout": RETRY_TIMEOUT,
            # A COMMIT returns only once a synchronous standby has the
            # WAL on disk, and only that standby may be promoted: an
            # acknowledged write survives the loss of the primary.
            "synchronous_mode": True,
            # With no synchronous standby left, writes wait rather than
            # go on unreplicated (the plain mode would drop to async).
            "synchronous_mode_strict": True,
            "synchronous_node_count": 1,
            # Patroni's default, said aloud: a replica more than 1 MiB of
            # WAL behind the last primary position it saw is never
            # promoted (in synchronous mode only the synchronous standby
            # is a candidate anyway; this guards the others).
            "maximum_lag_on_failover": 1048576,
            "postgresql": {
                # A dead primary that comes back rejoins as a replica by
                # rewinding what it wrote after the last common point,
                # instead of needing a fresh copy.
                "use_pg_rewind": True,
                "use_slots": True,
                # After a failover the other replica reconnects to the
                # new primary, and with synchronous_mode_strict no write
                # commits until it has: retry each second, not every 5.
                "parameters": {"wal_retrieve_retry_interval": "1s",
                               "wal_level": "replica", "hot_standby": "on",
                               "wal_log_hints": "on", "max_wal_senders": 10,
                               "max_replication_slots": 10, "wal_keep_size": "256MB",
                               "password_encryption": "scram-sha-256"},
            },
        }

    def start(self):
        self.etcd.start()
        for n in self.nodes:
            n.start()
        self.wait_healthy(len(self.nodes), timeout=180)

    def members(self):
        """Patroni's view of the cluster ({name: member}) from any node
        that answers, or {}."""
        for n in self.nodes:
            status, body = http_json(n.api + "/cluster", timeout=1.0)
            if status == 200 and body:
                return {m["name"]: m for m in body.get("members", [])}
        return {}

    def leader(self):
        """The node whose Patroni holds the leader key and whose
        PostgreSQL runs as primary, or None."""
        for name, m in self.members().items():
            if m.get("role") == "leader" and m.get("state") == "running":
                node = self.node(name)
                if node.role() in ("master", "primary"):
                    return node
        return None

    def node(self, name):
        return next(n for n in self.nodes if n.name == name)

    def healthy(self, count):
        """A primary and count-1 running replicas, one of them the
        synchronous standby, each replicating with no lag."""
        m = self.members()
        if len(m) < count or self.leader() is None:
            return False
        roles = sorted(x.get("role") for x in m.values())
        if "sync_standby" not in roles:
            return False
        replicas = [x for x in m.values() if x.get("role") != "leader"]
        return all(x.get("state") in ("running", "streaming") and x.get("lag", 1) == 0
                   for x in replicas)

    def wait_healthy(self, count, timeout):
        wait_until("a primary and %d replicas in sync" % (count - 1),
                   lambda: self.healthy(count), timeout, step=0.5)

    def create_database(self, name, owner):
        """The role owner (password self.passwords[owner]) and the database
        name, created on the primary."""
        primary = self.leader()
        primary.psql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (owner, self.passwords[owner]))
        primary.psql("CREATE DATABASE %s OWNER %s" % (name, owner))

    def url(self, db, user=None, connect_timeout=2):
        """The libpq URL listing every node, as expertd's [store] url."""
        hosts = ",".join("127.0.0.1:%d" % n.pg_port for n in self.nodes)
        who = user + "@" if user else ""
        return ("postgresql://%s%s/%s?target_session_attrs=read-write&connect_timeout=%d"
                % (who, hosts, db, connect_timeout))

    def passfile(self, path, user):
        """A libpq password file for user on every node (mode 0600)."""
        with open(path, "w") as f:
            for n in self.nodes:
                f.write("127.0.0.1:%d:*:%s:%s\n" % (n.pg_port, user, self.passwords[user]))
        os.chmod(path, 0o600)
        return path

    def nodes_agree(self, db, timeout=60):
        """(True, digest) once every node's data of db is the same, or
        (False, {node: digest}) after timeout seconds of replay."""
        deadline = time.monotonic() + timeout
        while True:
            digests = {n.name: n.data_digest(db) for n in self.nodes}
            values = set(digests.values())
            if len(values) == 1 and None not in values:
                return True, values.pop()
            if time.monotonic() > deadline:
                return False, digests
            time.sleep(1)

    def summary(self):
        """One line per member: name, role, state, timeline, lag."""
        out = []
        for name, m in sorted(self.members().items()):
            out.append("%s %s %s tl=%s lag=%s" % (name, m.get("role"), m.get("state"),
                                                  m.get("timeline"), m.get("lag", "-")))
        return out


def check_tools():
    """The programs the cluster needs, or a list of what is missing."""
    missing = [t for t in ("etcd", "patroni", "psql") if shutil.which(t) is None]
    if not os.path.exists(os.path.join(PG_BIN, "postgres")):
        missing.append(PG_BIN + "/postgres")
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        missing.append("the postgres user")
    return missing
