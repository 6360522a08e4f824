"""`expertctl pool import` reads its roster in pieces (issue #14 goal 6):
a roster several read chunks long, with a multi-line quoted cell, a
UTF-8 or GB18030 character and bad rows each straddling a chunk
boundary, and the same resident ID at the top and at the bottom, reports
every problem by line and column exactly where the file has it; pipes
and the progress display still work. (Its memory is measured by
scripts/bench, never here.)"""
import csv
import io
import json
import os
import pty
import select
import subprocess
import unittest

from harness import Ctl, DaemonTest, genroster

# expertctl reads the file this many bytes at a time (IMPORT_FILE_CHUNK
# in import_file.h): the features below sit across these boundaries.
CHUNK = 65536
SPECIALTIES, EMPLOYER, SEX, RESIDENT_ID = 8, 4, 1, 2


def encode_row(cells, encoding):
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().encode(encoding)


def straddling_roster(src, encoding):
    """The rows of genroster's file src, rewritten in encoding so that
    across boundary 1 a quoted specialties cell breaks its line, across
    boundary 2 the employer's first character is cut in two, across
    boundary 3 a row with a bad 性别 is cut, and the last row repeats
    the first row's resident ID. Returns (bytes, number of rows,
    expected [(line, column)] errors, (name, specialties) of the row
    whose cell breaks its line)."""
    with open(src, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, rows = rows[0], rows[1:]
    data = encode_row(head, encoding)
    line = 2
    errors = []
    boundary = 1
    for i, cells in enumerate(rows):
        cells = list(cells)
        b = boundary * CHUNK
        if boundary <= 3 and b - len(data) < 700:
            before = encode_row(cells[:EMPLOYER], encoding)[:-2] + b","
            if boundary == 1:
                # The cell's line break as the first byte after b; the
                # spaces before it are trimmed away.
                before = encode_row(cells[:SPECIALTIES], encoding)[:-2] + b',"'
                first = cells[SPECIALTIES].split("、")[0]
                second = next(r[SPECIALTIES].split("、")[0] for r in rows
                              if r[SPECIALTIES].split("、")[0] != first)
                pad = b - len(data) - len(before) - len(first.encode(encoding))
                cells[SPECIALTIES] = first + " " * pad + "\n" + second
                split = (cells[0], [first, second])
            elif boundary == 2:
                # The employer's first (two- or three-byte) character cut
                # after its first byte; leading spaces are trimmed away.
                cells[EMPLOYER] = " " * (b - len(data) - len(before) - 1) + cells[EMPLOYER]
            else:
                cells[SEX] = "不详"
                cells[EMPLOYER] = " " * (b - len(data) - len(before) - 1) + cells[EMPLOYER]
                errors.append((line, "性别"))
            boundary += 1
            row = encode_row(cells, encoding)
            assert len(data) < b < len(data) + len(row), (boundary, len(data), len(row))
        if i == len(rows) - 1:
            cells[RESIDENT_ID] = rows[0][RESIDENT_ID]
            cells[0], cells[SEX] = rows[0][0], rows[0][SEX]
            errors.append((line, "身份证号"))
        data += encode_row(cells, encoding)
        line += 1 + cells[SPECIALTIES].count("\n")
    assert boundary == 4 and len(data) > 4 * CHUNK, len(data)
    return data, len(rows), errors, split


class ImportStreamTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.src = os.path.join(self.dir, "src.csv")
        genroster(self.src, 1600, seed=14)

    def write(self, encoding):
        data, n, errors, split = straddling_roster(self.src, encoding)
        path = os.path.join(self.dir, "roster-%s.csv" % encoding)
        with open(path, "wb") as f:
            f.write(data)
        return path, n, errors, split

    def check_report(self, out, n, errors, encoding):
        self.assertEqual(out["encoding"], encoding.replace("-", ""))
        self.assertEqual(out["records"], n)
        self.assertEqual([(e["line"], e.get("column")) for e in out["errors"]], errors)
        self.assertEqual(out["warnings"], [])
        self.assertIn("不详", out["errors"][0]["reason"])
        self.assertIn("行号 2", out["errors"][-1]["reason"])   # the first row

    def import_both_ways(self, encoding):
        path, n, errors, (name, specialties) = self.write(encoding)
        r = self.ctl.run("pool", "import", path, json_out=True, check=False)
        self.assertEqual(r.rc, 65, r)
        self.assertFalse(r.json["committed"])
        self.check_report(r.json, n, errors, encoding)
        self.assertEqual(self.ctl.json("pool", "list")["total"], 0)
        ok = self.ctl.json("pool", "import", "--skip-invalid", path)
        self.assertTrue(ok["committed"])
        self.check_report(ok, n, errors, encoding)
        self.assertEqual((ok["inserted"], ok["skipped"]), (n - len(errors), len(errors)))
        self.assertEqual(self.ctl.json("pool", "list")["total"], n - len(errors))
        # The cell whose line break is the first byte of a chunk gave its
        # two specialties, trimmed.
        listed = self.ctl.json("pool", "list", "--specialty", specialties[1],
                               "--limit", "1000")["experts"]
        self.assertIn(specialties, [e["specialties"] for e in listed if e["name"] == name])
        return path

    def test_utf8_roster_across_chunk_boundaries(self):
        path = self.import_both_ways("utf-8")
        # Through a pipe the file is read the same (copied once aside).
        with open(path, "rb") as f:
            again = subprocess.run(self.ctl.base() + ["--json", "pool", "import",
                                                      "/dev/stdin"],
                                   stdin=f, capture_output=True, timeout=600)
        self.assertEqual(again.returncode, 65, again.stderr)
        direct = self.ctl.run("pool", "import", path, json_out=True, check=False)
        piped = json.loads(again.stdout)
        self.assertEqual(piped.pop("import") + 1, direct.json.pop("import"))
        self.assertEqual(piped, direct.json)

    def test_gb18030_roster_across_chunk_boundaries(self):
        path, n, errors, _ = self.write("gb18030")
        with open(path, "rb") as f:
            raw = f.read()
        with self.assertRaises(UnicodeDecodeError):
            raw.decode("utf-8")
        # The second boundary cuts a two-byte character.
        self.assertEqual(len(raw[2 * CHUNK - 1:2 * CHUNK + 1].decode("gb18030")), 1)
        self.import_both_ways("gb18030")

    def test_progress_on_a_terminal(self):
        """stderr a terminal: the rows sent so far out of all the file
        holds, which the first reading counted."""
        path, n, errors, _ = self.write("utf-8")
        master, slave = pty.openpty()
        p = subprocess.Popen(self.ctl.base(timeout=60000) + ["pool", "import",
                                                            "--skip-invalid", path],
                             stdout=subprocess.DEVNULL, stderr=slave)
        os.close(slave)
        seen = b""
        while True:
            ready, _, _ = select.select([master], [], [], 120)
            self.assertTrue(ready, "expertctl wrote nothing for 120 s")
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break       # the terminal's other end closed
            if not chunk:
                break
            seen += chunk
        p.wait(timeout=600)
        os.close(master)
        progress = seen.split(b"\r\n")[0]
        self.assertEqual(p.returncode, 0, progress)
        # Every row but the one this side found bad is sent (the repeated
        # ID is the daemon's to find).
        sent = n - 1
        self.assertEqual(progress.split(b"\r")[1:-2],
                         [b"sending rows: %d/%d" % (k, n)
                          for k in list(range(500, sent, 500)) + [sent]], progress)


if __name__ == "__main__":
    unittest.main()
