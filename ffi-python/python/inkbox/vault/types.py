"""Structured vault secret payloads, the reference's ``inkbox.vault.types``.

The payload classes keep the reference's constructors
(``LoginPayload(password, username=None, email=None, url=None, totp=None, *,
notes=None)``, ...), attributes, ``secret_type`` class attribute and
``to_dict()``; their ``repr`` redacts passwords, keys, passphrases, data and
notes, and their contents are zeroized when they are freed.
"""

from __future__ import annotations

from typing import Union

from inkbox._enums import VaultKeyType, VaultSecretType
from inkbox._native import (
    APIKeyPayload,
    KeyPairPayload,
    LoginPayload,
    OtherPayload,
    SSHKeyPayload,
)

#: Any of the payload classes.
SecretPayload = Union[LoginPayload, APIKeyPayload, KeyPairPayload, SSHKeyPayload, OtherPayload]

__all__ = [
    "APIKeyPayload",
    "KeyPairPayload",
    "LoginPayload",
    "OtherPayload",
    "SSHKeyPayload",
    "SecretPayload",
    "VaultKeyType",
    "VaultSecretType",
]
