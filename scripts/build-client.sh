#!/usr/bin/env bash
# Builds the browser client (release) into target/site/pkg/<hash>/: the main WebAssembly module
# and its JavaScript glue, one chunk per lazy route, the loader and prefetch manifest Leptos
# reads, and the stylesheet — each also precompressed (.br, .gz). target/site/pkg/current names
# the build the server serves.
#
# This is the front half of `cargo leptos build --release --split`, without cargo-leptos
# (installing it compiled for about 30 minutes on a 2-core machine): cargo (profile
# wasm-release, linked with relocations), the splitter cargo-leptos uses (as a library in
# tools/client-pack), wasm-bindgen --target web, wasm-opt -Oz with cargo-leptos's flags
# (end2end/tools/wasm-opt-all.mjs, binaryen from npm).
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
# The host tool for splitting, hashing and compressing (tools/client-pack), optimised: brotli at
# its highest level is slow unoptimised.
cargo build --quiet --release --package=client-pack
client_pack="$CARGO_TARGET_DIR/release/client-pack"

# Written beside the live builds and published at the end: a running server never serves a
# half-written client.
mkdir -p "$site/pkg"
staging="$(mktemp -d "$site/staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
echo "==> client: split at the lazy routes"
main_split="$front_target/${LEPTOS_OUTPUT_NAME}_split.wasm"
"$client_pack" split --input "$wasm" --out-dir "$staging" --main-out "$main_split" \
  --name "$LEPTOS_OUTPUT_NAME"
echo "==> client: wasm-bindgen"
# The split main module keeps lld's exports (the chunks link against them) and its names.
wasm-bindgen --target web --no-typescript --keep-lld-exports --no-demangle \
  --out-name "$LEPTOS_OUTPUT_NAME" --out-dir "$staging" "$main_split"
# Leptos's hydration script asks for <name>.wasm, not wasm-bindgen's <name>_bg.wasm.
mv "$staging/${LEPTOS_OUTPUT_NAME}_bg.wasm" "$staging/$LEPTOS_OUTPUT_NAME.wasm"
echo "==> client: wasm-opt -Oz (the main module beside all the chunks)"
# binaryen's JavaScript API in one process per list: the npm `wasm-opt` command would load
# binaryen anew for each of the chunks.
optimise=(node "$CONFORM_ROOT/end2end/tools/wasm-opt-all.mjs")
"${optimise[@]}" "$staging/$LEPTOS_OUTPUT_NAME.wasm" &
main_opt=$!
mapfile -t chunks < <(find "$staging" -name '*.wasm' ! -name "$LEPTOS_OUTPUT_NAME.wasm")
if [ ${#chunks[@]} -gt 0 ]; then "${optimise[@]}" "${chunks[@]}"; fi
wait "$main_opt"
cp style/main.css "$staging/$LEPTOS_OUTPUT_NAME.css"

# Builds before the split lived directly in pkg/; builds now live in pkg/<hash>/.
find "$site/pkg" -maxdepth 1 -type f ! -name current -delete
echo "==> client: hash, precompress, publish"
"$client_pack" seal --staging "$staging" --pkg "$site/pkg"
trap - EXIT
echo "client built in $((SECONDS - started)) s: $(du -k "$site/pkg/$(cat "$site/pkg/current")/$LEPTOS_OUTPUT_NAME.wasm" | cut -f1) KiB of main wasm in $site/pkg/$(cat "$site/pkg/current")"
