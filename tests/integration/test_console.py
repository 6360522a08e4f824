"""The operator console (issue #13 item 4): expertd-console against a real
secure daemon, read with a plain HTTP client.

- GET / is the page in Chinese, everything it loads is served locally,
  under strict security headers; the console is read-only (POST is 405).
- GET /events relays the dispatch log: a draw made with expertctl while
  the stream is open arrives as a `data:` JSON line carrying the draw's
  seq and its panel's names masked as the daemon masks them, and no
  resident ID, phone number or full name of anyone in the roster.
- A new stream starts with the log's recent history (audit.entries over
  the console's operator connection), masked as the stream is: no birth
  date, no name; each event's SSE id is its seq, and a browser coming
  back with Last-Event-ID gets exactly the entries it missed, then live.

Nothing sleeps to synchronise: the console subscribes at its start, before
the test makes any entry, and every read is bounded by WAIT.
"""
import http.client
import json
import os
import time
import unittest

from harness import (DaemonTest, WebProgram, draw_args, genroster, keygen, read_roster,
                     roster_secrets, top_specialty)

BUILD = os.path.dirname(os.path.dirname(os.environ.get("EXPERTD", "")))
CONSOLE = os.environ.get("EXPERTD_CONSOLE",
                         os.path.join(BUILD, "clients", "expertd-console"))
WAIT = 90          # seconds (ASan builds are slow)


class Console(WebProgram):
    """expertd-console on a free loopback port (harness.WebProgram)."""

    def __init__(self, test, *args):
        super().__init__(test, "console", [CONSOLE] + list(args), WAIT)


class Events:
    """One open GET /events, read line by line (each read bounded by WAIT)."""

    def __init__(self, console, last_event_id=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", console.port, timeout=WAIT)
        headers = {"Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        self.conn.request("GET", "/events", headers=headers)
        self.r = self.conn.getresponse()
        self.raw = []

    def next_event(self):
        """The next entry (a `data:` line's JSON with its `id:`, which must
        be its seq); comments and notices are kept in raw."""
        ident = None
        while True:
            line = self.r.readline()
            if not line:
                raise AssertionError("the event stream ended")
            line = line.decode("utf-8")
            self.raw.append(line)
            if line.startswith("id: "):
                ident = int(line[len("id: "):])
            elif line.startswith("event: "):
                ident = "not an entry"
            elif line.startswith("data: ") and ident != "not an entry":
                e = json.loads(line[len("data: "):])
                if ident != e["seq"]:
                    raise AssertionError("id %r for seq %d" % (ident, e["seq"]))
                return e
            elif line == "\n":
                ident = None

    def close(self):
        self.conn.close()


class ConsoleTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d, as_ = self.start_secure_daemon([("ops", "center-ops operator")])
        self.op = as_["ops"]
        self.console = Console(self, "--endpoint", self.d.endpoint,
                               "--pub-endpoint", self.d.pub,
                               "--server-key", self.server_pub, "--key", self.keys["ops"])

    def log(self):
        """The whole log as `expertctl log --json` prints it."""
        out = self.op.run("--json", "log", "--since", "1", "--limit", "1000000").out
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    def test_page_is_local_chinese_and_read_only(self):
        status, headers, body = self.console.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertIn("抽取日志", body)
        self.assertIn("北京时间", body)
        csp = headers["Content-Security-Policy"]
        self.assertIn("default-src 'none'", csp)
        self.assertIn("script-src 'self'", csp)
        self.assertIn("frame-ancestors 'none'", csp)
        self.assertEqual(headers["X-Content-Type-Options"], "nosniff")
        self.assertEqual(headers["X-Frame-Options"], "DENY")
        self.assertNotIn("http://", body.replace("http://www.w3.org", ""))
        self.assertNotIn("https://", body)
        for path, kind in (("/console.js", "text/javascript"), ("/console.css", "text/css")):
            status, headers, text = self.console.request("GET", path)
            self.assertEqual(status, 200, path)
            self.assertTrue(headers["Content-Type"].startswith(kind), headers)
            self.assertNotIn("https://", text)
        self.assertIn("EventSource('/events')", self.console.request("GET", "/console.js")[2])
        self.assertEqual(self.console.request("POST", "/")[0], 405)
        self.assertEqual(self.console.request("GET", "/nothing")[0], 404)

    def pool(self, count, seed):
        """A term and a roster of count experts: (what of them is secret,
        the specialty most of them hold)."""
        path = os.path.join(self.dir, "roster.csv")
        genroster(path, count, seed=seed)
        self.open_term(self.op)
        self.op.json("pool", "import", "--appointed", path)   # drawn at once
        return roster_secrets(read_roster(path)), top_specialty(self.op)

    def test_a_draw_arrives_on_the_event_stream(self):
        secrets, spec = self.pool(20, 4)

        ev = Events(self.console)
        self.addCleanup(ev.close)
        self.assertEqual(ev.r.status, 200)
        self.assertTrue(ev.r.getheader("Content-Type").startswith("text/event-stream"))
        self.assertEqual(ev.r.getheader("Cache-Control"), "no-store")
        # A new stream starts with the log's recent history (here all of
        # it: the term and the import), masked as the stream is: no birth
        # dates, masked names, the entries `expertctl log` prints; then
        # what happens next.
        head = self.log()
        history = [ev.next_event() for _ in head]
        self.assertEqual([e["seq"] for e in history], [e["seq"] for e in head])
        self.assertEqual([e["entry"] for e in history], [e["entry"] for e in head])
        imported = [e for e in history if e["type"] == "pool.expert"]
        self.assertEqual(len(imported), 20)
        for e in imported:
            self.assertNotIn("birth", e["entry"]["expert"])
            self.assertIn("*", e["entry"]["expert"]["name"])
        self.op.run("pool", "suspend", "1", "--reason", "console test")
        first = ev.next_event()
        self.assertEqual(first["type"], "pool.expert")
        self.assertEqual(first["seq"], history[-1]["seq"] + 1)

        drawn = self.op.json(*draw_args(spec, 2, 20))
        seen = first
        while seen["seq"] < drawn["seq"]:
            seen = ev.next_event()
        self.assertEqual(seen["seq"], drawn["seq"])
        self.assertEqual(seen["type"], "draw")
        self.assertEqual(len(seen["hash"]), 64)
        names = seen["entry"]["panel_names"]
        self.assertEqual(len(names), 2)
        self.assertTrue(all("*" in n for n in names), names)
        text = "".join(ev.raw)
        for s in secrets:
            self.assertNotIn(s, text)

    def test_a_reconnecting_browser_gets_what_it_missed(self):
        secrets, spec = self.pool(12, 5)
        ev = Events(self.console)
        self.addCleanup(ev.close)
        seen = ev.next_event()
        while seen["seq"] < self.log()[-1]["seq"]:
            seen = ev.next_event()
        ev.close()
        # Away: a suspension and a draw happen. Back with Last-Event-ID,
        # the browser gets exactly what came after, in order, then live.
        self.op.run("pool", "suspend", "2", "--reason", "away")
        drawn = self.op.json(*draw_args(spec, 2, 12))
        back = Events(self.console, last_event_id=seen["seq"])
        self.addCleanup(back.close)
        got = [back.next_event() for _ in range(drawn["seq"] - seen["seq"])]
        self.assertEqual([e["seq"] for e in got],
                         list(range(seen["seq"] + 1, drawn["seq"] + 1)))
        self.assertEqual(got[-1]["type"], "draw")
        self.assertEqual(got[-1]["entry"]["panel"], [p["expert"] for p in drawn["panel"]])
        self.op.run("pool", "suspend", "3", "--reason", "live again")
        self.assertEqual(back.next_event()["seq"], drawn["seq"] + 1)
        text = "".join(back.raw)
        for s in secrets:
            self.assertNotIn(s, text)


    def readyz(self, console, text):
        """/readyz, polled (bounded by WAIT) until it says text."""
        deadline = time.monotonic() + WAIT
        while True:
            status, _, body = console.request("GET", "/readyz")
            if text in body or time.monotonic() > deadline:
                return status, body
            time.sleep(0.05)

    def test_readyz_once_the_daemon_accepted_the_key(self):
        status, body = self.readyz(self.console, "accepted")
        self.assertEqual(status, 200, body)
        self.assertIn("accepted this key", body)
        self.assertIn("accepted this key", self.console.output())

    def test_a_refused_key_is_said_at_once(self):
        """A key the daemon does not know: the handshake's failure is
        reported from the socket's events (never a request timing out),
        on /readyz, in the log and on the page, which then asks nothing."""
        stranger, _, _, _ = keygen(self.dir, "stranger")
        c = Console(self, "--endpoint", self.d.endpoint, "--pub-endpoint", self.d.pub,
                    "--server-key", self.server_pub, "--key", stranger)
        status, body = self.readyz(c, "refused")
        self.assertEqual(status, 503)
        self.assertIn("refused this key", body)
        self.assertIn("allowlist", body)
        self.assertIn("refused this key", c.output())
        self.assertNotIn("no reply", c.output())
        page = c.request("GET", "/")[2]
        self.assertIn("expertd 拒绝了操作台的密钥", page)
        self.assertEqual(c.request("GET", "/api/stats.json")[0], 502)
        self.assertNotIn("no reply", c.output())

    def test_the_wrong_server_key_is_said_at_once(self):
        _, other_pub, _, _ = keygen(self.dir, "not-the-server")
        c = Console(self, "--endpoint", self.d.endpoint, "--pub-endpoint", self.d.pub,
                    "--server-key", other_pub, "--key", self.keys["ops"])
        status, body = self.readyz(c, "handshake failed")
        self.assertEqual(status, 503)
        self.assertIn("handshake failed", body)
        self.assertIn("--server-key", body)
        self.assertIn("handshake failed", c.output())


if __name__ == "__main__":
    unittest.main()
