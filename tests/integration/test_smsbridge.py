"""expertd-smsbridge (issue #13 item 3): the real daemon, the real bridge
binary, and a fake SMS provider, a small HTTP server on 127.0.0.1 in this
test that records every POST and can be told to fail.

- An offer arrives as Chinese text whose link's token answers the seat.
- The provider fails twice, then takes it: one delivery, after retries.
- An offer made while the bridge was down is delivered once it is back,
  with a reissued token that works while the first one does not.
- A cancelled seat gets the closing SMS.

The daemon runs in insecure mode as the other tests do (the bridge then
calls notify.resync as the local operator). Waits are bounded polls.
"""
import http.server
import json
import os
import re
import signal
import ssl
import subprocess
import threading
import time
import urllib.parse

from harness import DaemonTest, draw_args
from assign_base import WAIT, AssignBase
from test_answer_page import AnswerPage

SMSBRIDGE = os.environ.get("SMSBRIDGE", "expertd-smsbridge")
HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATES = os.path.join(HERE, "..", "..", "clients", "smsbridge")
BASE_URL = "https://answer.example.gov.cn"
LINK_RE = re.compile(re.escape(BASE_URL) + r"/a/(\d+\.[A-Za-z0-9_-]{22})")


class FakeProvider:
    """POSTs land in self.posts as dicts (path, headers, body as JSON, the
    status answered, when); self.fail_next makes the next N answer 503;
    self.delay (seconds) makes each answer wait, as a slow provider's
    would, and self.max_active is the most requests it held at once;
    self.fail_status is the failures' status."""

    def __init__(self, cert=None):
        """cert: (certificate file, key file) to speak HTTPS."""
        self.posts = []
        self.fail_next = 0
        self.fail_status = 503
        self.delay = 0
        self.active = self.max_active = 0
        self.cond = threading.Condition()
        provider = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with provider.cond:
                    provider.active += 1
                    provider.max_active = max(provider.max_active, provider.active)
                    delay = provider.delay
                time.sleep(delay)      # the provider's own slowness, not a wait
                with provider.cond:
                    provider.active -= 1
                    status = provider.fail_status if provider.fail_next > 0 else 200
                    if status != 200:
                        provider.fail_next -= 1
                    provider.posts.append({"path": self.path,
                                           "headers": dict(self.headers),
                                           "body": json.loads(body.decode()),
                                           "status": status, "at": time.monotonic()})
                    provider.cond.notify_all()
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*cert)
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def wait_for(self, pred, n=1, timeout=WAIT):
        """Wait (bounded) until n POSTs match; returns those that do."""
        with self.cond:
            self.cond.wait_for(lambda: sum(1 for p in self.posts if pred(p)) >= n,
                               timeout)
            return [p for p in self.posts if pred(p)]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def to(phone):
    """A predicate: a POST whose body is for this phone."""
    return lambda p: p["body"]["mobile"] == phone


class SmsBridgeBase(AssignBase):
    """The daemon (AssignBase), the fake provider and the bridge's
    configuration; the bridge is started by each test."""

    def setUp(self):
        super().setUp()
        self.setup_bridge("insecure = true\n")

    def setup_bridge(self, daemon_keys):
        """The provider and the configuration; daemon_keys are the
        [daemon] section's keys besides the endpoints."""
        self.provider = FakeProvider()
        self.addCleanup(self.provider.close)
        key = os.path.join(self.dir, "sms-api-key")
        with open(key, "w") as f:
            f.write("secret-api-key\n")
        self.journal = os.path.join(self.dir, "smsbridge.journal")
        self.config = self.write_config(
            "[daemon]\n%sendpoint = %s\nnotify_endpoint = %s\n"
            "[sms]\ntemplate = %s\nclosed_template = %s\nbase_url = %s/\n"
            "[provider]\nurl = http://127.0.0.1:%d/v1/sms?account=gz\n"
            "header = X-Api-Key: {api_key}\nheader = X-Message-Id: {id}\n"
            "api_key_file = %s\n"
            'body = {"mobile": "{phone}", "content": "{text}", "sign": "{kept}"}\n'
            "timeout = 5\nretry_initial_ms = 100\nretry_max_ms = 400\n"
            "[organisers]\ncenter = 广州市人社局\n"
            "[state]\njournal = %s\n"
            % (daemon_keys, self.d.endpoint, self.d.notify,
               os.path.join(TEMPLATES, "offer.txt"),
               os.path.join(TEMPLATES, "closed.txt"), BASE_URL, self.provider.port,
               key, self.journal), name="smsbridge.conf")
        self.bridge = None
        self.addCleanup(self.stop_bridge)

    def start_bridge(self):
        self.bridge_log = open(os.path.join(self.dir, "smsbridge.log"), "ab")
        self.bridge = subprocess.Popen([SMSBRIDGE, "--config", self.config],
                                       stdout=self.bridge_log, stderr=self.bridge_log)

    def stop_bridge(self):
        """SIGTERM once the bridge has journalled every message the
        provider took (each is logged "delivered"); it must exit 0."""
        if self.bridge is None:
            return
        taken = len(self.provider.wait_for(lambda p: p["status"] == 200, timeout=0))
        deadline = time.monotonic() + WAIT
        while (self.read_bridge_log().count(" delivered (") < taken and
               time.monotonic() < deadline and self.bridge.poll() is None):
            time.sleep(0.05)
        self.bridge.send_signal(signal.SIGTERM)
        rc = self.bridge.wait(timeout=30)
        self.bridge_log.close()
        self.bridge = None
        self.assertEqual(rc, 0, self.read_bridge_log())

    def read_bridge_log(self):
        """Every run's output; the "delivered" lines count the runs'
        deliveries together, as the provider's record does."""
        with open(os.path.join(self.dir, "smsbridge.log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def bridge_live(self):
        """Draw the probe expert until its SMS arrives: the bridge's
        subscription is in effect."""
        phone = self.people["探针"][0][2]
        for _ in range(20):
            before = len(self.provider.wait_for(to(phone), timeout=0))
            self.probe()
            if len(self.provider.wait_for(to(phone), before + 1, timeout=2)) > before:
                return
        self.fail("the bridge never delivered: " + self.read_bridge_log())

    def offer_sms(self, res, seat=0, n=1):
        """The SMS POSTs of a draw's seat, at least n of them."""
        phone = res["panel"][seat]["phone"]
        posts = self.provider.wait_for(lambda p: to(phone)(p) and p["status"] == 200, n)
        self.assertGreaterEqual(len(posts), n, "no SMS for %s: %s" %
                                (phone, self.read_bridge_log()))
        return posts


class SmsBridgeTest(SmsBridgeBase):
    """The daemon in insecure mode, as most tests run it."""

    def test_offer_is_chinese_text_with_a_working_link(self):
        self.start_bridge()
        self.bridge_live()
        start = self.start_at(10)
        res = self.ctl.json(*draw_args("电工", 1, None, "--note", "请携带身份证",
                                       start=start))
        seat = res["panel"][0]
        post = self.offer_sms(res)[0]
        text = post["body"]["content"]
        # The provider's request: the configured path, key and body.
        self.assertEqual(post["path"], "/v1/sms?account=gz")
        self.assertEqual(post["headers"]["X-Api-Key"], "secret-api-key")
        self.assertEqual(post["body"]["sign"], "{kept}")
        # The text: Chinese, the expert's name, the task, times in CST.
        self.assertIn(seat["name"] + "您好", text)
        self.assertIn("竞赛（电工）专家组成员", text)
        self.assertIn("(北京时间)", text)
        self.assertIn("备注：请携带身份证", text)
        # The organiser: the daemon knows only the code "center" (an
        # operator's draw); [organisers] names it.
        self.assertIn("广州市人社局抽选您担任", text)
        self.assertIn(time.strftime("时间：%Y-%m-%d %H:%M至",
                                    time.gmtime(start + 8 * 3600)), text)
        # The link holds the seat's token, and the token answers.
        m = LINK_RE.search(text)
        self.assertIsNotNone(m, text)
        self.assertEqual(m.group(1), self.tokens(res)[seat["assignment"]])
        self.assertEqual(self.confirm(m.group(1))["state"], "accepted")
        # A task without a note leaves the note's line out.
        other = self.draw("焊工", 1, 12)
        self.assertNotIn("备注", self.offer_sms(other)[0]["body"]["content"])

    def test_provider_fails_twice_then_takes_it_once(self):
        self.start_bridge()
        self.bridge_live()
        with self.provider.cond:
            self.provider.fail_next = 2
        res = self.draw("电工", 1, 10)
        phone = res["panel"][0]["phone"]
        self.offer_sms(res)
        posts = self.provider.wait_for(to(phone), timeout=0)
        self.assertEqual([p["status"] for p in posts], [503, 503, 200])
        self.assertEqual(len({p["body"]["content"] for p in posts}), 1)
        # Every attempt carries the message's one id, for the provider.
        ids = {p["headers"]["X-Message-Id"] for p in posts}
        self.assertEqual(len(ids), 1)
        self.assertRegex(ids.pop(), r"^[0-9a-f]{32}$")
        self.assertIn("attempt 2 failed (HTTP 503)", self.read_bridge_log())
        # Sent once: later traffic and a restart do not send it again.
        self.stop_bridge()
        self.start_bridge()
        self.bridge_live()
        self.draw("焊工", 1, 12)
        self.offer_sms(self.draw("焊工", 1, 13))
        self.assertEqual([p["status"] for p in self.provider.wait_for(to(phone),
                                                                      timeout=0)],
                         [503, 503, 200])

    def test_offer_made_while_the_bridge_was_down_is_delivered_after(self):
        self.start_bridge()
        self.bridge_live()
        probe_phone = self.people["探针"][0][2]
        probes_sent = len(self.provider.wait_for(to(probe_phone), timeout=0))
        self.stop_bridge()
        with open(self.journal) as f:
            self.assertRegex(f.read(), r"(?m)^mark \d+ ")
        res = self.draw("电工", 2, 10)
        old = self.tokens(res)
        self.start_bridge()
        links = {}
        for i, seat in enumerate(res["panel"]):
            text = self.offer_sms(res, i)[0]["body"]["content"]
            links[seat["assignment"]] = LINK_RE.search(text).group(1)
        # Reissued tokens: the first ones are dead, the sent ones answer.
        for a, token in links.items():
            self.assertNotEqual(token, old[a])
            self.assert_error(self.expert_run("confirm", old[a]), "invalid_token", "token")
        for token in links.values():
            self.assertEqual(self.confirm(token)["state"], "accepted")
        hist = [h for h in self.show(res["task"])["history"] if h["event"] == "reissue"]
        self.assertEqual(sorted((h["assignment"], h["reason"]) for h in hist),
                         sorted((a, "notify.resync") for a in links))
        # The probe offers delivered before the stop were not sent again.
        self.assertEqual(len(self.provider.wait_for(to(probe_phone), timeout=0)),
                         probes_sent)
        self.assertIn("resynchronised since", self.read_bridge_log())
        # The new offers came in the resync's reply and on the stream:
        # each was sent once. (A probe's SMS proves the stream was read.)
        self.bridge_live()
        for seat in res["panel"]:
            self.assertEqual(len(self.provider.wait_for(to(seat["phone"]), timeout=0)), 1)

    def wait_log(self, text, n=1):
        """Wait (bounded) until the bridge has logged text n times."""
        deadline = time.monotonic() + WAIT
        while self.read_bridge_log().count(text) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertGreaterEqual(self.read_bridge_log().count(text), n,
                                self.read_bridge_log())

    def test_a_break_in_the_stream_is_noticed_and_resynchronised(self):
        self.start_bridge()
        self.bridge_live()
        # A first run has missed nothing: it asks for nothing.
        self.assertNotIn("resynchronised", self.read_bridge_log())
        self.assertEqual(self.d.stop(), 0)
        self.wait_log("the notification stream broke")
        self.d.start()
        self.wait_log("resynchronised since")
        # The stream works again after the break.
        res = self.draw("电工", 1, 10)
        self.assertEqual(LINK_RE.search(self.offer_sms(res)[0]["body"]["content"]).group(1),
                         self.tokens(res)[res["panel"][0]["assignment"]])

    def test_cancelled_seat_gets_the_closing_sms(self):
        self.start_bridge()
        self.bridge_live()
        res = self.draw("电工", 1, 10)
        phone = res["panel"][0]["phone"]
        self.offer_sms(res)
        self.ctl.json("task", "cancel", str(res["task"]), "--reason", "场地变更")
        closing = self.provider.wait_for(lambda p: to(phone)(p) and "无需答复" in
                                         p["body"]["content"])
        self.assertTrue(closing, self.read_bridge_log())
        text = closing[0]["body"]["content"]
        self.assertIn(res["panel"][0]["name"] + "您好", text)
        self.assertIn("编号%d）已取消" % res["task"], text)

    def test_no_closing_sms_for_an_offer_never_sent(self):
        self.start_bridge()
        self.bridge_live()
        with self.provider.cond:
            self.provider.fail_next = 1000000
        res = self.draw("电工", 1, 10)
        phone = res["panel"][0]["phone"]
        self.provider.wait_for(to(phone))
        self.ctl.json("task", "cancel", str(res["task"]), "--reason", "场地变更")
        self.wait_log("closing for assignment %d not sent: its offer never was"
                      % res["panel"][0]["assignment"])
        with self.provider.cond:
            self.provider.fail_next = 0
        self.bridge_live()
        self.assertEqual({p["status"] for p in self.provider.wait_for(to(phone), timeout=0)},
                         {503})

    def test_https_provider_checked_against_its_ca(self):
        cert, key = (os.path.join(self.dir, n) for n in ("provider.crt", "provider.key"))
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                        "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1"],
                       check=True, capture_output=True)
        self.provider.close()
        self.provider = FakeProvider(cert=(cert, key))
        with open(self.config) as f:
            plain = f.read()
        url = re.search(r"(?m)^url = http://127\.0\.0\.1:\d+", plain).group(0)
        tls = plain.replace(url, "url = https://127.0.0.1:%d" % self.provider.port)
        # The system's CAs do not know the provider's certificate: nothing
        # goes out, in clear or otherwise.
        with open(self.config, "w") as f:
            f.write(tls)
        self.start_bridge()
        for _ in range(20):         # until the subscription is in effect
            self.probe()
            deadline = time.monotonic() + 2
            while ("failed" not in self.read_bridge_log() and
                   time.monotonic() < deadline):
                time.sleep(0.05)
            if "failed" in self.read_bridge_log():
                break
        self.wait_log("attempt 2 failed (TLS: self-signed certificate)")
        self.assertEqual(self.provider.posts, [])
        self.stop_bridge()
        # With its CA, the same offers go out.
        with open(self.config, "w") as f:
            f.write(tls.replace("[provider]\n", "[provider]\nca_file = %s\n" % cert))
        self.start_bridge()
        self.bridge_live()
        # The undelivered probes held the mark back: a resync comes first.
        self.wait_log("resynchronised since")
        res = self.draw("电工", 1, 10)
        text = self.offer_sms(res)[0]["body"]["content"]
        self.assertEqual(LINK_RE.search(text).group(1),
                         self.tokens(res)[res["panel"][0]["assignment"]])

    def test_a_slow_provider_gets_a_few_requests_at_a_time(self):
        with open(self.config) as f:
            conf = f.read()
        with open(self.config, "w") as f:
            f.write(conf.replace("[provider]\n", "[provider]\nmax_in_flight = 2\n"))
        self.start_bridge()
        self.bridge_live()
        with self.provider.cond:
            self.provider.delay = 0.3
            self.provider.max_active = 0
        res = self.draw("电工", 6, 10)
        for i in range(6):
            self.offer_sms(res, i)
        self.assertLessEqual(self.provider.max_active, 2)
        for seat in res["panel"]:
            self.assertEqual(len(self.provider.wait_for(to(seat["phone"]), timeout=0)), 1)

    def test_the_link_opens_the_answer_page_which_accepts(self):
        page = AnswerPage(self, "--insecure")
        with open(self.config) as f:
            conf = f.read()
        with open(self.config, "w") as f:
            f.write(conf.replace("base_url = %s/" % BASE_URL, "base_url = %s" % page.url))
        self.start_bridge()
        self.bridge_live()
        res = self.draw("电工", 1, 10)
        text = self.offer_sms(res)[0]["body"]["content"]
        link = re.search(re.escape(page.url) + r"/a/\S+", text).group(0)
        path = urllib.parse.urlparse(link).path
        status, _, body = page.request("GET", path)
        self.assertEqual(status, 200, body)
        self.assertIn("电工", body)
        csrf = body.split('name="csrf" value="')[1].split('"')[0]
        status, _, body = page.request(
            "POST", path, urllib.parse.urlencode({"csrf": csrf, "action": "accept"}),
            {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 200, body)
        self.assertEqual(self.seats(res["task"])[res["panel"][0]["assignment"]]["state"],
                         "accepted")

    def test_a_refusal_is_not_retried(self):
        self.start_bridge()
        self.bridge_live()
        with self.provider.cond:
            self.provider.fail_next, self.provider.fail_status = 1, 400
        res = self.draw("电工", 1, 10)
        a = res["panel"][0]["assignment"]
        self.wait_log("the provider refused the offer for assignment %d (HTTP 400); "
                      "not retried" % a)
        self.bridge_live()          # later messages still go out
        self.assertEqual([p["status"] for p in self.provider.wait_for(
            to(res["panel"][0]["phone"]), timeout=0)], [400])



class ExpirySmsBridgeTest(SmsBridgeBase):
    """Offers that may be answered within seconds (the operator's
    minimum waived), so a real deadline passes during the test."""
    CONFIG = "[assign]\nmin_response_minutes = 0\n"

    def test_an_expired_offer_gets_the_closing_sms(self):
        self.start_bridge()
        self.bridge_live()
        res = self.draw("电工", 1, 10, respond=2)
        seat = res["panel"][0]
        self.offer_sms(res)
        closing = self.provider.wait_for(lambda p: to(seat["phone"])(p) and
                                         "已过答复期限" in p["body"]["content"])
        self.assertTrue(closing, self.read_bridge_log())
        self.assertIn("编号%d）已过答复期限，无需答复" % res["task"],
                      closing[0]["body"]["content"])


class SecureSmsBridgeTest(SmsBridgeBase):
    """CURVE, as in production: the bridge with a notifier key."""

    def setUp(self):
        self.start_secure((("ops", "center-ops operator"),
                           ("haizhu", "gz-haizhu bureau 440105"),
                           ("sms", "sms-gateway notifier")))
        self.setup_bridge("key = %s\nserver_key = %s\n" %
                          (self.as_["sms"].key, self.server_pub))

    def test_notifier_key_delivers_and_resynchronises(self):
        self.start_bridge()
        self.bridge_live()
        self.stop_bridge()
        res = self.draw("电工", 1, 10, ctl=self.as_["haizhu"])
        self.start_bridge()
        text = self.offer_sms(res)[0]["body"]["content"]
        self.assertIn("：440105抽选", text)   # no name for it: the bureau's code
        token = LINK_RE.search(text).group(1)
        self.assertNotEqual(token, self.tokens(res)[res["panel"][0]["assignment"]])
        last = self.show(res["task"])["history"][-1]
        self.assertEqual((last["event"], last["actor"], last["reason"]),
                         ("reissue", "sms-gateway", "notify.resync"))
        self.assertEqual(self.confirm(token)["state"], "accepted")

    def test_a_key_that_is_not_a_notifier_is_refused(self):
        with open(self.config) as f:
            conf = f.read().replace(self.as_["sms"].key, self.as_["haizhu"].key)
        with open(self.config, "w") as f:
            f.write(conf)
        self.start_bridge()
        rc = self.bridge.wait(timeout=WAIT)
        self.bridge_log.close()
        self.bridge = None
        self.assertEqual(rc, 77, self.read_bridge_log())     # EX_NOPERM
        self.assertIn("role notifier", self.read_bridge_log())


class SmsBridgeStartTest(DaemonTest):
    """What the bridge says before it runs."""

    def run_bridge(self, *args):
        return subprocess.run([SMSBRIDGE] + list(args), capture_output=True, text=True,
                              timeout=60)

    def test_help_version_and_bad_configuration(self):
        r = self.run_bridge("--help")
        self.assertEqual(r.returncode, 0, r)
        self.assertIn("--check-config", r.stdout)
        r = self.run_bridge("--version")
        self.assertRegex(r.stdout, r"^expertd-smsbridge \d+\.\d+")
        r = self.run_bridge("--frobnicate")
        self.assertEqual(r.returncode, 64, r)          # EX_USAGE
        bad = self.write_config("[provider]\nurl = https://sms.example.com/\n"
                                "ca_file = %s/no-such-ca.pem\n"
                                "[state]\njournal = %s/j\n[sms]\nbase_url = x\n"
                                "[daemon]\ninsecure = true\n" % (self.dir, self.dir))
        r = self.run_bridge("--config", bad, "--check-config")
        self.assertEqual(r.returncode, 78, r)          # EX_CONFIG
        self.assertIn("ca_file: cannot load", r.stderr)
        unknown = self.write_config("[provider]\nurll = x\n", name="u.conf")
        r = self.run_bridge("--config", unknown)
        self.assertEqual(r.returncode, 78, r)
        self.assertIn("u.conf:2: [provider] urll: unknown key", r.stderr)
        misplaced = self.write_config("[organisers]\ncenter = 市中心\n"
                                      "max_in_flight = 2\n", name="o.conf")
        r = self.run_bridge("--config", misplaced)
        self.assertEqual(r.returncode, 78, r)
        self.assertIn("o.conf:3: [organisers] max_in_flight: not a bureau code", r.stderr)


if __name__ == "__main__":
    import unittest
    unittest.main()
