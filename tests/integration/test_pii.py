"""Personal data at rest (issue #16 item 5, expertd(8) PERSONAL DATA AT
REST): after a 1,000-expert import, draws and answers, the raw bytes of
the database hold no full resident ID, phone or e-mail address; staged
roster rows are sealed and purged when their import ends; a database an
older expertd wrote clear is sealed in place; a key rotation reseals."""
import csv
import os
import sqlite3
import subprocess
import unittest

from harness import (EXPERTCTL, Ctl, DaemonTest, RawClient, Sealed, draw_args, sqlite_only,
                     genroster)
from schema_undo import LATEST, downgrade

ROSTER = 1000


class PiiTest(DaemonTest):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        genroster(path, ROSTER, seed=7)
        with open(path, encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        self.ids = [r["身份证号"] for r in rows]
        self.phones = [r["手机"] for r in rows]
        self.emails = [r["电子邮箱"] for r in rows if r["电子邮箱"]]
        self.assertEqual(len(self.ids), ROSTER)
        self.ctl.json("pool", "import", "--appointed", path)

    # ---- helpers ----

    def raw_bytes(self):
        """The database file and its WAL, as they are on disk now."""
        out = b""
        for suffix in ("", "-wal"):
            p = self.d.db + suffix
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out += f.read()
        return out

    def assert_nothing_clear(self, raw, what):
        self.assertGreater(len(raw), 100000, "the database is not where expected")
        # (assertFalse: assertNotIn would print megabytes)
        for kind, values in (("resident ID", self.ids), ("phone", self.phones),
                             ("e-mail address", self.emails)):
            for v in values:
                at = raw.find(v.encode())
                self.assertFalse(at >= 0, "a %s in clear %s, at byte %d of %d"
                                 % (kind, what, at, len(raw)))

    def stored_experts(self, sealed):
        """{id: (resident ID, phone, e-mail, blind index)} opened from the
        file; the test fails if one value does not open."""
        out = {}
        with sqlite3.connect(self.d.db) as conn:
            for eid, rid, phone, email, ix in conn.execute(
                    "SELECT id, resident_id, phone, email, resident_ix FROM experts"):
                vals = []
                for col, v in (("resident_id", rid), ("phone", phone), ("email", email)):
                    self.assertTrue(Sealed.is_sealed(v), (eid, col, v))
                    clear = sealed.open("experts.%s:%d" % (col, eid), v)
                    self.assertIsNotNone(clear, "experts.%s of %d does not open" % (col, eid))
                    vals.append(clear.decode())
                out[eid] = tuple(vals) + (bytes(ix),)
        return out

    def top(self):
        """The specialty most experts hold."""
        pool = self.ctl.json("pool", "list", "--limit", "1000")["experts"]
        counts = {}
        for e in pool:
            for s in e["specialties"]:
                counts[s] = counts.get(s, 0) + 1
        return max(counts, key=counts.get)

    def draw_and_answer(self):
        top = self.top()
        answered = 0
        for day in (20, 40, 60):
            res = self.ctl.json(*draw_args(top, 3, day, backups=1))
            # The reply gives the requesting bureau full phones: recorded
            # replies (PROTOCOL.md 6.2) are sealed too.
            self.assertTrue(any(p.get("phone") in self.phones for p in res["panel"]))
            toks = list(res["tokens"].values())
            ok = self.ctl.run("confirm", toks[0], "--answer-endpoint", self.d.answer,
                              json_out=True, check=False)
            self.assertEqual(ok.rc, 0, ok)
            no = self.ctl.run("decline", toks[1], "--reason", "schedule",
                              "--answer-endpoint", self.d.answer, json_out=True,
                              check=False)
            self.assertEqual(no.rc, 0, no)
            answered += 2
        return answered

    # ---- tests ----

    @sqlite_only("searches the bytes of the SQLite file and its WAL")
    def test_no_resident_id_phone_or_email_in_the_database_file(self):
        self.assertEqual(self.draw_and_answer(), 6)
        self.assert_nothing_clear(self.raw_bytes(), "while the daemon runs")
        # What is sealed opens with the key, and is the roster's.
        sealed = Sealed(self.d.sign_key)
        stored = self.stored_experts(sealed)
        self.assertEqual(sorted(v[0] for v in stored.values()), sorted(self.ids))
        self.assertEqual(sorted(v[1] for v in stored.values()), sorted(self.phones))
        for rid, _, _, ix in stored.values():
            self.assertEqual(ix, sealed.index("resident_id", rid))
        replies = sealed.replies(self.d)
        self.assertTrue(any(p.encode() in b"".join(replies) for p in self.phones),
                        "a draw's recorded reply holds the panel's phones")
        # The daemon opens them for those allowed to see them.
        shown = self.ctl.json("pool", "show", "1", "--reveal", "--reason", "test")
        self.assertEqual(shown["expert"]["phone"], stored[1][1])
        self.assertEqual(shown["expert"]["resident_id"], stored[1][0])
        # A value moved to another row does not open there.
        with sqlite3.connect(self.d.db) as conn:
            v = conn.execute("SELECT phone FROM experts WHERE id = 1").fetchone()[0]
        self.assertIsNone(sealed.open("experts.phone:2", v))
        self.assertIsNone(Sealed(self.other_key()).open("experts.phone:1", v))
        # The import's staged rows kept nothing personal once it committed.
        with sqlite3.connect(self.d.db) as conn:
            left = conn.execute("SELECT count(*), sum(length(row)),"
                                " sum(length(resident_id)) FROM import_rows").fetchone()
        self.assertEqual(left, (ROSTER, 0, 0))
        self.assertEqual(self.d.stop(), 0)
        self.assert_nothing_clear(self.raw_bytes(), "after the daemon stopped")
        self.d.start()
        # Re-importing finds every expert by the blind index: all unchanged.
        again = self.ctl.json("pool", "import", "--appointed", os.path.join(self.dir, "roster.csv"))
        self.assertEqual(again.get("unchanged"), ROSTER, again)

    def other_key(self):
        base = os.path.join(self.dir, "other")
        subprocess.run([EXPERTCTL, "keygen", "--sign", base], check=True,
                       capture_output=True)
        return base + ".key"

    @sqlite_only("reads staged rows from the SQLite file")
    def test_staged_rows_are_sealed_and_purged_when_the_import_ends(self):
        rc = RawClient(self.d.endpoint)
        self.addCleanup(rc.close)
        begin = rc.call("pool.import.begin", {})
        self.assertEqual(begin["status"], "ok", begin)
        imp = begin["result"]["import"]
        rid, phone = "11010519491231002X", "13912345678"
        row = {"line": 2, "name": "测试员", "sex": "female", "resident_id": rid,
               "phone": phone, "specialties": ["电工"],
               "group_types": ["skill_evaluation"], "email": "staged@example.cn"}
        staged = rc.call("pool.import.rows", {"import": imp, "rows": [row]})
        self.assertEqual(staged["status"], "ok", staged)
        with sqlite3.connect(self.d.db) as conn:
            (blob, ix), = conn.execute("SELECT row, resident_id FROM import_rows"
                                       " WHERE import_id = ?", (imp,))
        sealed = Sealed(self.d.sign_key)
        self.assertTrue(Sealed.is_sealed(blob))
        self.assertIn(phone.encode(), sealed.open("import_rows.row:%d:2" % imp, blob))
        self.assertEqual(bytes(ix), sealed.index("resident_id", rid))
        for v in (rid, phone, "staged@example.cn"):
            self.assertNotIn(v.encode(), self.raw_bytes())
        # The same ID twice in one import is still found (by its index).
        dup = rc.call("pool.import.rows", {"import": imp, "rows": [dict(row, line=3)]})
        self.assertIn("the same resident ID is on line 2", str(dup["result"]), dup)
        aborted = rc.call("pool.import.abort", {"import": imp})
        self.assertEqual(aborted["status"], "ok", aborted)
        with sqlite3.connect(self.d.db) as conn:
            rows = conn.execute("SELECT line, length(row), length(resident_id)"
                                " FROM import_rows WHERE import_id = ? ORDER BY line",
                                (imp,)).fetchall()
        # Lines (and problems) stay for the report; the personal data is gone.
        self.assertEqual(rows, [(2, 0, 0), (3, 0, 0)])

    def unseal_in_place(self, sealed):
        """Make the file what an expertd before schema 10 wrote: every
        sealed value clear, and the schema taken back to version 9."""
        with sqlite3.connect(self.d.db) as conn:
            for eid, rid, phone, email in conn.execute(
                    "SELECT id, resident_id, phone, email FROM experts").fetchall():
                clear = [sealed.open("experts.%s:%d" % (c, eid), v).decode() for c, v in
                         (("resident_id", rid), ("phone", phone), ("email", email))]
                conn.execute("UPDATE experts SET resident_id = ?, phone = ?, email = ?"
                             " WHERE id = ?", clear + [eid])
            for rowid, principal, req, reply in conn.execute(
                    "SELECT id, principal, request_id, reply FROM requests").fetchall():
                clear = sealed.open("requests.reply:%s\x1f%s" % (principal, req), reply)
                conn.execute("UPDATE requests SET reply = ? WHERE id = ?", (clear, rowid))
            downgrade(conn, 9)     # the version before sealing
            conn.commit()
            conn.isolation_level = None
            conn.execute("VACUUM")

    @sqlite_only("makes the SQLite file an older schema's, written clear (schema_undo)")
    def test_a_database_written_clear_is_sealed_in_place(self):
        res = self.ctl.json(*draw_args(self.top(), 3, 30), request_id="before-sealing")
        self.assertEqual(self.d.stop(), 0)
        sealed = Sealed(self.d.sign_key)
        self.unseal_in_place(sealed)
        raw = self.raw_bytes()
        self.assertIn(self.ids[0].encode(), raw, "the test did not make a clear file")
        self.assertIn(self.phones[0].encode(), raw)
        self.d.start()
        with sqlite3.connect(self.d.db) as conn:
            self.assertEqual(conn.execute("PRAGMA user_version").fetchone()[0], LATEST)
        self.assert_nothing_clear(self.raw_bytes(), "after the upgrade")
        stored = self.stored_experts(sealed)
        self.assertEqual(sorted(v[1] for v in stored.values()), sorted(self.phones))
        # A retry still gets its recorded reply, byte for byte.
        again = self.ctl.json(*draw_args(self.top(), 3, 30), request_id="before-sealing")
        self.assertEqual(again["panel"], res["panel"])
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])

    @sqlite_only("reads the sealed columns from the SQLite file")
    def test_a_key_rotation_reseals_under_the_new_key(self):
        old = self.d.sign_key
        self.assertEqual(self.d.stop(), 0)
        new_base = os.path.join(self.dir, "sign2")
        subprocess.run([EXPERTCTL, "keygen", "--sign", new_base], check=True,
                       capture_output=True)
        self.d.sign_key = new_base + ".key"
        self.d.extra += ["--previous-sign-key", old]
        self.d.start()
        stored = self.stored_experts(Sealed(self.d.sign_key))
        self.assertEqual(sorted(v[0] for v in stored.values()), sorted(self.ids))
        with sqlite3.connect(self.d.db) as conn:
            v = conn.execute("SELECT phone FROM experts WHERE id = 1").fetchone()[0]
        self.assertIsNone(Sealed(old).open("experts.phone:1", v),
                          "the previous key still opens the data")
        self.assert_nothing_clear(self.raw_bytes(), "after the rotation")
        # Started again with the new key alone, it serves the same data.
        self.assertEqual(self.d.stop(), 0)
        self.d.extra = [a for a in self.d.extra if a not in ("--previous-sign-key", old)]
        self.d.start()
        shown = self.ctl.json("pool", "show", "1", "--reveal", "--reason", "test")
        self.assertEqual(shown["expert"]["phone"], stored[1][1])

    @sqlite_only("ages retry records in the SQLite file")
    def test_retry_records_are_kept_for_the_retention_then_forgotten(self):
        self.assertEqual(self.d.stop(), 0)
        self.d.extra += ["--config",
                         self.write_config("[server]\nrequest_retention_days = 30\n")]
        self.d.start()
        top = self.top()
        old = self.ctl.json(*draw_args(top, 2, 20), request_id="made-long-ago")
        new = self.ctl.json(*draw_args(top, 2, 40), request_id="made-today")
        self.assertEqual(self.d.stop(), 0)
        with sqlite3.connect(self.d.db) as conn:
            conn.execute("UPDATE requests SET at = at - 31 * 86400"
                         " WHERE request_id = 'made-long-ago'")
        self.d.start()     # the day's upkeep runs with the first batch
        with sqlite3.connect(self.d.db) as conn:
            kept = dict(conn.execute("SELECT request_id, count(*) FROM requests"
                                     " WHERE request_id LIKE 'made-%' GROUP BY 1"))
        self.assertEqual(kept, {"made-today": 1})
        self.assertIn("forgot 1 retry record(s) older than the retention",
                      self.d.read_log())
        # Within the retention a retry gets its recorded reply; after it,
        # the same id is a new request (PROTOCOL.md 6.2).
        again = self.ctl.json(*draw_args(top, 2, 40), request_id="made-today")
        self.assertEqual(again["task"], new["task"])
        late = self.ctl.json(*draw_args(top, 2, 20), request_id="made-long-ago")
        self.assertNotEqual(late["task"], old["task"])


if __name__ == "__main__":
    unittest.main()
