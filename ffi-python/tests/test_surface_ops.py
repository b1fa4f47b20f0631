"""Every operation name the Python surface sends exists in core's table (a
typo or an operation core dropped would otherwise surface only when a user
calls that method)."""

from __future__ import annotations

import ast
from pathlib import Path

import inkbox
from inkbox import _native

RUNNER_METHODS = {"call", "raw", "void", "paginate", "call_list", "call_optional", "_call", "_run_op"}


def surface_ops() -> dict[str, list[str]]:
    """Operation names passed as the first argument of a runner method,
    with where each is used."""
    root = Path(inkbox.__file__).parent
    found: dict[str, list[str]] = {}
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in RUNNER_METHODS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, []).append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_every_operation_the_surface_uses_is_in_cores_table() -> None:
    ops = surface_ops()
    known = set(_native.operations())
    # The scan itself works: it sees the resources' calls.
    assert len(ops) >= 60, sorted(ops)
    assert {"mail.messages.send", "whoami.get", "tunnels.sign_csr"} <= set(ops)
    missing = {name: where for name, where in ops.items() if name not in known}
    assert missing == {}


def test_the_table_has_no_duplicates_and_dotted_names() -> None:
    names = _native.operations()
    assert len(names) == len(set(names))
    assert all(n.count(".") >= 1 and n == n.strip() and n.lower() == n for n in names)
