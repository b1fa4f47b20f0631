//! The API error taxonomy.
//!
//! [`ApiError`] separates what went wrong on the way (transport), what the
//! server refused (an HTTP status, classified into an [`ErrorKind`] from the
//! status and the structured `detail` of the body), what could not be
//! decoded, and what was refused before any request was sent (validation).
//! Every value has a stable [`ErrorCode`](crate::ErrorCode) such as
//! `api.not_found` or `api.sender_rate_limited`.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use super::catalog::Operation;
use super::request::Response;
use super::retry::RetryAfter;
use crate::{ErrorClass, ErrorCode};

/// Why a transport failed (reported by the binding's HTTP stack).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be established (DNS, refused, TLS).
    Connect,
    /// The request or response timed out.
    Timeout,
    /// The connection broke mid-exchange.
    Interrupted,
    /// Anything else.
    Other,
}

impl TransportErrorKind {
    /// Connect and timeout failures may be retried (for retry-safe requests).
    pub const fn is_retryable(self) -> bool {
        matches!(self, Self::Connect | Self::Timeout | Self::Interrupted)
    }
}

/// The `detail` member of an error body.
#[derive(Clone, Debug, PartialEq)]
pub enum Detail {
    /// No body, or a body without `detail`.
    None,
    /// A human-readable message (or the raw text of a non-JSON body).
    Text(String),
    /// A structured object, e.g. `{"error": "...", "message": "..."}`.
    Object(serde_json::Map<String, Value>),
    /// A list, e.g. request-validation items.
    List(Vec<Value>),
}

impl Detail {
    /// The detail as one string, the way the official SDK prints it.
    pub fn to_text(&self) -> String {
        match self {
            Detail::None => String::new(),
            Detail::Text(s) => s.clone(),
            Detail::Object(m) => serde_json::to_string(m).unwrap_or_default(),
            Detail::List(l) => serde_json::to_string(l).unwrap_or_default(),
        }
    }

    /// A string field of an object detail.
    pub fn str_field(&self, key: &str) -> Option<&str> {
        match self {
            Detail::Object(m) => m.get(key).and_then(Value::as_str),
            _ => None,
        }
    }

    /// The `error` code of an object detail.
    pub fn error_code(&self) -> Option<&str> {
        self.str_field("error")
    }

    /// A human message: the text, or an object's `message`/`detail` string.
    pub fn message(&self) -> Option<&str> {
        match self {
            Detail::Text(s) => Some(s),
            Detail::Object(_) => self.str_field("message").or_else(|| self.str_field("detail")),
            _ => None,
        }
    }
}

/// What kind of refusal an HTTP error is.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 400
    BadRequest,
    /// 401 (signup verify: wrong verification code)
    Unauthorized,
    /// 402 (quota; HEAD servers)
    PaymentRequired,
    /// 403
    Forbidden,
    /// 404
    NotFound,
    /// 408
    RequestTimeout,
    /// 409 not otherwise classified
    Conflict,
    /// 410 (signup verify: code expired)
    Gone,
    /// 422
    Unprocessable,
    /// 429 not otherwise classified
    RateLimited,
    /// 5xx
    Server,
    /// Any other status.
    Other,
    /// 403 `recipient_blocked`: an outbound contact rule or filter mode.
    RecipientBlocked {
        /// The rule that matched; `None` = blocked by the filter-mode default.
        matched_rule_id: Option<String>,
        /// The blocked address (E.164 or email).
        address: Option<String>,
        /// The server's reason text.
        reason: Option<String>,
    },
    /// 409 `redundant_grant`: the target already grants everyone.
    RedundantGrant,
    /// 409 with `existing_rule_id`: a contact rule for that match exists.
    DuplicateContactRule {
        /// The existing rule's id.
        existing_rule_id: String,
    },
    /// 409 from identity create/update: the handle is taken or reserved.
    HandleUnavailable {
        /// `identities`, `tunnels` or `mail` when the server says.
        blocking_namespace: Option<String>,
    },
    /// 409 from tunnel `sign-csr`: the tunnel's TLS mode is not passthrough.
    TunnelTlsModeMismatch,
    /// 409 from tunnel `sign-csr`: the certificate state does not allow it.
    TunnelCsrStateConflict,
    /// 429 `sender_rate_limited`: 100 recipient sends per rolling 24 h.
    SenderRateLimited,
    /// 409 `sender_sms_pending`: the number is not ready for SMS yet.
    SenderSmsPending,
    /// 403 `recipient_not_opted_in`.
    RecipientNotOptedIn,
    /// 403 `recipient_opted_out`.
    RecipientOptedOut,
    /// 409 `customer_campaign_required`.
    CustomerCampaignRequired,
    /// `carrier_rate_limit`.
    CarrierRateLimit,
    /// 409 `idempotency_key_reused`: the key was used with another request.
    IdempotencyKeyReused,
    /// 402 `storage_limit_exceeded`: the send would pass the mailbox's cap.
    StorageLimitExceeded,
    /// 402 `dedicated_imessage_number_quota_exceeded`: the organization
    /// holds as many dedicated iMessage numbers as its plan allows.
    DedicatedImessageNumberQuotaExceeded,
    /// 503 `dedicated_imessage_number_inventory_pending`: no dedicated
    /// number is free yet (retry after the error's `retry_after`).
    DedicatedImessageNumberInventoryPending,
    /// 429 `mail_import_quota_exceeded`: the day's mailbox-import jobs are
    /// spent (retry after the error's `retry_after`).
    MailImportQuotaExceeded,
    /// Signup verify 401: the verification code is wrong.
    InvalidVerificationCode,
    /// Signup verify 410: the code expired (48 h).
    VerificationCodeExpired,
    /// Signup verify 429: too many attempts (5), or resend cooldown.
    TooManyAttempts,
}

impl ErrorKind {
    /// The stable code, e.g. `api.not_found`.
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::BadRequest => "api.bad_request",
            ErrorKind::Unauthorized => "api.unauthorized",
            ErrorKind::PaymentRequired => "api.payment_required",
            ErrorKind::Forbidden => "api.forbidden",
            ErrorKind::NotFound => "api.not_found",
            ErrorKind::RequestTimeout => "api.request_timeout",
            ErrorKind::Conflict => "api.conflict",
            ErrorKind::Gone => "api.gone",
            ErrorKind::Unprocessable => "api.unprocessable",
            ErrorKind::RateLimited => "api.rate_limited",
            ErrorKind::Server => "api.server_error",
            ErrorKind::Other => "api.http_error",
            ErrorKind::RecipientBlocked { .. } => "api.recipient_blocked",
            ErrorKind::RedundantGrant => "api.redundant_grant",
            ErrorKind::DuplicateContactRule { .. } => "api.duplicate_contact_rule",
            ErrorKind::HandleUnavailable { .. } => "api.handle_unavailable",
            ErrorKind::TunnelTlsModeMismatch => "api.tunnel_tls_mode_mismatch",
            ErrorKind::TunnelCsrStateConflict => "api.tunnel_csr_state_conflict",
            ErrorKind::SenderRateLimited => "api.sender_rate_limited",
            ErrorKind::SenderSmsPending => "api.sender_sms_pending",
            ErrorKind::RecipientNotOptedIn => "api.recipient_not_opted_in",
            ErrorKind::RecipientOptedOut => "api.recipient_opted_out",
            ErrorKind::CustomerCampaignRequired => "api.customer_campaign_required",
            ErrorKind::CarrierRateLimit => "api.carrier_rate_limit",
            ErrorKind::IdempotencyKeyReused => "api.idempotency_key_reused",
            ErrorKind::StorageLimitExceeded => "api.storage_limit_exceeded",
            ErrorKind::DedicatedImessageNumberQuotaExceeded => "api.dedicated_imessage_number_quota_exceeded",
            ErrorKind::DedicatedImessageNumberInventoryPending => "api.dedicated_imessage_number_inventory_pending",
            ErrorKind::MailImportQuotaExceeded => "api.mail_import_quota_exceeded",
            ErrorKind::InvalidVerificationCode => "api.invalid_verification_code",
            ErrorKind::VerificationCodeExpired => "api.verification_code_expired",
            ErrorKind::TooManyAttempts => "api.too_many_attempts",
        }
    }

    /// The plain kind of a status code.
    pub fn from_status(status: u16) -> Self {
        match status {
            400 => ErrorKind::BadRequest,
            401 => ErrorKind::Unauthorized,
            402 => ErrorKind::PaymentRequired,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            408 => ErrorKind::RequestTimeout,
            409 => ErrorKind::Conflict,
            410 => ErrorKind::Gone,
            422 => ErrorKind::Unprocessable,
            429 => ErrorKind::RateLimited,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::Other,
        }
    }
}

/// An HTTP error response, classified.
#[derive(Clone, PartialEq)]
pub struct StatusError {
    /// The operation that failed.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// The classification.
    pub kind: ErrorKind,
    /// The body's `detail` (or raw text).
    pub detail: Detail,
    /// The parsed `Retry-After` header.
    pub retry_after: Option<RetryAfter>,
    /// What the service tells an agent to do about the error: the body's
    /// top-level `agent_support` (a non-empty string; anything else is
    /// ignored), e.g. how to reach a support agent.
    pub agent_support: Option<String>,
    /// The raw body, kept verbatim.
    pub body: Vec<u8>,
}

impl fmt::Debug for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusError")
            .field("operation", &self.operation)
            .field("status", &self.status)
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .field("retry_after", &self.retry_after)
            .field("agent_support", &self.agent_support)
            .finish()
    }
}

/// Everything an API call can fail with.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum ApiError {
    /// Refused before any request was sent.
    Validation {
        /// The offending argument.
        field: Cow<'static, str>,
        /// What is wrong with it.
        message: Cow<'static, str>,
    },
    /// The transport failed; no response was received.
    Transport {
        /// What failed.
        kind: TransportErrorKind,
        /// The transport's message.
        message: String,
    },
    /// The server answered with an error status.
    Status(Box<StatusError>),
    /// A success response could not be decoded into the expected model.
    Decode {
        /// The operation.
        operation: &'static str,
        /// The HTTP status.
        status: u16,
        /// The decoder's message (no body content).
        message: String,
        /// The raw body, kept verbatim.
        body: Vec<u8>,
    },
    /// A composite flow failed in a way a caller handles on its own
    /// (e.g. the vault is not initialized, or is locked).
    Flow {
        /// Stable code, e.g. `vault.not_initialized`.
        code: &'static str,
        /// Human message.
        message: Cow<'static, str>,
    },
    /// A vault cryptography or payload error.
    Vault(crate::vault::VaultError),
    /// A TOTP configuration error.
    Totp(crate::totp::TotpError),
}

impl ApiError {
    pub(crate) fn validation(field: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::Validation { field: Cow::Borrowed(field), message: message.into() }
    }

    pub(crate) fn validation_owned(field: String, message: impl Into<Cow<'static, str>>) -> Self {
        ApiError::Validation { field: Cow::Owned(field), message: message.into() }
    }

    /// A transport failure reported by a binding.
    pub fn transport(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        ApiError::Transport { kind, message: message.into() }
    }

    /// The HTTP status, for status and decode errors.
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status(e) => Some(e.status),
            ApiError::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The classified status error, if this is one.
    pub fn as_status(&self) -> Option<&StatusError> {
        match self {
            ApiError::Status(e) => Some(e),
            _ => None,
        }
    }

    /// The parsed `Retry-After`, if the server sent one.
    pub fn retry_after(&self) -> Option<RetryAfter> {
        self.as_status().and_then(|e| e.retry_after)
    }

    /// Builds the error for a non-2xx response of `op`.
    pub fn from_response(op: &'static Operation, resp: &Response<'_>) -> Self {
        let (detail, agent_support) = parse_error_body(resp.body);
        let kind = classify(op, resp.status, &detail);
        let retry_after = resp.header("retry-after").and_then(RetryAfter::parse).or_else(|| {
            // The two "come back later" refusals also say when in the body
            // (`retry_after_seconds`); the header wins when both are sent.
            match kind {
                ErrorKind::DedicatedImessageNumberInventoryPending | ErrorKind::MailImportQuotaExceeded => {
                    detail_retry_after(&detail)
                }
                _ => None,
            }
        });
        ApiError::Status(Box::new(StatusError {
            operation: op.name,
            status: resp.status,
            kind,
            detail,
            retry_after,
            agent_support,
            body: resp.body.to_vec(),
        }))
    }

    pub(crate) fn decode(op: &'static Operation, resp: &Response<'_>, err: &serde_json::Error) -> Self {
        ApiError::Decode { operation: op.name, status: resp.status, message: err.to_string(), body: resp.body.to_vec() }
    }
}

/// The class of an HTTP error status, from core's classification
/// (`"InkboxAPIError"`, the base, for the unstructured kinds).
impl ErrorClass for ErrorKind {
    fn error_class(&self) -> &'static str {
        match self {
            ErrorKind::RecipientBlocked { .. } => "RecipientBlockedError",
            ErrorKind::DuplicateContactRule { .. } => "DuplicateContactRuleError",
            ErrorKind::RedundantGrant => "RedundantContactAccessGrantError",
            ErrorKind::HandleUnavailable { .. } => "HandleUnavailableError",
            ErrorKind::TunnelTlsModeMismatch => "TunnelTLSModeMismatch",
            ErrorKind::TunnelCsrStateConflict => "TunnelCSRStateConflict",
            ErrorKind::IdempotencyKeyReused => "IdempotencyKeyReusedError",
            ErrorKind::StorageLimitExceeded => "StorageLimitExceededError",
            ErrorKind::DedicatedImessageNumberQuotaExceeded => "DedicatedIMessageNumberQuotaExceededError",
            ErrorKind::DedicatedImessageNumberInventoryPending => "DedicatedIMessageNumberInventoryPendingError",
            ErrorKind::MailImportQuotaExceeded => "MailImportQuotaExceededError",
            _ => "InkboxAPIError",
        }
    }
}

impl ErrorClass for ApiError {
    fn error_class(&self) -> &'static str {
        match self {
            ApiError::Status(e) => e.kind.error_class(),
            ApiError::Validation { .. } => "InkboxValidationError",
            ApiError::Transport { .. } => "InkboxTransportError",
            ApiError::Decode { .. } => "InkboxDecodeError",
            ApiError::Flow { .. } => "InkboxFlowError",
            ApiError::Vault(e) => e.error_class(),
            ApiError::Totp(e) => e.error_class(),
        }
    }
}

impl ErrorCode for ApiError {
    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation { .. } => "api.validation",
            ApiError::Transport { kind: TransportErrorKind::Timeout, .. } => "transport.timeout",
            ApiError::Transport { kind: TransportErrorKind::Connect, .. } => "transport.connect",
            ApiError::Transport { .. } => "transport.error",
            ApiError::Status(e) => e.kind.code(),
            ApiError::Decode { .. } => "api.decode",
            ApiError::Flow { code, .. } => code,
            ApiError::Vault(e) => e.code(),
            ApiError::Totp(e) => e.code(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Validation { field, message } => write!(f, "invalid {field}: {message}"),
            ApiError::Transport { kind, message } => write!(f, "transport error ({kind:?}): {message}"),
            ApiError::Status(e) => write!(f, "HTTP {}: {}", e.status, e.detail.to_text()),
            ApiError::Decode { operation, status, message, .. } => {
                write!(f, "could not decode the {operation} response (HTTP {status}): {message}")
            }
            ApiError::Flow { message, .. } => f.write_str(message),
            ApiError::Vault(e) => fmt::Display::fmt(e, f),
            ApiError::Totp(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl core::error::Error for ApiError {}

impl From<crate::vault::VaultError> for ApiError {
    fn from(e: crate::vault::VaultError) -> Self {
        ApiError::Vault(e)
    }
}

impl From<crate::totp::TotpError> for ApiError {
    fn from(e: crate::totp::TotpError) -> Self {
        ApiError::Totp(e)
    }
}

/// Extracts `detail` from an error body: JSON `{"detail": …}`, else the raw text.
pub fn parse_detail(body: &[u8]) -> Detail {
    parse_error_body(body).0
}

/// The `detail` of an error body and its top-level `agent_support` (when a
/// non-empty string: what the service tells an agent to do), from one parse.
fn parse_error_body(body: &[u8]) -> (Detail, Option<String>) {
    if body.is_empty() {
        return (Detail::None, None);
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            let agent_support = match map.get("agent_support") {
                Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
                _ => None,
            };
            let detail = match map.remove("detail") {
                Some(Value::String(s)) => Detail::Text(s),
                Some(Value::Object(o)) => Detail::Object(o),
                Some(Value::Array(a)) => Detail::List(a),
                Some(Value::Null) | None => {
                    // `{"error": "...", "message": "..."}` without a detail wrapper.
                    if map.contains_key("error") { Detail::Object(map) } else { Detail::None }
                }
                Some(other) => Detail::Text(other.to_string()),
            };
            (detail, agent_support)
        }
        Ok(other) => (Detail::Text(other.to_string()), None),
        Err(_) => (Detail::Text(String::from_utf8_lossy(body).into_owned()), None),
    }
}

/// A non-negative whole `retry_after_seconds` of an object detail.
fn detail_retry_after(detail: &Detail) -> Option<RetryAfter> {
    match detail {
        Detail::Object(m) => m.get("retry_after_seconds").and_then(Value::as_u64).map(RetryAfter::Seconds),
        _ => None,
    }
}

fn classify(op: &Operation, status: u16, detail: &Detail) -> ErrorKind {
    let name = op.name;
    if name.starts_with("signup.") {
        // Signup endpoints report plain statuses; the SDK stringifies detail.
        return match (name, status) {
            ("signup.verify", 401) => ErrorKind::InvalidVerificationCode,
            ("signup.verify", 410) => ErrorKind::VerificationCodeExpired,
            ("signup.verify" | "signup.resend_verification", 429) => ErrorKind::TooManyAttempts,
            _ => ErrorKind::from_status(status),
        };
    }
    if status == 409 && detail.str_field("existing_rule_id").is_some() {
        return ErrorKind::DuplicateContactRule {
            existing_rule_id: detail.str_field("existing_rule_id").unwrap_or_default().to_string(),
        };
    }
    match (status, detail.error_code()) {
        (409, Some("redundant_grant")) => return ErrorKind::RedundantGrant,
        (403, Some("recipient_blocked")) => {
            return ErrorKind::RecipientBlocked {
                matched_rule_id: detail.str_field("matched_rule_id").map(ToString::to_string),
                address: detail.str_field("address").map(ToString::to_string),
                reason: detail.str_field("reason").map(ToString::to_string),
            };
        }
        (_, Some("sender_rate_limited")) => return ErrorKind::SenderRateLimited,
        (_, Some("sender_sms_pending")) => return ErrorKind::SenderSmsPending,
        (_, Some("recipient_not_opted_in")) => return ErrorKind::RecipientNotOptedIn,
        (_, Some("recipient_opted_out")) => return ErrorKind::RecipientOptedOut,
        (_, Some("customer_campaign_required")) => return ErrorKind::CustomerCampaignRequired,
        (_, Some("carrier_rate_limit")) => return ErrorKind::CarrierRateLimit,
        // The official SDKs type these only with their own status; the same
        // code under another status is a plain error there too.
        (409, Some("idempotency_key_reused")) => return ErrorKind::IdempotencyKeyReused,
        (402, Some("storage_limit_exceeded")) => return ErrorKind::StorageLimitExceeded,
        (402, Some("dedicated_imessage_number_quota_exceeded")) => {
            return ErrorKind::DedicatedImessageNumberQuotaExceeded;
        }
        (503, Some("dedicated_imessage_number_inventory_pending")) => {
            return ErrorKind::DedicatedImessageNumberInventoryPending;
        }
        (429, Some("mail_import_quota_exceeded")) => return ErrorKind::MailImportQuotaExceeded,
        _ => {}
    }
    if status == 409 && matches!(name, "identities.create" | "identities.update") {
        let ns = detail.str_field("blocking_namespace").map(ToString::to_string);
        return ErrorKind::HandleUnavailable { blocking_namespace: ns };
    }
    if status == 409 && name == "tunnels.sign_csr" {
        let text = match detail {
            Detail::Object(_) => {
                detail.str_field("detail").map(ToString::to_string).unwrap_or_else(|| detail.to_text())
            }
            other => other.to_text(),
        }
        .to_ascii_lowercase();
        return if text.contains("edge") || text.contains("tls_mode") || text.contains("passthrough") {
            ErrorKind::TunnelTlsModeMismatch
        } else {
            ErrorKind::TunnelCsrStateConflict
        };
    }
    ErrorKind::from_status(status)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;
    use crate::api::catalog::Operation;
    use crate::api::request::Method;

    const SEND: Operation = Operation::new("texts.send", Method::Post, "/x");
    const CREATE: Operation = Operation::new("identities.create", Method::Post, "/x");
    const CSR: Operation = Operation::new("tunnels.sign_csr", Method::Post, "/x");
    const VERIFY: Operation = Operation::new("signup.verify", Method::Post, "/x");

    fn err(op: &'static Operation, status: u16, body: &str, headers: &[(String, String)]) -> ApiError {
        ApiError::from_response(op, &Response::new(status, headers, body.as_bytes()))
    }

    /// Every class name core hands the bindings is a class of the error
    /// family the description defines.
    #[test]
    fn error_classes_are_classes_of_the_described_family() {
        const FAMILY: &str = include_str!("../../../surface/errors.toml");
        let described = |name: &str| FAMILY.contains(&alloc::format!("name = \"{name}\""));
        let h = [("retry-after".to_string(), "3".to_string())];
        let statuses: alloc::vec::Vec<ApiError> = [
            (&CREATE, 409, r#"{"detail":{"code":"agent_handle_unavailable","blocking_namespace":"identities"}}"#),
            (
                &SEND,
                403,
                r#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"a","reason":"r"}}"#,
            ),
            (&CSR, 409, r#"{"detail":"tls_mode is passthrough"}"#),
            (&SEND, 404, r#"{"detail":"nope"}"#),
            (&SEND, 429, r#"{"detail":"slow down"}"#),
        ]
        .into_iter()
        .map(|(op, status, body)| err(op, status, body, &h))
        .collect();
        let mut seen = alloc::collections::BTreeSet::new();
        for e in &statuses {
            seen.insert(e.error_class());
        }
        for e in [
            ApiError::validation("x", "y"),
            ApiError::transport(super::super::TransportErrorKind::Timeout, "t"),
            ApiError::Flow { code: "flow.out_of_order", message: "m".into() },
            ApiError::Vault(crate::vault::VaultError::DecryptionFailed),
            ApiError::Vault(crate::vault::VaultError::InvalidPayload),
            ApiError::Vault(crate::vault::VaultError::Rng),
            ApiError::Totp(crate::totp::TotpError::InvalidAlgorithm),
        ] {
            seen.insert(e.error_class());
        }
        seen.insert(crate::webhook::WebhookError::SignatureMismatch.error_class());
        for class in &seen {
            assert!(described(class), "{class} is not a class of surface/errors.toml");
        }
        for class in [
            "HandleUnavailableError",
            "RecipientBlockedError",
            "TunnelTLSModeMismatch",
            "InkboxAPIError",
            "InkboxValidationError",
            "InkboxTransportError",
            "InkboxFlowError",
            "InkboxDecryptionError",
            "InkboxVaultPayloadError",
            "InkboxVaultError",
            "InkboxTOTPError",
            "InkboxWebhookError",
        ] {
            assert!(seen.contains(class), "{class} not produced");
        }
    }

    #[test]
    fn reads_agent_support_from_the_envelope_only_when_a_string() {
        let none: &[(String, String)] = &[];
        let with = |body: &str| err(&SEND, 500, body, none).as_status().unwrap().agent_support.clone();
        assert_eq!(
            with(r#"{"detail":"boom","agent_support":"Email support@inkbox.ai with request id r1"}"#).as_deref(),
            Some("Email support@inkbox.ai with request id r1")
        );
        for body in [
            r#"{"detail":"boom"}"#,
            r#"{"detail":"boom","agent_support":""}"#,
            r#"{"detail":"boom","agent_support":{"x":1}}"#,
            r#"{"detail":{"agent_support":"inside the detail is not the envelope"}}"#,
            r#"["agent_support"]"#,
            "not json",
            "",
        ] {
            assert_eq!(with(body), None, "{body}");
        }
    }

    /// The typed refusals of today's wire: each only with the status the
    /// official SDKs type it with, and the "retry later" pair reads its
    /// delay from the body when the header is absent (the header wins).
    #[test]
    fn types_todays_structured_refusals_by_status_and_code() {
        let none: &[(String, String)] = &[];
        let cases: &[(u16, &str, &str, &str)] = &[
            (409, "idempotency_key_reused", "api.idempotency_key_reused", "IdempotencyKeyReusedError"),
            (402, "storage_limit_exceeded", "api.storage_limit_exceeded", "StorageLimitExceededError"),
            (
                402,
                "dedicated_imessage_number_quota_exceeded",
                "api.dedicated_imessage_number_quota_exceeded",
                "DedicatedIMessageNumberQuotaExceededError",
            ),
            (
                503,
                "dedicated_imessage_number_inventory_pending",
                "api.dedicated_imessage_number_inventory_pending",
                "DedicatedIMessageNumberInventoryPendingError",
            ),
            (429, "mail_import_quota_exceeded", "api.mail_import_quota_exceeded", "MailImportQuotaExceededError"),
        ];
        for &(status, error, code, class) in cases {
            let body = alloc::format!(r#"{{"detail":{{"error":"{error}","message":"m","retry_after_seconds":7}}}}"#);
            let e = err(&SEND, status, &body, none);
            assert_eq!((e.code(), e.error_class()), (code, class), "{error}");
            let later = matches!(status, 503 | 429);
            assert_eq!(e.retry_after(), later.then_some(RetryAfter::Seconds(7)), "{error}");
            let h = [("Retry-After".to_string(), "2".to_string())];
            assert_eq!(err(&SEND, status, &body, &h).retry_after(), Some(RetryAfter::Seconds(2)));
            // Another status with the same code: the plain class of that status.
            let other = if status == 409 { 400 } else { 409 };
            let e = err(&SEND, other, &body, none);
            assert_eq!(e.error_class(), "InkboxAPIError", "{error} under {other}");
            assert_eq!(e.retry_after(), None);
            // A plain-string detail under the right status stays untyped.
            assert_eq!(err(&SEND, status, r#"{"detail":"full"}"#, none).error_class(), "InkboxAPIError");
        }
        // A negative or fractional body delay is not a delay.
        let body = r#"{"detail":{"error":"mail_import_quota_exceeded","retry_after_seconds":-3}}"#;
        assert_eq!(err(&SEND, 429, body, none).retry_after(), None);
        let body = r#"{"detail":{"error":"mail_import_quota_exceeded","retry_after_seconds":1.5}}"#;
        assert_eq!(err(&SEND, 429, body, none).retry_after(), None);
    }

    #[test]
    fn classifies_structured_details() {
        let cases: &[(&'static Operation, u16, &str, &str)] = &[
            (&SEND, 429, r#"{"detail":{"error":"sender_rate_limited","message":"x"}}"#, "api.sender_rate_limited"),
            (&SEND, 409, r#"{"detail":{"error":"sender_sms_pending","message":"x"}}"#, "api.sender_sms_pending"),
            (
                &SEND,
                403,
                r#"{"detail":{"error":"recipient_not_opted_in","message":"x"}}"#,
                "api.recipient_not_opted_in",
            ),
            (&SEND, 403, r#"{"detail":{"error":"recipient_opted_out","message":"x"}}"#, "api.recipient_opted_out"),
            (
                &SEND,
                403,
                r#"{"detail":{"error":"recipient_blocked","matched_rule_id":null,"address":"+1555","reason":"r"}}"#,
                "api.recipient_blocked",
            ),
            (&SEND, 409, r#"{"detail":{"existing_rule_id":"abc","message":"dup"}}"#, "api.duplicate_contact_rule"),
            (&SEND, 409, r#"{"detail":{"error":"redundant_grant","detail":"x"}}"#, "api.redundant_grant"),
            (&CREATE, 409, r#"{"detail":"handle taken"}"#, "api.handle_unavailable"),
            (&CSR, 409, r#"{"detail":"tunnel tls_mode is edge"}"#, "api.tunnel_tls_mode_mismatch"),
            (&CSR, 409, r#"{"detail":{"detail":"certificate already issued"}}"#, "api.tunnel_csr_state_conflict"),
            (&VERIFY, 401, r#"{"detail":"bad code"}"#, "api.invalid_verification_code"),
            (&VERIFY, 410, r#"{"detail":"expired"}"#, "api.verification_code_expired"),
            (&VERIFY, 429, r#"{"detail":"too many"}"#, "api.too_many_attempts"),
            (&SEND, 404, r#"{"detail":"Not Found"}"#, "api.not_found"),
            (&SEND, 502, "<html>bad gateway</html>", "api.server_error"),
            (&SEND, 418, "", "api.http_error"),
        ];
        for (op, status, body, code) in cases {
            assert_eq!(err(op, *status, body, &[]).code(), *code, "{body}");
        }
    }

    #[test]
    fn keeps_details_and_retry_after() {
        let headers = [("Retry-After".to_string(), "7".to_string())];
        let e = err(
            &SEND,
            403,
            r#"{"detail":{"error":"recipient_blocked","matched_rule_id":"r1","address":"+15551234567","reason":"blocked"}}"#,
            &headers,
        );
        let s = e.as_status().unwrap();
        assert_eq!(s.retry_after, Some(RetryAfter::Seconds(7)));
        match &s.kind {
            ErrorKind::RecipientBlocked { matched_rule_id, address, reason } => {
                assert_eq!(matched_rule_id.as_deref(), Some("r1"));
                assert_eq!(address.as_deref(), Some("+15551234567"));
                assert_eq!(reason.as_deref(), Some("blocked"));
            }
            other => panic!("{other:?}"),
        }
        let e = err(&SEND, 500, "not json", &[]);
        assert_eq!(e.as_status().unwrap().detail, Detail::Text("not json".into()));
        assert_eq!(e.to_string(), "HTTP 500: not json");
        assert_eq!(e.as_status().unwrap().body, b"not json");
    }
}
