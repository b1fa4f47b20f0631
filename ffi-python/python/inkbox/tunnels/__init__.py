"""Tunnels (the REST surface; the data-plane listener is not part of this package)."""

from inkbox.tunnels.resources.tunnels import TunnelsResource
from inkbox.tunnels.types import (
    SignedCert,
    TLSMode,
    Tunnel,
    TunnelStatus,
)

__all__ = [
    "SignedCert",
    "TLSMode",
    "Tunnel",
    "TunnelStatus",
    "TunnelsResource",
]
