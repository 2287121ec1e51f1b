#!/usr/bin/env bash
# The server Playwright starts, on a throw-away SQLite database with demo data: the release
# build, or the binary CONFORM_E2E_BINARY names (scripts/test.sh uses the debug build).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
data="$(mktemp -d /tmp/conform-e2e.XXXXXX)"
trap 'rm -rf "$data"' EXIT
export LEPTOS_SITE_ROOT="${LEPTOS_SITE_ROOT:-$CONFORM_ROOT/target/site}"
export RUST_LOG="${RUST_LOG:-warn}"
"${CONFORM_E2E_BINARY:-$CARGO_TARGET_DIR/release/conform}" serve --demo \
  --addr "${CONFORM_E2E_ADDR:-127.0.0.1:3100}" \
  --database-url "sqlite://$data/conform.db" &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT INT TERM
wait $server
