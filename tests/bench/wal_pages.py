#!/usr/bin/env python3
"""wal_pages.py - which B-trees a draw's commit writes, page by page.

Takes a pool that bench_draw kept (--keep: its temp dir holds expertd.db
and sign.key), copies it, starts expertd on the copy, and makes --draws
sequential draws through expertctl as bench_draw's draw1 makes them
(review, leader + 5 members + 2 backups, the top specialty, one random
employer, a one-day task on a random day 1..--days ahead). Between two
draws the daemon is idle, so the frames appended to the WAL since the
last look are exactly what that draw wrote: their headers give the page
numbers (a WAL restart after a checkpoint shows as new salts). When the
draws are done the daemon is stopped and SQLite's dbstat table maps every
page to its table or index.

Printed: per B-tree, WAL frames per draw, the pages per draw an
auto-checkpoint every 1000 frames copies back (the distinct pages of each
1000-frame window), distinct pages over all the draws, and the B-tree's
size; the totals (frames, commits, KiB per draw); and the checkpoint's
pages per draw and runs per 1000 draws for windows of 500-8000 frames.

    tests/bench/wal_pages.py --build /tmp/build-rel --dir /tmp/bench_draw.XXXXXX
"""
import argparse
import collections
import datetime
import os
import random
import shutil
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time

WAL_HEADER = 32
CHECKPOINT_DEFAULT = 1000       # SQLite's wal_autocheckpoint, which expertd keeps
FRAME_HEADER = 24
CST = datetime.timezone(datetime.timedelta(hours=8))


class WalReader:
    """Frames appended to a WAL file since the last call."""

    def __init__(self, path):
        self.path = path
        self.salt = None
        self.seen = 0

    def new_frames(self):
        """[(pgno, commit_size)] of the valid frames not yet returned."""
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        if len(data) < WAL_HEADER:
            return []
        page_size = struct.unpack(">I", data[8:12])[0]
        salt = data[16:24]
        if salt != self.salt:           # restarted: read from its first frame
            self.salt, self.seen = salt, 0
        out = []
        size = FRAME_HEADER + page_size
        n = self.seen
        while WAL_HEADER + (n + 1) * size <= len(data):
            off = WAL_HEADER + n * size
            pgno, commit = struct.unpack(">II", data[off:off + 8])
            if data[off + 8:off + 16] != salt:
                break                   # a frame of an earlier generation
            out.append((pgno, commit))
            n += 1
        # Only up to the last commit frame: a transaction's frames count once
        # it is committed.
        last = max((i for i, fr in enumerate(out) if fr[1]), default=-1)
        out = out[:last + 1]
        self.seen += len(out)
        return out


def page_map(db):
    """{pgno: btree name} from dbstat, and {name: pages}."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    owner, size = {}, collections.Counter()
    for name, pgno in con.execute("SELECT name, pageno FROM dbstat"):
        owner[pgno] = name
        size[name] += 1
    con.close()
    return owner, size


def pool_survey(db):
    """The top specialty and the employer codes, as bench_draw finds them."""
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    count = collections.Counter()
    orgs = set()
    for spec, emp in con.execute("SELECT specialties, employer_code FROM experts"):
        for s in spec.split("|"):
            count[s] += 1
        if emp:
            orgs.add(emp)
    con.close()
    return count.most_common(1)[0][0], sorted(orgs)


def start_daemon(build, work, log):
    ep = "ipc://%s/ctl.sock" % work
    argv = [os.path.join(build, "daemon/expertd"), "--insecure",
            "--db", os.path.join(work, "expertd.db"), "--listen", ep,
            "--pub-listen", "ipc://%s/pub.sock" % work,
            "--answer-listen", "ipc://%s/answer.sock" % work,
            "--notify-listen", "ipc://%s/notify.sock" % work,
            "--metrics-listen", "off", "--log-level", "warning",
            "--sign-key", os.path.join(work, "sign.key")]
    proc = subprocess.Popen(argv, stdout=log, stderr=log)
    for _ in range(600):
        if ctl(build, ep, ["ping"], check=False).returncode == 0:
            return proc, ep
        if proc.poll() is not None:
            sys.exit("wal_pages: expertd exited at start (see %s/log)" % work)
        time.sleep(0.1)
    proc.terminate()
    sys.exit("wal_pages: expertd does not answer")


def ctl(build, ep, args, check=True):
    argv = [os.path.join(build, "clients/expertctl"), "--endpoint", ep,
            "--timeout", "600000"] + args
    r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if check and r.returncode != 0:
        sys.exit("wal_pages: expertctl %s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def draw_args(rng, spec, orgs, days):
    day = datetime.datetime.now(CST).date() + datetime.timedelta(days=rng.randint(1, days))
    nxt = day + datetime.timedelta(days=1)
    return ["draw", "--kind", "review", "--specialty", spec, "--members", "5",
            "--leader", "--backups", "2", "--org", rng.choice(orgs),
            "--start", "%s 09:00" % day.isoformat(), "--end", "%s 09:00" % nxt.isoformat()]


def window_pages(frames, window):
    """[set of pages] of each full window of `window` frames: what an
    auto-checkpoint every `window` frames copies back (the last, partial
    window left out)."""
    full = len(frames) // window
    return [set(frames[i * window:(i + 1) * window]) for i in range(full)]


def report(per_draw, owner, size, draws, page_size):
    frames = collections.Counter()
    distinct = collections.defaultdict(set)
    commits = 0
    for fr in per_draw:
        for pgno, commit in fr:
            name = owner.get(pgno, "(free or new)")
            frames[name] += 1
            distinct[name].add(pgno)
            commits += commit != 0
    total = sum(frames.values())
    seq = [pg for fr in per_draw for pg, _ in fr]
    windows = window_pages(seq, CHECKPOINT_DEFAULT)
    spanned = draws * len(windows) * CHECKPOINT_DEFAULT / max(total, 1)
    ckpt = collections.Counter(owner.get(pg, "(free or new)") for w in windows for pg in w)
    print("%-34s %9s %9s %9s %9s" % ("b-tree", "frames/dr", "ckpt/dr", "distinct", "pages"))
    for name, n in frames.most_common():
        print("%-34s %9.2f %9.2f %9d %9d" % (name, n / draws, ckpt[name] / spanned if spanned else 0,
                                            len(distinct[name]), size.get(name, 0)))
    print("%-34s %9.2f %9.2f %9d" % ("all", total / draws,
                                     sum(ckpt.values()) / spanned if spanned else 0,
                                     sum(len(s) for s in distinct.values())))
    print("draws %d, commits per draw %.2f, WAL KiB per draw %.1f (page %d)" %
          (draws, commits / draws, total * (page_size + FRAME_HEADER) / 1024 / draws, page_size))
    print("RESULT wal_frames_per_draw=%.2f" % (total / draws))
    checkpoints(seq, draws)


def checkpoints(seq, draws):
    """What the auto-checkpoint would copy back per draw if it ran every
    `window` frames (PRAGMA wal_autocheckpoint), and how often it would run."""
    print("%-12s %12s %12s" % ("checkpoint", "pages/draw", "runs/1000dr"))
    for window in (500, 1000, 2000, 4000, 8000):
        windows = window_pages(seq, window)
        if not windows:
            break
        spanned = draws * len(windows) * window / len(seq)
        print("%-12d %12.2f %12.1f" % (window, sum(len(w) for w in windows) / spanned,
                                       1000 * len(windows) / spanned))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", required=True, help="build dir (daemon/expertd, clients/expertctl)")
    ap.add_argument("--dir", required=True, help="a dir bench_draw --keep kept")
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--days", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    o = ap.parse_args()
    work = tempfile.mkdtemp(prefix="wal_pages.")
    for f in ("expertd.db", "expertd.db-wal", "sign.key"):
        if os.path.exists(os.path.join(o.dir, f)):
            shutil.copy(os.path.join(o.dir, f), work)
    db = os.path.join(work, "expertd.db")
    spec, orgs = pool_survey(db)
    rng = random.Random(o.seed)
    with open(os.path.join(work, "log"), "w") as log:
        proc, ep = start_daemon(o.build, work, log)
        try:
            wal = WalReader(db + "-wal")
            wal.new_frames()            # what start-up wrote
            per_draw = []
            for _ in range(o.draws):
                r = ctl(o.build, ep, draw_args(rng, spec, orgs, o.days), check=False)
                if r.returncode != 0:
                    print("draw failed: %s" % r.stderr.strip().splitlines()[-1:], file=sys.stderr)
                per_draw.append(wal.new_frames())
            with open(db + "-wal", "rb") as f:
                page_size = struct.unpack(">I", f.read(12)[8:12])[0]
        finally:
            proc.terminate()
            proc.wait()
    owner, size = page_map(db)
    report(per_draw, owner, size, o.draws, page_size)
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
