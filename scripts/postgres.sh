#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests: `source scripts/postgres.sh`,
# then `postgres_start` exports VALGVAGT_TEST_POSTGRES_URL (a cluster in a
# temporary folder, on a free loopback port, trusting local connections)
# and `postgres_stop` removes it again. A URL already in
# VALGVAGT_TEST_POSTGRES_URL is used as it is, and nothing is started.
# Debian's `postgresql` package provides the programs (scripts/setup.sh
# installs it). initdb refuses to run as root, so as root the cluster runs
# as the `postgres` user.

postgres_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
  echo "PostgreSQL's initdb not found (apt-get install postgresql)" >&2
  return 1
}

# Loopback ports nobody listens on, below the kernel's range of ephemeral
# ports (32768 and up here): a port in that range may be held by an
# outgoing connection of the tests just run, which a connect cannot see
# but which makes the server's bind fail.
postgres_free_ports() {
  local port
  for port in $(seq 25432 25532); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
    fi
  done
}

postgres_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

postgres_start() {
  if [ -n "${VALGVAGT_TEST_POSTGRES_URL:-}" ]; then
    echo "==> PostgreSQL for the tests: the server in VALGVAGT_TEST_POSTGRES_URL"
    return 0
  fi
  local bin port started=""
  bin="$(postgres_bin)" || return 1
  POSTGRES_DIR="$(mktemp -d /tmp/valgvagt-postgres.XXXXXX)"
  [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$POSTGRES_DIR"
  postgres_as_owner "$bin/initdb" -D "$POSTGRES_DIR/data" -A trust -U postgres \
    -E UTF8 --locale=C.UTF-8 --no-sync >"$POSTGRES_DIR/initdb.log" 2>&1 \
    || { cat "$POSTGRES_DIR/initdb.log" >&2; return 1; }
  # Speed over durability: the data lives as long as the test run. A
  # benchmark sets POSTGRES_DURABLE=1 to measure what production pays.
  local speed="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ -n "${POSTGRES_DURABLE:-}" ] && speed=""
  # A port taken between the look and the bind: the next one.
  for port in $(postgres_free_ports | head -n 5); do
    if postgres_as_owner "$bin/pg_ctl" -D "$POSTGRES_DIR/data" -l "$POSTGRES_DIR/server.log" -w \
      -o "-p $port -k $POSTGRES_DIR -c listen_addresses=127.0.0.1 -c max_connections=500 $speed" \
      start >/dev/null; then
      started=1
      break
    fi
  done
  [ -n "$started" ] || { echo "PostgreSQL did not start" >&2; cat "$POSTGRES_DIR/server.log" >&2; return 1; }
  POSTGRES_CTL="$bin/pg_ctl"
  export VALGVAGT_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$port/postgres"
  echo "==> PostgreSQL for the tests on 127.0.0.1:$port ($POSTGRES_DIR)"
}

postgres_stop() {
  if [ -n "${POSTGRES_DIR:-}" ] && [ -d "$POSTGRES_DIR" ]; then
    postgres_as_owner "$POSTGRES_CTL" -D "$POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$POSTGRES_DIR"
    unset VALGVAGT_TEST_POSTGRES_URL POSTGRES_DIR
  fi
}
