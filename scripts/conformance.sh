#!/usr/bin/env bash
# Conformance: the official Python SDK (inkbox==0.4.9 from PyPI) runs the seed-001
# flows unmodified against the local emulator.
# Usage: scripts/conformance.sh [pytest args...]   e.g. -k mail, -m "not needs", --skip-needs=vault
# Env:   CARGO_TARGET_DIR       build dir (default <repo>/target); the venv lives under it
#        PYTHON                 interpreter for the venv (default python3; needs >= 3.11)
#        INKBOX_EMULATOR_BIN    use this emulator binary instead of building one
# Needs network only for PyPI, and only when the venv is (re)created.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
case "$CARGO_TARGET_DIR" in /*) ;; *) CARGO_TARGET_DIR="$root/$CARGO_TARGET_DIR" ;; esac
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PYTHONDONTWRITEBYTECODE=1

req=tests/conformance/requirements.txt
venv="$CARGO_TARGET_DIR/conformance-venv"
python=${PYTHON:-python3}

step() { printf '\n==> %s\n' "$*"; }

"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  { echo "conformance: $python is older than 3.11 (inkbox 0.4.9 requires >= 3.11)" >&2; exit 1; }

# The venv is reused while the requirements file and the interpreter are unchanged.
stamp="$venv/.requirements.sha256"
want=$( { sha256sum "$req" | cut -d' ' -f1; "$python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  step "python venv up to date ($venv)"
else
  step "python venv: $venv (pip install -r $req)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$req"
  echo "$want" >"$stamp"
fi

if [ -z "${INKBOX_EMULATOR_BIN:-}" ]; then
  step "emulator build"
  cargo build -p inkbox-emulator --locked
  export INKBOX_EMULATOR_BIN="$CARGO_TARGET_DIR/debug/inkbox-emulator"
fi

step "conformance tests (official inkbox $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("inkbox"))'))"
cd tests/conformance
exec "$venv/bin/python" -m pytest -q "$@"
