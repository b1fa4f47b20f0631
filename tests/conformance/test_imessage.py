"""Seed 001 "iMessage" through the official SDK. The human side (texting the
router, tapbacks, disconnects) is injected with the emulator's control API:
``POST /_emulator/imessage/inbound`` ``{"from", "to"?, "text"?, "media_urls"?}``
(no ``to`` = the triage/router number) and ``POST /_emulator/imessage/disconnect``
``{"from", "handle"?}``."""

from __future__ import annotations

import pytest

from inkbox import (
    IMessage,
    IMessageConversationSummary,
    IMessageContactRule,
    IMessageReaction,
    InkboxAPIError,
    InkboxError,
)

pytestmark = pytest.mark.needs("imessage")

HUMAN = "+15558675309"


def test_imessage_flow(inkbox, emulator, handle):
    h = handle("my-agent")
    # Opt an identity in (at create time or later).
    identity = inkbox.create_identity(h, imessage_enabled=True)

    # Resolve the router number at runtime — never hardcode it.
    router = inkbox.imessages.get_triage_number()
    assert router.number.startswith("+")
    assert "connect" in router.connect_command

    # The human texts first: `connect @<handle>` to the router number.
    emulator.control("POST", "/_emulator/imessage/inbound", {"from": HUMAN, "text": f"connect @{h}"})
    emulator.control("POST", "/_emulator/imessage/inbound", {"from": HUMAN, "text": "Can you check my order?"})

    # Once a human has connected and messaged, read and reply.
    convos = identity.list_imessage_conversations(limit=20)
    assert all(isinstance(c, IMessageConversationSummary) for c in convos)
    assert [c.remote_number for c in convos] == [HUMAN]
    msgs = identity.list_imessages(conversation_id=convos[0].id)
    assert all(isinstance(m, IMessage) for m in msgs)
    assert "Can you check my order?" in [m.content for m in msgs]
    sent = identity.send_imessage(
        conversation_id=convos[0].id,
        text="On it — give me two minutes.",
    )
    assert isinstance(sent, IMessage)
    assert sent.content == "On it — give me two minutes."

    # Who is currently connected?
    connections = identity.list_imessage_assignments()
    assert [(c.remote_number, c.status, c.agent_identity_id) for c in connections] == [
        (HUMAN, "active", identity.id)
    ]

    # Tapbacks: classic six on send ("custom" is inbound-only, 422 on send).
    inbound_msg = next(m for m in msgs if m.content == "Can you check my order?")
    reaction = identity.send_imessage_reaction(message_id=inbound_msg.id, reaction="like")
    assert isinstance(reaction, IMessageReaction)
    with pytest.raises(InkboxAPIError) as err:
        identity.send_imessage_reaction(message_id=inbound_msg.id, reaction="custom")
    assert err.value.status_code == 422

    # Read receipts, typing indicator, media.
    identity.mark_imessage_conversation_read(convos[0].id)
    assert identity.list_imessage_conversations(limit=20)[0].unread_count == 0
    identity.send_imessage_typing(convos[0].id)
    upload = identity.upload_imessage_media(
        content=b"\x89PNG\r\n\x1a\nfake chart",
        filename="chart.png",
        content_type="image/png",
    )
    assert upload.media_url
    with_media = identity.send_imessage(conversation_id=convos[0].id, media_urls=[upload.media_url])
    assert with_media.id != sent.id

    # Per-identity allow/block rules.
    rule = inkbox.imessage_contact_rules.create(h, action="block", match_target="+15555550999")
    assert isinstance(rule, IMessageContactRule)
    assert rule.match_target == "+15555550999"

    # Disconnected conversations stay readable; sends into them return 409.
    emulator.control("POST", "/_emulator/imessage/disconnect", {"from": HUMAN})
    released = identity.list_imessage_conversations(limit=20)[0]
    assert released.assignment_status == "released"
    with pytest.raises(InkboxAPIError) as err:
        identity.send_imessage(conversation_id=convos[0].id, text="still there?")
    assert err.value.status_code == 409


def test_imessage_requires_opt_in(inkbox, handle):
    identity = inkbox.create_identity(handle("no-imsg"))
    with pytest.raises(InkboxError):  # SDK guard
        identity.list_imessages()
    with pytest.raises(InkboxAPIError) as err:  # never connected → 404
        inkbox.create_identity(handle("imsg"), imessage_enabled=True).send_imessage(to=HUMAN, text="cold outreach")
    assert err.value.status_code in (404, 409)


@pytest.mark.needs("webhooks")
def test_imessage_webhook_delivery(inkbox, emulator, handle, receiver):
    from inkbox import IMessageWebhookData, IMessageWebhookMessage, IMessageWebhookPayload, verify_webhook

    key = inkbox.create_signing_key()
    h = handle("hooked-imsg")
    identity = inkbox.create_identity(h, imessage_enabled=True)
    # iMessage subscription: owned by the agent identity.
    inkbox.webhooks.subscriptions.create(
        agent_identity_id=identity.id,
        url=receiver.url + "/imessage",
        event_types=[
            "imessage.received",
            "imessage.reaction_received",
            "imessage.sent",
            "imessage.delivered",
            "imessage.delivery_failed",
        ],
    )
    human = "+15558670001"
    emulator.control("POST", "/_emulator/imessage/inbound", {"from": human, "text": f"connect @{h}"})
    emulator.control("POST", "/_emulator/imessage/inbound", {"from": human, "text": "hello agent"})
    d = receiver.wait(
        lambda d: d.json()["event_type"] == "imessage.received"
        and (d.json()["data"]["message"] or {}).get("content") == "hello agent"
    )
    assert verify_webhook(payload=d.body, headers=d.headers, secret=key.signing_key)
    payload = d.json()
    # 0.4.9's keys, plus the event `id` (evt_...) envelopes carry since 0.4.13.
    assert set(payload) == set(IMessageWebhookPayload.__required_keys__) | {"id"}
    assert payload["id"].startswith("evt_")
    assert set(IMessageWebhookData.__required_keys__) <= set(payload["data"])
    assert set(IMessageWebhookMessage.__required_keys__) <= set(payload["data"]["message"])
    assert payload["data"]["reaction"] is None
    assert payload["data"]["message"]["remote_number"] == human
