#!/bin/sh
# Like the upstream image: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS
# make the first user; the broker runs in the foreground as rabbitmq.
set -eu
if [ "${1:-}" = rabbitmq-server ]; then
  mkdir -p /etc/rabbitmq/conf.d
  {
    echo "loopback_users = none"
    echo "log.console = true"
    echo "log.file = false"
    [ -n "${RABBITMQ_DEFAULT_USER:-}" ] && echo "default_user = $RABBITMQ_DEFAULT_USER"
    [ -n "${RABBITMQ_DEFAULT_PASS:-}" ] && echo "default_pass = $RABBITMQ_DEFAULT_PASS"
  } >/etc/rabbitmq/conf.d/10-image.conf
  chown -R rabbitmq: /etc/rabbitmq/conf.d
  chmod 600 /etc/rabbitmq/conf.d/10-image.conf
  export RABBITMQ_CONFIG_FILES=/etc/rabbitmq/conf.d
  exec runuser -u rabbitmq -- /usr/lib/rabbitmq/bin/rabbitmq-server
fi
exec "$@"
