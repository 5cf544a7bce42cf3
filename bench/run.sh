#!/usr/bin/env bash
# Workstream against its performance targets, side by side with the servers' own tools, on
# this machine: see bench/README.md. Works in a Postgres schema, RabbitMQ
# vhost and MongoDB database of its own, dropped afterwards.
#
#   bench/run.sh [--strict]      --strict: exit 3 when a target is missed
#
#   WORKSTREAM_BIN   the binary to measure (default: build the release preset)
#   WORKSTREAM_GRPC_FLOOR  bench/grpc_floor.cpp built (default: beside
#                    WORKSTREAM_BIN's build, bench/workstream_grpc_floor)
#   CONCURRENCY      connections for wrk and pgbench (default "8 32")
#   DURATION         seconds per wrk or pgbench run (default 10)
#   EVENTS           events for the sustained notifications rate (default 5000)
#   PARTS            which parts to run (default "ready load latency events")
set -euo pipefail
trap 'echo "bench/run.sh: line $LINENO failed" >&2' ERR
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
strict=0
case "${1:-}" in
  --strict) strict=1 ;;
  "") ;;
  *) echo "usage: bench/run.sh [--strict]" >&2; exit 2 ;;
esac
concurrencies=${CONCURRENCY:-8 32}
duration=${DURATION:-10}
events=${EVENTS:-5000}
parts=" ${PARTS:-ready load latency events} "
want() { [[ $parts == *" $1 "* ]]; }
for part in $parts; do
  case $part in
    ready|load|latency|events) ;;
    *) echo "bench/run.sh: unknown part in PARTS: $part (the parts: ready load latency events)" >&2; exit 2 ;;
  esac
done
run_began=$SECONDS

bash scripts/setup.sh >/dev/null
bash scripts/packages.sh wrk
py=$root/.venv/bin/python
if [ -n "${WORKSTREAM_BIN:-}" ]; then
  bin=$WORKSTREAM_BIN
  [ -x "$bin" ] || { echo "bench/run.sh: WORKSTREAM_BIN=$bin is not an executable" >&2; exit 2; }
  floor=${WORKSTREAM_GRPC_FLOOR:-$(dirname "$bin")/../bench/workstream_grpc_floor}
else
  cmake --preset release >/dev/null
  cmake --build --preset release --target workstream workstream_grpc_floor >/dev/null
  bin=$root/build/release/src/workstream
  floor=$root/build/release/bench/workstream_grpc_floor
fi
if want load && [ ! -x "$floor" ]; then
  echo "bench/run.sh: no gRPC floor tool at $floor (build the target workstream_grpc_floor, or set WORKSTREAM_GRPC_FLOOR)" >&2
  exit 2
fi
# The servers are shared: start them only when one is down (start is
# idempotent, but a running set needs only its addresses).
# (The status is read whole first: grep -q stops reading at the first
# match, and under pipefail the writer's SIGPIPE would read as "all up".)
if grep -q ': down' <<<"$(bash scripts/servers.sh status)"; then
  eval "$(bash scripts/servers.sh start 2>/dev/null)"
else
  eval "$(bash scripts/servers.sh env)"
fi

# Postgres's CPU is read from /proc under its postmaster: the process that
# listens on the URL's port.
listener_pid() { ss -ltnpH "sport = :$1" | grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2; }
pg_port=$(sed -E 's|.*:([0-9]+)/[^/]*$|\1|' <<<"$WORKSTREAM_POSTGRES_URL")
postmaster=$(listener_pid "$pg_port")
[ -n "$postmaster" ] || { echo "bench/run.sh: no process listens on Postgres's port $pg_port" >&2; exit 1; }
url_port() { sed -E 's|^[a-z]+://([^@/]*@)?[^:/]*:([0-9]+).*|\2|' <<<"$1"; }
broker_pid=$(listener_pid "$(url_port "$WORKSTREAM_RABBITMQ_URL")")

schema="bench_$$"
work=$(mktemp -d /tmp/workstream-bench.XXXXXX)
results=$work/results.jsonl
pg_url="$WORKSTREAM_POSTGRES_URL?options=-csearch_path%3D$schema"
mongo_url="${WORKSTREAM_MONGO_URL%/*}/$schema"
pids=()
stop_pid() { # pid: TERM, then KILL after 5 s; the processes are not this shell's children
  kill "$1" 2>/dev/null || return 0
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
  kill -9 "$1" 2>/dev/null || true
}
stop_all() {
  for p in "${pids[@]}"; do stop_pid "$p"; done
  pids=()
}
cleanup() {
  local status=$?
  stop_all
  # Exit 3 (--strict, a target missed) is a result, not a failure.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ] && [ -n "$(ls "$work"/*.log 2>/dev/null)" ]; then
    mkdir -p "$work.logs" && cp "$work"/*.log "$work"/*.out "$work.logs/" 2>/dev/null || true
    echo "bench/run.sh: the processes' logs are in $work.logs" >&2
  fi
  psql -q "$WORKSTREAM_POSTGRES_URL" -c "SET client_min_messages = warning" -c "DROP SCHEMA $schema CASCADE" || true
  bash scripts/servers.sh drop-vhost "$schema" || true
  "$py" -c 'import pymongo,sys; pymongo.MongoClient(sys.argv[1]).drop_database(sys.argv[2])' \
    "$mongo_url" "$schema" || true
  rm -rf "$work"
}
trap cleanup EXIT
psql -q "$WORKSTREAM_POSTGRES_URL" -c "CREATE SCHEMA $schema"
vhost_url=$(bash scripts/servers.sh vhost "$schema")

section() { echo "== [$((SECONDS - run_began)) s] $*"; }
free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
check() { "$py" bench/report.py "$results" check "$@"; }
calc() { "$py" -c "print($1)"; }
field() { # FILE KEY...: one value of a JSON file
  "$py" -c 'import json,sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2:]: v = v[k]
print(v)' "$@"
}

# start ROLE [TASKS_ADDR]: one process, timed to ready; sets pid, admin, http, grpc, ms.
start() {
  admin=127.0.0.1:$(free_port) http=127.0.0.1:$(free_port) grpc=127.0.0.1:$(free_port)
  local out
  out=$(WORKSTREAM_POSTGRES_URL=$pg_url WORKSTREAM_RABBITMQ_URL=$vhost_url WORKSTREAM_MONGO_URL=$mongo_url \
    WORKSTREAM_ADMIN_ADDR=$admin WORKSTREAM_HTTP_ADDR=$http WORKSTREAM_GRPC_ADDR=$grpc \
    WORKSTREAM_TASKS_ADDR=${2:-127.0.0.1:1} WORKSTREAM_MIGRATE_ON_START=false WORKSTREAM_LOG_LEVEL=warn \
    WORKSTREAM_MAIL_FROM=bench@example.com \
    "$py" bench/ready.py "$admin" "$work/${1//,/+}.log" -- "$bin" serve --role="$1")
  pid=${out% *} ms=${out#* }
  pids+=("$pid")
}

# Waits until the relay has published every outbox row (when the outbox
# has a published_at), then until the broker has digested them (its CPU
# under a tenth of a core for half a second, at most 30 s), and vacuums
# what the creates wrote: the run after it, reads, then pays for none of
# the creates' work, as pgbench's reads pay for none of its inserts'.
# Prints how long each took.
drain() {
  local began=$SECONDS pending
  while pending=$(psql -tAq "$pg_url" -c "SELECT count(*) FROM outbox WHERE published_at IS NULL" 2>/dev/null) &&
    [ "$pending" -gt 0 ] && [ $((SECONDS - began)) -lt 120 ]; do sleep 0.2; done
  local published=$SECONDS busy=""
  if [ -n "$broker_pid" ]; then
    local hz ticks last
    hz=$(getconf CLK_TCK)
    last=$(awk '{print $14 + $15}' "/proc/$broker_pid/stat")
    while [ $((SECONDS - published)) -lt 30 ]; do
      sleep 0.5
      ticks=$(awk '{print $14 + $15}' "/proc/$broker_pid/stat")
      [ $(((ticks - last) * 20)) -lt "$hz" ] && break # under 0.1 core
      last=$ticks
    done
    busy="; broker settled in $((SECONDS - published)) s"
  fi
  psql -q "$pg_url" -c "VACUUM (ANALYZE) tasks" -c "VACUUM (ANALYZE) outbox"
  echo "  (relay backlog drained in $((published - began)) s; ${pending:-?} left$busy)"
}

# measure KEY PIDS COMMAND...: runs a load under bench/measure.py into $work/KEY.json.
measure() {
  local key=$1 ws=$2; shift 2
  "$py" bench/measure.py --ws "$ws" --pg "$postmaster" --pg-url "$pg_url" ${broker_pid:+--servers broker=$broker_pid} \
    --out "$work/$key.out" -- "$@" >"$work/$key.json"
  if [ "$(field "$work/$key.json" errors)" != 0 ]; then
    echo "bench/run.sh: $key saw errors:" >&2; cat "$work/$key.out" >&2; exit 1
  fi
}

WORKSTREAM_POSTGRES_URL=$pg_url "$bin" migrate >>"$work/setup.log" 2>&1
WORKSTREAM_RABBITMQ_URL=$vhost_url "$bin" topology declare >>"$work/setup.log" 2>&1
section "$("$bin" version | head -n 1); $(nproc) cores; concurrency $concurrencies; ${duration}s per run"

if want ready; then
section "start to ready (schema migrated, topology declared), idle RSS after 3 s"
declare -A ready_ms
start tasks; ready_ms[tasks]=$ms
start gateway "$grpc"; ready_ms[gateway]=$ms
for role in notifications mailer all; do start "$role"; ready_ms[$role]=$ms; done
sleep 3
i=0
for role in tasks gateway notifications mailer all; do
  check "start to ready, $role" "${ready_ms[$role]}" ms --max 200
  rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/${pids[$i]}/status")
  check "idle RSS, $role" "$(calc "$rss_kb / 1024")" MiB --max 30
  i=$((i + 1))
done
stop_all
fi

task_id=$(psql -tAq "$pg_url" -c "INSERT INTO tasks (id, title, status, created_at, updated_at)
  VALUES (gen_random_uuid(), 'read me', 'open', now(), now()) RETURNING id" | head -n 1)
if want load; then
section "yardsticks: pgbench, the same inserts and the same prepared SELECT (no Workstream process up)"
for c in $concurrencies; do
  top=$(psql -tAq "$pg_url" -c "SELECT coalesce(max(position), 0) FROM outbox")
  measure "pg-create-$c" "" pgbench -n -c "$c" -j2 -T "$duration" -M prepared -f bench/pgbench_create.sql "$pg_url"
  # pgbench's outbox rows are not events: no relay may ever see them.
  psql -q "$pg_url" -c "DELETE FROM outbox WHERE position > $top"
  measure "pg-get-$c" "" pgbench -n -c "$c" -j2 -T "$duration" -M prepared -D task_id="$task_id" \
    -f bench/pgbench_get.sql "$pg_url"
  for op in create get; do
    "$py" -c 'import json,sys; r=json.load(open(sys.argv[1])); print("pgbench %s, c=%s: %.0f tps" % (sys.argv[2], sys.argv[3], r["rate"]))' \
      "$work/pg-$op-$c.json" "$op" "$c"
  done
done
# pgbench wrote tens of thousands of rows, and deleted its outbox rows: the
# tables are vacuumed and analysed now, so that autovacuum does not do it
# during Workstream's runs, which pgbench's own never shared.
psql -q "$pg_url" -c "VACUUM (ANALYZE) tasks" -c "VACUUM (ANALYZE) outbox"

# run_shape LABEL CREATE-MIN GET-MIN NAME=PID,...: wrk create and get at each concurrency.
run_shape() {
  local label=$1 create_min=$2 get_min=$3 ws=$4 c op
  for c in $concurrencies; do
    for op in create get; do
      local args=(-t2 -c"$c" -s bench/create_task.lua "http://$http/api/v1/tasks")
      [ "$op" = get ] && args=(-t2 -c"$c" -s bench/get_task.lua "http://$http")
      TASK_ID=$task_id wrk "${args[@]}" -d2s >/dev/null # warm-up: pools and threads at their size
      drain # the warm-up's creates, or the measured creates before these reads
      TASK_ID=$task_id measure "ws-$op-$label-$c" "$ws" wrk "${args[@]}" -d"${duration}s"
      local min=$create_min
      [ "$op" = get ] && min=$get_min
      "$py" bench/report.py "$results" load "$op, $label, c=$c" "$work/ws-$op-$label-$c.json" "$work/pg-$op-$c.json" "$min"
    done
  done
}

section "REST vs pgbench, gateway and tasks in one process (--role=gateway,tasks)"
start gateway,tasks
run_shape co-located 0.7 0.5 "gateway+tasks=$pid"
# The same HTTP server with nothing behind it: what a request costs before
# any database work (the floor under the rows above).
for c in $concurrencies; do
  wrk -t2 -c"$c" -d2s "http://$admin/health" >/dev/null
  measure "ws-health-$c" "gateway+tasks=$pid" wrk -t2 -c"$c" -d"${duration}s" "http://$admin/health"
  "$py" bench/report.py "$results" cost "HTTP alone (GET /health on the admin listener, one I/O thread), c=$c" "$work/ws-health-$c.json"
done
stop_all

section "REST vs pgbench, gateway and tasks as two processes (gRPC over loopback)"
start tasks
tasks_pid=$pid
start gateway "$grpc"
run_shape "two processes" 0.6 0.35 "tasks=$tasks_pid,gateway=$pid"
stop_all
# gRPC alone in the same shape (bench/grpc_floor.cpp), and what it leaves
# the rows above: the most the cores allow if each part cost what it costs
# alone.
for c in $concurrencies; do
  "$floor" "$c" "$duration" >"$work/grpc-$c.json"
  "$py" bench/report.py "$results" grpc "gRPC alone (unary GetTask between two processes, each side on an event loop thread), c=$c" "$work/grpc-$c.json"
  for op in create get; do
    min=0.6
    [ "$op" = get ] && min=0.35
    "$py" bench/report.py "$results" ceiling "ceiling, $op, two processes, c=$c" "$work/grpc-$c.json" \
      "$work/ws-$op-co-located-$c.json" "$work/ws-$op-two processes-$c.json" "$work/pg-$op-$c.json" "$min"
  done
done
fi

# The throughput runs left their events queued; latency is measured on an empty queue.
for queue in workstream.notifications workstream.mailer; do
  bash scripts/servers.sh rabbitmqctl -q purge_queue -p "$schema" "$queue" >/dev/null
done
if want latency; then
section "commit to notification record, --role=all"
start all
# Where the CPU goes while the driver runs: each server's process tree,
# found by the port it listens on.
servers=""
for pair in rabbitmq:$WORKSTREAM_RABBITMQ_URL mongodb:$WORKSTREAM_MONGO_URL redis:$WORKSTREAM_REDIS_URL smtp:$WORKSTREAM_SMTP_URL; do
  server_pid=$(listener_pid "$(url_port "${pair#*:}")")
  [ -n "$server_pid" ] && servers+="${servers:+,}${pair%%:*}=$server_pid"
done
for spec in "300 50 10" "1000 500 50"; do
  read -r count rate p99_max <<<"$spec"
  "$py" bench/measure.py --ws "all=$pid" --pg "$postmaster" --pg-url "$pg_url" --servers "$servers" \
    --out "$work/latency-$rate.out" -- "$py" bench/latency.py "$http" "$admin" "$pg_url" "$mongo_url" "$count" "$rate" \
    --json "$work/latency-$rate.json" >"$work/latency-$rate.cpu.json"
  cat "$work/latency-$rate.out"
  j=$work/latency-$rate.json
  hops=$("$py" -c '
import json, sys
r = json.load(open(sys.argv[1]))
show = lambda s: "p50 %.1f, p99 %.1f, max %.1f ms" % (s["p50"], s["p99"], s["max"]) if s else "n/a"
print("p50 %.1f ms, max %.1f ms; commit->publish %s; publish->record %s; achieved %.0f/s; late %d" % (
    r["overall"]["p50"], r["overall"]["max"], show(r["commit_publish"]), show(r["publish_record"]),
    r["achieved_rate"], r["late"]) + ("; the client fell short of the rate" if r["achieved_rate"] < 0.9 * r["rate"] else ""))' "$j")
  check "commit to notification p99, $count tasks at $rate/s" "$(field "$j" overall p99)" ms --max "$p99_max" --note "$hops"
  check "CPU per task, $count tasks at $rate/s" "$(calc "round($(field "$work/latency-$rate.cpu.json" ws_cpu_us) / $count)")" µs \
    --note "$("$py" -c '
import json, sys
m, n = json.load(open(sys.argv[1])), int(sys.argv[2])
parts = {"Postgres": m["pg_cpu_us"], "the driver (latency.py)": m["tool_cpu_us"]}
parts.update(m["servers_cpu_us"])
print("Workstream (every role, the whole chain); beside it, per task: " + ", ".join(
    "%s %.0f µs" % (k, v / n) for k, v in sorted(parts.items(), key=lambda kv: -kv[1])))' \
    "$work/latency-$rate.cpu.json" "$count")"
done
stop_all
fi

if want events; then
section "sustained events through notifications vs the broker's publish-confirm + consume-ack rate"
for queue in workstream.notifications workstream.mailer; do
  bash scripts/servers.sh rabbitmqctl -q purge_queue -p "$schema" "$queue" >/dev/null
done
# The events copy a task.created event: when no part before made one, one
# task is created through REST.
if ! grep -q . <<<"$(psql -tAq "$pg_url" -c "SELECT 1 FROM outbox WHERE event_type LIKE '%task.created%' LIMIT 1")"; then
  start gateway,tasks
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d '{"title": "benchmark task", "assignee_email": "bench@example.com"}' "http://$http/api/v1/tasks"
  drain
  stop_all
fi
start tasks,notifications
size=$("$py" bench/events.py size "$pg_url")
"$py" bench/events.py run "$pg_url" "$mongo_url" "$admin" "$events" >"$work/events.json"
stop_all
# Where the ceiling is: MongoDB (FerretDB here) inserting the same records on its own.
store_rate=$("$py" bench/events.py store "$mongo_url" "$events" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["rate"])')
if rate=$(bash bench/perftest.sh "$vhost_url" "$size" "$duration"); then
  tool="RabbitMQ PerfTest, 1 producer with confirms, 1 consumer with acks"
else
  echo "PerfTest cannot run; the yardstick is a Python (pika) loop instead" >&2
  rate=$("$py" bench/events.py pika "$vhost_url" "$size" "$duration" | "$py" -c 'import json,sys; print(json.load(sys.stdin)["rate"])')
  tool="a pika loop: 1 publisher waiting for each confirm, 1 consumer acking each"
fi
check "events through notifications, $events events of $size bytes" "$(field "$work/events.json" rate)" events/s \
  --yardstick "$rate" --yunit "msg/s ($tool)" --min 0.5 \
  --note "the record store alone inserts the same records at $(calc "round($store_rate)")/s (256 per insertMany, nothing else running), $(calc "round($store_rate / $rate, 2)")× of the yardstick: Workstream ran at $(calc "round($(field "$work/events.json" rate) / $store_rate, 2)")× of that"
fi

echo
section "summary ($(date -u +%Y-%m-%d), $(nproc) cores, concurrency $concurrencies, ${duration}s per run, total $((SECONDS - run_began)) s)"
echo
status=0
"$py" bench/report.py "$results" table || status=$?
[ "$status" -le 3 ] || exit "$status"
[ "$strict" -eq 1 ] && [ "$status" -eq 3 ] && exit 3
exit 0
