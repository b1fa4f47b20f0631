#!/usr/bin/env bash
# The npm tarball to publish: the native module built with the release
# profile and stripped, then `npm pack` of ffi-node/ into DIR (default:
# $CARGO_TARGET_DIR/npm). The test command packs the debug build instead
# (ffi-node/test/package.test.cjs checks that a tarball installs and imports).
# Usage: scripts/node-pack.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="${1:-$CARGO_TARGET_DIR/npm}"
mkdir -p "$out"
cargo build -p inkbox-node --release --locked
cp "$CARGO_TARGET_DIR/release/libinkbox_node.so" ffi-node/inkbox.linux-x64-gnu.node
strip --strip-unneeded ffi-node/inkbox.linux-x64-gnu.node
tarball=$(cd ffi-node && npm pack --silent --pack-destination "$out")
printf 'native module: %s bytes (release, stripped)\n' "$(stat -c %s ffi-node/inkbox.linux-x64-gnu.node)"
printf 'tarball: %s (%s bytes)\n' "$out/$tarball" "$(stat -c %s "$out/$tarball")"
echo "(ffi-node/inkbox.linux-x64-gnu.node is now the release build; scripts/node.sh rebuilds the test one)"
