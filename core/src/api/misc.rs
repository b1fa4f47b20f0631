//! Whoami, webhook signing keys and API keys (spec/misc.md).

use alloc::string::String;
use core::fmt;

use serde::{Deserialize, Serialize};

use super::catalog::Operation;
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/whoami`
    pub const WHOAMI: Operation = Operation::new("whoami.get", Method::Get, "/api/whoami");
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
    &ops::WHOAMI,
    &ops::SIGNING_KEY_CREATE,
    &ops::SIGNING_KEY_STATUS,
    &ops::IDENTITY_SIGNING_KEY_CREATE,
    &ops::IDENTITY_SIGNING_KEY_STATUS,
    &ops::API_KEY_CREATE,
];

// ---------------------------------------------------------------- whoami

wire_enum! {
    /// Who created an API key.
    pub enum CreatorType {
        /// A console user.
        Human = "human",
        /// An agent identity.
        Agent = "agent",
    }
}

/// `GET /api/whoami` for an API key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoamiApiKey {
    /// e.g. `api_key.admin_scoped`, `api_key.agent_scoped.claimed` (open set).
    #[serde(default)]
    pub auth_subtype: Option<String>,
    /// The organization (`org_…`).
    #[serde(default)]
    pub organization_id: Option<String>,
    /// Creator id.
    #[serde(default)]
    pub created_by: Option<String>,
    /// Creator kind.
    #[serde(default)]
    pub creator_type: Option<CreatorType>,
    /// The key record's id.
    #[serde(default)]
    pub key_id: Option<String>,
    /// Label.
    #[serde(default)]
    pub label: Option<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Epoch seconds (a number on this route, unlike elsewhere).
    #[serde(default)]
    pub created_at: Option<f64>,
    /// Epoch seconds.
    #[serde(default)]
    pub last_used_at: Option<f64>,
    /// Epoch seconds.
    #[serde(default)]
    pub expires_at: Option<f64>,
    /// HEAD servers: the key's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

/// `GET /api/whoami` for a console (JWT) session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhoamiJwt {
    /// The raw `auth_type` (anything but `api_key`).
    pub auth_type: String,
    /// Subtype.
    #[serde(default)]
    pub auth_subtype: Option<String>,
    /// The organization.
    #[serde(default)]
    pub organization_id: Option<String>,
    /// User id.
    #[serde(default)]
    pub user_id: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
    /// Name.
    #[serde(default)]
    pub name: Option<String>,
    /// Org role.
    #[serde(default)]
    pub org_role: Option<String>,
    /// Org slug.
    #[serde(default)]
    pub org_slug: Option<String>,
}

/// The whoami response, discriminated by `auth_type`.
#[derive(Clone, Debug, PartialEq)]
pub enum Whoami {
    /// `auth_type == "api_key"`.
    ApiKey(WhoamiApiKey),
    /// Any other `auth_type`.
    Jwt(WhoamiJwt),
}

impl Whoami {
    /// The caller's organization id.
    pub fn organization_id(&self) -> Option<&str> {
        match self {
            Whoami::ApiKey(k) => k.organization_id.as_deref(),
            Whoami::Jwt(j) => j.organization_id.as_deref(),
        }
    }
}

impl Serialize for Whoami {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = match self {
            Whoami::ApiKey(k) => serde_json::to_value(k),
            Whoami::Jwt(j) => serde_json::to_value(j),
        }
        .map_err(serde::ser::Error::custom)?;
        if let (Whoami::ApiKey(_), Some(map)) = (self, value.as_object_mut()) {
            map.insert("auth_type".into(), "api_key".into());
        }
        value.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Whoami {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        // `auth_type` is the discriminant: a body without it (`{}`, or
        // `null`/`""`/a number in its place) is no whoami at all, never a
        // JWT session of an empty type.
        match value.get("auth_type").and_then(serde_json::Value::as_str) {
            Some("api_key") => serde_json::from_value(value).map(Whoami::ApiKey).map_err(serde::de::Error::custom),
            Some(t) if !t.is_empty() => {
                serde_json::from_value(value).map(Whoami::Jwt).map_err(serde::de::Error::custom)
            }
            _ => Err(serde::de::Error::custom("whoami: auth_type must be a non-empty string")),
        }
    }
}

/// Builds `GET /api/whoami`.
pub fn build_whoami() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::WHOAMI, &[])?.build())
}

/// Parses the whoami response.
pub fn parse_whoami(resp: &Response<'_>) -> Result<Whoami, ApiError> {
    parse::json(&ops::WHOAMI, resp)
}

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
    fn whoami_golden_and_parse() {
        let r = build_whoami().unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/api/whoami", true));
        assert_eq!(r.header("accept"), Some("application/json"));
        let w = parse_whoami(&ok(r#"{"auth_type":"api_key","auth_subtype":"api_key.agent_scoped.unclaimed","organization_id":"org_1","created_by":"u","creator_type":"robot","key_id":"ApiKey_1","label":"l","description":null,"created_at":1741737600.5,"last_used_at":null,"expires_at":null,"new_field":1}"#)).unwrap();
        match &w {
            Whoami::ApiKey(k) => {
                assert_eq!(k.created_at, Some(1_741_737_600.5));
                assert_eq!(k.creator_type, Some(CreatorType::Unknown("robot".into())));
            }
            Whoami::Jwt(_) => panic!("wrong variant"),
        }
        assert_eq!(w.organization_id(), Some("org_1"));
        let back: Whoami = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
        assert_eq!(back, w);
        let j =
            parse_whoami(&ok(r#"{"auth_type":"jwt","user_id":"user_1","email":"a@b.c","organization_id":"org_2"}"#))
                .unwrap();
        assert!(matches!(j, Whoami::Jwt(ref x) if x.user_id.as_deref() == Some("user_1")));
        let e = parse_whoami(&Response::new(401, &[], br#"{"detail":"Invalid API key"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.unauthorized");
        let e = parse_whoami(&ok("[1,2")).unwrap_err();
        assert_eq!(e.code(), "api.decode");
    }

    /// Issue 18 item 7: a 200 without a usable `auth_type` is a decode
    /// error, never `WhoamiJwt { auth_type: "" }`.
    #[test]
    fn whoami_without_auth_type_is_a_decode_error() {
        for body in [
            "{}",
            r#"{"organization_id":"org_1"}"#,
            r#"{"auth_type":null,"user_id":"u"}"#,
            r#"{"auth_type":""}"#,
            r#"{"auth_type":7}"#,
            "[]",
            "null",
        ] {
            let e = parse_whoami(&ok(body)).unwrap_err();
            assert_eq!(e.code(), "api.decode", "{body}");
        }
        assert!(
            matches!(parse_whoami(&ok(r#"{"auth_type":"jwt"}"#)).unwrap(), Whoami::Jwt(ref j) if j.auth_type == "jwt")
        );
    }

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
