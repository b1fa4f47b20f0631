"""webhook.json through verify_webhook / verify_webhook_reason / sign_webhook,
in strict and in compat mode (same expectations as core/tests/webhook_vectors.rs)."""

from __future__ import annotations

import base64
from typing import Any, Optional

import pytest

import inkbox
from inkbox import InkboxWebhookError, sign_webhook, verify_webhook, verify_webhook_reason

# Cases where strict mode decides differently from the reference on purpose:
# the code strict mode gives (None = strict accepts).
STRICT_DIFFERENCES: dict[str, Optional[str]] = {
    "valid_missing_request_id_signed_empty": "webhook.missing_request_id",
    "valid_missing_timestamp_signed_empty": "webhook.missing_timestamp",
    "valid_missing_both_ids_signed_empty": "webhook.missing_request_id",
    "valid_empty_request_id_value": "webhook.missing_request_id",
    "valid_non_numeric_timestamp": "webhook.malformed_timestamp",
    # "sha256=<valid> sha256=<other>": a list of entries in strict mode.
    "signature_list_space_separated": None,
}
# An empty HMAC key is a configuration error in every mode (it raises).
EMPTY_SECRET_CASES = {"valid_empty_secret"}


def _case(c: dict[str, Any]) -> tuple[bytes, list[tuple[str, str]]]:
    body = base64.b64decode(c["body_b64"])
    assert len(body) == c["body_len"], c["name"]
    return body, [(n, v) for n, v in c["headers"]]


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((v for n, v in headers if n.lower() == name), "")


def test_case_count(webhook_vectors: dict[str, Any]) -> None:
    names = {c["name"] for c in webhook_vectors["cases"]}
    assert len(names) == len(webhook_vectors["cases"]) > 0
    assert set(STRICT_DIFFERENCES) <= names
    assert EMPTY_SECRET_CASES <= names


@pytest.mark.parametrize("as_dict", [False, True])
def test_strict_mode(webhook_vectors: dict[str, Any], as_dict: bool) -> None:
    for c in webhook_vectors["cases"]:
        body, headers = _case(c)
        hdrs: Any = dict(headers) if as_dict else headers
        kwargs: dict[str, Any] = dict(payload=body, headers=hdrs, secret=c["secret"], tolerance=None)
        if c["name"] in EMPTY_SECRET_CASES:
            with pytest.raises(InkboxWebhookError) as info:
                verify_webhook(**kwargs)
            assert info.value.code == "webhook.empty_secret"
            continue
        reason = verify_webhook_reason(**kwargs)
        assert verify_webhook(**kwargs) is (reason is None), c["name"]
        if c["name"] in STRICT_DIFFERENCES:
            assert reason == STRICT_DIFFERENCES[c["name"]], c["name"]
        else:
            assert (reason is None) is c["expected"], f"{c['name']}: {reason}"
        if reason is not None:
            assert reason.startswith("webhook."), reason


def test_compat_mode(webhook_vectors: dict[str, Any]) -> None:
    for c in webhook_vectors["cases"]:
        body, headers = _case(c)
        kwargs: dict[str, Any] = dict(payload=body, headers=headers, secret=c["secret"], tolerance=None, compat=True)
        if c["name"] in EMPTY_SECRET_CASES:
            with pytest.raises(InkboxWebhookError):
                verify_webhook(**kwargs)
            continue
        assert verify_webhook(**kwargs) is c["expected"], c["name"]


def test_quirk_cases_return_false(webhook_vectors: dict[str, Any]) -> None:
    # The reference raises TypeError on these (non-ASCII signature); a port answers False.
    assert webhook_vectors["quirk_cases"]
    for c in webhook_vectors["quirk_cases"]:
        body, headers = _case(c)
        for compat in (False, True):
            assert not verify_webhook(payload=body, headers=headers, secret=c["secret"], tolerance=None, compat=compat)
            reason = verify_webhook_reason(payload=body, headers=headers, secret=c["secret"], tolerance=None, compat=compat)
            assert reason is not None


def test_freshness_edges_at_vector_time(webhook_vectors: dict[str, Any]) -> None:
    checked = 0
    for c in webhook_vectors["cases"]:
        if c["expected"] is not True or c["name"] in STRICT_DIFFERENCES or c["name"] in EMPTY_SECRET_CASES:
            continue
        body, headers = _case(c)
        ts = int(_header(headers, "x-inkbox-timestamp"))
        for now in (ts - 300, ts, ts + 300):
            assert verify_webhook(payload=body, headers=headers, secret=c["secret"], now=now), c["name"]
        for now in (ts - 301, ts + 301):
            reason = verify_webhook_reason(payload=body, headers=headers, secret=c["secret"], now=now)
            assert reason == "webhook.timestamp_out_of_tolerance", c["name"]
        checked += 1
    assert checked > 0


def test_sign_reproduces_valid_signatures(webhook_vectors: dict[str, Any]) -> None:
    for c in webhook_vectors["cases"]:
        if c["expected"] is not True or c["name"] in EMPTY_SECRET_CASES:
            continue
        body, headers = _case(c)
        signed = sign_webhook(
            payload=body,
            secret=c["secret"],
            request_id=_header(headers, "x-inkbox-request-id"),
            timestamp=_header(headers, "x-inkbox-timestamp"),
        )
        assert signed["X-Inkbox-Signature"] == _header(headers, "x-inkbox-signature"), c["name"]


def test_official_call_shape_is_exported() -> None:
    assert inkbox.verify_webhook is verify_webhook
    from inkbox.signing_keys import verify_webhook as from_module

    assert from_module is verify_webhook
