"""The scripts a new user runs first: scripts/servers.sh start must fail with
the real problem, and print nothing for `eval` to act on, when a server
cannot start."""
import os
import re
import socket
import subprocess

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
