//! Webhook signing keys and API keys (spec/misc.md).

use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Serialize};

use super::catalog::Operation;
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// Who created a key (shared with whoami).
pub use super::whoami::CreatorType;

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `POST /api/v1/signing-keys` (0.4.9: org-level create or rotate).
    pub const SIGNING_KEY_CREATE: Operation =
        Operation::new("signing_keys.create", Method::Post, "/api/v1/signing-keys");
    /// `GET /api/v1/signing-keys` (legacy status route).
    pub const SIGNING_KEY_STATUS: Operation = Operation::new("signing_keys.get", Method::Get, "/api/v1/signing-keys");
    /// `POST /api/v1/identities/{handle}/signing-key` (per identity, create or rotate).
    pub const IDENTITY_SIGNING_KEY_CREATE: Operation =
        Operation::new("identities.signing_key.create", Method::Post, "/api/v1/identities/{handle}/signing-key");
    /// `GET /api/v1/identities/{handle}/signing-key`
    pub const IDENTITY_SIGNING_KEY_STATUS: Operation =
        Operation::new("identities.signing_key.get", Method::Get, "/api/v1/identities/{handle}/signing-key");
    /// `POST /api/v1/api-keys`
    pub const API_KEY_CREATE: Operation = Operation::new("api_keys.create", Method::Post, "/api/v1/api-keys");
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[
    &ops::SIGNING_KEY_CREATE,
    &ops::SIGNING_KEY_STATUS,
    &ops::IDENTITY_SIGNING_KEY_CREATE,
    &ops::IDENTITY_SIGNING_KEY_STATUS,
    &ops::API_KEY_CREATE,
];

// ---------------------------------------------------------- signing keys

/// A webhook signing key, returned in plaintext only when created or rotated.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::ZeroizeOnDrop)]
pub struct SigningKey {
    /// The secret (`whsec_…`); shown once.
    #[zeroize]
    pub signing_key: String,
    /// When it was created.
    #[zeroize(skip)]
    pub created_at: Timestamp,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey").field("signing_key", &"<redacted>").field("created_at", &self.created_at).finish()
    }
}

/// Whether a signing key is configured (HEAD servers).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SigningKeyStatus {
    /// A key exists.
    pub configured: bool,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<Timestamp>,
}

/// Builds `POST /api/v1/signing-keys` with body `{}` (create or rotate the org key).
pub fn build_create_signing_key() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::SIGNING_KEY_CREATE, &[])?.json(&serde_json::json!({}))?.build())
}

/// Parses a created signing key.
pub fn parse_create_signing_key(resp: &Response<'_>) -> Result<SigningKey, ApiError> {
    parse::json(&ops::SIGNING_KEY_CREATE, resp)
}

/// Builds `GET /api/v1/signing-keys` (legacy status).
pub fn build_get_signing_key_status() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::SIGNING_KEY_STATUS, &[])?.build())
}

/// Parses the legacy signing-key status.
pub fn parse_get_signing_key_status(resp: &Response<'_>) -> Result<SigningKeyStatus, ApiError> {
    parse::json(&ops::SIGNING_KEY_STATUS, resp)
}

/// Builds `POST /api/v1/identities/{handle}/signing-key` with body `{}`.
pub fn build_create_identity_signing_key(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::IDENTITY_SIGNING_KEY_CREATE, &[&handle])?.json(&serde_json::json!({}))?.build())
}

/// Parses a created per-identity signing key.
pub fn parse_create_identity_signing_key(resp: &Response<'_>) -> Result<SigningKey, ApiError> {
    parse::json(&ops::IDENTITY_SIGNING_KEY_CREATE, resp)
}

/// Builds `GET /api/v1/identities/{handle}/signing-key`.
pub fn build_get_identity_signing_key_status(handle: &str) -> Result<Request, ApiError> {
    let handle = validate::normalize_handle(handle);
    Ok(Request::builder(&ops::IDENTITY_SIGNING_KEY_STATUS, &[&handle])?.build())
}

/// Parses a per-identity signing-key status.
pub fn parse_get_identity_signing_key_status(resp: &Response<'_>) -> Result<SigningKeyStatus, ApiError> {
    parse::json(&ops::IDENTITY_SIGNING_KEY_STATUS, resp)
}

// --------------------------------------------------------------- API keys

wire_enum! {
    /// An API key's status.
    pub enum ApiKeyStatus {
        /// Usable.
        Active = "active",
        /// Revoked.
        Revoked = "revoked",
    }
}

/// An API key record (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// `ApiKey_<uuid4>`.
    pub id: String,
    /// The organization.
    pub organization_id: String,
    /// Creator (user id or identity UUID).
    #[serde(default)]
    pub created_by: Option<String>,
    /// Creator kind.
    #[serde(default)]
    pub creator_type: Option<CreatorType>,
    /// The identity the key is bound to; `None` for an admin key.
    #[serde(default)]
    pub scoped_identity_id: Option<String>,
    /// Label.
    pub label: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Status.
    pub status: ApiKeyStatus,
    /// Last 4 characters of the secret.
    #[serde(default)]
    pub last4: Option<String>,
    /// Display prefix.
    #[serde(default)]
    pub display_prefix: Option<String>,
    /// Last use.
    #[serde(default)]
    pub last_used_at: Option<Timestamp>,
    /// Expiry.
    #[serde(default)]
    pub expires_at: Option<Timestamp>,
    /// Revocation time.
    #[serde(default)]
    pub revoked_at: Option<Timestamp>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
}

/// Input of `POST /api/v1/api-keys`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateApiKeyRequest {
    /// 1–255 characters.
    pub label: String,
    /// ≤ 1000 characters; omitted when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Bind the key to one identity (required for admin-key callers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scoped_identity_id: Option<String>,
}

/// The created key: the secret (shown once) and its record.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::ZeroizeOnDrop)]
pub struct CreatedApiKey {
    /// The secret key.
    #[zeroize]
    pub api_key: String,
    /// Its record.
    #[zeroize(skip)]
    pub record: ApiKey,
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey").field("api_key", &"<redacted>").field("record", &self.record).finish()
    }
}

/// Builds `POST /api/v1/api-keys`.
pub fn build_create_api_key(input: &CreateApiKeyRequest) -> Result<Request, ApiError> {
    validate::char_len("label", &input.label, 1, 255)?;
    if let Some(d) = &input.description {
        validate::char_len("description", d, 0, 1000)?;
    }
    Ok(Request::builder(&ops::API_KEY_CREATE, &[])?.json(input)?.build())
}

/// Parses the created key.
pub fn parse_create_api_key(resp: &Response<'_>) -> Result<CreatedApiKey, ApiError> {
    parse::json(&ops::API_KEY_CREATE, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::ok;
    use alloc::format;

    #[test]
    fn signing_keys_golden_and_parse() {
        let r = build_create_signing_key().unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/signing-keys"));
        assert_eq!(r.body.as_deref(), Some(&b"{}"[..]));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let k = parse_create_signing_key(&ok(r#"{"signing_key":"whsec_abc","created_at":"2026-03-09T00:00:00Z"}"#))
            .unwrap();
        assert_eq!(k.signing_key, "whsec_abc");
        assert!(!format!("{k:?}").contains("whsec_abc"));
        let r = build_create_identity_signing_key("@Bot-1").unwrap();
        assert_eq!(r.path_and_query, "/api/v1/identities/bot-1/signing-key");
        let k =
            parse_create_identity_signing_key(&ok(r#"{"signing_key":"whsec_id","created_at":"2026-03-09T00:00:00Z"}"#))
                .unwrap();
        assert_eq!(k.signing_key, "whsec_id");
        let e = parse_create_identity_signing_key(&Response::new(404, &[], br#"{"detail":"Not Found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
        let r = build_get_identity_signing_key_status("bot-1").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Get, "/api/v1/identities/bot-1/signing-key"));
        let s = parse_get_identity_signing_key_status(&ok(r#"{"configured":false,"created_at":null}"#)).unwrap();
        assert!(!s.configured);
        assert_eq!(build_get_signing_key_status().unwrap().path_and_query, "/api/v1/signing-keys");
        let s =
            parse_get_signing_key_status(&ok(r#"{"configured":true,"created_at":"2026-03-09T00:00:00Z"}"#)).unwrap();
        assert!(s.configured);
    }

    #[test]
    fn api_keys_golden_and_parse() {
        let input =
            CreateApiKeyRequest { label: "ci".into(), description: None, scoped_identity_id: Some("id-1".into()) };
        let r = build_create_api_key(&input).unwrap();
        assert_eq!(r.path_and_query, "/api/v1/api-keys");
        assert_eq!(r.body.as_deref(), Some(&br#"{"label":"ci","scoped_identity_id":"id-1"}"#[..]));
        assert_eq!(build_create_api_key(&CreateApiKeyRequest::default()).unwrap_err().code(), "api.validation");
        let c = parse_create_api_key(&ok(r#"{"api_key":"ApiKey_secret","record":{"id":"ApiKey_1","organization_id":"org_1","created_by":"u","creator_type":"human","label":"ci","description":null,"status":"active","last4":"cret","display_prefix":"ApiKey_","last_used_at":null,"expires_at":null,"revoked_at":null,"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00+00:00"}}"#)).unwrap();
        assert_eq!(c.record.scoped_identity_id, None);
        assert_eq!(c.record.status, ApiKeyStatus::Active);
        assert!(!format!("{c:?}").contains("ApiKey_secret"));
        let e = parse_create_api_key(&Response::new(403, &[], br#"{"detail":"admin keys may only mint scoped keys"}"#))
            .unwrap_err();
        assert_eq!(e.code(), "api.forbidden");
    }
}
