"""``UnlockedVault``: the decrypted vault of ``inkbox.vault.unlock``, with the
secret operations that need its key (create, fetch, update, TOTP). Each one
runs a native flow (encryption and decryption in inkbox-core) through the
client's runner; the key never leaves the native object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Union
from uuid import UUID

from inkbox import _native
from inkbox._models import coerce
from inkbox._native import DecryptedVaultSecret, TOTPCode, TOTPConfig
from inkbox.vault.types import SecretPayload, VaultSecret

if TYPE_CHECKING:
    from inkbox._runtime import SyncRunner

__all__ = ["UnlockedVault"]

_Id = Union[UUID, str]


class UnlockedVault:
    """An unlocked vault: its decrypted secrets (as of the unlock) and the
    operations that encrypt or decrypt. With ``AsyncInkbox`` the operations
    return awaitables."""

    def __init__(self, native: _native.UnlockedVault, runner: SyncRunner) -> None:
        self._native = native
        self._r = runner

    @property
    def organization_id(self) -> str:
        """The organization whose vault this is."""
        return self._native.organization_id

    @property
    def secrets(self) -> list[DecryptedVaultSecret]:
        """The secrets decrypted at unlock time."""
        return self._native.secrets

    def secret_ids(self) -> list[str]:
        """The ids of :attr:`secrets`."""
        return self._native.secret_ids()

    def __repr__(self) -> str:
        return f"UnlockedVault(organization_id={self.organization_id!r}, secrets={len(self.secrets)})"

    def create_secret(
        self,
        name: str,
        payload: SecretPayload,
        *,
        description: Optional[str] = None,
        identity_id: Optional[_Id] = None,
    ) -> VaultSecret:
        """Encrypts and stores a new secret (with ``identity_id``, also grants
        that identity access); returns its metadata."""
        flow = _native.CreateSecretFlow(
            self._native, name, payload, description, None if identity_id is None else str(identity_id)
        )
        return self._r.map(self._r.drive(flow), lambda v: coerce(v, VaultSecret))

    def get_secret(self, secret_id: _Id) -> DecryptedVaultSecret:
        """Fetches and decrypts one secret."""
        return self._r.drive(_native.GetSecretFlow(self._native, str(secret_id)))

    def update_secret(
        self,
        secret_id: _Id,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        payload: Optional[SecretPayload] = None,
        clear_description: bool = False,
    ) -> VaultSecret:
        """Renames, re-describes and/or re-encrypts a secret; returns its
        metadata."""
        flow = _native.UpdateSecretFlow(
            self._native,
            str(secret_id),
            name=name,
            description=description,
            payload=payload,
            clear_description=clear_description,
        )
        return self._r.map(self._r.drive(flow), lambda v: coerce(v, VaultSecret))

    def delete_secret(self, secret_id: _Id) -> None:
        """Deletes a secret."""
        return self._r.void("vault.secrets.delete", {"path": {"secret_id": str(secret_id)}})

    def set_totp(self, secret_id: _Id, totp: Union[TOTPConfig, str]) -> DecryptedVaultSecret:
        """Adds or replaces a login's TOTP (a ``TOTPConfig`` or an
        ``otpauth://totp/...`` URI); returns the updated, decrypted secret."""
        return self._r.drive(_native.TotpUpdateFlow(self._native, str(secret_id), totp))

    def remove_totp(self, secret_id: _Id) -> DecryptedVaultSecret:
        """Removes a login's TOTP; returns the updated, decrypted secret."""
        return self._r.drive(_native.TotpUpdateFlow(self._native, str(secret_id), None))

    def get_totp_code(self, secret_id: _Id) -> TOTPCode:
        """The current code of a login's TOTP (the secret is fetched and
        decrypted first): ``.code``, ``.expires_in``."""
        return self._r.map(self.get_secret(secret_id), lambda s: s.totp_code())
