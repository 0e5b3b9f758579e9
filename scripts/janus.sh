#!/usr/bin/env bash
# A private Janus for development and tests, configured by Mingle (`mingle janus-config`):
# only VideoRoom and the WebSocket API on 127.0.0.1, secrets of its own kept in
# DIR/credentials.env (MINGLE_JANUS_API_SECRET, MINGLE_JANUS_ADMIN_KEY).
#   scripts/janus.sh start DIR PORT [RTP_RANGE]   (needs the built `mingle` in MINGLE_BIN or on the build path)
#   scripts/janus.sh stop DIR
set -euo pipefail
cd "$(dirname "$0")/.."

# Janus sometimes lingers after SIGTERM: wait a moment, then insist.
stop_pid() {
  local pid=$1
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
action=${1:?start or stop}
dir=${2:?folder}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

case "$action" in
start)
  port=${3:?port}
  rtp=${4:-20000-20999}
  if [ ! -f "$dir/credentials.env" ]; then
    umask 077
    {
      echo "MINGLE_JANUS_API_SECRET=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      echo "MINGLE_JANUS_ADMIN_KEY=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    } > "$dir/credentials.env"
  fi
  set -a; . "$dir/credentials.env"; set +a
  bin=${MINGLE_BIN:-$(swift build --product mingle --show-bin-path)/mingle}
  "$bin" janus-config --folder "$dir/config" --port "$port" --rtp-ports "$rtp" > /dev/null
  if [ -f "$dir/janus.pid" ]; then stop_pid "$(cat "$dir/janus.pid")"; fi
  janus -F "$dir/config" > "$dir/janus.log" 2>&1 &
  echo $! > "$dir/janus.pid"
  for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
  (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null || { tail -20 "$dir/janus.log"; echo "Janus did not start" >&2; exit 1; }
  echo "Janus listening on ws://127.0.0.1:$port (log: $dir/janus.log)"
  ;;
stop)
  if [ -f "$dir/janus.pid" ]; then stop_pid "$(cat "$dir/janus.pid")"; rm -f "$dir/janus.pid"; fi
  ;;
*)
  echo "usage: scripts/janus.sh start DIR PORT [RTP_RANGE] | stop DIR" >&2; exit 2 ;;
esac
