#!/usr/bin/env bash
# Lighthouse (its default mobile preset: a slow 4G phone) with Debian's
# Chromium on the volunteer's first pages: a shift link (/join/:token, signed
# out, as a newcomer opens it from an SMS) and *Mine vagter* (signed in).
# Prints the scores; not a gate. Issue 13's targets: performance >= 95,
# accessibility 100, best practices >= 95, PWA installable.
#
# Uses the release server if built (scripts/run.sh builds it), else the debug
# one, and the browser bundle in target/site; a demo database of its own.
set -euo pipefail
[ -n "${LIGHTHOUSE_DEBUG:-}" ] && set -x

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$PATH"
# The last Lighthouse with the PWA category (12 dropped it).
LIGHTHOUSE="lighthouse@11.7.1"

BIN=target/release/valgvagt
[ -x "$BIN" ] || BIN=target/debug/valgvagt
[ -x "$BIN" ] || { echo "no server binary: run scripts/run.sh (or cargo build --release -p server) first" >&2; exit 1; }
[ -d target/site/pkg ] || cargo leptos build --release --precompress --frontend-only

WORK="$(mktemp -d)"
PORT="${LIGHTHOUSE_PORT:-3311}"
BASE="http://localhost:${PORT}"
export VALGVAGT_DATABASE="$WORK/lighthouse.db" VALGVAGT_BIND="127.0.0.1:${PORT}" \
  VALGVAGT_PUBLIC_URL="$BASE" LEPTOS_SITE_ROOT=target/site VALGVAGT_OUTBOX_WORKER=false
"$BIN" demo > /dev/null
admin_link="$("$BIN" admin --email lighthouse@example.dk | grep -o 'http[^ ]*/signin/[^ ]*' | head -n 1)"

# The mail log (debug) is where a demo without SMTP shows its sign-in links.
RUST_LOG="warn,valgvagt_server::mail=debug" "$BIN" serve > "$WORK/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2> /dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$BASE/healthz" > /dev/null 2>&1 && break
  sleep 0.2
done

# A server function called as the page calls it (same-origin form post).
call() { # jar endpoint form...
  local jar="$1" endpoint="$2"
  shift 2
  local args=(--data '')
  [ "$#" -eq 0 ] || args=()
  for field in "$@"; do args+=(--data-urlencode "$field"); done
  curl -sS -H 'Sec-Fetch-Site: same-origin' -H 'Accept: application/json' \
    -b "$jar" -c "$jar" "${args[@]}" "$BASE/api/$endpoint"
}
sign_in() { # jar link
  call "$1" auth/sign_in_with_link "token=${2##*/signin/}" > /dev/null
}
# The cookie header a curl jar holds (HttpOnly cookies are written as comments).
cookie_of() {
  sed -n 's/^#HttpOnly_//; /^#/d; /^$/d; p' "$1" | awk -F'\t' '{printf "%s%s=%s", (n++ ? "; " : ""), $6, $7}'
}
first_id() { node -e 'const v = JSON.parse(require("fs").readFileSync(0, "utf8")); const list = Array.isArray(v) ? v : Object.values(v).find(Array.isArray); console.log(list[0].id)'; }

office="$WORK/office.jar"
sign_in "$office" "$admin_link"
election="$(call "$office" elections/list | first_id)"
team="$(call "$office" teams/list | first_id)"
join_url="$(call "$office" signup/create "election_id=$election" "team_id=$team" station_id= task_type_id= day= |
  node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")))')"

# A demo volunteer with a shift signs in with the link from the mail log.
email="$(call "$office" volunteers/get id=1 | grep -o '"email":"[^"]*"' | head -n 1 | cut -d'"' -f4)"
phone="$WORK/phone.jar"
call "$phone" auth/request_link "email=$email" > /dev/null
sleep 1
volunteer_link="$(grep -o "http[^ ]*/signin/[A-Za-z0-9_-]*" "$WORK/server.log" | tail -n 1)"
sign_in "$phone" "$volunteer_link"
printf '{"Cookie": "%s"}' "$(cookie_of "$phone")" > "$WORK/volunteer-headers.json"
echo '{}' > "$WORK/no-headers.json"

report() { # name url headers-file
  npx --yes "$LIGHTHOUSE" "$2" --quiet --chrome-path=/usr/bin/chromium \
    --chrome-flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync" \
    --extra-headers="$3" --output=json --output-path="$WORK/report.json" > /dev/null 2>&1 || {
    echo "lighthouse failed on $1" >&2
    return 1
  }
  # The whole report stays for reading: target/lighthouse/<page>.json.
  mkdir -p target/lighthouse
  cp "$WORK/report.json" "target/lighthouse/$(echo "$1" | tr -cs 'a-z' '-' | sed 's/^-//; s/-$//').json"
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const score = (c) => (r.categories[c] ? Math.round(r.categories[c].score * 100) : "-");
    console.log(`${process.argv[2].padEnd(12)} performance ${score("performance")}  accessibility ${score("accessibility")}  best practices ${score("best-practices")}  PWA ${score("pwa")}`);
    // A page that sent the browser elsewhere (to sign in) was not measured.
    const landed = new URL(r.finalDisplayedUrl).pathname;
    if (landed !== new URL(process.argv[3]).pathname) {
      console.error(`  ${process.argv[3]} ended on ${landed}: not the page meant`);
      process.exit(1);
    }
    // What cost points in the four categories shown.
    const shown = ["performance", "accessibility", "best-practices", "pwa"]
      .flatMap((c) => (r.categories[c] ? r.categories[c].auditRefs.filter((ref) => ref.weight > 0).map((ref) => ref.id) : []));
    for (const id of shown) {
      const a = r.audits[id];
      if (a.score === null || a.score >= 1) continue;
      const items = ((a.details && a.details.items) || []).map((i) => [i.description || i.source, i.url].filter(Boolean).join(" ")).filter(Boolean);
      console.log(`  not passed: ${id} (${a.title})${items.length ? ": " + items.slice(0, 3).join(" | ") : ""}`);
    }
  ' "$WORK/report.json" "$1" "$2"
}

echo "Lighthouse ${LIGHTHOUSE#lighthouse@}, mobile preset, $(/usr/bin/chromium --version 2> /dev/null | head -n 1)"
report "/join/:token" "$join_url" "$WORK/no-headers.json"
report "/my-shifts" "$BASE/my-shifts" "$WORK/volunteer-headers.json"
