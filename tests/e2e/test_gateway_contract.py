"""contracts/openapi.yaml against the running server: every documented route
and status code is produced, and every body matches its schema."""
import json
import os
import uuid

import jsonschema
import pytest
import yaml

from conftest import Workstream, free_port, process_env
from gateway_support import JSON, TASKS, Api, BlackHole

SPEC_PATH = os.path.join(os.path.dirname(__file__), "..", "..", "contracts", "openapi.yaml")
SPEC = yaml.safe_load(open(SPEC_PATH))


def documented():
    out = set()
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            for status in operation["responses"]:
                out.add((path, method, status))
    return out


def schema_for(path, method, status):
    response = SPEC["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = SPEC["components"]["responses"][response["$ref"].split("/")[-1]]
    return response["content"]["application/json"]["schema"]


def validate(path, method, status, response):
    assert str(response.status_code) == status, (path, method, response.status_code, response.text)
    assert response.headers["Content-Type"] == "application/json"
    schema = dict(schema_for(path, method, status), components=SPEC["components"])
    jsonschema.validate(response.json(), schema, cls=jsonschema.Draft202012Validator,
                        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    assert response.headers["X-Request-Id"]


def start(binary, server_env, roles, extra):
    env = process_env(server_env, extra)
    ws = Workstream(binary, ["serve", "--role=" + roles], env)
    ws.wait_healthy()
    return ws


def scenarios(api, down, slow):
    """(path, method, status) -> a function that makes the server answer so."""
    task = lambda: api.create({"title": "contract"}).json()  # noqa: E731
    done = task()
    api.post("%s/%s/complete" % (TASKS, done["id"]))
    key = "contract-%s" % uuid.uuid4()
    api.create({"title": "k"}, headers={"Idempotency-Key": key})
    one = "/api/v1/tasks/{id}"
    complete = "/api/v1/tasks/{id}/complete"
    some_id = str(uuid.uuid4())
    return {
        (TASKS, "post", "201"): lambda: api.create({"title": "made", "assignee_email": "a@b.io"}),
        (TASKS, "post", "400"): lambda: api.post(TASKS, data="{", headers=JSON),
        (TASKS, "post", "413"): lambda: api.post(TASKS, data="x" * 70000, headers=JSON),
        (TASKS, "post", "415"): lambda: api.post(TASKS, data="{}", headers={"Content-Type": "text/xml"}),
        (TASKS, "post", "422"): lambda: api.create({"title": "other"}, headers={"Idempotency-Key": key}),
        (TASKS, "post", "503"): lambda: down.create({"title": "x"}),
        (TASKS, "post", "504"): lambda: slow.create({"title": "x"}),
        (TASKS, "get", "200"): lambda: api.get(TASKS, params={"limit": 3}),
        (TASKS, "get", "400"): lambda: api.get(TASKS, params={"limit": 0}),
        (TASKS, "get", "503"): lambda: down.get(TASKS),
        (TASKS, "get", "504"): lambda: slow.get(TASKS),
        (one, "get", "200"): lambda: api.get("%s/%s" % (TASKS, task()["id"])),
        (one, "get", "400"): lambda: api.get(TASKS + "/nope"),
        (one, "get", "404"): lambda: api.get("%s/%s" % (TASKS, some_id)),
        (one, "get", "503"): lambda: down.get("%s/%s" % (TASKS, some_id)),
        (one, "get", "504"): lambda: slow.get("%s/%s" % (TASKS, some_id)),
        (complete, "post", "200"): lambda: api.post("%s/%s/complete" % (TASKS, task()["id"])),
        (complete, "post", "400"): lambda: api.post(TASKS + "/nope/complete"),
        (complete, "post", "404"): lambda: api.post("%s/%s/complete" % (TASKS, some_id)),
        (complete, "post", "409"): lambda: api.post("%s/%s/complete" % (TASKS, done["id"])),
        (complete, "post", "415"): lambda: api.post("%s/%s/complete" % (TASKS, some_id), data="{}",
                                                   headers={"Content-Type": "text/plain"}),
        (complete, "post", "503"): lambda: down.post("%s/%s/complete" % (TASKS, some_id)),
        (complete, "post", "504"): lambda: slow.post("%s/%s/complete" % (TASKS, some_id)),
    }


def dead_postgres(port):
    return {"WORKSTREAM_POSTGRES_URL": "postgresql://workstream:workstream@127.0.0.1:%d/workstream" % port,
            "WORKSTREAM_MIGRATE_ON_START": "false"}


def colocated(binary, server_env, hole):
    """Gateway and tasks in one process (in-process calls); 503 and 504 come
    from a PostgreSQL that refuses connections, or accepts and never answers."""
    return [
        start(binary, server_env, "all", {}),
        start(binary, server_env, "gateway,tasks", dead_postgres(free_port())),
        start(binary, server_env, "gateway,tasks",
              dict(dead_postgres(hole.port), WORKSTREAM_TASKS_TIMEOUT="300ms")),
    ]


def apart(binary, server_env, hole):
    """Gateways calling tasks over gRPC; 503 and 504 from a tasks service that
    refuses connections, or accepts and never answers."""
    tasks = start(binary, server_env, "tasks", {})
    tasks.wait_ready()
    return [
        start(binary, server_env, "gateway", {"WORKSTREAM_TASKS_ADDR": tasks.env["WORKSTREAM_GRPC_ADDR"]}),
        start(binary, server_env, "gateway", {"WORKSTREAM_TASKS_ADDR": "127.0.0.1:%d" % free_port()}),
        start(binary, server_env, "gateway", {"WORKSTREAM_TASKS_ADDR": "127.0.0.1:%d" % hole.port,
                                              "WORKSTREAM_TASKS_TIMEOUT": "300ms"}),
        tasks,
    ]


# The contract holds whichever way the gateway reaches tasks.
@pytest.fixture(scope="module", params=[colocated, apart], ids=["co-located", "apart"])
def servers(request, binary, server_env):
    hole = BlackHole()
    started = request.param(binary, server_env, hole)
    started[0].wait_ready()
    yield [Api(ws.env["WORKSTREAM_HTTP_ADDR"]) for ws in started[:3]]
    for ws in started:
        assert ws.terminate() == 0
    hole.close()


def test_every_documented_response_is_produced_and_matches_its_schema(servers):
    api, down, slow = servers
    table = scenarios(api, down, slow)
    assert set(table) == documented(), "scenarios and the OpenAPI document disagree"
    for (path, method, status), make in sorted(table.items()):
        validate(path, method, status, make())


def test_unavailable_answers_say_when_to_retry(servers):
    _, down, _ = servers
    response = down.get(TASKS)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"


def test_the_document_lists_exactly_the_served_routes():
    assert set(SPEC["paths"]) == {"/api/v1/tasks", "/api/v1/tasks/{id}", "/api/v1/tasks/{id}/complete"}
    assert json.loads(json.dumps(SPEC))["openapi"].startswith("3.1")
