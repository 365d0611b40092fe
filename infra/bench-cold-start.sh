#!/usr/bin/env bash
# Cold start of every Lambda function (functions/benches/cold_start.rs): exec to the first
# GET .../invocation/next against a fake Runtime API on loopback, beside a floor process,
# with peak RSS and the arm64 deployment zip size. Results go to docs/benchmarks.md.
#   infra/bench-cold-start.sh                     all functions, 15 runs, arm64 zips built
#   infra/bench-cold-start.sh --no-zip [ARGS...]  skip the arm64 build; ARGS go to the
#                                                 benchmark: [--runs N] [NAME...]
set -euo pipefail
cd "$(dirname "$0")/.."

zip=1
if [ "${1:-}" = "--no-zip" ]; then zip=0; shift; fi
[ -x .venv/bin/cargo-lambda ] && export PATH="$PWD/.venv/bin:$PATH"

if [ "$zip" = 1 ]; then
  rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' \
    || rustup target add aarch64-unknown-linux-gnu
  echo "==> arm64 deployment zips (cargo lambda)"
  cargo lambda build --release --arm64 --output-format zip -p backlinks-functions
fi
echo "==> cold starts (host release build)"
cargo bench -p backlinks-functions --bench cold_start -- "$@"
