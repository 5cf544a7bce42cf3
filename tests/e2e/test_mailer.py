"""The mailer, black box: mail requests on a real broker, sent to the SMTP sink
that scripts/servers.sh runs, which keeps every message it accepts."""
import email
import email.policy
import glob
import json
import os
import time
import urllib.parse
import uuid

import pytest

from conftest import serve_isolated
from gateway_support import Api
from isolation import TcpProxy
from test_backbone import drain
from test_notifications import publish

FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "200ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "8"}



@pytest.fixture(scope="session")
def maildir():
    path = os.environ.get("WORKSTREAM_TEST_MAILDIR")
    if not path or not os.path.isdir(path):
        pytest.fail("WORKSTREAM_TEST_MAILDIR must name the SMTP sink's directory (scripts/servers.sh env)")
    return path


def start(binary, server_env, isolated, roles="mailer", extra=None):
    return serve_isolated(binary, server_env, isolated, roles, extra)


def mails_to(maildir, address, expect=1, timeout=15):
    """The messages the sink accepted for `address`, waiting for `expect` of them."""
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for meta in sorted(glob.glob(os.path.join(maildir, "*.json"))):
            eml = meta[:-5] + ".eml"
            if not os.path.exists(eml):
                continue
            if address in json.load(open(meta))["rcpt_tos"]:
                found.append(email.message_from_binary_file(open(eml, "rb"), policy=email.policy.default))
        if len(found) >= expect or time.monotonic() >= deadline:
            return found
        time.sleep(0.1)


def request(to, subject="Hello", body="Dear reader,\nthis is Workstream.\n", event_id=None, trace=None):
    event_id = event_id or str(uuid.uuid4())
    return event_id, json.dumps({
        "event_id": event_id, "event_type": "workstream.mail.send.v1",
        "occurred_at": "2026-11-22T10:00:00.000000Z", "producer": "workstream-notifications",
        "trace_id": trace or uuid.uuid4().hex,
        "payload": {"to": to if isinstance(to, list) else [to], "subject": subject, "body": body}})


def address(prefix="to"):
    return "%s-%s@example.com" % (prefix, uuid.uuid4().hex[:12])


def dead_letters(isolated, expect=1):
    return drain(isolated.rabbitmq_url, "workstream.mailer.dlq", expect)


def test_a_valid_request_is_mailed_once_with_the_right_headers(binary, server_env, isolated, maildir):
    ws = start(binary, server_env, isolated)
    to = address()
    trace = uuid.uuid4().hex
    event_id, body = request(to, subject="Réunion à 10h — ça marche", body="Grüße\nline 2\n", trace=trace)
    publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    mails = mails_to(maildir, to)
    assert len(mails) == 1
    mail = mails[0]
    assert mail["From"] == "workstream@example.com"
    assert mail["To"] == to
    assert mail["Subject"] == "Réunion à 10h — ça marche"
    assert mail["Message-ID"] == "<%s@workstream>" % event_id
    assert mail["X-Workstream-Trace-Id"] == trace
    assert mail["Date"]
    assert mail.get_content_type() == "text/plain"
    assert mail.get_content().replace("\r\n", "\n") == "Grüße\nline 2\n"
    assert ws.terminate() == 0


def test_a_plain_ascii_body_reads_as_it_is_and_other_text_as_quoted_printable(
        binary, server_env, isolated, maildir):
    ws = start(binary, server_env, isolated)
    ascii_to, other_to = address(), address()
    ascii_body = "Dear reader,\nthe task 'Ship it' is done.\n. a line with a leading dot\n"
    other_body = "Grüße = 100% sicher\n" + "x" * 1200 + "\n"
    for to, body in ((ascii_to, ascii_body), (other_to, other_body)):
        event_id, message = request(to, body=body)
        publish(isolated.rabbitmq_url, "workstream.mail.send", message, event_id)
    [plain] = mails_to(maildir, ascii_to)
    [quoted] = mails_to(maildir, other_to)
    # 7bit: the raw message holds the text itself, in CRLF lines any client shows.
    assert plain["Content-Transfer-Encoding"] == "7bit"
    assert plain.get_payload(decode=False).replace("\r\n", "\n") == ascii_body
    # Quoted-printable: readable where it is ASCII, lines within 76 characters.
    assert quoted["Content-Transfer-Encoding"] == "quoted-printable"
    raw = quoted.get_payload(decode=False)
    assert "Gr=C3=BC=C3=9Fe =3D 100% sicher" in raw
    assert max(len(line) for line in raw.splitlines()) <= 76
    assert quoted.get_content().replace("\r\n", "\n") == other_body
    assert ws.terminate() == 0


def test_the_same_request_three_times_is_one_mail(binary, server_env, isolated, maildir):
    ws = start(binary, server_env, isolated)
    to = address()
    event_id, body = request(to)
    for _ in range(3):
        publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    assert len(mails_to(maildir, to)) == 1
    time.sleep(1.5)
    assert len(mails_to(maildir, to, timeout=0)) == 1
    assert ws.terminate() == 0


def test_smtp_down_is_retried_and_delivered_once_it_is_back(binary, server_env, isolated, maildir):
    smtp = urllib.parse.urlparse(server_env["WORKSTREAM_SMTP_URL"])
    proxy = TcpProxy(smtp.port)
    extra = dict(FAST_RETRIES, WORKSTREAM_SMTP_URL="smtp://127.0.0.1:%d" % proxy.port)
    ws = start(binary, server_env, isolated, extra=extra)
    proxy.down()
    to = address()
    event_id, body = request(to)
    publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    time.sleep(1.5)
    assert mails_to(maildir, to, timeout=0) == []
    proxy.up()
    assert len(mails_to(maildir, to)) == 1
    time.sleep(1)
    assert len(mails_to(maildir, to, timeout=0)) == 1
    assert dead_letters(isolated, 0) == []
    assert ws.terminate() == 0


def test_a_550_reply_goes_to_the_dlq_with_the_reply(binary, server_env, isolated, maildir):
    ws = start(binary, server_env, isolated)
    event_id, body = request(address("reject"))
    publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    dead = dead_letters(isolated)
    assert len(dead) == 1
    _, props, dead_body = dead[0]
    assert dead_body.decode() == body
    assert props.headers["x-error-code"] == "SMTP_REJECTED"
    assert "550" in props.headers["x-error-message"]
    assert props.headers["x-consumer"] == "workstream-mailer"
    assert ws.terminate() == 0


def test_a_4xx_reply_is_retried_then_dead_lettered(binary, server_env, isolated, maildir):
    extra = {"WORKSTREAM_RETRY_BASE_DELAY": "100ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "3"}
    ws = start(binary, server_env, isolated, extra=extra)
    event_id, body = request(address("tempfail"))
    publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    dead = dead_letters(isolated)
    assert len(dead) == 1
    assert dead[0][1].headers["x-attempts"] == 3
    assert dead[0][1].headers["x-error-code"] == "SMTP_UNAVAILABLE"
    assert "451" in dead[0][1].headers["x-error-message"]
    assert ws.terminate() == 0


@pytest.mark.parametrize("to, subject, reason", [
    (None, "Hi\r\nBcc: victim@example.com", "CR or LF"),
    ([], "Hi", "non-empty"),
    (["not-an-address"], "Hi", "not a valid address"),
    (["a%d@example.com" % i for i in range(51)], "Hi", "1 to 50"),
    (None, "x" * 999, "998"),
])
def test_invalid_requests_are_poison_and_nothing_is_sent(binary, server_env, isolated, maildir, to, subject, reason):
    ws = start(binary, server_env, isolated)
    victim = address()
    event_id, body = request(to if to is not None else victim, subject=subject)
    publish(isolated.rabbitmq_url, "workstream.mail.send", body, event_id)
    dead = dead_letters(isolated)
    assert len(dead) == 1
    headers = dead[0][1].headers
    assert headers["x-error-code"] in ("INVALID_MAIL", "INVALID_PAYLOAD")
    assert reason in headers["x-error-message"]
    assert headers["x-attempts"] == 1
    assert mails_to(maildir, victim, timeout=0.5) == []
    assert ws.terminate() == 0


def test_rest_to_mail_end_to_end(binary, server_env, isolated, maildir):
    ws = start(binary, server_env, isolated, roles="all")
    api = Api(ws.env["WORKSTREAM_HTTP_ADDR"])
    to = address("assignee")
    trace = uuid.uuid4().hex
    traced = {"traceparent": "00-%s-00f067aa0ba902b7-01" % trace}
    task = api.create({"title": "Ship the mailer", "assignee_email": to}, headers=traced).json()
    assert api.post("/api/v1/tasks/%s/complete" % task["id"], headers=traced).status_code == 200
    mails = mails_to(maildir, to, expect=2)
    assert sorted(m["Subject"] for m in mails) == ["Task assigned: Ship the mailer",
                                                   "Task completed: Ship the mailer"]
    for mail in mails:
        assert mail["X-Workstream-Trace-Id"] == trace
        assert task["id"] in mail.get_content()
    time.sleep(1.5)
    assert len(mails_to(maildir, to, expect=3, timeout=0)) == 2  # each exactly once
    assert ws.terminate() == 0
