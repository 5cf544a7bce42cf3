"""The scripts a new user runs first: scripts/servers.sh start must fail with
the real problem, and print nothing for `eval` to act on, when a server
cannot start."""
import glob
import os
import re
import shutil
import socket
import subprocess

from conftest import free_ports

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def servers(args, env):
    return subprocess.run(["bash", os.path.join(ROOT, "scripts", "servers.sh"), *args],
                          env=dict(os.environ, **env), capture_output=True, text=True, timeout=120)


def test_a_taken_port_stops_start_naming_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = servers(["start"], {"WS_SERVERS_DIR": str(tmp_path), "WS_PG_PORT": str(port)})
    assert result.returncode != 0
    assert f"port {port} for postgres is taken" in result.stderr
    assert result.stdout == ""  # `server_env=$(servers.sh start)` then fails, and nothing is eval'ed


def test_env_prints_the_settings_for_a_second_shell(tmp_path):
    result = servers(["env"], {"WS_SERVERS_DIR": str(tmp_path), "WS_REDIS_PORT": "16380"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "export WORKSTREAM_REDIS_URL=redis://127.0.0.1:16380/0" in lines
    names = {line.split("=", 1)[0].removeprefix("export ") for line in lines}
    assert {"WORKSTREAM_POSTGRES_URL", "WORKSTREAM_RABBITMQ_URL", "WORKSTREAM_MONGO_URL",
            "WORKSTREAM_SMTP_URL"} <= names


def test_default_ports_sit_below_the_ephemeral_range(tmp_path):
    env = {name: "" for name in ("WS_PG_PORT", "WS_REDIS_PORT", "WS_AMQP_PORT", "WS_MONGO_PORT", "WS_SMTP_PORT")}
    clean = {k: v for k, v in os.environ.items() if k not in env}
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "servers.sh"), "env"],
                            env=dict(clean, WS_SERVERS_DIR=str(tmp_path)), capture_output=True, text=True)
    ports = [int(port) for port in re.findall(r"127\.0\.0\.1:(\d+)", result.stdout)]
    assert len(ports) == 5 and all(port < 32768 for port in ports), ports


def test_the_test_broker_keeps_its_store_in_memory_unless_told_to_keep_it_on_disk(tmp_path):
    """A quorum queue syncs its log before it confirms or delivers, and a
    busy disk's sync held messages for tens of milliseconds: the test
    broker's store is under /dev/shm, and on disk with WS_RABBITMQ_ON_DISK=1."""
    env = {"WS_SERVERS_DIR": str(tmp_path), "WS_AMQP_PORT": str(free_ports(3)[0]),
           "WS_RABBITMQ_ON_DISK": "0"}
    before = set(glob.glob("/dev/shm/workstream-rabbitmq-*"))
    on_disk = tmp_path / "rabbitmq" / "mnesia"
    try:
        result = servers(["start", "rabbitmq"], env)
        assert result.returncode == 0, result.stderr
        made = set(glob.glob("/dev/shm/workstream-rabbitmq-*")) - before
        free = shutil.disk_usage("/dev/shm").free
        assert len(made) == 1 and os.listdir(made.pop()), (made, "/dev/shm free: %d MiB" % (free >> 20))
        assert not on_disk.exists()
        assert servers(["stop", "rabbitmq"], env).returncode == 0

        env["WS_RABBITMQ_ON_DISK"] = "1"
        result = servers(["start", "rabbitmq"], env)
        assert result.returncode == 0, result.stderr
        assert os.listdir(on_disk)
    finally:
        servers(["stop", "rabbitmq"], env)
        for store in set(glob.glob("/dev/shm/workstream-rabbitmq-*")) - before:
            shutil.rmtree(store, ignore_errors=True)


def test_the_demo_walks_through_every_step_against_a_running_system(binary, server_env, isolated):
    from conftest import serve_isolated
    ws = serve_isolated(binary, server_env, isolated, "all")
    env = dict(ws.env, WORKSTREAM_BIN=binary,
               DEMO_GATEWAY_URL="http://" + ws.env["WORKSTREAM_HTTP_ADDR"],
               DEMO_ADMIN_URL="http://" + ws.env["WORKSTREAM_ADMIN_ADDR"],
               WORKSTREAM_TEST_MAILDIR=os.environ["WORKSTREAM_TEST_MAILDIR"])
    result = subprocess.run(["bash", os.path.join(ROOT, "scripts", "demo.sh")], env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    steps = [line for line in out.splitlines() if re.match(r"^\x1b\[1m\d+\. ", line)]
    assert len(steps) == 10, out
    task = re.search(r"demo: done \(task ([0-9a-f-]{36})\)", out).group(1)
    # Each step printed its result: the task, both records and both mails, the
    # journey, and the poison message in the DLQ before and after its replay.
    assert out.count('"id": "%s"' % task) >= 3
    assert out.count("workstream.task.") >= 4
    assert len(re.findall(r"<[0-9a-f-]{36}@workstream>", out)) >= 2
    assert "workstream trace " + task in out
    poison = re.search(r"published ([0-9a-f-]{36})", out).group(1)
    assert out.count(poison) >= 4
    assert "replayed 1 message" in out
    assert "x-replay-history" in out.split("replayed 1 message")[1]
    assert ws.terminate() == 0
