"""The pieces of the fault suite: fixed ports, proxies that can be cut, a
RabbitMQ broker of the test's own, the four role processes, a bounded REST
load that remembers what was acknowledged, and counting from outside.

The black-box helpers of tests/e2e (the Workstream process wrapper,
process_env, Isolated, TcpProxy) are reused, not copied."""
import email.parser
import email.policy
import glob
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from conftest import Workstream  # noqa: E402  (tests/e2e)
from isolation import TcpProxy  # noqa: E402

SERVERS_SH = os.path.join(ROOT, "scripts", "servers.sh")


# --- ports --------------------------------------------------------------------

_taken = set()


def _bindable(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def fixed_ports(count=1):
    """`count` consecutive free ports in 20000-32000: below Linux's ephemeral
    range, so no outgoing connection takes one while a role or proxy restarts."""
    for _ in range(500):
        first = random.randrange(20000, 32000 - count)
        block = range(first, first + count)
        if not _taken.intersection(block) and all(_bindable(p) for p in block):
            _taken.update(block)
            return list(block)
    raise AssertionError("no %d free consecutive ports in 20000-32000" % count)


# --- dependencies that can be cut ----------------------------------------------


class Cut(TcpProxy):
    """The e2e TcpProxy on a fixed port: down() cuts every connection and
    refuses new ones until up()."""

    def __init__(self, name, target_port):
        self.name = name
        self._fixed = fixed_ports()[0]
        self.is_up = True
        super().__init__(target_port)

    def up(self):
        self.port = self._fixed  # TcpProxy.__init__ probed one of its own; use ours
        super().up()
        self.is_up = True

    def down(self):
        self.is_up = False
        super().down()
        # A connection accepted just before the listener closed may be
        # registered after the sweep: sweep again.
        time.sleep(0.2)
        super().down()


class OwnBroker:
    """A RabbitMQ node of the test's own (scripts/servers.sh start|stop
    rabbitmq with a data directory and ports of its own), so that the
    suite can restart a real broker without touching the shared one."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="ws-faults-broker-")
        self.port = fixed_ports(3)[0]  # AMQP, Erlang distribution, epmd
        # On disk, as a production broker: what it keeps must outlive its
        # restarts, and nothing is left in /dev/shm when the test is done.
        self.env = dict(os.environ, WS_SERVERS_DIR=self.dir, WS_AMQP_PORT=str(self.port),
                        WS_RABBITMQ_ON_DISK="1")

    def servers(self, *args, timeout=180):
        result = subprocess.run(["bash", SERVERS_SH, *args], env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError("scripts/servers.sh %s failed (%d):\n%s%s" % (
                " ".join(args), result.returncode, result.stdout, result.stderr))
        return result.stdout.strip()

    def start(self):
        self.servers("start", "rabbitmq")

    def stop(self):
        self.servers("stop", "rabbitmq")

    def queues(self, vhost):
        """{queue: messages ready + unacknowledged}."""
        out = self.servers("rabbitmqctl", "-q", "list_queues", "-p", vhost, "name", "messages",
                           "--formatter", "json", timeout=60)
        return {q["name"]: q["messages"] for q in json.loads(out or "[]")}


# --- the four roles --------------------------------------------------------------


class Role:
    """One role process; restart() brings it back with the same settings and ports."""

    def __init__(self, name, binary, env, log_dir):
        self.name, self.binary, self.env, self.log_dir = name, binary, env, log_dir
        self.generation = 0
        self.ws = None
        self.exits = []  # (signal name, exit code)

    def start(self, timeout=40):
        self.generation += 1
        self.ws = Workstream(self.binary, ["serve", "--role=" + self.name], self.env)
        self.ws.wait_ready(timeout)

    def stop(self, sig, timeout=20):
        self.ws.proc.send_signal(sig)
        try:
            self.ws.communicate(timeout)
        finally:
            self.save_log()
        code = self.ws.proc.returncode
        self.exits.append((signal.Signals(sig).name, code))
        return code

    def save_log(self):
        path = os.path.join(self.log_dir, "%s.%d.log" % (self.name, self.generation))
        with open(path, "w") as out:
            out.write(self.ws.stdout)
            out.write(self.ws.stderr)

    def kill_at_exit(self):
        if self.ws and self.ws.proc.poll() is None:
            self.ws.proc.kill()
            self.ws.proc.wait()
        if self.ws:
            self.ws.communicate(5)
            self.save_log()


# --- the load ------------------------------------------------------------------


class Load:
    """Tasks with an assignee created at `rate` per second, each completed
    right after, by `workers` threads. Every attempt that failed with a
    connection error, a timeout or a 5xx is retried (creates with the same
    Idempotency-Key, so a retry never makes a second task); what the gateway
    acknowledged (create 201, complete 200, or 409 to a retried complete,
    which says an earlier attempt completed it) is recorded."""

    def __init__(self, http_addr, run_id, rate=20.0, workers=8):
        self.base = "http://%s/api/v1/tasks" % http_addr
        self.run_id, self.rate, self.workers = run_id, rate, workers
        self.tasks = []  # one dict per task the load started
        self.unexpected = []  # answers that are neither success nor retryable
        self.retried = 0
        self._lock = threading.Lock()
        self._next = 0
        self._slot = None
        self._stop = threading.Event()
        self._give_up_at = None
        self._threads = []

    def email(self, n):
        return "f%s-%d@example.com" % (self.run_id, n)

    def start(self):
        self._slot = time.monotonic()
        for _ in range(self.workers):
            t = threading.Thread(target=self._work, daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, finish_within=45):
        """No new tasks; tasks under way keep retrying for `finish_within` seconds."""
        if self._stop.is_set():
            return
        self._give_up_at = time.monotonic() + finish_within
        self._stop.set()
        for t in self._threads:
            t.join(finish_within + 15)
        assert not any(t.is_alive() for t in self._threads), "load workers did not stop"

    def _take(self):
        """The next task's number once its time has come; None when stopping."""
        with self._lock:
            now = time.monotonic()
            # Behind by more than a second (a fault stalled every worker):
            # drop the missed slots rather than burst.
            self._slot = max(self._slot + 1.0 / self.rate, now - 1.0)
            due, n = self._slot, self._next
            self._next += 1
        delay = due - time.monotonic()
        if delay > 0 and self._stop.wait(delay):
            return None
        return None if self._stop.is_set() else n

    def _work(self):
        session = requests.Session()
        while True:
            n = self._take()
            if n is None:
                return
            task = {"n": n, "key": "%s-%d" % (self.run_id, n), "email": self.email(n),
                    "title": "fault %s %d" % (self.run_id, n), "id": None,
                    "created": False, "completed": False}
            with self._lock:
                self.tasks.append(task)
            self._create(session, task)
            if task["created"]:
                self._complete(session, task)

    def _attempts(self):
        while True:
            yield
            if self._give_up_at is not None and time.monotonic() > self._give_up_at:
                return
            with self._lock:
                self.retried += 1
            time.sleep(0.2)

    def _call(self, session, method, url, **kwargs):
        try:
            return session.request(method, url, timeout=10, **kwargs)
        except requests.RequestException:
            return None

    def _create(self, session, task):
        body = {"title": task["title"], "assignee_email": task["email"]}
        headers = {"Idempotency-Key": task["key"]}
        for _ in self._attempts():
            r = self._call(session, "POST", self.base, json=body, headers=headers)
            if r is None or r.status_code >= 500:
                continue
            if r.status_code in (200, 201):
                task["id"], task["created"] = r.json()["id"], True
            else:
                self.unexpected.append(("create", task["key"], r.status_code, r.text))
            return

    def _complete(self, session, task):
        first = True
        for _ in self._attempts():
            r = self._call(session, "POST", "%s/%s/complete" % (self.base, task["id"]))
            if r is None or r.status_code >= 500:
                first = False
                continue
            if r.status_code == 200 or (r.status_code == 409 and not first):
                task["completed"] = True
            else:
                self.unexpected.append(("complete", task["id"], r.status_code, r.text))
            return


# --- counting from outside ---------------------------------------------------------


def read_mails(maildir, tag):
    """Mails the sink accepted for the run's recipients (their addresses hold
    `tag`): [(recipient, subject, message_id, accepted_at, file name)]."""
    parser = email.parser.BytesHeaderParser(policy=email.policy.default)
    mails = []
    for meta in glob.glob(os.path.join(maildir, "*.json")):
        eml = meta[:-5] + ".eml"
        try:
            with open(meta) as f:
                rcpts = json.load(f)["rcpt_tos"]
        except (OSError, ValueError):
            continue  # being written
        if not any(tag in r for r in rcpts) or not os.path.exists(eml):
            continue
        with open(eml, "rb") as f:
            headers = parser.parse(f)
        mails.append((rcpts[0], str(headers["Subject"]), str(headers["Message-ID"]),
                      os.stat(eml).st_mtime, os.path.basename(eml)))
    return mails


def new_run_id():
    return uuid.uuid4().hex[:8]
