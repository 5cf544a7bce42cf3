#!/usr/bin/env bash
# The whole test suite from nothing: installs what is missing, builds, starts
# the local servers (and stops them again if it started them) and runs every
# tier:
#   ctest     unit, integration, black-box (e2e) tests, the fault suite and the
#             benchmark's tools (bench.tools)
#   sanitize  the ctest tests again, built with ASan and UBSan (scripts/sanitize.sh)
#   fuzz      each libFuzzer target for a bounded time (fuzz/run.sh)
#   compose   the images and the compose stack (tests/deploy/compose/run.sh)
#   helm      the Helm chart on a real Kubernetes API server (tests/deploy/helm/run.sh),
#             and its Deployments run by `podman kube play` (podman-smoke.sh)
#
#   scripts/test.sh [ctest arguments]                   every tier
#   WORKSTREAM_TEST_TIERS="ctest helm" scripts/test.sh  only the tiers named
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
all_tiers="ctest sanitize fuzz compose helm"
tiers=${WORKSTREAM_TEST_TIERS:-$all_tiers}

for tier in $tiers; do
  [[ " $all_tiers " == *" $tier "* ]] || { echo "test: unknown tier '$tier' ($all_tiers)" >&2; exit 2; }
done
selected() { [[ " $tiers " == *" $1 "* ]]; }

timed() { # tier command...
  local tier=$1 started=$SECONDS
  shift
  echo "test: tier $tier" >&2
  "$@"
  echo "test: tier $tier passed in $((SECONDS - started)) s" >&2
}

run_ctest() {
  cmake --preset dev >/dev/null
  cmake --build --preset dev
  ctest --preset dev -j 2 "$@"
}

bash scripts/setup.sh

stop_servers=no prefetch=
cleanup() {
  [ -z "$prefetch" ] || kill -- "-$prefetch" 2>/dev/null || true
  [ "$stop_servers" = no ] || bash scripts/servers.sh stop
}
trap cleanup EXIT

# The test tools (grpcurl for the ctest tier, the deployment tiers' tools)
# take long to build and little to keep: build them at the lowest priority
# beside the tiers that mostly wait on servers.
if selected ctest || selected sanitize || selected compose || selected helm; then
  mkdir -p .local
  setsid bash scripts/tools.sh prefetch >.local/tools-prefetch.log 2>&1 &
  prefetch=$!
fi

# The ctest and sanitize tiers share the local servers; the others need none.
if selected ctest || selected sanitize; then
  before=$(bash scripts/servers.sh status)
  grep -q down <<<"$before" && stop_servers=yes
  # An assignment, not `eval "$(...)"`, so that a server that cannot start
  # stops this script with its own error.
  server_env=$(bash scripts/servers.sh start)
  eval "$server_env"
  if selected ctest; then timed ctest run_ctest "$@"; fi
  if selected sanitize; then timed sanitize bash scripts/sanitize.sh "$@"; fi
  # The later tiers run their own servers: nothing of these may leak into them.
  unset $(sed -n 's/^export \([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' <<<"$server_env")
  if [ "$stop_servers" = yes ]; then
    bash scripts/servers.sh stop
    stop_servers=no
  fi
fi
if selected fuzz; then timed fuzz bash fuzz/run.sh; fi
if selected compose; then timed compose bash tests/deploy/compose/run.sh; fi
if selected helm; then
  timed helm bash tests/deploy/helm/run.sh
  timed helm-podman bash tests/deploy/helm/podman-smoke.sh
fi
echo "test: every tier passed ($tiers)" >&2
