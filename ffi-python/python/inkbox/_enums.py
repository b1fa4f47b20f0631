"""String enums shared by the native module and the Python layer.

They compare equal to their string values (``TOTPAlgorithm.SHA1 == "sha1"``),
like the reference SDK's ``StrEnum``s, on every supported Python.
"""

from __future__ import annotations

import enum
import sys

if sys.version_info >= (3, 11):
    from enum import StrEnum
else:  # pragma: no cover - exercised on 3.10 only

    class StrEnum(str, enum.Enum):
        """``enum.StrEnum`` for Python < 3.11."""

        def __str__(self) -> str:
            return str(self.value)


class TOTPAlgorithm(StrEnum):
    """Hash algorithm of TOTP codes (lower case, as stored)."""

    SHA1 = "sha1"
    SHA256 = "sha256"
    SHA512 = "sha512"


class VaultSecretType(StrEnum):
    """Category of a vault secret (the server stores it in clear)."""

    API_KEY = "api_key"
    KEY_PAIR = "key_pair"
    LOGIN = "login"
    SSH_KEY = "ssh_key"
    OTHER = "other"


class VaultKeyType(StrEnum):
    """Kind of vault key record."""

    PRIMARY = "primary"
    RECOVERY = "recovery"


__all__ = ["StrEnum", "TOTPAlgorithm", "VaultKeyType", "VaultSecretType"]
