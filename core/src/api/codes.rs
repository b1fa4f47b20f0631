//! Stable codes of [`ApiError::Flow`](super::ApiError::Flow) errors.
//!
//! Composite flows and the client-side guards of every binding report these
//! codes, so a Python, Node or Rust caller can branch on the same string.

/// `GET /vault/info` answered 404: the organization has no vault yet.
pub const VAULT_NOT_INITIALIZED: &str = "vault.not_initialized";
/// The vault key or recovery code does not unlock the vault.
pub const VAULT_INVALID_KEY: &str = "vault.invalid_key";
/// `whoami` returned no organization id (needed as the Argon2 salt).
pub const VAULT_ORGANIZATION_UNKNOWN: &str = "vault.organization_unknown";
/// The server answered about another secret than the one requested.
pub const VAULT_SECRET_MISMATCH: &str = "vault.secret_mismatch";
/// TOTP operations need a `login` secret.
pub const VAULT_NOT_LOGIN: &str = "vault.not_login";
/// The login has no TOTP configured.
pub const VAULT_NO_TOTP: &str = "vault.no_totp";
/// A binding needs the vault unlocked first.
pub const VAULT_LOCKED: &str = "vault.locked";
/// The identity has no access to that credential.
pub const CREDENTIALS_NOT_FOUND: &str = "credentials.not_found";
/// The credential is of another type than asked for.
pub const CREDENTIALS_WRONG_TYPE: &str = "credentials.wrong_type";
/// A mail helper was called on an identity without a mailbox.
pub const IDENTITY_NO_MAILBOX: &str = "identity.no_mailbox";
/// A phone or text helper was called on an identity without a number.
pub const IDENTITY_NO_PHONE_NUMBER: &str = "identity.no_phone_number";
/// An iMessage helper was called on an identity with iMessage disabled.
pub const IDENTITY_IMESSAGE_DISABLED: &str = "identity.imessage_disabled";
/// A flow was driven out of order (`next` while a response was awaited, or
/// `feed` with nothing sent).
pub const FLOW_OUT_OF_ORDER: &str = "flow.out_of_order";
/// A flow was driven after it finished or failed.
pub const FLOW_FINISHED: &str = "flow.finished";
