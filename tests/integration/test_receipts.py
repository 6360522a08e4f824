"""Signed receipts and draw secrets off the disk (issue #16 items 3-4).

Every recorded reply carries a receipt: its entry's seq and hash, the head
it was committed under and the Ed25519 signature of that head, made with a
key the daemon reads from a credential file and never stores. `expertctl
--receipts DIR` keeps them; `audit verify --receipts DIR` proves the log
still holds what each says. These tests tamper with the SQLite file the
way an attacker holding the database (not the key) would, and check that
each kind of tampering is found; and that nothing in the database gives
the next draw's secret, which the daemon still reveals to match its
commitment.
"""
import glob
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
import unittest

import msgpack
import zmq
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

from harness import (EXPERTCTL, ON_POSTGRES, Ctl, DaemonTest, RawClient, draw_args,
                     sqlite_only, store_rows)
import test_audit
from test_audit import entry_hash, specialty_counts
from test_draw import ROSTER_SEED


def head_message(seq, h):
    """What the daemon signs (daemon/core/sign.h)."""
    return b"expertd-head-v1" + seq.to_bytes(8, "big") + h


def commit_of(secret):
    return hashlib.blake2b(b"expertd-commit-v1" + secret, digest_size=32).digest()


def sign_public(path):
    with open(path) as f:
        return bytes.fromhex([l.split("=", 1)[1].strip() for l in f
                              if l.startswith("public-key")][0])


class ReceiptCtl(Ctl):
    """expertctl keeping every receipt in one directory."""

    def __init__(self, daemon, receipts):
        super().__init__(daemon)
        self.receipts = receipts

    def base(self, timeout=5000, retries=2):
        return super().base(timeout, retries) + ["--receipts", self.receipts]


class ReceiptTest(DaemonTest):

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.rdir = os.path.join(self.dir, "receipts")
        self.ctl = ReceiptCtl(self.d, self.rdir)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 80, seed=ROSTER_SEED)
        counts = specialty_counts(self.ctl)
        self.top = max(counts, key=counts.get)
        self.pub = self.d.sign_key[:-4] + ".pub"
        self.t1 = self.ctl.json(*draw_args(self.top, 2, 10))
        self.t2 = self.ctl.json(*draw_args(self.top, 2, 11))

    # ---- helpers ----

    def receipt(self, seq):
        with open(os.path.join(self.rdir, "receipt-%012d.json" % seq)) as f:
            return json.load(f)

    def verify(self, *extra, receipts=True):
        args = ["audit", "verify"] + (["--receipts", self.rdir] if receipts else [])
        return self.ctl.run(*(args + ["--sign-key", self.pub] + list(extra)),
                            check=False)

    def meta(self, conn, key):
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def restart_refused(self, pattern):
        """Start: the daemon must refuse the log, naming the entry; then
        start it --read-only so verify can look."""
        with self.assertRaises(AssertionError) as e:
            self.d.start()
        self.assertRegex(str(e.exception), pattern)
        self.d.extra.append("--read-only")
        self.d.start()

    # ---- receipts as made ----

    def test_every_recorded_reply_carries_a_receipt_signed_by_the_published_key(self):
        pub = Ed25519PublicKey.from_public_bytes(sign_public(self.pub))
        for t in (self.t1, self.t2):
            r = self.receipt(t["seq"])
            self.assertEqual(r["op"], "draw")
            self.assertEqual(r["key"], sign_public(self.pub).hex())
            stored = store_rows(self.d, "SELECT hash FROM audit WHERE seq = %d"
                                % t["seq"])[0][0]
            self.assertEqual(bytes.fromhex(r["hash"]), stored)
            self.assertGreaterEqual(r["head_seq"], r["seq"])
            # Raises InvalidSignature if not the published key's.
            pub.verify(bytes.fromhex(r["sig"]),
                       head_message(r["head_seq"], bytes.fromhex(r["head_hash"])))
        # Any recorded op that appends gets one; the wire shows it too.
        c = RawClient(self.d.endpoint)
        rep = c.call("pool.suspend", {"expert": 3, "reason": "leave"})
        c.close()
        self.assertEqual(rep["status"], "ok", rep)
        rc = rep["receipt"]
        self.assertEqual(set(rc), {"seq", "hash", "head_seq", "head_hash", "sig", "key"})
        pub.verify(rc["sig"], head_message(rc["head_seq"], rc["head_hash"]))
        # A read carries none.
        c = RawClient(self.d.endpoint)
        self.assertNotIn("receipt", c.call("ping"))
        c.close()
        # The term, the import, the two draws (the suspension went by the
        # raw client).
        n = len(glob.glob(os.path.join(self.rdir, "receipt-*.json")))
        self.assertEqual(n, 4)
        r = self.verify()
        self.assertEqual(r.rc, 0, r)
        self.assertRegex(r.out, r"every entry is under the head signed at seq %d; "
                                r"4 receipts still hold" % rc["seq"])
        j = self.ctl.json("audit", "verify", "--receipts", self.rdir, "--sign-key",
                          self.pub)
        self.assertEqual((j["ok"], j["receipts"], j["signed_head"]), (True, 4, rc["seq"]))

    def test_the_dispatch_log_publishes_signed_heads(self):
        ctx = zmq.Context()
        self.addCleanup(ctx.term)
        sub = ctx.socket(zmq.SUB)
        self.addCleanup(sub.close, 0)
        sub.setsockopt(zmq.SUBSCRIBE, b"")
        sub.connect(self.d.pub)
        pub = Ed25519PublicKey.from_public_bytes(sign_public(self.pub))
        # The subscription takes effect at some point: draw until a draw's
        # message arrives (bounded), then check the heads received.
        heads, seen, deadline = {}, {}, time.monotonic() + 30
        day = 12
        while time.monotonic() < deadline:
            t = self.ctl.json(*draw_args(self.top, 2, day))
            day += 1
            while sub.poll(200):
                topic, body = sub.recv_multipart()
                m = msgpack.unpackb(body, raw=False)
                seen[m["seq"]] = m
                if "head" in m:
                    heads[m["seq"]] = m["head"]
            if t["seq"] in seen:
                break
        self.assertIn(t["seq"], seen)
        # A draw is a batch of its own: its entry is the signed head.
        h = heads[t["seq"]]
        self.assertEqual(h["seq"], t["seq"])
        self.assertEqual(h["hash"], seen[t["seq"]]["hash"])
        self.assertEqual(h["key"], sign_public(self.pub))
        pub.verify(h["sig"], head_message(h["seq"], h["hash"]))
        # Only a head's own entry carries it.
        for seq, head in heads.items():
            self.assertEqual(head["seq"], seq)

    def test_the_signing_key_changes_in_an_audited_entry(self):
        old_key, old_pub = self.d.sign_key, self.pub
        pending = self.revealed(self.t2["seq"])["next_commit"]
        self.d.stop()
        new_base = os.path.join(self.dir, "sign2")
        subprocess.run([EXPERTCTL, "keygen", "--sign", new_base], check=True,
                       capture_output=True)
        self.d.sign_key = new_base + ".key"
        # The new key alone: the log is not its own.
        with self.assertRaises(AssertionError) as e:
            self.d.start()
        self.assertIn("the signed head does not verify under the signing key",
                      str(e.exception))
        self.assertIn("--previous-sign-key", str(e.exception))
        self.d.extra += ["--previous-sign-key", old_key]
        self.d.start()
        self.assertIn("signing key rotated to %s" % self.d.sign_key, self.d.read_log())
        seq, prev, body = store_rows(self.d, "SELECT seq, prev_hash, body FROM audit"
                                     " WHERE type = 'key.rotated'")[0]
        rot = msgpack.unpackb(body, raw=False)
        self.assertEqual(list(rot), ["old_key", "new_key", "secret", "next_commit",
                                     "endorsement"])
        self.assertEqual(rot["old_key"], sign_public(old_pub))
        self.assertEqual(rot["new_key"], sign_public(new_base + ".pub"))
        # The old key's pending secret is revealed, and it endorsed the new key.
        self.assertEqual(commit_of(rot["secret"]), pending)
        Ed25519PublicKey.from_public_bytes(rot["old_key"]).verify(
            rot["endorsement"], b"expertd-rotate-v1" + seq.to_bytes(8, "big") + prev +
            rot["new_key"])
        # The next draw opens the new key's commitment and is signed by it.
        t3 = self.ctl.json(*draw_args(self.top, 2, 12))
        self.assertEqual(commit_of(self.revealed(t3["seq"])["secret"]),
                         rot["next_commit"])
        self.assertEqual(self.receipt(t3["seq"])["key"], rot["new_key"].hex())
        # Old receipts and new ones hold, whichever key the auditor pinned.
        for pinned in (old_pub, new_base + ".pub"):
            r = self.ctl.run("audit", "verify", "--receipts", self.rdir, "--sign-key",
                             pinned, check=False)
            self.assertEqual(r.rc, 0, r)
            self.assertIn("5 receipts still hold", r.out)
        # A key the log never rotated to is not accepted.
        stranger = os.path.join(self.dir, "sign3")
        subprocess.run([EXPERTCTL, "keygen", "--sign", stranger], check=True,
                       capture_output=True)
        r = self.ctl.run("audit", "verify", "--sign-key", stranger + ".pub", check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertIn("which is not the signing key nor one a key.rotated entry links "
                      "to it", r.out)
        # Later starts: with the new key alone, and with both (nothing to do).
        self.d.stop()
        self.d.extra = [a for a in self.d.extra if a not in ("--previous-sign-key",
                                                             old_key)]
        self.d.start()
        self.d.stop()
        self.d.extra += ["--previous-sign-key", old_key]
        self.d.start()
        self.assertIn("nothing to rotate", self.d.read_log())
        self.assertEqual(store_rows(self.d, "SELECT COUNT(*) FROM audit WHERE type = "
                                    "'key.rotated'")[0][0], 1)

    def revealed(self, seq):
        body, = store_rows(self.d, "SELECT body FROM audit WHERE seq = %d" % seq)[0]
        return msgpack.unpackb(body, raw=False)

    # ---- tampering with the database ----

    @sqlite_only("tampers with the SQLite file (the audit log and its signed head)")
    def test_a_truncated_tail_is_found_by_a_receipt(self):
        conn = sqlite3.connect(self.d.db)
        # The attacker had a copy of the database before the third change.
        old_head = self.meta(conn, "audit.head")
        old_last = conn.execute("SELECT MAX(seq) FROM audit").fetchone()[0]
        conn.close()
        self.ctl.json("pool", "suspend", "5", "--reason", "leave")
        last = self.meta(sqlite3.connect(self.d.db), "audit.head")
        self.assertNotEqual(last, old_head)
        kept = sorted(glob.glob(os.path.join(self.rdir, "receipt-*.json")))[-1]
        self.d.stop()
        # Cut the log back, and put back the head signed then: consistent,
        # validly signed, and the daemon starts on it.
        conn = sqlite3.connect(self.d.db)
        conn.execute("DROP TRIGGER audit_keep")
        conn.execute("DELETE FROM audit WHERE seq > ?", (old_last,))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit.head'", (old_head,))
        conn.execute("DELETE FROM meta WHERE key = 'audit.checkpoint'")
        conn.commit()
        conn.close()
        self.d.start()
        # Without the receipt nothing tells: the log is a true prefix.
        self.assertEqual(self.verify(receipts=False).rc, 0)
        r = self.verify()
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"receipt %s: the log ends at seq %d, before the head "
                         r"\d+ the receipt was signed under \(the log was cut\)"
                         % (os.path.basename(kept), old_last))

    def forge_draw(self, conn):
        """Append a copy of the last draw as a new draw, chained and
        hashed correctly: all anyone can do without the key."""
        conn.execute("DROP TRIGGER IF EXISTS audit_fixed")
        seq, at, type_, body, h = conn.execute(
            "SELECT seq, at, type, body, hash FROM audit WHERE type = 'draw' "
            "ORDER BY seq DESC LIMIT 1").fetchone()
        last, prev = conn.execute("SELECT seq, hash FROM audit ORDER BY seq DESC "
                                  "LIMIT 1").fetchone()
        obj = msgpack.unpackb(body, raw=False)
        obj["draw"] += 1
        obj["actor"] = "someone-else"
        body = msgpack.packb(obj, use_bin_type=True)
        new = last + 1
        conn.execute("INSERT INTO audit(seq, at, type, body, prev_hash, hash) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     (new, at + 1, type_, body, prev,
                      entry_hash(prev, new, at + 1, type_, body)))
        return new

    @sqlite_only("tampers with the SQLite file (the audit log and its signed head)")
    def test_an_appended_forged_draw_fails_without_the_key(self):
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        forged = self.forge_draw(conn)
        conn.commit()
        conn.close()
        self.restart_refused(r"the audit log is broken at entry %d: it comes after the "
                             r"last signed head \(entry %d\): it was appended without "
                             r"the signing key" % (forged, forged - 1))
        r = self.verify()
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"^audit verify: FAILED at seq %d: it is not under the "
                         r"last signed head \(seq %d\)" % (forged, forged - 1))
        # Serving reads read-only never signed the forged tail: a restart
        # still refuses it.
        self.d.stop()
        self.d.extra.remove("--read-only")
        self.restart_refused(r"broken at entry %d: it comes after the last signed "
                             r"head" % forged)

    @sqlite_only("tampers with the SQLite file (the audit log and its signed head)")
    def test_a_head_signed_with_another_key_is_refused(self):
        """The forger signs the new head with a key of his own."""
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        forged = self.forge_draw(conn)
        h = conn.execute("SELECT hash FROM audit WHERE seq = ?", (forged,)).fetchone()[0]
        sig = Ed25519PrivateKey.generate().sign(head_message(forged, h))
        conn.execute("UPDATE meta SET value = ? WHERE key = 'audit.head'",
                     (forged.to_bytes(8, "big") + h + sig,))
        conn.commit()
        conn.close()
        self.restart_refused(r"broken at entry %d: the signed head does not verify "
                             r"under the signing key" % forged)
        r = self.verify()
        self.assertEqual(r.rc, 1, r)
        self.assertIn("FAILED at seq %d: the daemon's signed head does not verify"
                      % forged, r.out)

    @sqlite_only("tampers with the SQLite file (the audit log and its signed head)")
    def test_a_rehashed_rewrite_of_an_earlier_entry_is_found_by_a_receipt(self):
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        # The term's entry (before both draws) says another time; the chain
        # is recomputed from there, and the signed head the attacker cannot
        # remake is removed.
        conn.execute("DROP TRIGGER IF EXISTS audit_fixed")
        seq = conn.execute("SELECT seq FROM audit WHERE type = 'term.opened'"
                           ).fetchone()[0]
        conn.execute("UPDATE audit SET at = at - 86400 WHERE seq = ?", (seq,))
        test_audit.AuditTamperTest.rehash(conn, seq)
        conn.execute("DELETE FROM meta WHERE key IN ('audit.head', 'audit.checkpoint')")
        conn.commit()
        conn.close()
        self.restart_refused(r"broken at entry \d+: no signed head covers it")
        # The replay alone finds nothing wrong with the new chain ...
        self.assertEqual(self.verify(receipts=False).rc, 0)
        # ... the receipt of the term's opening does,
        r = self.verify()
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"^audit verify: FAILED at seq %d: receipt "
                         r"receipt-%012d.json: the entry's hash is not the one the "
                         r"receipt holds \(the entry was rewritten\)" % (seq, seq))
        # and so does a draw's receipt alone: its head is not there any more.
        keep = os.path.join(self.dir, "one")
        os.mkdir(keep)
        name = "receipt-%012d.json" % self.t1["seq"]
        shutil.copy(os.path.join(self.rdir, name), keep)
        r = self.ctl.run("audit", "verify", "--receipts", keep, check=False)
        self.assertEqual(r.rc, 1, r)
        self.assertRegex(r.out, r"^audit verify: FAILED at seq %d: receipt %s: the "
                         r"entry's hash is not the one the receipt holds"
                         % (self.t1["seq"], name))

    def test_an_altered_receipt_does_not_verify(self):
        path = os.path.join(self.rdir, "receipt-%012d.json" % self.t1["seq"])
        r = self.receipt(self.t1["seq"])
        r["head_seq"] += 1
        with open(path, "w") as f:
            json.dump(r, f)
        out = self.verify()
        self.assertEqual(out.rc, 1, out)
        self.assertIn("its signature does not verify (the receipt was altered)", out.out)


class SecretTest(DaemonTest):
    """DRAW.md 3.2.1: the database holds commitments, not secrets."""

    def setUp(self):
        super().setUp()
        self.d = self.start_daemon()
        self.ctl = Ctl(self.d)
        self.open_term(self.ctl)
        self.import_roster(self.ctl, 60, seed=ROSTER_SEED)
        counts = specialty_counts(self.ctl)
        self.top = max(counts, key=counts.get)

    def snapshot(self):
        """Every value in every table of the database, as bytes."""
        tables = ("SELECT table_name FROM information_schema.tables"
                  " WHERE table_schema = 'public'" if ON_POSTGRES else
                  "SELECT name FROM sqlite_master WHERE type = 'table'")
        values = []
        for (table,) in store_rows(self.d, tables):
            for row in store_rows(self.d, 'SELECT * FROM "%s"' % table):
                for v in row:
                    if isinstance(v, bytes):
                        values.append(v)
                    elif isinstance(v, str):
                        values.append(v.encode())
                        try:
                            values.append(bytes.fromhex(v))
                        except ValueError:
                            pass
        return values

    def revealed(self, seq):
        body, = store_rows(self.d, "SELECT body FROM audit WHERE seq = %d" % seq)[0]
        return msgpack.unpackb(body, raw=False)

    def test_the_next_secret_is_nowhere_in_the_database(self):
        first = self.ctl.json(*draw_args(self.top, 2, 10))
        pending = self.revealed(first["seq"])["next_commit"]
        values = self.snapshot()
        self.assertFalse(any(len(v) == 32 and commit_of(v) == pending for v in values),
                         "a stored value opens the pending commitment")
        second = self.ctl.json(*draw_args(self.top, 2, 11))
        tr = self.revealed(second["seq"])
        secret = tr["secret"]
        # The daemon's reveal still matches what it committed to ...
        self.assertEqual(commit_of(secret), pending)
        # ... and nothing stored before it equals or, as a key or a
        # preimage, yields it (every 32-byte window of every value).
        windows = {v[i:i + 32] for v in values for i in range(0, max(len(v) - 31, 0))}
        self.assertGreater(len(windows), 1000)
        for w in windows:
            self.assertNotEqual(w, secret)
            self.assertNotEqual(hashlib.blake2b(w, digest_size=32).digest(), secret)
            for pos in range(1, 4):
                msg = b"expertd-secret-v1" + pos.to_bytes(8, "big")
                self.assertNotEqual(hashlib.blake2b(msg, key=w, digest_size=32).digest(),
                                    secret)
        self.assertEqual(store_rows(self.d, "SELECT value FROM meta WHERE key = "
                                    "'draw.secret'"), [])
        self.assertEqual(self.ctl.run("audit", "verify", check=False).rc, 0)

    def test_another_key_cannot_reveal_the_pending_secret(self):
        self.ctl.json(*draw_args(self.top, 2, 10))
        self.d.stop()
        os.rename(self.d.sign_key, self.d.sign_key + ".old")
        os.rename(self.d.sign_key[:-4] + ".pub", self.d.sign_key[:-4] + ".pub.old")
        subprocess.run([EXPERTCTL, "keygen", "--sign", self.d.sign_key[:-4]], check=True,
                       capture_output=True)
        p = subprocess.run(self.d.argv(), capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn(b"the signed head does not verify under the signing key",
                      p.stderr)

    def test_a_daemon_without_a_signing_key_refuses_to_start(self):
        self.d.stop()
        argv = self.d.argv()
        i = argv.index("--sign-key")
        p = subprocess.run(argv[:i] + argv[i + 2:], capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn(b"[security] sign_key (--sign-key) is required", p.stderr)
        self.assertIn(b"expertctl keygen --sign", p.stderr)
        p = subprocess.run(argv[:i + 1] + [self.d.sign_key[:-4] + ".pub"] + argv[i + 2:],
                           capture_output=True, timeout=60)
        self.assertEqual(p.returncode, 78, p.stderr)
        self.assertIn(b"no seed", p.stderr)

    @sqlite_only("makes the SQLite file what an older expertd left")
    def test_a_store_from_before_keeps_its_pending_secret(self):
        """The transition (DRAW.md 3.2.2): a log whose genesis committed to a
        raw secret kept in the store, with no signed head."""
        self.d.stop()
        conn = sqlite3.connect(self.d.db)
        conn.execute("DROP TRIGGER IF EXISTS audit_fixed")
        raw = os.urandom(32)
        body = msgpack.packb({"commit": commit_of(raw)}, use_bin_type=True)
        conn.execute("UPDATE audit SET body = ? WHERE seq = 1", (body,))
        test_audit.AuditTamperTest.rehash(conn, 1)
        conn.execute("DELETE FROM meta WHERE key IN ('audit.head', 'audit.checkpoint', "
                     "'draw.secret.pos', 'draw.secret.commit')")
        conn.execute("INSERT INTO meta(key, value) VALUES ('draw.secret', ?)", (raw,))
        conn.commit()
        conn.close()
        self.d.start()
        self.assertIn("the audit log had no signed head: signed its head", self.d.read_log())
        t = self.ctl.json(*draw_args(self.top, 2, 10))
        tr = self.revealed(t["seq"])
        self.assertEqual(tr["secret"], raw)
        self.assertEqual(store_rows(self.d, "SELECT value FROM meta WHERE key = "
                                    "'draw.secret'"), [])
        t2 = self.ctl.json(*draw_args(self.top, 2, 11))
        self.assertEqual(commit_of(self.revealed(t2["seq"])["secret"]), tr["next_commit"])
        self.assertEqual(self.ctl.run("audit", "verify", check=False).rc, 0)


if __name__ == "__main__":
    unittest.main()
