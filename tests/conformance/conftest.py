"""Conformance suite: the official ``inkbox`` Python SDK (0.4.9, from PyPI)
driven unmodified against the local emulator.

When the official client and the emulator disagree, the emulator is wrong.

Fixtures
--------
emulator          session: one emulator process (``--port 0``), terminated at the end
private_emulator  function: a fresh emulator (new org) for flows with fixed names or
                  org-wide singletons (the vault, the signing key)
start_emulator    factory behind both (module-scoped users call it themselves)
inkbox            function: ``Inkbox(api_key=admin key, base_url=emulator url)``
handle            factory of unique agent handles (``handle("sales-bot")``)
receiver          function: a loopback HTTP server recording webhook deliveries

Markers
-------
``@pytest.mark.needs("texts")`` marks a test that needs an emulator family that
is being built elsewhere (texts, imessage, signup, vault, webhooks, tunnels).
Select with ``-m needs`` / ``-m "not needs"``; skip chosen families with
``--skip-needs=texts,vault`` or ``INKBOX_CONFORMANCE_SKIP_NEEDS=texts,vault``.

Environment
-----------
INKBOX_EMULATOR_BIN   emulator binary (default ``$CARGO_TARGET_DIR/debug/inkbox-emulator``,
                      else ``<repo>/target/debug/inkbox-emulator``)
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from inkbox import Inkbox

REPO = Path(__file__).resolve().parents[2]
FAMILIES = ("texts", "imessage", "signup", "vault", "webhooks", "tunnels")
STARTUP_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


# --------------------------------------------------------------------------- markers


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--skip-needs",
        default=os.environ.get("INKBOX_CONFORMANCE_SKIP_NEEDS", ""),
        help="comma-separated families whose needs-marked tests are skipped",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "needs(family): needs an emulator family built separately "
        f"({', '.join(FAMILIES)})",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = {f.strip() for f in str(config.getoption("--skip-needs")).split(",") if f.strip()}
    unknown = skip - set(FAMILIES)
    if unknown:
        raise pytest.UsageError(f"--skip-needs: unknown families {sorted(unknown)}")
    for item in items:
        for mark in item.iter_markers("needs"):
            for family in mark.args:
                if family not in FAMILIES:
                    raise pytest.UsageError(f"{item.nodeid}: unknown needs family {family!r}")
                if family in skip:
                    item.add_marker(pytest.mark.skip(reason=f"needs {family} (skipped by --skip-needs)"))


# --------------------------------------------------------------------------- emulator process


def emulator_bin() -> Path:
    explicit = os.environ.get("INKBOX_EMULATOR_BIN")
    if explicit:
        return Path(explicit)
    target = os.environ.get("CARGO_TARGET_DIR")
    base = Path(target) if target else REPO / "target"
    if not base.is_absolute():
        base = REPO / base
    return base / "debug" / "inkbox-emulator"


@dataclass
class Emulator:
    """A running emulator process and the control API on it."""

    url: str
    admin_key: str
    org_id: str
    proc: subprocess.Popen[bytes] = field(repr=False)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        """Calls ``/_emulator/...`` with the admin key; returns the decoded JSON
        (``None`` for an empty body). Raises ``ControlError`` on 4xx/5xx."""
        status, data = self.raw(method, path, body, api_key=self.admin_key)
        if status >= 400:
            raise ControlError(status, data)
        return data

    def raw(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        api_key: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """One HTTP request to the emulator; returns ``(status, json or text)``."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if api_key:
            req.add_header("X-API-Key", api_key)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, _decode(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, _decode(err.read())

    def outbox(self) -> list[dict[str, Any]]:
        """Mail the emulator sent outside itself (``GET /_emulator/outbox``)."""
        data = self.control("GET", "/_emulator/outbox")
        if isinstance(data, dict):
            for key in ("messages", "outbox", "items", "data"):
                if isinstance(data.get(key), list):
                    return data[key]
        return data

    def advance_clock(self, seconds: int) -> Any:
        return self.control("POST", "/_emulator/clock", {"advance": seconds})

    def client(self, api_key: str | None = None, **kwargs: Any) -> Inkbox:
        return Inkbox(api_key=api_key or self.admin_key, base_url=self.url, **kwargs)


class ControlError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"control API answered {status}: {body!r}")
        self.status = status
        self.body = body


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")


def _start(extra_args: list[str] | None = None) -> Emulator:
    binary = emulator_bin()
    if not binary.is_file():
        raise RuntimeError(
            f"emulator binary not found at {binary}; build it with "
            "`cargo build -p inkbox-emulator` or set INKBOX_EMULATOR_BIN"
        )
    proc = subprocess.Popen(
        [str(binary), "--port", "0", *(extra_args or [])],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=None,  # inherit: emulator diagnostics show up in pytest's output
    )
    lines: queue.Queue[bytes] = queue.Queue()
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        # Reads the hello line, then keeps draining stdout so the emulator
        # never blocks on a full pipe.
        for line in iter(stdout.readline, b""):
            lines.put(line)
        lines.put(b"")

    threading.Thread(target=pump, name="emulator-stdout", daemon=True).start()
    try:
        first = lines.get(timeout=STARTUP_TIMEOUT)
    except queue.Empty:
        _stop(proc)
        raise RuntimeError(f"emulator printed nothing within {STARTUP_TIMEOUT} s") from None
    if not first:
        code = proc.wait(timeout=STOP_TIMEOUT)
        raise RuntimeError(f"emulator exited ({code}) before printing its address")
    hello = json.loads(first)
    return Emulator(
        url=hello["url"],
        admin_key=hello["admin_api_key"],
        org_id=hello["organization_id"],
        proc=proc,
    )


def _stop(proc: subprocess.Popen[bytes]) -> int | None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            return proc.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait(timeout=STOP_TIMEOUT)
    return proc.returncode


@pytest.fixture(scope="session")
def start_emulator() -> Iterator[Callable[..., Emulator]]:
    """Factory: starts an emulator; every one started is stopped at session end
    (or earlier by ``stop_emulator``)."""
    started: list[Emulator] = []

    def start(extra_args: list[str] | None = None) -> Emulator:
        emu = _start(extra_args)
        started.append(emu)
        return emu

    yield start
    codes = [_stop(emu.proc) for emu in started]
    bad = [c for c in codes if c not in (0, None)]
    assert not bad, f"emulator exited with {bad} after SIGTERM (expected a graceful 0)"


def stop_emulator(emu: Emulator) -> int | None:
    return _stop(emu.proc)


@pytest.fixture(scope="session")
def emulator(start_emulator: Callable[..., Emulator]) -> Emulator:
    return start_emulator()


@pytest.fixture()
def private_emulator(start_emulator: Callable[..., Emulator]) -> Iterator[Emulator]:
    emu = start_emulator()
    yield emu
    assert stop_emulator(emu) == 0


@pytest.fixture()
def inkbox(emulator: Emulator) -> Iterator[Inkbox]:
    with emulator.client() as client:
        yield client


@pytest.fixture()
def handle() -> Callable[[str], str]:
    """Unique handles, so tests sharing the session emulator never collide
    (handles are globally unique)."""

    def make(prefix: str = "agent") -> str:
        return f"{prefix}-{uuid.uuid4().hex[:8]}"

    return make


# --------------------------------------------------------------------------- webhook receiver


@dataclass
class Delivery:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """Loopback HTTP server recording every request (answers 200 ``{}``)."""

    def __init__(self) -> None:
        self.deliveries: queue.Queue[Delivery] = queue.Queue()
        self.status = 200
        recv = self

        class Handler(BaseHTTPRequestHandler):
            def _record(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recv.deliveries.put(
                    Delivery(self.command, self.path, {k: v for k, v in self.headers.items()}, body)
                )
                payload = b"{}"
                self.send_response(recv.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_POST = do_PUT = do_GET = _record

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        self.url = f"http://{host}:{port}"

    def wait(self, predicate: Callable[[Delivery], bool] = lambda d: True, timeout: float = 15.0) -> Delivery:
        """The first delivery (in arrival order) matching ``predicate``;
        earlier non-matching deliveries are dropped."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no matching webhook delivery within {timeout} s")
            try:
                d = self.deliveries.get(timeout=left)
            except queue.Empty:
                continue
            if predicate(d):
                return d

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()
