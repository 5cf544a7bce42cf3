"""The built binary as a process: roles, configuration, admin endpoints, signals."""
import os
import re
import signal
import socket
import time

import pytest

from conftest import free_port, run_cli

ROLE_CHECKS = {
    "all": {"postgres", "outbox", "rabbitmq", "redis", "mongodb", "notifications-consumer", "smtp",
            "mailer-consumer"},
    "tasks": {"postgres", "outbox", "rabbitmq"},
    "notifications": {"rabbitmq", "redis", "mongodb", "notifications-consumer"},
    "mailer": {"rabbitmq", "redis", "smtp", "mailer-consumer"},
}


def test_all_roles_answer_health_ready_and_metrics(start):
    ws = start("all")
    ws.wait_healthy()
    health = ws.get("/health")
    assert health.headers["Content-Type"] == "application/json"
    body = health.json()
    assert body["status"] == "healthy"
    assert body["service"] == "workstream"
    assert re.fullmatch(r"\d+\.\d+\.\d+", body["version"])

    ready = ws.wait_ready().json()
    assert ready["status"] == "ready"
    assert set(ready["checks"]) == ROLE_CHECKS["all"]
    assert all(c["status"] == "up" for c in ready["checks"].values())

    metrics = ws.get("/metrics")
    assert metrics.headers["Content-Type"].startswith("text/plain")
    assert 'workstream_build_info{version="%s",roles="all"} 1' % body["version"] in metrics.text
    uptime = re.search(r"^workstream_uptime_seconds (\S+)$", metrics.text, re.M)
    assert uptime and float(uptime.group(1)) > 0


@pytest.mark.parametrize("role", ["tasks", "notifications", "mailer"])
def test_one_role_checks_only_what_it_needs(start, role):
    ws = start(role)
    ws.wait_healthy()
    assert ws.get("/health").json()["service"] == "workstream-" + role
    assert set(ws.wait_ready().json()["checks"]) == ROLE_CHECKS[role]


def test_gateway_alone_is_not_ready_while_tasks_is_unreachable(start):
    ws = start("gateway")
    ws.wait_healthy()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "tasks" not in ws.get("/ready").json()["checks"]:
        time.sleep(0.05)
    ready = ws.get("/ready")
    assert ready.status_code == 503
    assert ready.json()["checks"]["tasks"]["status"] == "down"


def test_ready_is_503_naming_the_failing_server_while_health_stays_200(start):
    closed = free_port()
    ws = start("mailer", {"WORKSTREAM_SMTP_URL": "smtp://127.0.0.1:%d" % closed})
    ws.wait_healthy()
    deadline = time.monotonic() + 5
    # Before the first round every check is listed down, "not checked yet".
    while time.monotonic() < deadline and \
            ws.get("/ready").json()["checks"]["smtp"].get("error") == "not checked yet":
        time.sleep(0.05)
    ready = ws.get("/ready")
    assert ready.status_code == 503
    body = ready.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["smtp"]["status"] == "down"
    assert body["checks"]["smtp"]["error"]
    assert body["checks"]["redis"]["status"] == "up"
    assert ws.get("/health").status_code == 200


def test_sigterm_drains_and_exits_zero(start):
    ws = start("all")
    ws.wait_ready()
    began = time.monotonic()
    assert ws.terminate(signal.SIGTERM) == 0
    assert time.monotonic() - began < 10
    lines = ws.log_lines()
    messages = [l["msg"] for l in lines]
    assert "shutting down" in messages and messages[-1] == "stopped"
    for line in lines:
        assert {"ts", "level", "service", "msg"} <= set(line)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["ts"])


def test_a_killed_process_leaves_nothing_in_shared_memory(start):
    # libmongoc publishes its counters as /dev/shm/mongoc-<pid> as it loads,
    # and only its clean-up removes the file.
    ws = start("notifications")
    ws.wait_healthy()
    counters = "/dev/shm/mongoc-%d" % ws.proc.pid
    assert not os.path.exists(counters)
    ws.proc.kill()
    ws.communicate()
    assert not os.path.exists(counters)


def test_sigint_also_exits_zero(start):
    ws = start("tasks")
    ws.wait_healthy()
    assert ws.terminate(signal.SIGINT) == 0


def test_logs_never_show_a_password(start, server_env):
    ws = start("all", {"WORKSTREAM_LOG_LEVEL": "debug"})
    ws.wait_ready()
    ws.terminate()
    assert "guest:guest" not in ws.stdout + ws.stderr
    assert "workstream:workstream@" not in ws.stdout + ws.stderr


def test_unknown_role_exits_2_naming_it(binary):
    result = run_cli(binary, ["serve", "--role=nope"])
    assert result.returncode == 2
    assert '"nope"' in result.stderr


def test_role_flag_alone_means_serve(binary):
    result = run_cli(binary, ["--role=nope"])
    assert result.returncode == 2
    assert '"nope"' in result.stderr


def test_unknown_flag_exits_2(binary):
    result = run_cli(binary, ["serve", "--role=all", "--no-such-flag"])
    assert result.returncode == 2
    assert "--no-such-flag" in result.stderr


def test_missing_settings_stop_startup_naming_each_variable(binary):
    result = run_cli(binary, ["serve", "--role=notifications"])
    assert result.returncode == 2
    for name in ["WORKSTREAM_ADMIN_ADDR", "WORKSTREAM_RABBITMQ_URL", "WORKSTREAM_REDIS_URL",
                 "WORKSTREAM_MONGO_URL"]:
        assert name in result.stderr
    assert "WORKSTREAM_POSTGRES_URL" not in result.stderr


def test_invalid_setting_names_the_variable(binary, server_env):
    env = dict(server_env, WORKSTREAM_ADMIN_ADDR="127.0.0.1:notaport")
    result = run_cli(binary, ["serve", "--role=tasks", "--grpc-addr=127.0.0.1:0"], env)
    assert result.returncode == 2
    assert "WORKSTREAM_ADMIN_ADDR" in result.stderr and "notaport" in result.stderr


def test_admin_port_in_use_fails_startup_with_exit_1(start):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        ws = start("tasks", {"WORKSTREAM_ADMIN_ADDR": "127.0.0.1:%d" % port})
        ws.communicate(timeout=10)
    assert ws.proc.returncode == 1
    assert "cannot listen on the admin address" in ws.stdout


def test_secret_from_file(start, server_env, tmp_path):
    secret = tmp_path / "postgres-url"
    secret.write_text(server_env["WORKSTREAM_POSTGRES_URL"] + "\n")
    ws = start("tasks", {"WORKSTREAM_POSTGRES_URL_FILE": str(secret)},
               drop=["WORKSTREAM_POSTGRES_URL"])
    ws.wait_healthy()
    assert ws.wait_ready().json()["checks"]["postgres"]["status"] == "up"


def test_config_check_and_print(binary, server_env):
    env = dict(server_env, WORKSTREAM_ADMIN_ADDR="127.0.0.1:9", WORKSTREAM_GRPC_ADDR="127.0.0.1:0")
    check = run_cli(binary, ["config", "check", "--role=tasks"], env)
    assert check.returncode == 0, check.stderr
    printed = run_cli(binary, ["config", "print", "--role=tasks"], env)
    assert printed.returncode == 0
    assert "WORKSTREAM_POSTGRES_URL=postgresql://workstream:REDACTED@" in printed.stdout
    assert ":guest@" not in printed.stdout and "workstream:workstream@" not in printed.stdout
    bad = run_cli(binary, ["config", "check", "--role=tasks"], {})
    assert bad.returncode == 2
    assert "WORKSTREAM_POSTGRES_URL" in bad.stderr


def test_health_command_reports_a_live_process(start, binary):
    ws = start("tasks")
    ws.wait_healthy()
    ok = run_cli(binary, ["health", "--admin-addr", ws.admin])
    assert ok.returncode == 0, ok.stderr
    assert '"healthy"' in ok.stdout
    from_env = run_cli(binary, ["health"], {"WORKSTREAM_ADMIN_ADDR": ws.admin})
    assert from_env.returncode == 0, from_env.stderr
    ws.terminate()
    gone = run_cli(binary, ["health", "--admin-addr", ws.admin, "--timeout", "500ms"])
    assert gone.returncode == 1


def test_health_ready_follows_readiness(start, binary):
    closed = free_port()
    ws = start("mailer", {"WORKSTREAM_SMTP_URL": "smtp://127.0.0.1:%d" % closed})
    ws.wait_healthy()
    alive = run_cli(binary, ["health", "--admin-addr", ws.admin])
    assert alive.returncode == 0, alive.stderr
    not_ready = run_cli(binary, ["health", "--ready", "--admin-addr", ws.admin])
    assert not_ready.returncode == 1
    assert '"not_ready"' in not_ready.stdout and "/ready answered 503" in not_ready.stderr
    ready_ws = start("tasks")
    ready_ws.wait_ready()
    ready = run_cli(binary, ["health", "--ready", "--admin-addr", ready_ws.admin])
    assert ready.returncode == 0, ready.stderr
    assert '"ready"' in ready.stdout


def test_version_and_help(binary):
    version = run_cli(binary, ["version"])
    assert version.returncode == 0 and re.fullmatch(r"workstream \d+\.\d+\.\d+\n", version.stdout)
    for args in (["--help"], ["serve", "--help"], ["config", "check", "--help"], ["health", "--help"]):
        result = run_cli(binary, args)
        assert result.returncode == 0 and "Usage" in result.stdout, args


def test_admin_listener_survives_garbage(start):
    ws = start("tasks")
    ws.wait_healthy()
    host, port = ws.admin.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"\x00\x01GARBAGE \r\n\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400")
    with socket.create_connection((host, int(port)), timeout=5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        reply = s.recv(4096)
    assert reply.startswith(b"HTTP/1.1 431")
    assert ws.get("/health").status_code == 200
