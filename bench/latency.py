"""Commit-to-notification latency: creates tasks at a steady rate through the
REST API, then reads for each task the notification record (MongoDB) and
its outbox row (Postgres), and reports p50/p99/max of:
  overall          record received_at - event occurred_at
  commit->publish  outbox published_at (handed to the broker) - created_at
  publish->record  record received_at - outbox published_at
received_at is stored in milliseconds (a BSON date), so the hops that end
there are at millisecond resolution.

    bench/latency.py HTTP_ADDR ADMIN_ADDR PG_URL MONGO_URL COUNT RATE [--json FILE]

Requests are sent on a pool of keep-alive connections, each request at its
scheduled time (start + i/RATE), so the rate holds even when one request is
slow; the achieved rate is printed. Exits 1 if a request fails. A record
still missing after 30 s is counted as late (an infinite latency).
"""
import argparse
import datetime
import http.client
import json
import math
import sys
import threading
import time

import psycopg
import pymongo

from events import processed, wait_processed


def parse(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))


def create_tasks(addr, count, rate, workers):
    host, port = addr.rsplit(":", 1)
    ids, errors = [None] * count, []
    lock = threading.Lock()
    state = {"next": 0}
    start = time.monotonic() + 0.05

    def work():
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        while True:
            with lock:
                i = state["next"]
                state["next"] += 1
            if i >= count:
                break
            time.sleep(max(0.0, start + i / rate - time.monotonic()))
            try:
                conn.request("POST", "/api/v1/tasks", body='{"title":"latency"}',
                             headers={"Content-Type": "application/json"})
                reply = conn.getresponse()
                body = reply.read()
                if reply.status != 201:
                    raise RuntimeError("status %d: %s" % (reply.status, body[:200]))
                ids[i] = json.loads(body)["id"]
            except Exception as e:  # noqa: BLE001 - reported, and the run fails
                errors.append(str(e))
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.close()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start
    return [i for i in ids if i], errors, count / elapsed


def records(mongo_url, admin, ids, started):
    """{task id: (occurred_at, received_at)} from the notification records,
    read from MongoDB in one query once the notifications consumer's counter
    (`started` before the first create) says they are all there, or 30 s
    have passed. MongoDB is not polled meanwhile: FerretDB answers a query
    on task_id by reading every record (see events.processed)."""
    wait_processed(admin, started + len(ids), 30)
    collection = pymongo.MongoClient(mongo_url, tz_aware=True).get_default_database()["notifications"]
    found = {}
    for doc in collection.find({"task_id": {"$in": ids}}, {"task_id": 1, "occurred_at": 1, "received_at": 1}):
        found[doc["task_id"]] = (parse(doc["occurred_at"]), doc["received_at"])
    return found


def outbox_times(pg_url, ids):
    """{task id: (created_at, published_at)}, or None if the outbox has no published_at."""
    with psycopg.connect(pg_url) as db:
        try:
            rows = db.execute("SELECT aggregate_id::text, created_at, published_at FROM outbox"
                              " WHERE aggregate_id = ANY(%s::uuid[])", (ids,)).fetchall()
        except psycopg.errors.UndefinedColumn:
            return None
    return {r[0]: (r[1], r[2]) for r in rows if r[2] is not None}


def stats(values):
    values = sorted(values)
    if not values:
        return None
    at = lambda q: values[min(len(values) - 1, max(0, math.ceil(q * len(values)) - 1))]  # noqa: E731
    return {"n": len(values), "p50": at(0.5), "p99": at(0.99), "max": values[-1]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("http")
    ap.add_argument("admin")
    ap.add_argument("pg_url")
    ap.add_argument("mongo_url")
    ap.add_argument("count", type=int)
    ap.add_argument("rate", type=float)
    ap.add_argument("--json")
    args = ap.parse_args()
    workers = max(2, min(64, int(args.rate / 10)))
    started = processed(args.admin)
    ids, errors, achieved = create_tasks(args.http, args.count, args.rate, workers)
    if errors:
        sys.exit("latency.py: %d creates failed, first: %s" % (len(errors), errors[0]))
    found = records(args.mongo_url, args.admin, ids, started)
    times = outbox_times(args.pg_url, ids)
    ms = lambda a, b: (a - b).total_seconds() * 1000  # noqa: E731
    overall, to_publish, to_record = [], [], []
    for task_id, (occurred, received) in found.items():
        overall.append(ms(received, occurred))
        if times and task_id in times:
            created, published = times[task_id]
            to_publish.append(ms(published, created))
            to_record.append(ms(received, published))
    result = {"count": args.count, "rate": args.rate, "achieved_rate": achieved, "workers": workers,
              "late": len(ids) - len(found), "overall": stats(overall + [math.inf] * (len(ids) - len(found))),
              "commit_publish": stats(to_publish) if times is not None else None,
              "publish_record": stats(to_record) if times is not None else None}
    show = lambda s: "p50 %.1f ms, p99 %.1f ms, max %.1f ms" % (s["p50"], s["p99"], s["max"]) if s else "n/a"  # noqa: E731
    print("commit->notification, %d tasks at %.0f/s (achieved %.0f/s, %d connections): %s"
          % (args.count, args.rate, achieved, workers, show(result["overall"])))
    print("  commit->publish: %s; publish->record: %s"
          % (show(result["commit_publish"]), show(result["publish_record"])))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f)
    if result["late"]:
        lost = [i for i in ids if i not in found]
        states = outbox_times(args.pg_url, lost) or {}
        print("  %d records late (none within 30 s), e.g.:" % result["late"])
        for task_id in lost[:3]:
            print("  task %s: its event published at %s" % (task_id, states.get(task_id, (None, "never"))[1]))


if __name__ == "__main__":
    main()
