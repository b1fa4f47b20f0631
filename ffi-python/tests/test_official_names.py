"""The package is a drop-in for the official ``inkbox`` 0.4.9: every name of
its ``inkbox.__all__`` and every public attribute of its ``Inkbox`` exist
here, and every field it types as ``UUID`` is a ``uuid.UUID`` here
(``tests/data/official-0.4.9-surface.json``, read from the official wheel)."""

from __future__ import annotations

import json
import typing
import uuid
from pathlib import Path
from typing import Any

import pytest

import inkbox
from inkbox import _models

OFFICIAL = json.loads((Path(__file__).parent / "data" / "official-0.4.9-surface.json").read_text())

# Official classes whose ids this package types elsewhere: (class, why).
UUID_ELSEWHERE = {
    "DecryptedVaultSecret": "a native class (inkbox._native); its id is a str",
    "VaultKeyMaterial": "no such model: the unlock flow keeps key material in core",
}


def test_every_official_export_exists() -> None:
    missing = [n for n in OFFICIAL["__all__"] if not hasattr(inkbox, n)]
    assert missing == []
    assert set(OFFICIAL["__all__"]) <= set(inkbox.__all__)


def test_every_official_client_attribute_exists() -> None:
    assert [n for n in OFFICIAL["Inkbox"] if not hasattr(inkbox.Inkbox, n)] == []


def _uuid_in(hint: Any) -> bool:
    return hint is uuid.UUID or any(_uuid_in(a) for a in typing.get_args(hint))


@pytest.mark.parametrize("cls_name", sorted(OFFICIAL["uuid_fields"]))
def test_official_uuid_fields_are_uuids(cls_name: str) -> None:
    if cls_name in UUID_ELSEWHERE:
        pytest.skip(UUID_ELSEWHERE[cls_name])
    cls = _models.registry().get(cls_name) or getattr(inkbox, cls_name, None)
    assert cls is not None, f"no model {cls_name}"
    hints = typing.get_type_hints(cls)
    for field in OFFICIAL["uuid_fields"][cls_name]:
        assert _uuid_in(hints[field]), f"{cls_name}.{field} is {hints[field]}"
        value = uuid.uuid4()
        read = getattr(cls._from({field: str(value)}), field)
        assert isinstance(read, uuid.UUID) and read == value


def test_an_id_that_is_not_a_uuid_stays_as_sent() -> None:
    """Never a silent wrong answer: an id the server sends that is no UUID
    is returned as the string it is (as unknown enum values are)."""
    from inkbox.tunnels.types import Tunnel

    assert Tunnel._from({"id": "not-a-uuid"}).id == "not-a-uuid"


def test_handle_rules_come_from_core() -> None:
    assert inkbox.validate_tunnel_name("@Sales-Bot") == "sales-bot"
    assert inkbox.validate_agent_handle is inkbox.validate_tunnel_name
    assert inkbox.normalize_agent_handle("@Ab--") == "ab--"
    for bad in ("ab", "a--b", "-ab", "x" * 64, "a_b"):
        with pytest.raises(inkbox.TunnelNameInvalid):
            inkbox.validate_tunnel_name(bad)
    with pytest.raises(inkbox.TunnelNameInvalid, match="must be a string"):
        inkbox.validate_tunnel_name(42)  # type: ignore[arg-type]
    with pytest.raises(inkbox.TunnelNameInvalid, match="must be a string"):
        inkbox.normalize_agent_handle(None)  # type: ignore[arg-type]
