#!/usr/bin/env bash
# A private PostgreSQL 15 cluster in a data folder of its own, on loopback.
#   scripts/postgres.sh start DIR PORT   create (first time) and start; print nothing else on success
#   scripts/postgres.sh stop DIR
# First start creates the two roles of DESIGN §2 with generated passwords, written to
# DIR/credentials.env (mode 600): MINGLE_DB_OWNER_PASSWORD and MINGLE_DB_APP_PASSWORD.
set -euo pipefail
cmd=$1 dir=$(realpath -m "$2")
bin=/usr/lib/postgresql/15/bin
as_pg() { if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi; }

case "$cmd" in
start)
  port=$3
  mkdir -p "$dir"
  # The server refuses to run as root: the cluster belongs to the postgres user.
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg mkdir -p "$dir/data" "$dir/socket"
    as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth-local=peer --auth-host=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/socket'
max_connections = 200
fsync = off
CONF
    owner_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    app_pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
    umask 077
    printf 'MINGLE_DB_OWNER_PASSWORD=%s\nMINGLE_DB_APP_PASSWORD=%s\n' "$owner_pw" "$app_pw" >"$dir/credentials.env.new"
  fi
  if ! as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "port $port is already in use by another program; stop it or choose another port" >&2; exit 1
    fi
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 start >/dev/null ||
      { tail -20 "$dir/server.log" >&2; exit 1; }
  fi
  if [ -f "$dir/credentials.env.new" ]; then
    . "$dir/credentials.env.new"
    as_pg psql -q -v ON_ERROR_STOP=1 -h "$dir/socket" -p "$port" -d postgres <<SQL
CREATE ROLE mingle_owner LOGIN CREATEDB PASSWORD '$MINGLE_DB_OWNER_PASSWORD';
CREATE ROLE mingle_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD '$MINGLE_DB_APP_PASSWORD';
CREATE DATABASE mingle OWNER mingle_owner;
SQL
    mv "$dir/credentials.env.new" "$dir/credentials.env"
  fi
  ;;
stop)
  if [ -f "$dir/data/PG_VERSION" ]; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  ;;
*) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
