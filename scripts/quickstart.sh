#!/usr/bin/env bash
# Sets up and runs the quick start: the three security primitives end to end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-rust.sh
exec cargo run -q --release -p inkbox-core --example primitives
