"""``UnlockedVault``: the decrypted vault of ``inkbox.vault.unlock``, with the
secret operations that need its key (create, fetch, update, TOTP). Each one
runs a native flow (encryption and decryption in inkbox-core) through the
client's runner; the key never leaves the native object."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Union
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
        self._secrets: list[DecryptedVaultSecret] = list(native.secrets)

    @property
    def organization_id(self) -> str:
        """The organization whose vault this is."""
        return self._native.organization_id

    @property
    def secrets(self) -> list[DecryptedVaultSecret]:
        """The secrets decrypted at unlock time, kept current by this object's
        own ``create_secret``, ``set_totp``, ``remove_totp`` and
        ``delete_secret`` (as the 0.4.9 SDK's cache is)."""
        return list(self._secrets)

    def secret_ids(self) -> list[str]:
        """The ids of :attr:`secrets`."""
        return [str(s.id) for s in self._secrets]

    def _remember(self, secret: DecryptedVaultSecret) -> DecryptedVaultSecret:
        sid = str(secret.id)
        for i, known in enumerate(self._secrets):
            if str(known.id) == sid:
                self._secrets[i] = secret
                return secret
        self._secrets.append(secret)
        return secret

    def _forget(self, secret_id: _Id) -> None:
        sid = str(secret_id)
        self._secrets = [s for s in self._secrets if str(s.id) != sid]

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

        def created(value: object) -> VaultSecret:
            meta = coerce(value, VaultSecret)

            def fetched(secret: DecryptedVaultSecret) -> VaultSecret:
                self._remember(secret)
                return meta

            result: VaultSecret = self._r.map(self.get_secret(meta.id), fetched)
            return result

        return self._r.map(self._r.drive(flow), created)

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
        # ``raw``: with the async runner an awaitable.
        deleted: Any = self._r.raw("vault.secrets.delete", {"path": {"secret_id": str(secret_id)}})
        return self._r.map(deleted, lambda _: self._forget(secret_id))

    def set_totp(self, secret_id: _Id, totp: Union[TOTPConfig, str]) -> DecryptedVaultSecret:
        """Adds or replaces a login's TOTP (a ``TOTPConfig`` or an
        ``otpauth://totp/...`` URI); returns the updated, decrypted secret."""
        return self._r.map(self._r.drive(_native.TotpUpdateFlow(self._native, str(secret_id), totp)), self._remember)

    def remove_totp(self, secret_id: _Id) -> DecryptedVaultSecret:
        """Removes a login's TOTP; returns the updated, decrypted secret."""
        return self._r.map(self._r.drive(_native.TotpUpdateFlow(self._native, str(secret_id), None)), self._remember)

    def get_totp_code(self, secret_id: _Id) -> TOTPCode:
        """The current code of a login's TOTP (the secret is fetched and
        decrypted first): ``.code``, ``.expires_in``."""
        return self._r.map(self.get_secret(secret_id), lambda s: s.totp_code())
