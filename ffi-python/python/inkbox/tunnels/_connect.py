"""``tunnels.connect(...)``: finds the tunnel over REST, keeps its local
state (``~/.inkbox/tunnels/{name}/state.json``) and returns the
:class:`~inkbox.tunnels._listener.TunnelListener`."""

from __future__ import annotations

import json
import os
import ssl
import stat
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional, Union
from uuid import UUID

from inkbox import _native
from inkbox.exceptions import (
    InkboxAPIError,
    TunnelError,
    TunnelNotProvisioned,
    TunnelRemoved,
    TunnelStateConflict,
)
from inkbox.tunnels import _passthrough
from inkbox.tunnels._listener import ASGIApp, StatusCallback, TunnelListener, _Runtime
from inkbox.tunnels.types import Tunnel

if TYPE_CHECKING:
    from inkbox.tunnels.resources.tunnels import TunnelsResource

__all__ = ["ConnectOptions"]

STATE_FILE = "state.json"


def _wire(value: Any) -> str:
    return str(getattr(value, "value", value))


class ConnectOptions:
    """The checked arguments of ``connect`` (no I/O)."""

    def __init__(
        self,
        *,
        api_key: Optional[str],
        name: Optional[str],
        tunnel_id: Union[UUID, str, None],
        forward_to: Union[str, ASGIApp],
        data_plane_zone: Optional[str],
        state_dir: Union[str, "os.PathLike[str]", None],
        pool_size: Optional[int],
        on_status: Optional[StatusCallback],
        max_inbound_body_bytes: int,
        max_outbound_body_bytes: int,
        allow_remote_forwarding: bool,
        forward_to_verify_tls: bool,
    ) -> None:
        if sys.platform.startswith("win"):
            raise NotImplementedError("inkbox.tunnels.connect needs a POSIX platform")
        if not api_key:
            raise TunnelError("connect needs a client with an API key (it authenticates the data plane)")
        if name is None and tunnel_id is None:
            raise TypeError("connect() needs name= or tunnel_id=")
        self.api_key = api_key
        # Core's rule (one leading "@", ASCII lowercase, the handle checks);
        # raises TunnelNameInvalid.
        self.name = _native.tunnel_normalize_name(name) if name is not None else None
        self.tunnel_id = str(tunnel_id) if tunnel_id is not None else None
        self.pool_size = _native.tunnel_validate_pool_size(pool_size) if pool_size is not None else None
        self.target: Union[_native.TunnelForwardTarget, ASGIApp]
        if isinstance(forward_to, str):
            self.target = _native.TunnelForwardTarget(forward_to, allow_remote_forwarding)
        elif callable(forward_to):
            self.target = forward_to
        else:
            raise TypeError("forward_to must be a URL string or an ASGI app (async def app(scope, receive, send))")
        self.zone_override = _native.TunnelZone(data_plane_zone) if data_plane_zone else None
        self.state_dir = Path(state_dir).expanduser() if state_dir is not None else None
        self.on_status = on_status
        self.max_in = max_inbound_body_bytes
        self.max_out = max_outbound_body_bytes
        self.verify_tls = forward_to_verify_tls

    def state_path(self, name: str) -> Path:
        return self.state_dir if self.state_dir is not None else Path.home() / ".inkbox" / "tunnels" / name

    def cached_tunnel_id(self) -> Optional[str]:
        """The tunnel id of ``state.json`` (connecting by name only)."""
        if self.name is None or self.tunnel_id is not None:
            return None
        try:
            data = json.loads((self.state_path(self.name) / STATE_FILE).read_text(encoding="utf-8"))
            return str(UUID(str(data["tunnel_id"])))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def pick(self, tunnels: list[Tunnel]) -> Tunnel:
        found = _native.tunnel_find_by_name([t.tunnel_name for t in tunnels], self.name or "")
        if found is not None:
            return tunnels[found]
        raise TunnelNotProvisioned(
            f"no tunnel named {self.name!r} in this organization; tunnels are created with "
            f"inkbox.create_identity({self.name!r})"
        )

    def removed(self, tunnel_id: str, err: InkboxAPIError) -> TunnelError:
        if self.tunnel_id is not None:
            return TunnelNotProvisioned(f"no tunnel with id {tunnel_id} in this organization")
        return TunnelRemoved(
            f"tunnel {self.name!r} (id {tunnel_id}) was removed; clear {self.state_path(self.name or '')} and "
            f"create it again with inkbox.create_identity({self.name!r})"
        )

    def check(self, tunnel: Tunnel) -> bool:
        """Checks the name; whether the tunnel is a passthrough one."""
        name = tunnel.tunnel_name
        if self.name is not None and name != self.name:
            raise TunnelError(f"tunnel {self.tunnel_id} is named {name!r}, not {self.name!r}")
        return _wire(tunnel.tls_mode) == "passthrough"

    def listener(self, tunnel: Tunnel, tls_context: Optional[ssl.SSLContext] = None) -> TunnelListener:
        """Checks the tunnel, saves the state file, builds the listener
        (``tls_context``: a passthrough tunnel's, from ``_passthrough``)."""
        name = tunnel.tunnel_name
        mode, status = _wire(tunnel.tls_mode), _wire(tunnel.status)
        if mode == "passthrough" and tls_context is None:
            raise TunnelError("a passthrough tunnel needs its certificate (internal error)")
        if status != "active":
            raise TunnelStateConflict(
                409, f"tunnel {name!r} is in status {status}; expected active before opening the data plane"
            )
        if not tunnel.public_host or not tunnel.zone:
            raise TunnelError(f"tunnel {name!r} has no public_host or zone")
        zone = self.zone_override or _native.TunnelZone(tunnel.zone)
        _save_state(
            self.state_path(name),
            {
                "tunnel_id": str(tunnel.id),
                "name": name,
                "mode": mode,
                "zone": zone.authority,
                "public_host": tunnel.public_host,
            },
        )
        runtime = _Runtime(
            api_key=self.api_key,
            tunnel_id=str(tunnel.id),
            zone=zone,
            public_host=tunnel.public_host,
            forward_to=self.target,
            pool_size=self.pool_size,
            on_status=self.on_status,
            max_inbound_body_bytes=self.max_in,
            max_outbound_body_bytes=self.max_out,
            forward_to_verify_tls=self.verify_tls,
            tls_context=tls_context,
        )
        return TunnelListener(tunnel=tunnel, public_host=tunnel.public_host, runtime=runtime)


def connect_sync(resource: TunnelsResource, opts: ConnectOptions) -> TunnelListener:
    tunnel: Optional[Tunnel] = None
    tunnel_id = opts.tunnel_id or opts.cached_tunnel_id()
    if tunnel_id is not None:
        try:
            tunnel = resource.get(tunnel_id)
        except InkboxAPIError as err:
            if err.status_code != 404:
                raise
            if opts.tunnel_id is not None:
                raise opts.removed(tunnel_id, err) from err
            # A stale state file: look the name up instead.
    if tunnel is None:
        tunnel = opts.pick(resource.list())
    if not opts.check(tunnel):
        return opts.listener(tunnel)
    tunnel, ctx = _passthrough.prepare_sync(resource, tunnel, opts.state_path(tunnel.tunnel_name))
    return opts.listener(tunnel, ctx)


async def connect_async(resource: Any, opts: ConnectOptions) -> TunnelListener:
    tunnel: Optional[Tunnel] = None
    tunnel_id = opts.tunnel_id or opts.cached_tunnel_id()
    if tunnel_id is not None:
        try:
            tunnel = await resource.get(tunnel_id)
        except InkboxAPIError as err:
            if err.status_code != 404:
                raise
            if opts.tunnel_id is not None:
                raise opts.removed(tunnel_id, err) from err
    if tunnel is None:
        tunnel = opts.pick(await resource.list())
    if not opts.check(tunnel):
        return opts.listener(tunnel)
    tunnel, ctx = await _passthrough.prepare_async(resource, tunnel, opts.state_path(tunnel.tunnel_name))
    return opts.listener(tunnel, ctx)


def _save_state(state_dir: Path, state: dict[str, Any]) -> None:
    """Writes ``state.json`` atomically, mode 0600, in a 0700 directory that
    must not be a symlink."""
    if state_dir.is_symlink():
        raise TunnelError(f"refusing to use a symlinked state directory ({state_dir})")
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if stat.S_IMODE(state_dir.stat().st_mode) & 0o077:
        os.chmod(state_dir, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=state_dir)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(state, f, indent=2, sort_keys=True)
        os.replace(tmp, state_dir / STATE_FILE)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
