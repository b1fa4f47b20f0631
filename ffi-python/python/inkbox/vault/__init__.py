"""inkbox.vault: vault payload types, TOTP, cryptography and exceptions."""

from inkbox.vault.crypto import (
    MasterKey,
    OrgKey,
    VaultKeyMaterial,
    generate_org_encryption_key,
    generate_recovery_code,
    generate_vault_key_material,
)
from inkbox.vault.exceptions import InkboxVaultKeyError
from inkbox.vault.totp import TOTPAlgorithm, TOTPCode, TOTPConfig, generate_totp, parse_totp_uri, verify_totp
from inkbox.vault.types import (
    APIKeyPayload,
    KeyPairPayload,
    LoginPayload,
    OtherPayload,
    SecretPayload,
    SSHKeyPayload,
    VaultKeyType,
    VaultSecretType,
)

__all__ = [
    "APIKeyPayload",
    "InkboxVaultKeyError",
    "KeyPairPayload",
    "LoginPayload",
    "MasterKey",
    "OrgKey",
    "OtherPayload",
    "SSHKeyPayload",
    "SecretPayload",
    "TOTPAlgorithm",
    "TOTPCode",
    "TOTPConfig",
    "VaultKeyMaterial",
    "VaultKeyType",
    "VaultSecretType",
    "generate_org_encryption_key",
    "generate_recovery_code",
    "generate_totp",
    "generate_vault_key_material",
    "parse_totp_uri",
    "verify_totp",
]
