"""Pool management through expertctl against a real daemon: terms, imports
(GB18030, UTF-8 with BOM, bad rows), listing with masking, status changes,
conflicts, reveal, history."""
import os
import re
import unittest

from harness import Ctl, DaemonTest, genroster

MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^1\d{2}\*{4}\d{4}$")


class PoolTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)

    def test_import_gb18030_roster_of_2000(self):
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        genroster(path, 2000, seed=7, encoding="gb18030")
        with open(path, "rb") as f:
            raw = f.read()
        with self.assertRaises(UnicodeDecodeError):
            raw.decode("utf-8")          # really GB18030, not UTF-8
        out = self.ctl.json("pool", "import", path)
        self.assertEqual(out["inserted"], 2000)
        listing = self.ctl.json("pool", "list", "--limit", "1000")
        self.assertEqual(listing["total"], 2000)
        self.assertEqual(len(listing["experts"]), 1000)
        for e in listing["experts"]:
            self.assertRegex(e["resident_id"], MASKED_ID)
            self.assertRegex(e["phone"], MASKED_PHONE)
            self.assertEqual(e["status"], "active")
        # Names came through the GB18030 decoding as Chinese text.
        self.assertTrue(all(re.match(r"^[\u4e00-\u9fff]{2,4}$", e["name"])
                            for e in listing["experts"]))

    def test_reimport_never_turns_one_person_into_another(self):
        """A row repeating an expert's resident ID under another name and
        sex is refused, naming both, and the record stays as it was
        (issue #12)."""
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "first.csv")
        genroster(path, 5, seed=21, encoding="utf8", headers="en")
        self.ctl.json("pool", "import", path)
        before = self.ctl.json("pool", "show", "2", "--reveal", "--reason", "test")
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        head = lines[0].split(",")
        row = lines[2].split(",")          # expert 2
        row[head.index("name")] = "黄丽" if before["expert"]["name"] != "黄丽" else "陈志强"
        row[head.index("sex")] = "female" if before["expert"]["sex"] == "male" else "male"
        again = os.path.join(self.dir, "again.csv")
        with open(again, "w", encoding="utf-8") as f:
            f.write("\n".join([lines[0], lines[1], ",".join(row)]) + "\n")
        r = self.ctl.run("pool", "import", again, check=False)
        self.assertEqual(r.rc, 65, r)
        self.assertIn("line 3, column name", r.err)
        self.assertIn("is expert 2, %s" % before["expert"]["name"], r.err)
        self.assertIn("one ID is one person", r.err)
        self.assertNotIn(before["expert"]["resident_id"], r.err)   # masked
        after = self.ctl.json("pool", "show", "2", "--reveal", "--reason", "test")
        self.assertEqual(after["expert"], before["expert"])
        events = [h["event"] for h in after["history"]]
        self.assertEqual(events.count("updated"), 0, events)

    def test_import_utf8_bom_english_headers_and_reimport_updates(self):
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "bom.csv")
        genroster(path, 300, seed=3, encoding="utf8-bom", headers="en")
        with open(path, "rb") as f:
            self.assertEqual(f.read(3), b"\xef\xbb\xbf")
        first = self.ctl.json("pool", "import", path)
        self.assertEqual((first["inserted"], first["updated"]), (300, 0))
        again = self.ctl.json("pool", "import", path)
        self.assertEqual((again["inserted"], again["updated"], again["unchanged"]),
                         (0, 0, 300))
        # An unchanged re-import writes no history.
        self.assertEqual([h["event"] for h in self.ctl.json("pool", "show", "1")["history"]],
                         ["imported"])
        # A changed row updates that expert only.
        with open(path, encoding="utf-8-sig", newline="") as f:
            lines = f.read().split("\r\n")
        cells = lines[1].split(",")
        col = lines[0].split(",").index("employer")
        cells[col] = "广州市新单位职业培训学校"
        lines[1] = ",".join(cells)
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            f.write("\r\n".join(lines))
        third = self.ctl.json("pool", "import", path)
        self.assertEqual((third["inserted"], third["updated"], third["unchanged"]),
                         (0, 1, 299))
        shown = self.ctl.json("pool", "show", "1")
        self.assertEqual(shown["expert"]["employer"], "广州市新单位职业培训学校")
        self.assertEqual([h["event"] for h in shown["history"]], ["imported", "updated"])
        self.assertEqual(self.ctl.json("pool", "list")["total"], 300)

    def test_bad_rows_reject_the_whole_import_with_line_numbers(self):
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "bad.csv")
        report = genroster(path, 200, seed=5, invalid=6)
        bad_lines = sorted(int(m) for m in re.findall(r"line (\d+):", report))
        self.assertEqual(len(bad_lines), 6, report)
        r = self.ctl.run("pool", "import", path, check=False)
        self.assertEqual(r.rc, 65, r)
        for line in bad_lines:
            # The roster's headers are Chinese, and so are the messages.
            self.assertRegex(r.err + r.out, r"第 %d 行" % line)
        self.assertEqual(self.ctl.json("pool", "list")["total"], 0,
                         "nothing may be imported when a row is invalid")
        ok = self.ctl.json("pool", "import", path, "--skip-invalid")
        self.assertEqual(ok["inserted"], 194)
        self.assertEqual(ok["skipped"], 6)

    def test_import_needs_a_term_in_force(self):
        path = os.path.join(self.dir, "r.csv")
        genroster(path, 5)
        r = self.ctl.run("pool", "import", path, check=False)
        self.assertNotEqual(r.rc, 0)
        self.assertIn("invalid_state", r.err)
        self.assertIn("term", r.err)

    def test_terms_open_list_renew(self):
        t1 = self.open_term(self.ctl, "2024-01-01")
        self.assertEqual((t1["term"], t1["start"], t1["end"]),
                         (1, "2024-01-01", "2026-12-31"))
        self.import_roster(self.ctl, 20)
        bad = self.ctl.run("term", "open", "--start", "2023-06-01", check=False)
        self.assertNotEqual(bad.rc, 0)
        self.assertIn("start", bad.err)
        t2 = self.ctl.json("term", "open", "--start", "2027-01-01")
        self.assertEqual(t2["term"], 2)
        self.ctl.run("pool", "revoke", "3", "--reason", "left the field")
        renewed = self.ctl.json("term", "renew", "--term", "2")
        self.assertEqual(renewed["renewed"], 19)   # the revoked one stays
        terms = self.ctl.json("term", "list")["terms"]
        # Renewed experts served term 1 and serve term 2; the revoked one
        # served term 1 only.
        self.assertEqual([(t["term"], t["experts"]) for t in terms], [(1, 20), (2, 19)])
        in2 = self.ctl.json("pool", "list", "--term", "2", "--limit", "100")
        self.assertEqual(in2["total"], 19)
        self.assertNotIn(3, [e["id"] for e in in2["experts"]])
        bad = self.ctl.run("term", "renew", "--term", "2", "--expert", "3", check=False)
        self.assertIn("invalid_state", bad.err)

    def test_status_changes_history_and_invalid_state(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 10)
        s = self.ctl.json("pool", "suspend", "4", "--reason", "on leave",
                          "--until", "2099-01-31")
        self.assertEqual(s["status"], "suspended")
        again = self.ctl.run("pool", "suspend", "4", "--reason", "x", check=False)
        self.assertIn("invalid_state", again.err)
        self.assertIn("suspended", again.err)
        self.ctl.run("pool", "reinstate", "4", "--reason", "back")
        self.ctl.run("pool", "revoke", "4", "--reason", "breach of confidentiality")
        r = self.ctl.run("pool", "reinstate", "4", "--reason", "no", check=False)
        self.assertIn("invalid_state", r.err)
        self.assertIn("revoked", r.err)
        shown = self.ctl.json("pool", "show", "4")
        events = [(h["event"], h.get("reason")) for h in shown["history"]]
        self.assertEqual(events, [("imported", None), ("suspended", "on leave"),
                                  ("reinstated", "back"),
                                  ("revoked", "breach of confidentiality")])
        self.assertTrue(all(h["actor"] for h in shown["history"]))
        self.assertEqual(shown["history"][1]["until"], "2099-01-31")
        missing = self.ctl.run("pool", "suspend", "999", "--reason", "x", check=False)
        self.assertIn("not_found", missing.err)

    def test_list_filters_and_paging(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 400, seed=11)
        full = self.ctl.json("pool", "list", "--limit", "1000")["experts"]
        counts = {}
        for e in full:
            for s in e["specialties"]:
                counts[s] = counts.get(s, 0) + 1
        top = max(counts, key=counts.get)
        by_spec = self.ctl.json("pool", "list", "--specialty", top, "--limit", "1000")
        self.assertEqual(by_spec["total"], counts[top])
        page = self.ctl.json("pool", "list", "--offset", "390", "--limit", "50")
        self.assertEqual(len(page["experts"]), 10)
        self.assertEqual([e["id"] for e in page["experts"]], list(range(391, 401)))
        self.ctl.run("pool", "suspend", "7", "--reason", "r")
        sus = self.ctl.json("pool", "list", "--status", "suspended")
        self.assertEqual([e["id"] for e in sus["experts"]], [7])
        train = self.ctl.json("pool", "list", "--group-type", "training_review",
                              "--limit", "1000")
        self.assertEqual(train["total"],
                         sum("training_review" in e["group_types"] for e in full))

    def test_reveal_is_recorded_and_needs_a_reason(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 3)
        masked = self.ctl.json("pool", "show", "2")["expert"]
        self.assertRegex(masked["resident_id"], MASKED_ID)
        no_reason = self.ctl.run("pool", "show", "2", "--reveal", check=False)
        self.assertNotEqual(no_reason.rc, 0)
        full = self.ctl.json("pool", "show", "2", "--reveal", "--reason", "audit 7")
        self.assertRegex(full["expert"]["resident_id"], r"^\d{17}[\dX]$")
        self.assertRegex(full["expert"]["phone"], r"^1\d{10}$")
        self.assertEqual(full["history"][-1]["event"], "revealed")
        self.assertEqual(full["history"][-1]["reason"], "audit 7")
        # The full number never appears in the daemon's log.
        self.assertNotIn(full["expert"]["resident_id"], self.d.read_log())

    def test_conflicts(self):
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 5)
        c = self.ctl.json("conflict", "add", "2", "--org", "91350100M000100Y43",
                          "--kind", "former_employer", "--from", "2024-01-01",
                          "--to", "2026-12-31", "--reason", "left in 2023")
        self.assertEqual(c["conflict"], 1)
        bad = self.ctl.run("conflict", "add", "2", "--org", "91350100M000100Y44",
                           "--kind", "relative", check=False)
        self.assertIn("field: org", bad.err)
        self.assertIn("not a unified social credit code", bad.err)
        bad = self.ctl.run("conflict", "add", "2", "--org", "91350100M000100Y43",
                           "--kind", "cousin", check=False)
        self.assertIn("kind", bad.err)
        listed = self.ctl.json("conflict", "list", "--org", "91350100M000100Y43")
        self.assertEqual([(x["expert"], x["kind"]) for x in listed["conflicts"]],
                         [(2, "former_employer")])
        shown = self.ctl.json("pool", "show", "2")
        self.assertEqual(len(shown["conflicts"]), 1)
        self.assertEqual(shown["history"][-1]["event"], "conflict_added")


if __name__ == "__main__":
    unittest.main()
