"""Issue 18, item 7: an integer argument out of range is one typed error,
``InkboxValidationError`` (a ``ValueError``, code ``api.validation``) whose
``field`` names the argument, however large the value; pyo3's conversion
raised a bare ``OverflowError`` naming nothing."""

from __future__ import annotations

import uuid
from typing import Any, Callable

import pytest

from inkbox import Inkbox, _native
from inkbox.exceptions import InkboxValidationError

TOTP_SECRET = "JBSWY3DPEHPK3PXP"
BASE = "http://127.0.0.1:9"
HUGE = (2**64, 2**70, 2**200)


def config() -> _native.TOTPConfig:
    return _native.TOTPConfig(TOTP_SECRET)


def call() -> _native.Call:
    return _native.Call("whoami.get", None, BASE, "ApiKey_1", _native.CallOptions())


def calls_list(limit: int) -> Any:
    args = {"path": {"phone_number_id": str(uuid.uuid4())}, "query": {"limit": limit}}
    return _native.prepare("phone.calls.list", args, BASE, "ApiKey_1")


# (argument, call with value v)
CASES: list[tuple[str, Callable[[int], Any]]] = [
    ("window", lambda v: _native.verify_totp(config(), "123456", now=59, window=v)),
    ("window", lambda v: config().verify("123456", now=59, window=v)),
    ("digits", lambda v: _native.TOTPConfig(TOTP_SECRET, digits=v)),
    ("period", lambda v: _native.TOTPConfig(TOTP_SECRET, period=v)),
    ("digits", lambda v: setattr(config(), "digits", v)),
    ("period", lambda v: setattr(config(), "period", v)),
    ("status", lambda v: _native.parse("whoami.get", v, [], b"{}")),
    ("status", lambda v: _native.PagerFlow("identities.list").feed(v, [], b"[]")),
    ("status", lambda v: call().feed(v, [], b"{}", 0.0)),
    ("status", lambda v: _native.UnlockFlow("Correct-Horse-Battery-9!").feed(v, [], b"{}")),
    ("tolerance", lambda v: _native.verify_webhook(payload=b"{}", headers={}, secret="whsec_x", tolerance=v)),
    ("tolerance", lambda v: _native.verify_webhook_reason(payload=b"{}", headers={}, secret="whsec_x", tolerance=v)),
    ("max_attempts", lambda v: _native.CallOptions(max_attempts=v)),
    ("base_delay_ms", lambda v: _native.CallOptions(base_delay_ms=v)),
    ("max_delay_ms", lambda v: _native.CallOptions(max_delay_ms=v)),
    ("max_retry_after_ms", lambda v: _native.CallOptions(max_retry_after_ms=v)),
    ("pool_size", lambda v: _native.tunnel_validate_pool_size(v)),
    ("query.limit", calls_list),
]


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
@pytest.mark.parametrize("value", [-1, *HUGE])
def test_out_of_range_integer_names_the_argument(name: str, fn: Callable[[int], Any], value: int) -> None:
    if name == "pool_size" and value == -1:
        pytest.skip("-1 fits the argument; core's own pool-size check answers it")
    with pytest.raises(Exception) as info:
        fn(value)
    exc = info.value
    assert not isinstance(exc, OverflowError), repr(exc)
    assert isinstance(exc, InkboxValidationError), repr(exc)
    assert (exc.field, exc.code) == (name, "api.validation")
    assert name in str(exc)


def test_limit_too_large_is_the_same_error_as_limit_negative() -> None:
    """Through the client: ``limit=2**70`` and ``limit=-1`` fail alike,
    before anything is sent."""

    def transport(req: Any) -> Any:
        raise AssertionError("nothing may be sent")

    with Inkbox(api_key="ApiKey_1", base_url=BASE, transport=transport) as client:
        errors = []
        for limit in (-1, 2**70):
            with pytest.raises(InkboxValidationError) as info:
                client.calls.list(uuid.uuid4(), limit=limit)
            errors.append((type(info.value), info.value.field))
    assert errors[0] == errors[1] == (InkboxValidationError, "query.limit")


def test_wrong_types_are_still_type_errors() -> None:
    with pytest.raises(TypeError):
        _native.verify_totp(config(), "123456", now=59, window=1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _native.parse("whoami.get", "200", [], b"{}")  # type: ignore[arg-type]


def test_in_range_values_still_work() -> None:
    assert _native.verify_totp(config(), "123456", now=59, window=0) in (True, False)
    assert _native.TOTPConfig(TOTP_SECRET, digits=8, period=60).digits == 8
    assert _native.CallOptions(max_attempts=2).max_attempts == 2
    assert _native.tunnel_validate_pool_size(4) == 4
