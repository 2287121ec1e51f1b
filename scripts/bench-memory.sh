#!/usr/bin/env bash
# Server memory at 100,000 records across modules: 80,000 changes (1,000 on the board) and
# 20,000 improvements, with the demo data. The server's resident memory when idle after start,
# then its peak (VmHWM) while 8 connections read the change board (1,000 cards) and 8 read
# the improvement register (a deep page, sorted by priority) for 20 s. The issue's target: the
# peak within 100 MB of the idle figure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"
cargo build --release -p conform --bin conform --example bench_lists --example bench_register \
  >/dev/null 2>&1
bin="$CARGO_TARGET_DIR/release/conform"
bench_lists="$CARGO_TARGET_DIR/release/examples/bench_lists"
data="$(mktemp -d)"
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
"$CARGO_TARGET_DIR/release/examples/bench_register" seed "sqlite://$data/c.db" >/dev/null
"$bench_lists" seed "sqlite://$data/c.db" 80000 >/dev/null
RUST_LOG=warn "$bin" serve --addr 127.0.0.1:3208 --database-url "sqlite://$data/c.db" \
  >/dev/null 2>&1 &
pid=$!
until curl -fs http://127.0.0.1:3208/healthz >/dev/null 2>&1; do sleep 0.05; done
sleep 2
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
idle=$(kib VmRSS)
load() { "$bench_lists" load --connections 8 --seconds 20 --sign-in change.manager@conform.demo "$@"; }
load --post '' http://127.0.0.1:3208/api/changes/board >"$data/board.json" &
board_job=$!
register=$(load "http://127.0.0.1:3208/improvements?sort=priority&dir=desc&page=400")
wait $board_job
board=$(cat "$data/board.json")
peak=$(kib VmHWM)
after=$(kib VmRSS)
echo "{\"changes\":80000,\"improvements\":20000,\"idle_mib\":$((idle / 1024)),\"peak_mib\":$((peak / 1024)),\"after_mib\":$((after / 1024)),\"peak_over_idle_mib\":$(((peak - idle) / 1024)),\"board\":$board,\"register\":$register}"
