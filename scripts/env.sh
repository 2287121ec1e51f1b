# Shared environment for Conform's scripts: `source scripts/env.sh`.
# Caches live outside the clone so fresh clones (CI) reuse earlier builds.

export PATH="$HOME/.cargo/bin:$PATH"
CONFORM_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONFORM_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/conform-target}"
export npm_config_cache="${npm_config_cache:-/var/tmp/conform-npm-cache}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
# Leptos names the client's files after this variable as it was when the *server* was
# compiled (unset: `conform_bg.wasm`, a file scripts/build-client.sh never writes). Set for
# every build, the test builds, the end-to-end server and the client agree and share one
# build cache.
export LEPTOS_OUTPUT_NAME=conform
# wasm-opt comes from the npm `binaryen` package installed in end2end/.
export PATH="$CONFORM_ROOT/end2end/node_modules/.bin:$PATH"

# The offline route (see scripts/setup.sh) links Debian's Rust as this rustup toolchain.
CONFORM_OFFLINE_TOOLCHAIN=conform-web
WASM_SYSROOT_MARKER=/usr/lib/rustlib/wasm32-unknown-unknown/lib

# Picks the toolchain that can build both the server and the wasm client.
conform_pick_toolchain() {
  if rustup toolchain list 2>/dev/null | grep -q "^$CONFORM_OFFLINE_TOOLCHAIN" &&
    ls "$WASM_SYSROOT_MARKER"/libstd-*.rlib >/dev/null 2>&1; then
    echo "$CONFORM_OFFLINE_TOOLCHAIN"
  elif rustup target list --installed 2>/dev/null | grep -q '^wasm32-unknown-unknown$'; then
    rustup show active-toolchain 2>/dev/null | cut -d' ' -f1
  fi
}

if [ -z "${RUSTUP_TOOLCHAIN:-}" ]; then
  picked="$(conform_pick_toolchain)"
  if [ -n "$picked" ]; then export RUSTUP_TOOLCHAIN="$picked"; fi
fi
