#!/usr/bin/env bash
# Installs the Rust pieces the build and tests need (idempotent).
set -euo pipefail
if ! command -v rustup >/dev/null 2>&1; then
  echo "rustup is required (https://rustup.rs)" >&2
  exit 1
fi
installed_components=$(rustup component list --installed 2>/dev/null || true)
for c in rustfmt clippy; do
  grep -q "^$c" <<<"$installed_components" || rustup component add "$c"
done
rustup target list --installed | grep -qx thumbv7em-none-eabi || rustup target add thumbv7em-none-eabi
