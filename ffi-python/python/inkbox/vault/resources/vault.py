"""``inkbox.vault``: the encrypted vault (metadata over REST; unlock,
initialize and key rotation through inkbox-core's flows, with the
cryptography in the native module)."""

from __future__ import annotations

from typing import Any, Optional, Union, List
from uuid import UUID

from inkbox import _native
from inkbox._models import Model, coerce
from inkbox._resource import Resource, compact
from inkbox.vault.unlocked import UnlockedVault
from inkbox.vault.types import AccessRule, VaultInfo, VaultInitializeResult, VaultKey, VaultSecret

__all__ = ["VaultResource"]

_Id = Union[UUID, str]


def _initialize_result(value: _native.VaultInitializeResult) -> VaultInitializeResult:
    """The native result as the official model: ``recovery_keys[i]`` pairs
    each recovery key's id with its code."""
    codes = list(value.recovery_codes)
    data: dict[str, Any] = {
        "vault_id": value.vault_id,
        "vault_key_id": value.vault_key_id,
        "organization_id": value.organization_id,
        "recovery_key_count": value.recovery_key_count,
        "recovery_codes": codes,
        "recovery_keys": [
            {"id": key_id, "recovery_code": code} for key_id, code in zip(value.recovery_key_ids, codes)
        ],
    }
    return VaultInitializeResult._from(data)


class VaultResource(Resource):
    """The organization's vault."""

    _unlocked: Optional[UnlockedVault] = None

    @property
    def unlocked(self) -> Optional[UnlockedVault]:
        """The ``UnlockedVault`` of the last :meth:`unlock`, or ``None``."""
        return self._unlocked

    def info(self) -> Optional[VaultInfo]:
        """Vault metadata (key and secret counts), or ``None`` when the vault
        has not been initialized yet."""
        return self._r.call_optional("vault.info", None, VaultInfo)

    def initialize(self, vault_key: str) -> VaultInitializeResult:
        """Creates the vault with a primary key and recovery keys; the
        recovery codes are in the result (``recovery_keys[i].recovery_code``),
        shown once."""
        return self._r.map(self._r.drive(_native.InitializeFlow(vault_key)), _initialize_result)

    def update_key(
        self,
        new_key: str,
        *,
        current_vault_key: Optional[str] = None,
        recovery_code: Optional[str] = None,
    ) -> Any:
        """Replaces the primary vault key, proving either the current key or
        a recovery code (which the server then consumes)."""
        return self._r.drive(_native.UpdateKeyFlow(new_key, current_vault_key, recovery_code))

    def unlock(self, vault_key: str, *, identity_id: Optional[_Id] = None) -> UnlockedVault:
        """Derives the key, fetches and decrypts the secrets (of one identity,
        with ``identity_id``); returns the ``UnlockedVault`` and keeps it for
        ``identity.credentials``."""
        flow = _native.UnlockFlow(vault_key, None if identity_id is None else str(identity_id))

        def store(native: _native.UnlockedVault) -> UnlockedVault:
            self._unlocked = UnlockedVault(native, self._r)
            return self._unlocked

        return self._r.map(self._r.drive(flow), store)

    def list_keys(self, *, key_type: Optional[str] = None) -> List[VaultKey]:
        """Vault keys, optionally of one type (``"primary"`` / ``"recovery"``,
        any case)."""
        kind = None if key_type is None else str(getattr(key_type, "value", key_type)).lower()
        return self._r.call_list("vault.keys.list", {"query": compact(type=kind)}, VaultKey)

    def delete_key(self, auth_hash: str) -> None:
        """Revokes a vault key by its auth hash."""
        return self._r.void("vault.keys.revoke", {"path": {"auth_hash": auth_hash}})

    def list_secrets(self, *, secret_type: Optional[str] = None) -> List[VaultSecret]:
        """Secret metadata (no payloads)."""
        kind = None if secret_type is None else str(getattr(secret_type, "value", secret_type)).lower()
        return self._r.call_list("vault.secrets.list", {"query": compact(secret_type=kind)}, VaultSecret)

    def delete_secret(self, secret_id: _Id) -> None:
        """Deletes a secret."""
        return self._r.void("vault.secrets.delete", {"path": {"secret_id": str(secret_id)}})

    def list_access_rules(self, secret_id: _Id) -> List[AccessRule]:
        """Which identities can read a secret."""
        return self._r.call_list("vault.secrets.access.list", {"path": {"secret_id": str(secret_id)}}, AccessRule)

    def grant_access(self, secret_id: _Id, identity_id: _Id) -> AccessRule:
        """Lets an identity read a secret."""
        return self._r.call(
            "vault.secrets.access.grant",
            {"path": {"secret_id": str(secret_id)}, "body": {"identity_id": str(identity_id)}},
            AccessRule,
        )

    def revoke_access(self, secret_id: _Id, identity_id: _Id) -> None:
        """Removes an identity's access to a secret."""
        return self._r.void(
            "vault.secrets.access.revoke", {"path": {"secret_id": str(secret_id), "identity_id": str(identity_id)}}
        )
