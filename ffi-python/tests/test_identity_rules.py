"""The identity rules that live in core (``api::identities``) and that the
Rust client follows too: the email address and how ``update`` applies the
PATCH answer (no second GET unless a rename must refresh the tunnel)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from inkbox import Inkbox
from inkbox.agent_identity import AgentIdentity
from inkbox.identities.types import AgentIdentityData

from conftest import EmulatorProcess

TS = "2026-03-09T00:00:00Z"


class _Recording:
    """A callable transport forwarding to the emulator and recording
    ``(method, path)`` of every request."""

    def __init__(self) -> None:
        self.http = httpx.Client()
        self.sent: list[tuple[str, str]] = []

    def close(self) -> None:  # called by the client's close
        self.http.close()

    def __call__(self, req: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        self.sent.append((req.method, httpx.URL(req.url).path))
        resp = self.http.request(req.method, req.url, headers=list(req.headers), content=req.body)
        return resp.status_code, list(resp.headers.multi_items()), resp.content


@pytest.fixture()
def recorded(emulator: EmulatorProcess) -> Iterator[tuple[Inkbox, _Recording]]:
    transport = _Recording()
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=transport) as client:
        yield client, transport


def _data(own: Any, mailbox: Any) -> AgentIdentityData:
    box = None if mailbox is None else {
        "id": "m1", "email_address": mailbox, "filter_mode": "blacklist", "created_at": TS, "updated_at": TS,
    }
    return AgentIdentityData._from({
        "id": str(uuid.uuid4()), "organization_id": "org_1", "agent_handle": "bot", "display_name": None,
        "description": None, "email_address": own, "created_at": TS, "updated_at": TS, "mailbox": box,
        "phone_number": None, "tunnel": None,
    })


@pytest.mark.parametrize(
    ("own", "mailbox", "expected"),
    [
        ("assigned@mail.acme.com", "bot@inkboxmail.com", "assigned@mail.acme.com"),
        (None, "bot@inkboxmail.com", "bot@inkboxmail.com"),
        ("", "bot@inkboxmail.com", "bot@inkboxmail.com"),
        (None, None, None),
    ],
)
def test_email_address_follows_core(recorded: tuple[Inkbox, _Recording], own: Any, mailbox: Any, expected: Any) -> None:
    client, _ = recorded
    assert AgentIdentity(_data(own, mailbox), client).email_address == expected


def test_update_uses_the_patch_answer(recorded: tuple[Inkbox, _Recording]) -> None:
    client, transport = recorded
    handle = f"upd-{uuid.uuid4().hex[:10]}"
    identity = client.create_identity(handle)
    mailbox, tunnel = identity.mailbox, identity.tunnel
    assert mailbox is not None and tunnel is not None
    del transport.sent[:]

    identity.update(display_name="Renamed Bot", description="Outreach")
    assert transport.sent == [("PATCH", f"/api/v1/identities/{handle}")]
    assert identity.display_name == "Renamed Bot" and identity.description == "Outreach"
    assert identity.mailbox is not None and identity.mailbox.id == mailbox.id
    assert identity.tunnel is not None and identity.tunnel.id == tunnel.id
    fetched = client.get_identity(handle)
    assert fetched.display_name == "Renamed Bot" and fetched.email_address == identity.email_address

    identity.update(description=None)
    assert identity.description is None

