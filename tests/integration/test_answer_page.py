"""The expert's answer page (issue #13 item 2), end to end: the real
daemon in secure mode, the real expertd-answer talking to its answer
endpoint over CURVE with its own key, and a real browser (headless
Chromium through Selenium) doing what an expert does with the SMS link:
accept; decline with a reason; an expired link; a replaced link; a wrong
link; dates they cannot serve; English on request. Then, without the
browser: the security headers, methods, sizes and form tokens; and the
throttling the issue asks for: 5 bad tokens through the page's single
connection from one source leave another expert's link working, and the
page refuses a source that keeps trying bad links.

Nothing sleeps to synchronise: the page and the browser are waited for
with bounded polls; one short deadline is let pass.
"""
import datetime
import http.client
import os
import shutil
import subprocess
import time
import unittest
import urllib.parse

from harness import (Ctl, DaemonTest, WebProgram, draw_args, free_tcp_port, keygen,
                     start_chromium)
from assign_base import WAIT, AssignBase

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.dirname(os.path.dirname(os.environ.get("EXPERTD", "")))
ANSWER = os.environ.get("EXPERTD_ANSWER", os.path.join(BUILD, "clients", "expertd-answer"))
LOCALE = os.environ.get("EXPERTD_LOCALEDIR", os.path.join(BUILD, "locale"))
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT = "/tmp/expertd-answer-offer.png"
CST = datetime.timezone(datetime.timedelta(hours=8))

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:     # scripts/deps installs python3-selenium
    webdriver = None


def cst(t):
    return datetime.datetime.fromtimestamp(t, CST).strftime("%Y-%m-%d %H:%M")


class AnswerPage(WebProgram):
    """expertd-answer on a free loopback port (harness.WebProgram)."""

    def __init__(self, test, *args):
        super().__init__(test, "answer", [ANSWER, "--answer-endpoint", test.d.answer,
                                          "--locale-dir", LOCALE] + list(args), WAIT)

    def link(self, token, tail=""):
        return "%s/a/%s%s" % (self.url, urllib.parse.quote(token, safe=""), tail)


class PageBase(AssignBase):
    """A secure daemon (answers may be due in 2 s) and the page, with its
    own CURVE key; self.ctl is an operator."""
    CONFIG = "[assign]\nmin_response_minutes = 0\n"
    PAGE_ARGS = ()

    def setUp(self):
        DaemonTest.setUp(self)
        self.d, as_ = self.start_secure_daemon(
            [("ops", "ops operator")], extra=["--config", self.write_config(self.CONFIG)],
            prepare=self.prepare_pool)
        self.__dict__.update(self.prepared)
        self.ctl = as_["ops"]
        page_key, _, _, _ = keygen(self.dir, "page")
        self.page = AnswerPage(self, "--server-key", self.server_pub, "--key", page_key,
                               *self.PAGE_ARGS)

    def history(self, task, assignment):
        return [h for h in self.show(task)["history"] if h["assignment"] == assignment]


@unittest.skipIf(webdriver is None or not os.path.exists(CHROMEDRIVER),
                 "needs chromium, chromium-driver and python3-selenium (scripts/deps)")
class BrowserTest(PageBase):
    @classmethod
    def setUpClass(cls):
        cls.browser, cls.profile = start_chromium("412,1400", WAIT)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        shutil.rmtree(cls.profile, ignore_errors=True)

    def open(self, url):
        self.browser.get(url)
        return self.text()

    def text(self):
        """What the page shows now (read in one step: no element to go
        stale while the next page loads)."""
        return self.browser.execute_script(
            "return document.body ? document.body.innerText : ''")

    def click_and_wait(self, element_id, expect):
        """Click, then wait (bounded) for the next page to say `expect`."""
        before = self.browser.current_url, self.text()
        self.browser.find_element(By.ID, element_id).click()
        WebDriverWait(self.browser, WAIT).until(lambda d: expect in self.text(),
                                                "the page never said %r (was: %r)"
                                                % (expect, before))
        return self.text()

    def test_accept_shows_the_task_in_chinese(self):
        res = self.ctl.json(*draw_args("电工", 2, start=self.start_at(10), backups=1),
                            "--district", "天河区", "--note", "请携带职业资格证书")
        toks = self.tokens(res)
        a1 = min(toks)
        task = self.show(res["task"])["task"]
        seat = self.seats(res["task"])[a1]
        # As pasted from the SMS, with the full stop after the link.
        page = self.open(self.page.link(toks[a1] + "。"))
        self.browser.save_screenshot(SCREENSHOT)
        for words in ("专家任务邀请", "技能竞赛", "电工", "天河区", "请携带职业资格证书",
                      "组员", task["bureau"], "（北京时间）", "接受邀请", "谢绝邀请",
                      "因病", "公务在身", "时间冲突", "其他原因（请说明）",
                      "登记不能参加的时段"):
            self.assertIn(words, page)
        self.assertIn("%s – %s （北京时间）" % (cst(task["start"]), cst(task["end"])), page)
        self.assertIn("%s （北京时间）" % cst(seat["deadline"]), page)
        self.assertEqual(self.browser.execute_script("return document.scripts.length"), 0)
        # Nobody else on the panel, nothing personal.
        for people in self.people.values():
            for _, name, phone, rid in people:
                for secret in (name, phone, rid):
                    self.assertNotIn(secret, page)
        done = self.click_and_wait("accept", "您已接受")
        self.assertIn("谢谢", done)
        self.assertEqual(self.seats(res["task"])[a1]["state"], "accepted")
        hist = self.history(res["task"], a1)
        self.assertEqual((hist[-1]["event"], hist[-1]["channel"]), ("accept", "token"))
        # The link again: answered, and how.
        again = self.open(self.page.link(toks[a1]))
        self.assertIn("已经答复", again)
        self.assertIn("您已接受", again)
        self.assertNotIn("接受邀请", again)

    def test_decline_with_a_reason(self):
        res = self.draw("电工", 2, 10)
        toks = self.tokens(res)
        a1, a2 = sorted(toks)
        self.open(self.page.link(toks[a1]))
        self.browser.find_element(By.ID, "reason-illness").click()
        done = self.click_and_wait("decline", "您已谢绝")
        self.assertIn("原因：因病", done)
        self.assertEqual(self.seats(res["task"])[a1]["state"], "declined")
        self.assertEqual(self.history(res["task"], a1)[-1]["reason"], "illness")
        # "Other" needs a note: the page says so, and keeps the offer open.
        self.open(self.page.link(toks[a2]))
        self.browser.find_element(By.ID, "reason-other").click()
        said = self.click_and_wait("decline", "请检查您的答复")
        self.assertIn("选择“其他原因”时请填写说明", said)
        self.assertEqual(self.seats(res["task"])[a2]["state"], "offered")
        self.browser.find_element(By.LINK_TEXT, "返回邀请").click()
        WebDriverWait(self.browser, WAIT).until(lambda d: "专家任务邀请" in self.text())
        self.browser.find_element(By.ID, "reason-other").click()
        self.browser.find_element(By.ID, "note").send_keys("家中有事")
        self.click_and_wait("decline", "您已谢绝")
        hist = self.history(res["task"], a2)[-1]
        self.assertEqual((hist["event"], hist["reason"], hist["note"]),
                         ("decline", "other", "家中有事"))

    def test_expired_link(self):
        res = self.draw("电工", 1, 10, respond=2)
        (a, tok), = self.tokens(res).items()
        self.assertIn("专家任务邀请", self.open(self.page.link(tok)))
        deadline = time.time() + WAIT
        while self.page.request("GET", "/a/" + tok)[0] == 200:
            self.assertLess(time.time(), deadline, "the offer never expired")
            time.sleep(0.2)
        # The form loaded before the deadline cannot answer after it.
        said = self.click_and_wait("accept", "邀请已过期")
        self.assertIn("答复时间已过", said)
        self.assertEqual(self.seats(res["task"])[a]["state"], "expired")
        page = self.open(self.page.link(tok))
        self.assertIn("邀请已过期", page)
        self.assertNotIn("接受邀请", page)

    def test_replaced_link(self):
        res = self.draw("电工", 1, 10)
        (a, old), = self.tokens(res).items()
        self.open(self.page.link(old))      # the form of the old link, loaded
        new = self.tokens(self.reissue(a))[a]
        # Answering through the old link's form: refused, and said why.
        said = self.click_and_wait("accept", "此链接已被新链接取代")
        self.assertIn("请使用最新短信中的链接", said)
        self.assertEqual(self.seats(res["task"])[a]["state"], "offered")
        self.assertIn("此链接已被新链接取代", self.open(self.page.link(old)))
        self.open(self.page.link(new))
        self.click_and_wait("accept", "您已接受")

    def test_wrong_token(self):
        res = self.draw("电工", 1, 10)
        (a, tok), = self.tokens(res).items()
        for wrong in (tok[:-3] + ("xyz" if tok[-3:] != "xyz" else "abc"),
                      "%d.AAAAAAAAAAAAAAAAAAAAAA" % (a + 1000), "hello"):
            page = self.open(self.page.link(wrong))
            self.assertIn("链接无效", page)
            self.assertIn("请确认打开的是短信中的完整链接", page)
            self.assertNotIn("接受邀请", page)
        self.assertEqual(self.seats(res["task"])[a]["state"], "offered")

    def test_unavailable_dates_then_english(self):
        res = self.draw("电工", 1, 10)
        (a, tok), = self.tokens(res).items()
        self.open(self.page.link(tok))
        today = datetime.datetime.now(CST).date().isoformat()
        done = self.click_and_wait("unavailable", "时段已登记")
        self.assertIn("%s 至 %s" % (today, today), done)
        self.assertEqual(self.seats(res["task"])[a]["state"], "offered")
        expert = self.seats(res["task"])[a]["expert"]
        events = self.ctl.json("pool", "show", str(expert))["history"]
        self.assertEqual(events[-1]["event"], "unavailable")
        # English on request; the language stays through the forms.
        page = self.open(self.page.link(tok, "?lang=en"))
        for words in ("Invitation to serve as an expert", "skills competition",
                      "(Beijing time)", "I accept", "中文"):
            self.assertIn(words, page)
        self.click_and_wait("accept", "You have accepted")


class PageHttpTest(PageBase):
    """What the page promises a browser, checked on the wire."""

    def test_headers_methods_sizes_and_form_tokens(self):
        res = self.draw("电工", 1, 10)
        (a, tok), = self.tokens(res).items()
        status, headers, body = self.page.request("GET", "/a/" + tok)
        self.assertEqual(status, 200, body)
        csp = headers["Content-Security-Policy"]
        self.assertTrue(csp.startswith("default-src 'none'; style-src 'sha256-"), csp)
        for part in ("form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
            self.assertIn(part, csp)
        self.assertEqual((headers["X-Content-Type-Options"], headers["Referrer-Policy"],
                          headers["X-Frame-Options"], headers["Cache-Control"]),
                         ("nosniff", "no-referrer", "DENY", "no-store"))
        self.assertEqual(headers["Content-Type"], "text/html; charset=utf-8")
        self.assertNotIn("<script", body)
        self.assertIn('<meta name="viewport"', body)
        csrf = body.split('name="csrf" value="')[1].split('"')[0]
        form = {"csrf": csrf, "action": "accept"}
        post = lambda f, **h: self.page.request(
            "POST", "/a/" + tok, urllib.parse.urlencode(f),
            dict({"Content-Type": "application/x-www-form-urlencoded"}, **h))
        # No form token, a forged one, one made for another link, another
        # site's Origin: refused, nothing answered.
        other = self.tokens(self.draw("电工", 1, 11))
        (_, other_tok), = other.items()
        other_csrf = self.page.request("GET", "/a/" + other_tok)[2].split(
            'name="csrf" value="')[1].split('"')[0]
        for bad, extra in (({"action": "accept"}, {}),
                           (dict(form, csrf=csrf[:-1] + ("0" if csrf[-1] != "0" else "1")), {}),
                           (dict(form, csrf=other_csrf), {}),
                           (form, {"Origin": "http://evil.example"})):
            status, headers, body = post(bad, **extra)
            self.assertEqual(status, 403, body)
            self.assertIn("表单已失效", body)
            self.assertIn("Content-Security-Policy", headers)
        self.assertEqual(self.seats(res["task"])[a]["state"], "offered")
        # Only GET and POST; bounded body and headers.
        for method in ("PUT", "DELETE", "OPTIONS"):
            self.assertEqual(self.page.request(method, "/a/" + tok)[0], 405, method)
        self.assertEqual(post(dict(form, note="x" * 20000))[0], 413)
        status = self.page.request("GET", "/a/" + tok, headers={"X-Big": "y" * 20000})[0]
        self.assertIn(status, (400, 413, 431))
        self.assertEqual(self.page.request("GET", "/")[0], 404)
        # The right form, from this site: answered.
        status, _, body = post(form, Origin=self.page.url)
        self.assertEqual(status, 200, body)
        self.assertIn("您已接受", body)
        self.assertEqual(self.seats(res["task"])[a]["state"], "accepted")
        # The page never touched the database: its only way in is the
        # answer endpoint, as its log says.
        self.assertIn(self.d.answer, self.page.output())


class DaemonAwayTest(PageBase):
    """The page when the daemon does not answer: it says so, and a
    visitor who leaves while it waits costs nothing (the page exits 0 at
    cleanup: ASan would report a use after free or a leak)."""
    PAGE_ARGS = ("--timeout", "1500")

    def test_daemon_down_says_try_later_and_a_visitor_may_leave(self):
        res = self.draw("电工", 1, 10)
        (a, tok), = self.tokens(res).items()
        self.assertEqual(self.page.request("GET", "/a/" + tok)[0], 200)
        self.stop_daemon(self.d)
        # A visitor who gives up before the daemon's timeout.
        leaver = http.client.HTTPConnection("127.0.0.1", self.page.port, timeout=WAIT)
        leaver.request("GET", "/a/" + tok)
        leaver.close()
        status, headers, body = self.page.request("GET", "/a/" + tok)
        self.assertEqual(status, 503, body)
        self.assertIn("服务暂时不可用", body)
        self.assertIn("Content-Security-Policy", headers)
        # The page serves on: the next visitor gets the same answer.
        self.assertEqual(self.page.request("GET", "/a/" + tok)[0], 503)


class GatewayTest(PageBase):
    """PROTOCOL.md 7.12.9 through the page: the page is one connection to
    the daemon relaying every expert's answers."""
    PAGE_ARGS = ("--trust-proxy", "--bad-limit", "8")

    def test_five_bad_tokens_from_one_source_leave_another_expert_served(self):
        res = self.draw("电工", 2, 10)
        toks = self.tokens(res)
        a1, a2 = sorted(toks)
        me = {"X-Forwarded-For": "203.0.113.7"}
        bad = "%d.%s" % (a1, "Q" * 22)
        for _ in range(5):
            status, _, body = self.page.request("GET", "/a/" + bad, headers=me)
            self.assertEqual(status, 404, body)
            self.assertIn("链接无效", body)
        # The sixth guess at that seat: the daemon throttles the seat ...
        status, _, body = self.page.request("GET", "/a/" + bad, headers=me)
        self.assertEqual(status, 429, body)
        self.assertIn("尝试次数过多", body)
        # ... and the same source, over the page's same connection, still
        # reaches another expert's offer and answers it.
        status, _, body = self.page.request("GET", "/a/" + toks[a2], headers=me)
        self.assertEqual(status, 200, body)
        self.assertIn("专家任务邀请", body)
        csrf = body.split('name="csrf" value="')[1].split('"')[0]
        status, _, body = self.page.request(
            "POST", "/a/" + toks[a2], urllib.parse.urlencode({"csrf": csrf,
                                                              "action": "accept"}),
            dict(me, **{"Content-Type": "application/x-www-form-urlencoded"}))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.seats(res["task"])[a2]["state"], "accepted")
        # The guessed-at seat's own expert is not locked out either.
        status, _, body = self.page.request("GET", "/a/" + toks[a1])
        self.assertEqual(status, 200, body)

    def test_the_page_refuses_a_source_that_keeps_trying(self):
        res = self.draw("电工", 1, 10)
        (a, tok), = self.tokens(res).items()
        guesser = {"X-Forwarded-For": "198.51.100.1, 203.0.113.9"}
        for i in range(8):     # --bad-limit 8, spread over seats
            status = self.page.request("GET", "/a/%d.%s" % (i + 500, "Z" * 22),
                                       headers=guesser)[0]
            self.assertEqual(status, 404)
        # Refused at the page now, even with a good link ...
        status, _, body = self.page.request("GET", "/a/" + tok, headers=guesser)
        self.assertEqual(status, 429, body)
        # ... which works from any other address (the last X-Forwarded-For
        # entry is the one the proxy vouches for).
        other = {"X-Forwarded-For": "203.0.113.9, 198.51.100.1"}
        self.assertEqual(self.page.request("GET", "/a/" + tok, headers=other)[0], 200)


class CliTest(unittest.TestCase):
    """--help, --version and the exit codes of expertd-answer(1)."""

    def run_page(self, *args):
        return subprocess.run([ANSWER, "--locale-dir", LOCALE] + list(args),
                              capture_output=True, text=True, timeout=WAIT)

    def test_help_version_and_bad_usage(self):
        r = self.run_page("--help")
        self.assertEqual(r.returncode, 0, r)
        for words in ("usage: expertd-answer", "--answer-endpoint", "--trust-proxy",
                      "--bad-limit", "Exit status"):
            self.assertIn(words, r.stdout)
        r = self.run_page("--version")
        self.assertEqual(r.returncode, 0, r)
        self.assertRegex(r.stdout, r"^expertd-answer \d+\.\d+\.\d+\n$")
        for args, code, says in ((("--port", "0"), 64, "out of range"),
                                 (("--frobnicate",), 64, "try --help"),
                                 (("extra",), 64, "unexpected argument"),
                                 ((), 78, "expertctl keygen"),
                                 (("--server-key", "x" * 40), 78, "--key")):
            r = self.run_page(*args)
            self.assertEqual(r.returncode, code, (args, r))
            self.assertIn(says, r.stderr)
