#!/usr/bin/env bash
# Benchmark of the emulator's persistence (--data): send latency (median,
# p99) at 0, 1,000 and 20,000 stored messages, and requests/s and p99 for 32
# concurrent clients. A benchmark, not a test: scripts/test.sh does not run it.
# Usage: scripts/emulator-bench.sh [emulator_bench.py options, e.g. --levels 0,1000]
# Env:   INKBOX_EMULATOR_BIN=PATH  benchmark this binary instead of building one
#        CARGO_TARGET_DIR          where the release build goes (default: <repo>/target)
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${INKBOX_EMULATOR_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked -p inkbox-emulator
  bin="${CARGO_TARGET_DIR:-target}/release/inkbox-emulator"
fi
exec python3 scripts/emulator_bench.py --bin "$bin" "$@"
