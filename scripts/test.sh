#!/usr/bin/env bash
# THE test command for Valgvagt (README and CI call only this).
# Each runner prints its own summary; the script stops at the first failure.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# Incremental caches (several GB for the app crate alone) only pay off when
# the same crate is rebuilt again and again; a test run builds each once.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

log() { echo "==> $*"; }

log "setup"
bash "$ROOT/scripts/setup.sh"

log "cargo fmt --check"
cargo fmt --all -- --check

log "clippy: server (ssr, all targets)"
cargo clippy -p server --all-targets -- -D warnings

log "clippy: app (hydrate, wasm32)"
cargo clippy -p app --lib --features hydrate --target wasm32-unknown-unknown -- -D warnings

log "clippy: app (ssr, with its unit tests)"
cargo clippy -p app --lib --tests --features ssr -- -D warnings

log "unit tests: app (ssr)"
cargo test -p app --features ssr

log "tests: server (the integration tests on SQLite)"
cargo test -p server

log "tests: server on PostgreSQL (the same integration tests, a database each)"
# shellcheck source=scripts/postgres.sh
source "$ROOT/scripts/postgres.sh"
postgres_start
trap postgres_stop EXIT
cargo test -p server --test api
postgres_stop
trap - EXIT

log "service worker unit tests (node --test)"
# Files, not the folder: newer Node reads a folder argument as a pattern,
# and a renamed file must fail the run rather than count as zero tests.
unit_tests=("$ROOT"/end2end/unit/*.test.mjs)
[ -e "${unit_tests[0]}" ] || { echo "no service worker unit tests in end2end/unit" >&2; exit 1; }
node --test "${unit_tests[@]}"

# The server binary for the end-to-end tests is the one `cargo test -p server`
# just built (target/debug/valgvagt). Building it again through cargo-leptos
# would recompile half the dependency tree with other features (dev-dependencies
# unify features for tests only): ten minutes and gigabytes for the same code.
# The browser bundle as it ships (release, content-hashed, precompressed),
# so the end-to-end tests and the byte budgets (tests/budgets.spec.ts) run
# against what phones really download.
log "cargo leptos build --release --precompress --frontend-only (browser bundle as shipped)"
cargo leptos build --release --precompress --frontend-only
[ -x target/debug/valgvagt ] || { echo "target/debug/valgvagt missing after cargo test" >&2; exit 1; }

cd "$ROOT/end2end"
log "end-to-end tests: type check and floating-promise lint"
npx tsc --noEmit -p .
npm run --silent lint

log "end-to-end tests (Playwright, system Chromium)"
# A committed test.only must fail the run, not quietly skip the rest.
CI="${CI:-1}" npx playwright test

log "all test steps passed"
