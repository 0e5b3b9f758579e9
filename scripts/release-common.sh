# Shared by the benchmarks (scripts/load.sh, scripts/bench-pages.sh); sourced, not run.
# A release build of Mingle, a private PostgreSQL in .data/<name>-pg, the demo tenants, and a
# server started in the background that is stopped (with PostgreSQL) when the script exits.

# release_database NAME PG_PORT: starts .data/NAME-pg and exports its credentials.
release_database() {
  bash scripts/postgres.sh start ".data/$1-pg" "$2"
  set -a; . ".data/$1-pg/credentials.env"; set +a
  mkdir -p .data
  [ -f .data/secret.key ] || { umask 077; head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > .data/secret.key; }
}

# release_build NAME [PRODUCT…]: builds mingle (and the products named) in release mode; sets bin.
release_build() {
  local name=$1; shift
  echo "building mingle in release mode (the first release build takes many minutes)…"
  : > ".data/$name-build.log"
  for product in mingle "$@"; do
    swift build -c release --product "$product" >> ".data/$name-build.log" 2>&1 \
      || { grep -E "error" ".data/$name-build.log" | head -30; echo "build failed: see .data/$name-build.log" >&2; exit 1; }
  done
  bin=$(swift build -c release --product mingle --show-bin-path)/mingle
}

# release_environment PORT PG_PORT: what `mingle` reads, for a server on PORT (development mode).
release_environment() {
  export MINGLE_MODE=development MINGLE_DB_HOST=127.0.0.1 MINGLE_DB_PORT=$2 MINGLE_DB_NAME=mingle \
         MINGLE_ROOT_HOST="mingle.localhost:$1" MINGLE_PORT=$1 MINGLE_RESOURCES="$(pwd)" \
         MINGLE_SECRET_KEY=$(cat .data/secret.key)
  ulimit -n "$(ulimit -Hn)"
}

# release_serve NAME PORT COMMAND…: runs COMMAND in the background (log .data/NAME-server.log),
# sets server, stops it and .data/NAME-pg on exit, and waits until PORT answers.
release_serve() {
  local name=$1 port=$2; shift 2
  "$@" > ".data/$name-server.log" 2>&1 &
  server=$!
  trap "kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; bash scripts/postgres.sh stop .data/$name-pg" EXIT
  for _ in $(seq 150); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
  (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null || { tail -20 ".data/$name-server.log"; echo "the server did not start" >&2; exit 1; }
  echo "machine: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
}
