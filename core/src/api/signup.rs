//! Agent self-signup (spec/signup.md).
//!
//! `POST /api/v1/agent-signup` is public (no API key). The three follow-up
//! calls authenticate with the key that signup returned: their builders take
//! it as an argument and put it in [`Request::api_key_override`], so they
//! work without a configured client key.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::{Deserialize, Serialize};

use super::catalog::{Auth, Operation};
use super::error::ApiError;
use super::request::{Method, Request, Response};
use super::{parse, validate, wire_enum};

/// The operations of this family (error.rs classifies verify and resend
/// errors by these names).
pub mod ops {
    use super::*;
    /// `POST /api/v1/agent-signup` (public).
    pub const CREATE: Operation =
        Operation::new("signup.create", Method::Post, "/api/v1/agent-signup").auth(Auth::None);
    /// `POST /api/v1/agent-signup/verify`
    pub const VERIFY: Operation = Operation::new("signup.verify", Method::Post, "/api/v1/agent-signup/verify");
    /// `POST /api/v1/agent-signup/resend-verification` (no body).
    pub const RESEND_VERIFICATION: Operation =
        Operation::new("signup.resend_verification", Method::Post, "/api/v1/agent-signup/resend-verification");
    /// `GET /api/v1/agent-signup/status`
    pub const STATUS: Operation = Operation::new("signup.status", Method::Get, "/api/v1/agent-signup/status");
}

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[&ops::CREATE, &ops::VERIFY, &ops::RESEND_VERIFICATION, &ops::STATUS];

wire_enum! {
    /// Whether a human has claimed the agent.
    pub enum ClaimStatus {
        /// Not claimed yet (restricted sending).
        AgentUnclaimed = "agent_unclaimed",
        /// Claimed (verified code or console approval).
        AgentClaimed = "agent_claimed",
        /// Rejected by the human.
        AgentRejected = "agent_rejected",
    }
}

wire_enum! {
    /// The overseeing human's account state.
    pub enum HumanState {
        /// No Inkbox account.
        HumanNoAccount = "human_no_account",
        /// An account whose email is not verified.
        HumanAccountUnverified = "human_account_unverified",
        /// A verified account.
        HumanAccountVerified = "human_account_verified",
    }
}

// ---------------------------------------------------------------- signup

/// Input of `POST /api/v1/agent-signup`; optional keys are omitted, never null.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAgentSignupRequest {
    /// The overseeing human's email (receives the verification code).
    pub human_email: String,
    /// 1–2000 characters, quoted in the verification email.
    pub note_to_human: String,
    /// 1–255 characters (default: the handle).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Handle override (normalized: one leading `@` removed, lowercased).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent_handle: Option<String>,
    /// Local part before `@inkboxmail.com` (generated when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_local_part: Option<String>,
}

impl CreateAgentSignupRequest {
    /// The two required fields.
    pub fn new(human_email: impl Into<String>, note_to_human: impl Into<String>) -> Self {
        CreateAgentSignupRequest {
            human_email: human_email.into(),
            note_to_human: note_to_human.into(),
            ..Default::default()
        }
    }
}

/// The signup result. `api_key` is shown only here: it is redacted in `Debug`
/// and zeroized on drop.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, zeroize::ZeroizeOnDrop)]
pub struct AgentSignupResponse {
    /// The new mailbox address.
    #[zeroize(skip)]
    pub email_address: String,
    /// The provisional organization (`org_agent_<uuid>`; may change on claim).
    #[zeroize(skip)]
    pub organization_id: String,
    /// The agent's API key (cannot be fetched again).
    pub api_key: String,
    /// The handle (generated ones look like `<name>-<6 hex>`).
    #[zeroize(skip)]
    pub agent_handle: String,
    /// Always `agent_unclaimed` at signup.
    #[zeroize(skip)]
    pub claim_status: ClaimStatus,
    /// Echo of the human's email.
    #[zeroize(skip)]
    pub human_email: String,
    /// Restrictions and next steps, for humans.
    #[zeroize(skip)]
    pub message: String,
}

impl fmt::Debug for AgentSignupResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AgentSignupResponse")
            .field("email_address", &self.email_address)
            .field("organization_id", &self.organization_id)
            .field("api_key", &"<redacted>")
            .field("agent_handle", &self.agent_handle)
            .field("claim_status", &self.claim_status)
            .field("human_email", &self.human_email)
            .field("message", &self.message)
            .finish()
    }
}

/// Builds `POST /api/v1/agent-signup` (no API key is sent).
pub fn build_signup(input: &CreateAgentSignupRequest) -> Result<Request, ApiError> {
    validate::non_empty("human_email", &input.human_email)?;
    if !input.human_email.contains('@') {
        return Err(ApiError::validation("human_email", "must be an email address"));
    }
    validate::char_len("note_to_human", &input.note_to_human, 1, 2000)?;
    if let Some(d) = &input.display_name {
        validate::char_len("display_name", d, 1, 255)?;
    }
    let mut body = input.clone();
    if let Some(h) = &input.agent_handle {
        let h = validate::normalize_handle(h);
        validate::non_empty("agent_handle", &h)?;
        body.agent_handle = Some(h);
    }
    if let Some(l) = &input.email_local_part {
        validate::non_empty("email_local_part", l)?;
    }
    Ok(Request::builder(&ops::CREATE, &[])?.json(&body)?.build())
}

/// Parses the signup result (201).
pub fn parse_signup(resp: &Response<'_>) -> Result<AgentSignupResponse, ApiError> {
    parse::json(&ops::CREATE, resp)
}

// ------------------------------------------------------ verify and resend

/// Body of `POST /api/v1/agent-signup/verify`. The code is redacted in
/// `Debug` and zeroized on drop.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, zeroize::ZeroizeOnDrop)]
pub struct VerifySignupRequest {
    /// The 6-digit code from the verification email.
    pub verification_code: String,
}

impl fmt::Debug for VerifySignupRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifySignupRequest").field("verification_code", &"<redacted>").finish()
    }
}

/// The verify and resend result. Always use the newest `organization_id`
/// (the agent moves into the human's organization on claim).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentClaimResponse {
    /// The claim status after the call.
    pub claim_status: ClaimStatus,
    /// The current organization.
    pub organization_id: String,
    /// A human-readable message.
    pub message: String,
}

fn with_signup_key(op: &'static Operation, api_key: &str) -> Result<super::request::RequestBuilder, ApiError> {
    validate::header_value("api_key", api_key)?;
    Request::builder(op, &[])
}

fn verification_code(code: &str) -> Result<(), ApiError> {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(ApiError::validation("verification_code", "must be 6 digits"))
    }
}

/// Builds `POST /api/v1/agent-signup/verify` with
/// `{"verification_code": "483921"}`, authenticated with the signup key.
pub fn build_verify(api_key: &str, verification_code_value: &str) -> Result<Request, ApiError> {
    verification_code(verification_code_value)?;
    let body = VerifySignupRequest { verification_code: verification_code_value.to_owned() };
    let mut req = with_signup_key(&ops::VERIFY, api_key)?.json(&body)?.build();
    req.api_key_override = Some(api_key.to_owned());
    Ok(req)
}

/// Parses the verify result. 401 → `api.invalid_verification_code`,
/// 410 → `api.verification_code_expired`, 429 → `api.too_many_attempts`.
pub fn parse_verify(resp: &Response<'_>) -> Result<AgentClaimResponse, ApiError> {
    parse::json(&ops::VERIFY, resp)
}

/// Builds `POST /api/v1/agent-signup/resend-verification` — no body at all —
/// authenticated with the signup key.
pub fn build_resend_verification(api_key: &str) -> Result<Request, ApiError> {
    let mut req = with_signup_key(&ops::RESEND_VERIFICATION, api_key)?.build();
    req.api_key_override = Some(api_key.to_owned());
    Ok(req)
}

/// Parses the resend result. 429 (5-minute cooldown) → `api.too_many_attempts`.
pub fn parse_resend_verification(resp: &Response<'_>) -> Result<AgentClaimResponse, ApiError> {
    parse::json(&ops::RESEND_VERIFICATION, resp)
}

// ----------------------------------------------------------------- status

/// What an agent may do in its current claim state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignupRestrictions {
    /// The effective daily send limit.
    pub max_sends_per_day: i64,
    /// Allowed recipients; empty = unrestricted.
    #[serde(default)]
    pub allowed_recipients: Vec<String>,
    /// Whether the agent can receive mail.
    pub can_receive: bool,
    /// Whether the agent can create mailboxes.
    pub can_create_mailboxes: bool,
}

/// `GET /api/v1/agent-signup/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentSignupStatusResponse {
    /// Claim status.
    pub claim_status: ClaimStatus,
    /// The human's account state.
    pub human_state: HumanState,
    /// The human's email.
    pub human_email: String,
    /// Current restrictions.
    pub restrictions: SignupRestrictions,
}

/// Builds `GET /api/v1/agent-signup/status`, authenticated with the signup key.
pub fn build_status(api_key: &str) -> Result<Request, ApiError> {
    let mut req = with_signup_key(&ops::STATUS, api_key)?.build();
    req.api_key_override = Some(api_key.to_owned());
    Ok(req)
}

/// Parses the signup status.
pub fn parse_status(resp: &Response<'_>) -> Result<AgentSignupStatusResponse, ApiError> {
    parse::json(&ops::STATUS, resp)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::ErrorCode;
    use crate::api::request::{API_KEY_HEADER, BaseUrl};
    use crate::api::test_support::ok;
    use alloc::format;

    fn body_str(r: &Request) -> &str {
        core::str::from_utf8(r.body.as_deref().unwrap()).unwrap()
    }

    #[test]
    fn operation_names_and_auth() {
        assert_eq!(ops::CREATE.auth, Auth::None);
        assert_eq!(ops::VERIFY.auth, Auth::ApiKey);
        let names: Vec<&str> = OPERATIONS.iter().map(|o| o.name).collect();
        assert_eq!(names, ["signup.create", "signup.verify", "signup.resend_verification", "signup.status"]);
    }

    #[test]
    fn signup_golden() {
        let r = build_signup(&CreateAgentSignupRequest::new("john@example.com", "Hey John")).unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/agent-signup"));
        assert_eq!(body_str(&r), r#"{"human_email":"john@example.com","note_to_human":"Hey John"}"#);
        assert_eq!(r.api_key_override, None);
        // Public: no key header even when the client has one.
        let p = r.prepare(&BaseUrl::default(), Some("ApiKey_client")).unwrap();
        assert!(p.headers.iter().all(|(n, _)| n != API_KEY_HEADER));

        let input = CreateAgentSignupRequest {
            display_name: Some("Sales Agent".into()),
            agent_handle: Some("@Sales-Agent".into()),
            email_local_part: Some("sales.agent".into()),
            ..CreateAgentSignupRequest::new("john@example.com", "Hey John, this is your sales bot signing up!")
        };
        let r = build_signup(&input).unwrap();
        assert_eq!(
            body_str(&r),
            r#"{"human_email":"john@example.com","note_to_human":"Hey John, this is your sales bot signing up!","display_name":"Sales Agent","agent_handle":"sales-agent","email_local_part":"sales.agent"}"#
        );
        let parsed: CreateAgentSignupRequest = serde_json::from_str(body_str(&r)).unwrap();
        assert_eq!(parsed.agent_handle.as_deref(), Some("sales-agent"));
    }

    #[test]
    fn signup_validation() {
        let base = CreateAgentSignupRequest::new("john@example.com", "note");
        let cases = [
            ("human_email", CreateAgentSignupRequest { human_email: "".into(), ..base.clone() }),
            ("human_email", CreateAgentSignupRequest { human_email: "john.example.com".into(), ..base.clone() }),
            ("note_to_human", CreateAgentSignupRequest { note_to_human: "".into(), ..base.clone() }),
            ("note_to_human", CreateAgentSignupRequest { note_to_human: "n".repeat(2001), ..base.clone() }),
            ("display_name", CreateAgentSignupRequest { display_name: Some("".into()), ..base.clone() }),
            ("display_name", CreateAgentSignupRequest { display_name: Some("d".repeat(256)), ..base.clone() }),
            ("agent_handle", CreateAgentSignupRequest { agent_handle: Some("@".into()), ..base.clone() }),
            ("email_local_part", CreateAgentSignupRequest { email_local_part: Some("".into()), ..base.clone() }),
        ];
        for (field, input) in cases {
            match build_signup(&input).unwrap_err() {
                ApiError::Validation { field: f, .. } => assert_eq!(f, field),
                other => panic!("{other:?}"),
            }
        }
        let edge =
            CreateAgentSignupRequest { note_to_human: "é".repeat(2000), display_name: Some("d".repeat(255)), ..base };
        assert!(build_signup(&edge).is_ok());
    }

    #[test]
    fn signup_parse_redacts_key() {
        let body = r#"{"email_address":"sales-agent-a1b2c3@inkboxmail.com","organization_id":"org_agent_1","api_key":"ApiKey_secret_123","agent_handle":"sales-agent-a1b2c3","claim_status":"agent_unclaimed","human_email":"john@example.com","message":"Verify to unlock.","invitation":null}"#;
        let s = parse_signup(&Response::new(201, &[], body.as_bytes())).unwrap();
        assert_eq!(s.api_key, "ApiKey_secret_123");
        assert_eq!(s.claim_status, ClaimStatus::AgentUnclaimed);
        let dbg = format!("{s:?}");
        assert!(!dbg.contains("ApiKey_secret_123") && dbg.contains("<redacted>"));
        let back: AgentSignupResponse = serde_json::from_slice(&serde_json::to_vec(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert_eq!(
            parse_signup(&Response::new(429, &[], br#"{"detail":"slow down"}"#)).unwrap_err().code(),
            "api.rate_limited"
        );
        assert_eq!(
            parse_signup(&Response::new(422, &[], br#"{"detail":[{"msg":"bad email"}]}"#)).unwrap_err().code(),
            "api.unprocessable"
        );
    }

    #[test]
    fn verify_golden_parse_and_errors() {
        let r = build_verify("ApiKey_signup", "483921").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/agent-signup/verify"));
        assert_eq!(body_str(&r), r#"{"verification_code":"483921"}"#);
        assert_eq!(r.api_key_override.as_deref(), Some("ApiKey_signup"));
        assert!(!format!("{r:?}").contains("ApiKey_signup"));
        let p = r.prepare(&BaseUrl::default(), None).unwrap();
        assert!(p.headers.contains(&(API_KEY_HEADER.into(), "ApiKey_signup".into())));
        let p = r.prepare(&BaseUrl::default(), Some("ApiKey_other")).unwrap();
        assert!(p.headers.contains(&(API_KEY_HEADER.into(), "ApiKey_signup".into())));

        for bad in ["48392", "4839211", "48392a", "", " 483921", "４８３９２１"] {
            assert_eq!(build_verify("k", bad).unwrap_err().code(), "api.validation", "{bad}");
        }
        assert_eq!(build_verify("", "483921").unwrap_err().code(), "api.validation");
        assert_eq!(build_verify("k\r\nX: y", "483921").unwrap_err().code(), "api.validation");
        assert!(!format!("{:?}", VerifySignupRequest { verification_code: "483921".into() }).contains("483921"));

        let c = parse_verify(&ok(
            r#"{"claim_status":"agent_claimed","organization_id":"org_2","message":"Claimed","x":1}"#,
        ))
        .unwrap();
        assert_eq!((c.claim_status, c.organization_id.as_str()), (ClaimStatus::AgentClaimed, "org_2"));
        for (status, code) in [
            (401, "api.invalid_verification_code"),
            (410, "api.verification_code_expired"),
            (429, "api.too_many_attempts"),
            (404, "api.not_found"),
        ] {
            let e = parse_verify(&Response::new(status, &[], br#"{"detail":"x"}"#)).unwrap_err();
            assert_eq!(e.code(), code, "{status}");
        }
    }

    #[test]
    fn resend_golden_parse_and_errors() {
        let r = build_resend_verification("ApiKey_signup").unwrap();
        assert_eq!((r.method, r.path_and_query.as_str()), (Method::Post, "/api/v1/agent-signup/resend-verification"));
        assert!(r.body.is_none());
        assert!(r.header("content-type").is_none());
        assert_eq!(r.api_key_override.as_deref(), Some("ApiKey_signup"));
        assert_eq!(build_resend_verification("").unwrap_err().code(), "api.validation");
        let c = parse_resend_verification(&ok(
            r#"{"claim_status":"agent_unclaimed","organization_id":"org_agent_1","message":"Sent"}"#,
        ))
        .unwrap();
        assert_eq!(c.claim_status, ClaimStatus::AgentUnclaimed);
        let e = parse_resend_verification(&Response::new(429, &[], br#"{"detail":"cooldown"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.too_many_attempts");
        let e = parse_resend_verification(&Response::new(404, &[], br#"{"detail":"agent not found"}"#)).unwrap_err();
        assert_eq!(e.code(), "api.not_found");
    }

    #[test]
    fn status_golden_and_parse() {
        let r = build_status("ApiKey_signup").unwrap();
        assert_eq!(
            (r.method, r.path_and_query.as_str(), r.body.is_none()),
            (Method::Get, "/api/v1/agent-signup/status", true)
        );
        assert_eq!(r.api_key_override.as_deref(), Some("ApiKey_signup"));
        let s = parse_status(&ok(r#"{"claim_status":"agent_unclaimed","human_state":"human_no_account","human_email":"john@example.com","restrictions":{"max_sends_per_day":10,"allowed_recipients":["john@example.com"],"can_receive":true,"can_create_mailboxes":false,"new":1}}"#)).unwrap();
        assert_eq!(s.human_state, HumanState::HumanNoAccount);
        assert_eq!(s.restrictions.max_sends_per_day, 10);
        assert_eq!(s.restrictions.allowed_recipients, ["john@example.com"]);
        let s = parse_status(&ok(r#"{"claim_status":"UNCLAIMED","human_state":"human_account_verified","human_email":"j@e.com","restrictions":{"max_sends_per_day":500,"allowed_recipients":[],"can_receive":true,"can_create_mailboxes":false}}"#)).unwrap();
        assert_eq!(s.claim_status, ClaimStatus::Unknown("UNCLAIMED".into()));
        assert!(s.restrictions.allowed_recipients.is_empty());
        assert_eq!(
            parse_status(&Response::new(401, &[], br#"{"detail":"Invalid API key"}"#)).unwrap_err().code(),
            "api.unauthorized"
        );
    }
}
