#!/usr/bin/env bash
# The container tier, from nothing, on a machine with podman and no image
# registry: builds the images (scripts/images.sh), validates compose.yaml,
# runs the four-role stack from it with the locally built images, drives a
# task through it from outside (smoke.py), runs scripts/demo.sh --compose
# against it (the admin service, Mailpit, the management API), checks that a role stops cleanly
# and quickly on SIGTERM, runs the all-in-one profile, and takes everything
# down again. Any step that cannot run fails the tier and says why.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here="$root/tests/deploy/compose"
cd "$root"
project=workstream-test

step() { printf '\ncompose tier: %s\n' "$*" >&2; }
fail() { echo "compose tier: FAILED: $*" >&2; exit 1; }

# Compose lets the shell's variables override --env-file; this tier sets
# every variable itself, so a WORKSTREAM_* or image variable left by another
# tier (the local servers' URLs on loopback) must not reach the stack.
while read -r name; do unset "$name"; done < <(compgen -e | grep -E \
  '^(WORKSTREAM_|POSTGRES_|RABBITMQ_|REDIS_|MONGO_|MAILPIT_|COMPOSE_|GATEWAY_PORT$|PUBLISH_ADDR$|BASE_IMAGE$)')

podman_was_running=$( [ -S "$root/.local/podman/podman.sock" ] && echo yes || echo no)
podman_env=$(bash scripts/podman.sh start)
eval "$podman_env"
image_env=$(bash scripts/images.sh)
eval "$image_env"
compose=$(bash scripts/tools.sh path compose)
export COMPOSE_BAKE=false DOCKER_BUILDKIT=0

work=$(mktemp -d)
password() { head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
cat >"$work/env" <<ENV
COMPOSE_PROFILES=roles
POSTGRES_PASSWORD=$(password)
RABBITMQ_PASSWORD=$(password)
REDIS_PASSWORD=$(password)
WORKSTREAM_POSTGRES_URL=postgresql://workstream:\${POSTGRES_PASSWORD}@postgres:5432/workstream
WORKSTREAM_RABBITMQ_URL=amqp://workstream:\${RABBITMQ_PASSWORD}@rabbitmq:5672/%2f
WORKSTREAM_REDIS_URL=redis://:\${REDIS_PASSWORD}@redis:6379/0
GATEWAY_PORT=18080
MAILPIT_UI_PORT=18025
RABBITMQ_UI_PORT=18672
ENV
dc() { "$compose" -p "$project" --env-file "$work/env" -f compose.yaml "$@"; }

cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    dc ps -a >&2 || true
    dc logs --no-color --tail=40 >&2 || true
  fi
  dc --profile roles --profile all-in-one down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$podman_was_running" = yes ] || bash scripts/podman.sh stop
  exit $status
}
trap cleanup EXIT

step "image size: $(podman image inspect "$WORKSTREAM_IMAGE" --format '{{.Size}}' | awk '{printf "%.1f MB", $1/1e6}')"
[ "$(podman image inspect "$WORKSTREAM_IMAGE" --format '{{.Config.User}}')" = "10001:10001" ] ||
  fail "the image does not run as the non-root user 10001"

step "validating compose.yaml"
dc config -q
# A secret missing from the environment stops the service that needs it,
# naming the variable, before the service runs.
for pair in POSTGRES_PASSWORD:postgres WORKSTREAM_RABBITMQ_URL:topology; do
  secret=${pair%%:*} service=${pair##*:}
  grep -v "^$secret=" "$work/env" >"$work/env.missing"
  if "$compose" -p "$project" --env-file "$work/env.missing" -f compose.yaml \
    up -d --no-deps "$service" >"$work/missing.log" 2>&1; then
    fail "compose started $service without $secret"
  fi
  grep -q "variable \"$secret\" required by secret" "$work/missing.log" ||
    fail "the error for a missing $secret does not name it: $(cat "$work/missing.log")"
  dc down -v >/dev/null 2>&1
done
dc config | grep -q "$(sed -n 's/^POSTGRES_PASSWORD=//p' "$work/env")" &&
  fail "a password appears in the rendered compose configuration"

step "starting the stack (four roles)"
started=$SECONDS
dc up -d --wait --wait-timeout 300 postgres rabbitmq redis mongodb mailpit tasks gateway notifications mailer
step "every service healthy after $((SECONDS - started)) s"
for job in migrate topology; do
  code=$(podman inspect "${project}-${job}-1" --format '{{.State.ExitCode}}')
  [ "$code" = 0 ] || fail "$job exited $code"
done

admin_of() { # service: its admin listener, through the container's address on the compose network
  local ip
  ip=$(podman inspect "${project}-$1-1" --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}')
  echo "http://$ip:9090"
}

step "smoke test from outside"
python3 "$here/smoke.py" http://127.0.0.1:18080 http://127.0.0.1:18025 "$(admin_of notifications)"

step "the demo against the stack (scripts/demo.sh --compose)"
DEMO_COMPOSE="$compose -p $project --env-file $work/env -f compose.yaml" DEMO_ENV_FILE="$work/env" \
  bash scripts/demo.sh --compose >"$work/demo.log" 2>&1 || { cat "$work/demo.log" >&2; fail "the demo failed"; }
for expected in "mail_sent" "replayed 1 message" "x-replay-history" "demo: done"; do
  grep -q "$expected" "$work/demo.log" || { cat "$work/demo.log" >&2; fail "the demo printed no '$expected'"; }
done
[ "$(grep -c '@workstream>' "$work/demo.log")" -ge 2 ] || { cat "$work/demo.log" >&2; fail "the demo found no mails"; }

step "stopping a role with SIGTERM"
started=$SECONDS
dc stop gateway
took=$((SECONDS - started))
code=$(podman inspect "${project}-gateway-1" --format '{{.State.ExitCode}}')
[ "$code" = 0 ] || fail "the gateway exited $code on SIGTERM, not 0"
[ $took -lt 8 ] || fail "stopping the gateway took $took s"
step "the gateway drained and exited 0 in $took s"

step "taking the stack down"
dc down -v --remove-orphans
[ -z "$(podman ps -aq --filter "label=com.docker.compose.project=$project")" ] ||
  fail "containers remain after down"

step "the all-in-one profile"
dc --profile all-in-one up -d --wait --wait-timeout 300
[ -z "$(podman ps -q --filter "label=com.docker.compose.service=gateway" --filter "label=com.docker.compose.project=$project")" ] ||
  fail "the all-in-one profile also started the role containers"
python3 "$here/smoke.py" http://127.0.0.1:18080 http://127.0.0.1:18025 "$(admin_of workstream)"
dc --profile all-in-one down -v --remove-orphans
[ -z "$(podman ps -aq --filter "label=com.docker.compose.project=$project")" ] ||
  fail "containers remain after down"
step "passed"
