"""Models of inkbox.identities.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum
from inkbox.mail.types import FilterMode, FilterModeChangeNotice
from inkbox.phone.types import IncomingCallAction, PhoneNumber
from inkbox.tunnels.types import TLSMode, Tunnel


class IdentityStatus(StrEnum):
    """Wire enum ``IdentityStatus``."""

    ACTIVE = "active"
    PAUSED = "paused"
    DELETED = "deleted"


class AgentIdentitySummary(Model):
    """Rust ``AgentIdentitySummary``."""

    id: str
    organization_id: str
    agent_handle: str
    display_name: Optional[str]
    description: Optional[str]
    email_address: Optional[str]
    imessage_enabled: bool
    imessage_filter_mode: FilterMode
    created_at: datetime
    updated_at: datetime
    status: Optional[IdentityStatus]


class IdentityMailbox(Model):
    """Rust ``IdentityMailbox``."""

    id: str
    email_address: str
    sending_domain: str
    filter_mode: FilterMode
    agent_identity_id: Optional[str]
    filter_mode_change_notice: Optional[FilterModeChangeNotice]
    created_at: datetime
    updated_at: datetime


class AgentIdentityData(Model):
    """Rust ``AgentIdentity``."""

    id: str
    organization_id: str
    agent_handle: str
    display_name: Optional[str]
    description: Optional[str]
    email_address: Optional[str]
    imessage_enabled: bool
    imessage_filter_mode: FilterMode
    created_at: datetime
    updated_at: datetime
    status: Optional[IdentityStatus]
    mailbox: Optional[IdentityMailbox]
    phone_number: Optional[PhoneNumber]
    tunnel: Optional[Tunnel]


class IdentityAccess(Model):
    """Rust ``IdentityAccess``."""

    id: str
    target_identity_id: str
    viewer_identity_id: Optional[str]
    created_at: datetime


class IdentityMailboxCreateOptions(Model):
    """Rust ``IdentityMailboxCreateOptions``."""

    email_local_part: Optional[str]
    sending_domain: Optional[str]


class IdentityTunnelCreateOptions(Model):
    """Rust ``IdentityTunnelCreateOptions``."""

    tls_mode: TLSMode


class IdentityPhoneNumberCreateOptions(Model):
    """Rust ``IdentityPhoneNumberCreateOptions``."""

    state: Optional[str]
    incoming_call_action: IncomingCallAction
    client_websocket_url: Optional[str]
    incoming_call_webhook_url: Optional[str]


register_enum("IdentityStatus", IdentityStatus)


from inkbox.phone.types import IdentityPhoneNumber  # noqa: E402

__all__ = ["IdentityPhoneNumber", "AgentIdentityData", "AgentIdentitySummary", "IdentityAccess", "IdentityMailbox", "IdentityMailboxCreateOptions", "IdentityPhoneNumberCreateOptions", "IdentityStatus", "IdentityTunnelCreateOptions"]
