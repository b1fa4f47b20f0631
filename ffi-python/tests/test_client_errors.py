"""Error mapping and retries against the emulator's real responses."""

from __future__ import annotations

import time

import pytest

from inkbox import Inkbox, InkboxAPIError
from inkbox.exceptions import InkboxTransportError

from conftest import EmulatorProcess


def test_not_found_is_typed(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        with pytest.raises(InkboxAPIError) as err:
            client.mailboxes.get("nobody@example.com")
    assert err.value.status_code == 404
    assert err.value.code


def test_bad_key_is_401(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key="ApiKey_wrong", base_url=emulator.url) as client:
        with pytest.raises(InkboxAPIError) as err:
            client.whoami()
    assert err.value.status_code == 401


def test_validation_raises_value_error(emulator: EmulatorProcess) -> None:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        with pytest.raises(ValueError):
            client.messages.send("a@example.com", to=[], subject="x", body_text="y")


def test_get_retried_through_503(emulator: EmulatorProcess) -> None:
    emulator.fault(count=2, status=503, retry_after=0, path_prefix="/api/whoami")
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        start = time.monotonic()
        assert client.whoami().organization_id == emulator.org_id
    assert time.monotonic() - start < 20


def test_retries_give_up(emulator: EmulatorProcess) -> None:
    emulator.fault(count=5, status=503, retry_after=0, path_prefix="/api/whoami")
    try:
        with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, max_attempts=2) as client:
            with pytest.raises(InkboxAPIError) as err:
                client.whoami()
        assert err.value.status_code == 503
    finally:
        emulator.control("DELETE", "/_emulator/faults")


def test_keyed_post_retried_once(emulator: EmulatorProcess) -> None:
    emulator.fault(count=1, status=503, retry_after=0, path_prefix="/api/v1/signing-keys")
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
        assert client.create_signing_key().signing_key


def test_connection_refused_is_transport_error() -> None:
    with Inkbox(api_key="ApiKey_x", base_url="http://127.0.0.1:9", max_attempts=1) as client:
        with pytest.raises(InkboxTransportError):
            client.whoami()
