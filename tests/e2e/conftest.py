"""Black-box helpers: start the built `workstream` binary and talk to it from outside."""
import contextlib
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

from isolation import Isolated

SERVER_VARS = [
    "WORKSTREAM_POSTGRES_URL",
    "WORKSTREAM_RABBITMQ_URL",
    "WORKSTREAM_REDIS_URL",
    "WORKSTREAM_MONGO_URL",
    "WORKSTREAM_SMTP_URL",
]


_handed_out = set()
_ports = random.Random()


def free_ports(count=1):
    """`count` consecutive ports nothing listens on now, in 20000-32000, none
    handed out before in this process (two settings of one server, gRPC and
    admin say, must not share one). Below Linux's ephemeral range (32768 and
    up): a port the kernel picks there can be taken by an outgoing
    connection before the process under test listens on it."""
    for _ in range(1000):
        first = _ports.randrange(20000, 32000 - count)
        block = range(first, first + count)
        if _handed_out.intersection(block):
            continue
        try:
            with contextlib.ExitStack() as probes:
                for port in block:
                    probes.enter_context(socket.socket()).bind(("127.0.0.1", port))
        except OSError:
            continue
        _handed_out.update(block)
        return list(block)
    raise AssertionError("no %d free consecutive ports in 20000-32000" % count)


def free_port():
    return free_ports()[0]


@pytest.fixture(scope="session")
def binary():
    path = os.environ.get("WORKSTREAM_BIN")
    if not path or not os.access(path, os.X_OK):
        pytest.fail("WORKSTREAM_BIN must name the built workstream binary (ctest sets it)")
    return path


@pytest.fixture(scope="session")
def server_env():
    """The URLs of the local servers, from scripts/servers.sh env."""
    missing = [v for v in SERVER_VARS if not os.environ.get(v)]
    if missing:
        pytest.fail("the local servers' settings are missing (%s): run the tests through "
                    "scripts/test.sh, or `eval \"$(scripts/servers.sh start)\"` first" % ", ".join(missing))
    return {v: os.environ[v] for v in SERVER_VARS}


class Workstream:
    """One running `workstream serve` process."""

    def __init__(self, binary, args, env):
        self.env = env
        self.admin = env["WORKSTREAM_ADMIN_ADDR"]
        self.proc = subprocess.Popen([binary, *args], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        # Read the pipes as the process writes: a full pipe would block its logging.
        self._out, self._err = [], []
        self._readers = [threading.Thread(target=self._read, args=(pipe, sink), daemon=True)
                         for pipe, sink in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))]
        for reader in self._readers:
            reader.start()

    @staticmethod
    def _read(pipe, sink):
        for line in pipe:
            sink.append(line)

    @property
    def stdout(self):
        return "".join(self._out)

    @property
    def stderr(self):
        return "".join(self._err)

    def url(self, path):
        return "http://%s%s" % (self.admin, path)

    def get(self, path, **kwargs):
        return requests.get(self.url(path), timeout=5, **kwargs)

    def wait_healthy(self, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.communicate()
                raise AssertionError("workstream exited with %s:\n%s\n%s"
                                     % (self.proc.returncode, self.stdout, self.stderr))
            try:
                if self.get("/health").status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.05)
        raise AssertionError("workstream did not answer /health within %ss" % timeout)

    def wait_ready(self, timeout=10):
        self.wait_healthy(timeout)
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = self.get("/ready")
            if last.status_code == 200:
                return last
            time.sleep(0.05)
        raise AssertionError("not ready within %ss: %s" % (timeout, last and last.text))

    def terminate(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        self.communicate(timeout)
        return self.proc.returncode

    def communicate(self, timeout=15):
        self.proc.wait(timeout=timeout)
        for reader in self._readers:
            reader.join(timeout)

    def log_lines(self):
        return [json.loads(line) for line in self.stdout.splitlines() if line.strip()]


def process_env(server_env, *overrides):
    """The environment of a workstream process: the local servers, fresh ports, then overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTREAM_")}
    env.update(server_env)
    env.update({
        "WORKSTREAM_ADMIN_ADDR": "127.0.0.1:%d" % free_port(),
        "WORKSTREAM_HTTP_ADDR": "127.0.0.1:%d" % free_port(),
        "WORKSTREAM_GRPC_ADDR": "127.0.0.1:%d" % free_port(),
        "WORKSTREAM_TASKS_ADDR": "127.0.0.1:%d" % free_port(),
        "WORKSTREAM_MIGRATE_ON_START": "true",
        "WORKSTREAM_MAIL_FROM": "workstream@example.com",
    })
    for override in overrides:
        env.update(override or {})
    return env


@pytest.fixture
def start(binary, server_env):
    """Starts workstream with the local servers' settings plus fresh ports; stops it after."""
    started = []

    def run(roles="all", extra_env=None, drop=()):
        env = process_env(server_env, extra_env)
        for name in drop:
            env.pop(name, None)
        ws = Workstream(binary, ["serve", "--role=" + roles], env)
        started.append(ws)
        return ws

    yield run
    for ws in started:
        if ws.proc.poll() is None:
            ws.proc.kill()
            ws.proc.wait()


@pytest.fixture
def isolated(server_env):
    """A Postgres schema, RabbitMQ vhost and MongoDB database of the test's own."""
    iso = Isolated(server_env)
    yield iso
    iso.close()


def serve_isolated(binary, server_env, isolated, roles, extra=None, ready=True):
    """`workstream serve` on the test's own schema, vhost and database."""
    ws = Workstream(binary, ["serve", "--role=" + roles], process_env(server_env, isolated.env(), extra))
    if ready:
        ws.wait_ready()
    else:
        ws.wait_healthy()
    return ws


def run_cli(binary, args, env=None):
    """Runs a workstream subcommand to completion with only the given WORKSTREAM_ settings."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("WORKSTREAM_")}
    base.update(env or {})
    return subprocess.run([binary, *args], env=base, capture_output=True, text=True, timeout=30)
