#!/usr/bin/env bash
# Benchmarks the Python package against the official inkbox==0.4.9 (its own
# venv), in one run, and prints a table with the ratios against the goals:
# the primitives and parsing a 100-message mail.messages.list page into
# message objects (ffi-python/bench/bench.py).
# Builds the wheel first (scripts/python.sh --build-only). Needs python3 >= 3.11
# for the official package and PyPI. Numbers depend on the machine and its load.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
scripts/python.sh --build-only

official="$CARGO_TARGET_DIR/py-bench-official"
if [ ! -x "$official/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$official"
fi
if [ "$(cat "$official/.pins" 2>/dev/null)" != "inkbox==0.4.9" ]; then
  "$official/bin/python" -m pip install --quiet --disable-pip-version-check "inkbox==0.4.9"
  echo "inkbox==0.4.9" >"$official/.pins"
fi
exec "$CARGO_TARGET_DIR/py-venv/bin/python" ffi-python/bench/bench.py \
  --ours "$CARGO_TARGET_DIR/py-venv/bin/python" --official "$official/bin/python"
