"""Seed 001 "Agent Signup": the class methods of the official SDK (no client
instance), the verification code read from the emulator's outbox."""

from __future__ import annotations

import re
import uuid

import pytest

from inkbox import (
    AgentSignupResponse,
    AgentSignupStatusResponse,
    AgentSignupVerifyResponse,
    Inkbox,
    InkboxAPIError,
)

pytestmark = pytest.mark.needs("signup")


def code_for(emulator, human_email):
    """The latest 6-digit code mailed to ``human_email`` (emulator outbox)."""
    mails = [
        m for m in emulator.outbox()
        if human_email in (m.get("to") or []) + (m.get("outside_recipients") or [])
    ]
    assert mails, f"no verification mail to {human_email} in the outbox"
    text = (mails[-1].get("body_text") or "") + " " + (mails[-1].get("subject") or "")
    codes = re.findall(r"\b(\d{6})\b", text)
    assert codes, f"no 6-digit code in {text!r}"
    return codes[-1]


def test_signup_verify_status(emulator):
    url = emulator.url
    human = f"john-{uuid.uuid4().hex[:6]}@example.com"
    name = f"sales-agent-{uuid.uuid4().hex[:6]}"

    # Sign up (public — no API key needed)
    result = Inkbox.signup(
        human_email=human,
        note_to_human="Hey John, this is your sales bot signing up!",  # required
        display_name="Sales Agent",  # optional
        agent_handle=name,  # optional
        base_url=url,
    )
    assert isinstance(result, AgentSignupResponse)
    api_key = result.api_key  # save — shown only once
    email = result.email_address
    handle = result.agent_handle
    assert api_key
    assert handle.startswith(name)
    assert email == f"{handle}@inkboxmail.com"
    assert result.claim_status == "agent_unclaimed"
    assert result.human_email == human
    assert result.organization_id

    status = Inkbox.get_signup_status(api_key, base_url=url)
    assert isinstance(status, AgentSignupStatusResponse)
    assert status.claim_status == "agent_unclaimed"
    assert status.restrictions.max_sends_per_day == 10
    assert status.restrictions.allowed_recipients == [human]

    code = code_for(emulator, human)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.verify_signup(api_key, verification_code=wrong, base_url=url)
    assert err.value.status_code == 401
    assert isinstance(err.value.detail, str)  # the signup helpers coerce detail to str

    verified = Inkbox.verify_signup(api_key, verification_code=code, base_url=url)
    assert isinstance(verified, AgentSignupVerifyResponse)
    assert verified.claim_status == "agent_claimed"
    assert verified.organization_id

    status = Inkbox.get_signup_status(api_key, base_url=url)
    assert status.claim_status == "agent_claimed"
    assert status.restrictions.max_sends_per_day == 500

    # The signed-up agent's key works with a normal client.
    with Inkbox(api_key=api_key, base_url=url) as agent:
        me = agent.whoami()
        assert me.auth_type == "api_key"
        assert me.organization_id == verified.organization_id


def test_resend_cooldown_and_unclaimed_send_limits(emulator):
    url = emulator.url
    human = f"jane-{uuid.uuid4().hex[:6]}@example.com"
    result = Inkbox.signup(human, note_to_human="hello", base_url=url)
    first = code_for(emulator, human)

    # Resend verification email (5-minute cooldown)
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.resend_signup_verification(result.api_key, base_url=url)
    assert err.value.status_code == 429
    emulator.advance_clock(301)
    resent = Inkbox.resend_signup_verification(result.api_key, base_url=url)
    assert resent.claim_status == "agent_unclaimed"
    second = code_for(emulator, human)
    if first != second:
        with pytest.raises(InkboxAPIError) as err:
            Inkbox.verify_signup(result.api_key, verification_code=first, base_url=url)
        assert err.value.status_code == 401

    # Unclaimed agents can only email the human.
    with Inkbox(api_key=result.api_key, base_url=url) as agent:
        me = agent.get_identity(result.agent_handle)
        me.send_email(to=[human], subject="hi", body_text="it's me")
        with pytest.raises(InkboxAPIError) as err:
            me.send_email(to=["stranger@example.com"], subject="hi", body_text="spam")
        assert err.value.status_code == 403


def test_signup_readme_call_with_dotted_local_part(emulator):
    # The README passes email_local_part="sales.agent" next to agent_handle="sales-agent".
    # On the platform domain the local part must equal the handle (spec signup.md), so
    # that exact call is refused; without email_local_part it succeeds.
    name = f"sales-agent-{uuid.uuid4().hex[:6]}"
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.signup(
            human_email="john@example.com",
            note_to_human="Hey John, this is your sales bot signing up!",
            display_name="Sales Agent",
            agent_handle=name,
            email_local_part="sales.agent",
            base_url=emulator.url,
        )
    assert err.value.status_code == 422
    ok = Inkbox.signup(
        human_email="john@example.com",
        note_to_human="Hey John, this is your sales bot signing up!",
        agent_handle=name,
        email_local_part=name,
        base_url=emulator.url,
    )
    assert ok.email_address == f"{ok.agent_handle}@inkboxmail.com"


def test_signup_validation(emulator):
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.signup("not-an-email", note_to_human="x", base_url=emulator.url)
    assert err.value.status_code == 422
    with pytest.raises(InkboxAPIError) as err:
        Inkbox.get_signup_status("ApiKey_bogus", base_url=emulator.url)
    assert err.value.status_code == 401
