"""Hand-written methods of the generated ``inkbox.tunnels.resources.tunnels`` (the description,
``surface/*.toml``, names these mixins)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Union
from uuid import UUID
from inkbox._resource import UNSET, Resource, given
from inkbox.tunnels.types import SignedCert, Tunnel
if TYPE_CHECKING:  # imported lazily: the listener needs h2
    from inkbox.tunnels._listener import TunnelListener


class TunnelsCustom(Resource):
    """The hand-written part of ``TunnelsResource``."""

    def connect(
        self,
        *,
        name: Optional[str] = None,
        tunnel_id: Union[UUID, str, None] = None,
        forward_to: Union[str, Callable[..., Any]],
        data_plane_zone: Optional[str] = None,
        state_dir: Union[str, "os.PathLike[str]", None] = None,
        pool_size: Optional[int] = None,
        on_status: Optional[Callable[[str], None]] = None,
        max_inbound_body_bytes: int = 32 * 1024 * 1024,
        max_outbound_body_bytes: int = 32 * 1024 * 1024,
        allow_remote_forwarding: bool = False,
        forward_to_verify_tls: bool = True,
    ) -> "TunnelListener":
        """Brings a tunnel online from this process: returns a listener
        (``wait()`` / ``close()``, or ``serve_forever()`` / ``aclose()``).

        Args:
            name: The tunnel's name (its identity's handle); or
            tunnel_id: The tunnel's id (``identity.tunnel.id``).
            forward_to: A loopback URL (``"http://127.0.0.1:8080"``) the
                inbound requests are forwarded to, or an in-process ASGI
                app (``async def app(scope, receive, send)``).
            data_plane_zone: Dial this zone instead of the tunnel's.
            state_dir: The state directory (default
                ``~/.inkbox/tunnels/{name}``). A passthrough tunnel keeps
                its P-256 key (``private_key.pem``) and signed chain
                (``cert_chain.pem``) there; ``connect`` runs sign-csr when
                the tunnel awaits a certificate or the stored one is
                missing, expires within 14 days or is for another key.
            pool_size: Parked intake streams to ask for (1-32; default:
                the server's choice).
            on_status: Called with ``"connecting"``, ``"connected"``,
                ``"reconnecting"`` and ``"closed"``.
            max_inbound_body_bytes: Larger request bodies get a 413.
            max_outbound_body_bytes: Larger response bodies become a 502.
            allow_remote_forwarding: Allow a ``forward_to`` host that is
                not loopback (review the SSRF risk first).
            forward_to_verify_tls: Verify an ``https`` ``forward_to``'s
                certificate.

        The data plane authenticates with this client's API key (an admin
        key, or the key of the tunnel's identity). With ``AsyncInkbox``
        this returns an awaitable.
        """
        from inkbox.tunnels._connect import ConnectOptions, connect_async, connect_sync

        opts = ConnectOptions(
            api_key=self._r.api_key,
            name=name,
            tunnel_id=tunnel_id,
            forward_to=forward_to,
            data_plane_zone=data_plane_zone,
            state_dir=state_dir,
            pool_size=pool_size,
            on_status=on_status,
            max_inbound_body_bytes=max_inbound_body_bytes,
            max_outbound_body_bytes=max_outbound_body_bytes,
            allow_remote_forwarding=allow_remote_forwarding,
            forward_to_verify_tls=forward_to_verify_tls,
        )
        if getattr(self._r, "is_async", False):
            return connect_async(self, opts)  # type: ignore[return-value]
        return connect_sync(self, opts)  # type: ignore[arg-type]  # self is a TunnelsResource
