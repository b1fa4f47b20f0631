"""Models of inkbox.tunnels.types (field names as on the wire; see inkbox-core)."""

from __future__ import annotations

from datetime import datetime  # noqa: F401
from typing import Any, Optional  # noqa: F401

from inkbox._enums import StrEnum
from inkbox._models import Model, register_enum


class TLSMode(StrEnum):
    """Wire enum ``TlsMode``."""

    EDGE = "edge"
    PASSTHROUGH = "passthrough"


class TunnelStatus(StrEnum):
    """Wire enum ``TunnelStatus``."""

    AWAITING_CERT = "awaiting_cert"
    ACTIVE = "active"
    DELETED = "deleted"


class Tunnel(Model):
    """Rust ``Tunnel``."""

    id: str
    organization_id: str
    tunnel_name: str
    tls_mode: TLSMode
    cert_pem: Optional[str]
    cert_fingerprint_sha256: Optional[str]
    cert_expires_at: Optional[datetime]
    status: TunnelStatus
    last_connected_at: Optional[datetime]
    last_connected_ip_addr: Optional[str]
    currently_connected: bool
    public_host: str
    zone: str
    metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    agent_identity_id: Optional[str]
    last_disconnected_at: Optional[datetime]


class SignedCert(Model):
    """Rust ``SignedCert``."""

    cert_pem: str
    chain_pem: str
    cert_fingerprint_sha256: str
    cert_expires_at: datetime


register_enum("TlsMode", TLSMode)
register_enum("TunnelStatus", TunnelStatus)

__all__ = ["SignedCert", "TLSMode", "Tunnel", "TunnelStatus"]
