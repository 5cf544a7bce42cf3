"""Notifications, black box: the built binary with real RabbitMQ, Redis and
FerretDB; every test in a schema, vhost and database of its own."""
import json
import time
import urllib.parse
import uuid

import pika
import pytest
import redis
import requests

from conftest import serve_isolated
from gateway_support import Api
from isolation import TcpProxy
from test_backbone import drain, validate_event

FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "200ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "8"}



def start(binary, server_env, isolated, roles="gateway,tasks,notifications", extra=None):
    return serve_isolated(binary, server_env, isolated, roles, extra)


def debug(ws, path="", **params):
    return requests.get(ws.url("/debug/notifications" + path), params=params, timeout=10)


def records_for(ws, task_id, expect, timeout=15):
    deadline = time.monotonic() + timeout
    items = []
    while time.monotonic() < deadline:
        items = debug(ws, task_id=task_id).json()["items"]
        if len(items) >= expect:
            break
        time.sleep(0.1)
    return items


def publish(url, routing_key, body, message_id):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    ch = connection.channel()
    ch.confirm_delivery()
    ch.basic_publish("workstream.events", routing_key, body,
                     pika.BasicProperties(message_id=message_id, delivery_mode=2,
                                          content_type="application/json"), mandatory=True)
    connection.close()


def envelope(event_type, task_id, event_id=None, **payload):
    return json.dumps({"event_id": event_id or str(uuid.uuid4()), "event_type": event_type,
                       "occurred_at": "2026-11-22T10:00:00.000000Z", "producer": "workstream-tasks",
                       "trace_id": uuid.uuid4().hex, "payload": dict(task_id=task_id, **payload)})


def test_task_to_event_to_notification_end_to_end(binary, server_env, isolated):
    ws = start(binary, server_env, isolated)
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    trace = uuid.uuid4().hex
    traced = {"traceparent": "00-%s-00f067aa0ba902b7-01" % trace}
    task = api.create({"title": "seed flow", "assignee_email": "dev@example.com"}, headers=traced).json()
    api.post("/api/v1/tasks/%s/complete" % task["id"], headers=traced)
    items = records_for(ws, task["id"], 2)
    assert sorted(i["event_type"] for i in items) == ["workstream.task.completed.v1",
                                                      "workstream.task.created.v1"]
    for item in items:
        assert item["trace_id"] == trace
        assert item["producer"] == "workstream-tasks"
        assert item["payload"]["task_id"] == task["id"]
        assert item["attempt"] == 1
        one = debug(ws, "/" + item["event_id"]).json()
        assert one == item
    # Each event asked the mailer for one mail, with the same trace.
    mails = drain(isolated.rabbitmq_url, "workstream.mailer", 2)
    assert len(mails) == 2
    for _, props, body in mails:
        request = validate_event(body)
        assert request["producer"] == "workstream-notifications"
        assert request["trace_id"] == trace
        assert request["payload"]["to"] == ["dev@example.com"]
        assert props.message_id == request["event_id"]
    assert ws.terminate() == 0


def test_the_same_event_five_times_makes_one_record_and_one_mail_request(binary, server_env, isolated):
    ws = start(binary, server_env, isolated, roles="notifications")
    task_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    body = envelope("workstream.task.created.v1", task_id, event_id, title="dup",
                    assignee_email="dup@example.com")
    for _ in range(5):
        publish(isolated.rabbitmq_url, "workstream.task.created", body, event_id)
    assert len(records_for(ws, task_id, 1)) == 1
    time.sleep(1)  # let every copy be processed
    assert len(debug(ws, task_id=task_id).json()["items"]) == 1
    mails = drain(isolated.rabbitmq_url, "workstream.mailer", 5, timeout=2)
    assert len({props.message_id for _, props, _ in mails}) == 1
    assert ws.terminate() == 0


def test_redis_down_means_retry_and_processing_once_it_is_back(binary, server_env, isolated):
    redis_url = urllib.parse.urlparse(server_env["WORKSTREAM_REDIS_URL"])
    proxy = TcpProxy(redis_url.port)
    extra = dict(FAST_RETRIES, WORKSTREAM_REDIS_URL="redis://127.0.0.1:%d/0" % proxy.port)
    ws = start(binary, server_env, isolated, roles="notifications", extra=extra)
    proxy.down()
    task_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    publish(isolated.rabbitmq_url, "workstream.task.created",
            envelope("workstream.task.created.v1", task_id, event_id), event_id)
    deadline = time.monotonic() + 6
    while time.monotonic() < deadline and ws.get("/ready").json()["checks"]["redis"]["status"] != "down":
        time.sleep(0.1)
    assert ws.get("/ready").json()["checks"]["redis"]["status"] == "down"
    assert debug(ws, task_id=task_id).json()["items"] == []
    proxy.up()
    items = records_for(ws, task_id, 1)
    assert len(items) == 1 and items[0]["attempt"] > 1
    assert redis.Redis.from_url(server_env["WORKSTREAM_REDIS_URL"]).ttl(
        "workstream:processed:" + event_id) > 23 * 3600
    connection = pika.BlockingConnection(pika.URLParameters(isolated.rabbitmq_url))
    assert connection.channel().queue_declare("workstream.notifications.dlq", passive=True).method.message_count == 0
    connection.close()
    assert ws.terminate() == 0


@pytest.mark.parametrize("event_type, body, code", [
    ("workstream.task.created.v2", None, "UNKNOWN_EVENT_TYPE"),
    ("workstream.task.created.v1", "not json", "INVALID_ENVELOPE"),
    ("workstream.task.created.v1", "bad-payload", "INVALID_PAYLOAD"),
])
def test_unreadable_or_unknown_events_go_to_the_dlq(binary, server_env, isolated, event_type, body, code):
    ws = start(binary, server_env, isolated, roles="notifications")
    event_id = str(uuid.uuid4())
    if body is None:
        body = envelope(event_type, str(uuid.uuid4()), event_id)
    elif body == "bad-payload":
        body = envelope(event_type, "not-a-uuid", event_id)
    publish(isolated.rabbitmq_url, "workstream.task.created", body, event_id)
    dead = drain(isolated.rabbitmq_url, "workstream.notifications.dlq", 1)
    assert len(dead) == 1
    _, props, dead_body = dead[0]
    assert dead_body.decode() == body
    assert props.headers["x-error-code"] == code
    assert props.headers["x-consumer"] == "workstream-notifications"
    assert props.headers["x-attempts"] == 1
    assert ws.terminate() == 0


def test_debug_api_filters_and_pages(binary, server_env, isolated):
    ws = start(binary, server_env, isolated, roles="notifications")
    task_a, task_b = str(uuid.uuid4()), str(uuid.uuid4())
    for i in range(7):
        event_id = str(uuid.uuid4())
        publish(isolated.rabbitmq_url, "workstream.task.created",
                envelope("workstream.task.created.v1", task_a, event_id, title="a%d" % i), event_id)
    event_id = str(uuid.uuid4())
    publish(isolated.rabbitmq_url, "workstream.task.completed",
            envelope("workstream.task.completed.v1", task_b, event_id), event_id)
    assert len(records_for(ws, task_a, 7)) == 7
    assert len(records_for(ws, task_b, 1)) == 1

    seen, cursor = [], None
    while True:
        params = {"limit": 3, "task_id": task_a}
        if cursor:
            params["cursor"] = cursor
        page = debug(ws, **params).json()
        assert len(page["items"]) <= 3
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len({i["event_id"] for i in seen}) == 7
    received = [i["received_at"] for i in seen]
    assert received == sorted(received, reverse=True)

    completed = debug(ws, event_type="workstream.task.completed.v1").json()["items"]
    assert [i["task_id"] for i in completed] == [task_b]
    assert debug(ws, since="2999-01-01T00:00:00Z").json()["items"] == []
    assert len(debug(ws, since="2000-01-01T00:00:00Z", limit=100).json()["items"]) == 8

    for params, field in [({"limit": 0}, "limit"), ({"limit": 101}, "limit"),
                          ({"since": "yesterday"}, "since"), ({"task_id": "x"}, "task_id"),
                          ({"cursor": "zz"}, "cursor"), ({"colour": "red"}, "colour")]:
        response = debug(ws, **params)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "VALIDATION_FAILED"
        assert response.json()["error"]["details"]["field"] == field
    missing = debug(ws, "/" + str(uuid.uuid4()))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOTIFICATION_NOT_FOUND"
    assert debug(ws, "/not-a-uuid").status_code == 400
    assert ws.terminate() == 0
