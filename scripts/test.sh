#!/usr/bin/env bash
# The README's test command: installs what is missing, starts its own PostgreSQL (.data/test-pg)
# and SMTP server (loopback), runs the Swift tests and then the headless-Chromium tests.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
pg_port=${MINGLE_TEST_PG_PORT:-55433}
smtp_port=${MINGLE_TEST_SMTP_PORT:-2526}
app_port=${MINGLE_TEST_APP_PORT:-18080}
janus_port=${MINGLE_TEST_JANUS_PORT:-18188}
janus_rtp=${MINGLE_TEST_JANUS_RTP:-21000-21499}

bash scripts/install-deps.sh test
bash scripts/postgres.sh start .data/test-pg "$pg_port"
set -a; . .data/test-pg/credentials.env; set +a

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/janus.sh stop .data/test-janus
}
trap cleanup EXIT

# aiosmtpd creates the Maildir (new/ cur/ tmp/) only when the folder does not exist yet.
rm -rf .data/test-mail
python3 scripts/smtp-sink.py "$smtp_port" .data/test-mail > .data/smtp-sink.log 2>&1 &
pids+=($!)
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/$smtp_port) 2>/dev/null && break; sleep 0.1; done

export MINGLE_TEST=1 MINGLE_TEST_DB_HOST=127.0.0.1 MINGLE_TEST_DB_PORT=$pg_port \
       MINGLE_TEST_SMTP_URL="smtp://127.0.0.1:$smtp_port" MINGLE_TEST_MAILDIR="$root/.data/test-mail" \
       MINGLE_RESOURCES="$root"

echo "== swift tests"
mkdir -p .data
swift build --build-tests > .data/build.log 2>&1 || { grep -E "error" .data/build.log | head -30; echo "build failed: see .data/build.log" >&2; exit 1; }
# A private Janus configured by Mingle (VideoRoom + WebSocket API on loopback, own secrets).
MINGLE_BIN="$(swift build --show-bin-path)/mingle" bash scripts/janus.sh start .data/test-janus "$janus_port" "$janus_rtp"
set -a; . .data/test-janus/credentials.env; set +a
export MINGLE_TEST_JANUS_URL="ws://127.0.0.1:$janus_port"
set +e
swift test --skip-build > .data/swift-test.log 2>&1
status=$?
set -e
# Every failure, then the closing summary lines (the whole log is in .data/swift-test.log).
grep -E "recorded an issue|^✘|error:" .data/swift-test.log | head -80 || true
grep -E "^(✔|✘) Test run with" .data/swift-test.log || true
[ "$status" -eq 0 ] || { echo "swift tests failed"; exit "$status"; }

echo "== browser tests (headless Chromium)"
bin=$(swift build --product mingle --show-bin-path)/mingle
swift build --product mingle > .data/build.log 2>&1 || { grep -E "error" .data/build.log | head -30; exit 1; }
runuser -u postgres -- psql -q -h "$root/.data/test-pg/socket" -p "$pg_port" -d postgres \
  -c "DROP DATABASE IF EXISTS mingle_browser WITH (FORCE)" -c "CREATE DATABASE mingle_browser OWNER mingle_owner"
export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$pg_port MINGLE_DB_NAME=mingle_browser \
       MINGLE_ROOT_HOST="mingle.localhost:$app_port" MINGLE_PORT=$app_port \
       MINGLE_SECRET_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
paypal_port=${MINGLE_TEST_PAYPAL_PORT:-18089}
export MINGLE_PAYPAL_API_URL="http://127.0.0.1:$paypal_port"
"$bin" paypal-sim --port "$paypal_port" > .data/browser-paypal-sim.log 2>&1 &
pids+=($!)
"$bin" seed-demo > .data/browser-seed.log
"$bin" serve > .data/browser-server.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://mingle.localhost:$app_port/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://mingle.localhost:$app_port/healthz" >/dev/null || { tail -20 .data/browser-server.log; echo "the server did not start" >&2; exit 1; }
MINGLE_BIN="$bin" MINGLE_BASE_PORT=$app_port python3 -m pytest -q Tests/Browser
