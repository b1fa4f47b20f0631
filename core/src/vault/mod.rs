//! Zero-knowledge vault cryptography: key derivation, org-key wrapping,
//! payload encryption, typed payloads, vault-key rules and recovery codes.
//!
//! Everything here is deterministic and sans-IO: randomness comes from a
//! caller-supplied CSPRNG (any `rand_core` 0.10
//! [`TryCryptoRng`](rand_core::TryCryptoRng): the operating system's generator
//! in an app, a seeded generator in tests), and every
//! operation that encrypts also exists with an explicit nonce so the shared
//! vectors can be reproduced byte for byte.
//!
//! # Scheme (identical to the reference SDK, inkbox 0.4.9)
//!
//! - `master_key = Argon2id v0x13(password = UTF-8 vault key or recovery code,
//!   salt = UTF-8 organization id, t = 3, m = 64 MiB, p = 1, 32 bytes)`;
//!   `auth_hash = hex(SHA-256(master_key))` — [`derive_master_key`],
//!   [`MasterKey::auth_hash`].
//! - Blobs are AES-256-GCM `ciphertext ‖ nonce(12) ‖ tag(16)` in standard
//!   padded base64 — [`blob`].
//! - `wrapped_org_encryption_key` = blob of the 32-byte org key under the
//!   master key, AAD = the vault key's id — [`wrap_org_key`],
//!   [`unwrap_org_key`], [`KeyMaterial`].
//! - `encrypted_payload` = blob of the payload JSON under the org key, AAD =
//!   the secret's id — [`encrypt_payload`], [`decrypt_payload`],
//!   [`SecretPayload`].
//!
//! # Usage
//!
//! ```
//! # fn main() -> Result<(), inkbox_core::vault::VaultError> {
//! use inkbox_core::vault::{
//!     self, ClientUuid, KeyMaterial, LoginPayload, OrgKey, RecoveryCode, SecretPayload,
//!     SecretType, VaultKeyType,
//! };
//! use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng as _};
//!
//! // Use the operating system's CSPRNG in real code.
//! let mut rng = ChaCha20Rng::from_seed([7; 32]);
//! let org_id = "org_L5tJekJjBskOINmKsplzL8GWUWT";
//!
//! // Initialize: check the new vault key, derive (≈0.3 s, 64 MiB: off the UI
//! // thread), wrap a fresh org key. `material` serializes to the
//! // `KeyMaterial` request body.
//! vault::check_vault_key("Rapid-Horse-marq-97!")?;
//! let org_key = OrgKey::generate(&mut rng)?;
//! let master = vault::derive_master_key("Rapid-Horse-marq-97!", org_id)?;
//! let key_id = ClientUuid::generate(&mut rng)?;
//! let material = KeyMaterial::new(&master, &org_key, key_id, VaultKeyType::Primary, &mut rng)?;
//! assert_eq!(material.auth_hash(), &master.auth_hash());
//! let recovery_code = RecoveryCode::generate(&mut rng)?; // show once
//! assert_eq!(recovery_code.as_str().len(), 39);
//!
//! // Unlock: unwrap the org key with the key ids from `GET /vault/keys`.
//! let wrapped = material.wrapped_org_encryption_key().as_str();
//! let (_, unlocked) =
//!     vault::unwrap_org_key_with_candidates(&master, wrapped, [material.id().as_str()])?;
//! assert_eq!(unlocked, org_key);
//!
//! // Secrets: the client-generated secret id is the AAD.
//! let secret_id = ClientUuid::generate(&mut rng)?;
//! let mut login = LoginPayload::new("hunter2-but-longer".into());
//! login.username = Some("agent".into());
//! let login = SecretPayload::from(login);
//! let encrypted = vault::encrypt_payload(&unlocked, secret_id.as_str(), &login, &mut rng)?;
//! let decrypted =
//!     vault::decrypt_payload(&unlocked, secret_id.as_str(), &SecretType::Login, &encrypted)?;
//! assert_eq!(decrypted, login);
//!
//! // Any tampering, wrong key or wrong id is one error.
//! let other_id = ClientUuid::generate(&mut rng)?;
//! assert_eq!(
//!     vault::decrypt_payload(&unlocked, other_id.as_str(), &SecretType::Login, &encrypted),
//!     Err(vault::VaultError::DecryptionFailed)
//! );
//! # Ok(())
//! # }
//! ```
//!
//! Without `alloc`: derive with [`derive_master_key_with_memory`] into a
//! caller-provided `[hazmat::Block]` buffer of [`INKBOX_KDF_BLOCKS`] blocks,
//! unwrap with [`unwrap_org_key`] (stack only), and decrypt payloads with
//! [`decrypt_payload_in_place`] into a caller buffer.
//!
//! # Security notes
//!
//! - One error for every decryption failure: [`VaultError::DecryptionFailed`]
//!   covers bad base64, short blobs, wrong keys, wrong AAD and tampering, so
//!   no oracle reveals which check failed. GCM tags are compared in constant
//!   time (by `aes-gcm`); key and auth-hash equality here is constant-time.
//! - [`MasterKey`], [`OrgKey`], [`RecoveryCode`], the payload types and the
//!   plaintext buffers returned by allocating functions are zeroized on drop;
//!   Argon2 working memory is zeroized after each derivation. `Debug` output
//!   redacts keys, passwords, API/secret/private keys, passphrases, `data`,
//!   notes and TOTP secrets. Error messages never contain secret material.
//!   Parsing goes through `serde_json`, whose internal scratch buffers are
//!   not zeroized.
//! - Nonces are 96-bit random values from the caller's CSPRNG, fresh per
//!   encryption (the reference does the same). The explicit-nonce functions
//!   exist for test vectors: never reuse a nonce under the same key.
//! - Argon2id parameters other than the fixed Inkbox ones must pass
//!   [`KdfParams::new`]: a floor (m ≥ 19 MiB, t ≥ 2) and a ceiling (m ≤ 256
//!   MiB, t ≤ 10, p ≤ 4) so a server can neither weaken derivations nor
//!   exhaust a phone's memory. The allocating derivation reports
//!   [`VaultError::OutOfMemory`] instead of aborting.
//! - The salt is the organization id: derivations are deterministic per
//!   (vault key, organization). Organization ids shorter than 8 bytes are
//!   refused ([`VaultError::SaltTooShort`]), as Argon2 in the reference does.
//! - Low-level primitives live in [`hazmat`]; use them only for known-answer
//!   tests or new high-level operations.
//!
//! # Base64: lenient decoding, deliberately
//!
//! The reference decodes with Python's `base64.b64decode` *without*
//! validation, which skips characters outside the alphabet (whitespace, line
//! breaks, junk, URL-safe `-`/`_`) and stops at the first complete padding.
//! Blobs the reference accepts must decrypt here too, so [`base64`] contains a
//! small, documented re-implementation of CPython 3.11's decoder (also usable
//! without allocation). It costs no security: every decoded blob is then
//! authenticated by GCM, and any alteration that changes the decoded bytes
//! fails as [`VaultError::DecryptionFailed`]. Encoding is canonical padded
//! standard base64.
//!
//! # Payload JSON
//!
//! [`SecretPayload::to_json`] writes exactly what the reference's typed
//! models encrypt: compact separators, `null`s omitted, `notes` first and then
//! the type's fields in declaration order (login: `password`, `username`,
//! `email`, `url`, `totp`), TOTP configs with `algorithm`, `digits` and
//! `period` always present, and Python `json.dumps` ASCII escaping (see
//! [`json`]). Parsing accepts any member order, unknown members, and raw UTF-8
//! (the TS SDK's form).
//!
//! # Differences from the reference
//!
//! - Payload members are typed: optional members must be strings (or `null`,
//!   treated as absent); the reference copies any JSON value through. A
//!   required member that is `null` is [`VaultError::InvalidPayload`] here
//!   (the reference would produce `None`).
//! - A login's `totp` is read by [`crate::totp::TotpConfig::from_json_value`]
//!   (secret validated like the reference's constructor); there `null`
//!   `algorithm`/`digits`/`period` take their defaults (the TS SDK's reading;
//!   Python raises) and `digits`/`period` must be JSON integers (Python also
//!   accepts `6.0`). An invalid config makes the payload
//!   [`VaultError::InvalidPayload`].
//! - Decrypted plaintext must be UTF-8 JSON; Python's `json.loads(bytes)`
//!   also detects UTF-16/32 and accepts `NaN`/`Infinity` and lone surrogate
//!   escapes. Such payloads are [`VaultError::InvalidPayload`] here.
//! - An unwrapped org key must be exactly 32 bytes (the reference returns
//!   whatever authenticates and fails later).
//! - A stored `secret_type` this version does not know is kept as
//!   [`SecretType::Unknown`] and its payload is refused with
//!   [`VaultError::UnsupportedSecretType`] (the reference raises
//!   `ValueError`).
//! - [`json::to_python_json`] of an arbitrary JSON value writes object members
//!   sorted by key (`serde_json` without `preserve_order`), so it reproduces
//!   Python's bytes only for objects whose keys were sorted; typed payloads
//!   are always byte-identical.
//! - Argon2id parameters other than the Inkbox ones are bounded (see above);
//!   the reference has no such check (it never takes parameters from
//!   elsewhere).

pub mod base64;
pub mod blob;
mod error;
pub mod hazmat;
#[cfg(feature = "alloc")]
pub mod json;
mod kdf;
mod keys;
mod material;
#[cfg(feature = "alloc")]
mod payload;
mod recovery;
mod rules;
mod secret;

pub use error::VaultError;
pub use kdf::{INKBOX_KDF_BLOCKS, KdfParams, MIN_SALT_LEN, derive_master_key_with_memory};
#[cfg(feature = "alloc")]
pub use kdf::{derive_master_key, derive_master_key_with_params};
pub use keys::{AuthHash, KEY_LEN, MasterKey, OrgKey};
pub use material::{
    ClientUuid, KeyMaterial, VaultKeyType, WRAPPED_ORG_KEY_B64_LEN, WrappedOrgKey, unwrap_org_key,
    unwrap_org_key_with_candidates, wrap_org_key, wrap_org_key_with_nonce,
};
#[cfg(feature = "alloc")]
pub use payload::{
    ApiKeyPayload, KeyPairPayload, LoginPayload, OtherPayload, SecretPayload, SecretType, SshKeyPayload,
};
pub use recovery::{
    RECOVERY_CODE_ALPHABET, RECOVERY_CODE_GROUP_LEN, RECOVERY_CODE_GROUPS, RECOVERY_CODE_LEN, RecoveryCode,
};
pub use rules::{VAULT_KEY_MIN_CHARS, VaultKeyRule, check_vault_key};
#[cfg(feature = "alloc")]
pub use secret::{
    decrypt_payload, decrypt_plaintext, encrypt_payload, encrypt_payload_with_nonce, encrypt_plaintext,
    encrypt_plaintext_with_nonce,
};
pub use secret::{decrypt_payload_in_place, encrypt_payload_in_place};
