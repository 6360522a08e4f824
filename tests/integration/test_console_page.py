"""The operator console (issue #13 item 4) in a real browser: headless
Chromium through Selenium on expertd-console, against a real secure daemon
whose pool has a flagged expert, a warned one, accepted and declined seats.

- A draw made while the page is open appears in its live log (the delay
  from the draw's reply to the row in the DOM is measured and printed,
  never asserted: timing goals are not tests here).
- The fairness chart renders: one bar per expert of stats `most_drawn`,
  in its order, each bar's seats the daemon's.
- Tasks by fill, the rates and declines by reason show what `stats`
  gives; the flagged and the warned expert are listed, names masked.
- Without JavaScript (a plain HTTP client) the same tables are there;
  ?lang=en gives the page in English; the page loads nothing from
  elsewhere and breaks no rule of its Content-Security-Policy.

Nothing sleeps to synchronise: the browser is waited for with bounded
polls (WebDriverWait).
"""
import http.client
import json
import os
import re
import shutil
import sys
import time
import unittest

from assign_base import WAIT, AssignBase
from harness import DaemonTest, start_chromium
from test_console import Console, Events

BUILD = os.path.dirname(os.path.dirname(os.environ.get("EXPERTD", "")))
LOCALE = os.environ.get("EXPERTD_LOCALEDIR", os.path.join(BUILD, "locale"))
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOT = "/tmp/expertd-console-page.png"

try:
    from selenium import webdriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
except ImportError:     # scripts/deps installs python3-selenium
    webdriver = None


class ConsoleBase(AssignBase):
    """A secure daemon with assign_base's pool, where the ledger warns at 2
    and flags at 3; the console with the operator's key."""
    CONFIG = "[ledger]\nwarn_at = 2\nflag_at = 3\nflag_span_days = 0\n"

    def setUp(self):
        DaemonTest.setUp(self)
        self.d, as_ = self.start_secure_daemon(
            [("ops", "center-ops operator")],
            extra=["--config", self.write_config(self.CONFIG)], prepare=self.prepare_pool)
        self.__dict__.update(self.prepared)
        self.ctl = as_["ops"]
        self.make_history()
        self.console = Console(self, "--endpoint", self.d.endpoint, "--pub-endpoint",
                               self.d.pub, "--server-key", self.server_pub, "--key",
                               self.keys["ops"], "--locale-dir", LOCALE)

    def make_history(self):
        """钳工's only expert declines three times (flagged), 车工's twice
        (warned); 电工 draws with an acceptance and a decline."""
        for spec, reasons in (("钳工", [["schedule"], ["schedule"], ["other", "--note", "n"]]),
                              ("车工", [["schedule"], ["other", "--note", "n"]])):
            for i, why in enumerate(reasons):
                res = self.draw(spec, 1, 10 + i)
                self.decline(list(self.tokens(res).values())[0], *why)
        self.flagged = self.people["钳工"][0]
        self.warned = self.people["车工"][0]
        res = self.draw("电工", 2, 20)
        toks = list(self.tokens(res).values())
        self.confirm(toks[0])
        self.decline(toks[1], "official_duty")
        self.draw("焊工", 2, 21)

    def stats(self):
        return self.ctl.json("stats", "--top", "100")

    def assert_numbers_are_the_daemons(self, page, stats):
        """The tables of page (HTML) hold stats' numbers."""
        for key, n in stats["tasks"].items():
            self.assertIn('<td data-fill="%s">%d</td>' % (key, n), page)
        for key, n in stats["answers"].items():
            self.assertIn('<td data-answer="%s">%d</td>' % (key, n), page)
        for key, n in stats["declines"].items():
            self.assertIn('<td data-reason="%s">%d</td>' % (key, n), page)
        for key, v in stats["rates"].items():
            m = re.search(r'data-rate="%s" data-value="([^"]+)">([^<]+)<' % key, page)
            self.assertIsNotNone(m, key)
            self.assertEqual(float(m.group(1)), v)
            self.assertEqual(m.group(2), "%.1f%%" % (100 * v))


class ConsolePlainTest(ConsoleBase):
    """What needs no browser: the page without JavaScript, and the JSON."""

    def test_tables_without_javascript(self):
        status, headers, page = self.console.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Language"], "zh-CN")
        stats = self.stats()
        self.assertGreater(stats["rates"]["decline"], 0)
        self.assert_numbers_are_the_daemons(page, stats)
        for words in ("任务补充情况", "被标记和被警告的专家", "拒绝率", "抽取公平性",
                      "缺员", "（北京时间）", "时间冲突", "逾期未答复"):
            self.assertIn(words, page)
        self.assertNotIn("filling<", page)      # codes are shown as words
        rows = re.findall(r'<tr data-expert="(\d+)"><td>\d+</td><td>\d+</td>', page)
        self.assertEqual([int(r) for r in rows], [e["expert"] for e in stats["most_drawn"]])
        # The flagged and the warned expert, by id, masked.
        flagged, warned = self.flagged, self.warned
        self.assertRegex(page, r'(?s)<table id="flagged">.*?<tr data-expert="%d">' % flagged[0])
        self.assertRegex(page, r'(?s)<table id="warned">.*?<tr data-expert="%d">' % warned[0])
        for person in (flagged, warned):
            self.assertNotIn(person[1], page)
            self.assertIn(person[1][0] + "*", page)
        english = self.console.request("GET", "/?lang=en")[2]
        for words in ("Tasks by fill state", "Decline rate", "(Beijing time)", "short"):
            self.assertIn(words, english)

    def test_history_on_the_event_stream_is_masked(self):
        """The log read for catch-up is masked as the stream is: no birth
        date in the pool.expert entries, in the expert.flagged one (which
        has their body), nowhere; masked names where the stream has them,
        so a row looks the same whichever way it came."""
        log = self.entries()
        ev = Events(self.console)
        self.addCleanup(ev.close)
        got = [ev.next_event() for _ in log[-100:]]
        self.assertEqual([e["seq"] for e in got], [e["seq"] for e in log[-100:]])
        flagged = [e for e in got if e["type"] == "expert.flagged"]
        self.assertEqual([e["entry"]["expert"]["id"] for e in flagged], [self.flagged[0]])
        name = flagged[0]["entry"]["expert"]["name"]
        self.assertEqual((name[0], len(name)), (self.flagged[1][0], len(self.flagged[1])))
        self.assertIn("*", name)
        draws = [e for e in got if e["type"] == "draw"]
        self.assertTrue(draws)
        for d in draws:
            self.assertEqual(len(d["entry"]["panel_names"]), len(d["entry"]["panel"]))
            self.assertTrue(all("*" in n for n in d["entry"]["panel_names"]))
        text = "".join(ev.raw)
        self.assertNotIn('"birth"', text)
        for e in log:
            if e["type"] in ("pool.expert", "expert.flagged"):
                self.assertNotIn(e["entry"]["expert"].get("birth", "none"), text)

    def test_json_is_the_daemons_masked(self):
        stats = self.stats()
        status, headers, body = self.console.request("GET", "/api/stats.json")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("application/json"))
        self.assertEqual(json.loads(body), stats)
        tasks = json.loads(self.console.request("GET", "/api/tasks.json")[2])
        self.assertEqual(tasks["fill"], stats["tasks"])
        listed = self.ctl.json("task", "list", "--limit", "50")
        self.assertEqual(tasks["total"], listed["total"])
        self.assertEqual([(t["id"], t["fill"]) for t in tasks["tasks"]],
                         [(t["id"], t["fill"]) for t in listed["tasks"]])
        self.assertFalse(any("note" in t or "created_by" in t for t in tasks["tasks"]))
        experts = json.loads(self.console.request("GET", "/api/experts.json")[2])
        self.assertEqual([(e["expert"], e["level"]) for e in experts["flagged"]],
                         [(self.flagged[0], "flag")])
        self.assertEqual([(e["expert"], e["level"], e["score"]) for e in experts["warned"]],
                         [(self.warned[0], "warn", 2)])
        text = json.dumps(experts, ensure_ascii=False)
        for person in (self.flagged, self.warned):
            self.assertNotIn(person[1], text)
        self.assertEqual(experts["warned"][0]["name"][0], self.warned[1][0])


@unittest.skipIf(webdriver is None or not os.path.exists(CHROMEDRIVER),
                 "needs chromium, chromium-driver and python3-selenium (scripts/deps)")
class ConsoleBrowserTest(ConsoleBase):
    @classmethod
    def setUpClass(cls):
        cls.browser, cls.profile = start_chromium("1280,3400", WAIT, browser_log=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        shutil.rmtree(cls.profile, ignore_errors=True)

    def wait(self, what, pred):
        return WebDriverWait(self.browser, WAIT).until(lambda d: pred(), what)

    def rows(self, css):
        return self.browser.find_elements(By.CSS_SELECTOR, css)

    def test_live_log_chart_and_numbers(self):
        b = self.browser
        b.get(self.console.url + "/")
        log_state = b.find_element(By.ID, "state")
        # The history arrives first: the last entry made so far.
        last = self.entries()[-1]["seq"]
        self.wait("the history never reached the page",
                  lambda: self.rows('#log tr[data-seq="%d"]' % last))
        self.assertIn("已连接", log_state.text)
        self.assertEqual(len(self.rows("#log tr")), last)
        # A draw made now appears in the live log.
        res = self.draw("电工", 2, 30)
        replied = time.monotonic()
        row = self.wait("the draw never appeared in the live log",
                        lambda: self.rows('#log tr[data-seq="%d"]' % res["seq"]))
        delay = time.monotonic() - replied
        sys.stderr.write("\nconsole: draw seq %d in the browser's DOM %.3f s after its "
                         "reply\n" % (res["seq"], delay))
        text = row[0].text
        self.assertIn("抽取", text)
        self.assertIn("北京时间", text)
        for p in res["panel"]:
            self.assertIn(str(p["expert"]), text)
            self.assertNotIn(p["name"], text)
            self.assertIn(p["name"][0] + "*", text)
        # Reloaded, the page's numbers are the daemon's, and the chart has
        # one bar per most-drawn expert, in order, with its seats.
        stats = self.stats()
        b.get(self.console.url + "/")
        bars = self.wait("the fairness chart was never drawn",
                         lambda: self.rows("#chart svg rect.seats"))
        self.assertEqual([(int(r.get_attribute("data-expert")),
                           int(r.get_attribute("data-seats"))) for r in bars],
                         [(e["expert"], e["seats"]) for e in stats["most_drawn"]])
        self.assertEqual(len(self.rows("#chart svg line.expected")), len(bars))
        self.assertTrue(all(float(r.get_attribute("width")) > 0 for r in bars))
        self.assert_numbers_are_the_daemons(b.page_source, stats)
        self.wait("the live log never connected after the reload",
                  lambda: self.rows('#log tr[data-seq="%d"]' % res["seq"]))
        b.save_screenshot(os.path.join(self.dir, "console.png"))
        b.save_screenshot(SCREENSHOT)
        # Nothing was refused by the CSP, nothing failed to load.
        problems = [m for m in b.get_log("browser") if m["level"] in ("SEVERE",)]
        self.assertEqual(problems, [])
        self.assertEqual(b.execute_script(
            "return performance.getEntriesByType('resource').filter("
            "function(r){return r.name.indexOf(location.origin) !== 0}).length"), 0)


if __name__ == "__main__":
    unittest.main()
