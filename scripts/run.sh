#!/usr/bin/env bash
# Builds Conform (release) and serves it on SQLite with demo data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$CONFORM_ROOT/scripts/setup.sh"
source "$CONFORM_ROOT/scripts/env.sh"
cd "$CONFORM_ROOT"
echo "==> Building Conform (release)"
cargo leptos build --release
export LEPTOS_SITE_ROOT="$CONFORM_ROOT/target/site"
exec "$CARGO_TARGET_DIR/release/conform" serve --demo "$@"
