#!/usr/bin/env bash
# Make a (fresh) Debian machine ready to build, test and run Valgvagt.
# Idempotent: everything that is already present is skipped.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CARGO_LEPTOS_VERSION="0.3.10"
MIN_NODE_MAJOR=20   # @playwright/test 1.65 requires Node.js >= 20
export DEBIAN_FRONTEND=noninteractive
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "==> $*"; }
die() { echo "==> ERROR: $*" >&2; exit 1; }

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  SUDO=()
fi

# ---------------------------------------------------------------- apt packages
pkg_installed() {
  dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed'
}

apt_updated=0
apt_install() {
  if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
    die "need root or sudo to install: $*"
  fi
  if [ "$apt_updated" -eq 0 ]; then
    log "apt-get update"
    "${SUDO[@]}" apt-get update
    apt_updated=1
  fi
  log "apt-get install $*"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@"
}

missing=()
# postgresql: the integration tests run on PostgreSQL too (scripts/postgres.sh);
# nginx and openssl: a test runs the example proxy configuration
# (server/deploy/nginx.conf) with a certificate it makes.
for p in chromium libssl-dev pkg-config curl ca-certificates postgresql openssl; do
  pkg_installed "$p" || missing+=("$p")
done
command -v nginx >/dev/null 2>&1 || missing+=(nginx-light)
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
else
  log "system packages present (chromium, libssl-dev, pkg-config, curl, ca-certificates, postgresql, openssl, nginx, node, npm)"
fi

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt "$MIN_NODE_MAJOR" ]; then
  die "Node.js $(node --version) is too old; Playwright needs Node.js >= ${MIN_NODE_MAJOR}. Install a newer Node.js (e.g. Debian trixie's nodejs or https://github.com/nodesource/distributions) and re-run."
fi
log "node $(node --version), npm $(npm --version)"

# ------------------------------------------------------------------------ Rust
if ! command -v cargo >/dev/null 2>&1; then
  die "cargo not found. Install Rust with rustup (https://rustup.rs):
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y
  then re-run this script."
fi
log "$(cargo --version)"

if ! command -v rustup >/dev/null 2>&1; then
  die "rustup not found; it is needed to add the wasm32-unknown-unknown target. Install Rust via https://rustup.rs"
fi
if rustup target list --installed | grep -qx 'wasm32-unknown-unknown'; then
  log "rust target wasm32-unknown-unknown present"
else
  log "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
# scripts/test.sh needs rustfmt and clippy (absent with rustup's "minimal" profile).
installed_components="$(rustup component list --installed)"
for c in rustfmt clippy; do
  if grep -q "^${c}-" <<<"$installed_components"; then
    log "rust component ${c} present"
  else
    log "rustup component add ${c}"
    rustup component add "$c"
  fi
done

# ---------------------------------------------------------------- cargo-leptos
if cargo leptos --version 2>/dev/null | grep -Eq "(^|[^0-9.])${CARGO_LEPTOS_VERSION//./\\.}([^0-9.]|$)"; then
  log "cargo-leptos ${CARGO_LEPTOS_VERSION} present"
else
  log "cargo install cargo-leptos --version ${CARGO_LEPTOS_VERSION} --locked (this takes a while)"
  cargo install cargo-leptos --version "${CARGO_LEPTOS_VERSION}" --locked
fi

# ------------------------------------------------------------ wasm-bindgen-cli
# The CLI must match the wasm-bindgen crate version in Cargo.lock exactly.
WASM_BINDGEN_VERSION="$(awk '
  /^\[\[package\]\]/ { in_pkg = 0; next }
  /^name = "wasm-bindgen"$/ { in_pkg = 1; next }
  in_pkg && /^version = / { gsub(/"/, "", $3); print $3; exit }
' Cargo.lock)"
[ -n "$WASM_BINDGEN_VERSION" ] || die "could not find package wasm-bindgen in Cargo.lock"

if command -v wasm-bindgen >/dev/null 2>&1 \
  && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" = "$WASM_BINDGEN_VERSION" ]; then
  log "wasm-bindgen-cli ${WASM_BINDGEN_VERSION} present"
else
  # Deliberately without --locked: the CLI's own lockfile pins dependencies
  # that may not build with the current toolchain.
  log "cargo install wasm-bindgen-cli --version =${WASM_BINDGEN_VERSION}"
  cargo install wasm-bindgen-cli --version "=${WASM_BINDGEN_VERSION}"
fi

# ---------------------------------------------------------------- npm packages
npm_deps() {
  local dir="$1"
  (
    cd "$dir"
    if [ ! -d node_modules ] \
      || [ package.json -nt node_modules ] \
      || { [ -f package-lock.json ] && [ package-lock.json -nt node_modules ]; }; then
      if [ -f package-lock.json ]; then
        log "npm ci in ${dir}"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
      else
        log "npm install in ${dir}"
        PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund
      fi
      touch node_modules
    else
      log "node_modules up to date in ${dir}"
    fi
  )
}
npm_deps "$ROOT"
npm_deps "$ROOT/end2end"

log "setup complete"
