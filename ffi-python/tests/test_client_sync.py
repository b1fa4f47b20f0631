"""The blocking client against the emulator: every resource family."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

import inkbox
from inkbox import Inkbox, InkboxAPIError
from inkbox.mail.types import MessageDirection

from conftest import EmulatorProcess


def _handle(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture()
def client(emulator: EmulatorProcess) -> Iterator[Inkbox]:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as c:
        yield c


def test_whoami_and_instance_classes(client: Inkbox, emulator: EmulatorProcess) -> None:
    info = client.whoami()
    assert info.auth_type == "api_key"
    assert isinstance(info, client.WhoamiApiKeyResponse)
    assert isinstance(info, inkbox.WhoamiApiKeyResponse)
    assert info.organization_id == emulator.org_id


def test_identity_lifecycle_and_mail(client: Inkbox, emulator: EmulatorProcess) -> None:
    handle = _handle("sync-bot")
    identity = client.create_identity(handle, display_name="Sync Bot")
    assert identity.agent_handle == handle
    assert identity.email_address
    assert identity.tunnel is not None
    assert isinstance(identity.mailbox.created_at, datetime)  # type: ignore[union-attr]

    sent = identity.send_email(to=["ada@example.com"], subject="Hello", body_text="Hi")
    assert isinstance(sent, inkbox.Message)
    assert sent.direction == MessageDirection.OUTBOUND
    reply = identity.send_email(
        to=["ada@example.com"], subject=f"Re: {sent.subject}", body_text="Again", in_reply_to_message_id=uuid.UUID(str(sent.id))
    )
    assert reply.thread_id == sent.thread_id

    emulator.control(
        "POST", "/_emulator/mail/inbound",
        {"to": identity.email_address, "from": "bob@example.com", "subject": "Inbound", "body_text": "yo"},
    )
    subjects = [m.subject for m in identity.iter_emails()]
    assert "Inbound" in subjects
    unread = list(identity.iter_unread_emails())
    assert unread
    identity.mark_emails_read([m.id for m in unread])
    assert not list(identity.iter_unread_emails())

    detail = identity.get_message(sent.id)
    assert isinstance(detail, inkbox.MessageDetail)
    assert detail.body_text == "Hi"
    thread = identity.get_thread(sent.thread_id)  # type: ignore[arg-type]
    assert [m.subject for m in thread.messages or []][:1] == ["Hello"]

    address = identity.email_address
    assert address is not None
    assert client.mailboxes.get(address).email_address == address
    assert any(mb.email_address == address for mb in client.mailboxes.list())
    client.messages.star(address, sent.id)
    assert client.messages.get(address, sent.id).is_starred
    threads = list(client.threads.list(address))
    assert threads

    identity.update(display_name="Renamed")
    assert identity.display_name == "Renamed"
    identity.update(description=None)
    assert identity.refresh() is identity
    assert any(s.agent_handle == handle for s in client.list_identities())
    identity.delete()
    with pytest.raises(InkboxAPIError) as err:
        client.get_identity(handle)
    assert err.value.status_code == 404


def test_pagination_crosses_pages(client: Inkbox, emulator: EmulatorProcess) -> None:
    identity = client.create_identity(_handle("pager"))
    address = identity.email_address
    assert address is not None
    for i in range(7):
        emulator.control(
            "POST", "/_emulator/mail/inbound",
            {"to": address, "from": "bob@example.com", "subject": f"m{i}", "body_text": "x"},
        )
    subjects = [m.subject for m in client.messages.list(address, page_size=2)]
    assert sorted(s for s in subjects if s and s.startswith("m")) == [f"m{i}" for i in range(7)]
    identity.delete()


def test_tunnel_options_dict_and_object(client: Inkbox) -> None:
    a = client.create_identity(_handle("pt-a"), tunnel={"tls_mode": "passthrough"})
    b = client.create_identity(_handle("pt-b"), tunnel=inkbox.IdentityTunnelCreateOptions(tls_mode="passthrough"))
    for ident in (a, b):
        assert ident.tunnel is not None
        assert ident.tunnel.tls_mode == inkbox.TLSMode.PASSTHROUGH
        tunnel = client.tunnels.get(ident.tunnel.id)
        assert tunnel.id == ident.tunnel.id
        updated = client.tunnels.update(tunnel.id, metadata={"team": "gtm"})
        assert updated.metadata == {"team": "gtm"}
    assert len(client.tunnels.list()) >= 2
    a.delete()
    b.delete()


def test_phone_calls_and_texts(client: Inkbox, emulator: EmulatorProcess) -> None:
    identity = client.create_identity(_handle("phone"))
    phone = identity.provision_phone_number()
    assert phone.number.startswith("+")
    assert identity.phone_number is not None
    call = identity.place_call(to_number="+15551234567", client_websocket_url="wss://example.com/ws")
    assert isinstance(call, inkbox.PhoneCallWithRateLimit)
    assert call.rate_limit.calls_remaining >= 0
    calls = identity.list_calls(limit=10)
    assert [c.id for c in calls][:1] == [call.id]
    emulator.control("POST", "/_emulator/transcripts", {"call_id": str(call.id), "party": "remote", "text": "refund please"})
    segments = identity.list_transcripts(call.id)
    assert [t.text for t in segments] == ["refund please"]
    hits = client.phone_numbers.search_transcripts(phone.id, q="refund", party="remote")
    assert hits and hits[0].party == "remote"
    assert client.calls.get(phone.id, call.id).id == call.id

    emulator.control("POST", "/_emulator/texts/inbound", {"to": phone.number, "from": "+15550001111", "text": "START"})
    texts = identity.list_texts(limit=20)
    assert texts
    unread = identity.list_texts(is_read=False)
    assert unread
    identity.mark_text_read(unread[0].id)
    convos = identity.list_text_conversations(limit=20, include_groups=True)
    assert convos
    msgs = identity.get_text_conversation("+15550001111", limit=50)
    assert msgs
    identity.mark_text_conversation_read("+15550001111")
    client.texts.update(phone.id, texts[0].id, status="deleted")

    numbers = client.phone_numbers.list()
    assert any(n.id == phone.id for n in numbers)
    identity.release_phone_number()
    assert identity.phone_number is None
    identity.delete()


def test_webhook_subscriptions_and_api_keys(client: Inkbox) -> None:
    identity = client.create_identity(_handle("hooks"))
    assert identity.mailbox is not None
    sub = client.webhooks.subscriptions.create(
        mailbox_id=identity.mailbox.id, url="https://example.com/hook", event_types=["message.received"]
    )
    assert isinstance(sub, inkbox.WebhookSubscription)
    subs = client.webhooks.subscriptions.list(mailbox_id=identity.mailbox.id)
    assert [s.id for s in subs] == [sub.id]
    updated = client.webhooks.subscriptions.update(sub.id, url="https://example.com/new")
    assert updated.url == "https://example.com/new"
    client.webhooks.subscriptions.delete(sub.id)

    created = client.api_keys.create(label="scoped", scoped_identity_id=uuid.UUID(str(identity.id)))
    assert created.api_key
    with Inkbox(api_key=created.api_key, base_url=client._r.base_url) as scoped:
        who = scoped.whoami()
        assert isinstance(who, inkbox.WhoamiApiKeyResponse)
    key = client.create_signing_key()
    assert key.signing_key
    identity.delete()


def test_imessage(client: Inkbox, emulator: EmulatorProcess) -> None:
    handle = _handle("imsg")
    identity = client.create_identity(handle, imessage_enabled=True)
    router = client.imessages.get_triage_number()
    assert router.number
    emulator.control("POST", "/_emulator/imessage/inbound", {"from": "+15557770000", "text": f"connect @{handle}"})
    convos = identity.list_imessage_conversations(limit=20)
    assert convos
    sent = identity.send_imessage(conversation_id=convos[0].id, text="On it")
    assert isinstance(sent, inkbox.IMessage)
    msgs = identity.list_imessages(conversation_id=convos[0].id)
    assert msgs
    identity.mark_imessage_conversation_read(convos[0].id)
    identity.send_imessage_typing(convos[0].id)
    upload = identity.upload_imessage_media(content=b"\x89PNG....", filename="chart.png", content_type="image/png")
    assert upload.media_url
    rule = client.imessage_contact_rules.create(handle, action="block", match_target="+15555550999")
    assert rule.match_target == "+15555550999"
    with pytest.raises(inkbox.DuplicateContactRuleError) as dup:
        client.imessage_contact_rules.create(handle, action="block", match_target="+15555550999")
    assert dup.value.existing_rule_id == rule.id
    identity.delete()


def test_model_round_trip() -> None:
    opts = inkbox.IdentityTunnelCreateOptions(tls_mode="passthrough")
    assert opts.to_dict() == {"tls_mode": "passthrough"}
    with pytest.raises(TypeError):
        inkbox.IdentityTunnelCreateOptions(bogus=1)  # type: ignore[call-arg]
    data: dict[str, Any] = {"id": "1", "created_at": "2024-01-02T03:04:05Z", "direction": "sideways"}
    msg = inkbox.Message._from(data)
    assert msg.created_at == datetime.fromisoformat("2024-01-02T03:04:05+00:00")
    assert msg.direction == "sideways"  # unknown enum values stay strings
