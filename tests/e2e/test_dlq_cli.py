"""`workstream dlq`, black box: dead letters on a real broker (in a vhost of
the test's own), read, shown, replayed and purged by the built binary, and
checked with an independent AMQP client."""
import json
import os
import signal
import subprocess
import time
import urllib.parse
import uuid

import pika
import pytest

from conftest import free_port, run_cli, serve_isolated
from isolation import TcpProxy
from test_mailer import address, mails_to, maildir, request  # noqa: F401 (maildir is a fixture)
from test_notifications import publish

MAILER_DLQ = "workstream.mailer.dlq"
NOTIFICATIONS_DLQ = "workstream.notifications.dlq"


@pytest.fixture
def broker(binary, isolated):
    """The test's vhost with the topology declared, and how to run `workstream dlq` on it."""
    env = {"WORKSTREAM_RABBITMQ_URL": isolated.rabbitmq_url}
    declared = run_cli(binary, ["topology", "declare"], env)
    assert declared.returncode == 0, declared.stderr
    return Broker(binary, isolated.rabbitmq_url, env)


class Broker:
    def __init__(self, binary, url, env):
        self.binary, self.url, self.env = binary, url, env

    def dlq(self, *args):
        return run_cli(self.binary, ["dlq", *args], self.env)

    def channel(self):
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        return connection, connection.channel()

    def depth(self, queue):
        connection, ch = self.channel()
        try:
            return ch.queue_declare(queue, passive=True).method.message_count
        finally:
            connection.close()

    def dead_letter(self, queue, error_code="SMTP_REJECTED", last_failure=None, attempts=3,
                    event_type="workstream.mail.send.v1", routing_key="workstream.mail.send",
                    body=None, event_id=None):
        """Publishes a message shaped as failure routing shapes a DLQ copy."""
        event_id = event_id or str(uuid.uuid4())
        last_failure = last_failure or "2026-11-22T10:00:00.000000Z"
        body = body or json.dumps({"event_id": event_id, "event_type": event_type,
                                   "occurred_at": "2026-11-22T09:00:00.000000Z",
                                   "producer": "workstream-tasks", "trace_id": uuid.uuid4().hex,
                                   "payload": {"to": ["x@example.com"], "subject": "s", "body": "b"}})
        headers = {"traceparent": "00-%s-00f067aa0ba902b7-01" % uuid.uuid4().hex,
                   "x-attempts": attempts, "x-first-failure-at": "2026-11-22T09:30:00.000000Z",
                   "x-last-failure-at": last_failure, "x-original-routing-key": routing_key,
                   "x-error-code": error_code, "x-error-message": "550 no such user (%s)" % event_id,
                   "x-consumer": "workstream-mailer"}
        connection, ch = self.channel()
        ch.confirm_delivery()
        ch.basic_publish("", queue, body, pika.BasicProperties(
            message_id=event_id, type=event_type, app_id="workstream-tasks", timestamp=1763800000,
            delivery_mode=2, content_type="application/json", headers=headers), mandatory=True)
        connection.close()
        return event_id

    def take_all(self, queue, settle=0.5):
        """Takes every message off `queue`, in order, until it stays empty for `settle` seconds."""
        connection, ch = self.channel()
        got, quiet_since = [], time.monotonic()
        while time.monotonic() - quiet_since < settle:
            method, props, body = ch.basic_get(queue, auto_ack=True)
            if method is None:
                time.sleep(0.05)
                continue
            got.append((props, body))
            quiet_since = time.monotonic()
        connection.close()
        return got

    def ids(self, queue):
        return [props.message_id for props, _ in self.take_all(queue)]

    def wait_depth(self, queue, at_least, timeout=15):
        deadline = time.monotonic() + timeout
        while self.depth(queue) < at_least and time.monotonic() < deadline:
            time.sleep(0.1)
        return self.depth(queue)


def ago(seconds):
    t = time.gmtime(time.time() - seconds)
    return time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", t)


def test_list_shows_every_field_and_consumes_nothing(broker):
    mail = [broker.dead_letter(MAILER_DLQ, error_code=code) for code in ("SMTP_REJECTED", "INVALID_MAIL", "SMTP_REJECTED")]
    task = broker.dead_letter(NOTIFICATIONS_DLQ, error_code="INVALID_PAYLOAD", attempts=1,
                              event_type="workstream.task.created.v1", routing_key="workstream.task.created")
    table = broker.dlq("list")
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert "EVENT_ID" in lines[0] and "ERROR_CODE" in lines[0] and "LAST_FAILURE" in lines[0]
    assert len(lines) == 5
    row = next(line for line in lines if task in line)
    for field in (NOTIFICATIONS_DLQ, "workstream.task.created.v1", "INVALID_PAYLOAD",
                  "2026-11-22T09:30:00.000000Z", "2026-11-22T10:00:00.000000Z",
                  "workstream.task.created", "550 no such user"):
        assert field in row, (field, row)

    as_json = broker.dlq("list", "--json")
    assert as_json.returncode == 0, as_json.stderr
    listed = json.loads(as_json.stdout)
    assert [m["event_id"] for m in listed] == [task] + mail  # the notifications DLQ first
    assert listed[1] == {
        "queue": MAILER_DLQ, "event_id": mail[0], "event_type": "workstream.mail.send.v1",
        "error_code": "SMTP_REJECTED", "error_message": "550 no such user (%s)" % mail[0],
        "attempts": 3, "first_failure_at": "2026-11-22T09:30:00.000000Z",
        "last_failure_at": "2026-11-22T10:00:00.000000Z", "original_routing_key": "workstream.mail.send",
        "consumer": "workstream-mailer"}

    for _ in range(3):
        assert broker.dlq("list", "--limit", "1").returncode == 0
    # Nothing consumed, nothing moved: the same depth at once, the same order.
    assert broker.depth(MAILER_DLQ) == 3 and broker.depth(NOTIFICATIONS_DLQ) == 1
    assert broker.ids(MAILER_DLQ) == mail
    assert broker.ids(NOTIFICATIONS_DLQ) == [task]


def test_reading_keeps_the_order_of_many_messages(broker):
    sent = [broker.dead_letter(MAILER_DLQ) for _ in range(60)]
    for args in (["list"], ["list", "--limit", "3"], ["show", sent[40]], ["replay", "--dry-run"]):
        result = broker.dlq(*args)
        assert result.returncode == 0, (args, result.stderr)
        assert broker.depth(MAILER_DLQ) == 60, args
    assert broker.ids(MAILER_DLQ) == sent


def test_filters_combine_and_limit_keeps_the_order(broker):
    old = broker.dead_letter(MAILER_DLQ, error_code="SMTP_REJECTED", last_failure=ago(7200))
    recent = broker.dead_letter(MAILER_DLQ, error_code="SMTP_REJECTED", last_failure=ago(60))
    invalid = broker.dead_letter(MAILER_DLQ, error_code="INVALID_MAIL", last_failure=ago(60))
    task = broker.dead_letter(NOTIFICATIONS_DLQ, error_code="SMTP_REJECTED", last_failure=ago(60),
                              event_type="workstream.task.created.v1", routing_key="workstream.task.created")

    def listed(*args):
        result = broker.dlq("list", "--json", *args)
        assert result.returncode == 0, result.stderr
        return [m["event_id"] for m in json.loads(result.stdout)]

    assert listed("--queue", "mailer") == [old, recent, invalid]
    assert listed("--queue", "notifications") == [task]
    assert listed("--error-code", "SMTP_REJECTED") == [task, old, recent]
    assert listed("--event-type", "workstream.task.created.v1") == [task]
    assert listed("--since", "1h") == [task, recent, invalid]
    assert listed("--since", "2d") == [task, old, recent, invalid]
    assert listed("--since", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 600))) == [task, recent, invalid]
    assert listed("--since", "1h", "--error-code", "SMTP_REJECTED", "--queue", "mailer") == [recent]
    assert listed("--error-code", "NOPE") == []
    assert listed("--queue", "mailer", "--limit", "2") == [old, recent]
    assert broker.ids(MAILER_DLQ) == [old, recent, invalid]


def test_show_prints_headers_properties_and_an_indented_body(broker):
    event_id = broker.dead_letter(MAILER_DLQ, error_code="INVALID_MAIL")
    other = broker.dead_letter(MAILER_DLQ)
    shown = broker.dlq("show", event_id)
    assert shown.returncode == 0, shown.stderr
    out = shown.stdout
    assert "message_id: %s" % event_id in out
    assert "type: workstream.mail.send.v1" in out
    assert "app_id: workstream-tasks" in out
    assert "x-error-code: INVALID_MAIL" in out
    assert "x-original-routing-key: workstream.mail.send" in out
    assert "traceparent: 00-" in out
    body = out[out.index("body:\n") + len("body:\n"):]
    assert '\n  "event_id": "%s",\n' % event_id in body
    assert '\n    "subject": "s",\n' in body  # nested one level deeper
    assert json.loads(body)["event_id"] == event_id

    missing = broker.dlq("show", str(uuid.uuid4()))
    assert missing.returncode == 1
    assert "no message with event id" in missing.stderr
    assert broker.ids(MAILER_DLQ) == [event_id, other]


def test_a_mail_dead_lettered_while_smtp_was_down_is_replayed_once_after_the_fix(
        binary, server_env, isolated, broker, maildir):  # noqa: F811
    smtp = urllib.parse.urlparse(server_env["WORKSTREAM_SMTP_URL"])
    proxy = TcpProxy(smtp.port)
    extra = {"WORKSTREAM_SMTP_URL": "smtp://127.0.0.1:%d" % proxy.port, "WORKSTREAM_RETRY_MAX_ATTEMPTS": "1"}
    ws = serve_isolated(binary, server_env, isolated, "mailer", extra)
    try:
        proxy.down()
        to = address("replayed")
        event_id, body = request(to)
        publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
        assert broker.wait_depth(MAILER_DLQ, 1) == 1
        [dead] = json.loads(broker.dlq("list", "--json").stdout)
        assert dead["event_id"] == event_id
        assert dead["error_code"] == "SMTP_UNAVAILABLE"
        assert dead["original_routing_key"] == "workstream.mail.send"
        assert mails_to(maildir, to, timeout=0) == []

        proxy.up()  # the cause is fixed
        replay = broker.dlq("replay", "--queue", "mailer")
        assert replay.returncode == 0, replay.stderr
        assert "replayed %s" % event_id in replay.stdout
        assert "replayed 1 message(s)" in replay.stdout
        assert len(mails_to(maildir, to)) == 1
        time.sleep(1.5)
        assert len(mails_to(maildir, to, timeout=0)) == 1
        assert broker.depth(MAILER_DLQ) == 0
        assert broker.depth("workstream.mailer") == 0
    finally:
        assert ws.terminate() == 0
        proxy.down()


def test_replay_moves_matches_with_the_original_routing_key_and_a_history(broker):
    keep = broker.dead_letter(MAILER_DLQ, error_code="INVALID_MAIL")
    move = broker.dead_letter(MAILER_DLQ, error_code="SMTP_UNAVAILABLE", attempts=5)
    replay = broker.dlq("replay", "--error-code", "SMTP_UNAVAILABLE")
    assert replay.returncode == 0, replay.stderr
    assert "replayed %s" % move in replay.stdout and keep not in replay.stdout
    [(props, body)] = broker.take_all("workstream.mailer")  # no consumer runs: it waits there
    assert props.message_id == move
    assert props.type == "workstream.mail.send.v1"
    assert json.loads(body)["event_id"] == move
    headers = props.headers
    assert headers["x-original-routing-key"] == "workstream.mail.send"
    assert headers["traceparent"].startswith("00-")
    for gone in ("x-attempts", "x-error-code", "x-error-message", "x-first-failure-at", "x-last-failure-at"):
        assert gone not in headers
    [entry] = json.loads(headers["x-replay-history"])
    assert entry["error_code"] == "SMTP_UNAVAILABLE"
    assert entry["attempts"] == "5"
    assert entry["last_failure_at"] == "2026-11-22T10:00:00.000000Z"
    assert entry["replayed_at"]
    assert broker.ids(MAILER_DLQ) == [keep]


def test_replay_dry_run_changes_nothing(broker):
    sent = [broker.dead_letter(MAILER_DLQ, error_code=code) for code in ("A", "B", "A")]
    dry = broker.dlq("replay", "--dry-run", "--error-code", "A")
    assert dry.returncode == 0, dry.stderr
    assert "would replay %s" % sent[0] in dry.stdout and "would replay %s" % sent[2] in dry.stdout
    assert sent[1] not in dry.stdout
    assert "would replay 2 message(s); nothing changed" in dry.stdout
    assert broker.depth("workstream.mailer") == 0
    assert broker.ids(MAILER_DLQ) == sent


def test_a_replay_killed_midway_loses_nothing(broker):
    sent = [broker.dead_letter(NOTIFICATIONS_DLQ, event_type="workstream.task.created.v1",
                               routing_key="workstream.task.created") for _ in range(8)]
    proc = subprocess.Popen([broker.binary, "dlq", "replay", "--rate", "4/s"],
                            env=dict({k: v for k, v in os.environ.items() if not k.startswith("WORKSTREAM_")},
                                     **broker.env), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    replayed = []
    while len(replayed) < 3:
        line = proc.stdout.readline()
        assert line, "replay ended early: " + proc.stderr.read()
        replayed.append(line.split()[1])
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    # The broker returns what the killed replay held once it sees the connection gone.
    deadline = time.monotonic() + 10
    while (broker.depth(NOTIFICATIONS_DLQ) + broker.depth("workstream.notifications") < len(sent)
           and time.monotonic() < deadline):
        time.sleep(0.1)
    still_dead = broker.ids(NOTIFICATIONS_DLQ)
    delivered = broker.ids("workstream.notifications")
    assert set(still_dead) | set(delivered) == set(sent), "a message was lost"
    assert len(set(still_dead) & set(delivered)) <= 1
    assert len(still_dead) == len(set(still_dead)) and len(delivered) == len(set(delivered))
    assert set(replayed) <= set(delivered)
    assert 3 <= len(delivered) < len(sent), "the kill was not midway"
    assert still_dead == [i for i in sent if i in still_dead]  # what stayed kept its order


def test_purge_refuses_without_yes_and_deletes_only_matches(broker):
    sent = [broker.dead_letter(MAILER_DLQ, error_code=code) for code in ("A", "B", "A", "C")]
    refused = broker.dlq("purge", "--error-code", "A")
    assert refused.returncode == 2
    assert "--yes" in refused.stderr and "nothing was deleted" in refused.stderr
    assert broker.depth(MAILER_DLQ) == 4

    purged = broker.dlq("purge", "--error-code", "A", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert "purged 2 message(s)" in purged.stdout
    assert broker.depth("workstream.mailer") == 0
    assert broker.ids(MAILER_DLQ) == [sent[1], sent[3]]


@pytest.mark.parametrize("args, says", [
    (["list", "--queue", "tasks"], 'unknown queue "tasks"'),
    (["list", "--since", "yesterday"], "invalid --since"),
    (["replay", "--since", "2026-13-45T00:00:00Z"], "invalid --since"),
    (["replay", "--rate", "0"], "invalid --rate"),
    (["replay", "--rate", "fast"], "invalid --rate"),
    (["list", "--limit", "0"], "--limit"),
    (["list", "--limit", "many"], "--limit"),
    (["purge"], "--yes"),
    (["show"], "EVENT_ID"),
    (["list", "--bogus"], "--bogus"),
])
def test_bad_input_exits_2_and_says_why(broker, args, says):
    sent = broker.dead_letter(MAILER_DLQ)
    result = broker.dlq(*args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert says in result.stderr
    assert broker.ids(MAILER_DLQ) == [sent]


def test_a_missing_broker_url_exits_2_naming_it(binary):
    result = run_cli(binary, ["dlq", "list"], {})
    assert result.returncode == 2
    assert "WORKSTREAM_RABBITMQ_URL" in result.stderr


@pytest.mark.parametrize("args", [["list"], ["show", "x"], ["replay"], ["purge", "--yes"]])
def test_an_unreachable_broker_exits_1_naming_rabbitmq_without_the_password(binary, args):
    port = free_port()
    url = "amqp://guest:s3cret-pw@127.0.0.1:%d/%%2f" % port
    result = run_cli(binary, ["dlq", *args], {"WORKSTREAM_RABBITMQ_URL": url})
    assert result.returncode == 1, result.stderr
    assert "RabbitMQ" in result.stderr
    assert "127.0.0.1:%d" % port in result.stderr
    assert "s3cret-pw" not in result.stderr
