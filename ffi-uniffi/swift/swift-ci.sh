#!/usr/bin/env bash
# Builds and tests the Swift package where a Swift toolchain exists (not on
# the project's Linux machines: no Swift compiler can be installed there).
# Env: CARGO_TARGET_DIR (default: <repo>/target)
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
if ! command -v swift >/dev/null; then
  echo "Swift was not compiled: no Swift toolchain on this machine"
  exit 0
fi
(cd "$root" && cargo build --locked -p inkbox-uniffi --features inkbox-uniffi/bindgen --bins --lib -p inkbox-emulator)
lib="$CARGO_TARGET_DIR/debug"
export LD_LIBRARY_PATH="$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYLD_LIBRARY_PATH="$lib${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
swift build -Xlinker -L"$lib"
swift test -Xlinker -L"$lib"
