"""Models of inkbox.agent_signup.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum


class ClaimStatus(StrEnum):
    """Wire enum ``ClaimStatus``."""

    AGENT_UNCLAIMED = "agent_unclaimed"
    AGENT_CLAIMED = "agent_claimed"
    AGENT_REJECTED = "agent_rejected"


class HumanState(StrEnum):
    """Wire enum ``HumanState``."""

    HUMAN_NO_ACCOUNT = "human_no_account"
    HUMAN_ACCOUNT_UNVERIFIED = "human_account_unverified"
    HUMAN_ACCOUNT_VERIFIED = "human_account_verified"


class AgentSignupResponse(Model):
    """Rust ``AgentSignupResponse``."""

    _redacted = frozenset({"api_key"})

    email_address: str
    organization_id: str
    api_key: str
    agent_handle: str
    claim_status: ClaimStatus
    human_email: str
    message: str


class AgentSignupVerifyResponse(Model):
    """Rust ``AgentClaimResponse``."""

    claim_status: ClaimStatus
    organization_id: str
    message: str


class SignupRestrictions(Model):
    """Rust ``SignupRestrictions``."""

    max_sends_per_day: int
    allowed_recipients: list[str]
    can_receive: bool
    can_create_mailboxes: bool


class AgentSignupStatusResponse(Model):
    """Rust ``AgentSignupStatusResponse``."""

    claim_status: ClaimStatus
    human_state: HumanState
    human_email: str
    restrictions: SignupRestrictions


register_enum("ClaimStatus", ClaimStatus)
register_enum("HumanState", HumanState)


#: ``resend_signup_verification`` returns the same shape as ``verify_signup``.
AgentSignupResendResponse = AgentSignupVerifyResponse

__all__ = ["AgentSignupResendResponse", "AgentSignupResponse", "AgentSignupStatusResponse", "AgentSignupVerifyResponse", "ClaimStatus", "HumanState", "SignupRestrictions"]
