#!/usr/bin/env bash
# The API under a fuzzer: schemathesis (from ./.venv) against `backlinks serve` on a loopback
# port with a fresh data folder. Every operation of the served OpenAPI document is checked
# for server errors, undeclared status codes, content types and headers, bodies that do not
# match the document, ignored authentication and resources that outlive their delete. Any
# failure fails the script.
#   infra/fuzz.sh [path to the backlinks binary]   (default: target/debug/backlinks)
# Called by infra/test.sh after the Rust tests; FUZZ_SECONDS (default 180) bounds the tenant
# run, FUZZ_PLATFORM_SECONDS (default 40) the platform run.
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${1:-target/debug/backlinks}
[ -x "$bin" ] || cargo build --all-features --bin backlinks
st=${SCHEMATHESIS:-.venv/bin/schemathesis}
# Every check but positive_data_acceptance and negative_data_rejection (docs/decisions.md).
checks=all
exclude=positive_data_acceptance,negative_data_rejection

data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target
# The fuzzer calls far faster than any frontend: limits it cannot reach, so that it explores
# the API rather than the 429 (which the rate-limit tests cover).
RATE_LIMIT_STANDARD=1000000/100000 RATE_LIMIT_EXPENSIVE=1000000/100000 \
  "$bin" serve --addr "127.0.0.1:$port" --data-dir "$data" > target/fuzz-serve.log 2>&1 &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/v1/health" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fs "http://127.0.0.1:$port/v1/health" >/dev/null

base="http://127.0.0.1:$port"
token() { "$bin" dev-token --tenant fuzz --user fuzzer --role "$1" --data-dir "$data"; }

run() {
  "$st" run "$base/v1/openapi.json" --url "$base" --checks "$checks" --exclude-checks "$exclude" \
    --no-color --suppress-health-check all --generation-database none \
    --request-timeout 20 "$@"
}

# Both runs go ahead whatever the first finds, so one test command shows every failure.
failed=0
echo "==> schemathesis: tenant routes (admin token)"
run -H "Authorization: Bearer $(token admin)" --exclude-tag platform \
  --max-time "${FUZZ_SECONDS:-180}" || failed=1
echo "==> schemathesis: platform routes (superadmin token)"
run -H "Authorization: Bearer $(token superadmin)" --include-tag platform \
  --max-time "${FUZZ_PLATFORM_SECONDS:-40}" || failed=1
if [ "$failed" = 1 ]; then
  echo "fuzz: schemathesis found failures (server log: target/fuzz-serve.log)" >&2
  exit 1
fi
