"""inkbox: Python SDK for the Inkbox API, on the Rust inkbox-core.

This release holds the foundation: webhook verification, TOTP, the vault's
cryptography and payload types, and the exception hierarchy. Names follow the
reference SDK (``inkbox`` 0.4.9).
"""

from inkbox._enums import TOTPAlgorithm, VaultKeyType, VaultSecretType
from inkbox.exceptions import (
    DuplicateContactRuleError,
    HandleUnavailableError,
    InkboxAPIError,
    InkboxDecryptionError,
    InkboxError,
    InkboxInternalError,
    InkboxTOTPError,
    InkboxTransportError,
    InkboxVaultError,
    InkboxVaultKeyError,
    InkboxVaultPayloadError,
    InkboxWebhookError,
    RecipientBlockedError,
    RedundantContactAccessGrantError,
    TunnelCSRStateConflict,
    TunnelError,
    TunnelNameInvalid,
    TunnelNotProvisioned,
    TunnelRemoved,
    TunnelStateConflict,
    TunnelTLSModeMismatch,
)
from inkbox.signing_keys import sign_webhook, verify_webhook, verify_webhook_reason
from inkbox.vault.crypto import (
    VaultKeyMaterial,
    generate_org_encryption_key,
    generate_recovery_code,
    generate_vault_key_material,
)
from inkbox.vault.totp import TOTPCode, TOTPConfig, generate_totp, parse_totp_uri, verify_totp
from inkbox.vault.types import (
    APIKeyPayload,
    KeyPairPayload,
    LoginPayload,
    OtherPayload,
    SSHKeyPayload,
)

__all__ = [
    # Exceptions
    "DuplicateContactRuleError",
    "HandleUnavailableError",
    "InkboxAPIError",
    "InkboxDecryptionError",
    "InkboxError",
    "InkboxInternalError",
    "InkboxTOTPError",
    "InkboxTransportError",
    "InkboxVaultError",
    "InkboxVaultKeyError",
    "InkboxVaultPayloadError",
    "InkboxWebhookError",
    "RecipientBlockedError",
    "RedundantContactAccessGrantError",
    "TunnelCSRStateConflict",
    "TunnelError",
    "TunnelNameInvalid",
    "TunnelNotProvisioned",
    "TunnelRemoved",
    "TunnelStateConflict",
    "TunnelTLSModeMismatch",
    # Webhooks
    "sign_webhook",
    "verify_webhook",
    "verify_webhook_reason",
    # Vault payloads and enums
    "APIKeyPayload",
    "KeyPairPayload",
    "LoginPayload",
    "OtherPayload",
    "SSHKeyPayload",
    "VaultKeyType",
    "VaultSecretType",
    # Vault key material
    "VaultKeyMaterial",
    "generate_org_encryption_key",
    "generate_recovery_code",
    "generate_vault_key_material",
    # TOTP
    "TOTPAlgorithm",
    "TOTPCode",
    "TOTPConfig",
    "generate_totp",
    "parse_totp_uri",
    "verify_totp",
]
