"""Names per language are derived from the description
(``tools/surface/names.py``); where the official TypeScript SDK 0.5.14
(``../shared/peers/inkbox-sdk-0.5.14.tgz``, the Node contract) names a
method otherwise, the description says so. Every described method of a
class the official SDK has must exist there under its derived Node name,
unless marked ``node_official = false``; no override or mark may be stale."""

from __future__ import annotations

import re
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "surface"))

import gen  # noqa: E402
import names  # noqa: E402

PEER = ROOT.parent / "shared" / "peers" / "inkbox-sdk-0.5.14.tgz"


@pytest.fixture(scope="module")
def official() -> dict[str, set[str]]:
    """Class name → method names (getters excluded) of the official
    TypeScript SDK's declarations."""
    assert PEER.is_file(), f"the official TypeScript SDK is expected at {PEER}"
    classes: dict[str, set[str]] = {}
    with tarfile.open(PEER) as tar:
        for member in tar.getmembers():
            if not member.name.endswith(".d.ts"):
                continue
            f = tar.extractfile(member)
            assert f is not None
            current = None
            for line in f.read().decode().splitlines():
                m = re.match(r"export declare class (\w+)", line)
                if m:
                    current = m.group(1)
                    classes.setdefault(current, set())
                    continue
                m = re.match(r"    (?:static )?(\w+)\(", line)
                if current and m and m.group(1) != "constructor":
                    classes[current].add(m.group(1))
    assert len(classes) >= 30
    return classes


def test_derivation() -> None:
    assert names.camel("send_imessage_typing") == "sendIMessageTyping"
    assert names.camel("list_imessages") == "listIMessages"
    assert names.camel("imessages") == "imessages"
    assert names.camel("get") == "get"
    assert names.pascal("phone_numbers") == "PhoneNumbers"
    with pytest.raises(ValueError):
        names.method_name(gen.Method("x", "", [], "none", ""), "cobol")


def _methods() -> list[tuple[str, Any]]:
    domains = gen.load()
    found: list[tuple[str, Any]] = []
    for d in domains.values():
        for r in d.resources:
            found += [(r.name, m) for m in r.methods]
        found += [("AgentIdentity", m) for m in d.scoped]
        found += [("Inkbox", m) for m in d.statics]
    return found


def test_described_methods_have_their_official_node_names(official: dict[str, set[str]]) -> None:
    checked = 0
    for cls, m in _methods():
        if cls not in official:
            continue
        node = names.method_name(m, "node")
        if m.node_official:
            assert node in official[cls], f"{cls}.{m.name}: the official SDK has no {node} (override it in names)"
            checked += 1
        else:
            assert node not in official[cls], f"{cls}.{m.name}: marked node_official = false, but {node} exists"
    assert checked >= 100, checked


def test_overrides_are_needed(official: dict[str, set[str]]) -> None:
    for cls, m in _methods():
        for language, name in m.names.items():
            assert language in names.LANGUAGES, f"{cls}.{m.name}: unknown language {language}"
            derived = m.name if language == "python" else names.camel(m.name)
            assert name != derived, f"{cls}.{m.name}: the {language} override is the derived name"
            if language == "node" and cls in official:
                assert derived not in official[cls], f"{cls}.{m.name}: the official SDK uses the derived name"


def test_python_names_are_the_described_ones() -> None:
    import importlib

    import inkbox

    modules = {r.name: r.module for d in gen.load().values() for r in d.resources}
    count = 0
    for cls, m in _methods():
        if cls in ("Inkbox", "AgentIdentity"):
            owner = getattr(inkbox, cls)
        else:
            owner = getattr(importlib.import_module("inkbox." + modules[cls]), cls)
        assert callable(getattr(owner, names.method_name(m, "python"))), f"{cls}.{m.name}"
        count += 1
    assert count >= 130
