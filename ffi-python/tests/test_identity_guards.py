"""The guards of identity-scoped methods (described in ``surface/identity.toml``,
generated into ``IdentityScoped``): a method that needs the identity's
mailbox, phone number or iMessage raises ``InkboxError`` naming the identity,
before any request is sent."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from inkbox import AgentIdentity, Inkbox, InkboxError
from inkbox._models import coerce
from inkbox.identities.types import AgentIdentityData

NOW = "2026-12-07T00:00:00Z"


def _identity(**extra: Any) -> tuple[AgentIdentity, list[Any]]:
    sent: list[Any] = []

    def transport(req: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        sent.append(req)
        return 500, [], b"{}"

    client = Inkbox("ApiKey_test", base_url="http://127.0.0.1:9", transport=transport, max_attempts=1)
    data = {
        "id": str(uuid.uuid4()),
        "organization_id": "org_1",
        "agent_handle": "bare",
        "display_name": None,
        "description": None,
        "email_address": None,
        "imessage_enabled": False,
        "imessage_filter_mode": "blacklist",
        "created_at": NOW,
        "updated_at": NOW,
        "mailbox": None,
        "phone_number": None,
        "tunnel": None,
        **extra,
    }
    return AgentIdentity(coerce(data, AgentIdentityData), client), sent


def test_no_mailbox_no_number_no_imessage_fail_before_sending() -> None:
    identity, sent = _identity()
    with pytest.raises(InkboxError, match="Identity 'bare' has no mailbox"):
        identity.send_email(to=["a@example.com"], subject="s", body_text="b")
    with pytest.raises(InkboxError, match="has no phone number assigned"):
        identity.send_text(to="+15550100", text="hi")
    with pytest.raises(InkboxError, match="is not iMessage-enabled"):
        identity.send_imessage(to="+15550100", text="hi")
    assert sent == []


def test_bound_values_come_from_the_identity() -> None:
    number = {
        "id": str(uuid.uuid4()),
        "number": "+15550123",
        "type": "local",
        "status": "active",
        "incoming_call_action": "auto_reject",
        "created_at": NOW,
        "updated_at": NOW,
    }
    identity, sent = _identity(email_address="bare@inkboxmail.com", phone_number=number)
    assert identity.phone_number is not None and identity.phone_number.number == "+15550123"
    assert identity.email_address == "bare@inkboxmail.com"
    with pytest.raises(InkboxError):  # the fake server answers 500
        identity.send_text(to="+15550100", text="hi")
    with pytest.raises(InkboxError):
        identity.send_email(to=["a@example.com"], subject="s", body_text="b")
    urls = [req.url for req in sent]
    assert any(number["id"] in u for u in urls), urls
    assert any("bare%40inkboxmail.com" in u or "bare@inkboxmail.com" in u for u in urls), urls
