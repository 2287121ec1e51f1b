#!/usr/bin/env bash
# Builds the minimal Leptos app (server and hydrated client) with Conform's toolchain and
# client profile, into /var/tmp (outside the clone). Prints where the binary and site are.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../../scripts/env.sh"
target=/var/tmp/minimal-leptos-target
site="$target/site"
cd "$here"
# Versions as Conform resolved them, so that nothing new is fetched.
[ -f Cargo.lock ] || cp "$CONFORM_ROOT/Cargo.lock" Cargo.lock
cargo build --quiet --release --features ssr --bin minimal-leptos --target-dir "$target"
# Without Conform's `--emit-relocs` (.cargo/config.toml): only its splitter needs them.
RUSTFLAGS="-Cdebuginfo=0" cargo build --quiet --lib --target wasm32-unknown-unknown \
  --no-default-features --features hydrate --profile wasm-release --target-dir "$target"
mkdir -p "$site/pkg"
wasm-bindgen --target web --no-typescript --out-name minimal --out-dir "$site/pkg" \
  "$target/wasm32-unknown-unknown/wasm-release/minimal_leptos.wasm"
# Named as Leptos looks for it when LEPTOS_OUTPUT_NAME was set at build time (env.sh sets it).
mv "$site/pkg/minimal_bg.wasm" "$site/pkg/minimal.wasm"
node "$CONFORM_ROOT/end2end/tools/wasm-opt-all.mjs" "$site/pkg/minimal.wasm"
echo "$target/release/minimal-leptos $site"
