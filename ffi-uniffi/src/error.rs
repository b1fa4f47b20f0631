//! Core's errors as one rich error enum, [`InkboxError`] (Kotlin:
//! `sealed class InkboxException`; Swift: `enum InkboxError: Error`).
//!
//! The variants are the classes of the described error family
//! (`surface/errors.toml`), generated into `generated/errors.rs`; which variant an
//! error becomes is decided by core's [`ErrorClass`] (one mapping for every
//! binding). Every variant carries the same fields, so each host reads
//! `code`, `statusCode`, `retryAfterSeconds`, ... the same way. Core's
//! messages never contain secrets, and no error carries a response body.

use inkbox_core::api::{ApiError, Detail, ErrorKind, RetryAfter, StatusError};
use inkbox_core::totp::TotpError;
use inkbox_core::vault::VaultError;
use inkbox_core::webhook::WebhookError;
use inkbox_core::{ErrorClass, ErrorCode};

pub use crate::generated::errors::InkboxError;

/// The fields every variant of [`InkboxError`] carries.
#[derive(Debug, Clone, Default)]
pub(crate) struct ErrorInfo {
    pub(crate) code: String,
    pub(crate) description: String,
    pub(crate) status_code: Option<u16>,
    pub(crate) detail: Option<String>,
    pub(crate) retry_after_seconds: Option<f64>,
    pub(crate) field: Option<String>,
    pub(crate) blocking_namespace: Option<String>,
    pub(crate) existing_rule_id: Option<String>,
    pub(crate) matched_rule_id: Option<String>,
    pub(crate) address: Option<String>,
    pub(crate) reason: Option<String>,
}

impl ErrorInfo {
    pub(crate) fn new(code: &str, description: impl Into<String>) -> Self {
        ErrorInfo { code: code.to_owned(), description: description.into(), ..ErrorInfo::default() }
    }
}

impl InkboxError {
    /// An error of the described class `class` (a name of `surface/errors.toml`).
    pub(crate) fn of(class: &str, code: &str, description: impl Into<String>) -> Self {
        InkboxError::of_class(class, ErrorInfo::new(code, description))
    }

    /// `InkboxValidationError` for argument `field`.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        InkboxError::from(ApiError::Validation { field: field.to_owned().into(), message: message.into().into() })
    }

    /// `InkboxInternalError` (a bug of this binding, never of the caller).
    pub(crate) fn internal(code: &str, message: impl Into<String>) -> Self {
        InkboxError::of("InkboxInternalError", code, message)
    }
}

fn detail_json(detail: &Detail) -> Option<String> {
    match detail {
        Detail::None => None,
        Detail::Text(s) => Some(serde_json::Value::String(s.clone()).to_string()),
        Detail::Object(m) => Some(serde_json::Value::Object(m.clone()).to_string()),
        Detail::List(l) => Some(serde_json::Value::Array(l.clone()).to_string()),
    }
}

/// Unix seconds of the host clock.
pub(crate) fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `Retry-After` in seconds from now (a date in the past is 0).
fn retry_after_secs(ra: RetryAfter) -> f64 {
    // Milliseconds to seconds; exact for any realistic delay.
    #[allow(clippy::cast_precision_loss)]
    let secs = ra.delay_ms(now_unix()) as f64 / 1000.0;
    secs
}

fn status_info(e: &StatusError, message: String) -> ErrorInfo {
    let mut info = ErrorInfo::new(e.kind.code(), message);
    info.status_code = Some(e.status);
    info.detail = detail_json(&e.detail);
    info.retry_after_seconds = e.retry_after.map(retry_after_secs);
    match &e.kind {
        ErrorKind::HandleUnavailable { blocking_namespace } => {
            info.blocking_namespace.clone_from(blocking_namespace);
        }
        ErrorKind::DuplicateContactRule { existing_rule_id } => {
            info.existing_rule_id = Some(existing_rule_id.clone());
        }
        ErrorKind::RecipientBlocked { matched_rule_id, address, reason } => {
            info.matched_rule_id.clone_from(matched_rule_id);
            info.address.clone_from(address);
            info.reason.clone_from(reason);
        }
        _ => {}
    }
    info
}

impl From<ApiError> for InkboxError {
    fn from(err: ApiError) -> Self {
        let code = err.code();
        let message = err.to_string();
        let class = err.error_class();
        let info = match err {
            ApiError::Status(e) => status_info(&e, message),
            ApiError::Validation { ref field, .. } => {
                ErrorInfo { field: Some(field.to_string()), ..ErrorInfo::new(code, message) }
            }
            ApiError::Decode { status, .. } => ErrorInfo { status_code: Some(status), ..ErrorInfo::new(code, message) },
            ApiError::Vault(e) => return InkboxError::from(e),
            ApiError::Totp(e) => return InkboxError::from(e),
            _ => ErrorInfo::new(code, message),
        };
        InkboxError::of_class(class, info)
    }
}

macro_rules! from_core {
    ($($t:ty),*) => {$(
        impl From<$t> for InkboxError {
            fn from(e: $t) -> Self {
                InkboxError::of_class(e.error_class(), ErrorInfo::new(e.code(), e.to_string()))
            }
        }
    )*};
}
from_core!(WebhookError, TotpError, VaultError);

impl From<uniffi::UnexpectedUniFFICallbackError> for InkboxError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The host's exception text is not quoted: it could hold anything.
        let _ = e;
        InkboxError::of("InkboxTransportError", "transport.other", "the host callback threw an unexpected exception")
    }
}
