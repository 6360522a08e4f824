"""Two expertd on one store, each under a supervisor that restarts it 0.5 s
after any exit, as systemd's Restart=always with RestartSec=0.5 would
(scripts/ha-test). The active one holds the store (the SQLite lock file,
or a PostgreSQL session advisory lock); the other answers `unavailable`
and says standby on /readyz; an active one that loses its database
exits 75 and comes back as whichever it can be."""
import json
import os
import signal
import subprocess
import threading
import time

from cluster import http_status, wait_until


class Expertd:
    """One supervised expertd with endpoints of its own."""

    def __init__(self, name, base, ports, registry, store_args, env, sign_key, expertd):
        self.name = name
        self.dir = os.path.join(base, name)
        os.makedirs(self.dir, mode=0o700)
        self.registry = registry
        self.endpoint = "tcp://127.0.0.1:%d" % ports()
        self.metrics = "127.0.0.1:%d" % ports()
        self.config = os.path.join(self.dir, "expertd.conf")
        with open(self.config, "w") as f:
            # The same settings for both; a standby waits for the store.
            f.write("[store]\nstandby = true\n")
        self.argv = [expertd, "--config", self.config, "--insecure",
                     "--listen", self.endpoint, "--metrics-listen", self.metrics,
                     "--pub-listen", "tcp://127.0.0.1:%d" % ports(),
                     "--answer-listen", "tcp://127.0.0.1:%d" % ports(),
                     "--notify-listen", "tcp://127.0.0.1:%d" % ports(),
                     "--sign-key", sign_key, "--log-level", "info"] + list(store_args)
        self.env = env
        self.log_path = os.path.join(self.dir, "expertd.log")
        self.proc = None
        self.exits = []                  # (monotonic time, exit status)
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._supervise, daemon=True,
                                       name="supervise-" + name)

    def start(self):
        self.thread.start()
        wait_until(self.name + " listening", lambda: self.readyz()[0] is not None, 60)

    def _supervise(self):
        while not self.stopping.is_set():
            p = self.registry.popen(self.argv, self.log_path, "expertd", env=self.env)
            self.proc = p
            rc = p.wait()
            self.exits.append((time.monotonic(), rc))
            if self.stopping.wait(0.5):          # RestartSec=0.5
                break

    def readyz(self):
        """(HTTP status or None, body text) of /readyz."""
        return http_status("http://%s/readyz" % self.metrics, timeout=1.0)

    def is_active(self):
        return self.readyz()[0] == 200

    def kill9(self):
        """kill -9 the running expertd; the supervisor restarts it."""
        p = self.proc
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGKILL)
            p.wait(10)
        return p.pid if p else None

    def stop(self):
        """SIGTERM, once, with the supervisor told not to restart; the
        exit status (0 expected), or None if it was not running."""
        self.stopping.set()
        p = self.proc
        rc = None
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                rc = p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
                rc = p.wait(10)
        if self.thread.is_alive():
            self.thread.join(10)
        return rc

    def restarts(self):
        """The exit statuses seen so far, in order."""
        return [rc for _, rc in self.exits]

    def log_tail(self, n=20):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return "\n".join(lines[-n:])


class Pair:
    """Two supervised expertd sharing a store, a signing key and their
    settings, and expertctl given both endpoints."""

    def __init__(self, base, ports, registry, store_args, env, build):
        self.build = build
        self.sign_key = os.path.join(base, "sign.key")
        subprocess.run([build.expertctl, "keygen", "--sign", self.sign_key[:-4]],
                       check=True, capture_output=True)
        self.daemons = [Expertd(n, base, ports, registry, store_args, env,
                                self.sign_key, build.expertd) for n in ("expertd-a", "expertd-b")]

    @property
    def endpoints(self):
        return ",".join(d.endpoint for d in self.daemons)

    def start(self):
        a, b = self.daemons
        a.start()
        try:
            wait_until("expertd-a ready", a.is_active, 120)
        except RuntimeError as e:
            raise RuntimeError("%s; its log ends:\n%s" % (e, a.log_tail(5)))
        b.start()
        if b.is_active():
            raise RuntimeError("both expertd say ready: the store lock does not hold")

    def active(self):
        """The daemon that says ready, if exactly one does."""
        ready = [d for d in self.daemons if d.is_active()]
        return ready[0] if len(ready) == 1 else None

    def ctl(self, *args, timeout=120, check=True, raw=False):
        """expertctl --json ARGS against both daemons; the parsed JSON (or
        with raw, the text: `log` prints one JSON object a line)."""
        p = subprocess.run([self.build.expertctl, "--endpoint", self.endpoints,
                            "--timeout", "10000", "--retries", "10", "--json"] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        if check and p.returncode != 0:
            raise RuntimeError("expertctl %s: %s %s" % (" ".join(args), p.stdout[-500:],
                                                        p.stderr.strip()))
        if raw:
            return p.stdout
        try:
            return json.loads(p.stdout)
        except ValueError:
            return {"ok": False, "output": p.stdout[-500:], "stderr": p.stderr.strip()}

    def stop(self):
        return {d.name: d.stop() for d in self.daemons}
