"""How the clients' class methods run (``Inkbox.signup(...)`` and the other
generated ones in :mod:`inkbox._client_resources`): one operation over a
runner of their own, with no client API key, closed afterwards."""

from __future__ import annotations

from typing import Any, Optional

from inkbox import _models
from inkbox._runtime import AsyncHttpxTransport, AsyncRunner, HttpxTransport, SyncRunner

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "register_models", "run_static", "run_static_async"]

DEFAULT_BASE_URL = "https://inkbox.ai"
DEFAULT_TIMEOUT = 30.0


def register_models() -> None:
    """Hands the model classes to the native module (which builds them)."""
    from inkbox import _native

    registry: dict[str, Optional[type]] = dict(_models.registry())
    _native.register_models(registry)


def run_static(op: str, args: dict[str, Any], model: type[_models.M], base_url: str, timeout: float) -> _models.M:
    register_models()
    r = SyncRunner(HttpxTransport(), api_key=None, base_url=base_url, timeout=timeout)
    try:
        return r.call(op, args, model)
    finally:
        r.close()


async def run_static_async(
    op: str, args: dict[str, Any], model: type[_models.M], base_url: str, timeout: float
) -> _models.M:
    register_models()
    r = AsyncRunner(AsyncHttpxTransport(), api_key=None, base_url=base_url, timeout=timeout)
    try:
        return _models.coerce(await r.raw(op, args), model)
    finally:
        await r.aclose()
