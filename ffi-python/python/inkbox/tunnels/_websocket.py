"""WebSocket upgrades for the tunnel listener (``inkbox-route-kind:
ws-upgrade``).

The third party's upgrade arrives as an envelope. The agent first gets the
local side to accept it — a ``ws://`` / ``wss://`` handshake with the
``forward_to`` server, or the ASGI app's ``websocket`` scope up to
``websocket.accept`` — and answers the envelope: 200 (the zone then sends
101 to the third party) or the refusal's status. Then it opens the bridge,
an extended CONNECT ``/_system/ws/{ws_id}`` (``:protocol inkbox-tunnel-ws``),
on which RFC 6455 frames carry length-prefixed JSON envelopes (text, binary,
close) both ways. Pings are answered on each hop and not relayed.

Closing: a close from either side reaches the other with its code, and the
close echo comes back the same way. When the tunnel connection goes away
under a live bridge (listener closed, connection lost) the local side gets
close code 4500, as with the official client; on a listener close the third
party gets 1001 (going away). Messages over the listener's body caps are
refused with close 1009.

Frame, envelope and handshake rules live in ``inkbox._native``; this module
moves bytes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from contextlib import suppress
from typing import TYPE_CHECKING, Any, Optional, Union
from urllib.parse import unquote

from inkbox import _native
from inkbox.exceptions import TunnelError
from inkbox.tunnels._h2 import H2Connection, H2Stream, StreamReset

if TYPE_CHECKING:
    from inkbox.tunnels._listener import ASGIApp, _Runtime

__all__ = ["serve_ws_upgrade"]

logger = logging.getLogger("inkbox.tunnels")

Headers = list[tuple[str, str]]
#: ``("text", str)``, ``("binary", bytes)`` or ``("close", (code, reason))``.
Message = tuple[str, Any]

CLOSE_NORMAL = 1000
CLOSE_GOING_AWAY = 1001
CLOSE_TOO_BIG = 1009
CLOSE_INTERNAL = 1011
#: The tunnel connection under a live bridge went away (official client: 4500).
CLOSE_CONNECTION_GONE = 4500
#: How long a close waits for the other side's echo.
CLOSE_GRACE = 5.0
_TEARDOWN = 1.0
_SYSTEM_TIMEOUT = 30.0
_READ_CHUNK = 65536
_HEAD_MAX = 65536
_TEXT = [("content-type", "text/plain; charset=utf-8")]


class _Refused(Exception):
    """The local side did not accept the upgrade: the reply's status."""

    def __init__(self, status: int, reason: str, body: bytes) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.body = body


def _mask() -> bytes:
    return os.urandom(4)


# ---- the tunnel side (bridge stream) -----------------------------------------


class _TunnelSide:
    """The bridge stream: envelopes in masked BINARY frames."""

    def __init__(self, stream: H2Stream, max_in: int, max_out: int) -> None:
        self.stream = stream
        envelope_max = max_in * 4 // 3 + 1024  # base64 + JSON around a binary message
        self._frames = _native.WsFrameDecoder(max_payload=envelope_max + 4, mask="any")
        self._envelopes = _native.TunnelWsEnvelopeReader(envelope_max)
        self._max_out = max_out
        self.close_sent = False
        self.lost = False
        self._finished = False

    async def recv(self) -> Optional[Message]:
        """The third party's next message; ``None`` when the stream ended
        (``lost`` says whether the connection or stream was reset)."""
        while True:
            try:
                msg = self._envelopes.next_message()
            except TunnelError:
                return ("close", (CLOSE_TOO_BIG, "message too big"))
            if msg is not None:
                if msg.kind == "text":
                    return ("text", msg.text or "")
                if msg.kind == "binary":
                    return ("binary", msg.data or b"")
                return ("close", (msg.code or CLOSE_NORMAL, msg.reason))
            data = await self.stream.read()
            if not data:
                self.lost = self.stream.reset
                return None
            self._frames.feed(data)
            try:
                frames = self._frames.frames()
            except TunnelError:
                return ("close", (CLOSE_TOO_BIG, "message too big"))
            for frame in frames:
                op = frame.opcode
                if op == "ping":
                    await self._write("pong", frame.payload)
                elif op == "close":
                    return None
                elif op in ("text", "binary", "continuation"):
                    self._envelopes.push(frame.payload)

    async def _write(self, opcode: str, payload: bytes) -> None:
        await self.stream.write(_native.ws_frame_encode(opcode, payload, True, _mask()))

    async def send(self, kind: str, data: Union[str, bytes]) -> bool:
        """Relays a local message; False (after a 1009 close) when it is too big."""
        if self.close_sent:
            return True
        if kind == "text":
            assert isinstance(data, str)
            if len(data) > self._max_out:  # chars <= bytes; the exact check is below
                await self.send_close(CLOSE_TOO_BIG, "message too big")
                return False
            raw = data.encode("utf-8")
            if len(raw) > self._max_out:
                await self.send_close(CLOSE_TOO_BIG, "message too big")
                return False
            env = _native.tunnel_ws_envelope_text(data)
        else:
            assert isinstance(data, bytes)
            if len(data) > self._max_out:
                await self.send_close(CLOSE_TOO_BIG, "message too big")
                return False
            env = _native.tunnel_ws_envelope_binary(data)
        await self._write("binary", env)
        return True

    async def send_close(self, code: int, reason: str = "") -> None:
        if self.close_sent:
            return
        self.close_sent = True
        await self._write("binary", _native.tunnel_ws_envelope_close(code, reason))

    async def finish(self) -> None:
        """Ends the bridge: outer CLOSE and END_STREAM (best effort)."""
        if self._finished:
            return
        self._finished = True
        with suppress(StreamReset, OSError, TunnelError, asyncio.TimeoutError):
            await asyncio.wait_for(self._write("close", _native.ws_close_payload(CLOSE_NORMAL, "")), _TEARDOWN)
            await asyncio.wait_for(self.stream.end(), _TEARDOWN)


# ---- the local side -----------------------------------------------------------


class _UpstreamSide:
    """A ``ws://`` / ``wss://`` connection to the ``forward_to`` server (we
    are its client: our frames are masked, its frames must not be)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, leftover: bytes, max_out: int
    ) -> None:
        self._reader = reader
        self._writer = writer
        self._frames = _native.WsFrameDecoder(max_payload=max_out, mask="forbidden")
        self._frames.feed(leftover)
        self._max = max_out
        self._msg_op: Optional[str] = None
        self._msg = bytearray()
        self.close_sent = False

    async def _write(self, opcode: str, payload: bytes) -> None:
        self._writer.write(_native.ws_frame_encode(opcode, payload, True, _mask()))
        await self._writer.drain()

    async def recv(self) -> Optional[Message]:
        while True:
            try:
                frame = self._frames.next_frame()
            except TunnelError as exc:
                logger.warning("websocket upstream sent a bad frame: %s", exc)
                too_big = getattr(exc, "code", "") == "ws_frame_too_large"
                return ("close", (CLOSE_TOO_BIG if too_big else 1002, ""))
            if frame is None:
                data = await self._reader.read(_READ_CHUNK)
                if not data:
                    return None
                self._frames.feed(data)
                continue
            op = frame.opcode
            if op == "ping":
                with suppress(OSError):
                    await self._write("pong", frame.payload)
            elif op == "close":
                try:
                    code, reason = _native.ws_parse_close(frame.payload)
                except TunnelError:
                    code, reason = 1002, ""
                if not self.close_sent:  # echo the close handshake
                    self.close_sent = True
                    with suppress(OSError):
                        await self._write("close", frame.payload[:2])
                return ("close", (code or 1005, reason))
            elif op in ("text", "binary", "continuation"):
                if op != "continuation":
                    self._msg_op, self._msg = op, bytearray()
                elif self._msg_op is None:
                    continue
                self._msg.extend(frame.payload)
                if len(self._msg) > self._max:
                    return ("close", (CLOSE_TOO_BIG, "message too big"))
                if frame.fin:
                    kind, raw = self._msg_op, bytes(self._msg)
                    self._msg_op, self._msg = None, bytearray()
                    if kind == "text":
                        return ("text", raw.decode("utf-8", "replace"))
                    return ("binary", raw)

    async def send(self, kind: str, data: Union[str, bytes]) -> None:
        if self.close_sent:
            return
        raw = data.encode("utf-8") if isinstance(data, str) else data
        await self._write("text" if kind == "text" else "binary", raw)

    async def close(self, code: int, reason: str = "") -> None:
        if self.close_sent:
            return
        self.close_sent = True
        with suppress(OSError, TunnelError):
            await self._write("close", _native.ws_close_payload(_sendable(code), reason))

    async def aclose(self) -> None:
        with suppress(Exception):
            self._writer.close()
            await asyncio.wait_for(self._writer.wait_closed(), _TEARDOWN)


def _sendable(code: int) -> Optional[int]:
    """Codes that may not appear in a close frame (1005/1006/1015) become none."""
    return None if code in (1005, 1006, 1015) else code


async def _open_upstream(
    rt: _Runtime, target: _native.TunnelForwardTarget, env: _native.TunnelEnvelope, timeout: Optional[float]
) -> tuple[_UpstreamSide, Headers]:
    """The HTTP/1.1 upgrade to the local server; raises :class:`_Refused`."""
    key = _native.tunnel_ws_client_key(os.urandom(16))
    request = _native.tunnel_ws_upstream_request(env, target, rt.public_host, key)
    ctx: Optional[ssl.SSLContext] = None
    if target.scheme == "https":
        ctx = ssl.create_default_context()
        if not rt.verify_tls:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
    port = target.port or (443 if ctx else 80)

    async def handshake() -> tuple[_UpstreamSide, Headers]:
        try:
            reader, writer = await asyncio.open_connection(
                target.host, port, ssl=ctx, server_hostname=target.host if ctx else None
            )
        except OSError as exc:
            raise _Refused(502, "upstream-unreachable", b"upstream unreachable") from exc
        try:
            writer.write(request)
            await writer.drain()
            head = bytearray()
            while b"\r\n\r\n" not in head:
                chunk = await reader.read(4096)
                if not chunk:
                    raise _Refused(502, "upstream-closed", b"upstream closed during the handshake")
                head.extend(chunk)
                if len(head) > _HEAD_MAX:
                    raise _Refused(502, "upstream-bad-response", b"upstream response head too large")
            end = head.index(b"\r\n\r\n")
            status, reason, _, headers = _native.tunnel_ws_check_upstream_response(
                head[:end].decode("latin-1"), key, env.ws_subprotocols()
            )
            if status != 101:
                raise _Refused(status, reason or "upstream-refused", f"upstream refused the upgrade ({status})".encode())
        except BaseException:
            with suppress(Exception):
                writer.close()
            raise
        return _UpstreamSide(reader, writer, bytes(head[end + 4 :]), rt.max_out), headers

    try:
        return await asyncio.wait_for(handshake(), timeout)
    except asyncio.TimeoutError as exc:
        raise _Refused(504, "upstream-handshake-timeout", b"upstream handshake timed out") from exc


class _AsgiSide:
    """An ASGI app driven through the ``websocket`` scope."""

    def __init__(self, rt: _Runtime, app: ASGIApp, env: _native.TunnelEnvelope) -> None:
        raw_path, _, query = env.path.partition("?")
        client_ip = env.forwarded_for or "unknown"
        self.scope: dict[str, Any] = {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "scheme": "wss",
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("latin-1", "replace"),
            "query_string": query.encode("latin-1", "replace"),
            "root_path": "",
            "headers": [
                (k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
                for k, v in env.forward_headers(rt.public_host, rt.public_host)
            ],
            "client": (client_ip, 0),
            "server": (rt.public_host, 443),
            "subprotocols": env.ws_subprotocols(),
        }
        self._app = app
        self._inbound: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._outbound: asyncio.Queue[Optional[Message]] = asyncio.Queue()
        self._decided: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._task: Optional[asyncio.Task[None]] = None
        self._disconnected: Optional[dict[str, Any]] = None
        self.close_sent = False
        self._app_closed = False
        self._max = rt.max_out

    async def accept(self, timeout: Optional[float]) -> tuple[Optional[str], Headers]:
        """Runs the app until it accepts; raises :class:`_Refused` otherwise."""
        self._inbound.put_nowait({"type": "websocket.connect"})
        self._task = asyncio.ensure_future(self._run())
        try:
            msg = await asyncio.wait_for(asyncio.shield(self._decided), timeout)
        except asyncio.TimeoutError as exc:
            await self.aclose()
            raise _Refused(504, "response-deadline-exceeded", b"local handler too slow") from exc
        kind = msg.get("type")
        if kind == "websocket.accept":
            headers: Headers = []
            subprotocol = msg.get("subprotocol")
            if subprotocol:
                headers.append(("sec-websocket-protocol", str(subprotocol)))
            for k, v in msg.get("headers") or []:
                headers.append((bytes(k).decode("latin-1"), bytes(v).decode("latin-1")))
            return subprotocol, _native.tunnel_filter_response_headers(headers)
        await self.aclose()
        if kind == "error":
            raise _Refused(500, "agent-error", b"internal error")
        code = msg.get("code", CLOSE_NORMAL)
        raise _Refused(403, "websocket-rejected", f"the app refused the WebSocket (close {code})".encode())

    async def _run(self) -> None:
        try:
            await self._app(self.scope, self._receive, self._send)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("the ASGI websocket app raised")
            if not self._decided.done():
                self._decided.set_result({"type": "error"})
            elif not self.close_sent:
                self._outbound.put_nowait(("close", (CLOSE_INTERNAL, "")))
        finally:
            if not self._decided.done():
                self._decided.set_result({"type": "websocket.close", "code": CLOSE_NORMAL})
            self._outbound.put_nowait(None)

    async def _receive(self) -> dict[str, Any]:
        if self._disconnected is not None and self._inbound.empty():
            return self._disconnected
        return await self._inbound.get()

    async def _send(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if not self._decided.done():
            if kind in ("websocket.accept", "websocket.close"):
                self._decided.set_result(message)
                if kind == "websocket.close":
                    self._app_closed = True
                return
            raise RuntimeError(f"ASGI websocket: {kind!r} before websocket.accept")
        if self._app_closed or self._disconnected is not None:
            return
        if kind == "websocket.send":
            text, data = message.get("text"), message.get("bytes")
            if text is not None:
                self._outbound.put_nowait(("text", str(text)))
            elif data is not None:
                self._outbound.put_nowait(("binary", bytes(data)))
        elif kind == "websocket.close":
            self._app_closed = True
            self._outbound.put_nowait(("close", (int(message.get("code") or CLOSE_NORMAL), message.get("reason") or "")))

    async def recv(self) -> Optional[Message]:
        return await self._outbound.get()

    async def send(self, kind: str, data: Union[str, bytes]) -> None:
        if self._disconnected is not None:
            return
        if kind == "text":
            self._inbound.put_nowait({"type": "websocket.receive", "text": data})
        else:
            self._inbound.put_nowait({"type": "websocket.receive", "bytes": data})

    async def close(self, code: int, reason: str = "") -> None:
        """The third party (or the tunnel) closed: ``websocket.disconnect``."""
        if self._disconnected is not None:
            return
        self._disconnected = {"type": "websocket.disconnect", "code": code, "reason": reason}
        self._inbound.put_nowait(self._disconnected)
        if not self._app_closed:  # nothing to echo from the app: echo the code
            self._app_closed = True
            self._outbound.put_nowait(("close", (code, reason)))

    async def aclose(self) -> None:
        task = self._task
        if task is None or task.done():
            return
        if self._disconnected is None:
            await self.close(CLOSE_CONNECTION_GONE, "tunnel connection closed")
        try:
            await asyncio.wait_for(asyncio.shield(task), CLOSE_GRACE)
        except (asyncio.TimeoutError, Exception):
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task


_Local = Union[_UpstreamSide, _AsgiSide]


# ---- the bridge ----------------------------------------------------------------------


async def serve_ws_upgrade(
    rt: _Runtime, conn: H2Connection, hello: _native.TunnelHello, env: _native.TunnelEnvelope
) -> None:
    """Handles one ``ws-upgrade`` envelope end to end."""
    if env.ws_id is None:
        await _reply(rt, conn, env, 400, _TEXT, b"missing ws id", "missing-ws-id")
        return
    if (reason := _native.tunnel_check_inbound_path(env.path)) is not None:
        await _reply(rt, conn, env, 400, _TEXT, b"invalid path", reason)
        return
    deadline = hello.response_deadline_seconds
    local: Optional[_Local] = None
    try:
        if isinstance(rt.forward_to, _native.TunnelForwardTarget):
            local, headers = await _open_upstream(rt, rt.forward_to, env, deadline)
        else:
            asgi = _AsgiSide(rt, rt.forward_to, env)
            local = asgi
            _, headers = await asgi.accept(deadline)
    except _Refused as exc:
        await _reply(rt, conn, env, exc.status, _TEXT, exc.body, exc.reason)
        return
    except asyncio.CancelledError:
        if local is not None:
            await _close_local(local, CLOSE_CONNECTION_GONE, "")
            await local.aclose()
        raise
    except Exception:
        logger.exception("websocket upgrade %s failed", env.request_id)
        await _reply(rt, conn, env, 500, _TEXT, b"internal error", "agent-error")
        return
    tunnel: Optional[_TunnelSide] = None
    try:
        if not await _reply(rt, conn, env, 200, headers, b"", None):
            await _close_local(local, CLOSE_INTERNAL, "")
            return
        stream = await conn.open_stream(rt.zone.ws_connect_headers(rt.tunnel_id, rt.api_key, env.ws_id))
        try:
            status = await stream.response(deadline)
        except (asyncio.TimeoutError, StreamReset):
            status = 0
        if status != 200:
            logger.warning("CONNECT /_system/ws/%s -> %s", env.ws_id, status or "no answer")
            stream.abort()
            await _close_local(local, CLOSE_INTERNAL, "")
            return
        tunnel = _TunnelSide(stream, rt.max_in, rt.max_out)
        await _relay(tunnel, local)
    except asyncio.CancelledError:
        # The listener is closing (or the connection is torn down).
        with suppress(Exception):
            await asyncio.wait_for(_teardown(tunnel, local), _TEARDOWN + CLOSE_GRACE)
        raise
    except (StreamReset, OSError) as exc:
        logger.info("websocket bridge %s ended: %s", env.ws_id, exc)
        await _close_local(local, CLOSE_CONNECTION_GONE, "")
    finally:
        if tunnel is not None:
            await tunnel.finish()
        await local.aclose()


async def _teardown(tunnel: Optional[_TunnelSide], local: Optional[_Local]) -> None:
    if tunnel is not None:
        with suppress(Exception):
            await asyncio.wait_for(tunnel.send_close(CLOSE_GOING_AWAY, "tunnel listener closed"), _TEARDOWN)
        await tunnel.finish()
    if local is not None:
        await _close_local(local, CLOSE_CONNECTION_GONE, "tunnel connection closed")
        await local.aclose()


async def _close_local(local: _Local, code: int, reason: str) -> None:
    with suppress(Exception):
        await asyncio.wait_for(local.close(code, reason), _TEARDOWN)


async def _relay(tunnel: _TunnelSide, local: _Local) -> None:
    """Both directions until a close went each way (or a side vanished)."""

    async def third_to_local() -> None:
        while True:
            msg = await tunnel.recv()
            if msg is None:
                await local.close(CLOSE_CONNECTION_GONE if tunnel.lost else CLOSE_NORMAL, "")
                return
            kind, data = msg
            if kind == "close":
                code, reason = data
                if code == CLOSE_TOO_BIG and not tunnel.close_sent:
                    await tunnel.send_close(code, reason)
                await local.close(code, reason)
                return
            await local.send(kind, data)

    async def local_to_third() -> None:
        while True:
            msg = await local.recv()
            if msg is None:
                # The app returned / the server's socket ended without a close.
                await tunnel.send_close(CLOSE_NORMAL if isinstance(local, _AsgiSide) else CLOSE_INTERNAL, "")
                return
            kind, data = msg
            if kind == "close":
                code, reason = data
                await tunnel.send_close(code if _sendable(code) else CLOSE_NORMAL, reason)
                if code == CLOSE_TOO_BIG:
                    await local.close(code, reason)
                return
            if not await tunnel.send(kind, data):
                await local.close(CLOSE_TOO_BIG, "message too big")
                return

    up = asyncio.ensure_future(third_to_local())
    down = asyncio.ensure_future(local_to_third())
    try:
        done, pending = await asyncio.wait({up, down}, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            exc = task.exception()
            if exc is not None and not isinstance(exc, (StreamReset, OSError)):
                logger.warning("websocket bridge: %s: %s", type(exc).__name__, exc)
        # The other direction carries the close echo; give it a moment.
        if pending:
            with suppress(asyncio.TimeoutError):
                await asyncio.wait(pending, timeout=CLOSE_GRACE)
    finally:
        for task in (up, down):
            if not task.done():
                task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task


async def _reply(
    rt: _Runtime,
    conn: H2Connection,
    env: _native.TunnelEnvelope,
    status: int,
    headers: Headers,
    body: bytes,
    reason: Optional[str],
) -> bool:
    """Answers the upgrade envelope; whether the zone took the answer."""
    reply = rt.zone.response_headers(rt.tunnel_id, rt.api_key, env.request_id, status, headers, reason, len(body))
    try:
        rstatus, _, _ = await conn.request(reply, body, timeout=_SYSTEM_TIMEOUT)
    except (StreamReset, OSError, asyncio.TimeoutError) as exc:
        logger.warning("could not deliver the upgrade reply to %s: %s", env.request_id, exc)
        return False
    if rstatus >= 400:
        logger.warning("/_system/response/%s -> %d", env.request_id, rstatus)
        return False
    return True
