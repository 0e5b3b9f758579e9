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
root=$(pwd)
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
bash scripts/postgres.sh start .data/load-pg "$pg_port"
set -a; . .data/load-pg/credentials.env; set +a
mkdir -p .data
[ -f .data/secret.key ] || { umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .data/secret.key; }

echo "building mingle in release mode (the first release build takes many minutes)…"
swift build -c release --product mingle > .data/load-build.log 2>&1 || { grep -E "error" .data/load-build.log | head -30; echo "build failed: see .data/load-build.log" >&2; exit 1; }
bin=$(swift build -c release --product mingle --show-bin-path)/mingle
if $baseline; then swift build -c release --product socket-baseline >> .data/load-build.log 2>&1; fi

# No Janus: the load is the real-time socket, not video (media-config says video is off).
export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$pg_port MINGLE_DB_NAME=mingle \
       MINGLE_ROOT_HOST="mingle.localhost:$port" MINGLE_PORT=$port MINGLE_RESOURCES="$root" \
       MINGLE_SECRET_KEY=$(cat .data/secret.key)
ulimit -n "$(ulimit -Hn)"
"$bin" seed-demo > /dev/null
if $baseline; then
  "$(dirname "$bin")/socket-baseline" "$port" "${baseline_flags[@]}" > .data/load-server.log 2>&1 &
  args+=(--site-only)
else
  "$bin" serve > .data/load-server.log 2>&1 &
fi
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; bash scripts/postgres.sh stop .data/load-pg' EXIT
for _ in $(seq 150); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
(echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { tail -20 .data/load-server.log; echo "the server did not start" >&2; exit 1; }

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
timeout $((limit + 120)) "$bin" load --tenant acme --count "$count" --rate "$rate" --events "$events" \
  --server-pid "$server" --url "http://127.0.0.1:$port" --time-limit "$limit" "${args[@]}"
