#!/usr/bin/env bash
# Starts and stops the servers Workstream uses, on loopback, each with its own
# port and a data directory under .local/servers (ignored by git):
# PostgreSQL, Redis and RabbitMQ from Debian's packages, FerretDB (MongoDB
# wire protocol, SQLite backend) and an SMTP sink that keeps each message as a
# file. Idempotent: starting a running server or stopping a stopped one is a
# no-op. Servers are stopped by the PIDs this script recorded.
#
#   scripts/servers.sh start|stop|status|env
#   scripts/servers.sh start|stop SERVER...  only the named ones: postgres redis
#                                         rabbitmq ferretdb smtp
#   scripts/servers.sh vhost NAME         a RabbitMQ vhost for one test; prints its URL
#   scripts/servers.sh drop-vhost NAME
#   scripts/servers.sh rabbitmqctl ARGS   the local broker's rabbitmqctl
#
# WS_SERVERS_DIR moves the data directories (default .local/servers).
# These servers are for tests and benchmarks, and trade durability for speed:
# PostgreSQL runs with fsync=off, and RabbitMQ keeps its message store in
# memory (a directory under /dev/shm, named for the data directory), where a
# quorum queue's log is synced before a message is confirmed or delivered:
# on disk, that sync would set the broker's latency (tens of milliseconds
# whenever the disk is busy). WS_RABBITMQ_ON_DISK=1 keeps it under
# .local/servers; so does a machine without /dev/shm or with under 1 GiB
# free there.
# Every port sits below 32768, out of Linux's ephemeral range (where a busy
# machine's outgoing connections can hold a port nobody listens on), and is
# bound to 127.0.0.1:
#   PostgreSQL 25432 (WS_PG_PORT), Redis 26379 (WS_REDIS_PORT),
#   RabbitMQ AMQP 25672 (WS_AMQP_PORT), its Erlang distribution port AMQP+1
#   and its own port mapper (epmd) AMQP+2, FerretDB 27117 (WS_MONGO_PORT) and
#   its debug port MONGO+1, the SMTP sink 22525 (WS_SMTP_PORT).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${WS_SERVERS_DIR:-$root/.local/servers}
pg_port=${WS_PG_PORT:-25432}
redis_port=${WS_REDIS_PORT:-26379}
amqp_port=${WS_AMQP_PORT:-25672}
mongo_port=${WS_MONGO_PORT:-27117}
smtp_port=${WS_SMTP_PORT:-22525}
rabbit_store=$base/rabbitmq/mnesia
if [ "${WS_RABBITMQ_ON_DISK:-0}" != 1 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  in_memory=/dev/shm/workstream-rabbitmq-$(printf %s "$base" | cksum | cut -d' ' -f1)
  shm_free_kb=$(df -Pk /dev/shm | awk 'NR == 2 {print $4}')
  # Its log alone grows to 512 MiB before it rolls over.
  if [ -d "$in_memory" ] || [ "${shm_free_kb:-0}" -ge 1048576 ]; then rabbit_store=$in_memory; fi
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
mkdir -p "$base"

say() { echo "servers: $*" >&2; }
die() { say "$*"; exit 1; }

running() { # pidfile
  [ -f "$1" ] && kill -0 "$(head -n 1 "$1")" 2>/dev/null
}

wait_for() { # name seconds command...
  local name=$1 seconds=$2; shift 2
  for _ in $(seq $((seconds * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "$name did not come up within ${seconds}s; see its log under $base/$name"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_free() { # name port
  port_open "$2" && die "port $2 for $1 is taken by a process this script did not start; move it with the WS_*_PORT variables"
  return 0
}

# PostgreSQL refuses to run as root, so as root it runs as the postgres user,
# which must be able to reach its data directory.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_dir() {
  local dir="$base/postgres"
  if [ "$(id -u)" -eq 0 ] && ! runuser -u postgres -- test -x "$base" 2>/dev/null; then
    dir="/tmp/workstream-postgres-$(echo "${WS_SERVERS_DIR:-$root}" | md5sum | cut -c1-8)"
  fi
  echo "$dir"
}

start_postgres() {
  local dir; dir=$(pg_dir)
  [ -n "$pg_bin" ] || die "PostgreSQL is not installed; run scripts/setup.sh"
  if [ -f "$dir/data/postmaster.pid" ] && as_pg "$pg_bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then return; fi
  port_free postgres "$pg_port"
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    echo workstream | as_pg tee "$dir/pwfile" >/dev/null
    as_pg "$pg_bin/initdb" -D "$dir/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
      -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || die "initdb failed; see $dir/initdb.log"
  fi
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
    -o "-p $pg_port -c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c fsync=off" >/dev/null ||
    die "PostgreSQL did not start; see $dir/postgres.log"
  if ! as_pg psql -h "$dir" -p "$pg_port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='workstream'" | grep -q 1; then
    as_pg psql -q -h "$dir" -p "$pg_port" -U postgres \
      -c "CREATE ROLE workstream LOGIN PASSWORD 'workstream'" \
      -c "CREATE DATABASE workstream OWNER workstream"
  fi
}

stop_postgres() {
  local dir; dir=$(pg_dir)
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg "$pg_bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

start_redis() {
  local dir="$base/redis"
  running "$dir/redis.pid" && return
  port_free redis "$redis_port"
  mkdir -p "$dir"
  redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no
  wait_for redis 10 redis-cli -p "$redis_port" ping
}

# RabbitMQ runs as its own node with its own Erlang port mapper, cookie and
# data, so it never meets a system-wide broker.
rabbit_env() {
  local dir="$base/rabbitmq"
  export HOME="$dir" RABBITMQ_NODENAME="workstream@localhost" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT="$amqp_port" RABBITMQ_DIST_PORT=$((amqp_port + 1)) \
    ERL_EPMD_PORT=$((amqp_port + 2)) ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_MNESIA_BASE="$rabbit_store" RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/rabbitmq.pid" RABBITMQ_CONFIG_FILE="$dir/rabbitmq" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" RABBITMQ_LOGS="$dir/log/rabbit.log" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

rabbitmqctl_local() { (rabbit_env; /usr/lib/rabbitmq/bin/rabbitmqctl "$@"); }

start_rabbitmq() {
  local dir="$base/rabbitmq"
  running "$dir/rabbitmq.pid" && return
  port_free rabbitmq "$amqp_port"
  mkdir -p "$dir/log"
  [ -f "$dir/enabled_plugins" ] || echo "[]." >"$dir/enabled_plugins"
  printf 'loopback_users.guest = true\nlog.console = false\n' >"$dir/rabbitmq.conf"
  rm -f "$dir/rabbitmq.pid"
  local pid
  pid=$(rabbit_env; cd "$dir"; nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$dir/log/stdout.log" 2>&1 & echo $!)
  wait_rabbitmq "$pid" 120
}

# The broker is up when it says its boot finished and its AMQP port answers.
# Until its node registers, `await_startup` fails at once rather than
# waiting, so ask again until the deadline, and stop early if the broker died.
wait_rabbitmq() { # pid seconds
  local dir="$base/rabbitmq" deadline=$((SECONDS + $2))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$1" 2>/dev/null || die "RabbitMQ exited while starting; see $dir/log/stdout.log and $dir/log"
    if rabbitmqctl_local -q await_startup --timeout 10 >/dev/null 2>&1 && port_open "$amqp_port"; then
      return 0
    fi
    sleep 0.5
  done
  die "RabbitMQ did not finish starting within $2 s; see $dir/log"
}

stop_rabbitmq() {
  local dir="$base/rabbitmq"
  if running "$dir/rabbitmq.pid"; then
    local pid; pid=$(head -n 1 "$dir/rabbitmq.pid")
    kill "$pid"
    for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$dir/rabbitmq.pid"
  (rabbit_env; epmd -kill >/dev/null 2>&1 || true)
}

start_background() { # name port pidfile logfile command...
  local name=$1 port=$2 pidfile=$3 log=$4; shift 4
  running "$pidfile" && return
  port_free "$name" "$port"
  nohup "$@" >"$log" 2>&1 &
  echo $! >"$pidfile"
}

stop_pidfile() { # pidfile
  if running "$1"; then
    local pid; pid=$(head -n 1 "$1")
    kill "$pid"
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$1"
}

# SQLite in WAL mode with synchronous=NORMAL: a commit survives FerretDB
# crashing, and an OS crash may lose the last ones; MongoDB's default write
# concern (acknowledged before its journal's group commit) promises no more,
# and the test Postgres runs with fsync off. With SQLite's default (FULL),
# every insert waited for its own fsync.
start_ferretdb() {
  local dir="$base/ferretdb"
  local ferretdb; ferretdb=$(bash "$root/scripts/tools.sh" path ferretdb)
  mkdir -p "$dir/data"
  start_background ferretdb "$mongo_port" "$dir/ferretdb.pid" "$dir/ferretdb.log" \
    "$ferretdb" --handler=sqlite --sqlite-url="file:$dir/data/?_pragma=synchronous(normal)" \
    --listen-addr="127.0.0.1:$mongo_port" --debug-addr="127.0.0.1:$((mongo_port + 1))" --state-dir="$dir" --telemetry=disable --log-level=warn
  wait_for ferretdb 20 port_open "$mongo_port"
}

start_smtp() {
  local dir="$base/smtp"
  [ -x "$root/.venv/bin/python" ] || die "the Python test tools are missing; run scripts/setup.sh"
  mkdir -p "$dir/mail"
  start_background smtp "$smtp_port" "$dir/smtp.pid" "$dir/smtp.log" \
    "$root/.venv/bin/python" "$root/scripts/smtp_sink.py" --port "$smtp_port" --maildir "$dir/mail"
  wait_for smtp 20 port_open "$smtp_port"
}

# One server by name, for `start SERVER...` and `stop SERVER...`.
named() { # start|stop name...
  local verb=$1 name; shift
  for name in "$@"; do
    case "$name" in postgres|redis|rabbitmq|ferretdb|smtp) ;; *) die "unknown server: $name" ;; esac
  done
  for name in "$@"; do
    case "$verb:$name" in
      start:*) "start_$name" ;;
      stop:postgres|stop:rabbitmq) "stop_$name" ;;
      stop:*) stop_pidfile "$base/$name/$name.pid" ;;
    esac
  done
}

print_env() {
  cat <<ENV
export WORKSTREAM_POSTGRES_URL=postgresql://workstream:workstream@127.0.0.1:$pg_port/workstream
export WORKSTREAM_RABBITMQ_URL=amqp://guest:guest@127.0.0.1:$amqp_port/%2f
export WORKSTREAM_REDIS_URL=redis://127.0.0.1:$redis_port/0
export WORKSTREAM_MONGO_URL=mongodb://127.0.0.1:$mongo_port/workstream
export WORKSTREAM_SMTP_URL=smtp://127.0.0.1:$smtp_port
export WORKSTREAM_TEST_MAILDIR=$base/smtp/mail
ENV
}

status() {
  local name port
  for pair in postgres:$pg_port redis:$redis_port rabbitmq:$amqp_port ferretdb:$mongo_port smtp:$smtp_port; do
    name=${pair%%:*} port=${pair##*:}
    if port_open "$port"; then echo "$name: up on 127.0.0.1:$port"; else echo "$name: down"; fi
  done
}

case "${1:-}" in
  start)
    if [ $# -gt 1 ]; then named "$@"; say "${*:2} up"; print_env; exit 0; fi
    start_postgres; start_redis; start_rabbitmq; start_ferretdb; start_smtp
    say "all up"; print_env ;;
  stop)
    if [ $# -gt 1 ]; then named "$@"; say "${*:2} stopped"; exit 0; fi
    stop_pidfile "$base/smtp/smtp.pid"; stop_pidfile "$base/ferretdb/ferretdb.pid"
    stop_rabbitmq; stop_pidfile "$base/redis/redis.pid"; stop_postgres
    say "all stopped" ;;
  status) status ;;
  env) print_env ;;
  vhost)
    rabbitmqctl_local -q add_vhost "$2" >/dev/null 2>&1 || true
    rabbitmqctl_local -q set_permissions -p "$2" guest '.*' '.*' '.*' >/dev/null
    echo "amqp://guest:guest@127.0.0.1:$amqp_port/$2" ;;
  drop-vhost) rabbitmqctl_local -q delete_vhost "$2" >/dev/null 2>&1 || true ;;
  rabbitmqctl) shift; rabbitmqctl_local "$@" ;;
  *) echo "usage: $0 start|stop [SERVER...]|status|env|vhost NAME|drop-vhost NAME|rabbitmqctl ARGS" >&2; exit 2 ;;
esac
