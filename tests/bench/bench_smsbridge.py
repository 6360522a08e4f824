#!/usr/bin/python3
"""What the SMS bridge costs, by hand (not a CTest test; nothing is timed
against a threshold): the real daemon (insecure) with a pool of one
specialty, the real expertd-smsbridge and the fake provider of
tests/integration/test_smsbridge.py.

1. offer latency: a one-seat draw by expertctl, SAMPLES times: when its
   reply is printed and when the SMS reaches the provider (median, max);
2. catching up: the bridge stopped, DRAWS draws of SEATS seats each made,
   the bridge started: the time until every offer was delivered, and the
   notify.resync pages it took.

Usage: EXPERTD=... EXPERTCTL=... GENROSTER=... SMSBRIDGE=... \\
       tests/bench/bench_smsbridge.py [SAMPLES [DRAWS [SEATS]]]
(the binaries of a build tree, as the integration tests take them)."""
import os
import statistics
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import assign_base                                          # noqa: E402
import test_smsbridge                                       # noqa: E402

SAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 20
DRAWS = int(sys.argv[2]) if len(sys.argv) > 2 else 10
SEATS = int(sys.argv[3]) if len(sys.argv) > 3 else 20
# Enough experts of one specialty that every seat is someone new.
assign_base.ROSTER = [("电工", SAMPLES + DRAWS * SEATS + 5), ("探针", 1)]


class Bench(test_smsbridge.SmsBridgeBase):
    def runTest(self):
        self.start_bridge()
        self.bridge_live()
        lat, reply = [], []
        for i in range(SAMPLES):
            t0 = time.monotonic()
            res = self.draw("电工", 1, 10 + i)
            reply.append((time.monotonic() - t0) * 1000)
            token = self.tokens(res)[res["panel"][0]["assignment"]]
            post = self.provider.wait_for(lambda p: token in p["body"]["content"])[0]
            lat.append((post["at"] - t0) * 1000)
        self.stop_bridge()
        seats = set()
        for i in range(DRAWS):
            res = self.draw("电工", SEATS, 40 + i)
            seats |= {p["assignment"] for p in res["panel"]}
        t0 = time.monotonic()
        self.start_bridge()

        def seat_of(p):
            m = test_smsbridge.LINK_RE.search(p["body"]["content"])
            return int(m.group(1).split(".")[0]) if m else None
        want = seats
        got = self.provider.wait_for(lambda p: seat_of(p) in seats and p["status"] == 200,
                                     n=len(seats), timeout=600)
        sent_twice = len(got) - len({seat_of(p) for p in got})
        catch_up = time.monotonic() - t0
        log = self.read_bridge_log()
        pages = log[log.rfind("resynchronised since"):].split("(")[1].split(" ")[0]
        print("one-seat draw, %d samples: expertctl's reply after median %.1f ms "
              "(max %.1f); the SMS at the provider after median %.1f ms (max %.1f)"
              % (SAMPLES, statistics.median(reply), max(reply), statistics.median(lat),
                 max(lat)))
        print("catching up %d offers after a restart: %.2f s, %s notify.resync pages, "
              "%d sent twice" % (len(want), catch_up, pages, sent_twice))


if __name__ == "__main__":
    r = unittest.TextTestRunner(verbosity=0).run(Bench())
    sys.exit(0 if r.wasSuccessful() else 1)
