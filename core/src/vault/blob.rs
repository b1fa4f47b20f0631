//! The vault blob: `ciphertext ‖ nonce(12) ‖ tag(16)` under AES-256-GCM.
//!
//! These functions work on raw 32-byte keys and need no allocation; the
//! typed operations in [`crate::vault`] (wrap/unwrap the org key, encrypt and
//! decrypt payloads) are built on them. The AAD is the UTF-8 of an id string;
//! an empty id means "no AAD" (GCM treats both the same).

use rand_core::TryCryptoRng;

use super::VaultError;
use super::base64;
use super::hazmat::{self, AES256GCM_KEY_LEN};

/// Nonce length in a blob.
pub const NONCE_LEN: usize = hazmat::AES256GCM_NONCE_LEN;
/// Tag length in a blob.
pub const TAG_LEN: usize = hazmat::AES256GCM_TAG_LEN;
/// Bytes a blob adds to its plaintext (nonce + tag).
pub const BLOB_OVERHEAD: usize = NONCE_LEN + TAG_LEN;

/// Draws a fresh 96-bit nonce from the caller's CSPRNG.
///
/// # Errors
/// [`VaultError::Rng`] if the generator fails.
pub fn generate_nonce<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<[u8; NONCE_LEN], VaultError> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.try_fill_bytes(&mut nonce).map_err(|_| VaultError::Rng)?;
    Ok(nonce)
}

/// Encrypts `buffer[..plaintext_len]` in place into the blob layout
/// `ciphertext ‖ nonce ‖ tag`, returning the blob (`plaintext_len + 28`
/// bytes, a prefix of `buffer`).
///
/// The nonce must be fresh for this key (use [`generate_nonce`]); explicit
/// nonces exist to reproduce test vectors.
///
/// # Errors
/// - [`VaultError::BufferTooSmall`] if `buffer` is shorter than
///   `plaintext_len + 28`.
/// - [`VaultError::InvalidPayload`] if the plaintext exceeds the GCM limit.
pub fn seal_in_place<'b>(
    key: &[u8; AES256GCM_KEY_LEN],
    aad: &str,
    nonce: &[u8; NONCE_LEN],
    buffer: &'b mut [u8],
    plaintext_len: usize,
) -> Result<&'b mut [u8], VaultError> {
    let blob_len = plaintext_len.checked_add(BLOB_OVERHEAD).ok_or(VaultError::BufferTooSmall)?;
    let blob = buffer.get_mut(..blob_len).ok_or(VaultError::BufferTooSmall)?;
    let (body, trailer) = blob.split_at_mut(plaintext_len);
    let (nonce_dst, tag_dst) = trailer.split_at_mut(NONCE_LEN);
    let tag = hazmat::aes256gcm_seal_in_place(key, nonce, aad.as_bytes(), body)?;
    nonce_dst.copy_from_slice(nonce);
    tag_dst.copy_from_slice(&tag);
    Ok(blob)
}

/// Authenticates and decrypts a raw (already base64-decoded) blob in place,
/// returning the plaintext (a prefix of `blob`).
///
/// # Errors
/// [`VaultError::DecryptionFailed`] if the blob is shorter than 28 bytes or
/// does not authenticate under `key` and `aad`.
pub fn open_in_place<'b>(
    key: &[u8; AES256GCM_KEY_LEN],
    aad: &str,
    blob: &'b mut [u8],
) -> Result<&'b mut [u8], VaultError> {
    let body_len = blob.len().checked_sub(BLOB_OVERHEAD).ok_or(VaultError::DecryptionFailed)?;
    let (body, trailer) = blob.split_at_mut(body_len);
    let (nonce, tag) = trailer.split_at(NONCE_LEN);
    let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| VaultError::DecryptionFailed)?;
    let tag: &[u8; TAG_LEN] = tag.try_into().map_err(|_| VaultError::DecryptionFailed)?;
    hazmat::aes256gcm_open_in_place(key, nonce, aad.as_bytes(), body, tag)?;
    Ok(body)
}

/// Decodes a base64 blob (leniently, exactly as the reference does; see
/// [`base64`]) into `buffer` and decrypts it there, returning
/// the plaintext (a prefix of `buffer`). No allocation.
///
/// `buffer` needs [`base64::decoded_len_lenient`] bytes (at most
/// `blob_b64.len() / 4 * 3 + 2`).
///
/// # Errors
/// - [`VaultError::BufferTooSmall`] if the decoded blob does not fit.
/// - [`VaultError::DecryptionFailed`] for invalid base64 or a blob that does
///   not authenticate.
pub fn decode_and_open_in_place<'b>(
    key: &[u8; AES256GCM_KEY_LEN],
    aad: &str,
    blob_b64: &str,
    buffer: &'b mut [u8],
) -> Result<&'b mut [u8], VaultError> {
    let len = base64::decode_lenient(blob_b64, buffer).map_err(|e| match e {
        base64::Base64Error::BufferTooSmall => VaultError::BufferTooSmall,
        _ => VaultError::DecryptionFailed,
    })?;
    let blob = buffer.get_mut(..len).ok_or(VaultError::DecryptionFailed)?;
    open_in_place(key, aad, blob)
}

/// Allocating seal: `base64(ciphertext ‖ nonce ‖ tag)` of `plaintext`.
#[cfg(feature = "alloc")]
pub(crate) fn seal_to_b64(
    key: &[u8; AES256GCM_KEY_LEN],
    aad: &str,
    nonce: &[u8; NONCE_LEN],
    plaintext: &[u8],
) -> Result<alloc::string::String, VaultError> {
    let blob_len = plaintext.len().checked_add(BLOB_OVERHEAD).ok_or(VaultError::InvalidPayload)?;
    let mut buffer = zeroize::Zeroizing::new(alloc::vec![0u8; blob_len]);
    let body = buffer.get_mut(..plaintext.len()).ok_or(VaultError::InvalidPayload)?;
    body.copy_from_slice(plaintext);
    let blob = seal_in_place(key, aad, nonce, &mut buffer, plaintext.len())?;
    Ok(base64::encode_to_string(blob))
}

/// Allocating open: the plaintext of a base64 blob, zeroized on drop.
#[cfg(feature = "alloc")]
pub(crate) fn open_from_b64(
    key: &[u8; AES256GCM_KEY_LEN],
    aad: &str,
    blob_b64: &str,
) -> Result<zeroize::Zeroizing<alloc::vec::Vec<u8>>, VaultError> {
    let len = base64::decoded_len_lenient(blob_b64).map_err(|_| VaultError::DecryptionFailed)?;
    let mut buffer = zeroize::Zeroizing::new(alloc::vec![0u8; len]);
    let plaintext_len = decode_and_open_in_place(key, aad, blob_b64, &mut buffer)?.len();
    buffer.truncate(plaintext_len);
    Ok(buffer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    const KEY: [u8; 32] = [0x11; 32];
    const NONCE: [u8; 12] = [0x22; 12];

    #[test]
    fn seal_open_roundtrip_and_every_flipped_byte_fails() {
        let mut buf = [0u8; 64];
        buf[..5].copy_from_slice(b"hello");
        let blob_len = seal_in_place(&KEY, "id-1", &NONCE, &mut buf, 5).unwrap().len();
        assert_eq!(blob_len, 5 + BLOB_OVERHEAD);
        assert_eq!(&buf[5..17], &NONCE);
        let blob = buf;

        let mut copy = blob;
        assert_eq!(open_in_place(&KEY, "id-1", &mut copy[..blob_len]).unwrap(), b"hello");

        for i in 0..blob_len {
            let mut twin = blob;
            twin[i] ^= 0x01;
            assert_eq!(
                open_in_place(&KEY, "id-1", &mut twin[..blob_len]),
                Err(VaultError::DecryptionFailed),
                "flipped byte {i}"
            );
        }
        let mut copy = blob;
        assert_eq!(open_in_place(&KEY, "id-2", &mut copy[..blob_len]), Err(VaultError::DecryptionFailed));
        let mut copy = blob;
        assert_eq!(open_in_place(&KEY, "", &mut copy[..blob_len]), Err(VaultError::DecryptionFailed));
        for short in 0..BLOB_OVERHEAD {
            let mut copy = blob;
            assert_eq!(open_in_place(&KEY, "id-1", &mut copy[..short]), Err(VaultError::DecryptionFailed));
        }
    }

    #[test]
    fn buffer_too_small() {
        let mut buf = [0u8; 30];
        assert_eq!(seal_in_place(&KEY, "", &NONCE, &mut buf, 3).unwrap_err(), VaultError::BufferTooSmall);
        assert_eq!(decode_and_open_in_place(&KEY, "", "QUJDRA==", &mut [0u8; 3]), Err(VaultError::BufferTooSmall));
        assert_eq!(decode_and_open_in_place(&KEY, "", "QUJDR", &mut [0u8; 30]), Err(VaultError::DecryptionFailed));
    }
}
