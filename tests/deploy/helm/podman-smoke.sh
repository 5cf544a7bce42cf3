#!/usr/bin/env bash
# A smoke test of the chart's Deployments with real containers: `podman kube
# play` runs the rendered Deployments and ConfigMaps (one replica each) from
# the locally built image, which the Helm tier's simulated cluster cannot do.
#
#   tests/deploy/helm/podman-smoke.sh     builds localhost/workstream:dev if missing (scripts/images.sh)
#
# It proves the image runs under the chart's pod settings (non-root, read-only
# root filesystem, no capabilities), reads its settings from the role's
# ConfigMap and its secret files, serves /health on the admin port, and that
# /ready checks the servers each role needs: none runs here, so every role
# answers 503 naming them, and the gateway reaches tasks by name.
#
# What kube play does not do, and this script does in its place: it skips
# Services and Secrets, so the Secret volume becomes a host directory of
# stand-in URLs (pointing at nothing), the gateway finds tasks by its pod name
# (<deployment>-pod-0), and each admin port is published on 127.0.0.1 at a
# port of its own. Probes are not run by podman; the script asks the
# endpoints itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/tests/deploy/helm
image=${WORKSTREAM_IMAGE:-localhost/workstream:dev}
admin_port_base=${WS_SMOKE_PORT:-28090}   # 4 ports, below 32768
network=workstream-helm-smoke
say() { echo "podman-smoke: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

bash "$root/scripts/packages.sh" python3-yaml curl || die "cannot install what the smoke test needs"
podman_was_running=$([ -S "$root/.local/podman/podman.sock" ] && echo yes || echo no)
eval "$(bash "$root/scripts/podman.sh" start)"
if ! podman image exists "$image"; then
  [ "$image" = localhost/workstream:dev ] || die "no image $image"
  say "building the images (scripts/images.sh)"
  bash "$root/scripts/images.sh" >/dev/null
fi
helm=$(bash "$root/scripts/tools.sh" path helm)

work=$(mktemp -d "${TMPDIR:-/tmp}/workstream-smoke.XXXXXX")
cleanup() {
  local status=$?
  if [ $status -ne 0 ]; then
    for c in $(podman ps -a --filter "label=io.kubernetes.pod.name" --format '{{.Names}}' | grep '^smoke-workstream' || true); do
      say "log of $c:"; podman logs --tail 15 "$c" >&2 || true
    done
  fi
  [ -f "$work/play.yaml" ] && podman kube down "$work/play.yaml" >/dev/null 2>&1 || true
  podman network rm -f "$network" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$podman_was_running" = yes ] || bash "$root/scripts/podman.sh" stop
  if [ $status -eq 0 ]; then say PASS; else say "FAILED (exit $status)"; fi
}
trap cleanup EXIT

"$helm" template smoke "$root/helm/workstream" \
  --set image.repository="${image%:*}" --set image.tag="${image##*:}" --set image.pullPolicy=Never \
  --set roles.gateway.replicas=1,roles.tasks.replicas=1,roles.notifications.replicas=1,roles.mailer.replicas=1 \
  --set roles.gateway.tasksAddr=smoke-workstream-tasks-pod-0:50051 >"$work/rendered.yaml"

mkdir -p "$work/secrets"
printf 'postgresql://workstream:x@127.0.0.1:1/workstream\n' >"$work/secrets/postgres-url"
printf 'amqp://workstream:x@127.0.0.1:1/%%2f\n' >"$work/secrets/rabbitmq-url"
printf 'redis://127.0.0.1:1/0\n' >"$work/secrets/redis-url"
printf 'mongodb://127.0.0.1:1/workstream\n' >"$work/secrets/mongo-url"
printf 'smtp://127.0.0.1:1\n' >"$work/secrets/smtp-url"
chmod 0755 "$work/secrets" && chmod 0444 "$work/secrets"/*

# Only what kube play runs, adapted as the header says; prints role and port.
/usr/bin/python3 - "$work/rendered.yaml" "$work/play.yaml" "$work/secrets" "$admin_port_base" >"$work/ports" <<'PY'
import sys, yaml
src, dst, secrets, base = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
docs = [d for d in yaml.safe_load_all(open(src)) if d and d["kind"] in ("ConfigMap", "Deployment")]
n = 0
for d in docs:
    if d["kind"] != "Deployment":
        continue
    pod = d["spec"]["template"]["spec"]
    for v in pod["volumes"]:
        if "projected" in v:
            del v["projected"]
            v["hostPath"] = {"path": secrets, "type": "Directory"}
    for p in pod["containers"][0]["ports"]:
        p["hostIP"] = "127.0.0.1"
        p["hostPort"] = base + n if p["name"] == "admin" else base + 10 + n
        if p["name"] == "admin":
            print(d["metadata"]["labels"]["app.kubernetes.io/component"], p["hostPort"])
    n += 1
yaml.safe_dump_all(docs, open(dst, "w"))
PY

podman network create "$network" >/dev/null
podman kube play --network "$network" "$work/play.yaml" >"$work/play.log" 2>&1 || { cat "$work/play.log" >&2; die "podman kube play"; }
say "playing $(grep -c '^kind: Deployment' "$work/play.yaml") Deployments from $image"

get() { curl -s -o "$work/body" -w '%{http_code}' --max-time 2 "$1" || true; }
checks() { /usr/bin/python3 -c 'import json,sys; c=json.load(open(sys.argv[1])).get("checks",{}); print(" ".join(k + ":" + v["status"] for k, v in sorted(c.items())))' "$work/body" 2>/dev/null || true; }
declare -A expected=(
  [gateway]="tasks" [tasks]="outbox postgres rabbitmq"
  [notifications]="mongodb notifications-consumer rabbitmq redis" [mailer]="mailer-consumer rabbitmq redis smtp"
)
while read -r role port; do
  container=smoke-workstream-$role-pod-0-$role
  for _ in $(seq 60); do [ "$(get "http://127.0.0.1:$port/health")" = 200 ] && break; sleep 0.5; done
  [ "$(get "http://127.0.0.1:$port/health")" = 200 ] || die "$role: GET /health did not answer 200"
  grep -q "\"service\":\"workstream-$role\"" "$work/body" || die "$role: /health says $(cat "$work/body")"
  # Readiness checks run every 2 s; wait for the first results.
  for _ in $(seq 20); do code=$(get "http://127.0.0.1:$port/ready"); [ -n "$(checks)" ] && break; sleep 0.5; done
  names=$(checks | tr ' ' '\n' | cut -d: -f1 | xargs)
  [ "$names" = "${expected[$role]}" ] || die "$role: /ready checks '$names', not '${expected[$role]}'"
  if [ "$role" = gateway ]; then
    # Its one server is tasks, which it finds by name: up once connected.
    for _ in $(seq 20); do [ "$(get "http://127.0.0.1:$port/ready")" = 200 ] && break; sleep 0.5; done
    [ "$(checks)" = "tasks:up" ] || die "gateway: cannot reach tasks by its pod name: $(cat "$work/body")"
    code=$(get "http://127.0.0.1:$port/ready")
    [ "$code" = 200 ] || die "gateway: /ready answered $code with tasks up"
  else
    [ "$code" = 503 ] && grep -q '"status":"not_ready"' "$work/body" \
      || die "$role: /ready answered $code $(cat "$work/body") though its servers are not there"
  fi
  user=$(podman inspect "$container" --format '{{.Config.User}}')
  readonly_root=$(podman inspect "$container" --format '{{.HostConfig.ReadonlyRootfs}}')
  caps=$(podman inspect "$container" --format '{{.EffectiveCaps}}')
  [ "${user%%:*}" = 10001 ] || die "$role: runs as $user"
  [ "$readonly_root" = true ] || die "$role: the root filesystem is writable"
  [ "$caps" = "[]" ] || die "$role: capabilities $caps"
  say "ok: $role: /health 200; /ready $code ($(checks)); user $user, read-only root, no capabilities"
done <"$work/ports"
