#!/bin/sh
# A throwaway PostgreSQL cluster for tests and benchmarks, from Debian's
# `postgresql` package: initdb in a temporary folder, one server on
# 127.0.0.1 (durability off unless IM_PG_DURABLE=1: it is thrown away),
# and its URL printed on stdout once it takes connections. It stops and
# its folder is deleted when this script's stdin closes, so a caller that
# dies takes it along.
#
#   sh pg-throwaway.sh   # prints postgres://postgres@127.0.0.1:<port>
#   (then a line `restart` on its stdin restarts the server)
#
# As root (CI), initdb and postgres refuse to run: both run as the
# `postgres` user the package creates.
set -eu

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
  exit 1
fi

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d -t im-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
cleanup() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  exit 1
fi

# Durability off for tests; IM_PG_DURABLE=1 keeps PostgreSQL's defaults
# (fsync, synchronous commit), for benchmarks.
durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
if [ "${IM_PG_DURABLE:-}" = 1 ]; then durability=""; fi

# A random free port: pg_ctl fails on one in use, and another is tried.
started=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
  port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 ))
  if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir \
          -c max_connections=300 $durability" start >/dev/null 2>&1; then
    started=yes
    break
  fi
done
if [ -z "$started" ]; then
  cat "$dir/server.log" >&2 || true
  exit 1
fi

echo "postgres://postgres@127.0.0.1:$port"
# Until the caller closes stdin (or ends). A line `restart` restarts the
# server (same options; clients see their connections break) and answers
# `restarted`.
while read -r command; do
  if [ "$command" = restart ]; then
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 restart \
      >/dev/null 2>&1 || true
    echo restarted
  fi
done
