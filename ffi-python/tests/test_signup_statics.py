"""The clients' class methods (agent self-signup), generated from
``[[client.static]]`` in ``surface/agent_signup.toml``: every one reaches
the emulator with the right key and body, blocking and async."""

from __future__ import annotations

import asyncio
import inspect
import uuid
from typing import Any

import pytest

from inkbox import AsyncInkbox, Inkbox, InkboxAPIError
from inkbox.exceptions import InkboxValidationError
from inkbox.agent_signup.types import AgentSignupResponse


def _code(emulator: Any, handle: str) -> str:
    agents = emulator.control("GET", "/_emulator/signup")["agents"]
    (agent,) = [a for a in agents if a["agent_handle"] == handle]
    return str(agent["verification_code"])


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_signup_verify_resend_status_blocking(emulator: Any) -> None:
    handle = f"sig-{uuid.uuid4().hex[:8]}"
    result = Inkbox.signup(
        "owner@example.com", note_to_human="hello", agent_handle=handle, base_url=emulator.url, timeout=10
    )
    assert isinstance(result, AgentSignupResponse)
    assert result.agent_handle == handle and result.api_key.startswith("ApiKey_")
    key = result.api_key
    status = Inkbox.get_signup_status(key, base_url=emulator.url)
    assert status.claim_status == "agent_unclaimed"
    assert status.restrictions.allowed_recipients == ["owner@example.com"]
    code = _code(emulator, handle)
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.verify_signup(key, _wrong(code), base_url=emulator.url)
    assert err.value.status_code == 401
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.resend_signup_verification(key, base_url=emulator.url)  # within 5 minutes of the first email
    assert err.value.status_code == 429
    assert Inkbox.verify_signup(key, verification_code=code, base_url=emulator.url).claim_status == "agent_claimed"
    assert Inkbox.get_signup_status(key, base_url=emulator.url).claim_status == "agent_claimed"
    assert Inkbox.resend_signup_verification(key, base_url=emulator.url).claim_status == "agent_claimed"


def test_signup_omits_unset_fields_and_refuses_a_bad_body(emulator: Any) -> None:
    with pytest.raises(InkboxValidationError) as invalid:  # core checks it before sending
        Inkbox.signup("not-an-email", note_to_human="hi", base_url=emulator.url)
    assert invalid.value.field == "human_email"
    result = Inkbox.signup("owner@example.com", note_to_human="no handle", base_url=emulator.url)
    assert result.agent_handle  # the emulator chose one: nothing was sent as null


def test_signup_async(emulator: Any) -> None:
    handle = f"asig-{uuid.uuid4().hex[:8]}"
    assert inspect.iscoroutinefunction(AsyncInkbox.signup)

    async def flow() -> None:
        result = await AsyncInkbox.signup(
            "owner@example.com", note_to_human="hello", agent_handle=handle, base_url=emulator.url
        )
        assert isinstance(result, AgentSignupResponse) and result.agent_handle == handle
        key = result.api_key
        assert (await AsyncInkbox.get_signup_status(key, base_url=emulator.url)).claim_status == "agent_unclaimed"
        with pytest.raises(InkboxAPIError) as err:
            await AsyncInkbox.verify_signup(key, _wrong(_code(emulator, handle)), base_url=emulator.url)
        assert err.value.status_code == 401
        claimed = await AsyncInkbox.verify_signup(key, _code(emulator, handle), base_url=emulator.url)
        assert claimed.claim_status == "agent_claimed"
        resent = await AsyncInkbox.resend_signup_verification(key, base_url=emulator.url)
        assert resent.claim_status == "agent_claimed"

    asyncio.run(flow())
