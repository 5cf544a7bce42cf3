#!/usr/bin/env bash
# Builds, with podman and without an image registry, every image the compose
# stack needs: a Debian 12 base made with debootstrap, the stand-ins for the
# upstream dependency images (tests/deploy/images/), and the workstream image
# from the repository's Dockerfile. Prints the *_IMAGE settings that point
# compose.yaml at them. Layers are cached by podman, so a second run is fast.
#
#   eval "$(scripts/podman.sh start)"; scripts/images.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base_image=localhost/debian:bookworm
images="$root/tests/deploy/images"

say() { echo "images: $*" >&2; }
die() { say "$*"; exit 1; }

[ -n "${CONTAINERS_CONF:-}" ] || die "run: eval \"\$(scripts/podman.sh start)\" first"

# The base image, made once from Debian's mirror (about a minute).
build_base() {
  podman image exists "$base_image" && return
  local mirror rootfs
  mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
  rootfs=$(mktemp -d)
  trap 'rm -rf "$rootfs"' RETURN
  say "making $base_image with debootstrap from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
}

build() { # tag context [extra podman build arguments]
  local tag=$1 context=$2; shift 2
  say "building $tag"
  podman build -q --format docker --build-arg BASE_IMAGE="$base_image" -t "$tag" "$@" "$context" >/dev/null
}

# A stand-in whose binary comes from outside its folder: copy it in first.
build_with_binary() { # tag folder binary
  local context; context=$(mktemp -d)
  cp -r "$images/$2/." "$context/" && cp "$3" "$context/"
  build "$1" "$context"
  rm -rf "$context"
}

build_base
build localhost/workstream-test/postgres:15 "$images/postgres"
build localhost/workstream-test/rabbitmq:3.10 "$images/rabbitmq"
build localhost/workstream-test/redis:7 "$images/redis"
build_with_binary localhost/workstream-test/mongodb:ferretdb mongodb "$(bash "$root/scripts/tools.sh" path ferretdb)"
build_with_binary localhost/workstream-test/mailpit:latest mailpit "$(bash "$root/scripts/tools.sh" path mailpit)"
build localhost/workstream:dev "$root"
cat <<ENV
export POSTGRES_IMAGE=localhost/workstream-test/postgres:15
export RABBITMQ_IMAGE=localhost/workstream-test/rabbitmq:3.10
export REDIS_IMAGE=localhost/workstream-test/redis:7
export MONGO_IMAGE=localhost/workstream-test/mongodb:ferretdb
export MAILPIT_IMAGE=localhost/workstream-test/mailpit:latest
export WORKSTREAM_IMAGE=localhost/workstream:dev
ENV
