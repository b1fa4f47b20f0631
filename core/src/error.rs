//! The shared shape of core's errors.
//!
//! Each domain (webhook, totp, vault, api) has one small `#[non_exhaustive]`
//! enum with a hand-written `Display`. Every variant maps to a stable,
//! dotted code string (for example `webhook.signature_mismatch`) that the
//! language bindings expose unchanged as `.code`. Codes are part of the public
//! contract: a code is never renamed or reused for another meaning.
//!
//! Error values never carry secrets, keys, plaintext or whole payloads.

/// A stable machine-readable code for an error value.
pub trait ErrorCode {
    /// The stable dotted code, e.g. `"vault.decryption_failed"`.
    fn code(&self) -> &'static str;
}

/// The class of the SDK error family (described once in
/// `surface/errors.toml`) that every binding raises for an error value, by
/// name: `"InkboxVaultKeyError"`, `"HandleUnavailableError"`, ... One
/// mapping for Python, Node and the rest, so a binding never decides it.
pub trait ErrorClass {
    /// The class name, as `surface/errors.toml` spells it.
    fn error_class(&self) -> &'static str;
}
