#!/usr/bin/env bash
# Bare-metal proof: builds tests/firmware for a Cortex-M4 (thumbv7em-none-eabi),
# runs it under QEMU (mps2-an386) with semihosting, asserts every expected
# line, and prints the footprint report (flash, static RAM, heap, peak stack).
# Installs qemu-system-arm and the Rust target when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
vectors="${INKBOX_VECTORS_DIR:-$root/tests/vectors}"

if ! command -v qemu-system-arm >/dev/null 2>&1; then
  echo "installing qemu-system-arm"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq qemu-system-arm >/dev/null
fi
rustup target list --installed | grep -qx thumbv7em-none-eabi || rustup target add thumbv7em-none-eabi

(cd tests/firmware && cargo build --release --locked)
bin="$CARGO_TARGET_DIR/thumbv7em-none-eabi/release"
qemu() {
  timeout 120 qemu-system-arm -machine mps2-an386 -cpu cortex-m4 -nographic -monitor none -serial none \
    -semihosting-config enable=on,target=native -kernel "$1"
}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
qemu "$bin/firmware" >"$out" || status=$?
cat "$out"
[ "$status" = 0 ] || { echo "firmware exited with status $status" >&2; exit 1; }

expected=(
  "PASS webhook valid"
  "PASS webhook valid 64 KiB"
  "PASS webhook tampered body"
  "PASS webhook wrong secret"
  "PASS webhook stale timestamp"
  "PASS webhook future timestamp"
  "PASS webhook tolerance edge"
  "PASS webhook rotated secret"
  "PASS envelope event type and timestamp"
  "PASS envelope incoming call"
  "PASS envelope malformed"
  "PASS webhook one-shot verify (stack measured)"
  "PASS webhook streamed verify (stack measured)"
)
while IFS= read -r name; do expected+=("PASS $name"); done < <(
  python3 -c 'import json,sys; [print(c["name"]) for c in json.load(open(sys.argv[1]))["rfc6238"]]' "$vectors/totp.json")
missing=0
for line in "${expected[@]}"; do
  grep -qxF "$line" "$out" || { echo "missing line: $line" >&2; missing=1; }
done
if grep -q '^FAIL\|^PANIC' "$out"; then missing=1; fi
total=${#expected[@]}
grep -qx "$total passed, 0 failed" "$out" || { echo "expected '$total passed, 0 failed'" >&2; missing=1; }
[ "$missing" = 0 ] || exit 1

status=0
qemu "$bin/verify_only" || status=$?
[ "$status" = 0 ] || { echo "verify_only exited with status $status" >&2; exit 1; }

echo
python3 tests/firmware/footprint.py "$bin/verify_only" "$bin/firmware"
stack=$(sed -n 's/^STACK verify_path \([0-9]*\)$/\1/p' "$out")
flash=$(python3 tests/firmware/footprint.py "$bin/verify_only" | sed -n 's/.*\.text+\.rodata \([0-9]*\) B.*/\1/p')
echo "FOOTPRINT verify path: .text+.rodata ${flash} B (budget 8192), peak stack ${stack} B (budget 2048), heap 0 B"
[ "$flash" -le 8192 ] || { echo "verify path exceeds its 8 KiB flash budget" >&2; exit 1; }
[ "$stack" -le 2048 ] || { echo "verify path exceeds its 2 KiB stack budget" >&2; exit 1; }
echo "firmware: $total passed, 0 failed"
