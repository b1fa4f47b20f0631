#!/usr/bin/env bash
# The Node package (ffi-node/): builds the native module (napi-rs cdylib,
# the dev profile: dependencies optimised, as the workspace tests use them),
# checks the generated native.d.ts, then runs the node:test suites: the surface against a real emulator, the
# official SDK's method list, `npm pack` installed and imported from CJS and
# ESM in a fresh directory. Needs Node >= 20 with npm (on the machine).
# Env: CARGO_TARGET_DIR     shared cargo target dir (default: <repo>/target)
#      INKBOX_EMULATOR_BIN  the emulator binary (default: $CARGO_TARGET_DIR/debug/inkbox-emulator)
#      INKBOX_VECTORS_DIR   run the vector tests on another vectors directory
# Usage: scripts/node.sh [--build-only]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "scripts/node.sh: node and npm are needed (Node >= 20)" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "scripts/node.sh: Node >= 20 is needed, found $(node --version)" >&2
  exit 1
fi

# The napi-rs CLI (pinned in ffi-node/tools/napi) builds the module with cargo
# and writes ffi-node/native.d.ts from the #[napi] items and their docs.
cli=ffi-node/tools/napi
if [ ! -x "$cli/node_modules/.bin/napi" ] || ! cmp -s "$cli/package-lock.json" "$cli/node_modules/.inkbox-lock-stamp"; then
  (cd "$cli" && npm ci --silent --no-audit --no-fund)
  cp "$cli/package-lock.json" "$cli/node_modules/.inkbox-lock-stamp"
fi
(cd ffi-node && tools/napi/node_modules/.bin/napi build --manifest-path Cargo.toml \
  --package-json-path tools/napi/package.json --target-dir "$CARGO_TARGET_DIR" \
  --platform --no-js --dts native.d.ts -o . -- --locked)
if ! git diff --quiet -- ffi-node/native.d.ts 2>/dev/null; then
  echo "scripts/node.sh: ffi-node/native.d.ts is stale (the #[napi] items changed): commit the regenerated file" >&2
  git --no-pager diff --stat -- ffi-node/native.d.ts >&2
  exit 1
fi
[ "${1:-}" = "--build-only" ] && exit 0

if [ -z "${INKBOX_EMULATOR_BIN:-}" ]; then
  export INKBOX_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/inkbox-emulator"
  [ -x "$INKBOX_EMULATOR_BIN" ] || cargo build -p inkbox-emulator --locked
fi
node --test --test-concurrency=1 ffi-node/test/*.test.cjs
