"""Sustained events per second through notifications, and its yardstick.

    bench/events.py size PG_URL
        bytes of the newest task.created envelope in the outbox
    bench/events.py run PG_URL MONGO_URL ADMIN_ADDR N
        copies that envelope into N new outbox rows (fresh event and task
        ids) in one transaction, then times from its commit until N more
        notification records are in MongoDB (the newest one's processed_at):
        relay -> broker -> consumer -> Redis + MongoDB. While it waits it
        watches the notifications consumer's counter on ADMIN_ADDR's
        /metrics, not MongoDB (see processed()); the records are counted
        once it says done. Prints JSON {events, seconds, rate}.
    bench/events.py store MONGO_URL N
        the record store's own rate for the same records: copies of the
        newest notification record (fresh event ids) inserted N at a time
        into a scratch collection with the same indexes, 256 per unordered
        insertMany, as the consumer batches them; prints JSON {rate}.
    bench/events.py pika AMQP_URL SIZE SECONDS
        the fallback yardstick when PerfTest cannot run: one publisher
        waiting for each confirm, one consumer acking each message, on a
        quorum queue of its own; prints JSON {rate}. Slower than PerfTest, so a
        lenient yardstick.
"""
import json
import sys
import threading
import time
import urllib.request
import uuid

import psycopg

NEWEST = ("SELECT * FROM outbox WHERE event_type LIKE '%%task.created%%'"
          " ORDER BY position DESC LIMIT 1")


def size(pg_url):
    with psycopg.connect(pg_url) as db:
        cur = db.execute(NEWEST)
        row = cur.fetchone()
        if row is None:
            sys.exit("events.py: no task.created event in the outbox to copy")
        names = [d.name for d in cur.description]
        envelope = row[names.index("envelope")]
        return len(envelope if isinstance(envelope, str) else json.dumps(envelope, separators=(",", ":")))


def fill_sql(db, n):
    """The outbox's columns are read, not assumed: columns added later are
    copied from the template row."""
    columns = db.execute(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = 'outbox' ORDER BY ordinal_position").fetchall()
    names, exprs = [], []
    for name, data_type in columns:
        if name in ("position", "created_at", "published_at"):
            continue
        names.append(name)
        if name == "event_id":
            exprs.append("ids.e")
        elif name == "aggregate_id":
            exprs.append("ids.t")
        elif name == "envelope":
            exprs.append("jsonb_set(jsonb_set(tpl.envelope::text::jsonb, '{event_id}', to_jsonb(ids.e::text)),"
                         " '{payload,task_id}', to_jsonb(ids.t::text))::text::" + data_type)
        else:
            exprs.append("tpl." + name)
    return ("WITH tpl AS (%s), ids AS (SELECT gen_random_uuid() AS e, gen_random_uuid() AS t"
            " FROM generate_series(1, %d)) INSERT INTO outbox (%s) SELECT %s FROM tpl, ids"
            % (NEWEST, n, ", ".join(names), ", ".join(exprs)))


def processed(admin):
    """Events the notifications consumer has processed, from the process's
    /metrics. The benchmarks wait on this, not on MongoDB: FerretDB answers
    a count, even an estimated one, by reading every document (about a
    third of a second of its CPU for 5,000 records), and a query on
    task_id the same way, so polling MongoDB while it is written would
    take its CPU from the inserts being measured."""
    with urllib.request.urlopen("http://%s/metrics" % admin, timeout=5) as reply:
        for line in reply.read().decode().splitlines():
            if line.startswith("workstream_events_processed_total{") and '"workstream.notifications"' in line:
                return int(float(line.rsplit(" ", 1)[1]))
    return 0


def wait_processed(admin, target, seconds):
    """Until the consumer has processed `target` events, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while processed(admin) < target and time.monotonic() < deadline:
        time.sleep(0.05)


def run(pg_url, mongo_url, admin, n):
    """The rate ends at the newest record's processed_at (milliseconds),
    not at the poll that saw it."""
    import datetime
    import pymongo
    mongo = pymongo.MongoClient(mongo_url, tz_aware=True)
    records = mongo.get_default_database()["notifications"]
    before = records.estimated_document_count()
    started = processed(admin)
    with psycopg.connect(pg_url) as db:
        db.execute(fill_sql(db, n))
        db.commit()
        committed = datetime.datetime.now(datetime.timezone.utc)
    wait_processed(admin, started + n, 120)
    done = records.estimated_document_count() - before
    if done < n:
        sys.exit("events.py: %d of %d records after 120 s" % (done, n))
    last = records.find_one({}, {"processed_at": 1}, sort=[("processed_at", -1)])["processed_at"]
    seconds = (last - committed).total_seconds()
    print(json.dumps({"events": done, "seconds": seconds, "rate": done / seconds}))


def store_rate(mongo_url, n):
    import pymongo
    db = pymongo.MongoClient(mongo_url).get_default_database()
    records = db["notifications"]
    template = records.find_one({}, sort=[("received_at", -1)])
    if template is None:
        sys.exit("events.py: no notification record to copy")
    scratch = db["bench_store_rate"]
    scratch.drop()
    for name, spec in records.index_information().items():
        if name != "_id_":
            scratch.create_index(spec["key"], name=name, unique=spec.get("unique", False))
    docs = []
    for _ in range(n):
        doc = dict(template)
        doc.pop("_id")
        doc["event_id"] = str(uuid.uuid4())
        docs.append(doc)
    began = time.monotonic()
    for i in range(0, n, 256):
        scratch.insert_many(docs[i:i + 256], ordered=False)
    seconds = time.monotonic() - began
    scratch.drop()
    print(json.dumps({"rate": n / seconds}))


def pika_rate(amqp_url, size, seconds):
    import pika
    queue = "bench.yardstick." + uuid.uuid4().hex[:8]
    params = pika.URLParameters(amqp_url)
    setup = pika.BlockingConnection(params)
    setup.channel().queue_declare(queue, durable=True, arguments={"x-queue-type": "quorum"})
    consumed, stop = [0], threading.Event()

    def consume():
        conn = pika.BlockingConnection(params)
        ch = conn.channel()
        ch.basic_qos(prefetch_count=100)
        for method, _, _ in ch.consume(queue, inactivity_timeout=0.2):
            if method:
                ch.basic_ack(method.delivery_tag)
                consumed[0] += 1
            elif stop.is_set():
                break
        conn.close()

    consumer = threading.Thread(target=consume)
    consumer.start()
    ch = pika.BlockingConnection(params).channel()
    ch.confirm_delivery()
    body = b"x" * size
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        ch.basic_publish("", queue, body, pika.BasicProperties(delivery_mode=2))
    counted_at, count = time.monotonic(), consumed[0]
    stop.set()
    consumer.join()
    setup.channel().queue_delete(queue)
    setup.close()
    print(json.dumps({"rate": count / (counted_at - began)}))


def main():
    verb = sys.argv[1] if len(sys.argv) > 1 else ""
    if verb == "size" and len(sys.argv) == 3:
        print(size(sys.argv[2]))
    elif verb == "run" and len(sys.argv) == 6:
        run(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
    elif verb == "store" and len(sys.argv) == 4:
        store_rate(sys.argv[2], int(sys.argv[3]))
    elif verb == "pika" and len(sys.argv) == 5:
        pika_rate(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
