"""An expert's history as people read it (PROTOCOL.md 7.2 history event
details): `pool show` under zh_CN writes every detail the daemon wrote in
Chinese, codes through the catalog, while --json keeps the stable English
detail for programs, byte for byte, and the C locale shows it as it is."""
import datetime
import os
import re
import unittest

from harness import ZH, Ctl, DaemonTest, cst_day, genroster

ORG = "91350100M000100Y43"
C = {"LANG": "C", "LC_ALL": "C"}


def day(n):
    return cst_day(n).isoformat()


class HistoryWordsTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)

    def history_rows(self, out):
        """The lines of pool show's history table, its heading left off."""
        lines = out.split("\n")
        start = next(i for i, l in enumerate(lines) if l in ("history:", "历史："))
        rows = []
        for line in lines[start + 2:]:
            if not line.strip():
                break
            rows.append(line)
        return rows

    def make_history(self):
        t1 = self.open_term(self.ctl)
        path = os.path.join(self.dir, "roster.csv")
        genroster(path, 3, seed=1, headers="en")
        self.ctl.json("pool", "import", "--appointed", path)
        with open(path, encoding="utf-8", newline="") as f:
            lines = f.read().split("\r\n")
        head = lines[0].split(",")
        cells = lines[1].split(",")
        self.assertEqual(cells[head.index("title")], "intermediate")
        cells[head.index("title")] = "deputy_senior"
        cells[head.index("phone")] = "13800138000"
        lines[1] = ",".join(cells)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write("\r\n".join(lines))
        self.assertEqual(self.ctl.json("pool", "import", path)["updated"], 1)
        end = datetime.date.fromisoformat(t1["end"])
        self.ctl.json("term", "open", "--start", (end + datetime.timedelta(days=1)).isoformat())
        self.assertEqual(self.ctl.json("term", "renew", "--term", "2", "--expert", "1",
                                       "--reason", "续聘")["renewed"], 1)
        self.ctl.json("conflict", "add", "1", "--org", ORG, "--kind", "relative",
                      "--reason", "配偶任职")
        for n in (1, 2):
            self.ctl.json("pool", "unavailable", "1", "--from", day(10 * n),
                          "--to", day(10 * n + 4), "--reason", "出差")
        self.ctl.json("pool", "unavailable-withdraw", "1", "--reason", "行程取消")
        self.ctl.json("pool", "unavailable-withdraw", "2", "--from", day(20),
                      "--to", day(21), "--reason", "提前返回")

    def test_chinese_for_people_english_for_programs(self):
        self.make_history()
        history = self.ctl.json("pool", "show", "1")["history"]
        d1, d2 = (day(10), day(14)), (day(20), day(24))
        self.assertEqual([h.get("detail") for h in history], [
            "import 1 line 2",
            "import 2 line 2: phone changed; title intermediate → deputy_senior",
            "term 1 -> 2",
            "conflict 1 with %s (relative)" % ORG,
            "unavailable 1: %s .. %s (staff)" % d1,
            "unavailable 2: %s .. %s (staff)" % d2,
            "unavailable 1: %s .. %s withdrawn" % d1,
            "unavailable 2: %s .. %s -> %s .. %s" % (d2 + (day(20), day(21))),
        ])
        # --json is English whatever the locale.
        zh_json = self.ctl.run("pool", "show", "1", json_out=True, env=ZH).json["history"]
        self.assertEqual([h.get("detail") for h in zh_json], [h.get("detail") for h in history])

        out = self.ctl.run("pool", "show", "1", env=ZH).out
        rows = self.history_rows(out)
        self.assertEqual(len(rows), len(history), out)
        text = "\n".join(rows)
        for want in ("导入 1 第 2 行", "导入 2 第 2 行：手机已更改；专业技术职称 中级 → 副高级",
                     "届次 1 → 2", "与 %s 的回避关系 1（亲属关系）" % ORG,
                     "不能参加时段 1：%s 至 %s（工作人员录入）" % d1,
                     "不能参加时段 1：%s 至 %s，已撤回" % d1,
                     "不能参加时段 2：%s 至 %s → %s 至 %s" % (d2 + (day(20), day(21)))):
            self.assertIn(want, text)
        # No English word is left in the rows once the data is taken out:
        # the actors (principals) and the organisation code.
        data = {h["actor"] for h in history} | {ORG}
        for row in rows:
            rest = row
            for d in data:
                rest = rest.replace(d, " ")
            self.assertIsNone(re.search(r"[A-Za-z]{2,}", rest), row)

        # Under C the details are the daemon's, as they are.
        c_rows = "\n".join(self.history_rows(self.ctl.run("pool", "show", "1", env=C).out))
        for h in history:
            self.assertIn(h["detail"], c_rows)


if __name__ == "__main__":
    unittest.main()
