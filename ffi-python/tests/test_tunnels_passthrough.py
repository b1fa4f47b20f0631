"""Passthrough tunnels: ``connect`` signs a CSR into the state directory, and
a real TLS client reaching the emulator's port with SNI ``{handle}.localhost``
is served by the listener (TLS terminated in the agent) and ``forward_to``.

The emulator's certificates are signed by a fake CA with a meaningless
signature, so the client checks the served leaf against
``cert_fingerprint_sha256`` instead of a chain."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import socket
import ssl
import stat
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from inkbox import AsyncInkbox, Inkbox, _native
from inkbox.exceptions import TunnelError
from inkbox.tunnels._passthrough import CERT_FILE, KEY_FILE

from conftest import EmulatorProcess


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _reply(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        out = json.dumps(
            {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body.decode("utf-8", "replace"),
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture()
def client(emulator: EmulatorProcess) -> Iterator[Inkbox]:
    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url) as c:
        yield c


def _no_listener_threads() -> bool:
    return not any(t.name == "inkbox-tunnel" and t.is_alive() for t in threading.enumerate())


def _tls(emulator: EmulatorProcess, host: str) -> ssl.SSLSocket:
    port = int(emulator.url.rsplit(":", 1)[1])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE  # checked by fingerprint below
    ctx.set_alpn_protocols(["http/1.1"])
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    return ctx.wrap_socket(raw, server_hostname=host)


def _read_response(sock: ssl.SSLSocket, buf: bytearray) -> tuple[int, dict[str, str], bytes]:
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        assert chunk, "connection closed before a response"
        buf.extend(chunk)
    head, _, rest = bytes(buf).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    length = int(headers["content-length"])
    body = bytearray(rest)
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk
        body.extend(chunk)
    buf[:] = body[length:]
    return status, headers, bytes(body[:length])


def test_passthrough_connect_signs_and_serves_tls(
    emulator: EmulatorProcess, client: Inkbox, local_server: str, tmp_path: Path
) -> None:
    handle = f"pt-{uuid.uuid4().hex[:10]}"
    identity = client.create_identity(handle, tunnel={"tls_mode": "passthrough"})
    assert identity.tunnel is not None
    assert str(getattr(identity.tunnel.status, "value", identity.tunnel.status)) == "awaiting_cert"
    state_dir = tmp_path / "state"
    listener = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=state_dir)
    # The key and the signed chain are in the state directory, private.
    assert stat.S_IMODE(os.stat(state_dir).st_mode) == 0o700
    for name in (KEY_FILE, CERT_FILE, "state.json"):
        assert stat.S_IMODE(os.stat(state_dir / name).st_mode) == 0o600, name
    assert (state_dir / KEY_FILE).read_text().startswith("-----BEGIN PRIVATE KEY-----")
    chain = (state_dir / CERT_FILE).read_text()
    assert chain.count("-----BEGIN CERTIFICATE-----") == 2
    assert json.loads((state_dir / "state.json").read_text())["mode"] == "passthrough"
    tunnel = client.tunnels.get(listener.tunnel.id)
    assert str(getattr(tunnel.status, "value", tunnel.status)) == "active"
    assert tunnel.cert_fingerprint_sha256
    host = f"{handle}.localhost"
    with listener:
        with _tls(emulator, host) as sock:
            leaf = sock.getpeercert(binary_form=True)
            assert leaf is not None
            assert hashlib.sha256(leaf).hexdigest() == tunnel.cert_fingerprint_sha256.lower().replace(":", "")
            assert sock.selected_alpn_protocol() == "http/1.1"
            buf = bytearray()
            # Two requests on one TLS connection (keep-alive), one with a body.
            sock.sendall(f"GET /one?x=1 HTTP/1.1\r\nHost: {host}\r\nX-Custom: v1\r\n\r\n".encode())
            status, headers, body = _read_response(sock, buf)
            assert status == 200, body
            seen = json.loads(body)
            assert seen["method"] == "GET" and seen["path"] == "/one?x=1"
            assert seen["headers"]["x-custom"] == "v1"
            assert seen["headers"]["x-forwarded-host"] == host
            payload = b"hello " * 1000
            sock.sendall(
                f"POST /two HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
                + f"{len(payload):x}\r\n".encode()
                + payload
                + b"\r\n0\r\n\r\n"
            )
            status, headers, body = _read_response(sock, buf)
            assert status == 200
            seen = json.loads(body)
            assert seen["method"] == "POST" and seen["path"] == "/two"
            assert seen["body"] == payload.decode()
            assert seen["headers"]["content-length"] == str(len(payload))
            # Connection: close is honoured.
            sock.sendall(f"GET /three HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            status, _, body = _read_response(sock, buf)
            assert status == 200 and json.loads(body)["path"] == "/three"
    assert _no_listener_threads()

    # Reconnecting reuses the stored key and certificate: no new sign-csr.
    issued = len([c for c in emulator.control("GET", "/_emulator/tunnels/certs")["issued"] if c["tunnel_id"] == str(tunnel.id)])
    key_before = (state_dir / KEY_FILE).read_bytes()
    with client.tunnels.connect(name=handle, forward_to=local_server, state_dir=state_dir):
        with _tls(emulator, host) as sock:
            sock.sendall(f"GET /again HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            status, _, body = _read_response(sock, bytearray())
            assert status == 200 and json.loads(body)["path"] == "/again"
    issued_after = [c for c in emulator.control("GET", "/_emulator/tunnels/certs")["issued"] if c["tunnel_id"] == str(tunnel.id)]
    assert len(issued_after) == issued == 1
    assert (state_dir / KEY_FILE).read_bytes() == key_before
    assert _no_listener_threads()


def test_passthrough_resigns_when_the_certificate_is_missing(
    client: Inkbox, local_server: str, tmp_path: Path
) -> None:
    handle = f"pt-{uuid.uuid4().hex[:10]}"
    client.create_identity(handle, tunnel={"tls_mode": "passthrough"})
    first = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
    fp1 = client.tunnels.get(first.tunnel.id).cert_fingerprint_sha256
    (tmp_path / CERT_FILE).unlink()
    second = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
    fp2 = client.tunnels.get(second.tunnel.id).cert_fingerprint_sha256
    assert fp1 and fp2 and fp1 != fp2
    # A key file that is not a key is reported, not overwritten.
    (tmp_path / KEY_FILE).write_text("garbage")
    with pytest.raises(TunnelError):
        client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)


def test_native_key_and_csr() -> None:
    key = _native.TunnelKey.generate()
    assert repr(key) == "TunnelKey(<redacted>)"
    pem = key.to_pem()
    again = _native.TunnelKey.from_pem(pem.decode())
    assert again.public_key_der == key.public_key_der
    csr = key.csr_pem("a.localhost")
    assert csr.startswith("-----BEGIN CERTIFICATE REQUEST-----")
    assert key.needs_sign(False, None) == "missing"
    assert key.needs_sign(True, None) == "awaiting_cert"


def test_native_ws_frames() -> None:
    frame = _native.ws_frame_encode("binary", b"abc", mask=b"\x01\x02\x03\x04")
    dec = _native.WsFrameDecoder()
    dec.feed(frame[:3])
    assert dec.next_frame() is None
    dec.feed(frame[3:] + _native.ws_frame_encode("close", _native.ws_close_payload(1000, "bye")))
    frames = dec.frames()
    assert [(f.opcode, f.payload, f.masked) for f in frames[:1]] == [("binary", b"abc", True)]
    assert _native.ws_parse_close(frames[1].payload) == (1000, "bye")
    with pytest.raises(TunnelError):
        bad = _native.WsFrameDecoder(max_payload=2)
        bad.feed(_native.ws_frame_encode("binary", b"abc"))
        bad.next_frame()


async def _asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    message = await receive()
    out = json.dumps({"path": scope["path"], "body": message["body"].decode()}).encode()
    await send({"type": "http.response.start", "status": 202, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": out})


def test_passthrough_async_client_and_asgi_app(emulator: EmulatorProcess, tmp_path: Path) -> None:
    handle = f"pt-{uuid.uuid4().hex[:10]}"
    host = f"{handle}.localhost"

    def tls_request() -> tuple[int, bytes]:
        with _tls(emulator, host) as sock:
            sock.sendall(f"POST /asgi HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\n\r\nhello".encode())
            status, _, body = _read_response(sock, bytearray())
            return status, body

    async def main() -> None:
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            await client.create_identity(handle, tunnel={"tls_mode": "passthrough"})
            listener = await client.tunnels.connect(name=handle, forward_to=_asgi_app, state_dir=tmp_path)
            assert (tmp_path / CERT_FILE).is_file()
            async with listener:
                status, body = await asyncio.get_running_loop().run_in_executor(None, tls_request)
            assert status == 202
            assert json.loads(body) == {"path": "/asgi", "body": "hello"}

    asyncio.run(main())


def test_passthrough_headers_come_from_core() -> None:
    """The envelope of a request read off a passthrough stream and the tcp
    CONNECT are built by core: ``proxy-connection`` (in core's hop-by-hop
    list) and the other connection headers are dropped, and the envelope
    round-trips through core's ``to_headers``/``parse_envelope``."""
    import h11

    from inkbox.tunnels import _passthrough

    zone = _native.TunnelZone("localhost:80")
    assert zone.tcp_connect_headers("tid", "key", "t1") == [
        (":method", "CONNECT"),
        (":scheme", "http"),
        (":authority", "localhost:80"),
        (":path", "/_system/tcp/t1"),
        (":protocol", "inkbox-tunnel-tcp"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-protocol", "inkbox-tunnel-tcp"),
        ("x-tunnel-id", "tid"),
        ("x-api-key", "key"),
        ("inkbox-tcp-id", "t1"),
    ]

    class _Bridge:
        env = _native.tunnel_parse_envelope(
            [("inkbox-request-id", "r"), ("inkbox-route-kind", "tcp-stream"), ("inkbox-tcp-id", "t1"),
             ("inkbox-forwarded-for", "203.0.113.9")]
        )
        requests = 0

    req = h11.Request(
        method="POST",
        target="/hook?x=1",
        headers=[("Host", "bot.localhost"), ("Proxy-Connection", "keep-alive"), ("Connection", "keep-alive"),
                 ("Content-Type", "text/plain"), ("X-A", "1")],
    )
    env = _passthrough._TcpBridge.envelope(_Bridge(), req)  # type: ignore[arg-type]
    assert env is not None
    assert (env.request_id, env.method, env.path, env.forwarded_for) == ("t1-1", "POST", "/hook?x=1", "203.0.113.9")
    assert env.headers == [("content-type", "text/plain"), ("x-a", "1")]
    again = _native.tunnel_parse_envelope(env.to_headers())
    assert again is not None and again.headers == env.headers and again.request_id == "t1-1"
