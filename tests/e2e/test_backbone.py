"""The event backbone, black box: topology, the relay and its faults, with a
real broker, each test in a vhost and a Postgres schema of its own."""
import json
import os
import re
import signal
import time
import urllib.parse

import jsonschema
import pika

from conftest import Workstream, process_env, run_cli, serve_isolated
from gateway_support import Api
from isolation import TcpProxy, servers

SCHEMAS = os.path.join(os.path.dirname(__file__), "..", "..", "contracts", "events")



def start(binary, server_env, isolated, roles="gateway,tasks", extra=None):
    return serve_isolated(binary, server_env, isolated, roles, extra, ready=False)


def channel(url):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    return connection, connection.channel()


def drain(url, queue, expect, timeout=15):
    """Takes messages off `queue` until `expect` have come or time is up."""
    connection, ch = channel(url)
    got, deadline = [], time.monotonic() + timeout
    while len(got) < expect and time.monotonic() < deadline:
        method, props, body = ch.basic_get(queue, auto_ack=True)
        if method is None:
            time.sleep(0.05)
            continue
        got.append((method, props, body))
    connection.close()
    return got


def validate_event(body):
    envelope = json.loads(body)
    schema = json.load(open(os.path.join(SCHEMAS, envelope["event_type"] + ".schema.json")))
    jsonschema.validate(envelope, schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    return envelope


def test_topology_declare_twice_matches_the_seed(binary, isolated):
    env = {"WORKSTREAM_RABBITMQ_URL": isolated.rabbitmq_url}
    for _ in range(2):
        result = run_cli(binary, ["topology", "declare"], env)
        assert result.returncode == 0, result.stdout + result.stderr
    queues = servers("rabbitmqctl", "-q", "list_queues", "-p", isolated.name, "name", "durable",
                     "arguments", "--formatter", "json")
    by_name = {q["name"]: q for q in json.loads(queues)}
    for queue in ["workstream.notifications", "workstream.notifications.dlq",
                  "workstream.mailer", "workstream.mailer.dlq"]:
        assert by_name[queue]["durable"] is True
    retry = [n for n in by_name if ".retry." in n]
    assert len(retry) == 8  # four tiers each with the default five attempts
    bindings = json.loads(servers("rabbitmqctl", "-q", "list_bindings", "-p", isolated.name,
                                  "source_name", "destination_name", "routing_key",
                                  "--formatter", "json"))
    routes = {(b["source_name"], b["destination_name"], b["routing_key"]) for b in bindings
              if b["source_name"]}
    assert routes == {("workstream.events", "workstream.notifications", "workstream.task.*"),
                      ("workstream.events", "workstream.mailer", "workstream.mail.*")}
    exchanges = json.loads(servers("rabbitmqctl", "-q", "list_exchanges", "-p", isolated.name,
                                   "name", "type", "durable", "--formatter", "json"))
    assert {"name": "workstream.events", "type": "topic", "durable": True} in exchanges


def test_a_conflicting_queue_is_a_clear_startup_error(binary, server_env, isolated):
    connection, ch = channel(isolated.rabbitmq_url)
    ch.queue_declare("workstream.notifications", durable=True)  # classic, not quorum
    connection.close()
    result = run_cli(binary, ["topology", "declare"], {"WORKSTREAM_RABBITMQ_URL": isolated.rabbitmq_url})
    assert result.returncode == 1
    assert "workstream.notifications" in result.stdout
    ws = Workstream(binary, ["serve", "--role=tasks"], process_env(server_env, isolated.env()))
    ws.communicate(timeout=20)
    assert ws.proc.returncode == 1
    assert "workstream.notifications" in ws.stdout and "cannot start" in ws.stdout


def test_a_created_task_arrives_as_a_valid_event(binary, server_env, isolated):
    ws = start(binary, server_env, isolated)
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    trace = "4bf92f3577b34da6a3ce929d0e0e4736"
    traced = {"traceparent": "00-%s-00f067aa0ba902b7-01" % trace}
    task = api.create({"title": "evented", "assignee_email": "a@example.com"}, headers=traced).json()
    api.post("/api/v1/tasks/%s/complete" % task["id"], headers=traced)
    got = drain(isolated.rabbitmq_url, "workstream.notifications", 2)
    assert ws.terminate() == 0
    assert len(got) == 2
    types = []
    for method, props, body in got:
        envelope = validate_event(body)
        types.append(envelope["event_type"])
        assert envelope["payload"]["task_id"] == task["id"]
        assert envelope["trace_id"] == trace
        assert props.message_id == envelope["event_id"]
        assert props.type == envelope["event_type"]
        assert props.app_id == "workstream-tasks"
        assert props.content_type == "application/json"
        assert props.delivery_mode == 2
        assert props.timestamp > 0
        assert props.headers["traceparent"].split("-")[1] == trace
        assert method.routing_key == envelope["event_type"].rsplit(".", 1)[0]
    assert types == ["workstream.task.created.v1", "workstream.task.completed.v1"]


def test_events_wait_out_a_broker_outage_and_arrive_once(binary, server_env, isolated):
    parsed = urllib.parse.urlparse(isolated.rabbitmq_url)
    proxy = TcpProxy(parsed.port)
    through_proxy = isolated.rabbitmq_url.replace(":%d/" % parsed.port, ":%d/" % proxy.port)
    ws = start(binary, server_env, isolated, extra={"WORKSTREAM_RABBITMQ_URL": through_proxy})
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    ws.wait_ready()
    proxy.down()
    ids = [api.create({"title": "during outage %d" % i}).json()["id"] for i in range(5)]
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and ws.get("/ready").json()["checks"]["rabbitmq"]["status"] != "down":
        time.sleep(0.1)
    assert ws.get("/ready").json()["checks"]["rabbitmq"]["status"] == "down"
    pending = isolated.sql("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0]
    assert pending == 5
    proxy.up()
    got = drain(isolated.rabbitmq_url, "workstream.notifications", 5, timeout=20)
    time.sleep(1)
    got += drain(isolated.rabbitmq_url, "workstream.notifications", 1, timeout=0.5)
    assert ws.terminate() == 0
    task_ids = [json.loads(body)["payload"]["task_id"] for _, _, body in got]
    assert sorted(task_ids) == sorted(ids)  # every one, none twice
    assert isolated.sql("SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] == 0


def test_a_killed_relay_is_replaced_by_a_standby(binary, server_env, isolated):
    replicas = [start(binary, server_env, isolated) for _ in range(2)]

    def active(ws):
        return re.search(r"^workstream_outbox_relay_active 1$", ws.get("/metrics").text, re.M)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not any(active(ws) for ws in replicas):
        time.sleep(0.05)
    leaders = [ws for ws in replicas if active(ws)]
    assert len(leaders) == 1, "exactly one relay is active"
    survivor = next(ws for ws in replicas if ws is not leaders[0])
    api = Api(survivor.env["WORKSTREAM_HTTP_ADDR"])
    api.create({"title": "before"})
    assert len(drain(isolated.rabbitmq_url, "workstream.notifications", 1)) == 1

    leaders[0].proc.send_signal(signal.SIGKILL)  # its session, and the lock, die with it
    leaders[0].proc.wait()
    api.create({"title": "after"})
    got = drain(isolated.rabbitmq_url, "workstream.notifications", 1, timeout=15)
    assert len(got) == 1 and json.loads(got[0][2])["payload"]["title"] == "after"
    assert active(survivor)
    assert survivor.terminate() == 0
