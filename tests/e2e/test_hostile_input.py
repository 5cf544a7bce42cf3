"""Hostile input, black box: poison messages of every kind on a real broker,
with valid ones interleaved, and hostile HTTP clients against the gateway and
the admin API. Whatever comes in, the process answers with a clear error (or
dead-letters the message), never loops, and keeps serving everyone else."""
import email
import email.policy
import json
import os
import socket
import urllib.parse
import time
import uuid

import pika
import pytest

from conftest import Workstream, process_env, serve_isolated
from gateway_support import JSON, TASKS, Api, raw_exchange
from test_backbone import drain
from isolation import TcpProxy
from test_mailer import address, maildir, request  # noqa: F401 (maildir is a fixture)

FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "100ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "3"}
STARTED = time.time() - 60  # the sink keeps every mail: look only at this run's


def mails_to(maildir, address, expect=1, timeout=15):
    """test_mailer.mails_to, reading only the sink's recent files (it keeps many)."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        with os.scandir(maildir) as entries:
            recent = [e.path for e in entries if e.name.endswith(".json") and e.stat().st_mtime >= STARTED]
        for meta in sorted(recent):
            eml = meta[:-5] + ".eml"
            if os.path.exists(eml) and address in json.load(open(meta))["rcpt_tos"]:
                found.append(email.message_from_binary_file(open(eml, "rb"), policy=email.policy.default))
        if len(found) >= expect or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def publish_raw(url, routing_key, body, message_id=None, headers=None, exchange="workstream.events"):
    """Publishes with any headers, confirmed; True when the broker took it."""
    connection = pika.BlockingConnection(pika.URLParameters(url))
    ch = connection.channel()
    ch.confirm_delivery()
    try:
        ch.basic_publish(exchange, routing_key, body,
                         pika.BasicProperties(message_id=message_id or str(uuid.uuid4()), delivery_mode=2,
                                              content_type="application/json", headers=headers),
                         mandatory=True)
    finally:
        connection.close()


def mailer(binary, server_env, isolated, extra=None):
    return serve_isolated(binary, server_env, isolated, "mailer", dict(FAST_RETRIES, **(extra or {})))


def queue_depth(isolated, queue):
    connection = pika.BlockingConnection(pika.URLParameters(isolated.rabbitmq_url))
    depth = connection.channel().queue_declare(queue, passive=True).method.message_count
    connection.close()
    return depth


# --- x-attempts from the wire -------------------------------------------------------------

@pytest.mark.parametrize("attempts, dead_attempts", [
    (2147483647, 1001),  # int overflow once incremented: capped, dead-lettered on its first failure
    (-1000000, 3),       # negative: counts as none, so the retries run out as usual
    ("-5", 3),
    ("garbage", 3),
])
def test_x_attempts_from_the_wire_cannot_keep_a_message_retrying(binary, server_env, isolated, maildir,
                                                                 attempts, dead_attempts):
    ws = mailer(binary, server_env, isolated)
    event_id, body = request(address("tempfail"))  # the sink answers 451: retried
    publish_raw(isolated.rabbitmq_url, "workstream.mail.send", body, event_id, {"x-attempts": attempts})
    valid_to = address()
    valid_id, valid_body = request(valid_to)
    publish_raw(isolated.rabbitmq_url, "workstream.mail.send", valid_body, valid_id)
    dead = drain(isolated.rabbitmq_url, "workstream.mailer.dlq", 1, timeout=10)
    assert len(dead) == 1
    assert dead[0][1].headers["x-attempts"] == dead_attempts
    assert dead[0][1].headers["x-error-code"] == "SMTP_UNAVAILABLE"
    assert len(mails_to(maildir, valid_to)) == 1
    assert ws.terminate() == 0


# --- dead-lettering what cannot be echoed whole -------------------------------------------

def mail_request(to, event_type="workstream.mail.send.v1"):
    event_id = str(uuid.uuid4())
    return event_id, json.dumps({
        "event_id": event_id, "event_type": event_type, "occurred_at": "2026-11-22T10:00:00.000000Z",
        "producer": "workstream-notifications", "trace_id": uuid.uuid4().hex,
        "payload": {"to": to if isinstance(to, list) else [to], "subject": "Hi", "body": "Hello"}})


def reconnects(ws):
    return [line for line in ws.log_lines() if line["msg"] == "consumer connection lost; reconnecting"]


@pytest.mark.parametrize("case", ["event_type", "address", "header", "headers"])
def test_a_poison_message_too_big_to_echo_is_dead_lettered_once(binary, server_env, isolated, maildir, case):
    ws = mailer(binary, server_env, isolated)
    headers = None
    if case == "event_type":
        event_id, body = mail_request(address(), event_type="x" * 200_000)
    elif case == "address":
        event_id, body = mail_request("y" * 200_000)
    elif case == "header":
        event_id, body = str(uuid.uuid4()), "{not json"
        headers = {"junk": "z" * 130_700}  # fits a frame; its copy with the error context did not
    else:
        event_id, body = str(uuid.uuid4()), "{not json"
        headers = {"junk-%04d" % i: "z" * 100 for i in range(1120)}
    valid = []
    for i in range(3):
        valid.append(address())
        publish_raw(isolated.rabbitmq_url, "workstream.mail.send", request(valid[-1])[1])
        if i == 1:
            publish_raw(isolated.rabbitmq_url, "workstream.mail.send", body, event_id, headers)
    dead = drain(isolated.rabbitmq_url, "workstream.mailer.dlq", 1, timeout=10)
    assert len(dead) == 1
    props = dead[0][1]
    assert props.message_id == event_id
    assert dead[0][2].decode() == body
    assert props.headers["x-error-code"] in ("UNKNOWN_EVENT_TYPE", "INVALID_MAIL", "INVALID_ENVELOPE")
    assert len(props.headers["x-error-message"]) <= 1024
    assert sum(len(str(k)) + len(str(v)) for k, v in props.headers.items()) < 40_000
    for to in valid:
        assert len(mails_to(maildir, to)) == 1
    time.sleep(1)
    assert drain(isolated.rabbitmq_url, "workstream.mailer.dlq", 1, timeout=0.5) == []
    assert reconnects(ws) == []
    assert ws.terminate() == 0


def test_a_poison_message_its_dlq_refuses_is_dropped_not_requeued_for_ever(binary, server_env, isolated, maildir):
    from isolation import servers
    ws = mailer(binary, server_env, isolated)
    # A full DLQ that refuses more (the quorum queue's limit is soft: two fill it).
    servers("rabbitmqctl", "set_policy", "-p", isolated.name, "--apply-to", "queues", "full-dlq",
            "^workstream\\.mailer\\.dlq$", '{"max-length": 1, "overflow": "reject-publish"}')
    time.sleep(1)
    for _ in range(2):
        publish_raw(isolated.rabbitmq_url, "workstream.mailer.dlq", "filler", exchange="")
    poison_id, poison = mail_request("not-an-address")
    publish_raw(isolated.rabbitmq_url, "workstream.mail.send", poison, poison_id)
    valid = address()
    publish_raw(isolated.rabbitmq_url, "workstream.mail.send", request(valid)[1])
    assert len(mails_to(maildir, valid)) == 1
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and not any(
            line["msg"].startswith("delivery dropped") for line in ws.log_lines()):
        time.sleep(0.2)
    dropped = [line for line in ws.log_lines() if line["msg"].startswith("delivery dropped")]
    assert [line["event_id"] for line in dropped] == [poison_id]
    time.sleep(1)
    assert len(reconnects(ws)) <= 3
    assert queue_depth(isolated, "workstream.mailer") == 0
    assert ws.terminate() == 0


# --- HTTP: request framing ----------------------------------------------------------------

@pytest.fixture(scope="module")
def system(binary, server_env):
    env = process_env(server_env, {"WORKSTREAM_HTTP_READ_TIMEOUT": "2s"})
    ws = Workstream(binary, ["serve", "--role=all"], env)
    ws.wait_ready()
    yield ws
    assert ws.terminate() == 0


def gateway(system):
    host, port = system.env["WORKSTREAM_HTTP_ADDR"].split(":")
    return host, int(port)


def admin(system):
    host, port = system.env["WORKSTREAM_ADMIN_ADDR"].split(":")
    return host, int(port)


SMUGGLED = b"GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
BODY = b'{"title": "smuggler"}'


@pytest.mark.parametrize("head, body", [
    (b"Transfer-Encoding: xchunked\r\nContent-Length: %d\r\n" % len(BODY), BODY),
    (b"Transfer-Encoding: chunked, identity\r\n", b"0\r\n\r\n" + SMUGGLED),
    (b"Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", b"0\r\n\r\n" + SMUGGLED),
    (b"Transfer-Encoding: identity\r\n", BODY),
    (b"Transfer-Encoding: gzip, chunked\r\n", b"0\r\n\r\n" + SMUGGLED),
    (b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", b"0\r\n\r\n" + SMUGGLED),
    (b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", b"0\r\n\r\n" + SMUGGLED),
    (b"Transfer-Encoding: \r\n", b"0\r\n\r\n" + SMUGGLED),
])
def test_ambiguous_framing_is_refused_and_the_connection_closed(system, head, body):
    payload = (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + head +
               b"\r\n" + body)
    began = time.monotonic()
    reply = raw_exchange(*gateway(system), payload, timeout=5)
    assert time.monotonic() - began < 1.5  # closed by the server, not by the read timeout
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert reply.count(b"HTTP/1.1 ") == 1, reply  # nothing was run as a second request
    assert b"BAD_REQUEST" in reply


def test_transfer_encoding_in_http_1_0_is_refused(system):
    payload = b"POST /api/v1/tasks HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    assert raw_exchange(*gateway(system), payload).startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize("where", [gateway, admin])
def test_http_1_1_without_exactly_one_host_is_refused(system, where):
    for head in [b"GET /health HTTP/1.1\r\n\r\n", b"GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"]:
        reply = raw_exchange(*where(system), head)
        assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert raw_exchange(*admin(system), b"GET /health HTTP/1.0\r\n\r\n").startswith(b"HTTP/1.0 200")


def test_a_chunked_request_is_still_read(system):
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(BODY), BODY)
    payload = (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked)
    assert raw_exchange(*gateway(system), payload).startswith(b"HTTP/1.1 201")


def test_expect_100_continue_is_answered_before_the_body(system):
    with socket.create_connection(gateway(system), timeout=5) as s:
        s.sendall(b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(BODY))
        assert s.recv(1000) == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(BODY)
        assert s.recv(1000).startswith(b"HTTP/1.1 201")
    # A body that will not be read gets its answer at once, not 100.
    with socket.create_connection(gateway(system), timeout=5) as s:
        s.sendall(b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Expect: 100-continue\r\nContent-Length: 99999999\r\n\r\n")
        assert s.recv(1000).startswith(b"HTTP/1.1 413")


# --- HTTP: what crosses into protobuf -------------------------------------------------------

def error_of(reply):
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)["error"]


@pytest.mark.parametrize("request_head, body, field, code", [
    (b"POST /api/v1/tasks HTTP/1.1\r\nIdempotency-Key: k\xff\xfe\r\n", BODY, "Idempotency-Key",
     "VALIDATION_FAILED"),
    (b"POST /api/v1/tasks HTTP/1.1\r\nIdempotency-Key: \xc3\x28\r\n", BODY, "Idempotency-Key",
     "VALIDATION_FAILED"),
    (b"GET /api/v1/tasks?page_token=%ff HTTP/1.1\r\n", b"", "page_token", "INVALID_PAGE_TOKEN"),
    (b"GET /api/v1/tasks?page_token=%ed%a0%80 HTTP/1.1\r\n", b"", "page_token", "INVALID_PAGE_TOKEN"),
    (b"POST /api/v1/tasks HTTP/1.1\r\n", b'{"title": "\\udc00"}', None, "INVALID_JSON"),
    (b"POST /api/v1/tasks HTTP/1.1\r\n", b'{"title": "a\xff"}', None, "INVALID_JSON"),
])
def test_invalid_utf8_bound_for_protobuf_is_a_400_naming_the_field(system, request_head, body, field, code):
    payload = (request_head + b"Host: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body) + body)
    status, error = error_of(raw_exchange(*gateway(system), payload))
    assert (status, error["code"]) == (400, code), error
    if field:
        assert error["details"]["field"] == field
    assert "libprotobuf" not in system.stderr


# --- HTTP: ambiguous JSON -------------------------------------------------------------------

@pytest.mark.parametrize("body, key", [
    ('{"title": "first", "title": "second"}', "title"),
    ('{"title": "x", "description": null, "description": "sneaky"}', "description"),
    ('{"title": "x", "t\\u0069tle": "y"}', "title"),
])
def test_a_body_that_repeats_a_key_is_refused(system, body, key):
    api = Api(system.env["WORKSTREAM_HTTP_ADDR"])
    response = api.post(TASKS, data=body, headers=JSON)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "INVALID_JSON"
    assert response.json()["error"]["details"]["field"] == key
    task = api.create({"title": "x"}).json()
    response = api.post(TASKS + "/%s/complete" % task["id"], data='{"a": 1, "a": 2}', headers=JSON)
    assert response.status_code == 400 and response.json()["error"]["code"] == "INVALID_JSON"


# --- the debug API --------------------------------------------------------------------------

def cursor(plain):
    return plain.encode().hex()


@pytest.mark.parametrize("query, field", [
    ("cursor=" + cursor("9223372036854775807:0af76519-16cd-43dd-8448-eb211c80319c"), "cursor"),
    ("cursor=" + cursor("-9223372036854775808:0af76519-16cd-43dd-8448-eb211c80319c"), "cursor"),
    ("cursor=" + cursor("99999999999999999999:0af76519-16cd-43dd-8448-eb211c80319c"), "cursor"),
    ("since=2026-11-22T10:00:00%2B99:99", "since"),
    ("since=2026-11-22T10:00:00-24:00", "since"),
    ("since=2026-%2B1-22T10:00:00Z", "since"),
])
def test_debug_api_refuses_cursors_and_times_out_of_range(system, query, field):
    response = system.get("/debug/notifications?" + query)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["field"] == field
    good = system.get("/debug/notifications?since=2026-11-22T10:00:00%2B01:00&cursor=" +
                      cursor("1700000000000:0af76519-16cd-43dd-8448-eb211c80319c"))
    assert good.status_code == 200, good.text


# --- mail headers at their limits -----------------------------------------------------------

@pytest.mark.parametrize("subject", [
    "x" * 998,                                   # one word: only encoded-words can fold it
    ("word " * 200)[:998],                       # folds at its spaces
    "é" * 998,                                   # 998 characters, 1996 bytes
], ids=["one-word", "words", "non-ascii"])
def test_a_998_character_subject_is_mailed_with_folded_headers(binary, server_env, isolated, maildir, subject):
    ws = mailer(binary, server_env, isolated)
    to = address()
    event_id, body = request(to, subject=subject, trace="t" * 2000)
    publish_raw(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    mails = mails_to(maildir, to)
    assert len(mails) == 1, drain(isolated.rabbitmq_url, "workstream.mailer.dlq", 1, timeout=0.1)
    assert mails[0]["Subject"] == subject
    assert ws.terminate() == 0


# --- smaller ones ----------------------------------------------------------------------------

def test_a_percent_in_the_redis_user_name_is_no_format_string(binary, server_env, isolated):
    import redis
    port = urllib.parse.urlparse(server_env["WORKSTREAM_REDIS_URL"]).port
    user, password = "ws%s%n-" + uuid.uuid4().hex[:8], "pass%s-word"
    admin_client = redis.Redis(port=port)
    admin_client.acl_setuser(user, enabled=True, passwords=["+" + password], commands=["+@all"],
                             keys=["*"])
    try:
        url = "redis://%s:%s@127.0.0.1:%d/0" % (urllib.parse.quote(user, safe=""),
                                                urllib.parse.quote(password, safe=""), port)
        ws = serve_isolated(binary, server_env, isolated, "mailer", {"WORKSTREAM_REDIS_URL": url},
                            ready=False)
        deadline = time.monotonic() + 10
        checks = {}
        while time.monotonic() < deadline and checks.get("redis", {}).get("status") != "up":
            checks = ws.get("/ready").json()["checks"]
            time.sleep(0.2)
        assert checks["redis"]["status"] == "up", checks
        assert ws.terminate() == 0
    finally:
        admin_client.acl_deluser(user)


def consuming_lines(ws):
    return [line for line in ws.log_lines() if line["msg"] == "consuming"]


def test_a_consumer_resumes_within_a_second_of_the_broker_answering(binary, server_env, isolated):
    amqp = urllib.parse.urlparse(isolated.rabbitmq_url)
    proxy = TcpProxy(amqp.port)
    url = isolated.rabbitmq_url.replace(":%d/" % amqp.port, ":%d/" % proxy.port)
    ws = mailer(binary, server_env, isolated, {"WORKSTREAM_RABBITMQ_URL": url})
    assert len(consuming_lines(ws)) == 1
    proxy.down()
    time.sleep(12)  # long enough for the reconnect backoff to reach its cap
    proxy.up()
    began = time.monotonic()
    while len(consuming_lines(ws)) < 2 and time.monotonic() - began < 10:
        time.sleep(0.05)
    assert len(consuming_lines(ws)) == 2
    assert time.monotonic() - began < 2.0
    assert ws.terminate() == 0


# --- the accept loop at the file-descriptor limit ---------------------------------------------

def test_at_the_descriptor_limit_the_server_backs_off_and_serves_what_it_has(binary, server_env):
    from gateway_support import BlackHole
    tasks = BlackHole()
    env = process_env(server_env, {"WORKSTREAM_TASKS_ADDR": "127.0.0.1:%d" % tasks.port})
    ws = Workstream("/usr/bin/prlimit", ["--nofile=96:96", binary, "serve", "--role=gateway"], env)
    ws.wait_healthy()
    host, port = env["WORKSTREAM_HTTP_ADDR"].split(":")
    kept = socket.create_connection((host, int(port)), timeout=5)
    clients = []
    try:
        for _ in range(200):  # past the limit: the kernel queues them, accept() fails
            clients.append(socket.create_connection((host, int(port)), timeout=5))
        time.sleep(2)
        failures = [line for line in ws.log_lines() if "accept" in line["msg"]]
        assert 1 <= len(failures) <= 5, len(failures)
        assert ws.proc.poll() is None
        began = time.monotonic()
        kept.sendall(b"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(1000).startswith(b"HTTP/1.1 404")
        assert time.monotonic() - began < 1
    finally:
        for c in clients:
            c.close()
        kept.close()
    # With descriptors free again, new clients are served.
    deadline = time.monotonic() + 5
    while True:
        try:
            reply = raw_exchange(host, int(port), b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            if reply.startswith(b"HTTP/1.1 404") or time.monotonic() > deadline:
                break
        except OSError:
            pass
        time.sleep(0.1)
    assert reply.startswith(b"HTTP/1.1 404")
    assert ws.terminate() == 0
    tasks.close()


# --- HTTP: oversize and odd requests; slow and idle clients ----------------------------------

def status_of(reply):
    return int(reply.split(b" ")[1]) if reply.startswith(b"HTTP/1.1 ") else None


@pytest.mark.parametrize("payload, statuses", [
    (b"GET /" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", {400, 431}),
    (b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 20_000 + b"\r\n\r\n", {431}),
    (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: 10000000\r\n\r\n{", {413}),
    (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", {400}),
    (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 5, 6\r\n\r\nhello", {400}),
    (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: +5\r\n\r\nhello", {400}),
    (b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", {400, 413}),
    # obs-fold: RFC 9112 5.2 allows refusing it or reading it as a space.
    (b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", {200, 400}),
    (b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n", {400}),
    (b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n", {400}),
    (b"G\x00T / HTTP/1.1\r\nHost: x\r\n\r\n", {400}),
    (b"GET /\r\n\r\n", {400}),
    (b"GET / HTTP/2.0\r\nHost: x\r\n\r\n", {400, 404, 505}),
    (b"\r\n\r\n\r\n", {400, None}),
])
def test_odd_and_oversize_requests_get_a_4xx_and_the_server_carries_on(system, payload, statuses):
    reply = raw_exchange(*gateway(system), payload, timeout=3)
    assert status_of(reply) in statuses, reply[:200]
    api = Api(system.env["WORKSTREAM_HTTP_ADDR"])
    assert api.get(TASKS, params={"limit": 1}).status_code == 200
    assert system.proc.poll() is None


def test_slow_and_idle_clients_do_not_hold_up_a_normal_one(system):
    host, port = gateway(system)
    idle = [socket.create_connection((host, port), timeout=10) for _ in range(100)]
    slow = [socket.create_connection((host, port), timeout=10) for _ in range(20)]
    api = Api(system.env["WORKSTREAM_HTTP_ADDR"])
    try:
        head = b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        for i in range(6):  # a byte at a time, every 0.25 s
            for s in slow:
                s.sendall(head[i:i + 1])
            began = time.monotonic()
            assert api.get(TASKS, params={"limit": 1}).status_code == 200
            assert time.monotonic() - began < 0.5
            time.sleep(0.25)
        # The read timeout (2 s here) cuts every one of them off.
        time.sleep(2.5)
        for s in idle[:5] + slow[:5]:
            s.settimeout(1)
            assert s.recv(100) == b""
    finally:
        for s in idle + slow:
            s.close()
    assert api.create({"title": "after the crowd"}).status_code == 201


# --- notifications: poison of every kind, valid events interleaved ---------------------------

def task_event(event_type="workstream.task.created.v1", task_id=None, **overrides):
    envelope = {"event_id": str(uuid.uuid4()), "event_type": event_type,
                "occurred_at": "2026-11-22T10:00:00.000000Z", "producer": "workstream-tasks",
                "trace_id": uuid.uuid4().hex,
                "payload": {"task_id": task_id or str(uuid.uuid4()), "title": "t", "status": "open"}}
    envelope.update(overrides)
    return json.dumps(envelope)


def test_poison_events_of_every_kind_go_to_the_dlq_and_valid_ones_are_recorded(binary, server_env, isolated):
    ws = serve_isolated(binary, server_env, isolated, "notifications", FAST_RETRIES)
    task_id = str(uuid.uuid4())
    poison = [
        "", "{", "null", "[]", '"text"', "\x00\xff\xfe", "{" * 10_000 + "}" * 10_000,
        json.dumps({"event_id": str(uuid.uuid4())}),
        task_event(event_id="not-a-uuid"),
        task_event(event_type="workstream.task.created.v99"),
        task_event(event_type="x" * 200_000),
        task_event(payload={"task_id": "nope"}),
        task_event(payload={"task_id": str(uuid.uuid4()), "title": 5}),
        task_event(payload="not an object"),
        task_event(extra="field"),
        task_event(trace_id=7),
        task_event()[:-1] + ', "event_id": "%s"}' % uuid.uuid4(),  # a repeated key
        json.dumps({"payload": "y" * 1_000_000}),
    ]
    valid = 0
    for i, body in enumerate(poison):
        publish_raw(isolated.rabbitmq_url, "workstream.task.created", body.encode("utf-8", "surrogateescape"))
        if i % 3 == 0:
            publish_raw(isolated.rabbitmq_url, "workstream.task.created", task_event(task_id=task_id))
            valid += 1
    dead = drain(isolated.rabbitmq_url, "workstream.notifications.dlq", len(poison), timeout=20)
    assert len(dead) == len(poison)
    for _, props, _ in dead:
        assert props.headers["x-error-code"] in ("INVALID_ENVELOPE", "UNKNOWN_EVENT_TYPE", "INVALID_PAYLOAD")
        assert props.headers["x-attempts"] == 1
    deadline = time.monotonic() + 15
    items = []
    while time.monotonic() < deadline and len(items) < valid:
        items = ws.get("/debug/notifications?task_id=" + task_id).json()["items"]
        time.sleep(0.1)
    assert len(items) == valid
    assert reconnects(ws) == []
    assert ws.terminate() == 0
