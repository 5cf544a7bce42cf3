"""`workstream outbox status` and `workstream trace`, black box: a whole chain
from REST to the SMTP sink, read back through the stores each role keeps."""
import json
import time
import uuid

from conftest import free_port, run_cli, serve_isolated
from gateway_support import Api
from test_mailer import address, mails_to, maildir  # noqa: F401 (a fixture)

FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "100ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "3"}
HOPS = ["request", "committed", "published", "received", "recorded", "mail_requested", "mail_sent"]


def cli_env(server_env, isolated, **overrides):
    env = dict(server_env)
    env.update(isolated.env())
    env.update(overrides)
    return env


def trace(binary, env, task_id, *flags):
    return run_cli(binary, ["trace", task_id, *flags], env)


def trace_until(binary, env, task_id, done, timeout=20):
    """The trace (JSON) once `done(trace)` holds, or the last one when time is up."""
    deadline = time.monotonic() + timeout
    while True:
        result = trace(binary, env, task_id, "--json")
        assert result.returncode == 0, result.stdout + result.stderr
        got = json.loads(result.stdout)
        if done(got) or time.monotonic() >= deadline:
            return got
        time.sleep(0.2)


def hops(event):
    return {h["hop"]: h for h in event["hops"]}


def outbox_status(binary, env, *flags):
    result = run_cli(binary, ["outbox", "status", *flags], env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_trace_follows_a_task_from_rest_to_the_mails(binary, server_env, isolated, maildir):
    ws = serve_isolated(binary, server_env, isolated, "all")
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    to = address("traced")
    trace_id = uuid.uuid4().hex
    create_id, complete_id = "req-create-" + uuid.uuid4().hex[:8], "req-complete-" + uuid.uuid4().hex[:8]
    parent = "00-%s-00f067aa0ba902b7-01" % trace_id
    task = api.create({"title": "Trace me", "assignee_email": to},
                      headers={"traceparent": parent, "X-Request-Id": create_id}).json()
    done = api.post("/api/v1/tasks/%s/complete" % task["id"],
                    headers={"traceparent": parent, "X-Request-Id": complete_id})
    assert done.status_code == 200
    mails = {m["Subject"]: m for m in mails_to(maildir, to, expect=2)}
    assert len(mails) == 2
    env = cli_env(server_env, isolated)

    got = trace_until(binary, env, task["id"], lambda t: len(t["events"]) == 2 and all(
        h["state"] == "done" for e in t["events"] for h in e["hops"]))
    assert got["task_id"] == task["id"] and got["title"] == "Trace me"
    expected = [("workstream.task.created.v1", create_id, "Task assigned: Trace me"),
                ("workstream.task.completed.v1", complete_id, "Task completed: Trace me")]
    assert [e["event_type"] for e in got["events"]] == [t for t, _, _ in expected]
    for event, (_, request_id, subject) in zip(got["events"], expected):
        assert [h["hop"] for h in event["hops"]] == HOPS
        assert all(h["state"] == "done" for h in event["hops"]), event
        times = [h["at"] for h in event["hops"]]
        assert times == sorted(times), event  # same format: text order is time order
        assert event["hops"][0]["gap_ms"] is None
        assert all(h["gap_ms"] >= 0 for h in event["hops"][1:])
        by_name = hops(event)
        assert by_name["request"]["request_id"] == request_id
        assert by_name["request"]["trace_id"] == trace_id
        assert by_name["mail_sent"]["message_id"] == mails[subject]["Message-ID"]
        assert by_name["mail_requested"]["event_id"] in mails[subject]["Message-ID"]

    text = trace(binary, env, task["id"])
    assert text.returncode == 0, text.stderr
    assert task["id"] in text.stdout and create_id in text.stdout and complete_id in text.stdout
    for name in HOPS:
        assert text.stdout.count("  " + name + " ") == 2, text.stdout
    assert "not yet" not in text.stdout
    assert ws.terminate() == 0


def test_a_refused_mail_shows_in_the_trace_with_its_reason(binary, server_env, isolated, maildir):
    ws = serve_isolated(binary, server_env, isolated, "all", FAST_RETRIES)
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    task = api.create({"title": "Refused", "assignee_email": address("reject")}).json()
    env = cli_env(server_env, isolated)
    got = trace_until(binary, env, task["id"],
                      lambda t: t["events"] and hops(t["events"][0])["mail_sent"]["state"] != "not yet")
    sent = hops(got["events"][0])["mail_sent"]
    assert sent["state"] == "failed", sent
    assert sent["error_code"] == "SMTP_REJECTED"
    assert "550" in sent["error_message"]
    assert sent["dead_lettered"] == "true" and sent["attempt"] == "1"
    assert sent["at"] >= hops(got["events"][0])["mail_requested"]["at"]
    text = trace(binary, env, task["id"]).stdout
    assert "failed" in text and "SMTP_REJECTED" in text
    assert ws.terminate() == 0


def test_a_task_without_an_assignee_has_no_mail_hops(binary, server_env, isolated):
    ws = serve_isolated(binary, server_env, isolated, "all")
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    task = api.create({"title": "Nobody's"}).json()
    env = cli_env(server_env, isolated)
    got = trace_until(binary, env, task["id"],
                      lambda t: t["events"] and hops(t["events"][0])["recorded"]["state"] == "done")
    by_name = hops(got["events"][0])
    assert by_name["recorded"]["state"] == "done"
    assert by_name["mail_requested"]["state"] == "absent"
    assert by_name["mail_sent"]["state"] == "absent"
    assert by_name["request"]["request_id"]  # the gateway made one up
    assert ws.terminate() == 0


def test_trace_bad_input_and_unknown_tasks(binary, server_env, isolated):
    env = cli_env(server_env, isolated)
    assert run_cli(binary, ["migrate"], env).returncode == 0
    bad = trace(binary, env, "not-a-uuid")
    assert bad.returncode == 2 and "UUID" in bad.stderr
    assert run_cli(binary, ["trace"], env).returncode == 2
    unknown_id = str(uuid.uuid4())
    unknown = trace(binary, env, unknown_id)
    assert unknown.returncode == 1
    assert "no task %s" % unknown_id in unknown.stderr
    missing = {k: v for k, v in env.items() if k != "WORKSTREAM_MONGO_URL"}
    result = trace(binary, missing, unknown_id)
    assert result.returncode == 2 and "WORKSTREAM_MONGO_URL" in result.stderr


def test_each_unreachable_store_is_named(binary, server_env, isolated):
    env = cli_env(server_env, isolated)
    assert run_cli(binary, ["migrate"], env).returncode == 0
    closed = free_port()
    task_id = str(uuid.uuid4())
    cases = {"PostgreSQL": {"WORKSTREAM_POSTGRES_URL": "postgresql://workstream@127.0.0.1:%d/x" % closed},
             "MongoDB": {"WORKSTREAM_MONGO_URL": "mongodb://127.0.0.1:%d/x" % closed},
             "Redis": {"WORKSTREAM_REDIS_URL": "redis://127.0.0.1:%d/0" % closed}}
    for store, override in cases.items():
        result = trace(binary, dict(env, **override), task_id)
        assert result.returncode == 1, (store, result.stderr)
        assert "%s cannot be read" % store in result.stderr
        others = [s for s in cases if s != store]
        assert not any("%s cannot be read" % s in result.stderr for s in others), result.stderr
    status = run_cli(binary, ["outbox", "status"], dict(env, **cases["PostgreSQL"]))
    assert status.returncode == 1 and "PostgreSQL" in status.stderr
    assert run_cli(binary, ["outbox", "status", "--bogus"], env).returncode == 2
    assert run_cli(binary, ["outbox"], env).returncode == 2
    assert run_cli(binary, ["outbox", "status"], {}).returncode == 2


def test_outbox_status_counts_pending_and_recently_published_rows(binary, server_env, isolated):
    env = cli_env(server_env, isolated)
    assert run_cli(binary, ["migrate"], env).returncode == 0

    def insert(created_ago, published_ago=None):
        isolated.sql(
            "INSERT INTO outbox (event_id, event_type, routing_key, aggregate_id, envelope, created_at,"
            " published_at) VALUES (%s, 'workstream.task.created.v1', 'workstream.task.created', %s,"
            " '{}', now() - %s * interval '1 second',"
            " now() - %s * interval '1 second') RETURNING position",
            str(uuid.uuid4()), str(uuid.uuid4()), created_ago, published_ago)
    for ago in (30, 20, 10):
        insert(ago)
    for ago in (5, 40):
        insert(ago + 1, ago)
    insert(400, 300)  # published five minutes ago: not in the last minute
    status = json.loads(outbox_status(binary, env, "--json"))
    assert status["schema"] == isolated.name
    assert status["pending"] == 3
    assert 29_000 <= status["oldest_pending_ms"] < 40_000
    assert status["published_last_minute"] == 2
    assert status["active_relay"] is None
    text = outbox_status(binary, env)
    assert "pending                 3" in text
    assert "active relay            none" in text


def test_outbox_status_names_the_active_relay_and_counts_what_it_published(binary, server_env, isolated):
    ws = serve_isolated(binary, server_env, isolated, "gateway,tasks")
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    for i in range(2):
        assert api.create({"title": "relayed %d" % i}).status_code == 201
    env = cli_env(server_env, isolated)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = json.loads(outbox_status(binary, env, "--json"))
        if status["pending"] == 0 and status["active_relay"]:
            break
        time.sleep(0.1)
    assert status["pending"] == 0 and status["oldest_pending_ms"] == 0
    assert status["published_last_minute"] == 2
    relay = status["active_relay"]
    assert relay is not None
    assert relay["application_name"].startswith("workstream relay pid=%d host=" % ws.proc.pid)
    assert "pid=%d" % ws.proc.pid in outbox_status(binary, env)
    assert ws.terminate() == 0
    # The relay's session ended with the process: nobody holds the lock.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and json.loads(outbox_status(binary, env, "--json"))["active_relay"]:
        time.sleep(0.1)
    assert json.loads(outbox_status(binary, env, "--json"))["active_relay"] is None
