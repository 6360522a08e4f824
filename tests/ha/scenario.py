"""What scripts/ha-test does, step by step, and what it checks (hatest.py
holds the run's state, the kills and the summary)."""
import collections
import concurrent.futures
import datetime
import json
import os
import subprocess
import time

import cluster as clu
import expertds
import load
from hatest import GOAL_GAP_DB, GOAL_GAP_EXPERTD, say

CST = datetime.timezone(datetime.timedelta(hours=8))


def run(r, build):
    """The whole scenario for the mode asked; True when every check met
    its goal."""
    a = r.args
    if not a.sqlite:
        say("starting etcd and three Patroni nodes in %s" % r.base)
        t0 = time.monotonic()
        r.cluster = clu.Cluster(r.base, r.ports, r.registry)
        r.cluster.start()
        say("cluster ready in %.0f s: %s" % (time.monotonic() - t0,
                                             "; ".join(r.cluster.summary())))
    if a.cluster_only:
        return cluster_only(r)
    store_args, env = store(r)
    r.pair = expertds.Pair(r.base, r.ports, r.registry, store_args, env, build)
    r.pair.start()
    say("expertd-a active, expertd-b standby; endpoints %s" % r.pair.endpoints)
    specialty, first_start = setup_data(r, build)
    plan = load.CtlPlan(build.expertctl, r.pair.endpoints, specialty, first_start)
    r.start_load(plan)
    say("%d clients drawing and answering for %.0f s" % (a.clients, a.warmup))
    time.sleep(a.warmup)
    if not a.sqlite:
        r.kill_db_primary()
    r.kill_active_expertd()
    say("stopping the clients; requests in flight run to their acknowledgement")
    r.stop_load()
    return check_expertd(r, plan)


def store(r):
    """expertd's store options and environment: one SQLite file both
    daemons name, or the cluster's multi-host URL (the password in a
    libpq password file, never on the command line)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    if r.args.sqlite:
        shared = os.path.join(r.base, "shared")
        os.makedirs(shared, mode=0o700)
        return ["--db", os.path.join(shared, "expertd.db")], env
    r.cluster.create_database("expertd", "expertd")
    env["PGUSER"] = "expertd"
    env["PGPASSFILE"] = r.cluster.passfile(os.path.join(r.base, "expertd.pgpass"), "expertd")
    url = r.cluster.url("expertd")
    say("store: --store-url '%s' (PGUSER=expertd, PGPASSFILE)" % url)
    return ["--store-url", url], env


def setup_data(r, build):
    """A term, a roster of --experts appointed experts; the specialty most
    of them hold and the first task start (08:00 Beijing, in two days)."""
    start = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()
    r.pair.ctl("term", "open", "--start", start)
    roster = os.path.join(r.base, "roster.csv")
    subprocess.run([build.genroster, "--count", str(r.args.experts), "--seed", "15",
                    "--out", roster], check=True, capture_output=True)
    imp = r.pair.ctl("pool", "import", "--appointed", roster, timeout=600)
    counts = collections.Counter()
    for e in r.pair.ctl("pool", "list", "--limit", "1000")["experts"]:
        counts.update(e["specialties"])
    specialty = max(counts, key=lambda s: (counts[s], s))
    day = datetime.datetime.now(CST).date() + datetime.timedelta(days=2)
    first = int(datetime.datetime(day.year, day.month, day.day, 8, tzinfo=CST).timestamp())
    say("imported %d experts; drawing %s (%d experts hold it)"
        % (imp["inserted"], specialty, counts[specialty]))
    return specialty, first


def cluster_only(r):
    """psql clients through the multi-host URL; kill the primary; every
    acknowledged row on every node, once."""
    r.cluster.create_database("ha_probe", "expertd")
    r.cluster.leader().psql(load.PsqlPlan.TABLE, db="ha_probe", user="expertd")
    env = dict(os.environ, PGPASSFILE=r.cluster.passfile(
        os.path.join(r.base, "probe.pgpass"), "expertd"))
    plan = load.PsqlPlan(r.cluster.url("ha_probe", user="expertd"), env)
    r.start_load(plan)
    say("%d psql clients inserting for %.0f s" % (r.args.clients, r.args.warmup))
    time.sleep(r.args.warmup)
    r.kill_db_primary()
    r.stop_load()
    return check_probe(r)


def probe_rows(node):
    """{(writer, seq): copies} on one node, or None if it does not answer."""
    try:
        out = node.psql("SELECT writer, seq, count(*) FROM probe GROUP BY 1, 2",
                        db="ha_probe")
    except RuntimeError:
        return None
    rows = {}
    for line in out.splitlines():
        w, s, n = line.split("|")
        rows[(int(w), int(s))] = int(n)
    return rows


def check_probe(r):
    acked = {tuple(i["args"]) for i in r.acks.snapshot()}
    lost, dup, seen_on = set(), 0, []
    for node in r.cluster.nodes:
        rows = None
        deadline = time.monotonic() + 30      # a replica still replaying
        while time.monotonic() < deadline:
            rows = probe_rows(node)
            if rows is not None and acked <= set(rows):
                break
            time.sleep(0.5)
        if rows is None:
            r.notes.append("%s did not answer" % node.name)
            continue
        seen_on.append(node.name)
        lost |= acked - set(rows)
        dup += sum(1 for n in rows.values() if n > 1)
    r.rows.append(("acknowledged writes", "%d (%d attempts unacknowledged)"
                   % (len(acked), r.acks.unknown), "> 0", "met" if acked else "MISSED"))
    r.rows.append(("lost (on %s)" % ",".join(seen_on), str(len(lost)), "0",
                   "met" if not lost else "MISSED"))
    r.rows.append(("double-applied", str(dup), "0", "met" if not dup else "MISSED"))
    r.rows.append(("audit verify", "not run (no expertd)", "OK", "-"))
    agree = nodes_row(r, "ha_probe")
    ok = r.gap_row("db", "gap, DB primary killed", GOAL_GAP_DB)
    r.gap_row("expertd", "gap, active expertd killed", GOAL_GAP_EXPERTD)
    return ok and agree and bool(acked) and not lost and not dup and len(seen_on) == 3


def audit_entries(r):
    """Every audit entry, from the active daemon."""
    out = r.pair.ctl("log", "--since", "1", "--limit", "1000000", timeout=600, raw=True)
    return [json.loads(l) for l in out.splitlines() if l.strip()]


def draw_id(reply):
    """The draw id a draw's reply names: a panel's, or a failed attempt's
    (insufficient_candidates, PROTOCOL.md 7.9.4); None for another
    error, which drew nothing."""
    if "draw" in reply:
        return reply["draw"]
    if reply.get("status") == "insufficient_candidates":
        return reply.get("result", {}).get("draw")
    return None


def count_effects(r, acked):
    """(lost, double-applied, draws, answers) of the acknowledged
    requests against the audit log: each acknowledged draw's entry, and
    each accepted seat's transition, must be there exactly once, and no
    draw may be there that no request accounts for."""
    entries = audit_entries(r)
    # Our clients draw and accept only: no redraw, decline or expiry
    # makes a draw of its own, so every draw entry is a draw request's.
    draws = collections.Counter(e["entry"]["draw"] for e in entries
                                if e["type"] in ("draw", "draw.failed"))
    accepts = collections.Counter(e["entry"]["assignment"] for e in entries
                                  if e["type"] == "assignment.accepted")
    lost = dup = nd = na = 0
    for i in acked:
        rep = i["reply"]
        if i["op"] == "draw" and draw_id(rep) is not None:
            n, nd = draws[draw_id(rep)], nd + 1
        elif i["op"] == "answer" and rep.get("state") == "accepted":
            n, na = accepts[rep["assignment"]], na + 1
        else:
            continue
        lost += n == 0
        dup += max(0, n - 1)
    # A draw entry no acknowledged draw names: a request applied twice
    # (each apply draws anew), unless a request never acknowledged
    # (given up at the end) accounts for it.
    mine = {draw_id(i["reply"]) for i in acked if i["op"] == "draw"} - {None}
    unclaimed = len(set(draws) - mine)
    pending = sum(1 for p in r.acks.pending if p["op"] == "draw")
    dup += max(0, unclaimed - pending)
    return lost, dup, nd, na, len(entries)


def replay(r, plan, acked):
    """Send every acknowledged request again, same id and bytes, from as
    many clients as the run had: each must get its first reply back.
    The number of mismatches."""
    def again(i):
        _, out, err = plan.run(i["id"], i["args"])
        if out is not None and load.comparable(out) == load.comparable(i["reply"]):
            return None
        return "retry of %s gave %r (first: %r) %s" % (i["id"], out, i["reply"],
                                                       err.strip())
    with concurrent.futures.ThreadPoolExecutor(r.args.clients) as pool:
        bad = [m for m in pool.map(again, acked) if m]
    r.notes.extend(bad[:3])
    return len(bad)


def check_expertd(r, plan):
    acked = r.acks.snapshot()
    lost, dup, nd, na, n_entries = count_effects(r, acked)
    say("retrying all %d acknowledged requests with their ids" % len(acked))
    bad = replay(r, plan, acked)
    _, dup_after, _, _, n_after = count_effects(r, acked)
    if n_after != n_entries:
        dup = max(dup, dup_after, 1)
        r.notes.append("the retries added %d audit entries" % (n_after - n_entries))
    v = r.pair.ctl("audit", "verify", timeout=1800, check=False)
    verified = isinstance(v, dict) and v.get("ok") is True
    r.rows.append(("acknowledged requests", "%d (%d draws, %d answers; %d attempts "
                   "unacknowledged, %d given up)" % (len(acked), nd, na, r.acks.unknown,
                                                     len(r.acks.pending)),
                   "> 0", "met" if acked else "MISSED"))
    r.rows.append(("lost", str(lost), "0", "met" if not lost else "MISSED"))
    r.rows.append(("double-applied", str(dup), "0", "met" if not dup else "MISSED"))
    r.rows.append(("retries get the stored reply", "%d/%d" % (len(acked) - bad, len(acked)),
                   "all", "met" if not bad else "MISSED"))
    r.rows.append(("audit verify", "OK (%s entries, %s draws)" % (v.get("entries"), v.get("draws"))
                   if verified else "FAILED: %s" % str(v)[:200], "OK",
                   "met" if verified else "MISSED"))
    for d in r.pair.daemons:
        r.notes.append("%s exit statuses (restarted after each): %s"
                       % (d.name, d.restarts() or "none"))
    stopped = r.pair.stop()          # nothing writes while the nodes compare
    clean = all(rc in (0, None) for rc in stopped.values())
    if not clean:
        r.notes.append("SIGTERM at the end: exit statuses %s (0 expected)" % stopped)
    agree = nodes_row(r, "expertd")
    ok_db = r.gap_row("db", "gap, DB primary killed", GOAL_GAP_DB)
    ok_x = r.gap_row("expertd", "gap, active expertd killed", GOAL_GAP_EXPERTD)
    return (bool(acked) and not lost and not dup and not bad and verified and agree
            and clean and ok_db and ok_x)


def nodes_row(r, db="expertd"):
    """On PostgreSQL: every node of the cluster, the one killed and
    brought back included, holds the same data of db at the end."""
    if r.cluster is None:
        return True
    same, what = r.cluster.nodes_agree(db)
    names = ",".join(n.name for n in r.cluster.nodes)
    if not same:
        groups = collections.defaultdict(list)
        for node, digest in sorted(what.items()):
            groups[digest].append(node)
        what = " / ".join("+".join(g) if d else "+".join(g) + " no answer"
                          for d, g in groups.items())
    r.rows.append(("same data on %s" % names, "yes" if same else "NO: %s" % what,
                   "yes", "met" if same else "MISSED"))
    return same
