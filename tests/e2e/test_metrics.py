"""Metrics and failure logs, black box: `workstream serve --role=all` on a schema,
vhost and database of its own, traffic through the REST API (tasks with an
assignee, so mails go out; one to a recipient the SMTP sink refuses for now,
so it is retried and dead-lettered; bad requests), then /metrics and the log
lines as an operator would read them. The Grafana dashboard in grafana/ may
query only metrics that a scrape shows."""
import json
import os
import re
import time
import uuid

import pytest

from conftest import serve_isolated
from gateway_support import Api, raw_exchange
from test_backbone import drain
from test_tasks_role import grpcurl

DASHBOARD = os.path.join(os.path.dirname(__file__), "..", "..", "grafana", "workstream.json")
FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "100ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "3"}
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def scrape(ws):
    """{(name, frozenset of labels): value} and {family: type} of one /metrics answer."""
    response = ws.get("/metrics")
    assert response.status_code == 200
    samples, types = {}, {}
    for line in response.text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
            continue
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, "not a Prometheus sample line: %r" % line
        name, labels, value = match.groups()
        samples[(name, frozenset(LABEL.findall(labels or "")))] = float(value)
    return samples, types


def value(samples, name, **labels):
    """The sample with exactly these labels, 0 when there is none yet."""
    return samples.get((name, frozenset(labels.items())), 0.0)


def total(samples, name, **labels):
    """The sum over every series of `name` that has these labels (and maybe others)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def wait_for(ws, predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        samples, _ = scrape(ws)
        if predicate(samples):
            return samples
        if time.monotonic() >= deadline:
            raise AssertionError("not within %ss: %s\n%s" % (timeout, what, ws.get("/metrics").text))
        time.sleep(0.2)


def dashboard_metrics():
    exprs = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("expr"), str):
                exprs.append(node["expr"])
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(json.load(open(DASHBOARD)))
    assert exprs, "the dashboard has no Prometheus expressions"
    names = set()
    for expr in exprs:
        # Label values and matchers are quoted; what is left that names a
        # Workstream metric is a metric.
        unquoted = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
        found = re.findall(r"\bworkstream_[a-z0-9_]+", unquoted)
        assert found, "an expression queries no workstream metric: %s" % expr
        names.update(found)
    return names


@pytest.fixture
def ws(binary, server_env, isolated):
    ws = serve_isolated(binary, server_env, isolated, "all", FAST_RETRIES)
    yield ws
    ws.terminate()


def test_the_dashboard_queries_only_metrics_a_scrape_shows(ws):
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    # One of everything a panel looks at: a mail sent, one retried and dead-lettered.
    task = api.create({"title": "dashboard", "assignee_email": "to-%s@example.com" % uuid.uuid4().hex[:8]})
    assert task.status_code == 201
    api.create({"title": "refused", "assignee_email": "tempfail-%s@example.com" % uuid.uuid4().hex[:8]})
    assert api.post("/api/v1/tasks/%s/complete" % task.json()["id"]).status_code == 200
    assert api.request("POST", "/api/v1/tasks", data="{", headers={"Content-Type": "application/json"}).status_code == 400
    samples = wait_for(ws, lambda s: total(s, "workstream_events_dead_lettered_total") >= 1
                       and total(s, "workstream_smtp_send_duration_seconds_count", result="sent") >= 2,
                       "a mail sent and one dead-lettered")
    _, types = scrape(ws)
    names = {name for name, _ in samples}
    missing = []
    for metric in sorted(dashboard_metrics()):
        base = re.sub(r"_(bucket|sum|count)$", "", metric)
        if base != metric and types.get(base) == "histogram":
            if metric not in names:
                missing.append(metric)
        elif metric not in names:
            missing.append(metric + (" (a histogram is queried as _bucket, _sum or _count)"
                                     if types.get(metric) == "histogram" else ""))
    assert not missing, "the dashboard queries metrics the scrape lacks: %s" % missing


def test_histograms_and_counters_move_with_traffic(ws, isolated):
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    before, _ = scrape(ws)
    created = 3
    ids = []
    for i in range(created):
        response = api.create({"title": "metrics %d" % i, "assignee_email": "to-%s@example.com" % uuid.uuid4().hex[:8]})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
    assert api.post("/api/v1/tasks/%s/complete" % ids[0]).status_code == 200
    bad = api.request("POST", "/api/v1/tasks", data="{", headers={"Content-Type": "application/json"})
    assert bad.status_code == 400

    # 3 created and 1 completed: 4 task events, 4 mail requests, 4 mails.
    after = wait_for(ws, lambda s: value(s, "workstream_events_processed_total", queue="workstream.mailer")
                     - value(before, "workstream_events_processed_total", queue="workstream.mailer") >= 4,
                     "four mails processed")

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    create = {"route": "/api/v1/tasks"}
    assert moved("workstream_http_request_duration_seconds_count", status="2xx", **create) == created
    assert moved("workstream_http_request_duration_seconds_bucket", status="2xx", le="+Inf", **create) == created
    assert moved("workstream_http_request_duration_seconds_count", status="4xx", **create) == 1
    assert moved("workstream_http_request_duration_seconds_sum", status="2xx", **create) > 0
    assert moved("workstream_http_request_duration_seconds_count", status="2xx",
                 route="/api/v1/tasks/{id}/complete") == 1
    assert moved("workstream_http_requests_total", method="POST", status="201", **create) == created
    # The gateway beside tasks calls it in-process: no gRPC call at all.
    assert moved("workstream_grpc_server_duration_seconds_count", method="CreateTask") == 0
    assert moved("workstream_grpc_server_duration_seconds_count", method="CompleteTask") == 0
    # Buckets are cumulative: each is at most the next, the last is the count.
    buckets = sorted(((float(dict(ls)["le"]), v) for (n, ls), v in after.items()
                      if n == "workstream_http_request_duration_seconds_bucket"
                      and dict(ls).get("route") == "/api/v1/tasks" and dict(ls).get("status") == "2xx"))
    assert [v for _, v in buckets] == sorted(v for _, v in buckets)
    assert buckets[-1] == (float("inf"), value(after, "workstream_http_request_duration_seconds_count",
                                                status="2xx", **create))

    after = wait_for(ws, lambda s: value(s, "workstream_outbox_published_total")
                     - value(before, "workstream_outbox_published_total") >= 4, "four events published")
    assert moved("workstream_outbox_publish_lag_seconds_count") >= 4
    for queue in ("workstream.notifications", "workstream.mailer"):
        assert moved("workstream_events_processed_total", queue=queue) >= 4, queue
        assert moved("workstream_event_processing_seconds_count", queue=queue, outcome="done") >= 4, queue
        assert moved("workstream_event_lag_seconds_count", queue=queue) >= 4, queue
        assert value(after, "workstream_consumer_in_flight", queue=queue) >= 0
        assert ("workstream_dlq_depth", frozenset({("queue", queue)})) in after
    assert moved("workstream_smtp_send_duration_seconds_count", result="sent") >= 4
    _, types = scrape(ws)
    for name in ("workstream_http_request_duration_seconds", "workstream_grpc_server_duration_seconds",
                 "workstream_event_processing_seconds", "workstream_event_lag_seconds",
                 "workstream_outbox_publish_lag_seconds", "workstream_smtp_send_duration_seconds"):
        assert types.get(name) == "histogram", name
    assert moved("workstream_consumer_deliveries_total", queue="workstream.mailer", outcome="done") >= 4


def rest_traffic(api, creates=3):
    """Creates and reads through REST; the bad body never reaches tasks. Returns the ids."""
    ids = []
    for i in range(creates):
        response = api.create({"title": "grpc %d" % i})
        assert response.status_code == 201, response.text
        ids.append(response.json()["id"])
        assert api.get("/api/v1/tasks/" + ids[-1]).status_code == 200
    assert api.request("POST", "/api/v1/tasks", data="{", headers={"Content-Type": "application/json"}).status_code == 400
    return ids


def test_a_gateway_beside_tasks_makes_no_grpc_call(binary, server_env, isolated):
    ws = serve_isolated(binary, server_env, isolated, "gateway,tasks")
    try:
        before, _ = scrape(ws)
        ids = rest_traffic(Api(ws.env["WORKSTREAM_HTTP_ADDR"]))
        after, _ = scrape(ws)
        grpc = "workstream_grpc_server_duration_seconds_count"
        for method in ("CreateTask", "GetTask"):
            assert value(after, grpc, method=method) - value(before, grpc, method=method) == 0, method
        # The tasks role still serves gRPC to other clients, and counts it:
        # the zero above is not a metric that cannot move.
        got = grpcurl("-d", json.dumps({"id": ids[0]}), ws.env["WORKSTREAM_GRPC_ADDR"],
                      "workstream.tasks.v1.TasksService/GetTask")
        assert got.returncode == 0, got.stderr
        assert json.loads(got.stdout)["task"]["id"] == ids[0]
        assert value(scrape(ws)[0], grpc, method="GetTask") - value(before, grpc, method="GetTask") == 1
    finally:
        assert ws.terminate() == 0


def test_a_gateway_apart_from_tasks_calls_it_over_grpc(binary, server_env, isolated):
    tasks = serve_isolated(binary, server_env, isolated, "tasks")
    gateway = serve_isolated(binary, server_env, isolated, "gateway",
                             {"WORKSTREAM_TASKS_ADDR": tasks.env["WORKSTREAM_GRPC_ADDR"]})
    try:
        before, _ = scrape(tasks)
        rest_traffic(Api(gateway.env["WORKSTREAM_HTTP_ADDR"]), creates=3)
        after, _ = scrape(tasks)
        grpc = "workstream_grpc_server_duration_seconds_count"
        for method in ("CreateTask", "GetTask"):
            assert value(after, grpc, method=method) - value(before, grpc, method=method) == 3, method
    finally:
        assert gateway.terminate() == 0
        assert tasks.terminate() == 0


def test_the_http_server_counts_what_it_refuses_before_routing(ws):
    host, port = ws.env["WORKSTREAM_HTTP_ADDR"].rsplit(":", 1)
    before, _ = scrape(ws)
    for status in ("400", "413", "431"):
        assert ("workstream_http_refused_total", frozenset({("status", status)})) in before, status
    payloads = {
        "400": b"NOT HTTP AT ALL\r\n\r\n",
        "413": b"POST /api/v1/tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               b"Content-Length: 10000000\r\n\r\n{",
        "431": b"GET /api/v1/tasks HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 40_000 + b"\r\n\r\n",
    }
    for status, payload in payloads.items():
        answer = raw_exchange(host, int(port), payload)
        assert answer.startswith(b"HTTP/1.1 " + status.encode()), answer[:200]
    after, _ = scrape(ws)
    for status in payloads:
        assert value(after, "workstream_http_refused_total", status=status) \
            - value(before, "workstream_http_refused_total", status=status) == 1, status
    # Refused before routing: the REST API never saw them.
    assert total(after, "workstream_http_requests_total") == total(before, "workstream_http_requests_total")
    # The lines reach the test through a reader thread: give it time.
    deadline = time.monotonic() + 5
    while True:
        refused = [line for line in ws.log_lines() if line["msg"] == "request refused before routing"]
        if len(refused) >= 3 or time.monotonic() >= deadline:
            break
        time.sleep(0.05)
    assert sorted(line["status"] for line in refused) == ["400", "413", "431"]
    assert all(line["request_id"] for line in refused)


def test_failure_lines_carry_the_trace_and_event_ids(ws, isolated):
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    trace = uuid.uuid4().hex
    headers = {"traceparent": "00-%s-00f067aa0ba902b7-01" % trace}
    # The sink answers 451 to "tempfail" recipients: retried, then dead-lettered.
    to = "tempfail-%s@example.com" % uuid.uuid4().hex[:8]
    task = api.create({"title": "refused for now", "assignee_email": to}, headers=headers)
    assert task.status_code == 201, task.text
    task_id = task.json()["id"]
    samples = wait_for(ws, lambda s: value(s, "workstream_dlq_depth", queue="workstream.mailer") >= 1,
                       "the DLQ depth showing the dead letter (sampled every 5 s)")
    assert value(samples, "workstream_events_dead_lettered_total", queue="workstream.mailer",
                 error_code="SMTP_UNAVAILABLE") == 1
    assert value(samples, "workstream_events_retried_total", queue="workstream.mailer",
                 error_code="SMTP_UNAVAILABLE") == 2
    assert value(samples, "workstream_events_failed_total", queue="workstream.mailer",
                 error_code="SMTP_UNAVAILABLE") == 3
    assert value(samples, "workstream_event_processing_seconds_count", queue="workstream.mailer",
                 outcome="retry") == 3
    assert value(samples, "workstream_smtp_send_duration_seconds_count", result="transient") == 3

    dead = drain(isolated.rabbitmq_url, "workstream.mailer.dlq", 1)
    assert len(dead) == 1
    mail_event_id = dead[0][1].message_id
    lines = ws.log_lines()
    failures = [line for line in lines if line.get("queue") == "workstream.mailer"
                and line["msg"] in ("delivery will be retried", "delivery dead-lettered")]
    assert [line["msg"] for line in failures] == ["delivery will be retried"] * 2 + ["delivery dead-lettered"], failures
    for line in failures:
        assert line["event_id"] == mail_event_id, line
        assert line["trace_id"] == trace, line
        assert line["error_code"] == "SMTP_UNAVAILABLE", line
    # The notification the task event caused names the task as well.
    recorded = [line for line in lines if line["msg"] == "event recorded" and line.get("task_id") == task_id]
    assert recorded and all(line["trace_id"] == trace for line in recorded), lines
    # The gateway logged the request at debug only (the level is info): a 2xx
    # leaves no line, a 4xx does, with its route, status, duration and id.
    bad = api.request("POST", "/api/v1/tasks", data="{", headers={"Content-Type": "application/json"})
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        requests = [line for line in ws.log_lines() if line["msg"] == "request"]
        if requests:
            break
        time.sleep(0.05)
    assert len(requests) == 1, requests
    line = requests[0]
    assert line["level"] == "info"
    assert line["route"] == "/api/v1/tasks" and line["status"] == "400"
    assert line["request_id"] == bad.headers["X-Request-Id"]
    assert float(line["duration_ms"]) >= 0
