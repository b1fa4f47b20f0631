"""verify_webhook's Python surface: argument types, header containers, modes,
several secrets, bad input as typed results, never a crash."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from inkbox import InkboxError, InkboxWebhookError, sign_webhook, verify_webhook, verify_webhook_reason

SECRET = "whsec_O21oFjdhy94iHwv"
BODY = b'{"event_type":"message.received","data":{}}'
NOW = 1_771_521_013


def signed(body: bytes = BODY, secret: str = SECRET, ts: int = NOW) -> dict[str, str]:
    return sign_webhook(payload=body, secret=secret, request_id="req-1", timestamp=ts)


class Headers(Mapping[str, str]):
    """A read-only mapping that is not a dict (like Starlette's Headers)."""

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


def test_valid_with_every_header_container() -> None:
    h = signed()
    lower = {k.lower(): v for k, v in h.items()}
    upper = {k.upper(): v for k, v in h.items()}
    for headers in (h, lower, upper, Headers(h), list(h.items()), tuple(h.items())):
        assert verify_webhook(payload=BODY, headers=headers, secret=SECRET, now=NOW) is True
    as_bytes = {k.encode(): v.encode() for k, v in h.items()}
    assert verify_webhook(payload=BODY, headers=as_bytes, secret=SECRET, now=NOW)


def test_payload_types() -> None:
    h = signed()
    assert verify_webhook(payload=BODY.decode(), headers=h, secret=SECRET, now=NOW)
    assert verify_webhook(payload=bytearray(BODY), headers=h, secret=SECRET, now=NOW)
    assert verify_webhook(payload=memoryview(BODY), headers=h, secret=SECRET, now=NOW)
    with pytest.raises(TypeError):
        verify_webhook(payload=123, headers=h, secret=SECRET, now=NOW)  # type: ignore[arg-type]


def test_tampered_body_and_wrong_secret() -> None:
    h = signed()
    assert verify_webhook_reason(payload=BODY + b" ", headers=h, secret=SECRET, now=NOW) == "webhook.signature_mismatch"
    assert not verify_webhook(payload=BODY, headers=h, secret="whsec_other", now=NOW)


def test_prefixed_and_unprefixed_secret() -> None:
    h = signed()
    assert verify_webhook(payload=BODY, headers=h, secret=SECRET.removeprefix("whsec_"), now=NOW)
    assert verify_webhook(payload=BODY, headers=h, secret=SECRET.encode(), now=NOW)


def test_several_secrets() -> None:
    h = signed()
    assert verify_webhook(payload=BODY, headers=h, secret=["whsec_old", SECRET], now=NOW)
    assert verify_webhook(payload=BODY, headers=h, secret=("whsec_old", SECRET.encode()), now=NOW)
    assert not verify_webhook(payload=BODY, headers=h, secret=["whsec_old", "whsec_older"], now=NOW)


def test_configuration_errors_raise() -> None:
    h = signed()
    for bad in ("", "whsec_", [], ["whsec_ok", ""]):
        with pytest.raises(InkboxWebhookError) as info:
            verify_webhook(payload=BODY, headers=h, secret=bad, now=NOW)
        assert info.value.code == "webhook.empty_secret"
        assert isinstance(info.value, InkboxError)
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=h, secret=42, now=NOW)  # type: ignore[arg-type]


def test_freshness_and_clock() -> None:
    h = signed(ts=int(time.time()))
    assert verify_webhook(payload=BODY, headers=h, secret=SECRET)  # host clock
    old = signed()
    assert verify_webhook_reason(payload=BODY, headers=old, secret=SECRET) == "webhook.timestamp_out_of_tolerance"
    assert verify_webhook(payload=BODY, headers=old, secret=SECRET, tolerance=None)
    assert verify_webhook(payload=BODY, headers=old, secret=SECRET, now=NOW + 59.9, tolerance=59)
    assert not verify_webhook(payload=BODY, headers=old, secret=SECRET, now=NOW + 60, tolerance=59)
    with pytest.raises(ValueError):
        verify_webhook(payload=BODY, headers=old, secret=SECRET, now=-1)
    with pytest.raises(ValueError):
        verify_webhook(payload=BODY, headers=old, secret=SECRET, now=float("nan"))
    with pytest.raises((OverflowError, ValueError)):
        verify_webhook(payload=BODY, headers=old, secret=SECRET, tolerance=-5)


def test_missing_headers_strict_and_compat() -> None:
    h = signed()
    for drop, code in [
        ("X-Inkbox-Signature", "webhook.missing_signature"),
        ("X-Inkbox-Request-ID", "webhook.missing_request_id"),
        ("X-Inkbox-Timestamp", "webhook.missing_timestamp"),
    ]:
        partial = {k: v for k, v in h.items() if k != drop}
        assert verify_webhook_reason(payload=BODY, headers=partial, secret=SECRET, now=NOW) == code


def test_compat_mode_binds_empty_ids() -> None:
    body = b"{}"
    h = sign_webhook(payload=body, secret=SECRET, request_id="", timestamp="")
    only_sig = {"X-Inkbox-Signature": h["X-Inkbox-Signature"]}
    assert verify_webhook(payload=body, headers=only_sig, secret=SECRET, compat=True, tolerance=None)
    assert not verify_webhook(payload=body, headers=only_sig, secret=SECRET, tolerance=None)


def test_bad_headers_are_answered_not_crashing() -> None:
    h = signed()
    sig = h["X-Inkbox-Signature"]
    repeated = list(h.items()) + [("x-inkbox-signature", sig)]
    assert verify_webhook_reason(payload=BODY, headers=repeated, secret=SECRET, now=NOW) == "webhook.invalid_header"
    non_ascii = dict(h, **{"X-Inkbox-Request-ID": "réq-1"})
    assert verify_webhook_reason(payload=BODY, headers=non_ascii, secret=SECRET, now=NOW) == "webhook.invalid_header"
    surrogate = dict(h, **{"X-Inkbox-Request-ID": "\udcff"})
    assert verify_webhook_reason(payload=BODY, headers=surrogate, secret=SECRET, now=NOW) == "webhook.invalid_header"
    huge = dict(h, **{"X-Inkbox-Request-ID": "r" * 100_000})
    assert verify_webhook_reason(payload=BODY, headers=huge, secret=SECRET, now=NOW) == "webhook.invalid_header"
    control = dict(h, **{"X-Inkbox-Timestamp": f"{NOW}\n"})
    assert verify_webhook_reason(payload=BODY, headers=control, secret=SECRET, now=NOW) == "webhook.invalid_header"
    upper_hex = dict(h, **{"X-Inkbox-Signature": sig.upper()})
    assert verify_webhook_reason(payload=BODY, headers=upper_hex, secret=SECRET, now=NOW) == "webhook.malformed_signature"
    # Unrelated headers may hold anything, including huge or non-ASCII values.
    noisy = dict(h, **{"X-Other": "é" * 100_000, "\udcff": "\udcff"})
    assert verify_webhook(payload=BODY, headers=noisy, secret=SECRET, now=NOW)


class _Str(str):
    pass


class _Bytes(bytes):
    pass


def test_header_name_and_value_kinds() -> None:
    h = signed()
    # str/bytes subclasses and buffers are read like the plain types.
    sub = [(_Str(k), _Str(v)) for k, v in h.items()]
    assert verify_webhook(payload=BODY, headers=sub, secret=SECRET, now=NOW)
    buffers = [(_Bytes(k.encode()), bytearray(v.encode())) for k, v in h.items()]
    assert verify_webhook(payload=BODY, headers=buffers, secret=SECRET, now=NOW)
    # Many headers that look like Inkbox headers (same lengths, same first
    # letter) but are not: ignored, however many there are.
    lookalikes = [(f"x-inkbox-other-{i:03d}", "\udcff") for i in range(12)] + [
        (f"X-Inkbox-Unrelate-{i}", "x" * 200) for i in range(5)
    ]
    assert verify_webhook(payload=BODY, headers=lookalikes + list(h.items()), secret=SECRET, now=NOW)
    assert verify_webhook(payload=BODY, headers=list(h.items()) + lookalikes, secret=SECRET, now=NOW)
    # A repeat is found wherever it comes, past the first few candidates too.
    repeat = list(h.items()) + lookalikes + [("X-INKBOX-TIMESTAMP", str(NOW))]
    assert verify_webhook_reason(payload=BODY, headers=repeat, secret=SECRET, now=NOW) == "webhook.invalid_header"
    # Skipped headers are still type-checked.
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=list(h.items()) + [("content-length", 3)], secret=SECRET, now=NOW)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=list(h.items()) + [(3, "x")], secret=SECRET, now=NOW)  # type: ignore[list-item]


def test_bad_header_types_are_type_errors() -> None:
    h: dict[Any, Any] = dict(signed())
    h["X-Count"] = 3
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=h, secret=SECRET, now=NOW)
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=[("only-one",)], secret=SECRET, now=NOW)  # type: ignore[list-item]
    with pytest.raises(TypeError):
        verify_webhook(payload=BODY, headers=42, secret=SECRET, now=NOW)  # type: ignore[arg-type]


def test_large_body() -> None:
    body = bytes(range(256)) * 256  # 64 KiB
    h = signed(body=body)
    assert verify_webhook(payload=body, headers=h, secret=SECRET, now=NOW)
    assert not verify_webhook(payload=body[:-1] + b"\x00", headers=h, secret=SECRET, now=NOW)


def test_errors_never_show_the_secret() -> None:
    with pytest.raises(InkboxWebhookError) as info:
        verify_webhook(payload=BODY, headers=signed(), secret=["whsec_topsecretvalue", ""], now=NOW)
    assert "topsecretvalue" not in str(info.value) and "topsecretvalue" not in repr(info.value)


def test_sign_webhook_errors() -> None:
    with pytest.raises(InkboxWebhookError) as info:
        sign_webhook(payload=BODY, secret="whsec_", request_id="r", timestamp=1)
    assert info.value.code == "webhook.empty_secret"
    with pytest.raises(InkboxWebhookError) as info:
        sign_webhook(payload=BODY, secret=SECRET, request_id="", timestamp=1)
    assert info.value.code == "webhook.missing_request_id"
    with pytest.raises(ValueError):
        sign_webhook(payload=BODY, secret=SECRET, request_id="r", timestamp=-1)


# ---- issue 18, item 7: dict subclasses are read through items() -------------


class _MultiDict(dict):  # type: ignore[type-arg]
    """A multi-dict built on ``dict`` (as Werkzeug's and aiohttp-style
    ones are): the raw storage holds lists, ``items()`` yields one pair per
    value."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        super().__init__()
        for k, v in pairs:
            dict.setdefault(self, k, []).append(v)

    def items(self) -> Any:
        return [(k, v) for k, vs in dict.items(self) for v in vs]


class _Hiding(dict):  # type: ignore[type-arg]
    """A dict subclass whose mapping view leaves the signature out."""

    def items(self) -> Any:
        return [(k, v) for k, v in dict.items(self) if k.lower() != "x-inkbox-signature"]


def test_dict_subclass_headers_follow_the_mapping_protocol() -> None:
    h = signed()
    # The raw storage holds lists: read directly it was a TypeError.
    multi = _MultiDict(list(h.items()))
    assert verify_webhook(payload=BODY, headers=multi, secret=SECRET, now=NOW)
    assert verify_webhook_reason(payload=BODY, headers=multi, secret=SECRET, now=NOW) is None
    # A second signature value comes through items() as a repeated header.
    twice = _MultiDict(list(h.items()) + [("X-Inkbox-Signature", h["X-Inkbox-Signature"])])
    assert verify_webhook_reason(payload=BODY, headers=twice, secret=SECRET, now=NOW) == verify_webhook_reason(
        payload=BODY, headers=list(twice.items()), secret=SECRET, now=NOW
    )
    # items() hides the signature: it is not there, whatever the storage holds.
    hiding = _Hiding(h)
    assert not verify_webhook(payload=BODY, headers=hiding, secret=SECRET, now=NOW)
    assert verify_webhook_reason(payload=BODY, headers=hiding, secret=SECRET, now=NOW) == verify_webhook_reason(
        payload=BODY, headers={k: v for k, v in h.items() if k != "X-Inkbox-Signature"}, secret=SECRET, now=NOW
    )
    # A plain dict is unchanged.
    assert verify_webhook(payload=BODY, headers=dict(h), secret=SECRET, now=NOW)
