"""The compose stack seen from outside: a task with an assignee goes in
through the gateway, is completed, and comes out as two notification records
(the debug API) and two mails (Mailpit's API), each exactly once.

    smoke.py GATEWAY_URL MAILPIT_URL NOTIFICATIONS_ADMIN_URL
"""
import json
import sys
import time
import urllib.request
import uuid


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def wait_for(what, probe, seconds=90):
    deadline = time.monotonic() + seconds
    while True:
        value = probe()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            sys.exit(f"smoke: FAILED: {what} within {seconds}s")
        time.sleep(0.5)


def main(gateway, mailpit, notifications):
    recipient = f"smoke-{uuid.uuid4().hex[:12]}@example.com"
    status, task = call("POST", f"{gateway}/api/v1/tasks",
                        {"title": "Compose smoke test", "assignee_email": recipient})
    assert status == 201, (status, task)
    print(f"smoke: created task {task['id']} for {recipient}")
    status, done = call("POST", f"{gateway}/api/v1/tasks/{task['id']}/complete")
    assert status == 200 and done["status"] == "completed", (status, done)
    print("smoke: completed it")

    def records():
        status, page = call("GET", f"{notifications}/debug/notifications?task_id={task['id']}")
        assert status == 200, (status, page)
        return page["items"] if len(page["items"]) >= 2 else None

    types = sorted(item["event_type"] for item in wait_for("two notification records", records))
    assert types == ["workstream.task.completed.v1", "workstream.task.created.v1"], types
    print("smoke: notification records:", ", ".join(types))

    def mails():
        status, found = call("GET", f"{mailpit}/api/v1/search?query=to:{recipient}")
        assert status == 200, (status, found)
        return found["messages"] if found["messages_count"] >= 2 else None

    subjects = sorted(message["Subject"] for message in wait_for("two mails in Mailpit", mails))
    print("smoke: mails:", " | ".join(subjects))
    time.sleep(3)  # a duplicate, if any, would arrive by now
    assert len(records()) == 2, "a notification record was doubled"
    assert len(mails()) == 2, "a mail was doubled"
    print("smoke: passed: 1 task, 2 records, 2 mails, no duplicates")


if __name__ == "__main__":
    main(*sys.argv[1:4])
