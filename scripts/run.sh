#!/usr/bin/env bash
# Builds Conform and serves it on SQLite with demo data.
# The server is a debug build (a demo gains nothing from the release build's extra 20 minutes
# on two cores; password hashing is optimised in every build); CONFORM_RELEASE=1 builds the
# release server instead. The browser always gets the release client: what users download.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$CONFORM_ROOT/scripts/setup.sh"
source "$CONFORM_ROOT/scripts/env.sh"
cd "$CONFORM_ROOT"
started=$SECONDS
client_log="$(mktemp /tmp/conform-client-build.XXXXXX)"
echo "==> Building the browser client (log: $client_log) and the server, side by side"
"$CONFORM_ROOT/scripts/build-client.sh" >"$client_log" 2>&1 &
client_build=$!
if [ "${CONFORM_RELEASE:-0}" = 1 ]; then
  cargo build --release -p conform --bin conform
  bin="$CARGO_TARGET_DIR/release/conform"
else
  cargo build -p conform --bin conform
  bin="$CARGO_TARGET_DIR/debug/conform"
fi
echo "==> Server built; waiting for the client"
if ! wait "$client_build"; then
  tail -n 40 "$client_log"
  echo "The client build failed (log: $client_log)." >&2
  exit 1
fi
tail -n 1 "$client_log"
echo "==> Built in $((SECONDS - started)) s"
export LEPTOS_SITE_ROOT="$CONFORM_ROOT/target/site"
exec "$bin" serve --demo "$@"
