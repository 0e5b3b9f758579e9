#!/usr/bin/env bash
# The page benchmark of issue 13: a release build of Mingle on a private PostgreSQL with the
# demo tenants, then wrk from a second process against the tenant home, People, a conversation,
# a report page and /healthz, signed in, page after page in rounds; prints requests/s, p50/p99
# and CPU per request of the server and of PostgreSQL (from /proc).
#   bash scripts/bench-pages.sh [seconds per run=5] [rounds=3] [connections=64]
# Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-5} rounds=${2:-3} connections=${3:-64}
port=${MINGLE_BENCH_PORT:-18092}
pg_port=${MINGLE_BENCH_PG_PORT:-55435}

bash scripts/install-deps.sh bench
bash scripts/postgres.sh start .data/bench-pg "$pg_port"
set -a; . .data/bench-pg/credentials.env; set +a
mkdir -p .data
[ -f .data/secret.key ] || { umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .data/secret.key; }

echo "building mingle in release mode (the first release build takes many minutes)…"
swift build -c release --product mingle > .data/bench-build.log 2>&1 || { grep -E "error" .data/bench-build.log | head -30; echo "build failed: see .data/bench-build.log" >&2; exit 1; }
bin=$(swift build -c release --product mingle --show-bin-path)/mingle

export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$pg_port MINGLE_DB_NAME=mingle \
       MINGLE_ROOT_HOST="mingle.localhost:$port" MINGLE_PORT=$port MINGLE_RESOURCES="$root" \
       MINGLE_SECRET_KEY=$(cat .data/secret.key)
ulimit -n "$(ulimit -Hn)"
# The demo members' password, as seed-demo prints it ("  <site> <role> ana / <password>").
password=$("$bin" seed-demo | awk '$(NF-2) == "ana" { print $NF; exit }')
"$bin" serve > .data/bench-server.log 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; bash scripts/postgres.sh stop .data/bench-pg' EXIT
for _ in $(seq 150); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
(echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { tail -20 .data/bench-server.log; echo "the server did not start" >&2; exit 1; }

echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
python3 scripts/bench_pages.py --port "$port" --root-host "mingle.localhost:$port" --server-pid "$server" \
  --pg-data "$root/.data/bench-pg/data" --password "$password" \
  --seconds "$seconds" --rounds "$rounds" --connections "$connections"
