#!/usr/bin/env bash
# The meeting benchmark of issue 15: what one meeting of 2, 5 and 10 people costs this machine
# (Janus's and Mingle's CPU, Mingle's memory), with real Chromium pages publishing and watching
# through a real Janus, inside a network namespace of its own (as the browser tests run).
# Usage: bash scripts/bench-meeting.sh   (figures: the [figures] lines; Tests/Browser/bench_meeting.py)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
. scripts/release-common.sh
release_build bench-meeting
MINGLE_BIN="$bin" MINGLE_BROWSER_TESTS=Tests/Browser/bench_meeting.py PG_PORT=55433 APP_PORT=18095 \
  JANUS_PORT=18195 JANUS_RTP=22000-22499 PAYPAL_PORT=18096 \
  unshare -n bash scripts/browser-tests.sh
