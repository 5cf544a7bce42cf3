#!/usr/bin/env bash
# Builds the tools the deployment tests need, once, into a cache outside the
# repository keyed by tool and version, and prints the path of the one asked
# for. A second call finds it there at once.
#
#   scripts/tools.sh path TOOL     build TOOL if missing; print its path
#   scripts/tools.sh list          every TOOL and its version
#
# The cache is ${WORKSTREAM_TOOLS_CACHE:-~/.cache/workstream-tools}.
set -euo pipefail
cache=${WORKSTREAM_TOOLS_CACHE:-$HOME/.cache/workstream-tools}

compose_version=v2.40.3
mailpit_version=v1.33.1
ferretdb_version=v1.24.0

say() { echo "tools: $*" >&2; }
die() { say "$*"; exit 1; }

need_go() { command -v go >/dev/null || die "Go >= 1.22 is needed to build $1"; }

# A writable copy of a Go module's source, for modules that cannot be built
# with `go install` (replace or exclude directives, files added at build time).
module_copy() { # module@version destination
  local dir
  dir=$(cd /tmp && go mod download -json "$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  rm -rf "$2" && cp -r "$dir" "$2" && chmod -R u+w "$2"
}

# Runs a build into a temporary directory beside its final place, then moves
# it there: an interrupted build never leaves a half-made tool in the cache.
build_into() { # final-dir builder-function
  local final=$1 tmp="$1.tmp.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  "$2" "$tmp"
  rm -rf "$final" && mv "$tmp" "$final"
  trap - EXIT
}

# docker compose v2, used standalone as `docker-compose`; its go.mod has
# exclude directives, so it is built from a copy of the module.
build_compose() {
  need_go "docker compose"
  module_copy "github.com/docker/compose/v2@$compose_version" "$1/src"
  (cd "$1/src" && CGO_ENABLED=0 go build -trimpath \
    -ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$compose_version" \
    -o "$1/docker-compose" ./cmd)
  rm -rf "$1/src"
}

# Mailpit, the mail catcher of the compose stack (its SMTP server and API;
# the module does not carry the built web UI).
build_mailpit() {
  need_go mailpit
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "github.com/axllent/mailpit@$mailpit_version"
}

# FerretDB, the MongoDB-compatible test server (SQLite backend). The module's
# archive lacks the version file its build embeds, so it is built from a copy
# with that file written in.
build_ferretdb() {
  need_go FerretDB
  module_copy "github.com/FerretDB/FerretDB@$ferretdb_version" "$1/src"
  echo "$ferretdb_version" >"$1/src/build/version/version.txt"
  (cd "$1/src" && CGO_ENABLED=0 go build -trimpath -o "$1/ferretdb" ./cmd/ferretdb)
  rm -rf "$1/src"
}

tool_path() { # tool
  local version binary
  case "$1" in
    compose) version=$compose_version binary=docker-compose ;;
    mailpit) version=$mailpit_version binary=mailpit ;;
    ferretdb) version=$ferretdb_version binary=ferretdb ;;
    *) die "unknown tool '$1'; see: $0 list" ;;
  esac
  local dir="$cache/$1-$version"
  if [ ! -x "$dir/$binary" ]; then
    say "building $1 $version into $dir"
    mkdir -p "$cache"
    build_into "$dir" "build_$1"
  fi
  echo "$dir/$binary"
}

case "${1:-}" in
  path) [ $# -eq 2 ] || die "usage: $0 path TOOL"; tool_path "$2" ;;
  list) printf 'compose %s\nmailpit %s\nferretdb %s\n' "$compose_version" "$mailpit_version" "$ferretdb_version" ;;
  *) echo "usage: $0 path TOOL | list" >&2; exit 2 ;;
esac
