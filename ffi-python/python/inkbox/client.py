"""The clients: :class:`Inkbox` (blocking) and :class:`AsyncInkbox` (asyncio).

Both expose the same resources and methods; ``AsyncInkbox``'s methods return
awaitables and its iterators are async iterators.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union
from uuid import UUID

import httpx

from inkbox._client_resources import AsyncClientStatics, ClientResources, ClientResourceSetup, ClientStatics
from inkbox._resource import UNSET
from inkbox._runtime import AsyncHttpxTransport, AsyncRunner, HttpxTransport, Runner, SyncRunner
from inkbox._statics import DEFAULT_BASE_URL, DEFAULT_TIMEOUT, register_models
from inkbox.agent_identity import AgentIdentity
from inkbox.identities.types import (
    AgentIdentitySummary,
    IdentityMailboxCreateOptions,
    IdentityPhoneNumberCreateOptions,
    IdentityTunnelCreateOptions,
)
from inkbox.signing_keys import SigningKey
from inkbox.webhook_subscriptions import WebhooksNamespace
from inkbox.whoami.types import WhoamiApiKeyResponse, WhoamiJwtResponse, WhoamiResponse, whoami_from_wire

__all__ = ["AsyncInkbox", "Inkbox"]

class _ClientCore(ClientResourceSetup):
    """The resources over one runner (typed alike for both clients)."""

    # The response classes, reachable from an instance as in the README
    # (``isinstance(info, inkbox.WhoamiApiKeyResponse)``).
    WhoamiApiKeyResponse = WhoamiApiKeyResponse
    WhoamiJwtResponse = WhoamiJwtResponse

    _r: SyncRunner

    def _setup(self, runner: Runner) -> None:
        register_models()
        self._r = runner  # type: ignore[assignment]
        self._setup_resources(runner)
        self._webhooks = WebhooksNamespace(self._webhook_subscriptions)


class _ClientBase(ClientResources, _ClientCore):
    """What both clients share: the resource accessors and the identity
    methods, written once and typed for the blocking client (the async
    client's types are in :mod:`inkbox._async_types`)."""

    # ---- resources (the others: inkbox._client_resources) ---------------------

    @property
    def webhooks(self) -> WebhooksNamespace:
        """Webhook subscriptions (``webhooks.subscriptions``)."""
        return self._webhooks

    # ---- identities -----------------------------------------------------------

    def create_identity(
        self,
        agent_handle: str,
        *,
        display_name: Optional[str] = None,
        description: Any = UNSET,
        imessage_enabled: Optional[bool] = None,
        email_local_part: Optional[str] = None,
        sending_domain: Any = UNSET,
        tunnel: Union[IdentityTunnelCreateOptions, Mapping[str, Any], None] = None,
        phone_number: Union[IdentityPhoneNumberCreateOptions, Mapping[str, Any], None] = None,
        vault_secret_ids: Union[UUID, str, list[Union[UUID, str]], None] = None,
    ) -> AgentIdentity:
        """Creates an identity with its mailbox and tunnel (and, with
        ``phone_number``, a number). ``sending_domain``: omitted = the org
        default, ``None`` = the platform domain, a name = that verified
        domain. ``tunnel`` takes ``IdentityTunnelCreateOptions`` or a dict."""
        mailbox: dict[str, Any] = {}
        if email_local_part is not None:
            mailbox["email_local_part"] = email_local_part
        if sending_domain is not UNSET:
            mailbox["sending_domain"] = sending_domain
        data = self._ids_resource.create(
            agent_handle=agent_handle,
            display_name=display_name,
            description=description,
            imessage_enabled=imessage_enabled,
            mailbox=mailbox or None,
            tunnel=tunnel,
            phone_number=phone_number,
            vault_secret_ids=vault_secret_ids,
        )
        return self._r.map(data, lambda d: AgentIdentity(d, self))

    def get_identity(self, agent_handle: str) -> AgentIdentity:
        """One identity by handle."""
        return self._r.map(self._ids_resource.get(agent_handle), lambda d: AgentIdentity(d, self))

    def list_identities(self) -> list[AgentIdentitySummary]:
        """Every identity of the organization."""
        return self._ids_resource.list()

    def whoami(self) -> WhoamiResponse:
        """The caller: ``WhoamiApiKeyResponse`` or ``WhoamiJwtResponse``."""
        return self._r.map(self._r.raw("whoami.get"), whoami_from_wire)

    def create_signing_key(self) -> SigningKey:
        """Creates or rotates the org's webhook signing key (shown once)."""
        return self._r.call("signing_keys.create", None, SigningKey)


class Inkbox(ClientStatics, _ClientBase):
    """The Inkbox API client (blocking).

    Args:
        api_key: Your ``ApiKey_...`` token.
        base_url: API base URL (default ``https://inkbox.ai``).
        timeout: Request timeout in seconds.
        vault_key: When given, the vault is unlocked at construction.
        transport: A custom transport (an object with ``send(method, url,
            headers, body, timeout)`` or a callable taking the prepared
            request), both returning ``(status, headers, body)``.
        http_client: An ``httpx.Client`` for the default transport (not
            closed by :meth:`close`).
        max_attempts: Attempts per call, retries included (1: no retry).
        user_agent_prefix: A token sent before ``inkbox-python/<version>``
            in the ``User-Agent`` of every request sent through ``send``
            (a callable transport gets core's request as it is).
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        vault_key: Optional[str] = None,
        transport: Any = None,
        http_client: Optional[httpx.Client] = None,
        max_attempts: int = 3,
        user_agent_prefix: Optional[str] = None,
    ) -> None:
        if transport is None:
            transport = HttpxTransport(http_client)
        self._runner = SyncRunner(
            transport,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            user_agent_prefix=user_agent_prefix,
        )
        self._setup(self._runner)
        if vault_key is not None:
            try:
                self.vault.unlock(vault_key)
            except BaseException:
                self.close()
                raise

    def __enter__(self) -> Inkbox:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Closes the HTTP connections (of a transport this client created)."""
        self._runner.close()


if TYPE_CHECKING:
    # The shared methods typed in their async form (generated).
    from inkbox._async_types import _AsyncInkboxBase
else:
    _AsyncInkboxBase = _ClientBase


class AsyncInkbox(AsyncClientStatics, _AsyncInkboxBase):
    """The Inkbox API client for asyncio: the methods of :class:`Inkbox`
    return awaitables, its iterators are async iterators. Use ``async with``
    or ``await client.aclose()``. With ``vault_key``, the vault is unlocked
    on ``__aenter__`` (or by ``await client.vault.unlock(...)``).
    """

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        vault_key: Optional[str] = None,
        transport: Any = None,
        http_client: Optional[httpx.AsyncClient] = None,
        max_attempts: int = 3,
        user_agent_prefix: Optional[str] = None,
    ) -> None:
        if transport is None:
            transport = AsyncHttpxTransport(http_client)
        self._runner_async = AsyncRunner(
            transport,
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_attempts=max_attempts,
            user_agent_prefix=user_agent_prefix,
        )
        self._setup(self._runner_async)
        self._pending_vault_key = vault_key

    async def __aenter__(self) -> AsyncInkbox:
        if self._pending_vault_key is not None:
            key, self._pending_vault_key = self._pending_vault_key, None
            try:
                await self.vault.unlock(key)
            except BaseException:
                await self.aclose()
                raise
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Closes the HTTP connections (of a transport this client created)."""
        await self._runner_async.aclose()
