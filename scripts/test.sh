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
# A second Janus that a test starts and kills (JanusNodeLossTests).
export MINGLE_TEST_JANUS_LOSS_PORT=${MINGLE_TEST_JANUS_LOSS_PORT:-18288}
export MINGLE_TEST_JANUS_LOSS_RTP=${MINGLE_TEST_JANUS_LOSS_RTP:-21500-21599}

bash scripts/install-deps.sh test
bash scripts/postgres.sh start .data/test-pg "$pg_port"
set -a; . .data/test-pg/credentials.env; set +a

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/janus.sh stop .data/test-janus
  bash scripts/janus.sh stop .data/test-janus-loss
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

echo "== page logic (Node's test runner: Tests/JS)"
mkdir -p .data
node --test Tests/JS > .data/js-test.log 2>&1 || { cat .data/js-test.log; echo "page logic tests failed"; exit 1; }
grep -E "^# (pass|fail)" .data/js-test.log

echo "== swift tests"
mkdir -p .data
swift build --build-tests > .data/build.log 2>&1 || { grep -E "error" .data/build.log | head -30; echo "build failed: see .data/build.log" >&2; exit 1; }
# A private Janus configured by Mingle (VideoRoom + WebSocket API on loopback, own secrets).
export MINGLE_BIN="$(swift build --show-bin-path)/mingle"
bash scripts/janus.sh start .data/test-janus "$janus_port" "$janus_rtp"
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

echo "== browser tests (headless Chromium, real Janus, inside a network namespace of their own)"
swift build --product mingle > .data/build.log 2>&1 || { grep -E "error" .data/build.log | head -30; exit 1; }
# Janus will not use loopback for ICE, and media must never reach the machine's own external
# address: everything of this stage (PostgreSQL, Janus, the app, the browsers) runs in a new
# network namespace with loopback and one private veth pair (../shared/notes).
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
pids=()
bash scripts/janus.sh stop .data/test-janus
bash scripts/postgres.sh stop .data/test-pg > /dev/null
MINGLE_BIN="$(swift build --product mingle --show-bin-path)/mingle" PG_PORT=$pg_port APP_PORT=$app_port \
  JANUS_PORT=$janus_port JANUS_RTP=$janus_rtp PAYPAL_PORT=${MINGLE_TEST_PAYPAL_PORT:-18089} \
  unshare -n bash scripts/browser-tests.sh
