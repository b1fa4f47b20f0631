"""Re-exports of the vault's exceptions from ``inkbox.exceptions``."""

from inkbox.exceptions import (
    InkboxAPIError,
    InkboxDecryptionError,
    InkboxError,
    InkboxVaultError,
    InkboxVaultKeyError,
    InkboxVaultPayloadError,
)

__all__ = [
    "InkboxAPIError",
    "InkboxDecryptionError",
    "InkboxError",
    "InkboxVaultError",
    "InkboxVaultKeyError",
    "InkboxVaultPayloadError",
]
