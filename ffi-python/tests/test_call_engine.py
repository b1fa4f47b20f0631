"""The runners drive core's call engine: per-operation timeouts, retry
classification from the response body, one idempotency key per call, typed
transport failures. Each test here failed on the runner that kept its own
retry loop (it sent the client timeout, and never handed core the body)."""

from __future__ import annotations

import asyncio
import json
from typing import Any, Optional

import httpx
import pytest

from inkbox import AsyncInkbox, Inkbox
from inkbox.exceptions import InkboxAPIError, InkboxTransportError

BASE = "https://inkbox.example"
UUID = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b"
CSR = "-----BEGIN CERTIFICATE REQUEST-----\nAA==\n-----END CERTIFICATE REQUEST-----\n"
LIMITED = json.dumps({"detail": {"error": "sender_rate_limited", "message": "daily limit reached"}}).encode()
TEXT = json.dumps(
    {
        "id": UUID,
        "direction": "outbound",
        "local_phone_number": "+15550001111",
        "remote_phone_number": "+15551234567",
        "text": "hi",
        "is_read": False,
        "type": "sms",
        "status": "queued",
        "created_at": "2026-03-09T00:00:00Z",
        "updated_at": "2026-03-09T00:00:00Z",
    }
).encode()

Reply = tuple[int, list[tuple[str, str]], bytes]


class Recorder:
    """A transport answering from a script and recording every send."""

    def __init__(self, *replies: Any) -> None:
        self.replies = list(replies)
        self.sent: list[tuple[str, str, dict[str, str], Optional[bytes], float]] = []

    def send(self, method: str, url: str, headers: list[tuple[str, str]], body: Optional[bytes], timeout: float) -> Reply:
        self.sent.append((method, url, dict(headers), body, timeout))
        reply = self.replies.pop(0)
        if isinstance(reply, BaseException):
            raise reply
        status, headers_out, body_out = reply
        return int(status), list(headers_out), bytes(body_out)


class AsyncRecorder(Recorder):
    async def send(  # type: ignore[override]
        self, method: str, url: str, headers: list[tuple[str, str]], body: Optional[bytes], timeout: float
    ) -> Reply:
        await asyncio.sleep(0)
        return Recorder.send(self, method, url, headers, body, timeout)


def client(t: Recorder, **kw: Any) -> Inkbox:
    return Inkbox("sk-test", base_url=BASE, transport=t, **kw)


def test_sign_csr_is_sent_with_its_own_timeout() -> None:
    t = Recorder((404, [], b'{"detail": "no such tunnel"}'), (401, [], b'{"detail": "bad key"}'))
    c = client(t, timeout=7.0)
    with pytest.raises(InkboxAPIError):
        c.tunnels.sign_csr(UUID, csr_pem=CSR)
    with pytest.raises(InkboxAPIError):
        c.whoami()
    assert [s[4] for s in t.sent] == [180.0, 7.0]


def test_sign_csr_timeout_async() -> None:
    t = AsyncRecorder((404, [], b'{"detail": "no such tunnel"}'))

    async def go() -> None:
        async with AsyncInkbox("sk-test", base_url=BASE, transport=t, timeout=7.0) as c:
            with pytest.raises(InkboxAPIError):
                await c.tunnels.sign_csr(UUID, csr_pem=CSR)

    asyncio.run(go())
    assert t.sent[0][4] == 180.0


def test_sender_rate_limited_is_not_retried() -> None:
    t = Recorder((429, [("Retry-After", "0")], LIMITED), (201, [], TEXT))
    with pytest.raises(InkboxAPIError) as info:
        client(t).texts.send(UUID, to="+15551234567", text="hi")
    assert info.value.code == "api.sender_rate_limited"
    assert len(t.sent) == 1


def test_sender_rate_limited_is_not_retried_async() -> None:
    t = AsyncRecorder((429, [("Retry-After", "0")], LIMITED), (201, [], TEXT))

    async def go() -> None:
        async with AsyncInkbox("sk-test", base_url=BASE, transport=t) as c:
            with pytest.raises(InkboxAPIError) as info:
                await c.texts.send(UUID, to="+15551234567", text="hi")
            assert info.value.code == "api.sender_rate_limited"

    asyncio.run(go())
    assert len(t.sent) == 1


def test_plain_429_is_retried_with_the_same_idempotency_key() -> None:
    t = Recorder((429, [("Retry-After", "0")], b'{"detail": "slow down"}'), (503, [], b""), (201, [], TEXT))
    msg = client(t).texts.send(UUID, to="+15551234567", text="hi")
    assert msg.text == "hi"
    keys = [s[2].get("Idempotency-Key") for s in t.sent]
    assert len(keys) == 3 and keys[0] is not None and len(set(keys)) == 1
    # A second call has its own key.
    t2 = Recorder((201, [], TEXT))
    client(t2).texts.send(UUID, to="+15551234567", text="hi")
    assert t2.sent[0][2]["Idempotency-Key"] not in keys


def test_transport_failures_retry_then_raise_typed_with_cause() -> None:
    boom = httpx.ConnectError("connection refused")
    t = Recorder(boom, boom, boom)
    with pytest.raises(InkboxTransportError) as info:
        client(t).whoami()
    assert info.value.code == "transport.connect"
    assert "connection refused" in str(info.value)
    assert info.value.__cause__ is boom
    assert len(t.sent) == 3
    # A failure the engine does not retry (not a transport error) propagates as is.
    t = Recorder(KeyError("bug"))
    with pytest.raises(KeyError):
        client(t).whoami()


def test_max_attempts_one_sends_once() -> None:
    t = Recorder((503, [], b'{"detail": "down"}'))
    with pytest.raises(InkboxAPIError) as info:
        client(t, max_attempts=1).whoami()
    assert info.value.status_code == 503 and len(t.sent) == 1
