#!/usr/bin/env bash
# Crash durability: is every write Conform acknowledged still there after a crash?
#
# The release `conform` serves a fresh SQLite file (WAL, synchronous=FULL: app/src/server/db.rs)
# while 4 clients create services over the server-function API; at a random moment 5–250 ms
# into the stream it is killed with SIGKILL (no shutdown, no flush) and started again, at
# least CYCLES times (default 200) within SECONDS (default 600). After a final restart every
# write that got a complete 200 reply with its id must be stored under the name sent, and
# `conform audit verify` must pass. Prints cycles, writes sent/acknowledged/stored/lost and
# how many kills landed on a write in flight; exits 1 on any loss, refused write, broken audit
# trail, or fewer cycles than asked. The driver: server/examples/durability.rs.
# Figures: docs/benchmarks.md.
#
# Usage: scripts/durability.sh [SECONDS] [CYCLES]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"
seconds="${1:-600}"
cycles="${2:-200}"
cargo build --release -p conform --bin conform --example durability
"$CARGO_TARGET_DIR/release/examples/durability" \
  --binary "$CARGO_TARGET_DIR/release/conform" --seconds "$seconds" --cycles "$cycles"
