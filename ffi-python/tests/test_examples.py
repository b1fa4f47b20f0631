"""Every runnable example (examples/python/NN_*.py, examples/quickstart.py)
runs to exit status 0 against its own fresh emulator.

The interpreter is this one (the venv holding the built wheel), or
$INKBOX_EXAMPLES_PYTHON (e.g. a venv with another inkbox package, to compare).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from _emulator_proc import running_emulator
from conftest import _emulator_bin

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "examples" / "python").glob("[0-9][0-9]_*.py")) + [REPO / "examples" / "quickstart.py"]
PYTHON = os.environ.get("INKBOX_EXAMPLES_PYTHON") or sys.executable
TIMEOUT = 180


def test_every_readme_section_has_an_example() -> None:
    # The numbered examples are 01..NN with no gap or duplicate number, and
    # the Python examples README links every one of them (and nothing else).
    numbered = [p for p in EXAMPLES if p.name != "quickstart.py"]
    assert [int(p.name[:2]) for p in numbered] == list(range(1, len(numbered) + 1)), [p.name for p in numbered]
    assert len(numbered) >= 25
    assert EXAMPLES[-1].is_file()  # examples/quickstart.py
    text = (REPO / "examples" / "python" / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"`(\d\d_[A-Za-z0-9_]+\.py)`", text))
    assert listed == {p.name for p in numbered}, listed ^ {p.name for p in numbered}


@pytest.mark.parametrize("script", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_example_runs(script: Path, tmp_path: Path) -> None:
    _emulator_bin()  # built when missing
    with running_emulator() as emu:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INKBOX_")}
        env.update(emu.env())
        env["HOME"] = str(tmp_path)  # tunnel state and the like stay in the test's directory
        result = subprocess.run(
            [PYTHON, str(script)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    assert result.returncode == 0, (
        f"{script.name} exited {result.returncode}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
    )
