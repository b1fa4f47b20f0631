"""Error mapping and retries against the emulator's real responses."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

import inkbox._runtime
from inkbox import Inkbox, InkboxAPIError
from inkbox.exceptions import InkboxTransportError

from conftest import EmulatorProcess


def test_not_found_is_typed(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        with pytest.raises(InkboxAPIError) as err:
            client.mailboxes.get("nobody@example.com")
    assert err.value.status_code == 404
    assert err.value.code == "api.not_found"


def test_bad_key_is_401(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key="ApiKey_wrong", base_url=emulator.url) as client:
        with pytest.raises(InkboxAPIError) as err:
            client.whoami()
    assert err.value.status_code == 401
    assert err.value.code == "api.unauthorized"


def test_validation_raises_value_error(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        with pytest.raises(ValueError):
            client.messages.send("a@example.com", to=[], subject="x", body_text="y")


class _Recording:
    """A callable transport: forwards each prepared request to the emulator
    over httpx and records it; ``lose`` first responses are replaced by a 503
    after the server has handled them (a lost response)."""

    def __init__(self, lose: int = 0) -> None:
        self.http = httpx.Client()
        self.lose = lose
        self.sent: list[tuple[str, str, list[tuple[str, str]]]] = []
        self.real: list[bytes] = []

    def __call__(self, req: Any) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [(k, v) for k, v in req.headers]
        self.sent.append((req.method, req.url, headers))
        resp = self.http.request(req.method, req.url, headers=headers, content=req.body)
        self.real.append(resp.content)
        if len(self.sent) <= self.lose:
            return 503, [("retry-after", "0")], b'{"detail":"lost"}'
        return resp.status_code, list(resp.headers.multi_items()), resp.content

    def close(self) -> None:  # called by the client's close
        self.http.close()

    def keys(self) -> list[str]:
        return [v for _, _, hs in self.sent for k, v in hs if k.lower() == "idempotency-key"]


def test_get_retried_through_503(emulator: EmulatorProcess, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr(inkbox._runtime.time, "sleep", slept.append)
    emulator.fault(count=2, status=503, retry_after=0, path_prefix="/api/whoami")
    transport = _Recording()
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=transport) as client:
            assert client.whoami().organization_id == emulator.org_id
    finally:
        emulator.control("DELETE", "/_emulator/faults")
    # Two 503s, then the answer: three sends, and Retry-After: 0 means no wait
    # (not the jittered backoff).
    assert [m for m, _, _ in transport.sent] == ["GET", "GET", "GET"]
    assert slept == [0.0, 0.0]


def test_retries_give_up(emulator: EmulatorProcess) -> None:
    emulator.fault(count=5, status=503, retry_after=0, path_prefix="/api/whoami")
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, max_attempts=2) as client:
            with pytest.raises(InkboxAPIError) as err:
                client.whoami()
        assert err.value.status_code == 503
        assert err.value.code == "api.server_error"
    finally:
        emulator.control("DELETE", "/_emulator/faults")


def test_keyed_post_retried_once(emulator: EmulatorProcess) -> None:
    emulator.fault(count=1, status=503, retry_after=0, path_prefix="/api/v1/signing-keys")
    transport = _Recording()
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=transport) as client:
            assert client.create_signing_key().signing_key
    finally:
        emulator.control("DELETE", "/_emulator/faults")
    keys = transport.keys()
    assert len(transport.sent) == 2 and len(keys) == 2
    assert keys[0] and keys[0] == keys[1]


def test_retried_post_reuses_its_idempotency_key(emulator: EmulatorProcess) -> None:
    """The server handled the first two attempts but their answers were lost:
    every attempt carries the same key, so the server replays the first
    result instead of rotating the signing key again."""
    transport = _Recording(lose=2)
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=transport) as client:
        created = client.create_signing_key()
    keys = transport.keys()
    assert [m for m, _, _ in transport.sent] == ["POST", "POST", "POST"]
    assert len(keys) == 3 and len(set(keys)) == 1 and 1 <= len(keys[0]) <= 255, keys
    first = json.loads(transport.real[0])
    assert created.signing_key == first["signing_key"]
    assert transport.real[1] == transport.real[0] == transport.real[2]
    # A new call mints a new key.
    again = _Recording()
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=again) as client:
        client.create_signing_key()
    assert len(again.keys()) == 1 and again.keys()[0] != keys[0]


def test_connection_refused_is_transport_error() -> None:
    with Inkbox(api_key="ApiKey_x", base_url="http://127.0.0.1:9", max_attempts=1) as client:
        with pytest.raises(InkboxTransportError):
            client.whoami()


# The structured refusals of today's wire, answered by the emulator (a fault
# with a `detail`) and typed by core: (status, detail, class, attributes).
_TODAYS_REFUSALS: list[tuple[int, dict[str, Any], str, dict[str, Any]]] = [
    (
        402,
        {"error": "storage_limit_exceeded", "message": "Mailbox full", "upgrade_url": "https://c/b",
         "limit_bytes": 1073741824},
        "StorageLimitExceededError",
        {"message": "Mailbox full", "upgrade_url": "https://c/b", "limit_bytes": 1073741824},
    ),
    (
        409,
        {"error": "idempotency_key_reused", "message": "Key used with another body"},
        "IdempotencyKeyReusedError",
        {"message": "Key used with another body"},
    ),
    (
        402,
        {"error": "dedicated_imessage_number_quota_exceeded", "message": "Quota", "number_type": "dedicated",
         "limit": 2, "current": 2, "upgrade_url": "https://c/u", "contact_email": "sales@example.com"},
        "DedicatedIMessageNumberQuotaExceededError",
        {"number_type": "dedicated", "limit": 2, "current": 2, "contact_email": "sales@example.com"},
    ),
    (
        503,
        {"error": "dedicated_imessage_number_inventory_pending", "message": "Soon", "number_type": "dedicated",
         "retry_after_seconds": 30},
        "DedicatedIMessageNumberInventoryPendingError",
        {"number_type": "dedicated", "retry_after": 30.0, "retry_after_seconds": 30},
    ),
    (
        429,
        {"error": "mail_import_quota_exceeded", "message": "Tomorrow", "retry_after_seconds": 600},
        "MailImportQuotaExceededError",
        {"message": "Tomorrow", "retry_after_seconds": 600},
    ),
]


@pytest.mark.parametrize(("status", "detail", "cls", "attrs"), _TODAYS_REFUSALS,
                         ids=[c[2] for c in _TODAYS_REFUSALS])
def test_todays_structured_refusals_are_typed(
    emulator: EmulatorProcess, status: int, detail: dict[str, Any], cls: str, attrs: dict[str, Any]
) -> None:
    import inkbox
    import inkbox.exceptions

    emulator.fault(count=3, status=status, detail=detail, path_prefix="/api/whoami")
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, max_attempts=1) as client:
            with pytest.raises(InkboxAPIError) as err:
                client.whoami()
    finally:
        emulator.control("DELETE", "/_emulator/faults")
    e = err.value
    assert type(e).__name__ == cls
    assert type(e) is getattr(inkbox.exceptions, cls) is getattr(inkbox, cls)
    assert e.status_code == status
    assert e.detail == detail
    assert e.code == "api." + detail["error"]
    for name, value in attrs.items():
        assert getattr(e, name) == value, name


def test_a_refusal_code_under_another_status_stays_plain(emulator: EmulatorProcess) -> None:
    detail = {"error": "storage_limit_exceeded", "message": "x", "limit_bytes": "not a number"}
    emulator.fault(status=400, detail=detail, path_prefix="/api/whoami")
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, max_attempts=1) as client:
            with pytest.raises(InkboxAPIError) as err:
                client.whoami()
    finally:
        emulator.control("DELETE", "/_emulator/faults")
    assert type(err.value) is InkboxAPIError
    assert err.value.code == "api.bad_request"
    # A malformed number in a typed detail is read leniently, never raised.
    from inkbox.exceptions import DedicatedIMessageNumberQuotaExceededError, StorageLimitExceededError

    assert StorageLimitExceededError(402, detail).limit_bytes is None
    q = DedicatedIMessageNumberQuotaExceededError(402, {"limit": [1], "current": True})
    assert (q.limit, q.current) == (0, 0)


class _SendRecording(inkbox._runtime.HttpxTransport):
    """The default transport, recording the headers of every request."""

    def __init__(self) -> None:
        super().__init__(None)
        self.agents: list[list[str]] = []

    def send(self, method: str, url: str, headers: Any, body: Any, timeout: float) -> Any:
        self.agents.append([v for k, v in headers if k.lower() == "user-agent"])
        return super().send(method, url, headers, body, timeout)


def test_every_request_names_the_package_in_its_user_agent(emulator: EmulatorProcess) -> None:
    import importlib.metadata

    version = importlib.metadata.version("inkbox")
    plain, prefixed = _SendRecording(), _SendRecording()
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=plain) as client:
        client.whoami()
        list(client.mailboxes.list())
    with Inkbox(
        api_key=emulator.admin_key, base_url=emulator.url, transport=prefixed, user_agent_prefix="my-agent/2.1"
    ) as client:
        client.whoami()
    assert len(plain.agents) == 2 and len(prefixed.agents) == 1
    assert all(a == [f"inkbox-python/{version}"] for a in plain.agents)
    assert prefixed.agents == [[f"my-agent/2.1 inkbox-python/{version}"]]
    for bad in ("tab\there", "naïve", "x" * 201):
        with pytest.raises(ValueError):
            Inkbox(api_key=emulator.admin_key, base_url=emulator.url, user_agent_prefix=bad)


def test_async_requests_carry_the_user_agent_too(emulator: EmulatorProcess) -> None:
    import asyncio

    from inkbox import AsyncInkbox

    seen: list[list[str]] = []

    class Rec(inkbox._runtime.AsyncHttpxTransport):
        async def send(self, method: str, url: str, headers: Any, body: Any, timeout: float) -> Any:
            seen.append([v for k, v in headers if k.lower() == "user-agent"])
            return await super().send(method, url, headers, body, timeout)

    async def main() -> None:
        async with AsyncInkbox(
            api_key=emulator.admin_key, base_url=emulator.url, transport=Rec(None), user_agent_prefix="cli/1"
        ) as client:
            await client.whoami()

    asyncio.run(main())
    assert len(seen) == 1 and seen[0][0].startswith("cli/1 inkbox-python/")


def test_agent_support_of_the_envelope_reaches_the_error(emulator: EmulatorProcess) -> None:
    emulator.fault(status=403, agent_support="Ask a human to enable sending", path_prefix="/api/whoami")
    emulator.fault(status=404, path_prefix="/api/whoami")
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, max_attempts=1) as client:
            with pytest.raises(InkboxAPIError) as with_support:
                client.whoami()
            with pytest.raises(InkboxAPIError) as without:
                client.whoami()
    finally:
        emulator.control("DELETE", "/_emulator/faults")
    assert with_support.value.agent_support == "Ask a human to enable sending"
    assert without.value.agent_support is None
    assert InkboxAPIError(500, "x").agent_support is None
