#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine needs to build, run and test
# Workstream: the build toolchain and libraries, the test servers, FerretDB and
# the Python test tools. Safe to run again: it installs only what is missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libgrpc++-dev libprotobuf-dev protobuf-compiler protobuf-compiler-grpc
  libpq-dev libhiredis-dev librabbitmq-dev libmongoc-dev libbson-dev libsasl2-dev
  libcurl4-openssl-dev libsqlite3-dev libfmt-dev libcli11-dev catch2
  postgresql redis-server rabbitmq-server
  python3 python3-venv
)

bash "$root/scripts/packages.sh" "${packages[@]}"

# FerretDB, the MongoDB-compatible test server, built once from its Go module
# into the tools cache (scripts/tools.sh).
bash "$root/scripts/tools.sh" path ferretdb >/dev/null

# Python tools for the black-box tests (HTTP, AMQP, Redis, MongoDB clients and the SMTP sink).
if [ ! -x "$root/.venv/bin/python" ]; then
  python3 -m venv "$root/.venv"
fi
if ! cmp -s "$root/tests/requirements.txt" "$root/.venv/requirements.installed" 2>/dev/null; then
  "$root/.venv/bin/pip" install -q -r "$root/tests/requirements.txt"
  cp "$root/tests/requirements.txt" "$root/.venv/requirements.installed"
fi
echo "setup: done"
