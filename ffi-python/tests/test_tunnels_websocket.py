"""WebSocket upgrades through ``inkbox.tunnels.connect(...)`` against the
emulator: a third-party WebSocket client (on the emulator's port, Host
``{handle}.localhost``) talks to a local WebSocket server behind a URL
``forward_to`` or to an ASGI websocket app."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import socket
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Optional

import pytest

from inkbox import Inkbox

from conftest import EmulatorProcess

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONT = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


def _accept(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def _frame(opcode: int, payload: bytes, *, mask: bool, fin: bool = True) -> bytes:
    head = bytearray([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head.append(bit | n)
    elif n < 65536:
        head.append(bit | 126)
        head += struct.pack(">H", n)
    else:
        head.append(bit | 127)
        head += struct.pack(">Q", n)
    if not mask:
        return bytes(head) + payload
    key = os.urandom(4)
    return bytes(head) + key + bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def _parse(buf: bytearray) -> Optional[tuple[int, bool, bytes]]:
    if len(buf) < 2:
        return None
    fin, op = bool(buf[0] & 0x80), buf[0] & 0x0F
    masked, n, off = bool(buf[1] & 0x80), buf[1] & 0x7F, 2
    if n == 126:
        if len(buf) < 4:
            return None
        n, off = struct.unpack(">H", bytes(buf[2:4]))[0], 4
    elif n == 127:
        if len(buf) < 10:
            return None
        n, off = struct.unpack(">Q", bytes(buf[2:10]))[0], 10
    key = b""
    if masked:
        if len(buf) < off + 4:
            return None
        key, off = bytes(buf[off : off + 4]), off + 4
    if len(buf) < off + n:
        return None
    payload = bytes(buf[off : off + n])
    if masked:
        payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
    del buf[: off + n]
    return op, fin, payload


# ---- the third party -----------------------------------------------------------------


class ThirdParty:
    """A small blocking WebSocket client."""

    def __init__(self, port: int, host: str, path: str = "/", protocols: Optional[str] = None) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Version: 13",
            f"Sec-WebSocket-Key: {key}",
            "X-Custom: third",
        ]
        if protocols:
            lines.append(f"Sec-WebSocket-Protocol: {protocols}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = bytearray()
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            assert chunk, "connection closed during the handshake"
            self.buf += chunk
        end = self.buf.index(b"\r\n\r\n")
        head = self.buf[:end].decode("latin-1").split("\r\n")
        del self.buf[: end + 4]
        self.status = int(head[0].split(" ")[1])
        self.headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
        if self.status == 101:
            assert self.headers["sec-websocket-accept"] == _accept(key)

    def send(self, opcode: int, payload: bytes, fin: bool = True) -> None:
        self.sock.sendall(_frame(opcode, payload, mask=True, fin=fin))

    def text(self, s: str) -> None:
        self.send(TEXT, s.encode())

    def close(self, code: int, reason: str = "") -> None:
        self.send(CLOSE, struct.pack(">H", code) + reason.encode())

    def recv(self) -> tuple[int, bytes]:
        """The next message (fragments joined; pongs skipped); ``(-1, b"")`` on EOF."""
        op_msg, data = -1, bytearray()
        while True:
            got = _parse(self.buf)
            if got is None:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return -1, b""
                self.buf += chunk
                continue
            op, fin, payload = got
            if op == PONG:
                continue
            if op in (TEXT, BINARY):
                op_msg, data = op, bytearray(payload)
            elif op == CONT:
                data += payload
            else:
                return op, payload
            if fin:
                return op_msg, bytes(data)

    def recv_close(self) -> int:
        while True:
            op, payload = self.recv()
            if op == -1:
                return -1
            if op == CLOSE:
                code: int = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                return code

    def shutdown(self) -> None:
        with_suppress(self.sock.close)


def with_suppress(fn: Any) -> None:
    try:
        fn()
    except OSError:
        pass


# ---- the local WebSocket server (URL forward_to) --------------------------------------


class EchoServer:
    """An asyncio WebSocket echo server on 127.0.0.1 (its own thread)."""

    def __init__(self) -> None:
        self.closes: list[int] = []
        self.requests: list[dict[str, str]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop
        ).result(10)
        self.port = self.server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        async def shut() -> None:
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(shut(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
        headers[":path"] = lines[0].split(" ")[1]
        self.requests.append(headers)
        if "/refuse" in headers[":path"]:
            writer.write(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        out = [
            "HTTP/1.1 101 Switching Protocols",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Accept: {_accept(headers['sec-websocket-key'])}",
            "X-Upstream: yes",
        ]
        offered = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",")]
        if "chat" in offered:
            out.append("Sec-WebSocket-Protocol: chat")
        writer.write(("\r\n".join(out) + "\r\n\r\n").encode())
        buf = bytearray()
        try:
            while True:
                got = _parse(buf)
                if got is None:
                    chunk = await reader.read(65536)
                    if not chunk:
                        return
                    buf += chunk
                    continue
                op, fin, payload = got
                assert fin
                if op == TEXT:
                    text = payload.decode()
                    if text.startswith("close-me:"):
                        writer.write(_frame(CLOSE, struct.pack(">H", int(text[9:])), mask=False))
                        continue
                    if text == "ping-me":
                        writer.write(_frame(PING, b"pp", mask=False))
                        continue
                    writer.write(_frame(TEXT, b"echo:" + payload, mask=False))
                elif op == BINARY:
                    writer.write(_frame(BINARY, payload[::-1], mask=False))
                elif op == PONG:
                    writer.write(_frame(TEXT, b"pong:" + payload, mask=False))
                elif op == CLOSE:
                    code = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else 1005
                    self.closes.append(code)
                    writer.write(_frame(CLOSE, payload[:2], mask=False))
                    await writer.drain()
                    return
                await writer.drain()
        finally:
            writer.close()


@pytest.fixture()
def echo_server() -> Iterator[EchoServer]:
    server = EchoServer()
    yield server
    server.stop()


# ---- the ASGI app ---------------------------------------------------------------------


class WsApp:
    def __init__(self) -> None:
        self.disconnects: list[int] = []
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "websocket"
        self.scopes.append(scope)
        assert (await receive())["type"] == "websocket.connect"
        if scope["path"] == "/refuse":
            await send({"type": "websocket.close", "code": 4003})
            return
        sub = "chat" if "chat" in scope["subprotocols"] else None
        await send({"type": "websocket.accept", "subprotocol": sub, "headers": [(b"x-app", b"ws")]})
        while True:
            msg = await receive()
            if msg["type"] == "websocket.disconnect":
                self.disconnects.append(msg["code"])
                return
            if msg.get("text") is not None:
                text = msg["text"]
                if text.startswith("close-me:"):
                    await send({"type": "websocket.close", "code": int(text[9:])})
                    return
                await send({"type": "websocket.send", "text": "echo:" + text})
            else:
                await send({"type": "websocket.send", "bytes": msg["bytes"][::-1]})


# ---- tests ----------------------------------------------------------------------------


@pytest.fixture()
def client(emulator: EmulatorProcess) -> Iterator[Inkbox]:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as c:
        yield c


@pytest.fixture()
def handle(client: Inkbox) -> str:
    name = f"ws-{uuid.uuid4().hex[:10]}"
    client.create_identity(name)
    return name


def _port(emulator: EmulatorProcess) -> int:
    return int(emulator.url.rsplit(":", 1)[1])


def _wait_for(cond: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.02)
    return False


def _exchange(tp: ThirdParty) -> None:
    tp.text("hello")
    assert tp.recv() == (TEXT, b"echo:hello")
    tp.send(BINARY, b"\x00\x01\xff")
    assert tp.recv() == (BINARY, b"\xff\x01\x00")
    big = os.urandom(100_000)
    tp.send(BINARY, big)
    assert tp.recv() == (BINARY, big[::-1])
    # A fragmented text message arrives whole.
    tp.send(TEXT, "héllo ".encode(), fin=False)
    tp.send(CONT, b"world", fin=True)
    assert tp.recv() == (TEXT, "echo:héllo world".encode())
    tp.send(PING, b"x")  # answered by the zone, not relayed
    tp.text("after-ping")
    assert tp.recv() == (TEXT, b"echo:after-ping")


def test_url_forward_relays_messages_and_closes(
    emulator: EmulatorProcess, client: Inkbox, handle: str, echo_server: EchoServer, tmp_path: Path
) -> None:
    host = f"{handle}.localhost"
    with client.tunnels.connect(
        name=handle, forward_to=f"http://127.0.0.1:{echo_server.port}/base", state_dir=tmp_path
    ):
        tp = ThirdParty(_port(emulator), host, "/chat?room=1", protocols="chat, other")
        assert tp.status == 101, tp.status
        assert tp.headers.get("sec-websocket-protocol") == "chat"
        assert tp.headers.get("x-upstream") == "yes"
        seen = echo_server.requests[-1]
        assert seen[":path"] == "/base/chat?room=1"
        assert seen["host"] == f"127.0.0.1:{echo_server.port}"
        assert seen["x-forwarded-host"] == host
        assert seen["x-custom"] == "third"
        _exchange(tp)
        # The local server pings the agent: answered with a pong.
        tp.text("ping-me")
        assert tp.recv() == (TEXT, b"pong:pp")
        # The third party closes: the server sees its code, the echo comes back.
        tp.close(4001, "bye")
        assert tp.recv_close() == 4001
        assert _wait_for(lambda: echo_server.closes == [4001])
        tp.shutdown()

        # The local server closes: the third party gets its code.
        tp = ThirdParty(_port(emulator), host, "/again")
        assert tp.status == 101
        tp.text("close-me:4002")
        assert tp.recv_close() == 4002
        tp.shutdown()

        # The local server refuses the upgrade: no 101 for the third party.
        tp = ThirdParty(_port(emulator), host, "/refuse")
        assert tp.status == 403
        tp.shutdown()


def test_asgi_app_relays_messages_and_closes(
    emulator: EmulatorProcess, client: Inkbox, handle: str, tmp_path: Path
) -> None:
    app = WsApp()
    host = f"{handle}.localhost"
    with client.tunnels.connect(name=handle, forward_to=app, state_dir=tmp_path):
        tp = ThirdParty(_port(emulator), host, "/ws/caf%C3%A9?x=1", protocols="chat")
        assert tp.status == 101, tp.status
        assert tp.headers.get("sec-websocket-protocol") == "chat"
        assert tp.headers.get("x-app") == "ws"
        scope = app.scopes[-1]
        assert scope["path"] == "/ws/café" and scope["query_string"] == b"x=1"
        assert scope["scheme"] == "wss" and scope["subprotocols"] == ["chat"]
        assert dict(scope["headers"])[b"host"] == host.encode()
        _exchange(tp)
        tp.close(4001)
        assert tp.recv_close() == 4001
        assert _wait_for(lambda: app.disconnects == [4001])
        tp.shutdown()

        tp = ThirdParty(_port(emulator), host, "/second")
        assert tp.status == 101
        tp.text("close-me:4002")
        assert tp.recv_close() == 4002
        tp.shutdown()

        tp = ThirdParty(_port(emulator), host, "/refuse")
        assert tp.status == 403
        tp.shutdown()


def test_listener_close_ends_live_bridges(
    emulator: EmulatorProcess, client: Inkbox, echo_server: EchoServer, tmp_path: Path
) -> None:
    app = WsApp()
    names = [f"ws-{uuid.uuid4().hex[:10]}" for _ in range(2)]
    for name in names:
        client.create_identity(name)
    url_listener = client.tunnels.connect(
        name=names[0], forward_to=f"http://127.0.0.1:{echo_server.port}", state_dir=tmp_path / "a"
    ).start()
    asgi_listener = client.tunnels.connect(name=names[1], forward_to=app, state_dir=tmp_path / "b").start()
    try:
        tps = [ThirdParty(_port(emulator), f"{name}.localhost", "/live") for name in names]
        for tp in tps:
            assert tp.status == 101
            tp.text("up")
            assert tp.recv() == (TEXT, b"echo:up")
        url_listener.close()
        asgi_listener.close()
        for tp in tps:
            assert tp.recv_close() == 1001
            tp.shutdown()
        assert _wait_for(lambda: echo_server.closes == [4500])
        assert _wait_for(lambda: app.disconnects == [4500])
    finally:
        url_listener.close()
        asgi_listener.close()
