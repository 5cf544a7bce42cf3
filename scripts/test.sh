#!/usr/bin/env bash
# The whole test suite from nothing: installs what is missing, builds, starts
# the local servers (and stops them again if it started them), runs every
# test under ctest, then the deployment tiers: the container images and the
# compose stack (tests/deploy/compose), and the Helm chart on a real
# Kubernetes API server (tests/deploy/helm).
#
#   scripts/test.sh [ctest arguments]      every tier
#   WORKSTREAM_TEST_TIERS="ctest helm" scripts/test.sh    only the tiers named
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tiers=${WORKSTREAM_TEST_TIERS:-ctest compose helm}

for tier in $tiers; do
  case "$tier" in
    ctest | compose | helm) ;;
    *) echo "test: unknown tier '$tier' (ctest, compose, helm)" >&2; exit 2 ;;
  esac
done

timed() { # tier command...
  local started=$SECONDS
  echo "test: tier $1" >&2
  shift
  "$@"
  echo "test: tier passed in $((SECONDS - started)) s" >&2
}

run_ctest() {
  bash scripts/setup.sh
  cmake --preset dev >/dev/null
  cmake --build --preset dev
  local before
  before=$(bash scripts/servers.sh status)
  if grep -q down <<<"$before"; then
    trap 'bash scripts/servers.sh stop' EXIT
  fi
  # An assignment, not `eval "$(...)"`, so that a server that cannot start
  # stops this script with its own error.
  server_env=$(bash scripts/servers.sh start)
  eval "$server_env"
  ctest --preset dev -j 2 "$@"
  # The deployment tiers need none of the local servers: free the machine.
  if grep -q down <<<"$before"; then
    bash scripts/servers.sh stop
    trap - EXIT
  fi
}

for tier in $tiers; do
  case "$tier" in
    ctest) timed ctest run_ctest "$@" ;;
    compose) timed compose bash tests/deploy/compose/run.sh ;;
    helm) timed helm bash tests/deploy/helm/run.sh ;;
  esac
done
echo "test: every tier passed ($tiers)" >&2
