"""What the assignment tests (issue #4) share: a daemon with a roster written
here, so each specialty has a known number of experts, all eligible for a
competition and without employer codes (the diversity rule never drops
anyone); raw event and notification streams; and the helpers of
AssignBase. Nothing sleeps to synchronise: streams are proven live with
probe draws, waits are bounded polls.

The tests: test_assign (tokens, throttling, declines, the scenario),
test_replace (backups, replacement draws, deadlines), test_staff (staff
answers and reissue in secure mode), test_ledger (attendance, the ledger).
"""
import json
import os
import re
import threading
import time

import zmq

from harness import (Ctl, CtlProcess, DaemonTest, RawClient, draw_args, free_tcp_port,
                     keygen, secret_of, unpack)


WAIT = 60            # seconds: the bound on every wait (ASan builds are slow)
DAY = 86400
TOKEN_RE = re.compile(r"^(\d+)\.[A-Za-z0-9_-]{22}$")

# specialty -> number of experts; ids are given in this order, from 1.
ROSTER = [("电工", 12), ("焊工", 6), ("钳工", 1), ("车工", 1), ("探针", 1)]
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = "建国明华丽军芳伟秀英"


def resident_id(i):
    body = "440106%04d%02d%02d%03d" % (1975 + i % 20, 1 + i % 12, 1 + i % 28, i)
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * k for d, k in zip(body, w)) % 11]


def write_roster(path):
    """The roster; returns {specialty: [(id, name, phone, resident_id)]}."""
    head = ("name,sex,resident_id,phone,specialties,group_types,title,"
            "qualification,assess_years,training_years\n")
    people, i = {}, 0
    with open(path, "w", encoding="utf-8") as f:
        f.write(head)
        for spec, n in ROSTER:
            for _ in range(n):
                i += 1
                name = SURNAMES[i % 10] + GIVEN[i // 10 % 10] + GIVEN[(i * 7) % 10]
                phone = "1390000%04d" % i
                rid = resident_id(i)
                f.write("%s,%s,%s,%s,%s,skill_evaluation,intermediate,technician,3,0\n"
                        % (name, "male" if i % 2 else "female", rid, phone, spec))
                people.setdefault(spec, []).append((i, name, phone, rid))
    return people


class Stream:
    """A raw SUB socket read by its own thread: every [topic][body]."""

    def __init__(self, endpoint, topic=b""):
        self.msgs, self.raw = [], []
        self.cond = threading.Condition()
        self.stop = False
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(endpoint, topic, ready),
                                       daemon=True)
        self.thread.start()
        ready.wait(WAIT)

    def _run(self, endpoint, topic, ready):
        ctx = zmq.Context()
        sock = ctx.socket(zmq.SUB)
        sock.setsockopt(zmq.SUBSCRIBE, topic)
        sock.connect(endpoint)
        ready.set()
        while not self.stop:
            if sock.poll(100):
                frames = sock.recv_multipart()
                with self.cond:
                    self.raw.append(b"".join(frames))
                    self.msgs.append((frames[0].decode(), unpack(frames[1])))
                    self.cond.notify_all()
        sock.close(0)
        ctx.term()

    def matching(self, pred):
        with self.cond:
            return [(t, b) for t, b in self.msgs if pred(t, b)]

    def wait_for(self, pred, n=1, timeout=WAIT):
        """Wait (bounded) until n messages match; returns those that do."""
        with self.cond:
            self.cond.wait_for(
                lambda: sum(1 for t, b in self.msgs if pred(t, b)) >= n, timeout)
            return [(t, b) for t, b in self.msgs if pred(t, b)]

    def close(self):
        self.stop = True
        self.thread.join(10)


class NotifyWatcher(CtlProcess):
    """`expertctl --json watch --notify ...`, each line a decoded message."""

    def __init__(self, ctl, *args):
        a = ctl.base() + ["--json", "watch", "--notify", "--notify-endpoint",
                          ctl.daemon.notify, "--wait", str(WAIT)] + list(args)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("EXPERTD_") and k != "EXPERTCTL_KEY"}
        super().__init__(a, env, parse=lambda raw: json.loads(raw.decode()))

    def wait_for(self, pred, timeout=WAIT):
        return super().wait_for(pred, timeout)


class AssignBase(DaemonTest):
    CONFIG = None        # INI text for --config

    def setUp(self):
        super().setUp()
        extra = ["--config", self.write_config(self.CONFIG)] if self.CONFIG else []
        self.d, state = self.start_from_template(self.prepare_pool, extra=extra)
        self.__dict__.update(state)
        self.ctl = Ctl(self.d)

    def prepare_pool(self, ctl):
        """setup_pool, made once per class (start_from_template): the
        attributes it sets."""
        self.setup_pool(ctl)
        return {"people": self.people, "probes": self.probes}

    def setup_pool(self, ctl):
        self.open_term(ctl)
        # 探针 ("probe") is the tests' own occupation, not one of the
        # starter catalogue's: the Center would add it as here.
        probe = os.path.join(self.dir, "probe-occupation.csv")
        with open(probe, "w", encoding="utf-8") as f:
            f.write("工种,专家组类型\n探针,技能评价\n")
        ctl.json("catalog", "import", probe)
        self.people = write_roster(os.path.join(self.dir, "roster.csv"))
        ctl.json("pool", "import", "--appointed", os.path.join(self.dir, "roster.csv"))
        listed = ctl.json("pool", "list", "--limit", "1000")["experts"]
        for spec, ps in self.people.items():
            self.assertEqual(sorted(e["id"] for e in listed if e["specialties"] == [spec]),
                             [p[0] for p in ps], "ids are not in line order")
        self.probes = 0

    def start_secure(self, principals):
        """Instead of setUp's daemon: one in secure mode whose allowlist
        holds (name, "principal role [bureau]") pairs, each with a key made
        here; sets self.server_pub, self.d, self.as_ (name -> Ctl) and
        self.ctl (the "ops" one, an operator), and the pool."""
        DaemonTest.setUp(self)
        self.d, self.as_ = self.start_secure_daemon(principals, prepare=self.prepare_pool)
        self.__dict__.update(self.prepared)
        self.ctl = self.as_["ops"]

    # ---- helpers ----

    def start_at(self, days):
        """A task start `days` days from now (whole seconds)."""
        return int(time.time()) + int(days * DAY)

    def draw(self, spec, members, days, ctl=None, **kw):
        return (ctl or self.ctl).json(*draw_args(spec, members, start=self.start_at(days),
                                                 **kw))

    def tokens(self, res):
        """The draw's tokens as {assignment id: token}."""
        return {int(k): v for k, v in res["tokens"].items()}

    def expert_run(self, verb, token, *extra, ctl=None):
        """confirm/decline TOKEN on the answer endpoint; the Result."""
        return (ctl or self.ctl).run(verb, token, "--answer-endpoint", self.d.answer,
                                     *extra, json_out=True, check=False)

    def confirm(self, token, **kw):
        r = self.expert_run("confirm", token, **kw)
        self.assertEqual(r.rc, 0, r)
        return r.json

    def decline(self, token, reason, *extra, **kw):
        r = self.expert_run("decline", token, "--reason", reason, *extra, **kw)
        self.assertEqual(r.rc, 0, r)
        return r.json

    def staff(self, assignment, answer, *extra, ctl=None, check=True):
        r = (ctl or self.ctl).run("answer", str(assignment), answer, *extra,
                                  json_out=True, check=False)
        if check:
            self.assertEqual(r.rc, 0, r)
            return r.json
        return r

    def reissue(self, assignment, reason="sms lost", ctl=None, check=True, **kw):
        r = (ctl or self.ctl).run("reissue", str(assignment), "--reason", reason,
                                  json_out=True, check=False, **kw)
        if check:
            self.assertEqual(r.rc, 0, r)
            return r.json
        return r

    def raw(self, who):
        """In secure mode: a CURVE DEALER of its own with the key of `who`."""
        server = secret_of(self.server_pub)[0].decode()
        c = RawClient(self.d.endpoint, curve_server=server,
                      curve_keys=secret_of(self.as_[who].key))
        self.addCleanup(c.close)
        return c

    def assert_error(self, r, status, field=None):
        self.assertEqual(r.rc, 1, r)
        self.assertIsNotNone(r.json, r)
        self.assertEqual(r.json["status"], status, r)
        if field is not None:
            self.assertEqual(r.json.get("field"), field, r)

    def show(self, task, ctl=None):
        return (ctl or self.ctl).json("task", "show", str(task))

    def seats(self, task):
        return {s["assignment"]: s for s in self.show(task)["seats"]}

    def ledger(self, expert):
        return self.ctl.json("pool", "show", str(expert))["ledger"]

    def entries(self):
        out = self.ctl.run("--json", "log", "--since", "1", "--limit", "1000000").out
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def verify(self):
        v = self.ctl.run("audit", "verify", json_out=True, check=False)
        self.assertEqual(v.rc, 0, v)
        self.assertTrue(v.json["ok"], v)
        return v.json

    def probe(self, streams=(), watchers=(), ctl=None):
        """Draw the probe expert until every stream and watcher has heard
        of the probe task: then their subscriptions are in effect."""
        for _ in range(20):
            self.probes += 1
            res = self.draw("探针", 1, 300 + self.probes, ctl=ctl)
            task = res["task"]
            heard = [s.wait_for(lambda t, b: b.get("task") == task or
                                (b.get("entry") or {}).get("task") == task, timeout=1)
                     for s in streams]
            heard += [w.wait_for(lambda m: m.get("task") == task, timeout=1)
                      for w in watchers]
            if all(heard):
                return res
        self.fail("the subscriptions never took effect")

    def stream(self, endpoint, topic=b""):
        s = Stream(endpoint, topic)
        self.addCleanup(s.close)
        return s

    def notify_watcher(self, ctl=None, *args):
        w = NotifyWatcher(ctl or self.ctl, *args)
        self.addCleanup(w.kill)
        return w
