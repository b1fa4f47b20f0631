//! Hazardous materials: the raw primitives under the vault API.
//!
//! These functions do exactly one cryptographic operation each and check
//! nothing about *how* they are used: no parameter floor or ceiling, no blob
//! layout, no AAD convention, no nonce management. Misusing them (reusing a
//! nonce with the same key, weak Argon2 parameters, ignoring an `Err` from
//! [`aes256gcm_open_in_place`]) silently destroys security. Use the typed API
//! in [`crate::vault`] unless you are implementing a known-answer test or a
//! new high-level operation.
//!
//! - [`argon2id`] / [`argon2id_keyed`]: Argon2id version 0x13 (RFC 9106) into
//!   a caller-provided output, with caller-provided working memory.
//! - [`aes256gcm_seal_in_place`] / [`aes256gcm_open_in_place`]: AES-256-GCM
//!   with a 96-bit nonce and a detached 128-bit tag, in place on a caller
//!   buffer (NIST SP 800-38D).

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{AeadInOut as _, KeyInit as _};
use zeroize::Zeroize as _;

use super::VaultError;

/// One 1 KiB block of Argon2 working memory (re-exported from `argon2`).
///
/// Argon2id with `m_cost_kib = m` needs (about) `m` blocks; see
/// [`Argon2idParams::block_count`].
pub use argon2::Block;

/// AES-256 key length in bytes.
pub const AES256GCM_KEY_LEN: usize = 32;
/// AES-GCM nonce length used throughout the vault (96 bits).
pub const AES256GCM_NONCE_LEN: usize = 12;
/// AES-GCM tag length used throughout the vault (128 bits).
pub const AES256GCM_TAG_LEN: usize = 16;

/// Raw Argon2id cost parameters, unchecked beyond what Argon2 itself rejects.
///
/// The vault's policy-checked counterpart is [`crate::vault::KdfParams`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Argon2idParams {
    /// Memory cost in KiB (= number of 1 KiB blocks, before rounding).
    pub m_cost_kib: u32,
    /// Number of passes over memory.
    pub t_cost: u32,
    /// Degree of parallelism (lanes). Lanes are computed sequentially here.
    pub p_cost: u32,
}

impl Argon2idParams {
    fn to_argon2(self, output_len: usize) -> Result<argon2::Params, VaultError> {
        argon2::Params::new(self.m_cost_kib, self.t_cost, self.p_cost, Some(output_len)).map_err(map_argon2_error)
    }

    /// Number of [`Block`]s Argon2 will use for these parameters
    /// (`m_cost_kib` rounded down to a multiple of `4 * p_cost`, at least
    /// `8 * p_cost`).
    ///
    /// # Errors
    /// [`VaultError::InvalidKdfParams`] if Argon2 rejects the parameters.
    pub fn block_count(self) -> Result<usize, VaultError> {
        Ok(self.to_argon2(argon2::Params::DEFAULT_OUTPUT_LEN)?.block_count())
    }
}

fn map_argon2_error(err: argon2::Error) -> VaultError {
    match err {
        argon2::Error::SaltTooShort => VaultError::SaltTooShort,
        argon2::Error::MemoryTooLittle | argon2::Error::OutOfMemory => VaultError::OutOfMemory,
        _ => VaultError::InvalidKdfParams,
    }
}

/// Argon2id v0x13 of `password` and `salt` into `out` (any length from 4
/// bytes), using `memory` as working memory.
///
/// `memory` must hold at least [`Argon2idParams::block_count`] blocks; only
/// that prefix is used, and it is zeroized before returning (also on error).
///
/// # Errors
/// - [`VaultError::SaltTooShort`] if `salt` is shorter than 8 bytes.
/// - [`VaultError::OutOfMemory`] if `memory` is too small.
/// - [`VaultError::InvalidKdfParams`] for parameters or an output length
///   Argon2 rejects.
pub fn argon2id(
    params: Argon2idParams,
    password: &[u8],
    salt: &[u8],
    memory: &mut [Block],
    out: &mut [u8],
) -> Result<(), VaultError> {
    argon2id_keyed(params, password, salt, &[], &[], memory, out)
}

/// [`argon2id`] with the optional RFC 9106 inputs: a `secret` key ("pepper",
/// `K`) and associated data (`X`, at most 32 bytes here). Empty slices mean
/// "absent"; with both empty this is exactly [`argon2id`].
///
/// # Errors
/// As [`argon2id`]; also [`VaultError::InvalidKdfParams`] if
/// `associated_data` is longer than 32 bytes.
pub fn argon2id_keyed(
    params: Argon2idParams,
    password: &[u8],
    salt: &[u8],
    secret: &[u8],
    associated_data: &[u8],
    memory: &mut [Block],
    out: &mut [u8],
) -> Result<(), VaultError> {
    let mut argon_params = params.to_argon2(out.len())?;
    if !associated_data.is_empty() {
        let data = argon2::AssociatedData::new(associated_data).map_err(map_argon2_error)?;
        let mut builder = argon2::ParamsBuilder::new();
        builder.m_cost(params.m_cost_kib).t_cost(params.t_cost).p_cost(params.p_cost).output_len(out.len()).data(data);
        argon_params = builder.build().map_err(map_argon2_error)?;
    }
    let blocks = argon_params.block_count();
    let memory = memory.get_mut(..blocks).ok_or(VaultError::OutOfMemory)?;
    let context = if secret.is_empty() {
        argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon_params)
    } else {
        argon2::Argon2::new_with_secret(secret, argon2::Algorithm::Argon2id, argon2::Version::V0x13, argon_params)
            .map_err(map_argon2_error)?
    };
    let result =
        context.hash_password_into_with_memory(password, salt, &mut *out, &mut *memory).map_err(map_argon2_error);
    // The working memory is a function of the password: wipe it.
    memory.iter_mut().zeroize();
    if result.is_err() {
        out.zeroize();
    }
    result
}

/// AES-256-GCM encryption of `buffer` in place (plaintext in, ciphertext
/// out, same length), returning the detached 16-byte tag.
///
/// The caller must never reuse a `nonce` with the same `key`. An empty
/// `aad` is identical to "no associated data".
///
/// # Errors
/// [`VaultError::InvalidPayload`] if `buffer` exceeds the GCM limit
/// (2^36 − 32 bytes).
pub fn aes256gcm_seal_in_place(
    key: &[u8; AES256GCM_KEY_LEN],
    nonce: &[u8; AES256GCM_NONCE_LEN],
    aad: &[u8],
    buffer: &mut [u8],
) -> Result<[u8; AES256GCM_TAG_LEN], VaultError> {
    let cipher = Aes256Gcm::new(key.into());
    let tag =
        cipher.encrypt_inout_detached(nonce.into(), aad, buffer.into()).map_err(|_| VaultError::InvalidPayload)?;
    Ok(tag.into())
}

/// AES-256-GCM decryption of `buffer` in place, checking the detached `tag`
/// in constant time first.
///
/// On success `buffer` holds the plaintext. On failure `buffer` is left as
/// it was (the ciphertext is never decrypted unless the tag verifies).
///
/// # Errors
/// [`VaultError::DecryptionFailed`] if the tag does not verify (wrong key,
/// nonce or AAD, or modified data).
pub fn aes256gcm_open_in_place(
    key: &[u8; AES256GCM_KEY_LEN],
    nonce: &[u8; AES256GCM_NONCE_LEN],
    aad: &[u8],
    buffer: &mut [u8],
    tag: &[u8; AES256GCM_TAG_LEN],
) -> Result<(), VaultError> {
    let cipher = Aes256Gcm::new(key.into());
    cipher
        .decrypt_inout_detached(nonce.into(), aad, buffer.into(), tag.into())
        .map_err(|_| VaultError::DecryptionFailed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;

    fn unhex<const N: usize>(s: &str) -> [u8; N] {
        let mut out = [0u8; N];
        assert_eq!(s.len(), 2 * N);
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let txt = core::str::from_utf8(chunk).unwrap();
            out[i] = u8::from_str_radix(txt, 16).unwrap();
        }
        out
    }

    /// RFC 9106, section 5.3 ("Argon2id Test Vectors"): password 32 × 0x01,
    /// salt 16 × 0x02, secret 8 × 0x03, associated data 12 × 0x04,
    /// m = 32 KiB, t = 3, p = 4, tag length 32, version 0x13.
    #[test]
    fn argon2id_rfc9106_section_5_3() {
        let params = Argon2idParams { m_cost_kib: 32, t_cost: 3, p_cost: 4 };
        assert_eq!(params.block_count().unwrap(), 32);
        let mut memory = [Block::new(); 32];
        let mut out = [0u8; 32];
        argon2id_keyed(params, &[0x01; 32], &[0x02; 16], &[0x03; 8], &[0x04; 12], &mut memory, &mut out).unwrap();
        let expected: [u8; 32] = unhex("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
        assert_eq!(out, expected);
        // The working memory is wiped afterwards.
        assert!(memory.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)));

        // One-byte-flipped twin: a different password gives a different tag.
        let mut password = [0x01; 32];
        password[0] ^= 0x80;
        let mut out2 = [0u8; 32];
        argon2id_keyed(params, &password, &[0x02; 16], &[0x03; 8], &[0x04; 12], &mut memory, &mut out2).unwrap();
        assert_ne!(out2, expected);
    }

    #[test]
    fn argon2id_errors() {
        let params = Argon2idParams { m_cost_kib: 32, t_cost: 1, p_cost: 1 };
        let mut memory = [Block::new(); 32];
        let mut out = [0u8; 32];
        assert_eq!(argon2id(params, b"pw", b"short", &mut memory, &mut out), Err(VaultError::SaltTooShort));
        assert_eq!(argon2id(params, b"pw", b"long enough", &mut memory[..31], &mut out), Err(VaultError::OutOfMemory));
        let zero_t = Argon2idParams { t_cost: 0, ..params };
        assert_eq!(argon2id(zero_t, b"pw", b"long enough", &mut memory, &mut out), Err(VaultError::InvalidKdfParams));
        assert_eq!(
            argon2id(params, b"pw", b"long enough", &mut memory, &mut [0u8; 3]),
            Err(VaultError::InvalidKdfParams)
        );
    }

    /// NIST GCM test vectors (gcmEncryptExtIV256.rsp, CAVS 14.0, from the
    /// "GCM Test Vectors" of the Cryptographic Algorithm Validation Program):
    /// `[Keylen = 256] [IVlen = 96] [PTlen = 128] [AADlen = 128] [Taglen = 128]`,
    /// Count = 0.
    #[test]
    fn aes256gcm_nist_cavp_kat() {
        let key: [u8; 32] = unhex("92e11dcdaa866f5ce790fd24501f92509aacf4cb8b1339d50c9c1240935dd08b");
        let nonce: [u8; 12] = unhex("ac93a1a6145299bde902f21a");
        let pt: [u8; 16] = unhex("2d71bcfa914e4ac045b2aa60955fad24");
        let aad: [u8; 16] = unhex("1e0889016f67601c8ebea4943bc23ad6");
        let ct: [u8; 16] = unhex("8995ae2e6df3dbf96fac7b7137bae67f");
        let tag: [u8; 16] = unhex("eca5aa77d51d4a0a14d9c51e1da474ab");

        let mut buf = pt;
        let got_tag = aes256gcm_seal_in_place(&key, &nonce, &aad, &mut buf).unwrap();
        assert_eq!(buf, ct);
        assert_eq!(got_tag, tag);

        aes256gcm_open_in_place(&key, &nonce, &aad, &mut buf, &tag).unwrap();
        assert_eq!(buf, pt);

        // One-byte-flipped twins of every input must fail and leave the buffer alone.
        for part in 0..5 {
            let (mut k, mut n, mut a, mut c, mut t) = (key, nonce, aad, ct, tag);
            match part {
                0 => k[7] ^= 1,
                1 => n[11] ^= 1,
                2 => a[0] ^= 1,
                3 => c[5] ^= 1,
                _ => t[15] ^= 1,
            }
            let before = c;
            assert_eq!(
                aes256gcm_open_in_place(&k, &n, &a, &mut c, &t),
                Err(VaultError::DecryptionFailed),
                "flipped part {part}"
            );
            assert_eq!(c, before);
        }
    }

    /// Wycheproof `aes_gcm_test.json` (C2SP/wycheproof): keySize 256, ivSize
    /// 96, empty message and AAD — tcId 75 in `testvectors/`, tcId 93 in
    /// `testvectors_v1/`.
    #[test]
    fn aes256gcm_wycheproof_empty() {
        let key: [u8; 32] = unhex("80ba3192c803ce965ea371d5ff073cf0f43b6a2ab576b208426e11409c09b9b0");
        let nonce: [u8; 12] = unhex("4da5bf8dfd5852c1ea12379d");
        let tag: [u8; 16] = unhex("4771a7c404a472966cea8f73c8bfe17a");
        let got = aes256gcm_seal_in_place(&key, &nonce, &[], &mut []).unwrap();
        assert_eq!(got, tag);
        aes256gcm_open_in_place(&key, &nonce, &[], &mut [], &tag).unwrap();
        let mut bad = tag;
        bad[0] ^= 0x80;
        assert_eq!(aes256gcm_open_in_place(&key, &nonce, &[], &mut [], &bad), Err(VaultError::DecryptionFailed));
    }
}
