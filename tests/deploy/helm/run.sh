#!/usr/bin/env bash
# The Helm tier: the chart in helm/workstream linted, rendered and validated
# offline, applied to a real kube-apiserver, and installed, upgraded and
# uninstalled on a simulated cluster (kube-controller-manager, kube-scheduler
# and two kwok nodes: a real control plane whose pods run no containers).
# Step 5 (the seed's shape) runs right after step 2, on the same renders.
# podman-smoke.sh beside this runs the Deployments as real containers.
#
#   tests/deploy/helm/run.sh
#
# From nothing (given Go >= 1.22 and npm, for scripts/tools.sh, and the
# packages of scripts/setup.sh, to build the workstream binary for step 5 if
# build/dev has none): installs the Debian packages it lacks, builds its
# tools once into the tools cache (scripts/tools.sh), starts every server it
# needs on 127.0.0.1 in a temporary directory, and stops them by PID on
# exit, failed or not. Anything that cannot run fails the tier, saying why;
# nothing is skipped. Ports (all below 32768) move with WS_ETCD_PORT (and the
# next one), WS_APISERVER_PORT, WS_KCM_PORT and WS_SCHEDULER_PORT; kwok
# listens on none.
# KEEP_WORK=1 keeps the temporary directory (logs, renders) for a look.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/tests/deploy/helm
chart=$root/helm/workstream
started=$SECONDS

say() { echo "helm-tier: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }
step() { say "---- $* ($((SECONDS - started)) s)"; }

etcd_port=${WS_ETCD_PORT:-12379}
etcd_peer_port=$((etcd_port + 1))
apiserver_port=${WS_APISERVER_PORT:-16443}
kcm_port=${WS_KCM_PORT:-20257}
scheduler_port=${WS_SCHEDULER_PORT:-20259}
namespace=workstream
release=rel

# ---- packages and tools ------------------------------------------------------
packages=(etcd-server etcd-client openssl python3 python3-yaml python3-venv curl)
bash "$root/scripts/packages.sh" "${packages[@]}" || die "cannot install what the tier needs"
python=/usr/bin/python3  # Debian's, with python3-yaml

tool() { bash "$root/scripts/tools.sh" path "$1" || die "cannot build $1 (see above)"; }
step "tools (built once into the tools cache)"
helm=$(tool helm)
kubectl=$(tool kubectl)
kubeconform=$(tool kubeconform)
schemas=$(tool k8s-schemas)
apiserver=$(tool kube-apiserver)
controller_manager=$(tool kube-controller-manager)
scheduler=$(tool kube-scheduler)
kwok=$(tool kwok)
kwok_stages=$(tool kwok-stages)
etcd=$(command -v etcd) || die "etcd is not on the PATH (Debian package etcd-server)"
schema_versions=$(cd "$schemas" && ls -d v*-standalone-strict | sed "s/^v//; s/-standalone-strict$//" | tr "\n" " ")

work=$(mktemp -d "${TMPDIR:-/tmp}/workstream-helm.XXXXXX")
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config HELM_DATA_HOME=$work/helm/data
pids=()
exec 9>&2 # the trap may run inside a command whose stderr goes to a log
cleanup() {
  local status=$? pid
  exec 2>&9
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    pid=${pids[i]}
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "${KEEP_WORK:-}" = 1 ] || [ $status -ne 0 ]; then say "logs and renders kept in $work"; else rm -rf "$work"; fi
  if [ $status -eq 0 ]; then say "PASS ($((SECONDS - started)) s)"; else say "FAILED (exit $status)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Runs a long command in the background and waits for it, so that a signal
# to this script runs the trap at once instead of after the command; the
# trap stops the command with the servers.
interruptible() {
  "$@" &
  pids+=($!)
  wait $!
}

# A command that must fail, and whose output must name what is wrong.
must_fail() { # what expected-text command...
  local what=$1 expected=$2 out
  shift 2
  if out=$("$@" 2>&1); then die "$what was accepted"; fi
  grep -qF -- "$expected" <<<"$out" || die "$what failed, but not naming '$expected': $out"
  say "ok: $what fails: $(grep -m1 -F -- "$expected" <<<"$out" | sed 's/^ *//')"
}

# ---- 1. helm lint --strict -----------------------------------------------------
step "1. helm lint --strict"
value_sets=(default all kwok partial)
values_args() { [ "$1" = default ] || echo "--values=$here/values-$1.yaml"; }
for set in "${value_sets[@]}"; do
  # shellcheck disable=SC2046
  "$helm" lint --strict "$chart" $(values_args "$set") >"$work/lint-$set.log" 2>&1 \
    || { cat "$work/lint-$set.log" >&2; die "helm lint --strict with the $set values"; }
  say "ok: lint with the $set values"
done
must_fail "a misspelt value (values-typo.yaml)" "additional properties 'replicaz' not allowed" \
  "$helm" lint --strict "$chart" --values="$here/values-typo.yaml"
must_fail "a value of the wrong type (values-wrong-type.yaml)" "/roles/tasks/replicas" \
  "$helm" lint --strict "$chart" --values="$here/values-wrong-type.yaml"

# ---- 2. helm template, kubeconform -strict ------------------------------------
step "2. helm template | kubeconform -strict (Kubernetes ${schema_versions% })"
for set in "${value_sets[@]}"; do
  # shellcheck disable=SC2046
  "$helm" template rel "$chart" --namespace workstream $(values_args "$set") >"$work/$set.yaml" \
    || die "helm template with the $set values"
  for v in $schema_versions; do
    # The ServiceMonitor is a Prometheus Operator CRD, not Kubernetes: no schema
    # here; the API server checks it against its CRD in step 3.
    summary=$("$kubeconform" -strict -summary -skip ServiceMonitor -kubernetes-version "$v" \
      -schema-location "$schemas" "$work/$set.yaml") || { echo "$summary" >&2; die "kubeconform: the $set render is invalid for Kubernetes $v"; }
    expected_skips=$(grep -c '^kind: ServiceMonitor$' "$work/$set.yaml" || true)
    grep -q "Invalid: 0, Errors: 0, Skipped: $expected_skips\$" <<<"$summary" \
      || die "kubeconform, $set, $v: $summary (expected $expected_skips skipped)"
    say "ok: $set values, Kubernetes $v: ${summary#Summary: }"
  done
done
cp "$work/default.yaml" "$work/broken.yaml"
sed -i '0,/revisionHistoryLimit:/s//revisionHistoryLimt:/' "$work/broken.yaml"
must_fail "kubeconform on a render with a misspelt field" "additional properties 'revisionHistoryLimt' not allowed" \
  "$kubeconform" -strict -kubernetes-version "${schema_versions%% *}" -schema-location "$schemas" "$work/broken.yaml"

# ---- 5. the seed's shape, on the rendered objects --------------------------------
step "5. the seed's shape: four Deployments, one Service each, one Ingress, probes, volumes, secrets"
# `workstream config check` runs on each role's ConfigMap: the binary of the
# dev build (built here if this tier runs alone on a fresh machine), or WORKSTREAM_BIN.
workstream_bin=${WORKSTREAM_BIN:-$root/build/dev/src/workstream}
if [ ! -x "$workstream_bin" ] && [ -z "${WORKSTREAM_BIN:-}" ]; then
  say "building the workstream binary (dev preset) for config check"
  (cd "$root" && cmake --preset dev >/dev/null && cmake --build --preset dev --target workstream) >&2 \
    || die "cannot build the workstream binary (scripts/setup.sh installs what it needs)"
fi
[ -x "$workstream_bin" ] || die "no workstream binary at $workstream_bin, for \`config check\` of each role's ConfigMap"
for set in default all; do
  "$python" "$here/check.py" "$work/$set.yaml" --workstream "$workstream_bin" >&2 || die "the $set render breaks the seed's shape"
done
# The checker is not vacuous: a render with a readiness period of 6 s and a
# password in a ConfigMap fails it.
sed -e 's/periodSeconds: 5$/periodSeconds: 6/' \
  -e 's|^  WORKSTREAM_PROFILE: services$|  WORKSTREAM_PROFILE: services\n  WORKSTREAM_NOTE: "amqp://user:hunter2@mq/"|' \
  "$work/default.yaml" >"$work/bad-shape.yaml"
must_fail "the shape check on a broken render" "readinessProbe period is not 5s" \
  "$python" "$here/check.py" "$work/bad-shape.yaml"
must_fail "the shape check on a render with a password in a ConfigMap" "holds a URL with credentials" \
  "$python" "$here/check.py" "$work/bad-shape.yaml"

# ---- servers ------------------------------------------------------------------
# Each runs in the background with its log in $work; its PID is kept and it is
# stopped by the trap. A server that exits while awaited fails the tier with
# the end of its log.
start() { # name command...
  local name=$1 port
  shift
  "$@" >"$work/$name.log" 2>&1 9>&- &
  pids+=($!)
  eval "${name//-/_}_pid=$!"
}
wait_for() { # name timeout-seconds command...
  local name=$1 timeout=$2 pid_var="${1//-/_}_pid"
  shift 2
  for _ in $(seq $((timeout * 5))); do
    "$@" >/dev/null 2>&1 && return 0
    if ! kill -0 "${!pid_var}" 2>/dev/null; then
      tail -n 30 "$work/$name.log" >&2
      die "$name exited (log above, in $work/$name.log)"
    fi
    sleep 0.2
  done
  tail -n 30 "$work/$name.log" >&2
  die "$name was not ready within $timeout s (log above)"
}
port_free() { # port name
  if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then die "port $1 on 127.0.0.1 (for $2) is taken"; fi
}
k() { "$kubectl" "$@"; }
export KUBECONFIG=$work/kubeconfig

# ---- 3. a real API server: kubectl apply --dry-run=server ------------------------
step "3. etcd and kube-apiserver on 127.0.0.1; kubectl apply --dry-run=server"
port_free "$etcd_port" etcd; port_free "$etcd_peer_port" "etcd peers"; port_free "$apiserver_port" kube-apiserver
port_free "$kcm_port" kube-controller-manager; port_free "$scheduler_port" kube-scheduler
start etcd "$etcd" --name helm-tier --data-dir "$work/etcd" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "helm-tier=http://127.0.0.1:$etcd_peer_port"
wait_for etcd 30 curl -sf "http://127.0.0.1:$etcd_port/health"
openssl genrsa -out "$work/sa.key" 2048 2>/dev/null
openssl rsa -in "$work/sa.key" -pubout -out "$work/sa.pub" 2>/dev/null
token=$(openssl rand -hex 16)
echo "$token,helm-tier,helm-tier,system:masters" >"$work/tokens.csv"
start kube-apiserver "$apiserver" --etcd-servers="http://127.0.0.1:$etcd_port" \
  --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$apiserver_port" \
  --cert-dir="$work/certs" --token-auth-file="$work/tokens.csv" --authorization-mode=RBAC \
  --service-account-issuer=https://kubernetes.default.svc --service-account-key-file="$work/sa.pub" \
  --service-account-signing-key-file="$work/sa.key" --service-cluster-ip-range=10.96.0.0/16
cat >"$KUBECONFIG" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters: [{name: helm-tier, cluster: {server: "https://127.0.0.1:$apiserver_port", insecure-skip-tls-verify: true}}]
users: [{name: helm-tier, user: {token: "$token"}}]
contexts: [{name: helm-tier, context: {cluster: helm-tier, user: helm-tier, namespace: $namespace}}]
current-context: helm-tier
KUBECONFIG
wait_for kube-apiserver 90 k get --raw /readyz
say "ok: kube-apiserver $(k version -o json | "$python" -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])') ready"
k create namespace "$namespace" >/dev/null
k apply -f "$here/servicemonitor-crd.yaml" >/dev/null
k wait --for=condition=Established --timeout=30s crd/servicemonitors.monitoring.coreos.com >/dev/null
for set in "${value_sets[@]}"; do
  objects=$(grep -c '^kind:' "$work/$set.yaml")
  k apply --dry-run=server -n "$namespace" -f "$work/$set.yaml" >"$work/dry-run-$set.log" 2>&1 \
    || { cat "$work/dry-run-$set.log" >&2; die "the API server refuses the $set render"; }
  accepted=$(grep -c '(server dry run)$' "$work/dry-run-$set.log" || true)
  [ "$accepted" -eq "$objects" ] || die "the API server accepted $accepted of $objects objects of the $set render"
  say "ok: the API server accepts all $objects objects of the $set render"
done
# What schemas miss and the server catches: a selector that misses its pods,
# a port out of range.
"$python" - "$work/default.yaml" "$work/mismatch.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
for d in docs:
    if d["kind"] == "Deployment":
        d["spec"]["selector"]["matchLabels"]["app.kubernetes.io/component"] = "elsewhere"
        d["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"] = 70000
        break
yaml.safe_dump_all(docs, open(sys.argv[2], "w"))
PY
"$kubeconform" -strict -kubernetes-version "${schema_versions%% *}" -schema-location "$schemas" "$work/mismatch.yaml" >/dev/null \
  || die "kubeconform refuses the mismatched render: the point below is moot"
must_fail "the API server on a selector that misses its pods" "selector\` does not match template \`labels\`" \
  k apply --dry-run=server -n "$namespace" -f "$work/mismatch.yaml"
must_fail "the API server on containerPort 70000" "must be between 1 and 65535" \
  k apply --dry-run=server -n "$namespace" -f "$work/mismatch.yaml"

# ---- 4. a simulated cluster: install, upgrade, uninstall -------------------------
step "4. kube-controller-manager, kube-scheduler, kwok nodes; helm upgrade --install --wait, upgrade, uninstall"
start kube-controller-manager "$controller_manager" --kubeconfig="$KUBECONFIG" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port="$kcm_port" --service-account-private-key-file="$work/sa.key" \
  --root-ca-file="$work/certs/apiserver.crt" --use-service-account-credentials=false
start kube-scheduler "$scheduler" --kubeconfig="$KUBECONFIG" --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port="$scheduler_port"
stage_args=()
# kwok's "fast" node and general pod lifecycles: a pod is created, started,
# made ready, completed when a Job owns it, and deleted.
for f in node/fast/node-initialize.yaml node/heartbeat/node-heartbeat.yaml \
  pod/general/{pod-create,pod-init-container-running,pod-init-container-completed,pod-ready,pod-complete,pod-delete}.yaml; do
  [ -f "$kwok_stages/$f" ] || die "kwok stage $f is missing from $kwok_stages"
  stage_args+=("--config=$kwok_stages/$f")
done
start kwok "$kwok" --kubeconfig="$KUBECONFIG" --manage-all-nodes=false \
  --manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake "${stage_args[@]}"
wait_for kube-controller-manager 60 curl -skf "https://127.0.0.1:$kcm_port/healthz"
wait_for kube-scheduler 60 curl -skf "https://127.0.0.1:$scheduler_port/healthz"
k apply -f "$here/nodes.yaml" >/dev/null
wait_for kwok 60 k wait --for=condition=Ready --timeout=1s node/kwok-node-0 node/kwok-node-1
wait_for kube-controller-manager 60 k -n "$namespace" get serviceaccount default
say "ok: control plane up, two kwok nodes Ready"

# The Secrets the chart reads, with a marker in each password: it must turn up
# in no object the chart made.
marker=leak-$(openssl rand -hex 6)
declare -A urls=(
  [workstream-postgres]="postgresql://workstream:$marker@postgres:5432/workstream"
  [workstream-rabbitmq]="amqp://workstream:$marker@rabbitmq:5672/%2f"
  [workstream-redis]="redis://:$marker@redis:6379/0"
  [workstream-mongodb]="mongodb://workstream:$marker@mongodb:27017/workstream"
  [workstream-smtp]="smtp://mailer:$marker@mail:25"
)
for name in "${!urls[@]}"; do
  k -n "$namespace" create secret generic "$name" --from-literal=url="${urls[$name]}" >/dev/null
done

deployments=(gateway tasks notifications mailer)
helm_install() { # log-name extra-args...
  local log=$1 t0=$SECONDS
  shift
  interruptible "$helm" upgrade --install "$release" "$chart" --namespace "$namespace" --values="$here/values-kwok.yaml" \
    --wait --timeout=3m "$@" >"$work/$log.log" 2>&1 || {
    cat "$work/$log.log" >&2
    k -n "$namespace" get all,events >&2 || true
    die "helm $log"
  }
  say "ok: helm $log --wait succeeded in $((SECONDS - t0)) s"
}
completed_jobs() { # job: how many Jobs of that name completed (their events outlive them)
  k -n "$namespace" get events --field-selector "involvedObject.kind=Job,involvedObject.name=$release-workstream-$1,reason=Completed" \
    -o jsonpath='{range .items[*]}{.involvedObject.uid}{"\n"}{end}' | sort -u | grep -c . || true
}
deployment_state() { # the generation and ReplicaSet template hash of each Deployment
  local role
  for role in "${deployments[@]}"; do
    echo "$role $(k -n "$namespace" get deploy "$release-workstream-$role" -o jsonpath='{.metadata.generation} {.status.observedGeneration} {.status.availableReplicas}/{.spec.replicas}')"
  done
}

helm_install install
for job in migrate topology; do
  [ "$(completed_jobs $job)" -eq 1 ] || die "the $job hook Job did not complete on install"
done
[ -z "$(k -n "$namespace" get jobs -o name)" ] || die "a succeeded hook Job was left behind: $(k -n "$namespace" get jobs -o name)"
say "ok: the migrate and topology hook Jobs completed (and were deleted)"
for role in "${deployments[@]}"; do
  k -n "$namespace" wait --for=condition=Available --timeout=10s "deploy/$release-workstream-$role" >/dev/null \
    || die "Deployment $role is not Available"
  nodes=$(k -n "$namespace" get pods -l "app.kubernetes.io/instance=$release,app.kubernetes.io/component=$role" \
    -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort -u | grep -c .)
  [ "$nodes" -eq 2 ] || die "the 2 replicas of $role are on $nodes node(s), not spread over 2"
done
say "ok: all four Deployments Available, each role's 2 replicas on 2 nodes"
if k -n "$namespace" get configmaps,deployments,replicasets,pods,services,ingresses -o yaml | grep -q "$marker"; then
  die "a password from a Secret shows in an object of the release"
fi
if "$helm" get all "$release" --namespace "$namespace" | grep -q "$marker"; then die "a password shows in the Helm release"; fi
say "ok: no password in any ConfigMap, Deployment, pod or the release"

before=$(deployment_state)
helm_install upgrade --set mail.from=ops@example.com
after=$(deployment_state)
for role in "${deployments[@]}"; do
  b=$(grep "^$role " <<<"$before" | cut -d' ' -f2) a=$(grep "^$role " <<<"$after" | cut -d' ' -f2)
  if [ "$role" = mailer ]; then
    [ "$a" -gt "$b" ] || die "the mailer Deployment did not roll on a new mail.from (generation $b -> $a)"
  else
    [ "$a" -eq "$b" ] || die "the $role Deployment rolled though its settings did not change (generation $b -> $a)"
  fi
done
interruptible "$kubectl" -n "$namespace" rollout status --timeout=60s "deploy/$release-workstream-mailer" >/dev/null || die "the mailer rollout did not finish"
[ "$(k -n "$namespace" get configmap "$release-workstream-mailer" -o jsonpath='{.data.WORKSTREAM_MAIL_FROM}')" = ops@example.com ] \
  || die "the mailer ConfigMap does not have the new mail.from"
for job in migrate topology; do
  [ "$(completed_jobs $job)" -eq 2 ] || die "the $job hook Job did not complete again on upgrade"
done
say "ok: upgrade rolled the mailer only ($(grep '^mailer ' <<<"$after")), and ran both hook Jobs again"

t0=$SECONDS
interruptible "$helm" uninstall "$release" --namespace "$namespace" --wait --timeout=2m >"$work/uninstall.log" 2>&1 \
  || { cat "$work/uninstall.log" >&2; die "helm uninstall"; }
left() {
  k -n "$namespace" get all,configmaps,secrets,ingresses,poddisruptionbudgets,serviceaccounts,networkpolicies,jobs \
    -l "app.kubernetes.io/instance=$release" -o name
}
for _ in $(seq 60); do [ -z "$(left)" ] && break; sleep 1; done
[ -z "$(left)" ] || die "helm uninstall left: $(left | tr '\n' ' ')"
[ -z "$("$helm" list --namespace "$namespace" -q)" ] || die "the release is still listed after uninstall"
say "ok: helm uninstall removed every object of the release, pods included, in $((SECONDS - t0)) s"
