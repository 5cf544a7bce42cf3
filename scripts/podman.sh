#!/usr/bin/env bash
# Runs containers on a machine with podman and no Docker engine: a
# containers.conf that works without CAP_SYS_RESOURCE, podman's
# Docker-compatible API on a socket of our own (for `docker compose`), and a
# ticker that runs health checks (podman runs them through systemd, which a
# container or CI machine does not have; without it a health check never
# leaves "starting").
#
#   scripts/podman.sh start     install podman if missing; start the API and the ticker
#   scripts/podman.sh stop      stop what start started (by PID)
#   scripts/podman.sh env       print the exports that point podman and compose here
#
# State lives under .local/podman (ignored by git).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state="$root/.local/podman"
conf="$state/containers.conf"
socket="$state/podman.sock"

say() { echo "podman: $*" >&2; }
die() { say "$*"; exit 1; }

running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# catatonit: podman builds a pod's infra (pause) image from it (kube play).
install_packages() {
  bash "$root/scripts/packages.sh" podman buildah runc debootstrap netavark aardvark-dns slirp4netns \
    uidmap containernetworking-plugins fuse-overlayfs iptables catatonit
}

# podman lowers NOFILE and NPROC for each container, which fails without
# CAP_SYS_RESOURCE; keep the host's hard limit instead. crun does not work
# with this machine's cgroups; runc does.
write_conf() {
  mkdir -p "$state"
  local nofile; nofile=$(ulimit -Hn)
  cat >"$conf" <<CONF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=32768:32768"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
}

print_env() {
  cat <<ENV
export CONTAINERS_CONF=$conf
export DOCKER_HOST=unix://$socket
ENV
}

# Every 2 s, the health check of each running container that has one.
tick_health() {
  while sleep 2; do
    for id in $(podman ps -q 2>/dev/null); do
      podman healthcheck run "$id" >/dev/null 2>&1 || true # fails for containers without one
    done
  done
}

start() {
  install_packages
  write_conf
  export CONTAINERS_CONF=$conf
  if ! running "$state/service.pid"; then
    rm -f "$socket"
    nohup podman system service --time=0 "unix://$socket" >"$state/service.log" 2>&1 &
    echo $! >"$state/service.pid"
    for _ in $(seq 100); do [ -S "$socket" ] && break; sleep 0.1; done
    [ -S "$socket" ] || die "the podman API did not start; see $state/service.log"
  fi
  if ! running "$state/ticker.pid"; then
    tick_health >/dev/null 2>&1 &
    echo $! >"$state/ticker.pid"
  fi
  print_env
}

stop_pid() {
  running "$1" && kill "$(cat "$1")" 2>/dev/null
  rm -f "$1"
}

case "${1:-}" in
  start) start ;;
  stop) stop_pid "$state/ticker.pid"; stop_pid "$state/service.pid"; rm -f "$socket" ;;
  env) print_env ;;
  *) echo "usage: $0 start|stop|env" >&2; exit 2 ;;
esac
