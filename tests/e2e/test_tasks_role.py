"""The tasks role as a process: migrations, its gRPC health service, shutdown."""
import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from conftest import free_port, run_cli, serve_isolated
from gateway_support import Api

SERVICE = "workstream.tasks.v1.TasksService"


def health_status(grpc_addr, service=""):
    with grpc.insecure_channel(grpc_addr) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
        return reply.status


def wait_for_status(grpc_addr, wanted, timeout=10):
    deadline = time.monotonic() + timeout
    status = None
    while time.monotonic() < deadline:
        try:
            status = health_status(grpc_addr)
            if status == wanted:
                return
        except grpc.RpcError as error:
            status = error.code()
        time.sleep(0.05)
    raise AssertionError("gRPC health stayed %s, wanted %s" % (status, wanted))


def test_grpc_health_is_serving_when_ready(start):
    ws = start("tasks", {"WORKSTREAM_MIGRATE_ON_START": "true"})
    ws.wait_ready()
    grpc_addr = ws.env["WORKSTREAM_GRPC_ADDR"]
    wait_for_status(grpc_addr, health_pb2.HealthCheckResponse.SERVING)
    assert health_status(grpc_addr, SERVICE) == health_pb2.HealthCheckResponse.SERVING
    assert ws.terminate(signal.SIGTERM) == 0


def grpcurl(*args):
    """grpcurl, built by scripts/tools.sh (cached after the first time)."""
    root = os.path.join(os.path.dirname(__file__), "..", "..")
    tool = subprocess.run(["bash", os.path.join(root, "scripts", "tools.sh"), "path", "grpcurl"],
                          capture_output=True, text=True, timeout=900)
    assert tool.returncode == 0, "cannot build grpcurl: " + tool.stderr
    return subprocess.run([tool.stdout.strip(), "-plaintext", *args], capture_output=True, text=True,
                          timeout=20)


def test_grpc_reflection_lets_grpcurl_list_describe_and_call_without_proto_files(start):
    ws = start("tasks", {"WORKSTREAM_MIGRATE_ON_START": "true"})
    ws.wait_ready()
    grpc_addr = ws.env["WORKSTREAM_GRPC_ADDR"]
    wait_for_status(grpc_addr, health_pb2.HealthCheckResponse.SERVING)
    listed = grpcurl(grpc_addr, "list")
    assert listed.returncode == 0, listed.stderr
    assert set(listed.stdout.split()) >= {SERVICE, "grpc.health.v1.Health"}
    described = grpcurl(grpc_addr, "describe", SERVICE)
    assert described.returncode == 0, described.stderr
    assert "rpc CreateTask" in described.stdout
    health = grpcurl("-d", json.dumps({"service": SERVICE}), grpc_addr, "grpc.health.v1.Health/Check")
    assert health.returncode == 0, health.stderr
    assert json.loads(health.stdout) == {"status": "SERVING"}
    assert ws.terminate(signal.SIGTERM) == 0


def test_grpc_health_is_not_serving_while_postgres_is_down(start):
    dead = "postgresql://workstream:workstream@127.0.0.1:%d/workstream" % free_port()
    ws = start("tasks", {"WORKSTREAM_POSTGRES_URL": dead, "WORKSTREAM_MIGRATE_ON_START": "false"})
    ws.wait_healthy()
    grpc_addr = ws.env["WORKSTREAM_GRPC_ADDR"]
    wait_for_status(grpc_addr, health_pb2.HealthCheckResponse.NOT_SERVING)
    ready = ws.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["postgres"]["status"] == "down"


def test_migrating_at_startup_needs_the_database(start):
    dead = "postgresql://workstream:workstream@127.0.0.1:%d/workstream" % free_port()
    ws = start("tasks", {"WORKSTREAM_POSTGRES_URL": dead, "WORKSTREAM_MIGRATE_ON_START": "true"})
    ws.communicate(timeout=20)
    assert ws.proc.returncode == 1
    assert "cannot start" in ws.stdout


def test_migrate_command_is_idempotent(binary, server_env):
    env = {"WORKSTREAM_POSTGRES_URL": server_env["WORKSTREAM_POSTGRES_URL"]}
    first = run_cli(binary, ["migrate"], env)
    assert first.returncode == 0, first.stdout + first.stderr
    second = run_cli(binary, ["migrate"], env)
    assert second.returncode == 0
    assert "schema is up to date" in second.stdout


def test_migrate_needs_a_postgres_url(binary):
    result = run_cli(binary, ["migrate"])
    assert result.returncode == 2
    assert "WORKSTREAM_POSTGRES_URL" in result.stderr


def test_migrate_against_a_dead_server_exits_1(binary):
    dead = "postgresql://workstream:workstream@127.0.0.1:%d/workstream" % free_port()
    result = run_cli(binary, ["migrate"], {"WORKSTREAM_POSTGRES_URL": dead})
    assert result.returncode == 1
    assert "migration failed" in result.stdout
    assert "workstream:workstream@" not in result.stdout + result.stderr


def test_grpc_port_in_use_fails_startup(start):
    import socket
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ws = start("tasks", {"WORKSTREAM_GRPC_ADDR": "127.0.0.1:%d" % port})
        ws.communicate(timeout=10)
    assert ws.proc.returncode == 1
    assert "cannot start" in ws.stdout


class ThreadWatch:
    """Every thread id seen in the given processes, sampled from /proc while it runs."""

    def __init__(self, pids):
        self.pids = pids
        self.before = {pid: self.tids(pid) for pid in pids}
        self.seen = {pid: set(tids) for pid, tids in self.before.items()}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    @staticmethod
    def tids(pid):
        return set(os.listdir("/proc/%d/task" % pid))

    def _sample(self):
        while not self._stop.wait(0.001):
            for pid in self.pids:
                self.seen[pid] |= self.tids(pid)

    def stop(self):
        self._stop.set()
        self._thread.join()
        return {pid: (self.seen[pid] - self.before[pid], self.before[pid] - self.tids(pid))
                for pid in self.pids}


def thread_names(pid, tids):
    names = []
    for tid in sorted(tids):
        try:
            with open("/proc/%d/task/%s/comm" % (pid, tid)) as comm:
                names.append(comm.read().strip())
        except FileNotFoundError:
            names.append("(ended)")
    return names


def test_apart_the_roles_create_no_thread_per_call_once_warm(binary, server_env, isolated):
    started = [serve_isolated(binary, server_env, isolated, "tasks")]
    try:
        tasks = started[0]
        started.append(serve_isolated(binary, server_env, isolated, "gateway",
                                      {"WORKSTREAM_TASKS_ADDR": tasks.env["WORKSTREAM_GRPC_ADDR"]}))
        gateway = started[1]
        created = Api(gateway.env["WORKSTREAM_HTTP_ADDR"]).create()
        assert created.status_code == 201, created.text
        path = "/api/v1/tasks/" + created.json()["id"]
        local = threading.local()

        def call(i):
            if not hasattr(local, "api"):
                local.api = Api(gateway.env["WORKSTREAM_HTTP_ADDR"])
            if i % 2 == 0:
                return local.api.create({"title": "burst %d" % i}).status_code
            return local.api.get(path).status_code

        def burst(workers, calls=200):
            with ThreadPoolExecutor(workers) as pool:
                statuses = list(pool.map(call, range(calls)))
            assert set(statuses) == {200, 201}, statuses

        pids = {tasks.proc.pid: "tasks", gateway.proc.pid: "gateway"}

        def changes(workers):
            watch = ThreadWatch(list(pids))
            burst(workers)
            return {pids[pid]: (thread_names(pid, created), len(ended))
                    for pid, (created, ended) in watch.stop().items() if created or ended}

        # Warm-up at twice the measured concurrency until a burst changes nothing:
        # gRPC's pools grow to the highest concurrency they have seen, then stay.
        # A pool that churns never settles.
        warm = [changes(16)]
        while warm[-1] and len(warm) < 5:
            warm.append(changes(16))
        assert warm[-1] == {}, "threads created (names) or ended (count) in each of 5 bursts: %s" % warm
        # Measured: no thread ends (a churning pool ends as many as it makes:
        # gRPC's default MAX_POLLERS made and ended 163 here), and at most two
        # are made, for a pool reaching a peak the loaded machine had not shown
        # in the warm-up.
        measured = changes(8)
        assert all(ended == 0 and len(made) <= 2 for made, ended in measured.values()), \
            "threads created (names) or ended (count) over 200 calls: %s" % measured
        assert gateway.terminate() == 0
        assert tasks.terminate() == 0
    finally:  # a failed assertion must not leave the processes running
        for ws in started:
            if ws.proc.poll() is None:
                ws.proc.kill()
                ws.proc.wait()
