"""Passthrough tunnels: the agent terminates TLS itself.

Bootstrap (:func:`prepare_sync` / :func:`prepare_async`): the state
directory holds ``private_key.pem`` (P-256, PKCS#8, mode 0600) and
``cert_chain.pem`` (leaf + chain as sign-csr returned them, mode 0600).
``sign-csr`` runs when the tunnel is ``awaiting_cert``, the certificate is
missing or unreadable, expires within 14 days, or certifies another key.

Runtime (:func:`serve_tcp_stream`): a ``tcp-stream`` envelope is answered
with an extended CONNECT ``/_system/tcp/{tcp_id}`` (``:protocol
inkbox-tunnel-tcp``) whose DATA carries RFC 6455 BINARY frames of raw TLS
bytes both ways (ours masked). The TLS server side runs on
``ssl.MemoryBIO``; the decrypted HTTP/1.1 requests (keep-alive, bounded
sizes) go to ``forward_to`` through the same forwarding rules as edge
requests, one at a time per connection.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
import tempfile
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import h11

from inkbox import _native
from inkbox.exceptions import TunnelError, TunnelStateConflict
from inkbox.tunnels._h2 import H2Connection, H2Stream, StreamReset
from inkbox.tunnels.types import Tunnel

if TYPE_CHECKING:
    from inkbox.tunnels._listener import _Runtime

__all__ = ["CERT_FILE", "KEY_FILE", "prepare_async", "prepare_sync", "serve_tcp_stream"]

logger = logging.getLogger("inkbox.tunnels")

KEY_FILE = "private_key.pem"
CERT_FILE = "cert_chain.pem"
#: How long the zone may take to answer the CONNECT.
BRIDGE_OPEN_TIMEOUT = 10.0
#: The largest WebSocket frame payload accepted from the zone.
MAX_FRAME_PAYLOAD = 1024 * 1024
#: Request line + headers of one inner HTTP/1.1 request.
MAX_HEAD_BYTES = 64 * 1024
_READ = 65536
_TEXT = [("content-type", "text/plain; charset=utf-8")]


# ---- bootstrap ---------------------------------------------------------------


def _write_private(path: Path, content: bytes) -> None:
    """Atomic write, mode 0600 from creation."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


def _read_text(path: Path) -> Optional[str]:
    if path.is_symlink():
        raise TunnelError(f"refusing to read a symlink ({path})")
    try:
        return path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return ""


def _load_or_create_key(state_dir: Path) -> _native.TunnelKey:
    key_path = state_dir / KEY_FILE
    pem = _read_text(key_path)
    if pem is not None:
        try:
            return _native.TunnelKey.from_pem(pem)
        except TunnelError as exc:
            raise TunnelError(
                f"{key_path} is not a usable P-256 key; move it away to let connect create a new one"
            ) from exc
    logger.info("generating the tunnel's P-256 key in %s", key_path)
    key = _native.TunnelKey.generate()
    _write_private(key_path, key.to_pem())
    return key


def _plan(state_dir: Path, tunnel: Tunnel) -> tuple[_native.TunnelKey, Optional[str]]:
    """The key, and the CSR to sign (``None``: the stored certificate is good)."""
    _ensure_dir(state_dir)
    if not tunnel.public_host:
        raise TunnelError(f"tunnel {tunnel.tunnel_name!r} has no public_host")
    key = _load_or_create_key(state_dir)
    status = str(getattr(tunnel.status, "value", tunnel.status))
    reason = key.needs_sign(status == "awaiting_cert", _read_text(state_dir / CERT_FILE))
    if reason is None:
        return key, None
    logger.info("signing a certificate for %s (%s)", tunnel.public_host, reason)
    return key, key.csr_pem(tunnel.public_host)


def _store(state_dir: Path, signed: Any) -> None:
    _write_private(state_dir / CERT_FILE, (signed.cert_pem + signed.chain_pem).encode("ascii"))


def _ensure_dir(state_dir: Path) -> None:
    if state_dir.is_symlink():
        raise TunnelError(f"refusing to use a symlinked state directory ({state_dir})")
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(state_dir, 0o700)


def _check_active(tunnel: Tunnel) -> None:
    status = str(getattr(tunnel.status, "value", tunnel.status))
    if status != "active":
        raise TunnelStateConflict(
            409, f"tunnel {tunnel.tunnel_name!r} is in status {status}; expected active after sign-csr"
        )


def server_context(state_dir: Path, key: _native.TunnelKey) -> ssl.SSLContext:
    """A TLS server context with the stored chain and the key (ALPN http/1.1)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_alpn_protocols(["http/1.1"])
    # load_cert_chain reads paths only: the key goes through a 0600 temp file
    # inside the (0700) state directory, removed at once.
    fd, tmp = tempfile.mkstemp(prefix=".key-", dir=state_dir)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(key.to_pem())
        ctx.load_cert_chain(certfile=str(state_dir / CERT_FILE), keyfile=tmp)
    except ssl.SSLError as exc:
        raise TunnelError(f"the stored certificate does not match the key in {state_dir}: {exc}") from exc
    finally:
        with suppress(OSError):
            os.unlink(tmp)
    return ctx


def prepare_sync(resource: Any, tunnel: Tunnel, state_dir: Path) -> tuple[Tunnel, ssl.SSLContext]:
    """Key, certificate (signing when needed) and TLS context; the tunnel
    as re-read after a sign."""
    key, csr = _plan(state_dir, tunnel)
    if csr is not None:
        _store(state_dir, resource.sign_csr(tunnel.id, csr_pem=csr))
        tunnel = resource.get(tunnel.id)
    _check_active(tunnel)
    return tunnel, server_context(state_dir, key)


async def prepare_async(resource: Any, tunnel: Tunnel, state_dir: Path) -> tuple[Tunnel, ssl.SSLContext]:
    """:func:`prepare_sync` for the async client."""
    key, csr = _plan(state_dir, tunnel)
    if csr is not None:
        _store(state_dir, await resource.sign_csr(tunnel.id, csr_pem=csr))
        tunnel = await resource.get(tunnel.id)
    _check_active(tunnel)
    return tunnel, server_context(state_dir, key)


# ---- runtime -----------------------------------------------------------------


class _Close(Exception):
    """The stream is over (peer close, EOF, protocol error)."""


class _TcpBridge:
    def __init__(self, rt: _Runtime, bridge: H2Stream, ctx: ssl.SSLContext, env: _native.TunnelEnvelope) -> None:
        self.rt = rt
        self.bridge = bridge
        self.env = env
        self.incoming = ssl.MemoryBIO()
        self.outgoing = ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.incoming, self.outgoing, server_side=True)
        self.frames = _native.WsFrameDecoder(MAX_FRAME_PAYLOAD)
        self.http = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD_BYTES)
        self.handshake_done = False
        self.requests = 0
        self._request: Optional[h11.Request] = None
        self._body = bytearray()

    async def send_frame(self, opcode: str, payload: bytes) -> None:
        await self.bridge.write(_native.ws_frame_encode(opcode, payload, mask=os.urandom(4)))

    async def flush_tls(self) -> None:
        data = self.outgoing.read()
        if data:
            await self.send_frame("binary", data)

    def pump_tls(self) -> tuple[bytes, bool]:
        """Runs the handshake / decrypts what arrived: ``(plaintext, eof)``."""
        if not self.handshake_done:
            try:
                self.tls.do_handshake()
                self.handshake_done = True
            except ssl.SSLWantReadError:
                return b"", False
        out = bytearray()
        while True:
            try:
                chunk = self.tls.read(_READ)
            except ssl.SSLWantReadError:
                return bytes(out), False
            except ssl.SSLZeroReturnError:
                return bytes(out), True
            if not chunk:
                return bytes(out), True
            out.extend(chunk)

    async def run(self) -> None:
        try:
            while True:
                data = await self.bridge.read()
                if not data:
                    raise _Close("zone ended the stream")
                self.frames.feed(data)
                for frame in self.frames.frames():
                    op = frame.opcode
                    if op in ("binary", "continuation"):
                        self.incoming.write(frame.payload)
                    elif op == "ping":
                        await self.send_frame("pong", frame.payload)
                    elif op == "close":
                        raise _Close("third party closed")
                    elif op != "pong":
                        raise _Close(f"unexpected {op} frame")
                try:
                    plaintext, eof = self.pump_tls()
                except ssl.SSLError as exc:
                    await self.flush_tls()  # the alert
                    raise _Close(f"TLS: {exc}") from exc
                await self.flush_tls()
                if plaintext or eof:
                    self.http.receive_data(plaintext)
                    if eof:
                        self.http.receive_data(b"")
                    await self.serve_http()
        except (_Close, TunnelError, StreamReset) as exc:
            logger.debug("tcp stream %s ended: %s", self.env.tcp_id, exc)
        finally:
            await self.shutdown()

    async def serve_http(self) -> None:
        """Answers every complete request h11 has buffered."""
        while True:
            try:
                event = self.http.next_event()
            except h11.RemoteProtocolError as exc:
                await self.respond_error(exc.error_status_hint, b"bad request")
                raise _Close("malformed HTTP/1.1") from exc
            if event is h11.NEED_DATA:
                if self.http.client_is_waiting_for_100_continue and self.http.our_state is h11.SEND_RESPONSE:
                    self.tls.write(self.http.send(h11.InformationalResponse(status_code=100, headers=[])) or b"")
                    await self.flush_tls()
                return
            if event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self._request = event
                self._body = bytearray()
                declared = next((v for k, v in event.headers if k == b"content-length"), b"0")
                if declared.isdigit() and int(declared) > self.rt.max_in:
                    await self.respond_error(413, b"request body too large")
                    raise _Close("request body too large")
            elif isinstance(event, h11.Data):
                self._body.extend(event.data)
                if len(self._body) > self.rt.max_in:
                    await self.respond_error(413, b"request body too large")
                    raise _Close("request body too large")
            elif isinstance(event, h11.EndOfMessage) and self._request is not None:
                await self.answer(self._request, bytes(self._body))
                if self.http.our_state is h11.MUST_CLOSE or self.http.their_state is h11.MUST_CLOSE:
                    raise _Close("connection: close")
                try:
                    self.http.start_next_cycle()
                except h11.LocalProtocolError as exc:
                    raise _Close("cannot keep the connection alive") from exc
            elif isinstance(event, h11.ConnectionClosed):
                raise _Close("third party closed the TLS connection")

    def envelope(self, req: h11.Request) -> Optional[_native.TunnelEnvelope]:
        """The request as an envelope (core's ``passthrough_envelope``: the
        request id, route kind and hop-by-hop rules are core's)."""
        self.requests += 1
        return _native.tunnel_passthrough_envelope(
            self.env.tcp_id or "",
            self.requests,
            req.method.decode("ascii", "replace"),
            req.target.decode("latin-1"),
            self.env.forwarded_for,
            [(name.decode("latin-1"), value.decode("latin-1")) for name, value in req.headers],
        )

    async def answer(self, req: h11.Request, body: bytes) -> None:
        env = self.envelope(req)
        status, headers, out = 500, _TEXT, b"internal error"
        if env is None:
            status, out = 400, b"bad request"
        elif _native.tunnel_check_inbound_path(env.path) is not None:
            status, out = 400, b"invalid path"
        else:
            from inkbox.tunnels._listener import _FORWARD_TIMEOUT

            try:
                status, headers, out, _ = await self.rt.forward(env, body, _FORWARD_TIMEOUT, "a passthrough request")
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("handling a passthrough request failed")
        await self.respond(status, headers, out, head=req.method == b"HEAD")

    async def respond(self, status: int, headers: list[tuple[str, str]], body: bytes, head: bool = False) -> None:
        kept = _native.tunnel_filter_response_headers(headers)
        length = str(len(body))
        if head:
            length = next((v for k, v in headers if k.lower() == "content-length"), "0")
            body = b""
        out_headers = [(k, v) for k, v in kept if k.lower() not in ("content-length", "transfer-encoding")]
        if not (100 <= status < 200 or status in (204, 304)):
            out_headers.append(("content-length", length))
        else:
            body = b""
        data = self.http.send(h11.Response(status_code=status, headers=out_headers)) or b""
        if body:
            data += self.http.send(h11.Data(data=body)) or b""
        data += self.http.send(h11.EndOfMessage()) or b""
        self.tls.write(data)
        await self.flush_tls()

    async def respond_error(self, status: int, message: bytes) -> None:
        if self.http.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        with suppress(h11.LocalProtocolError):
            await self.respond(status, [*_TEXT, ("connection", "close")], message)

    async def shutdown(self) -> None:
        """TLS close_notify, a WebSocket CLOSE, END_STREAM."""
        with suppress(Exception):
            if self.handshake_done:
                with suppress(ssl.SSLError, ssl.SSLWantReadError):
                    self.tls.unwrap()
                await self.flush_tls()
            await self.send_frame("close", _native.ws_close_payload(1000))
        await self.bridge.end()


async def serve_tcp_stream(rt: _Runtime, conn: H2Connection, env: _native.TunnelEnvelope) -> None:
    """Bridges one passthrough TCP stream (no ``/_system/response`` reply)."""
    ctx: Optional[ssl.SSLContext] = rt.tls_context
    if ctx is None or not env.tcp_id:
        logger.warning("tcp-stream envelope for a tunnel without a certificate; ignored")
        return
    headers = rt.zone.tcp_connect_headers(rt.tunnel_id, rt.api_key, env.tcp_id)
    try:
        bridge = await conn.open_stream(headers)
    except (StreamReset, OSError) as exc:
        logger.warning("could not open the tcp bridge %s: %s", env.tcp_id, exc)
        return
    try:
        status = await bridge.response(BRIDGE_OPEN_TIMEOUT)
    except (StreamReset, asyncio.TimeoutError, OSError) as exc:
        bridge.abort()
        logger.warning("could not open the tcp bridge %s: %s", env.tcp_id, exc)
        return
    if status != 200:
        bridge.abort()
        logger.warning("the zone refused the tcp bridge %s (status %d)", env.tcp_id, status)
        return
    await _TcpBridge(rt, bridge, ctx, env).run()
