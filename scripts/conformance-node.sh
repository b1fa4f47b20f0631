#!/usr/bin/env bash
# Conformance: the official TypeScript SDK (@inkbox/sdk 0.5.14, from its tarball; its
# dependencies from the npm registry, pinned by tests/conformance-node/package-lock.json)
# runs the seed-001 flows unmodified against the local emulator, one emulator per test file.
# Usage: scripts/conformance-node.sh [node --test args...]   e.g. --test-name-pattern=vault
# Env:   CARGO_TARGET_DIR       build dir (default <repo>/target); node_modules live under it
#        INKBOX_SDK_TGZ         the SDK tarball (default <repo>/../shared/peers/inkbox-sdk-0.5.14.tgz)
#        INKBOX_EMULATOR_BIN    use this emulator binary instead of building one
#        NODE                   node binary (default node; needs >= 20)
# Needs network only for the npm registry, and only when node_modules is (re)installed.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$root/$CARGO_TARGET_DIR" ;; esac
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

suite="$root/tests/conformance-node"
work="$CARGO_TARGET_DIR/conformance-node"
tgz="${INKBOX_SDK_TGZ:-$root/../shared/peers/inkbox-sdk-0.5.14.tgz}"
# The tarball the committed package-lock.json was made from (its sha512 is in the lock too).
tgz_sha256=d9c123309f634a5aee4fc255025b49769fccea577d604589945a3ea12db92d38
node=${NODE:-node}

step() { printf '\n==> %s\n' "$*"; }

[ -f "$tgz" ] || { echo "conformance-node: SDK tarball not found at $tgz (set INKBOX_SDK_TGZ)" >&2; exit 1; }
have=$(sha256sum "$tgz" | cut -d' ' -f1)
[ "$have" = "$tgz_sha256" ] ||
  { echo "conformance-node: $tgz has sha256 $have, expected $tgz_sha256 (@inkbox/sdk 0.5.14)" >&2; exit 1; }
"$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  { echo "conformance-node: $node is older than Node 20" >&2; exit 1; }

# node_modules is reused while package.json, the lock, the tarball and node are unchanged.
stamp="$work/.inputs.sha256"
want=$( { sha256sum "$suite/package.json" "$suite/package-lock.json" | cut -d' ' -f1
          echo "$tgz_sha256"; "$node" --version; } | sha256sum | cut -d' ' -f1)
if [ -d "$work/node_modules/@inkbox/sdk" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  step "node_modules up to date ($work)"
else
  step "node_modules: $work (npm ci from tests/conformance-node/package-lock.json)"
  rm -rf "$work"
  mkdir -p "$work"
  cp "$suite/package.json" "$suite/package-lock.json" "$work/"
  cp "$tgz" "$work/inkbox-sdk-0.5.14.tgz"
  (cd "$work" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" >"$stamp"
fi

if [ -z "${INKBOX_EMULATOR_BIN:-}" ]; then
  step "emulator build"
  cargo build -p inkbox-emulator --locked
  export INKBOX_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/inkbox-emulator"
fi

# ESM resolves "@inkbox/sdk" from the importing file's directory (NODE_PATH does not
# apply to import), so the suite runs from a fresh copy beside node_modules.
rm -rf "$work/suite"
mkdir -p "$work/suite"
cp "$suite"/*.mjs "$work/suite/"

step "conformance tests (official @inkbox/sdk $(cd "$work" && "$node" -p 'require("./node_modules/@inkbox/sdk/package.json").version'), node $("$node" --version))"
cd "$work"
exec "$node" --test --test-concurrency="${CONFORMANCE_NODE_JOBS:-2}" "$@" suite/*.test.mjs
