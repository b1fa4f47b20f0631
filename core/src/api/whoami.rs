//! Whoami: who the API key (or console session) is (spec/misc.md).

use alloc::string::String;

use serde::{Deserialize, Serialize};

use super::catalog::Operation;
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::{parse, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/whoami`
    pub const WHOAMI: Operation = Operation::new("whoami.get", Method::Get, "/api/whoami");
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[&ops::WHOAMI];

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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::ok;

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
}
