"""The tunnel data-plane listener behind ``inkbox.tunnels.connect(...)``.

One outbound HTTP/2 connection to the tunnel's zone: ``/_system/hello``
with the client's API key, a pool of parked ``/_system/intake`` streams,
each delivering one inbound request, which is forwarded to ``forward_to``
(a loopback URL, through httpx, or an in-process ASGI app) and answered
with ``/_system/response/{request_id}``. A refused API key (401/403 on
hello) stops the listener with :class:`~inkbox.exceptions.TunnelAuthError`;
anything else reconnects with jittered backoff. Every rule (headers,
checks, backoff) comes from ``inkbox._native``; this module moves bytes.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import ssl
import threading
import time
from contextlib import suppress
from types import FrameType, TracebackType
from typing import Any, Awaitable, Callable, Optional, Union
from urllib.parse import unquote

import httpx

from inkbox import _native
from inkbox.exceptions import TunnelAuthError, TunnelConnectError
from inkbox.tunnels._h2 import H2Connection, StreamReset
from inkbox.tunnels._websocket import serve_ws_upgrade
from inkbox.tunnels.types import Tunnel

__all__ = ["ASGIApp", "StatusCallback", "TunnelListener"]

logger = logging.getLogger("inkbox.tunnels")

Headers = list[tuple[str, str]]
#: ``async def app(scope, receive, send)``.
ASGIApp = Callable[
    [dict[str, Any], Callable[[], Awaitable[dict[str, Any]]], Callable[[dict[str, Any]], Awaitable[None]]],
    Awaitable[None],
]
#: Called with ``"connecting"``, ``"connected"``, ``"reconnecting"``, ``"closed"``.
StatusCallback = Callable[[str], None]

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024
_SYSTEM_TIMEOUT = 30.0
#: A PING every 20 s; a connection whose ACK takes over 10 s is dead
#: (a silently dropped TCP connection would otherwise park intakes forever).
PING_INTERVAL = 20.0
PING_ACK_TIMEOUT = 10.0
_FORWARD_TIMEOUT = 30.0
_TEXT = [("content-type", "text/plain; charset=utf-8")]


class _TooLarge(Exception):
    pass


class _Runtime:
    """The connection loop (one asyncio task)."""

    def __init__(
        self,
        *,
        api_key: str,
        tunnel_id: str,
        zone: _native.TunnelZone,
        public_host: str,
        forward_to: Union[_native.TunnelForwardTarget, ASGIApp],
        pool_size: Optional[int],
        on_status: Optional[StatusCallback],
        max_inbound_body_bytes: int,
        max_outbound_body_bytes: int,
        forward_to_verify_tls: bool,
        tls_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        #: Passthrough tunnels: the TLS server context (key + signed chain).
        self.tls_context = tls_context
        self.api_key = api_key
        self.tunnel_id = tunnel_id
        self.zone = zone
        self.public_host = public_host
        self.forward_to = forward_to
        self.pool_size = pool_size
        self.on_status = on_status
        self.max_in = max_inbound_body_bytes
        self.max_out = max_outbound_body_bytes
        self.verify_tls = forward_to_verify_tls
        #: Set (from the loop's thread) on every successful hello.
        self.connected = threading.Event()
        self._http: Optional[httpx.AsyncClient] = None

    def _status(self, status: str) -> None:
        if self.on_status is not None:
            try:
                self.on_status(status)
            except Exception:
                logger.exception("on_status callback raised")

    async def run(self) -> None:
        """Serves until cancelled; raises :class:`TunnelAuthError` when the
        key is refused."""
        backoff = _native.TunnelBackoff()
        self._status("connecting")
        try:
            while True:
                try:
                    await self._connect_and_serve(backoff)
                except TunnelAuthError:
                    raise
                except (OSError, asyncio.TimeoutError, StreamReset, TunnelConnectError) as exc:
                    logger.warning("tunnel connection failed: %s: %s", type(exc).__name__, exc)
                except Exception:
                    logger.exception("tunnel connection failed")
                self._status("reconnecting")
                await asyncio.sleep(backoff.next_delay())
        finally:
            self.connected.clear()
            self._status("closed")
            if self._http is not None:
                http, self._http = self._http, None
                with suppress(Exception):
                    await asyncio.shield(http.aclose())

    async def _connect_and_serve(self, backoff: _native.TunnelBackoff) -> None:
        conn = await H2Connection.open(self.zone)
        tasks: set[asyncio.Task[None]] = set()
        try:
            status, _, body = await conn.request(
                self.zone.hello_headers(self.tunnel_id, self.api_key, self.pool_size), timeout=_SYSTEM_TIMEOUT
            )
            hello = _native.tunnel_parse_hello(status, body)
            backoff.reset()
            self.connected.set()
            self._status("connected")
            for slot in range(hello.pool_size(self.pool_size)):
                tasks.add(asyncio.ensure_future(self._intake_loop(conn, hello, slot, tasks)))
            tasks.add(asyncio.ensure_future(self._keepalive(conn)))
            await conn.closed.wait()
            raise StreamReset("connection closed by the zone")
        finally:
            self.connected.clear()
            for task in list(tasks):
                task.cancel()
            for task in list(tasks):
                with suppress(asyncio.CancelledError, Exception):
                    await task
            await conn.close()

    async def _keepalive(self, conn: H2Connection) -> None:
        while not conn.closed.is_set():
            await asyncio.sleep(PING_INTERVAL)
            if not await conn.ping(PING_ACK_TIMEOUT):
                logger.warning("tunnel connection did not answer a PING; reconnecting")
                await conn.close()
                return

    async def _intake_loop(
        self, conn: H2Connection, hello: _native.TunnelHello, slot: int, tasks: set[asyncio.Task[None]]
    ) -> None:
        headers = self.zone.intake_headers(self.tunnel_id, hello.owner_token, slot)
        while not conn.closed.is_set():
            try:
                status, resp_headers, body = await conn.request(headers)
            except StreamReset:
                await asyncio.sleep(0.25)
                continue
            outcome = _native.tunnel_intake_outcome(status)
            if outcome == "reconnect":
                logger.warning("intake slot %d: owner token refused; reconnecting", slot)
                await conn.close()
                return
            if outcome == "repark":
                if status >= 300 and status != 408:  # not an idle timeout: do not spin
                    await asyncio.sleep(0.25)
                continue
            envelope = _native.tunnel_parse_envelope(resp_headers)
            if envelope is None:
                continue
            task = asyncio.ensure_future(self._dispatch(conn, hello, envelope, body))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    # ---- one inbound request ----------------------------------------------

    async def _dispatch(
        self, conn: H2Connection, hello: _native.TunnelHello, env: _native.TunnelEnvelope, body: bytes
    ) -> None:
        if env.route_kind == "ws-upgrade":
            await serve_ws_upgrade(self, conn, hello, env)
            return
        if env.route_kind == "tcp-stream":
            from inkbox.tunnels._passthrough import serve_tcp_stream

            await serve_tcp_stream(self, conn, env)
            return
        reason: Optional[str] = None
        try:
            if env.route_kind != "webhook":
                status, headers, out = 501, _TEXT, f"{env.route_kind} is not supported by this client".encode()
                reason = "unsupported-route-kind"
            elif (reason := _native.tunnel_check_inbound_path(env.path)) is not None:
                status, headers, out = 400, _TEXT, b"invalid path"
            else:
                status, headers, out, reason = await self.forward(
                    env, body, hello.response_deadline_seconds, env.request_id
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("handling inbound request %s failed", env.request_id)
            status, headers, out = 500, _TEXT, b"internal error"
            reason = "agent-error"
        reply = self.zone.response_headers(
            self.tunnel_id, self.api_key, env.request_id, status, headers, reason, len(out)
        )
        try:
            rstatus, _, _ = await conn.request(reply, out, timeout=_SYSTEM_TIMEOUT)
            if rstatus >= 400:
                logger.warning("/_system/response/%s -> %d", env.request_id, rstatus)
        except (StreamReset, OSError, asyncio.TimeoutError) as exc:
            logger.warning("could not deliver the reply to %s: %s", env.request_id, exc)

    async def forward(
        self, env: _native.TunnelEnvelope, body: bytes, deadline: Optional[float], label: str
    ) -> tuple[int, Headers, bytes, Optional[str]]:
        """``env`` handed to the local target within ``deadline`` seconds
        (``None``: no limit): its reply, or the answer for a failure with its
        ``inkbox-reason`` (504 too slow, 413/502 too large, 502 unreachable;
        ``label`` names the request in the log)."""
        try:
            status, headers, out = await asyncio.wait_for(self._handle(env, body), deadline)
            return status, headers, out, None
        except asyncio.TimeoutError:
            return 504, _TEXT, b"local handler too slow", "response-deadline-exceeded"
        except _TooLarge as exc:
            if exc.args == ("request",):
                return 413, _TEXT, b"request body too large", "request-body-too-large"
            return 502, _TEXT, b"response too large", "response-too-large"
        except (httpx.HTTPError, OSError) as exc:
            logger.warning("forwarding %s failed: %s", label, exc)
            return 502, _TEXT, b"upstream error", "upstream-error"

    async def _handle(self, env: _native.TunnelEnvelope, body: bytes) -> tuple[int, Headers, bytes]:
        if env.body_uri is not None:
            body = await self._fetch_body(env.body_uri)
        if len(body) > self.max_in:
            raise _TooLarge("request")
        if isinstance(self.forward_to, _native.TunnelForwardTarget):
            return await self._forward_url(self.forward_to, env, body)
        return await self._invoke_asgi(self.forward_to, env, body)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            client = httpx.AsyncClient(timeout=_FORWARD_TIMEOUT, verify=self.verify_tls, follow_redirects=False)
            # Only the third party's headers reach the target (no httpx defaults).
            for name in list(client.headers.keys()):
                del client.headers[name]
            self._http = client
        return self._http

    async def _fetch_body(self, uri: str) -> bytes:
        buf = bytearray()
        async with self._client().stream("GET", uri) as resp:
            if resp.status_code >= 400:
                raise httpx.HTTPError(f"body fetch returned {resp.status_code}")
            async for chunk in resp.aiter_bytes():
                buf.extend(chunk)
                if len(buf) > self.max_in:
                    raise _TooLarge("request")
        return bytes(buf)

    async def _forward_url(
        self, target: _native.TunnelForwardTarget, env: _native.TunnelEnvelope, body: bytes
    ) -> tuple[int, Headers, bytes]:
        headers = env.forward_headers(self.public_host, target.authority)
        req = self._client().build_request(env.method, target.url_for(env.path), headers=headers, content=body)
        resp = await self._client().send(req, stream=True)
        try:
            buf = bytearray()
            # Raw bytes: the body stays as encoded as its content-encoding says.
            async for chunk in resp.aiter_raw():
                buf.extend(chunk)
                if len(buf) > self.max_out:
                    raise _TooLarge("response")
        finally:
            await resp.aclose()
        return resp.status_code, list(resp.headers.multi_items()), bytes(buf)

    async def _invoke_asgi(self, app: ASGIApp, env: _native.TunnelEnvelope, body: bytes) -> tuple[int, Headers, bytes]:
        raw_path, _, query = env.path.partition("?")
        client_ip = env.forwarded_for or "unknown"
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": env.method,
            "scheme": "https",
            "path": unquote(raw_path),
            "raw_path": raw_path.encode("latin-1", "replace"),
            "query_string": query.encode("latin-1", "replace"),
            "root_path": "",
            "headers": [
                (k.encode("latin-1", "replace"), v.encode("latin-1", "replace"))
                for k, v in env.forward_headers(self.public_host, self.public_host)
            ],
            "client": (client_ip, 0),
            "server": (self.public_host, 443),
        }
        sent_body = False
        finished = asyncio.Event()
        status = 500
        headers: Headers = []
        out = bytearray()
        started = False

        async def receive() -> dict[str, Any]:
            nonlocal sent_body
            if not sent_body:
                sent_body = True
                return {"type": "http.request", "body": body, "more_body": False}
            await finished.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status, started
            kind = message.get("type")
            if kind == "http.response.start":
                started = True
                status = int(message["status"])
                for k, v in message.get("headers") or []:
                    headers.append((bytes(k).decode("latin-1"), bytes(v).decode("latin-1")))
            elif kind == "http.response.body":
                chunk = message.get("body") or b""
                if len(out) + len(chunk) > self.max_out:
                    raise _TooLarge("response")
                out.extend(chunk)

        try:
            await app(scope, receive, send)
        finally:
            finished.set()
        if not started:
            raise RuntimeError("the ASGI app returned without starting a response")
        return status, headers, bytes(out)


class TunnelListener:
    """A tunnel brought online by ``inkbox.tunnels.connect(...)``.

    Blocking use: :meth:`wait` (runs the listener on a background thread
    until :meth:`close` or Ctrl-C), or ``with listener:`` (online on entry,
    closed on exit). Inside an event loop: ``await listener.serve_forever()``
    and ``await listener.aclose()``, or ``async with listener:``. Use one
    pair, not both.

    Attributes:
        public_url: Where third parties reach the tunnel
            (``https://{public_host}``; for the local emulator's loopback
            zone ``http://{public_host}:{port}``).
        tunnel: The tunnel record as read at connect time (not refreshed).
    """

    def __init__(self, *, tunnel: Tunnel, public_host: str, runtime: _Runtime) -> None:
        self._tunnel = tunnel
        self._public_host = public_host
        self._rt = runtime
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._task: Optional[asyncio.Future[None]] = None
        self._stopped = threading.Event()
        self._error: Optional[BaseException] = None
        self._closing = False

    @property
    def public_url(self) -> str:
        return self._rt.zone.public_url(self._public_host)

    @property
    def public_host(self) -> str:
        return self._public_host

    @property
    def tunnel(self) -> Tunnel:
        return self._tunnel

    @property
    def connected(self) -> bool:
        """Whether a data-plane connection is up right now."""
        return self._rt.connected.is_set()

    def __repr__(self) -> str:
        return f"TunnelListener({self.public_url!r}, connected={self.connected})"

    # ---- blocking API -----------------------------------------------------

    def start(self, timeout: Optional[float] = 30.0) -> TunnelListener:
        """Starts the listener on a background thread and waits until it is
        connected. Raises :class:`~inkbox.exceptions.TunnelAuthError` if the
        key is refused, :class:`~inkbox.exceptions.TunnelConnectError` if it
        is not connected within ``timeout`` seconds (then it is stopped)."""
        self._start_thread()
        self._wait_connected(timeout)
        return self

    def _wait_connected(self, timeout: Optional[float]) -> None:
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self._rt.connected.wait(0.05):
            if self._stopped.is_set():
                self._raise_error()
                raise TunnelConnectError("the tunnel listener stopped before connecting")
            if deadline is not None and time.monotonic() >= deadline:
                self.close()
                raise TunnelConnectError(f"not connected to {self._rt.zone.authority} within {timeout} s")

    def _start_thread(self) -> None:
        with self._lock:
            if self._task is not None and self._thread is None:
                raise RuntimeError("this listener is served by serve_forever(); use aclose(), not the blocking API")
            if self._thread is not None:
                return
            loop = asyncio.new_event_loop()
            self._loop = loop
            self._task = loop.create_task(self._rt.run())
            self._thread = threading.Thread(target=self._thread_main, name="inkbox-tunnel", daemon=True)
            self._thread.start()

    def _thread_main(self) -> None:
        loop, task = self._loop, self._task
        assert loop is not None and task is not None
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(task)
        except asyncio.CancelledError:
            pass
        except BaseException as exc:  # noqa: BLE001 - handed to wait()
            self._error = exc
        finally:
            with suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
            self._stopped.set()

    def _raise_error(self) -> None:
        err, self._error = self._error, None
        if err is not None:
            raise err

    def wait(self) -> None:
        """Blocks until :meth:`close` (from another thread or a signal
        handler) or Ctrl-C (which closes the listener and re-raises
        ``KeyboardInterrupt``). SIGTERM closes it too when called on the
        main thread. Raises the error that stopped the listener, if any
        (e.g. :class:`~inkbox.exceptions.TunnelAuthError`)."""
        self._start_thread()
        previous: Any = None
        installed = False
        if threading.current_thread() is threading.main_thread():
            with suppress(ValueError, OSError):
                previous = signal.signal(signal.SIGTERM, self._on_sigterm)
                installed = True
        try:
            while not self._stopped.wait(0.5):
                pass
        except KeyboardInterrupt:
            self.close()
            raise
        finally:
            if installed:
                with suppress(ValueError, OSError, TypeError):
                    signal.signal(signal.SIGTERM, previous)
        self._raise_error()

    def _on_sigterm(self, signum: int, frame: Optional[FrameType]) -> None:
        self._request_stop()

    def _request_stop(self) -> None:
        loop, task = self._loop, self._task
        self._closing = True
        if loop is not None and task is not None and not loop.is_closed():
            with suppress(RuntimeError):
                loop.call_soon_threadsafe(task.cancel)

    def close(self) -> None:
        """Stops the listener and waits for its thread to end."""
        self._request_stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=30.0)

    def __enter__(self) -> TunnelListener:
        return self.start()

    def __exit__(
        self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        self.close()

    # ---- asyncio API --------------------------------------------------------

    async def serve_forever(self) -> None:
        """Runs the listener in the current event loop until :meth:`aclose`
        (or cancellation). Raises :class:`~inkbox.exceptions.TunnelAuthError`
        if the key is refused."""
        with self._lock:
            if self._thread is not None:
                raise RuntimeError("this listener runs on a thread (wait()/start()); use close()")
            if self._task is None:
                self._task = asyncio.ensure_future(self._rt.run())
            task = self._task
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.done():
                task.cancel()
                with suppress(asyncio.CancelledError):
                    await task
            if not self._closing:
                raise
        finally:
            self._stopped.set()

    async def aclose(self) -> None:
        """Stops a listener served by :meth:`serve_forever` (or by ``async with``)."""
        if self._thread is not None:
            await asyncio.get_running_loop().run_in_executor(None, self.close)
            return
        self._closing = True
        task = self._task
        if task is not None and not task.done():
            task.cancel()
            with suppress(asyncio.CancelledError, Exception):
                await task
        self._stopped.set()

    async def __aenter__(self) -> TunnelListener:
        """Starts :meth:`serve_forever` in the background and waits (30 s at
        most) until the listener is connected."""
        server = asyncio.ensure_future(self.serve_forever())
        deadline = time.monotonic() + 30.0
        while not self._rt.connected.is_set():
            if server.done():
                server.result()
                raise TunnelConnectError("the tunnel listener stopped before connecting")
            if time.monotonic() >= deadline:
                await self.aclose()
                raise TunnelConnectError(f"not connected to {self._rt.zone.authority} within 30 s")
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(
        self, exc_type: Optional[type[BaseException]], exc: Optional[BaseException], tb: Optional[TracebackType]
    ) -> None:
        await self.aclose()

