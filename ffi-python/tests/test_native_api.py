"""The native API layer: prepare / parse by operation name, the model
registry, the typed API exceptions, the call engine, the pager flow and the
vault flows.

Model classes here are throwaway stand-ins registered for the test and
unregistered afterwards (the real ones live in inkbox._models)."""

from __future__ import annotations

import abc
import datetime as dt
import enum
import json
import uuid
from collections.abc import Iterator
from typing import Any, Optional

import pytest

from inkbox import _native
from inkbox.exceptions import (
    DuplicateContactRuleError,
    HandleUnavailableError,
    InkboxAPIError,
    InkboxDecodeError,
    InkboxError,
    InkboxTransportError,
    InkboxValidationError,
    RecipientBlockedError,
    RedundantContactAccessGrantError,
    TunnelCSRStateConflict,
    TunnelTLSModeMismatch,
)

BASE = "https://inkbox.ai"
KEY = "sk-test-key"
UUID = "4b1f3a5e-7c2d-4e8f-9a0b-1c2d3e4f5a6b"
RULE = "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b"
TS = "2026-03-09T00:00:00Z"
JSON = [("content-type", "application/json")]


# ---------------------------------------------------------------- models


class _Model:
    """A minimal stand-in for inkbox._models.Model."""

    __slots__ = ("_d",)
    _d: dict[str, Any]

    def __init__(self) -> None:
        raise AssertionError("parse must not call __init__")


class Message(_Model):
    pass


class MessageDetail(_Model):
    pass


class CursorPage(_Model):
    pass


class Mailbox(_Model):
    pass


class WhoamiApiKey(_Model):
    pass


class WhoamiJwt(_Model):
    pass


TEST_MODELS: dict[str, Optional[type]] = {
    "Message": Message,
    "MessageDetail": MessageDetail,
    "CursorPage": CursorPage,
    "Mailbox": Mailbox,
    "WhoamiApiKey": WhoamiApiKey,
    "WhoamiJwt": WhoamiJwt,
}


@pytest.fixture()
def models() -> Iterator[None]:
    """Registers the stand-ins, then restores whatever was registered."""
    before = _native.registered_models()
    _native.register_models(TEST_MODELS)
    try:
        yield
    finally:
        _native.register_models({name: before.get(name) for name in TEST_MODELS})


@pytest.fixture()
def no_models() -> Iterator[None]:
    """No class registered (the client registers its models on first use,
    which other tests of the session do), then restores the registry."""
    before = _native.registered_models()
    _native.register_models({name: None for name in before})
    try:
        assert _native.registered_models() == {}
        yield
    finally:
        _native.register_models(dict(before))


def message(i: int, **over: Any) -> dict[str, Any]:
    """A `mail.messages.list` item as the server sends it (~680 bytes)."""
    m: dict[str, Any] = {
        "id": f"0c6f3f0e-5c1b-4d7e-9a0b-3e0b8f1c{i:04d}",
        "mailbox_id": "7d1a4c2b-0e9f-4b8a-8c7d-6e5f4a3b2c1d",
        "thread_id": f"9d8c7b6a-5f4e-4d2c-8b0a-1c2d3e4f{i:04d}",
        "message_id": f"<CAF{i:08d}.abcdef0123456789@mail.example.com>",
        "from_address": "ada.lovelace@analytical-engines.example.com",
        "to_addresses": ["sales-bot@inkboxmail.com"],
        "cc_addresses": ["charles.babbage@example.org"],
        "subject": f"Re: quarterly planning, item {i}",
        "snippet": "Thanks for the notes from yesterday; the revised schedule is attached.",
        "direction": "inbound" if i % 2 else "outbound",
        "status": "received" if i % 2 else "delivered",
        "is_read": bool(i % 3),
        "is_starred": False,
        "has_attachments": i % 5 == 0,
        "created_at": "2026-03-09T12:34:56.123456Z",
        "import_job_id": None,
    }
    m.update(over)
    return m


def page_body(n: int, next_cursor: Optional[str], has_more: bool) -> bytes:
    page = {"items": [message(i) for i in range(n)], "next_cursor": next_cursor, "has_more": has_more}
    return json.dumps(page).encode()


def pager_step(flow: Any, status: int, body: bytes) -> tuple[Any, Any]:
    """Feeds one response to a pager flow whose request is out, then takes
    the page: ``(page value, the next request or None)``."""
    flow.feed(status, JSON, body)
    page = flow.next_request(BASE, KEY)
    assert type(page) is _native.Page and page.status == status
    return page.value, flow.next_request(BASE, KEY)


def first_page(op: str, args: Optional[dict[str, Any]], body: bytes, status: int = 200) -> tuple[Any, Any]:
    """The first page of ``op`` through a pager flow: ``(value, next request)``."""
    flow = _native.PagerFlow(op, args)
    assert type(flow.next_request(BASE, KEY)) is _native.Prepared
    return pager_step(flow, status, body)


# ---------------------------------------------------------------- prepare


PREPARE_CASES: list[tuple[str, Optional[dict[str, Any]], str, str, Optional[dict[str, Any]]]] = [
    (
        "identities.create",
        {"body": {"agent_handle": "sales-bot", "display_name": "Sales"}},
        "POST",
        "/api/v1/identities/",
        {"agent_handle": "sales-bot", "display_name": "Sales"},
    ),
    ("identities.get", {"path": {"handle": "sales-bot"}}, "GET", "/api/v1/identities/sales-bot", None),
    (
        "mail.messages.list",
        {"path": {"email": "bot@inkboxmail.com"}, "query": {"limit": 20, "direction": "inbound"}},
        "GET",
        "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages?limit=20&direction=inbound",
        None,
    ),
    (
        "mail.messages.send",
        {
            "path": {"email": "bot@inkboxmail.com"},
            "body": {"recipients": {"to": ["ada@example.com"]}, "subject": "Hi", "body_text": "Hello"},
        },
        "POST",
        "/api/v1/mail/mailboxes/bot@inkboxmail.com/messages",
        {"recipients": {"to": ["ada@example.com"]}, "subject": "Hi", "body_text": "Hello"},
    ),
    ("phone.numbers.get", {"path": {"phone_number_id": UUID}}, "GET", f"/api/v1/phone/numbers/{UUID}", None),
    (
        "texts.send",
        {"path": {"phone_number_id": UUID}, "body": {"to": "+15551234567", "text": "hi"}},
        "POST",
        f"/api/v1/phone/numbers/{UUID}/texts",
        {"to": "+15551234567", "text": "hi"},
    ),
    (
        "imessage.messages.list",
        {"query": {"limit": 100, "offset": 200, "is_read": False}},
        "GET",
        "/api/v1/imessage/messages?limit=100&offset=200&is_read=false",
        None,
    ),
    ("tunnels.get", {"path": {"tunnel_id": UUID}}, "GET", f"/api/v1/tunnels/{UUID}", None),
    ("vault.info", None, "GET", "/api/v1/vault/info", None),
    ("vault.secrets.delete", {"path": {"secret_id": UUID}}, "DELETE", f"/api/v1/vault/secrets/{UUID}", None),
    (
        "webhooks.subscriptions.create",
        {"body": {"url": "https://example.com/h", "event_types": ["message.received"], "mailbox_id": UUID}},
        "POST",
        "/api/v1/webhooks/subscriptions",
        {"url": "https://example.com/h", "event_types": ["message.received"], "mailbox_id": UUID},
    ),
    ("whoami.get", {}, "GET", "/api/whoami", None),
    ("api_keys.create", {"body": {"label": "ci"}}, "POST", "/api/v1/api-keys", {"label": "ci"}),
    ("sms_opt_ins.list", None, "GET", "/api/v1/phone/sms-opt-ins", None),
    ("agentpost.inboxes.list", {}, "GET", "/inboxes?limit=20", None),
]


@pytest.mark.parametrize("op,args,method,path,body", PREPARE_CASES, ids=[c[0] for c in PREPARE_CASES])
def test_prepare_builds_each_family(
    op: str, args: Optional[dict[str, Any]], method: str, path: str, body: Optional[dict[str, Any]]
) -> None:
    p = _native.prepare(op, args, BASE + "/", KEY)
    assert (p.method, p.url) == (method, BASE + path)
    headers = dict(p.headers)
    assert headers["Accept"] == "application/json"
    if op.startswith("agentpost."):
        assert headers["Authorization"] == f"Bearer {KEY}"
        assert "X-API-Key" not in headers
    else:
        assert headers["X-API-Key"] == KEY
    if body is None:
        assert p.body is None
        assert "Content-Type" not in headers
    else:
        assert p.body is not None
        assert json.loads(p.body) == body
        assert headers["Content-Type"] == "application/json"
    # Core: only GET (a safe method) or a request with an idempotency key.
    assert p.retry_safe is (method == "GET" or "Idempotency-Key" in headers)


def test_prepare_idempotency_key_and_auth_overrides() -> None:
    args = {"path": {"phone_number_id": UUID}, "body": {"to": "+15551234567", "text": "hi"}}
    p = _native.prepare("texts.send", args, BASE, KEY)
    assert p.retry_safe is False and "Idempotency-Key" not in dict(p.headers)
    p = _native.prepare("texts.send", args, BASE, KEY, idempotency_key="k-123")
    assert dict(p.headers)["Idempotency-Key"] == "k-123" and p.retry_safe is True
    # Only POSTs carry the key.
    g = _native.prepare("identities.get", {"path": {"handle": "x"}}, BASE, KEY, idempotency_key="k-123")
    assert "Idempotency-Key" not in dict(g.headers)
    # Signup calls authenticate with the signup key, or with nothing.
    v = _native.prepare("signup.verify", {"api_key": "ApiKey_s", "body": {"verification_code": "123456"}}, BASE, KEY)
    assert dict(v.headers)["X-API-Key"] == "ApiKey_s"
    s = _native.prepare(
        "signup.create", {"body": {"human_email": "a@b.com", "display_name": "x", "note_to_human": "y"}}, BASE, None
    )
    assert "X-API-Key" not in dict(s.headers)


def test_prepare_repr_hides_secrets() -> None:
    p = _native.prepare("vault.unlock", {"query": {"auth_hash": "ab" * 32}}, BASE, KEY)
    text = repr(p)
    assert KEY not in text and "ab" * 32 not in text
    assert "vault/unlock" in text and "X-API-Key" in text


class Color(enum.Enum):
    INBOUND = "inbound"


class Recipients:
    def _to_wire(self) -> dict[str, Any]:
        return {"to": ["ada@example.com"]}


def test_prepare_converts_python_values() -> None:
    args = {
        "path": {"email": "bot@inkboxmail.com"},
        "body": {"recipients": Recipients(), "subject": "Hi", "body_text": "x", "in_reply_to_message_id": None},
    }
    p = _native.prepare("mail.messages.send", args, BASE, KEY)
    assert p.body is not None and json.loads(p.body)["recipients"] == {"to": ["ada@example.com"]}
    q = _native.prepare(
        "mail.messages.list", {"path": {"email": "a@x.com"}, "query": {"direction": Color.INBOUND}}, BASE, KEY
    )
    assert q.url.endswith("direction=inbound")
    # datetime → ISO 8601.
    d = _native.prepare("identities.get", {"path": {"handle": dt.datetime(2026, 3, 9, 1, 2, 3)}}, BASE, KEY)
    assert d.url.endswith("/2026-03-09t01:02:03")  # handles are lower-cased by core
    with pytest.raises(TypeError):
        _native.prepare("identities.get", {"path": {"handle": object()}}, BASE, KEY)


@pytest.mark.parametrize(
    "op,args,base,key,field",
    [
        ("nope.nothing", None, BASE, KEY, "op"),
        ("identities.get", {}, BASE, KEY, "path.handle"),
        ("identities.get", {"path": {"handle": "x", "extra": "y"}}, BASE, KEY, "path.extra"),
        ("identities.list", {"bogus": 1}, BASE, KEY, "bogus"),
        ("mail.messages.list", {"path": {"email": "a@x.com"}, "query": {"limit": "ten"}}, BASE, KEY, "query.limit"),
        ("identities.list", None, "http://example.com", KEY, "base_url"),
        ("identities.list", None, BASE, None, "api_key"),
    ],
)
def test_prepare_validation_errors_are_typed(
    op: str, args: Optional[dict[str, Any]], base: str, key: Optional[str], field: str
) -> None:
    with pytest.raises(InkboxValidationError) as info:
        _native.prepare(op, args, base, key)
    e = info.value
    assert isinstance(e, ValueError) and isinstance(e, InkboxError)
    assert e.code == "api.validation"
    assert e.field == field
    if key:
        assert key not in str(e)


def test_prepare_refuses_a_bad_idempotency_key() -> None:
    with pytest.raises(InkboxValidationError):
        _native.prepare("api_keys.create", {"body": {"label": "x"}}, BASE, KEY, idempotency_key="bad key\n")


# ------------------------------------------------------------------ parse


@pytest.mark.usefixtures("models")
def test_parse_into_registered_classes() -> None:
    body = page_body(3, "c2", True)
    page = _native.parse("mail.messages.list", 200, JSON, body)
    assert type(page) is CursorPage
    assert page._d["next_cursor"] == "c2" and page._d["has_more"] is True
    items = page._d["items"]
    assert isinstance(items, list) and [type(m) for m in items] == [Message] * 3
    first = items[0]._d
    assert first["id"] == message(0)["id"]
    assert first["to_addresses"] == ["sales-bot@inkboxmail.com"]
    assert first["cc_addresses"] == ["charles.babbage@example.org"] and first["is_starred"] is False
    # Enums arrive as their wire strings (the models coerce them lazily).
    assert first["direction"] == "outbound" and first["status"] == "delivered"
    assert first["created_at"].startswith("2026-03-09T12:34:56")


def test_parse_creates_instances_as_object_new_would() -> None:
    # Plain classes are allocated directly; a class with its own __new__ gets
    # it called, and an abstract class is refused as object.__new__ refuses it.
    calls: list[type] = []

    class Counted(_Model):
        def __new__(cls) -> Counted:
            calls.append(cls)
            return super().__new__(cls)

    class Abstract(_Model, metaclass=abc.ABCMeta):
        @abc.abstractmethod
        def needed(self) -> None: ...

    before = _native.registered_models()
    body = page_body(3, None, False)
    try:
        _native.register_models({"CursorPage": CursorPage, "Message": Counted})
        page = _native.parse("mail.messages.list", 200, JSON, body)
        assert [type(m) for m in page._d["items"]] == [Counted] * 3 and calls == [Counted] * 3
        _native.register_models({"Message": Message})
        page = _native.parse("mail.messages.list", 200, JSON, body)
        assert [type(m) for m in page._d["items"]] == [Message] * 3
        assert page._d["items"][0]._d["id"] == message(0)["id"]
        _native.register_models({"Message": Abstract})
        with pytest.raises(TypeError, match="abstract"):
            _native.parse("mail.messages.list", 200, JSON, body)
    finally:
        _native.register_models({name: before.get(name) for name in ("CursorPage", "Message")})


@pytest.mark.usefixtures("models")
def test_parse_keeps_unknown_enum_values_and_unregistered_structs() -> None:
    body = json.dumps(
        {
            "id": UUID,
            "email_address": "a@inkboxmail.com",
            "sending_domain": "inkboxmail.com",
            "filter_mode": "quarantine_everything",
            "agent_identity_id": UUID,
            "filter_mode_change_notice": {"message": "m", "from_mode": "blacklist", "to_mode": "whitelist"},
            "created_at": TS,
            "updated_at": TS,
        }
    ).encode()
    try:
        mb = _native.parse("mail.mailboxes.get", 200, JSON, body)
    except InkboxDecodeError:
        # The notice's shape differs on this server version: try without it.
        data = json.loads(body)
        data["filter_mode_change_notice"] = None
        mb = _native.parse("mail.mailboxes.get", 200, JSON, json.dumps(data).encode())
    assert type(mb) is Mailbox
    assert mb._d["filter_mode"] == "quarantine_everything"
    assert isinstance(mb._d["filter_mode"], str)
    notice = mb._d["filter_mode_change_notice"]
    assert notice is None or type(notice) is dict


@pytest.mark.usefixtures("models")
def test_parse_flattened_and_whoami_results() -> None:
    detail = dict(message(1), body_text="Hello", body_html=None)
    got = _native.parse("mail.messages.get", 200, JSON, json.dumps(detail).encode())
    assert type(got) is MessageDetail
    assert got._d["body_text"] == "Hello" and got._d["subject"] == detail["subject"]
    key = {"auth_type": "api_key", "organization_id": "org_1", "key_id": "k1", "created_at": 1.5}
    w = _native.parse("whoami.get", 200, JSON, json.dumps(key).encode())
    assert type(w) is WhoamiApiKey and w._d["organization_id"] == "org_1"
    jwt = {"auth_type": "jwt", "organization_id": "org_1", "email": "a@b.com"}
    assert type(_native.parse("whoami.get", 200, JSON, json.dumps(jwt).encode())) is WhoamiJwt


@pytest.mark.usefixtures("no_models")
def test_parse_plain_values_without_registry() -> None:
    assert _native.parse("identities.delete", 204, [], b"") is None
    rules = [{"id": "a", "vault_secret_id": "b", "identity_id": "c", "created_at": TS}]
    got = _native.parse("vault.secrets.access.list", 200, JSON, json.dumps(rules).encode())
    assert isinstance(got, list) and type(got[0]) is dict and got[0]["identity_id"] == "c"


def test_parse_decode_error() -> None:
    with pytest.raises(InkboxDecodeError) as info:
        _native.parse("identities.get", 200, JSON, b"{not json")
    e = info.value
    assert isinstance(e, InkboxAPIError)
    assert e.code == "api.decode" and e.status_code == 200 and e.body == b"{not json"
    with pytest.raises(InkboxDecodeError):
        _native.parse("mail.messages.list", 200, JSON, b'{"items": 3}')


def _wire_item(i: int) -> dict[str, Any]:
    """A page item exercising what the borrowed parse and the string cache
    see: escapes, non-ASCII, unknown enum values, strings repeated across
    items and not, long strings, the optional HEAD fields in some items."""
    m = message(
        i,
        subject=["caf\u00e9 \"quoted\" \\ tab\t", "plain", "\U0001f600 emoji", None, "x" * 60][i % 5],
        to_addresses=["sales-bot@inkboxmail.com", f"r{i % 2}@example.com", "a/b@example.com"],
        cc_addresses=None if i % 3 else [f"cc{i}@example.com"],
        direction=["inbound", "outbound", "sideways"][i % 3],
        status=["received", "quarantined"][i % 2],
        created_at=["2026-03-09T12:34:56.123456Z", "2026-03-09T12:34:56Z", "2026-03-09T12:34:56.500Z"][i % 3],
    )
    del m["import_job_id"]
    if i % 4 == 1:
        m["import_job_id"] = f"job-{i}"
    if i % 4 == 2:
        m["first_opened_at"] = "2026-03-10T00:00:00.250Z"
        m["open_count"] = i
    return m


@pytest.mark.usefixtures("models")
@pytest.mark.parametrize("first", [0, 1, 2])
def test_parse_message_page_matches_the_wire(first: int) -> None:
    # The page's first item fixes the field layout later items start from;
    # items with more (`first` 0), other (1) or fewer (2) optional fields
    # than it must still come out exactly as on the wire.
    items = [_wire_item(i) for i in range(first, first + 24)]
    body = json.dumps({"items": items, "next_cursor": "c\u00e9", "has_more": True}).encode()
    for raw in (body, json.dumps(json.loads(body), ensure_ascii=False).encode()):
        page, _ = first_page("mail.messages.list", {"path": {"email": "a@x.com"}}, raw)
        assert page._d["next_cursor"] == "c\u00e9"
        got = [m._d for m in page._d["items"]]
        assert len(got) == len(items)
        for g, want in zip(got, items):
            # Key order too: the wire fields in declaration order, the unset
            # optional HEAD fields left out.
            assert list(g.items()) == list(want.items())
            assert all(type(v) is str for v in g.values() if isinstance(v, str))
        # Equal strings in different items stay equal (and may be shared).
        assert got[0]["mailbox_id"] == got[1]["mailbox_id"] and got[0]["id"] != got[1]["id"]
        search = _native.parse("mail.mailboxes.search", 200, JSON, raw)
        assert [m._d for m in search._d["items"]] == got


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"items": 3}',
        b'{"items": [{"id": 5}]}',
        b'{"items": [{"id": "x"}]}',
        b'{"items": [], "next_cursor": 7}',
        b'{"items": []} trailing',
        b'{"items": [{"id": "\\ud800"}]}',
        b'{"items": ["\xff"]}',
        b'{"items": []}\xc3',
        json.dumps({"items": [dict(message(0), created_at="2026-02-30T00:00:00Z")]}).encode(),
        json.dumps({"items": [dict(message(0), to_addresses=[1])]}).encode(),
        json.dumps({"items": [dict(message(0), direction=None)]}).encode(),
        b"",
    ],
)
def test_parse_message_page_decode_errors(body: bytes) -> None:
    for op in ("mail.messages.list", "mail.mailboxes.search"):
        with pytest.raises(InkboxDecodeError) as info:
            _native.parse(op, 200, JSON, body)
        assert info.value.code == "api.decode" and info.value.body == body
    with pytest.raises(InkboxDecodeError):
        first_page("mail.messages.list", {"path": {"email": "a@x.com"}}, body)


def test_model_getters_convert_like_convert() -> None:
    from inkbox._models import _convert
    from inkbox.mail.types import Message as RealMessage, MessageDirection

    values: list[Any] = [
        None, "inbound", "outbound", "sideways", "", 3, ["inbound"],
        "2026-03-09T12:34:56.123456Z", "2026-03-09T12:34:56Z", "2026-03-09T12:34:56+02:00",
        "not a date", "2026-02-30T00:00:00Z", 1.5, dt.datetime(2026, 1, 1), MessageDirection.INBOUND,
    ]
    for field, hint in (("direction", MessageDirection), ("created_at", dt.datetime),
                        ("first_opened_at", dt.datetime)):
        for v in values:
            m = RealMessage._from({field: v})
            got = getattr(m, field)
            want = _convert(v, hint)
            assert got == want and type(got) is type(want), (field, v)


def test_model_fields_are_native_descriptors() -> None:
    from collections import UserDict

    from inkbox.mail.types import Message as RealMessage, MessageDirection

    m = RealMessage._from({"subject": "hi", "to_addresses": ("a@x.com",), "direction": "inbound"})
    assert m.subject == "hi" and m.snippet is None  # present, absent
    assert m.to_addresses == ["a@x.com"] and m.direction is MessageDirection.INBOUND
    for name in ("subject", "to_addresses", "direction"):
        assert type(RealMessage.__dict__[name]) is _native.Field
        assert isinstance(getattr(RealMessage, name), _native.Field)  # class access: the descriptor
    m.subject = "changed"
    m.direction = MessageDirection.OUTBOUND
    assert m._d["subject"] == "changed" and m.direction is MessageDirection.OUTBOUND
    # A `_d` that is another mapping is read through its `get`.
    m._d = UserDict({"subject": "from a mapping"})  # type: ignore[assignment]
    assert m.subject == "from a mapping" and m.snippet is None
    with pytest.raises(AttributeError):
        RealMessage.__new__(RealMessage).subject  # no `_d` at all


# ----------------------------------------------------------------- errors


def err(op: str, status: int, body: Any, headers: Optional[list[tuple[str, str]]] = None) -> InkboxAPIError:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    with pytest.raises(InkboxAPIError) as info:
        _native.parse(op, status, (headers or []) + JSON, raw)
    return info.value


ERROR_CASES: list[tuple[str, int, Any, type, str]] = [
    ("identities.get", 400, {"detail": "bad"}, InkboxAPIError, "api.bad_request"),
    ("identities.get", 401, {"detail": "Invalid API key"}, InkboxAPIError, "api.unauthorized"),
    ("identities.get", 403, {"detail": "Forbidden"}, InkboxAPIError, "api.forbidden"),
    ("identities.get", 404, {"detail": "Not Found"}, InkboxAPIError, "api.not_found"),
    ("identities.get", 422, {"detail": [{"loc": ["body"], "msg": "x"}]}, InkboxAPIError, "api.unprocessable"),
    ("identities.get", 500, b"<html>oops</html>", InkboxAPIError, "api.server_error"),
    (
        "texts.send",
        403,
        {"detail": {"error": "recipient_blocked", "matched_rule_id": RULE, "address": "+15551234567", "reason": "r"}},
        RecipientBlockedError,
        "api.recipient_blocked",
    ),
    (
        "identities.create",
        409,
        {"detail": {"message": "taken", "blocking_namespace": "mail"}},
        HandleUnavailableError,
        "api.handle_unavailable",
    ),
    (
        "imessage.contact_rules.create",
        409,
        {"detail": {"existing_rule_id": RULE, "message": "dup"}},
        DuplicateContactRuleError,
        "api.duplicate_contact_rule",
    ),
    (
        "identities.access.grant",
        409,
        {"detail": {"error": "redundant_grant", "detail": "already everyone"}},
        RedundantContactAccessGrantError,
        "api.redundant_grant",
    ),
    ("tunnels.sign_csr", 409, {"detail": "tunnel tls_mode is edge"}, TunnelTLSModeMismatch, "api.tunnel_tls_mode_mismatch"),
    ("tunnels.sign_csr", 409, {"detail": "cert issued"}, TunnelCSRStateConflict, "api.tunnel_csr_state_conflict"),
]


@pytest.mark.parametrize("op,status,body,cls,code", ERROR_CASES, ids=[f"{c[1]}-{c[4]}" for c in ERROR_CASES])
def test_error_statuses_map_to_classes(op: str, status: int, body: Any, cls: type, code: str) -> None:
    e = err(op, status, body)
    assert type(e) is cls
    assert e.code == code and e.status_code == status and e.retry_after is None
    if isinstance(body, bytes):
        assert e.detail == body.decode()
    else:
        assert e.detail == body["detail"]


def test_structured_error_attributes() -> None:
    e = err("texts.send", 403, {"detail": {"error": "recipient_blocked", "matched_rule_id": None, "address": "+1555"}})
    assert isinstance(e, RecipientBlockedError) and e.matched_rule_id is None and e.address == "+1555"
    e = err("identities.create", 409, {"detail": {"message": "taken", "blocking_namespace": "tunnels"}})
    assert isinstance(e, HandleUnavailableError) and e.blocking_namespace == "tunnels"
    e = err("imessage.contact_rules.create", 409, {"detail": {"existing_rule_id": RULE}})
    assert isinstance(e, DuplicateContactRuleError) and str(e.existing_rule_id) == RULE
    # A rule id that is not a UUID cannot build the structured class: the base
    # class keeps the code.
    e = err("imessage.contact_rules.create", 409, {"detail": {"existing_rule_id": "rule-1"}})
    assert type(e) is InkboxAPIError and e.code == "api.duplicate_contact_rule"


def test_rate_limit_with_retry_after() -> None:
    e = err("texts.send", 429, {"detail": "slow down"}, [("Retry-After", "7")])
    assert type(e) is InkboxAPIError
    assert (e.code, e.status_code, e.detail, e.retry_after) == ("api.rate_limited", 429, "slow down", 7.0)
    e = err("texts.send", 429, {"detail": {"error": "sender_rate_limited", "message": "24h"}})
    assert e.code == "api.sender_rate_limited"


# ------------------------------------------------------------ call engine

OPTS = _native.CallOptions()
SEND, SLEEP, DONE, FAILED = 0, 1, 2, 3


def drive(call: _native.Call, responses: list[tuple[int, list[tuple[str, str]], bytes]], now: float = 0.0) -> list[Any]:
    """Feeds canned responses to ``call``; returns what it asked for."""
    log: list[Any] = []
    it = iter(responses)
    while True:
        step, a, b = call.step()
        if step == SEND:
            assert isinstance(a, _native.Prepared)
            log.append(("send", b))
            status, headers, body = next(it)
            call.feed(status, headers, body, now)
        elif step == SLEEP:
            log.append(("sleep", a))
        else:
            log.append("done" if step == DONE else a)
            return log


def whoami() -> _native.Call:
    return _native.Call("whoami.get", None, BASE, KEY, OPTS)


def test_call_honours_retry_after_and_bounds_backoff() -> None:
    assert drive(whoami(), [(429, [("Retry-After", "2")], b""), (200, [], b"{}")]) == [
        ("send", 30.0), ("sleep", 2.0), ("send", 30.0), "done"
    ]
    # Exhausted after max_attempts (3), whatever the status.
    call = whoami()
    log = drive(call, [(503, [], b"")] * 3)
    assert [x[0] if isinstance(x, tuple) else x for x in log] == ["send", "sleep", "send", "sleep", "send", "done"]
    assert call.attempts == 3
    # Backoff: full jitter within base * 2^(n-1), capped by max_delay.
    opts = _native.CallOptions(max_attempts=6, base_delay_ms=100, max_delay_ms=300)
    for _ in range(50):
        log = drive(_native.Call("whoami.get", None, BASE, KEY, opts), [(502, [], b"")] * 6)
        delays = [x[1] for x in log if isinstance(x, tuple) and x[0] == "sleep"]
        assert len(delays) == 5
        assert all(0 <= d <= c for d, c in zip(delays, [0.1, 0.2, 0.3, 0.3, 0.3]))
    # An HTTP-date Retry-After counts from now; too long a wait gives up.
    log = drive(whoami(), [(503, [("retry-after", "Sun, 06 Nov 1994 08:49:47 GMT")], b""), (200, [], b"{}")], 784111777.0)
    assert log[1] == ("sleep", 10.0)
    assert drive(whoami(), [(429, [("Retry-After", "3600")], b"")]) == [("send", 30.0), "done"]


def test_call_reads_the_body_sender_rate_limited_is_final() -> None:
    body = json.dumps({"detail": {"error": "sender_rate_limited", "message": "24h"}}).encode()
    args = {"path": {"phone_number_id": UUID}, "body": {"to": "+15551234567", "text": "x"}}
    call = _native.Call("texts.send", args, BASE, KEY, OPTS)
    assert drive(call, [(429, [("Retry-After", "1")], body)]) == [("send", 30.0), "done"]
    assert call.attempts == 1


def test_call_mints_one_idempotency_key_and_stops_on_client_errors() -> None:
    args = {"path": {"phone_number_id": UUID}, "body": {"to": "+15551234567", "text": "x"}}
    call = _native.Call("texts.send", args, BASE, KEY, OPTS)
    key = call.idempotency_key
    assert key is not None and uuid.UUID(key).version == 4
    assert dict(call.request.headers)["Idempotency-Key"] == key
    assert call.request.retry_safe and call.request.operation == "texts.send"
    assert len(drive(call, [(503, [], b""), (503, [], b""), (503, [], b"")])) == 6
    assert call.idempotency_key == key
    assert _native.Call("texts.send", args, BASE, KEY, OPTS).idempotency_key != key
    once = _native.Call("texts.send", args, BASE, KEY, OPTS, idempotent_post=False)
    assert once.idempotency_key is None and not once.request.retry_safe
    assert drive(once, [(503, [], b"")]) == [("send", 30.0), "done"]
    for status in (200, 400, 401, 403, 404, 409, 422, 501):
        assert drive(whoami(), [(status, [], b"{}")]) == [("send", 30.0), "done"], status


def test_call_timeout_is_the_operations_own() -> None:
    args = {"path": {"tunnel_id": UUID}, "body": {"csr_pem": "-----BEGIN CERTIFICATE REQUEST-----"}}
    opts = _native.CallOptions(timeout=5.0)
    assert _native.Call("tunnels.sign_csr", args, BASE, KEY, opts).timeout == 180.0
    assert _native.Call("whoami.get", None, BASE, KEY, opts).timeout == 5.0
    with pytest.raises(ValueError):
        _native.CallOptions(timeout=0.0)
    with pytest.raises(ValueError):
        _native.CallOptions(max_attempts=0)


def test_call_transport_failures_are_typed() -> None:
    call = whoami()
    kinds = []
    while True:
        step, a, _ = call.step()
        if step == SEND:
            call.fail("connect", "request failed: ConnectError: refused")
        elif step == FAILED:
            kinds.append(a)
            break
        else:
            assert step == SLEEP
    assert call.attempts == 3
    (err,) = kinds
    assert isinstance(err, InkboxTransportError) and err.code == "transport.connect"
    assert "refused" in str(err) and KEY not in str(err)
    call = whoami()
    call.fail("other", "tls")
    assert call.step()[0] == FAILED
    with pytest.raises(ValueError):
        whoami().fail("meteor", "x")
    # The same Prepared driven again (a vault flow's step).
    p = _native.prepare("whoami.get", None, BASE, KEY)
    again = _native.Call.of(p, OPTS)
    assert again.request is p and drive(again, [(502, [], b""), (200, [], b"{}")])[-1] == "done"


# ------------------------------------------------------------- pager flow


@pytest.mark.usefixtures("models")
def test_pager_flow_cursor() -> None:
    args = {"path": {"email": "a@x.com"}, "query": {"limit": 2}}
    flow = _native.PagerFlow("mail.messages.list", args)
    first = flow.next_request(BASE, KEY)
    assert first.url == f"{BASE}/api/v1/mail/mailboxes/a@x.com/messages?limit=2"
    page, nxt = pager_step(flow, 200, page_body(2, "c2", True))
    assert type(page) is CursorPage and len(page._d["items"]) == 2
    assert type(nxt) is _native.Prepared and nxt.url == f"{first.url}&cursor=c2"
    # The same cursor again: done.
    _, again = pager_step(flow, 200, page_body(2, "c2", True))
    assert again is None and flow.result() == 2
    # The last page: done.
    flow = _native.PagerFlow("mail.messages.list", args)
    flow.next_request(BASE, KEY)
    _, nxt = pager_step(flow, 200, page_body(2, "c2", True))
    _, last = pager_step(flow, 200, page_body(1, None, False))
    assert last is None and flow.result() == 2
    assert flow.next_request(BASE, KEY) is None  # done stays done


def test_pager_flow_offset_and_unpaged() -> None:
    def texts(n: int) -> bytes:
        item = {
            "id": UUID,
            "direction": "inbound",
            "local_phone_number": "+15550000000",
            "remote_phone_number": "+15551234567",
            "text": "hi",
            "type": "sms",
            "media": None,
            "is_read": False,
            "created_at": TS,
            "updated_at": TS,
        }
        return json.dumps([item] * n).encode()

    args = {"path": {"phone_number_id": UUID}, "query": {"limit": 2}}
    flow = _native.PagerFlow("texts.list", args)
    assert flow.next_request(BASE, KEY).url.endswith("?limit=2&offset=0")
    try:
        items, nxt = pager_step(flow, 200, texts(2))
    except InkboxDecodeError as e:  # pragma: no cover - shows what core expects
        raise AssertionError(str(e)) from None
    assert isinstance(items, list) and len(items) == 2
    assert nxt.url.endswith("?limit=2&offset=2")
    _, last = pager_step(flow, 200, texts(1))
    assert last is None and flow.result() == 2
    _, none = first_page("identities.list", None, b"[]")
    assert none is None
    flow = _native.PagerFlow("texts.list", args)
    flow.next_request(BASE, KEY)
    with pytest.raises(InkboxAPIError) as api:
        flow.feed(404, JSON, b'{"detail": "Not Found"}')
    assert api.value.status_code == 404
    with pytest.raises(InkboxError) as info:
        flow.next_request(BASE, KEY)
    assert info.value.code == "flow.finished"


def test_pager_flow_protocol() -> None:
    flow = _native.PagerFlow("texts.list", {"path": {"phone_number_id": UUID}})
    with pytest.raises(InkboxError) as info:
        flow.feed(200, JSON, b"[]")
    assert info.value.code == "flow.out_of_order"
    with pytest.raises(InkboxError) as info:
        flow.result()
    assert info.value.code == "flow.out_of_order"
    assert isinstance(flow, _native.Flow)
    req = flow.next_request(BASE, KEY)
    assert type(req) is _native.Prepared and req.url.endswith("?limit=50&offset=0")
    with pytest.raises(InkboxError) as info:
        flow.next_request(BASE, KEY)
    assert info.value.code == "flow.out_of_order"
    # Unknown operations and bad arguments fail at once.
    with pytest.raises(InkboxValidationError):
        _native.PagerFlow("nope.list")
    with pytest.raises(InkboxValidationError):
        _native.PagerFlow("texts.list", {})
    page, _ = first_page("identities.list", {}, b"[]")
    assert page == []
    assert repr(_page_of("identities.list")) == "Page(operation='identities.list', status=200)"


def _page_of(op: str) -> Any:
    flow = _native.PagerFlow(op)
    flow.next_request(BASE, KEY)
    flow.feed(200, JSON, b"[]")
    return flow.next_request(BASE, KEY)


# ------------------------------------------------------------------ flows


def _vault_json(obj: Any) -> bytes:
    return json.dumps(obj).encode()


def _detail(case: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": case["secret_id"],
        "name": f"secret {case['name']}",
        "description": None,
        "secret_type": case["secret_type"],
        "created_at": TS,
        "updated_at": TS,
        "encrypted_payload": case["encrypted_payload_b64"],
    }


def _step(flow: _native.Flow, method: str, path: str) -> _native.Prepared:
    req = flow.next_request(BASE, KEY)
    assert req is not None, f"expected {method} {path}"
    assert (req.method, req.url) == (method, BASE + path)
    assert dict(req.headers)["X-API-Key"] == KEY
    return req


def test_unlock_flow_against_the_shared_vectors(vault_vectors: dict[str, Any]) -> None:
    import threading

    v = vault_vectors
    cases = [p for p in v["payloads"] if p["secret_id"]]
    primary, recovery = v["primary_key"], v["recovery_key"]
    flow = _native.UnlockFlow(v["vault_key"])
    assert v["vault_key"] not in repr(flow)
    _step(flow, "GET", "/api/v1/vault/info")
    info = {"id": UUID, "organization_id": v["organization_id"], "created_at": TS, "updated_at": TS,
            "key_count": 1, "secret_count": len(cases), "recovery_key_count": 1}
    flow.feed(200, JSON, _vault_json(info))

    # The next step derives the master key (Argon2id) with the GIL released:
    # another Python thread keeps running meanwhile.
    ticks = 0
    stop = threading.Event()

    def spin() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1

    spinner = threading.Thread(target=spin)
    spinner.start()
    try:
        before = ticks
        _step(flow, "GET", f"/api/v1/vault/unlock?auth_hash={primary['auth_hash']}")
        during = ticks - before
    finally:
        stop.set()
        spinner.join()
    assert during > 1000, during

    bundle = {"wrapped_org_encryption_key": primary["wrapped_org_key_b64"], "wrapped_org_encryption_keys": None,
              "encrypted_secrets": [_detail(c) for c in cases]}
    flow.feed(200, JSON, _vault_json(bundle))
    _step(flow, "GET", "/api/v1/vault/keys")
    keys = [{"id": k["vault_key_id"], "key_type": k["key_type"], "created_by": "user_1", "created_at": TS,
             "updated_at": TS} for k in (recovery, primary)]
    flow.feed(200, JSON, _vault_json(keys))
    assert flow.next_request(BASE, KEY) is None
    vault = flow.result()
    assert isinstance(vault, _native.UnlockedVault)
    assert vault.organization_id == v["organization_id"] and vault.key_id == primary["vault_key_id"]
    assert vault.secret_ids() == [c["secret_id"] for c in cases]
    assert vault.undecryptable == []
    for secret, case in zip(vault.secrets, cases):
        assert secret.secret_type == case["secret_type"], case["name"]
        assert secret.payload.to_dict() == case["expected_parsed"], case["name"]
    login = vault.get_secret(cases[0]["secret_id"])
    assert login is not None
    assert isinstance(login.payload, _native.LoginPayload)
    assert login.payload.password == cases[0]["payload"]["password"]
    assert vault.get_secret("missing") is None
    # Nothing secret in the reprs.
    text = repr(vault) + repr(login) + repr(vault.secrets)
    assert cases[0]["payload"]["password"] not in text and v["org_key_hex"] not in text
    # Done is done.
    assert flow.next_request(BASE, KEY) is None


def test_flow_errors_are_typed(vault_vectors: dict[str, Any]) -> None:
    from inkbox.exceptions import InkboxFlowError

    flow = _native.UnlockFlow(vault_vectors["vault_key"])
    with pytest.raises(InkboxFlowError) as info:
        flow.result()
    assert info.value.code == "flow.out_of_order"
    with pytest.raises(InkboxFlowError) as info:
        flow.feed(200, JSON, b"{}")
    assert info.value.code == "flow.out_of_order"
    _step(flow, "GET", "/api/v1/vault/info")
    with pytest.raises(InkboxFlowError) as info:
        flow.feed(404, JSON, b'{"detail": "Not Found"}')
    assert info.value.code == "vault.not_initialized"
    with pytest.raises(InkboxValidationError):
        _native.UnlockFlow("")
    with pytest.raises(InkboxError) as weak:
        _native.InitializeFlow("short")
    assert weak.value.code == "vault.weak_vault_key"


@pytest.mark.usefixtures("no_models")
def test_secret_flows_with_a_restored_key(vault_vectors: dict[str, Any]) -> None:
    v = vault_vectors
    vault = _native.UnlockedVault.from_org_key(_native.OrgKey.from_bytes(bytes.fromhex(v["org_key_hex"])),
                                               v["organization_id"])
    case = next(p for p in v["payloads"] if p["name"] == "login_with_totp")
    # Get + decrypt.
    flow = _native.GetSecretFlow(vault, case["secret_id"])
    _step(flow, "GET", f"/api/v1/vault/secrets/{case['secret_id']}")
    flow.feed(200, JSON, _vault_json(_detail(case)))
    assert flow.next_request(BASE, KEY) is None
    secret = flow.result()
    assert secret.id == case["secret_id"] and secret.payload.to_dict() == case["expected_parsed"]
    code = secret.totp_code(now=59)
    assert code == _native.totp_code(secret.payload, 59) and len(code.code) in (6, 8)
    # A response about another secret is refused.
    other = _native.GetSecretFlow(vault, UUID)
    _step(other, "GET", f"/api/v1/vault/secrets/{UUID}")
    with pytest.raises(InkboxError) as info:
        other.feed(200, JSON, _vault_json(_detail(case)))
    assert info.value.code == "vault.secret_mismatch"

    # Create: the payload is encrypted locally, under a fresh client id.
    payload = _native.APIKeyPayload("sk-live-123", endpoint="https://api.example.com")
    create = _native.CreateSecretFlow(vault, "Stripe", payload, description="billing")
    req = _step(create, "POST", "/api/v1/vault/secrets")
    assert req.body is not None
    sent = json.loads(req.body)
    assert sent["name"] == "Stripe" and sent["secret_type"] == "api_key" and sent["description"] == "billing"
    assert "sk-live-123" not in req.body.decode()
    again = _native.decrypt_payload(vault_org_key(v), sent["encrypted_payload"], sent["id"], "api_key")
    assert again == payload
    created = {"id": sent["id"], "name": "Stripe", "description": "billing", "secret_type": "api_key",
               "created_at": TS, "updated_at": TS}
    create.feed(201, JSON, _vault_json(created))
    assert create.next_request(BASE, KEY) is None
    result = create.result()
    assert type(result) is dict and result["id"] == sent["id"]

    # Update without a new payload: one PATCH.
    update = _native.UpdateSecretFlow(vault, sent["id"], name="Stripe 2", clear_description=True)
    req = _step(update, "PATCH", f"/api/v1/vault/secrets/{sent['id']}")
    assert req.body is not None and json.loads(req.body) == {"name": "Stripe 2", "description": None}


def vault_org_key(v: dict[str, Any]) -> _native.OrgKey:
    return _native.OrgKey.from_bytes(bytes.fromhex(v["org_key_hex"]))


def test_whoami_without_auth_type_is_a_decode_error() -> None:
    """Issue 18, item 7: a 200 ``{}`` is no whoami, never
    ``WhoamiJwtResponse(auth_type='')``."""
    for body in (b"{}", b'{"organization_id": "org_1"}', b'{"auth_type": ""}', b'{"auth_type": null}'):
        with pytest.raises(InkboxDecodeError) as info:
            _native.parse("whoami.get", 200, JSON, body)
        assert info.value.code == "api.decode"
