#!/usr/bin/env bash
# The README's run command: installs what is missing, starts a private PostgreSQL in
# .data/dev-pg, builds, migrates, seeds the demo tenants and serves on
# http://mingle.localhost:8080. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
port=${MINGLE_PORT:-8080}
pg_port=${MINGLE_DEV_PG_PORT:-55432}

bash scripts/install-deps.sh run
bash scripts/postgres.sh start .data/dev-pg "$pg_port"
set -a; . .data/dev-pg/credentials.env; set +a
[ -f .data/secret.key ] || { umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .data/secret.key; }

echo "building mingle (the first build takes several minutes)…"
mkdir -p .data
swift build --product mingle > .data/build.log 2>&1 || { grep -E "error" .data/build.log | head -30; echo "build failed: see .data/build.log" >&2; exit 1; }
bin=$(swift build --product mingle --show-bin-path)/mingle

# The demo pays through the PayPal simulator (development only; production refuses it).
paypal_port=${MINGLE_DEV_PAYPAL_PORT:-8089}
if ! (echo > "/dev/tcp/127.0.0.1/$paypal_port") 2>/dev/null; then
  MINGLE_MODE=development "$bin" paypal-sim --port "$paypal_port" > .data/paypal-sim.log 2>&1 &
  sim_pid=$!
fi

# Video in the live room goes through a private Janus that Mingle configures (VideoRoom and the
# WebSocket API on 127.0.0.1 only, secrets of its own in .data/dev-janus/credentials.env).
janus_port=${MINGLE_DEV_JANUS_PORT:-8188}
MINGLE_BIN="$bin" bash scripts/janus.sh start .data/dev-janus "$janus_port" 20000-20999
set -a; . .data/dev-janus/credentials.env; set +a
trap 'kill ${sim_pid:-} 2>/dev/null || true; bash scripts/janus.sh stop .data/dev-janus' EXIT

export MINGLE_JANUS_URLS="ws://127.0.0.1:$janus_port"
export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$pg_port MINGLE_DB_NAME=mingle \
       MINGLE_PAYPAL_API_URL="http://127.0.0.1:$paypal_port" \
       MINGLE_ROOT_HOST="mingle.localhost:$port" MINGLE_PORT=$port MINGLE_RESOURCES="$root" \
       MINGLE_SECRET_KEY=$(cat .data/secret.key)
"$bin" seed-demo
cat <<MSG

Mingle is starting on http://mingle.localhost:$port
  platform home and console:  http://mingle.localhost:$port/admin
  demo tenant Acme:           http://acme.mingle.localhost:$port
  demo tenant Globex:         http://globex.mingle.localhost:$port
No SMTP server is configured, so mail stays in the outbox: http://mingle.localhost:$port/admin/outbox
  (a new member's confirmation link is there: open the message).
Acme charges a 25.00 EUR fee, paid through the PayPal simulator on http://127.0.0.1:$paypal_port;
Globex is free.
Video in the live room runs through a local Janus (ws://127.0.0.1:$janus_port, log in .data/dev-janus).
Stop with Ctrl-C. PostgreSQL keeps running; stop it with: bash scripts/postgres.sh stop .data/dev-pg
MSG
"$bin" serve
