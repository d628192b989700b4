#!/usr/bin/env bash
# THE test command for Valgvagt (README and CI call only this).
# Each runner prints its own summary; the script stops at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "==> $*"; }

log "setup"
bash "$ROOT/scripts/setup.sh"

log "cargo fmt --check"
cargo fmt --all -- --check

log "clippy: server (ssr, all targets)"
cargo clippy -p server --all-targets -- -D warnings

log "clippy: app (hydrate, wasm32)"
cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

log "unit tests: app (ssr)"
cargo test -p app --features ssr

log "tests: server"
cargo test -p server

log "service worker unit tests (node --test)"
node --test "$ROOT/end2end/unit/"

log "cargo leptos build (debug server + hydrate bundle for end-to-end tests)"
cargo leptos build

log "end-to-end tests (Playwright, system Chromium)"
cd "$ROOT/end2end"
npx playwright test

log "all test steps passed"
