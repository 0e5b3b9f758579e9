#!/usr/bin/env bash
# The browser stage of scripts/test.sh. Runs inside `unshare -n` (a network namespace of its
# own): loopback plus a veth pair with a private address, so Janus and Chromium have a
# non-loopback interface for ICE and no packet leaves the namespace.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
: "${MINGLE_BIN:?}" "${PG_PORT:?}" "${APP_PORT:?}" "${JANUS_PORT:?}" "${JANUS_RTP:?}" "${PAYPAL_PORT:?}"

ip link set lo up
ip link add mingle0 type veth peer name mingle1
ip addr add 10.99.0.1/24 dev mingle0
ip link set mingle0 up
ip link set mingle1 up

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/janus.sh stop .data/browser-janus
  bash scripts/postgres.sh stop .data/test-pg > /dev/null 2>&1 || true
}
trap cleanup EXIT

bash scripts/postgres.sh start .data/test-pg "$PG_PORT" > /dev/null
set -a; . .data/test-pg/credentials.env; set +a
runuser -u postgres -- psql -q -h "$root/.data/test-pg/socket" -p "$PG_PORT" -d postgres \
  -c "DROP DATABASE IF EXISTS mingle_browser WITH (FORCE)" -c "CREATE DATABASE mingle_browser OWNER mingle_owner"
bash scripts/janus.sh start .data/browser-janus "$JANUS_PORT" "$JANUS_RTP"
set -a; . .data/browser-janus/credentials.env; set +a

export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$PG_PORT MINGLE_DB_NAME=mingle_browser \
       MINGLE_ROOT_HOST="mingle.localhost:$APP_PORT" MINGLE_PORT=$APP_PORT \
       MINGLE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
       MINGLE_PAYPAL_API_URL="http://127.0.0.1:$PAYPAL_PORT" MINGLE_JANUS_URLS="ws://127.0.0.1:$JANUS_PORT" \
       MINGLE_TEST_JANUS_URL="ws://127.0.0.1:$JANUS_PORT"
"$MINGLE_BIN" paypal-sim --port "$PAYPAL_PORT" > .data/browser-paypal-sim.log 2>&1 &
pids+=($!)
"$MINGLE_BIN" seed-demo > .data/browser-seed.log
"$MINGLE_BIN" serve > .data/browser-server.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://mingle.localhost:$APP_PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://mingle.localhost:$APP_PORT/healthz" >/dev/null || { tail -20 .data/browser-server.log; echo "the server did not start" >&2; exit 1; }
MINGLE_BASE_PORT=$APP_PORT python3 -m pytest -q -s ${MINGLE_BROWSER_TESTS:-Tests/Browser}
