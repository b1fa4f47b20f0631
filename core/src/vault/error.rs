//! The vault's error type.

use core::fmt;

use super::rules::VaultKeyRule;

/// Everything that can go wrong in [`crate::vault`].
///
/// Variants exist only where a caller reacts differently. Every failure to
/// decrypt or unwrap — malformed base64, a blob that is too short, the wrong
/// key, the wrong AAD (secret or key id), a tampered ciphertext, nonce or tag —
/// is the single variant [`VaultError::DecryptionFailed`], so no oracle tells
/// an attacker *why* a blob was refused.
///
/// Messages (`Display`) and `Debug` never contain key material, passwords,
/// plaintext or payloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum VaultError {
    /// A blob could not be decrypted or unwrapped: bad base64, too short, the
    /// wrong key or AAD, or tampered data. Code `vault.decryption_failed`.
    DecryptionFailed,
    /// The blob authenticated, but its plaintext is not a JSON object of the
    /// expected shape (not UTF-8/JSON, a required field missing, a field of
    /// the wrong type, an invalid TOTP config), or a plaintext is too large
    /// to encrypt. Code `vault.invalid_payload`.
    InvalidPayload,
    /// A payload's type differs from the secret's stored `secret_type`
    /// (refused client-side, as the reference SDKs do).
    /// Code `vault.payload_type_mismatch`.
    PayloadTypeMismatch,
    /// The stored `secret_type` is not one this version knows, so the
    /// payload cannot be parsed into a typed value.
    /// Code `vault.unsupported_secret_type`.
    UnsupportedSecretType,
    /// A new vault key breaks one of the password rules.
    /// Code `vault.weak_vault_key`.
    WeakVaultKey {
        /// The first rule (in the reference's order) that failed.
        rule: VaultKeyRule,
    },
    /// Argon2id parameters outside the accepted floor/ceiling (see
    /// [`crate::vault::KdfParams`]) or rejected by Argon2 itself.
    /// Code `vault.invalid_kdf_params`.
    InvalidKdfParams,
    /// The Argon2 salt (the UTF-8 organization id) is shorter than 8 bytes.
    /// Code `vault.salt_too_short`.
    SaltTooShort,
    /// The Argon2 working memory could not be allocated, or the caller's
    /// block buffer is smaller than the parameters need.
    /// Code `vault.out_of_memory`.
    OutOfMemory,
    /// A string that must be a canonical lowercase hyphenated UUID is not.
    /// Code `vault.invalid_id`.
    InvalidId,
    /// A caller-provided output buffer is too small (no-alloc API only).
    /// Code `vault.buffer_too_small`.
    BufferTooSmall,
    /// The caller's random number generator failed. Code `vault.rng_failed`.
    Rng,
}

impl fmt::Display for VaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::DecryptionFailed => {
                f.write_str("vault decryption failed (wrong key, wrong id, or corrupted or tampered data)")
            }
            Self::InvalidPayload => {
                f.write_str("decrypted vault payload is not a valid JSON object of the expected shape")
            }
            Self::PayloadTypeMismatch => {
                f.write_str("vault payload type does not match the secret's stored secret_type")
            }
            Self::UnsupportedSecretType => f.write_str("unsupported vault secret_type"),
            Self::WeakVaultKey { rule } => f.write_str(rule.message()),
            Self::InvalidKdfParams => f.write_str("Argon2id parameters outside the accepted range"),
            Self::SaltTooShort => f.write_str("Argon2id salt (organization id) is shorter than 8 bytes"),
            Self::OutOfMemory => f.write_str("not enough memory for Argon2id"),
            Self::InvalidId => f.write_str("id is not a canonical lowercase hyphenated UUID"),
            Self::BufferTooSmall => f.write_str("output buffer too small"),
            Self::Rng => f.write_str("random number generator failed"),
        }
    }
}

impl core::error::Error for VaultError {}

impl crate::ErrorClass for VaultError {
    fn error_class(&self) -> &'static str {
        match self {
            VaultError::WeakVaultKey { .. } => "InkboxVaultKeyError",
            VaultError::DecryptionFailed => "InkboxDecryptionError",
            VaultError::InvalidPayload | VaultError::PayloadTypeMismatch | VaultError::UnsupportedSecretType => {
                "InkboxVaultPayloadError"
            }
            _ => "InkboxVaultError",
        }
    }
}

impl crate::ErrorCode for VaultError {
    fn code(&self) -> &'static str {
        match self {
            Self::DecryptionFailed => "vault.decryption_failed",
            Self::InvalidPayload => "vault.invalid_payload",
            Self::PayloadTypeMismatch => "vault.payload_type_mismatch",
            Self::UnsupportedSecretType => "vault.unsupported_secret_type",
            Self::WeakVaultKey { .. } => "vault.weak_vault_key",
            Self::InvalidKdfParams => "vault.invalid_kdf_params",
            Self::SaltTooShort => "vault.salt_too_short",
            Self::OutOfMemory => "vault.out_of_memory",
            Self::InvalidId => "vault.invalid_id",
            Self::BufferTooSmall => "vault.buffer_too_small",
            Self::Rng => "vault.rng_failed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode as _;

    #[test]
    fn codes_are_stable_and_prefixed() {
        let all = [
            (VaultError::DecryptionFailed, "vault.decryption_failed"),
            (VaultError::InvalidPayload, "vault.invalid_payload"),
            (VaultError::PayloadTypeMismatch, "vault.payload_type_mismatch"),
            (VaultError::UnsupportedSecretType, "vault.unsupported_secret_type"),
            (VaultError::WeakVaultKey { rule: VaultKeyRule::MinLength }, "vault.weak_vault_key"),
            (VaultError::InvalidKdfParams, "vault.invalid_kdf_params"),
            (VaultError::SaltTooShort, "vault.salt_too_short"),
            (VaultError::OutOfMemory, "vault.out_of_memory"),
            (VaultError::InvalidId, "vault.invalid_id"),
            (VaultError::BufferTooSmall, "vault.buffer_too_small"),
            (VaultError::Rng, "vault.rng_failed"),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
        }
    }
}
