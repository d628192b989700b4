#!/usr/bin/env bash
# The deployments benchmark (server/benches/deployments.rs): SQLite with one
# server, PostgreSQL with one and with two, side by side. Starts a throwaway
# PostgreSQL cluster with production's durability (fsync on) unless
# BENCH_POSTGRES_URL names a server, and removes it afterwards.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
if [ -z "${BENCH_POSTGRES_URL:-}" ]; then
  # shellcheck source=scripts/postgres.sh
  source "$ROOT/scripts/postgres.sh"
  unset VALGVAGT_TEST_POSTGRES_URL
  POSTGRES_DURABLE=1 postgres_start
  trap postgres_stop EXIT
  export BENCH_POSTGRES_URL="$VALGVAGT_TEST_POSTGRES_URL"
fi
cargo bench -p server --bench deployments
