"""Seed 001 "Text Messages (SMS/MMS)" and "SMS Opt-Ins" through the official SDK.

Recipients opt in by texting START to a number of the org; the emulator takes
inbound texts on its control API: ``POST /_emulator/texts/inbound`` with
``{"from": <remote E.164>, "to": <org number E.164>, "text": ..., "media_urls"?: [...]}``.
"""

from __future__ import annotations

import pytest

from inkbox import (
    IdentityPhoneNumberCreateOptions,
    InkboxAPIError,
    SmsDeliveryStatus,
    SmsOptIn,
    SmsOptInStatus,
    TextConversationSummary,
    TextMessage,
    TextWebhookData,
    TextWebhookMessage,
    TextWebhookPayload,
    verify_webhook,
)

pytestmark = pytest.mark.needs("texts")

ALICE = "+15551234567"
BOB = "+15557654321"


def inbound(emulator, remote, local, text, media_urls=None):
    body = {"from": remote, "to": local, "text": text}
    if media_urls is not None:
        body["media_urls"] = media_urls
    return emulator.control("POST", "/_emulator/texts/inbound", body)


@pytest.fixture()
def texter(inkbox, handle):
    """An identity whose number is SMS-ready (inline numbers start ready)."""
    identity = inkbox.create_identity(handle("texter"), phone_number=IdentityPhoneNumberCreateOptions())
    assert identity.phone_number.sms_status == "ready"
    return identity


def unique_number(seed: str) -> str:
    # Opt-in state is per org; the session emulator is shared, so each test
    # uses its own remote numbers.
    import zlib

    return "+1555" + str(zlib.crc32(seed.encode()) % 10_000_000).zfill(7)


def test_send_requires_opt_in(inkbox, emulator, texter, request):
    phone = texter.phone_number
    remote = unique_number(request.node.name)

    # Unknown recipients fail with 403 recipient_not_opted_in.
    with pytest.raises(InkboxAPIError) as err:
        texter.send_text(to=remote, text="Hello from Inkbox")
    assert err.value.status_code == 403
    assert isinstance(err.value.detail, dict)
    assert err.value.detail["error"] == "recipient_not_opted_in"

    inbound(emulator, remote, phone.number, "START")
    sent = texter.send_text(to=remote, text="Hello from Inkbox")
    assert isinstance(sent, TextMessage)
    assert sent.delivery_status == SmsDeliveryStatus.QUEUED
    assert sent.direction == "outbound"
    assert sent.remote_phone_number == remote
    assert sent.local_phone_number == phone.number
    assert sent.text == "Hello from Inkbox"

    row = inkbox.sms_opt_ins.get(remote)
    assert isinstance(row, SmsOptIn)
    assert row.status == SmsOptInStatus.OPTED_IN
    assert row.source == "sms"
    assert row.opted_in_at is not None

    # Recipients who later send STOP flip to 403 recipient_opted_out.
    inbound(emulator, remote, phone.number, "STOP")
    with pytest.raises(InkboxAPIError) as err:
        texter.send_text(to=remote, text="still there?")
    assert err.value.status_code == 403
    assert err.value.detail["error"] == "recipient_opted_out"
    assert inkbox.sms_opt_ins.get(remote).status == SmsOptInStatus.OPTED_OUT
    opted_out = inkbox.sms_opt_ins.list(status=SmsOptInStatus.OPTED_OUT)
    assert remote in [r.receiver_number for r in opted_out]


def test_pending_sender_is_409(inkbox, emulator, handle, request):
    identity = inkbox.create_identity(handle("pending"))
    phone = identity.provision_phone_number()
    remote = unique_number(request.node.name)
    inbound(emulator, remote, phone.number, "START")
    with pytest.raises(InkboxAPIError) as err:
        identity.send_text(to=remote, text="too early")
    assert err.value.status_code == 409
    assert err.value.detail["error"] == "sender_sms_pending"


def test_inbound_list_read_conversations(inkbox, emulator, texter, request):
    phone = texter.phone_number
    remote = unique_number(request.node.name)
    inbound(emulator, remote, phone.number, "START")
    inbound(emulator, remote, phone.number, "Where is my invoice?")
    texter.send_text(to=remote, text="Sending the invoice now")

    texts = texter.list_texts(limit=20)
    assert all(isinstance(t, TextMessage) for t in texts)
    assert [t.text for t in texts][:2] == ["Sending the invoice now", "Where is my invoice?"]
    unread = texter.list_texts(is_read=False)
    assert unread and all(t.direction == "inbound" for t in unread)

    question = next(t for t in texts if t.text == "Where is my invoice?")
    text = texter.get_text(str(question.id))
    assert text.type == "sms"
    assert text.remote_phone_number == remote
    assert texter.mark_text_read(str(question.id)).is_read is True

    convos = texter.list_text_conversations(limit=20, include_groups=True)
    assert all(isinstance(c, TextConversationSummary) for c in convos)
    convo = next(c for c in convos if c.remote_phone_number == remote)
    assert convo.latest_text == "Sending the invoice now"
    assert convo.total_count >= 3

    msgs = texter.get_text_conversation(remote, limit=50)
    assert {m.text for m in msgs} >= {"Where is my invoice?", "Sending the invoice now"}
    result = texter.mark_text_conversation_read(remote)
    assert result.is_read is True
    assert texter.list_texts(is_read=False) == []

    # Org-level: search and delete
    results = inkbox.texts.search(phone.id, q="invoice", limit=20)
    assert {t.text for t in results} == {"Where is my invoice?", "Sending the invoice now"}
    # README: inkbox.texts.update(phone.id, "text-uuid", status="deleted") — 0.4.9's
    # texts.update() only takes is_read, so the README call is a TypeError.
    with pytest.raises(TypeError):
        inkbox.texts.update(phone.id, str(question.id), status="deleted")
    assert inkbox.texts.update(phone.id, str(question.id), is_read=False).is_read is False


def test_group_mms_and_conversation_reply(inkbox, emulator, texter, request):
    phone = texter.phone_number
    a = unique_number(request.node.name + "a")
    b = unique_number(request.node.name + "b")
    inbound(emulator, a, phone.number, "START")
    inbound(emulator, b, phone.number, "START")
    group = texter.send_text(
        to=[a, b],
        text="Hello group",
        media_urls=["https://example.com/photo.jpg"],
    )
    assert group.conversation_id is not None
    assert sorted(r.recipient_phone_number for r in group.recipients) == sorted([a, b])
    assert group.type == "mms"

    reply = texter.send_text(
        conversation_id=group.conversation_id,
        text="Following up in the same conversation.",
    )
    assert reply.conversation_id == group.conversation_id
    convos = texter.list_text_conversations(limit=20, include_groups=True)
    assert any(c.is_group and c.id == group.conversation_id for c in convos)
    assert not any(c.is_group for c in texter.list_text_conversations(limit=20))


def test_sms_opt_in_registry(inkbox, emulator, texter, request):
    remote = unique_number(request.node.name)
    inbound(emulator, remote, texter.phone_number.number, "START")
    rows = inkbox.sms_opt_ins.list(limit=50)
    assert remote in [r.receiver_number for r in rows]
    with pytest.raises(InkboxAPIError) as err:
        inkbox.sms_opt_ins.get("+15550000001")
    assert err.value.status_code == 404
    # Orgs on the Inkbox-default campaign cannot write consent.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.sms_opt_ins.opt_in(remote)
    assert err.value.status_code == 409
    assert err.value.detail["error"] == "customer_campaign_required"
    with pytest.raises(InkboxAPIError) as err:
        inkbox.sms_opt_ins.list(limit=201)
    assert err.value.status_code == 422


@pytest.mark.needs("webhooks")
def test_text_webhook_delivery(inkbox, emulator, texter, receiver, request):
    key = inkbox.create_signing_key()
    phone = texter.phone_number
    inkbox.webhooks.subscriptions.create(
        phone_number_id=phone.id,
        url=receiver.url + "/texts",
        event_types=["text.received", "text.sent"],
    )
    remote = unique_number(request.node.name)
    inbound(emulator, remote, phone.number, "START")
    d = receiver.wait(lambda d: d.path == "/texts" and d.json().get("event_type") == "text.received")
    assert verify_webhook(payload=d.body, headers=d.headers, secret=key.signing_key)
    payload = d.json()
    # 0.4.9's keys, plus the event `id` (evt_...) envelopes carry since 0.4.13.
    assert set(payload) == set(TextWebhookPayload.__required_keys__) | {"id"}
    assert payload["id"].startswith("evt_")
    assert set(TextWebhookData.__required_keys__) <= set(payload["data"])
    assert set(TextWebhookMessage.__required_keys__) <= set(payload["data"]["text_message"])
    assert payload["data"]["recipient_phone_number"] is None  # inbound
    assert payload["data"]["text_message"]["recipients"] is None
    assert payload["data"]["text_message"]["text"] == "START"
    assert payload["data"]["contacts"] == []
    assert "agent_identities" in payload["data"]
