#!/usr/bin/env bash
# The whole test suite from nothing: installs what is missing, builds, starts
# the local servers (and stops them again if it started them), and runs every
# test under ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset dev >/dev/null
cmake --build --preset dev

before=$(bash scripts/servers.sh status)
if grep -q down <<<"$before"; then
  trap 'bash scripts/servers.sh stop' EXIT
fi
# An assignment, not `eval "$(...)"`, so that a server that cannot start stops
# this script with its own error.
server_env=$(bash scripts/servers.sh start)
eval "$server_env"

ctest --preset dev -j 2 "$@"
