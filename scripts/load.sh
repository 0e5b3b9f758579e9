#!/usr/bin/env bash
# The load benchmark of issue 12: a release build of Mingle on a private PostgreSQL with the demo
# tenants, then `mingle load` from a second process — N members' live sockets into one session's
# lobby at a set rate, the fan-out of one event to all of them, the server's CPU and memory.
#   bash scripts/load.sh [N=1000] [rate=100 per second] [events=20] [more mingle load options, e.g. --site-only]
#   bash scripts/load.sh N rate 0 --hummingbird-baseline   the same pages against a bare Hummingbird
#     WebSocket server (socket-baseline) instead of Mingle: what a connection costs before Mingle
#   bash scripts/load.sh N rate 0 --nio-baseline           … against event-driven NIO handlers
#   bash scripts/load.sh N rate 0 --hybrid-baseline        … against Hummingbird serving HTTP with
#     /live/ws upgraded to those handlers by a server child channel of our own
# Safe to re-run; every run is bounded in time (the tool stops after --time-limit).
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-1000} rate=${2:-100} events=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
baseline=false baseline_flags=()
args=()
for arg in "$@"; do
  case "$arg" in
    --hummingbird-baseline) baseline=true ;;
    --nio-baseline) baseline=true; baseline_flags=(--nio) ;;
    --hybrid-baseline) baseline=true; baseline_flags=(--hybrid) ;;
    *) args+=("$arg") ;;
  esac
done
port=${MINGLE_LOAD_PORT:-18090}
pg_port=${MINGLE_LOAD_PG_PORT:-55434}
limit=${MINGLE_LOAD_TIME_LIMIT:-300}

bash scripts/install-deps.sh run
. scripts/release-common.sh
release_database load "$pg_port"
if $baseline; then release_build load socket-baseline; else release_build load; fi
# No Janus: the load is the real-time socket, not video (media-config says video is off).
release_environment "$port" "$pg_port"
"$bin" seed-demo > /dev/null
if $baseline; then
  release_serve load "$port" "$(dirname "$bin")/socket-baseline" "$port" "${baseline_flags[@]}"
  args+=(--site-only)
else
  release_serve load "$port" "$bin" serve
fi
timeout $((limit + 120)) "$bin" load --tenant acme --count "$count" --rate "$rate" --events "$events" \
  --server-pid "$server" --url "http://127.0.0.1:$port" --time-limit "$limit" "${args[@]}"
