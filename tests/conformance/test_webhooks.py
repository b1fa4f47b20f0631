"""Seed 001 "Webhooks", "Signing Keys" and "Verifying Webhook Signatures":
subscriptions through the official SDK, a real delivery to a loopback receiver,
checked with the official ``verify_webhook``."""

from __future__ import annotations

import json
from typing import cast

import pytest

from inkbox import (
    InkboxAPIError,
    MailWebhookData,
    MailWebhookMessage,
    MailWebhookPayload,
    SigningKey,
    WebhookMailAgentIdentity,
    WebhookSubscription,
    verify_webhook,
)


def keys_of(typed_dict: type) -> set[str]:
    """The wire keys of one of the SDK's TypedDict payload shapes."""
    return set(typed_dict.__required_keys__) | set(typed_dict.__optional_keys__)

pytestmark = pytest.mark.needs("webhooks")


def test_signing_key_create_and_rotate(inkbox):
    # Create or rotate the org-level webhook signing key (plaintext returned once)
    key = inkbox.create_signing_key()
    assert isinstance(key, SigningKey)
    assert key.signing_key
    rotated = inkbox.create_signing_key()
    assert rotated.signing_key != key.signing_key


def test_mail_subscription_delivery_verified(inkbox, handle, receiver):
    key = inkbox.create_signing_key()
    identity = inkbox.create_identity(handle("hooked"))
    sender = inkbox.create_identity(handle("sender"))
    mailbox = identity.mailbox

    # Mail subscription: pick the message.* events you want.
    sub = inkbox.webhooks.subscriptions.create(
        mailbox_id=mailbox.id,
        url=receiver.url + "/hooks/mail",
        event_types=["message.received", "message.bounced"],
    )
    assert isinstance(sub, WebhookSubscription)
    assert sub.mailbox_id == mailbox.id
    assert sub.event_types == ["message.received", "message.bounced"]

    sent = sender.send_email(to=[identity.email_address], cc=["someone@example.com"], subject="ping", body_text="hello")

    d = receiver.wait(lambda d: d.path == "/hooks/mail")
    assert d.method == "POST"
    raw_body = d.body
    assert verify_webhook(payload=raw_body, headers=d.headers, secret=key.signing_key)
    assert verify_webhook(payload=raw_body, headers=d.headers, secret=key.signing_key.removeprefix("whsec_"))
    assert not verify_webhook(payload=raw_body + b" ", headers=d.headers, secret=key.signing_key)
    assert not verify_webhook(payload=raw_body, headers=d.headers, secret="whsec_wrong")

    payload = cast(MailWebhookPayload, json.loads(raw_body))
    # Every key of the SDK's typed wire shapes is present, plus the event
    # `id` (evt_...) envelopes carry since 0.4.13.
    assert set(payload) == keys_of(MailWebhookPayload) | {"id"}
    assert str(dict(payload)["id"]).startswith("evt_")
    assert keys_of(MailWebhookData) <= set(payload["data"])
    assert keys_of(MailWebhookMessage) <= set(payload["data"]["message"])
    for entry in payload["data"]["agent_identities"]:
        assert keys_of(WebhookMailAgentIdentity) <= set(entry)
    assert payload["event_type"] == "message.received"
    assert payload["timestamp"]
    msg = payload["data"]["message"]
    assert msg["mailbox_id"] == str(mailbox.id)
    assert msg["message_id"] == sent.message_id
    assert msg["from_address"] == sender.email_address
    assert msg["direction"] == "inbound"
    assert msg["subject"] == "ping"
    assert isinstance(payload["data"]["contacts"], list)
    # The sender is an active identity of the same org: matched in bucket "from".
    peers = payload["data"]["agent_identities"]
    assert isinstance(peers, list)
    for match in peers:
        assert match["bucket"] in ("from", "to", "cc", "bcc")


def test_sent_event_on_sender_mailbox(inkbox, handle, receiver):
    key = inkbox.create_signing_key()
    sender = inkbox.create_identity(handle("sender"))
    inkbox.webhooks.subscriptions.create(
        mailbox_id=sender.mailbox.id,
        url=receiver.url + "/sent",
        event_types=["message.sent"],
    )
    sender.send_email(to=["user@example.com"], bcc=["archive@example.com"], subject="out", body_text="x")
    d = receiver.wait(lambda d: d.path == "/sent")
    assert verify_webhook(payload=d.body, headers=d.headers, secret=key.signing_key)
    payload = d.json()
    assert payload["event_type"] == "message.sent"
    assert payload["data"]["message"]["direction"] == "outbound"
    assert payload["data"]["message"]["bcc_addresses"] == ["archive@example.com"]


def test_subscription_crud_and_validation(inkbox, handle):
    identity = inkbox.create_identity(handle("subs"))
    mailbox = identity.mailbox
    sub = inkbox.webhooks.subscriptions.create(
        mailbox_id=mailbox.id, url="https://example.com/hook", event_types=["message.received"]
    )

    # List, update, remove.
    subs = inkbox.webhooks.subscriptions.list(mailbox_id=mailbox.id)
    assert [s.id for s in subs] == [sub.id]
    assert inkbox.webhooks.subscriptions.get(sub.id).url == "https://example.com/hook"
    updated = inkbox.webhooks.subscriptions.update(subs[0].id, url="https://new/hook")
    assert updated.url == "https://new/hook"
    updated = inkbox.webhooks.subscriptions.update(sub.id, event_types=["message.sent", "message.failed"])
    assert updated.event_types == ["message.sent", "message.failed"]
    assert inkbox.webhooks.subscriptions.list(event_type="message.sent", mailbox_id=mailbox.id)[0].id == sub.id
    inkbox.webhooks.subscriptions.delete(subs[0].id)
    assert inkbox.webhooks.subscriptions.list(mailbox_id=mailbox.id) == []
    with pytest.raises(InkboxAPIError) as err:
        inkbox.webhooks.subscriptions.get(sub.id)
    assert err.value.status_code == 404

    # A typo with a valid prefix passes the SDK's check; the server 422s it.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.webhooks.subscriptions.create(
            mailbox_id=mailbox.id, url="https://example.com/hook", event_types=["message.received_typo"]
        )
    assert err.value.status_code == 422
    # Channel coherence on update is the server's job.
    sub2 = inkbox.webhooks.subscriptions.create(
        mailbox_id=mailbox.id, url="https://example.com/hook", event_types=["message.received"]
    )
    with pytest.raises(InkboxAPIError) as err:
        inkbox.webhooks.subscriptions.update(sub2.id, event_types=["text.received"])
    assert err.value.status_code == 422
    # SDK-side checks fire before any request.
    with pytest.raises(ValueError):
        inkbox.webhooks.subscriptions.create(
            mailbox_id=mailbox.id, url="https://example.com/hook", event_types=["text.received"]
        )
    with pytest.raises(ValueError):
        inkbox.webhooks.subscriptions.create(url="https://example.com/hook", event_types=["message.received"])


@pytest.mark.needs("texts")
def test_phone_subscription(inkbox, handle):
    identity = inkbox.create_identity(handle("textsub"))
    number = identity.provision_phone_number()
    sub = inkbox.webhooks.subscriptions.create(
        phone_number_id=number.id,
        url="https://example.com/texts",
        event_types=[
            "text.received",
            "text.sent",
            "text.delivered",
            "text.delivery_failed",
            "text.delivery_unconfirmed",
        ],
    )
    assert sub.phone_number_id == number.id
    assert [s.id for s in inkbox.webhooks.subscriptions.list(phone_number_id=number.id)] == [sub.id]
