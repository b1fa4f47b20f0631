"""``inkbox.tunnels``: the REST surface of tunnels (list, get, update, sign_csr)."""

from __future__ import annotations

from typing import Any, Union, List
from uuid import UUID

from inkbox._resource import UNSET, Resource, given
from inkbox.tunnels.types import SignedCert, Tunnel

__all__ = ["TunnelsResource"]


class TunnelsResource(Resource):
    """Tunnels are created and deleted with identities; this reads and edits them."""

    def list(self) -> List[Tunnel]:
        """Every tunnel of the organization."""
        return self._r.call_list("tunnels.list", None, Tunnel)

    def get(self, tunnel_id: Union[UUID, str]) -> Tunnel:
        """One tunnel."""
        return self._r.call("tunnels.get", {"path": {"tunnel_id": str(tunnel_id)}}, Tunnel)

    def update(self, tunnel_id: Union[UUID, str], *, metadata: Any = UNSET) -> Tunnel:
        """Replaces the tunnel's metadata (``None`` clears it)."""
        return self._r.call(
            "tunnels.update", {"path": {"tunnel_id": str(tunnel_id)}, "body": given(metadata=metadata)}, Tunnel
        )

    def sign_csr(self, tunnel_id: Union[UUID, str], *, csr_pem: Union[str, bytes]) -> SignedCert:
        """Signs a PEM CSR for a passthrough tunnel (``str`` or ``bytes``)."""
        pem = csr_pem.decode("ascii") if isinstance(csr_pem, (bytes, bytearray)) else csr_pem
        return self._r.call("tunnels.sign_csr", {"path": {"tunnel_id": str(tunnel_id)}, "body": {"csr_pem": pem}}, SignedCert)
