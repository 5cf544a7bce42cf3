#!/bin/sh
# The part of the upstream image's entrypoint that compose.yaml relies on: a
# first start makes the cluster with POSTGRES_USER as its superuser (password
# from POSTGRES_PASSWORD_FILE) and POSTGRES_DB; then postgres runs as the
# postgres user, listening on every address.
set -eu
if [ "${1:-}" = postgres ]; then
  mkdir -p "$PGDATA" /run/postgresql && chown postgres: "$PGDATA" /run/postgresql && chmod 700 "$PGDATA"
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    password=${POSTGRES_PASSWORD:-$(cat "${POSTGRES_PASSWORD_FILE:?set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE}")}
    printf '%s\n' "$password" >/tmp/pwfile && chown postgres /tmp/pwfile
    runuser -u postgres -- initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile=/tmp/pwfile \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f /tmp/pwfile
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    if [ -n "${POSTGRES_DB:-}" ] && [ "$POSTGRES_DB" != postgres ]; then
      echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"${POSTGRES_USER:-postgres}\"" |
        runuser -u postgres -- postgres --single -D "$PGDATA" -jE postgres >/dev/null
    fi
  fi
  exec runuser -u postgres -- "$@" -c listen_addresses='*'
fi
exec "$@"
