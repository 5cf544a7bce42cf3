#!/usr/bin/env bash
# The Helm tier: the chart in helm/workstream linted, rendered and validated
# offline, applied to a real kube-apiserver, and installed, upgraded and
# uninstalled on a simulated cluster (kube-controller-manager, kube-scheduler
# and a kwok node: a real control plane whose pods run no containers).
#
#   tests/deploy/helm/run.sh
#
# From nothing: installs the Debian packages it lacks, builds its tools once
# into the tools cache (scripts/tools.sh), starts every server it needs on
# 127.0.0.1 in a temporary directory, and stops them by PID on exit, failed
# or not. Anything that cannot run fails the tier, saying why; nothing is
# skipped. Ports (all below 32768) move with WS_ETCD_PORT (and the next one),
# WS_APISERVER_PORT, WS_KCM_PORT, WS_SCHEDULER_PORT and WS_KWOK_PORT.
# KEEP_WORK=1 keeps the temporary directory (logs, renders) for a look.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
here=$root/tests/deploy/helm
chart=$root/helm/workstream
started=$SECONDS

say() { echo "helm-tier: $*" >&2; }
die() { say "FAIL: $*"; exit 1; }
step() { say "---- $* ($((SECONDS - started)) s)"; }

# ---- packages and tools ------------------------------------------------------
packages=(etcd-server etcd-client openssl python3 python3-yaml python3-venv curl)
sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  sudo_if_needed apt-get update -q >&2
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 \
    || die "cannot install ${missing[*]}"
fi
python=/usr/bin/python3  # Debian's, with python3-yaml

tool() { bash "$root/scripts/tools.sh" path "$1" || die "cannot build $1 (see above)"; }
step "tools (built once into the tools cache)"
helm=$(tool helm)
kubectl=$(tool kubectl)
kubeconform=$(tool kubeconform)
schemas=$(tool k8s-schemas)
schema_versions=$(cd "$schemas" && ls -d v*-standalone-strict | sed "s/^v//; s/-standalone-strict$//" | tr "\n" " ")

work=$(mktemp -d "${TMPDIR:-/tmp}/workstream-helm.XXXXXX")
export HELM_CACHE_HOME=$work/helm/cache HELM_CONFIG_HOME=$work/helm/config HELM_DATA_HOME=$work/helm/data
pids=()
cleanup() {
  local status=$? pid
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
value_sets=(default all kwok)
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
workstream_bin=${WORKSTREAM_BIN:-$root/build/dev/src/workstream}
[ -x "$workstream_bin" ] || die "no workstream binary at $workstream_bin, for \`config check\` of each role's ConfigMap: build first (cmake --build --preset dev) or set WORKSTREAM_BIN"
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
