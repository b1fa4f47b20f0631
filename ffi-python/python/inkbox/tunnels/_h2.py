"""A small HTTP/2 client connection over asyncio streams and the ``h2``
state machine: buffered request/response exchanges, with flow control on
the request body. Enough for the tunnel's system streams (hello, intake,
response); the data plane's rules are in ``inkbox._native``."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from contextlib import suppress
from typing import Optional

import h2.config
import h2.connection
import h2.events
import h2.exceptions

from inkbox import _native

__all__ = ["H2Connection", "StreamReset"]

Headers = list[tuple[str, str]]

_READ_CHUNK = 65536


class StreamReset(ConnectionError):
    """The stream (or the whole connection) ended before a full response."""


class _Stream:
    __slots__ = ("body", "done", "headers", "reset")

    def __init__(self) -> None:
        self.headers: Optional[Headers] = None
        self.body = bytearray()
        self.done = asyncio.Event()
        self.reset = False


class H2Connection:
    """One client connection to a tunnel zone (see :meth:`open`)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self._h2 = h2.connection.H2Connection(
            config=h2.config.H2Configuration(client_side=True, header_encoding="utf-8")
        )
        self._streams: dict[int, _Stream] = {}
        self._window = asyncio.Event()
        self.closed = asyncio.Event()
        self._read_task: Optional[asyncio.Task[None]] = None
        self._pings: dict[bytes, asyncio.Event] = {}

    @classmethod
    async def open(cls, zone: _native.TunnelZone, timeout: float = 30.0) -> H2Connection:
        """Dials the zone: TLS with ALPN ``h2``, or cleartext HTTP/2 with
        prior knowledge for a loopback zone (``zone.tls`` is false)."""
        ctx: Optional[ssl.SSLContext] = None
        if zone.tls:
            ctx = ssl.create_default_context()
            ctx.set_alpn_protocols(["h2"])
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(zone.host, zone.port, ssl=ctx, server_hostname=zone.host if ctx else None),
            timeout,
        )
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with suppress(OSError):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        if ctx is not None:
            ssl_obj = writer.get_extra_info("ssl_object")
            if ssl_obj is not None and ssl_obj.selected_alpn_protocol() != "h2":
                writer.close()
                raise ConnectionError(f"{zone.authority} did not negotiate HTTP/2")
        conn = cls(reader, writer)
        conn._h2.initiate_connection()
        conn._flush()
        conn._read_task = asyncio.ensure_future(conn._read_loop())
        return conn

    # ---- sending --------------------------------------------------------

    def _flush(self) -> None:
        data = self._h2.data_to_send()
        if data and not self._writer.is_closing():
            self._writer.write(data)

    async def request(self, headers: Headers, body: bytes = b"", timeout: Optional[float] = None) -> tuple[int, Headers, bytes]:
        """Sends one request; returns ``(status, headers, body)`` once the
        response has ended. Raises :class:`StreamReset` if it cannot."""
        if self.closed.is_set():
            raise StreamReset("connection closed")
        try:
            stream_id = self._h2.get_next_available_stream_id()
            stream = _Stream()
            self._streams[stream_id] = stream
            self._h2.send_headers(stream_id, headers, end_stream=not body)
            self._flush()
        except h2.exceptions.ProtocolError as exc:
            raise StreamReset(f"cannot open a stream: {exc}") from exc
        try:
            if body:
                await self._send_body(stream_id, body)
            await self._writer.drain()
            await asyncio.wait_for(stream.done.wait(), timeout)
        finally:
            self._streams.pop(stream_id, None)
        if stream.reset or stream.headers is None:
            raise StreamReset("stream reset")
        status = next((v for k, v in stream.headers if k == ":status"), "0")
        return int(status) if status.isdigit() else 0, stream.headers, bytes(stream.body)

    async def _send_body(self, stream_id: int, body: bytes) -> None:
        view = memoryview(body)
        while view:
            if self.closed.is_set():
                raise StreamReset("connection closed")
            window = self._h2.local_flow_control_window(stream_id)
            n = min(window, self._h2.max_outbound_frame_size, len(view))
            if n <= 0:
                self._window.clear()
                await self._window.wait()
                continue
            self._h2.send_data(stream_id, bytes(view[:n]), end_stream=n == len(view))
            self._flush()
            view = view[n:]
            await self._writer.drain()

    async def ping(self, timeout: float) -> bool:
        """Sends a PING; whether its ACK arrived within ``timeout`` seconds."""
        if self.closed.is_set():
            return False
        payload = os.urandom(8)
        acked = asyncio.Event()
        self._pings[payload] = acked
        try:
            self._h2.ping(payload)
            self._flush()
            await asyncio.wait_for(acked.wait(), timeout)
            return not self.closed.is_set()
        except (asyncio.TimeoutError, h2.exceptions.ProtocolError):
            return False
        finally:
            self._pings.pop(payload, None)

    # ---- receiving ------------------------------------------------------

    async def _read_loop(self) -> None:
        try:
            while True:
                data = await self._reader.read(_READ_CHUNK)
                if not data:
                    break
                events = self._h2.receive_data(data)
                for event in events:
                    if not self._handle(event):
                        return
                self._flush()
        except (OSError, h2.exceptions.ProtocolError):
            pass
        finally:
            self._mark_closed()

    def _handle(self, event: h2.events.Event) -> bool:
        if isinstance(event, h2.events.ResponseReceived):
            s = self._streams.get(event.stream_id)
            if s is not None and event.headers is not None:
                s.headers = [(_text(k), _text(v)) for k, v in event.headers]
        elif isinstance(event, h2.events.DataReceived):
            if event.data:
                s = self._streams.get(event.stream_id or 0)
                if s is not None:
                    s.body.extend(event.data)
            if event.flow_controlled_length and event.stream_id:
                with suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                    self._h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            s = self._streams.get(event.stream_id or 0)
            if s is not None:
                s.done.set()
        elif isinstance(event, h2.events.StreamReset):
            s = self._streams.get(event.stream_id or 0)
            if s is not None:
                s.reset = True
                s.done.set()
            self._window.set()
        elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
            self._window.set()
        elif isinstance(event, h2.events.PingAckReceived):
            acked = self._pings.get(bytes(event.ping_data or b""))
            if acked is not None:
                acked.set()
        elif isinstance(event, h2.events.ConnectionTerminated):
            return False
        return True

    def _mark_closed(self) -> None:
        self.closed.set()
        self._window.set()
        for acked in self._pings.values():
            acked.set()
        for s in self._streams.values():
            s.reset = True
            s.done.set()

    async def close(self) -> None:
        """Closes the connection (pending requests raise :class:`StreamReset`)."""
        self._mark_closed()
        with suppress(Exception):
            self._h2.close_connection()
            self._flush()
        with suppress(Exception):
            self._writer.close()
        task = self._read_task
        if task is not None and not task.done() and task is not asyncio.current_task():
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task
        with suppress(Exception):
            await asyncio.wait_for(self._writer.wait_closed(), 2.0)


def _text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)
