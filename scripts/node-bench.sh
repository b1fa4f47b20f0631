#!/usr/bin/env bash
# Node benchmark (not a test): ours against the official @inkbox/sdk 0.5.14
# (../shared/peers/inkbox-sdk-0.5.14.tgz, installed once under
# $CARGO_TARGET_DIR/node-bench-official) in the same run; prints the ratio table.
# Builds the native module with the release profile first.
# Usage: scripts/node-bench.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
peer="$root/../shared/peers/inkbox-sdk-0.5.14.tgz"
dir="$CARGO_TARGET_DIR/node-bench-official"
if [ ! -d "$dir/node_modules/@inkbox/sdk" ]; then
  mkdir -p "$dir"
  (cd "$dir" && echo '{"name":"bench","version":"1.0.0","private":true}' >package.json &&
    npm install --silent --no-audit --no-fund "$peer")
fi
cargo build -p inkbox-node --release --locked
cp "$CARGO_TARGET_DIR/release/libinkbox_node.so" ffi-node/inkbox.linux-x64-gnu.node
INKBOX_OFFICIAL_DIR="$dir/node_modules/@inkbox/sdk" node ffi-node/bench/bench.mjs "$@"
echo "(ffi-node/inkbox.linux-x64-gnu.node is now the release build; scripts/node.sh rebuilds the test one)"
