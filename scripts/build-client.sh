#!/usr/bin/env bash
# Builds the browser client (release) into target/site: the WebAssembly, its JavaScript glue
# and the stylesheet, as the server's hydration scripts name them (pkg/conform.{wasm,js,css}).
#
# This is the front half of `cargo leptos build --release`, without cargo-leptos: installing it
# compiled for about 30 minutes on a 2-core machine, for a build that is three commands here.
# Same steps, same flags: cargo (profile wasm-release), wasm-bindgen --target web, wasm-opt -Oz.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"

front_target="$CARGO_TARGET_DIR/front"
site="$CONFORM_ROOT/target/site"
wasm="$front_target/wasm32-unknown-unknown/wasm-release/frontend.wasm"

started=$SECONDS
echo "==> client: cargo build (wasm32, profile wasm-release)"
cargo build --package=frontend --lib --target=wasm32-unknown-unknown --no-default-features \
  --profile=wasm-release --target-dir="$front_target"

# Written beside the live files and moved in at the end: a running server never serves a
# half-written client.
mkdir -p "$CONFORM_ROOT/target"
staging="$(mktemp -d "$CONFORM_ROOT/target/site-staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
echo "==> client: wasm-bindgen"
wasm-bindgen --target web --no-typescript --out-name "$LEPTOS_OUTPUT_NAME" --out-dir "$staging" "$wasm"
# Leptos's hydration script asks for <name>.wasm, not wasm-bindgen's <name>_bg.wasm.
mv "$staging/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$staging/$LEPTOS_OUTPUT_NAME.wasm"
echo "==> client: wasm-opt -Oz"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$staging/$LEPTOS_OUTPUT_NAME.wasm" -o "$staging/$LEPTOS_OUTPUT_NAME.wasm"
cp style/main.css "$staging/$LEPTOS_OUTPUT_NAME.css"

mkdir -p "$site"
rm -rf "$site/pkg.old"
[ -d "$site/pkg" ] && mv "$site/pkg" "$site/pkg.old"
mv "$staging" "$site/pkg"
chmod 755 "$site/pkg"
rm -rf "$site/pkg.old"
trap - EXIT
echo "client built in $((SECONDS - started)) s: $(du -k "$site/pkg/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) KiB of wasm in $site/pkg"
