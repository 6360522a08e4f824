"""Clients that keep writing through a failover, and what they saw: every
acknowledged request with its reply and the moment it was acknowledged
(scripts/ha-test). A request whose outcome is unknown (no reply, or
`unavailable`) is sent again with the same id and bytes until it is
acknowledged, as PROTOCOL.md 6.4 asks of every client."""
import json
import os
import subprocess
import threading
import time

# Statuses that say nothing was applied or that the outcome is unknown:
# the request goes again, same id, same bytes (PROTOCOL.md 6.2, 6.3, 6.5).
RETRY_STATUSES = ("unavailable", "busy", "internal")


class Acks:
    """Every acknowledged request, and every attempt that was not."""

    def __init__(self):
        self.lock = threading.Lock()
        self.items = []          # dicts: t, client, id, op, args, reply
        self.unknown = 0         # attempts without an acknowledgement
        self.pending = []        # requests never acknowledged by the end

    def add(self, **item):
        with self.lock:
            self.items.append(item)

    def miss(self):
        with self.lock:
            self.unknown += 1

    def times(self):
        with self.lock:
            return sorted(i["t"] for i in self.items)

    def count_after(self, t):
        with self.lock:
            return sum(1 for i in self.items if i["t"] > t)

    def snapshot(self):
        with self.lock:
            return list(self.items)


def longest_gap(times, t_kill, t_end):
    """The longest time between two consecutive acknowledgements (of any
    client) around a kill: over the intervals that end after t_kill and
    begin before t_end, the first one being the one the kill falls in.
    None if nothing was acknowledged after the kill."""
    after = [t for t in times if t > t_kill]
    if not after:
        return None
    before = [t for t in times if t <= t_kill]
    prev = before[-1] if before else t_kill
    gap = 0.0
    for t in after:
        if prev >= t_end:
            break
        gap = max(gap, t - prev)
        prev = t
    return gap


class Writer(threading.Thread):
    """One client: asks plan for a request, sends it until acknowledged,
    records it, and starts the next, until `stop` is set; a request in
    flight then still runs to its acknowledgement until `deadline` (an
    Event set when the run must end) is set."""

    def __init__(self, idx, plan, acks, stop, deadline):
        super().__init__(daemon=True, name="client-%d" % idx)
        self.idx = idx
        self.plan = plan
        self.acks = acks
        self.stop = stop
        self.deadline = deadline
        self.error = None

    def run(self):
        n = 0
        try:
            while not self.stop.is_set():
                n += 1
                req = self.plan.next_request(self.idx, n)
                if req is None:
                    self.stop.wait(0.05)
                    continue
                self.send_until_acked(req)
        except Exception as e:          # reported by the summary, not lost
            self.error = "%s: %r" % (self.name, e)

    def send_until_acked(self, req):
        while True:
            reply = self.plan.attempt(req)
            if reply is not None:
                self.acks.add(t=time.monotonic(), client=self.idx, **req, reply=reply)
                self.plan.acknowledged(self.idx, req, reply)
                return
            self.acks.miss()
            if self.deadline.is_set():
                with self.acks.lock:
                    self.acks.pending.append(req)
                return
            time.sleep(0.2)


class PsqlPlan:
    """Writes to a probe table through psql and the multi-host URL (the
    cluster alone, without expertd). A retry is the same INSERT ... ON
    CONFLICT DO NOTHING: the row's key plays the request id."""

    TABLE = ("CREATE TABLE IF NOT EXISTS probe (writer int, seq int, at timestamptz "
             "DEFAULT now(), PRIMARY KEY (writer, seq))")

    def __init__(self, url, env):
        self.url = url
        self.env = env

    def next_request(self, idx, n):
        return {"id": "%d-%d" % (idx, n), "op": "insert",
                "args": [idx, n]}

    def attempt(self, req):
        sql = ("INSERT INTO probe (writer, seq) VALUES (%d, %d) ON CONFLICT DO NOTHING"
               % tuple(req["args"]))
        try:
            p = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", self.url,
                                "-c", sql], capture_output=True, text=True,
                               env=self.env, timeout=30)
        except subprocess.TimeoutExpired:
            return None
        return "ok" if p.returncode == 0 else None

    def acknowledged(self, idx, req, reply):
        pass


class CtlPlan:
    """Draws and staff answers through expertctl given every daemon's
    endpoint (PROTOCOL.md 6.4): each client draws a one-member panel for
    a task of its own hour, and answers `accept` for seats it drew."""

    def __init__(self, expertctl, endpoints, specialty, first_start):
        self.base = [expertctl, "--endpoint", endpoints, "--timeout", "3000",
                     "--retries", "1", "--json"]
        self.specialty = specialty
        self.first_start = first_start      # unix seconds, a Beijing 08:00
        self.lock = threading.Lock()
        self.slot = 0
        self.to_answer = {}                 # client -> [assignment]

    def next_request(self, idx, n):
        rid = "ha-%d-%d-%s" % (idx, n, os.urandom(4).hex())
        with self.lock:
            mine = self.to_answer.setdefault(idx, [])
            if mine and n % 2 == 0:
                a = mine.pop(0)
                return {"id": rid, "op": "answer",
                        "args": ["answer", str(a), "accept", "--channel", "phone"]}
            self.slot += 1
            slot = self.slot
        # Eight one-hour tasks a day, 08:00 to 16:00 Beijing time: no two
        # overlap, so no draw runs short of experts by the overlap rule.
        start = self.first_start + (slot // 8) * 86400 + (slot % 8) * 3600
        return {"id": rid, "op": "draw",
                "args": ["draw", "--kind", "competition", "--specialty", self.specialty,
                         "--members", "1", "--start", str(start),
                         "--end", str(start + 3600)]}

    def run(self, rid, args, timeout=60):
        """(rc, parsed JSON or None, stderr) of one expertctl run."""
        try:
            p = subprocess.run(self.base + ["--request-id", rid] + args,
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, None, "timeout"
        try:
            out = json.loads(p.stdout) if p.stdout.strip() else None
        except ValueError:
            out = None
        return p.returncode, out, p.stderr

    def attempt(self, req):
        """The reply if the request was acknowledged (ok, or an error
        reply the daemon recorded), else None."""
        rc, out, _ = self.run(req["id"], req["args"])
        if rc == 0 and out is not None:
            return out
        if rc == 1 and out is not None and out.get("status") not in RETRY_STATUSES:
            return out
        return None

    def acknowledged(self, idx, req, reply):
        if req["op"] == "draw" and "panel" in reply:
            with self.lock:
                self.to_answer.setdefault(idx, []).extend(
                    s["assignment"] for s in reply["panel"])


def comparable(reply):
    """A reply as a retry must give it back: `tokens` are never recorded
    (PROTOCOL.md 5.4), so a retry's reply has them empty."""
    if isinstance(reply, dict):
        return {k: v for k, v in reply.items() if k != "tokens"}
    return reply
