"""The occupation catalogue (REGISTRY.md section 3) through expertctl
against a real daemon: a roster's 维修电工 is the catalogue's 电工 and a
draw for 电工 finds that expert; unknown specialties are refused with the
closest names; catalog import is all or nothing; the catalogue survives
a restart; a database from before the catalogue keeps every specialty
its experts hold, and its log still verifies; a bureau lists the
catalogue with counts and sees nobody's name, ID or phone."""
import json
import os
import sqlite3
import unittest

from assign_base import resident_id
from harness import Ctl, DaemonTest, draw_args, free_tcp_port, keygen, sqlite_only
from schema_undo import downgrade

HEAD = ("name,sex,resident_id,phone,specialties,group_types,title,"
        "qualification,assess_years,training_years\n")


def person(i):
    """(name, resident ID, phone) of roster person i."""
    return ("王" + "建明华丽军芳伟秀英国"[i % 10] + "明华丽军"[i % 4],
            resident_id(i), "1390000%04d" % i)


def write_roster(path, rows):
    """rows: (i, specialties cell, group types cell); eligible for every
    group type (intermediate title, technician, 3 and 12 years)."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(HEAD)
        for i, specs, groups in rows:
            name, rid, phone = person(i)
            # 性别 agrees with the ID's sex digit (i's last digit).
            f.write('%s,%s,%s,%s,"%s",%s,intermediate,technician,3,12\n'
                    % (name, "male" if i % 2 else "female", rid, phone, specs, groups))
    return path


def write_list(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return path


class CatalogTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)

    def path(self, name):
        return os.path.join(self.dir, name)

    def import_rows(self, rows, name="roster.csv", check=True):
        return self.ctl.run("pool", "import", "--appointed", write_roster(self.path(name), rows),
                            json_out=True, check=check)

    def catalog(self):
        return {e["name"]: e for e in self.ctl.json("catalog", "list")["occupations"]}

    def test_alias_maps_to_the_canonical_name_and_draws_find_it(self):
        self.import_rows([(1, "维修电工", "skill_evaluation"),
                          (2, "电工", "skill_evaluation"),
                          (3, "焊工、维修 电工、电工", "skill_evaluation")])
        self.assertEqual(self.ctl.json("pool", "show", "1")["expert"]["specialties"],
                         ["电工"])
        self.assertEqual(self.ctl.json("pool", "show", "3")["expert"]["specialties"],
                         ["焊工", "电工"])     # one occupation, said twice
        held = self.ctl.json("pool", "list", "--specialty", "电工")["experts"]
        self.assertEqual([e["id"] for e in held], [1, 2, 3])
        res = self.ctl.json(*draw_args("电工", 3, 5))
        self.assertEqual(sorted(s["expert"] for s in res["panel"]), [1, 2, 3])
        # A draw typed with the alias is a draw for 电工, and says so.
        res = self.ctl.json(*draw_args("维修电工", 1, 9))
        task = self.ctl.json("task", "show", str(res["task"]))["task"]
        self.assertEqual(task["specialty"], "电工")
        audit = self.ctl.json("audit", "show", str(res["task"]))
        self.assertIn('"specialty": "电工"', json.dumps(audit, ensure_ascii=False))
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])

    def test_unknown_specialties_are_refused_with_the_closest_names(self):
        r = self.import_rows([(1, "电工", "skill_evaluation"),
                              (2, "焊接工", "skill_evaluation")], check=False)
        self.assertEqual(r.rc, 65, r)
        err = [e for e in r.json["errors"] if e["line"] == 3]
        self.assertEqual(len(err), 1, r)
        self.assertEqual(err[0]["column"], "specialties")
        self.assertIn("no occupation is named '焊接工'", err[0]["reason"])
        self.assertIn("closest: 焊工", err[0]["reason"])
        self.assertEqual(self.ctl.json("pool", "list")["total"], 0)   # all or nothing
        self.import_rows([(1, "电工", "skill_evaluation")])
        r = self.ctl.run(*draw_args("维修电工工", 1, 5), json_out=True, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertEqual((r.json["status"], r.json["field"]),
                         ("invalid_field", "specialty"))
        self.assertIn("closest: 电工", r.json["message"])

    def test_catalog_import_refuses_a_clashing_alias_and_changes_nothing(self):
        before = self.ctl.json("catalog", "list")
        lst = write_list(self.path("clash.csv"),
                         "工种,职业编码,别名,专家组类型\n"
                         "新职业甲,,,培训评审\n"
                         "车工,,维修电工,技能评价\n")
        r = self.ctl.run("catalog", "import", lst, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("line 3, column 别名", r.err)
        self.assertIn("'维修电工' is already a name of the occupation '电工'", r.err)
        self.assertEqual(self.ctl.json("catalog", "list"), before)
        r = self.ctl.run("catalog", "import", lst, json_out=True, check=False)
        self.assertEqual((r.json["status"], r.json["field"]),
                         ("invalid_field", "rows[1].aliases[0]"))
        # Moving an alias takes both rows, in that order, in one list.
        moved = write_list(self.path("move.csv"),
                           "工种,别名\n电工,\n车工,维修电工\n")
        out = self.ctl.json("catalog", "import", moved)
        self.assertEqual((out["added"], out["updated"]), (0, 2))
        cat = self.catalog()
        self.assertEqual(cat["车工"]["aliases"], ["维修电工"])
        self.assertEqual(cat["电工"]["aliases"], [])
        self.assertEqual(cat["电工"]["code"], "")   # a row states the whole entry

    def test_catalog_survives_a_restart(self):
        lst = write_list(self.path("new.csv"),
                         "工种,职业编码,别名,专家组类型\n"
                         "测试员甲,6-31-01-03,测试员乙、测试员丙,培训评审专家组、方式方法\n")
        out = self.ctl.json("catalog", "import", lst)
        self.assertEqual((out["added"], out["updated"], out["unchanged"]), (1, 0, 0))
        self.assertEqual(self.ctl.json("catalog", "import", lst)["unchanged"], 1)
        want = self.catalog()
        self.assertEqual(want["测试员甲"]["group_types"], ["training_review", "methods"])
        self.d.stop()
        self.d.start()
        self.assertEqual(self.catalog(), want)
        self.import_rows([(1, "测试员丙", "methods")])
        self.assertEqual(self.ctl.json("pool", "show", "1")["expert"]["specialties"],
                         ["测试员甲"])
        self.assertEqual(self.catalog()["测试员甲"]["active"],
                         {"training_review": 0, "skill_evaluation": 0, "methods": 1})

    @sqlite_only("makes the SQLite file schema 4's (schema_undo)")
    def test_a_database_from_before_the_catalogue_keeps_its_specialties(self):
        # Make the pool of an older expertd: experts holding 维修电工 (the
        # starter list's alias of 电工) and 老工种 (in no list), each by
        # its own name, as any name could be held before the catalogue.
        lst = write_list(self.path("old.csv"), "工种,别名\n电工,\n维修电工,\n老工种,\n")
        self.ctl.json("catalog", "import", lst)
        self.import_rows([(1, "维修电工", "skill_evaluation"),
                          (2, "电工", "skill_evaluation"),
                          (3, "老工种", "methods")])
        self.d.stop()
        with sqlite3.connect(self.d.db) as conn:
            downgrade(conn, 4)
        conn.close()
        self.d.start()          # migrates to schema 5 (and on) and seeds the catalogue
        cat = self.catalog()
        self.assertEqual((cat["维修电工"]["code"], cat["维修电工"]["aliases"]), ("", []))
        self.assertEqual(cat["电工"]["aliases"], [])
        self.assertEqual(cat["电工"]["code"], "6-31-01-03")
        self.assertEqual(cat["老工种"]["group_types"], ["methods"])
        self.assertEqual(cat["老工种"]["active"]["methods"], 1)
        for spec, ids in (("维修电工", [1]), ("电工", [2])):
            res = self.ctl.json(*draw_args(spec, 1, 5 + ids[0]))
            self.assertEqual([s["expert"] for s in res["panel"]], ids)
        self.assertTrue(self.ctl.json("audit", "verify")["ok"])


class CatalogRolesTest(DaemonTest):
    """Secure mode: bureaus and clerks list the catalogue, counts only."""

    def setUp(self):
        super().setUp()
        server_key, self.server_pub, _, _ = keygen(self.dir, "server")
        self.op_key, _, op_pub, _ = keygen(self.dir, "ops")
        self.bureau_key, _, bureau_pub, _ = keygen(self.dir, "haizhu")
        self.clerk_key, _, clerk_pub, _ = keygen(self.dir, "clerk")
        allowlist = write_list(os.path.join(self.dir, "allowlist"),
                               "%s center-ops operator\n%s gz-haizhu bureau 440105\n"
                               "%s hz-clerk clerk 440105\n"
                               % (op_pub, bureau_pub, clerk_pub))
        self.d = self.start_daemon(
            secure={"server_key": server_key, "allowlist": allowlist},
            endpoint="tcp://127.0.0.1:%d" % free_tcp_port(),
            client=lambda d: Ctl(d, self.op_key, self.server_pub))
        self.op = Ctl(self.d, self.op_key, self.server_pub)

    def test_bureau_lists_counts_and_no_personal_data(self):
        self.open_term(self.op)
        rows = [(1, "电工", "skill_evaluation"),
                (2, "维修电工", "training_review|skill_evaluation"),
                (3, "焊工、电工", "methods"),
                (4, "电工", "skill_evaluation")]
        path = write_roster(os.path.join(self.dir, "roster.csv"), rows)
        self.op.json("pool", "import", "--appointed", path)
        self.op.json("pool", "suspend", "4", "--reason", "leave")  # not active
        for key in (self.bureau_key, self.clerk_key):
            r = Ctl(self.d, key, self.server_pub).run("catalog", "list", "--json")
            cat = {e["name"]: e for e in r.json["occupations"]}
            self.assertEqual(cat["电工"]["active"],
                             {"training_review": 1, "skill_evaluation": 2, "methods": 1})
            self.assertEqual(cat["焊工"]["active"],
                             {"training_review": 0, "skill_evaluation": 0, "methods": 1})
            text = Ctl(self.d, key, self.server_pub).run("catalog", "list").out
            self.assertRegex(text, r"(?m)^电工\s+6-31-01-03\s+维修电工\s+培训评审、技能评价"
                                   r"\s+1\s+2\s+1\s*$")
            for i, _, _ in rows:
                name, rid, phone = person(i)
                for secret in (name, rid, phone, rid[:6], phone[-4:]):
                    self.assertNotIn(secret, r.out)
                    self.assertNotIn(secret, text)
        b = Ctl(self.d, self.bureau_key, self.server_pub)
        lst = write_list(os.path.join(self.dir, "l.csv"), "工种\n新职业乙\n")
        r = b.run("catalog", "import", lst, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("forbidden", r.err)


if __name__ == "__main__":
    unittest.main()
