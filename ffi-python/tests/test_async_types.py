"""``inkbox._async_types`` (the static types of ``AsyncInkbox``) is generated
from the blocking signatures; it must match what the generator writes now."""

from __future__ import annotations

import importlib.util
import inspect
import sys
from pathlib import Path
from types import ModuleType

from inkbox import _async_types
from inkbox.agent_identity import AgentIdentity
from inkbox.mail.resources import MessagesResource
from inkbox.vault.unlocked import UnlockedVault

TOOL = Path(__file__).resolve().parent.parent / "tools" / "gen_async_types.py"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_async_types", TOOL)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_generated_file_is_current() -> None:
    gen = _generator()
    assert gen.OUTPUT.read_text() == gen.generate(), (
        "inkbox/_async_types.py is stale: run python ffi-python/tools/gen_async_types.py"
    )


def test_protocols_cover_the_shared_classes() -> None:
    # Every public method of a shared class has its async declaration, with
    # the same parameters.
    pairs = [
        (AgentIdentity, _async_types.AsyncAgentIdentity),
        (MessagesResource, _async_types.AsyncMessagesResource),
        (UnlockedVault, _async_types.AsyncUnlockedVault),
    ]
    for shared, protocol in pairs:
        for name, member in vars(shared).items():
            if name.startswith("_") or not inspect.isfunction(member):
                continue
            declared = getattr(protocol, name)
            assert list(inspect.signature(declared).parameters) == list(inspect.signature(member).parameters), name
    assert inspect.iscoroutinefunction(_async_types.AsyncMessagesResource.get)
    assert not inspect.iscoroutinefunction(_async_types.AsyncMessagesResource.list)
    assert not inspect.iscoroutinefunction(_async_types.AsyncUnlockedVault.secret_ids)
