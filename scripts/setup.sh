#!/usr/bin/env bash
# Installs whatever Conform's build and tests need and is missing. Idempotent: a second run
# checks and exits in seconds. Needs nothing outside the repository; packages come from the
# Debian, crates.io and npm registries only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$CONFORM_ROOT"

step() { printf '\033[1m==> %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_updated=0
apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "Installing Debian packages: ${missing[*]}"
  if [ "$apt_updated" = 0 ]; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# --- Browser, PostgreSQL, node -------------------------------------------------------------
apt_install chromium postgresql postgresql-common fonts-dejavu-core
# Node.js usually comes with the machine (with npm); only fall back to Debian's when absent.
command -v npm >/dev/null 2>&1 || apt_install nodejs npm

# --- A Rust toolchain that builds wasm32 ---------------------------------------------------
setup_offline_toolchain() {
  step "Building the wasm32 standard library with Debian's Rust (offline route)"
  apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22
  local seed
  seed="$(mktemp -d)"
  cat >"$seed/Cargo.toml" <<'TOML'
[package]
name = "wasm-std-seed"
version = "0.0.0"
edition = "2021"
[lib]
path = "lib.rs"
[profile.release]
panic = "abort"
TOML
  echo '#![no_std]' >"$seed/lib.rs"
  (cd "$seed" && RUSTUP_TOOLCHAIN= RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR="$seed/target" \
    /usr/bin/cargo build -q --release --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
  as_root mkdir -p "$WASM_SYSROOT_MARKER"
  find "$seed/target/wasm32-unknown-unknown/release/deps" -name 'lib*.rlib' ! -name 'libwasm_std_seed*' \
    -exec cp {} "$WASM_SYSROOT_MARKER/" \;
  rm -rf "$seed"
  rustup toolchain list | grep -q "^$CONFORM_OFFLINE_TOOLCHAIN" || rustup toolchain link "$CONFORM_OFFLINE_TOOLCHAIN" /usr
}

if [ -z "$(conform_pick_toolchain)" ]; then
  step "Adding the wasm32 target with rustup (bounded: offline machines cannot download it)"
  if timeout 30 rustup target add wasm32-unknown-unknown &&
    version_at_least "$(rustc --version | cut -d' ' -f2)" 1.96.0; then
    :
  else
    setup_offline_toolchain
  fi
fi
RUSTUP_TOOLCHAIN="$(conform_pick_toolchain)"
export RUSTUP_TOOLCHAIN
[ -n "$RUSTUP_TOOLCHAIN" ] || { echo "setup: no toolchain can build wasm32" >&2; exit 1; }

# --- wasm-bindgen CLI at exactly the version Cargo.toml pins -------------------------------
wasm_bindgen_version="$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' Cargo.toml)"
if [ "$(wasm-bindgen --version 2>/dev/null | cut -d' ' -f2)" != "$wasm_bindgen_version" ]; then
  step "Installing wasm-bindgen-cli $wasm_bindgen_version"
  # Not --locked: its lock file names a crate version the registry here does not serve.
  CARGO_TARGET_DIR=/var/tmp/conform-tools-target cargo install -q --force wasm-bindgen-cli --version "$wasm_bindgen_version"
fi

# --- npm packages for the end-to-end tests, and wasm-opt (npm binaryen) --------------------
if [ ! -x end2end/node_modules/.bin/playwright ] || [ ! -x end2end/node_modules/.bin/wasm-opt ] ||
  [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  step "Installing end-to-end test packages (no browser download)"
  (cd end2end && npm ci --no-audit --no-fund --prefer-offline)
fi

step "Setup complete (toolchain: $RUSTUP_TOOLCHAIN)"
