#!/usr/bin/env bash
# The benchmarks of DESIGN §9, side by side with the servers' own tools, on
# this machine: see bench/README.md. Uses the release build and the local
# servers, in a Postgres schema of its own that it drops afterwards.
#
#   bench/run.sh            CONCURRENCY=8 DURATION=10 by default
set -euo pipefail
trap 'echo "bench/run.sh: line $LINENO failed" >&2' ERR
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
concurrency=${CONCURRENCY:-8}
duration=${DURATION:-10}

bash scripts/setup.sh >/dev/null
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then apt-get install -y -q wrk >/dev/null; else sudo apt-get install -y -q wrk >/dev/null; fi
fi
cmake --preset release >/dev/null
cmake --build --preset release --target workstream >/dev/null
eval "$(bash scripts/servers.sh start 2>/dev/null)"
bin=build/release/src/workstream

schema="bench_$$"
psql -q "$WORKSTREAM_POSTGRES_URL" -c "CREATE SCHEMA $schema"
pg_url="$WORKSTREAM_POSTGRES_URL?options=-csearch_path%3D$schema"
vhost_url=$(bash scripts/servers.sh vhost "$schema")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql -q "$WORKSTREAM_POSTGRES_URL" -c "DROP SCHEMA $schema CASCADE" || true
  bash scripts/servers.sh drop-vhost "$schema"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start ROLE... : starts one process; sets admin, http and pid.
start() {
  admin=127.0.0.1:$(free_port) http=127.0.0.1:$(free_port)
  WORKSTREAM_POSTGRES_URL=$pg_url WORKSTREAM_RABBITMQ_URL=$vhost_url \
  WORKSTREAM_MONGO_URL="${WORKSTREAM_MONGO_URL%/*}/$schema" \
  WORKSTREAM_ADMIN_ADDR=$admin WORKSTREAM_HTTP_ADDR=$http WORKSTREAM_GRPC_ADDR=127.0.0.1:$(free_port) \
  WORKSTREAM_TASKS_ADDR=127.0.0.1:1 WORKSTREAM_MIGRATE_ON_START=true WORKSTREAM_LOG_LEVEL=warn \
  WORKSTREAM_MAIL_FROM=bench@example.com \
    "$bin" serve --role="$1" >/dev/null &
  pid=$!
  pids+=("$pid")
}

# Sets ms: milliseconds from exec to the first 200 from /ready.
start_to_ready() {
  local began
  began=$(date +%s%N)
  start "$1"
  until curl -sf "http://$admin/ready" >/dev/null; do sleep 0.005; done
  ms=$((($(date +%s%N) - began) / 1000000))
}

# wrk's requests per second, refusing a run with errors.
wrk_rate() {
  local out
  out=$(wrk "$@")
  if grep -q "Non-2xx" <<<"$out"; then echo "wrk saw errors:" >&2; echo "$out" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}

echo "== start to ready, idle memory (RSS after 3 s idle)"
for role in tasks notifications mailer all; do
  start_to_ready "$role"
  sleep 3
  echo "$role: ready in ${ms} ms, idle RSS $(($(ps -o rss= -p "$pid") / 1024)) MiB"
  kill "$pid"; wait "$pid" 2>/dev/null || true
done

# The request path alone: the relay publishes, no consumers compete for the cores.
start gateway,tasks
until curl -sf "http://$admin/ready" >/dev/null; do sleep 0.05; done

echo "== create: REST -> gRPC -> Postgres (task + outbox row) vs pgbench, $concurrency connections, ${duration}s"
rest=$(wrk_rate -t2 -c"$concurrency" -d"${duration}s" -s bench/create_task.lua "http://$http/api/v1/tasks")
pg=$(pgbench -n -c "$concurrency" -j2 -T "$duration" -M prepared -f bench/pgbench_create.sql "$pg_url" 2>/dev/null |
  awk '/^tps/ {print $3; exit}')
echo "REST create: $rest req/s; pgbench same inserts: $pg tps; ratio $(python3 -c "print(f'{$rest/$pg:.0%}')")"

echo "== read: GET /api/v1/tasks/{id} vs pgbench prepared SELECT, $concurrency connections, ${duration}s"
task_id=$(curl -s -X POST "http://$http/api/v1/tasks" -H 'Content-Type: application/json' -d '{"title":"read me"}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
rest=$(TASK_ID=$task_id wrk_rate -t2 -c"$concurrency" -d"${duration}s" -s bench/get_task.lua "http://$http")
pg=$(pgbench -n -c "$concurrency" -j2 -T "$duration" -M prepared -D task_id="$task_id" -f bench/pgbench_get.sql "$pg_url" 2>/dev/null |
  awk '/^tps/ {print $3; exit}')
echo "REST get: $rest req/s; pgbench same SELECT: $pg tps; ratio $(python3 -c "print(f'{$rest/$pg:.0%}')")"

kill "$pid"; wait "$pid" 2>/dev/null || true
# The throughput runs left their events queued; latency is measured on an empty queue.
for queue in workstream.notifications workstream.mailer; do
  bash scripts/servers.sh rabbitmqctl -q purge_queue -p "$schema" "$queue" >/dev/null
done
start all
until curl -sf "http://$admin/ready" >/dev/null; do sleep 0.05; done
echo "== commit to notification record"
.venv/bin/python bench/latency.py "$http" "$admin" 300 50
