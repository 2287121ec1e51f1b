#!/usr/bin/env bash
# Live updates across two `conform` processes on one PostgreSQL (events cross processes
# through LISTEN/NOTIFY): the change board's move-to-other-browser latency, the watcher served
# by the second process (5,000 changes, 1,000 on the board), and the CAB meeting with 50
# participants split between the processes (demo data). Run by scripts/bench.sh through
# `pg_virtualenv`, which provides the throw-away cluster in PG* variables.
# Usage: pg_virtualenv scripts/bench-live-pg.sh board|meeting
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"
url="postgres://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"
bin="$CARGO_TARGET_DIR/release/conform"
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$CONFORM_ROOT/target/site}" RUST_LOG="${RUST_LOG:-warn}"
wait_healthy() {
  for _ in $(seq 1 120); do curl -sf "http://$1/healthz" >/dev/null && return; sleep 0.5; done
  echo "not healthy: $1" >&2
  exit 1
}
what="${1:?board or meeting}"
demo=--demo
if [ "$what" = board ]; then
  "$CARGO_TARGET_DIR/release/examples/bench_board" seed "$url"
  demo=
fi
"$bin" serve $demo --addr 127.0.0.1:3213 --database-url "$url" >/dev/null 2>&1 &
a=$!
trap 'kill $a ${b:-} 2>/dev/null' EXIT
wait_healthy 127.0.0.1:3213
"$bin" serve --addr 127.0.0.1:3214 --database-url "$url" >/dev/null 2>&1 &
b=$!
wait_healthy 127.0.0.1:3214
cd end2end
if [ "$what" = board ]; then
  node bench/board.mjs http://127.0.0.1:3213 20 http://127.0.0.1:3214
else
  node bench/meeting.mjs http://127.0.0.1:3213 "$a,$b" 50 60 http://127.0.0.1:3214
fi
