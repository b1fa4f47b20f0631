#!/usr/bin/env bash
# The Kotlin and Swift bindings (ffi-uniffi/): builds the library, the in-repo
# uniffi-bindgen and the emulator in one cargo command (one uniffi feature
# set), regenerates the Swift sources and checks them against the checked-in
# copy under ffi-uniffi/swift/, then runs the Kotlin tests with Maven
# (`mvn -B test`: surefire prints its `Tests run:` line). Swift is compiled
# and tested only where a Swift toolchain exists (ffi-uniffi/swift/swift-ci.sh).
# Needs JDK 17+ and Maven 3.8+ (Maven downloads its plugins and the Kotlin
# compiler into ~/.m2 on first use).
# Env: CARGO_TARGET_DIR     shared cargo target dir (default: <repo>/target)
#      INKBOX_VECTORS_DIR   run the vector tests on another vectors directory
# Usage: scripts/kotlin.sh [--swift-only]   (--swift-only: build and check Swift, no Maven)
#        scripts/kotlin.sh --write-swift    (regenerate the checked-in Swift sources)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
native="$CARGO_TARGET_DIR/debug"

cargo build --quiet --locked -p inkbox-uniffi --features inkbox-uniffi/bindgen --bins --lib -p inkbox-emulator
lib="$native/libinkbox_uniffi.so"
ls -l "$lib" | awk '{printf "native library: %s (%.1f MB, debug)\n", $NF, $5 / 1048576}'

# Swift: the sources, the C header and the module map as SwiftPM lays them out.
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
mkdir -p "$gen/InkboxCore" "$gen/InkboxCoreFFI"
(cd ffi-uniffi && "$native/uniffi-bindgen-swift" --swift-sources "$lib" "$gen/InkboxCore" >/dev/null)
(cd ffi-uniffi && "$native/uniffi-bindgen-swift" --headers --modulemap --module-name InkboxCoreFFI \
  --modulemap-filename module.modulemap "$lib" "$gen/InkboxCoreFFI" >/dev/null)
swift=ffi-uniffi/swift/Sources
if [ "${1:-}" = "--write-swift" ]; then
  cp "$gen/InkboxCore/InkboxCore.swift" "$swift/InkboxCore/InkboxCore.swift"
  cp "$gen/InkboxCoreFFI/"* "$swift/InkboxCoreFFI/"
  echo "wrote $swift/InkboxCore/InkboxCore.swift and $swift/InkboxCoreFFI/"
  exit 0
fi
stale=0
for f in InkboxCore/InkboxCore.swift InkboxCoreFFI/InkboxCoreFFI.h InkboxCoreFFI/module.modulemap; do
  if ! cmp -s "$gen/$f" "$swift/$f"; then
    echo "scripts/kotlin.sh: $swift/$f is stale (the Rust surface changed): run scripts/kotlin.sh --write-swift and commit it" >&2
    stale=1
  fi
done
[ "$stale" -eq 0 ] || exit 1
echo "Swift sources are current (generated from the library and compared with ffi-uniffi/swift/Sources)."
if command -v swift >/dev/null && swift --version 2>/dev/null | grep -qi "swift version"; then
  ffi-uniffi/swift/swift-ci.sh
else
  echo "Swift was not compiled: no Swift toolchain on this machine"
fi

[ "${1:-}" = "--swift-only" ] && exit 0
if ! command -v mvn >/dev/null && command -v apt-get >/dev/null && [ "$(id -u)" -eq 0 ]; then
  echo "scripts/kotlin.sh: installing Maven and a JDK from Debian"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
fi
if ! command -v mvn >/dev/null; then
  echo "scripts/kotlin.sh: Maven (mvn) and a JDK 17+ are needed for the Kotlin tests" >&2
  exit 1
fi
cd ffi-uniffi/kotlin
mvn -B --no-transfer-progress test
