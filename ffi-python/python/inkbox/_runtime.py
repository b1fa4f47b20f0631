"""Sending requests: transports and the sync / async runners.

Resources build ``(operation, args)`` once and hand them to a runner. The
native module (``inkbox._native``, over inkbox-core) builds the request,
decides retries and parses the response into models; the runner only moves
bytes and sleeps. :class:`SyncRunner` returns values and iterators,
:class:`AsyncRunner` coroutines and async iterators, so a resource method
written as ``return self._r.call(op, args, model=X)`` serves both clients.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, Callable, Optional, Protocol, TypeVar, Union, runtime_checkable

import httpx

from inkbox import _native
from inkbox._models import Model, coerce, to_wire

__all__ = [
    "AsyncHttpxTransport",
    "AsyncRunner",
    "AsyncTransport",
    "HttpxTransport",
    "Runner",
    "SyncRunner",
    "Transport",
]

Headers = list[tuple[str, str]]
RawResponse = tuple[int, Headers, bytes]
T = TypeVar("T")
U = TypeVar("U")
M = TypeVar("M", bound=Model)

#: What a custom callable transport may return.
_AnyHeaders = Union[Headers, dict[str, str], Any]


T_co = TypeVar("T_co", covariant=True)


class Flow(Protocol[T_co]):
    """A native multi-request flow (``inkbox._native.UnlockFlow``, ...,
    ``inkbox._native.PagerFlow``): ``next_request`` gives a ``Prepared`` to
    send, a ``Page`` to hand over, or ``None`` when ``result()`` is ready."""

    def next_request(self, base_url: str, api_key: Optional[str]) -> Any: ...

    def feed(self, status: int, headers: Headers, body: bytes) -> None: ...

    def result(self) -> T_co: ...


@runtime_checkable
class Transport(Protocol):
    """Sends one HTTP request and returns ``(status, headers, body)``."""

    def send(
        self, method: str, url: str, headers: Headers, body: Optional[bytes], timeout: float
    ) -> RawResponse: ...


@runtime_checkable
class AsyncTransport(Protocol):
    """The async form of :class:`Transport`."""

    async def send(
        self, method: str, url: str, headers: Headers, body: Optional[bytes], timeout: float
    ) -> RawResponse: ...


def _headers_list(headers: Any) -> Headers:
    if isinstance(headers, httpx.Headers):
        return [(k, v) for k, v in headers.multi_items()]
    if isinstance(headers, dict):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


class HttpxTransport:
    """The default transport, over an ``httpx.Client`` (created when not given;
    closed by :meth:`close` only then)."""

    def __init__(self, client: Optional[httpx.Client] = None) -> None:
        self._own = client is None
        self._client = client if client is not None else httpx.Client()

    def send(
        self, method: str, url: str, headers: Headers, body: Optional[bytes], timeout: float
    ) -> RawResponse:
        resp = self._client.request(method, url, headers=headers, content=body, timeout=timeout)
        return resp.status_code, _headers_list(resp.headers), resp.content

    def close(self) -> None:
        if self._own:
            self._client.close()


class AsyncHttpxTransport:
    """The default async transport, over an ``httpx.AsyncClient``."""

    def __init__(self, client: Optional[httpx.AsyncClient] = None) -> None:
        self._own = client is None
        self._client = client if client is not None else httpx.AsyncClient()

    async def send(
        self, method: str, url: str, headers: Headers, body: Optional[bytes], timeout: float
    ) -> RawResponse:
        resp = await self._client.request(method, url, headers=headers, content=body, timeout=timeout)
        return resp.status_code, _headers_list(resp.headers), resp.content

    async def aclose(self) -> None:
        if self._own:
            await self._client.aclose()


def _error_kind(exc: BaseException) -> Optional[str]:
    """The retrier's name for a transport failure; ``None``: not one."""
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)):
        return "connect"
    if isinstance(exc, (httpx.TimeoutException, TimeoutError, asyncio.TimeoutError)):
        return "timeout"
    if isinstance(exc, (ConnectionRefusedError,)):
        return "connect"
    if isinstance(exc, (httpx.TransportError, OSError)):
        return "other"
    return None


def shape(value: Any, model: Optional[type[Model]]) -> Any:
    """A parsed value read as ``model`` (lists item by item)."""
    if model is None or value is None or type(value) is model:
        return value
    if isinstance(value, list):
        return [v if type(v) is model else coerce(v, model) for v in value]
    return coerce(value, model)


def _page_items(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    if isinstance(value, Model):
        items = value._d.get("items")
    elif isinstance(value, dict):
        items = value.get("items")
    else:
        items = getattr(value, "items", None)
    return list(items) if isinstance(items, list) else []


_VERSION: list[str] = []


def _package_version() -> str:
    # Looked up once: a metadata lookup scans sys.path.
    if not _VERSION:
        try:
            _VERSION.append(importlib.metadata.version("inkbox"))
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a source checkout
            _VERSION.append("0.0.0")
    return _VERSION[0]


def user_agent(prefix: Optional[str] = None) -> str:
    """The ``User-Agent`` every request carries: ``inkbox-python/<version>``,
    after the caller's own token when one is given (as the official SDK
    sends it). Refused when it could not be a header value."""
    base = f"inkbox-python/{_package_version()}"
    if not prefix:
        return base
    if not isinstance(prefix, str) or not prefix.isascii() or not prefix.isprintable() or len(prefix) > 200:
        raise ValueError("user_agent_prefix must be printable ASCII of at most 200 characters")
    return f"{prefix} {base}"


def _with_user_agent(headers: Headers, value: str) -> Headers:
    if any(k.lower() == "user-agent" for k, _ in headers):
        return headers
    return [*headers, ("User-Agent", value)]


class _Base:
    def __init__(
        self,
        *,
        api_key: Optional[str],
        base_url: str,
        timeout: float,
        max_attempts: int = 3,
        base_delay_ms: int = 500,
        max_delay_ms: int = 8000,
        max_retry_after_ms: int = 60000,
        user_agent_prefix: Optional[str] = None,
    ) -> None:
        self.user_agent = user_agent(user_agent_prefix)
        self.api_key = api_key
        self.base_url = base_url
        self.timeout = timeout
        self._options = _native.CallOptions(
            timeout=timeout,
            max_attempts=max_attempts,
            base_delay_ms=base_delay_ms,
            max_delay_ms=max_delay_ms,
            max_retry_after_ms=max_retry_after_ms,
        )

    def _call(self, op: str, args: Optional[dict[str, Any]], idempotent_post: bool) -> Any:
        """Core's call engine for one call of ``op``: it mints the
        idempotency key, picks the timeout and decides every retry."""
        return _native.Call(op, to_wire(args) if args else None, self.base_url, self.api_key, self._options, idempotent_post)

    def _next_step(self, flow: Flow[Any]) -> tuple[int, Any]:
        """What the step loop of every flow does next: ``(_SEND, request)``:
        send it and feed the response back; ``(_PAGE, value)``: hand over a
        page's parsed value; ``(_DONE, None)``: ``flow.result()`` holds the
        result."""
        step = flow.next_request(self.base_url, self.api_key)
        if step is None:
            return _DONE, None
        if type(step) is _native.Page:
            return _PAGE, step.value
        return _SEND, step


_SEND, _PAGE, _DONE = 0, 1, 2


def _pager(op: str, args: Optional[dict[str, Any]]) -> Any:
    """Core's pager flow over every page of ``op`` called with ``args``."""
    return _native.PagerFlow(op, to_wire(args) if args else None)


def _failure(exc: BaseException) -> Optional[tuple[str, str]]:
    """``(kind, message)`` of a transport failure for the call engine;
    ``None``: not a transport failure (it propagates as it is)."""
    kind = _error_kind(exc)
    return None if kind is None else (kind, f"request failed: {type(exc).__name__}: {exc}")


class SyncRunner(_Base):
    """Blocking runner: returns values and iterators."""

    is_async = False

    def __init__(self, transport: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = transport

    def _send(self, req: Any, timeout: float) -> RawResponse:
        transport = self.transport
        if hasattr(transport, "send"):
            sent = _with_user_agent(list(req.headers), self.user_agent)
            status, headers, body = transport.send(req.method, req.url, sent, req.body, timeout)
        else:
            status, headers, body = transport(req)
        return int(status), _headers_list(headers), bytes(body or b"")

    def run(self, call: Any) -> RawResponse:
        """Drives ``call`` (a native ``Call``) to its final response: sends,
        sleeps and reports as core's call engine says."""
        response: Optional[RawResponse] = None
        cause: Optional[BaseException] = None
        while True:
            step, a, b = call.step()
            if step == 0:
                try:
                    response = self._send(a, b)
                except Exception as exc:
                    failure = _failure(exc)
                    if failure is None:
                        raise
                    cause = exc
                    call.fail(*failure)
                    continue
                cause = None
                call.feed(response[0], response[1], response[2], time.time())
            elif step == 1:
                time.sleep(a)
            elif step == 2 and response is not None:
                return response
            else:
                raise a from cause

    def exchange(self, req: Any) -> RawResponse:
        """Sends ``req`` (a native ``Prepared``, e.g. a vault flow's step)
        through the call engine."""
        return self.run(_native.Call.of(req, self._options))

    def raw(self, op: str, args: Optional[dict[str, Any]] = None, *, idempotent_post: bool = True) -> Any:
        """Runs one operation; returns the parsed value as native built it."""
        status, headers, body = self.run(self._call(op, args, idempotent_post))
        return _native.parse(op, status, headers, body)

    def call(self, op: str, args: Optional[dict[str, Any]], model: type[M], *, idempotent_post: bool = True) -> M:
        """Runs one operation; returns the result read as ``model``."""
        return coerce(self.raw(op, args, idempotent_post=idempotent_post), model)

    def call_optional(self, op: str, args: Optional[dict[str, Any]], model: type[M]) -> Optional[M]:
        """Like :meth:`call` for operations whose result may be absent
        (core parses it as ``None``: no vault yet, the platform domain)."""
        value = self.raw(op, args)
        return None if value is None else coerce(value, model)

    def call_list(self, op: str, args: Optional[dict[str, Any]], model: type[M]) -> list[M]:
        """Runs one operation returning a list (or one page of items)."""
        value = self.raw(op, args)
        items: list[Any] = shape(_page_items(value), model)
        return items

    def void(self, op: str, args: Optional[dict[str, Any]] = None) -> None:
        """Runs one operation whose result is discarded."""
        self.raw(op, args)

    def steps(self, flow: Flow[Any]) -> Iterator[Any]:
        """The one step loop of every native flow: sends each request
        through the call engine and feeds the response back, yields the
        parsed value of each page (only a pager yields pages); when it ends,
        ``flow.result()`` holds the result."""
        while True:
            kind, value = self._next_step(flow)
            if kind == _SEND:
                status, headers, body = self.exchange(value)
                flow.feed(status, headers, body)
            elif kind == _PAGE:
                yield value
            else:
                return

    def paginate(self, op: str, args: Optional[dict[str, Any]], model: type[M]) -> Iterator[M]:
        """Iterates the items of every page (lazily: a page per request),
        driving core's pager flow through :meth:`steps`."""

        def gen() -> Iterator[Any]:
            for value in self.steps(_pager(op, args)):
                yield from shape(_page_items(value), model)

        return gen()

    def drive(self, flow: Flow[T]) -> T:
        """Runs a native multi-request flow to its result (through
        :meth:`steps`; a vault flow yields no pages)."""
        for _ in self.steps(flow):
            pass
        return flow.result()

    def map(self, value: T, fn: Callable[[T], U]) -> U:
        """``fn(value)`` (the async runner chains it after an await)."""
        return fn(value)

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if callable(close):
            close()


class AsyncRunner(_Base):
    """Asyncio runner: returns coroutines and async iterators."""

    is_async = True

    def __init__(self, transport: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.transport = transport

    async def _send(self, req: Any, timeout: float) -> RawResponse:
        transport = self.transport
        if hasattr(transport, "send"):
            sent = _with_user_agent(list(req.headers), self.user_agent)
            result = transport.send(req.method, req.url, sent, req.body, timeout)
        else:
            result = transport(req)
        if inspect.isawaitable(result):
            result = await result
        status, headers, body = result
        return int(status), _headers_list(headers), bytes(body or b"")

    async def run(self, call: Any) -> RawResponse:
        """Drives ``call`` (a native ``Call``) to its final response."""
        response: Optional[RawResponse] = None
        cause: Optional[BaseException] = None
        while True:
            step, a, b = call.step()
            if step == 0:
                try:
                    response = await self._send(a, b)
                except Exception as exc:
                    failure = _failure(exc)
                    if failure is None:
                        raise
                    cause = exc
                    call.fail(*failure)
                    continue
                cause = None
                call.feed(response[0], response[1], response[2], time.time())
            elif step == 1:
                await asyncio.sleep(a)
            elif step == 2 and response is not None:
                return response
            else:
                raise a from cause

    async def exchange(self, req: Any) -> RawResponse:
        return await self.run(_native.Call.of(req, self._options))

    async def _run_op(
        self, op: str, args: Optional[dict[str, Any]], model: Optional[type[Model]], idempotent_post: bool
    ) -> Any:
        status, headers, body = await self.run(self._call(op, args, idempotent_post))
        return shape(_native.parse(op, status, headers, body), model)

    def call(
        self,
        op: str,
        args: Optional[dict[str, Any]] = None,
        model: Optional[type[Model]] = None,
        *,
        idempotent_post: bool = True,
    ) -> Any:
        """A coroutine running one operation."""
        return self._run_op(op, args, model, idempotent_post)

    def raw(self, op: str, args: Optional[dict[str, Any]] = None, *, idempotent_post: bool = True) -> Any:
        return self._run_op(op, args, None, idempotent_post)

    def call_optional(self, op: str, args: Optional[dict[str, Any]], model: type[Model]) -> Any:
        return self._run_op(op, args, model, True)

    def call_list(self, op: str, args: Optional[dict[str, Any]], model: type[Model]) -> Any:
        async def run() -> list[Any]:
            value = await self._run_op(op, args, None, True)
            items: list[Any] = shape(_page_items(value), model)
            return items

        return run()

    def void(self, op: str, args: Optional[dict[str, Any]] = None) -> Any:
        async def run() -> None:
            await self._run_op(op, args, None, True)

        return run()

    async def steps(self, flow: Flow[Any]) -> AsyncIterator[Any]:
        """The one step loop of every native flow (see
        :meth:`SyncRunner.steps`), sending with the async transport."""
        while True:
            kind, value = self._next_step(flow)
            if kind == _SEND:
                status, headers, body = await self.exchange(value)
                flow.feed(status, headers, body)
            elif kind == _PAGE:
                yield value
            else:
                return

    def paginate(
        self, op: str, args: Optional[dict[str, Any]] = None, model: Optional[type[Model]] = None
    ) -> AsyncIterator[Any]:
        async def gen() -> AsyncIterator[Any]:
            async for value in self.steps(_pager(op, args)):
                for item in shape(_page_items(value), model):
                    yield item

        return gen()

    async def drive(self, flow: Any) -> Any:
        async for _ in self.steps(flow):
            pass
        return flow.result()

    def map(self, value: Any, fn: Callable[[Any], Any]) -> Any:
        async def chained() -> Any:
            result = fn(await value)
            while inspect.isawaitable(result):
                result = await result
            return result

        return chained()

    async def aclose(self) -> None:
        aclose = getattr(self.transport, "aclose", None)
        if callable(aclose):
            await aclose()
            return
        close = getattr(self.transport, "close", None)
        if callable(close):
            result = close()
            if inspect.isawaitable(result):
                await result


Runner = Union[SyncRunner, AsyncRunner]

