#!/usr/bin/env bash
# A walk through Workstream against a running system, printing each step and
# its result: a task is created with an assignee, shown and completed; then
# the outbox, the notification records, the mails, and the task's whole
# journey (`workstream trace`); then a poison message shows the dead-letter
# queue and a replay.
#
#   scripts/demo.sh             against `scripts/run.sh` (the local servers and
#                               one `serve --role=all` with config/local.env)
#   scripts/demo.sh --compose   against `docker compose up` (compose.yaml, .env)
#
# Variables already set win: DEMO_GATEWAY_URL, DEMO_ADMIN_URL (the
# notifications role's admin listener), WORKSTREAM_BIN, the WORKSTREAM_*
# server URLs, WORKSTREAM_TEST_MAILDIR (the local SMTP sink's mails),
# DEMO_COMPOSE (the compose command, default `docker compose`), DEMO_ENV_FILE
# (compose's variables, default .env).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=local
case "${1:-}" in
  "") ;;
  --compose) mode=compose ;;
  *) echo "usage: $0 [--compose]" >&2; exit 2 ;;
esac

step=0
say() { printf '\n\033[1m%d. %s\033[0m\n' "$((step += 1))" "$*"; }
show() { printf '   $ %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }
pretty() { python3 -m json.tool; }
for tool in curl python3; do command -v "$tool" >/dev/null || fail "$tool is needed"; done

if [ "$mode" = local ]; then
  # The settings scripts/run.sh uses, where not set already.
  while IFS='=' read -r name value; do
    [[ "$name" =~ ^WORKSTREAM_ ]] && [ -z "${!name:-}" ] && export "$name=$value"
  done < <(bash "$root/scripts/servers.sh" env | sed 's/^export //'; grep -v '^#' "$root/config/local.env")
  gateway=${DEMO_GATEWAY_URL:-http://$WORKSTREAM_HTTP_ADDR}
  admin=${DEMO_ADMIN_URL:-http://$WORKSTREAM_ADMIN_ADDR}
  bin=${WORKSTREAM_BIN:-}
  for candidate in "$root/build/release/src/workstream" "$root/build/dev/src/workstream"; do
    [ -n "$bin" ] || { [ -x "$candidate" ] && bin=$candidate; } || true
  done
  [ -n "$bin" ] || fail "no workstream binary: run scripts/run.sh first, or set WORKSTREAM_BIN"
  run_cli() { "$bin" "$@"; }
else
  read -r -a compose <<<"${DEMO_COMPOSE:-docker compose}"
  env_value() { sed -n "s/^$1=//p" "${DEMO_ENV_FILE:-$root/.env}" 2>/dev/null | tail -1; }
  gateway=${DEMO_GATEWAY_URL:-http://127.0.0.1:$(env_value GATEWAY_PORT | grep . || echo 8080)}
  admin=
  mailpit=http://127.0.0.1:$(env_value MAILPIT_UI_PORT | grep . || echo 8025)
  rabbitmq_ui=http://127.0.0.1:$(env_value RABBITMQ_UI_PORT | grep . || echo 15672)
  run_cli() { (cd "$root" && "${compose[@]}" run --rm -T admin "$@"); }
  show_cli() { show "docker compose run --rm admin $*"; }
fi
[ "$mode" = compose ] || show_cli() { show "workstream $*"; }
cli() { show_cli "$@"; run_cli "$@"; }
# wait_for_dlq EVENT_ID [TEXT]: until `dlq show` finds the message (with TEXT
# in what it prints), up to 60 s. The consumer dead-letters within moments,
# but its first dead-letter also opens the connection it publishes on.
wait_for_dlq() {
  local waited=0
  until run_cli dlq show "$1" 2>/dev/null | grep -q -- "${2:-$1}"; do
    [ $((waited += 1)) -le 60 ] || fail "$1 did not reach the dead-letter queue in 60 s"
    sleep 1
  done
}

curl -fsS "$gateway/api/v1/tasks?limit=1" >/dev/null ||
  fail "the gateway does not answer at $gateway: start the system first (scripts/run.sh, or docker compose up)"

run=$(date +%s)-$$
assignee="demo-$run@example.com"
request_id="demo-$run"

say "Create a task assigned to $assignee"
show "curl -X POST $gateway/api/v1/tasks -H 'X-Request-Id: $request_id' ..."
created=$(curl -fsS -X POST "$gateway/api/v1/tasks" -H 'Content-Type: application/json' \
  -H "X-Request-Id: $request_id" -H "Idempotency-Key: $request_id" \
  -d "{\"title\": \"Try Workstream\", \"description\": \"The demo's task\", \"assignee_email\": \"$assignee\"}")
pretty <<<"$created"
task=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' <<<"$created")

say "Show it"
show "curl $gateway/api/v1/tasks/$task"
curl -fsS "$gateway/api/v1/tasks/$task" | pretty

say "Complete it"
show "curl -X POST $gateway/api/v1/tasks/$task/complete"
curl -fsS -X POST "$gateway/api/v1/tasks/$task/complete" -H "X-Request-Id: $request_id-complete" | pretty

say "The outbox: what waits to be published, and which relay publishes"
sleep 1
cli outbox status

if [ -n "$admin" ]; then
  say "The notification records (the notifications role's debug API)"
  show "curl $admin/debug/notifications?task_id=$task"
  for _ in $(seq 50); do
    records=$(curl -fsS "$admin/debug/notifications?task_id=$task")
    [ "$(python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))' <<<"$records")" -ge 2 ] && break
    sleep 0.2
  done
  pretty <<<"$records"
fi

say "The mails to $assignee"
mails() { # prints a line per mail: subject and Message-ID
  if [ "$mode" = compose ]; then
    curl -fsS "$mailpit/api/v1/search?query=to:$assignee" | python3 -c '
import json, sys
for m in json.load(sys.stdin)["messages"]:
    print("   %s  %s  %s" % (m["Created"], m["MessageID"], m["Subject"]))'
  else
    python3 - "$WORKSTREAM_TEST_MAILDIR" "$assignee" <<'PY'
import email, email.policy, glob, json, os, sys
maildir, to = sys.argv[1], sys.argv[2]
for meta in sorted(glob.glob(os.path.join(maildir, "*.json"))):
    if to in json.load(open(meta))["rcpt_tos"] and os.path.exists(meta[:-5] + ".eml"):
        mail = email.message_from_binary_file(open(meta[:-5] + ".eml", "rb"), policy=email.policy.default)
        print("   %s  %s  %s" % (mail["Date"], mail["Message-ID"], mail["Subject"]))
PY
  fi
}
for _ in $(seq 50); do
  found=$(mails)
  [ "$(grep -c . <<<"$found")" -ge 2 ] && break
  sleep 0.2
done
echo "${found:-   (none yet)}"

say "The task's journey, hop by hop"
sleep 0.5
cli trace "$task"

say "A poison message: an event that is not JSON, published to the exchange"
poison=$(python3 -c 'import uuid; print(uuid.uuid4())')
if [ "$mode" = compose ]; then
  user=workstream password=$(env_value RABBITMQ_PASSWORD)
  show "curl -u workstream:... -X POST $rabbitmq_ui/api/exchanges/%2f/workstream.events/publish"
  curl -fsS -u "$user:$password" -H 'Content-Type: application/json' \
    -X POST "$rabbitmq_ui/api/exchanges/%2f/workstream.events/publish" \
    -d "{\"routing_key\": \"workstream.task.created\", \"payload\": \"this is not JSON\", \"payload_encoding\": \"string\",
         \"properties\": {\"message_id\": \"$poison\", \"type\": \"workstream.task.created.v1\", \"delivery_mode\": 2}}"
  echo
else
  show "an AMQP client publishes it (pika)"
  "$root/.venv/bin/python" - "$WORKSTREAM_RABBITMQ_URL" "$poison" <<'PY'
import sys, pika
url, event_id = sys.argv[1], sys.argv[2]
with pika.BlockingConnection(pika.URLParameters(url)) as connection:
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish("workstream.events", "workstream.task.created", b"this is not JSON",
                          pika.BasicProperties(message_id=event_id, type="workstream.task.created.v1",
                                               delivery_mode=2))
print("   published", event_id)
PY
fi

say "It waits in the notifications dead-letter queue"
wait_for_dlq "$poison"
cli dlq list --queue notifications
cli dlq show "$poison"

say "Replay it: back to its queue, its attempts reset; still not JSON, so it returns to the DLQ"
cli dlq replay --queue notifications --event-id "$poison"
wait_for_dlq "$poison" x-replay-history
cli dlq show "$poison"

printf '\ndemo: done (task %s)\n' "$task"
