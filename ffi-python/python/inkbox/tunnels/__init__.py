"""Tunnels: the REST surface, and ``tunnels.connect(...)`` (the data-plane listener, in ``inkbox.tunnels._listener``)."""

from inkbox.tunnels._validation import normalize_agent_handle, validate_agent_handle, validate_tunnel_name
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
    "normalize_agent_handle",
    "validate_agent_handle",
    "validate_tunnel_name",
]
