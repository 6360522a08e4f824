"""Outputs for the file (档案, issue #12 item 6; PROTOCOL.md 7.16): the
roster export round-trips through import byte for byte (UTF-8 and
GB18030); personal data only on an audited reveal, and only by operators;
the task sheet and the 公示 list open as .xlsx (openpyxl) with the cells
expected; the work-done ledger counts completed seats per bureau."""
import csv
import datetime
import io
import os
import time
import unittest
from unittest import mock

import openpyxl

from harness import Ctl, Daemon, DaemonTest, genroster
from assign_base import AssignBase

ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": "zh_CN.UTF-8", "LANGUAGE": "zh_CN"}


def cells(path):
    """Every non-empty cell of the workbook's first sheet, as text, by row."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [[("" if c is None else str(c)) for c in row]
            for row in ws.iter_rows(values_only=True)]


class RosterExportTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d, _ = self.start_from_template(self.prepare)
        self.ctl = Ctl(self.d)

    def prepare(self, ctl):
        """The term and the roster, made once per class (start_from_template)."""
        self.open_term(ctl)
        self.import_roster(ctl, 40, seed=7)

    def fresh_ctl(self, name):
        """A second daemon with an empty store in a directory of its own."""
        sub = os.path.join(self.dir, name)
        os.mkdir(sub)
        d = Daemon(sub)
        self.addCleanup(self.stop_daemon, d)
        d.start()
        ctl = Ctl(d)
        self.open_term(ctl)
        return ctl

    def round_trip(self, encoding):
        first = os.path.join(self.dir, "first-%s.csv" % encoding)
        a = self.ctl.run("pool", "export", "--reveal", "--reason", "filing",
                         "--encoding", encoding, "--xlsx", first + ".xlsx")
        self.assertEqual(a.rc, 0, a)
        out = self.raw_export(self.ctl, encoding)
        with open(first, "wb") as f:
            f.write(out)
        b = self.fresh_ctl("b-" + encoding)
        res = b.json("pool", "import", first)
        self.assertEqual(res["inserted"], 40, res)
        again = self.raw_export(b, encoding)
        self.assertEqual(out, again, "export -> import -> export changed the file")
        # The workbook holds the same cells, every one text (IDs keep
        # their 18 digits in Excel).
        text = out.decode("utf-8-sig" if encoding == "utf8" else "gb18030")
        want = list(csv.reader(io.StringIO(text, newline="")))
        self.assertEqual(cells(first + ".xlsx"), want)
        ws = openpyxl.load_workbook(first + ".xlsx").worksheets[0]
        self.assertTrue(all(c.data_type == "s" for row in ws.iter_rows(min_row=2)
                            for c in row if c.value is not None))
        return out

    def raw_export(self, ctl, encoding):
        import subprocess
        argv = ctl.base() + ["pool", "export", "--reveal", "--reason", "filing",
                             "--encoding", encoding]
        p = subprocess.run(argv, capture_output=True, timeout=600)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout

    def test_export_import_export_is_byte_identical_utf8(self):
        out = self.round_trip("utf8")
        self.assertTrue(out.startswith(b"\xef\xbb\xbf"), "no BOM for Excel")
        text = out[3:].decode("utf-8")
        head = text.split("\r\n")[0].split(",")
        self.assertEqual(head[:4], ["姓名", "性别", "身份证号", "手机"])
        self.assertEqual(len(text.strip().split("\r\n")), 41)
        shown = self.ctl.json("pool", "show", "1", "--reveal", "--reason", "t")["expert"]
        self.assertIn(shown["resident_id"], text)
        self.assertIn(shown["phone"], text)

    def test_export_import_export_is_byte_identical_gb18030(self):
        out = self.round_trip("gb18030")
        self.assertFalse(out.startswith(b"\xef\xbb\xbf"))
        with self.assertRaises(UnicodeDecodeError):
            out.decode("utf-8")
        self.assertTrue(out.decode("gb18030").startswith("姓名,性别,"))

    def test_english_headers_round_trip_too(self):
        import subprocess
        argv = self.ctl.base() + ["pool", "export", "--reveal", "--reason", "filing",
                                  "--english"]
        out = subprocess.run(argv, capture_output=True, check=True).stdout
        self.assertTrue(out[3:].startswith(b"name,sex,resident_id,phone,"))
        path = os.path.join(self.dir, "english.csv")
        with open(path, "wb") as f:
            f.write(out)
        b = self.fresh_ctl("b-en")
        self.assertEqual(b.json("pool", "import", path)["inserted"], 40)
        again = subprocess.run(b.base() + argv[len(self.ctl.base()):],
                               capture_output=True, check=True).stdout
        self.assertEqual(out, again)

    def test_masked_export_hides_personal_data_and_records_nothing(self):
        shown = self.ctl.json("pool", "show", "2", "--reveal", "--reason", "t")["expert"]
        before = len(self.ctl.json("pool", "show", "2")["history"])
        out = self.ctl.run("pool", "export").out
        self.assertNotIn(shown["resident_id"], out)
        self.assertNotIn(shown["phone"], out)
        self.assertIn(shown["resident_id"][:6] + "********" + shown["resident_id"][-4:], out)
        if shown["email"]:
            self.assertNotIn(shown["email"], out)
        self.assertEqual(len(self.ctl.json("pool", "show", "2")["history"]), before)
        with mock.patch.dict(os.environ, {"LANG": "C", "LC_ALL": "C"}):
            self.assertIn("cannot be\nimported again",
                          self.ctl.run("pool", "export", "--help").out)

    def test_reveal_is_audited_with_who_and_why(self):
        r = self.ctl.run("pool", "export", "--reveal", check=False)
        self.assertEqual(r.rc, 2)   # --reveal needs --reason
        self.ctl.run("pool", "export", "--reveal", "--reason", "年度归档")
        res = self.ctl.json("pool", "export")  # masked: nothing more recorded
        self.assertEqual(len(res["experts"]), 40)
        entries = [e for e in self.entries() if e["type"] == "pool.revealed"]
        self.assertEqual(len(entries), 1, entries)
        body = entries[0]["entry"]
        self.assertEqual((body["reason"], body["op"], body["experts"]),
                         ("年度归档", "pool.export", 40))
        self.assertTrue(body["actor"])
        last = self.ctl.json("pool", "show", "5")["history"][-1]
        self.assertEqual((last["event"], last["reason"], last["detail"]),
                         ("revealed", "年度归档", "pool.export"))
        v = self.ctl.run("audit", "verify", json_out=True, check=False)
        self.assertEqual(v.rc, 0, v)

    def entries(self):
        import json
        out = self.ctl.run("--json", "log", "--since", "1", "--limit", "1000000").out
        return [json.loads(l) for l in out.splitlines() if l.strip()]


class FileOutputsSecureTest(AssignBase):
    """Roles, bureaus and the .xlsx files need CURVE keys and a task."""

    def setUp(self):
        self.start_secure((("ops", "center-ops operator"),
                           ("haizhu", "gz-haizhu bureau 440105"),
                           ("clerk", "haizhu-clerk clerk 440105"),
                           ("tianhe", "gz-tianhe bureau 440106")))

    def test_bureaus_and_clerks_cannot_export_or_reveal(self):
        for who in ("haizhu", "clerk"):
            for extra in ((), ("--reveal", "--reason", "curious")):
                r = self.as_[who].run("pool", "export", *extra, json_out=True,
                                      check=False)
                self.assert_error(r, "forbidden")
        self.assert_error(self.as_["clerk"].run("term", "publicity", "1", json_out=True,
                                                check=False), "forbidden")
        self.assert_error(self.as_["clerk"].run("ledger", "work", "--from", "2026-01-01",
                                                "--to", "2026-12-31", json_out=True,
                                                check=False), "forbidden")
        revealed = [e for e in self.entries() if e["type"] == "pool.revealed"]
        self.assertEqual(revealed, [])

    def completed_task(self):
        """A haizhu task of three members who accepted; two came."""
        start = int(time.time()) + 10  # room to answer under a loaded ASan build
        res = self.as_["haizhu"].json("draw", "--kind", "competition", "--specialty", "电工",
                                      "--members", "3", "--start", str(start),
                                      "--end", str(start + 3 * 3600))
        task = res["task"]
        seats = [p["assignment"] for p in res["panel"]]
        for a in seats:
            self.staff(a, "accept", "--channel", "phone", ctl=self.as_["clerk"])
        while time.time() < start + 1:
            time.sleep(0.2)
        self.as_["clerk"].json("task", "attendance", str(task),
                               *["%d=completed" % a for a in seats[:-1]],
                               "%d=no_show" % seats[-1])
        return task, res

    def test_task_sheet_opens_in_excel_with_panel_answers_and_hash(self):
        task, res = self.completed_task()
        path = os.path.join(self.dir, "sheet.xlsx")
        with mock.patch.dict(os.environ, ZH):
            self.as_["clerk"].run("task", "sheet", str(task), "--xlsx", path)
        rows = cells(path)
        self.assertIn("任务 %d" % task, rows[0][0])
        self.assertEqual(rows[1][:4], ["序号", "角色", "姓名", "工作单位"])
        names = {p["name"] for p in res["panel"]}
        body = [r for r in rows[2:] if r and r[0].isdigit()]
        self.assertEqual({r[2] for r in body}, names)
        self.assertEqual(sorted(r[8] for r in body), ["出席", "出席", "缺席"])
        self.assertTrue(all(r[5] == "接受" and "北京时间" in r[6] for r in body), body)
        sheet = self.as_["clerk"].json("task", "sheet", str(task))
        seq, digest = sheet["draws"][0]["seq"], sheet["draws"][0]["hash"]
        entry = [e for e in self.entries() if e["seq"] == seq][0]
        self.assertEqual(entry["type"], "draw")
        text = "\n".join(c for r in rows for c in r)
        self.assertIn(digest, text)
        self.assertIn("签名", text)
        # A cancelled task's sheet still shows its panel (task.cancel's
        # seats were the panel; only a redraw's cancelled seats are not).
        start = int(time.time()) + 86400
        other = self.as_["haizhu"].json("draw", "--kind", "competition", "--specialty",
                                        "电工", "--members", "2", "--start", str(start),
                                        "--end", str(start + 3600))
        self.as_["haizhu"].json("task", "cancel", str(other["task"]), "--reason", "改期")
        seats = self.as_["clerk"].json("task", "sheet", str(other["task"]))["seats"]
        self.assertEqual(sorted(s["assignment"] for s in seats),
                         sorted(p["assignment"] for p in other["panel"]))
        self.assertEqual({s["state"] for s in seats}, {"cancelled"})
        # Another bureau's task does not exist for it.
        self.assert_error(self.as_["tianhe"].run("task", "sheet", str(task),
                                                 json_out=True, check=False),
                          "not_found", "task")

    def test_publicity_list_opens_in_excel_without_identifiers(self):
        path = os.path.join(self.dir, "gongshi.xlsx")
        self.ctl.json("pool", "revoke", "3", "--reason", "test")
        # A recommended candidate, not yet appointed, is not on the list.
        candidate = os.path.join(self.dir, "candidate.csv")
        genroster(candidate, 1, seed=4242)
        self.assertEqual(self.ctl.json("pool", "import", candidate)["inserted"], 1)
        with mock.patch.dict(os.environ, ZH):
            self.as_["haizhu"].run("term", "publicity", "1", "--xlsx", path)
        rows = cells(path)
        self.assertIn("公示", rows[0][0])
        self.assertEqual(rows[1][:3], ["序号", "姓名", "性别"])
        body = [r for r in rows[2:] if r and r[0].isdigit()]
        listed = {e["name"] for e in self.ctl.json("pool", "list", "--limit", "1000")
                  ["experts"] if e["status"] != "revoked"
                  and e["appointment"] == "appointed"}
        self.assertEqual({r[1] for r in body}, listed)
        self.assertEqual(len(body), 20)   # 21 in the pool, one revoked
        self.assertTrue({r[2] for r in body} <= {"男", "女"})
        text = "\n".join(c for r in rows for c in r)
        for spec, people in self.people.items():
            for _, _, phone, rid in people:
                self.assertNotIn(rid, text)
                self.assertNotIn(phone, text)
        self.assert_error(self.ctl.run("term", "publicity", "9", json_out=True,
                                       check=False), "not_found", "term")

    def test_work_ledger_counts_completed_seats_per_bureau(self):
        task, res = self.completed_task()
        day = datetime.date.today()
        span = ["--from", (day - datetime.timedelta(days=1)).isoformat(),
                "--to", (day + datetime.timedelta(days=1)).isoformat()]
        mine = self.as_["haizhu"].json("ledger", "work", *span)
        self.assertEqual(mine["bureau"], "440105")
        self.assertEqual(len(mine["lines"]), 2, (mine, res))
        self.assertEqual([l["as_leader"] for l in mine["lines"]], [0, 0])
        came = sorted(p["expert"] for p in res["panel"][:-1])
        self.assertEqual([l["expert"] for l in mine["lines"]], came)
        self.assertTrue(all(l["seats"] == 1 and l["seconds"] == 3 * 3600
                            for l in mine["lines"]), mine)
        # Another bureau gets its own (none), whatever it asks for.
        other = self.as_["tianhe"].json("ledger", "work", *span, "--bureau", "440105")
        self.assertEqual((other["bureau"], other["lines"]), ("440106", []))
        self.assertEqual(len(self.ctl.json("ledger", "work", *span)["lines"]), 2)
        before = self.ctl.json("ledger", "work", "--from", "2000-01-01", "--to",
                               (day - datetime.timedelta(days=1)).isoformat())
        self.assertEqual(before["lines"], [])
        path = os.path.join(self.dir, "ledger.xlsx")
        self.ctl.run("ledger", "work", *span, "--xlsx", path)
        rows = cells(path)
        body = [r for r in rows if r and r[0] == "440105"]
        self.assertEqual(len(body), 2)
        self.assertEqual(sorted(r[7] for r in body), ["3.00", "3.00"])
        self.assertTrue(all(r[1] == "440105" for r in body), body)  # no registry name


if __name__ == "__main__":
    unittest.main()
