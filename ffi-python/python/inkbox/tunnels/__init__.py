"""Tunnels: the REST surface, and ``tunnels.connect(...)`` (the data-plane listener, in ``inkbox.tunnels._listener``)."""

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
