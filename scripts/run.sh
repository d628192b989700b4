#!/usr/bin/env bash
# THE run command for Valgvagt: release build, demo database on first run,
# one-time admin sign-in link, then serve.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"

log() { echo "==> $*"; }

log "setup"
bash "$ROOT/scripts/setup.sh"

# --precompress: .br/.gz beside each file, served to browsers that take them.
log "cargo leptos build --release --precompress"
cargo leptos build --release --precompress

BIN="$ROOT/target/release/valgvagt"
export LEPTOS_SITE_ROOT=target/site
export LEPTOS_ENV="${LEPTOS_ENV:-PROD}"
export VALGVAGT_BIND="${VALGVAGT_BIND:-127.0.0.1:3000}"
export VALGVAGT_DATABASE="${VALGVAGT_DATABASE:-./valgvagt.db}"
PORT="${VALGVAGT_BIND##*:}"
URL="http://localhost:${PORT}"
export VALGVAGT_PUBLIC_URL="${VALGVAGT_PUBLIC_URL:-$URL}"

if [ -e "$VALGVAGT_DATABASE" ]; then
  log "using existing database ${VALGVAGT_DATABASE}"
else
  log "creating database ${VALGVAGT_DATABASE} with demo data"
  if ! "$BIN" demo; then
    rm -f "$VALGVAGT_DATABASE" "$VALGVAGT_DATABASE-shm" "$VALGVAGT_DATABASE-wal"
    echo "==> ERROR: loading demo data failed; removed the partial database" >&2
    exit 1
  fi
fi

log "one-time admin sign-in link for ${VALGVAGT_ADMIN_EMAIL:-admin@valgvagt.local}:"
"$BIN" admin --email "${VALGVAGT_ADMIN_EMAIL:-admin@valgvagt.local}"

log "Valgvagt is starting on ${URL} (listening on ${VALGVAGT_BIND}); press Ctrl+C to stop"
# The demo has no SMTP server: show the mail it would send (sign-in links)
# in the log. A real installation keeps mail text out of its logs.
export RUST_LOG="${RUST_LOG:-info,valgvagt_server::mail=debug}"
exec "$BIN" serve
