#!/usr/bin/env bash
# The project's one test command: formatting, lints, the no_std proof, and every test.
# Usage: scripts/test.sh            (from anywhere inside the repository)
# Env:   INKBOX_VECTORS_DIR=DIR     run the vector suites on another directory of the same schema
#        CARGO_TARGET_DIR           shared by every step (default: <repo>/target)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Each step's wall time (whole seconds, bash's SECONDS) is printed when the
# next step starts and in a summary table at the end, also when a step fails.
step_names=()
step_secs=()
current=""
current_start=0
finish_step() {
  if [ -n "$current" ]; then
    local took=$((SECONDS - current_start))
    step_names+=("$current")
    step_secs+=("$took")
    printf -- '--- %s: %ds\n' "$current" "$took"
    current=""
  fi
}
summary() {
  local rc=$?
  finish_step
  if [ "${#step_names[@]}" -gt 0 ]; then
    printf '\n==> step times (seconds)\n'
    local i
    for i in "${!step_names[@]}"; do
      printf '%6d  %s\n' "${step_secs[$i]}" "${step_names[$i]}"
    done
    printf '%6d  total\n' "$SECONDS"
  fi
  [ "$rc" -eq 0 ] || printf '(failed with exit code %d)\n' "$rc"
  return "$rc"
}
trap summary EXIT
step() {
  finish_step
  current="$*"
  current_start=$SECONDS
  printf '\n==> %s\n' "$*"
}

step "toolchain components"
scripts/setup-rust.sh

step "generated surface is current (python3 tools/surface/gen.py --check)"
python3 tools/surface/gen.py --check

step "rustfmt"
cargo fmt --all -- --check

step "clippy (default features, all targets; warnings denied)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "clippy (inkbox-core without alloc)"
cargo clippy -p inkbox-core --no-default-features --lib --locked -- -D warnings

step "no_std proof: inkbox-core for thumbv7em-none-eabi, with and without alloc"
cargo build -p inkbox-core --no-default-features --target thumbv7em-none-eabi --locked
cargo build -p inkbox-core --target thumbv7em-none-eabi --locked

step "fuzz targets build (run them with: cd core && cargo +nightly fuzz run <target>)"
cargo build --manifest-path core/fuzz/Cargo.toml --bins

step "bare metal: firmware on a Cortex-M4 under QEMU (webhook verify, envelope, TOTP; footprint)"
scripts/firmware.sh

step "workspace tests (vectors from ${INKBOX_VECTORS_DIR:-tests/vectors})"
cargo test --workspace --locked

# The workspace tests just built the emulator (with the workspace's features);
# the Python suites reuse that binary instead of building it again.
export INKBOX_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/inkbox-emulator"
test -x "$INKBOX_EMULATOR_BIN"

step "Python package: wheel, stubtest, mypy, pytest (ffi-python/)"
scripts/python.sh

step "Node package: native module, node:test suites, npm pack (ffi-node/)"
scripts/node.sh

step "Kotlin and Swift (ffi-uniffi/): Swift sources current (not compiled here), Kotlin tests with Maven"
scripts/kotlin.sh

step "emulator conformance: the official inkbox 0.4.9 SDK runs the seed-001 flows against the emulator"
scripts/conformance.sh

step "Node conformance: the official @inkbox/sdk 0.5.14 runs its README flows against the emulator"
scripts/conformance-node.sh
