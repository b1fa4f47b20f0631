#!/usr/bin/env bash
# The Python package (ffi-python/): builds the wheel with maturin, installs it
# into a private venv, checks the type stubs with mypy.stubtest and runs the
# pytest suite (shared vectors included); mypy also checks the async client
# tests against the installed package. Idempotent; needs python3 (>= 3.10,
# with venv) and PyPI for the pinned tools.
# Env: CARGO_TARGET_DIR     shared cargo target dir (default: <repo>/target);
#                           the venv lives in $CARGO_TARGET_DIR/py-venv
#      INKBOX_VECTORS_DIR   run the vector tests on another vectors directory
#      PYTHON               interpreter for the venv (default: python3)
# Usage: scripts/python.sh [--build-only]   (--build-only: wheel + venv, no checks)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
venv="$CARGO_TARGET_DIR/py-venv"
wheels="$CARGO_TARGET_DIR/py-wheels"
pins=(maturin==1.16.0 pytest==9.2.0 mypy==2.4.1 httpx==0.28.1 h2==4.3.0)

if [ ! -x "$venv/bin/python" ]; then
  "${PYTHON:-python3}" -m venv "$venv"
fi
py="$venv/bin/python"
if [ "$(cat "$venv/.pins" 2>/dev/null)" != "${pins[*]}" ]; then
  "$py" -m pip install --quiet --disable-pip-version-check "${pins[@]}"
  echo "${pins[*]}" >"$venv/.pins"
fi

rm -rf "$wheels"
"$venv/bin/maturin" build --release --locked --quiet -m ffi-python/Cargo.toml -i "$py" -o "$wheels"
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheels"/inkbox-*.whl
[ "${1:-}" = "--build-only" ] && exit 0

# Run the checks from outside the source tree so the installed wheel is used.
cd "$CARGO_TARGET_DIR"
"$py" -m mypy.stubtest inkbox --allowlist "$root/ffi-python/stubtest-allowlist.txt"
"$py" -m mypy --strict --no-incremental --python-version 3.10 -p inkbox
cd "$root"
# The async client's static types (inkbox/_async_types.py) as user code sees
# them; --warn-unreachable: a protocol/class intersection must not silently
# skip the rest of a test.
"$py" -m mypy --strict --no-incremental --python-version 3.10 --warn-unreachable \
  ffi-python/tests/test_client_async.py ffi-python/tests/test_async_types.py
"$py" -m pytest -q ffi-python/tests
