//! Key newtypes: [`MasterKey`], [`OrgKey`] and the [`AuthHash`] string.

use core::fmt;

use rand_core::TryCryptoRng;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::VaultError;

/// Length of every vault key (AES-256) in bytes.
pub const KEY_LEN: usize = 32;

macro_rules! secret_key {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Zeroized on drop. `Debug` prints only the type name, there is no
        /// `Display`, and equality is constant-time.
        #[derive(Zeroize, ZeroizeOnDrop)]
        pub struct $name([u8; KEY_LEN]);

        impl $name {
            /// Wraps raw key bytes (for keys restored from secure storage or
            /// test vectors).
            #[must_use]
            pub const fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
                Self(bytes)
            }

            /// The raw key bytes. Handle with care.
            #[must_use]
            pub const fn as_bytes(&self) -> &[u8; KEY_LEN] {
                &self.0
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl ConstantTimeEq for $name {
            fn ct_eq(&self, other: &Self) -> subtle::Choice {
                self.0.ct_eq(&other.0)
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.ct_eq(other).into()
            }
        }

        impl Eq for $name {}
    };
}

secret_key! {
    /// The 32-byte Argon2id output derived from a vault key or recovery code.
    /// It wraps the [`OrgKey`]; `SHA-256` of it is the [`AuthHash`].
    MasterKey
}

secret_key! {
    /// The organization's 32-byte AES-256-GCM key that encrypts every secret
    /// payload. Generated once at vault initialization and stored only wrapped
    /// under each vault key's [`MasterKey`].
    OrgKey
}

impl MasterKey {
    /// `auth_hash` = lowercase hex of SHA-256 of the master key: the server's
    /// lookup key and proof of knowledge.
    #[must_use]
    pub fn auth_hash(&self) -> AuthHash {
        let mut digest: [u8; 32] = Sha256::digest(self.0).into();
        let hash = AuthHash::from_digest(&digest);
        digest.zeroize();
        hash
    }
}

impl OrgKey {
    /// Draws a fresh org key from the caller's CSPRNG (done once, at vault
    /// initialization).
    ///
    /// # Errors
    /// [`VaultError::Rng`] if the generator fails.
    pub fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, VaultError> {
        let mut key = Self([0u8; KEY_LEN]);
        rng.try_fill_bytes(&mut key.0).map_err(|_| VaultError::Rng)?;
        Ok(key)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex SHA-256 of a [`MasterKey`] (64 ASCII characters, no
/// allocation). Sent to the server as `auth_hash`.
///
/// It proves knowledge of the vault key, so `Debug` shows only its first 8
/// characters; `Display`/[`AuthHash::as_str`] give the full text for the
/// wire. Equality is constant-time.
#[derive(Clone, Copy)]
pub struct AuthHash([u8; 64]);

impl AuthHash {
    fn from_digest(digest: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        for (pair, byte) in out.chunks_exact_mut(2).zip(digest) {
            for (slot, nibble) in pair.iter_mut().zip([byte >> 4, byte & 0x0f]) {
                *slot = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            }
        }
        Self(out)
    }

    /// The 64 lowercase hex characters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl AsRef<str> for AuthHash {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for AuthHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for AuthHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let head = self.as_str().get(..8).unwrap_or("");
        write!(f, "AuthHash({head}…)")
    }
}

impl ConstantTimeEq for AuthHash {
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        self.0.ct_eq(&other.0)
    }
}

impl PartialEq for AuthHash {
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for AuthHash {}

impl PartialEq<str> for AuthHash {
    fn eq(&self, other: &str) -> bool {
        self.0.as_slice().ct_eq(other.as_bytes()).into()
    }
}

impl PartialEq<&str> for AuthHash {
    fn eq(&self, other: &&str) -> bool {
        *self == **other
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

    extern crate std;
    use std::format;

    use super::*;

    #[test]
    fn debug_redacts_and_auth_hash_is_sha256_hex() {
        let key = MasterKey::from_bytes([0x42; 32]);
        let dbg = format!("{key:?}");
        assert_eq!(dbg, "MasterKey(<redacted>)");
        assert_eq!(format!("{:?}", OrgKey::from_bytes([7; 32])), "OrgKey(<redacted>)");
        // python3 -c "import hashlib; print(hashlib.sha256(b'\x42'*32).hexdigest())"
        let hash = key.auth_hash();
        let expected = "425ed4e4a36b30ea21b90e21c712c649e8214c29b7eaf68089d1039c6e55384c";
        assert_eq!(hash.as_str(), expected);
        assert!(hash == expected);
        assert_eq!(format!("{hash:?}"), format!("AuthHash({}…)", &hash.as_str()[..8]));
        assert!(MasterKey::from_bytes([1; 32]) == MasterKey::from_bytes([1; 32]));
        assert!(MasterKey::from_bytes([1; 32]) != MasterKey::from_bytes([2; 32]));
    }
}
