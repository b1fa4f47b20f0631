//! Wrapping the org key under a master key, and the `KeyMaterial` a vault key
//! is registered with.

use core::fmt;

use rand_core::TryCryptoRng;
use zeroize::Zeroize as _;

use super::VaultError;
use super::base64;
use super::blob::{self, BLOB_OVERHEAD, NONCE_LEN};
use super::keys::{AuthHash, KEY_LEN, MasterKey, OrgKey};

/// Length of a wrapped org key blob: 32 + 28 bytes.
const WRAPPED_LEN: usize = KEY_LEN + BLOB_OVERHEAD;

/// Length of [`WrappedOrgKey`] text: base64 of 60 bytes.
pub const WRAPPED_ORG_KEY_B64_LEN: usize = 80;

/// `wrapped_org_encryption_key`: base64 of the org key sealed under a master
/// key with the vault key's id as AAD (80 ASCII characters, no allocation).
/// Ciphertext, so not secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct WrappedOrgKey([u8; WRAPPED_ORG_KEY_B64_LEN]);

impl WrappedOrgKey {
    /// The base64 text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only base64 characters are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl AsRef<str> for WrappedOrgKey {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for WrappedOrgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for WrappedOrgKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("WrappedOrgKey").field(&self.as_str()).finish()
    }
}

/// Seals `org_key` under `master_key` with AAD = `vault_key_id`, using an
/// explicit nonce (for reproducing vectors; otherwise use [`wrap_org_key`]).
///
/// # Errors
/// None in practice; the `Result` mirrors the fallible primitives.
pub fn wrap_org_key_with_nonce(
    master_key: &MasterKey,
    vault_key_id: &str,
    org_key: &OrgKey,
    nonce: &[u8; NONCE_LEN],
) -> Result<WrappedOrgKey, VaultError> {
    let mut buffer = [0u8; WRAPPED_LEN];
    let (body, _) = buffer.split_at_mut(KEY_LEN);
    body.copy_from_slice(org_key.as_bytes());
    let sealed = blob::seal_in_place(master_key.as_bytes(), vault_key_id, nonce, &mut buffer, KEY_LEN);
    let mut text = [0u8; WRAPPED_ORG_KEY_B64_LEN];
    let encoded =
        sealed.and_then(|blob| base64::encode(blob, &mut text).map(|_| ()).map_err(|_| VaultError::BufferTooSmall));
    buffer.zeroize();
    encoded?;
    Ok(WrappedOrgKey(text))
}

/// Seals `org_key` under `master_key` with AAD = `vault_key_id` and a fresh
/// nonce from `rng`: the `wrapped_org_encryption_key` of a [`KeyMaterial`].
///
/// # Errors
/// [`VaultError::Rng`] if the generator fails.
pub fn wrap_org_key<R: TryCryptoRng + ?Sized>(
    master_key: &MasterKey,
    vault_key_id: &str,
    org_key: &OrgKey,
    rng: &mut R,
) -> Result<WrappedOrgKey, VaultError> {
    let nonce = blob::generate_nonce(rng)?;
    wrap_org_key_with_nonce(master_key, vault_key_id, org_key, &nonce)
}

/// Decodes a wrapped org key into a fixed stack buffer.
fn decode_wrapped(wrapped_b64: &str) -> Result<[u8; WRAPPED_LEN], VaultError> {
    let mut buffer = [0u8; WRAPPED_LEN];
    match base64::decode_lenient(wrapped_b64, &mut buffer) {
        Ok(WRAPPED_LEN) => Ok(buffer),
        _ => Err(VaultError::DecryptionFailed),
    }
}

fn open_wrapped(master_key: &MasterKey, vault_key_id: &str, decoded: &[u8; WRAPPED_LEN]) -> Result<OrgKey, VaultError> {
    let mut buffer = *decoded;
    let result = blob::open_in_place(master_key.as_bytes(), vault_key_id, &mut buffer).and_then(|pt| {
        let bytes: [u8; KEY_LEN] = (&*pt).try_into().map_err(|_| VaultError::DecryptionFailed)?;
        Ok(OrgKey::from_bytes(bytes))
    });
    buffer.zeroize();
    result
}

/// Unwraps the org key from `wrapped_b64` (base64 decoded leniently, as the
/// reference does) under `master_key` with AAD = `vault_key_id`. No
/// allocation.
///
/// # Errors
/// [`VaultError::DecryptionFailed`] for a wrong master key or key id,
/// tampered or malformed data, or a blob that does not hold exactly 32 bytes.
pub fn unwrap_org_key(master_key: &MasterKey, vault_key_id: &str, wrapped_b64: &str) -> Result<OrgKey, VaultError> {
    let decoded = decode_wrapped(wrapped_b64)?;
    open_wrapped(master_key, vault_key_id, &decoded)
}

/// The unlock flow's unwrap: the unlock bundle does not say which vault key
/// matched, so try each candidate key id as AAD in order (the reference
/// tries all primary keys first, then recovery keys) until one
/// authenticates. Returns the index of the matching id and the org key.
///
/// # Errors
/// [`VaultError::DecryptionFailed`] if no candidate authenticates.
pub fn unwrap_org_key_with_candidates<'a, I>(
    master_key: &MasterKey,
    wrapped_b64: &str,
    vault_key_ids: I,
) -> Result<(usize, OrgKey), VaultError>
where
    I: IntoIterator<Item = &'a str>,
{
    let decoded = decode_wrapped(wrapped_b64)?;
    for (index, id) in vault_key_ids.into_iter().enumerate() {
        if let Ok(key) = open_wrapped(master_key, id, &decoded) {
            return Ok((index, key));
        }
    }
    Err(VaultError::DecryptionFailed)
}

/// A client-generated id in canonical form: a UUID as 36 lowercase
/// hyphenated characters (`8-4-4-4-12`), no allocation.
///
/// Vault key ids and secret ids are generated by the client, and their exact
/// text is the AAD, so it matters that it is canonical (as Python's
/// `str(uuid4())`). Not secret.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientUuid([u8; 36]);

impl ClientUuid {
    /// A random (version 4) UUID from the caller's CSPRNG.
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, VaultError> {
        let mut raw = [0u8; 16];
        rng.try_fill_bytes(&mut raw).map_err(|_| VaultError::Rng)?;
        if let Some(b) = raw.get_mut(6) {
            *b = (*b & 0x0f) | 0x40;
        }
        if let Some(b) = raw.get_mut(8) {
            *b = (*b & 0x3f) | 0x80;
        }
        Ok(Self::from_raw(&raw))
    }

    fn from_raw(raw: &[u8; 16]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'-'; 36];
        let mut pos = 0usize;
        for (i, byte) in raw.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                pos += 1;
            }
            for nibble in [byte >> 4, byte & 0x0f] {
                if let (Some(slot), Some(&c)) = (out.get_mut(pos), HEX.get(usize::from(nibble))) {
                    *slot = c;
                }
                pos += 1;
            }
        }
        Self(out)
    }

    /// Accepts only the canonical form: 36 characters, lowercase hex digits
    /// with `-` at positions 8, 13, 18 and 23 (any UUID version).
    ///
    /// # Errors
    /// [`VaultError::InvalidId`] otherwise.
    pub fn parse(text: &str) -> Result<Self, VaultError> {
        let bytes: [u8; 36] = text.as_bytes().try_into().map_err(|_| VaultError::InvalidId)?;
        for (i, &c) in bytes.iter().enumerate() {
            let ok = if matches!(i, 8 | 13 | 18 | 23) {
                c == b'-'
            } else {
                c.is_ascii_digit() || (b'a'..=b'f').contains(&c)
            };
            if !ok {
                return Err(VaultError::InvalidId);
            }
        }
        Ok(Self(bytes))
    }

    /// The canonical text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits and hyphens are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl AsRef<str> for ClientUuid {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for ClientUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for ClientUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ClientUuid").field(&self.as_str()).finish()
    }
}

impl serde::Serialize for ClientUuid {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// `key_type` of a vault key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VaultKeyType {
    /// The vault key chosen by the user (one active at a time).
    Primary,
    /// A generated recovery code (four at initialization; one-time use).
    Recovery,
}

impl VaultKeyType {
    /// The wire string: `primary` or `recovery`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Primary => "primary",
            Self::Recovery => "recovery",
        }
    }

    /// Parses the wire string, ASCII case-insensitively (the seed examples
    /// send `PRIMARY`/`RECOVERY` as a filter).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("primary") {
            Some(Self::Primary)
        } else if text.eq_ignore_ascii_case("recovery") {
            Some(Self::Recovery)
        } else {
            None
        }
    }
}

impl fmt::Display for VaultKeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for VaultKeyType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The registration body of one vault key (`KeyMaterial` in the API):
/// `{"id", "wrapped_org_encryption_key", "auth_hash", "key_type"}`, in that
/// order when serialized. No allocation; contains no secret in the clear.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyMaterial {
    id: ClientUuid,
    wrapped_org_encryption_key: WrappedOrgKey,
    auth_hash: AuthHash,
    key_type: VaultKeyType,
}

impl KeyMaterial {
    /// Builds the key material of `master_key` (derived from the vault key or
    /// recovery code) for key id `id`: wraps `org_key` with a fresh nonce and
    /// computes the auth hash.
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn new<R: TryCryptoRng + ?Sized>(
        master_key: &MasterKey,
        org_key: &OrgKey,
        id: ClientUuid,
        key_type: VaultKeyType,
        rng: &mut R,
    ) -> Result<Self, VaultError> {
        let nonce = blob::generate_nonce(rng)?;
        Self::with_nonce(master_key, org_key, id, key_type, &nonce)
    }

    /// [`KeyMaterial::new`] with an explicit nonce (reproducing vectors).
    ///
    /// # Errors
    /// None in practice; the `Result` mirrors the fallible primitives.
    pub fn with_nonce(
        master_key: &MasterKey,
        org_key: &OrgKey,
        id: ClientUuid,
        key_type: VaultKeyType,
        nonce: &[u8; NONCE_LEN],
    ) -> Result<Self, VaultError> {
        Ok(Self {
            wrapped_org_encryption_key: wrap_org_key_with_nonce(master_key, id.as_str(), org_key, nonce)?,
            auth_hash: master_key.auth_hash(),
            id,
            key_type,
        })
    }

    /// `id`: the vault key id (the AAD of the wrapped key).
    #[must_use]
    pub const fn id(&self) -> &ClientUuid {
        &self.id
    }

    /// `wrapped_org_encryption_key`.
    #[must_use]
    pub const fn wrapped_org_encryption_key(&self) -> &WrappedOrgKey {
        &self.wrapped_org_encryption_key
    }

    /// `auth_hash`.
    #[must_use]
    pub const fn auth_hash(&self) -> &AuthHash {
        &self.auth_hash
    }

    /// `key_type`.
    #[must_use]
    pub const fn key_type(&self) -> VaultKeyType {
        self.key_type
    }
}

impl serde::Serialize for KeyMaterial {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut s = serializer.serialize_struct("KeyMaterial", 4)?;
        s.serialize_field("id", self.id.as_str())?;
        s.serialize_field("wrapped_org_encryption_key", self.wrapped_org_encryption_key.as_str())?;
        s.serialize_field("auth_hash", self.auth_hash.as_str())?;
        s.serialize_field("key_type", self.key_type.as_str())?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng as _;

    #[test]
    fn client_uuid_generate_and_parse() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        for _ in 0..100 {
            let id = ClientUuid::generate(&mut rng).unwrap();
            let text = id.as_str();
            assert_eq!(ClientUuid::parse(text), Ok(id));
            assert_eq!(&text[14..15], "4");
            assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"));
        }
        for bad in [
            "",
            "D4476E8B-020E-42B5-BCAF-D3103E5B2C88",
            "d4476e8b020e42b5bcafd3103e5b2c88",
            "d4476e8b-020e-42b5-bcaf-d3103e5b2c8",
            "d4476e8b-020e-42b5-bcaf-d3103e5b2c88 ",
            "d4476e8b-020e-42b5-bcaf_d3103e5b2c88",
            "g4476e8b-020e-42b5-bcaf-d3103e5b2c88",
        ] {
            assert_eq!(ClientUuid::parse(bad), Err(VaultError::InvalidId), "{bad:?}");
        }
    }

    #[cfg(feature = "alloc")]
    #[test]
    fn wrap_unwrap_and_flipped_twins() {
        let master = MasterKey::from_bytes([3; 32]);
        let org = OrgKey::from_bytes([9; 32]);
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let wrapped = wrap_org_key(&master, "kid", &org, &mut rng).unwrap();
        assert_eq!(wrapped.as_str().len(), WRAPPED_ORG_KEY_B64_LEN);
        assert_eq!(unwrap_org_key(&master, "kid", wrapped.as_str()), Ok(OrgKey::from_bytes([9; 32])));
        assert_eq!(unwrap_org_key(&master, "kid2", wrapped.as_str()), Err(VaultError::DecryptionFailed));
        assert_eq!(
            unwrap_org_key_with_candidates(&master, wrapped.as_str(), ["a", "b", "kid"]),
            Ok((2, OrgKey::from_bytes([9; 32])))
        );
        assert_eq!(
            unwrap_org_key_with_candidates(&master, wrapped.as_str(), ["a", "b"]),
            Err(VaultError::DecryptionFailed)
        );
        let raw = base64::decode_lenient_to_vec(wrapped.as_str()).unwrap();
        for i in 0..raw.len() {
            let mut twin = raw.clone();
            twin[i] ^= 0x01;
            let text = base64::encode_to_string(&twin);
            assert_eq!(unwrap_org_key(&master, "kid", &text), Err(VaultError::DecryptionFailed), "byte {i}");
        }
    }
}
