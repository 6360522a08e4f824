"""The processes scripts/ha-test starts, and nothing else: every one is
recorded here by PID when started, and only those are signalled, at a
kill the test means or at the cleanup (exit, Ctrl-C, an error)."""
import os
import signal
import subprocess
import threading
import time


def become_subreaper():
    """PR_SET_CHILD_SUBREAPER: a process our children orphan (Patroni
    starts the postmaster in a session of its own and lets it go) is
    handed to us, not to PID 1, so it stays ours to find and reap."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(36, 1, 0, 0, 0) != 0:       # PR_SET_CHILD_SUBREAPER
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


class Procs:
    """A registry of the Popen objects and bare PIDs (a postmaster Patroni
    detached into a session of its own) this run started, each with the
    stage of the cleanup that stops it: expertd first, then Patroni
    (which stops its PostgreSQL while etcd still answers, and hangs on
    its way out if etcd is gone), then any postmaster left, then etcd."""

    STAGES = {"expertd": 0, "patroni": 1, "postmaster": 2, "etcd": 3}

    def __init__(self):
        self.lock = threading.Lock()
        self.popens = []        # (stage, Popen)
        self.pids = {}          # pid -> what it is

    def popen(self, argv, log_path, stage, **kw):
        """Start argv in a session of its own (a Ctrl-C at the terminal
        reaches ha-test alone, which stops everything in order), its
        output appended to log_path."""
        log = open(log_path, "ab")
        try:
            p = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                 stdin=subprocess.DEVNULL, start_new_session=True, **kw)
        finally:
            log.close()
        with self.lock:
            self.popens.append((self.STAGES[stage], p))
        return p

    def adopt(self, pid, what):
        """A descendant started by one of ours (Patroni's postmaster)."""
        with self.lock:
            self.pids[pid] = what

    def cleanup(self, grace=15.0):
        """Stage by stage: SIGTERM to each live process of ours (SIGQUIT,
        immediate shutdown, to a postmaster: the data is thrown away),
        SIGKILL to those still there after `grace` seconds."""
        for stage in sorted(set(self.STAGES.values())):
            with self.lock:
                popens = [p for st, p in self.popens if st == stage and p.poll() is None]
                pids = [pid for pid in self.pids
                        if stage == self.STAGES["postmaster"] and is_alive(pid, reap=True)]
            for p in popens:
                _signal(p.pid, signal.SIGTERM)
            for pid in pids:
                _signal(pid, signal.SIGQUIT)
            deadline = time.monotonic() + grace
            for p in popens:
                try:
                    p.wait(max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal(p.pid, signal.SIGKILL)
                    p.wait(10)
            for pid in pids:
                while is_alive(pid, reap=True) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if is_alive(pid, reap=True):
                    _signal(pid, signal.SIGKILL)


def _signal(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


def is_alive(pid, reap=False):
    """Whether pid runs (a zombie counts as gone). With reap, a zombie
    orphan handed to us as the subreaper is reaped (never a Popen child
    of ours: its Popen reaps it and keeps its status)."""
    if reap:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def children(pid):
    """The PIDs whose parent is pid."""
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            out.append(int(d))
    return out


def kill9(pids, reap=()):
    """SIGKILL to each of pids at once, then wait (bounded) until gone;
    those in reap are orphans of ours (is_alive)."""
    for pid in pids:
        _signal(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while (any(is_alive(p, reap=p in reap) for p in pids)
           and time.monotonic() < deadline):
        time.sleep(0.02)
