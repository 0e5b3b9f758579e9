#!/usr/bin/env bash
# The page benchmark of issue 13: a release build of Mingle on a private PostgreSQL with the
# demo tenants, then wrk from a second process against the tenant home, People, a conversation,
# a report page and /healthz, signed in, page after page in rounds; prints requests/s, p50/p99
# and CPU per request of the server and of PostgreSQL (from /proc).
#   bash scripts/bench-pages.sh [seconds per run=5] [rounds=3] [connections=64] [pages, e.g. /people,/]
# Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds=${1:-5} rounds=${2:-3} connections=${3:-64} pages=${4:-}
port=${MINGLE_BENCH_PORT:-18092}
pg_port=${MINGLE_BENCH_PG_PORT:-55435}

bash scripts/install-deps.sh bench
. scripts/release-common.sh
release_database bench "$pg_port"
release_build bench
release_environment "$port" "$pg_port"
# The demo members' password, as seed-demo prints it ("  <site> <role> ana / <password>").
password=$("$bin" seed-demo | awk '$(NF-2) == "ana" { print $NF; exit }')
release_serve bench "$port" "$bin" serve
python3 scripts/bench_pages.py --port "$port" --root-host "mingle.localhost:$port" --server-pid "$server" \
  --pg-data "$root/.data/bench-pg/data" --password "$password" \
  --seconds "$seconds" --rounds "$rounds" --connections "$connections" --pages "$pages"
