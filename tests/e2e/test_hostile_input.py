"""Hostile input, black box: poison messages of every kind on a real broker,
with valid ones interleaved, and hostile HTTP clients against the gateway and
the admin API. Whatever comes in, the process answers with a clear error (or
dead-letters the message), never loops, and keeps serving everyone else."""
import json
import time
import uuid

import pika
import pytest

from conftest import serve_isolated
from test_backbone import drain
from test_mailer import address, mails_to, maildir, request  # noqa: F401 (maildir is a fixture)

FAST_RETRIES = {"WORKSTREAM_RETRY_BASE_DELAY": "100ms", "WORKSTREAM_RETRY_MAX_ATTEMPTS": "3"}


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
