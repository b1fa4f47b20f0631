#!/usr/bin/env bash
# The quick start: builds the Python package (ffi-python/) and installs it into
# a venv, then runs examples/quickstart.py — create an identity, provision a
# phone number, send an email, read the inbox, list calls, vault credentials
# and a TOTP code, and a signed webhook received and verified on 127.0.0.1.
#
# Without INKBOX_API_KEY it builds and starts the local emulator
# (tests/emulator/) on a free port and runs against it; the emulator is
# stopped on exit. With INKBOX_API_KEY set it runs against INKBOX_BASE_URL
# (default https://inkbox.ai) instead (INKBOX_VAULT_KEY: that org's vault key).
#
# Needs: rustup (Rust toolchain), python3 >= 3.10 with venv, PyPI for the
# pinned build tools on the first run.
# Env:   CARGO_TARGET_DIR  shared cargo target dir (default: <repo>/target);
#                          the venv is $CARGO_TARGET_DIR/py-venv (scripts/python.sh)
# Usage: scripts/quickstart.sh          the Python quick start
#        scripts/quickstart.sh --node   the Node quick start (examples/node/01_quick_start.mjs)
#        scripts/quickstart.sh --rust   the Rust security primitives example
#                                       (core/examples/primitives.rs)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
scripts/setup-rust.sh

if [ "${1:-}" = "--rust" ]; then
  exec cargo run -q --release -p inkbox-core --example primitives
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if [ "${1:-}" = "--node" ]; then
  echo "Building the Node package (ffi-node/) ..."
  scripts/node.sh --build-only
  mkdir -p examples/node/node_modules/@inkbox-core
  ln -sfn "$root/ffi-node" examples/node/node_modules/@inkbox-core/sdk
  run=(node examples/node/01_quick_start.mjs)
else
  echo "Building the inkbox wheel and installing it into $CARGO_TARGET_DIR/py-venv ..."
  scripts/python.sh --build-only
  run=("$CARGO_TARGET_DIR/py-venv/bin/python" examples/quickstart.py)
fi

if [ -n "${INKBOX_API_KEY:-}" ]; then
  exec "${run[@]}"
fi

echo "Building the local emulator ..."
cargo build -q -p inkbox-emulator
work=$(mktemp -d)
emulator_pid=
cleanup() {
  if [ -n "$emulator_pid" ] && kill -0 "$emulator_pid" 2>/dev/null; then
    kill -TERM "$emulator_pid" 2>/dev/null || true
    wait "$emulator_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$CARGO_TARGET_DIR/debug/inkbox-emulator" --port 0 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator_pid=$!
# The first stdout line: {"url": ..., "admin_api_key": ..., "organization_id": ...}
for _ in $(seq 300); do
  [ -s "$work/emulator.out" ] && break
  if ! kill -0 "$emulator_pid" 2>/dev/null; then
    cat "$work/emulator.err" >&2
    echo "the emulator exited before printing its address" >&2
    exit 1
  fi
  sleep 0.1
done
hello=$(head -n 1 "$work/emulator.out")
[ -n "$hello" ] || { echo "the emulator printed nothing within 30 s" >&2; exit 1; }
read -r INKBOX_BASE_URL INKBOX_API_KEY < <(
  python3 -c 'import json, sys; h = json.loads(sys.argv[1]); print(h["url"], h["admin_api_key"])' "$hello"
)
export INKBOX_BASE_URL INKBOX_API_KEY INKBOX_EMULATOR=1
unset INKBOX_VAULT_KEY
echo "Emulator running at $INKBOX_BASE_URL"
"${run[@]}"
