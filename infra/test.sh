#!/usr/bin/env bash
# Every check the project has, in the order CI runs them:
#   formatting, clippy (warnings denied), all tests (moto in server mode on a loopback
#   port for the AWS adapters), the API under a fuzzer (infra/fuzz.sh), the template
#   checks, and the Lambda release build.
# Installs what it needs into ./.venv (PyPI) and cargo-nextest (crates.io) when missing.
#   infra/test.sh           everything
#   infra/test.sh --quick   skip the Lambda release build
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
[ "${1:-}" = "--quick" ] && quick=1
# CI builds once from a clean checkout on a disk it shares: incremental data would only
# take space (1.6 GB of debug/incremental), and the debug build is removed before the
# release build (below), so the two never sit on the disk together.
if [ "${CI:-}" = true ]; then
  export CARGO_INCREMENTAL=0
fi

venv=.venv
if [ ! -x "$venv/bin/moto_server" ] || ! cmp -s infra/requirements-dev.txt "$venv/.requirements"; then
  echo "==> installing test tools into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r infra/requirements-dev.txt
  cp infra/requirements-dev.txt "$venv/.requirements"
fi
export PATH="$PWD/$venv/bin:$PATH"
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "==> installing cargo-nextest"
  cargo install --locked cargo-nextest
fi

echo "==> starting moto"
mkdir -p target
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# One request at a time: moto's threaded server corrupts DynamoDB transactions that run
# concurrently (see infra/moto_serial.py).
python infra/moto_serial.py "$port" > target/moto.log 2>&1 &
moto_pid=$!
trap 'kill $moto_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$port/moto-api/" >/dev/null 2>&1 && break
  sleep 0.2
done
export MOTO_ENDPOINT="http://127.0.0.1:$port"

echo "==> starting the SMTP sink"
smtp_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SMTP_SINK_PORT="$smtp_port" SMTP_SINK_DIR="$PWD/target/smtp-sink"
rm -rf "$SMTP_SINK_DIR"
python infra/smtp_sink.py "$smtp_port" "$SMTP_SINK_DIR" > target/smtp-sink.log 2>&1 &
smtp_pid=$!
trap 'kill $moto_pid $smtp_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', $smtp_port), 1)" 2>/dev/null && break
  sleep 0.2
done

echo "==> cargo fmt"
cargo fmt --all -- --check
echo "==> cargo clippy"
cargo clippy --workspace --all-targets --all-features -- -D warnings
echo "==> tests"
cargo nextest run --workspace --all-features --no-fail-fast
echo "==> API fuzzing (schemathesis)"
cargo build --all-features --bin backlinks
infra/fuzz.sh target/debug/backlinks
echo "==> template checks"
cfn-lint template.yaml
SAM_CLI_TELEMETRY=0 AWS_DEFAULT_REGION=us-east-1 sam validate --lint --template template.yaml
if [ "$quick" = 0 ]; then
  if [ "${CI:-}" = true ]; then
    echo "==> removing the debug build ($(du -sh target/debug | cut -f1)) before the release build"
    rm -rf target/debug
  fi
  # The functions run on arm64 (Graviton). Its standard library comes from rustup; if this
  # machine cannot fetch it, the same binaries are built for x86_64 so the Lambda build is
  # still checked, and the log says so.
  if rustup target list --installed | grep -q '^aarch64-unknown-linux-gnu$' \
     || rustup target add aarch64-unknown-linux-gnu; then
    echo "==> Lambda release build (arm64)"
    cargo lambda build --release --arm64 -p backlinks-functions
  else
    echo "==> Lambda release build (x86_64: the arm64 standard library could not be installed)"
    cargo lambda build --release --x86-64 -p backlinks-functions
  fi
fi
echo "==> all checks passed"
