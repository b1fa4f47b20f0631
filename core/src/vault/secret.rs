//! Encrypting and decrypting secret payloads under the org key.

use super::VaultError;
use super::blob::{self, NONCE_LEN};
use super::keys::OrgKey;

/// Decrypts an `encrypted_payload` (base64, decoded leniently as the
/// reference does) into `buffer`, with AAD = `secret_id`, returning the
/// plaintext JSON bytes (a prefix of `buffer`). No allocation.
///
/// `buffer` needs [`base64::decoded_len_lenient`](super::base64::decoded_len_lenient)
/// bytes, at most `encrypted_payload.len() / 4 * 3 + 2`. Wipe it after use.
///
/// # Errors
/// - [`VaultError::DecryptionFailed`] for any malformed, foreign or tampered
///   blob, wrong key or wrong secret id.
/// - [`VaultError::BufferTooSmall`] if `buffer` cannot hold the decoded blob.
pub fn decrypt_payload_in_place<'b>(
    org_key: &OrgKey,
    secret_id: &str,
    encrypted_payload: &str,
    buffer: &'b mut [u8],
) -> Result<&'b mut [u8], VaultError> {
    blob::decode_and_open_in_place(org_key.as_bytes(), secret_id, encrypted_payload, buffer)
}

/// Encrypts the plaintext `buffer[..plaintext_len]` in place with AAD =
/// `secret_id` and the given fresh nonce, returning the raw blob
/// (`ciphertext ‖ nonce ‖ tag`, a prefix of `buffer`); base64-encode it with
/// [`base64::encode`](super::base64::encode). No allocation.
///
/// # Errors
/// [`VaultError::BufferTooSmall`] if `buffer` is shorter than
/// `plaintext_len + 28`.
pub fn encrypt_payload_in_place<'b>(
    org_key: &OrgKey,
    secret_id: &str,
    nonce: &[u8; NONCE_LEN],
    buffer: &'b mut [u8],
    plaintext_len: usize,
) -> Result<&'b mut [u8], VaultError> {
    blob::seal_in_place(org_key.as_bytes(), secret_id, nonce, buffer, plaintext_len)
}

#[cfg(feature = "alloc")]
mod owned {
    use alloc::string::String;
    use alloc::vec::Vec;

    use rand_core::TryCryptoRng;
    use zeroize::Zeroizing;

    use super::super::payload::{SecretPayload, SecretType};
    use super::*;

    /// `encrypted_payload` of raw plaintext bytes with an explicit nonce
    /// (reproducing vectors; otherwise use [`encrypt_plaintext`]).
    ///
    /// # Errors
    /// [`VaultError::InvalidPayload`] only for plaintexts beyond the GCM limit.
    pub fn encrypt_plaintext_with_nonce(
        org_key: &OrgKey,
        secret_id: &str,
        plaintext: &[u8],
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, VaultError> {
        blob::seal_to_b64(org_key.as_bytes(), secret_id, nonce, plaintext)
    }

    /// `encrypted_payload` = base64(AES-256-GCM(org key, plaintext, AAD =
    /// `secret_id`)) with a fresh nonce from `rng`.
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn encrypt_plaintext<R: TryCryptoRng + ?Sized>(
        org_key: &OrgKey,
        secret_id: &str,
        plaintext: &[u8],
        rng: &mut R,
    ) -> Result<String, VaultError> {
        let nonce = blob::generate_nonce(rng)?;
        encrypt_plaintext_with_nonce(org_key, secret_id, plaintext, &nonce)
    }

    /// Decrypts an `encrypted_payload` to its plaintext bytes (zeroized on
    /// drop), without interpreting them.
    ///
    /// # Errors
    /// [`VaultError::DecryptionFailed`] for any malformed, foreign or tampered
    /// blob, wrong key or wrong secret id.
    pub fn decrypt_plaintext(
        org_key: &OrgKey,
        secret_id: &str,
        encrypted_payload: &str,
    ) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        blob::open_from_b64(org_key.as_bytes(), secret_id, encrypted_payload)
    }

    /// Encrypts a typed payload exactly as the reference does (plaintext =
    /// [`SecretPayload::to_json`]) with an explicit nonce.
    ///
    /// # Errors
    /// As [`encrypt_plaintext_with_nonce`].
    pub fn encrypt_payload_with_nonce(
        org_key: &OrgKey,
        secret_id: &str,
        payload: &SecretPayload,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<String, VaultError> {
        let plaintext = payload.to_json();
        encrypt_plaintext_with_nonce(org_key, secret_id, plaintext.as_bytes(), nonce)
    }

    /// Encrypts a typed payload for `POST /vault/secrets` or `PATCH` (AAD =
    /// `secret_id`, fresh nonce from `rng`). Check the stored type first with
    /// [`SecretPayload::ensure_type`] when updating.
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn encrypt_payload<R: TryCryptoRng + ?Sized>(
        org_key: &OrgKey,
        secret_id: &str,
        payload: &SecretPayload,
        rng: &mut R,
    ) -> Result<String, VaultError> {
        let nonce = blob::generate_nonce(rng)?;
        encrypt_payload_with_nonce(org_key, secret_id, payload, &nonce)
    }

    /// Decrypts an `encrypted_payload` (AAD = `secret_id`) and parses it as
    /// the stored `secret_type`.
    ///
    /// # Errors
    /// - [`VaultError::DecryptionFailed`] if the blob does not decrypt.
    /// - [`VaultError::InvalidPayload`] / [`VaultError::UnsupportedSecretType`]
    ///   as [`SecretPayload::parse`].
    pub fn decrypt_payload(
        org_key: &OrgKey,
        secret_id: &str,
        secret_type: &SecretType,
        encrypted_payload: &str,
    ) -> Result<SecretPayload, VaultError> {
        let plaintext = decrypt_plaintext(org_key, secret_id, encrypted_payload)?;
        SecretPayload::parse(secret_type, &plaintext)
    }
}

#[cfg(feature = "alloc")]
pub use owned::*;
