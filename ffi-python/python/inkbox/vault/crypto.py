"""Client-side vault cryptography, the reference's ``inkbox.vault.crypto``.

Argon2id (t=3, 64 MiB, p=1; salt = the organization id) derives a
``MasterKey`` from a vault key or recovery code, with the GIL released; the
master key wraps the organization's ``OrgKey`` (AES-256-GCM, AAD = the vault
key id); the org key encrypts each secret's payload (AAD = the secret id).

Differences from the reference, on purpose: keys are opaque ``MasterKey`` /
``OrgKey`` objects (zeroized when freed, never shown, compared in constant
time; ``from_bytes`` restores one), ``decrypt_payload`` returns the typed
payload object (``.to_dict()`` gives the reference's dict) and
``encrypt_payload`` takes one. Every decryption failure is
``InkboxDecryptionError``.
"""

from __future__ import annotations


from inkbox._native import (
    MasterKey,
    OrgKey,
    VaultKeyMaterial,
    check_vault_key,
    compute_auth_hash,
    decrypt_payload,
    derive_master_key,
    encrypt_payload,
    generate_recovery_code,
    generate_vault_key_material,
    unwrap_org_key,
    unwrap_org_key_with_candidates,
    wrap_org_key,
)


def derive_salt(organization_id: str) -> bytes:
    """The Argon2id salt: the UTF-8 organization id."""
    return organization_id.encode()


def generate_org_encryption_key() -> OrgKey:
    """A fresh random 256-bit org key."""
    return OrgKey.generate()



__all__ = [
    "MasterKey",
    "OrgKey",
    "VaultKeyMaterial",
    "check_vault_key",
    "compute_auth_hash",
    "decrypt_payload",
    "derive_master_key",
    "derive_salt",
    "encrypt_payload",
    "generate_org_encryption_key",
    "generate_recovery_code",
    "generate_vault_key_material",
    "unwrap_org_key",
    "unwrap_org_key_with_candidates",
    "wrap_org_key",
]
