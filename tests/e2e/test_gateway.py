"""The REST API, black box: the built binary with --role=all over real Postgres."""
import json
import random
import re
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Workstream, process_env
from isolation import Isolated
from gateway_support import JSON, TASKS, Api, assert_error, raw_exchange

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


@pytest.fixture(scope="module")
def store(server_env):
    """A schema and vhost of this module's own: tests that compare the newest
    tasks before and after must not see the tasks of modules running beside."""
    iso = Isolated(server_env)
    yield iso
    iso.close()


@pytest.fixture(scope="module")
def system(binary, server_env, store):
    env = process_env(server_env, store.env(), {"WORKSTREAM_HTTP_READ_TIMEOUT": "2s"})
    ws = Workstream(binary, ["serve", "--role=all"], env)
    ws.wait_ready()
    yield ws
    assert ws.terminate() == 0


@pytest.fixture
def api(system):
    return Api(system.env["WORKSTREAM_HTTP_ADDR"])


def check_task(task):
    assert set(task) == {"id", "title", "description", "assignee_email", "status", "created_at",
                         "updated_at", "completed_at"}
    assert UUID_RE.match(task["id"])
    assert TIME_RE.match(task["created_at"]) and TIME_RE.match(task["updated_at"])


def test_create_list_get_complete(api):
    created = api.create({"title": "  Write docs ", "description": "all of them",
                          "assignee_email": "dev@example.com"})
    assert created.status_code == 201, created.text
    task = created.json()
    check_task(task)
    assert task["title"] == "Write docs"
    assert task["status"] == "open" and task["completed_at"] is None
    assert created.headers["Location"] == "%s/%s" % (TASKS, task["id"])
    assert created.headers["Content-Type"] == "application/json"

    got = api.get(created.headers["Location"])
    assert got.status_code == 200 and got.json() == task

    listed = api.get(TASKS, params={"limit": 100})
    assert listed.status_code == 200
    assert task["id"] in [t["id"] for t in listed.json()["items"]]

    done = api.post(created.headers["Location"] + "/complete")
    assert done.status_code == 200, done.text
    completed = done.json()
    assert completed["status"] == "completed"
    assert TIME_RE.match(completed["completed_at"])
    assert api.get(created.headers["Location"]).json()["status"] == "completed"

    again = api.post(created.headers["Location"] + "/complete")
    assert_error(again, 409, "TASK_ALREADY_COMPLETED")


def test_pages_walk_every_task_once(api):
    ids = {api.create({"title": "page %d" % i}).json()["id"] for i in range(12)}
    seen, token = [], None
    while True:
        params = {"limit": 5, "status": "open"}
        if token:
            params["page_token"] = token
        page = api.get(TASKS, params=params).json()
        assert set(page) == {"items", "next_page_token"}
        assert len(page["items"]) <= 5
        seen += [t["id"] for t in page["items"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert len(seen) == len(set(seen))
    assert ids <= set(seen)


def test_request_id_and_trace_are_echoed_and_reach_the_outbox(api, store):
    trace = "0af7651916cd43dd8448eb211c80319c"
    response = api.create({"title": "traced"}, headers={
        "X-Request-Id": "client-req-1",
        "traceparent": "00-%s-b7ad6b7169203331-01" % trace})
    assert response.headers["X-Request-Id"] == "client-req-1"
    assert response.headers["traceparent"].split("-")[1] == trace
    envelope = store.sql("SELECT envelope::text FROM outbox WHERE aggregate_id = %s",
                         response.json()["id"])[0][0]
    assert json.loads(envelope)["trace_id"] == trace

    generated = api.get(TASKS)
    assert UUID_RE.match(generated.headers["X-Request-Id"])
    assert re.match(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", generated.headers["traceparent"])

    bad = api.get(TASKS, headers={"X-Request-Id": "has spaces and ünïcode"})
    assert_error(bad, 400, "VALIDATION_FAILED", "X-Request-Id")


def test_idempotency_key(api):
    key = "key-%s" % uuid.uuid4()
    first = api.create({"title": "once"}, headers={"Idempotency-Key": key})
    second = api.create({"title": "once"}, headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert "Idempotent-Replayed" not in first.headers
    assert second.headers["Idempotent-Replayed"] == "true"
    reused = api.create({"title": "something else"}, headers={"Idempotency-Key": key})
    assert_error(reused, 422, "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key")
    bad = api.create({"title": "x"}, headers={"Idempotency-Key": "a b"})
    assert_error(bad, 400, "VALIDATION_FAILED", "Idempotency-Key")


def test_concurrent_retries_with_one_key_make_one_task(api):
    key = "key-%s" % uuid.uuid4()

    def attempt(_):
        return Api(api.base[len("http://"):]).create({"title": "raced"},
                                                     headers={"Idempotency-Key": key})
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(attempt, range(16)))
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1


@pytest.mark.parametrize("body, field", [
    ({}, "title"),
    ({"title": 5}, "title"),
    ({"title": None}, "title"),
    ({"title": "   "}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"title": "tab\there"}, "title"),
    ({"title": "ok", "description": 3}, "description"),
    ({"title": "ok", "description": "d" * 10001}, "description"),
    ({"title": "ok", "assignee_email": "not-an-email"}, "assignee_email"),
    ({"title": "ok", "assignee_email": ["a@b.co"]}, "assignee_email"),
    ({"title": "ok", "priority": "high"}, "priority"),
    ([{"title": "ok"}], "body"),
])
def test_invalid_bodies_name_the_field_and_change_nothing(api, body, field):
    before = api.get(TASKS, params={"limit": 1}).json()["items"]
    assert_error(api.create(body), 400, "VALIDATION_FAILED", field)
    assert api.get(TASKS, params={"limit": 1}).json()["items"] == before


def test_body_format_errors(api):
    assert_error(api.post(TASKS, data='{"title": "x"', headers=JSON), 400, "INVALID_JSON")
    assert_error(api.post(TASKS, data=b"\xff\xfe", headers=JSON), 400, "INVALID_JSON")
    assert_error(api.post(TASKS, data='{"title": "x"}'), 415, "UNSUPPORTED_MEDIA_TYPE")
    assert_error(api.post(TASKS, data='{"title": "x"}', headers={"Content-Type": "text/plain"}),
                 415, "UNSUPPORTED_MEDIA_TYPE")
    ok = api.post(TASKS, data='{"title": "x"}', headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 201
    huge = api.post(TASKS, data=json.dumps({"title": "x", "description": "d" * 70000}), headers=JSON)
    assert_error(huge, 413, "PAYLOAD_TOO_LARGE")


def test_path_and_query_errors(api):
    assert_error(api.get(TASKS + "/not-a-uuid"), 400, "VALIDATION_FAILED", "id")
    assert_error(api.post(TASKS + "/not-a-uuid/complete"), 400, "VALIDATION_FAILED", "id")
    assert_error(api.get(TASKS + "/" + str(uuid.uuid4())), 404, "TASK_NOT_FOUND")
    assert_error(api.post(TASKS + "/%s/complete" % uuid.uuid4()), 404, "TASK_NOT_FOUND")
    for params, field in [({"limit": 0}, "limit"), ({"limit": 101}, "limit"), ({"limit": "x"}, "limit"),
                          ({"status": "done"}, "status"), ({"sort": "asc"}, "sort")]:
        assert_error(api.get(TASKS, params=params), 400, "VALIDATION_FAILED", field)
    assert_error(api.get(TASKS + "?limit=1&limit=2"), 400, "VALIDATION_FAILED", "limit")
    assert_error(api.get(TASKS, params={"page_token": "garbage"}), 400, "INVALID_PAGE_TOKEN", "page_token")
    task = api.create().json()
    assert_error(api.post(TASKS + "/%s/complete" % task["id"], data='{"force": true}', headers=JSON),
                 400, "VALIDATION_FAILED", "force")
    assert api.get(TASKS + "/" + task["id"]).json()["status"] == "open"


def test_unknown_routes_and_methods(api):
    assert_error(api.get("/"), 404, "NOT_FOUND")
    assert_error(api.get("/api/v2/tasks"), 404, "NOT_FOUND")
    assert_error(api.get(TASKS + "/%s/archive" % uuid.uuid4()), 404, "NOT_FOUND")
    for method, path, allow in [("DELETE", TASKS, "GET, POST"),
                                ("PUT", TASKS + "/%s" % uuid.uuid4(), "GET"),
                                ("GET", TASKS + "/%s/complete" % uuid.uuid4(), "POST")]:
        response = api.request(method, path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["Allow"] == allow


def test_keep_alive_serves_many_requests_on_one_connection(system):
    host, port = system.env["WORKSTREAM_HTTP_ADDR"].split(":")
    request = ("GET %s?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n" % TASKS).encode()
    with socket.create_connection((host, int(port)), timeout=5) as s:
        for _ in range(3):
            s.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                head += s.recv(1)
            length = int(re.search(rb"Content-Length: (\d+)", head).group(1))
            body = b""
            while len(body) < length:
                body += s.recv(length - len(body))
            assert head.startswith(b"HTTP/1.1 200")
            assert "items" in json.loads(body)


def test_many_concurrent_clients(api):
    def work(i):
        client = Api(api.base[len("http://"):])
        created = client.create({"title": "parallel %d" % i})
        assert created.status_code == 201
        got = client.get(created.headers["Location"])
        assert got.status_code == 200
        return created.json()["id"]
    with ThreadPoolExecutor(16) as pool:
        ids = list(pool.map(work, range(100)))
    assert len(set(ids)) == 100


def test_the_server_survives_garbage_and_keeps_answering(system, api):
    host, port = system.env["WORKSTREAM_HTTP_ADDR"].split(":")
    port = int(port)
    rng = random.Random(1234)
    payloads = [
        b"\x00" * 100,
        b"GARBAGE\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{\"tit",  # truncated
        b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
        b"GET /api/v1/tasks HTTP/1.1\r\n" + b"X-Many: 1\r\n" * 5000 + b"\r\n",
    ]
    payloads += [bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 2000))) for _ in range(40)]
    for payload in payloads:
        reply = raw_exchange(host, port, payload, timeout=3)
        if reply:
            assert reply.startswith(b"HTTP/1.1 4"), reply[:100]
    assert raw_exchange(host, port, payloads[6]).startswith(b"HTTP/1.1 431")
    assert raw_exchange(host, port, payloads[1]).startswith(b"HTTP/1.1 400")
    # A slow client is cut off after the read timeout (2s here).
    began = time.monotonic()
    with socket.create_connection((host, port), timeout=10) as slow:
        slow.sendall(b"GET /api/v1/tasks HTTP/1.1\r\n")
        assert slow.recv(100) == b""
    assert time.monotonic() - began < 5
    assert api.create({"title": "still here"}).status_code == 201
    assert system.proc.poll() is None
