"""sd_notify protocol against a fake NOTIFY_SOCKET (a datagram socket the
test binds): READY after the daemon listens, STATUS lines, WATCHDOG pings
from the event loop, RELOADING/READY around SIGHUP, STOPPING on SIGTERM."""
import os
import signal
import socket
import subprocess
import unittest

from harness import EXPERTD, Ctl, DaemonTest, free_tcp_port, sign_keygen, store_argv


class NotifyTest(DaemonTest):
    def setUp(self):
        super().setUp()
        self.path = os.path.join(self.dir, "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(20)
        self.addCleanup(self.sock.close)
        self.endpoint = "ipc://" + os.path.join(self.dir, "expertd.sock")
        env = dict(os.environ, NOTIFY_SOCKET=self.path, WATCHDOG_USEC="300000")
        self.log = open(os.path.join(self.dir, "log"), "w")
        self.addCleanup(self.log.close)
        self.proc = subprocess.Popen(
            [EXPERTD, "--insecure"] + store_argv(self.dir, os.path.join(self.dir, "db")) + [
             "--listen", self.endpoint,
             "--pub-listen", "ipc://" + os.path.join(self.dir, "pub.sock"),
             "--answer-listen", "ipc://" + os.path.join(self.dir, "answer.sock"),
             "--notify-listen", "ipc://" + os.path.join(self.dir, "notify-pub.sock"),
             "--metrics-listen", "127.0.0.1:%d" % free_tcp_port(),
             "--sign-key", sign_keygen(self.dir)],
            env=env, stderr=self.log)
        self.addCleanup(self.reap)

    def reap(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def next_message(self, skip_watchdog=True):
        while True:
            m = self.sock.recv(4096).decode()
            if not (skip_watchdog and m == "WATCHDOG=1"):
                return m

    def test_ready_status_watchdog_reload_stopping(self):
        self.assertEqual(self.next_message(), "READY=1")
        # READY means listening: a client is answered right away.
        class D:
            endpoint = self.endpoint
        pong = Ctl(D).json("ping", retries=0, timeout=5000)
        self.assertEqual(pong["experts"], 0)
        self.assertTrue(self.next_message().startswith("STATUS=serving 0 experts"))
        # Watchdog pings keep coming while the loop runs.
        pings = 0
        while pings < 3:
            if self.next_message(skip_watchdog=False) == "WATCHDOG=1":
                pings += 1
        self.proc.send_signal(signal.SIGHUP)
        self.assertEqual(self.next_message(), "RELOADING=1")
        self.assertEqual(self.next_message(), "READY=1")
        self.assertTrue(self.next_message().startswith("STATUS="))
        self.proc.send_signal(signal.SIGTERM)
        self.assertEqual(self.next_message(), "STOPPING=1")
        self.assertEqual(self.proc.wait(timeout=30), 0)


class StandbyNotifyTest(DaemonTest):
    """A standby under systemd (PROTOCOL.md 6.6): READY with a standby
    STATUS, and watchdog pings while it waits, or WatchdogSec would kill
    it long before the daemon it stands by for ever dies."""

    def test_standby_is_ready_and_pings_the_watchdog(self):
        holder = self.start_daemon()
        path = os.path.join(self.dir, "notify-standby.sock")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(20)
        self.addCleanup(sock.close)
        log = open(os.path.join(self.dir, "standby.log"), "w")
        self.addCleanup(log.close)
        proc = subprocess.Popen(
            [EXPERTD, "--insecure", "--standby"] + holder.store_argv() + [
             "--listen", "ipc://" + os.path.join(self.dir, "standby.sock"),
             "--pub-listen", "ipc://" + os.path.join(self.dir, "standby-pub.sock"),
             "--answer-listen", "ipc://" + os.path.join(self.dir, "standby-answer.sock"),
             "--notify-listen", "ipc://" + os.path.join(self.dir, "standby-np.sock"),
             "--metrics-listen", "127.0.0.1:%d" % free_tcp_port(),
             "--sign-key", holder.sign_key],
            env=dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="300000"),
            stderr=log)
        self.addCleanup(lambda: (proc.poll() is None and proc.kill(), proc.wait()))
        self.assertEqual(sock.recv(4096).decode(),
                         "READY=1\nSTATUS=standby: another expertd holds the database")
        pings = 0
        while pings < 3:
            if sock.recv(4096).decode() == "WATCHDOG=1":
                pings += 1
        self.assertIsNone(proc.poll())
        # SIGHUP re-reads the settings and the allowlist in a standby too.
        proc.send_signal(signal.SIGHUP)
        said = []
        while not said or said[-1] != "STATUS=standby: another expertd holds the database":
            m = sock.recv(4096).decode()
            if m != "WATCHDOG=1":
                said.append(m)
        self.assertEqual(said, ["RELOADING=1", "READY=1",
                                "STATUS=standby: another expertd holds the database"])
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 0)


if __name__ == "__main__":
    unittest.main()
