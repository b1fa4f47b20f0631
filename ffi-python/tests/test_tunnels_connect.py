"""``inkbox.tunnels.connect(...)`` against the emulator's data plane: a
public request (Host ``{handle}.localhost`` on the emulator's port) reaches
a local HTTP server or an in-process ASGI app and the reply comes back."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from inkbox import AsyncInkbox, Inkbox
from inkbox.exceptions import (
    InkboxAPIError,
    InkboxValidationError,
    TunnelAuthError,
    TunnelNameInvalid,
    TunnelNotProvisioned,
)
from inkbox.tunnels._listener import TunnelListener

from conftest import EmulatorProcess


class _Echo(BaseHTTPRequestHandler):
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
        self.send_response(201)
        self.send_header("content-type", "application/json")
        self.send_header("x-echo", "yes")
        self.send_header("set-cookie", "a=1")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = _reply

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


@pytest.fixture()
def handle(client: Inkbox) -> str:
    name = f"tun-{uuid.uuid4().hex[:10]}"
    client.create_identity(name)
    return name


async def _asgi_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    assert scope["type"] == "http"
    message = await receive()
    out = json.dumps(
        {
            "method": scope["method"],
            "path": scope["path"],
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "body": message["body"].decode(),
            "client": scope["client"][0],
        }
    ).encode()
    await send({"type": "http.response.start", "status": 202, "headers": [(b"content-type", b"application/json"), (b"x-app", b"asgi")]})
    await send({"type": "http.response.body", "body": out})


def _public(emulator: EmulatorProcess, handle: str, method: str, path: str, **kw: Any) -> httpx.Response:
    headers = {"host": f"{handle}.localhost", **kw.pop("headers", {})}
    return httpx.request(method, emulator.url + path, headers=headers, timeout=30, **kw)


def _no_listener_threads() -> bool:
    return not any(t.name == "inkbox-tunnel" and t.is_alive() for t in threading.enumerate())


def test_forward_to_url_round_trip(
    emulator: EmulatorProcess, client: Inkbox, handle: str, local_server: str, tmp_path: Path
) -> None:
    statuses: list[str] = []
    listener = client.tunnels.connect(
        name=handle, forward_to=local_server + "/base", state_dir=tmp_path, on_status=statuses.append
    )
    assert isinstance(listener, TunnelListener)
    port = emulator.url.rsplit(":", 1)[1]
    assert listener.public_url == f"http://{handle}.localhost:{port}"
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["name"] == handle and state["mode"] == "edge"
    assert state["tunnel_id"] == str(listener.tunnel.id)
    with listener:
        assert listener.connected
        resp = _public(
            emulator,
            handle,
            "POST",
            "/hook/a?x=1&y=two",
            content=b'{"hello": "tunnel"}',
            headers={"content-type": "application/json", "x-custom": "v1", "x-forwarded-for": "6.6.6.6"},
        )
        assert resp.status_code == 201, resp.text
        assert resp.headers["x-echo"] == "yes"
        assert resp.headers["set-cookie"] == "a=1"
        seen = resp.json()
        assert seen["method"] == "POST"
        assert seen["path"] == "/base/hook/a?x=1&y=two"
        assert seen["body"] == '{"hello": "tunnel"}'
        assert seen["headers"]["x-custom"] == "v1"
        assert seen["headers"]["x-forwarded-host"] == f"{handle}.localhost"
        assert seen["headers"]["host"] == local_server.split("//", 1)[1]
        assert seen["headers"]["x-forwarded-for"] != "6.6.6.6"
        # A second request on the same connection, another method.
        resp = _public(emulator, handle, "GET", "/again")
        assert resp.status_code == 201 and resp.json()["path"] == "/base/again"
    assert not listener.connected
    assert _no_listener_threads()
    assert statuses[0] == "connecting" and "connected" in statuses and statuses[-1] == "closed"
    # Nobody listening any more: the public side answers with an error.
    assert _public(emulator, handle, "GET", "/gone").status_code >= 500


def test_asgi_app_by_tunnel_id(emulator: EmulatorProcess, client: Inkbox, handle: str, tmp_path: Path) -> None:
    tunnel = client.get_identity(handle).tunnel
    with client.tunnels.connect(tunnel_id=tunnel.id, forward_to=_asgi_app, state_dir=tmp_path, pool_size=2) as listener:
        assert listener.tunnel.id == tunnel.id
        resp = _public(emulator, handle, "PUT", "/items/caf%C3%A9?q=1", content=b"abc")
        assert resp.status_code == 202, resp.text
        assert resp.headers["x-app"] == "asgi"
        seen = resp.json()
        assert seen["method"] == "PUT"
        assert seen["path"] == "/items/café"
        assert seen["query"] == "q=1"
        assert seen["body"] == "abc"
        assert seen["headers"]["host"] == f"{handle}.localhost"
        assert seen["client"] not in ("", "unknown")
    assert _no_listener_threads()


def test_wait_returns_after_close_from_another_thread(
    emulator: EmulatorProcess, client: Inkbox, handle: str, local_server: str, tmp_path: Path
) -> None:
    listener = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
    done = threading.Event()

    def serve() -> None:
        listener.wait()
        done.set()

    t = threading.Thread(target=serve)
    t.start()
    for _ in range(200):
        if listener.connected:
            break
        threading.Event().wait(0.05)
    assert listener.connected
    assert _public(emulator, handle, "GET", "/w").status_code == 201
    listener.close()
    t.join(10)
    assert done.is_set() and not t.is_alive()
    assert _no_listener_threads()


def test_inbound_path_traversal_is_refused(
    emulator: EmulatorProcess, client: Inkbox, handle: str, local_server: str, tmp_path: Path
) -> None:
    with client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path):
        resp = _public(emulator, handle, "GET", "/a/%2e%2e/secret")
        assert resp.status_code == 400


def test_bad_api_key(emulator: EmulatorProcess, handle: str, local_server: str, tmp_path: Path) -> None:
    with Inkbox(api_key="ApiKey_not_a_real_key", base_url=emulator.url, max_attempts=1) as bad:
        with pytest.raises(InkboxAPIError) as info:
            bad.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
        assert info.value.status_code in (401, 403)


def test_hello_refusal_is_permanent(
    emulator: EmulatorProcess, client: Inkbox, handle: str, local_server: str, tmp_path: Path
) -> None:
    listener = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
    listener._rt.api_key = "ApiKey_not_a_real_key"  # refused by the data plane, not by REST
    with pytest.raises(TunnelAuthError):
        listener.start(timeout=20)
    assert _no_listener_threads()
    listener = client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
    listener._rt.api_key = "ApiKey_not_a_real_key"
    with pytest.raises(TunnelAuthError):
        listener.wait()


def test_argument_checks(client: Inkbox, handle: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        client.tunnels.connect(name=handle, forward_to="http://127.0.0.1:1", pool_size=0, state_dir=tmp_path)
    with pytest.raises(InkboxValidationError):
        client.tunnels.connect(name=handle, forward_to="http://example.com", state_dir=tmp_path)
    with pytest.raises(TypeError):
        client.tunnels.connect(forward_to="http://127.0.0.1:1")
    with pytest.raises(TunnelNotProvisioned):
        client.tunnels.connect(name="no-such-tunnel-here", forward_to="http://127.0.0.1:1", state_dir=tmp_path)


@pytest.mark.parametrize(
    "bad",
    ["@@tun-abc", "tun_abc", "tun abc", "t", "-tun", "tun--abc", "TUN-\u0130X", "tun-\u00e9t\u00e9"],
)
def test_invalid_tunnel_name_raises_before_any_request(emulator: EmulatorProcess, bad: str, tmp_path: Path) -> None:
    """Core's name rule (one leading ``@``, ASCII case folding, the handle
    checks) decides: a bad name is ``TunnelNameInvalid`` and nothing is sent."""
    sent: list[str] = []

    def transport(req: Any) -> Any:
        sent.append(req.url)
        return 500, [], b""

    with Inkbox(api_key=emulator.admin_key, base_url=emulator.url, transport=transport) as c:
        with pytest.raises(TunnelNameInvalid) as err:
            c.tunnels.connect(name=bad, forward_to="http://127.0.0.1:1", state_dir=tmp_path)
    assert err.value.code == "api.validation"
    assert sent == []


def test_tunnel_name_normalized_by_core(client: Inkbox, handle: str, local_server: str, tmp_path: Path) -> None:
    listener = client.tunnels.connect(name="@" + handle.upper(), forward_to=local_server, state_dir=tmp_path)
    assert listener.tunnel.tunnel_name == handle
    assert json.loads((tmp_path / "state.json").read_text())["name"] == handle


def test_async_client(emulator: EmulatorProcess, handle: str, local_server: str, tmp_path: Path) -> None:
    async def main() -> None:
        async with AsyncInkbox(api_key=emulator.admin_key, base_url=emulator.url) as client:
            listener = await client.tunnels.connect(name=handle, forward_to=_asgi_app, state_dir=tmp_path)
            async with listener:
                async with httpx.AsyncClient(timeout=30) as http:
                    resp = await http.post(
                        emulator.url + "/x?y=1", content=b"async", headers={"host": f"{handle}.localhost"}
                    )
                assert resp.status_code == 202, resp.text
                assert resp.json()["body"] == "async"
            assert not listener.connected

            listener = await client.tunnels.connect(name=handle, forward_to=local_server, state_dir=tmp_path)
            server = asyncio.ensure_future(listener.serve_forever())
            for _ in range(400):
                if listener.connected:
                    break
                await asyncio.sleep(0.025)
            async with httpx.AsyncClient(timeout=30) as http:
                resp = await http.get(emulator.url + "/sf", headers={"host": f"{handle}.localhost"})
            assert resp.status_code == 201
            await listener.aclose()
            await asyncio.wait_for(server, 10)

    asyncio.run(main())
    assert _no_listener_threads()


def test_zone_connection_answers_ping(emulator: EmulatorProcess) -> None:
    from inkbox import _native
    from inkbox.tunnels._h2 import H2Connection

    async def main() -> None:
        zone = _native.TunnelZone(emulator.url.split("//", 1)[1])
        assert not zone.tls and zone.scheme == "http"
        conn = await H2Connection.open(zone)
        try:
            assert await conn.ping(10)
        finally:
            await conn.close()
        assert not await conn.ping(1)

    asyncio.run(main())
