#!/usr/bin/env python3
"""What a start costs (issue #14 goal 6): expertd's CPU from exec to READY.

By hand, like the rest of tests/bench: nothing here is a test.

    tests/bench/bench_start.py --build /tmp/build-rel --db-dir DIR [--runs 5]
                               [--perf FILE] [--store-flag ...]

DIR holds a stopped daemon's database (expertd.db, with its -wal if any)
and the signing key it was written under (sign.key), e.g. the temp dir a
`bench_draw --keep` run left. Each run copies them into a fresh temp dir,
so every start sees the same file, and starts expertd there as
bench_setup.c does (--insecure, ipc:// sockets in that dir), with
NOTIFY_SOCKET pointing at a datagram socket of this script. When READY=1
arrives (main.c sends it just before the loop answers its first request)
the script reads, from /proc:

  cpu_ms   on-CPU time of every thread (sum of /proc/PID/task/*/schedstat)
  ticks_ms utime + stime of /proc/PID/stat (10 ms ticks)
  rss_kb   VmRSS, and B/expert = VmRSS / the experts the ready line names

then checks that a ping is answered (expertctl ping), stops the daemon
with SIGTERM and waits for it. With --perf FILE, the daemon runs under
`perf record --call-graph dwarf` (its cost is in the figures: time
without it).
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def proc_cpu_ns(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


def proc_ticks_ms(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    hz = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) * 1000.0 / hz


def proc_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def child_pid(pid, name, deadline):
    """The pid of `name` under pid (perf's child), waiting for its exec."""
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                for c in f.read().split():
                    with open(f"/proc/{c}/comm") as g:
                        if g.read().strip() == name:
                            return int(c)
        except OSError:
            pass
        time.sleep(0.001)
    sys.exit("bench_start: expertd did not start under perf")


def copy_db(src, dst):
    for name in ("expertd.db", "expertd.db-wal", "sign.key"):
        if os.path.exists(os.path.join(src, name)):
            shutil.copy(os.path.join(src, name), os.path.join(dst, name))


def daemon_argv(a, d):
    argv = [os.path.join(a.build, "daemon/expertd"), "--insecure",
            "--db", os.path.join(d, "expertd.db"),
            "--listen", f"ipc://{d}/req.sock",
            "--pub-listen", f"ipc://{d}/pub.sock",
            "--answer-listen", f"ipc://{d}/answer.sock",
            "--notify-listen", f"ipc://{d}/notify.sock",
            "--metrics-listen", "off", "--log-level", "notice",
            "--sign-key", os.path.join(d, "sign.key")] + a.store_flag
    if a.perf:
        argv = ["perf", "record", "-q", "--call-graph", "dwarf", "-F", "2000",
                "-o", a.perf, "--"] + argv
    return argv


def wait_ready(sock, proc, deadline):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            msg = sock.recv(4096).decode()
        except socket.timeout:
            continue
        if "READY=1" in msg.split("\n"):
            return True
    return False


def one_run(a, i):
    d = tempfile.mkdtemp(prefix="bench-start-", dir=a.tmp)
    try:
        copy_db(a.db_dir, d)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(os.path.join(d, "sd.sock"))
        sock.settimeout(0.05)
        env = dict(os.environ, NOTIFY_SOCKET=os.path.join(d, "sd.sock"))
        log = open(os.path.join(d, "expertd.log"), "w+")
        proc = subprocess.Popen(daemon_argv(a, d), env=env, stdout=log, stderr=log)
        deadline = time.monotonic() + 600
        pid = child_pid(proc.pid, "expertd", deadline) if a.perf else proc.pid
        ok = wait_ready(sock, proc, deadline)
        if ok:
            cpu_ms = proc_cpu_ns(pid) / 1e6
            ticks = proc_ticks_ms(pid)
            rss = proc_rss_kb(pid)
        ping = subprocess.run([os.path.join(a.build, "clients/expertctl"),
                               "--endpoint", f"ipc://{d}/req.sock", "ping"],
                              capture_output=True) if ok else None
        os.kill(pid, signal.SIGTERM)
        proc.wait()
        log.seek(0)
        text = log.read()
        if not ok or ping.returncode != 0:
            sys.exit(f"bench_start: run {i}: no READY or no ping answered\n{text}")
        m = re.search(r"ready: (\d+) experts", text)
        experts = int(m.group(1)) if m else 0
        chain = re.search(r"audit log intact \(([^)]*)\)", text)
        print(f"run {i}: cpu_ms {cpu_ms:.0f} ticks_ms {ticks:.0f} rss_kb {rss} "
              f"experts {experts} B/expert {rss * 1024 / max(experts, 1):.0f}"
              f" ({chain.group(1) if chain else 'chain ?'})", flush=True)
        return cpu_ms, ticks, rss, experts
    finally:
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--build", required=True, help="build tree (daemon/expertd)")
    p.add_argument("--db-dir", required=True, help="expertd.db and sign.key")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--tmp", default=os.environ.get("TMPDIR", "/tmp"))
    p.add_argument("--perf", help="perf record into this file (one run)")
    p.add_argument("--keep", action="store_true", help="keep each run's dir")
    p.add_argument("--store-flag", action="append", default=[],
                   help="another expertd argument (repeat)")
    a = p.parse_args()
    with open("/proc/loadavg") as f:
        print("loadavg before:", f.read().strip())
    runs = [one_run(a, i) for i in range(1 if a.perf else a.runs)]
    with open("/proc/loadavg") as f:
        print("loadavg after:", f.read().strip())
    cpu = statistics.median(r[0] for r in runs)
    rss = statistics.median(r[2] for r in runs)
    print(f"RESULT start_cpu_ms {cpu:.0f} (min {min(r[0] for r in runs):.0f}) "
          f"rss_kb {rss:.0f} B/expert {rss * 1024 / max(runs[0][3], 1):.0f}")


if __name__ == "__main__":
    main()
