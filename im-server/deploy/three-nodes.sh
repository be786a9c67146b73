#!/bin/sh
# Three im-server nodes on one PostgreSQL behind HAProxy, on this machine:
# what the README's "Several nodes" section walks through, in one command.
#
#   IM_SECRET_KEY=<key> sh im-server/deploy/three-nodes.sh [sdk-app-id]
#
# Needs Debian's postgresql and haproxy (apt-get install postgresql
# haproxy) and a built server (cargo build --release -p im-server). Clients
# use http://127.0.0.1:8080; the nodes listen on 8081-8083. PostgreSQL is
# a throwaway cluster (durable: fsync on) removed at the end, with the
# uploaded files' shared folder. Ctrl-C stops everything.
set -eu
cd "$(dirname "$0")/../.."

app=${1:-1400000000}
: "${IM_SECRET_KEY:?set IM_SECRET_KEY to the app's secret key}"
server=target/release/im-server
[ -x "$server" ] || { echo "build it first: cargo build --release -p im-server" >&2; exit 1; }
command -v haproxy >/dev/null || { echo "install haproxy (apt-get install haproxy)" >&2; exit 1; }

work=$(mktemp -d -t im-cluster.XXXXXX)
pids=""
pg=""
cleanup() {
  # The nodes drain and stop (SIGTERM), HAProxy stops, then PostgreSQL:
  # closing its script's stdin stops and deletes the throwaway cluster.
  for pid in $pids; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in $pids; do wait "$pid" 2>/dev/null || true; done
  exec 3>&- 2>/dev/null || true
  if [ -n "$pg" ]; then wait "$pg" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# PostgreSQL: the tests' throwaway script, durable; it stops when fd 3 closes.
mkfifo "$work/pg-in"
IM_PG_DURABLE=1 sh im-server/tests/support/pg-throwaway.sh <"$work/pg-in" >"$work/pg-out" &
pg=$!
exec 3>"$work/pg-in"
while [ ! -s "$work/pg-out" ]; do sleep 0.2; done
base=$(head -n 1 "$work/pg-out")
case "$base" in postgres://*) ;; *) echo "PostgreSQL did not start" >&2; exit 1 ;; esac
database="$base/postgres"
echo "PostgreSQL: $database"

mkdir -p "$work/files"
for n in 1 2 3; do
  set -- "$server" --sdk-app-id "$app" --listen "127.0.0.1:808$n" --database "$database" \
    --node-id "node$n" --data-dir "$work/files" --drain-secs 3 --trusted-proxy 127.0.0.1
  echo "IM_SECRET_KEY=... $*"
  "$@" >"$work/node$n.out" 2>"$work/node$n.log" &
  pids="$pids $!"
done
for n in 1 2 3; do
  until grep -q listening "$work/node$n.out" 2>/dev/null; do sleep 0.2; done
  echo "node$n: http://127.0.0.1:808$n (log: $work/node$n.log)"
done

haproxy -f im-server/deploy/haproxy.cfg -db &
pids="$pids $!"
echo "clients: http://127.0.0.1:8080 (HAProxy, round robin over the three nodes)"
echo "Ctrl-C stops everything"
wait
