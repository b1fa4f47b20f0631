"""Structured vault secret payloads, the reference's ``inkbox.vault.types``.

The payload classes keep the reference's constructors
(``LoginPayload(password, username=None, email=None, url=None, totp=None, *,
notes=None)``, ...), attributes, ``secret_type`` class attribute and
``to_dict()``; their ``repr`` redacts passwords, keys, passphrases, data and
notes, and their contents are zeroized when they are freed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional, Union

from inkbox._enums import VaultKeyType, VaultSecretType
from inkbox._models import Model
from inkbox._native import (
    APIKeyPayload,
    DecryptedVaultSecret,
    KeyPairPayload,
    LoginPayload,
    OtherPayload,
    SSHKeyPayload,
)

class VaultInfo(Model):
    """Rust ``VaultInfo``."""

    id: str
    organization_id: str
    created_at: datetime
    updated_at: datetime
    key_count: int
    secret_count: int
    recovery_key_count: int


class VaultKey(Model):
    """Rust ``VaultKey``."""

    id: str
    key_type: VaultKeyType
    created_by: Optional[str]
    created_at: datetime
    updated_at: datetime


class AccessRule(Model):
    """Rust ``AccessRule``."""

    id: str
    vault_secret_id: str
    identity_id: str
    created_at: datetime


class VaultSecret(Model):
    """Rust ``VaultSecret``."""

    id: str
    name: str
    description: Optional[str]
    secret_type: VaultSecretType
    created_at: datetime
    updated_at: datetime
    access: list[AccessRule]


class VaultSecretDetail(VaultSecret):
    """Rust ``VaultSecretDetail``."""

    encrypted_payload: str


class VaultRecoveryKey(Model):
    """One recovery key of :class:`VaultInitializeResult` (``recovery_code``
    is shown once: save it)."""

    _redacted = frozenset({"recovery_code"})

    id: Optional[str]
    recovery_code: str


class VaultInitializeResult(Model):
    """The result of ``vault.initialize``: ids, and the recovery codes (shown
    once). ``recovery_keys[i].recovery_code`` and ``recovery_codes[i]`` are the
    same codes."""

    _redacted = frozenset({"recovery_codes", "recovery_keys"})

    vault_id: str
    vault_key_id: str
    organization_id: str
    recovery_key_count: int
    recovery_codes: list[str]

    @property
    def recovery_keys(self) -> list[VaultRecoveryKey]:
        """The recovery keys, each with ``recovery_code``."""
        keys = self._d.get("recovery_keys")
        if isinstance(keys, list):
            return [VaultRecoveryKey._from(k) if isinstance(k, dict) else k for k in keys]
        return [VaultRecoveryKey(id=None, recovery_code=c) for c in (self.recovery_codes or [])]


#: Any of the payload classes.
SecretPayload = Union[LoginPayload, APIKeyPayload, KeyPairPayload, SSHKeyPayload, OtherPayload]

__all__ = [
    "AccessRule",
    "DecryptedVaultSecret",
    "VaultInfo",
    "VaultInitializeResult",
    "VaultKey",
    "VaultRecoveryKey",
    "VaultSecret",
    "VaultSecretDetail",
    "APIKeyPayload",
    "KeyPairPayload",
    "LoginPayload",
    "OtherPayload",
    "SSHKeyPayload",
    "SecretPayload",
    "VaultKeyType",
    "VaultSecretType",
]
