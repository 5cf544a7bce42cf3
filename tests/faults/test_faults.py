"""The fault suite (issue 12): the four roles as four processes of the built
binary, every dependency behind a TCP proxy the test cuts, a RabbitMQ broker
of the test's own that it restarts for real; a bounded REST load throughout;
faults one after another; then counting from outside.

It fails on any loss (an acknowledged task not stored, an event without its
notification record, a mail never sent, anything dead-lettered), on any
duplicate record, and on any duplicate mail that no fault explains. Two
faults may double a mail, at most one per handler thread each:
- a kill -9 of the mailer after it sent the message and before the "mailed"
  mark in Redis: the first copy shortly before the death (or just after it,
  when the server had the whole message), the second after it;
- a cut of the SMTP connection after the server accepted the message but
  before its reply reached the mailer (RFC 1047): the first copy at the cut,
  the second once SMTP is back. No SMTP client can tell this from a mail
  never accepted, so an at-least-once mailer sends it again.
Anything else, such as a Redis failure after a send or two handler threads
sending one request, is an unexplained duplicate and fails the suite.

FAULTS_REPORT=<file> also writes the figures there; FAULTS_LOG_DIR=<dir>
keeps every role process's log there (default: a new temporary directory)."""
import collections
import contextlib
import os
import shutil
import signal
import tempfile
import time
import urllib.parse

import pymongo
import pytest

from faults_support import Cut, Load, OwnBroker, Role, fixed_ports, new_run_id, read_mails
from conftest import binary, process_env, server_env  # noqa: F401  (tests/e2e fixtures)
from isolation import Isolated

CONCURRENCY = 4
SETTINGS = {
    "WORKSTREAM_RETRY_BASE_DELAY": "100ms",
    # With doubling delays 20 attempts outlast any fault window here (and a
    # mailer claim left by a kill -9), so nothing good is dead-lettered.
    "WORKSTREAM_RETRY_MAX_ATTEMPTS": "20",
    "WORKSTREAM_SHUTDOWN_TIMEOUT": "5s",
    "WORKSTREAM_SMTP_TIMEOUT": "5s",
    "WORKSTREAM_CONSUMER_CONCURRENCY": str(CONCURRENCY),
    "WORKSTREAM_LOG_LEVEL": "info",
}
RATE = 20.0          # tasks per second, each created and completed
WARM_UP = 5.0        # load before the first fault
CUT_FOR = 4.0        # seconds a dependency stays cut
SETTLE = 3.0         # after a fault, once every role is ready again
QUIET_WITHIN = 150   # seconds for the system to drain after the load
EXPLAIN_WINDOW = 5.0  # a first copy at most this long before a mailer kill -9
KINDS = {"workstream.task.created.v1": "created", "workstream.task.completed.v1": "completed"}


@pytest.fixture
def maildir():
    path = os.environ.get("WORKSTREAM_TEST_MAILDIR")
    if not path or not os.path.isdir(path):
        pytest.fail("WORKSTREAM_TEST_MAILDIR must name the SMTP sink's directory (scripts/servers.sh env)")
    return path


def via(url, port):
    """`url` with its port replaced: the same server, reached through a proxy."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc.rsplit(":", 1)[0] + ":%d" % port
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


def port_of(url):
    return urllib.parse.urlsplit(url).port


def test_no_loss_and_no_unexplained_duplicates_under_faults(binary, server_env, maildir, monkeypatch,  # noqa: F811
                                                             capsys):
    started = time.monotonic()
    run_id = new_run_id()
    keep_logs = bool(os.environ.get("FAULTS_LOG_DIR"))
    log_dir = os.environ.get("FAULTS_LOG_DIR") or tempfile.mkdtemp(prefix="ws-faults-logs-")
    os.makedirs(log_dir, exist_ok=True)
    faults = []  # (kind, target, wall time, detail)

    with contextlib.ExitStack() as stack:
        def logs_on_error(exc_type, *_):
            if exc_type is not None:
                print("the roles' logs are in %s" % log_dir)
        stack.push(logs_on_error)
        # The test's own broker; its vhost (through Isolated) is made there.
        broker = OwnBroker()
        stack.callback(shutil.rmtree, broker.dir, True)
        # Run a copy: a rebuild during the run must not change the binary
        # that restarted roles run.
        built = "%s, built %s UTC" % (binary, time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(os.stat(binary).st_mtime)))
        shutil.copy2(binary, os.path.join(broker.dir, "workstream"))
        binary = os.path.join(broker.dir, "workstream")
        stack.callback(broker.stop)
        broker.start()
        monkeypatch.setenv("WS_SERVERS_DIR", broker.dir)
        monkeypatch.setenv("WS_AMQP_PORT", str(broker.port))
        monkeypatch.setenv("WS_RABBITMQ_ON_DISK", "1")
        iso = Isolated(server_env)
        stack.callback(iso.close)

        cuts = {
            "postgres": Cut("postgres", port_of(server_env["WORKSTREAM_POSTGRES_URL"])),
            "rabbitmq": Cut("rabbitmq", broker.port),
            "redis": Cut("redis", port_of(server_env["WORKSTREAM_REDIS_URL"])),
            "mongodb": Cut("mongodb", port_of(server_env["WORKSTREAM_MONGO_URL"])),
            "smtp": Cut("smtp", port_of(server_env["WORKSTREAM_SMTP_URL"])),
        }
        for cut in cuts.values():
            stack.callback(cut.down)

        http, grpc, *admin = [fixed_ports()[0] for _ in range(6)]
        env = process_env(server_env, iso.env(), SETTINGS, {
            "WORKSTREAM_POSTGRES_URL": via(iso.postgres_url, cuts["postgres"].port),
            "WORKSTREAM_RABBITMQ_URL": via(iso.rabbitmq_url, cuts["rabbitmq"].port),
            "WORKSTREAM_REDIS_URL": via(server_env["WORKSTREAM_REDIS_URL"], cuts["redis"].port),
            "WORKSTREAM_MONGO_URL": via(iso.mongo_url, cuts["mongodb"].port),
            "WORKSTREAM_SMTP_URL": via(server_env["WORKSTREAM_SMTP_URL"], cuts["smtp"].port),
            "WORKSTREAM_HTTP_ADDR": "127.0.0.1:%d" % http,
            "WORKSTREAM_GRPC_ADDR": "127.0.0.1:%d" % grpc,
            "WORKSTREAM_TASKS_ADDR": "127.0.0.1:%d" % grpc,
        })
        roles = {}
        for name, port in zip(["tasks", "notifications", "mailer", "gateway"], admin):
            roles[name] = Role(name, binary, dict(env, WORKSTREAM_ADMIN_ADDR="127.0.0.1:%d" % port), log_dir)
            stack.callback(roles[name].kill_at_exit)
            roles[name].start()

        def all_ready(timeout=60):
            for role in roles.values():
                role.ws.wait_ready(timeout)

        def kill9(name):
            roles[name].stop(signal.SIGKILL)
            faults.append(("kill -9", name, time.time(), None))  # once it is dead
            time.sleep(0.5)
            roles[name].start()

        def sigterm(name):
            at = time.time()
            code = roles[name].stop(signal.SIGTERM)
            faults.append(("SIGTERM", name, at, "exit %d" % code))
            roles[name].start()

        def cut(name):
            faults.append(("cut", name, time.time(), "%gs" % CUT_FOR))
            cuts[name].down()
            time.sleep(CUT_FOR)
            cuts[name].up()

        def broker_restart(_):
            at = time.time()
            broker.stop()
            broker.start()
            faults.append(("restart", "broker", at, "%.1fs" % (time.time() - at)))

        # The mailer's kill -9 first: a mail it had claimed waits out the
        # claim while the rest of the run goes on.
        schedule = [
            (kill9, "mailer"), (cut, "postgres"), (kill9, "tasks"), (cut, "redis"),
            (sigterm, "notifications"), (kill9, "gateway"), (cut, "smtp"), (sigterm, "mailer"),
            (cut, "mongodb"), (kill9, "notifications"), (sigterm, "tasks"), (cut, "rabbitmq"),
            (sigterm, "gateway"), (broker_restart, "broker"),
        ]

        load = Load("127.0.0.1:%d" % http, run_id, rate=RATE)
        stack.callback(load.stop, 0)  # at once, if the run breaks off
        load.start()
        time.sleep(WARM_UP)
        for inject, target in schedule:
            inject(target)
            all_ready()
            time.sleep(SETTLE)
        load_seconds = time.monotonic() - started
        load.stop()

        # Quiet: every event published and recorded, every mail sent, every queue empty.
        mongo = pymongo.MongoClient(iso.mongo_url, serverSelectionTimeoutMS=5000)
        stack.callback(mongo.close)
        records_coll = mongo[iso.name]["notifications"]
        tag = "f%s-" % run_id
        deadline, quiet = time.monotonic() + QUIET_WITHIN, False
        while not quiet and time.monotonic() < deadline:
            pending, events = iso.sql("SELECT count(*) FILTER (WHERE published_at IS NULL), count(*) FROM outbox")[0]
            pairs = {(rcpt, subject.split(":")[0]) for rcpt, subject, *_ in read_mails(maildir, tag)}
            if pending == 0 and records_coll.count_documents({}) >= events and len(pairs) >= events:
                quiet = all(n == 0 for n in broker.queues(iso.name).values())
            if not quiet:
                time.sleep(1)
        time.sleep(3)  # room for a late duplicate to show
        quiet_seconds = time.monotonic() - started - load_seconds

        # Count.
        stored = {str(r[0]): r for r in iso.sql("SELECT id, status, assignee_email, title FROM tasks")}
        keys = {k: str(t) for k, t in iso.sql("SELECT key, task_id FROM task_idempotency_keys")}
        outbox = [(str(e), t, str(a), p is not None) for e, t, a, p in
                  iso.sql("SELECT event_id, event_type, aggregate_id, published_at FROM outbox")]
        records = list(records_coll.find({}, {"event_id": 1, "event_type": 1, "task_id": 1}))
        mails = read_mails(maildir, tag)
        queues = broker.queues(iso.name)
        for role in roles.values():
            role.kill_at_exit()  # logs saved for the evidence

    figures, failures = count(load, stored, keys, outbox, records, mails, queues, faults, quiet)
    if failures or keep_logs:
        logs = "the roles' logs in %s" % log_dir
    else:
        shutil.rmtree(log_dir, True)
        logs = "FAULTS_LOG_DIR=<dir> keeps the roles' logs"
    figures["run time"] = "%.0f s (load %.0f s, drain %.0f s); %s" % (
        time.monotonic() - started, load_seconds, quiet_seconds, logs)
    figures["binary"] = built
    report = table(figures, failures)
    with capsys.disabled():
        print("\n" + report)
    if os.environ.get("FAULTS_REPORT"):
        with open(os.environ["FAULTS_REPORT"], "w") as out:
            out.write(report + "\n")
    assert not failures, report


def count(load, stored, keys, outbox, records, mails, queues, faults, quiet):
    failures = []
    tasks = load.tasks
    acked = [t for t in tasks if t["created"]]
    completed_acked = [t for t in tasks if t["completed"]]
    lost = [t for t in acked if t["id"] not in stored]
    completes_lost = [t for t in completed_acked if t["id"] in stored and stored[t["id"]][1] != "completed"]
    unacked = [t for t in tasks if not t["created"]]
    ambiguous = [t for t in unacked if t["key"] in keys]
    by_email = {row[2]: task_id for task_id, row in stored.items()}
    if lost:
        failures.append("acknowledged tasks not stored: %s" % [t["id"] for t in lost][:10])
    if completes_lost:
        failures.append("acknowledged completes not stored: %s" % [t["id"] for t in completes_lost][:10])
    if load.unexpected:
        failures.append("unexpected answers: %s" % load.unexpected[:5])
    strays = [k for k in keys if not k.startswith(load.run_id)]
    if strays:
        failures.append("tasks not made by the load: %s" % strays[:5])

    # Events: two per completed task, one per open one, each published and recorded once.
    n_completed = sum(1 for row in stored.values() if row[1] == "completed")
    expected_events = len(stored) + n_completed
    unpublished = [e for e in outbox if not e[3]]
    if len(outbox) != expected_events:
        failures.append("outbox holds %d events, the tasks make %d" % (len(outbox), expected_events))
    if unpublished:
        failures.append("%d events never published" % len(unpublished))
    per_event = collections.Counter(r["event_id"] for r in records)
    outbox_ids = {e[0] for e in outbox}
    missing_records = [e for e in outbox if e[0] not in per_event]
    doubled_records = {e: n for e, n in per_event.items() if n > 1}
    per_task_kind = collections.Counter((r["task_id"], r["event_type"]) for r in records)
    doubled_kinds = {k: n for k, n in per_task_kind.items() if n > 1}
    unknown_records = [e for e in per_event if e not in outbox_ids]
    if missing_records:
        failures.append("%d events without a notification record, e.g. %s" % (len(missing_records), missing_records[:3]))
    if doubled_records or doubled_kinds:
        failures.append("duplicate notification records: %s %s" % (list(doubled_records.items())[:5],
                                                                   list(doubled_kinds.items())[:5]))
    if unknown_records:
        failures.append("notification records of no event: %s" % unknown_records[:5])

    # Mails: one per event (every task has an assignee).
    copies = collections.defaultdict(list)
    stray_mails = []
    for rcpt, subject, message_id, at, name in mails:
        kind = "created" if subject.startswith("Task assigned:") else \
            "completed" if subject.startswith("Task completed:") else None
        task_id = by_email.get(rcpt)
        if task_id is None or kind is None:
            stray_mails.append((rcpt, subject, name))
            continue
        copies[(task_id, kind)].append((at, message_id, name))
    expected_mails = {(a, KINDS[t]) for _, t, a, _ in outbox}
    lost_mails = sorted(expected_mails - set(copies))
    unexpected_mails = sorted(set(copies) - expected_mails)
    causes = explanations(faults)
    explained, unexplained = [], []
    for pair, got in sorted(copies.items()):
        if len(got) < 2:
            continue
        got.sort()
        ids = {m for _, m, _ in got}
        evidence = "%s %s: %s" % (pair[0], pair[1], ", ".join(
            "%s at %s" % (name, time.strftime("%H:%M:%S", time.localtime(at)) + ("%.3f" % (at % 1))[1:])
            for at, _, name in got))
        cause = next((c for c in causes if len(got) == 2 and len(ids) == 1 and c["budget"] > 0
                      and c["from"] <= got[0][0] <= c["to"] and got[1][0] > c["second_after"]), None)
        if cause is not None:
            cause["budget"] -= 1
            explained.append((cause["why"], "%s; first copy %+.3f s from the %s" % (
                evidence, got[0][0] - cause["at"], cause["why"])))
        else:
            nearest = min(faults, key=lambda f: abs(f[2] - got[0][0]), default=None)
            near = "; the nearest fault: %s %s, first copy %+.3f s from it" % (
                nearest[0], nearest[1], got[0][0] - nearest[2]) if nearest else ""
            unexplained.append(evidence + near +
                               ("" if len(ids) == 1 else "; Message-IDs differ: %s" % sorted(ids)))
    if lost_mails:
        failures.append("%d mails never sent, e.g. %s" % (len(lost_mails), lost_mails[:5]))
    if unexplained:
        failures.append("%d duplicate mails no mailer kill -9 or SMTP cut explains:\n    %s" % (
            len(unexplained), "\n    ".join(unexplained[:20])))
    if stray_mails or unexpected_mails:
        failures.append("mails of no event: %s %s" % (stray_mails[:5], unexpected_mails[:5]))

    dlq = {q: n for q, n in queues.items() if q.endswith(".dlq")}
    if any(dlq.values()):
        failures.append("dead-lettered: %s" % dlq)
    left = {q: n for q, n in queues.items() if n and not q.endswith(".dlq")}
    if left:
        failures.append("messages left in queues: %s" % left)
    if not quiet:
        failures.append("the system did not drain within %d s after the load" % QUIET_WITHIN)
    bad_exits = [(k, t, d) for k, t, _, d in faults if k == "SIGTERM" and d != "exit 0"]
    if bad_exits:
        failures.append("SIGTERM did not end in exit 0: %s" % bad_exits)

    kinds = collections.Counter(k for k, *_ in faults)
    figures = collections.OrderedDict()
    figures["faults injected"] = "%d (%s)" % (len(faults), ", ".join(
        "%s x%d" % (k, n) for k, n in kinds.items()))
    first = faults[0][2] if faults else 0
    figures["fault sequence"] = "; ".join("t+%.0fs %s %s%s" % (at - first, k, t, " (%s)" % d if d else "")
                                          for k, t, at, d in faults)
    figures["tasks started by the load"] = "%d (requests retried after an error: %d)" % (len(tasks), load.retried)
    figures["tasks acknowledged"] = "%d created, %d completed" % (len(acked), len(completed_acked))
    figures["tasks stored"] = "%d (%d completed); unacknowledged but stored: %d of %d" % (
        len(stored), n_completed, len(ambiguous), len(unacked))
    figures["tasks lost"] = "%d (completes lost: %d)" % (len(lost), len(completes_lost))
    figures["events"] = "%d in the outbox (%d expected from the tasks), %d unpublished" % (
        len(outbox), expected_events, len(unpublished))
    figures["notification records"] = "%d (missing %d, duplicate %d)" % (
        len(records), len(missing_records), sum(n - 1 for n in per_event.values()))
    why = collections.Counter(w for w, _ in explained)
    figures["mails"] = "expected %d, received %d, lost %d, doubled %d (explained %d, unexplained %d)" % (
        len(expected_mails), len(mails), len(lost_mails), len(explained) + len(unexplained),
        len(explained), len(unexplained))
    figures["explained by"] = "mailer kill -9: %d, SMTP cut after the message was accepted: %d" % (
        why[MAILER_KILL], why[SMTP_CUT])
    figures["DLQ"] = ", ".join("%s %d" % (q, n) for q, n in sorted(dlq.items())) or "none declared"
    if explained:
        figures["explained duplicates"] = [line for _, line in explained]
    return figures, failures


MAILER_KILL = "mailer's kill -9"
SMTP_CUT = "SMTP cut"


def explanations(faults):
    """The faults that may double a mail, with when its first copy must have
    been accepted and after when the second came; each covers at most one
    mail per handler thread."""
    causes = []
    for kind, target, at, _ in faults:
        if kind == "kill -9" and target == "mailer":
            # Sent, the reply read, the "mailed" mark in Redis never written:
            # the first copy came before the death (`at`, taken once it died);
            # or the whole message was on its way, and the server accepted
            # it just after the death. Either way the mailer never marked it.
            causes.append({"why": MAILER_KILL, "at": at, "from": at - EXPLAIN_WINDOW, "to": at + 1.0,
                           "second_after": at, "budget": CONCURRENCY})
        if kind == "cut" and target == "smtp":
            # The server accepted the message but its reply died in the cut, so
            # the mailer cannot know it was sent and sends it again (RFC 1047):
            # the first copy at the cut, the second once SMTP is back.
            causes.append({"why": SMTP_CUT, "at": at, "from": at - 0.25, "to": at + 1.0,
                           "second_after": at + CUT_FOR, "budget": CONCURRENCY})
    return causes


def table(figures, failures):
    width = max(len(k) for k in figures)
    lines = ["fault suite figures", "-" * 19]
    for key, value in figures.items():
        if isinstance(value, list):
            lines.append("%s:" % key)
            lines += ["  " + v for v in value]
        else:
            lines.append("%-*s  %s" % (width, key, value))
    lines.append("result: " + ("PASS" if not failures else "FAIL"))
    lines += ["  - " + f for f in failures]
    return "\n".join(lines)
