//! The tunnel control plane (spec/tunnels.md): list, get, update metadata and
//! sign a CSR for a passthrough tunnel.
//!
//! Tunnels are created by identity create and finalized by identity delete;
//! there is no tunnel create or delete operation. A tunnel's name always
//! equals its identity's handle, so naming follows the handle rules
//! ([`validate_tunnel_name`]).

use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::catalog::Operation;
use super::error::ApiError;
use super::patch::Patch;
use super::request::{Method, Request, Response};
use super::time::Timestamp;
use super::{parse, validate, wire_enum};

/// The operations of this family.
pub mod ops {
    use super::*;
    /// `GET /api/v1/tunnels/` (the SDK sends the trailing slash).
    pub const LIST: Operation = Operation::new("tunnels.list", Method::Get, "/api/v1/tunnels/");
    /// `GET /api/v1/tunnels/{tunnel_id}`
    pub const GET: Operation = Operation::new("tunnels.get", Method::Get, "/api/v1/tunnels/{tunnel_id}");
    /// `PATCH /api/v1/tunnels/{tunnel_id}` (metadata only).
    pub const UPDATE: Operation = Operation::new("tunnels.update", Method::Patch, "/api/v1/tunnels/{tunnel_id}");
    /// `POST /api/v1/tunnels/{tunnel_id}/sign-csr` (passthrough only; error.rs
    /// classifies its 409s by this name).
    pub const SIGN_CSR: Operation =
        Operation::new("tunnels.sign_csr", Method::Post, "/api/v1/tunnels/{tunnel_id}/sign-csr");
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[&ops::LIST, &ops::GET, &ops::UPDATE, &ops::SIGN_CSR];

/// `sign-csr` issues the certificate synchronously; the SDK waits 180 s.
pub const SIGN_CSR_TIMEOUT_MS: u64 = 180_000;

/// Largest accepted metadata, as compact serialized JSON (4 KB).
pub const MAX_METADATA_BYTES: usize = 4096;

wire_enum! {
    /// Where inbound TLS is terminated; fixed at identity create.
    pub enum TlsMode {
        /// At the Inkbox edge with a managed certificate (the default).
        Edge = "edge",
        /// By the agent process, with a certificate from `sign-csr`.
        Passthrough = "passthrough",
    }
}

impl Default for TlsMode {
    /// `edge`, the default.
    fn default() -> Self {
        TlsMode::Edge
    }
}

wire_enum! {
    /// A tunnel's lifecycle status (unknown future values are kept verbatim).
    pub enum TunnelStatus {
        /// Passthrough tunnel without a signed certificate yet.
        AwaitingCert = "awaiting_cert",
        /// Routable end to end.
        Active = "active",
        /// Terminal (identity deleted).
        Deleted = "deleted",
    }
}

/// A tunnel: one per identity, reached at `https://{public_host}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tunnel {
    /// UUID.
    pub id: String,
    /// The organization; empty when absent (HEAD identity payloads embed a
    /// tunnel summary without it).
    #[serde(default)]
    pub organization_id: String,
    /// Always the owning identity's handle.
    pub tunnel_name: String,
    /// TLS mode.
    pub tls_mode: TlsMode,
    /// The passthrough certificate, once signed.
    #[serde(default)]
    pub cert_pem: Option<String>,
    /// SHA-256 fingerprint of that certificate.
    #[serde(default)]
    pub cert_fingerprint_sha256: Option<String>,
    /// When that certificate expires.
    #[serde(default)]
    pub cert_expires_at: Option<Timestamp>,
    /// Lifecycle status.
    pub status: TunnelStatus,
    /// The most recent `/_system/hello`.
    #[serde(default)]
    pub last_connected_at: Option<Timestamp>,
    /// The caller IP of that hello.
    #[serde(default)]
    pub last_connected_ip_addr: Option<String>,
    /// At least one agent connection is registered; absent or null → false.
    #[serde(default, deserialize_with = "super::phone::null_as_default")]
    pub currently_connected: bool,
    /// The per-tunnel host, e.g. `my-agent.inkboxwire.com` (never empty).
    #[serde(deserialize_with = "non_empty_string")]
    pub public_host: String,
    /// The zone agents connect to, e.g. `inkboxwire.com` (never empty).
    #[serde(deserialize_with = "non_empty_string")]
    pub zone: String,
    /// Customer JSON (≤ 4 KB); absent, null or not an object → `{}`.
    #[serde(default, deserialize_with = "object_or_empty")]
    pub metadata: Map<String, Value>,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Timestamp,
    /// HEAD servers: the owning identity's UUID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_identity_id: Option<String>,
    /// HEAD servers: the most recent disconnect (best effort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_disconnected_at: Option<Timestamp>,
}

impl Tunnel {
    /// The public URL, `https://{public_host}`.
    pub fn public_url(&self) -> String {
        let mut url = String::from("https://");
        url.push_str(&self.public_host);
        url
    }
}

/// A missing or empty `public_host`/`zone` makes the response malformed.
fn non_empty_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let s = String::deserialize(deserializer)?;
    if s.is_empty() { Err(serde::de::Error::custom("empty public_host or zone in tunnel response")) } else { Ok(s) }
}

fn object_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Object(m) => m,
        _ => Map::new(),
    })
}

/// The certificate issued by `sign-csr` (valid 90 days).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedCert {
    /// The leaf certificate (PEM).
    pub cert_pem: String,
    /// The issuer chain (PEM).
    pub chain_pem: String,
    /// SHA-256 fingerprint of the leaf.
    pub cert_fingerprint_sha256: String,
    /// Expiry of the leaf.
    pub cert_expires_at: Timestamp,
}

/// Checks a tunnel name (the handle rules: 3–63 of `a-z0-9-`, alphanumeric at
/// both ends, no `--`) after normalization.
pub fn validate_tunnel_name(name: &str) -> Result<(), ApiError> {
    validate::handle("tunnel_name", name)
}

/// The name the connect helper looks up and keeps its state under: checked
/// by [`validate_tunnel_name`], then normalized like a handle (one leading
/// `@` dropped, ASCII lowercase).
pub fn normalize_tunnel_name(name: &str) -> Result<String, ApiError> {
    validate_tunnel_name(name)?;
    Ok(validate::normalize_handle(name))
}

/// Finds a tunnel by name (normalized like a handle) in a list response, as
/// the connect helper resolves it.
pub fn find_by_name<'a>(tunnels: &'a [Tunnel], name: &str) -> Option<&'a Tunnel> {
    position_by_name(tunnels.iter().map(|t| t.tunnel_name.as_str()), name).and_then(|i| tunnels.get(i))
}

/// [`find_by_name`] over the `tunnel_name`s of a list response (for bindings
/// holding their own tunnel objects): the index of the first match.
pub fn position_by_name<'a>(names: impl IntoIterator<Item = &'a str>, name: &str) -> Option<usize> {
    let name = validate::normalize_handle(name);
    names.into_iter().position(|n| n == name)
}

/// Builds `GET /api/v1/tunnels/`.
pub fn build_list() -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::LIST, &[])?.build())
}

/// Parses the tunnel list: a bare array or `{"tunnels": [...]}`.
pub fn parse_list(resp: &Response<'_>) -> Result<Vec<Tunnel>, ApiError> {
    parse::list_or_wrapped(&ops::LIST, resp, "tunnels")
}

/// Builds `GET /api/v1/tunnels/{tunnel_id}`.
pub fn build_get(tunnel_id: &str) -> Result<Request, ApiError> {
    Ok(Request::builder(&ops::GET, &[tunnel_id])?.build())
}

/// Parses one tunnel.
pub fn parse_get(resp: &Response<'_>) -> Result<Tunnel, ApiError> {
    parse::json(&ops::GET, resp)
}

/// Input of `PATCH /api/v1/tunnels/{id}`: `metadata` is the only mutable field.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateTunnelRequest {
    /// [`Patch::Keep`] sends `{}` (no-op); [`Patch::Clear`] sends `null` and
    /// [`Patch::Set`] an object — `null` and `{}` both reset metadata to `{}`.
    #[serde(default, skip_serializing_if = "Patch::is_keep")]
    pub metadata: Patch<Map<String, Value>>,
}

/// Builds `PATCH /api/v1/tunnels/{tunnel_id}`. Metadata over 4 KB (compact
/// JSON) is refused before sending.
pub fn build_update(tunnel_id: &str, input: &UpdateTunnelRequest) -> Result<Request, ApiError> {
    if let Patch::Set(m) = &input.metadata {
        let size = serde_json::to_vec(m).map_err(|_| ApiError::validation("metadata", "is not serializable"))?.len();
        if size > MAX_METADATA_BYTES {
            return Err(ApiError::validation("metadata", "must be at most 4096 bytes as JSON"));
        }
    }
    Ok(Request::builder(&ops::UPDATE, &[tunnel_id])?.json(input)?.build())
}

/// Parses the updated tunnel.
pub fn parse_update(resp: &Response<'_>) -> Result<Tunnel, ApiError> {
    parse::json(&ops::UPDATE, resp)
}

/// Body of `POST /api/v1/tunnels/{id}/sign-csr`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignCsrRequest {
    /// PEM PKCS#10 CSR whose CN is the tunnel's `public_host`.
    pub csr_pem: String,
}

/// Builds `POST /api/v1/tunnels/{tunnel_id}/sign-csr` with body
/// `{"csr_pem": …}` and a 180 s timeout. Bindings that hold the CSR as bytes
/// convert them to text first.
pub fn build_sign_csr(tunnel_id: &str, csr_pem: &str) -> Result<Request, ApiError> {
    validate::non_empty("csr_pem", csr_pem)?;
    let body = SignCsrRequest { csr_pem: String::from(csr_pem) };
    Ok(Request::builder(&ops::SIGN_CSR, &[tunnel_id])?.json(&body)?.timeout_ms(SIGN_CSR_TIMEOUT_MS).build())
}

/// Parses the signed certificate. A 409 is classified as
/// `api.tunnel_tls_mode_mismatch` (edge tunnel) or `api.tunnel_csr_state_conflict`.
pub fn parse_sign_csr(resp: &Response<'_>) -> Result<SignedCert, ApiError> {
    parse::json(&ops::SIGN_CSR, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::test_support::ok;
    use alloc::format;

    fn body_str(r: &Request) -> &str {
        core::str::from_utf8(r.body.as_deref().unwrap()).unwrap()
    }

    const TUNNEL: &str = r#"{"id":"33333333-3333-4333-8333-333333333333","organization_id":"org_1","tunnel_name":"my-agent","tls_mode":"passthrough","cert_pem":null,"cert_fingerprint_sha256":null,"cert_expires_at":null,"status":"awaiting_cert","last_connected_at":"2026-03-09T01:02:03.201Z","last_connected_ip_addr":"203.0.113.7","currently_connected":true,"public_host":"my-agent.inkboxwire.com","zone":"inkboxwire.com","metadata":{"team":"gtm","n":[1,2]},"created_at":"2026-03-09T00:00:00Z","updated_at":"2026-03-09T00:00:00Z","future":"x"}"#;

    #[test]
    fn list_accepts_bare_and_wrapped() {
        let r = build_list().unwrap();
        assert_eq!((r.method, r.path_and_query.as_str(), r.body.is_none()), (Method::Get, "/api/v1/tunnels/", true));
        let bare = parse_list(&ok(&format!("[{TUNNEL}]"))).unwrap();
        let wrapped = parse_list(&ok(&format!("{{\"tunnels\":[{TUNNEL}]}}"))).unwrap();
        assert_eq!(bare, wrapped);
        assert_eq!(bare.len(), 1);
        assert_eq!(
            find_by_name(&bare, "@My-Agent").map(|t| t.id.as_str()),
            Some("33333333-3333-4333-8333-333333333333")
        );
        assert!(find_by_name(&bare, "other").is_none());
        assert_eq!(parse_list(&ok("[]")).unwrap(), Vec::new());
        assert_eq!(parse_list(&ok(r#"{"items":[]}"#)).unwrap_err().code(), "api.decode");
        assert_eq!(
            parse_list(&Response::new(401, &[], br#"{"detail":"Invalid API key"}"#)).unwrap_err().code(),
            "api.unauthorized"
        );
    }

    #[test]
    fn get_golden_and_parse() {
        let r = build_get("33333333-3333-4333-8333-333333333333").unwrap();
        assert_eq!(r.path_and_query, "/api/v1/tunnels/33333333-3333-4333-8333-333333333333");
        assert_eq!(build_get("a/b").unwrap().path_and_query, "/api/v1/tunnels/a%2Fb");
        let t = parse_get(&ok(TUNNEL)).unwrap();
        assert_eq!(t.tls_mode, TlsMode::Passthrough);
        assert_eq!(t.status, TunnelStatus::AwaitingCert);
        assert!(t.currently_connected);
        assert_eq!(t.metadata["team"], "gtm");
        assert_eq!(t.public_url(), "https://my-agent.inkboxwire.com");
        assert_eq!(t.agent_identity_id, None);
        let v = serde_json::to_value(&t).unwrap();
        assert!(v.get("agent_identity_id").is_none());
        assert!(v["cert_pem"].is_null());
        assert_eq!(serde_json::from_value::<Tunnel>(v).unwrap(), t);

        // Tolerance: unknown status kept, absent flags/metadata default, null metadata → {}.
        let t2 = TUNNEL
            .replace("\"awaiting_cert\"", "\"draining\"")
            .replace("\"currently_connected\":true,", "")
            .replace(r#"{"team":"gtm","n":[1,2]}"#, "null");
        let t2 = parse_get(&ok(&t2)).unwrap();
        assert_eq!(t2.status, TunnelStatus::Unknown("draining".into()));
        assert!(!t2.currently_connected);
        assert!(t2.metadata.is_empty());
        // HEAD summary embedded in identities: no organization_id, has agent_identity_id.
        let head = TUNNEL.replace("\"organization_id\":\"org_1\",", "\"agent_identity_id\":\"i1\",");
        let t3 = parse_get(&ok(&head)).unwrap();
        assert_eq!((t3.organization_id.as_str(), t3.agent_identity_id.as_deref()), ("", Some("i1")));
        // Missing or empty public_host/zone is malformed.
        for bad in
            [TUNNEL.replace("\"my-agent.inkboxwire.com\"", "\"\""), TUNNEL.replace("\"zone\":\"inkboxwire.com\",", "")]
        {
            assert_eq!(parse_get(&ok(&bad)).unwrap_err().code(), "api.decode");
        }
        assert_eq!(
            parse_get(&Response::new(404, &[], br#"{"detail":"Tunnel not found"}"#)).unwrap_err().code(),
            "api.not_found"
        );
    }

    #[test]
    fn update_golden() {
        let r = build_update("t1", &UpdateTunnelRequest::default()).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Patch, "/api/v1/tunnels/t1"));
        assert_eq!(body_str(&r), "{}");
        let r = build_update("t1", &UpdateTunnelRequest { metadata: Patch::Clear }).unwrap();
        assert_eq!(body_str(&r), r#"{"metadata":null}"#);
        let mut m = Map::new();
        m.insert("team".into(), "gtm".into());
        let input = UpdateTunnelRequest { metadata: Patch::Set(m) };
        let r = build_update("t1", &input).unwrap();
        assert_eq!(body_str(&r), r#"{"metadata":{"team":"gtm"}}"#);
        assert_eq!(serde_json::from_str::<UpdateTunnelRequest>(body_str(&r)).unwrap(), input);
        let r = build_update("t1", &UpdateTunnelRequest { metadata: Patch::Set(Map::new()) }).unwrap();
        assert_eq!(body_str(&r), r#"{"metadata":{}}"#);

        // 4096 bytes exactly is accepted, one more is refused.
        let mut big = Map::new();
        big.insert("k".into(), Value::String("x".repeat(MAX_METADATA_BYTES - 8)));
        assert_eq!(serde_json::to_vec(&big).unwrap().len(), MAX_METADATA_BYTES);
        assert!(build_update("t1", &UpdateTunnelRequest { metadata: Patch::Set(big.clone()) }).is_ok());
        big.insert("k".into(), Value::String("x".repeat(MAX_METADATA_BYTES - 7)));
        let e = build_update("t1", &UpdateTunnelRequest { metadata: Patch::Set(big) }).unwrap_err();
        assert_eq!(e.code(), "api.validation");

        assert_eq!(parse_update(&ok(TUNNEL)).unwrap().tunnel_name, "my-agent");
        assert_eq!(
            parse_update(&Response::new(422, &[], br#"{"detail":"metadata too large"}"#)).unwrap_err().code(),
            "api.unprocessable"
        );
    }

    #[test]
    fn sign_csr_golden_parse_and_conflicts() {
        let pem = "-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n";
        let r = build_sign_csr("t1", pem).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/tunnels/t1/sign-csr"));
        assert_eq!(
            body_str(&r),
            r#"{"csr_pem":"-----BEGIN CERTIFICATE REQUEST-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n"}"#
        );
        assert_eq!(r.timeout_ms, Some(180_000));
        assert_eq!(r.operation.name, "tunnels.sign_csr");
        assert_eq!(build_sign_csr("t1", "").unwrap_err().code(), "api.validation");

        let c = parse_sign_csr(&ok(r#"{"cert_pem":"C","chain_pem":"CH","cert_fingerprint_sha256":"ab:cd","cert_expires_at":"2026-06-07T00:00:00Z","x":0}"#)).unwrap();
        assert_eq!((c.cert_pem.as_str(), c.chain_pem.as_str()), ("C", "CH"));
        assert_eq!(parse_sign_csr(&ok(r#"{"cert_pem":"C"}"#)).unwrap_err().code(), "api.decode");

        let e = parse_sign_csr(&Response::new(
            409,
            &[],
            br#"{"detail":"tunnel tls_mode is edge; sign-csr requires passthrough"}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.tunnel_tls_mode_mismatch");
        let e = parse_sign_csr(&Response::new(
            409,
            &[],
            br#"{"detail":{"detail":"certificate issuance already in progress"}}"#,
        ))
        .unwrap_err();
        assert_eq!(e.code(), "api.tunnel_csr_state_conflict");
        assert_eq!(
            parse_sign_csr(&Response::new(400, &[], br#"{"detail":"CN mismatch"}"#)).unwrap_err().code(),
            "api.bad_request"
        );
    }

    #[test]
    fn names_follow_the_handle_rules() {
        assert_eq!(normalize_tunnel_name("@My-App").unwrap(), "my-app");
        // One `@` only, ASCII case folding only: anything else is invalid.
        for bad in ["@@my-app", "my_app", "My App", "\u{130}nbox", "ab", "-app", "a--b"] {
            assert_eq!(normalize_tunnel_name(bad).unwrap_err().code(), "api.validation", "{bad}");
        }
        assert_eq!(position_by_name(["a-b", "my-app", "my-app"], "@MY-APP"), Some(1));
        assert_eq!(position_by_name(["a-b"], "my-app"), None);
        assert!(validate_tunnel_name("my-app").is_ok());
        assert!(validate_tunnel_name("@My-App").is_ok());
        for bad in ["ab", "a--b", "-ab", "my_app"] {
            assert_eq!(validate_tunnel_name(bad).unwrap_err().code(), "api.validation", "{bad}");
        }
    }
}
