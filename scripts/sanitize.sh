#!/usr/bin/env bash
# The unit, integration and black-box tests once more, built with
# AddressSanitizer, LeakSanitizer and UBSan (the asan preset, build/asan). Any
# sanitizer report fails its test: the asan test preset sets ASAN_OPTIONS and
# UBSAN_OPTIONS to abort on the first one, and the black-box tests pass them
# on to the workstream processes they start. Starts the local servers if they
# are down, and stops them again then.
#
#   scripts/sanitize.sh [ctest arguments]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset asan >/dev/null
cmake --build --preset asan
before=$(bash scripts/servers.sh status)
if grep -q down <<<"$before"; then
  trap 'bash scripts/servers.sh stop' EXIT
fi
# An assignment, not `eval "$(...)"`, so that a server that cannot start
# stops this script with its own error.
server_env=$(bash scripts/servers.sh start)
eval "$server_env"
ctest --preset asan -j 2 "$@"
