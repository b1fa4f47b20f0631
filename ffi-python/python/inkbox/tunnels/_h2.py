"""A small HTTP/2 client connection over asyncio streams and the ``h2``
state machine: buffered request/response exchanges, with flow control on
the request body, plus open-ended bidirectional streams (extended CONNECT,
RFC 8441) for the bridges. Enough for the tunnel's system streams (hello,
intake, response, ``/_system/ws/...``); the data plane's rules are in
``inkbox._native``."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
from contextlib import suppress
from typing import Optional

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions

from inkbox import _native

__all__ = ["H2Connection", "H2Stream", "StreamReset"]

Headers = list[tuple[str, str]]

_READ_CHUNK = 65536
_STREAM_EVENTS = (
    h2.events.ResponseReceived,
    h2.events.DataReceived,
    h2.events.StreamEnded,
    h2.events.StreamReset,
)


class StreamReset(ConnectionError):
    """The stream (or the whole connection) ended before a full response."""


class _Stream:
    __slots__ = ("body", "done", "headers", "reset")

    def __init__(self) -> None:
        self.headers: Optional[Headers] = None
        self.body = bytearray()
        self.done = asyncio.Event()
        self.reset = False


class H2Stream:
    """An open-ended stream (see :meth:`H2Connection.open_stream`): the
    response headers, then DATA both ways until either side ends it. Received
    data is credited back to the peer's flow-control window only as
    :meth:`read` hands it out, so a slow consumer slows the sender."""

    def __init__(self, conn: H2Connection, stream_id: int) -> None:
        self._conn = conn
        self.stream_id = stream_id
        self.headers: Optional[Headers] = None
        self._responded = asyncio.Event()
        self._chunks: asyncio.Queue[Optional[tuple[bytes, int]]] = asyncio.Queue()
        self.reset = False
        self.ended = False
        self._sent_end = False

    @property
    def status(self) -> int:
        status = next((v for k, v in self.headers or [] if k == ":status"), "0")
        return int(status) if status.isdigit() else 0

    async def response(self, timeout: Optional[float] = None) -> int:
        """Waits for the response headers; their ``:status``. Raises
        :class:`StreamReset` if the stream ends first."""
        await asyncio.wait_for(self._responded.wait(), timeout)
        if self.headers is None:
            raise StreamReset("stream reset before a response")
        return self.status

    async def read(self) -> bytes:
        """The next DATA payload; ``b""`` once the peer ended or reset the stream."""
        if self.ended:
            return b""
        item = await self._chunks.get()
        if item is None:
            self.ended = True
            return b""
        data, flow = item
        if flow:
            self._conn._credit(self.stream_id, flow)
        return data

    async def write(self, data: bytes, end_stream: bool = False) -> None:
        """Sends DATA (flow controlled); raises :class:`StreamReset` when the
        stream or connection is gone."""
        if self._sent_end:
            raise StreamReset("stream already ended")
        if end_stream:
            self._sent_end = True
        if not data:
            if end_stream:
                self._conn._end_stream(self.stream_id)
            return
        await self._conn._send_body(self.stream_id, data, end_stream=end_stream)

    async def end(self) -> None:
        """Half-closes the stream (END_STREAM) unless already done."""
        if not self._sent_end and not self.reset and not self._conn.closed.is_set():
            self._sent_end = True
            self._conn._end_stream(self.stream_id)
            with suppress(Exception):
                await self._conn._writer.drain()

    def abort(self) -> None:
        """Resets the stream (RST_STREAM CANCEL) and forgets it."""
        self._conn._reset_stream(self.stream_id)
        self._finish(reset=True)

    def _finish(self, reset: bool) -> None:
        if reset:
            self.reset = True
        self._responded.set()
        self._chunks.put_nowait(None)


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
        self._open: dict[int, H2Stream] = {}

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

    async def open_stream(self, headers: Headers) -> H2Stream:
        """Opens a stream whose request does not end (an extended CONNECT);
        read and write it through the returned :class:`H2Stream`."""
        if self.closed.is_set():
            raise StreamReset("connection closed")
        try:
            stream_id = self._h2.get_next_available_stream_id()
            stream = H2Stream(self, stream_id)
            self._open[stream_id] = stream
            self._h2.send_headers(stream_id, headers, end_stream=False)
            self._flush()
        except h2.exceptions.ProtocolError as exc:
            raise StreamReset(f"cannot open a stream: {exc}") from exc
        await self._writer.drain()
        return stream

    def _credit(self, stream_id: int, n: int) -> None:
        with suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            self._h2.acknowledge_received_data(n, stream_id)
            self._flush()

    def _end_stream(self, stream_id: int) -> None:
        with suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            self._h2.end_stream(stream_id)
            self._flush()

    def _reset_stream(self, stream_id: int) -> None:
        self._open.pop(stream_id, None)
        with suppress(h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError):
            self._h2.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
            self._flush()

    async def _send_body(self, stream_id: int, body: bytes, end_stream: bool = True) -> None:
        view = memoryview(body)
        while view:
            if self.closed.is_set():
                raise StreamReset("connection closed")
            try:
                window = self._h2.local_flow_control_window(stream_id)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, KeyError) as exc:
                raise StreamReset(f"stream closed: {exc}") from exc
            n = min(window, self._h2.max_outbound_frame_size, len(view))
            if n <= 0:
                self._window.clear()
                await self._window.wait()
                continue
            try:
                self._h2.send_data(stream_id, bytes(view[:n]), end_stream=end_stream and n == len(view))
            except (h2.exceptions.StreamClosedError, KeyError) as exc:
                raise StreamReset(f"stream closed: {exc}") from exc
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
        sid = getattr(event, "stream_id", None)
        if sid and sid in self._open and isinstance(event, _STREAM_EVENTS):
            self._handle_open(self._open[sid], event)
            return True
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

    def _handle_open(self, stream: H2Stream, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.ResponseReceived):
            if event.headers is not None:
                stream.headers = [(_text(k), _text(v)) for k, v in event.headers]
            stream._responded.set()
        elif isinstance(event, h2.events.DataReceived):
            data, flow = bytes(event.data or b""), event.flow_controlled_length or 0
            if data:
                stream._chunks.put_nowait((data, flow))
            elif flow:  # an empty (padded) DATA frame: not the end, nothing to read
                self._credit(stream.stream_id, flow)
        elif isinstance(event, h2.events.StreamEnded):
            self._open.pop(stream.stream_id, None)
            stream._finish(reset=False)
        elif isinstance(event, h2.events.StreamReset):
            self._open.pop(stream.stream_id, None)
            stream._finish(reset=True)
            self._window.set()

    def _mark_closed(self) -> None:
        self.closed.set()
        self._window.set()
        for acked in self._pings.values():
            acked.set()
        for s in self._streams.values():
            s.reset = True
            s.done.set()
        for o in list(self._open.values()):
            o._finish(reset=True)
        self._open.clear()

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
