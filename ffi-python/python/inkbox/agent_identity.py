"""``AgentIdentity``: one identity with its channels, and helpers scoped to them.

Returned by ``create_identity`` / ``get_identity``. With ``AsyncInkbox`` the
methods return awaitables (and ``iter_emails`` an async iterator).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Optional, TypeVar, Union
from uuid import UUID

from inkbox import _native
from inkbox._native import DecryptedVaultSecret, TOTPCode, TOTPConfig
from inkbox._identity_scoped import IdentityScoped
from inkbox._resource import UNSET
from inkbox.exceptions import InkboxError
from inkbox.identities.types import AgentIdentityData, IdentityAccess
from inkbox.imessage.types import (
    IMessage,
    IMessageAssignment,
    IMessageConversation,
    IMessageConversationSummary,
    IMessageMarkReadResult,
    IMessageMediaUpload,
    IMessageReaction,
    IMessageReactionType,
    IMessageSendStyle,
)
from inkbox.mail.types import FilterMode, Message, MessageDetail, MessageDirection, ThreadDetail
from inkbox.phone.types import (
    PhoneCall,
    PhoneCallWithRateLimit,
    PhoneNumber,
    PhoneTranscript,
    TextConversationSummary,
    TextConversationUpdateResult,
    TextMessage,
)
from inkbox.vault.types import SecretPayload, VaultSecret
from inkbox.vault.unlocked import UnlockedVault

if TYPE_CHECKING:
    from inkbox.client import _ClientBase
    from inkbox.credentials import Credentials

__all__ = ["AgentIdentity"]

_Id = Union[UUID, str]
_T = TypeVar("_T")


class AgentIdentity(IdentityScoped):
    """An agent identity and its mailbox, phone number and tunnel."""

    def __init__(self, data: AgentIdentityData, inkbox: _ClientBase) -> None:
        self._data = data
        self._inkbox = inkbox
        self._r = inkbox._r

    # ---- data -------------------------------------------------------------

    @property
    def email_address(self) -> Optional[str]:
        """The identity's email address (core's rule: its own
        ``email_address``, else the mailbox's)."""
        mailbox = self._data.mailbox
        return _native.identity_email_address(
            self._data.email_address, mailbox.email_address if mailbox is not None else None
        )

    @property
    def imessage_enabled(self) -> bool:
        """Whether humans can reach the identity over iMessage."""
        return bool(self._data.imessage_enabled)

    @property
    def data(self) -> AgentIdentityData:
        """The identity as last fetched."""
        return self._data

    def __repr__(self) -> str:
        return (
            f"AgentIdentity(agent_handle={self.agent_handle!r}, email_address={self.email_address!r}, "
            f"phone_number={self.phone_number.number if self.phone_number else None!r})"
        )

    # ---- identity management ---------------------------------------------------

    def _store(self, data: AgentIdentityData) -> AgentIdentity:
        self._data = data
        self._credentials_cache = None
        return self

    def refresh(self) -> AgentIdentity:
        """Re-fetches the identity and its channels; returns ``self``."""
        return self._r.map(self._inkbox._ids_resource.get(self.agent_handle), self._store)

    def update(
        self,
        *,
        new_handle: Optional[str] = None,
        display_name: Any = UNSET,
        description: Any = UNSET,
        imessage_enabled: Optional[bool] = None,
        imessage_filter_mode: Union[FilterMode, str, None] = None,
        status: Optional[str] = None,
    ) -> None:
        """Updates the identity; ``None`` clears ``display_name`` /
        ``description``, an omitted argument is left unchanged. The answer is
        merged into the cached identity (core's rule; the channels are kept);
        only a rename of an identity with a tunnel fetches it again."""
        result = self._inkbox._ids_resource.update(
            self.agent_handle,
            new_handle=new_handle,
            display_name=display_name,
            description=description,
            imessage_enabled=imessage_enabled,
            imessage_filter_mode=imessage_filter_mode,
            status=status,
        )

        def stored(data: AgentIdentityData) -> None:
            self._store(data)

        def after(summary: Any) -> None:
            merged = _native.identity_apply_update(self._data, summary)
            if merged is not None:
                self._store(AgentIdentityData._from(merged))
                return None
            handle = getattr(summary, "agent_handle", None) or new_handle or self.agent_handle
            return self._r.map(self._inkbox._ids_resource.get(handle), stored)

        return self._r.map(result, after)

    # ---- channels --------------------------------------------------------------

    def provision_phone_number(self, *, type: str = "local", state: Optional[str] = None) -> PhoneNumber:
        """Provisions a number linked to this identity and returns it."""
        created = self._inkbox.phone_numbers.provision(agent_handle=self.agent_handle, type=type, state=state)

        def after(number: PhoneNumber) -> PhoneNumber:
            def stored(data: AgentIdentityData) -> PhoneNumber:
                self._store(data)
                return data.phone_number or number

            return self._r.map(self._inkbox._ids_resource.get(self.agent_handle), stored)

        return self._r.map(created, after)

    def release_phone_number(self) -> None:
        """Releases the identity's phone number."""
        self._require_phone()

        def after(_: Any) -> None:
            self._data._d["phone_number"] = None

        released: Any = self._r.raw("identities.phone_number.release", {"path": {"handle": self.agent_handle}})
        return self._r.map(released, after)

    # ---- mail ----------------------------------------------------------------------

    def iter_unread_emails(
        self, *, page_size: int = 50, direction: Union[MessageDirection, str, None] = None
    ) -> Iterator[Message]:
        """Iterates the unread messages, newest first."""
        source: Any = self.iter_emails(page_size=page_size, direction=direction)
        if getattr(self._r, "is_async", False):

            async def unread_async() -> Any:
                async for msg in source:
                    if not msg.is_read:
                        yield msg

            result: Any = unread_async()
            return result  # type: ignore[no-any-return]
        return (msg for msg in source if not msg.is_read)

    def mark_emails_read(self, message_ids: list[_Id]) -> None:
        """Marks the messages read."""
        address = self._require_email()
        ids = list(message_ids)
        if getattr(self._r, "is_async", False):

            async def run() -> None:
                for mid in ids:
                    await self._inkbox.messages.mark_read(address, mid)  # type: ignore[misc]

            return run()  # type: ignore[return-value]
        for mid in ids:
            self._inkbox.messages.mark_read(address, mid)
        return None

    # ---- credentials ---------------------------------------------------------------------

    _credentials_cache: Optional[Credentials] = None

    @property
    def credentials(self) -> Credentials:
        """The vault secrets this identity can access (the vault must be
        unlocked: ``vault_key=`` or ``inkbox.vault.unlock``)."""
        from inkbox.credentials import Credentials

        unlocked = self._inkbox.vault.unlocked
        if unlocked is None:
            raise InkboxError(
                "Vault must be unlocked before accessing credentials. Call inkbox.vault.unlock(vault_key) first."
            )
        if self._credentials_cache is None or self._credentials_cache._source is not unlocked:
            self._credentials_cache = Credentials(unlocked, identity_id=self.id)
        return self._credentials_cache

    def _unlocked_vault(self) -> UnlockedVault:
        unlocked = self._inkbox.vault.unlocked
        if unlocked is None:
            raise InkboxError(
                "Vault must be unlocked before accessing credentials. Call inkbox.vault.unlock(vault_key) first."
            )
        self._credentials_cache = None
        return unlocked

    def _changed(self, value: _T) -> _T:
        """After a secret operation: the next ``credentials`` is rebuilt from
        the unlocked vault's updated secrets."""
        self._credentials_cache = None
        return value

    def create_secret(self, name: str, payload: SecretPayload, *, description: Optional[str] = None) -> VaultSecret:
        """Creates a vault secret (encrypted locally) and grants this identity
        access to it; returns the secret's metadata. The vault must be unlocked."""
        created = self._unlocked_vault().create_secret(name, payload, description=description, identity_id=self.id)
        return self._r.map(created, self._changed)

    def get_secret(self, secret_id: _Id) -> DecryptedVaultSecret:
        """Fetches and decrypts one secret this identity can access."""
        return self._unlocked_vault().get_secret(secret_id)

    def delete_secret(self, secret_id: _Id) -> None:
        """Deletes a vault secret (and with it every access rule on it)."""
        # The cache is dropped first (``_unlocked_vault``); the vault forgets the secret.
        return self._unlocked_vault().delete_secret(secret_id)

    def set_totp(self, secret_id: _Id, totp: Union[TOTPConfig, str]) -> DecryptedVaultSecret:
        """Adds or replaces the TOTP config of a login secret (a
        ``TOTPConfig`` or an ``otpauth://totp/...`` URI); returns the updated,
        decrypted secret."""
        return self._r.map(self._unlocked_vault().set_totp(secret_id, totp), self._changed)

    def remove_totp(self, secret_id: _Id) -> DecryptedVaultSecret:
        """Removes the TOTP config of a login secret; returns the updated,
        decrypted secret."""
        return self._r.map(self._unlocked_vault().remove_totp(secret_id), self._changed)

    def get_totp_code(self, secret_id: _Id) -> TOTPCode:
        """The current TOTP code of a login secret: ``.code`` and
        ``.expires_in`` (seconds)."""
        return self._unlocked_vault().get_totp_code(secret_id)

    def revoke_credential_access(self, secret_id: _Id) -> None:
        """Revokes this identity's access to a secret (the secret stays)."""
        self._credentials_cache = None
        return self._inkbox.vault.revoke_access(secret_id, self.id)
