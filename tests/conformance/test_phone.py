"""Seed 001 phone flows (identity helpers, org-level numbers, calls,
transcripts) through the official SDK. Transcripts are injected with the
emulator's control API (``POST /_emulator/transcripts``)."""

from __future__ import annotations

import pytest

from inkbox import (
    InkboxAPIError,
    InkboxError,
    PhoneCall,
    PhoneCallWithRateLimit,
    PhoneNumber,
    PhoneTranscript,
    SmsStatus,
)


def inject(emulator, call_id, party, text, ts_ms=None):
    body = {"call_id": str(call_id), "party": party, "text": text}
    if ts_ms is not None:
        body["ts_ms"] = ts_ms
    return emulator.control("POST", "/_emulator/transcripts", body)


def test_identity_phone_flow(inkbox, emulator, handle):
    identity = inkbox.create_identity(handle("support-bot"))
    phone = identity.provision_phone_number()
    assert phone.sms_status == SmsStatus.PENDING  # 10DLC propagation pending

    # Place an outbound call — stream audio over WebSocket
    call = identity.place_call(
        to_number="+15551234567",
        client_websocket_url="wss://your-agent.example.com/ws",
    )
    assert isinstance(call, PhoneCallWithRateLimit)
    assert call.direction == "outbound"
    assert call.local_phone_number == phone.number
    assert call.remote_phone_number == "+15551234567"
    assert call.client_websocket_url == "wss://your-agent.example.com/ws"
    assert call.rate_limit is not None
    assert call.rate_limit.calls_remaining == call.rate_limit.calls_limit - call.rate_limit.calls_used

    # List calls (paginated)
    calls = identity.list_calls(limit=10, offset=0)
    assert all(isinstance(c, PhoneCall) for c in calls)
    assert [c.id for c in calls] == [call.id]

    # Fetch transcript segments for a call
    assert identity.list_transcripts(calls[0].id) == []
    inject(emulator, call.id, "local", "Hello, how can I help?")
    inject(emulator, call.id, "remote", "I would like a refund please")
    segments = identity.list_transcripts(calls[0].id)
    assert all(isinstance(t, PhoneTranscript) for t in segments)
    assert [(t.party, t.text) for t in segments] == [
        ("local", "Hello, how can I help?"),
        ("remote", "I would like a refund please"),
    ]
    assert [t.seq for t in segments] == sorted(t.seq for t in segments)

    # Read transcripts across all recent calls
    seen = {}
    for c in identity.list_calls(limit=10):
        segs = identity.list_transcripts(c.id)
        if not segs:
            continue
        seen[c.id] = [t.text for t in segs]
    assert list(seen) == [call.id]

    # Filter to only the remote party's speech
    remote = [t.text for t in identity.list_transcripts(calls[0].id) if t.party == "remote"]
    assert remote == ["I would like a refund please"]

    # Search transcripts across a phone number (org-level)
    hits = inkbox.phone_numbers.search_transcripts(phone.id, q="refund", party="remote")
    assert [t.text for t in hits] == ["I would like a refund please"]
    assert inkbox.phone_numbers.search_transcripts(phone.id, q="refund", party="local") == []


def test_place_call_without_phone_is_an_sdk_error(inkbox, handle):
    identity = inkbox.create_identity(handle("nophone"))
    with pytest.raises(InkboxError):
        identity.place_call(to_number="+18005559999", client_websocket_url="wss://my-app.com/voice")


def test_org_level_numbers(inkbox, handle):
    h = handle("sales-bot")
    inkbox.create_identity(h)
    number = inkbox.phone_numbers.provision(agent_handle=h)  # local by default
    assert isinstance(number, PhoneNumber)
    assert number.type == "local"

    numbers = inkbox.phone_numbers.list()
    assert number.id in [n.id for n in numbers]
    got = inkbox.phone_numbers.get(number.id)
    assert got.number == number.number

    # A second number for the same identity is refused.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.provision(agent_handle=h, state="NY")
    assert err.value.status_code == 409

    # Update incoming call behaviour
    updated = inkbox.phone_numbers.update(
        number.id,
        incoming_call_action="webhook",
        incoming_call_webhook_url="https://example.com/calls",
    )
    assert updated.incoming_call_action == "webhook"
    assert updated.incoming_call_webhook_url == "https://example.com/calls"
    updated = inkbox.phone_numbers.update(
        number.id,
        incoming_call_action="auto_accept",
        client_websocket_url="wss://example.com/ws",
    )
    assert updated.incoming_call_action == "auto_accept"
    assert updated.client_websocket_url == "wss://example.com/ws"
    # Omitted fields unchanged; None clears.
    updated = inkbox.phone_numbers.update(number.id, incoming_call_action="auto_reject", client_websocket_url=None)
    assert updated.client_websocket_url is None
    assert updated.incoming_call_webhook_url == "https://example.com/calls"

    # auto_accept needs a websocket URL.
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.update(number.id, incoming_call_action="auto_accept")
    assert err.value.status_code == 422

    changed = inkbox.phone_numbers.update(number.id, filter_mode="whitelist")
    assert changed.filter_mode == "whitelist"
    assert changed.filter_mode_change_notice is not None

    # Release a number
    inkbox.phone_numbers.release(number.id)
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.get(number.id)
    assert err.value.status_code == 404
    assert inkbox.get_identity(h).phone_number is None


def test_provision_in_state_and_errors(inkbox, handle):
    h = handle("ny")
    inkbox.create_identity(h)
    in_ny = inkbox.phone_numbers.provision(agent_handle=h, state="NY")
    assert in_ny.state == "NY"

    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.provision(agent_handle=handle("ghost"))
    assert err.value.status_code == 404
    other = handle("tf")
    inkbox.create_identity(other)
    with pytest.raises(InkboxAPIError) as err:
        inkbox.phone_numbers.provision(agent_handle=other, type="toll_free")
    assert err.value.status_code == 422


def test_sms_readiness_follows_emulated_clock(inkbox, emulator, handle):
    h = handle("clock")
    identity = inkbox.create_identity(h)
    phone = identity.provision_phone_number()
    assert phone.sms_status == SmsStatus.PENDING
    assert phone.sms_ready_at is not None
    emulator.advance_clock(601)
    assert inkbox.phone_numbers.get(phone.id).sms_status == SmsStatus.READY
    assert identity.refresh().phone_number.sms_status == SmsStatus.READY


def test_org_level_calls_and_transcripts(inkbox, emulator, handle):
    h = handle("caller")
    identity = inkbox.create_identity(h)
    phone = identity.provision_phone_number()

    # Place an outbound call (from_number may be the number's UUID)
    call = inkbox.calls.place(
        from_number=str(phone.id),
        to_number="+15551234567",
        client_websocket_url="wss://example.com/ws",
    )
    second = inkbox.calls.place(from_number=phone.number, to_number="+15557654321")
    calls = inkbox.calls.list(phone.id, limit=10)
    assert [c.id for c in calls] == [second.id, call.id]  # newest first
    assert [c.id for c in inkbox.calls.list(phone.id, limit=1, offset=1)] == [call.id]

    got = inkbox.calls.get(phone.id, call.id)
    assert got.id == call.id
    assert got.remote_phone_number == "+15551234567"

    inject(emulator, call.id, "remote", "hello there", ts_ms=1200)
    segments = inkbox.transcripts.list(phone.id, call.id)
    assert [(t.party, t.text, t.ts_ms) for t in segments] == [("remote", "hello there", 1200)]

    with pytest.raises(InkboxAPIError) as err:
        inkbox.calls.place(from_number=phone.number, to_number="not-a-number")
    assert err.value.status_code == 422
    with pytest.raises(InkboxAPIError) as err:
        inkbox.calls.place(from_number="+15550000000", to_number="+15551234567")
    assert err.value.status_code == 404
    with pytest.raises(InkboxAPIError) as err:
        inkbox.calls.get(phone.id, "00000000-0000-4000-8000-000000000000")
    assert err.value.status_code == 404
