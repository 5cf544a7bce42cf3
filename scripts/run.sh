#!/usr/bin/env bash
# Runs the whole system as one process: installs what is missing, builds,
# starts the local servers, and runs `workstream serve --role=all` in the
# foreground with config/local.env (variables already set win). Ctrl-C stops
# it; `scripts/servers.sh stop` stops the servers.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target workstream

# An assignment, not `eval "$(...)"`, so that a server that cannot start stops
# this script with its own error.
server_env=$(bash scripts/servers.sh start)
eval "$server_env"
while IFS='=' read -r name value; do
  [[ "$name" =~ ^WORKSTREAM_ ]] && [ -z "${!name:-}" ] && export "$name=$value"
done <config/local.env

exec build/release/src/workstream serve --role=all "$@"
