"""Commit-to-notification latency: creates tasks at a steady, moderate rate
through the REST API and reads, for each, the time from the event's
occurred_at (the commit) to the notification record's received_at.

    bench/latency.py HTTP_ADDR ADMIN_ADDR [count] [rate_per_second]
"""
import datetime
import statistics
import sys
import time

import requests


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def main():
    http, admin = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    rate = float(sys.argv[4]) if len(sys.argv) > 4 else 50.0
    session = requests.Session()
    ids = []
    for _ in range(count):
        began = time.monotonic()
        task = session.post("http://%s/api/v1/tasks" % http, json={"title": "latency"}).json()
        ids.append(task["id"])
        time.sleep(max(0.0, 1.0 / rate - (time.monotonic() - began)))
    latencies = []
    deadline = time.monotonic() + 30
    for task_id in ids:
        while True:
            reply = session.get("http://%s/debug/notifications" % admin, params={"task_id": task_id})
            items = reply.json().get("items", []) if reply.ok else []
            if items or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        if items:
            record = items[0]
            latencies.append((parse(record["received_at"]) - parse(record["occurred_at"])).total_seconds() * 1000)
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print("commit->notification over %d tasks at %.0f/s: p50 %.1f ms, p99 %.1f ms, max %.1f ms, mean %.1f ms"
          % (len(latencies), rate, p(0.5), p(0.99), latencies[-1], statistics.mean(latencies)))
    if len(latencies) != count:
        print("missing records: %d" % (count - len(latencies)))
        sys.exit(1)


if __name__ == "__main__":
    main()
