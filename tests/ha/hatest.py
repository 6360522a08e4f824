"""scripts/ha-test: kill the database primary and then the active expertd
under load, on loopback, and check that nothing acknowledged was lost or
applied twice, that the audit log verifies, and how long service stopped
(issue #15 item 4). Opt-in: it needs root (Patroni runs as postgres), the
cluster packages of scripts/deps and a few minutes; scripts/test does not
run it."""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

import cluster as clu          # noqa: E402
import load                    # noqa: E402
import procs                   # noqa: E402
from harness import free_tcp_port   # noqa: E402

GOAL_GAP_DB = 15.0        # seconds, issue #15: database primary killed
GOAL_GAP_EXPERTD = 10.0   # seconds, issue #15: active expertd killed
# Ports whose owners may run here: PostgreSQL's 5432 (Debian's 15/main),
# etcd's 2379/2380, Patroni's 8008, expertd's 5570-5573 and 9570.
RESERVED = {5432, 2379, 2380, 8008, 5570, 5571, 5572, 5573, 9570}

DESCRIPTION = """\
Start one etcd and three Patroni-managed PostgreSQL 15 nodes
(synchronous_mode_strict) and two expertd on that cluster, all on
loopback in a temporary directory; drive draws and staff answers from
several expertctl clients given both daemons; kill -9 the primary
database node, wait for the cluster to recover and bring the node back
as a replica; kill -9 the active expertd; then check that every
acknowledged request is in the store exactly once, that a retry with the
same id returns the stored reply, that `expertctl audit verify` passes,
and how long the clients went without an acknowledgement around each
kill. Prints a summary table and exits 1 if anything missed its goal,
2 on a usage or set-up error, 130 when interrupted. Everything it
started is stopped at exit.

Run as root, after scripts/deps (postgresql-15, patroni, etcd-server,
python3-etcd) and a build. It never uses Debian's own 15/main cluster
or the etcd and patroni services the packages install."""


class Build:
    def __init__(self, args):
        d = args.build
        self.expertd = os.environ.get("EXPERTD") or os.path.join(d, "daemon", "expertd")
        self.expertctl = os.environ.get("EXPERTCTL") or os.path.join(d, "clients", "expertctl")
        self.genroster = os.environ.get("GENROSTER") or os.path.join(
            d, "clients", "expert-genroster")

    def missing(self):
        return [p for p in (self.expertd, self.expertctl, self.genroster)
                if not os.access(p, os.X_OK)]


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/ha-test", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--cluster-only", action="store_true",
                      help="no expertd: psql clients write through the multi-host URL "
                           "and only the database primary is killed")
    mode.add_argument("--sqlite", action="store_true",
                      help="no cluster: the two expertd share one SQLite file "
                           "([store] standby) and only the active expertd is killed")
    p.add_argument("--build", default=os.path.join(ROOT, "build", "default"),
                   help="the build directory (default build/default; the "
                        "environment's EXPERTD, EXPERTCTL, GENROSTER win)")
    p.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4)")
    p.add_argument("--warmup", type=float, default=10.0,
                   help="seconds of load before the first kill (default 10)")
    p.add_argument("--after", type=float, default=10.0,
                   help="seconds of load after service resumes, per kill (default 10)")
    p.add_argument("--recovery-timeout", type=float, default=90.0,
                   help="seconds to wait for service after a kill before calling it "
                        "missed (default 90)")
    p.add_argument("--experts", type=int, default=300, help="roster size (default 300)")
    p.add_argument("--keep", action="store_true",
                   help="keep the temporary directory (logs, data) even on success")
    a = p.parse_args(argv)
    if a.clients < 1 or a.clients > 32:
        p.error("--clients: 1 to 32")
    return a


def port_source():
    """A callable giving a distinct free loopback port each call."""
    taken = set()

    def next_port():
        for _ in range(100):
            port = free_tcp_port()
            if port not in taken and port not in RESERVED:
                taken.add(port)
                return port
        raise RuntimeError("no free loopback port")
    return next_port


def say(msg):
    print("ha-test %s %s" % (time.strftime("%H:%M:%S"), msg), flush=True)


class Run:
    """One run: what was started, what was seen, and the results."""

    def __init__(self, args, base):
        self.args = args
        self.base = base
        self.registry = procs.Procs()
        self.ports = port_source()
        self.acks = load.Acks()
        self.kills = {}              # "db" / "expertd" -> (t_kill, t_end)
        self.rows = []               # summary rows
        self.notes = []
        self.cluster = None
        self.pair = None
        self.stop = threading.Event()
        self.deadline = threading.Event()
        self.writers = []

    # ---- load -------------------------------------------------------------

    def save_acks(self):
        """Every acknowledged request (id, op, arguments, reply, seconds
        since the first) in acks.jsonl, one a line, for a look later."""
        items = self.acks.snapshot()
        t0 = min((i["t"] for i in items), default=0)
        with open(os.path.join(self.base, "acks.jsonl"), "w") as f:
            for i in sorted(items, key=lambda i: i["t"]):
                f.write(json.dumps(dict(i, t=round(i["t"] - t0, 3)), ensure_ascii=False)
                        + "\n")

    def start_load(self, plan):
        self.writers = [load.Writer(i, plan, self.acks, self.stop, self.deadline)
                        for i in range(self.args.clients)]
        for w in self.writers:
            w.start()

    def stop_load(self, drain=60.0):
        """Stop starting requests; let those in flight be acknowledged
        (bounded by drain seconds)."""
        self.stop.set()
        end = time.monotonic() + drain
        for w in self.writers:
            w.join(max(0.1, end - time.monotonic()))
        self.deadline.set()
        for w in self.writers:
            w.join(30)
        for w in self.writers:
            if w.error:
                self.notes.append("client error: " + w.error)

    def wait_service(self, t_kill, what, recovered):
        """Block until recovered() (a new primary, a new active expertd)
        and then until a request is acknowledged after it, bounded by
        --recovery-timeout; then --after seconds more of load. (A request
        in flight at the kill may still be acknowledged just after it:
        that is not the service back.)"""
        try:
            clu.wait_until("recovery after the %s kill" % what, recovered,
                           self.args.recovery_timeout, step=0.05)
            t_rec = time.monotonic()
            clu.wait_until("an acknowledgement after the %s kill" % what,
                           lambda: self.acks.count_after(t_rec) > 0,
                           self.args.recovery_timeout, step=0.05)
            gap = load.longest_gap(self.acks.times(), t_kill, time.monotonic())
            say("service back after the %s kill; longest gap so far %.1f s" % (what, gap))
        except RuntimeError as e:
            self.notes.append(str(e))
        time.sleep(self.args.after)

    # ---- the kills --------------------------------------------------------

    def kill_db_primary(self):
        leader = self.cluster.leader()
        if leader is None:
            raise RuntimeError("no primary to kill")
        say("kill -9 the primary %s (Patroni, postmaster, backends)" % leader.name)
        t = time.monotonic()
        pids = leader.kill9()
        say("killed %s: pids %s" % (leader.name, pids))

        def new_primary():
            now = self.cluster.leader()
            return now is not None and now is not leader
        self.wait_service(t, "database primary", new_primary)
        self.kills["db"] = (t, time.monotonic())
        try:
            self.cluster.wait_healthy(2, 60)
            say("cluster: " + "; ".join(self.cluster.summary()))
        except RuntimeError as e:
            self.notes.append("after the kill: %s" % e)
        # The dead node comes back as a replica of the new primary
        # (pg_rewind if it had gone ahead), as after a host's reboot.
        say("restart %s" % leader.name)
        leader.start()
        try:
            self.cluster.wait_healthy(3, 120)
            say("cluster: " + "; ".join(self.cluster.summary()))
        except RuntimeError as e:
            self.notes.append("the killed node did not rejoin: %s" % e)

    def kill_active_expertd(self):
        active = clu.wait_until("one active expertd", self.pair.active, 60)
        say("kill -9 the active %s" % active.name)
        t = time.monotonic()
        active.kill9()

        # Dead and not yet back, the killed one cannot say ready: the
        # first daemon that does is the one that took over (usually the
        # standby; the killed one restarted may win the race).
        self.wait_service(t, "active expertd", lambda: self.pair.active() is not None)
        self.kills["expertd"] = (t, time.monotonic())
        standby = [d for d in self.pair.daemons if d is not active][0]
        say("now active: %s" % (self.pair.active().name if self.pair.active() else "none"))
        if self.pair.active() is not standby:
            self.notes.append("the standby %s did not take over" % standby.name)

    # ---- checks -----------------------------------------------------------

    def gap_row(self, key, label, goal):
        if key not in self.kills:
            self.rows.append((label, "not run", "<= %.0f s" % goal, "-"))
            return True
        t_kill, t_end = self.kills[key]
        gap = load.longest_gap(self.acks.times(), t_kill, t_end)
        if gap is None:
            self.rows.append((label, "no service", "<= %.0f s" % goal, "MISSED"))
            return False
        met = gap <= goal
        self.rows.append((label, "%.1f s" % gap, "<= %.0f s" % goal,
                          "met" if met else "MISSED"))
        return met


def print_summary(rows, notes):
    w = [max(len(str(r[i])) for r in rows + [HEADER]) for i in range(4)]
    line = "  ".join("%-*s" % (w[i], HEADER[i]) for i in range(4))
    print("\n" + line + "\n" + "-" * len(line))
    for r in rows:
        print("  ".join("%-*s" % (w[i], r[i]) for i in range(4)))
    for n in notes:
        print("note: " + n)
    sys.stdout.flush()


HEADER = ("check", "result", "goal", "")


def main(argv):
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("scripts/ha-test: run as root (Patroni and PostgreSQL run as the postgres "
              "user, which only root can become)", file=sys.stderr)
        return 2
    build = Build(args)
    if not args.cluster_only and build.missing():
        print("scripts/ha-test: not built: %s (--build DIR)" % ", ".join(build.missing()),
              file=sys.stderr)
        return 2
    if not args.sqlite and clu.check_tools():
        print("scripts/ha-test: missing: %s (run scripts/deps as root)"
              % ", ".join(clu.check_tools()), file=sys.stderr)
        return 2
    procs.become_subreaper()
    base = tempfile.mkdtemp(prefix="expertd-ha-")
    os.chmod(base, 0o711)          # the postgres user reaches its node dirs
    run = Run(args, base)

    def interrupted(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, interrupted)
    ok = False
    try:
        import scenario
        ok = scenario.run(run, build)
        run.save_acks()
        print_summary(run.rows, run.notes)
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\nscripts/ha-test: interrupted; stopping what it started", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
        print("scripts/ha-test: %s" % e, file=sys.stderr)
        print_summary(run.rows, run.notes)
        return 1
    finally:
        # A second Ctrl-C must not cut the cleanup short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        run.stop.set()
        run.deadline.set()
        if run.pair:
            run.pair.stop()
        run.registry.cleanup()
        if ok and not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        else:
            print("scripts/ha-test: logs and data kept in %s" % base, file=sys.stderr)
