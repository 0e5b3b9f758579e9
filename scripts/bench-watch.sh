#!/usr/bin/env bash
# The watch-room drift benchmark of issue 17: five Chromium pages in one room, one joining late,
# while the host plays, pauses, seeks and changes speed for 150 s (MINGLE_WATCH_BENCH_SECONDS);
# prints p50 / p95 / max drift with Mingle's rules, then with the ±2 s seek rule as a baseline,
# inside a network namespace of its own (as the browser tests run).
# Usage: bash scripts/bench-watch.sh   (figures: the [figures] lines; Tests/Browser/bench_watch.py)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
. scripts/release-common.sh
release_build bench-watch
MINGLE_BIN="$bin" MINGLE_BROWSER_TESTS=Tests/Browser/bench_watch.py PG_PORT=55433 APP_PORT=18097 \
  JANUS_PORT=18197 JANUS_RTP=22500-22999 PAYPAL_PORT=18098 \
  unshare -n bash scripts/browser-tests.sh
